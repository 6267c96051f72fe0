# SPDX-License-Identifier: MIT
"""Query commands (check-update, updateinfo, list, search, provides) through
the binary against the sample mirror: http, https and file://, the XML region
(us-east-1) against the SQLite-only one (eu-west-1), failover away from
broken mirrors, exit codes, advisory filters with dnf as the oracle, and the
edge cases the mirror's advisories were written for."""
import http.server
import json
import os
import re
import subprocess
import threading
import xml.etree.ElementTree as ET

import pytest

from conftest import make_root, set_mirror_base

REPO_FILE = "etc/yum.repos.d/amzn2-core.repo"


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def write_repo(root, **keys):
    """Replace ROOT's repo file by one [amzn2-core] section with KEYS."""
    body = "".join("%s=%s\n" % (k, v) for k, v in keys.items())
    (root / REPO_FILE).write_text(
        "[amzn2-core]\nname=Amazon Linux 2 core repository\nenabled=1\ngpgcheck=1\n"
        "gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2\n"
        "skip_if_unavailable=0\n" + body)


def set_region(root, region):
    (root / "etc/yum/vars/awsregion").write_text(region + "\n")


def base(mirror, scheme, region="us-east-1"):
    return "%s/%s/2/core/%s/x86_64/" % (getattr(mirror, scheme), region, mirror.core)


def ui_rows(text):
    """(id, nevra) pairs of `updateinfo list` output (ours or dnf's)."""
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and re.match(r"^ALAS|^CVE-", f[0]):
            out.add((f[0], f[2]))
    return out


def cu_rows(text):
    """{name.arch: evr} of `check-update` output (ours or dnf's)."""
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and "." in f[0] and not line.startswith(" "):
            out[f[0]] = f[1]
    return out


def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT (its repo files and variables; HOME/.rpmmacros
    points rpm at ROOT/var/lib/rpm as AL2 keeps it)."""
    home = tmp_path / "dnf-home"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\n")
    cmd = ["dnf", "-q", "-c", str(home / "dnf.conf"), "--installroot=%s" % root,
           "--releasever=2", "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root,
           "--setopt=cachedir=%s" % (tmp_path / "dnf-cache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))


def severities(mirror):
    """{advisory id: severity} from the XML region's updateinfo.xml."""
    import gzip
    rd = mirror.repo() / "repodata"
    path = next(rd.glob("*-updateinfo.xml*"))
    data = path.read_bytes()
    root = ET.fromstring(gzip.decompress(data) if path.name.endswith(".gz") else data)
    return {u.findtext("id"): (u.findtext("severity") or "") for u in root.findall("update")}


# --- transports and regions --------------------------------------------------

@pytest.mark.parametrize("scheme", ["file", "http", "https"])
def test_check_update_over_each_transport(mirror, sample_root, alu, scheme):
    set_mirror_base(sample_root, getattr(mirror, scheme), ca=mirror.ca if scheme == "https" else None)
    r = run(alu, sample_root, "check-update")
    assert r.returncode == 100, r.stderr
    assert cu_rows(r.stdout) == {
        "alu-data.noarch": "1.1-1.amzn2", "greet.x86_64": "1.2-1.amzn2",
        "hello.x86_64": "2.11-1.amzn2", "kernel.x86_64": "5.10.110-1.amzn2",
        "libgreet.x86_64": "1.1-1.amzn2"}
    assert r.stdout.startswith("\n")   # yum's blank line before the list
    assert "warning" not in r.stderr


def test_https_needs_the_ca(mirror, sample_root, alu):
    set_mirror_base(sample_root, mirror.https)
    r = run(alu, sample_root, "check-update")
    assert r.returncode == 1
    assert "error" in r.stderr and "127.0.0.1" in r.stderr


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_xml_and_sqlite_regions_agree(mirror, sample_root, alu, tmp_path, scheme):
    outs = []
    for region in ("us-east-1", "eu-west-1"):
        root = tmp_path / region
        subprocess.run(["cp", "-a", str(sample_root), str(root)], check=True)
        set_mirror_base(root, getattr(mirror, scheme))
        set_region(root, region)
        assert run(alu, root, "-q", "adopt").returncode == 0
        got = []
        for args in (["list", "available"], ["check-update"], ["updateinfo", "list"],
                     ["updateinfo", "list", "cves"], ["list", "obsoletes"]):
            r = run(alu, root, *args)
            assert r.returncode in (0, 1, 100), r.stderr
            got.append((r.returncode, r.stdout))
        outs.append(got)
        md = (mirror.repo(region) / "repodata/repomd.xml").read_text()
        assert ('type="primary"' in md) == (region == "us-east-1")
    assert outs[0] == outs[1]
    assert "hello.x86_64" in outs[0][0][1]


