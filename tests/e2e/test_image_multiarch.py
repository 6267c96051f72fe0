# SPDX-License-Identifier: MIT
"""`image patch` on a multi-arch image: an index of linux/amd64, linux/arm64/v8
and linux/ppc64le, built here from a tiny package made for x86_64 and for
aarch64 (rpmbuild --target) in a repository per architecture whose URL holds
$basearch. Each platform Amazon Linux 2 serves is patched with the packages
of its own architecture (amd64 -> x86_64, arm64 -> aarch64, read from the
image config, not from the host), the rest kept as it is with a message;
skopeo and umoci read the result."""
import json
import os
import shutil

import pytest

import imgkit
from conftest import rpm_q
from imgkit import run

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("umoci", "skopeo", "rpmbuild", "createrepo_c", "modifyrepo_c")),
    reason="needs umoci, skopeo, rpmbuild, createrepo_c and modifyrepo_c")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    top = tmp_path_factory.mktemp("kit")
    old = imgkit.make_repos(top, ["x86_64", "aarch64"])
    layers = {a: imgkit.tar_layer(imgkit.make_root(top / ("root-" + a), old[a], top)) for a in old}
    return top, layers


def three(lay, layers, nested=True):
    descs = [imgkit.image(lay, "amd64", [layers["x86_64"]]),
             imgkit.image(lay, "arm64", [layers["aarch64"]], variant="v8"),
             imgkit.image(lay, "ppc64le", [layers["x86_64"]])]
    imgkit.layout(lay, descs, nested=nested)
    return descs


def platform_root(tmp_path, dst, arch, variant=None):
    """skopeo picks one platform of the index, umoci unpacks it."""
    one = tmp_path / ("one-" + arch)
    extra = ["--override-variant", variant] if variant else []
    run("skopeo", "copy", "--override-arch", arch, *extra, "oci:%s:latest" % dst, "oci:%s:x" % one)
    run("umoci", "unpack", "--image", "%s:x" % one, tmp_path / ("b-" + arch))
    return one, tmp_path / ("b-" + arch) / "rootfs"


