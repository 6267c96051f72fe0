# SPDX-License-Identifier: MIT
"""The architecture of the binary and of the root, through both binaries:
the x86_64 one (build/alupdate) and the aarch64 one (build/arm64/alupdate,
run by qemu-aarch64-static; skipped when it is not built).

Roots are made with Debian's rpm (--ignorearch for a foreign one) from
packages rpmbuild --target builds here; each root's repository is
file:///.../$basearch, so the directory alupdate reads says which
architecture it acts as. A binary refuses a root of the other architecture
(its installed packages', or /etc/rpm/platform's) naming both and
--forcearch; with --forcearch it updates it from the forced $basearch.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, BUILD, rpm_q

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("createrepo_c"),
                                reason="needs rpmbuild and createrepo_c")

QEMU = shutil.which("qemu-aarch64-static")
# the run of the aarch64 binary (./build.sh test-arm64) has ALU_BUILD=build/arm64
TOP = BUILD.parent if BUILD.name == "arm64" else BUILD
BINS = {"x86_64": [str(TOP / "alupdate")], "aarch64": [QEMU or "qemu-aarch64-static",
                                                      str(TOP / "arm64" / "alupdate")]}
OTHER = {"x86_64": "aarch64", "aarch64": "x86_64"}

SPEC = """%global debug_package %{{nil}}
Name: archpkg
Version: {version}
Release: 1
Summary: architecture test package
License: MIT
%description
Architecture test.
%install
mkdir -p %{{buildroot}}/usr/share/archtest
echo {version} > %{{buildroot}}/usr/share/archtest/archpkg
%files
/usr/share/archtest/archpkg
"""


def binary(arch):
    cmd = BINS[arch]
    if not os.access(cmd[-1], os.X_OK) or (arch == "aarch64" and not QEMU):
        pytest.skip("no %s binary at %s (or no qemu-aarch64-static)" % (arch, cmd[-1]))
    return cmd


def run(arch, *args):
    return subprocess.run(binary(arch) + [str(a) for a in args], capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def pkgs(tmp_path_factory):
    """archpkg 1.0 and 1.1 for both architectures; a repository of 1.1 per $basearch."""
    tmp = tmp_path_factory.mktemp("arch")
    out = {}
    for version in ("1.0", "1.1"):
        d = tmp / version
        d.mkdir()
        (d / "p.spec").write_text(SPEC.format(version=version))
        for arch in ("x86_64", "aarch64"):
            subprocess.run(["rpmbuild", "--quiet", "-bb", "--target", arch, "--define", "_topdir %s" % d,
                            "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                           check=True, capture_output=True)
            out[version, arch] = d / "RPMS" / arch / ("archpkg-%s-1.%s.rpm" % (version, arch))
    for arch in ("x86_64", "aarch64"):
        r = tmp / "repo" / arch
        r.mkdir(parents=True)
        shutil.copy(out["1.1", arch], r)
        subprocess.run(["createrepo_c", "--quiet", str(r)], check=True)
    out["repo"] = tmp / "repo"
    return out


def make_root(path, pkgs, arch):
    """A root with archpkg-1.0.ARCH installed and a repository at .../$basearch."""
    rpm = ["rpm", "--root", str(path), "--define", "_dbpath /var/lib/rpm"]
    path.mkdir()
    subprocess.run(rpm + ["--initdb"], check=True)
    subprocess.run(rpm + ["-i", "--ignorearch", "--nodeps", "--noscripts", str(pkgs["1.0", arch])],
                   check=True, capture_output=True)
    (path / "etc/yum.repos.d").mkdir(parents=True)
    (path / "etc/yum.conf").write_text("[main]\ngpgcheck=0\ncachedir=/var/cache/yum\n")
    (path / "etc/yum.repos.d/t.repo").write_text(
        "[t]\nname=t\nbaseurl=file://%s/$basearch\ngpgcheck=0\n" % pkgs["repo"])
    return path


def installed(root):
    return [l for l in rpm_q(root, "-qa", "--qf", "%{NAME}-%{VERSION}.%{ARCH}\n") if l]


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_version_names_the_architecture(arch):
    p = run(arch, "--version")
    assert p.returncode == 0, p.stderr
    line = [l for l in p.stdout.splitlines() if "architecture:" in l]
    assert line and line[0].split()[1] == arch, p.stdout
    # sha256 on the CPU's instructions (qemu emulates ARMv8's) or BearSSL
    assert "sha256 on " in line[0], line
    p = run(arch, "--forcearch", OTHER[arch], "--version")
    assert "acting as " + OTHER[arch] in p.stdout, p.stdout


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_root_of_the_other_architecture_is_refused(arch, pkgs, tmp_path):
    other = OTHER[arch]
    root = make_root(tmp_path / "r", pkgs, other)
    p = run(arch, "--installroot", root, "-y", "update")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "is an %s root (1 of its 1 installed packages)" % other in p.stderr, p.stderr
    assert "runs as %s" % arch in p.stderr and "--forcearch %s" % other in p.stderr, p.stderr
    assert installed(root) == ["archpkg-1.0.%s" % other]
    # forced: $basearch is the root's, so the update comes from its directory
    p = run(arch, "--installroot", root, "--forcearch", other, "-y", "update")
    assert p.returncode == 0, p.stdout + p.stderr
    assert installed(root) == ["archpkg-1.1.%s" % other]


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_root_of_its_own_architecture_updates(arch, pkgs, tmp_path):
    root = make_root(tmp_path / "r", pkgs, arch)
    p = run(arch, "--installroot", root, "-y", "update")
    assert p.returncode == 0, p.stdout + p.stderr
    assert installed(root) == ["archpkg-1.1.%s" % arch]


def test_etc_rpm_platform_decides(pkgs, tmp_path):
    """rpm's own override names the root's architecture before its packages do."""
    root = make_root(tmp_path / "r", pkgs, "x86_64")
    (root / "etc/rpm").mkdir()
    (root / "etc/rpm/platform").write_text("aarch64-amazon-linux\n")
    p = run("x86_64", "--installroot", root, "-y", "update")
    assert p.returncode == 1 and "is an aarch64 root (/etc/rpm/platform)" in p.stderr, p.stderr
    assert installed(root) == ["archpkg-1.0.x86_64"]


def test_forcearch_unknown_architecture(tmp_path):
    p = run("x86_64", "--forcearch", "vax", "--version")
    assert p.returncode == 1 and "'--forcearch': bad value 'vax'" in p.stderr, p.stderr


@pytest.mark.parametrize("cmd", [["check-update"], ["list", "updates"], ["updateinfo", "list"]])
def test_queries_of_a_foreign_root_are_refused(cmd, pkgs, tmp_path):
    """What updates an aarch64 root has is aarch64's question: the x86_64 binary
    would answer from x86_64's directory, so it refuses, as it does for update."""
    root = make_root(tmp_path / "r", pkgs, "aarch64")
    p = run("x86_64", "--installroot", root, *cmd)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "is an aarch64 root" in p.stderr and "--forcearch aarch64" in p.stderr, p.stderr
    p = run("x86_64", "--installroot", root, "--forcearch", "aarch64", "check-update")
    assert p.returncode == 100 and "archpkg.aarch64" in p.stdout, p.stdout + p.stderr
    # the installed list needs no repository and stays readable
    p = run("x86_64", "--installroot", root, "list", "installed")
    assert p.returncode == 0 and "archpkg.aarch64" in p.stdout, p.stdout + p.stderr
