# SPDX-License-Identifier: MIT
"""`download` (and the binary run as `yumdownloader`) against the sample
mirror: binary packages, --resolve, --source (the SRPM that SOURCERPM names,
from amzn2-core-source, enabled on demand), --urls, --archlist. Debian's dnf
(`dnf download --source --resolve --url`) is the oracle for what is chosen.
A download whose checksum or signature fails leaves nothing in --destdir."""
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, set_mirror_base


def sha(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def srpm(mirror, nvr):
    return mirror.repo(sub="SRPMS") / "Packages" / (nvr + ".src.rpm")


def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT's repo files and variables (plugins on: download
    is one); HOME's .rpmmacros points its rpm at ROOT/var/lib/rpm."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
    (home / "dnf.conf").write_text("[main]\ngpgcheck=1\n")
    cmd = ["dnf", "-q", "-c", str(home / "dnf.conf"), "--installroot=%s" % root, "--releasever=2",
           "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root, "--setopt=cachedir=%s" % (tmp_path / "dnfcache"),
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))


@pytest.fixture
def root(sample_root, mirror):
    set_mirror_base(sample_root, mirror.http)
    return sample_root


def names(lines):
    return sorted(os.path.basename(u) for u in lines if u.strip())


@pytest.mark.skipif(not shutil.which("dnf"), reason="dnf not installed")
@pytest.mark.parametrize("flags,spec", [(["--source", "--resolve"], "greet-1.2"),
                                        (["--resolve"], "greet"),
                                        (["--source"], "hello"),
                                        ([], "libgreet")])
def test_urls_match_dnf(alu, root, mirror, tmp_path, flags, spec):
    p = alu("--installroot", root, "download", *flags, "--urls", spec)
    assert p.returncode == 0, p.stderr
    d = dnf(root, tmp_path, "download", *flags, "--url", spec)
    if d.returncode != 0 and "No such command" in d.stderr:
        pytest.skip("dnf has no download plugin")
    assert d.returncode == 0, d.stderr
    ours, theirs = names(p.stdout.splitlines()), names(d.stdout.splitlines())
    assert ours == theirs
    # from the mirror the mirror list names, as dnf's
    assert sorted(p.stdout.split()) == sorted(d.stdout.split())


def test_source_download_verified(alu, root, mirror, tmp_path):
    out = tmp_path / "out"
    p = alu("--installroot", root, "download", "--source", "--destdir", out, "hello", "greet")
    assert p.returncode == 0, p.stderr
    assert sorted(os.listdir(out)) == ["greet-1.2-1.amzn2.src.rpm", "hello-2.11-1.amzn2.src.rpm"]
    assert sha(out / "hello-2.11-1.amzn2.src.rpm") == sha(srpm(mirror, "hello-2.11-1.amzn2"))
    # rpm itself reads it as the source package, signed by the test key
    q = subprocess.run(["rpm", "-qp", "--qf", "%{NAME}-%{VERSION}-%{RELEASE} %{SIGPGP:pgpsig}%{RSAHEADER:pgpsig}\n",
                        str(out / "hello-2.11-1.amzn2.src.rpm")], capture_output=True, text=True)
    assert q.stdout.startswith("hello-2.11-1.amzn2 "), q.stdout + q.stderr
    # the source repository was enabled for this run only: the file is unchanged
    assert "enabled=0" in (root / "etc/yum.repos.d/amzn2-core.repo").read_text()


def test_binary_and_archlist(alu, root, mirror, tmp_path):
    out = tmp_path / "out"
    p = alu("--installroot", root, "download", "--destdir", out, "hello-2.10-2.amzn2")
    assert p.returncode == 0, p.stderr
    assert os.listdir(out) == ["hello-2.10-2.amzn2.x86_64.rpm"]
    assert sha(out / "hello-2.10-2.amzn2.x86_64.rpm") == sha(
        mirror.repo() / "Packages" / "hello-2.10-2.amzn2.x86_64.rpm")
    p = alu("--installroot", root, "--enablerepo", "amzn2-core-source", "download", "--archlist", "src",
            "--urls", "hello-2.10-1.amzn2")
    assert p.returncode == 0, p.stderr
    assert names(p.stdout.splitlines()) == ["hello-2.10-1.amzn2.src.rpm"]
    p = alu("--installroot", root, "download", "--archlist", "aarch64", "--urls", "hello")
    assert p.returncode == 1 and "No package hello available." in p.stderr, p.stderr