# --- failover ----------------------------------------------------------------

# 1 byte/s: given up on after one timeout period (net's minrate), then failover
SLOW = "broken-slow"


@pytest.mark.parametrize("bad", ["broken-500", "broken-tamper", SLOW])
def test_baseurl_failover(mirror, sample_root, alu, bad):
    write_repo(sample_root, baseurl="%s %s" % (base(mirror, "http", bad), base(mirror, "http")),
               timeout=2, retries=0)
    r = run(alu, sample_root, "check-update", timeout=30)
    assert r.returncode == 100, r.stderr
    assert "hello.x86_64" in r.stdout
    warn = [l for l in r.stderr.splitlines() if "warning" in l]
    assert warn and all(bad in l for l in warn), r.stderr
    if bad == "broken-tamper":
        # repomd.xml was fine there: the primary's checksum gave it away
        assert "primary" in r.stderr or "expected" in r.stderr or "sha256" in r.stderr


@pytest.mark.parametrize("bad", ["broken-tamper", SLOW])
def test_mirrorlist_failover(mirror, sample_root, alu, tmp_path, bad):
    ml = tmp_path / "mirror.list"
    ml.write_text("%s\n%s" % (base(mirror, "http", bad), base(mirror, "http")))
    write_repo(sample_root, mirrorlist=ml.as_uri(), timeout=2, retries=0)
    r = run(alu, sample_root, "updateinfo", "list", timeout=30)
    assert r.returncode == 0, r.stderr
    assert ("ALAS2-2026-0001", "hello-2.10-2.amzn2.x86_64") in ui_rows(r.stdout)
    assert re.search(r"warning: .*mirror .*%s.* failed" % bad, r.stderr), r.stderr


def test_failover_region_of_the_mirror(mirror, sample_root, alu):
    """nginx's "failover" mirror.list: broken-500 and broken-404 before us-east-1."""
    set_mirror_base(sample_root, mirror.http)
    set_region(sample_root, "failover")
    r = run(alu, sample_root, "check-update")
    assert r.returncode == 100, r.stderr
    assert "broken-500" in r.stderr and "broken-404" in r.stderr


def test_all_mirrors_broken(mirror, sample_root, alu):
    write_repo(sample_root, baseurl="%s %s" % (base(mirror, "http", "broken-500"),
                                             base(mirror, "http", "broken-404")), retries=0)
    r = run(alu, sample_root, "check-update", timeout=60)
    assert r.returncode == 1
    assert "broken-500" in r.stderr and "broken-404" in r.stderr
    assert r.stdout == ""


# --- check-update ----------------------------------------------------------

def test_check_update_exit_codes(mirror, sample_root, alu, tmp_path):
    r = run(alu, sample_root, "-q", "check-update")
    assert (r.returncode, r.stdout) == (100, "")
    new = make_root(tmp_path / "new", mirror, "new")
    r = run(alu, new, "check-update")
    assert r.returncode == 0, r.stderr
    assert cu_rows(r.stdout) == {}
    r = run(alu, new, "-q", "check-update")
    assert (r.returncode, r.stdout) == (0, "")
    for alias in ("check-updates", "check-upgrade"):
        assert run(alu, sample_root, "-q", alias).returncode == 100
    write_repo(sample_root, baseurl="http://127.0.0.1:9/nothing/", metadata_expire=0, retries=0)
    r = run(alu, sample_root, "check-update", timeout=60)
    assert r.returncode == 1 and "error" in r.stderr and "127.0.0.1:9" in r.stderr