def test_index_patches_each_served_platform(alu, tmp_path, kit):
    top, layers = kit
    src, dst = tmp_path / "src", tmp_path / "dst"
    descs = three(src, layers)
    before = sorted(os.listdir(src / "blobs/sha256"))
    p = alu("image", "patch", "oci:%s:latest" % src, "oci:%s:latest" % dst, "-y", "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(p.stdout)
    assert rep["result"] == "patched", rep
    plats = {x["platform"]: x for x in rep["platforms"]}
    assert sorted(plats) == ["linux/amd64", "linux/arm64/v8", "linux/ppc64le"]
    for plat, arch in (("linux/amd64", "x86_64"), ("linux/arm64/v8", "aarch64")):
        x = plats[plat]
        assert x["result"] == "patched", x
        assert x["advisories"] == [imgkit.ADVISORY] and x["cves"] == [imgkit.CVE], x
        assert x["packages"] == [{"action": "upgrade", "from": "tiny-1.0-1.%s" % arch,
                                  "to": "tiny-1.1-1.%s" % arch}], x
    assert plats["linux/ppc64le"]["result"] == "skipped"
    assert "linux/ppc64le" in p.stderr and "kept as it is" in p.stderr, p.stderr
    assert sorted(os.listdir(src / "blobs/sha256")) == before

    # skopeo reads the index: same platforms in the same order, ppc64le's manifest as it was
    raw = json.loads(run("skopeo", "inspect", "--raw", "oci:%s:latest" % dst).stdout)
    assert [m["platform"] for m in raw["manifests"]] == [d["platform"] for d in descs]
    assert raw["manifests"][2]["digest"] == descs[2]["digest"]
    assert raw["manifests"][0]["digest"] != descs[0]["digest"]
    assert raw["manifests"][1]["digest"] != descs[1]["digest"]
    for arch, variant, base in (("amd64", None, "x86_64"), ("arm64", "v8", "aarch64")):
        _, rootfs = platform_root(tmp_path, dst, arch, variant)
        # $basearch was the image's: the aarch64 image got the aarch64 build on this x86_64 host
        assert (rootfs / "usr/bin/tiny-a").read_text() == "tiny 1.1 for %s\n" % base
        assert os.stat(rootfs / "usr/bin/tiny-a").st_ino == os.stat(rootfs / "usr/bin/tiny-b").st_ino
        assert rpm_q(rootfs, "-qa") == ["tiny-1.1-1.%s" % base]
        insp = json.loads(run("skopeo", "inspect", "oci:%s:x" % (tmp_path / ("one-" + arch))).stdout)
        assert insp["Architecture"] == arch and len(insp["Layers"]) == 2
    # the platform left alone unpacks to the old package
    _, rootfs = platform_root(tmp_path, dst, "ppc64le")
    assert rpm_q(rootfs, "-qa") == ["tiny-1.0-1.x86_64"]
    # skopeo copies the whole index (every platform's blobs are there)
    run("skopeo", "copy", "--all", "oci:%s:latest" % dst, "oci:%s:all" % (tmp_path / "copy"))
    # and the same source gives the same bytes again
    p = alu("image", "patch", "oci:%s:latest" % src, "oci:%s:latest" % (tmp_path / "again"), "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert (tmp_path / "again/index.json").read_bytes() == (dst / "index.json").read_bytes()
    assert sorted(os.listdir(tmp_path / "again/blobs/sha256")) == sorted(os.listdir(dst / "blobs/sha256"))


def test_flat_index_and_unpack_of_this_platform(alu, tmp_path, kit):
    # index.json listing one manifest per platform under one name (no nested index)
    top, layers = kit
    src, dst = tmp_path / "src", tmp_path / "dst"
    descs = three(src, layers, nested=False)
    p = alu("image", "patch", "oci:%s:latest" % src, "oci:%s:v2" % dst, "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "linux/arm64/v8: patched" in p.stdout and "linux/ppc64le: skipped" in p.stdout, p.stdout
    assert "tiny-1.0-1.aarch64 -> tiny-1.1-1.aarch64" in p.stdout and "CVEs %s" % imgkit.CVE in p.stdout
    idx = json.loads((dst / "index.json").read_text())
    assert [m["platform"]["architecture"] for m in idx["manifests"]] == ["amd64", "arm64", "ppc64le"]
    assert {m["annotations"]["org.opencontainers.image.ref.name"] for m in idx["manifests"]} == {"v2"}
    assert idx["manifests"][2]["digest"] == descs[2]["digest"]
    # image unpack takes this machine's platform (x86_64) of the index
    out = tmp_path / "unpacked"
    q = alu("image", "unpack", "oci:%s:v2" % dst, out)
    assert q.returncode == 0, q.stdout + q.stderr
    assert (out / "usr/bin/tiny-a").read_text() == "tiny 1.1 for x86_64\n"
    # nothing this machine runs: refused, nothing left
    only = tmp_path / "only-arm"
    imgkit.layout(only, [imgkit.image(only, "arm64", [layers["aarch64"]]),
                         imgkit.image(only, "ppc64le", [layers["x86_64"]])])
    q = alu("image", "unpack", "oci:%s:latest" % only, tmp_path / "u2")
    assert q.returncode == 1 and "no image of this machine's platform (x86_64)" in q.stderr, q.stderr
    assert not (tmp_path / "u2").exists()


def test_only_unserved_platforms_is_nothing_to_patch(alu, tmp_path, kit):
    top, layers = kit
    src = tmp_path / "src"
    imgkit.layout(src, [imgkit.image(src, "s390x", [layers["x86_64"]]),
                        imgkit.image(src, "ppc64le", [layers["x86_64"]])])
    p = alu("image", "patch", "oci:%s:latest" % src, "oci:%s" % (tmp_path / "dst"), "-y", "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(p.stdout)
    assert rep["result"] == "nothing to patch" and rep["destination"] is None
    assert [x["result"] for x in rep["platforms"]] == ["skipped", "skipped"]
    assert not (tmp_path / "dst").exists() and not (tmp_path / "dst.alupdate-tmp").exists()


def test_update_json_names_the_cves(alu, tmp_path, kit):
    top, _ = kit
    root = imgkit.make_root(tmp_path / "root", top / "build/RPMS/x86_64/tiny-1.0-1.x86_64.rpm", top)
    p = alu("--installroot", root, "--json", "update", "--security", "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(p.stdout)
    assert rep["advisories"] == [imgkit.ADVISORY] and rep["cves"] == [imgkit.CVE], rep


def test_two_images_are_not_two_platforms(alu, tmp_path, kit):
    # two names in one layout, each with a platform: one image must be named
    _, layers = kit
    src = tmp_path / "src"
    a = imgkit.image(src, "amd64", [layers["x86_64"]])
    b = imgkit.image(src, "arm64", [layers["aarch64"]])
    imgkit.layout(src, [a])
    idx = json.loads((src / "index.json").read_text())
    idx["manifests"].append(dict(b, annotations={"org.opencontainers.image.ref.name": "other"}))
    idx["manifests"][0] = dict(a, annotations={"org.opencontainers.image.ref.name": "latest"})
    (src / "index.json").write_text(json.dumps(idx))
    p = alu("image", "patch", "oci:%s" % src, "oci:%s" % (tmp_path / "d1"), "-y")
    assert p.returncode == 1 and "holds 2 images" in p.stderr, p.stdout + p.stderr
    p = alu("image", "patch", "oci:%s:other" % src, "oci:%s" % (tmp_path / "d2"), "-y", "--json")
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(p.stdout)
    assert rep["platform"] == "linux/arm64" and rep["packages"][0]["to"] == "tiny-1.1-1.aarch64", rep
