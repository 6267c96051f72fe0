# SPDX-License-Identifier: MIT
"""alupdate's RPM (alupdate.spec, built here with rpmbuild) updates like any
package, and alupdate never removes itself: not by remove, swap, an
obsoleting package, a conflicting one or autoremove; nor a package of
another name that owns the running binary (a repackaged alupdate run from
the root). protected_packages (--setopt) protects other names the same way.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, BUILD, REPO, rpm_q

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("createrepo_c"),
                                reason="needs rpmbuild and createrepo_c")

ARCH = "aarch64" if BUILD.name == "arm64" else "x86_64"
# the aarch64 run (./build.sh test-arm64): ALU_BIN is a wrapper that runs
# ALU_REAL_BIN under ALU_QEMU; the package of mytool holds the real binary
REAL_BIN = os.environ.get("ALU_REAL_BIN") or ALU_BIN
RUNNER = [os.environ["ALU_QEMU"]] if os.environ.get("ALU_QEMU") else []

SPEC = """%global debug_package %{{nil}}
%global __os_install_post %{{nil}}
Name: {name}
Version: 1.0
Release: 1
Summary: alupdate self-protection test package
License: MIT
AutoReqProv: no
{deps}
%description
Self-protection test.
%install
mkdir -p %{{buildroot}}/usr/share/selftest
echo {name} > %{{buildroot}}/usr/share/selftest/{name}
{install}
%files
/usr/share/selftest/{name}
{files}
"""

PKGS = {
    # name: (dependency lines, extra %install, extra %files)
    "alupdate-ng": ("Obsoletes: alupdate\nProvides: alupdate = 9", "", ""),
    "clashy": ("Conflicts: alupdate", "", ""),
    "needs-alu": ("Requires: alupdate", "", ""),
    # a repackaged alupdate: its binary under another name
    "mytool": ("", "install -D -m 0755 %s %%{buildroot}/usr/bin/mytool" % REAL_BIN, "/usr/bin/mytool"),
}


def rpmbuild(top, spec, *defs):
    args = ["rpmbuild", "--quiet", "-bb", "--target", ARCH, "--define", "_topdir %s" % top,
            "--define", "_tmppath %s/tmp" % top]
    for d in defs:
        args += ["--define", d]
    p = subprocess.run(args + [str(spec)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]


@pytest.fixture(scope="module")
def rpms(tmp_path_factory):
    if not (BUILD / "static" / "doc" / "alupdate.8").exists():
        pytest.skip("no static build in %s" % BUILD)
    top = tmp_path_factory.mktemp("self")
    out = {}
    for rel in ("1", "2"):
        rpmbuild(top / ("alu" + rel), REPO / "alupdate.spec", "alu_src %s" % REPO,
                 "alu_build %s" % BUILD, "alu_release %s" % rel, "alu_arch %s" % ARCH)
        out["alupdate", rel] = next((top / ("alu" + rel) / "RPMS").rglob("alupdate-*.rpm"))
    for name, (deps, install, files) in PKGS.items():
        d = top / name
        d.mkdir()
        (d / "p.spec").write_text(SPEC.format(name=name, deps=deps, install=install, files=files))
        rpmbuild(d, d / "p.spec")
        out[name] = next((d / "RPMS").rglob("%s-1.0-1.*.rpm" % name))
    return out


def repo(root, tmp_path, *files):
    """A repository of FILES in ROOT's configuration (gpgcheck off)."""
    d = tmp_path / "selfrepo"
    d.mkdir()
    for f in files:
        shutil.copy(f, d)
    subprocess.run(["createrepo_c", "--quiet", str(d)], check=True)
    (root / "etc/yum.repos.d/self.repo").write_text(
        "[self]\nname=self\nbaseurl=file://%s\ngpgcheck=0\n" % d)


def alupdate_nvr(root):
    return [l for l in rpm_q(root, "-q", "--qf", "%{NAME}-%{RELEASE}\n", "alupdate") if l]


