# SPDX-License-Identifier: MIT
"""Repository metadata through the binary: makecache over file:// and http,
XML primary and SQLite-only primary_db, the unchanged-repomd short cut,
metadata_expire, -C, bad checksums and clean. Uses the committed fixture
repository of tests/unit/data/repo (made with createrepo_c)."""
import gzip
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(TOP, "tests", "unit", "data", "repo")
ALU = os.environ.get("ALU_BIN", os.path.join(TOP, "build", "dev", "alupdate"))

REPOMD_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               '<repomd xmlns="http://linux.duke.edu/metadata/repo">\n'
               '  <revision>{rev}</revision>\n')
DATA_TMPL = ('  <data type="{type}">\n'
             '    <checksum type="sha256">{sum}</checksum>\n'
             '    <location href="repodata/{name}"/>\n'
             '    <timestamp>1795429279</timestamp>\n'
             '    <size>{size}</size>\n'
             '  </data>\n')


def make_repo(dest, sqlite_only=False, rev="1"):
    """A repository in @dest: primary (XML, or only primary_db) + updateinfo."""
    rd = os.path.join(dest, "repodata")
    os.makedirs(rd, exist_ok=True)
    files = [("primary_db", "primary.sqlite.bz2")] if sqlite_only else \
        [("primary", "primary.xml.gz"), ("primary_db", "primary.sqlite.bz2")]
    files.append(("updateinfo", "updateinfo.xml.gz"))
    md = REPOMD_HEAD.format(rev=rev)
    for typ, fn in files:
        blob = open(os.path.join(DATA, fn), "rb").read()
        s = hashlib.sha256(blob).hexdigest()
        name = "%s-%s" % (s, fn)
        with open(os.path.join(rd, name), "wb") as f:
            f.write(blob)
        md += DATA_TMPL.format(type=typ, sum=s, name=name, size=len(blob))
    md += "</repomd>\n"
    with open(os.path.join(rd, "repomd.xml"), "w") as f:
        f.write(md)
    return dest


def make_root(tmp_path, baseurl, extra=""):
    root = tmp_path / "root"
    (root / "etc" / "yum.repos.d").mkdir(parents=True, exist_ok=True)
    (root / "etc" / "yum.conf").write_text("[main]\ncachedir=/var/cache/alupdate\n")
    (root / "etc" / "yum.repos.d" / "t.repo").write_text(
        "[fx]\nname=fixture\nbaseurl=%s\nenabled=1\ngpgcheck=0\nmetadata_expire=300\n%s"
        % (baseurl, extra))
    return str(root)


def alu(root, *args):
    return subprocess.run([ALU, "--installroot", root] + list(args),
                          capture_output=True, text=True, timeout=120)


class Logged(http.server.SimpleHTTPRequestHandler):
    log = []

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        Logged.log.append(self.path)
        return super().do_GET()