def test_check_update_matches_dnf(mirror, sample_root, alu, tmp_path):
    set_mirror_base(sample_root, mirror.http)
    for flags in ([], ["--security"], ["--bugfix"], ["--sec-severity=critical"]):
        ours = run(alu, sample_root, "check-update", *flags)
        theirs = dnf(sample_root, tmp_path, "check-update", *flags)
        if flags == ["--sec-severity=critical"]:
            # dnf knows only "Critical": AL2's "critical" never matches there
            assert set(cu_rows(ours.stdout)) == {"hello.x86_64", "kernel.x86_64"}
            continue
        assert theirs.returncode in (0, 100), theirs.stderr
        assert cu_rows(ours.stdout) == cu_rows(theirs.stdout), (flags, ours.stdout, theirs.stdout)
        assert ours.returncode == theirs.returncode


def test_check_update_summary_and_json(mirror, sample_root, alu):
    r = run(alu, sample_root, "check-update", "--security")
    assert r.returncode == 100
    assert "5 package(s) needed for security, out of 5 available" in r.stdout
    r = run(alu, sample_root, "check-update", "--bugfix")
    assert "1 package(s) needed for bugfix, out of 5 available" in r.stdout
    assert set(cu_rows(r.stdout)) == {"greet.x86_64"}
    r = run(alu, sample_root, "check-update", "--advisory", "ALAS2-1999-*")
    assert r.returncode == 0
    assert "No packages needed for security; 5 packages available" in r.stdout
    r = run(alu, sample_root, "--json", "check-update", "hello", "kernel")
    assert r.returncode == 100
    ups = json.loads(r.stdout)["updates"]
    assert [(u["name"], u["evr"], u["installed"]) for u in ups] == [
        ("hello", "2.11-1.amzn2", "2.10-1.amzn2"), ("kernel", "5.10.110-1.amzn2", "5.10.100-1.amzn2")]


# --- updateinfo ---------------------------------------------------------------

FILTERS = [[], ["--security"], ["--bugfix"], ["--cve", "CVE-2026-20001"],
           ["--advisory", "ALAS2-2026-0001"],
           ["--advisory", "ALAS2KERNEL-5.10-*"], ["--security", "--advisory", "ALAS2-2026-0005"]]


@pytest.mark.parametrize("flags", FILTERS, ids=lambda f: " ".join(f) or "none")
def test_updateinfo_list_matches_dnf(mirror, sample_root, alu, tmp_path, flags):
    set_mirror_base(sample_root, mirror.http)
    ours = run(alu, sample_root, "updateinfo", "list", *flags)
    assert ours.returncode == 0, ours.stderr
    theirs = dnf(sample_root, tmp_path, "updateinfo", "list", *flags)
    assert theirs.returncode == 0, theirs.stderr
    assert ui_rows(ours.stdout) == ui_rows(theirs.stdout)
    assert ours.stdout.endswith("updateinfo list done\n")
    # and in dnf's order: by package, then advisory
    order = lambda t: [(l.split()[0], l.split()[-1]) for l in t.splitlines()
                       if len(l.split()) == 3 and l.startswith("ALAS")]
    assert order(ours.stdout) == order(theirs.stdout)


@pytest.mark.parametrize("sev", ["critical", "Critical", "important", "medium", "low"])
def test_updateinfo_severity(mirror, sample_root, alu, tmp_path, sev):
    """dnf matches only capitalised names (AL2's are lowercase): the oracle is
    dnf's unfiltered list narrowed by the severities written in updateinfo.xml."""
    sevs = severities(mirror)
    theirs = dnf(sample_root, tmp_path, "updateinfo", "list", "--security")
    want = {(i, n) for i, n in ui_rows(theirs.stdout) if sevs[i].lower() == sev.lower()}
    ours = run(alu, sample_root, "updateinfo", "list", "--sec-severity=" + sev)
    assert ours.returncode == 0, ours.stderr
    assert ui_rows(ours.stdout) == want and want
    for line in ours.stdout.splitlines()[:-1]:
        assert line.split()[1] == sev.lower() + "/Sec."


