# SPDX-License-Identifier: MIT
"""Owners, modes, device nodes, hard links and extended attributes
(security.capability, user.*) through `image patch`: a layer that holds them
(written by GNU tar from files made here) is unpacked as umoci unpacks it,
and a package update that changes a hard-linked file writes both names into
the new layer, the second as a hard link to the first."""
import os
import shutil
import stat
import struct
import subprocess
import tarfile

import pytest

import imgkit
from imgkit import run

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("umoci", "rpmbuild", "createrepo_c", "modifyrepo_c")),
    reason="needs umoci, rpmbuild, createrepo_c and modifyrepo_c")

# struct vfs_cap_data, revision 2: cap_net_raw (13) permitted and effective
CAP = struct.pack("<IIIII", 0x02000001, 1 << 13, 0, 0, 0)


def special_layer(tmp_path):
    s = tmp_path / "special"
    (s / "opt/keep").mkdir(parents=True)
    (s / "dev").mkdir()
    os.chmod(s, 0o755)
    os.mknod(s / "dev/mynull", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.chmod(s / "dev/mynull", 0o666)
    (s / "opt/keep/suid").write_text("suid\n")
    os.chown(s / "opt/keep/suid", 1234, 5678)
    os.chmod(s / "opt/keep/suid", 0o4755)
    (s / "opt/keep/capped").write_text("capped\n")
    os.setxattr(s / "opt/keep/capped", "user.note", b"hello")
    os.setxattr(s / "opt/keep/capped", "security.capability", CAP)
    (s / "opt/keep/h1").write_text("linked\n")
    os.link(s / "opt/keep/h1", s / "opt/keep/h2")
    os.chown(s / "opt/keep", 1234, 5678)
    os.chmod(s / "opt/keep", 0o750)
    return imgkit.tar_layer(s)


def attrs(root, rel):
    p = root / rel
    st = os.lstat(p)
    x = {k: os.getxattr(p, k, follow_symlinks=False) for k in os.listxattr(p, follow_symlinks=False)}
    rdev = st.st_rdev if stat.S_ISCHR(st.st_mode) else 0
    return (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, rdev, x)


SPECIAL = ("dev/mynull", "opt/keep", "opt/keep/suid", "opt/keep/capped", "opt/keep/h1")


@pytest.fixture
def image(tmp_path):
    top = tmp_path / "kit"
    old = imgkit.make_repos(top, ["x86_64"])
    base = imgkit.tar_layer(imgkit.make_root(top / "root", old["x86_64"], top))
    src = tmp_path / "src"
    imgkit.layout(src, [imgkit.image(src, "amd64", [base, special_layer(tmp_path)])], nested=False)
    return src


def same_inode(root, a, b):
    return os.stat(root / a).st_ino == os.stat(root / b).st_ino


def test_kept_through_unpack_and_patch(alu, tmp_path, image):
    mine = tmp_path / "mine"
    p = alu("image", "unpack", "oci:%s:latest" % image, mine)
    assert p.returncode == 0, p.stdout + p.stderr
    a = {k: attrs(mine, k) for k in SPECIAL}
    assert a["dev/mynull"][:5] == (stat.S_IFCHR, 0o666, 0, 0, os.makedev(1, 3))
    assert a["opt/keep"][1:4] == (0o750, 1234, 5678)
    assert a["opt/keep/suid"][1:4] == (0o4755, 1234, 5678)
    assert a["opt/keep/capped"][5] == {"user.note": b"hello", "security.capability": CAP}
    assert same_inode(mine, "opt/keep/h1", "opt/keep/h2")
    assert same_inode(mine, "usr/bin/tiny-a", "usr/bin/tiny-b")
    # umoci, which nobody here wrote, makes the same of it
    run("umoci", "unpack", "--image", "%s:latest" % image, tmp_path / "bundle")
    theirs = tmp_path / "bundle/rootfs"
    assert {k: attrs(theirs, k) for k in SPECIAL} == a

    dst = tmp_path / "dst"
    p = alu("image", "patch", "oci:%s:latest" % image, "oci:%s:latest" % dst, "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "tiny-1.0-1.x86_64 -> tiny-1.1-1.x86_64" in p.stdout
    m, _ = manifest(dst)
    with tarfile.open(dst / "blobs/sha256" / m["layers"][-1]["digest"].split(":")[1]) as t:
        ents = {x.name: x for x in t.getmembers()}
    # both names of the changed file, the second a hard link to the first
    assert ents["usr/bin/tiny-a"].isreg() and ents["usr/bin/tiny-a"].size > 0
    assert ents["usr/bin/tiny-b"].islnk() and ents["usr/bin/tiny-b"].linkname == "usr/bin/tiny-a"
    assert not any(n.startswith(("opt", "dev")) for n in ents), sorted(ents)
    # the %caps file of the new version: the capabilities rpm gives it, in the layer
    want = rpm_caps(tmp_path, "1.1")
    got = ents["usr/bin/tiny-ping"].pax_headers.get("SCHILY.xattr.security.capability")
    assert got is not None and got.encode("utf-8", "surrogateescape") == want, ents["usr/bin/tiny-ping"].pax_headers
    out = tmp_path / "out"
    p = alu("image", "unpack", "oci:%s:latest" % dst, out)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (out / "usr/bin/tiny-b").read_text() == "tiny 1.1 for x86_64\n"
    assert same_inode(out, "usr/bin/tiny-a", "usr/bin/tiny-b")
    assert {k: attrs(out, k) for k in SPECIAL} == a
    assert os.getxattr(out / "usr/bin/tiny-ping", "security.capability") == want
    run("umoci", "unpack", "--image", "%s:latest" % dst, tmp_path / "bundle2")
    theirs = tmp_path / "bundle2/rootfs"
    assert same_inode(theirs, "usr/bin/tiny-a", "usr/bin/tiny-b")
    assert {k: attrs(theirs, k) for k in SPECIAL} == a


def rpm_caps(tmp_path, ver):
    """security.capability of tiny-ping as rpm installs it."""
    root = tmp_path / ("rpm-" + ver)
    rpm = tmp_path / ("kit/build/RPMS/x86_64/tiny-%s-1.x86_64.rpm" % ver)
    run("rpm", "--root", root, "--define", "_dbpath /var/lib/rpm", "-i", "--nodeps", rpm)
    return os.getxattr(root / "usr/bin/tiny-ping", "security.capability")


def test_caps_as_rpm_sets_them(alu, tmp_path, image):
    # alupdate's own install of a %caps file, beside rpm's
    root = tmp_path / "kit/root"
    p = alu("--installroot", root, "update", "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert os.getxattr(root / "usr/bin/tiny-ping", "security.capability") == rpm_caps(tmp_path, "1.1")
    if shutil.which("getcap"):
        q = subprocess.run(["getcap", str(root / "usr/bin/tiny-ping")], capture_output=True, text=True)
        assert "cap_net_admin,cap_net_raw=p" in q.stdout, q.stdout + q.stderr


def manifest(lay):
    import json
    idx = json.loads((lay / "index.json").read_text())
    d = idx["manifests"][0]["digest"].split(":")[1]
    return json.loads((lay / "blobs/sha256" / d).read_text()), idx


def test_hostile_cache_symlink_stays_inside(alu, tmp_path, image):
    # an image whose /var/cache/alupdate points at a host directory: alupdate's
    # own cache writes are refused or kept inside, never written through it
    outside = tmp_path / "outside"
    outside.mkdir()
    import io
    import gzip
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name in ("var", "var/cache"):
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            t.addfile(ti)
        ti = tarfile.TarInfo("var/cache/alupdate")
        ti.type, ti.linkname = tarfile.SYMTYPE, str(outside)
        t.addfile(ti)
    src = tmp_path / "evil"
    base = imgkit.tar_layer(tmp_path / "kit/root")
    imgkit.layout(src, [imgkit.image(src, "amd64", [base, gzip.compress(buf.getvalue(), mtime=0)])],
                  nested=False)
    p = alu("image", "patch", "oci:%s:latest" % src, "oci:%s" % (tmp_path / "dst"), "-y")
    assert list(outside.iterdir()) == [], p.stdout + p.stderr
    assert p.returncode == 1 and "symlink" in p.stderr, p.stdout + p.stderr
    assert not (tmp_path / "dst").exists()
