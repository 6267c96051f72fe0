# SPDX-License-Identifier: MIT
"""The Dockerfiles of container/, built with buildah (no daemon: chroot
isolation, vfs storage in private directories removed afterwards) exactly as
users build them, with a base image made from the sample old root as the
stand-in for amazonlinux:2 (`--build-arg BASE=`). The build shares the host
network, so `RUN alupdate update --security -y` reaches the test mirror on
127.0.0.1. The built images are checked with rpm (on the mounted image: the
sample root has no rpm of its own), with alupdate run inside them by
`buildah run`, and through the layer the RUN added: no cache, no lock, no
downloaded package, with no `clean all` in the Dockerfile."""
import json
import os
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

from conftest import BUILD, REPO, make_root, rpm_q, set_mirror_base

pytestmark = pytest.mark.skipif(not shutil.which("buildah"),
                                reason="buildah is needed (apt-get install buildah)")

SCRATCH = ("var/cache/alupdate/", "var/lib/alupdate/lock")


class Buildah:
    def __init__(self, top):
        self.top = top
        self.env = dict(os.environ, TMPDIR=str(top / "tmp"))
        (top / "tmp").mkdir()
        self.base = ["buildah", "--root", str(top / "storage"), "--runroot", str(top / "run"),
                     "--storage-driver", "vfs"]

    def __call__(self, *args, check=True):
        p = subprocess.run(self.base + [str(a) for a in args], capture_output=True, text=True,
                           timeout=300, env=self.env)
        assert not check or p.returncode == 0, " ".join(map(str, args)) + "\n" + p.stdout + p.stderr
        return p

    def image_from_root(self, root, name):
        c = self("from", "scratch").stdout.strip()
        self("copy", c, "%s/." % root, "/")
        self("commit", "-q", c, name)
        self("rm", c)

    def bud(self, dockerfile, tag, ctx, *args):
        t = time.monotonic()
        p = self("bud", "--isolation", "chroot", "-f", ctx / dockerfile, "-t", tag, *args, ctx)
        return p, time.monotonic() - t

    def last_layer(self, image, tmp):
        """The names and sizes of the layer the last step added (pushed as an OCI layout)."""
        lay = tmp / ("oci-" + image.replace("/", "_").replace(":", "_"))
        self("push", image, "oci:%s:x" % lay)
        idx = json.loads((lay / "index.json").read_text())
        m = json.loads((lay / "blobs/sha256" / idx["manifests"][0]["digest"][7:]).read_text())
        with tarfile.open(lay / "blobs/sha256" / m["layers"][-1]["digest"][7:]) as t:
            return {x.name.lstrip("./"): x.size for x in t.getmembers()}, m

    def mount(self, image):
        c = self("from", image).stdout.strip()
        return c, Path(self("mount", c).stdout.strip())

    def close(self):
        self("rm", "--all", check=False)
        self("rmi", "--all", "--force", check=False)
        shutil.rmtree(self.top, ignore_errors=True)


@pytest.fixture(scope="module")
def b(tmp_path_factory, mirror):
    top = tmp_path_factory.mktemp("buildah")
    bh = Buildah(top)
    # the build context users have: build/alupdate (static) and container/
    ctx = top / "ctx"
    (ctx / "build").mkdir(parents=True)
    shutil.copy(BUILD / "alupdate", ctx / "build/alupdate")
    shutil.copytree(REPO / "container", ctx / "container")
    bh.ctx = ctx
    root = make_root(top / "al2", mirror, "old")
    set_mirror_base(root, mirror.http)
    bh.root = root
    bh.image_from_root(root, "localhost/al2-sample:old")
    bh.bud("container/Dockerfile.scratch", "localhost/alupdate", ctx)
    yield bh
    bh.close()


def no_scratch(names):
    """Zero bytes of alupdate's scratch in the layer: no cache, lock or package."""
    bad = {n: s for n, s in names.items() if n.startswith(SCRATCH) or n.endswith((".rpm", ".part"))}
    assert sum(bad.values()) == 0, bad
    assert not any(n.startswith("var/lib/alupdate/lock") for n in names), sorted(names)


