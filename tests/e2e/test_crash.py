# SPDX-License-Identifier: MIT
"""Crash trials of a repository update: kill -9 at 50 random points of a
multi-package `update -y`, then check what the next run finds.

alupdate commits each package on its own (src/txn/txn.h): a transaction of
N packages is N small transactions in the solver's order. The honest reading
of "after a crash the root is in the before or the after state" is therefore
per package: for EACH package name, the root holds either its old version
entirely or its new version entirely (files, modes, symlinks, contents,
mtimes), and the installed set recorded in alupdate's state db says which.
The root as a whole is a mix: some packages updated, the others not, each
one whole. (kernel is installonly: its "new" state is old and new kernel
side by side.)

The update: the sample mirror's old set (5 packages to update) plus two
packages built here with 1500 files each (bulk-a, bulk-b, 1.0 -> 1.1: every
file changes, a directory and its files go, another comes, symlinks, hard
links, a %config file), signed with the mirror's test key into a copy of the
repository, served over file:// so downloads take no time. The base root is
adopted and its metadata cached before the trials, so the kill points fall on
download, signature checks and the transaction itself.

The roots live on a disk (a loop-mounted ext4 with its journal when the
tests may mount, else the test's temporary directory: diskfs.py), where the
transaction's syncs really go to the device and the kill points fall on
them: one syncfs per package since the per-file fsync went
(src/txn/durable.c). A kill -9 does not lose what the page cache holds, so
power loss is not what these trials test. ALU_CRASH_TMPFS=1 puts the roots
on /dev/shm instead (without the disk).

Each trial: a fresh copy of the base root, `update -y` killed with SIGKILL
after a delay uniform in [0, 1.2 x the measured duration of an uninterrupted
run]; then a writing command (which recovers first), and the checks:
  * per name, the installed versions (list installed --json) are the old or
    the new set;
  * every path owned by an old or new version of an updated package is as in
    the base root or the reference root (the uninterrupted run), according to
    the version the state db records; unowned paths are unchanged;
  * `verify` (rpm -V) reports nothing;
  * no `.alu-new-*` / `.alu-old-*` leftovers anywhere in the root;
then `update -y` to completion and the root equals the reference root (same
NEVRAs, same file digests, modes and mtimes).

The rpm database is written back after the run (src/rpmdb): a kill during
that write leaves the old or the new database whole, and after the next
writing command it says what the state says: checked with rpm itself
(`rpm -qa` against the state's set) and `verify --rpmdb`. Its files are
therefore not compared byte for byte, nor are alupdate's own state and cache,
and the marker file the sample alu-data package's scriptlets append to (a
%post that ran before the kill runs again, as with rpm).
"""
import contextlib
import hashlib
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ALU_BIN, make_root
from diskfs import disk_dir

TRIALS = int(os.environ.get("ALU_CRASH_TRIALS", "50"))
# each costs some 5 s: the traced run stops at every system call
SYS_TRIALS = int(os.environ.get("ALU_CRASH_SYSCALL_TRIALS", "10"))
SEED = int(os.environ.get("ALU_CRASH_SEED", "20261123"))
NFILES = 1500
BULK = ("bulk-a", "bulk-b")
# not part of any package's state: alupdate's own db and cache, the scriptlet
# marker of alu-data (see the docstring)
IGNORED = ("var/lib/alupdate", "var/cache", "var/lib/alu-data/marker", "var/lib/rpm/")

SPEC = """Name: {name}
Version: {version}
Release: 1
Summary: many files for crash trials
License: MIT
BuildArch: noarch
AutoReqProv: no
%global debug_package %{{nil}}
%global _build_id_links none

%description
Crash-trial package with {n} files.

%install
for d in $(seq 0 29); do mkdir -p %{{buildroot}}/usr/share/{name}/d$d; done
i=0
while [ $i -lt {n} ]; do
  echo "{name} {version} $i" > %{{buildroot}}/usr/share/{name}/d$((i % 30))/f$i
  i=$((i + 1))
done
mkdir -p %{{buildroot}}/usr/share/{name}/only-{version} %{{buildroot}}/etc
for i in $(seq 0 19); do echo "only {version} $i" > %{{buildroot}}/usr/share/{name}/only-{version}/o$i; done
ln -s d0/f0 %{{buildroot}}/usr/share/{name}/link
ln -s only-{version}/o0 %{{buildroot}}/usr/share/{name}/link-{version}
echo "hard {version}" > %{{buildroot}}/usr/share/{name}/h1
ln %{{buildroot}}/usr/share/{name}/h1 %{{buildroot}}/usr/share/{name}/h2
echo "setting = {version}" > %{{buildroot}}/etc/{name}.conf

%files
%config(noreplace) /etc/{name}.conf
/usr/share/{name}
"""


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert p.returncode == 0, (cmd, p.stdout[-2000:], p.stderr[-2000:])
    return p


