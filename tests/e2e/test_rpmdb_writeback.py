# SPDX-License-Identifier: MIT
"""The root's rpm database written back after every transaction (src/rpmdb).

Oracles nobody here wrote: Debian's rpm 4.18 and its python3-rpm-free
SQLite files. A twin root updated by `rpm -U` of the same packages is the
reference: rpm -qa, -qi, -ql, -qf, --whatprovides and -Va answer the same on
both roots, the stored headers are the same bytes but for the install time
and transaction id, and every index table holds the same rows. Then alupdate
and rpm take turns on one root and each sees the other's changes; kill -9
at each step of the write-back leaves the old or the new database whole;
rpmdb_writeback=0 leaves it alone; container-manifest-2 is rewritten as
`rpm -qa --qf` would write it.
"""
import os
import re
import shutil
import sqlite3
import struct
import subprocess

import pytest

from conftest import ALU_BIN

# what rpm -qa prints as container-manifest-2 (Trivy's rpmqa.go, Syft's
# parse_rpm_manifest.go name the same fields)
MANIFEST_QF = ("%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{BUILDTIME}\\t%{VENDOR}\\t"
               "%{EPOCH}\\t%{SIZE}\\t%{ARCH}\\t%{EPOCHNUM}\\t%{SOURCERPM}\\n")
TAG_INSTALLTIME, TAG_INSTALLTID = 1008, 1128


def rpm(root, *args, check=True):
    p = subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", *args],
                       capture_output=True, text=True)
    err = "\n".join(l for l in p.stderr.splitlines()
                    if "use Alien instead" not in l and "assuming you know" not in l)
    if check:
        assert p.returncode == 0, (args, p.stdout, err)
    return p.stdout, err, p.returncode


def qa(root):
    return sorted(rpm(root, "-qa")[0].split())


def alu_ok(alu, root, *args, env=None):
    p = alu("--installroot", root, *args, env=env)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def db(root):
    return root / "var/lib/rpm/rpmdb.sqlite"


def rpmfile(mirror, nevra):
    """Path of the mirror's package for "name-version-release.arch"."""
    for p in mirror.manifest:
        if "%s-%s-%s.%s" % (p.name, p.version, p.release, p.arch) == nevra:
            return mirror.repo(sub="") / p.path
    raise AssertionError("no package %s in the mirror" % nevra)


def masked(blob):
    """The header blob with the data of INSTALLTIME and INSTALLTID zeroed."""
    il, dl = struct.unpack(">II", blob[:8])
    b = bytearray(blob)
    ds = 8 + 16 * il
    for i in range(il):
        tag, typ, off, cnt = struct.unpack(">IIII", blob[8 + 16 * i:24 + 16 * i])
        if tag in (TAG_INSTALLTIME, TAG_INSTALLTID):
            b[ds + off:ds + off + 4 * cnt] = bytes(4 * cnt)
    return bytes(b)


def nevra(blob):
    il, dl = struct.unpack(">II", blob[:8])
    ds = 8 + 16 * il
    v = {}
    for i in range(il):
        tag, typ, off, cnt = struct.unpack(">IIII", blob[8 + 16 * i:24 + 16 * i])
        if tag in (1000, 1001, 1002, 1022):
            v[tag] = blob[ds + off:blob.index(b"\0", ds + off)].decode()
    return "%s-%s-%s.%s" % (v[1000], v[1001], v[1002], v.get(1022, "(none)"))


def dump(path):
    """(schema, {nevra: masked blob}, {table: sorted rows with hnum as NEVRA})."""
    c = sqlite3.connect("file:%s?immutable=1" % path, uri=True)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    pk = {h: nevra(b) for h, b in c.execute("SELECT hnum, blob FROM Packages")}
    blobs = {nevra(b): masked(b) for h, b in c.execute("SELECT hnum, blob FROM Packages")}
    schema = sorted(r[0] for r in c.execute(
        "SELECT sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
    tables = {}
    for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN "
                          "('Packages', 'sqlite_sequence', 'sqlite_stat1')"):
        rows = c.execute("SELECT key, hnum, idx FROM '%s'" % t).fetchall()
        # install transaction ids differ between the two roots: compare which
        # packages share one instead
        tables[t] = sorted((b"tid" if t == "Installtid" else k, pk[h], i) for k, h, i in rows)
    c.close()
    return schema, blobs, tables


@pytest.fixture
def twin(tmp_path, sample_root):
    other = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(sample_root), str(other)], check=True)
    return sample_root, other