@pytest.fixture
def root_with_alupdate(alu, rpms, sample_root):
    p = alu("--installroot", sample_root, "--nogpgcheck", "-y", "install", rpms["alupdate", "1"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert alupdate_nvr(sample_root) == ["alupdate-1"]
    return sample_root


def test_update_alupdate_to_a_newer_release(alu, rpms, root_with_alupdate, tmp_path):
    root = root_with_alupdate
    repo(root, tmp_path, rpms["alupdate", "2"])
    p = alu("--installroot", root, "-y", "update", "alupdate")
    assert p.returncode == 0, p.stdout + p.stderr
    assert alupdate_nvr(root) == ["alupdate-2"]
    v = subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", "-V",
                        "alupdate"], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr


def refused(p, root):
    assert p.returncode == 1, p.stdout + p.stderr
    assert "alupdate never removes itself" in p.stderr, p.stderr
    assert alupdate_nvr(root) == ["alupdate-1"]


def test_remove_and_swap_refused(alu, rpms, root_with_alupdate, tmp_path):
    root = root_with_alupdate
    p = alu("--installroot", root, "-y", "remove", "alupdate")
    refused(p, root)
    assert "would remove alupdate-0.1.0-1.%s, alupdate's own package" % ARCH in p.stderr, p.stderr
    repo(root, tmp_path, rpms["clashy"])
    refused(alu("--installroot", root, "-y", "swap", "alupdate", "clashy"), root)
    assert not rpm_q(root, "-q", "clashy")[0].startswith("clashy-1.0")


def test_obsoleting_package_refused(alu, rpms, root_with_alupdate, tmp_path):
    root = root_with_alupdate
    repo(root, tmp_path, rpms["alupdate-ng"])
    for args in (["update"], ["install", "alupdate-ng"]):
        p = alu("--installroot", root, "-y", *args)
        refused(p, root)
        assert "would replace alupdate-0.1.0-1.%s, alupdate's own package, by alupdate-ng-1.0-1.%s" \
            % (ARCH, ARCH) in p.stderr, p.stderr


def test_conflicting_package_refused(alu, rpms, root_with_alupdate, tmp_path):
    root = root_with_alupdate
    repo(root, tmp_path, rpms["clashy"])
    p = alu("--installroot", root, "-y", "install", "clashy")
    assert p.returncode == 1 and "conflicts with alupdate" in p.stderr, p.stdout + p.stderr
    assert alupdate_nvr(root) == ["alupdate-1"]


def test_autoremove_refused(alu, rpms, sample_root, tmp_path):
    """alupdate pulled in as a dependency, then nothing needs it: autoremove
    would take it, and refuses."""
    root = sample_root
    repo(root, tmp_path, rpms["alupdate", "1"], rpms["needs-alu"])
    p = alu("--installroot", root, "-y", "install", "needs-alu")
    assert p.returncode == 0 and alupdate_nvr(root) == ["alupdate-1"], p.stdout + p.stderr
    p = alu("--installroot", root, "--setopt=clean_requirements_on_remove=0", "-y", "remove",
            "needs-alu")
    assert p.returncode == 0, p.stdout + p.stderr
    refused(alu("--installroot", root, "-y", "autoremove"), root)


def test_owner_of_the_running_binary_is_protected(alu, rpms, sample_root):
    """mytool is alupdate under another name: run from the root, it will not
    remove the package that owns it (by path, not by name)."""
    root = sample_root
    p = alu("--installroot", root, "--nogpgcheck", "-y", "install", rpms["mytool"])
    assert p.returncode == 0, p.stdout + p.stderr
    mine = subprocess.run(RUNNER + [str(root / "usr/bin/mytool"), "--installroot", str(root), "-y",
                                    "remove", "mytool"], capture_output=True, text=True, timeout=300)
    assert mine.returncode == 1, mine.stdout + mine.stderr
    assert "would remove mytool-1.0-1.%s, alupdate's own package" % ARCH in mine.stderr, mine.stderr
    # the build's binary is not mytool: it removes it as any package
    p = alu("--installroot", root, "-y", "remove", "mytool")
    assert p.returncode == 0, p.stdout + p.stderr
    assert not (root / "usr/bin/mytool").exists()


def test_protected_packages_setopt(alu, sample_root):
    p = alu("--installroot", sample_root, "--setopt=protected_packages=greet", "-y", "remove", "greet")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "would remove the protected package greet-1.0-1.amzn2.%s (protected_packages)" % ARCH \
        in p.stderr, p.stderr
    assert rpm_q(sample_root, "-q", "greet")[0].startswith("greet-1.0")
