# SPDX-License-Identifier: MIT
"""The sample mirror itself (repo-mirror/): served over http and https in
Amazon Linux 2's shape, signed, with AL2-style updateinfo, and usable by the
real tools (rpmkeys, dnf). The alupdate tests build on what is checked here."""
import bz2
import gzip
import hashlib
import os
import re
import socket
import sqlite3
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from conftest import make_root, rpm_q, set_mirror_base

NS = {"r": "http://linux.duke.edu/metadata/repo"}
REGIONS = ["us-east-1", "eu-west-1"]

# advisories whose packages exist for x86_64 (dnf shows these) and the two
# that must never apply on x86_64 (aarch64 package; package not in the repo)
X86_ADVISORIES = {
    "ALAS2-2026-0001", "ALAS2-2026-0002", "ALAS2-2026-0003", "ALAS2-2026-0004",
    "ALAS2-2026-0005", "ALAS2-2026-0006", "ALAS2-2026-0007", "ALAS2-2026-0008",
    "ALAS2KERNEL-5.10-2026-001", "ALAS2KERNEL-5.10-2026-002", "ALAS2-2025-0100",
}
NEVER_X86 = {"ALAS2-2026-0009", "ALAS2-2026-0010"}
# available to the old root: not the newpackage one (libgreet 1.0 is installed)
# and not ALAS2-2025-0100 (fixed in hello 2.9, older than the installed 2.10)
OLD_ROOT_PENDING = X86_ADVISORIES - {"ALAS2-2026-0007", "ALAS2-2025-0100"}


def fetch(url, mirror, timeout=10):
    ctx = ssl.create_default_context(cafile=mirror.ca)
    with urllib.request.urlopen(url, timeout=timeout, context=ctx) as r:
        return r.read()


def repomd(base_url, mirror):
    """{type: (href, sha256, size, open-sha256)} of BASE/repodata/repomd.xml."""
    root = ET.fromstring(fetch(base_url.rstrip("/") + "/repodata/repomd.xml", mirror))
    out = {}
    for d in root.findall("r:data", NS):
        # an uncompressed file (group: comps.xml) has no open-checksum: it is its checksum
        oc = d.find("r:open-checksum", NS)
        out[d.get("type")] = (d.find("r:location", NS).get("href"),
                              d.find("r:checksum", NS).text, int(d.find("r:size", NS).text),
                              (oc if oc is not None else d.find("r:checksum", NS)).text)
        assert d.find("r:checksum", NS).get("type") == "sha256"
    return out


def decompress(name, data):
    if name.endswith(".gz"):
        return gzip.decompress(data)
    if name.endswith(".bz2"):
        return bz2.decompress(data)
    return data


def updateinfo(mirror, region="us-east-1"):
    base = mirror.repo(region).as_uri()
    href = repomd(base, mirror)["updateinfo"][0]
    raw = decompress(href, (mirror.repo(region) / href).read_bytes())
    return raw, ET.fromstring(raw)


# --- layout and serving ----------------------------------------------------

