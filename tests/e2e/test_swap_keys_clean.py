# SPDX-License-Identifier: MIT
"""swap, keys import (rpm --import's job) and yum 3's `clean headers` /
`clean rpmdb`, through the binary."""
import json
import re

REPO_FILE = "etc/yum.repos.d/amzn2-core.repo"
KEY_IN_ROOT = "etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2"


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def installed(alu, root):
    p = run(alu, root, "--json", "list", "installed")
    assert p.returncode == 0, p.stderr
    return {x["name"]: (x["version"], x["reason"]) for x in json.loads(p.stdout)["installed"]}


def test_swap(alu, sample_root):
    assert run(alu, sample_root, "remove", "-y", "hello").returncode == 0
    p = run(alu, sample_root, "swap", "-y", "greet", "hello")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^Installed:\n  hello\.x86_64 2\.11-1\.amzn2\n", p.stdout, re.M), p.stdout
    assert re.search(r"^Removed:\n  greet\.x86_64 1\.0-1\.amzn2\n", p.stdout, re.M), p.stdout
    inst = installed(alu, sample_root)
    assert "greet" not in inst and inst["hello"] == ("2.11", "user")
    # both or neither: an unknown package to install changes nothing
    p = run(alu, sample_root, "swap", "-y", "hello", "nosuch")
    assert p.returncode == 1 and "No package nosuch available." in p.stderr
    assert "hello" in installed(alu, sample_root)
    p = run(alu, sample_root, "swap", "-y", "greet", "hello")
    assert p.returncode == 1 and "greet" in p.stderr
    p = run(alu, sample_root, "swap", "-y", "hello")
    assert p.returncode == 1 and "two arguments" in p.stderr


def test_clean_headers_and_rpmdb(alu, sample_root):
    assert run(alu, sample_root, "makecache").returncode == 0
    for what in ("headers", "rpmdb"):
        p = run(alu, sample_root, "clean", what)
        assert p.returncode == 0, p.stderr
    # the metadata is still there: -C answers
    p = run(alu, sample_root, "-C", "list", "available")
    assert p.returncode == 0 and "hello" in p.stdout
    p = run(alu, sample_root, "clean", "bogus")
    assert p.returncode == 1 and "headers, rpmdb" in p.stderr


def test_keys_import_trusts_a_key_for_every_repository(alu, sample_root, mirror, tmp_path):
    # the repository names the wrong key: its packages do not verify
    (sample_root / KEY_IN_ROOT).write_text(mirror.other_key.read_text())
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 1 and "not among the keys" in p.stderr, p.stderr
    # rpm --import of the right key: trusted for every repository
    p = run(alu, sample_root, "keys", "import", mirror.key)
    assert p.returncode == 0, p.stderr
    assert "Imported key 0x" in p.stdout and "alupdate test signing key" in p.stdout
    p = run(alu, sample_root, "keys", "import", mirror.key.as_uri())
    assert p.returncode == 0 and "Already imported" in p.stdout
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root)["hello"][0] == "2.11"
    # kept in the root's key store, marked for the rpm-database write-back
    p = run(alu, sample_root, "--json", "keys")
    keys = json.loads(p.stdout)
    assert any(k["uid"].startswith("alupdate test signing key") for k in keys)
    stored = [f.read_text() for f in (sample_root / "var/lib/alupdate/keys").glob("*.key")]
    assert any("\n# trust: all\n" in t and "BEGIN PGP PUBLIC KEY BLOCK" in t for t in stored)
    # a repository without any gpgkey= verifies against it too
    repo = sample_root / REPO_FILE
    repo.write_text(re.sub(r"^gpgkey=.*\n", "", repo.read_text(), flags=re.M))
    p = run(alu, sample_root, "update", "-y", "greet")
    assert p.returncode == 0, p.stderr


def test_keys_import_refuses_what_is_not_a_key(alu, sample_root, tmp_path):
    bad = tmp_path / "not-a-key"
    bad.write_text("hello\n")
    p = run(alu, sample_root, "keys", "import", bad)
    assert p.returncode == 1 and "not an ASCII-armored public key" in p.stderr
    p = run(alu, sample_root, "keys", "import", tmp_path / "missing")
    assert p.returncode == 1 and "missing" in p.stderr
    assert not (sample_root / "var/lib/alupdate/keys").exists() or \
        not list((sample_root / "var/lib/alupdate/keys").glob("*.key"))
