# SPDX-License-Identifier: MIT
"""History across a kill -9, as yum keeps it: the record of a transaction is
written before the first package, each package is added to its done list in
the same state-db commit as the package itself, and the end comes last.

The kill point is deterministic: alupdate calls syncfs(2) exactly once per
package, just before that package's state-db commit (src/txn/run.c), so
strace's fault injection `inject=syncfs:signal=KILL:when=N` kills the run
with N-1 packages committed and the N-th rolled back by the next run's
recovery."""
import fcntl
import json
import shutil
import subprocess

import pytest

from conftest import ALU_BIN, rpm_q, set_mirror_base


def run_ok(alu, *args):
    p = alu(*args)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def installed(alu, root):
    """name -> sorted NEVRAs, from alupdate's state db."""
    p = run_ok(alu, "--installroot", root, "list", "installed", "--json")
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    out = {}
    for r in rows:
        if r["name"] != "gpg-pubkey":
            out.setdefault(r["name"], []).append(
                "%s-%s-%s.%s" % (r["name"], r["version"], r["release"], r["arch"]))
    return {k: sorted(v) for k, v in out.items()}


def history(alu, root):
    """id -> record, from `history list --json`."""
    p = run_ok(alu, "--installroot", root, "history", "list", "--json")
    return {r["id"]: r for r in json.loads(p.stdout)}


def killed_update(root, when):
    """`update -y` killed before the when-th package commit."""
    if not shutil.which("strace"):
        pytest.skip("strace is not installed")
    p = subprocess.run(["strace", "-f", "-qq", "-o", "/dev/null", "-e", "trace=syncfs",
                        "-e", "inject=syncfs:signal=KILL:when=%d" % when,
                        ALU_BIN, "--installroot", str(root), "update", "-y"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode != 0, (p.stdout, p.stderr)
    assert "Complete!" not in p.stdout


def changed(before, after):
    return sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))


def forward(ops):
    """The NEVRAs a record put on the root (its Install/Update/... lines)."""
    return sorted(o["nevra"] for o in ops if not o["action"].endswith("ed"))


def test_killed_update_history_and_undo(alu, sample_root, mirror):
    root = sample_root
    set_mirror_base(root, mirror.http)
    before = installed(alu, root)
    killed_update(root, 4)
    mid = installed(alu, root)
    done = changed(before, mid)
    assert len(done) == 3, (before, mid)

    # read-only, before any recovery: the record is there, open, with the
    # three packages committed and the rest of the plan
    h = history(alu, root)
    assert list(h) == [1], h
    r1 = h[1]
    ops1 = r1["ops"]
    assert r1["interrupted"] and r1["end"] == 0 and r1["command"] == "update -y"
    assert forward(r1["ops"]) == sorted(n for name in done for n in mid[name])
    assert set(forward(r1["ops"])) < set(forward(r1["planned"]))
    p = run_ok(alu, "--installroot", root, "history", "list")
    line = [l for l in p.stdout.splitlines() if l.strip().startswith("1 |")]
    assert line and "** Interrupted" in line[0] and line[0].split("|")[3].strip().endswith(" 3"), p.stdout
    p = run_ok(alu, "--installroot", root, "history", "info", "1")
    assert "Return-Code    : ** Interrupted **" in p.stdout, p.stdout
    altered, rest = p.stdout.split("Packages Altered:\n")[1].split("Not done (interrupted):\n")
    for name in done:
        for nevra in mid[name]:
            assert nevra in altered and nevra not in rest, (nevra, p.stdout)
        for nevra in before[name]:
            assert "Updated      %s" % nevra in altered, (nevra, p.stdout)
    assert rest.strip(), p.stdout

    # the completing run recovers, marks record 1, and records only the rest
    p = run_ok(alu, "--installroot", root, "update", "-y")
    after = installed(alu, root)
    h = history(alu, root)
    assert sorted(h) == [1, 2], h
    r1, r2 = h[1], h[2]
    assert r1["interrupted"] and r1["end"] and r1["error"].startswith("interrupted"), r1
    assert r1["ops"] == ops1   # marking it changes only its end
    assert not r2["interrupted"] and r2["rc"] == 0 and r2["planned"] == [], r2
    assert not set(forward(r1["ops"])) & set(forward(r2["ops"])), (r1, r2)
    assert set(changed(before, after)) == set(done) | set(changed(mid, after))
    assert sorted(forward(r2["ops"])) == sorted(n for name in changed(mid, after)
                                                for n in set(after[name]) - set(mid.get(name, [])))
    p = run_ok(alu, "--installroot", root, "history", "list")
    assert "** Interrupted" in [l for l in p.stdout.splitlines() if l.strip().startswith("1 |")][0]
    assert "Interrupted" not in [l for l in p.stdout.splitlines() if l.strip().startswith("2 |")][0]

    # undo 1 brings back exactly what it changed; record 2's packages stay,
    # except those that need a new version of one undone (they must follow)
    run_ok(alu, "--installroot", root, "history", "undo", "1", "-y")
    final = installed(alu, root)
    pk = mirror.repo() / "Packages"
    for name in set(before) | set(after) | set(final):
        if name in done:
            assert final.get(name) == before.get(name), (name, final.get(name), before.get(name))
            continue
        needs = set()
        for nevra in after.get(name, []):
            needs |= {q.split()[0] for q in rpm_q("/", "-qp", "--requires", str(pk / (nevra + ".rpm")))}
        if needs & set(done) and final.get(name) != after.get(name):
            assert final.get(name) == before.get(name), (name, final.get(name))
        else:
            assert final.get(name) == after.get(name), (name, final.get(name), after.get(name))
    h = history(alu, root)
    assert sorted(h) == [1, 2, 3] and not h[3]["interrupted"] and h[3]["rc"] == 0, h


