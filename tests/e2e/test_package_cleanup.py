# SPDX-License-Identifier: MIT
"""package-cleanup (yum-utils) through the binary: --leaves, --problems,
--dupes, --cleandupes, --oldkernels --count, and the `package-cleanup`
name. Duplicates and broken dependencies are made with Debian's rpm in the
root's database before alupdate adopts it."""
import json
import subprocess

import pytest

from conftest import ALU_BIN


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def rpm(root, *args):
    subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "--nosignature",
                    "--noscripts", *args], check=True, capture_output=True)


def installed(alu, root, name):
    p = run(alu, root, "--json", "list", "installed")
    assert p.returncode == 0, p.stderr
    return sorted("%s-%s" % (x["version"], x["release"]) for x in json.loads(p.stdout)["installed"]
                  if x["name"] == name)


def test_leaves(alu, sample_root):
    # libgreet is required by greet: not a leaf; the others are required by nobody
    p = run(alu, sample_root, "package-cleanup", "--leaves")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ""                     # no unrequired library
    p = run(alu, sample_root, "package-cleanup", "--leaves", "--all")
    assert p.stdout.split() == ["alu-data-1.0-1.amzn2.noarch", "greet-1.0-1.amzn2.x86_64",
                                "hello-2.10-1.amzn2.x86_64", "kernel-5.10.100-1.amzn2.x86_64",
                                "system-release-2-1.amzn2.noarch"]
    assert run(alu, sample_root, "remove", "-y", "greet").returncode == 0
    p = run(alu, sample_root, "package-cleanup", "--leaves")
    assert p.stdout == "libgreet-1.0-1.amzn2.x86_64\n"


def test_problems(alu, sample_root):
    rpm(sample_root, "-e", "--nodeps", "libgreet")
    p = run(alu, sample_root, "package-cleanup", "--problems")
    assert p.returncode == 1
    assert "Package greet-1.0-1.amzn2.x86_64 requires libgreet.so.1()(64bit)\n" in p.stdout
    assert run(alu, sample_root, "install", "-y", "libgreet-1.0").returncode == 0
    p = run(alu, sample_root, "package-cleanup", "--problems")
    assert p.returncode == 0 and p.stdout == "No Problems Found\n", p.stderr


def test_dupes_and_cleandupes(alu, sample_root, mirror):
    rpm(sample_root, "-i", "--nodeps", "--replacefiles",
        mirror.repo() / "Packages/hello-2.10-2.amzn2.x86_64.rpm")
    p = run(alu, sample_root, "package-cleanup", "--dupes")
    assert p.returncode == 0, p.stderr
    assert p.stdout == "hello-2.10-1.amzn2.x86_64\nhello-2.10-2.amzn2.x86_64\n"
    p = run(alu, sample_root, "package-cleanup", "--cleandupes", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root, "hello") == ["2.10-2.amzn2"]
    p = run(alu, sample_root, "package-cleanup", "--dupes")
    assert p.returncode == 0 and p.stdout == ""


def test_oldkernels(alu, sample_root, tmp_path):
    assert run(alu, sample_root, "install", "-y", "kernel-5.10.102").returncode == 0
    assert run(alu, sample_root, "update", "-y", "kernel").returncode == 0
    assert installed(alu, sample_root, "kernel") == ["5.10.100-1.amzn2", "5.10.102-1.amzn2",
                                                     "5.10.110-1.amzn2"]
    # kernels are installonly: never "dupes"
    assert run(alu, sample_root, "package-cleanup", "--dupes").stdout == ""
    p = run(alu, sample_root, "package-cleanup", "--oldkernels", "--count=2", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root, "kernel") == ["5.10.102-1.amzn2", "5.10.110-1.amzn2"]
    link = tmp_path / "package-cleanup"
    link.symlink_to(ALU_BIN)
    p = subprocess.run([str(link), "--installroot", str(sample_root), "--oldkernels", "--count", "1",
                        "-y"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root, "kernel") == ["5.10.110-1.amzn2"]
    p = run(alu, sample_root, "package-cleanup", "--oldkernels", "-y")
    assert p.returncode == 0 and "No old kernels to remove" in p.stdout


def test_usage(alu, sample_root):
    p = run(alu, sample_root, "package-cleanup")
    assert p.returncode == 1 and "give one of" in p.stderr
    p = run(alu, sample_root, "package-cleanup", "--oldkernels", "--count=0")
    assert "option '--count': bad value '0'" in p.stderr, p.stderr   # named as typed (issue 13)
