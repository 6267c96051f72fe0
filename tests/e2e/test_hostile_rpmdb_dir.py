# SPDX-License-Identifier: MIT
"""A root whose /var/lib/rpm is an absolute symlink (rare but legal: an image
built with `ln -s /srv/rpmdb /var/lib/rpm`). alupdate resolves it as a chroot
would, inside the root (util/rootfs.h alu_root_resolve): the database it adopts,
writes back and recovers is the root's own <root>/srv/rpmdb. The same absolute
path on the host is a canary holding another rpm database: it is never read,
written, switched or recovered through (the old code followed the symlink on
the host, so the root's database was not found and the host's was in reach).
"""
import os
import subprocess
from pathlib import Path

from test_hostile_root import tree

from conftest import ALU_BIN


def rpm_db(dbdir, *args):
    p = subprocess.run(["rpm", "--dbpath", str(dbdir), *args], capture_output=True, text=True)
    return p.stdout.splitlines()


def plant(root, tmp_path):
    """Move ROOT's database to ROOT/<host canary path> and point an absolute
    /var/lib/rpm symlink at that path; put a copy of the database at the
    canary path on the host. -> (in-root database dir, canary dir)."""
    host = tmp_path / "hostdb" / "rpm"
    inroot = Path(str(root) + str(host))
    inroot.parent.mkdir(parents=True)
    os.rename(root / "var/lib/rpm", inroot)
    (root / "var/lib/rpm").symlink_to(host)
    host.parent.mkdir(parents=True)
    subprocess.run(["cp", "-a", str(inroot), str(host)], check=True)
    return inroot, host


def run(root, *args, env=None):
    return subprocess.run([ALU_BIN, "--installroot", str(root), *args], capture_output=True,
                          text=True, timeout=300, env=None if env is None else dict(os.environ, **env))


def test_absolute_var_lib_rpm_symlink_is_the_roots_database(sample_root, tmp_path):
    inroot, host = plant(sample_root, tmp_path)
    before = tree(host.parent)
    p = run(sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stdout + p.stderr
    # the root's database, reached through its own symlink, is the one written
    assert "hello-2.11-1.amzn2.x86_64" in rpm_db(inroot, "-qa")
    assert (sample_root / "var/lib/rpm").is_symlink()
    assert not [n for n in os.listdir(inroot.parent) if ".alupdate-" in n]
    # the host's directory of that name: untouched, nothing beside it
    assert tree(host.parent) == before
    assert "hello-2.10-1.amzn2.x86_64" in rpm_db(host, "-qa")
    p = run(sample_root, "verify", "--rpmdb")
    assert p.returncode == 0, p.stdout + p.stderr


def test_switch_cut_in_its_gap_is_recovered_inside_the_root(sample_root, tmp_path):
    inroot, host = plant(sample_root, tmp_path)
    assert run(sample_root, "makecache").returncode == 0
    # the host's side has a leftover of the same name: recovery must not touch it
    (host.parent / ".rpm.alupdate-new").mkdir()
    (host.parent / ".rpm.alupdate-new" / "keep").write_text("host\n")
    before = tree(host.parent)
    p = run(sample_root, "update", "-y", "hello",
            env={"ALU_RPMDB_KILL_AT": "gap", "ALU_RPMDB_NO_EXCHANGE": "1"})
    assert p.returncode == -9, p.stdout + p.stderr
    assert not inroot.exists() and (inroot.parent / ".rpm.alupdate-new").is_dir()
    p = run(sample_root, "list", "installed")
    assert p.returncode == 0, p.stderr
    assert "hello-2.11-1.amzn2.x86_64" in rpm_db(inroot, "-qa")
    assert not [n for n in os.listdir(inroot.parent) if ".alupdate-" in n]
    assert tree(host.parent) == before


def test_absolute_rpmmanifest_symlink_is_the_roots(sample_root, tmp_path):
    """A distroless root (container-manifest-2, no rpm database) whose
    /var/lib/rpmmanifest is an absolute symlink: its own manifest is adopted
    and rewritten; the host's file at that path is not touched."""
    from test_rpmdb_writeback import MANIFEST_QF, rpm
    r = sample_root
    lines = [l for l in rpm(r, "-qa", "--qf", MANIFEST_QF)[0].splitlines()
             if not l.startswith("gpg-pubkey")]
    host = tmp_path / "hostmf" / "rpmmanifest"
    inroot = Path(str(r) + str(host))
    inroot.mkdir(parents=True)
    (inroot / "container-manifest-2").write_text("\n".join(lines) + "\n")
    subprocess.run(["rm", "-rf", str(r / "var/lib/rpm")], check=True)
    (r / "var/lib/rpmmanifest").symlink_to(host)
    host.mkdir(parents=True)
    (host / "container-manifest-2").write_text("host\tmanifest\n")
    before = tree(host.parent)
    p = run(r, "update", "-y", "hello")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "adopted %d packages from" % len(lines) in p.stderr, p.stderr
    got = (inroot / "container-manifest-2").read_text()
    assert "hello\t2.11-1.amzn2\t" in got and "hello\t2.10-1.amzn2\t" not in got
    assert tree(host.parent) == before
