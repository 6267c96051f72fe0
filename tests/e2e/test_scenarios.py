# SPDX-License-Identifier: MIT
"""Transaction scenarios through the binary (tests/scenarios/*.test).

Each scenario is a tiny world: real RPMs built with rpmbuild from one-line
package definitions (cached by content hash under $ALU_BUILD/scenarios/rpms,
shared with tests/solver/dnf_compare.py's format), one createrepo_c
repository per `repo` line (updateinfo added with modifyrepo_c), a root whose
rpm database holds the `installed` set (rpm --justdb, adopted by alupdate on
its first run), setup commands, and one command under test whose plan, exit
code, output and resulting installed set are checked. With `oracle dnf` the
same command runs through dnf on the same repositories and root and the two
plans must be the same set of operations.

Format (one directive a line, '#' comments):
  installed NEVRA [| deps]      in the root's rpm database before anything runs
  repo ID [prio N] [KEY=VALUE...]  following pkg/advisory lines belong to it
  pkg NEVRA [| deps]            deps as tests/solver: "requires: a >= 1, b;
                                provides: c = 2; conflicts: d; obsoletes: e < 2;
                                files: /x /y"
  local NEVRA [| deps]          a package file in the directory commands run in
                                (./NAME-V-R.ARCH.rpm)
  advisory ID TYPE NEVRA...     an updateinfo entry of the current repo
  conf KEY=VALUE                a yum.conf [main] line
  vlock LINE                    a versionlock.list line
  step ARGS                     run `alupdate -y ARGS` first (must exit 0)
  run ARGS                      the command under test (--assumeno; `apply`: -y)
  apply
  oracle dnf [ARGS]             dnf must plan the same (ARGS: dnf's spelling)
  expect                        then, one a line:
     install N [dep] | upgrade OLD -> NEW [dep] | downgrade OLD -> NEW |
     reinstall N | obsolete OLD -> NEW | erase N [dep]   the plan, as a set
     nothing                    an empty plan
     error: TEXT                exit 1 and TEXT in the output
     exit: N                    the exit code
     out: TEXT / !out: TEXT     TEXT is / is not in stdout+stderr
     state: NEVRA REASON        installed afterwards with that reason (user|dep|adopted)
     gone: NAME                 no package NAME installed afterwards
     count: NAME N              N installed packages (records) of that name afterwards
"""
import concurrent.futures
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TOP = HERE.parents[1]
sys.path.insert(0, str(TOP / "tests" / "solver"))
import dnf_compare  # noqa: E402  (Pkg, build_rpm, parse_table)

BUILD = Path(os.environ.get("ALU_BUILD") or TOP / "build")
ALU = os.environ.get("ALU_BIN") or str(BUILD / "alupdate")
SCEN = TOP / "tests" / "scenarios"
CACHE = BUILD / "scenarios"
PLAN_WORDS = ("install", "upgrade", "downgrade", "reinstall", "obsolete", "erase")


