# SPDX-License-Identifier: MIT
"""Broken local state: what alupdate does with a damaged, lost or
half-written database of its own.

  * a truncated or foreign LMDB file (the installed state
    var/lib/alupdate/data.mdb, the metadata cache
    var/cache/alupdate/cache.mdb/data.mdb) gives a clear error naming the
    file, never a death by SIGBUS (exit 135): the cache is disposable and is
    dropped and fetched again by the next command that can write it; the
    state names `alupdate adopt`, which keeps the damaged file aside and
    adopts the rpm database again;
  * an empty or missing state next to an rpm database is adopted again, with
    a warning: check-update keeps offering the updates (exit 100), never
    "nothing installed" and exit 0;
  * after a kill -9 inside a transaction (staged deterministically: a %post
    that waits), every read-only command says that an interrupted
    transaction is pending, on every run, and names `alupdate recover`;
    while the writer is still alive they say one is being applied; any
    writing command recovers first (another test: a writer after a kill).
  * a file cut while in use (after the check, gdb stopping the unstripped
    build inside a read) ends with a message naming it, not SIGBUS.
"""
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ALU_BIN, rpm_q

STATE = "var/lib/alupdate/data.mdb"
CACHE = "var/cache/alupdate/cache.mdb/data.mdb"


def alu(root, *args, timeout=120):
    return subprocess.run([ALU_BIN, "--installroot", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def not_killed(p):
    """A signal death shows as a negative return code (or 128+n via a shell)."""
    assert p.returncode >= 0 and p.returncode < 128, (p.returncode, p.stdout, p.stderr)


def installed_names(root):
    p = alu(root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    return {r["name"] for r in rows if r["name"] != "gpg-pubkey"}


def rpm_names(root):
    return {n for n in rpm_q(root, "-qa", "--qf", "%{NAME}\n") if n != "gpg-pubkey"}


@pytest.fixture
def adopted(sample_root, mirror):
    """The old-set root, adopted and with its metadata cached."""
    p = alu(sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    p = alu(sample_root, "list", "installed")
    assert p.returncode == 0, p.stderr
    assert (sample_root / STATE).stat().st_size > 5 * 4096
    assert (sample_root / CACHE).stat().st_size > 5 * 4096
    return sample_root


def truncate(path, size):
    with open(path, "r+b") as f:
        f.truncate(size)


def garble(path):
    """Keep the size, replace every byte: not an LMDB file any more."""
    n = path.stat().st_size
    path.write_bytes(bytes((i * 131 + 7) & 0xff for i in range(n)))


# ---- damaged files -----------------------------------------------------------

@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_damaged_state_names_file_and_adopt(adopted, damage):
    f = adopted / STATE
    truncate(f, 3 * 4096) if damage == "truncate" else garble(f)
    for cmd in (["list", "installed"], ["check-update"], ["info", "bash"], ["history"]):
        p = alu(adopted, *cmd)
        not_killed(p)
        assert p.returncode == 1, (cmd, p.stdout, p.stderr)
        assert str(f) in p.stderr and "damaged database" in p.stderr, (cmd, p.stderr)
        assert "adopt" in p.stderr, p.stderr
    # what the message says to do works, and keeps the damaged file aside
    p = alu(adopted, "adopt")
    assert p.returncode == 0, p.stderr
    assert any(n.startswith("data.mdb.damaged-") for n in os.listdir(f.parent))
    assert installed_names(adopted) == rpm_names(adopted)
    p = alu(adopted, "check-update")
    assert p.returncode == 100, (p.stdout, p.stderr)


@pytest.mark.parametrize("damage", ["truncate", "garble"])
def test_damaged_cache_is_fetched_again(adopted, damage):
    f = adopted / CACHE
    truncate(f, 3 * 4096) if damage == "truncate" else garble(f)
    p = alu(adopted, "check-update")
    not_killed(p)
    assert p.returncode == 100, (p.stdout, p.stderr)
    assert str(f) in p.stderr and "discarded" in p.stderr, p.stderr
    # the cache is whole again: no warning the second time
    p = alu(adopted, "check-update")
    assert p.returncode == 100 and "warning" not in p.stderr, p.stderr


def test_damaged_cache_read_only_says_makecache(adopted):
    f = adopted / CACHE
    truncate(f, 3 * 4096)
    cachedir = f.parent.parent
    os.chmod(cachedir, 0o555)
    try:
        # root ignores permission bits: drop the capability that lets it
        p = subprocess.run(["setpriv", "--inh-caps=-dac_override", "--bounding-set=-dac_override",
                            ALU_BIN, "--installroot", str(adopted), "-C", "list", "available"],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.chmod(cachedir, 0o755)
    not_killed(p)
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert str(f) in p.stderr and "makecache" in p.stderr, p.stderr


# ---- lost state ----------------------------------------------------------------

@pytest.mark.parametrize("how", ["empty", "missing"])
def test_lost_state_is_adopted_again_loudly(adopted, how):
    f = adopted / STATE
    if how == "empty":
        truncate(f, 0)
    else:
        f.unlink()
    p = alu(adopted, "check-update")
    assert p.returncode == 100, (p.stdout, p.stderr)
    assert "installed-package state is %s" % how in p.stderr, p.stderr
    assert "adopting" in p.stderr, p.stderr
    assert installed_names(adopted) == rpm_names(adopted)
    p = alu(adopted, "update", "--security", "--assumeno")
    assert "Nothing to do" not in p.stdout, p.stdout


def test_empty_state_read_only_reader(adopted):
    """A reader (list) finding the empty state adopts too: never an empty set."""
    truncate(adopted / STATE, 0)
    p = alu(adopted, "list", "installed")
    assert p.returncode == 0, p.stderr
    assert "installed-package state is empty" in p.stderr
    assert installed_names(adopted) == rpm_names(adopted)


# ---- an interrupted transaction ---------------------------------------------------

STALL_SPEC = """Name: stall
Version: 1.0
Release: 1
Summary: a %post that waits, for kill -9 tests
License: MIT
BuildArch: noarch
%description
Waits in %post.
%install
mkdir -p %{buildroot}/usr/share/stall
for i in 1 2 3; do echo $i > %{buildroot}/usr/share/stall/f$i; done
%post
touch /stall-in-post
sleep 60
%files
/usr/share/stall
"""

OTHER_SPEC = STALL_SPEC.replace("Name: stall", "Name: other").replace(
    "%post\ntouch /stall-in-post\nsleep 60\n", "").replace("/usr/share/stall", "/usr/share/other")


def build(tmp, spec, name):
    d = tmp / name
    d.mkdir()
    (d / "p.spec").write_text(spec)
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                    "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                   check=True, capture_output=True)
    return d / "RPMS/noarch" / ("%s-1.0-1.noarch.rpm" % name)


@pytest.mark.skipif(os.geteuid() != 0, reason="scriptlets need root (chroot)")
@pytest.mark.skipif(not shutil.which("rpmbuild") or not os.path.exists("/usr/bin/busybox"),
                    reason="needs rpmbuild and a static busybox")
def test_interrupted_transaction_is_reported_until_recovered(tmp_path):
    stall, other = build(tmp_path, STALL_SPEC, "stall"), build(tmp_path, OTHER_SPEC, "other")
    r = tmp_path / "root"
    (r / "bin").mkdir(parents=True)
    (r / "tmp").mkdir()
    shutil.copy("/usr/bin/busybox", r / "bin/busybox")
    for applet in ("sh", "sleep", "touch"):
        os.symlink("busybox", r / "bin" / applet)
    p = alu(r, "install", "-y", other)
    assert p.returncode == 0, p.stderr
    w = subprocess.Popen([ALU_BIN, "--installroot", str(r), "install", "-y", str(stall)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        for _ in range(300):
            if (r / "stall-in-post").exists() or w.poll() is not None:
                break
            time.sleep(0.1)
        assert (r / "stall-in-post").exists(), "the %post never ran"
        # files are in place, the state does not say so yet: a writer is at work
        p = alu(r, "list", "installed")
        assert p.returncode == 0, p.stderr
        assert "another alupdate is applying a transaction" in p.stderr, p.stderr
    finally:
        os.killpg(w.pid, signal.SIGKILL)
        w.wait()
    assert (r / "usr/share/stall/f1").exists()
    # scriptlets hold no fd of alupdate's (test_scriptlet_fds.py), so the
    # lock went with the killed writer; a bound for a slow machine all the same
    for _ in range(100):
        if "another alupdate is applying" not in alu(r, "list", "installed").stderr:
            break
        time.sleep(0.1)
    for _ in range(2):   # on every run
        for cmd in (["list", "installed"], ["info", "other"], ["history"], ["verify", "other"]):
            p = alu(r, *cmd)
            assert "an interrupted transaction is pending" in p.stderr, (cmd, p.stderr)
            assert "install of stall-1.0-1.noarch" in p.stderr, p.stderr
            assert "alupdate --installroot %s recover" % r in p.stderr, p.stderr
    assert "stall" not in installed_names(r)
    # the command it names recovers, then readers are quiet again
    p = alu(r, "recover")
    assert p.returncode == 0, p.stderr
    assert "Recovered an interrupted transaction: rolled back install of stall" in p.stdout, p.stdout
    assert not (r / "usr/share/stall").exists()
    p = alu(r, "recover")
    assert p.returncode == 0 and "No interrupted transaction" in p.stdout, p.stdout
    leftovers = [str(x) for x in r.rglob(".alu-*")]
    assert not leftovers, leftovers
    p = alu(r, "list", "installed")
    assert p.returncode == 0 and "interrupted" not in p.stderr, p.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="scriptlets need root (chroot)")
@pytest.mark.skipif(not shutil.which("rpmbuild") or not os.path.exists("/usr/bin/busybox"),
                    reason="needs rpmbuild and a static busybox")
def test_writer_after_kill_recovers_first(tmp_path):
    stall, other = build(tmp_path, STALL_SPEC, "stall"), build(tmp_path, OTHER_SPEC, "other")
    r = tmp_path / "root"
    (r / "bin").mkdir(parents=True)
    (r / "tmp").mkdir()
    shutil.copy("/usr/bin/busybox", r / "bin/busybox")
    for applet in ("sh", "sleep", "touch"):
        os.symlink("busybox", r / "bin" / applet)
    w = subprocess.Popen([ALU_BIN, "--installroot", str(r), "install", "-y", str(stall)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        for _ in range(300):
            if (r / "stall-in-post").exists() or w.poll() is not None:
                break
            time.sleep(0.1)
        assert (r / "stall-in-post").exists(), "the %post never ran"
    finally:
        os.killpg(w.pid, signal.SIGKILL)
        w.wait()
    p = alu(r, "install", "-y", "--noscripts", other)
    assert p.returncode == 0, p.stderr
    assert "recovered an interrupted transaction: rolled back install of stall" in p.stderr, p.stderr
    assert installed_names(r) == {"other"}
    assert not (r / "usr/share/stall").exists()


# ---- a file cut while in use: the SIGBUS safety net -------------------------------

def test_file_cut_while_in_use_names_it(tmp_path):
    """The state file truncated after it was checked and mapped (gdb stops
    the unstripped build of the same binary inside the read, the file is
    cut, the read goes on): a message naming the file and exit 1, not a
    death by SIGBUS."""
    exe = Path(os.environ.get("ALU_BUILD") or Path(ALU_BIN).parent) / "static/alupdate"
    if not shutil.which("gdb") or not exe.exists() or not shutil.which("rpmbuild"):
        pytest.skip("needs gdb and the unstripped build (build/static/alupdate)")
    pkg = build(tmp_path, OTHER_SPEC.replace("for i in 1 2 3", "for i in $(seq 1 3000)"), "other")
    r = tmp_path / "root"
    r.mkdir()
    p = alu(r, "install", "-y", "--noscripts", pkg)
    assert p.returncode == 0, p.stderr
    f = r / STATE
    assert f.stat().st_size > 20 * 4096
    cmds = tmp_path / "gdb.cmds"
    cmds.write_text("set pagination off\nhandle SIGBUS nostop noprint pass\n"
                    "break alu_state_foreach\nrun\nshell truncate -s 16384 %s\ncontinue\n" % f)
    p = subprocess.run(["gdb", "-q", "-batch", "-x", str(cmds), "--args", str(exe),
                        "--installroot", str(r), "list", "installed"],
                       capture_output=True, text=True, timeout=120)
    out = p.stdout + p.stderr
    assert "%s: damaged database: a page could not be read" % f in out, out
    assert "exited with code 01" in out, out