def alu(root, *args, timeout=300):
    return subprocess.run([ALU_BIN, "--installroot", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def build_bulk(tmp):
    """The four bulk RPMs (2 names x 2 versions), built in parallel."""
    procs, out = [], []
    for name in BULK:
        for version in ("1.0", "1.1"):
            d = tmp / ("%s-%s" % (name, version))
            d.mkdir(parents=True)
            spec = d / "p.spec"
            spec.write_text(SPEC.format(name=name, version=version, n=NFILES))
            cmd = ["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                   "--define", "_binary_payload w1.gzdio",
                   "--define", "__spec_install_post %{nil}", str(spec)]
            procs.append((cmd, subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
            out.append(d / "RPMS/noarch" / ("%s-%s-1.noarch.rpm" % (name, version)))
    for cmd, p in procs:
        log = p.communicate()[0]
        assert p.returncode == 0, (cmd, log[-2000:])
    return out


def sign(mirror, rpms):
    """rpmsign as build-mirror.sh does, with a private copy of the mirror's
    GnuPG home (short path: the agent's socket lives there)."""
    home = Path(tempfile.mkdtemp(prefix="alu-gpg-"))
    try:
        shutil.copytree(mirror.outdir / "gnupg", home / "g", ignore=shutil.ignore_patterns("S.*"))
        os.chmod(home / "g", 0o700)
        env = dict(os.environ, GNUPGHOME=str(home / "g"))
        run(["rpmsign", "--addsign", "--define", "_gpg_name test@alupdate.invalid",
             "--define", "_gpg_digest_algo sha256", "--define", "__gpg /usr/bin/gpg",
             *map(str, rpms)], env=env, stdin=subprocess.DEVNULL)
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=dict(os.environ, GNUPGHOME=str(home / "g")))
        shutil.rmtree(home, ignore_errors=True)


def snapshot(root):
    """path -> (type, mode, uid, gid, content digest or link target, mtime);
    directories without mtime (it says when something last changed in it)."""
    out, root = {}, str(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = full[len(root) + 1:]
            if rel.startswith(IGNORED):
                continue
            st = os.lstat(full)
            if stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", st.st_mode, st.st_uid, st.st_gid, None, None)
            elif stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", st.st_mode, st.st_uid, st.st_gid, os.readlink(full), None)
            else:
                with open(full, "rb") as f:
                    dig = hashlib.sha256(f.read()).hexdigest()
                out[rel] = ("f", st.st_mode, st.st_uid, st.st_gid, dig, st.st_mtime_ns)
    return out


def leftovers(root):
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        bad += [os.path.join(dirpath, n) for n in dirnames + filenames
                if n.startswith((".alu-new-", ".alu-old-", ".rpm.alupdate-"))]
    return bad


def installed(root):
    """name -> sorted NEVRA list, from alupdate's state db."""
    p = alu(root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    out = {}
    for r in rows:
        if r["name"] == "gpg-pubkey":   # keys, as rpm stores them; not packages
            continue
        out.setdefault(r["name"], []).append("%s-%s-%s.%s" % (r["name"], r["version"], r["release"], r["arch"]))
    return {k: sorted(v) for k, v in out.items()}


def owners(rpms):
    """path (root-relative) -> set of package names, over the given RPMs."""
    p = run(["rpm", "-qp", "--qf", "=%{NAME}\\n[%{FILENAMES}\\n]", *map(str, rpms)])
    out, name = {}, None
    for line in p.stdout.splitlines():
        if line.startswith("="):
            name = line[1:]
        elif line.startswith("/"):
            out.setdefault(line.lstrip("/"), set()).add(name)
    return out


class Setup:
    pass


@pytest.fixture(scope="module")
def crash(mirror, tmp_path_factory):
    """A repository = the mirror's us-east-1 x86_64 + the bulk packages; the
    base root (old set + bulk 1.0, adopted, metadata cached); the reference
    root (base after an uninterrupted update) and the run's duration."""
    if not (os.path.isfile(ALU_BIN) and os.access(ALU_BIN, os.X_OK)):
        pytest.fail("no alupdate binary at %s (set ALU_BIN)" % ALU_BIN)
    t = tmp_path_factory.mktemp("crash")
    s = Setup()
    clock = time.monotonic()
    tmpfs = os.environ.get("ALU_CRASH_TMPFS") == "1" and os.path.isdir("/dev/shm")
    disk = contextlib.ExitStack()
    s.roots = Path(tempfile.mkdtemp(prefix="alu-crash-", dir="/dev/shm" if tmpfs else
                                    disk.enter_context(disk_dir(t, 4 << 30))))
    bulk = build_bulk(s.roots / "build")
    sign(mirror, bulk)
    www = t / "www"
    repo = www / "us-east-1/2/core" / mirror.core / "x86_64"
    (repo / "Packages").mkdir(parents=True)
    src = mirror.repo()
    for f in (src / "Packages").iterdir():
        os.link(f, repo / "Packages" / f.name)
    for f in bulk:
        shutil.copy(f, repo / "Packages" / f.name)
    run(["createrepo_c", "--quiet", "--no-database", "--checksum", "sha256", str(repo)])
    ml = www / "us-east-1/2/core/latest/x86_64"
    ml.mkdir(parents=True)
    (ml / "mirror.list").write_text("file://%s" % repo)

    s.phases = {"build": time.monotonic() - clock}
    s.base = make_root(s.roots / "base", mirror, "old", base="file://%s" % www)
    run(["rpm", "--root", str(s.base), "--define", "_dbpath /var/lib/rpm", "-i",
         *[str(f) for f in bulk if "-1.0-" in f.name]])
    p = alu(s.base, "makecache")      # adopts the rpm database and caches the metadata
    assert p.returncode == 0, p.stdout + p.stderr
    s.old = installed(s.base)
    assert s.old["bulk-a"] == ["bulk-a-1.0-1.noarch"], s.old
    s.old_snap = snapshot(s.base)

    # two uninterrupted runs: the reference, and the duration (the faster)
    durations = []
    for k in range(2):
        r = s.roots / ("ref%d" % k)
        run(["cp", "-a", str(s.base), str(r)])
        t0 = time.monotonic()
        p = alu(r, "update", "-y")
        durations.append(time.monotonic() - t0)
        assert p.returncode == 0, p.stdout + p.stderr
    s.ref = s.roots / "ref0"
    s.duration = min(durations)
    s.new = installed(s.ref)
    s.new_snap = snapshot(s.ref)
    s.changed = sorted(n for n in set(s.old) | set(s.new) if s.old.get(n) != s.new.get(n))
    assert set(BULK) <= set(s.changed) and "hello" in s.changed, s.changed
    assert not leftovers(s.ref)
    p = alu(s.ref, "verify")
    assert p.returncode == 0 and not p.stdout.strip(), p.stdout + p.stderr

    # who owns what, over every old and new version of the updated packages
    pk = repo / "Packages"
    files = set()
    for state in (s.old, s.new):
        for name in s.changed:
            for nevra in state.get(name, []):
                f = pk / (nevra + ".rpm")
                assert f.exists(), f
                files.add(f)
    s.owners = owners(sorted(files))
    s.phases["setup"] = time.monotonic() - clock
    yield s
    if not os.environ.get("ALU_CRASH_KEEP"):   # set it to look at a failure
        shutil.rmtree(s.roots, ignore_errors=True)
        disk.close()


def expected_ok(s, chosen, path, got):
    """Is `got` (snapshot value or None) what path must be, given which
    packages the state db says are new?"""
    old, new = s.old_snap.get(path), s.new_snap.get(path)
    names = s.owners.get(path, set())
    if not names:
        return got in (old, new) if old != new else got == old
    picks = {chosen[n] for n in names}
    if picks == {"new"}:
        return got == new
    if picks == {"old"}:
        return got == old
    return got in (old, new)   # a directory shared by an old and a new package


def check_root(s, r, label):
    inst = installed(r)
    chosen = {}
    for name in set(s.old) | set(s.new) | set(inst):
        got = inst.get(name)
        if got == s.new.get(name):
            chosen[name] = "new"
        elif got == s.old.get(name):
            chosen[name] = "old"
        else:
            pytest.fail("%s: %s installed as %s: neither old %s nor new %s"
                        % (label, name, got, s.old.get(name), s.new.get(name)))
    snap = snapshot(r)
    bad = []
    for path in sorted(set(s.old_snap) | set(s.new_snap) | set(snap)):
        if not expected_ok(s, chosen, path, snap.get(path)):
            bad.append("%s: %s (owners %s; old %s; new %s)" % (
                path, snap.get(path), sorted(s.owners.get(path, ())), s.old_snap.get(path),
                s.new_snap.get(path)))
    assert not bad, "%s: files disagree with the state db (%s):\n%s" % (
        label, {n: c for n, c in chosen.items() if n in s.changed}, "\n".join(bad[:20]))
    left = leftovers(r)
    assert not left, "%s: leftovers: %s" % (label, left[:10])
    p = alu(r, "verify")
    assert p.returncode == 0 and not p.stdout.strip(), "%s: verify:\n%s%s" % (label, p.stdout, p.stderr)
    # the rpm database: whole, and what the state says
    p = alu(r, "verify", "--rpmdb")
    assert p.returncode == 0, "%s: verify --rpmdb:\n%s%s" % (label, p.stdout, p.stderr)
    p = run(["rpm", "--root", str(r), "--define", "_dbpath /var/lib/rpm", "-qa", "--qf",
             "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n"])
    got = {}
    for n in p.stdout.split():
        if not n.startswith("gpg-pubkey-"):
            got.setdefault(re.sub(r"-[^-]+-[^-]+$", "", n), []).append(n)
    assert {k: sorted(v) for k, v in got.items()} == inst, "%s: rpm -qa disagrees with the state" % label
    return chosen


def trial(s, r, label, kill):
    """One trial on a fresh copy of the base root at r: kill(cmd) runs and
    kills `update -y` and returns its exit status; then recovery, the checks,
    and completion. Returns (status, number of updated names, recovery)."""
    t0 = time.monotonic()
    if r.exists():
        shutil.rmtree(r)
    run(["cp", "-a", str(s.base), str(r)])
    t1 = time.monotonic()
    rc = kill([ALU_BIN, "--installroot", str(r), "update", "-y"])
    t2 = time.monotonic()
    # any writing command takes the lock and recovers first
    p = alu(r, "remove", "-y", "no-such-package")
    # yum: removing a package that is not installed says so and exits 0 (issue 13)
    assert p.returncode == 0 and "No match for argument" in p.stdout, (label, p.stdout, p.stderr)
    what = ""
    if "recovered an interrupted transaction" in p.stderr:
        what = p.stderr.split("recovered an interrupted transaction: ", 1)[1].split("\n")[0]
    chosen = check_root(s, r, label)
    nnew = sum(chosen[n] == "new" for n in s.changed)
    t3 = time.monotonic()
    # and the next update finishes the job
    p = alu(r, "update", "-y")
    assert p.returncode == 0, (label, p.stdout, p.stderr)
    assert installed(r) == s.new, label
    snap = snapshot(r)
    diff = sorted(k for k in set(snap) | set(s.new_snap) if snap.get(k) != s.new_snap.get(k))
    assert not diff, "%s: after completion, differs from the reference: %s" % (label, diff[:20])
    assert not leftovers(r), label
    for k, v in (("copy", t1 - t0), ("run+kill", t2 - t1), ("recover+check", t3 - t2),
                 ("complete+check", time.monotonic() - t3)):
        s.phases[k] = s.phases.get(k, 0) + v
    return rc, nnew, what


def summary(s, title, outcomes, recovered):
    nchanged = len(s.changed)
    hist = {}
    for killed, nnew in outcomes:
        key = "not killed" if not killed else "%d/%d new" % (nnew, nchanged)
        hist[key] = hist.get(key, 0) + 1
    print("\n%s; outcomes (updated names after recovery) %s; recoveries: %d (%s); seconds %s"
          % (title, dict(sorted(hist.items())), sum(1 for w in recovered if w),
             "; ".join(sorted(set(w for w in recovered if w)))[:800],
             {k: round(v, 1) for k, v in s.phases.items()}))
    # the kills must land both before the first commit and between commits,
    # or the trials tested nothing (with enough of them to expect both)
    if len(outcomes) < 10:
        return
    assert any(killed and nnew == 0 for killed, nnew in outcomes), hist
    assert any(killed and 0 < nnew < nchanged for killed, nnew in outcomes), hist


def test_crash_trials(crash):
    """kill -9 after random delays over the run's measured duration."""
    s = crash
    rng = random.Random(SEED)
    delays = [rng.uniform(0, 1.2 * s.duration) for _ in range(TRIALS)]
    outcomes, recovered = [], []

    for n, delay in enumerate(delays):
        def kill(cmd):
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            return proc.wait()
        rc, nnew, what = trial(s, s.roots / "trial", "trial %d (kill after %.3f s of %.3f s)"
                               % (n, delay, s.duration), kill)
        outcomes.append((rc != 0, nnew))
        recovered.append(what)
    shutil.rmtree(s.roots / "trial", ignore_errors=True)
    buckets = [0] * 6
    for d in delays:
        buckets[min(5, int(d / (0.2 * s.duration)))] += 1
    summary(s, "crash trials: %d kills over [0, %.3f] s (uninterrupted run %.3f s, by fifths "
            "of it: %s)" % (len(delays), 1.2 * s.duration, s.duration, buckets),
            outcomes, recovered)


# the calls that change the root or the state db, and wait4 (scriptlets)
SYSCALLS = ("linkat", "link", "renameat", "renameat2", "rename", "unlinkat", "unlink", "mkdirat",
            "mkdir", "rmdir", "symlinkat", "fchmodat", "fchownat", "utimensat", "fsync",
            "fdatasync", "msync", "pwrite64", "ftruncate", "wait4")
# one point at a random call of each of these first: backups, renames over
# targets, removals and cleanup, data and db syncs, db pages, scriptlets,
# directories, symlinks, the rename of downloads and keys
KEY_CALLS = ("linkat", "renameat", "unlinkat", "fsync", "pwrite64", "fdatasync", "wait4",
             "rename", "mkdirat", "symlinkat")


def test_crash_syscall_points(crash):
    """kill -9 just before the k-th call of a system call, by strace's
    fault injection: narrow windows (between the backup link and the rename
    over a file, between the state commit and the cleanup, during a
    scriptlet) that random delays rarely hit. The points: a random call of
    each KEY_CALLS kind an uninterrupted run makes, then (with
    ALU_CRASH_SYSCALL_TRIALS above 10) uniform over all its calls of the
    SYSCALLS kinds."""
    s = crash
    strace = shutil.which("strace")
    if not strace:
        pytest.fail("strace is needed for the syscall kill points (apt-get install strace)")
    r = s.roots / "trial"
    if r.exists():
        shutil.rmtree(r)
    run(["cp", "-a", str(s.base), str(r)])
    log = s.roots / "strace.log"
    base = [strace, "-f", "--seccomp-bpf", "-qq"]
    # LeakSanitizer (dev builds) cannot work under ptrace
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    run(base + ["-o", str(log), "-e", "trace=" + ",".join(SYSCALLS), ALU_BIN,
                "--installroot", str(r), "update", "-y"], env=env)
    calls = {}
    for line in log.read_text().splitlines():
        m = re.match(r"^(\d+) +(\w+)\(", line)
        if m:
            calls.setdefault(m.group(1), []).append(m.group(2))
    seq = max(calls.values(), key=len)   # alupdate itself, not its scriptlets
    rng = random.Random(SEED + 1)
    kinds = sorted(set(seq))
    points = [rng.choice([i for i, c in enumerate(seq) if c == k]) for k in KEY_CALLS if k in kinds]
    while len(points) < SYS_TRIALS:
        points.append(rng.randrange(len(seq)))
    points = points[:SYS_TRIALS]
    outcomes, recovered, where = [], [], []
    for n, i in enumerate(points):
        name, k = seq[i], seq[:i + 1].count(seq[i])

        def kill(cmd):
            # not --seccomp-bpf: strace 6.1 then injects the error but not the signal
            rc = subprocess.run([strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=" + name, "-e",
                                 "inject=%s:error=EIO:signal=KILL:when=%d" % (name, k), *cmd],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env).returncode
            assert rc in (-9, 137), "point %d: %s #%d was not reached (exit %d)" % (n, name, k, rc)
            return rc
        rc, nnew, what = trial(s, r, "point %d: before %s #%d (call %d of %d)" % (n, name, k, i, len(seq)),
                               kill)
        outcomes.append((rc != 0, nnew))
        recovered.append(what)
        where.append("%s#%d" % (name, k))
    shutil.rmtree(r, ignore_errors=True)
    summary(s, "syscall kill points: %d of the run's %d calls (%s): %s"
            % (len(points), len(seq), ", ".join("%s %d" % (k, seq.count(k)) for k in kinds),
               " ".join(where)), outcomes, recovered)