def test_manifest_and_layout(mirror):
    names = {p.name for p in mirror.manifest}
    assert names == {"libgreet", "greet", "hello", "alu-data", "kernel", "system-release", "alu-sh"}
    assert len([p for p in mirror.manifest if p.arch == "src"]) == 15
    for region in REGIONS:
        for p in mirror.manifest:
            assert (mirror.www / region / "2/core" / mirror.core / p.path).is_file(), p
        for sub in ("x86_64", "SRPMS"):
            ml = (mirror.www / region / "2/core/latest" / sub / "mirror.list").read_text()
            assert "\n" not in ml  # one line, no trailing newline, as AL2's
            assert ml == mirror.repo(region, sub).as_uri()
    old = {p.nevra for p in mirror.manifest if "old" in p.sets}
    assert old == {"libgreet-0:1.0-1.amzn2.x86_64", "greet-0:1.0-1.amzn2.x86_64",
                   "hello-0:2.10-1.amzn2.x86_64", "alu-data-0:1.0-1.amzn2.noarch",
                   "kernel-0:5.10.100-1.amzn2.x86_64", "system-release-0:2-1.amzn2.noarch",
                   "alu-sh-0:1.0-1.amzn2.x86_64"}
    assert mirror.key.read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert mirror.other_key.read_text() != mirror.key.read_text()


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("region", REGIONS)
def test_served_repositories(mirror, region, scheme):
    server = getattr(mirror, scheme)
    for sub in ("x86_64", "SRPMS"):
        # yum appends ?instance_id=...&region=...; the answer ignores it
        ml = fetch("%s/%s/2/core/latest/%s/mirror.list?instance_id=i-0123&region=%s"
                   % (server, region, sub, region), mirror).decode()
        assert ml == "%s/%s/2/core/%s/%s/" % (server, region, mirror.core, sub)
        md = repomd(ml, mirror)
        if region == "us-east-1":
            assert {"primary", "filelists", "other"} <= set(md)
            assert not {"primary_db", "filelists_db", "other_db"} & set(md)
        else:
            assert {"primary_db", "filelists_db", "other_db"} <= set(md)
            assert not {"primary", "filelists", "other"} & set(md)
            assert all(md[t][0].endswith(".sqlite.bz2") for t in ("primary_db", "filelists_db", "other_db"))
        assert ("updateinfo" in md) == (sub == "x86_64")
        # groups (repo-mirror/comps.xml) for the binary repository only, as AL2
        assert ("group" in md) == (sub == "x86_64")
        packed = "group_gz" if region == "us-east-1" else "group_bz2"   # createrepo_c --compress-type
        assert (packed in md) == (sub == "x86_64")
        for href, sha, size, open_sha in md.values():
            data = fetch(ml + href, mirror)
            assert len(data) == size and hashlib.sha256(data).hexdigest() == sha, href
            assert hashlib.sha256(decompress(href, data)).hexdigest() == open_sha, href
        # a package straight from the served tree
        pkg = next(p for p in mirror.manifest if (p.arch == "src") == (sub == "SRPMS"))
        assert fetch(ml + pkg.path.split("/", 1)[1], mirror)[:4] == b"\xed\xab\xee\xdb"


def test_primary_db_is_sqlite(mirror, tmp_path):
    repo = mirror.repo("eu-west-1")
    href = repomd(repo.as_uri(), mirror)["primary_db"][0]
    db = tmp_path / "primary.sqlite"
    db.write_bytes(bz2.decompress((repo / href).read_bytes()))
    con = sqlite3.connect(db)
    rows = con.execute("select name, epoch, version, release, arch, location_href from packages").fetchall()
    want = {(p.name, p.epoch, p.version, p.release, p.arch, p.path.split("/", 1)[1])
            for p in mirror.manifest if p.arch != "src"}
    assert set(rows) == want
    req = {r[0] for r in con.execute(
        "select r.name from requires r join packages p using(pkgKey) where p.name='greet'")}
    assert "libgreet.so.1()(64bit)" in req and "libgreet" in req
    assert con.execute("select count(*) from files where name='/bin/sh'").fetchone()[0] == 1
    tables = {r[0] for r in con.execute("select name from sqlite_master where type='table'")}
    assert {"packages", "provides", "requires", "conflicts", "obsoletes", "files"} <= tables


