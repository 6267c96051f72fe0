# SPDX-License-Identifier: MIT
"""FIPS mode through the binary (--setopt=fips=1; the host's
/proc/sys/crypto/fips_enabled decides on a real host): MD5 and SHA-1 are
refused as the only check of repository files and of packages, and RSA keys
under 2048 bits as signers; without it the same repositories work. --version
says the crypto is not FIPS-validated."""
import shutil
import subprocess

import pytest

from conftest import rpm_q

FIPS = "--setopt=fips=1"


def host_fips():
    try:
        return open("/proc/sys/crypto/fips_enabled").read().strip() == "1"
    except OSError:
        return False


def test_version_says_not_validated(alu):
    p = alu("--version")
    assert p.returncode == 0
    assert "not FIPS 140 validated" in p.stdout
    assert ("FIPS mode: on" if host_fips() else "FIPS mode: off") in p.stdout
    p = alu(FIPS, "--version")
    assert "FIPS mode: on" in p.stdout


def repo_copy(mirror, sample_root, tmp_path, *createrepo_args, extra=""):
    repo = tmp_path / "repo"
    shutil.copytree(mirror.repo(), repo)
    shutil.rmtree(repo / "repodata")
    subprocess.run(["createrepo_c", "-q", *createrepo_args, str(repo)], check=True)
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
        "[amzn2-core]\nname=private\nbaseurl=file://%s\ngpgcheck=1\ngpgkey=file://%s\n"
        "enabled=1\n%s" % (repo, mirror.key, extra))
    return repo


@pytest.mark.parametrize("algo", ["sha1", "md5"])
def test_weak_metadata_checksum(alu, mirror, sample_root, tmp_path, algo):
    repo_copy(mirror, sample_root, tmp_path, "--checksum", algo)
    p = alu("--installroot", sample_root, FIPS, "makecache")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "repository amzn2-core" in p.stderr and "only by %s" % algo in p.stderr
    assert "FIPS mode does not accept" in p.stderr
    if algo == "sha1" and not host_fips():   # md5 is refused under gpgcheck=1 anyway
        p = alu("--installroot", sample_root, "makecache")
        assert p.returncode == 0, p.stderr


def test_weak_package_checksum(alu, mirror, sample_root, tmp_path):
    repo_copy(mirror, sample_root, tmp_path, "--checksum", "sha1", "--repomd-checksum", "sha256")
    before = rpm_q(sample_root, "-qa")
    assert alu("--installroot", sample_root, FIPS, "makecache").returncode == 0
    p = alu("--installroot", sample_root, FIPS, "-y", "update", "hello")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "hello-" in p.stderr and "only by sha1" in p.stderr and "FIPS" in p.stderr
    assert sorted(rpm_q(sample_root, "-qa")) == sorted(before)
    if not host_fips():
        p = alu("--installroot", sample_root, "-y", "update", "--downloadonly", "hello")
        assert p.returncode == 0, p.stdout + p.stderr


def test_small_rsa_key(alu, mirror, sample_root, tmp_path):
    g = tmp_path / "gnupg"
    g.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(g), "--batch", "--yes", "--pinentry-mode", "loopback",
           "--passphrase", ""]
    try:
        subprocess.run(gpg + ["--quick-gen-key", "small@alupdate.invalid", "rsa1024", "sign",
                              "never"], check=True, capture_output=True)
        key = tmp_path / "small.asc"
        subprocess.run(gpg + ["--armor", "--export", "-o", str(key), "small@alupdate.invalid"],
                       check=True, capture_output=True)
        repo = repo_copy(mirror, sample_root, tmp_path)
        md = repo / "repodata/repomd.xml"
        subprocess.run(gpg + ["--detach-sign", "--armor", "-u", "small@alupdate.invalid", "-o",
                              str(md) + ".asc", str(md)], check=True, capture_output=True)
    finally:
        subprocess.run(["gpgconf", "--homedir", str(g), "--kill", "all"], capture_output=True)
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
        "[amzn2-core]\nname=private\nbaseurl=file://%s\ngpgcheck=0\nrepo_gpgcheck=1\n"
        "gpgkey=file://%s\nenabled=1\n" % (repo, key))
    p = alu("--installroot", sample_root, FIPS, "makecache")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "amzn2-core" in p.stderr and "1024 bits refused in FIPS mode" in p.stderr
    if not host_fips():
        p = alu("--installroot", sample_root, "makecache")
        assert p.returncode == 0, p.stderr


def test_sha1_signature(alu, mirror, sample_root, tmp_path):
    g = tmp_path / "gnupg"
    shutil.copytree(mirror.outdir / "gnupg", g)
    g.chmod(0o700)
    repo = repo_copy(mirror, sample_root, tmp_path, extra="repo_gpgcheck=1\n")
    md = repo / "repodata/repomd.xml"
    try:
        subprocess.run(["gpg", "--homedir", str(g), "--batch", "--yes", "--detach-sign", "--armor",
                        "--digest-algo", "SHA1", "-u", "test@alupdate.invalid", "-o", str(md) + ".asc",
                        str(md)], check=True, capture_output=True, stdin=subprocess.DEVNULL)
    finally:
        subprocess.run(["gpgconf", "--homedir", str(g), "--kill", "all"], capture_output=True)
    p = alu("--installroot", sample_root, FIPS, "makecache")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "amzn2-core" in p.stderr and "hashes with sha1" in p.stderr, p.stderr
    if not host_fips():
        p = alu("--installroot", sample_root, "makecache")
        assert p.returncode == 0, p.stderr


def test_fips_accepts_sha256_and_big_keys(alu, mirror, sample_root, tmp_path):
    """The sample mirror (sha256, RSA keys of 2048+ bits, signed packages)
    updates in FIPS mode as without it."""
    repo_copy(mirror, sample_root, tmp_path)
    p = alu("--installroot", sample_root, FIPS, "-y", "update", "hello")
    assert p.returncode == 0, p.stdout + p.stderr
    assert any(q.startswith("hello-2.11-1") for q in rpm_q(sample_root, "-q", "hello"))