def rpm_follow(mirror, twin_root, before, after):
    """Do with rpm -U (-i for a second kernel) what alupdate did."""
    new = sorted(set(after) - set(before))
    names_before = {re.sub(r"-[^-]+-[^-]+$", "", n) for n in before}
    up, inst = [], []
    for n in new:
        name = re.sub(r"-[^-]+-[^-]+$", "", n)
        (inst if name == "kernel" or name not in names_before else up).append(str(rpmfile(mirror, n)))
    if up:
        rpm(twin_root, "-U", *up)
    if inst:
        rpm(twin_root, "-i", *inst)
    assert qa(twin_root) == sorted(after)


def test_update_matches_rpm_twin(alu, mirror, twin):
    a, b = twin
    before = qa(a)
    assert "hello-2.10-1.amzn2.x86_64" in before
    alu_ok(alu, a, "update", "-y")
    after = qa(a)
    assert "hello-2.11-1.amzn2.x86_64" in after and "hello-2.10-1.amzn2.x86_64" not in after
    rpm_follow(mirror, b, before, after)

    names = sorted({re.sub(r"-[^-]+-[^-]+$", "", n) for n in after})
    qi = [re.sub(r"(?m)^Install Date.*\n", "", rpm(r, "-qi", *names)[0]) for r in (a, b)]
    assert qi[0] == qi[1]
    ql = [rpm(r, "-ql", *names)[0] for r in (a, b)]
    assert ql[0] == ql[1] and "/usr/bin/hello" in ql[0]
    files = sorted({f for f in ql[0].split() if f.startswith("/")})
    assert rpm(a, "-qf", *files)[0] == rpm(b, "-qf", *files)[0]
    caps = sorted({l.split()[0] for l in rpm(a, "-qa", "--provides")[0].splitlines()})
    wp = [rpm(r, "-q", "--whatprovides", *caps, check=False) for r in (a, b)]
    assert wp[0] == wp[1] and "hello-2.11-1.amzn2.x86_64" in wp[0][0]
    va = [rpm(r, "-Va", check=False) for r in (a, b)]
    assert va[0][0] == va[1][0] and va[0][2] == va[1][2]
    chl = [rpm(r, "-q", "--changelog", "hello")[0] for r in (a, b)]
    assert chl[0] == chl[1]

    sa, ba, ta = dump(db(a))
    sb, bb, tb = dump(db(b))
    assert sa == sb, "schema"
    assert sorted(ba) == sorted(bb)
    for n in ba:
        assert ba[n] == bb[n], "%s: header differs from rpm's beyond install time/tid" % n
    assert ta == tb
    # and alupdate says so too
    p = alu("--installroot", a, "verify", "--rpmdb")
    assert p.returncode == 0 and "agree" in p.stdout, p.stdout + p.stderr


def test_alternating_with_rpm(alu, mirror, sample_root):
    r = sample_root
    alu_ok(alu, r, "update", "-y", "hello")
    assert "hello-2.11-1.amzn2.x86_64" in qa(r)
    rpm(r, "-V", "hello")

    rpm(r, "-e", "greet")
    rpm(r, "-i", str(rpmfile(mirror, "kernel-5.10.102-1.amzn2.x86_64")))
    # even a command that only reads answers from rpm's installed set
    p = alu_ok(alu, r, "list", "installed")
    assert "changed outside alupdate" in p.stderr, p.stderr
    assert "-greet-1.0-1.amzn2.x86_64" in p.stderr and "+kernel-5.10.102-1.amzn2.x86_64" in p.stderr
    assert not re.search(r"(?m)^greet\.", p.stdout) and "5.10.102-1.amzn2" in p.stdout
    p = alu_ok(alu, r, "update", "-y")
    assert "changed outside alupdate" not in p.stderr, p.stderr
    got = qa(r)
    assert "greet-1.0-1.amzn2.x86_64" not in got and "greet-1.2-1.amzn2.x86_64" not in got
    assert {"kernel-5.10.100-1.amzn2.x86_64", "kernel-5.10.102-1.amzn2.x86_64",
            "kernel-5.10.110-1.amzn2.x86_64", "libgreet-1.1-1.amzn2.x86_64",
            "alu-data-1.1-1.amzn2.noarch"} <= set(got)

    # rpm writes the database alupdate wrote, alupdate the one rpm wrote
    rpm(r, "-e", "kernel-5.10.100-1.amzn2.x86_64")
    alu_ok(alu, r, "install", "-y", "greet")
    got = qa(r)
    assert "greet-1.2-1.amzn2.x86_64" in got and "kernel-5.10.100-1.amzn2.x86_64" not in got
    out, err, rc = rpm(r, "-Va", check=False)
    assert rc == 0 and not out, out + err
    p = alu("--installroot", r, "verify", "--rpmdb")
    assert p.returncode == 0, p.stdout + p.stderr
    # and a command with nothing to do leaves the database as it is
    before = db(r).read_bytes()
    alu_ok(alu, r, "update", "-y")
    assert db(r).read_bytes() == before


