# SPDX-License-Identifier: MIT
"""A scriptlet of an earlier package cannot swap a later package's file in
the package cache (src/txn/pkgfile.c).

Two packages from a file:// repository in one `install -y`: `second`
requires `first`, so first is applied first, and first's %post (run as root
in the root, where /var/cache/alupdate is) rewrites second's downloaded file
in place, or replaces it with a copy (another inode, same bytes). Either way
second is refused before anything of it is written, with a message naming it
and the file; first stays installed.
"""
import os
import shutil
import subprocess

import pytest

from conftest import ALU_BIN

SPEC = """Name: {name}
Version: 1.0
Release: 1
Summary: cache swap test
License: MIT
BuildArch: noarch
AutoReqProv: no
{requires}
%description
Cache swap test.
%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo {name} > %{{buildroot}}/usr/share/{name}/f
{post}
%files
/usr/share/{name}
"""

TAMPER = {
    "overwrite": 'for f in /var/cache/alupdate/*/packages/*second-1.0*.rpm; do echo tampered > "$f"; done',
    "replace": 'for f in /var/cache/alupdate/*/packages/*second-1.0*.rpm; do cp "$f" "$f.x" && mv "$f.x" "$f"; done',
}
SAYS = {"overwrite": "changed after it was checked", "replace": "was replaced after it was checked"}

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="scriptlets need root (chroot)"),
    pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("createrepo_c") or
                       not os.path.exists("/usr/bin/busybox"),
                       reason="needs rpmbuild, createrepo_c and a static busybox"),
]


def build(tmp, name, requires="", post=""):
    d = tmp / name
    d.mkdir()
    (d / "p.spec").write_text(SPEC.format(name=name, requires=requires,
                                          post="%%post\n%s" % post if post else ""))
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                    "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                   check=True, capture_output=True)
    return d / "RPMS/noarch" / ("%s-1.0-1.noarch.rpm" % name)


@pytest.mark.parametrize("how", ["overwrite", "replace"])
def test_scriptlet_swapping_a_later_cached_package_is_refused(tmp_path, how):
    repo = tmp_path / "repo"
    repo.mkdir()
    # the root's busybox is no package: first stands for the /bin/sh its %post needs
    for f in (build(tmp_path, "first", requires="Provides: /bin/sh", post=TAMPER[how]),
              build(tmp_path, "second", requires="Requires: first")):
        shutil.copy(f, repo)
    subprocess.run(["createrepo_c", "--quiet", "--no-database", str(repo)], check=True)
    r = tmp_path / "root"
    for d in ("bin", "tmp", "etc/yum.repos.d"):
        (r / d).mkdir(parents=True)
    shutil.copy("/usr/bin/busybox", r / "bin/busybox")
    for applet in ("sh", "cp", "mv", "echo"):
        os.symlink("busybox", r / "bin" / applet)
    (r / "etc/yum.repos.d/t.repo").write_text(
        "[t]\nname=t\nbaseurl=file://%s\ngpgcheck=0\n" % repo)
    p = subprocess.run([ALU_BIN, "--installroot", str(r), "install", "-y", "second"],
                       capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert p.returncode != 0, out
    assert "second-1.0-1.noarch" in p.stderr and SAYS[how] in p.stderr, out
    assert "second-1.0-1.noarch.rpm" in p.stderr, out   # the file is named
    assert (r / "usr/share/first/f").exists(), out
    assert not (r / "usr/share/second").exists(), out
    q = subprocess.run([ALU_BIN, "--installroot", str(r), "list", "installed"],
                       capture_output=True, text=True, timeout=60)
    assert "first" in q.stdout and "second" not in q.stdout, q.stdout + q.stderr
