# SPDX-License-Identifier: MIT
"""repo_gpgcheck through the binary: a copy of the sample mirror's us-east-1
x86_64 repository whose repodata/repomd.xml is signed by gpg (repomd.xml.asc)
with the test key or the other one, and the root's amzn2-core pointing at it
with repo_gpgcheck=1 and gpgkey= the test key. A good signature (armored or
binary) lets makecache/check-update work; a tampered repomd.xml, a missing
.asc, a signature by a key not in gpgkey= stop the repository with an error
naming it (or skip it with a warning under skip_if_unavailable=1, as yum
does); --nogpgcheck turns the check off."""
import shutil
import subprocess

import pytest

TEST_UID = "test@alupdate.invalid"
OTHER_UID = "other@alupdate.invalid"


@pytest.fixture
def gnupg(mirror, tmp_path):
    g = tmp_path / "gnupg"
    shutil.copytree(mirror.outdir / "gnupg", g)
    g.chmod(0o700)
    yield g
    subprocess.run(["gpgconf", "--homedir", str(g), "--kill", "all"], capture_output=True)


def keyid(gnupg, uid):
    out = subprocess.run(["gpg", "--homedir", str(gnupg), "--batch", "--with-colons",
                          "--list-keys", uid], capture_output=True, text=True, check=True).stdout
    return next(line.split(":")[4] for line in out.splitlines() if line.startswith("pub:"))


def sign(repo, gnupg, uid, armor=True):
    md = repo / "repodata/repomd.xml"
    subprocess.run(["gpg", "--homedir", str(gnupg), "--batch", "--yes", "--detach-sign",
                    *(["--armor"] if armor else []), "-u", uid, "-o", str(md) + ".asc", str(md)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)


@pytest.fixture
def signed_repo(mirror, sample_root, gnupg, tmp_path):
    """(repo dir, write(extra)): the copy signed with the test key; write()
    (re)writes the root's repo file with extra lines appended."""
    repo = tmp_path / "repo"
    shutil.copytree(mirror.repo(), repo)
    (repo / "repodata/repomd.xml.asc").unlink(missing_ok=True)
    sign(repo, gnupg, TEST_UID)

    def write(extra=""):
        (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
            "[amzn2-core]\nname=private\nbaseurl=file://%s\ngpgcheck=1\nrepo_gpgcheck=1\n"
            "gpgkey=file://%s\nenabled=1\n%s" % (repo, mirror.key, extra))
    write()
    return repo, write


def tamper(repo):
    with open(repo / "repodata/repomd.xml", "a") as f:
        f.write("<!-- changed after signing -->\n")


def refused(p, *words):
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Metadata Cache Created" not in p.stdout
    for w in ("amzn2-core", "signature") + words:
        assert w in p.stderr, p.stderr


def test_good_signature(alu, sample_root, signed_repo):
    p = alu("--installroot", sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    assert "Metadata Cache Created" in p.stdout
    p = alu("--installroot", sample_root, "check-update")
    assert p.returncode == 100, p.stdout + p.stderr
    assert "hello.x86_64" in p.stdout and "2.11-1.amzn2" in p.stdout


def test_binary_signature(alu, sample_root, signed_repo, gnupg):
    repo, _ = signed_repo
    sign(repo, gnupg, TEST_UID, armor=False)
    p = alu("--installroot", sample_root, "makecache")
    assert p.returncode == 0, p.stderr


def test_tampered(alu, sample_root, signed_repo):
    repo, _ = signed_repo
    tamper(repo)
    refused(alu("--installroot", sample_root, "makecache"), "BAD signature")
    # nothing reached the cache
    p = alu("--installroot", sample_root, "-C", "check-update")
    assert p.returncode == 1 and "no cached metadata" in p.stderr, p.stdout + p.stderr


def test_tampered_skip_if_unavailable(alu, sample_root, signed_repo):
    repo, write = signed_repo
    tamper(repo)
    write("skip_if_unavailable=1\n")
    p = alu("--installroot", sample_root, "check-update")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "warning" in p.stderr and "amzn2-core skipped" in p.stderr, p.stderr
    assert "signature" in p.stderr
    assert "hello" not in p.stdout


def test_no_asc(alu, sample_root, signed_repo):
    repo, _ = signed_repo
    (repo / "repodata/repomd.xml.asc").unlink()
    refused(alu("--installroot", sample_root, "makecache"), "repomd.xml.asc")


def test_other_key(alu, sample_root, signed_repo, gnupg):
    repo, _ = signed_repo
    sign(repo, gnupg, OTHER_UID)
    refused(alu("--installroot", sample_root, "makecache"), keyid(gnupg, OTHER_UID))


def test_resigned_after_cache(alu, sample_root, signed_repo, gnupg):
    """An unchanged repomd.xml whose signature went bad is not taken from the
    cache's short cut: the signature is checked before the sha256 compare."""
    repo, _ = signed_repo
    assert alu("--installroot", sample_root, "makecache").returncode == 0
    sign(repo, gnupg, OTHER_UID)
    refused(alu("--installroot", sample_root, "makecache"), keyid(gnupg, OTHER_UID))


def test_no_gpgkey(alu, sample_root, signed_repo, mirror):
    _, write = signed_repo
    text = (sample_root / "etc/yum.repos.d/amzn2-core.repo").read_text()
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
        text.replace("gpgkey=file://%s\n" % mirror.key, ""))
    refused(alu("--installroot", sample_root, "makecache"), "no gpgkey")


@pytest.mark.parametrize("breakage", ["tampered", "no-asc", "other-key"])
def test_nogpgcheck(alu, sample_root, signed_repo, gnupg, breakage):
    repo, _ = signed_repo
    if breakage == "tampered":
        tamper(repo)
    elif breakage == "no-asc":
        (repo / "repodata/repomd.xml.asc").unlink()
    else:
        sign(repo, gnupg, OTHER_UID)
    p = alu("--installroot", sample_root, "--nogpgcheck", "makecache")
    assert p.returncode == 0, p.stderr
    p = alu("--installroot", sample_root, "--nogpgcheck", "check-update")
    assert p.returncode == 100, p.stdout + p.stderr
    assert "hello.x86_64" in p.stdout