def test_fault_locations(mirror):
    ctx = ssl.create_default_context(cafile=mirror.ca)
    for region, code in (("broken-500", 500), ("broken-404", 404)):
        for path in ("2/core/latest/x86_64/mirror.list", "2/core/%s/x86_64/repodata/repomd.xml" % mirror.core):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen("%s/%s/%s" % (mirror.https, region, path), timeout=10, context=ctx)
            assert e.value.code == code
    # failover: two broken mirrors before the good one
    lines = fetch(mirror.http + "/failover/2/core/latest/x86_64/mirror.list", mirror).decode().split("\n")
    assert lines == ["%s/%s/2/core/%s/x86_64/" % (mirror.http, r, mirror.core)
                     for r in ("broken-500", "broken-404", "us-east-1")]
    # broken-tamper: primary.xml.gz no longer matches repomd.xml
    base = "%s/broken-tamper/2/core/%s/x86_64/" % (mirror.http, mirror.core)
    href, sha, size, open_sha = repomd(base, mirror)["primary"]
    data = fetch(base + href, mirror)
    assert hashlib.sha256(data).hexdigest() != sha
    gzip.decompress(data)  # still valid gzip: only the checksum tells
    # broken-slow: its mirror.list comes at once, its files at 1 byte/s
    base = fetch(mirror.http + "/broken-slow/2/core/latest/x86_64/mirror.list", mirror).decode()
    assert base == "%s/broken-slow/2/core/%s/x86_64/" % (mirror.http, mirror.core)
    path = "/broken-slow/2/core/%s/x86_64/repodata/repomd.xml" % mirror.core
    size = (mirror.repo() / "repodata/repomd.xml").stat().st_size
    assert len(partial_get(mirror, path.replace("broken-slow", "us-east-1"), 5)) > size
    assert len(partial_get(mirror, path, 1.5)) < size / 2


