# SPDX-License-Identifier: MIT
"""Scriptlets get no file descriptor of alupdate's but 0-2 (src/txn/script.c).

The writer lock (<root>/var/lib/alupdate/lock, flock) is held by whatever
process has its open file: a scriptlet, or under the sandbox the child that
waits for it in its PID namespace (it never execs, so O_CLOEXEC does not
close anything there), kept the lock after alupdate itself was killed, until
the scriptlet ended. Here a %post that sleeps is cut by kill -9 of alupdate,
and a second writer with --nowait must get the lock at once; a %post that
leaves a child sleeping in the background must not keep the lock once
alupdate has exited; and the scriptlet lists its own open files: none of them
is the lock, the state db or a package file.
"""
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ALU_BIN

SPEC = """Name: {name}
Version: 1.0
Release: 1
Summary: scriptlet fd checks
License: MIT
BuildArch: noarch
%description
Scriptlet fd checks.
%install
mkdir -p %{{buildroot}}/usr/share/{name}
echo {name} > %{{buildroot}}/usr/share/{name}/f
%post
{post}
%files
/usr/share/{name}
"""

STALL = """for f in /proc/$$/fd/*; do readlink $f; done > /fds-seen
touch /in-post
sleep 60"""
BACKGROUND = """(sleep 60 </dev/null >/dev/null 2>&1 &)
touch /in-post"""

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="scriptlets need root (chroot)"),
    pytest.mark.skipif(not shutil.which("rpmbuild") or not os.path.exists("/usr/bin/busybox"),
                       reason="needs rpmbuild and a static busybox"),
]


def build(tmp, name, post):
    d = tmp / name
    d.mkdir()
    (d / "p.spec").write_text(SPEC.format(name=name, post=post))
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                    "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                   check=True, capture_output=True)
    return d / "RPMS/noarch" / ("%s-1.0-1.noarch.rpm" % name)


def busybox_root(r):
    for d in ("bin", "tmp", "proc"):
        (r / d).mkdir(parents=True, exist_ok=True)
    shutil.copy("/usr/bin/busybox", r / "bin/busybox")
    for applet in ("sh", "sleep", "touch", "readlink"):
        os.symlink("busybox", r / "bin" / applet)


def alu(root, *args, timeout=60):
    """Run alupdate in a session of its own: whatever its scriptlets leave
    behind is in process group p.pid, for kill_group()."""
    p = subprocess.Popen([ALU_BIN, "--installroot", str(root), *map(str, args)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    p.stdout_text, p.stderr_text = p.communicate(timeout=timeout)
    return p


def kill_group(pid):
    """The sleeps a test left behind (their own PID namespace keeps them from
    the host's pid lookups, not from their process group)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def wait_for(path, proc, seconds=30):
    for _ in range(seconds * 10):
        if path.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    return path.exists()


@pytest.mark.parametrize("sandbox", ["namespaces", "chroot"])
def test_killed_writer_scriptlet_does_not_keep_the_lock(tmp_path, sandbox):
    pkg = build(tmp_path, "stallfd", STALL)
    plain = build(tmp_path, "plainfd", "true")
    r = tmp_path / "root"
    busybox_root(r)
    w = subprocess.Popen([ALU_BIN, "--installroot", str(r), "--setopt=scriptlet_sandbox=" + sandbox,
                          "install", "-y", str(pkg)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        assert wait_for(r / "in-post", w), "the %post never ran"
        os.kill(w.pid, signal.SIGKILL)   # alupdate alone: its scriptlet sleeps on
        w.wait()
        # another writer gets the lock at once, not after the scriptlet's 60 s
        t0 = time.monotonic()
        p = alu(r, "--nowait", "--setopt=scriptlet_sandbox=" + sandbox, "install", "-y", plain)
        assert p.returncode == 0, p.stdout_text + p.stderr_text
        assert time.monotonic() - t0 < 30
        assert "rolled back install of stallfd-1.0-1.noarch" in p.stdout_text + p.stderr_text, \
            p.stdout_text + p.stderr_text
        assert not (r / "usr/share/stallfd").exists()
        assert (r / "usr/share/plainfd/f").exists()
        if sandbox == "namespaces":   # a /proc of its own to list its fds
            seen = (r / "fds-seen").read_text().split()
            leaked = [f for f in seen if not f.startswith(("pipe:", "/dev/null", "/fds-seen", "/var/tmp/alu-script-",
                                                             "/tmp/alu-script-"))]
            assert not leaked, seen
    finally:
        kill_group(w.pid)


@pytest.mark.parametrize("sandbox", ["namespaces", "chroot"])
def test_background_child_of_a_scriptlet_does_not_keep_the_lock(tmp_path, sandbox):
    pkg = build(tmp_path, "bgfd", BACKGROUND)
    r = tmp_path / "root"
    busybox_root(r)
    p = alu(r, "--setopt=scriptlet_sandbox=" + sandbox, "install", "-y", pkg)
    try:
        assert p.returncode == 0, p.stdout_text + p.stderr_text
        assert (r / "in-post").exists(), p.stdout_text + p.stderr_text
        q = alu(r, "--nowait", "remove", "-y", "bgfd")
        assert q.returncode == 0, q.stdout_text + q.stderr_text
        assert not (r / "usr/share/bgfd").exists()
    finally:
        kill_group(p.pid)
