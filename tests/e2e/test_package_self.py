# SPDX-License-Identifier: MIT
"""alupdate.spec and ./build.sh install through the tools nobody here wrote:
rpmbuild builds the RPM of alupdate from the built binary, rpm installs it
into an empty root (and verifies it), alupdate installs it into a sample
root, and `./build.sh install` lays out the same files as the package."""
import os
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, BUILD, REPO, rpm_q

LINKS = ["yum-config-manager", "repoquery", "package-cleanup", "reposync"]


@pytest.fixture(scope="module")
def alupdate_rpm(tmp_path_factory):
    if not (BUILD / "static" / "doc" / "alupdate.8").exists() or not os.path.isfile(ALU_BIN):
        pytest.skip("no static build in %s" % BUILD)
    top = tmp_path_factory.mktemp("rpmbuild")
    p = subprocess.run(["rpmbuild", "-bb", str(REPO / "alupdate.spec"), "--define", "_topdir %s" % top,
                        "--define", "alu_src %s" % REPO, "--define", "alu_build %s" % BUILD],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    rpms = list((top / "RPMS").rglob("alupdate-*.rpm"))
    assert len(rpms) == 1, rpms
    return rpms[0]


def rpm(root, *args):
    return subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", *args],
                          capture_output=True, text=True, timeout=60)


def package_files(path):
    p = subprocess.run(["rpm", "-qlp", str(path)], capture_output=True, text=True, check=True)
    return set(p.stdout.split())


def test_rpm_contents(alupdate_rpm):
    files = package_files(alupdate_rpm)
    for f in ["/usr/bin/alupdate", "/usr/share/man/man8/alupdate.8",
              "/usr/share/man/man5/alupdate.yaml.5", "/usr/share/bash-completion/completions/alupdate",
              "/usr/share/zsh/site-functions/_alupdate"] + ["/usr/bin/" + l for l in LINKS]:
        assert f in files, f
    req = subprocess.run(["rpm", "-qp", "--requires", str(alupdate_rpm)], capture_output=True,
                         text=True, check=True).stdout
    assert "libc" not in req   # static: nothing to require


def test_rpm_installs_into_empty_root(alupdate_rpm, tmp_path):
    root = tmp_path / "r"
    root.mkdir()
    assert rpm(root, "--initdb").returncode == 0
    p = rpm(root, "-i", "--nodeps", str(alupdate_rpm))
    assert p.returncode == 0, p.stderr
    assert rpm(root, "-V", "alupdate").returncode == 0
    assert (root / "usr/bin/repoquery").resolve() == (root / "usr/bin/alupdate")
    out = subprocess.run([str(root / "usr/bin/repoquery"), "--help"], capture_output=True,
                         text=True, timeout=30).stdout
    assert out.startswith("usage: alupdate repoquery ")
    v = subprocess.run([str(root / "usr/bin/alupdate"), "--version"], capture_output=True,
                       text=True, timeout=30).stdout
    assert v.startswith("alupdate ")


def test_alupdate_installs_itself(alu, alupdate_rpm, sample_root):
    p = alu("--installroot", sample_root, "--nogpgcheck", "-y", "install", alupdate_rpm)
    assert p.returncode == 0, p.stdout + p.stderr
    assert any(line.startswith("alupdate-") for line in rpm_q(sample_root, "-qa"))
    assert (sample_root / "usr/bin/alupdate").stat().st_size == os.path.getsize(ALU_BIN)
    assert os.readlink(sample_root / "usr/bin/yum-config-manager") == "alupdate"


def test_build_sh_install_matches_the_rpm(alupdate_rpm, tmp_path):
    d = tmp_path / "dest"
    p = subprocess.run(["bash", str(REPO / "build.sh"), "install", "/usr", str(d)],
                       capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, ALU_BUILD=str(BUILD)))
    assert p.returncode == 0, p.stderr
    laid = {"/" + str(f.relative_to(d)) for f in d.rglob("*") if f.is_file() or f.is_symlink()}
    assert laid == package_files(alupdate_rpm)
    p = subprocess.run(["bash", str(REPO / "build.sh"), "install"], capture_output=True, text=True)
    assert p.returncode == 2 and "usage" in p.stderr
