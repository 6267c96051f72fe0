# SPDX-License-Identifier: MIT
"""A primary_db without the pkgKey indexes createrepo_c writes (older or
hand-made mirrors): the reader adds them to its private copy, so the ingest
stays linear and gives the same packages as the indexed original."""
import bz2
import hashlib
import re
import shutil
import sqlite3
import time

from conftest import set_mirror_base


def strip_indexes(repo):
    md = repo / "repodata/repomd.xml"
    text = md.read_text()
    href = re.search(r'<data type="primary_db">.*?<location href="([^"]+)"', text, re.S).group(1)
    comp = repo / href
    raw = bz2.decompress(comp.read_bytes())
    tmp = repo / "p.sqlite"
    tmp.write_bytes(raw)
    db = sqlite3.connect(str(tmp))
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type='index' AND sql LIKE '%(pkgKey)%'")]
    assert names, "the fixture should start with createrepo_c's pkgKey indexes"
    for n in names:
        db.execute("DROP INDEX %s" % n)
    db.commit()
    db.close()
    raw = tmp.read_bytes()
    tmp.unlink()
    data = bz2.compress(raw)
    comp.write_bytes(data)
    # repomd must keep promising what the file is
    block = re.search(r'<data type="primary_db">.*?</data>', text, re.S).group(0)
    new = re.sub(r'(<checksum type="sha256">)[0-9a-f]+', r'\g<1>' + hashlib.sha256(data).hexdigest(), block)
    new = re.sub(r'(<open-checksum type="sha256">)[0-9a-f]+', r'\g<1>' + hashlib.sha256(raw).hexdigest(), new)
    new = re.sub(r'<size>\d+</size>', '<size>%d</size>' % len(data), new)
    new = re.sub(r'<open-size>\d+</open-size>', '<open-size>%d</open-size>' % len(raw), new)
    md.write_text(text.replace(block, new))


def test_primary_db_without_pkgkey_indexes(mirror, sample_root, alu, tmp_path):
    www = tmp_path / "www"
    shutil.copytree(mirror.www / "eu-west-1", www / "eu-west-1", symlinks=True)
    repo = www / "eu-west-1/2/core" / mirror.core / "x86_64"
    assert alu("--installroot", str(sample_root), "-q", "adopt").returncode == 0
    want = alu("--installroot", str(sample_root), "list", "available")
    assert want.returncode == 0, want.stderr
    strip_indexes(repo)
    root = tmp_path / "noindex-root"
    shutil.copytree(sample_root, root, symlinks=True)
    shutil.rmtree(root / "var/cache/alupdate", ignore_errors=True)   # fetch eu-west-1 afresh
    (root / "etc/yum/vars/awsregion").write_text("eu-west-1\n")
    set_mirror_base(root, "file://%s" % www)
    # the mirror.list files hold the original file:// URL: point them here
    for ml in www.glob("eu-west-1/2/core/latest/*/mirror.list"):
        ml.write_text(ml.read_text().replace(str(mirror.www), str(www)))
    t0 = time.monotonic()
    got = alu("--installroot", str(root), "list", "available")
    assert got.returncode == 0, got.stderr
    assert time.monotonic() - t0 < 30, got.stderr
    assert got.stdout == want.stdout