def test_scratch_is_alupdate_alone(b, tmp_path):
    names, m = b.last_layer("localhost/alupdate", tmp_path)
    assert list(names) == ["alupdate"] and len(m["layers"]) == 1
    assert names["alupdate"] == (BUILD / "alupdate").stat().st_size


def test_al2_dockerfile(b, tmp_path, mirror):
    p, _ = b.bud("container/Dockerfile.al2", "localhost/al2-patched", b.ctx,
                 "--build-arg", "BASE=localhost/al2-sample:old")
    assert "Complete!" in p.stdout or "upgrade" in p.stdout.lower(), p.stdout + p.stderr
    names, _ = b.last_layer("localhost/al2-patched", tmp_path)
    no_scratch(names)
    assert "usr/bin/greet" in names and "var/lib/rpm/rpmdb.sqlite" in names, sorted(names)
    # the same update through --installroot on a copy of the root is the reference
    ref = tmp_path / "ref"
    shutil.copytree(b.root, ref, symlinks=True)
    q = subprocess.run([str(BUILD / "alupdate"), "--installroot", str(ref), "update", "--security", "-y"],
                       capture_output=True, text=True, timeout=300)
    assert q.returncode == 0, q.stdout + q.stderr
    c, mnt = b.mount("localhost/al2-patched")
    try:
        want = sorted(rpm_q(ref, "-qa"))
        assert sorted(rpm_q(mnt, "-qa")) == want != sorted(rpm_q(b.root, "-qa"))
        assert (mnt / "usr/bin/greet").read_bytes() == (ref / "usr/bin/greet").read_bytes()
        assert not (mnt / "var/cache/alupdate").exists()
        # alupdate inside the image: its state agrees with the rpm database
        r = b("run", "--isolation", "chroot", c, "--", "alupdate", "-C", "--json", "list", "installed")
        assert "changed since" not in r.stderr, r.stderr
        got = sorted("%(name)s-%(version)s-%(release)s.%(arch)s" % x
                     for x in json.loads(r.stdout)["installed"])
        assert [x for x in got if not x.startswith("gpg-pubkey")] == \
            [x for x in want if not x.startswith("gpg-pubkey")]
    finally:
        b("umount", c, check=False)
        b("rm", c, check=False)


def test_distroless_dockerfile(b, tmp_path, mirror):
    # a root with no shell, no rpm, no package manager and no repository file
    root = tmp_path / "distroless"
    shutil.copytree(b.root, root, symlinks=True)
    subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", "-e", "--nodeps",
                    "--noscripts", "alu-sh"], check=True, capture_output=True)
    repo = root / "etc/yum.repos.d/amzn2-core.repo"
    ctx = tmp_path / "ctx"
    shutil.copytree(b.ctx, ctx)
    shutil.copy(repo, ctx / "container/repos/amzn2-core.repo")
    shutil.rmtree(root / "etc/yum.repos.d")
    assert not (root / "bin/sh").exists() and not (root / "usr/bin/busybox").exists()
    b.image_from_root(root, "localhost/distroless:old")
    # the patcher stage is alupdate alone: no shell there either (exec-form RUN)
    p, _ = b.bud("container/Dockerfile.distroless", "localhost/distroless-patched", ctx,
                 "--build-arg", "BASE=localhost/distroless:old")
    print(p.stdout)
    names, m = b.last_layer("localhost/distroless-patched", tmp_path)
    no_scratch(names)
    assert "alupdate" not in names and "target" not in names
    assert len(m["layers"]) == 1   # the patched root alone
    c, mnt = b.mount("localhost/distroless-patched")
    try:
        new = rpm_q(mnt, "-qa")
        assert "greet-1.2-1.amzn2.x86_64" in new, new
        assert not (mnt / "var/cache/alupdate").exists() and not (mnt / "alupdate").exists()
    finally:
        b("umount", c, check=False)
        b("rm", c, check=False)