def partial_get(mirror, path, seconds):
    """What a plain GET of path receives within seconds."""
    port = int(mirror.http.rsplit(":", 1)[1])
    end = time.monotonic() + seconds
    got = b""
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as s:
        s.sendall(b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n"
                  % (path.encode(), port))
        while time.monotonic() < end:
            s.settimeout(max(0.01, end - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except (socket.timeout, TimeoutError):
                break
            if not chunk:
                break
            got += chunk
    return got


# --- packages ------------------------------------------------------------------

def rpm_files(mirror):
    return [mirror.repo("us-east-1", "SRPMS" if p.arch == "src" else "x86_64") / p.path.split("/", 1)[1]
            for p in mirror.manifest]


def checksig(dbpath, files):
    return subprocess.run(["rpmkeys", "--dbpath", str(dbpath), "--checksig", "-v", *map(str, files)],
                          capture_output=True, text=True)


def test_packages_signed(mirror, tmp_path):
    files = rpm_files(mirror)
    good, other = tmp_path / "good", tmp_path / "other"
    for db, key in ((good, mirror.key), (other, mirror.other_key)):
        db.mkdir()
        subprocess.run(["rpmkeys", "--dbpath", str(db), "--import", str(key)], check=True)
    p = checksig(good, files)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "NOKEY" not in p.stdout and "BAD" not in p.stdout
    assert p.stdout.count("Header V4 RSA/SHA256 Signature") == len(files)
    # header+payload (v3-style, tag 1002) signatures as AL2's, except hello-2.10-2
    assert p.stdout.count("\n    V4 RSA/SHA256 Signature") == len(files) - 2
    # the other key does not verify them
    p = checksig(other, files[:2])
    assert p.returncode != 0 and "NOKEY" in p.stdout


def test_payloads_and_contents(mirror):
    comp = {}
    for f in rpm_files(mirror):
        out = subprocess.run(["rpm", "-qp", "--nosignature", "--qf", "%{NAME} %{ARCH} %{PAYLOADCOMPRESSOR}",
                              str(f)], capture_output=True, text=True, check=True).stdout.split()
        comp[(out[0], f.name.endswith(".src.rpm"))] = out[2]
    assert comp[("hello", False)] == "gzip"
    assert comp[("alu-data", False)] == "xz"
    assert comp[("greet", False)] == "zstd"
    assert comp[("system-release", False)] == "(none)"  # plain cpio, no compressor tag

    def q(name, *args):
        f = mirror.repo() / "Packages" / name
        return subprocess.run(["rpm", "-qp", "--nosignature", *args, str(f)],
                              capture_output=True, text=True, check=True).stdout

    assert "libgreet.so.1()(64bit)" in q("greet-1.0-1.amzn2.x86_64.rpm", "--requires")
    assert "libgreet >= 1.1" in q("greet-1.1-1.amzn2.x86_64.rpm", "--requires")
    assert "libgreet.so.1()(64bit)" in q("libgreet-1.0-1.amzn2.x86_64.rpm", "--provides")
    assert "/boot/vmlinuz-5.10.102-1.amzn2.x86_64" in q("kernel-5.10.102-1.amzn2.x86_64.rpm", "-l")
    assert "system-release(releasever) = 2" in q("system-release-2-1.amzn2.noarch.rpm", "--provides")
    data = q("alu-data-1.1-1.amzn2.noarch.rpm", "--qf", "[%{FILENAMES} %{FILEFLAGS:fflags}\n]")
    assert "/etc/alu-data.conf cn" in data and "/etc/alu-data.defaults c\n" in data
    assert "/var/log/alu-data.log g" in data
    scripts = q("alu-data-1.1-1.amzn2.noarch.rpm", "--scripts")
    assert "postinstall scriptlet" in scripts and "postuninstall scriptlet" in scripts
    assert "/usr/share/doc/hello-2.10/README" in q("hello-2.10-1.amzn2.x86_64.rpm", "-l")


# --- updateinfo ----------------------------------------------------------------

def test_updateinfo_shape(mirror):
    raw, root = updateinfo(mirror)
    assert raw == updateinfo(mirror, "eu-west-1")[0]
    ups = {u.find("id").text: u for u in root.findall("update")}
    assert set(ups) == X86_ADVISORIES | NEVER_X86
    a = ups["ALAS2-2026-0001"]
    assert a.get("type") == "security" and a.get("status") == "final"
    assert a.find("severity").text == "critical"
    refs = a.findall("references/reference")
    assert [r.get("id") for r in refs] == ["CVE-2026-10001", "CVE-2026-10002"]
    assert all(r.get("type") == "cve" and r.get("href").startswith("https://") for r in refs)
    assert "CVSS:3.1/" in a.find("description").text
    sev = {i: (u.find("severity").text if u.find("severity") is not None else None) for i, u in ups.items()}
    assert sev["ALAS2-2026-0002"] == "important" and sev["ALAS2-2026-0003"] == "medium"
    assert sev["ALAS2-2026-0004"] == "low" and sev["ALAS2KERNEL-5.10-2026-002"] == "critical"
    assert sev["ALAS2-2026-0008"] is None and ups["ALAS2-2026-0008"].get("type") == "security"
    types = {u.get("type") for u in ups.values()}
    assert types == {"security", "bugfix", "enhancement", "newpackage"}
    pkgs = root.findall("update/pkglist/collection/package")
    assert all(p.get("epoch") is not None for p in pkgs)
    assert {p.get("arch") for p in pkgs} == {"x86_64", "noarch", "src", "aarch64"}
    dates = [u.find("issued").get("date") for u in ups.values()]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?", d) for d in dates)
    assert any(len(d) == 19 for d in dates) and any(len(d) == 16 for d in dates)
    assert b"&amp;quot;" in raw
    assert ups["ALAS2-2026-0002"].find("pkglist/collection").get("short") == "amazon-linux-2"


# --- sample roots ----------------------------------------------------------

def test_old_root(mirror, sample_root):
    installed = set(rpm_q(sample_root, "-qa", "--qf", "%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n"))
    keys = {n for n in installed if n.startswith("gpg-pubkey-")}
    assert len(keys) == 1  # the imported test key, as AL2 roots carry theirs
    assert installed - keys == {p.nevra for p in mirror.manifest if "old" in p.sets}
    assert (sample_root / "var/lib/rpm/rpmdb.sqlite").is_file()
    assert (sample_root / "var/lib/alu-data/marker").read_text() == "post 1.0-1.amzn2 1\n"
    repo = (sample_root / "etc/yum.repos.d/amzn2-core.repo").read_text()
    assert re.findall(r"^\[(.*)\]$", repo, re.M) == ["amzn2-core", "amzn2-core-source", "amzn2-core-debuginfo"]
    assert "mirrorlist=%s/$awsregion/$releasever/core/latest/$basearch/mirror.list" % mirror.file in repo
    assert re.findall(r"^enabled=(\d)$", repo, re.M) == ["1", "0", "0"]
    assert (sample_root / "etc/yum/vars/awsregion").read_text() == "us-east-1\n"
    assert "distroverpkg=system-release" in (sample_root / "etc/yum.conf").read_text()
    assert (sample_root / "etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2").read_bytes() == mirror.key.read_bytes()
    # scriptlets and programs run in a chroot of the root
    out = subprocess.run(["chroot", str(sample_root), "/usr/bin/hello", "--version"],
                         capture_output=True, text=True)
    assert out.stdout == "hello 2.10-1.amzn2\n"


def test_new_root(mirror, tmp_path):
    root = make_root(tmp_path / "new", mirror, "new")
    installed = set(rpm_q(root, "-qa", "--qf", "%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\n"))
    assert {n for n in installed if not n.startswith("gpg-pubkey-")} == \
        {p.nevra for p in mirror.manifest if "new" in p.sets}


# --- dnf against the mirror ------------------------------------------------

def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT with ROOT's own repo file and variables; HOME's
    .rpmmacros makes dnf's rpm use ROOT/var/lib/rpm like `rpm --root`."""
    home = tmp_path / "home"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\ninstallonly_limit=3\n")
    cmd = ["dnf", "-c", str(home / "dnf.conf"), "--installroot=%s" % root, "--releasever=2",
           "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root, "--setopt=cachedir=%s" % (tmp_path / "cache"),
           *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))


def test_dnf_installs_from_mirror_over_http(mirror, sample_root, tmp_path):
    set_mirror_base(sample_root, mirror.http)
    p = dnf(sample_root, tmp_path, "-y", "install", "greet-1.1")
    assert p.returncode == 0, p.stdout + p.stderr
    # greet 1.1 requires libgreet >= 1.1: dnf pulled it in
    assert rpm_q(sample_root, "-q", "greet", "libgreet") == [
        "greet-1.1-1.amzn2.x86_64", "libgreet-1.1-1.amzn2.x86_64"]
    p = dnf(sample_root, tmp_path, "-y", "upgrade", "hello")
    assert p.returncode == 0, p.stdout + p.stderr
    assert rpm_q(sample_root, "-q", "hello") == ["hello-2.11-1.amzn2.x86_64"]
    assert (sample_root / "usr/share/doc/hello-2.11/README").is_file()
    # dnf checked the signature against the root's imported key (gpgcheck=1)
    key = rpm_q(sample_root, "-q", "gpg-pubkey", "--qf", "%{VERSION}\n")[0]
    sig = rpm_q(sample_root, "-q", "hello", "--qf", "%{RSAHEADER:pgpsig}\n")[0]
    assert sig.endswith("Key ID %s" % key[-8:].lower()) or key[-8:].lower() in sig


def test_dnf_upgrade_over_https_runs_scriptlets(mirror, sample_root, tmp_path):
    set_mirror_base(sample_root, mirror.https, ca=mirror.ca)
    p = dnf(sample_root, tmp_path, "-y", "upgrade", "alu-data")
    assert p.returncode == 0, p.stdout + p.stderr
    assert rpm_q(sample_root, "-q", "alu-data") == ["alu-data-1.1-1.amzn2.noarch"]
    marker = (sample_root / "var/lib/alu-data/marker").read_text().splitlines()
    assert marker == ["post 1.0-1.amzn2 1", "post 1.1-1.amzn2 2", "postun 1.0-1.amzn2 1"]


def test_dnf_updateinfo(mirror, sample_root, tmp_path):
    set_mirror_base(sample_root, mirror.http)
    def ids(out):
        return {m.group(1) for m in re.finditer(r"^[i ]*\s*(ALAS\S+)\s", out, re.M)}

    p = dnf(sample_root, tmp_path, "updateinfo", "list")
    assert p.returncode == 0, p.stdout + p.stderr
    assert ids(p.stdout) == OLD_ROOT_PENDING
    p = dnf(sample_root, tmp_path, "updateinfo", "list", "--all")
    assert p.returncode == 0, p.stdout + p.stderr
    assert ids(p.stdout) == X86_ADVISORIES
    p = dnf(sample_root, tmp_path, "-q", "check-update")
    assert p.returncode == 100
