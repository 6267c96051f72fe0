# SPDX-License-Identifier: MIT
"""kill -9 of the upgrade of one 3,000-file package, on a disk (ext4 here),
never a tmpfs: the data of the new files is synced once per package, at
its commit (src/txn/durable.c), not file by file, and the directories a step
uses are opened once (src/txn/dircache.c); after a kill at any point, and
`recover`, the package is wholly old or wholly new: every file's content,
the files only one version has, the state db's record, `verify` clean, no
`.alu-*` leftovers. Then (last trial) the upgrade runs to completion. Each
trial costs a few runs of the upgrade: keep TRIALS small (test_crash.py has
the 50 random points).

The kill points are uniform over [0.1, 1.1] x the duration of an
uninterrupted run (measured here), so most fall inside the transaction.

The roots go on a loop-mounted ext4 with its journal when the test may mount
(diskfs.py), else on the test's directory.
"""
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ALU_BIN
from diskfs import disk_dir, fs_type

NFILES = 3000
TRIALS = int(os.environ.get("ALU_CRASH_BIG_TRIALS", "3"))
SEED = int(os.environ.get("ALU_CRASH_SEED", "20261202"))

SPEC = """Name: crashbig
Version: {v}
Release: 1
Summary: one package of many files for kill -9 trials
License: MIT
BuildArch: noarch
AutoReqProv: no
%global debug_package %{{nil}}
%global _build_id_links none
%description
Crash trials.
%install
for d in $(seq 0 29); do mkdir -p %{{buildroot}}/usr/share/crashbig/d$d; done
i=0
while [ $i -lt {n} ]; do
  echo "crashbig {v} $i" > %{{buildroot}}/usr/share/crashbig/d$((i % 30))/f$i
  i=$((i + 1))
done
mkdir -p %{{buildroot}}/usr/share/crashbig/only-{v}
for i in $(seq 0 19); do echo "only {v} $i" > %{{buildroot}}/usr/share/crashbig/only-{v}/o$i; done
ln -s d0/f0 %{{buildroot}}/usr/share/crashbig/link-{v}
%files
/usr/share/crashbig
"""

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild"), reason="needs rpmbuild")


def alu(root, *args, timeout=300):
    return subprocess.run([ALU_BIN, "--installroot", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def build(tmp, v):
    d = tmp / ("b" + v)
    d.mkdir()
    (d / "p.spec").write_text(SPEC.format(v=v, n=NFILES))
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                    "--define", "_binary_payload w1.gzdio", "--define", "__spec_install_post %{nil}",
                    str(d / "p.spec")], check=True, capture_output=True)
    return d / "RPMS/noarch" / ("crashbig-%s-1.noarch.rpm" % v)


def tree(root):
    """path under usr/share/crashbig -> content digest or link target."""
    out, top = {}, root / "usr/share/crashbig"
    for dirpath, dirnames, filenames in os.walk(top):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, top)
            if os.path.islink(full):
                out[rel] = "->" + os.readlink(full)
            elif os.path.isdir(full):
                out[rel] = "dir"
            else:
                with open(full, "rb") as f:
                    out[rel] = hashlib.sha256(f.read()).hexdigest()
    return out


def leftovers(root):
    return [os.path.join(d, n) for d, dn, fn in os.walk(root) for n in dn + fn
            if n.startswith((".alu-new-", ".alu-old-"))]


def version(root):
    p = alu(root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    return [r["version"] for r in rows if r["name"] == "crashbig"]


@pytest.fixture
def disk(tmp_path):
    with disk_dir(tmp_path) as d:
        yield d


def test_kill9_upgrade_of_a_3000_file_package_on_disk(disk):
    tmp_path = disk
    fstype = fs_type(tmp_path)
    assert fstype not in ("tmpfs", "ramfs"), "these trials are about a disk, %s is on %s" % (tmp_path, fstype)
    old, new = build(tmp_path, "1.0"), build(tmp_path, "1.1")
    base = tmp_path / "base"
    base.mkdir()
    p = alu(base, "install", "-y", old)
    assert p.returncode == 0, p.stdout + p.stderr
    want = {"1.0": tree(base)}

    t0 = time.monotonic()
    ref = tmp_path / "ref"
    subprocess.run(["cp", "-a", str(base), str(ref)], check=True)
    p = alu(ref, "install", "-y", new)
    duration = time.monotonic() - t0
    assert p.returncode == 0, p.stdout + p.stderr
    want["1.1"] = tree(ref)
    assert version(ref) == ["1.1"] and len(want["1.1"]) == NFILES + 30 + 20 + 2

    rng = random.Random(SEED)
    seen = set()
    for k in range(TRIALS):
        r = tmp_path / ("t%d" % k)
        subprocess.run(["cp", "-a", str(base), str(r)], check=True)
        delay = rng.uniform(0.1, 1.1) * duration
        w = subprocess.Popen([ALU_BIN, "--installroot", str(r), "install", "-y", str(new)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            w.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            w.send_signal(signal.SIGKILL)
            w.wait()
        p = alu(r, "recover")
        assert p.returncode == 0, (k, delay, p.stdout + p.stderr)
        v = version(r)
        assert v in (["1.0"], ["1.1"]), (k, delay, v)
        seen.add(v[0])
        assert tree(r) == want[v[0]], (k, delay, v, "files are not those of", v[0])
        assert not leftovers(r), (k, delay, leftovers(r)[:5])
        p = alu(r, "verify")
        assert p.returncode == 0 and not p.stdout.strip(), (k, delay, p.stdout[-2000:] + p.stderr)
        if k == TRIALS - 1:
            p = alu(r, "install", "-y", new)
            assert p.returncode == 0 or "already installed" in p.stdout + p.stderr, (k, p.stdout + p.stderr)
            assert version(r) == ["1.1"] and tree(r) == want["1.1"], k
        shutil.rmtree(r)
    print("kill -9 trials of a %d-file upgrade on %s: %d, found old in %s, new in %s (run %.2f s)" % (
        NFILES, fstype, TRIALS, "1.0" in seen, "1.1" in seen, duration))