@pytest.fixture
def server(tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    Logged.log = []
    handler = lambda *a, **k: Logged(*a, directory=str(www), **k)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield www, "http://127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def counts(root):
    r = alu(root, "--json", "makecache", "fast")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["repos"][0]


@pytest.mark.parametrize("sqlite_only", [False, True])
def test_makecache_file(tmp_path, sqlite_only):
    repo = make_repo(str(tmp_path / "repo"), sqlite_only)
    root = make_root(tmp_path, "file://" + repo)
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    assert "Metadata Cache Created" in r.stdout
    c = counts(root)
    assert c["packages"] == 4 and c["advisories"] == 2 and c["revision"] == "1"


def test_unchanged_repomd_fetches_nothing_else(tmp_path, server):
    www, url = server
    make_repo(str(www / "r"))
    root = make_root(tmp_path, url + "/r")
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    first = list(Logged.log)
    assert any(p.endswith("repomd.xml") for p in first)
    assert any("primary.xml.gz" in p for p in first)
    assert any("updateinfo" in p for p in first)
    assert not any("sqlite" in p for p in first)   # XML preferred when listed
    Logged.log.clear()
    r = alu(root, "makecache")            # forced check: repomd only
    assert r.returncode == 0, r.stderr
    assert Logged.log == ["/r/repodata/repomd.xml"]
    Logged.log.clear()
    r = alu(root, "makecache", "fast")    # not expired: nothing at all
    assert r.returncode == 0, r.stderr
    assert Logged.log == []
    Logged.log.clear()
    r = alu(root, "clean", "expire-cache")
    assert r.returncode == 0, r.stderr
    r = alu(root, "makecache", "fast")
    assert Logged.log == ["/r/repodata/repomd.xml"]


def test_changed_repomd_reingests(tmp_path, server):
    www, url = server
    make_repo(str(www / "r"), rev="1")
    root = make_root(tmp_path, url + "/r")
    assert alu(root, "makecache").returncode == 0
    shutil.rmtree(str(www / "r"))
    make_repo(str(www / "r"), sqlite_only=True, rev="2")
    Logged.log.clear()
    assert alu(root, "makecache").returncode == 0
    assert any("primary.sqlite.bz2" in p for p in Logged.log)
    c = counts(root)
    assert c["revision"] == "2" and c["packages"] == 4


def test_cacheonly(tmp_path):
    repo = make_repo(str(tmp_path / "repo"))
    root = make_root(tmp_path, "file://" + repo)
    r = alu(root, "-C", "makecache")
    assert r.returncode == 1
    assert "no cached metadata" in r.stderr
    assert alu(root, "makecache").returncode == 0
    shutil.rmtree(repo)
    r = alu(root, "-C", "makecache")
    assert r.returncode == 0, r.stderr


def test_bad_checksum_keeps_old_metadata(tmp_path):
    repo = make_repo(str(tmp_path / "repo"), rev="1")
    root = make_root(tmp_path, "file://" + repo)
    assert alu(root, "makecache").returncode == 0
    # a new repomd whose primary does not match its checksum
    make_repo(repo, rev="2")
    rd = os.path.join(repo, "repodata")
    for fn in os.listdir(rd):
        if fn.endswith("primary.xml.gz"):
            with open(os.path.join(rd, fn), "wb") as f:
                f.write(gzip.compress(b"<metadata/>"))
    r = alu(root, "makecache")
    assert r.returncode == 1
    assert "primary.xml.gz" in r.stderr
    c = counts(root)
    assert c["revision"] == "1" and c["packages"] == 4


def test_broken_repo_skip_if_unavailable(tmp_path):
    root = make_root(tmp_path, "file://" + str(tmp_path / "nothing"), "skip_if_unavailable=1\n")
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    assert "repository fx skipped" in r.stderr
    root2 = make_root(tmp_path / "b", "file://" + str(tmp_path / "nothing"))
    r = alu(root2, "makecache")
    assert r.returncode == 1


def test_clean_all(tmp_path):
    repo = make_repo(str(tmp_path / "repo"))
    root = make_root(tmp_path, "file://" + repo)
    assert alu(root, "makecache").returncode == 0
    mdb = os.path.join(root, "var/cache/alupdate/cache.mdb")
    assert os.path.exists(mdb)
    r = alu(root, "clean", "all")
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(mdb)
    r = alu(root, "clean", "bogus")
    assert r.returncode == 1


def test_full_disk_refused_before_writing(tmp_path):
    """makecache checks the room before parsing anything and says so, with
    the old cache (none here) untouched."""
    repo = make_repo(str(tmp_path / "repo"))
    root = make_root(tmp_path, "file://" + repo)
    cache = os.path.join(root, "var", "cache", "alupdate")
    os.makedirs(cache)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", cache],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        r = alu(root, "makecache")
        assert r.returncode == 1, r.stdout
        assert "not enough disk space for the metadata cache" in r.stderr, r.stderr
    finally:
        subprocess.run(["umount", cache], check=True)
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
