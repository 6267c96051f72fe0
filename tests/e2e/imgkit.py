# SPDX-License-Identifier: MIT
"""Small images for the image tests, made here with rpmbuild, createrepo_c,
modifyrepo_c, Debian's rpm and GNU tar (tools nobody here wrote): a package
`tiny` for any architecture (two hard-linked files whose content names the
version and the target cpu) and one with file capabilities (%caps), a repository per architecture with a security
advisory and its CVE, a root with tiny installed, and OCI layouts of one or
several platforms written by hand (layers are GNU tar's, xattrs included)."""
import gzip
import hashlib
import json
import subprocess
from pathlib import Path

SPEC = """Name: tiny
Version: %{ver}
Release: 1
Summary: two names of one file
License: MIT
%description
tiny
%install
mkdir -p %{buildroot}/usr/bin
echo "tiny %{version} for %{_target_cpu}" > %{buildroot}/usr/bin/tiny-a
ln %{buildroot}/usr/bin/tiny-a %{buildroot}/usr/bin/tiny-b
echo "ping %{version}" > %{buildroot}/usr/bin/tiny-ping
%files
/usr/bin/tiny-a
/usr/bin/tiny-b
%caps(cap_net_raw,cap_net_admin+p) /usr/bin/tiny-ping
"""

ADVISORY = "ALAS2-2026-9001"
CVE = "CVE-2026-99001"

UPDATEINFO = """<?xml version="1.0" encoding="UTF-8"?>
<updates><update from="tests@example.com" status="final" type="security" version="2.0">
<id>%(adv)s</id><title>tiny</title><issued date="2026-11-01 00:00"/>
<updated date="2026-11-01 00:00"/><severity>important</severity><description>tiny</description>
<references><reference href="https://example.com/%(cve)s" id="%(cve)s" type="cve" title="%(cve)s"/></references>
<pkglist><collection short="amzn2-core"><name>Amazon Linux 2</name>
<package arch="%(arch)s" epoch="0" name="tiny" release="1" version="1.1">
<filename>tiny-1.1-1.%(arch)s.rpm</filename></package></collection></pkglist>
</update></updates>
"""


def run(*cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300, **kw)
    assert p.returncode == 0, " ".join(map(str, cmd)) + "\n" + p.stdout + p.stderr
    return p


def build_tiny(top, arch, ver):
    top = Path(top)
    top.mkdir(parents=True, exist_ok=True)
    (top / "tiny.spec").write_text(SPEC)
    run("rpmbuild", "--quiet", "-bb", "--target", arch, "--define", "_topdir %s" % top,
        "--define", "_tmppath %s/tmp" % top, "--define", "ver %s" % ver, top / "tiny.spec")
    return top / "RPMS" / arch / ("tiny-%s-1.%s.rpm" % (ver, arch))


def make_repos(top, arches):
    """top/repo/<arch>/ with tiny 1.0 and 1.1 and the advisory; -> {arch: 1.0 rpm}"""
    old = {}
    for arch in arches:
        old[arch] = build_tiny(top / "build", arch, "1.0")
        new = build_tiny(top / "build", arch, "1.1")
        repo = top / "repo" / arch
        repo.mkdir(parents=True)
        run("cp", old[arch], new, repo)
        run("createrepo_c", "-q", repo)
        ui = top / ("updateinfo-%s.xml" % arch)
        ui.write_text(UPDATEINFO % {"adv": ADVISORY, "cve": CVE, "arch": arch})
        run("modifyrepo_c", "--mdtype", "updateinfo", ui, repo / "repodata")
    return old


def make_root(root, rpm_file, repo_top):
    """A root with tiny 1.0 installed by rpm and one repository, $basearch in its URL."""
    root = Path(root)
    (root / "etc/yum.repos.d").mkdir(parents=True)
    (root / "etc/yum.conf").write_text("[main]\ngpgcheck=0\n")
    (root / "etc/yum.repos.d/tiny.repo").write_text(
        "[tiny]\nname=tiny\nbaseurl=file://%s/repo/$basearch/\ngpgcheck=0\n" % repo_top)
    run("rpm", "--root", root, "--define", "_dbpath /var/lib/rpm", "-i", "--ignorearch",
        "--nodeps", rpm_file)
    return root


def tar_layer(root):
    """ROOT as a gzip layer, as GNU tar writes it (owners numeric, xattrs kept)."""
    p = subprocess.run(["tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "--sort=name",
                        "-C", str(root), "-cf", "-", "."], capture_output=True, check=True)
    return gzip.compress(p.stdout, mtime=0)


def put(lay, data):
    h = hashlib.sha256(data).hexdigest()
    (lay / "blobs/sha256").mkdir(parents=True, exist_ok=True)
    (lay / "blobs/sha256" / h).write_bytes(data)
    return {"digest": "sha256:" + h, "size": len(data)}


def image(lay, arch, layers, variant=None):
    """One image in layout LAY -> its manifest descriptor (with platform)."""
    cfg = {"architecture": arch, "os": "linux", "created": "2026-11-01T00:00:00Z",
           "rootfs": {"type": "layers",
                      "diff_ids": ["sha256:" + hashlib.sha256(gzip.decompress(l)).hexdigest()
                                   for l in layers]},
           "history": [{"created_by": "imgkit"} for _ in layers]}
    if variant:
        cfg["variant"] = variant
    c = put(lay, json.dumps(cfg).encode())
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": dict(c, mediaType="application/vnd.oci.image.config.v1+json"),
         "layers": [dict(put(lay, l), mediaType="application/vnd.oci.image.layer.v1.tar+gzip")
                    for l in layers]}
    plat = {"architecture": arch, "os": "linux"}
    if variant:
        plat["variant"] = variant
    return dict(put(lay, json.dumps(m).encode()), platform=plat,
                mediaType="application/vnd.oci.image.manifest.v1+json")


def layout(lay, descs, ref="latest", nested=True):
    """index.json naming a platform index of DESCS (nested), or listing them itself."""
    lay = Path(lay)
    (lay / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    ann = {"org.opencontainers.image.ref.name": ref}
    if nested:
        idx = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
               "manifests": descs}
        top = [dict(put(lay, json.dumps(idx).encode()), annotations=ann,
                    mediaType="application/vnd.oci.image.index.v1+json")]
    else:
        top = [dict(d, annotations=ann) for d in descs]
    (lay / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": top}))
    return lay
