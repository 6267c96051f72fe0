# SPDX-License-Identifier: MIT
"""`alupdate rpmdb-export --format=bdb DIR`: Amazon Linux 2's rpm database
(rpm 4.11 on libdb 5.3: Packages hash + 12 index B-trees) written by
alupdate's own writer, checked with tools nobody here wrote:

- libdb: db5.3_verify passes on every file; db5.3_dump of each file equals the
  dump of a reference that db5.3_load built from records computed here from
  Debian rpm's own reading of the root (`rpm -q --qf` of each tag), with rpm
  4.11's rules (lib/rpmdb.c addToIndex): every element, except install-only
  requires; trigger names once; no Group -> "Unknown";
- rpm: Debian's rpm reads the export through its Berkeley DB backend
  (bdb_ro) for -qa, -q NAME, -qi, -qf FILE, --whatprovides, --whatrequires;
- go-rpmdb (what Trivy and Syft read rpm databases with) lists the same set;
- libdb goes on writing the export (db5.3_load adds records) and it verifies.
"""
import os
import re
import shutil
import sqlite3
import struct
import subprocess

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("db5.3_load") or not shutil.which("rpm"),
                                reason="needs db5.3-util and rpm")

INDEXES = ["Name", "Basenames", "Group", "Requirename", "Providename", "Conflictname",
           "Obsoletename", "Triggername", "Dirnames", "Installtid", "Sigmd5", "Sha1header"]
# rpm 4.11 lib/rpmds.h: _INSTALL_ONLY_MASK and _ERASE_ONLY_MASK
INSTALL_ONLY = (1 << 9) | (1 << 10) | (1 << 24) | (1 << 26) | (1 << 7) | (1 << 5)
ERASE_ONLY = (1 << 11) | (1 << 12)
NEVRA = "%{NAME}-%{VERSION}-%{RELEASE}%|ARCH?{.%{ARCH}}:{}|"


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)


def bdb_rpm(dbdir, *args):
    """Debian's rpm reading DIR through its read-only Berkeley DB backend."""
    return run("rpm", "--dbpath", dbdir, "--define", "_db_backend bdb_ro", *args)


def root_rpm(root, *args):
    return run("rpm", "--root", root, "--define", "_dbpath /var/lib/rpm", *args)


def esc(b):
    return "".join("\\\\" if c == 0x5C else chr(c) if 0x20 <= c < 0x7F else "\\%02x" % c for c in b)


def unesc(s):
    out, i = bytearray(), 0
    while i < len(s):
        if s[i] == "\\":
            if s[i + 1] == "\\":
                out.append(0x5C)
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out.append(ord(s[i]))
            i += 1
    return bytes(out)


