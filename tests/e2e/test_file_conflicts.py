# SPDX-License-Identifier: MIT
"""File conflicts at plan time, with rpm as the oracle.

Packages built here ship /usr/share/common/clash in different ways (other
content, the same content, another mode, a symlink, %ghost, a directory
with another mode). For each pair (installed, new), rpm's verdict
(`rpm -i` of the first, `rpm -i --test` of the second, in a root of its own)
must be alupdate's: refused with both packages and the path named, in
rpm's words, and the root untouched; or installed. Also: two conflicting
packages in one transaction, an upgrade that changes the file (not a
conflict: the old version goes), and --replacefiles.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("rpm"),
                                reason="needs rpmbuild and rpm")

SPEC = """Name: {name}
Version: {version}
Release: 1
Summary: file conflict test {name}
License: MIT
BuildArch: noarch
%description
File conflict test.
%install
mkdir -p %{{buildroot}}/usr/share/common
echo same > %{{buildroot}}/usr/share/common/same
echo {name} > %{{buildroot}}/usr/share/common/{name}-only
{clash}
%files
{dir}
/usr/share/common/same
/usr/share/common/{name}-only
{clashfile}
"""

CLASH = "%{buildroot}/usr/share/common/clash"
PKGS = {
    # name: (version, how clash is made, its %files line, the %dir line)
    "ca": ("1.0", "echo ca > " + CLASH, "/usr/share/common/clash", "%dir /usr/share/common"),
    "ca2": ("2.0", "echo ca2 > " + CLASH, "/usr/share/common/clash", "%dir /usr/share/common"),
    "cb": ("1.0", "echo cb > " + CLASH, "/usr/share/common/clash", "%dir /usr/share/common"),
    "csame": ("1.0", "echo ca > " + CLASH, "/usr/share/common/clash", "%dir /usr/share/common"),
    "cmode": ("1.0", "echo ca > %s; chmod 600 %s" % (CLASH, CLASH), "/usr/share/common/clash",
              "%dir /usr/share/common"),
    "clink": ("1.0", "ln -s same " + CLASH, "/usr/share/common/clash", "%dir /usr/share/common"),
    "cghost": ("1.0", "", "%ghost /usr/share/common/clash", "%dir /usr/share/common"),
    "cdir": ("1.0", "", "", "%dir %attr(0700, root, root) /usr/share/common"),
}


@pytest.fixture(scope="module")
def rpms(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("conflicts")
    out = {}
    for key, (version, clash, clashfile, dirline) in PKGS.items():
        name = "ca" if key == "ca2" else key
        d = tmp / key
        d.mkdir()
        (d / "p.spec").write_text(SPEC.format(name=name, version=version, clash=clash,
                                              clashfile=clashfile, dir=dirline))
        subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                        "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                       check=True, capture_output=True)
        out[key] = d / "RPMS/noarch" / ("%s-%s-1.noarch.rpm" % (name, version))
    return out


def alu(root, *args):
    return subprocess.run([ALU_BIN, "--installroot", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def rpm(root, *args):
    return subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm",
                           "--nodeps", "--noscripts", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def tree(root):
    out = {}
    for p in sorted(Path(root).rglob("*")):
        rel = str(p.relative_to(root))
        if rel.startswith(("var/lib/alupdate", "var/lib/rpm")):
            continue
        st = os.lstat(p)
        data = os.readlink(p) if p.is_symlink() else (p.read_bytes() if p.is_file() else None)
        out[rel] = (st.st_mode, st.st_mtime_ns, data)
    return out


@pytest.mark.parametrize("new", ["cb", "csame", "cmode", "clink", "cghost", "cdir"])
def test_installed_vs_new_like_rpm(tmp_path, rpms, new):
    a, b = tmp_path / "alu", tmp_path / "rpm"
    a.mkdir()
    b.mkdir()
    p = alu(a, "install", "-y", "--noscripts", rpms["ca"])
    assert p.returncode == 0, p.stderr
    p = rpm(b, "-i", rpms["ca"])
    assert p.returncode == 0, p.stderr
    want = rpm(b, "-i", "--test", rpms[new])
    before = tree(a)
    got = alu(a, "install", "-y", "--noscripts", rpms[new])
    if want.returncode:
        line = "file /usr/share/common%s from install of %s-1.0-1.noarch conflicts with file " \
               "from package ca-1.0-1.noarch" % ("" if new == "cdir" else "/clash", new)
        assert line in want.stderr, want.stderr     # rpm's own words
        assert got.returncode == 1, (got.stdout, got.stderr)
        assert line in got.stderr, got.stderr
        assert tree(a) == before                    # nothing written
    else:
        assert got.returncode == 0, got.stderr
        assert "conflict" not in got.stderr


def test_same_transaction_conflict(tmp_path, rpms):
    r = tmp_path / "r"
    r.mkdir()
    p = alu(r, "install", "-y", "--noscripts", rpms["ca"], rpms["cb"])
    assert p.returncode == 1, (p.stdout, p.stderr)
    line = "file /usr/share/common/clash conflicts between attempted installs of " \
           "ca-1.0-1.noarch and cb-1.0-1.noarch"
    assert line in p.stderr, p.stderr
    assert line in rpm(tmp_path / "rpmroot", "-i", "--test", rpms["ca"], rpms["cb"]).stderr
    assert not (r / "usr/share/common").exists()


def test_shared_identical_file_outlives_one_owner(tmp_path, rpms):
    r = tmp_path / "r"
    r.mkdir()
    p = alu(r, "install", "-y", "--noscripts", rpms["ca"], rpms["csame"])
    assert p.returncode == 0, p.stderr
    p = alu(r, "remove", "-y", "--noscripts", "ca")
    assert p.returncode == 0, p.stderr
    assert (r / "usr/share/common/clash").read_text() == "ca\n"
    assert not (r / "usr/share/common/ca-only").exists()


def test_upgrade_is_not_a_conflict(tmp_path, rpms):
    r = tmp_path / "r"
    r.mkdir()
    assert alu(r, "install", "-y", "--noscripts", rpms["ca"]).returncode == 0
    p = alu(r, "install", "-y", "--noscripts", rpms["ca2"])
    assert p.returncode == 0, p.stderr
    assert (r / "usr/share/common/clash").read_text() == "ca2\n"


def test_replacefiles(tmp_path, rpms):
    r = tmp_path / "r"
    r.mkdir()
    assert alu(r, "install", "-y", "--noscripts", rpms["ca"]).returncode == 0
    p = alu(r, "install", "-y", "--noscripts", rpms["cb"])
    assert p.returncode == 1 and "--replacefiles" in p.stderr, p.stderr
    p = alu(r, "install", "-y", "--noscripts", "--replacefiles", rpms["cb"])
    assert p.returncode == 0, p.stderr
    assert (r / "usr/share/common/clash").read_text() == "cb\n"
    # the file still has an owner after the first one goes
    assert alu(r, "remove", "-y", "--noscripts", "ca").returncode == 0
    assert (r / "usr/share/common/clash").read_text() == "cb\n"
