# SPDX-License-Identifier: MIT
"""The reduced load (src/solve/load_reach.c) against the whole one.

alupdate loads into the solver only what the requests can reach from the
installed packages; ALU_SOLVE_LOAD=all loads every cached package, as before.
On a generated repository of a few thousand entries with requirements of every
kind (names, capabilities, versioned, files, rich), recommends, supplements,
obsoletes, conflicts and advisories, the same requests must give the same
transaction, byte for byte in --json, and the reduced pool must be smaller.
The installed set is built with rpmbuild (one spec, subpackages) and put in
the root's rpm database with Debian's rpm (--justdb), as alupdate adopts it.
"""
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
ALU = os.environ.get("ALU_BIN", os.path.join(TOP, "build", "alupdate"))

NAMES = 1000           # r0000..r0999, three versions each; clusters of 10
VERSIONS = ["1.0", "1.1", "2.0"]
INSTALLED_CLUSTERS = range(0, 100, 3)   # the first name of every third cluster


def deps_of(i, ver, rnd):
    """Requirements of r{i}-{ver}: only names of its own cluster after it, so
    what the installed set reaches stays a part of the repository."""
    c0 = i - i % 10
    later = [j for j in range(i + 1, c0 + 10)]
    req, rec, sup, obs, con = [], [], [], [], []
    for j in rnd.sample(later, min(len(later), rnd.randint(0, 2))):
        kind = rnd.randrange(5)
        if kind == 0:
            req.append(("r%04d" % j, None))
        elif kind == 1:
            req.append(("libr%04d.so.1()(64bit)" % j, None))
        elif kind == 2:
            req.append(("r%04d" % j, ("GE", "1.1")))
        elif kind == 3:
            req.append(("/usr/bin/r%04d" % j, None))
        else:
            k = min(j + 1, c0 + 9)
            req.append(("(r%04d or r%04d)" % (j, k), None))
    if ver == "2.0" and i % 7 == 3 and later:
        rec.append("r%04d" % later[-1])
    if ver == "2.0" and i % 10 == 9:
        # a language pack for its cluster's first, installed, package
        sup.append("(r%04d and r%04d)" % (c0, c0 + 1) if i % 20 == 9 else "r%04d" % c0)
    if i % 10 == 8 and ver == "2.0":
        con.append(("r%04d" % (c0 + 2), ("LT", "1.1")))
    return req, rec, sup, obs, con


def entry(name, ver, arch, req, rec, sup, obs, con, k):
    def ent(tag, items):
        if not items:
            return ""
        out = []
        for n, fl in items:
            if fl:
                out.append('<rpm:entry name="%s" flags="%s" epoch="0" ver="%s" rel="1"/>'
                           % (n, fl[0], fl[1]))
            else:
                out.append('<rpm:entry name="%s"/>' % n)
        return "<rpm:%s>%s</rpm:%s>" % (tag, "".join(out), tag)
    pid = hashlib.sha256(("%s-%s" % (name, ver)).encode()).hexdigest()
    prov = [(name, ("EQ", ver)), ("lib%s.so.1()(64bit)" % name, None), ("cap-%s" % name, None)]
    return ('<package type="rpm"><name>%s</name><arch>%s</arch><version epoch="0" ver="%s" rel="1"/>'
            '<checksum type="sha256" pkgid="YES">%s</checksum><summary>%s</summary><description>x</description>'
            '<packager>x</packager><url>x</url><time file="%d" build="%d"/><size package="1000" installed="2000" archive="3000"/>'
            '<location href="Packages/%s-%s-1.%s.rpm"/><format><rpm:license>MIT</rpm:license>'
            '<rpm:sourcerpm>%s-%s-1.src.rpm</rpm:sourcerpm><rpm:header-range start="100" end="200"/>%s%s%s%s%s%s'
            '<file>/usr/bin/%s</file></format></package>\n'
            % (name, arch, ver, pid, name, 1700000000 + k, 1700000000 + k, name, ver, arch, name, ver,
               ent("provides", prov), ent("requires", req), ent("conflicts", con), ent("obsoletes", obs),
               ent("recommends", [(x, None) for x in rec]), ent("supplements", [(x, None) for x in sup]),
               name))


