# SPDX-License-Identifier: MIT
"""reposync --extras: the extras catalog and its topics' repositories copied
from the sample mirror (over https) into the per-region layout, so that a
client whose amzn2-core mirrorlist base alone is pointed at the copy runs
`extras list`, `extras enable`, `extras install` and `update --security` for a
topic's advisory with no network at all (unshare -n, file://), and over a
plain http server on 127.0.0.1; a topic the copy lacks is named by the client;
a tampered topic package is refused and the copy keeps its previous catalog;
a v1 catalog (whitelists) is copied as published; a cut run never leaves a
catalog without its topics; a mirror list over http never leads to file://."""
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, rpm_q, set_mirror_base
from test_reposync import Server, server  # noqa: F401 (the fixture)

XREPO = "etc/yum.repos.d/amzn2-extras.repo"


def tree(d):
    d = Path(d)
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in d.rglob("*") if p.is_file()}


def alu(*args, env=None, net=True):
    cmd = [ALU_BIN, *map(str, args)]
    if not net:
        cmd = ["unshare", "-n"] + cmd
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=None if env is None else dict(os.environ, **env))


def reposync(root, dest, url, *extra, env=None):
    return alu("--installroot", root, "reposync", "-r", "amzn2-core", "-p", dest,
               "--download-metadata", "--mirrorlist-for", "us-east-1=%s" % url, *extra, env=env)


def offline_ok():
    if subprocess.run(["unshare", "-n", "true"]).returncode:
        pytest.skip("unshare -n is not permitted here")


def fresh(src, tmp_path, name, base):
    dst = tmp_path / name
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    set_mirror_base(dst, base)
    return dst


@pytest.fixture(scope="module")
def xcopy(mirror, tmp_path_factory, _old_root):
    """The sample mirror's core repository and every extras topic, copied over https."""
    base = tmp_path_factory.mktemp("xsync")
    root, out = base / "cfgroot", base / "copy"
    subprocess.run(["cp", "-a", str(_old_root), str(root)], check=True)
    set_mirror_base(root, mirror.https, ca=mirror.ca)
    p = reposync(root, out, "file://%s" % out, "--extras", "all")
    assert p.returncode == 0, p.stderr
    assert re.search(r"^extras: catalog v2 from https://\S+/us-east-1/2/extras-catalog.json, "
                     r"6 of 6 topics copied$", p.stdout, re.M), p.stdout
    return out


def test_layout_is_what_extras_reads(mirror, xcopy):
    src = mirror.www / "us-east-1/2"
    for cat in ("extras-catalog.json", "extras-catalog-x86_64.json"):
        assert (xcopy / "us-east-1/2" / cat).read_bytes() == (src / cat).read_bytes()
    # each version's repository as published (metadata byte for byte, packages)
    for topic, ver in [("nginx1", "latest"), ("nginx1", "stable"), ("redis6", "6.0"),
                       ("livepatch", "latest")]:
        ours = xcopy / "extras" / topic / ver / "x86_64"
        theirs = src / "extras" / topic / ver / "x86_64"
        assert tree(ours) == {k: v for k, v in tree(theirs).items() if k != "mirror.list"}
        ml = xcopy / "us-east-1/2/extras" / topic / ver / "x86_64/mirror.list"
        assert [l for l in ml.read_text().splitlines() if not l.startswith("#")] == \
            ["file://%s/extras/%s/%s/x86_64/" % (xcopy, topic, ver)]
    assert (xcopy / "extras/nginx1/latest/x86_64/repodata").is_dir()
    assert not list(xcopy.rglob("*.part")) and not list(xcopy.rglob(".reposync-tmp"))


