# SPDX-License-Identifier: MIT
"""A hostile root, patched from outside (--installroot): its symlinks, FIFOs,
devices and configuration must never make alupdate write, truncate, delete or
hang on anything outside the root, and its scriptlets run contained.

Every case that plants a symlink points it at a canary tree outside the root
and checks, after the run, that the canary is byte for byte what it was (and
that nothing was added to it).

Scriptlet containment (root only): a %post in an rpmbuild-built package
records what it sees (its pid, /proc/1/root after trying to mount the host's
/proc, the network interfaces, its capability bounding set) into the root;
in the default mode under --installroot it is PID 1 of its own namespace,
sees only the root and only lo, and has no CAP_SYS_ADMIN/CAP_SYS_CHROOT/
CAP_MKNOD. With CAP_SYS_ADMIN removed from alupdate's bounding set (as in an
unprivileged container) it falls back to the plain chroot with a warning, or,
with scriptlet_sandbox=namespaces, refuses the transaction before applying.

Measured cost (test_sandbox_cost_is_small prints it: 40 trivial scriptlets
in one transaction, median of 5 runs per mode): on this VM (2 cores shared
by eight builds) 958 ms with the plain chroot against 1422 ms contained,
about 12 ms more per scriptlet: two forks instead of one, unshare(2) of five
namespaces (the mount namespace copy dominates), a bind mount, pivot_root,
a /proc mount, and the namespaces' teardown. `unshare -m true` alone costs
about 4 ms more than `true` here.
"""
import ctypes
import os
import re
import resource
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ALU_BIN

ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (chroot, namespaces)")