class Scenario:
    def __init__(self, path):
        self.path = path
        self.name = path.stem
        self.pkgs, self.repos, self.advisories = [], [], []
        self.conf, self.vlock, self.steps, self.expect = [], [], [], []
        self.run, self.apply, self.oracle = None, False, None
        repo = None
        in_expect = False
        for lineno, raw in enumerate(path.read_text().splitlines(), 1):
            l = raw.strip()
            if not l or l.startswith("#"):
                continue
            if in_expect:
                self.expect.append(l)
                continue
            word, _, rest = l.partition(" ")
            rest = rest.strip()
            where = "%s:%d" % (path, lineno)
            if word == "expect":
                in_expect = True
            elif word == "repo":
                t = rest.split()
                prio = None
                extra = []
                i = 1
                while i < len(t):
                    if t[i] == "prio":
                        prio = int(t[i + 1])
                        i += 2
                    else:
                        extra.append(t[i])
                        i += 1
                repo = t[0]
                self.repos.append((repo, prio, extra))
            elif word in ("installed", "pkg", "local"):
                nevra, _, deps = rest.partition("|")
                if word == "pkg" and repo is None:
                    raise ValueError("%s: pkg before any repo line" % where)
                p = dnf_compare.Pkg(nevra.strip(), deps.strip(), word == "installed",
                                    repo if word == "pkg" else None)
                p.local = word == "local"
                self.pkgs.append(p)
            elif word == "advisory":
                t = rest.split()
                self.advisories.append((repo, t[0], t[1], t[2:]))
            elif word == "conf":
                self.conf.append(rest)
            elif word == "vlock":
                self.vlock.append(rest)
            elif word == "step":
                self.steps.append(shlex.split(rest))
            elif word == "run":
                self.run = shlex.split(rest)
            elif word == "apply":
                self.apply = True
            elif word == "oracle":
                t = shlex.split(rest)
                if not t or t[0] != "dnf":
                    raise ValueError("%s: only 'oracle dnf' is known" % where)
                self.oracle = t[1:] or None
                self.oracle_on = True
            else:
                raise ValueError("%s: unknown directive %r" % (where, word))
        if not self.run:
            raise ValueError("%s: no run line" % path)
        self.oracle_on = hasattr(self, "oracle_on")

    def installed(self):
        return [p for p in self.pkgs if p.installed]

    def wants_plan(self):
        return any(e.split()[0] in PLAN_WORDS or e == "nothing" for e in self.expect)


SCENARIOS = sorted(SCEN.glob("*.test"))


@pytest.fixture(scope="module")
def rpms():
    """Every package of every scenario, built two at a time (cached by content)."""
    (CACHE / "tmp").mkdir(parents=True, exist_ok=True)
    todo = {}
    for path in SCENARIOS:
        for p in Scenario(path).pkgs:
            todo.setdefault(p.key(), p)
    out = {}
    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        futs = {ex.submit(dnf_compare.build_rpm, p, str(CACHE)): k for k, p in todo.items()}
        for fu in concurrent.futures.as_completed(futs):
            out[futs[fu]] = fu.result()
    return out


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def updateinfo_xml(advs, pkgs):
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<updates>']
    for rid, aid, typ, nevras in advs:
        parts.append('<update from="test" status="stable" type="%s" version="2.0">'
                     '<id>%s</id><title>%s</title><issued date="2024-01-01 00:00:00"/>'
                     '<severity>Important</severity><pkglist><collection short="c"><name>c</name>'
                     % (typ, aid, aid))
        for nv in nevras:
            p = dnf_compare.Pkg(nv, "", False, rid)
            parts.append('<package name="%s" version="%s" release="%s" epoch="%d" arch="%s">'
                         '<filename>%s.rpm</filename></package>'
                         % (p.name, p.version, p.release, p.epoch or 0, p.arch, nv))
        parts.append('</collection></pkglist></update>')
    parts.append('</updates>\n')
    return "".join(parts)


