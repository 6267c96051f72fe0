# SPDX-License-Identifier: MIT
"""versionlock as scripts write it: `versionlock NAME` without a verb is
`versionlock add NAME` (EKS image builds), and `versionlock exclude SPEC`
keeps matching repository versions out of every transaction."""
import json


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def installed(alu, root):
    p = run(alu, root, "--json", "list", "installed")
    assert p.returncode == 0, p.stderr
    return {p["name"]: "%s-%s" % (p["version"], p["release"]) for p in json.loads(p.stdout)["installed"]}


LIST = "etc/yum/pluginconf.d/versionlock.list"


def test_versionlock_without_verb_adds(alu, sample_root):
    p = run(alu, sample_root, "versionlock", "hello", "kernel")
    assert p.returncode == 0, p.stderr
    assert "Adding versionlock on: 0:hello-2.10-1.amzn2.x86_64" in p.stdout
    assert (sample_root / LIST).read_text() == (
        "0:hello-2.10-1.amzn2.x86_64\n0:kernel-5.10.100-1.amzn2.x86_64\n")
    p = run(alu, sample_root, "versionlock")
    assert p.stdout == "0:hello-2.10-1.amzn2.x86_64\n0:kernel-5.10.100-1.amzn2.x86_64\n"
    p = run(alu, sample_root, "update", "-y")
    assert p.returncode == 0, p.stderr
    inst = installed(alu, sample_root)
    assert inst["hello"] == "2.10-1.amzn2" and inst["greet"] == "1.2-1.amzn2"
    # a name that is not installed: an error, the file unchanged
    p = run(alu, sample_root, "versionlock", "nosuch")
    assert p.returncode == 1 and "No package found for: nosuch" in p.stderr
    assert (sample_root / LIST).read_text().count("\n") == 2


def test_versionlock_exclude(alu, sample_root):
    p = run(alu, sample_root, "versionlock", "exclude", "greet-1.2*")
    assert p.returncode == 0, p.stderr
    assert "Adding exclude on: 0:greet-1.2-1.amzn2.x86_64" in p.stdout
    assert (sample_root / LIST).read_text() == "!0:greet-1.2-1.amzn2.x86_64\n"
    p = run(alu, sample_root, "update", "-y")
    assert p.returncode == 0, p.stderr
    inst = installed(alu, sample_root)
    assert inst["greet"] == "1.1-1.amzn2" and inst["hello"] == "2.11-1.amzn2"
    p = run(alu, sample_root, "install", "-y", "greet-1.2")
    assert p.returncode != 0
    assert installed(alu, sample_root)["greet"] == "1.1-1.amzn2"
    p = run(alu, sample_root, "versionlock", "delete", "greet")
    assert p.returncode == 0 and (sample_root / LIST).read_text() == ""
    p = run(alu, sample_root, "versionlock", "exclude", "nosuch*")
    assert p.returncode == 1 and "No package found for: nosuch*" in p.stderr