def run(root, *args, timeout=120, preexec=None):
    return subprocess.run([ALU_BIN, "--installroot", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=preexec)


def tree(path):
    """relative path -> (kind, content or link target) of everything under path."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for n in dirnames + filenames:
            full = Path(dirpath) / n
            st = os.lstat(full)
            rel = str(full.relative_to(path))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("l", os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("d", None)
            else:
                out[rel] = ("f", full.read_bytes())
    return out


@pytest.fixture
def canary(tmp_path):
    c = tmp_path / "canary"
    for rel, data in [("a.txt", b"host file\n"), ("data.mdb", b"host data\n"),
                      ("lock.mdb", b"host lock\n"), ("victim", b"do not truncate\n"),
                      ("cache.mdb/data.mdb", b"nested\n"), ("cache.mdb/b.txt", b"b\n"),
                      ("amzn2-core/packages/keep.rpm", b"rpm\n"),
                      ("amzn2-core/x.tmp", b"tmp\n")]:
        (c / rel).parent.mkdir(parents=True, exist_ok=True)
        (c / rel).write_bytes(data)
    before = tree(c)

    class Canary:
        path = c

        def intact(self):
            assert tree(c) == before, "the canary outside the root changed"

    return Canary()


def cache(root):
    return Path(root) / "var/cache/alupdate"


def primary_names(mirror):
    md = (mirror.repo() / "repodata/repomd.xml").read_text()
    return [h.split("/")[-1] for h in re.findall(r'<location href="([^"]+)"', md)]


# ---- what alupdate writes or deletes under the root --------------------------

def test_clean_all_leaves_a_symlinked_cache_mdb_target(sample_root, canary):
    cache(sample_root).mkdir(parents=True)
    os.symlink(canary.path, cache(sample_root) / "cache.mdb")
    p = run(sample_root, "clean", "all")
    canary.intact()
    # clean all empties the whole cache directory: the link itself goes, never its target
    assert p.returncode == 0, p.stderr
    assert not os.path.lexists(cache(sample_root) / "cache.mdb")


def test_clean_all_leaves_a_symlinked_cache_dir_target(sample_root, canary):
    cache(sample_root).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(canary.path, cache(sample_root))
    p = run(sample_root, "clean", "all")
    canary.intact()
    assert p.returncode == 1 and "var/cache/alupdate is a symlink" in p.stderr, p.stderr


def test_clean_packages_leaves_a_symlinked_packages_dir(sample_root, canary):
    (cache(sample_root) / "amzn2-core").mkdir(parents=True)
    os.symlink(canary.path / "amzn2-core/packages", cache(sample_root) / "amzn2-core/packages")
    p = run(sample_root, "clean", "packages")
    canary.intact()
    assert p.returncode == 1 and "packages is a symlink" in p.stderr, p.stderr


def test_makecache_refuses_symlinked_lmdb_files(sample_root, canary):
    d = cache(sample_root) / "cache.mdb"
    d.mkdir(parents=True)
    os.symlink(canary.path / "data.mdb", d / "data.mdb")
    os.symlink(canary.path / "lock.mdb", d / "lock.mdb")
    p = run(sample_root, "makecache")
    canary.intact()
    assert p.returncode != 0 and "data.mdb is a symlink" in p.stderr, p.stderr


def test_makecache_refuses_a_symlinked_cache_mdb_dir(sample_root, canary):
    cache(sample_root).mkdir(parents=True)
    os.symlink(canary.path / "cache.mdb", cache(sample_root) / "cache.mdb")
    p = run(sample_root, "makecache")
    canary.intact()
    assert p.returncode != 0 and "cache.mdb is a symlink" in p.stderr, p.stderr


def test_symlinked_part_download_is_refused(sample_root, canary, mirror):
    d = cache(sample_root) / "amzn2-core"
    d.mkdir(parents=True)
    for name in primary_names(mirror):
        os.symlink(canary.path / "victim", d / (name + ".part"))
    p = run(sample_root, "makecache")
    canary.intact()
    assert p.returncode != 0 and ".part is a symlink" in p.stderr, p.stderr


def test_symlinked_lock_is_refused(sample_root, canary):
    st = Path(sample_root) / "var/lib/alupdate"
    st.mkdir(parents=True)
    os.symlink(canary.path / "newlock", st / "lock")
    p = run(sample_root, "update", "--assumeno")
    canary.intact()
    assert p.returncode != 0 and "lock is a symlink" in p.stderr, p.stderr


def test_symlinked_state_dir_is_refused(sample_root, canary):
    (Path(sample_root) / "var/lib/alupdate").symlink_to(canary.path / "cache.mdb")
    p = run(sample_root, "update", "--assumeno")
    canary.intact()
    assert p.returncode != 0 and "var/lib/alupdate is a symlink" in p.stderr, p.stderr


def test_symlinked_keys_dir_is_refused(sample_root, canary):
    st = Path(sample_root) / "var/lib/alupdate"
    st.mkdir(parents=True)
    os.symlink(canary.path / "amzn2-core", st / "keys")
    p = run(sample_root, "update", "-y")
    canary.intact()
    assert p.returncode != 0 and "keys is a symlink" in p.stderr, p.stderr


def test_symlinked_key_tmp_is_refused(sample_root, canary, tmp_path):
    # the key file's name comes from a first import into a copy of the root
    first = tmp_path / "first"
    subprocess.run(["cp", "-a", str(sample_root), str(first)], check=True)
    p = run(first, "update", "-y")
    assert p.returncode == 0, p.stderr
    names = os.listdir(first / "var/lib/alupdate/keys")
    assert names and all(n.endswith(".key") for n in names)
    keys = Path(sample_root) / "var/lib/alupdate/keys"
    keys.mkdir(parents=True)
    for n in names:
        os.symlink(canary.path / "victim", keys / (n + ".tmp"))
    p = run(sample_root, "update", "-y")
    canary.intact()
    assert p.returncode != 0 and ".key.tmp is a symlink" in p.stderr, p.stderr


# ---- paths from the root's configuration --------------------------------------

def test_cachedir_dotdot_stays_inside(sample_root):
    y = Path(sample_root) / "etc/alupdate/alupdate.yaml"
    y.parent.mkdir(parents=True)
    y.write_text("cachedir: /../../..\n")
    above = Path(sample_root).parent.parent
    p = run(sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    assert (Path(sample_root) / "cache.mdb/data.mdb").is_file()
    assert not (above / "cache.mdb").exists()


def test_reposdir_dotdot_stays_inside(sample_root, tmp_path):
    out = tmp_path / "outside"
    out.mkdir()
    (out / "evil.repo").write_text("[evil]\nname=evil\nbaseurl=file:///nowhere\n")
    conf = Path(sample_root) / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\nreposdir=/../outside /etc/yum.repos.d\n", 1))
    p = run(sample_root, "repolist", "all")
    assert p.returncode == 0, p.stderr
    assert "amzn2-core" in p.stdout and "evil" not in p.stdout


def test_var_file_symlink_resolves_inside_the_root(sample_root, tmp_path):
    host = tmp_path / "hostvar"
    host.write_text("eu-evil-1\n")
    v = Path(sample_root) / "etc/yum/vars/awsregion"
    v.unlink()
    v.symlink_to(host)   # absolute: inside the root that path does not exist
    p = run(sample_root, "config")
    assert "eu-evil-1" not in p.stdout + p.stderr


# ---- files read from the root: FIFOs, devices, /proc --------------------------

def test_fifo_repo_file_is_skipped_not_waited_on(sample_root):
    os.mkfifo(Path(sample_root) / "etc/yum.repos.d/fifo.repo")
    p = run(sample_root, "repolist", "all", timeout=30)
    assert p.returncode == 0, p.stderr
    assert "fifo.repo: not a regular file" in p.stderr
    assert "amzn2-core" in p.stdout


def test_fifo_yum_conf_is_an_error_not_a_hang(sample_root):
    conf = Path(sample_root) / "etc/yum.conf"
    conf.unlink()
    os.mkfifo(conf)
    p = run(sample_root, "repolist", "all", timeout=30)
    # not a regular file: as if there were none; the .repo files still count
    assert p.returncode == 0, p.stderr
    assert "amzn2-core" in p.stdout


def test_symlink_to_proc_kmsg_is_not_read(sample_root):
    v = Path(sample_root) / "etc/yum/vars/awsdomain"
    v.unlink()
    v.symlink_to("/proc/kmsg")
    conf = Path(sample_root) / "etc/yum.conf"
    conf.unlink()
    conf.symlink_to("/proc/kmsg")
    p = run(sample_root, "repolist", "all", timeout=30)
    assert p.returncode == 0, p.stderr


def test_file_url_fifo_is_an_error_not_a_hang(tmp_path):
    root = tmp_path / "r"
    (root / "etc/yum.repos.d").mkdir(parents=True)
    repo = tmp_path / "repo/repodata"
    repo.mkdir(parents=True)
    os.mkfifo(repo / "repomd.xml")
    (root / "etc/yum.repos.d/f.repo").write_text(
        "[f]\nname=f\nbaseurl=file://%s\ngpgcheck=0\n" % repo.parent)
    p = run(root, "makecache", timeout=30)
    assert p.returncode != 0
    assert "repomd.xml" in p.stderr and "not a regular file" in p.stderr, p.stderr


def test_file_url_device_is_an_error(tmp_path):
    root = tmp_path / "r"
    (root / "etc/yum.repos.d").mkdir(parents=True)
    repo = tmp_path / "repo/repodata"
    repo.mkdir(parents=True)
    os.symlink("/dev/zero", repo / "repomd.xml")
    (root / "etc/yum.repos.d/f.repo").write_text(
        "[f]\nname=f\nbaseurl=file://%s\ngpgcheck=0\n" % repo.parent)
    p = run(root, "makecache", timeout=30)
    assert p.returncode != 0 and "not a regular file" in p.stderr, p.stderr


def test_fifo_in_the_package_cache_is_replaced_not_read(sample_root, mirror):
    d = cache(sample_root) / "amzn2-core/packages"
    d.mkdir(parents=True)
    for pkg in mirror.manifest:
        f = d / os.path.basename(pkg.path)
        if not f.exists():
            os.mkfifo(f)
    p = run(sample_root, "update", "-y", timeout=120)
    assert p.returncode == 0, p.stderr
    assert "Complete!" in p.stdout


# ---- .repo parsing is linear --------------------------------------------------

def test_100000_repo_sections_load_in_linear_time(tmp_path):
    root = tmp_path / "r"
    (root / "etc/yum.repos.d").mkdir(parents=True)
    lines = []
    for i in range(100000):
        lines.append("[r%d]\nbaseurl=file:///nowhere/%d\nenabled=0\n" % (i, i))
    for i in range(0, 100000, 10):   # 10,000 repeated ids: the later one wins
        lines.append("[r%d]\nbaseurl=file:///later/%d\nenabled=0\n" % (i, i))
    (root / "etc/yum.repos.d/many.repo").write_text("".join(lines))
    # CPU time, not wall time: the machine is shared
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = run(root, "-q", "repolist", "all", timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    took = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert p.returncode == 0, p.stderr[-2000:]
    ids = [l.split()[0] for l in p.stdout.splitlines()[1:] if l.strip()]
    assert len(ids) == 100000 and len(set(ids)) == 100000
    assert took < 10, took   # 55 s with the quadratic duplicate check; about 1 s now


# ---- scriptlets ---------------------------------------------------------------

SPEC = """Name: probe
Version: 1
Release: 1
Summary: sandbox probe
License: MIT
BuildArch: noarch
%description
Records what its scriptlet can see.
%install
mkdir -p %{buildroot}/usr/share/probe %{buildroot}/etc
echo x > %{buildroot}/usr/share/probe/x
echo conf > %{buildroot}/etc/probe.conf
%post
mount -t proc proc /proc 2>/dev/null
{
echo "pid=$$"
echo "root=$(ls /proc/1/root/ | tr '\\n' ' ')"
echo "net=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\n' ' ')"
grep CapBnd /proc/self/status
} > /probe.out 2>&1
%files
/usr/share/probe
%config(noreplace) /etc/probe.conf
"""


@pytest.fixture(scope="module")
def probe_rpm(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probe")
    (tmp / "probe.spec").write_text(SPEC)
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % tmp,
                    str(tmp / "probe.spec")], check=True, capture_output=True)
    return tmp / "RPMS/noarch/probe-1-1.noarch.rpm"


def shell_root(path):
    if not shutil.which("busybox"):
        pytest.skip("no busybox for the root's /bin/sh")
    for d in ("bin", "tmp", "proc"):
        (path / d).mkdir(parents=True, exist_ok=True)
    shutil.copy(shutil.which("busybox"), path / "bin/busybox")
    os.symlink("busybox", path / "bin/sh")
    return path


def unmount_proc(root):
    # a plain chroot's scriptlet may have mounted proc on the host: undo it
    subprocess.run(["umount", "-l", str(root / "proc")], capture_output=True)


def without_sys_admin():
    # as in an unprivileged container: no CAP_SYS_ADMIN (PR_CAPBSET_DROP, 21)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(24, 21, 0, 0, 0):
        raise OSError(ctypes.get_errno(), "prctl")


def probe_out(root):
    return dict(l.split("=", 1) if "=" in l else l.split(":", 1)
                for l in (root / "probe.out").read_text().splitlines())


def test_fifo_etc_passwd_is_not_waited_on(tmp_path, probe_rpm):
    root = tmp_path / "r"
    (root / "etc").mkdir(parents=True)
    os.mkfifo(root / "etc/passwd")
    os.mkfifo(root / "etc/group")
    p = run(root, "install", "-y", "--noscripts", probe_rpm, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (root / "usr/share/probe/x").exists()


def test_fifo_in_place_of_a_config_file_is_replaced_not_read(tmp_path, probe_rpm):
    root = tmp_path / "r"
    (root / "etc").mkdir(parents=True)
    os.mkfifo(root / "etc/probe.conf")
    p = run(root, "install", "-y", "--noscripts", probe_rpm, timeout=60)
    assert p.returncode == 0, p.stderr
    assert (root / "etc/probe.conf").read_text() == "conf\n"


@ROOT_ONLY
def test_scriptlet_is_contained_under_installroot(tmp_path, probe_rpm):
    root = shell_root(tmp_path / "r")
    try:
        p = run(root, "install", "-y", probe_rpm)
    finally:
        unmount_proc(root)
    assert p.returncode == 0, p.stderr
    assert "plain chroot" not in p.stderr
    out = probe_out(root)
    assert out["pid"] == "1"
    assert set(out["root"].split()) <= set(os.listdir(root)), out["root"]
    assert out["net"].split() == ["lo"]
    bnd = int(out["CapBnd"].strip(), 16)
    for cap in (21, 18, 27):   # SYS_ADMIN, SYS_CHROOT, MKNOD
        assert not bnd >> cap & 1, out["CapBnd"]
    assert bnd & 1   # CHOWN is kept: package scripts chown


@ROOT_ONLY
def test_scriptlet_falls_back_to_chroot_with_a_warning(tmp_path, probe_rpm):
    root = shell_root(tmp_path / "r")
    try:
        p = run(root, "install", "-y", probe_rpm, preexec=without_sys_admin)
    finally:
        unmount_proc(root)
    assert p.returncode == 0, p.stderr
    assert "scriptlets run in a plain chroot" in p.stderr
    assert probe_out(root)["pid"] != "1"
    assert (root / "usr/share/probe/x").exists()


@ROOT_ONLY
def test_sandbox_namespaces_refuses_before_applying(tmp_path, probe_rpm):
    root = shell_root(tmp_path / "r")
    p = run(root, "--setopt=scriptlet_sandbox=namespaces", "install", "-y", probe_rpm,
            preexec=without_sys_admin)
    assert p.returncode != 0
    assert "refusing to run scriptlets uncontained" in p.stderr
    assert not (root / "usr/share/probe").exists()
    assert not (root / "probe.out").exists()


@ROOT_ONLY
def test_roots_own_config_cannot_choose_chroot(sample_root):
    conf = Path(sample_root) / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\nscriptlet_sandbox=chroot\n", 1))
    p = run(sample_root, "repolist")
    assert p.returncode == 0, p.stderr
    assert "scriptlet_sandbox=chroot in the root's own configuration is ignored" in p.stderr
    p = run(sample_root, "--setopt=scriptlet_sandbox=bogus", "repolist")
    assert p.returncode != 0 and "must be auto, namespaces or chroot" in p.stderr


COST_SPEC = """Name: cost%(i)d
Version: 1
Release: 1
Summary: c
License: MIT
BuildArch: noarch
%%description
c
%%install
mkdir -p %%{buildroot}/usr/share/cost%(i)d
%%pre
:
%%post
:
%%files
/usr/share/cost%(i)d
"""


@ROOT_ONLY
def test_sandbox_cost_is_small(tmp_path):
    top = tmp_path / "top"
    rpms = []
    for i in range(20):
        spec = tmp_path / ("cost%d.spec" % i)
        spec.write_text(COST_SPEC % {"i": i})
        subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % top, str(spec)],
                       check=True, capture_output=True)
        rpms.append(top / ("RPMS/noarch/cost%d-1-1.noarch.rpm" % i))
    times = {}
    for mode in ("chroot", "namespaces"):
        runs = []
        for k in range(5):
            root = shell_root(tmp_path / ("r-%s-%d" % (mode, k)))
            t = time.monotonic()
            p = run(root, "--setopt=scriptlet_sandbox=" + mode, "install", "-y", *rpms)
            runs.append(time.monotonic() - t)
            assert p.returncode == 0, p.stderr
        times[mode] = sorted(runs)[2]
    per = (times["namespaces"] - times["chroot"]) / 40 * 1000
    print("40 scriptlets: chroot %.1f ms, namespaces %.1f ms: %.2f ms per scriptlet"
          % (times["chroot"] * 1000, times["namespaces"] * 1000, per))
    assert per < 50, times
