# SPDX-License-Identifier: MIT
"""Hostile repositories through the binary: copies of the sample mirror's
us-east-1 x86_64 repository edited as an attacker controlling a mirror
would (primary entries pointing at other signed packages, metadata under
weak or no checksums, locations leaving the repository, an older repomd,
nested compression, decompression bombs, endless bodies), each case checked
to be refused with a message naming what and where, nothing applied and
nothing left behind. Network cases use a small http.server on 127.0.0.1
that stops by itself."""
import bz2
import functools
import gzip
import hashlib
import json
import posixpath
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

KEY = "/etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2"   # inside the sample root


# ---- building hostile repositories -------------------------------------------

def digest(kind, b):
    return hashlib.new("sha1" if kind == "sha" else kind, b).hexdigest()


def data_block(repomd, dtype):
    m = re.search(r'  <data type="%s">.*?</data>\n' % re.escape(dtype), repomd, re.S)
    assert m, dtype
    return m


def drop(repo, dtype):
    md = repo / "repodata/repomd.xml"
    text = md.read_text()
    md.write_text(text.replace(data_block(text, dtype).group(0), ""))


def publish(repo, dtype, data, name, ctype="sha256", open_data=None, octype="sha256",
            size=None, open_size=None, timestamp=None):
    """Write repodata/NAME and make repomd.xml's <data type=DTYPE> name it with
    checksum CTYPE (None: no <checksum>) and, when OPEN_DATA is given, its
    open-checksum (OCTYPE; None: none) and open-size."""
    (repo / "repodata" / name).write_bytes(data)
    md = repo / "repodata/repomd.xml"
    text = md.read_text()
    old = data_block(text, dtype).group(0)
    ts = timestamp or re.search(r"<timestamp>(\d+)", old).group(1)
    lines = ['  <data type="%s">' % dtype]
    if ctype:
        lines.append('    <checksum type="%s">%s</checksum>' % (ctype, digest(ctype, data)))
    if open_data is not None and octype:
        lines.append('    <open-checksum type="%s">%s</open-checksum>' % (octype, digest(octype, open_data)))
    lines.append('    <location href="%s"/>' % ("repodata/" + name if "/" not in name else name))
    lines.append("    <timestamp>%s</timestamp>" % ts)
    lines.append("    <size>%d</size>" % (len(data) if size is None else size))
    if open_data is not None or open_size is not None:
        lines.append("    <open-size>%d</open-size>" % (len(open_data) if open_size is None else open_size))
    lines.append("  </data>\n")
    md.write_text(text.replace(old, "\n".join(lines)))


def primary_xml(repo):
    md = (repo / "repodata/repomd.xml").read_text()
    href = re.search(r'<location href="([^"]+)"', data_block(md, "primary").group(0)).group(1)
    return gzip.decompress((repo / href).read_bytes()).decode()


def set_primary(repo, xml, ctype="sha256"):
    raw = xml.encode()
    gz = gzip.compress(raw, mtime=0)
    publish(repo, "primary", gz, "hostile-primary.xml.gz", ctype, raw)


def pkg_block(xml, name, ver, rel="1.amzn2"):
    m = re.search(r'<package type="rpm">\s*<name>%s</name>.*?ver="%s" rel="%s".*?</package>\n'
                  % (re.escape(name), re.escape(ver), re.escape(rel)), xml, re.S)
    assert m, (name, ver)
    # the match may start at an earlier package of another name: take the last start
    block = m.group(0)
    start = block.rfind('<package type="rpm">')
    return block[start:]


def point_at(block, target):
    """BLOCK with location, checksum, sizes and header-range of TARGET: all an
    attacker needs so that size and checksum hold for the file served."""
    for pat in (r'<checksum type="[^"]+" pkgid="YES">[^<]+</checksum>', r'<size package=[^>]+/>',
                r'<location href="[^"]+"/>', r'<rpm:header-range [^>]+/>'):
        block = re.sub(pat, lambda _: re.search(pat, target).group(0), block)
    return block