def test_extras_flows_without_network(mirror, sample_root, tmp_path, xcopy):
    offline_ok()
    ref = fresh(sample_root, tmp_path, "ref", mirror.file)
    root = fresh(sample_root, tmp_path, "off", "file://%s" % xcopy)
    p = alu("--installroot", root, "extras", "list", net=False)
    assert p.returncode == 0, p.stderr
    assert p.stdout == alu("--installroot", ref, "extras", "list").stdout and "redis6" in p.stdout
    p = alu("--installroot", root, "extras", "enable", "redis6=6.0", net=False)
    assert p.returncode == 0 and not p.stderr, p.stderr
    p = alu("--installroot", root, "list", "available", "redis", net=False)
    assert p.returncode == 0 and "amzn2extra-redis6" in p.stdout, p.stdout + p.stderr
    p = alu("--installroot", root, "extras", "install", "-y", "nginx1", net=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert rpm_q(root, "-q", "nginx") == ["nginx-1.20.1-1.amzn2.noarch"]
    # the topic's advisory from the copied updateinfo
    assert alu("--installroot", root, "remove", "-y", "nginx", net=False).returncode == 0
    p = alu("--installroot", root, "install", "-y", "nginx-1.20.0", net=False)
    assert p.returncode == 0, p.stderr
    p = alu("--installroot", root, "updateinfo", "list", "--security", net=False)
    assert "ALAS2NGINX1-2026-001" in p.stdout, p.stdout + p.stderr
    p = alu("--installroot", root, "update", "--security", "-y", net=False)
    assert p.returncode == 0, p.stderr
    assert rpm_q(root, "-q", "nginx") == ["nginx-1.20.1-1.amzn2.noarch"]


def test_served_over_http_and_resumed(sample_root, tmp_path, xcopy, mirror, server):
    served = tmp_path / "served"
    shutil.copytree(xcopy, served, symlinks=True)
    srv = server(served)
    cfg = fresh(sample_root, tmp_path, "cfg", mirror.https)
    set_mirror_base(cfg, mirror.https, ca=mirror.ca)
    # the same copy, now for the http URL: everything whole is kept
    p = reposync(cfg, served, srv.url, "--extras", "nginx1")
    assert p.returncode == 0, p.stderr
    assert "amzn2extra-nginx1: 2 packages (0 downloaded)" in p.stdout, p.stdout
    root = fresh(sample_root, tmp_path, "http", srv.url)
    p = alu("--installroot", root, "extras", "install", "-y", "nginx1")
    assert p.returncode == 0, p.stdout + p.stderr
    assert rpm_q(root, "-q", "nginx") == ["nginx-1.20.1-1.amzn2.noarch"]
    assert srv.url + "/$awsregion/$releasever/extras/nginx1/latest/$basearch/mirror.list" in \
        (root / XREPO).read_text()


def test_topic_missing_on_the_copy_is_named(sample_root, tmp_path, mirror):
    offline_ok()
    cfg = fresh(sample_root, tmp_path, "cfg", mirror.file)
    out = tmp_path / "part"
    p = reposync(cfg, out, "file://%s" % out, "--extras", "nginx*")
    assert p.returncode == 0, p.stderr
    assert "1 of 6 topics copied" in p.stdout
    assert "not copied" in p.stderr and "redis6" in p.stderr, p.stderr
    root = fresh(sample_root, tmp_path, "client", "file://%s" % out)
    p = alu("--installroot", root, "extras", "install", "-y", "redis6", net=False)
    assert p.returncode == 1
    assert "Topic redis6=latest: its repository amzn2extra-redis6 is not available" in p.stderr, p.stderr
    assert "%s/us-east-1/2/extras/redis6/latest/x86_64/mirror.list" % out in p.stderr, p.stderr
    assert not (root / XREPO).exists()
    p = alu("--installroot", root, "extras", "install", "-y", "nginx1", net=False)
    assert p.returncode == 0, p.stdout + p.stderr
    # reposync's own refusals
    p = alu("--installroot", cfg, "reposync", "-p", out, "--extras", "all")
    assert p.returncode == 1 and "--extras needs --mirrorlist-for" in p.stderr, p.stderr
    p = reposync(cfg, out, "file://%s" % out, "--extras", "nosuch*")
    assert p.returncode == 1 and "--extras nosuch*: no such topic" in p.stderr, p.stderr


def private_source(mirror, tmp_path):
    """www/us-east-1 copied, its extras mirror.lists naming the copy."""
    src = tmp_path / "src"
    shutil.copytree(mirror.www / "us-east-1", src / "us-east-1", symlinks=True)
    for ml in (src / "us-east-1/2/extras").rglob("mirror.list"):
        if not ml.is_symlink() and ml.resolve() == ml:
            ml.write_text(ml.read_text().replace(str(mirror.www), str(src)))
    return src


def test_tampered_topic_package_keeps_the_last_catalog(sample_root, tmp_path, mirror):
    src = private_source(mirror, tmp_path)
    cfg = fresh(sample_root, tmp_path, "cfg", "file://%s" % src)
    out = tmp_path / "out"
    assert reposync(cfg, out, "file://%s" % out, "--extras", "all").returncode == 0
    cat = out / "us-east-1/2/extras-catalog.json"
    good = cat.read_bytes()
    upstream = src / "us-east-1/2/extras-catalog.json"
    upstream.write_text(upstream.read_text().replace('"motd": ""', '"motd": "new topics"'))
    pkg = next((src / "us-east-1/2/extras/redis6/latest/x86_64/Packages").glob("redis-*.rpm"))
    data = bytearray(pkg.read_bytes())
    data[len(data) // 2] ^= 0xff
    pkg.write_bytes(bytes(data))
    local = out / "extras/redis6/latest/x86_64/Packages" / pkg.name
    local.unlink()
    p = reposync(cfg, out, "file://%s" % out, "--extras", "all")
    assert p.returncode == 1
    assert re.search(r"extras topic redis6=latest: .*Packages/%s.*sha256" % re.escape(pkg.name),
                     p.stderr), p.stderr
    assert "the catalog was not written" in p.stderr
    assert cat.read_bytes() == good and not local.exists()
    assert not [x for x in out.rglob("*") if x.name.endswith(".part") and "redis" not in x.name]


def test_v1_catalog_copied_as_published(sample_root, tmp_path, mirror):
    offline_ok()
    v1 = mirror.www / "us-east-1/2/extras-catalog-v1.json"
    cfg = fresh(sample_root, tmp_path, "cfg", mirror.file)
    out = tmp_path / "v1"
    p = reposync(cfg, out, "file://%s" % out, "--extras", "nginx1,redis4.0,redis6",
                 env={"CATALOGURL": "file://%s" % v1})
    assert p.returncode == 0, p.stderr
    assert "catalog v1" in p.stdout
    assert (out / "us-east-1/2/extras-catalog.json").read_bytes() == v1.read_bytes()
    root = fresh(sample_root, tmp_path, "client", "file://%s" % out)
    p = alu("--installroot", root, "extras", "enable", "redis4.0", "redis6", net=False)
    assert p.returncode == 1 and "whitelist" in p.stderr, p.stderr
    p = alu("--installroot", root, "extras", "install", "-y", "redis4.0", net=False)
    assert p.returncode == 0, p.stdout + p.stderr
    assert rpm_q(root, "-q", "redis") == ["redis-4.0.5-1.amzn2.noarch"]


def test_source_packages_of_topics(sample_root, tmp_path, mirror):
    cfg = fresh(sample_root, tmp_path, "cfg", mirror.file)
    out = tmp_path / "src"
    p = reposync(cfg, out, "file://%s" % out, "--extras", "nginx1", "--source")
    assert p.returncode == 0, p.stderr
    assert "amzn2extra-nginx1-source:" in p.stdout, p.stdout
    assert (out / "extras/nginx1/latest/SRPMS/repodata/repomd.xml").is_file()
    ml = out / "us-east-1/2/extras/nginx1/stable/SRPMS/mirror.list"
    assert "file://%s/extras/nginx1/latest/SRPMS/\n" % out in ml.read_text()


def test_kill9_never_leaves_a_catalog_without_its_topics(sample_root, tmp_path, mirror, server):
    """An http source sent slowly, reposync --extras killed with -9 at several
    points: a catalog in the copy only once every topic is whole, never a half
    file under a final name; the rerun completes the copy."""
    import signal
    import time
    src = private_source(mirror, tmp_path)
    srv = server(src, delay=0.002)
    core = src / "us-east-1/2/core/latest"
    for ml in list(core.rglob("mirror.list")) + list((src / "us-east-1/2/extras").rglob("mirror.list")):
        if not ml.is_symlink() and ml.resolve() == ml:
            ml.write_text(re.sub(r"^file://(%s|%s)" % (re.escape(str(src)), re.escape(str(mirror.www))),
                                 srv.url, ml.read_text(), flags=re.M))
    cfg = fresh(sample_root, tmp_path, "cfg", srv.url)
    out = tmp_path / "out"
    cmd = [ALU_BIN, "--installroot", str(cfg), "reposync", "-r", "amzn2-core", "-p", str(out),
           "--download-metadata", "--extras", "all", "--mirrorlist-for", "us-east-1=file://%s" % out]
    # versions share the copy of latest here (their mirror lists name the same URL)
    want = {k: v for k, v in tree(src / "us-east-1/2/extras").items()
            if "/latest/x86_64/" in k and not k.endswith("mirror.list")}
    for at in (0.2, 0.5, 0.9, 1.4, 2.0):
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(at)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        got = tree(out / "extras") if (out / "extras").exists() else {}
        for rel, sha in got.items():
            assert rel.endswith(".part") or want.get(rel) == sha, "half or foreign file: " + rel
        if (out / "us-east-1/2/extras-catalog.json").exists():
            assert set(want) <= set(got)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert (out / "us-east-1/2/extras-catalog.json").read_bytes() == \
        (src / "us-east-1/2/extras-catalog.json").read_bytes()
    assert tree(out / "extras") == want


def test_http_mirror_list_never_leads_to_file(sample_root, tmp_path, mirror, server):
    """A mirror list fetched over http naming a file:// mirror is refused (as
    sync does), by reposync's core copy and by its topics alike."""
    d = tmp_path / "ml"
    (d / "us-east-1/2/core/latest/x86_64").mkdir(parents=True)
    (d / "us-east-1/2/core/latest/x86_64/mirror.list").write_text("file://%s\n" % mirror.repo())
    srv = server(d)
    cfg = fresh(sample_root, tmp_path, "cfg", srv.url)
    out = tmp_path / "out"
    p = alu("--installroot", cfg, "reposync", "-r", "amzn2-core", "-p", out, "--download-metadata")
    assert p.returncode == 1 and "never leads to file://" in p.stderr, p.stderr
    assert not (out / "amzn2-core/repodata/repomd.xml").exists()
