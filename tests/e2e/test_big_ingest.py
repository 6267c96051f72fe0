# SPDX-License-Identifier: MIT
"""Ingests large enough that LMDB writes pages out during the transaction
(its dirty list holds 255 pages in the static build, vendor/lmdb.sh): the
cache must hold exactly what primary.xml says, a second
ingest must replace the first without leftovers, and a makecache killed at
any moment must leave the previous metadata, never a broken cache.
Repositories come from bench/gen-repo.py; the expected answers are worked
out here from the XML, independently of alupdate."""
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
ALU = os.environ.get("ALU_BIN", os.path.join(TOP, "build", "alupdate"))
GEN = os.path.join(TOP, "bench", "gen-repo.py")
NS = {"c": "http://linux.duke.edu/metadata/common",
      "rpm": "http://linux.duke.edu/metadata/rpm"}


def gen(dest, packages, advisories):
    subprocess.run(["/usr/bin/python3", GEN, str(dest), "--packages", str(packages),
                    "--advisories", str(advisories)], check=True, capture_output=True)
    return str(dest)


def make_root(tmp_path, repo):
    root = tmp_path / "root"
    (root / "etc" / "yum.repos.d").mkdir(parents=True, exist_ok=True)
    (root / "etc" / "yum.conf").write_text("[main]\ncachedir=/var/cache/alupdate\n")
    set_repo(root, repo)
    return str(root)


def set_repo(root, repo):
    with open(os.path.join(str(root), "etc", "yum.repos.d", "big.repo"), "w") as f:
        f.write("[big]\nname=big\nbaseurl=file://%s\ngpgcheck=0\nmetadata_expire=0\n" % repo)


def alu(root, *args):
    return subprocess.run([ALU, "-q", "--installroot", root] + list(args),
                          capture_output=True, text=True, timeout=600)


def rpmvercmp(a, b):
    """rpm's segment comparison (rpmio/rpmvercmp.c), enough for these repos."""
    if a == b:
        return 0
    sa, sb = re.findall(r"~|\d+|[a-zA-Z]+", a), re.findall(r"~|\d+|[a-zA-Z]+", b)
    for x, y in zip(sa, sb):
        if x == "~" or y == "~":
            if x != y:
                return -1 if x == "~" else 1
            continue
        if x.isdigit() != y.isdigit():
            return 1 if x.isdigit() else -1
        if x.isdigit():
            x, y = int(x), int(y)
        if x != y:
            return 1 if x > y else -1
    return (len(sa) > len(sb)) - (len(sa) < len(sb))


def primary(repo):
    """(name, arch) -> every (epoch, version, release), and provide -> names."""
    pk, prov = {}, {}
    with gzip.open(os.path.join(repo, "repodata", "primary.xml.gz")) as f:
        for p in ET.parse(f).getroot().findall("c:package", NS):
            v = p.find("c:version", NS)
            key = (p.find("c:name", NS).text, p.find("c:arch", NS).text)
            pk.setdefault(key, []).append((int(v.get("epoch")), v.get("ver"), v.get("rel")))
            for e in p.findall("c:format/rpm:provides/rpm:entry", NS):
                prov.setdefault(e.get("name"), set()).add(key[0])
    return pk, prov


def newest(evrs):
    best = evrs[0]
    for e in evrs[1:]:
        c = (e[0] > best[0]) - (e[0] < best[0]) or rpmvercmp(e[1], best[1]) or \
            rpmvercmp(e[2], best[2])
        if c > 0:
            best = e
    return best


def listing(root):
    r = alu(root, "-C", "list", "available", "--json")
    assert r.returncode == 0, r.stderr
    return {(p["name"], p["arch"]): (p["epoch"], p["version"], p["release"])
            for p in json.loads(r.stdout)["available"]}


def check_against(root, repo):
    pk, prov = primary(repo)
    assert listing(root) == {k: newest(v) for k, v in pk.items()}
    # the provides index, for a spread of capabilities
    for cap in sorted(prov)[::max(1, len(prov) // 15)]:
        r = alu(root, "-C", "provides", cap)
        assert r.returncode == 0, (cap, r.stderr)
        got = set(re.findall(r"^(\S+)-[^-\s]+-[^-\s]+\.\w+ :", r.stdout, re.M))
        assert got == prov[cap], cap


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    d = tmp_path_factory.mktemp("big")
    return gen(d / "a", 6000, 400), gen(d / "b", 4500, 300)


def test_large_ingest_holds_what_primary_says(tmp_path, repos):
    a, _ = repos
    root = make_root(tmp_path, a)
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    check_against(root, a)


def test_large_reingest_replaces_everything(tmp_path, repos):
    a, b = repos
    root = make_root(tmp_path, a)
    assert alu(root, "makecache").returncode == 0
    set_repo(root, b)
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    check_against(root, b)
    # and back: the larger repository again in the same records
    set_repo(root, a)
    assert alu(root, "makecache").returncode == 0
    check_against(root, a)


def test_killed_makecache_leaves_old_or_new(tmp_path, repos):
    """SIGKILL at a spread of moments during the ingest of b over a: the
    cache answers with all of a or all of b, and a later makecache works."""
    a, b = repos
    root = make_root(tmp_path, a)
    assert alu(root, "makecache").returncode == 0
    old = listing(root)
    pk_b, _ = primary(b)
    new = {k: newest(v) for k, v in pk_b.items()}
    set_repo(root, b)
    for delay in (0.01, 0.03, 0.06, 0.1, 0.15, 0.25):
        p = subprocess.Popen([ALU, "-q", "--installroot", root, "makecache"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        got = listing(root)
        assert got in (old, new), "delay %s: neither the old nor the new metadata" % delay
        if got == new:
            break
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    assert listing(root) == new


def test_large_sqlite_only_same_as_xml(tmp_path, repos):
    """The form real AL2 mirrors publish: primary_db only, bzip2 of several
    blocks (decoded on two threads, src/repo/bz2par.c), the same answers."""
    a, _ = repos
    sq = tmp_path / "sqlite"
    shutil.copytree(a, sq)
    md = sq / "repodata" / "repomd.xml"
    md.write_text(re.sub(r'<data type="primary">.*?</data>\n', "", md.read_text(), flags=re.S))
    blocks = subprocess.run(["bzip2", "-tvv", str(sq / "repodata" / "primary.sqlite.bz2")],
                            capture_output=True, text=True).stderr.count("huff+mtf")
    assert blocks >= 2, "the primary_db should need several bzip2 blocks"
    root = make_root(tmp_path, str(sq))
    r = alu(root, "makecache")
    assert r.returncode == 0, r.stderr
    check_against(root, a)