def test_as_yumdownloader(root, tmp_path):
    link = tmp_path / "bin" / "yumdownloader"
    link.parent.mkdir()
    link.symlink_to(ALU_BIN)
    out = tmp_path / "out"
    p = subprocess.run([str(link), "--installroot", str(root), "--source", "--destdir", str(out),
                        "libgreet"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert os.listdir(out) == ["libgreet-1.1-1.amzn2.src.rpm"]


def test_unknown_package(alu, root, tmp_path):
    p = alu("--installroot", root, "download", "--destdir", tmp_path / "out", "nosuchpkg")
    assert p.returncode == 1
    assert "No package nosuchpkg available." in p.stderr


def private_source_repo(root, mirror, tmp_path, change):
    """amzn2-core-source pointed at a copy of the SRPMS repository in which
    change(hello SRPM path) ran; createrepo_c re-indexes it when change says so."""
    repo = tmp_path / "srpms"
    shutil.copytree(mirror.repo(sub="SRPMS"), repo)
    rpm = repo / "Packages" / "hello-2.11-1.amzn2.src.rpm"
    rpm.unlink()
    shutil.copy(srpm(mirror, "hello-2.11-1.amzn2"), rpm)
    if change(rpm):
        subprocess.run(["createrepo_c", "-q", "--update", str(repo)], check=True)
    f = root / "etc/yum.repos.d/amzn2-core.repo"
    text = f.read_text().split("[amzn2-core-source]")
    f.write_text(text[0] + "[amzn2-core-source]\nname=src\nbaseurl=file://%s\ngpgcheck=1\n"
                 "gpgkey=file://%s\nenabled=0\n\n[amzn2-core-debuginfo]\nname=d\nbaseurl=file:///nonexistent\nenabled=0\n"
                 % (repo, mirror.key))


def refused(alu, root, tmp_path, *words):
    out = tmp_path / "out"
    out.mkdir()
    p = alu("--installroot", root, "download", "--source", "--destdir", out, "hello")
    assert p.returncode == 1, p.stdout + p.stderr
    for w in words:
        assert w in p.stderr, p.stderr
    assert os.listdir(out) == []   # nothing under the final name, no temporary left


def test_source_bad_checksum(alu, root, mirror, tmp_path):
    def flip(rpm):
        b = bytearray(rpm.read_bytes())
        b[-100] ^= 0xFF
        rpm.write_bytes(bytes(b))
        return False
    private_source_repo(root, mirror, tmp_path, flip)
    refused(alu, root, tmp_path, "hello-2.11-1.amzn2.src", "sha256")


def test_source_other_key(alu, root, mirror, tmp_path):
    g = tmp_path / "gnupg"
    shutil.copytree(mirror.outdir / "gnupg", g)
    os.chmod(g, 0o700)

    def resign(rpm):
        subprocess.run(["rpmsign", "--delsign", str(rpm)], check=True, capture_output=True)
        subprocess.run(["rpmsign", "--addsign", "--define", "_gpg_name other@alupdate.invalid",
                        "--define", "_gpg_path %s" % g, "--define", "__gpg /usr/bin/gpg",
                        "--define", "_gpg_digest_algo sha256", str(rpm)],
                       check=True, capture_output=True, stdin=subprocess.DEVNULL)
        return True
    private_source_repo(root, mirror, tmp_path, resign)
    refused(alu, root, tmp_path, "hello-2.11-1.amzn2.src.rpm", "not among the keys of repository amzn2-core-source")
    subprocess.run(["gpgconf", "--homedir", str(g), "--kill", "all"], capture_output=True)


def test_source_repo_missing(alu, root, mirror, tmp_path):
    f = root / "etc/yum.repos.d/amzn2-core.repo"
    f.write_text(f.read_text().split("[amzn2-core-source]")[0])
    p = alu("--installroot", root, "download", "--source", "--urls", "hello")
    assert p.returncode == 1
    assert "Source package hello-2.11-1.amzn2 not found (SOURCERPM of hello-2.11-1.amzn2.x86_64)" in p.stderr, p.stderr