def test_verify_rpmdb_reports_differences(alu, sample_root):
    r = sample_root
    alu_ok(alu, r, "list", "installed")       # adopts
    rpm(r, "-e", "--nodeps", "libgreet")
    p = alu("--installroot", r, "verify", "--rpmdb")
    assert p.returncode == 1
    assert "only in alupdate's state: libgreet-1.0-1.amzn2.x86_64" in p.stdout, p.stdout


@pytest.mark.parametrize("where", ["main", "yaml"])
def test_writeback_off(alu, sample_root, where):
    r = sample_root
    if where == "main":
        conf = r / "etc/yum.conf"
        conf.write_text(conf.read_text().replace("[main]\n", "[main]\nrpmdb_writeback=0\n", 1))
    else:
        (r / "etc/alupdate").mkdir(parents=True, exist_ok=True)
        (r / "etc/alupdate/alupdate.yaml").write_text("rpmdb_writeback: false\n")
    before = db(r).read_bytes()
    alu_ok(alu, r, "update", "-y", "hello")
    assert db(r).read_bytes() == before
    assert "hello-2.10-1.amzn2.x86_64" in qa(r)
    p = alu("--installroot", r, "verify", "--rpmdb")
    assert p.returncode == 1 and "header differs" not in p.stdout
    assert "only in the rpm database: hello-2.10-1.amzn2.x86_64" in p.stdout, p.stdout


def test_manifest_rewritten(alu, sample_root):
    r = sample_root
    d = r / "var/lib/rpmmanifest"
    d.mkdir(parents=True)
    (d / "container-manifest-2").write_text(rpm(r, "-qa", "--qf", MANIFEST_QF)[0])
    alu_ok(alu, r, "update", "-y")
    got = (d / "container-manifest-2").read_text()
    want = rpm(r, "-qa", "--qf", MANIFEST_QF)[0]
    assert sorted(got.splitlines()) == sorted(want.splitlines())
    assert "hello\t2.11-1.amzn2\t" in got and "hello\t2.10-1.amzn2\t" not in got
    assert all(len(l.split("\t")) == 10 for l in got.splitlines())


def leftovers(root):
    return sorted(n for d in ("var/lib", "usr/lib/sysimage") if (root / d).is_dir()
                  for n in os.listdir(root / d) if ".alupdate-" in n)


@pytest.mark.parametrize("point,noexchange", [
    ("build", 0), ("pending", 0), ("exchange", 0), ("record", 0), ("gap", 1), ("record", 1)])