def test_updateinfo_cve_glob(sample_root, alu):
    """yum globs --cve (dnf does not)."""
    r = run(alu, sample_root, "updateinfo", "list", "--cve", "CVE-2026-4000*")
    assert {i for i, _ in ui_rows(r.stdout)} == {"ALAS2KERNEL-5.10-2026-001", "ALAS2KERNEL-5.10-2026-002"}


def test_updateinfo_bare_cve_number(sample_root, alu):
    a = run(alu, sample_root, "updateinfo", "list", "--cve", "2026-10001")
    b = run(alu, sample_root, "updateinfo", "list", "--cve", "CVE-2026-10001")
    assert a.stdout == b.stdout and ui_rows(a.stdout) == {("ALAS2-2026-0001", "hello-2.10-2.amzn2.x86_64")}


def test_updateinfo_edge_cases(sample_root, alu):
    avail = {i for i, _ in ui_rows(run(alu, sample_root, "updateinfo", "list").stdout)}
    inst = ui_rows(run(alu, sample_root, "updateinfo", "list", "installed").stdout)
    every = run(alu, sample_root, "updateinfo", "list", "all").stdout
    # aarch64 package, and a package nobody installed: never
    for never in ("ALAS2-2026-0009", "ALAS2-2026-0010"):
        assert never not in every
    # a fix older than the installed hello 2.10: installed, not available
    assert ("ALAS2-2025-0100", "hello-2.9-1.amzn2.x86_64") in inst
    assert "ALAS2-2025-0100" not in avail
    assert re.search(r"^i ALAS2-2025-0100 ", every, re.M)
    # several advisories for one package
    hello = {i for i, n in ui_rows(run(alu, sample_root, "updateinfo", "list", "hello").stdout)}
    assert hello == {"ALAS2-2026-0001", "ALAS2-2026-0004", "ALAS2-2026-0006"}
    # a security advisory without a severity: yum's plain "security" label
    r = run(alu, sample_root, "updateinfo", "list", "ALAS2-2026-0008")
    assert r.stdout.splitlines()[0].split() == ["ALAS2-2026-0008", "security", "greet-1.2-1.amzn2.x86_64"]
    r = run(alu, sample_root, "updateinfo", "info", "ALAS2-2026-0008")
    assert "Severity" not in r.stdout and "Update ID : ALAS2-2026-0008" in r.stdout


def test_updateinfo_cves_info_summary_json(sample_root, alu):
    r = run(alu, sample_root, "updateinfo", "list", "cves", "--advisory", "ALAS2KERNEL-5.10-2026-001")
    assert ui_rows(r.stdout) == {("CVE-2026-40001", "kernel-5.10.102-1.amzn2.x86_64"),
                                 ("CVE-2026-40002", "kernel-5.10.102-1.amzn2.x86_64")}
    r = run(alu, sample_root, "updateinfo", "info", "ALAS2-2026-0001")
    assert r.returncode == 0
    assert "  Update ID : ALAS2-2026-0001\n" in r.stdout
    assert "       CVEs : CVE-2026-10001\n            : CVE-2026-10002\n" in r.stdout
    assert "   Severity : critical\n" in r.stdout
    r = run(alu, sample_root, "updateinfo", "summary")
    assert r.stdout.splitlines() == [
        "Updates Information Summary: available", "    7 Security notice(s)",
        "        2 Critical Security notice(s)", "        2 Important Security notice(s)",
        "        1 Medium Security notice(s)", "        1 Low Security notice(s)",
        "    1 Bugfix notice(s)", "    1 Enhancement notice(s)", "updateinfo summary done"]
    r = run(alu, sample_root, "--json", "updateinfo", "list", "--security")
    rows = json.loads(r.stdout)
    assert {(x["id"], x["nevra"]) for x in rows} == ui_rows(
        run(alu, sample_root, "updateinfo", "list", "--security").stdout)
    assert all(x["type"] == "security" for x in rows)


# --- offline and the unchanged-repomd short cut ---------------------------------

