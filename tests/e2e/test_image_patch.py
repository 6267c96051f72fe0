# SPDX-License-Identifier: MIT
"""`alupdate image patch`: an OCI image built with umoci from the sample old
root, patched with no daemon, and checked with umoci, skopeo and rpm (tools
nobody here wrote): the result unpacks, equals what `--installroot update`
makes of a copy of the root, shares the old layers, adds one layer of
exactly the changed paths, and comes out byte-identical twice. Hostile
layouts are refused before anything is written outside the private root."""
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import BUILD, rpm_q, set_mirror_base

# alupdate's scratch (never in a layer) and what holds times of the run
SKIP = ("var/cache/alupdate", "var/lib/alupdate/lock.mdb", "var/lib/alupdate/lock")
TIMED = ("var/lib/alupdate", "var/lib/rpm")

pytestmark = pytest.mark.skipif(not (shutil.which("umoci") and shutil.which("skopeo")),
                                reason="umoci and skopeo are needed (apt-get install umoci skopeo)")


def run(*cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)
    assert p.returncode == 0, " ".join(map(str, cmd)) + "\n" + p.stdout + p.stderr
    return p


def build_image(root, layout, tmp_path):
    """An OCI layout holding ROOT as one layer, as umoci writes it."""
    run("umoci", "init", "--layout", layout)
    run("umoci", "new", "--image", "%s:latest" % layout)
    bundle = tmp_path / "bundle-build"
    run("umoci", "unpack", "--image", "%s:latest" % layout, bundle)
    run("cp", "-a", "%s/." % root, bundle / "rootfs")
    run("umoci", "repack", "--image", "%s:latest" % layout, bundle)
    shutil.rmtree(bundle)