def test_kill9_during_writeback(alu, sample_root, point, noexchange):
    """kill -9 at each step of the write-back (fault points of src/rpmdb/
    write.c and dbswitch.c); the database is the old one or the new one,
    whole; the next run agrees with the state and leaves nothing behind."""
    r = sample_root
    alu_ok(alu, r, "makecache")
    env = dict(os.environ, ALU_RPMDB_KILL_AT=point, ALU_RPMDB_NO_EXCHANGE=str(noexchange))
    p = subprocess.run([ALU_BIN, "--installroot", str(r), "update", "-y", "hello"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == -9, (p.returncode, p.stdout, p.stderr)
    if point != "gap":
        got = qa(r)
        assert ("hello-2.10-1.amzn2.x86_64" in got) != ("hello-2.11-1.amzn2.x86_64" in got), got
        dump(db(r))   # integrity_check
        if point in ("build", "pending", "exchange"):   # before the switch
            assert "hello-2.10-1.amzn2.x86_64" in got
        else:
            assert "hello-2.11-1.amzn2.x86_64" in got
    else:
        # the fallback's gap: no database until the next run's recovery
        assert not db(r).exists() and leftovers(r)
    p = alu("--installroot", r, "remove", "-y", "no-such-package")
    # yum 3: a name that matches nothing is said and skipped, exit 0 (issue 13)
    assert p.returncode == 0 and "No match for argument" in p.stdout, p.stdout + p.stderr
    assert "hello-2.11-1.amzn2.x86_64" in qa(r)
    assert not leftovers(r), leftovers(r)
    p = alu("--installroot", r, "verify", "--rpmdb")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "changed outside alupdate" not in p.stderr
    dump(db(r))


def test_manifest_only_root(alu, mirror, sample_root):
    """A distroless root: container-manifest-2 and no rpm database. Adopted
    from the manifest with headers from the repositories; a line no
    repository has is named and kept; the update rewrites the manifest."""
    r = sample_root
    d = r / "var/lib/rpmmanifest"
    d.mkdir(parents=True)
    lines = [l for l in rpm(r, "-qa", "--qf", MANIFEST_QF)[0].splitlines()
             if not l.startswith("gpg-pubkey")]
    mystery = "mystery\t1.0-1.amzn2\t1700000000\t1690000000\tNobody\t(none)\t42\tx86_64\t0\tmystery-1.0-1.amzn2.src.rpm"
    (d / "container-manifest-2").write_text("\n".join(lines + [mystery]) + "\n")
    subprocess.run(["rm", "-rf", str(r / "var/lib/rpm")], check=True)
    p = alu_ok(alu, r, "update", "-y")
    assert "mystery-1.0-1.amzn2.x86_64 is in no repository" in p.stderr, p.stderr
    assert "adopted %d packages from" % len(lines) in p.stderr, p.stderr
    assert not (r / "var/lib/rpm").exists()
    got = (d / "container-manifest-2").read_text().splitlines()
    assert mystery in got
    inst = alu_ok(alu, r, "list", "installed").stdout
    assert "2.11-1.amzn2" in inst and "hello" in inst
    # every other line is what rpm says of the package file (install time aside)
    byname = {l.split("\t")[0] + "." + l.split("\t")[7]: l for l in got if l != mystery}
    assert "hello\t2.11-1.amzn2" in byname["hello.x86_64"]
    for key, l in byname.items():
        f = l.split("\t")
        path = rpmfile(mirror, "%s-%s.%s" % (f[0], f[1], f[7]))
        want = subprocess.run(["rpm", "-qp", "--qf", MANIFEST_QF, str(path)], capture_output=True,
                              text=True).stdout.rstrip("\n").split("\t")
        assert f[:2] + f[3:] == want[:2] + want[3:], (key, f, want)
        assert f[2].isdigit() and int(f[2]) > 1000000000


def test_downgrade_and_history_undo_write_back(alu, sample_root):
    r = sample_root
    alu_ok(alu, r, "update", "-y", "hello")
    alu_ok(alu, r, "downgrade", "-y", "hello")
    assert "hello-2.10-2.amzn2.x86_64" in qa(r)
    ids = re.findall(r"(?m)^\s*(\d+) \| downgrade", alu_ok(alu, r, "history", "list").stdout)
    assert ids, "no downgrade in history"
    alu_ok(alu, r, "history", "undo", ids[0], "-y")
    got = qa(r)
    assert "hello-2.11-1.amzn2.x86_64" in got and "hello-2.10-2.amzn2.x86_64" not in got
    rpm(r, "-V", "hello")
    assert rpm(r, "-qf", "/usr/bin/hello")[0].strip() == "hello-2.11-1.amzn2.x86_64"
    p = alu("--installroot", r, "verify", "--rpmdb")
    assert p.returncode == 0, p.stdout + p.stderr


def test_rpm_killed_mid_write_leaves_wal(alu, sample_root):
    """rpm killed before its checkpoint leaves its change in rpmdb.sqlite-wal
    only: alupdate folds it in before it compares, as rpm's next open would."""
    r = sample_root
    alu_ok(alu, r, "list", "installed")
    path = str(db(r))
    c = sqlite3.connect(path)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA wal_autocheckpoint=0")
    before = db(r).read_bytes()
    (hnum,) = c.execute("SELECT hnum FROM Name WHERE key = 'greet'").fetchone()
    for t in [x for (x,) in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND "
                                      "name NOT IN ('sqlite_sequence', 'sqlite_stat1')")]:
        c.execute("DELETE FROM '%s' WHERE hnum = ?" % t, (hnum,))
    c.commit()
    # what a writer killed before its checkpoint leaves: the old file, a full WAL
    wal = (r / "var/lib/rpm/rpmdb.sqlite-wal").read_bytes()
    c.close()
    db(r).write_bytes(before)
    (r / "var/lib/rpm/rpmdb.sqlite-wal").write_bytes(wal)
    assert "greet-1.0-1.amzn2.x86_64" not in qa(r)   # rpm reads the WAL
    p = alu("--installroot", r, "remove", "-y", "no-such-package")
    assert "-greet-1.0-1.amzn2.x86_64" in p.stderr, p.stderr
    assert not re.search(r"(?m)^greet\.", alu_ok(alu, r, "list", "installed").stdout)


def bdb_root(root):
    """Turn a sample root into Amazon Linux 2's form: the same headers in a
    Berkeley DB hash Packages (db5.3_load -t hash), no rpmdb.sqlite."""
    c = sqlite3.connect("file:%s?immutable=1" % db(root), uri=True)
    rows = c.execute("SELECT hnum, blob FROM Packages").fetchall()
    c.close()
    d = root / "var/lib/rpm"
    for f in os.listdir(d):
        os.unlink(d / f)
    esc = lambda b: "".join("\\\\" if x == 0x5C else chr(x) if 0x20 <= x < 0x7F else "\\%02x" % x
                            for x in b)
    recs = [(struct.pack("<I", 0), struct.pack("<I", max(h for h, _ in rows)))]
    recs += [(struct.pack("<I", h), b) for h, b in rows]
    text = "".join("%s\n%s\n" % (esc(k), esc(v)) for k, v in recs)
    subprocess.run(["db5.3_load", "-T", "-t", "hash", str(d / "Packages")], input=text.encode(),
                   check=True)


def bdb_q(root, *args):
    p = subprocess.run(["rpm", "--dbpath", str(root / "var/lib/rpm"), "--define",
                        "_db_backend bdb_ro", *args], capture_output=True, text=True)
    return p.stdout, p.returncode


@pytest.mark.skipif(not shutil.which("db5.3_load"), reason="needs db5.3-util")
def test_bdb_root_written_back(alu, sample_root):
    r = sample_root
    bdb_root(r)
    assert "hello-2.10-1.amzn2.x86_64" in bdb_q(r, "-qa")[0]
    alu_ok(alu, r, "update", "-y")
    d = r / "var/lib/rpm"
    files = sorted(os.listdir(d))
    assert "rpmdb.sqlite" not in files and not [f for f in files if f.startswith("__db")], files
    assert {"Packages", "Name", "Basenames", "Providename", "Requirename", "Dirnames",
            "Installtid", "Sigmd5", "Sha1header"} <= set(files), files
    for f in files:
        if not f.startswith("."):
            p = subprocess.run(["db5.3_verify", str(d / f)], capture_output=True, text=True)
            assert p.returncode == 0, (f, p.stdout, p.stderr)
    qa_ = sorted(bdb_q(r, "-qa")[0].split())
    assert "hello-2.11-1.amzn2.x86_64" in qa_ and "hello-2.10-1.amzn2.x86_64" not in qa_
    assert bdb_q(r, "-q", "hello") == ("hello-2.11-1.amzn2.x86_64\n", 0)
    assert bdb_q(r, "-qf", "/usr/bin/hello") == ("hello-2.11-1.amzn2.x86_64\n", 0)
    assert "libgreet-1.1-1.amzn2.x86_64" in bdb_q(r, "-q", "--whatprovides",
                                                   "libgreet.so.1()(64bit)")[0]
    p = alu("--installroot", r, "verify", "--rpmdb")
    assert p.returncode == 0, p.stdout + p.stderr
    if shutil.which("go-rpmdb"):
        p = subprocess.run(["go-rpmdb"], cwd=d, capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
        got = sorted("%s-%s-%s.%s" % m for m in re.findall(
            r"Name:(\S+) Version:(\S+) Release:(\S+) Arch:(\S*) ", p.stdout))
        assert "hello-2.11-1.amzn2.x86_64" in got and "greet-1.2-1.amzn2.x86_64" in got