def test_killed_before_first_commit(alu, sample_root, mirror):
    root = sample_root
    set_mirror_base(root, mirror.http)
    before = installed(alu, root)
    killed_update(root, 1)
    assert installed(alu, root) == before
    r1 = history(alu, root)[1]
    assert r1["interrupted"] and r1["ops"] == [] and r1["planned"], r1
    p = run_ok(alu, "--installroot", root, "history", "info", "1")
    assert "Not done (interrupted):" in p.stdout, p.stdout
    for nevra in forward(r1["planned"]):
        assert nevra in p.stdout.split("Not done (interrupted):")[1]
    run_ok(alu, "--installroot", root, "update", "-y")
    h = history(alu, root)
    assert h[1]["interrupted"] and h[1]["ops"] == [] and h[1]["end"], h[1]
    assert not h[2]["interrupted"] and forward(h[2]["ops"]) == forward(r1["planned"]), h


def test_open_record_while_a_writer_holds_the_lock_is_running(alu, sample_root, mirror):
    """A record without an end is a killed run's only when no alupdate holds
    the root's writer lock; while one does, it is the transaction being
    applied: "** Running", not "** Interrupted"."""
    root = sample_root
    set_mirror_base(root, mirror.http)
    killed_update(root, 2)
    with open(root / "var" / "lib" / "alupdate" / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)   # as a running update holds it
        r1 = history(alu, root)[1]
        assert r1["running"] and not r1["interrupted"] and r1["end"] == 0, r1
        p = run_ok(alu, "--installroot", root, "history", "list")
        line = [l for l in p.stdout.splitlines() if l.strip().startswith("1 |")][0]
        assert "** Running" in line and "Interrupted" not in line, p.stdout
        p = run_ok(alu, "--installroot", root, "history", "info", "1")
        assert "End time       : ** Running **" in p.stdout, p.stdout
        assert "Return-Code    : ** Running **" in p.stdout, p.stdout
    r1 = history(alu, root)[1]
    assert r1["interrupted"] and not r1["running"], r1
    p = run_ok(alu, "--installroot", root, "history", "list")
    assert "** Interrupted" in [l for l in p.stdout.splitlines() if l.strip().startswith("1 |")][0]