def test_cacheonly(mirror, sample_root, alu):
    r = run(alu, sample_root, "-C", "check-update")
    assert r.returncode == 1 and "-C" in r.stderr   # nothing cached yet
    before = run(alu, sample_root, "updateinfo", "list").stdout
    write_repo(sample_root, baseurl="http://127.0.0.1:9/nothing/")
    r = run(alu, sample_root, "-C", "updateinfo", "list")
    assert r.returncode == 0, r.stderr
    assert r.stdout == before
    assert run(alu, sample_root, "-C", "-q", "check-update").returncode == 100


class Logged(http.server.SimpleHTTPRequestHandler):
    log = []

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        Logged.log.append(self.path)
        return super().do_GET()


def test_unchanged_repomd_fetches_nothing_else(mirror, sample_root, alu):
    handler = lambda *a, **k: Logged(*a, directory=str(mirror.www), **k)
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d/us-east-1/2/core/%s/x86_64/" % (srv.server_address[1], mirror.core)
        write_repo(sample_root, baseurl=url)
        Logged.log = []
        assert run(alu, sample_root, "makecache").returncode == 0
        assert any("primary" in p for p in Logged.log) and any("updateinfo" in p for p in Logged.log)
        Logged.log = []
        r = run(alu, sample_root, "makecache")
        assert r.returncode == 0, r.stderr
        assert [p.split("?")[0].rsplit("/", 2)[-2:] for p in Logged.log] == [["repodata", "repomd.xml"]]
        Logged.log = []
        assert run(alu, sample_root, "check-update").returncode == 100
        assert Logged.log == []   # metadata_expire not reached: no request at all
    finally:
        srv.shutdown()
        srv.server_close()


# --- list -------------------------------------------------------------------------

