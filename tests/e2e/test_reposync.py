# SPDX-License-Identifier: MIT
"""reposync: air-gapped mirror copies. The sample mirror is copied over https;
roots are then updated from the copy with no network at all (unshare -n,
file://) and over a plain http server on 127.0.0.1, with the same result as
from the original mirror; dnf reads the copy and agrees; reposync killed with
-9 at several points resumes to a complete, verified copy with never a half
file under a final name; tampered sources are refused and named, the copy
keeping its last good state; snapshots can be pinned by clients."""
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import ALU_BIN, rpm_q, set_mirror_base

REPO = "amzn2-core"


def tree(d):
    """{relative path: sha256} of every file under d."""
    d = Path(d)
    return {str(p.relative_to(d)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in d.rglob("*") if p.is_file()}


def installed(root):
    """The installed set as alupdate's state holds it (NEVRA strings)."""
    p = subprocess.run([ALU_BIN, "--installroot", root, "list", "installed", "--json"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    return sorted("%s-%s-%s.%s" % (r["name"], r["version"], r["release"], r["arch"])
                  for r in rows if r["name"] != "gpg-pubkey")


def rpm_installed(root):
    """The installed set as rpm's database holds it (after dnf)."""
    return sorted(n for n in rpm_q(root, "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n")
                  if not n.startswith("gpg-pubkey"))


def use_baseurl(root, url):
    """Point ROOT's amzn2-core section at url (baseurl=, no mirrorlist)."""
    repo = Path(root) / "etc/yum.repos.d/amzn2-core.repo"
    text = repo.read_text()
    head, sep, rest = text.partition("[%s]\n" % REPO)
    body, nxt, tail = rest.partition("\n[")
    body = re.sub(r"^mirrorlist=.*$", "baseurl=%s" % url, body, flags=re.M)
    repo.write_text(head + sep + body + nxt + tail)


def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT (as test_mirror.py runs it)."""
    home = tmp_path / "dnfhome"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\ninstallonly_limit=3\n")
    cmd = ["dnf", "-c", str(home / "dnf.conf"), "--installroot=%s" % root, "--releasever=2",
           "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root,
           "--setopt=cachedir=%s" % (tmp_path / "dnfcache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))


class Server:
    """A static http server on 127.0.0.1 in a daemon thread; with delay,
    it sends 8 KiB at a time with that pause (for kill -9 tests) and
    answers Range requests (so resumes are real)."""

    def __init__(self, directory, delay=0.0):
        d, pause, srv = str(directory), delay, self
        self.active = self.peak = self.connections = self.ranges = 0
        self.lock = threading.Lock()

        class H(http.server.SimpleHTTPRequestHandler):
            protocol_version = "HTTP/1.1"   # keep-alive: one connection per client worker

            def __init__(self, *a, **kw):
                super().__init__(*a, directory=d, **kw)

            def log_message(self, *a):
                pass

            def setup(self):
                super().setup()
                self.served_rpm = False

            def do_GET(self):
                path = self.translate_path(self.path)
                if not os.path.isfile(path):
                    return self.send_error(404)
                data = Path(path).read_bytes()
                start = 0
                m = re.match(r"bytes=(\d+)-$", self.headers.get("Range", ""))
                if m and int(m.group(1)) < len(data):
                    start = int(m.group(1))
                    with srv.lock:
                        srv.ranges += 1
                    self.send_response(206)
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                with srv.lock:
                    # connections that carried packages (404s of .asc/.key close theirs)
                    if path.endswith(".rpm") and not self.served_rpm:
                        self.served_rpm = True
                        srv.connections += 1
                    srv.active += 1
                    srv.peak = max(srv.peak, srv.active)
                try:
                    for off in range(start, len(data), 8192):
                        self.wfile.write(data[off:off + 8192])
                        if pause:
                            time.sleep(pause)
                finally:
                    with srv.lock:
                        srv.active -= 1

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    made = []
    yield lambda d, delay=0.0: made.append(Server(d, delay)) or made[-1]
    for s in made:
        s.close()


@pytest.fixture(scope="module")
def copy(mirror, tmp_path_factory, _old_root):
    """The sample mirror copied over https (with a per-region mirror.list layout
    pointing back at the copy over file://)."""
    base = tmp_path_factory.mktemp("reposync")
    root, out = base / "cfgroot", base / "copy"
    subprocess.run(["cp", "-a", str(_old_root), str(root)], check=True)
    set_mirror_base(root, mirror.https, ca=mirror.ca)
    p = subprocess.run([ALU_BIN, "--installroot", root, "reposync", "-p", out, "--download-metadata",
                        "--mirrorlist-for", "us-east-1=file://%s" % out], capture_output=True,
                       text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert re.search(r"^amzn2-core: 15 packages \(15 downloaded\), revision 2\.0\.", p.stdout, re.M), p.stdout
    return out


def fresh_root(sample_root, tmp_path, name):
    dst = tmp_path / name
    subprocess.run(["cp", "-a", str(sample_root), str(dst)], check=True)
    return dst


def test_copy_is_the_repository_as_published(mirror, copy):
    """repomd.xml and every file it lists byte for byte (so its signature would
    still verify), every package; nothing else but the mirror.list layout."""
    ours = tree(copy / REPO)
    assert ours == tree(mirror.repo())
    assert not [p for p in copy.rglob("*.part")]
    ml = copy / "us-east-1/2/core/latest/x86_64/mirror.list"
    assert [ln for ln in ml.read_text().splitlines() if not ln.startswith("#")] == \
        ["file://%s/%s/" % (copy, REPO)]


@pytest.fixture
def reference(alu, sample_root, tmp_path, mirror):
    """What `update -y` from the original mirror installs."""
    ref = fresh_root(sample_root, tmp_path, "ref")
    set_mirror_base(ref, mirror.file)
    p = alu("--installroot", ref, "update", "-y")
    assert p.returncode == 0, p.stderr
    return installed(ref)


def test_update_from_copy_without_network(alu, sample_root, tmp_path, copy, reference):
    if subprocess.run(["unshare", "-n", "true"]).returncode:
        pytest.skip("unshare -n is not permitted here")
    root = fresh_root(sample_root, tmp_path, "offline")
    # the layout --mirrorlist-for wrote: only the base of the mirrorlist changes
    set_mirror_base(root, "file://%s" % copy)
    p = subprocess.run(["unshare", "-n", ALU_BIN, "--installroot", root, "update", "-y"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert installed(root) == reference
    assert "hello-2.11-1.amzn2.x86_64" in reference


def test_update_from_copy_over_http(alu, sample_root, tmp_path, copy, reference, server):
    srv = server(copy)
    root = fresh_root(sample_root, tmp_path, "http")
    use_baseurl(root, "%s/%s/" % (srv.url, REPO))
    p = alu("--installroot", root, "update", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(root) == reference


@pytest.mark.skipif(not shutil.which("dnf"), reason="dnf not installed")
def test_dnf_reads_the_copy(alu, sample_root, tmp_path, copy, reference):
    root = fresh_root(sample_root, tmp_path, "dnf")
    use_baseurl(root, "file://%s/%s/" % (copy, REPO))
    ours = alu("--installroot", root, "check-update")
    assert ours.returncode == 100, ours.stderr
    theirs = dnf(root, tmp_path, "-q", "check-update")
    assert theirs.returncode == 100, theirs.stdout + theirs.stderr

    def rows(out):
        return sorted(tuple(ln.split()[:2]) for ln in out.splitlines()
                      if re.match(r"^\S+\.\S+\s+\S+\s+amzn2-core\s*$", ln))
    assert rows(ours.stdout) == rows(theirs.stdout) and rows(ours.stdout)
    p = dnf(root, tmp_path, "-y", "update")
    assert p.returncode == 0, p.stdout + p.stderr
    assert rpm_installed(root) == reference


def test_runs_as_reposync_by_name(tmp_path, copy, sample_root):
    link = tmp_path / "reposync"
    link.symlink_to(ALU_BIN)
    root = fresh_root(sample_root, tmp_path, "cfg")
    use_baseurl(root, "file://%s/%s/" % (copy, REPO))
    out = tmp_path / "newest"
    p = subprocess.run([str(link), "--installroot", root, "-r", REPO, "-p", out, "-n"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    # newest of each name.arch; no --download-metadata: packages only
    names = sorted(x.name for x in (out / REPO / "Packages").iterdir())
    assert "hello-2.11-1.amzn2.x86_64.rpm" in names and "hello-2.10-2.amzn2.x86_64.rpm" not in names
    assert len(names) == 7 and not (out / REPO / "repodata").exists()
    p = subprocess.run([str(link), "--installroot", root, "-r", REPO, "-p", out, "-n",
                        "--download-metadata"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and "still lists the packages that --newest-only" in p.stderr, p.stderr
    assert not list(out.rglob(".reposync-tmp"))


def check_whole(dst, src):
    """Every file under a final name in dst is exactly the source's."""
    for rel, sha in tree(dst).items():
        if rel.endswith(".part"):
            continue
        assert rel in src and src[rel] == sha, "half or foreign file under a final name: " + rel


def test_kill9_and_resume(sample_root, tmp_path, copy, server, mirror):
    srv = server(copy, delay=0.004)
    root = fresh_root(sample_root, tmp_path, "kill")
    use_baseurl(root, "%s/%s/" % (srv.url, REPO))
    src = tree(copy / REPO)
    out = tmp_path / "out"
    cmd = [ALU_BIN, "--installroot", root, "reposync", "-p", out, "--download-metadata"]
    resumed = False
    # several points; a loaded machine may need more tries to land inside a download
    for i, at in enumerate((0.05, 0.3, 0.6, 0.9, 1.2) + (0.1, 0.2, 0.3) * 4):
        if i >= 5 and resumed:
            break
        if i >= 5:
            shutil.rmtree(out, ignore_errors=True)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(at)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if (out / REPO).exists():
            check_whole(out / REPO, src)
            # a download cut short (the network layer's "<final>.part.part")
            resumed |= any(p.name.endswith(".part.part") and p.stat().st_size
                           for p in (out / REPO).rglob("*"))
            # repomd.xml comes last: present only once everything else is
            if (out / REPO / "repodata/repomd.xml").exists():
                assert set(src) <= set(tree(out / REPO))
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert tree(out / REPO) == src
    assert resumed, "no kill landed inside a download"
    # a partial download was continued where it stopped, not fetched again
    assert srv.ranges > 0


@pytest.fixture
def own_source(mirror, tmp_path, sample_root):
    """A private copy of the sample repository as a file:// source, a root
    configured for it and an empty destination: (src dir, root, dest)."""
    src = tmp_path / "src"
    shutil.copytree(mirror.repo(), src)
    root = fresh_root(sample_root, tmp_path, "own")
    use_baseurl(root, "file://%s/" % src)
    return src, root, tmp_path / "dst"


def test_tampered_package_refused(alu, own_source):
    src, root, dst = own_source
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 0, p.stderr
    good = tree(dst / REPO)
    pkg = src / "Packages/hello-2.11-1.amzn2.x86_64.rpm"
    data = bytearray(pkg.read_bytes())
    data[len(data) // 2] ^= 0xff
    pkg.write_bytes(bytes(data))
    (dst / REPO / "Packages/hello-2.11-1.amzn2.x86_64.rpm").unlink()
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 1
    assert "Packages/hello-2.11-1.amzn2.x86_64.rpm" in p.stderr and "sha256" in p.stderr, p.stderr
    now = tree(dst / REPO)
    assert not [r for r in now if "hello-2.11" in r]
    assert {r: s for r, s in good.items() if "hello-2.11" not in r} == now


def test_resigned_package_refused_by_signature(alu, own_source, mirror, tmp_path):
    """A package whose checksum matches a regenerated primary but whose
    signature is not the repository's key: refused by the signature check."""
    src, root, dst = own_source
    if not shutil.which("createrepo_c"):
        pytest.skip("createrepo_c not installed")
    pkg = src / "Packages/greet-1.2-1.amzn2.x86_64.rpm"
    # strip the signature: rpmsign --delsign would need the key; an unsigned
    # rebuild is enough: the header signature is gone, the checksum redone
    p = subprocess.run(["rpmsign", "--delsign", str(pkg)], capture_output=True, text=True)
    if p.returncode:
        pytest.skip("rpmsign --delsign failed: " + p.stderr[-200:])
    subprocess.run(["createrepo_c", "-q", "--update", str(src)], check=True)
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 1
    assert "Packages/greet-1.2-1.amzn2.x86_64.rpm: package is not signed" in p.stderr, p.stderr
    assert ".part" not in p.stderr
    names = [x.name for x in (dst / REPO / "Packages").iterdir()]
    assert not [n for n in names if n.startswith("greet-1.2")]
    # the new metadata did not become the copy's: no repomd.xml at all yet
    assert not (dst / REPO / "repodata/repomd.xml").exists()
    # gpgcheck=0 in the repository: not checked, unless -g/--gpgcheck
    repo = root / "etc/yum.repos.d/amzn2-core.repo"
    text = repo.read_text()
    head, sep, rest = text.partition("[%s]\n" % REPO)
    repo.write_text(head + sep + re.sub(r"^gpgcheck=1$", "gpgcheck=0", rest, count=1, flags=re.M))
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata", "-g")
    assert p.returncode == 1 and "package is not signed" in p.stderr, p.stderr
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 0, p.stderr
    assert tree(dst / REPO) == tree(src)


def test_tampered_metadata_refused(alu, own_source):
    src, root, dst = own_source
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 0, p.stderr
    good = tree(dst / REPO)
    # a new revision upstream whose primary was altered after repomd was written
    md = (src / "repodata/repomd.xml").read_text()
    prim = next((src / "repodata").glob("*-primary.xml.gz"))
    data = bytearray(prim.read_bytes())
    data[-10] ^= 0xff
    newname = prim.with_name("0" * 64 + "-primary.xml.gz")
    newname.write_bytes(bytes(data))
    prim.unlink()
    (src / "repodata/repomd.xml").write_text(md.replace(prim.name, newname.name))
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 1
    assert newname.name in p.stderr and "sha256" in p.stderr, p.stderr
    now = tree(dst / REPO)
    assert {k: v for k, v in now.items() if not k.endswith(".part")} == good


def test_delete_removes_what_the_source_dropped(alu, own_source):
    src, root, dst = own_source
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 0, p.stderr
    (dst / REPO / "Packages/stray-1-1.x86_64.rpm").write_bytes(b"x")
    (dst / REPO / "Packages/half.rpm.part").write_bytes(b"x")
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata", "--delete")
    assert p.returncode == 0, p.stderr
    assert "0 downloaded, 2 deleted" in p.stdout
    assert tree(dst / REPO) == tree(src)


def createrepo(src, revision):
    subprocess.run(["createrepo_c", "-q", "--revision", revision, "--no-database", str(src)],
                   check=True)


@pytest.mark.skipif(not shutil.which("createrepo_c"), reason="createrepo_c not installed")
def test_snapshots_pinned_by_clients(alu, own_source, tmp_path, sample_root):
    src, root, dst = own_source
    shutil.rmtree(src / "repodata")
    newest = src / "Packages/hello-2.11-1.amzn2.x86_64.rpm"
    aside = tmp_path / newest.name
    newest.rename(aside)
    createrepo(src, "r1")
    p = alu("--installroot", root, "reposync", "-p", dst, "--snapshot")
    assert p.returncode == 0, p.stderr
    assert "snapshot r1" in p.stdout
    # the next revision: hello 2.11 arrives, hello 2.10-1 is dropped
    aside.rename(newest)
    (src / "Packages/hello-2.10-1.amzn2.x86_64.rpm").unlink()
    createrepo(src, "r2")
    p = alu("--installroot", root, "reposync", "-p", dst, "--snapshot", "--delete")
    assert p.returncode == 0, p.stderr
    # deleted: r1's primary, filelists and other (its snapshot keeps links to them)
    assert "snapshot r2" in p.stdout and "3 deleted" in p.stdout, p.stdout
    assert sorted(x.name for x in (dst / REPO / "repodata").iterdir()) == \
        sorted(x.name for x in (src / "repodata").iterdir())
    assert len(list((dst / REPO / "snapshots/r1/repodata").iterdir())) == 4
    # r1 still names hello-2.10-1: --delete keeps it while that snapshot exists
    assert (dst / REPO / "Packages/hello-2.10-1.amzn2.x86_64.rpm").is_file()
    assert (dst / REPO / "snapshots/r1/repodata/repomd.xml").is_file()

    client = fresh_root(sample_root, tmp_path, "client")
    use_baseurl(client, "file://%s/%s/" % (dst, REPO))

    def hello(*extra):
        p = alu("--installroot", client, *extra, "check-update", "hello")
        assert p.returncode in (0, 100), p.stderr
        return re.findall(r"^hello\.x86_64\s+(\S+)", p.stdout, re.M)
    assert hello() == ["2.11-1.amzn2"]
    # a pin takes effect at once, although the cache is fresh (metadata_expire)
    assert hello("--setopt=%s.snapshot=r1" % REPO) == ["2.10-2.amzn2"]
    assert hello("--setopt=%s.snapshot=r2" % REPO) == ["2.11-1.amzn2"]
    text = (client / "etc/yum.repos.d/amzn2-core.repo").read_text()
    (client / "etc/yum.repos.d/amzn2-core.repo").write_text(
        text.replace("[%s]\n" % REPO, "[%s]\nsnapshot=r1\n" % REPO, 1))
    assert hello() == ["2.10-2.amzn2"]
    # a pinned client updates from the snapshot: packages come from the copy's base
    p = alu("--installroot", client, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert "hello-2.10-2.amzn2.x86_64" in installed(client)
    # a snapshot that is gone fails the run, naming it; -C still uses the cache
    p = alu("--installroot", client, "--setopt=%s.snapshot=r9" % REPO, "check-update")
    assert "snapshot r9" in p.stderr and "r9/repodata/repomd.xml" in p.stderr, p.stderr
    p = alu("--installroot", client, "-C", "--setopt=%s.snapshot=r9" % REPO, "check-update")
    assert p.returncode in (0, 100), p.stderr
    # once r1 is removed, --delete lets its last package go
    shutil.rmtree(dst / REPO / "snapshots/r1")
    p = alu("--installroot", root, "reposync", "-p", dst, "--snapshot", "--delete")
    assert p.returncode == 0, p.stderr
    assert not (dst / REPO / "Packages/hello-2.10-1.amzn2.x86_64.rpm").exists()


@pytest.mark.skipif(not shutil.which("gpg"), reason="gpg not installed")
def test_signed_repomd_kept_and_checked(alu, mirror, tmp_path, sample_root):
    """repo_gpgcheck=1: repomd.xml.asc is checked, copied with repomd.xml, and
    gpg still verifies the copy; a repomd changed after signing is refused and
    the copy keeps its previous state."""
    g = tmp_path / "gnupg"
    shutil.copytree(mirror.outdir / "gnupg", g)
    g.chmod(0o700)
    src = tmp_path / "signed"
    shutil.copytree(mirror.repo(), src)
    md = src / "repodata/repomd.xml"

    def sign():
        subprocess.run(["gpg", "--homedir", str(g), "--batch", "--yes", "--detach-sign", "--armor",
                        "-u", "test@alupdate.invalid", "-o", str(md) + ".asc", str(md)],
                       check=True, capture_output=True, stdin=subprocess.DEVNULL)
    try:
        sign()
        (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
            "[amzn2-core]\nname=private\nbaseurl=file://%s\ngpgcheck=1\nrepo_gpgcheck=1\n"
            "gpgkey=file://%s\nenabled=1\n" % (src, mirror.key))
        dst = tmp_path / "dst"
        p = alu("--installroot", sample_root, "reposync", "-p", dst, "--download-metadata")
        assert p.returncode == 0, p.stderr
        out = dst / REPO / "repodata"
        assert (out / "repomd.xml.asc").read_bytes() == (src / "repodata/repomd.xml.asc").read_bytes()
        v = subprocess.run(["gpg", "--homedir", str(g), "--batch", "--verify", str(out / "repomd.xml.asc"),
                            str(out / "repomd.xml")], capture_output=True, text=True)
        assert v.returncode == 0, v.stderr
        good = tree(dst / REPO)
        with open(md, "a") as f:
            f.write("<!-- changed after signing -->\n")
        p = alu("--installroot", sample_root, "reposync", "-p", dst, "--download-metadata")
        assert p.returncode == 1
        assert "amzn2-core" in p.stderr and "repomd.xml signature" in p.stderr, p.stderr
        assert tree(dst / REPO) == good
    finally:
        subprocess.run(["gpgconf", "--homedir", str(g), "--kill", "all"], capture_output=True)


def advisory_packages(repo_dir, kinds=("security",)):
    """NEVRA file names the advisories of those types name (from updateinfo)."""
    import gzip
    import xml.etree.ElementTree as ET
    md = ET.parse(repo_dir / "repodata/repomd.xml").getroot()
    ns = {"r": "http://linux.duke.edu/metadata/repo"}
    href = next(d.find("r:location", ns).get("href") for d in md.findall("r:data", ns)
                if d.get("type") == "updateinfo")
    root = ET.fromstring(gzip.decompress((repo_dir / href).read_bytes()))
    return {Path(p.findtext("filename")).name for u in root.iter("update") if u.get("type") in kinds
            for p in u.iter("package")}


def test_security_subset(alu, mirror, sample_root, tmp_path):
    """--security: only what security advisories name, with metadata of its
    own that alupdate and dnf read; the same --security update as from the
    original mirror."""
    cfg = fresh_root(sample_root, tmp_path, "cfg")
    set_mirror_base(cfg, mirror.file)
    dst = tmp_path / "sec"
    p = alu("--installroot", cfg, "reposync", "-p", dst, "--download-metadata", "--security")
    assert p.returncode == 0, p.stderr
    assert "cannot carry the upstream signature" in p.stdout
    names = {x.name for x in (dst / REPO / "Packages").iterdir()}
    want = {n for n in advisory_packages(mirror.repo()) if (mirror.repo() / "Packages" / n).exists()}
    assert names == want and names and "alu-sh-1.0-1.amzn2.x86_64.rpm" not in names
    assert not (dst / REPO / "repodata/repomd.xml.asc").exists()

    ref = fresh_root(sample_root, tmp_path, "ref")
    set_mirror_base(ref, mirror.file)
    p = alu("--installroot", ref, "update", "--security", "-y")
    assert p.returncode == 0, p.stderr
    ours = fresh_root(sample_root, tmp_path, "ours")
    use_baseurl(ours, "file://%s/%s/" % (dst, REPO))
    p = alu("--installroot", ours, "updateinfo", "list")
    assert p.returncode == 0 and "ALAS2-2026-0001" in p.stdout, p.stdout + p.stderr
    p = alu("--installroot", ours, "update", "--security", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(ours) == installed(ref) != installed(sample_root)
    if shutil.which("dnf"):
        theirs = fresh_root(sample_root, tmp_path, "theirs")
        use_baseurl(theirs, "file://%s/%s/" % (dst, REPO))
        p = dnf(theirs, tmp_path, "-y", "update", "--security")
        assert p.returncode == 0, p.stdout + p.stderr
        assert rpm_installed(theirs) == installed(ref)


@pytest.mark.parametrize("n", [1, 3])
def test_parallel_downloads(alu, sample_root, tmp_path, copy, server, n):
    """[main] max_parallel_downloads (default 3): that many packages at once,
    each worker on its own keep-alive connection."""
    srv = server(copy, delay=0.002)
    root = fresh_root(sample_root, tmp_path, "par")
    use_baseurl(root, "%s/%s/" % (srv.url, REPO))
    conf = root / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\nmax_parallel_downloads=%d\n" % n, 1))
    p = alu("--installroot", root, "reposync", "-p", tmp_path / "out", "--download-metadata")
    assert p.returncode == 0, p.stderr
    assert tree(tmp_path / "out" / REPO) == tree(copy / REPO)
    assert srv.peak == n
    assert srv.connections == n


def test_arch_and_source_selection(alu, mirror, sample_root, tmp_path):
    root = fresh_root(sample_root, tmp_path, "sel")
    set_mirror_base(root, mirror.file)
    p = alu("--installroot", root, "reposync", "-p", tmp_path / "a", "-a", "i686")
    assert p.returncode == 0, p.stderr
    # no i686 package in the sample: the noarch ones only
    assert sorted(x.name for x in (tmp_path / "a" / REPO / "Packages").iterdir()) == [
        "alu-data-1.0-1.amzn2.noarch.rpm", "alu-data-1.1-1.amzn2.noarch.rpm",
        "system-release-2-1.amzn2.noarch.rpm"]
    # the disabled source repository, named with --repoid: src packages need --source
    p = alu("--installroot", root, "reposync", "-p", tmp_path / "s", "-r", "amzn2-core-source")
    assert p.returncode == 0 and "amzn2-core-source: 0 packages" in p.stdout, p.stdout + p.stderr
    p = alu("--installroot", root, "reposync", "-p", tmp_path / "s", "-r", "amzn2-core-source",
            "--source")
    assert p.returncode == 0, p.stderr
    names = {x.name for x in (tmp_path / "s/amzn2-core-source/Packages").iterdir()}
    assert names == {Path(x.path).name for x in mirror.manifest if x.arch == "src"}
    p = alu("--installroot", root, "reposync", "-p", tmp_path / "n", "-r", "nosuchrepo")
    assert p.returncode == 1 and "no repository to copy matches --repoid nosuchrepo" in p.stderr


def test_mirrorlist_for_regions(alu, sample_root, mirror, tmp_path):
    root, dst = fresh_root(sample_root, tmp_path, "ml"), tmp_path / "dst"
    # a repository with a per-region mirrorlist: the layout follows its path
    set_mirror_base(root, mirror.file)
    p = alu("--installroot", root, "reposync", "-p", dst, "-r", REPO, "--mirrorlist-for",
            "us-east-1=http://m1.example/x,eu-west-1=http://m2.example/,us-east-1=http://m3.example")
    assert p.returncode == 0, p.stderr
    lines = lambda r: [ln for ln in (dst / r / "2/core/latest/x86_64/mirror.list").read_text().splitlines()
                       if not ln.startswith("#")]
    assert lines("us-east-1") == ["http://m1.example/x/%s/" % REPO, "http://m3.example/%s/" % REPO]
    assert lines("eu-west-1") == ["http://m2.example/%s/" % REPO]
    p = alu("--installroot", root, "reposync", "-p", dst, "-r", REPO, "--mirrorlist-for", "../x=http://a")
    assert p.returncode == 1 and "not a plain name" in p.stderr, p.stderr
    # without a per-region mirrorlist: <region>/<repoid>/mirror.list
    use_baseurl(root, mirror.file + "/us-east-1/2/core/%s/x86_64/" % mirror.core)
    p = alu("--installroot", root, "reposync", "-p", dst, "-r", REPO, "--mirrorlist-for", "r1=file:///m")
    assert p.returncode == 0, p.stderr
    assert (dst / "r1" / REPO / "mirror.list").read_text().splitlines()[1:] == ["file:///m/%s/" % REPO]


def test_location_outside_the_copy_refused(alu, own_source):
    """A package list whose location climbs out of the repository (consistent
    checksums: a hostile or broken source) is refused; nothing is written there."""
    import gzip
    src, root, dst = own_source
    rd = src / "repodata"
    prim = next(rd.glob("*-primary.xml.gz"))
    raw = gzip.decompress(prim.read_bytes())
    bad = raw.replace(b'href="Packages/hello-2.11-1.amzn2.x86_64.rpm"', b'href="../../escaped.rpm"')
    assert bad != raw
    gz = gzip.compress(bad)
    md = (rd / "repomd.xml").read_text()
    old = re.search(r'<data type="primary">.*?</data>', md, re.S).group(0)
    new = old.replace(hashlib.sha256(prim.read_bytes()).hexdigest(), hashlib.sha256(gz).hexdigest())
    new = new.replace(hashlib.sha256(raw).hexdigest(), hashlib.sha256(bad).hexdigest())
    new = re.sub(r"<size>\d+</size>", "<size>%d</size>" % len(gz), new)
    new = re.sub(r"<open-size>\d+</open-size>", "<open-size>%d</open-size>" % len(bad), new)
    name = "%s-primary.xml.gz" % hashlib.sha256(gz).hexdigest()
    new = new.replace(prim.name, name)
    (rd / name).write_bytes(gz)
    (rd / "repomd.xml").write_text(md.replace(old, new))
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 1
    assert "location '../../escaped.rpm' leaves the repository" in p.stderr, p.stderr
    assert not list(dst.parent.glob("escaped.rpm*")) and not (dst / REPO / "repodata/repomd.xml").exists()


@pytest.mark.skipif(not shutil.which("createrepo_c"), reason="createrepo_c not installed")
def test_simple_md_filenames_keep_last_good_state(alu, own_source):
    """Metadata files under fixed names (createrepo_c --simple-md-filenames):
    a run that fails after fetching the new ones leaves the old ones in place,
    consistent with the old repomd.xml; the next good run replaces them."""
    src, root, dst = own_source
    shutil.rmtree(src / "repodata")
    hello = src / "Packages/hello-2.11-1.amzn2.x86_64.rpm"
    aside = src.parent / hello.name
    hello.rename(aside)
    subprocess.run(["createrepo_c", "-q", "--simple-md-filenames", str(src)], check=True)
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 0, p.stderr
    good = tree(dst / REPO)
    # the next revision names hello 2.11, but the file served is damaged
    data = bytearray(aside.read_bytes())
    hello.write_bytes(bytes(data))
    subprocess.run(["createrepo_c", "-q", "--simple-md-filenames", str(src)], check=True)
    data[len(data) // 2] ^= 0xff
    hello.write_bytes(bytes(data))
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata")
    assert p.returncode == 1 and "hello-2.11-1.amzn2.x86_64.rpm" in p.stderr, p.stderr
    now = {k: v for k, v in tree(dst / REPO).items() if not k.startswith(".reposync-tmp/")}
    assert now == good
    hello.write_bytes(aside.read_bytes())
    p = alu("--installroot", root, "reposync", "-p", dst, "--download-metadata", "--delete")
    assert p.returncode == 0, p.stderr
    assert tree(dst / REPO) == tree(src)