def gen_repo(out):
    rnd = random.Random(18)
    pk, advs, k = [], [], 0
    for i in range(NAMES):
        arch = "noarch" if i % 4 == 1 else "x86_64"
        for ver in VERSIONS:
            req, rec, sup, obs, con = deps_of(i, ver, rnd)
            pk.append(entry("r%04d" % i, ver, arch, [(n, f) for n, f in req], rec, sup, [], con, k))
            k += 1
            if ver == "2.0" and (i // 10) in INSTALLED_CLUSTERS and i % 10 == 0 and (i // 10) % 2:
                advs.append(("r%04d" % i, ver, arch))
    # renames: n{c} obsoletes the installed first name of cluster c, and
    # provides it; one of them named by an advisory
    for c in list(INSTALLED_CLUSTERS[::4]) + [20, 50]:
        old = "r%04d" % (c * 10)
        pk.append(entry("n%03d" % c, "3.0", "x86_64", [("r%04d" % (c * 10 + 5), None)], [], [],
                        [(old, ("LT", "3.0"))], [], k))
        k += 1
        advs.append(("n%03d" % c, "3.0", "x86_64"))
    write_repo(out, pk, advs)
    # a second repository of a better priority: newer versions of the first
    # two clusters' names (one excluded there), and a name of its own
    rnd2 = random.Random(19)
    pk2 = []
    for i in range(0, 20):
        req, rec, sup, obs, con = deps_of(i, "2.0", rnd2)
        pk2.append(entry("r%04d" % i, "3.0", "noarch" if i % 4 == 1 else "x86_64", req, rec, sup, [], con,
                         k + i))
    pk2.append(entry("extra-only", "1.0", "x86_64", [("r0013", None)], [], [], [], [], k + 20))
    write_repo(out + "2", pk2, [])
    return len(pk) + len(pk2)


def write_repo(out, pk, advs):
    rd = os.path.join(out, "repodata")
    os.makedirs(rd, exist_ok=True)
    pri = ('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" '
           'xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="%d">\n%s</metadata>\n' % (len(pk), "".join(pk)))
    ui = ['<?xml version="1.0" encoding="UTF-8"?>\n<updates>\n']
    for a, (n, v, arch) in enumerate(advs):
        ui.append('<update from="x" status="final" type="security" version="2.0"><id>ALAS2-2026-%04d</id>'
                  '<title>t</title><issued date="2026-01-01 00:00"/><severity>important</severity>'
                  '<description>d</description><references/><pkglist><collection short="c"><name>c</name>'
                  '<package name="%s" version="%s" release="1" epoch="0" arch="%s"><filename>%s-%s-1.%s.rpm</filename>'
                  '</package></collection></pkglist></update>\n' % (a, n, v, arch, n, v, arch))
    ui.append("</updates>\n")
    items = []
    for typ, fn, text in (("primary", "primary.xml.gz", pri), ("updateinfo", "updateinfo.xml.gz", "".join(ui))):
        data = gzip.compress(text.encode(), mtime=0)
        with open(os.path.join(rd, fn), "wb") as f:
            f.write(data)
        items.append('<data type="%s"><checksum type="sha256">%s</checksum><open-checksum type="sha256">%s'
                     '</open-checksum><location href="repodata/%s"/><timestamp>1700000000</timestamp>'
                     '<size>%d</size><open-size>%d</open-size></data>\n'
                     % (typ, hashlib.sha256(data).hexdigest(), hashlib.sha256(text.encode()).hexdigest(), fn,
                        len(data), len(text)))
    with open(os.path.join(rd, "repomd.xml"), "w") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo">\n'
                '<revision>1</revision>\n%s</repomd>\n' % "".join(items))