def test_list_sections(mirror, sample_root, alu):
    assert run(alu, sample_root, "-q", "adopt").returncode == 0
    r = run(alu, sample_root, "list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "Installed Packages"
    i = lines.index("Available Packages")
    inst = {l.split()[0]: l.split()[1:] for l in lines[1:i]}
    avail = {l.split()[0]: l.split()[1:] for l in lines[i + 1:]}
    assert inst["hello.x86_64"] == ["2.10-1.amzn2", "installed"]
    assert "gpg-pubkey." not in " ".join(inst)
    assert avail == {k: [v, "amzn2-core"] for k, v in cu_rows(run(alu, sample_root, "check-update").stdout).items()}
    # one set of columns for every section
    assert len({l.index(l.split()[1]) for l in lines if len(l.split()) == 3}) == 1
    r = run(alu, sample_root, "list", "updates", "hello")
    assert r.stdout.splitlines() == ["Updated Packages", "hello.x86_64  2.11-1.amzn2  amzn2-core"]
    r = run(alu, sample_root, "list", "available", "nosuch*")
    assert r.returncode == 1 and "No matching Packages to list" in r.stderr
    r = run(alu, sample_root, "--json", "list", "all", "greet")
    j = json.loads(r.stdout)
    assert [(p["version"], p["repo"]) for p in j["installed"]] == [("1.0", "")]
    assert [(p["version"], p["repo"]) for p in j["available"]] == [("1.2", "amzn2-core")]


@pytest.mark.parametrize("spec", ["hello", "hel*", "hello-2.11", "hello-2.11-1.amzn2.x86_64",
                                  "hello.x86_64", "libgreet*", "greet-1.2-1.amzn2"])
def test_spec_by_name_index_same_as_full_walk(mirror, sample_root, alu, spec):
    """A spec led by a name is looked up in the names index; one led by a glob
    walks every package. Both must find the same packages."""
    glob = "?" + spec[1:]
    for cmd in (["list", "available"], ["info"]):
        a = run(alu, sample_root, "-q", *cmd, spec)
        b = run(alu, sample_root, "-q", *cmd, glob)
        assert a.returncode == b.returncode == 0, (a.stderr, b.stderr)
        assert a.stdout == b.stdout and a.stdout.strip(), (spec, a.stdout, b.stdout)


def test_list_new_root(mirror, alu, tmp_path):
    new = make_root(tmp_path / "new", mirror, "new")
    assert run(alu, new, "-q", "adopt").returncode == 0
    # every newest package is installed and the repository carries them all
    for what in ("available", "updates", "extras"):
        r = run(alu, new, "list", what)
        assert r.returncode == 1 and "No matching Packages to list" in r.stderr, (what, r.stdout)
    r = run(alu, new, "list", "installed", "hello")
    assert r.stdout.splitlines() == ["Installed Packages", "hello.x86_64  2.11-1.amzn2  installed"]


# --- search and provides ------------------------------------------------------------

def test_search(sample_root, alu):
    r = run(alu, sample_root, "search", "greet", "hello")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    # packages matching both terms first, each section under yum's centred rule
    assert re.match(r"^=+ N/S matched: greet, hello =+$", lines[0]) and len(lines[0]) == 80
    assert lines[1] == "hello.x86_64 : Prints a friendly greeting"
    assert re.match(r"^=+ N/S matched: greet =+$", lines[2])
    assert lines[3:5] == ["greet.x86_64 : Greeting program of the alupdate sample mirror",
                          "libgreet.x86_64 : Greeting library of the alupdate sample mirror"]
    assert "search all" in lines[-1]
    r = run(alu, sample_root, "--json", "search", "GREET")
    got = {(p["name"], p["evr"]) for p in json.loads(r.stdout)["search"]}
    assert got == {("greet", "1.2-1.amzn2"), ("libgreet", "1.1-1.amzn2"), ("hello", "2.11-1.amzn2")}
    r = run(alu, sample_root, "search", "nosuchthing")
    assert r.returncode == 1 and "No matches found" in r.stderr


def test_provides(sample_root, alu):
    r = run(alu, sample_root, "provides", "/usr/bin/hello")
    assert r.returncode == 0, r.stderr
    blocks = [b.splitlines() for b in r.stdout.strip().split("\n\n")]
    assert [b[0].split(" : ")[0] for b in blocks] == [
        "hello-2.10-1.amzn2.x86_64", "hello-2.10-2.amzn2.x86_64", "hello-2.11-1.amzn2.x86_64",
        "hello-2.10-1.amzn2.x86_64"]
    assert blocks[0][1:] == ["Repo        : amzn2-core", "Matched from:", "Filename    : /usr/bin/hello"]
    assert blocks[-1][1] == "Repo        : installed"
    # a versioned capability, a soname, a glob, a bare command name
    r = run(alu, sample_root, "provides", "greet >= 1.2")
    assert [l for l in r.stdout.splitlines() if " : " in l and "-" in l.split()[0]][0].startswith("greet-1.2-1")
    assert "Provides    : greet = 1.2-1.amzn2" in r.stdout
    r = run(alu, sample_root, "provides", "greet<1.1")
    assert [l.split(" : ")[0] for l in r.stdout.splitlines() if l.startswith("greet-")] == [
        "greet-1.0-1.amzn2.x86_64", "greet-1.0-1.amzn2.x86_64"]
    r = run(alu, sample_root, "--json", "provides", "libgreet.so.1()(64bit)")
    got = json.loads(r.stdout)["provides"]
    assert {(p["nevra"], p["repo"]) for p in got} == {
        ("libgreet-1.0-1.amzn2.x86_64", "amzn2-core"), ("libgreet-1.1-1.amzn2.x86_64", "amzn2-core"),
        ("libgreet-1.0-1.amzn2.x86_64", "installed")}
    r = run(alu, sample_root, "provides", "hello")
    assert "Provides    : hello = 2.11-1.amzn2" in r.stdout
    r = run(alu, sample_root, "provides", "/nonexistent/*")
    assert r.returncode == 1 and "No matches found" in r.stderr


def test_info_installed_then_available(sample_root, alu):
    r = run(alu, sample_root, "info", "hello")
    assert r.returncode == 0, r.stderr
    inst, avail = r.stdout.split("Available Packages\n")
    assert inst.startswith("Installed Packages\nName        : hello\n")
    assert "Version     : 2.10\n" in inst and "Repo        : installed\n" in inst
    assert avail.startswith("Name        : hello\nArch        : x86_64\nVersion     : 2.11\n")
    assert "Repo        : amzn2-core\n" in avail
    r = run(alu, sample_root, "info", "nosuch")
    assert r.returncode == 1 and "No matching Packages" in r.stderr
