#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the solver scenarios (tests/solver/*.test) through dnf as an oracle.

For every scenario this builds tiny real RPMs with rpmbuild, one repository
per `repo` line with createrepo_c, an installroot whose rpmdb holds the
`installed` set (rpm --justdb), runs dnf for the job with --assumeno and turns
dnf's transaction table into the op lines solver_runner prints. It then
compares dnf's plan with the scenario's expect block (what alupdate's policy
layer gives; meson suite 'solver' keeps the two equal) and prints `same`,
`DIFFERENT` or `not comparable: REASON` per scenario and a summary line.

Usage: tests/solver/dnf_compare.py [--build-dir DIR] [--keep] [TEST...]
Built RPMs are cached by content hash under DIR (default build/solver-dnf),
so reruns only pay for dnf itself. See tests/solver/DNF-DIFFERENCES.md.
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
DEPKINDS = ("requires", "provides", "conflicts", "obsoletes",
            "recommends", "suggests", "supplements", "enhances")
SIZE_UNITS = {"k", "M", "G", "B"}


class Pkg:
    def __init__(self, nevra, deps, installed, repo):
        self.nevra = nevra
        self.installed = installed
        self.repo = repo
        m = re.match(r"^(.+)-([^-]+)-([^-]+)\.([^.]+)$", nevra)
        if not m:
            raise ValueError("bad NEVRA %r" % nevra)
        self.name, ver, self.release, self.arch = m.groups()
        self.epoch = None
        if ":" in ver:
            e, ver = ver.split(":", 1)
            self.epoch = int(e)
        self.version = ver
        self.deps = {k: [] for k in DEPKINDS}
        self.files = []
        for part in deps.split(";") if deps else []:
            part = part.strip()
            if not part:
                continue
            kind, _, rest = part.partition(":")
            kind, rest = kind.strip(), rest.strip()
            if kind == "files":
                self.files = rest.split()
            elif kind in DEPKINDS:
                # rich deps keep their commas (none of ours have any, but be safe)
                items = [rest] if rest.startswith("(") else [x.strip() for x in rest.split(",")]
                self.deps[kind] += [x for x in items if x]
            else:
                raise ValueError("unknown dependency kind %r in %r" % (kind, deps))

    def spec(self):
        lines = [
            "%define debug_package %{nil}",
            "%define __os_install_post %{nil}",
            "%define _binary_payload w0.gzdio",
            "%define _build_id_links none",
            "Name: " + self.name,
            "Version: " + self.version,
            "Release: " + self.release,
        ]
        if self.epoch is not None:
            lines.append("Epoch: %d" % self.epoch)
        lines += ["Summary: solver scenario package", "License: MIT", "AutoReqProv: no"]
        if self.arch == "noarch":
            lines.append("BuildArch: noarch")
        for kind in DEPKINDS:
            for d in self.deps[kind]:
                lines.append("%s: %s" % (kind.capitalize(), d))
        lines += ["", "%description", "solver scenario package " + self.nevra, "", "%install"]
        for f in self.files:
            lines.append("mkdir -p %%{buildroot}%s && touch %%{buildroot}%s" % (os.path.dirname(f), f))
        lines += ["", "%files"] + self.files + [""]
        return "\n".join(lines)

    def key(self):
        return hashlib.sha256((self.arch + "\0" + self.spec()).encode()).hexdigest()[:24]


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-5]
        self.comment = []
        self.pkgs = []
        self.repos = []  # (id, prio)
        self.opts = []
        self.jobs = []
        self.expect = []
        repo = None
        in_expect = False
        with open(path) as f:
            for lineno, raw in enumerate(f, 1):
                l = raw.strip()
                if not l:
                    continue
                if l.startswith("#"):
                    if not in_expect:
                        self.comment.append(l[1:].strip())
                    continue
                if in_expect:
                    self.expect.append(l)
                    continue
                word, _, rest = l.partition(" ")
                if word == "expect":
                    in_expect = True
                elif word == "repo":
                    t = rest.split()
                    prio = int(t[t.index("prio") + 1]) if "prio" in t else 99
                    repo = t[0]
                    self.repos.append((repo, prio))
                elif word in ("installed", "pkg"):
                    nevra, _, deps = rest.partition("|")
                    try:
                        self.pkgs.append(Pkg(nevra.strip(), deps.strip(), word == "installed",
                                             None if word == "installed" else repo))
                    except ValueError as e:
                        raise ValueError("%s:%d: %s" % (path, lineno, e))
                elif word == "opt":
                    self.opts.append(rest.split(None, 1) if " " in rest else [rest, ""])
                elif word == "job":
                    self.jobs.append(rest)
                else:
                    raise ValueError("%s:%d: unknown directive %r" % (path, lineno, word))

    def installed(self):
        return [p for p in self.pkgs if p.installed]


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def build_rpm(pkg, cache):
    """Build pkg's RPM unless the cache has it; return its path."""
    out = os.path.join(cache, "rpms", pkg.key())
    if os.path.isdir(out):
        for root, _, files in os.walk(out):
            for f in files:
                if f.endswith(".rpm"):
                    return os.path.join(root, f)
    tmp = tempfile.mkdtemp(prefix="rpmbuild-", dir=os.path.join(cache, "tmp"))
    try:
        spec = os.path.join(tmp, "p.spec")
        with open(spec, "w") as f:
            f.write(pkg.spec())
        cmd = ["rpmbuild", "-bb", "--quiet", "--define", "_topdir " + tmp,
               "--define", "_rpmdir " + os.path.join(tmp, "out"), spec]
        if pkg.arch != "noarch":
            cmd[2:2] = ["--target", pkg.arch]
        r = run(cmd)
        rpms = [os.path.join(rt, f) for rt, _, fs in os.walk(os.path.join(tmp, "out"))
                for f in fs if f.endswith(".rpm")]
        if r.returncode or len(rpms) != 1:
            raise RuntimeError("rpmbuild %s failed (%d):\n%s%s" % (pkg.nevra, r.returncode, r.stdout, r.stderr))
        stage = out + ".new"
        shutil.rmtree(stage, ignore_errors=True)
        os.makedirs(stage)
        shutil.move(rpms[0], stage)
        os.rename(stage, out)  # atomic: a half-built entry never looks cached
        return os.path.join(out, os.path.basename(rpms[0]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def not_comparable(sc):
    reasons = []
    for o, v in sc.opts:
        if o == "lock":
            reasons.append("opt lock %s: versionlock is a dnf plugin (runs use --noplugins)" % v)
        elif o == "running":
            reasons.append("opt running %s: dnf takes the running kernel from uname, "
                           "which is the host's, not the installroot's" % v)
        elif o == "downgrade":
            reasons.append("opt downgrade: no dnf setting allows downgrades inside other jobs")
    return "; ".join(reasons)


def dnf_args(sc):
    """Options and command for the scenario; the job list becomes one dnf command."""
    opts = ["--setopt=clean_requirements_on_remove=False"]
    for o, v in sc.opts:
        if o == "exclude":
            opts.append("--exclude=" + v)
        elif o == "limit":
            opts.append("--setopt=installonly_limit=" + v)
        elif o == "installonly":
            opts.append("--setopt=installonlypkgs=" + v)
        elif o == "cleandeps":
            opts.append("--setopt=clean_requirements_on_remove=True")
        elif o == "protect":
            opts.append("--setopt=protected_packages=" + v)
    if len(sc.jobs) != 1:
        raise ValueError("%s: %d jobs; dnf runs one command" % (sc.name, len(sc.jobs)))
    j = sc.jobs[0]
    verb, _, arg = j.partition(" ")
    table = {"update-all": ["upgrade"], "distsync-all": ["distro-sync"]}
    if verb in table:
        return opts, table[verb]
    verbs = {"install": "install", "update": "upgrade", "remove": "remove", "reinstall": "reinstall",
             "downgrade": "downgrade", "exact": "install", "distsync": "distro-sync",
             "autoremove": "autoremove"}
    return opts, [verbs[verb], arg]


def parse_table(out, sc):
    """dnf's transaction table -> runner op lines, or None when there is no table."""
    lines = out.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith(" Package ") and "Arch" in l)
    except StopIteration:
        return None
    sections = []
    cur = None
    for l in lines[start + 1:]:
        if l.startswith("Transaction Summary"):
            break
        if l.startswith("=") or not l.strip():
            continue
        if l.startswith("("):
            continue  # second line of a long title: "(add '--best --allowerasing' ...):"
        if not l.startswith(" "):
            cur = (l.strip().rstrip(":"), [])
            sections.append(cur)
        elif cur is not None:
            cur[1].extend(l.split())
    installed = sc.installed()

    def old_of(name, arch):
        cands = [p for p in installed if p.name == name]
        same = [p for p in cands if p.arch == arch]
        return (same or cands or [None])[0]

    ops = []
    for title, toks in sections:
        if title.startswith("Skipping"):
            continue
        i = 0
        items = []
        while i < len(toks):
            if toks[i] == "replacing":
                na, evr = toks[i + 1], toks[i + 2]
                n, _, a = na.rpartition(".")
                items[-1][1].append("%s-%s.%s" % (n, evr, a))
                i += 3
                continue
            name, arch, evr = toks[i:i + 3]
            i += 5  # name arch evr repo size
            if i < len(toks) and toks[i] in SIZE_UNITS:
                i += 1
            items.append(("%s-%s.%s" % (name, evr, arch), [], name, arch))
        for nevra, replaced, name, arch in items:
            others = [r for r in replaced if not r.startswith(name + "-") or
                      r[len(name) + 1:len(name) + 2].isalpha()]
            if title.startswith("Installing") and others:
                ops += ["obsolete %s -> %s" % (r, nevra) for r in others]
                continue
            ops += ["obsolete %s -> %s" % (r, nevra) for r in others]
            if title.startswith("Installing"):
                ops.append("install " + nevra)
            elif title.startswith("Upgrading") or title.startswith("Downgrading"):
                old = old_of(name, arch)
                word = "upgrade" if title.startswith("Upgrading") else "downgrade"
                ops.append("%s %s -> %s" % (word, old.nevra if old else "?", nevra))
            elif title.startswith("Reinstalling"):
                ops.append("reinstall " + nevra)
            elif title.startswith("Removing"):
                ops.append("erase " + nevra)
            else:
                ops.append("%s %s" % (title.lower(), nevra))
    return ops


def dnf_plan(sc, rpms, work, extra=()):
    """Set up repos and root for sc under work, run dnf; return (ops|None, error|None, raw)."""
    shutil.rmtree(work, ignore_errors=True)
    root, reposd, cache = (os.path.join(work, d) for d in ("root", "repos.d", "cache"))
    home = os.path.join(work, "home")
    for d in (root, reposd, cache, home):
        os.makedirs(d)
    with open(os.path.join(home, ".rpmmacros"), "w") as f:
        f.write("%_dbpath /var/lib/rpm\n")
    env = dict(os.environ, HOME=home, LANG="C", LC_ALL="C", COLUMNS="200")
    for rid, prio in sc.repos:
        rdir = os.path.join(work, "repo-" + rid)
        os.makedirs(rdir)
        for p in sc.pkgs:
            if not p.installed and p.repo == rid:
                shutil.copy(rpms[p.key()], rdir)
        r = run(["createrepo_c", "--quiet", rdir], env=env)
        if r.returncode:
            raise RuntimeError("createrepo_c %s: %s" % (rdir, r.stderr))
        with open(os.path.join(reposd, rid + ".repo"), "w") as f:
            f.write("[%s]\nname=%s\nbaseurl=file://%s\nenabled=1\ngpgcheck=0\npriority=%d\n"
                    % (rid, rid, rdir, prio))
    rpmcmd = ["rpm", "--root", root, "--define", "_dbpath /var/lib/rpm"]
    r = run(rpmcmd + ["--initdb"], env=env)
    inst = [rpms[p.key()] for p in sc.installed()]
    if not r.returncode and inst:
        r = run(rpmcmd + ["-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch"] + inst, env=env)
    if r.returncode:
        raise RuntimeError("rpm --justdb into %s: %s" % (root, r.stderr))
    conf = os.path.join(work, "dnf.conf")
    with open(conf, "w") as f:
        f.write("[main]\ngpgcheck=0\nkeepcache=0\nmetadata_expire=-1\n")
    opts, cmd = dnf_args(sc)
    base = ["dnf", "-c", conf, "--installroot=" + root, "--releasever=2",
            "--setopt=reposdir=" + reposd, "--setopt=cachedir=" + cache, "--noplugins"]
    if any(o == "cleandeps" for o, _ in sc.opts) and sc.installed():
        # The runner gives no install reasons: to alupdate's solver every
        # installed package is a dependency. dnf calls a package without
        # history user-installed, so say otherwise in its history first.
        r = run(base + ["mark", "remove"] + sorted({p.name for p in sc.installed()}), env=env)
        if r.returncode:
            raise RuntimeError("dnf mark remove in %s: %s%s" % (root, r.stdout, r.stderr))
    argv = base + ["--assumeno"] + opts + list(extra) + cmd
    r = run(argv, env=env)
    raw = "$ %s\n%s%s" % (" ".join(argv), r.stdout, r.stderr)
    ops = parse_table(r.stdout, sc)
    if ops is not None:
        return ops, None, raw
    if r.returncode == 0 and "Nothing to do" in r.stdout:
        return [], None, raw
    err = [l.strip() for l in (r.stderr + r.stdout).splitlines()
           if l.strip() and not re.search(r"/s \| |^Last metadata", l)]
    return None, " | ".join(err[:4]) or "dnf exit %d" % r.returncode, raw


def alu_plan(sc):
    """The scenario's expect block: ops (list) or error text."""
    if sc.expect and sc.expect[0].startswith("error:"):
        return None, sc.expect[0][6:].strip()
    return [] if sc.expect == ["nothing"] else list(sc.expect), None


def show(ops, err):
    if err is not None:
        return "error: " + err
    return "; ".join(sorted(ops)) if ops else "nothing"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(TOP, "build", "solver-dnf"))
    ap.add_argument("--keep", action="store_true", help="keep each scenario's repos and root")
    ap.add_argument("-v", "--verbose", action="store_true", help="print dnf's output for differences")
    ap.add_argument("tests", nargs="*")
    a = ap.parse_args()
    tests = a.tests or sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".test"))
    cache = os.path.abspath(a.build_dir)
    os.makedirs(os.path.join(cache, "tmp"), exist_ok=True)
    scenarios = [Scenario(t) for t in tests]

    todo = {}
    for sc in scenarios:
        for p in sc.pkgs:
            todo.setdefault(p.key(), p)
    rpms = {}
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        futs = {ex.submit(build_rpm, p, cache): k for k, p in todo.items()}
        for fu in concurrent.futures.as_completed(futs):
            rpms[futs[fu]] = fu.result()

    counts = {"same": 0, "DIFFERENT": 0, "not comparable": 0}
    for sc in scenarios:
        why = not_comparable(sc)
        if why:
            counts["not comparable"] += 1
            print("%s: not comparable: %s" % (sc.name, why))
            if all(o != "lock" for o, _ in sc.opts):
                # for information only: dnf's plan with no running kernel known
                ops, err, _ = dnf_plan(sc, rpms, os.path.join(cache, "work", sc.name),
                                       ["--setopt=protect_running_kernel=False"])
                aops, aerr = alu_plan(sc)
                print("  alupdate: %s\n  dnf (running kernel unknown): %s" % (show(aops, aerr), show(ops, err)))
                if not a.keep:
                    shutil.rmtree(os.path.join(cache, "work", sc.name), ignore_errors=True)
            continue
        work = os.path.join(cache, "work", sc.name)
        ops, err, raw = dnf_plan(sc, rpms, work)
        aops, aerr = alu_plan(sc)
        same = (err is not None and aerr is not None) or \
               (err is None and aerr is None and sorted(ops) == sorted(aops))
        if same:
            counts["same"] += 1
            print("%s: same (%s)" % (sc.name, show(ops, err)))
        else:
            counts["DIFFERENT"] += 1
            print("%s: DIFFERENT\n  alupdate: %s\n  dnf:      %s" % (sc.name, show(aops, aerr), show(ops, err)))
            # is it only dnf's best= default? (alupdate's update policy is best=False)
            bops, berr, _ = dnf_plan(sc, rpms, work + "-best", ["--setopt=best=False"])
            if (berr is None and aerr is None and sorted(bops) == sorted(aops)) or \
               (berr is not None and aerr is not None):
                print("  dnf --setopt=best=False: same as alupdate")
            shutil.rmtree(work + "-best", ignore_errors=True)
            if a.verbose:
                print("  " + raw.replace("\n", "\n  | "))
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print("summary: %d scenarios: %d same, %d DIFFERENT, %d not comparable"
          % (len(scenarios), counts["same"], counts["DIFFERENT"], counts["not comparable"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