def installed_set():
    """(name, arch, requires): the first two names of every installed
    cluster at 1.1, the second requiring the first."""
    out = []
    for c in INSTALLED_CLUSTERS:
        a, b = c * 10, c * 10 + 1
        out.append(("r%04d" % a, "x86_64", []))
        out.append(("r%04d" % b, "noarch", ["r%04d" % a]))
    return out


def build_root(tmp, repo):
    top = os.path.join(tmp, "rpmbuild")
    spec = ["Name: reachbase\nVersion: 1.1\nRelease: 1\nSummary: x\nLicense: MIT\n%description\nx\n"]
    for name, arch, req in installed_set():
        # the main package's arch is the host's (x86_64); only noarch differs
        spec.append("%%package -n %s\nSummary: x\nVersion: 1.1\nRelease: 1\n%s"
                    "Provides: lib%s.so.1()(64bit)\nProvides: cap-%s\n%s%%description -n %s\nx\n"
                    "%%files -n %s\n" % (name, "BuildArch: noarch\n" if arch == "noarch" else "", name, name,
                                         "".join("Requires: %s\n" % r for r in req), name, name))
    with open(os.path.join(tmp, "r.spec"), "w") as f:
        f.write("".join(spec))
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", "_topdir " + top,
                    "--define", "_build_id_links none", "--define", "__os_install_post %{nil}",
                    os.path.join(tmp, "r.spec")], check=True, capture_output=True)
    rpms = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(top, "RPMS")) for f in fs]
    root = os.path.join(tmp, "root")
    os.makedirs(os.path.join(root, "etc", "yum.repos.d"))
    subprocess.run(["rpm", "--root", root, "--define", "_dbpath /var/lib/rpm", "-i", "--justdb",
                    "--nodeps", "--noscripts"] + rpms, check=True, capture_output=True)
    with open(os.path.join(root, "etc", "yum.conf"), "w") as f:
        f.write("[main]\ncachedir=/var/cache/alupdate\ninstallonly_limit=3\n")
    with open(os.path.join(root, "etc", "yum.repos.d", "reach.repo"), "w") as f:
        f.write("[reach]\nname=reach\nbaseurl=file://%s\ngpgcheck=0\nmetadata_expire=never\n\n"
                "[reach2]\nname=reach2\nbaseurl=file://%s2\ngpgcheck=0\nmetadata_expire=never\n"
                "priority=50\nexclude=r0005\n" % (repo, repo))
    # two package files for the command line, the second needing a package of
    # a cluster nothing installed reaches
    spec = ("Name: loc-a\nVersion: 1\nRelease: 1\nSummary: x\nLicense: MIT\n%description\nx\n%files\n"
            "%package -n loc-b\nSummary: x\nRequires: r0613, r0713, r0823, r0913\n%description -n loc-b\nx\n%files -n loc-b\n")
    with open(os.path.join(tmp, "loc.spec"), "w") as f:
        f.write(spec)
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", "_topdir " + os.path.join(tmp, "locbuild"),
                    "--define", "_rpmdir " + os.path.join(tmp, "local"), "--define", "_build_id_links none",
                    "--define", "__os_install_post %{nil}", "--define", "_build_name_fmt %%{NAME}.rpm",
                    os.path.join(tmp, "loc.spec")], check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    if not shutil.which("rpmbuild") or not shutil.which("rpm"):
        pytest.skip("needs rpmbuild and rpm")
    tmp = str(tmp_path_factory.mktemp("reach"))
    repo = os.path.join(tmp, "repo")
    n = gen_repo(repo)
    root = build_root(tmp, repo)
    r = subprocess.run([ALU, "-q", "--installroot", root, "makecache"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    # adopt the rpm database once, so that every run below starts alike
    r = subprocess.run([ALU, "-q", "--installroot", root, "-C", "check-update"], capture_output=True, text=True)
    assert r.returncode in (0, 100), r.stderr
    return root, n


def solve(root, args, whole):
    env = dict(os.environ)
    env.pop("ALU_SOLVE_LOAD", None)
    if whole:
        env["ALU_SOLVE_LOAD"] = "all"
    r = subprocess.run([ALU, "-v", "--json", "-C", "--assumeno", "--installroot", root] + args,
                       capture_output=True, text=True, env=env, timeout=120)
    m = re.search(r"solver: (\d+) repository packages in the pool", r.stderr)
    assert m, r.stderr
    return r.returncode, r.stdout, int(m.group(1))


REQUESTS = [
    ["update"],
    ["update", "--security"],
    ["update", "r0000"],
    ["install", "r0005"],                     # not installed, its cluster is; reach2 excludes it
    ["install", "r0503"],                     # a cluster nothing installed reaches
    ["install", "r0512-1.1-1.x86_64"],        # a versioned form
    ["install", "r0612 >= 1.1"],
    ["install", "libr0713.so.1()(64bit)"],    # a capability
    ["install", "/usr/bin/r0824"],            # a path
    ["install", "r0200"],                     # an obsoleted, uninstalled name: its obsoleter
    ["install", "r0209"],                     # a supplement of it comes along
    ["install", "n048"],                      # an obsoleter of an installed package
    ["install", "r042*"],                     # a glob: the whole repository
    ["remove", "r0000"],                      # takes r0001 along
    ["downgrade", "r0030"],
    ["distro-sync"],
    ["install", "r0503", "r0921", "/usr/bin/r0777"],
    ["install", "nosuchpackage"],
    ["install", "extra-only"],                # the second repository's own name
    ["--disablerepo=reach2", "update"],
    ["-x", "r0001", "update"],
    ["swap", "r0000", "r0503"],               # exact targets: "-NEVRA", "+NEVRA"
    # package files: the pool grows after it was made ready (and repository
    # priorities hide some of it)
    ["install", "{tmp}/local/loc-a.rpm", "{tmp}/local/loc-b.rpm"],
]


@pytest.mark.parametrize("args", REQUESTS, ids=[" ".join(a) for a in REQUESTS])
def test_same_transaction(world, args):
    root, n = world
    args = [a.replace("{tmp}", os.path.dirname(root)) for a in args]
    rc_all, out_all, n_all = solve(root, args, True)
    rc, out, n_reach = solve(root, args, False)
    assert (rc, out) == (rc_all, out_all)
    # everything but r0005, which reach2 excludes (unless reach2 is off),
    # and the package files named
    files = sum(a.endswith(".rpm") for a in args)
    assert n_all == (n - 21 if "--disablerepo=reach2" in args else n - 1) + files
    plan = json.loads(out)
    assert plan["result"] in ("aborted", "nothing", "error"), out
    # the point of it: a glob loads everything, anything else a part
    if any("*" in a for a in args):
        assert n_reach == n_all
    else:
        assert 0 < n_reach < n_all // 2, (n_reach, n_all)


def test_requests_do_something(world):
    """The requests above are not all empty: the comparison means something."""
    root, _ = world
    kinds = {}
    for args in REQUESTS:
        args = [a.replace("{tmp}", os.path.dirname(root)) for a in args]
        _, out, _ = solve(root, args, False)
        for op in json.loads(out).get("plan", []):
            kinds[op["action"]] = kinds.get(op["action"], 0) + 1
    # install, upgrade, downgrade, obsolete, erase
    assert len(kinds) >= 5, kinds


def test_check_update_lists_obsoleters(world):
    """check-update finds obsoleters through the revdeps index, not by reading
    every package: exactly the renames of installed packages are listed."""
    root, _ = world
    r = subprocess.run([ALU, "-C", "--installroot", root, "check-update"], capture_output=True, text=True)
    assert r.returncode == 100, r.stderr
    listed = r.stdout.split("Obsoleting Packages", 1)[1]
    got = re.findall(r"^(n\d+)\.x86_64 +3\.0-1 +reach\n +(r\d+)\.x86_64 +1\.1-1 +installed$", listed, re.M)
    want = [("n%03d" % c, "r%04d" % (c * 10)) for c in INSTALLED_CLUSTERS[::4]]
    assert sorted(got) == sorted(want), listed