def tree(top):
    """rel path -> (type, perms, uid, gid, content or link target)."""
    out = {}
    for dirpath, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, top)
            if any(rel == s or rel.startswith(s + "/") for s in SKIP):
                continue
            st = os.lstat(p)
            kind = stat.S_IFMT(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                body = os.readlink(p)
            elif stat.S_ISREG(st.st_mode):
                body = "timed" if rel.startswith(TIMED) else hashlib.sha256(Path(p).read_bytes()).hexdigest()
            else:
                body = None
            out[rel] = (kind, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid, body)
    return out


def blob(layout, digest):
    return Path(layout) / "blobs/sha256" / digest.split(":", 1)[1]


def manifest(layout):
    idx = json.loads((Path(layout) / "index.json").read_text())
    return json.loads(blob(layout, idx["manifests"][0]["digest"]).read_text()), idx


@pytest.fixture
def image(tmp_path, sample_root, mirror):
    set_mirror_base(sample_root, mirror.http)
    layout = tmp_path / "src"
    build_image(sample_root, layout, tmp_path)
    return layout


def test_patch_matches_installroot(alu, tmp_path, image, sample_root):
    before = {p.name: p.read_bytes() for p in (image / "blobs/sha256").iterdir()}
    dst = tmp_path / "dst"
    p = alu("image", "patch", "oci:%s:latest" % image, "oci:%s:latest" % dst, "-y", "--json",
            env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(p.stdout)
    assert rep["result"] == "patched" and rep["advisories"], rep
    # the CVEs of the advisories fixed, as the mirror's updateinfo lists them
    assert "CVE-2026-10001" in rep["cves"] and all(c.startswith("CVE-") for c in rep["cves"]), rep
    assert all(x["to"] for x in rep["packages"]), rep
    ups = [x for x in rep["packages"] if x["action"] == "upgrade"]
    assert ups and all(x["from"] for x in ups), rep
    # SRC untouched
    assert {p.name: p.read_bytes() for p in (image / "blobs/sha256").iterdir()} == before

    # skopeo accepts it: one layer more than SRC, the old ones first
    src_inspect = json.loads(run("skopeo", "inspect", "oci:%s:latest" % image).stdout)
    dst_inspect = json.loads(run("skopeo", "inspect", "oci:%s:latest" % dst).stdout)
    assert dst_inspect["Layers"][:-1] == src_inspect["Layers"]
    assert len(dst_inspect["Layers"]) == len(src_inspect["Layers"]) + 1
    # unchanged blobs shared, byte for byte
    m, _ = manifest(dst)
    for layer in m["layers"][:-1]:
        assert blob(dst, layer["digest"]).read_bytes() == before[layer["digest"].split(":")[1]]
    cfg = json.loads(blob(dst, m["config"]["digest"]).read_text())
    assert len(cfg["rootfs"]["diff_ids"]) == len(m["layers"])
    assert "alupdate" in cfg["history"][-1]["created_by"]
    assert all(a in cfg["history"][-1]["created_by"] for a in rep["advisories"])

    # umoci unpacks it, and the tree is what --installroot makes of a copy
    bundle = tmp_path / "bundle-dst"
    run("umoci", "unpack", "--image", "%s:latest" % dst, bundle)
    ref = tmp_path / "ref"
    run("cp", "-a", sample_root, ref)
    q = alu("--installroot", ref, "update", "--security", "-y")
    assert q.returncode == 0, q.stdout + q.stderr
    got, want = tree(bundle / "rootfs"), tree(ref)
    assert sorted(set(got) ^ set(want)) == []
    assert {k for k in got if got[k] != want[k]} == set()
    # alupdate run inside a container of it finds its state and rpm database in agreement
    # (the static build: the ASan one needs the host's libraries)
    shutil.copy(BUILD / "alupdate", bundle / "rootfs/alupdate-t")
    c = run("chroot", bundle / "rootfs", "/alupdate-t", "-C", "list", "installed")
    assert "changed since" not in c.stderr and "greet" in c.stdout, c.stderr
    os.unlink(bundle / "rootfs/alupdate-t")
    new = rpm_q(bundle / "rootfs", "-qa")
    assert sorted(new) == sorted(rpm_q(ref, "-qa"))
    assert sorted(new) != sorted(rpm_q(sample_root, "-qa"))

    # the new layer holds exactly the changed paths
    orig = tree(sample_root)
    changed = set()
    for k, v in got.items():
        o = orig.get(k)
        if o is None or (v[0] != stat.S_IFDIR and o != v) or (v[0] == stat.S_IFDIR and o[:4] != v[:4]):
            changed.add(k)
    for k in orig:
        if k not in got and os.path.dirname(k) in got:
            changed.add(os.path.join(os.path.dirname(k), ".wh." + os.path.basename(k)))
    with tarfile.open(blob(dst, m["layers"][-1]["digest"])) as t:
        names = {n.rstrip("/") for n in t.getnames()}
    # a file whose content is timed was compared as "timed": it changed when the layer has it
    timed = {n for n in names if n.startswith(TIMED)}
    assert names - timed == changed - timed
    assert timed and all(k in got or "/.wh." in k for k in timed)
    assert not any(n == s or n.startswith(s + "/") for n in names for s in SKIP)


def test_patch_reproducible(alu, tmp_path, image):
    digests = []
    for n in ("a", "b"):
        p = alu("image", "patch", "oci:%s" % image, "oci:%s" % (tmp_path / n), "-y")
        assert p.returncode == 0, p.stdout + p.stderr
        assert "Patched" in p.stdout and "->" in p.stdout
        digests.append(manifest(tmp_path / n)[1]["manifests"][0]["digest"])
    assert digests[0] == digests[1]
    a = sorted(x.name for x in (tmp_path / "a/blobs/sha256").iterdir())
    assert a == sorted(x.name for x in (tmp_path / "b/blobs/sha256").iterdir())


def test_patch_nothing_and_assumeno(alu, tmp_path, image):
    # an advisory nobody has: nothing to patch, exit 0, no DST
    p = alu("image", "patch", "oci:%s" % image, "oci:%s" % (tmp_path / "n"), "-y",
            "--advisory", "ALAS-0000-0000")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "nothing to patch" in p.stdout
    assert not (tmp_path / "n").exists()
    p = alu("image", "patch", "oci:%s" % image, "oci:%s" % (tmp_path / "no"), "--assumeno")
    assert p.returncode == 1 and not (tmp_path / "no").exists(), p.stdout + p.stderr


# ---- hostile layouts, written by hand ----

def tar_layer(members):
    """members: (TarInfo kwargs, data or None)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for kw, data in members:
            ti = tarfile.TarInfo(kw.pop("name"))
            for k, v in kw.items():
                setattr(ti, k, v)
            if data is not None:
                ti.size = len(data)
            t.addfile(ti, io.BytesIO(data) if data is not None else None)
    return gzip.compress(buf.getvalue(), mtime=0)


def put(layout, data):
    h = hashlib.sha256(data).hexdigest()
    (layout / "blobs/sha256").mkdir(parents=True, exist_ok=True)
    (layout / "blobs/sha256" / h).write_bytes(data)
    return {"digest": "sha256:" + h, "size": len(data)}


def layout_of(tmp_path, layers, corrupt_manifest=False):
    lay = tmp_path / "hostile"
    lay.mkdir()
    (lay / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    cfg = put(lay, json.dumps({"architecture": "amd64", "os": "linux",
                               "rootfs": {"type": "layers", "diff_ids": []}}).encode())
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
         "layers": [dict(put(lay, l), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
                    for l in layers]}
    md = put(lay, json.dumps(m).encode())
    if corrupt_manifest:
        blob(lay, md["digest"]).write_bytes(json.dumps(dict(m, annotations={"x": "y"})).encode()[:md["size"]])
    (lay / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [
        dict(md, mediaType="application/vnd.oci.image.manifest.v1+json")]}))
    return lay


def refused(alu, tmp_path, lay, words):
    dst = tmp_path / "dst"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    p = alu("image", "patch", "oci:%s" % lay, "oci:%s" % dst, "-y", env={"TMPDIR": str(tmpdir)})
    assert p.returncode == 1, p.stdout + p.stderr
    assert all(w in p.stderr for w in words), p.stderr
    assert not dst.exists() and not (tmp_path / "dst.alupdate-tmp").exists()
    assert list(tmpdir.iterdir()) == []   # the private root is gone too
    return p


REG = {"type": tarfile.REGTYPE, "mode": 0o644}


def test_hostile_dotdot(alu, tmp_path):
    lay = layout_of(tmp_path, [tar_layer([(dict(REG, name="etc/../../escape"), b"x")])])
    refused(alu, tmp_path, lay, ["etc/../../escape", "escapes"])
    assert not (tmp_path / "escape").exists() and not (tmp_path / "tmp/escape").exists()


def test_hostile_absolute_symlink_then_write(alu, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    lay = layout_of(tmp_path, [tar_layer([
        ({"name": "evil", "type": tarfile.SYMTYPE, "linkname": str(outside)}, None),
        (dict(REG, name="evil/pwned"), b"owned")])])
    refused(alu, tmp_path, lay, ["evil/pwned", "symlink"])
    assert list(outside.iterdir()) == []


def test_hostile_whiteout_dotdot(alu, tmp_path):
    lay = layout_of(tmp_path, [tar_layer([(dict(REG, name="etc/.wh..."), b"")])])
    refused(alu, tmp_path, lay, ["whiteout", "etc/.wh..."])


def test_hostile_not_gzip(alu, tmp_path):
    lay = layout_of(tmp_path, [b"this is not a layer at all" * 40])
    refused(alu, tmp_path, lay, ["not a tar layer"])


def test_hostile_manifest_digest(alu, tmp_path):
    lay = layout_of(tmp_path, [tar_layer([(dict(REG, name="a"), b"a")])], corrupt_manifest=True)
    refused(alu, tmp_path, lay, ["digest", "not sha256:"])


def test_patch_oci_archive(alu, tmp_path, image, sample_root):
    # skopeo writes the archive and reads the result back: both ends are its format
    src = tmp_path / "src.tar"
    run("skopeo", "copy", "oci:%s:latest" % image, "oci-archive:%s:latest" % src)
    out = tmp_path / "out.tar"
    p = alu("image", "patch", "oci-archive:%s:latest" % src, "oci-archive:%s:latest" % out, "-y", "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    assert json.loads(p.stdout)["result"] == "patched"
    insp = json.loads(run("skopeo", "inspect", "oci-archive:%s:latest" % out).stdout)
    assert len(insp["Layers"]) == 2
    back = tmp_path / "back"
    run("skopeo", "copy", "oci-archive:%s:latest" % out, "oci:%s:latest" % back)
    run("umoci", "unpack", "--image", "%s:latest" % back, tmp_path / "bundle")
    assert "greet-1.2-1.amzn2.x86_64" in rpm_q(tmp_path / "bundle/rootfs", "-qa")
    assert "greet-1.2-1.amzn2.x86_64" not in rpm_q(sample_root, "-qa")
    # refused into an existing file, which is left alone
    p = alu("image", "patch", "oci-archive:%s:latest" % src, "oci-archive:%s" % out, "-y")
    assert p.returncode == 1 and "already exists" in p.stderr, p.stderr


def test_hostile_hardlink_out(alu, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("host file")
    lay = layout_of(tmp_path, [tar_layer([
        ({"name": "etc/shadow-copy", "type": tarfile.LNKTYPE, "linkname": "../../secret"}, None)])])
    refused(alu, tmp_path, lay, ["../../secret", "escapes"])
    assert secret.stat().st_nlink == 1


def test_hostile_whiteout_through_symlink(alu, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("x")
    lay = layout_of(tmp_path, [tar_layer([
        ({"name": "evil", "type": tarfile.SYMTYPE, "linkname": str(outside)}, None),
        (dict(REG, name="evil/.wh.keep"), b"")])])
    refused(alu, tmp_path, lay, ["evil/.wh.keep", "symlink"])
    assert (outside / "keep").exists()


def test_patch_docker_archive(alu, tmp_path, image, sample_root):
    # what `docker save` writes, here by skopeo; the result is an OCI layout
    src = tmp_path / "saved.tar"
    run("skopeo", "copy", "oci:%s:latest" % image, "docker-archive:%s:alu/base:1" % src)
    dst = tmp_path / "dst"
    p = alu("image", "patch", "docker-archive:%s:alu/base:1" % src, "oci:%s:latest" % dst, "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    run("skopeo", "inspect", "oci:%s:latest" % dst)
    run("umoci", "unpack", "--image", "%s:latest" % dst, tmp_path / "bundle")
    assert "greet-1.2-1.amzn2.x86_64" in rpm_q(tmp_path / "bundle/rootfs", "-qa")
    p = alu("image", "patch", "docker-archive:%s:alu/other:2" % src, "oci:%s" % (tmp_path / "x"), "-y")
    assert p.returncode == 1 and "no image of that name" in p.stderr, p.stderr
    assert not (tmp_path / "x").exists()


def test_hostile_docker_archive_layer_out(alu, tmp_path):
    secret = tmp_path / "secret.tar"
    secret.write_bytes(tar_layer([(dict(REG, name="a"), b"a")]))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = json.dumps([{"Config": "c.json", "RepoTags": ["x:1"], "Layers": ["../secret.tar"]}]).encode()
        ti = tarfile.TarInfo("manifest.json")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
        ti = tarfile.TarInfo("c.json")
        ti.size = 2
        t.addfile(ti, io.BytesIO(b"{}"))
    arch = tmp_path / "evil.tar"
    arch.write_bytes(buf.getvalue())
    dst = tmp_path / "dst"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    p = alu("image", "patch", "docker-archive:%s" % arch, "oci:%s" % dst, "-y", env={"TMPDIR": str(tmpdir)})
    assert p.returncode == 1 and "escapes the archive" in p.stderr, p.stderr
    assert not dst.exists() and list(tmpdir.iterdir()) == [] and secret.exists()
