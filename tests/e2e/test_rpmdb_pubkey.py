# SPDX-License-Identifier: MIT
"""Keys alupdate imports (keys import, the repositories' gpgkey=) appear in
the root's rpm database as the gpg-pubkey entries rpm --import adds:
compared with Debian's rpm 4.18 importing the same key on a twin root."""
import os
import shutil
import subprocess

import pytest

from conftest import rpm_q
from test_rpmdb_writeback import bdb_q, bdb_root

QF = "%{name}-%{version}-%{release} %{summary}\\n"


def run(alu, root, *args):
    return alu("--installroot", root, *args)


def rpm_import(root, key):
    subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", "--import",
                    str(key)], check=True, capture_output=True)


def qi(root):
    # install time aside: the rest is the key's
    return [l for l in rpm_q(root, "-qi", "gpg-pubkey") if not l.startswith("Install Date")]


def test_keys_import_as_rpm_import(alu, mirror, sample_root, tmp_path):
    # the sample root has the repositories' key from rpm already: another one
    key = mirror.other_key
    twin = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(sample_root), str(twin)], check=True)
    before = rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey")
    rpm_import(twin, key)
    want = rpm_q(twin, "-q", "--qf", QF, "gpg-pubkey")
    assert len(want) == len(before) + 1, want
    new = (set(want) - set(before)).pop().split()[0]

    p = run(alu, sample_root, "keys", "import", key)
    assert p.returncode == 0, p.stderr
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey") == want
    assert qi(sample_root) == qi(twin)
    # the same bytes, region digests included
    for q in (["--provides"], ["--qf", "%{sha1header} %{sha256header} %{pubkeys}\\n"],
              ["--qf", "%{arch} %{os} %{license} %{group} %{rpmversion} %{buildhost}\\n"]):
        assert rpm_q(sample_root, "-q", *q, "gpg-pubkey") == rpm_q(twin, "-q", *q, "gpg-pubkey"), q
    # rpm finds it by its provides: importing again adds nothing, nor does alupdate
    rpm_import(sample_root, key)
    p = run(alu, sample_root, "update", "-y")
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey") == want
    p = subprocess.run(["rpm", "--root", str(sample_root), "--define", "_dbpath /var/lib/rpm",
                        "-e", "--test", new], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_key_rpm_imported_first_is_not_doubled(alu, mirror, sample_root):
    """The sample root's rpm imported the repositories' key: alupdate's
    import of it (keys import, gpgkey=) adds no second entry."""
    want = rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey")
    p = run(alu, sample_root, "keys", "import", mirror.key)
    assert p.returncode == 0, p.stderr
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey") == want


def test_repository_key_comes_back(alu, mirror, sample_root, tmp_path):
    """gpgkey= keys alupdate imports are written as rpm --import would."""
    twin = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(sample_root), str(twin)], check=True)
    want = rpm_q(twin, "-q", "--qf", QF, "gpg-pubkey")
    want_qi = qi(twin)
    subprocess.run(["rpm", "--root", str(sample_root), "--define", "_dbpath /var/lib/rpm",
                    "-e", "gpg-pubkey"], check=True, capture_output=True)
    assert rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey") != want
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey") == want
    assert qi(sample_root) == want_qi


@pytest.mark.skipif(not shutil.which("db5.3_load"), reason="needs db5.3-util")
def test_bdb_root(alu, mirror, sample_root, tmp_path):
    """Amazon Linux 2's Berkeley DB: the same entry, found by its provides."""
    key = mirror.other_key
    twin = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(sample_root), str(twin)], check=True)
    rpm_import(twin, key)
    want = rpm_q(twin, "-q", "--qf", QF, "gpg-pubkey")
    want_qi = qi(twin)
    bdb_root(sample_root)
    p = run(alu, sample_root, "keys", "import", key)
    assert p.returncode == 0, p.stderr
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert "rpmdb.sqlite" not in os.listdir(sample_root / "var/lib/rpm")
    assert bdb_q(sample_root, "-q", "--qf", QF, "gpg-pubkey")[0].splitlines() == want
    out, _ = bdb_q(sample_root, "-qi", "gpg-pubkey")
    assert [l for l in out.splitlines() if not l.startswith("Install Date")] == want_qi
    new = [l for l in want if "unrelated" in l or "other" in l][0].split()[0]
    short = new.split("-")[2]
    assert bdb_q(sample_root, "-q", "--whatprovides", "gpg(%s)" % short) == (new + "\n", 0)


@pytest.mark.skipif(not shutil.which("gpg"), reason="needs gpg")
def test_key_with_subkey(alu, sample_root, tmp_path):
    """An EdDSA key with an encryption subkey: one entry, as rpm makes it."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    g = ["gpg", "--homedir", str(home), "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
    subprocess.run(g + ["--quick-gen-key", "Sub Key Test <sub@alupdate.invalid>", "ed25519", "sign",
                        "never"], check=True, capture_output=True, timeout=60)
    fpr = [l.split(":")[9] for l in subprocess.run(g + ["--list-keys", "--with-colons"], check=True,
           capture_output=True, text=True).stdout.splitlines() if l.startswith("fpr")][0]
    subprocess.run(g + ["--quick-add-key", fpr, "cv25519", "encr", "never"], check=True,
                   capture_output=True, timeout=60)
    key = tmp_path / "sub.asc"
    key.write_bytes(subprocess.run(g + ["--armor", "--export"], check=True,
                                   capture_output=True).stdout)
    twin = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(sample_root), str(twin)], check=True)
    rpm_import(twin, key)
    p = run(alu, sample_root, "keys", "import", key)
    assert p.returncode == 0, p.stderr
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "--qf", QF, "gpg-pubkey") == rpm_q(twin, "-q", "--qf", QF,
                                                                         "gpg-pubkey")
    assert qi(sample_root) == qi(twin)
    for q in (["--provides"], ["--qf", "%{sha1header} %{sha256header}\\n"]):
        assert rpm_q(sample_root, "-q", *q, "gpg-pubkey") == rpm_q(twin, "-q", *q, "gpg-pubkey"), q
