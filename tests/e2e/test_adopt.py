# SPDX-License-Identifier: MIT
"""Adopting an existing rpm database, checked against rpm itself.

Roots are made with rpm (`--justdb` installs of tiny packages built here with
rpmbuild, one with 3000 files so its header needs overflow pages); the
Berkeley DB form (Amazon Linux 2's /var/lib/rpm/Packages) is made from the
same headers with db5.3_load, and read back with rpm's bdb_ro backend as the
oracle. Bad databases must fail naming the file, exit 1, leave the rpm
database byte-identical and leave no /var/lib/alupdate behind.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import textwrap

import pytest

ALU = os.environ.get("ALU_BIN")
QF = "%{NAME}-%{EPOCHNUM}:%{VERSION}-%{RELEASE}.%{ARCH}\\n"

pytestmark = [
    pytest.mark.skipif(not ALU, reason="ALU_BIN not set"),
    pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("db5.3_load"),
                       reason="needs rpmbuild and db5.3_load"),
]

PKGS = [  # name, epoch, version, release, arch, nfiles, extra spec lines
    ("alpha", None, "1.0", "1", "noarch", 1, ""),
    ("beta", 2, "3.1", "4.el7", "x86_64", 2, "Provides: betacap = 3"),
    ("gamma", None, "0.9", "1", "noarch", 3000, ""),
    ("delta", 1, "10.2.3", "0.1.rc1", "noarch", 1, "Provides: /usr/bin/delta"),
]


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def alu(root, *args):
    return run(ALU, "--installroot", str(root), *args)


@pytest.fixture(scope="module")
def rpms(tmp_path_factory):
    top = tmp_path_factory.mktemp("rpmbuild")
    for name, epoch, ver, rel, arch, nfiles, extra in PKGS:
        spec = top / f"{name}.spec"
        spec.write_text(textwrap.dedent(f"""\
            Name: {name}
            {"Epoch: %d" % epoch if epoch is not None else ""}
            Version: {ver}
            Release: {rel}
            Summary: adoption test package {name}
            License: MIT
            BuildArch: {arch}
            {extra}
            %description
            test
            %install
            mkdir -p %{{buildroot}}/usr/share/{name} %{{buildroot}}/usr/share/shared
            i=0; while [ $i -lt {nfiles} ]; do echo $i > %{{buildroot}}/usr/share/{name}/file-with-a-long-name-$i.txt; i=$((i+1)); done
            echo {name} > %{{buildroot}}/usr/share/shared/{name}.txt
            %files
            %dir /usr/share/shared
            /usr/share/{name}
            /usr/share/shared/{name}.txt
            """))
        r = run("rpmbuild", "--quiet", "--define", f"_topdir {top}/top", "--define",
                f"_rpmdir {top}/rpms", "--define", "_build_id_links none", "-bb", str(spec))
        assert r.returncode == 0, r.stderr
    return sorted(str(p) for p in (top / "rpms").rglob("*.rpm"))


def rpm_q(dbpath, *extra):
    r = run("rpm", "--dbpath", str(dbpath), *extra, "-qa", "--qf", QF)
    assert r.returncode == 0, r.stderr
    return sorted(r.stdout.split())


def esc(b):
    return "".join("\\\\" if c == 0x5C else chr(c) if 0x20 <= c < 0x7F else "\\%02x" % c for c in b)


@pytest.fixture(scope="module")
def sqlite_root(rpms, tmp_path_factory):
    root = tmp_path_factory.mktemp("sqlroot")
    r = run("rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", "-i", "--nodeps",
            "--justdb", *rpms)
    assert r.returncode == 0, r.stderr
    return root


def bdb_from_sqlite(src_root, dst_root):
    """An AL2-style Packages file holding the same headers (and rpm's key 0)."""
    db = sqlite3.connect(f"file:{src_root}/var/lib/rpm/rpmdb.sqlite?immutable=1", uri=True)
    rows = db.execute("SELECT hnum, blob FROM Packages").fetchall()
    db.close()
    lines = [esc(struct.pack("<I", 0)), esc(struct.pack("<I", max(h for h, _ in rows) + 1))]
    for h, blob in rows:
        lines += [esc(struct.pack("<I", h)), esc(blob)]
    d = dst_root / "var/lib/rpm"
    d.mkdir(parents=True)
    subprocess.run(["db5.3_load", "-T", "-t", "hash", str(d / "Packages")],
                   input=("\n".join(lines) + "\n").encode(), check=True)
    return d / "Packages"


def copy_root(src, dst):
    shutil.copytree(src, dst, symlinks=True)
    return dst


def listed(root):
    r = alu(root, "--json", "list", "installed")
    assert r.returncode == 0, r.stderr
    return sorted(f"{p['name']}-{p['epoch']}:{p['version']}-{p['release']}.{p['arch']}"
                  for p in json.loads(r.stdout)["installed"])


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_root_matches_rpm(sqlite_root, tmp_path):
    root = copy_root(sqlite_root, tmp_path / "r")
    want = rpm_q(root / "var/lib/rpm")
    assert len(want) == len(PKGS)
    before = {p.name: sha(p) for p in (root / "var/lib/rpm").iterdir() if p.is_file()}
    r = alu(root, "list", "installed")
    assert r.returncode == 0, r.stderr
    assert "Adopted 4 packages from" in r.stdout and "rpmdb.sqlite" in r.stdout
    assert "Installed Packages" in r.stdout
    rows = [l.split() for l in r.stdout.splitlines()[2:]]
    assert [x[0] for x in rows] == ["alpha.noarch", "beta.x86_64", "delta.noarch", "gamma.noarch"]
    assert rows[1][1] == "2:3.1-4.el7"
    assert listed(root) == want
    after = {p.name: sha(p) for p in (root / "var/lib/rpm").iterdir() if p.is_file()}
    assert after == before, "the rpm database must not change"
    assert (root / "var/lib/alupdate/data.mdb").exists()


def test_bdb_root_matches_rpm_bdb_ro(sqlite_root, tmp_path):
    root = tmp_path / "b"
    pk = bdb_from_sqlite(sqlite_root, root)
    want = rpm_q(root / "var/lib/rpm", "--define", "_db_backend bdb_ro")
    assert len(want) == len(PKGS)
    h = sha(pk)
    assert listed(root) == want
    assert sha(pk) == h
    assert sorted(os.listdir(root / "var/lib/rpm")) == ["Packages"]


def test_adopt_twice_is_idempotent(sqlite_root, tmp_path):
    root = copy_root(sqlite_root, tmp_path / "r")
    first = alu(root, "adopt")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Adopted 4 packages from ")
    a = listed(root)
    second = alu(root, "adopt")
    assert second.returncode == 0, second.stderr
    assert second.stdout == first.stdout
    assert listed(root) == a


def test_list_glob(sqlite_root, tmp_path):
    root = copy_root(sqlite_root, tmp_path / "r")
    r = alu(root, "list", "installed", "gam*")
    assert r.returncode == 0, r.stderr
    assert [l.split()[0] for l in r.stdout.splitlines() if ".noarch" in l] == ["gamma.noarch"]
    r = alu(root, "list", "installed", "nosuch*")
    assert r.returncode == 1 and "No matching Packages" in r.stderr


def make_bad(kind, root, sqlite_root):
    d = root / "var/lib/rpm"
    d.mkdir(parents=True)
    good_sql = (sqlite_root / "var/lib/rpm/rpmdb.sqlite").read_bytes()
    if kind == "garbage-bdb":
        p = d / "Packages"
        p.write_bytes(hashlib.sha512(b"x").digest() * 2000)
    elif kind == "truncated-bdb":
        full = bdb_from_sqlite(sqlite_root, root / "full")
        p = d / "Packages"
        p.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
        shutil.rmtree(root / "full")
    elif kind == "truncated-sqlite":
        p = d / "rpmdb.sqlite"
        p.write_bytes(good_sql[: len(good_sql) // 3])
    elif kind == "foreign-sqlite":
        p = d / "rpmdb.sqlite"
        db = sqlite3.connect(p)
        db.execute("CREATE TABLE notes(x TEXT)")
        db.execute("INSERT INTO notes VALUES ('hello')")
        db.commit()
        db.close()
    return p


@pytest.mark.parametrize("kind", ["garbage-bdb", "truncated-bdb", "truncated-sqlite", "foreign-sqlite"])
@pytest.mark.parametrize("cmd", [["list", "installed"], ["adopt"]])
def test_bad_rpmdb(kind, cmd, sqlite_root, tmp_path):
    root = tmp_path / "bad"
    p = make_bad(kind, root, sqlite_root)
    h = sha(p)
    r = alu(root, *cmd)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert str(p) in r.stderr, r.stderr
    assert sha(p) == h
    assert sorted(os.listdir(p.parent)) == [p.name]
    assert not (root / "var/lib/alupdate").exists()
    assert [n for n in os.listdir(root / "var/lib") if n != "rpm"] == []


def test_no_rpmdb(tmp_path):
    r = alu(tmp_path, "list", "installed")
    assert r.returncode == 0 and r.stdout == ""
    r = alu(tmp_path, "adopt")
    assert r.returncode == 1 and "no rpm database" in r.stderr
    assert not (tmp_path / "var").exists()


def test_list_available_without_repos(sqlite_root, tmp_path):
    """An adopted root with no repository configuration: `list available`
    says what is missing instead of listing nothing."""
    r = alu(copy_root(sqlite_root, tmp_path / "r"), "list", "available")
    assert r.returncode == 1 and "no repository configuration" in r.stderr


def test_yumdb_origin(sqlite_root, tmp_path):
    """yum's yumdb from_repo becomes the origin repo ("@amzn2-core")."""
    root = copy_root(sqlite_root, tmp_path / "r")
    d = root / "var/lib/yum/yumdb/b/0123456789abcdef0123456789abcdef01234567-beta-3.1-4.el7-x86_64"
    d.mkdir(parents=True)
    (d / "from_repo").write_text("amzn2-core\n")
    (d / "reason").write_text("user\n")
    r = alu(root, "list", "installed", "beta")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1].split() == ["beta.x86_64", "2:3.1-4.el7", "@amzn2-core"]
    r = alu(root, "list", "installed", "alpha")
    assert r.stdout.splitlines()[-1].split()[-1] == "installed"