def dump(path):
    """(header fields, [(key, value)]) of db5.3_dump -p PATH, in file order."""
    r = run("db5.3_dump", "-p", path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    end = lines.index("HEADER=END")
    head = dict(l.split("=", 1) for l in lines[:end])
    data = [unesc(l[1:]) for l in lines[end + 1:] if l.startswith(" ")]
    return head, list(zip(data[0::2], data[1::2]))


def load(path, kind, records):
    text = "".join("%s\n%s\n" % (esc(k), esc(v)) for k, v in records)
    subprocess.run(["db5.3_load", "-T", "-t", kind, str(path)], input=text.encode(), check=True)


def libdb_finds_every_key(path):
    """libdb looks each key of PATH up (db5.3_load -n refuses a key it finds):
    every one must be found and the file left byte for byte. db5.3_verify
    alone would not do: it checks a hash page's key order only in libdb's
    diagnostic builds, and a wrong order makes libdb's binary search miss."""
    text = run("db5.3_dump", path).stdout
    nkeys = sum(1 for l in text.split("HEADER=END\n", 1)[1].splitlines() if l.startswith(" ")) // 2
    before = path.read_bytes()
    r = subprocess.run(["db5.3_load", "-n", str(path)], input=text, capture_output=True, text=True)
    assert r.stderr.count("key already exists") == nkeys, (path, r.stderr[-500:])
    assert path.read_bytes() == before, path


def qf(root, nevra, fmt):
    r = root_rpm(root, "-q", nevra, "--qf", fmt)
    assert r.returncode == 0, r.stderr
    return r.stdout.split("\n")[:-1]


def expected_indexes(root, instances):
    """rpm 4.11's index records for the packages {hnum: nevra} of ROOT."""
    ix = {name: {} for name in INDEXES}

    def add(name, key, hnum, i):
        ix[name].setdefault(key, []).append((hnum, i))

    for hnum in sorted(instances):
        nevra = instances[hnum]
        for name, tag in [("Name", "NAME"), ("Basenames", "BASENAMES"),
                          ("Providename", "PROVIDENAME"), ("Conflictname", "CONFLICTNAME"),
                          ("Obsoletename", "OBSOLETENAME"), ("Dirnames", "DIRNAMES")]:
            for i, v in enumerate(qf(root, nevra, "[%%{%s}\n]" % tag)):
                add(name, v.encode() or b"\0", hnum, i)
        group = qf(root, nevra, "%|GROUP?{%{GROUP}}:{}|\n")[0]
        add("Group", group.encode() or b"Unknown", hnum, 0)
        for i, line in enumerate(qf(root, nevra, "[%{REQUIRENAME}\t%{REQUIREFLAGS}\n]")):
            name, flags = line.rsplit("\t", 1)
            if int(flags) & INSTALL_ONLY and not int(flags) & ERASE_ONLY:
                continue
            add("Requirename", name.encode(), hnum, i)
        seen = set()
        for i, v in enumerate(qf(root, nevra, "[%{TRIGGERNAME}\n]")):
            if v not in seen:
                add("Triggername", v.encode(), hnum, i)
            seen.add(v)
        for i, v in enumerate(qf(root, nevra, "[%{INSTALLTID}\n]")):
            add("Installtid", struct.pack("<I", int(v)), hnum, i)
        md5 = qf(root, nevra, "%|SIGMD5?{%{SIGMD5}}:{}|\n")[0]
        if md5:
            add("Sigmd5", bytes.fromhex(md5), hnum, 0)
        sha1 = qf(root, nevra, "%|SHA1HEADER?{%{SHA1HEADER}}:{}|\n")[0]
        if sha1:
            add("Sha1header", sha1.encode(), hnum, 0)
    return {name: sorted((k, b"".join(struct.pack("<II", h, i) for h, i in v))
                         for k, v in recs.items()) for name, recs in ix.items()}


def instances(dbdir):
    """{hnum: nevra} as Debian's rpm reads the exported Packages."""
    r = bdb_rpm(dbdir, "-qa", "--qf", "%{DBINSTANCE} " + NEVRA + "\n")
    assert r.returncode == 0, r.stderr
    return {int(l.split()[0]): l.split()[1] for l in r.stdout.splitlines()}


def export(alu, root, out):
    r = alu("--installroot", root, "rpmdb-export", "--format=bdb", out)
    assert r.returncode == 0, r.stderr
    assert re.match(r"Exported \d+ packages to ", r.stdout), r.stdout
    return out


def sqlite_headers(root):
    db = sqlite3.connect(f"file:{root}/var/lib/rpm/rpmdb.sqlite?immutable=1", uri=True)
    rows = db.execute("SELECT hnum, blob FROM Packages").fetchall()
    db.close()
    return rows


def test_export_verifies_and_matches_reference(alu, sample_root, tmp_path):
    out = export(alu, sample_root, tmp_path / "db")
    assert sorted(os.listdir(out)) == sorted(["Packages"] + INDEXES), "no __db.* or others"
    for f in sorted(os.listdir(out)):
        r = run("db5.3_verify", out / f)
        assert r.returncode == 0, (f, r.stdout, r.stderr)
        libdb_finds_every_key(out / f)
    inst = instances(out)
    assert sorted(inst.values()) == sorted(root_rpm(sample_root, "-qa", "--qf", NEVRA + "\n")
                                           .stdout.split())
    # Packages: key 0 holds the highest instance, every other key a header blob
    # byte for byte as rpm stored it in the root
    blobs = {}
    for h, blob in sqlite_headers(sample_root):
        nevra = root_rpm(sample_root, "-q", "--qf", NEVRA, "--querybynumber", str(h)).stdout
        blobs[nevra] = blob
    head, recs = dump(out / "Packages")
    assert head["type"] == "hash" and head["db_pagesize"] == "4096"
    want = [(struct.pack("<I", 0), struct.pack("<I", max(inst)))]
    want += [(struct.pack("<I", h), blobs[n]) for h, n in inst.items()]
    assert sorted(recs) == sorted(want)
    # each index: equal to libdb's own B-tree of the records rpm 4.11 would keep
    ref = tmp_path / "ref"
    ref.mkdir()
    exp = expected_indexes(sample_root, inst)
    assert exp["Basenames"] and exp["Requirename"] and exp["Sigmd5"] and exp["Installtid"]
    for name in INDEXES:
        load(ref / name, "btree", exp[name])
        ours, theirs = dump(out / name), dump(ref / name)
        assert ours[0]["type"] == "btree", name
        assert ours[1] == theirs[1] == exp[name], name


def test_rpm_and_go_rpmdb_read_the_export(alu, sample_root, tmp_path):
    out = export(alu, sample_root, tmp_path / "db")
    qa = sorted(root_rpm(sample_root, "-qa").stdout.split())
    r = bdb_rpm(out, "-qa")
    assert r.returncode == 0 and sorted(r.stdout.split()) == qa, r.stderr
    names = root_rpm(sample_root, "-qa", "--qf", "%{NAME}\n").stdout.split()
    for name in names:
        # -q NAME goes through the Name index, -qi shows the whole header
        assert bdb_rpm(out, "-q", name).stdout == root_rpm(sample_root, "-q", name).stdout
        assert bdb_rpm(out, "-qi", name).stdout == root_rpm(sample_root, "-qi", name).stdout
    files = [f for f in root_rpm(sample_root, "-qal").stdout.split("\n") if f.startswith("/")]
    assert len(files) > 10
    for f in files[::max(1, len(files) // 25)] + ["/usr/bin/hello"]:
        # -qf: Basenames then the header's Dirnames
        want = root_rpm(sample_root, "-qf", f)
        got = bdb_rpm(out, "-qf", f)
        assert (got.returncode, got.stdout) == (want.returncode, want.stdout), f
    for cap in ["/bin/sh", "system-release", "libgreet.so.1()(64bit)"]:
        for q in ["--whatprovides", "--whatrequires"]:
            want = sorted(root_rpm(sample_root, "-q", q, cap).stdout.split())
            assert sorted(bdb_rpm(out, "-q", q, cap).stdout.split()) == want, (q, cap)
    assert bdb_rpm(out, "-q", "no-such-package").returncode == 1
    if not shutil.which("go-rpmdb"):
        pytest.skip("go-rpmdb not installed")
    r = run("go-rpmdb", cwd=out)
    assert r.returncode == 0, r.stderr
    got = sorted("%s-%s-%s.%s" % m for m in
                 re.findall(r"Name:(\S+) Version:(\S+) Release:(\S+) Arch:(\S*) ", r.stdout))
    want = sorted(root_rpm(sample_root, "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}."
                           "%|ARCH?{%{ARCH}}:{}|\n").stdout.split())
    assert got == want and "Total Packages: %d" % len(want) in r.stdout


def test_al2_root_adopted_and_exported_whole(alu, sample_root, tmp_path):
    """An AL2-style root (Packages made by db5.3_load -t hash, no sqlite) is
    adopted, and its export holds the very same headers."""
    rows = sqlite_headers(sample_root)
    rpmdir = sample_root / "var/lib/rpm"
    for f in os.listdir(rpmdir):
        os.unlink(rpmdir / f)
    load(rpmdir / "Packages", "hash",
         [(struct.pack("<I", 0), struct.pack("<I", max(h for h, _ in rows)))] +
         [(struct.pack("<I", h), b) for h, b in rows])
    want = sorted(bdb_rpm(rpmdir, "-qa").stdout.split())
    assert len(want) == len(rows)
    out = export(alu, sample_root, tmp_path / "db")
    assert sorted(bdb_rpm(out, "-qa").stdout.split()) == want
    assert sorted(v for k, v in dump(out / "Packages")[1] if k != b"\0\0\0\0") == \
        sorted(b for _, b in rows)
    for f in os.listdir(out):
        assert run("db5.3_verify", out / f).returncode == 0, f


def test_libdb_keeps_writing_the_export(alu, sample_root, tmp_path):
    """What rpm 4.11 does next (its libdb adds and replaces records) works on
    our files: splits of hash buckets and B-tree pages, then verify."""
    out = export(alu, sample_root, tmp_path / "db")
    before = len(dump(out / "Packages")[1])
    load(out / "Packages", "hash",
         [(struct.pack("<I", 1000 + i), bytes([i % 251]) * (300 + 977 * (i % 9)))
          for i in range(400)] + [(struct.pack("<I", 0), struct.pack("<I", 1399))])
    # rpm -i of one more package owning every file: each value grows by a pair
    grown = [(k, v + struct.pack("<II", 5000, i))
             for i, (k, v) in enumerate(dump(out / "Basenames")[1])]
    load(out / "Basenames", "btree", grown)
    assert dump(out / "Basenames")[1] == grown
    load(out / "Basenames", "btree",
         [(b"file-%05d" % i, struct.pack("<II", 1000 + i, 0)) for i in range(4000)])
    for f in ["Packages", "Basenames"]:
        r = run("db5.3_verify", out / f)
        assert r.returncode == 0, (f, r.stderr)
    assert len(dump(out / "Packages")[1]) == before + 400
    assert bdb_rpm(out, "-qf", "/usr/bin/hello").stdout.startswith("hello-")


def test_export_refuses_a_non_empty_dir(alu, sample_root, tmp_path):
    out = tmp_path / "db"
    out.mkdir()
    (out / "Packages").write_bytes(b"keep me")
    r = alu("--installroot", sample_root, "rpmdb-export", out)
    assert r.returncode == 1 and "not empty" in r.stderr and str(out) in r.stderr
    assert os.listdir(out) == ["Packages"] and (out / "Packages").read_bytes() == b"keep me"
    r = alu("--installroot", sample_root, "rpmdb-export", "--format=ndb", tmp_path / "x")
    assert r.returncode == 1 and "--format=ndb" in r.stderr and not (tmp_path / "x").exists()


MANY = 300  # enough that Packages needs 4 buckets and Providename an overflow value


@pytest.fixture(scope="module")
def many_root(tmp_path_factory):
    """A root of 300 packages (one rpmbuild of a spec with 300 subpackages,
    each requiring the next and providing "mcap"), installed by Debian's rpm."""
    if not shutil.which("rpmbuild"):
        pytest.skip("needs rpmbuild")
    top = tmp_path_factory.mktemp("many")
    # no dependency generators, no compression, no brp scripts: seconds, not a minute
    s = ["Name: many", "Version: 1.0", "Release: 1", "Summary: many", "License: MIT",
         "BuildArch: noarch", "AutoReqProv: no", "%define _binary_payload w.ufdio",
         "%define __os_install_post %{nil}", "%description", "many", ""]
    for i in range(MANY):
        s += ["%%package -n m%03d" % i, "Summary: m%03d" % i, "AutoReqProv: no",
              "Requires: m%03d" % ((i + 1) % MANY),
              "Provides: mcap = %d" % i, "%%description -n m%03d" % i, "x", ""]
    s += ["%install", "mkdir -p %{buildroot}/usr/share/m",
          "for i in $(seq 0 %d); do echo $i > %%{buildroot}/usr/share/m/f$i; done" % (MANY - 1)]
    for i in range(MANY):
        s += ["%%files -n m%03d" % i, "/usr/share/m/f%d" % i]
    (top / "many.spec").write_text("\n".join(s) + "\n")
    r = run("rpmbuild", "--quiet", "--define", f"_topdir {top}/top", "--define",
            f"_rpmdir {top}/rpms", "--define", "_build_id_links none", "-bb", top / "many.spec")
    assert r.returncode == 0, r.stderr
    root = top / "root"
    rpms = sorted(str(p) for p in (top / "rpms").rglob("*.rpm"))
    r = root_rpm(root, "-i", "--justdb", "--nodeps", *rpms)
    assert r.returncode == 0, r.stderr
    return root


def test_many_packages(alu, many_root, tmp_path):
    out = export(alu, many_root, tmp_path / "db")
    for f in os.listdir(out):
        assert run("db5.3_verify", out / f).returncode == 0, f
        libdb_finds_every_key(out / f)
    stat = run("db5.3_stat", "-d", out / "Packages").stdout
    assert int(re.search(r"(\d+)\tNumber of hash buckets", stat).group(1)) > 2, stat
    stat = run("db5.3_stat", "-d", out / "Providename").stdout
    assert int(re.search(r"(\d+)\tNumber of tree overflow pages", stat).group(1)) >= 1, stat
    assert len(bdb_rpm(out, "-qa").stdout.split()) == MANY
    assert len(bdb_rpm(out, "-q", "--whatprovides", "mcap").stdout.split()) == MANY
    assert bdb_rpm(out, "-q", "--whatrequires", "m005").stdout == "m004-1.0-1.noarch\n"
    for i in (0, 123, MANY - 1):
        assert bdb_rpm(out, "-qf", "/usr/share/m/f%d" % i).stdout == "m%03d-1.0-1.noarch\n" % i
        assert bdb_rpm(out, "-q", "m%03d" % i).stdout == "m%03d-1.0-1.noarch\n" % i
    if shutil.which("go-rpmdb"):
        r = run("go-rpmdb", cwd=out)
        assert "Total Packages: %d" % MANY in r.stdout, r.stdout[-300:]