@pytest.fixture
def hostile(mirror, sample_root, tmp_path):
    """(repo dir, write(extra, baseurl=None)): a copy of the sample repository
    without its primary_db, and the root's only repository pointing at it
    (gpgcheck=1 with the root's own key file)."""
    repo = tmp_path / "repo"
    shutil.copytree(mirror.repo(), repo)
    (repo / "repodata/repomd.xml.asc").unlink(missing_ok=True)
    text = (repo / "repodata/repomd.xml").read_text()
    for t in ("primary_db", "filelists_db", "other_db"):
        if '<data type="%s">' % t in text:
            drop(repo, t)

    def write(extra="", baseurl=None):
        (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
            "[amzn2-core]\nname=hostile\nbaseurl=%s\ngpgcheck=1\ngpgkey=file://%s\nenabled=1\n"
            "metadata_expire=0\n%s" % (baseurl or "file://%s" % repo, KEY, extra))
    write()
    return repo, write


def installed(alu, root):
    p = alu("--installroot", root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    return sorted("%s-%s-%s.%s" % (r["name"], r["version"], r["release"], r["arch"])
                  for r in rows if r["name"] != "gpg-pubkey")


def refused(p, *words):
    assert p.returncode == 1, p.stdout + p.stderr
    for w in words:
        assert w in p.stderr, p.stderr


# ---- who picks the package ---------------------------------------------------

@pytest.mark.parametrize("target", [("hello", "2.10"), ("greet", "1.2")])
@pytest.mark.parametrize("nogpgcheck", [False, True])
def test_primary_entry_pointing_at_another_signed_package(alu, sample_root, hostile, target,
                                                          nogpgcheck):
    """primary says hello-9.9; its location, size, checksum and header-range
    are those of the signed hello-2.10-1 (or greet-1.2): size, checksum and
    signature all hold, the header does not say hello-9.9."""
    repo, _ = hostile
    xml = primary_xml(repo)
    fake = pkg_block(xml, "hello", "2.11")
    fake = point_at(fake, pkg_block(xml, *target)).replace('ver="2.11"', 'ver="9.9"')
    set_primary(repo, xml.replace(pkg_block(xml, "hello", "2.11"), fake))
    before = installed(alu, sample_root)
    p = alu("--installroot", sample_root, "update", "-y", "hello",
            *(["--nogpgcheck"] if nogpgcheck else []))
    refused(p, "hello-9.9-1.amzn2.x86_64", "%s-%s-1.amzn2.x86_64" % target, "amzn2-core")
    assert installed(alu, sample_root) == before
    assert "Complete!" not in p.stdout


def test_header_range_must_match(alu, sample_root, hostile):
    """The right NEVRA but a header-range that is not where the file's
    header is: the file is not the one primary describes."""
    repo, _ = hostile
    xml = primary_xml(repo)
    blk = pkg_block(xml, "hello", "2.11")
    start, end = map(int, re.search(r'header-range start="(\d+)" end="(\d+)"', blk).groups())
    bad = blk.replace('start="%d" end="%d"' % (start, end), 'start="%d" end="%d"' % (start + 8, end + 8))
    set_primary(repo, xml.replace(blk, bad))
    p = alu("--installroot", sample_root, "update", "-y", "hello")
    refused(p, "hello-2.11-1.amzn2.x86_64", "header")
    assert "hello-2.10-1.amzn2.x86_64" in installed(alu, sample_root)


def test_same_base_name_two_packages(alu, sample_root, hostile):
    """a/pkg.rpm is hello-2.11, b/pkg.rpm is greet-1.2: two files with one base
    name each land in a cache file of their own and each is applied."""
    repo, _ = hostile
    xml = primary_xml(repo)
    for sub, (name, ver) in (("a", ("hello", "2.11")), ("b", ("greet", "1.2"))):
        blk = pkg_block(xml, name, ver)
        src = re.search(r'<location href="([^"]+)"/>', blk).group(1)
        (repo / sub).mkdir()
        shutil.copy(repo / src, repo / sub / "pkg.rpm")
        xml = xml.replace(blk, blk.replace(src, "%s/pkg.rpm" % sub))
    set_primary(repo, xml)
    p = alu("--installroot", sample_root, "update", "-y", "hello", "greet")
    assert p.returncode == 0, p.stdout + p.stderr
    now = installed(alu, sample_root)
    assert "hello-2.11-1.amzn2.x86_64" in now and "greet-1.2-1.amzn2.x86_64" in now, now
    # yum's download lines still show the file's name, not the cache's
    assert re.search(r"\): pkg\.rpm\s", p.stdout), p.stdout


def test_cached_file_with_wrong_content_is_fetched_again(alu, sample_root, hostile):
    """A file already in the package cache under the name the download would
    use, with other bytes: it is not taken as the package."""
    repo, _ = hostile
    p = alu("--installroot", sample_root, "update", "-y", "--downloadonly", "hello")
    assert p.returncode == 0, p.stderr
    pk = list((sample_root / "var/cache/alupdate/amzn2-core/packages").glob("*hello-2.11*.rpm"))
    assert len(pk) == 1, pk
    xml = primary_xml(repo)
    sha = re.search(r'pkgid="YES">([0-9a-f]+)<', pkg_block(xml, "hello", "2.11")).group(1)
    assert sha in pk[0].name   # named by its checksum
    shutil.copy(repo / "Packages/hello-2.10-1.amzn2.x86_64.rpm", pk[0])
    p = alu("--installroot", sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "hello-2.11-1.amzn2.x86_64" in installed(alu, sample_root)


# ---- metadata checksums ------------------------------------------------------

def tampered_same_size(repo):
    """An uncompressed primary.xml as published, and the same bytes with
    hello 2.11 turned into 2.12: one size, other content."""
    raw = primary_xml(repo).encode()
    bad = raw.replace(b'ver="2.11"', b'ver="2.12"')
    assert bad != raw and len(bad) == len(raw)
    return raw, bad


@pytest.mark.parametrize("ctype", ["sha512", "sha384", "sha256", "sha224", "sha1", "sha"])
def test_data_checksum_every_kind(alu, sample_root, hostile, ctype):
    """repomd.xml names primary by CTYPE; a file of the right size but other
    content is refused under every kind, the right one is taken."""
    repo, _ = hostile
    raw, bad = tampered_same_size(repo)
    publish(repo, "primary", raw, "primary.xml", ctype)
    (repo / "repodata/primary.xml").write_bytes(bad)
    p = alu("--installroot", sample_root, "makecache")
    refused(p, "amzn2-core", "primary.xml", "expected")
    assert "hello" not in alu("--installroot", sample_root, "-C", "check-update").stdout
    (repo / "repodata/primary.xml").write_bytes(raw)
    p = alu("--installroot", sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    p = alu("--installroot", sample_root, "check-update")
    assert p.returncode == 100 and "2.11-1.amzn2" in p.stdout, p.stdout + p.stderr


def test_data_without_checksum_refused(alu, sample_root, hostile):
    repo, _ = hostile
    raw, bad = tampered_same_size(repo)
    publish(repo, "primary", bad, "primary.xml", None)
    p = alu("--installroot", sample_root, "makecache")
    refused(p, "amzn2-core", "no usable checksum", "primary")
    assert "2.12" not in alu("--installroot", sample_root, "-C", "check-update").stdout


def test_md5_only(alu, sample_root, hostile):
    """md5 alone: refused while the repository checks signatures, a warning
    without (yum's gpgcheck=0 repositories)."""
    repo, write = hostile
    raw, _ = tampered_same_size(repo)
    publish(repo, "primary", raw, "primary.xml", "md5")
    refused(alu("--installroot", sample_root, "makecache"), "md5", "gpgcheck")
    text = (sample_root / "etc/yum.repos.d/amzn2-core.repo").read_text()
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(text.replace("gpgcheck=1", "gpgcheck=0"))
    p = alu("--installroot", sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    assert "md5" in p.stderr and "warning" in p.stderr.lower(), p.stderr


def test_open_checksum_and_size(alu, sample_root, hostile):
    """The compressed file is what repomd.xml says, its content is not what
    open-checksum (or open-size) says: refused."""
    repo, _ = hostile
    raw, bad = tampered_same_size(repo)
    gz = gzip.compress(bad, mtime=0)
    publish(repo, "primary", gz, "p.xml.gz", "sha256", raw)
    refused(alu("--installroot", sample_root, "makecache"), "open-checksum", "p.xml.gz")
    publish(repo, "primary", gzip.compress(raw, mtime=0), "p.xml.gz", "sha256", raw,
            open_size=len(raw) - 10)
    refused(alu("--installroot", sample_root, "makecache"), "open-size", "p.xml.gz")
    assert alu("--installroot", sample_root, "-C", "check-update").returncode == 1


# ---- rollback ----------------------------------------------------------------

def test_older_repomd_refused(alu, sample_root, hostile):
    """A mirror serving an older repomd.xml (older revision, or older
    timestamps when revisions do not compare) than the cached one is refused;
    allow_metadata_rollback=1 takes it (snapshot pinning)."""
    repo, write = hostile
    md = repo / "repodata/repomd.xml"
    text = md.read_text()
    md.write_text(re.sub(r"<revision>[^<]*</revision>", "<revision>1700000100</revision>", text))
    assert alu("--installroot", sample_root, "makecache").returncode == 0
    # older revision
    md.write_text(re.sub(r"<revision>[^<]*</revision>", "<revision>1700000000</revision>", text))
    p = alu("--installroot", sample_root, "makecache")
    refused(p, "amzn2-core", "1700000000", "1700000100", "rollback", "allow_metadata_rollback")
    # a revision that is not a number: the newest timestamp decides
    ts = re.findall(r"<timestamp>(\d+)</timestamp>", text)
    older = re.sub(r"<timestamp>\d+</timestamp>", "<timestamp>%d</timestamp>" % (int(ts[0]) - 3600),
                   text)
    md.write_text(re.sub(r"<revision>[^<]*</revision>", "<revision>snap-a</revision>", older))
    refused(alu("--installroot", sample_root, "makecache"), "timestamp", "rollback")
    # the cache still answers from the newer metadata
    assert alu("--installroot", sample_root, "-C", "check-update").returncode == 100
    write("allow_metadata_rollback=1\n")
    p = alu("--installroot", sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    # [main] sets it for every repository too
    conf = sample_root / "etc/yum.conf"
    write()
    oldest = re.sub(r"<timestamp>\d+</timestamp>", "<timestamp>%d</timestamp>" % (int(ts[0]) - 7200),
                    text)
    md.write_text(re.sub(r"<revision>[^<]*</revision>", "<revision>1600000000</revision>", oldest))
    refused(alu("--installroot", sample_root, "makecache"), "rollback")
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\nallow_metadata_rollback=1\n"))
    assert alu("--installroot", sample_root, "makecache").returncode == 0


def test_metadata_max_age(alu, sample_root, hostile):
    """A mirror frozen on old metadata: with metadata_max_age=7d a repomd.xml
    whose newest timestamp is ten days old is refused, also when it is the
    one already cached."""
    repo, write = hostile
    md = repo / "repodata/repomd.xml"
    ten_days = int(time.time()) - 10 * 86400
    md.write_text(re.sub(r"<timestamp>\d+</timestamp>", "<timestamp>%d</timestamp>" % ten_days,
                         md.read_text()))
    write("metadata_max_age=30d\n")
    assert alu("--installroot", sample_root, "makecache").returncode == 0
    write("metadata_max_age=7d\n")
    refused(alu("--installroot", sample_root, "makecache"), "amzn2-core", "10 days old",
            "metadata_max_age")
    shutil.rmtree(sample_root / "var/cache/alupdate", ignore_errors=True)   # a first fetch too
    refused(alu("--installroot", sample_root, "makecache"), "metadata_max_age")
    write()
    assert alu("--installroot", sample_root, "makecache").returncode == 0


# ---- repo_gpgcheck keys: the same lookup as package keys ------------------------

def gpg_sign(repo, gnupg, uid):
    md = repo / "repodata/repomd.xml"
    subprocess.run(["gpg", "--homedir", str(gnupg), "--batch", "--yes", "--detach-sign", "--armor",
                    "-u", uid, "-o", str(md) + ".asc", str(md)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL)


@pytest.fixture
def gnupg(mirror, tmp_path):
    g = tmp_path / "gnupg"
    shutil.copytree(mirror.outdir / "gnupg", g)
    g.chmod(0o700)
    yield g
    subprocess.run(["gpgconf", "--homedir", str(g), "--kill", "all"], capture_output=True)


def test_repo_gpgcheck_key_in_root(alu, sample_root, hostile, gnupg):
    """gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2 (AL2's line)
    under --installroot: the root's key file checks repomd.xml.asc, as it
    checks the packages."""
    repo, write = hostile
    gpg_sign(repo, gnupg, "test@alupdate.invalid")
    write("repo_gpgcheck=1\n")
    p = alu("--installroot", sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    assert alu("--installroot", sample_root, "check-update").returncode == 100


def test_repo_gpgcheck_root_key_wins_over_host(alu, sample_root, hostile, gnupg, mirror, tmp_path):
    """A key path that exists both in the root (the other key) and on the host
    (the signing key): the root's is the one trusted, for repomd.xml as for
    packages; a repomd.xml signed by the host's key is refused."""
    repo, write = hostile
    hostdir = tmp_path / "keys"
    hostdir.mkdir()
    shutil.copy(mirror.key, hostdir / "k")
    inroot = sample_root / str(hostdir).lstrip("/")
    inroot.mkdir(parents=True)
    shutil.copy(mirror.other_key, inroot / "k")
    gpg_sign(repo, gnupg, "test@alupdate.invalid")
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
        "[amzn2-core]\nname=hostile\nbaseurl=file://%s\ngpgcheck=0\nrepo_gpgcheck=1\n"
        "gpgkey=file://%s/k\nenabled=1\n" % (repo, hostdir))
    refused(alu("--installroot", sample_root, "makecache"), "amzn2-core", "signature")
    # without the root's copy the host's is read (dnf's fallback), as for packages
    (inroot / "k").unlink()
    assert alu("--installroot", sample_root, "makecache").returncode == 0


# ---- a small server of our own ------------------------------------------------

class Srv(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        # as web servers do: "/a/../b" is "/b"
        path = posixpath.normpath(self.path.split("?")[0])
        for prefix, fn in self.server.routes:
            if path.startswith(prefix):
                return fn(self, path[len(prefix):])
        self.send_error(404)


def serve_dir(root):
    def fn(h, rel):
        f = Path(root) / rel
        if not f.is_file():
            return h.send_error(404)
        b = f.read_bytes()
        h.send_response(200)
        h.send_header("Content-Length", str(len(b)))
        h.end_headers()
        h.wfile.write(b)
    return fn


@pytest.fixture
def server():
    """start(routes, tls=None) -> base URL; routes: [(prefix, fn(handler, rest))].
    Each server stops after 60 s whatever happens."""
    servers = []

    def start(routes, tls=None):
        s = Srv(("127.0.0.1", 0), Handler)
        s.routes = routes
        s.sent = 0
        if tls:
            s.socket = tls.wrap_socket(s.socket, server_side=True)
        threading.Thread(target=s.serve_forever, daemon=True).start()
        threading.Timer(60, s.shutdown).start()
        servers.append(s)
        return "%s://127.0.0.1:%d" % ("https" if tls else "http", s.server_address[1]), s

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def endless(srv, length=None, limit=64 << 20):
    """A body that goes on (up to LIMIT bytes or 20 s): no Content-Length, or
    a false one."""
    def fn(h, rel):
        h.send_response(200)
        if length:
            h.send_header("Content-Length", str(length))
        else:
            h.send_header("Connection", "close")
        h.end_headers()
        chunk, end = b"<" * 65536, time.time() + 20
        try:
            while srv[0].sent < limit and time.time() < end:
                h.wfile.write(chunk)
                srv[0].sent += len(chunk)
        except OSError:
            pass
        h.close_connection = True
    return fn


# ---- resource limits -----------------------------------------------------------

@pytest.mark.parametrize("length", [None, 200 << 20])
def test_endless_body_stops_at_metadata_size(alu, sample_root, hostile, server, length):
    """repomd.xml says primary is 2.8 KB; the server sends on and on (or
    announces 200 MB): the download stops at the size given, fails, and its
    .part is gone."""
    repo, write = hostile
    md = (repo / "repodata/repomd.xml").read_text()
    href = re.search(r'<location href="([^"]+)"', data_block(md, "primary").group(0)).group(1)
    size = int(re.search(r"<size>(\d+)</size>", data_block(md, "primary").group(0)).group(1))
    box = []
    base, s = server([("/repo/" + href, endless(box, length)), ("/repo/", serve_dir(repo))])
    box.append(s)
    write(baseurl=base + "/repo/")
    t = time.time()
    p = alu("--installroot", sample_root, "makecache", timeout=60)
    refused(p, "amzn2-core", "larger than the %d bytes expected" % size)
    assert time.time() - t < 15
    assert s.sent < 32 << 20, s.sent
    cache = sample_root / "var/cache/alupdate"
    assert not list(cache.rglob("*.part")), list(cache.rglob("*"))
    assert sum(f.stat().st_size for f in cache.rglob("*") if f.is_file() and "mdb" not in str(f)) < 1 << 20


def test_nested_gzip_refused(alu, sample_root, hostile):
    """primary.xml.gz that is gzip inside gzip (a 32 KiB nested file decoded
    for minutes): one layer is what the name says, a second is refused."""
    repo, _ = hostile
    raw = primary_xml(repo).encode()
    publish(repo, "primary", gzip.compress(gzip.compress(raw, mtime=0), mtime=0), "n.xml.gz",
            "sha256", raw)
    refused(alu("--installroot", sample_root, "makecache"), "n.xml.gz", "compressed more than once")
    # and a name that says gzip over xz data is not believed either
    import lzma
    publish(repo, "primary", lzma.compress(raw), "x.xml.gz", "sha256", raw)
    refused(alu("--installroot", sample_root, "makecache"), "x.xml.gz", "not gzip")
    publish(repo, "primary", lzma.compress(raw), "x.xml.xz", "sha256", raw)
    assert alu("--installroot", sample_root, "makecache").returncode == 0


@functools.lru_cache(maxsize=1)
def bz2_bomb():
    comp = bz2.BZ2Compressor(9)
    zero = b"\0" * (1 << 20)
    return b"".join(comp.compress(zero) for _ in range(80)) + comp.flush()


@pytest.mark.parametrize("with_open_size", [True, False])
def test_bzip2_primary_db_bomb(alu, sample_root, hostile, with_open_size):
    """A primary_db of a few bytes that decodes to 80 MiB: decoding stops at
    repomd.xml's open-size (or, without one, at the cap) and the temporary is
    removed."""
    repo, _ = hostile
    bomb = bz2_bomb()
    assert len(bomb) < 12 << 10
    drop(repo, "updateinfo")
    publish(repo, "primary", bomb, "b.sqlite.bz2", "sha256",
            open_size=100_000 if with_open_size else None)
    md = repo / "repodata/repomd.xml"
    md.write_text(md.read_text().replace('<data type="primary">', '<data type="primary_db">'))
    t = time.time()
    p = alu("--installroot", sample_root, "makecache", timeout=120)
    refused(p, "b.sqlite.bz2", "decodes to more than %d bytes" % (100_000 if with_open_size else 64 << 20))
    if with_open_size:
        assert time.time() - t < 10
    cache = sample_root / "var/cache/alupdate"
    left = [f for f in cache.rglob("*") if f.is_file() and f.stat().st_size > 1 << 20 and "mdb" not in str(f)]
    assert not left, left


# ---- scheme policy --------------------------------------------------------------

def test_http_mirrorlist_never_leads_to_file(alu, sample_root, hostile, server):
    repo, write = hostile
    listing = ("file://%s\n" % repo).encode()

    def ml(h, rel):
        h.send_response(200)
        h.send_header("Content-Length", str(len(listing)))
        h.end_headers()
        h.wfile.write(listing)
    base, _ = server([("/mirror.list", ml)])
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
        "[amzn2-core]\nname=hostile\nmirrorlist=%s/mirror.list\ngpgcheck=1\ngpgkey=file://%s\n"
        "enabled=1\n" % (base, KEY))
    p = alu("--installroot", sample_root, "makecache")
    refused(p, "mirror.list", "file://%s" % repo, "refused")


def redirector(to):
    def fn(h, rel):
        h.send_response(302)
        h.send_header("Location", to + rel)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return fn


@pytest.fixture
def tls(tmp_path):
    import ssl
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", "k.pem", "-out", "c.pem"],
                   cwd=tmp_path, check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    return ctx


def test_https_redirect_to_http_refused(alu, sample_root, hostile, server, tls):
    repo, write = hostile
    plain, _ = server([("/repo/", serve_dir(repo))])
    secure, _ = server([("/repo/", redirector(plain + "/repo/"))], tls=tls)
    write("sslverify=0\n", baseurl=secure + "/repo/")
    p = alu("--installroot", sample_root, "makecache")
    refused(p, "redirect", plain, "refused")
    # http to http is an ordinary redirect
    other, _ = server([("/repo/", redirector(plain + "/repo/"))])
    write(baseurl=other + "/repo/")
    assert alu("--installroot", sample_root, "makecache").returncode == 0


def test_http_redirect_to_file_refused(alu, sample_root, hostile, server):
    repo, write = hostile
    base, _ = server([("/repo/", redirector("file://%s/" % repo))])
    write(baseurl=base + "/repo/")
    refused(alu("--installroot", sample_root, "makecache"), "file://", "refused")


@pytest.mark.parametrize("href", ["../outside/primary.xml.gz", "repodata/../../outside/primary.xml.gz",
                                  "repodata/%2e%2e/%2E%2e/outside/primary.xml.gz", "ABS", "URL"])
def test_data_href_outside_the_repository(alu, sample_root, hostile, href):
    repo, _ = hostile
    outside = repo.parent / "outside"
    outside.mkdir()
    raw = primary_xml(repo).encode()
    gz = gzip.compress(raw, mtime=0)
    (outside / "primary.xml.gz").write_bytes(gz)
    href = {"ABS": str(outside / "primary.xml.gz"), "URL": "file://%s/primary.xml.gz" % outside}.get(href, href)
    publish(repo, "primary", gz, "x.xml.gz", "sha256", raw)
    md = repo / "repodata/repomd.xml"
    md.write_text(md.read_text().replace('href="repodata/x.xml.gz"', 'href="%s"' % href))
    refused(alu("--installroot", sample_root, "makecache"), "leaves the repository")


def test_package_location_outside_the_repository(alu, sample_root, hostile):
    repo, _ = hostile
    outside = repo.parent / "outside"
    outside.mkdir()
    xml = primary_xml(repo)
    blk = pkg_block(xml, "hello", "2.11")
    src = re.search(r'<location href="([^"]+)"/>', blk).group(1)
    shutil.copy(repo / src, outside / "hello.rpm")
    set_primary(repo, xml.replace(blk, blk.replace(src, "../outside/hello.rpm")))
    p = alu("--installroot", sample_root, "update", "-y", "hello")
    refused(p, "../outside/hello.rpm", "leaves the repository")
    assert "hello-2.10-1.amzn2.x86_64" in installed(alu, sample_root)


def test_http_location_above_base_on_same_host(alu, sample_root, hostile, server):
    """Amazon Linux 2's primary names packages "../../../../../blobstore/<sha>/x.rpm":
    over http(s) a location may climb out of the base on the same host (the
    server owns those paths), just not above the host's root."""
    repo, write = hostile
    blob = repo.parent / "blobstore" / "ab"
    blob.mkdir(parents=True)
    xml = primary_xml(repo)
    blk = pkg_block(xml, "hello", "2.11")
    src = re.search(r'<location href="([^"]+)"/>', blk).group(1)
    shutil.copy(repo / src, blob / "hello.rpm")
    set_primary(repo, xml.replace(blk, blk.replace(src, "../../blobstore/ab/hello.rpm")))
    base, _ = server([("/top/repo/", serve_dir(repo)), ("/blobstore/", serve_dir(blob.parent))])
    write(baseurl=base + "/top/repo/")
    p = alu("--installroot", sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "hello-2.11-1.amzn2.x86_64" in installed(alu, sample_root)
    # above the host's root: refused
    xml = primary_xml(repo)
    blk = pkg_block(xml, "greet", "1.2")
    src = re.search(r'<location href="([^"]+)"/>', blk).group(1)
    set_primary(repo, xml.replace(blk, blk.replace(src, "../../../../etc/greet.rpm")))
    p = alu("--installroot", sample_root, "update", "-y", "greet")
    refused(p, "../../../../etc/greet.rpm", "leaves the repository")


def test_package_endless_body_stops_at_its_size(alu, sample_root, hostile, server):
    """The same bound for packages: primary's size, then the download fails
    over, and no .part is left in the package cache."""
    repo, write = hostile
    xml = primary_xml(repo)
    src = re.search(r'<location href="([^"]+)"/>', pkg_block(xml, "hello", "2.11")).group(1)
    box = []
    base, s = server([("/repo/" + src, endless(box)), ("/repo/", serve_dir(repo))])
    box.append(s)
    write(baseurl=base + "/repo/")
    p = alu("--installroot", sample_root, "update", "-y", "hello", timeout=60)
    refused(p, "hello-2.11-1.amzn2.x86_64", "bytes expected")
    # the client hung up long before the server's 64 MiB (what was sent went to
    # socket buffers, not to the disk)
    assert s.sent < 32 << 20, s.sent
    assert not list((sample_root / "var/cache/alupdate").rglob("*.part")), p.stderr
    assert "hello-2.10-1.amzn2.x86_64" in installed(alu, sample_root)