def make_world(sc, rpms, work):
    """Repositories, root and configuration for sc under work; returns the root."""
    shutil.rmtree(work, ignore_errors=True)
    root = work / "root"
    (root / "etc/yum.repos.d").mkdir(parents=True)
    (root / "etc/yum/pluginconf.d").mkdir(parents=True)
    home = work / "home"
    home.mkdir()
    (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
    env = dict(os.environ, HOME=str(home), LANG="C", LC_ALL="C", COLUMNS="200")
    for rid, prio, extra in sc.repos:
        rdir = work / ("repo-" + rid)
        rdir.mkdir()
        for p in sc.pkgs:
            if not p.installed and p.repo == rid:
                shutil.copy(rpms[p.key()], rdir)
        r = sh(["createrepo_c", "--quiet", "--no-database", str(rdir)], env=env)
        assert r.returncode == 0, r.stderr
        advs = [a for a in sc.advisories if a[0] == rid]
        if advs:
            ui = work / "updateinfo.xml"
            ui.write_text(updateinfo_xml(advs, sc.pkgs))
            r = sh(["modifyrepo_c", "--mdtype=updateinfo", str(ui),
                    str(rdir / "repodata")], env=env)
            assert r.returncode == 0, r.stderr
        text = "[%s]\nname=%s\nbaseurl=file://%s\nenabled=1\ngpgcheck=0\n" % (rid, rid, rdir)
        if prio is not None:
            text += "priority=%d\n" % prio
        text += "".join(x + "\n" for x in extra)
        (root / "etc/yum.repos.d" / (rid + ".repo")).write_text(text)
    (root / "etc/yum.conf").write_text(
        "[main]\ngpgcheck=0\nkeepcache=0\nobsoletes=1\ninstallonly_limit=3\n"
        + "".join(c + "\n" for c in sc.conf))
    if sc.vlock:
        (root / "etc/yum/pluginconf.d/versionlock.list").write_text("\n".join(sc.vlock) + "\n")
    local = work / "local"
    local.mkdir()
    for p in sc.pkgs:
        if getattr(p, "local", False):
            shutil.copy(rpms[p.key()], local / ("%s.rpm" % p.nevra))
    rpmcmd = ["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm"]
    r = sh(rpmcmd + ["--initdb"], env=env)
    inst = [rpms[p.key()] for p in sc.installed()]
    if r.returncode == 0 and inst:
        r = sh(rpmcmd + ["-i", "--justdb", "--nodeps", "--noscripts", "--ignorearch"] + inst, env=env)
    assert r.returncode == 0, r.stderr
    return root, env


def alu(root, env, args):
    # in the directory of the `local` package files: "./x.rpm" names them
    return sh([ALU, "--installroot=%s" % root, "--releasever=2"] + list(args), env=env,
              timeout=120, cwd=str(root.parent / "local"))


def plan_lines(doc):
    out = []
    for op in doc.get("plan", []):
        a = op["action"]
        dep = " dep" if op["dependency"] else ""
        if a == "erase":
            out.append("erase %s%s" % (op["nevra"], dep))
        elif op["replaces"] and a != "reinstall":
            out.append("%s %s -> %s%s" % (a, op["replaces"], op["nevra"], dep))
        else:
            out.append("%s %s%s" % (a, op["nevra"], dep))
    return sorted(out)


def installed_state(root, env):
    r = alu(root, env, ["--json", "-C", "list", "installed"])
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    out = {}
    for row in doc.get("installed", []):
        evr = ("%d:" % row["epoch"] if row["epoch"] else "") + row["version"] + "-" + row["release"]
        out["%s-%s.%s" % (row["name"], evr, row["arch"])] = row.get("reason")
    return out


def dnf_plan(sc, root, env, work, rpmdb):
    """dnf's plan for the command under test, on a copy of the scenario's root
    as it was before alupdate ran (@p rpmdb: alupdate writes the rpm database back)."""
    droot = work / "dnfroot"
    shutil.rmtree(droot, ignore_errors=True)
    shutil.copytree(rpmdb, droot / "var/lib/rpm", symlinks=True)
    conf = work / "dnf.conf"
    conf.write_text("[main]\ngpgcheck=0\nkeepcache=0\nmetadata_expire=-1\ninstall_weak_deps=1\n"
                    + "".join(c + "\n" for c in sc.conf))
    cmd = sc.oracle or [w for w in sc.run if w not in ("-y",)]
    argv = ["dnf", "-c", str(conf), "--installroot=%s" % droot, "--releasever=2",
            "--setopt=reposdir=%s" % (root / "etc/yum.repos.d"),
            "--setopt=cachedir=%s" % (work / "dnfcache"), "--noplugins", "--assumeno",
            "--setopt=clean_requirements_on_remove=False"] + cmd
    r = sh(argv, env=env, cwd=str(work / "local"))
    ops = dnf_compare.parse_table(r.stdout, sc)
    if ops is not None:
        return sorted(ops), None
    if r.returncode == 0 and ("Nothing to do" in r.stdout or "Nothing to do" in r.stderr):
        return [], None
    return None, (r.stdout + r.stderr)[-400:]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path, rpms, tmp_path):
    sc = Scenario(path)
    root, env = make_world(sc, rpms, tmp_path / "w")
    for st in sc.steps:
        r = alu(root, env, ["-y"] + st)
        assert r.returncode == 0, "step %s: %s%s" % (st, r.stdout, r.stderr)
    args = list(sc.run)
    json_mode = sc.wants_plan()
    if json_mode:
        args = ["--json"] + args
    args = (["-y"] if sc.apply else ["--assumeno"] if json_mode else []) + args
    # the rpm database before the command, for dnf: alupdate writes it back
    before = tmp_path / "rpmdb-before"
    if (root / "var/lib/rpm").is_dir():
        shutil.copytree(root / "var/lib/rpm", before, symlinks=True)
    r = alu(root, env, args)
    text = r.stdout + r.stderr
    want_plan, got_plan = [], None
    if json_mode:
        doc = json.loads(r.stdout.strip().splitlines()[-1]) if r.stdout.strip() else {}
        got_plan = plan_lines(doc)
    state = None
    for e in sc.expect:
        word = e.split()[0]
        if word in PLAN_WORDS:
            want_plan.append(e)
        elif e == "nothing":
            pass
        elif e.startswith("error:"):
            assert r.returncode != 0, "expected an error, got exit 0:\n" + text
            assert e[6:].strip() in text, text
        elif e.startswith("exit:"):
            assert r.returncode == int(e[5:]), "exit %d:\n%s" % (r.returncode, text)
        elif e.startswith("!out:"):
            assert e[5:].strip() not in text, text
        elif e.startswith("out:"):
            assert e[4:].strip() in text, text
        elif e.startswith("count:"):
            t = e[6:].split()
            r2 = alu(root, env, ["--json", "-C", "list", "installed"])
            rows = json.loads(r2.stdout).get("installed", [])
            assert len([x for x in rows if x["name"] == t[0]]) == int(t[1]), r2.stdout
        elif e.startswith("state:") or e.startswith("gone:"):
            if state is None:
                state = installed_state(root, env)
            t = e.split(":", 1)[1].split()
            if e.startswith("gone:"):
                assert not [n for n in state if n.startswith(t[0] + "-") and
                            n[len(t[0]) + 1:][:1].isdigit()], state
            else:
                assert state.get(t[0]) == t[1], "%s: %s" % (t[0], state)
        else:
            raise AssertionError("%s: bad expect line %r" % (path, e))
    if not any(e.startswith(("error:", "exit:")) for e in sc.expect):
        # --assumeno stops a plan that has something to do: exit 1, as yum
        want_rc = 1 if json_mode and not sc.apply and want_plan else 0
        assert r.returncode == want_rc, "exit %d:\n%s" % (r.returncode, text)
    if json_mode and not any(e.startswith("error:") for e in sc.expect):
        assert got_plan == sorted(want_plan), "plan:\n%s\n---\n%s" % ("\n".join(got_plan), text)
    # ALU_SCENARIO_DNF_ALL=1: every plan scenario without setup steps or locks
    # is compared with dnf (to find the differences DNF-DIFFERENCES.md lists)
    if not sc.oracle_on and os.environ.get("ALU_SCENARIO_DNF_ALL") and json_mode and \
            not sc.steps and not sc.vlock:
        sc.oracle_on = True
    if sc.oracle_on:
        ops, err = dnf_plan(sc, root, env, tmp_path / "w", before)
        if any(e.startswith("error:") for e in sc.expect):
            assert err is not None, "dnf planned %s" % ops
        else:
            assert err is None, err
            mine = sorted(re.sub(r" dep$", "", l) for l in want_plan)
            assert ops == mine, "dnf: %s\nalupdate: %s" % (ops, mine)