def access_log(tmp_path_factory):
    logs = {x.resolve() for x in tmp_path_factory.getbasetemp().glob("nginx*/access.log")}
    return logs.pop() if len(logs) == 1 else None


def test_cache_mount_keeps_metadata(b, tmp_path, tmp_path_factory):
    # the metadata a build fetched is in the cache mount, outside every
    # layer, and the next build fetches none of it again; without the mount
    # every build fetches it all (the mirror's access log says what was asked)
    log = access_log(tmp_path_factory)
    if not log:
        pytest.skip("the test mirror's access log is not where conftest's nginx writes it")
    args = ("--build-arg", "BASE=localhost/al2-sample:old")
    asked, times = {}, {}
    for df in ("Dockerfile.al2-cached", "Dockerfile.al2"):
        for n in (1, 2):
            start = log.stat().st_size
            p, times[df, n] = b.bud("container/" + df, "localhost/t-%s-%d" % (df.lower(), n), b.ctx, *args)
            lines = log.read_bytes()[start:].decode().splitlines()
            asked[df, n] = [x.split('"')[1].split()[1] for x in lines if "/repodata/" in x]
        names, _ = b.last_layer("localhost/t-%s-2" % df.lower(), tmp_path)
        no_scratch(names)
    print("build seconds:", times)
    meta = ("primary", "updateinfo")
    assert any(m in u for u in asked["Dockerfile.al2-cached", 1] for m in meta)
    assert not any(m in u for u in asked["Dockerfile.al2-cached", 2] for m in meta), asked
    assert any(m in u for u in asked["Dockerfile.al2", 2] for m in meta), asked
    assert list((b.top / "tmp").rglob("cache.mdb")), "no cache mount directory kept the metadata"


def test_default_base_needs_a_registry(b):
    # the files' default BASE=amazonlinux:2 comes from a registry: built when
    # one answers, skipped with the reason when not (never faked)
    p = subprocess.run(["skopeo", "--command-timeout", "20s", "inspect", "--retry-times", "0",
                        "docker://docker.io/library/amazonlinux:2"],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        pytest.skip("no registry reachable for amazonlinux:2: %s" % p.stderr.strip()[:200])
    p, _ = b.bud("container/Dockerfile.al2", "localhost/al2-real", b.ctx)
    names, _ = b.last_layer("localhost/al2-real", Path(b.top))
    no_scratch(names)


def test_image_patch_result_runs_in_buildah(b, tmp_path):
    # the base image as buildah stores it, pushed to an OCI layout, patched by
    # `alupdate image patch` with no daemon, and taken back by buildah
    src, dst = tmp_path / "src", tmp_path / "dst"
    b("push", "localhost/al2-sample:old", "oci:%s:old" % src)
    p = subprocess.run([str(BUILD / "alupdate"), "image", "patch", "oci:%s:old" % src,
                        "oci:%s:patched" % dst, "-y", "--json"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    rep = json.loads(p.stdout)
    assert rep["result"] == "patched" and rep["cves"], rep
    c = b("from", "oci:%s:patched" % dst).stdout.strip()
    try:
        mnt = Path(b("mount", c).stdout.strip())
        new = rpm_q(mnt, "-qa")
        assert sorted(x["to"] for x in rep["packages"] if x["to"].split("-")[0] != "gpg") == \
            sorted(x for x in new if x in {y["to"] for y in rep["packages"]})
        old = set(rpm_q(b.root, "-qa"))
        assert "greet-1.2-1.amzn2.x86_64" in new and not old & {x["from"] for x in rep["packages"]} & set(new)
        # it runs: the sample's busybox shell reads the patched file
        r = b("run", "--isolation", "chroot", c, "--", "/bin/sh", "-c", "cat /var/lib/rpm/rpmdb.sqlite | wc -c")
        assert int(r.stdout.strip()) == (mnt / "var/lib/rpm/rpmdb.sqlite").stat().st_size
    finally:
        b("umount", c, check=False)
        b("rm", c, check=False)
