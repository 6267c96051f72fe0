# SPDX-License-Identifier: MIT
"""Applying packages to a root: alupdate against rpm as the oracle.

Each comparison installs/upgrades/removes the same packages with alupdate into
one root and with `rpm --root R --define "_dbpath /var/lib/rpm" --nodeps
--noscripts` into another, then compares the two trees: paths, types, modes,
owners, symlink targets, contents, and mtimes of everything but directories
(a directory's mtime is when something last changed in it, for either tool).
Ignored: the two databases (var/lib/rpm, var/lib/alupdate) and their parent
directories var and var/lib.

Also: %config(noreplace)/%config with local edits (.rpmnew/.rpmsave),
scriptlets (busybox /bin/sh of the sample alu-sh package in the root, skipped
with a warning without one, --noscripts), hostile packages (refused, root
unchanged byte for byte), and kill -9 during a 2000-file upgrade (recovery
leaves the old or the new version entirely).
"""
import hashlib
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("ALU_BUILD") or REPO / "build")
ALU_BIN = os.environ.get("ALU_BIN") or str(BUILD / "alupdate")
PKGS = BUILD / "mirror/www/us-east-1/2/core/2.0.20261101/x86_64/Packages"
IGNORED = ("var/lib/rpm", "var/lib/alupdate")


def alu(root, *args, check=None):
    p = subprocess.run([ALU_BIN, "--installroot", str(root), *args], capture_output=True,
                       text=True, timeout=600)
    if check is not None:
        assert p.returncode == check, (args, p.stdout, p.stderr)
    return p


def rpm(root, *args):
    p = subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm",
                        "--nodeps", "--noscripts", *args], capture_output=True, text=True)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def snapshot(root, mtimes=True, ignore=IGNORED):
    """path -> (type, mode, uid, gid, target or sha256, mtime) under root."""
    out = {}
    root = Path(root)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(root))
            if rel.startswith(ignore) or rel in ("var", "var/lib"):
                continue
            st = os.lstat(full)
            if os.path.islink(full):
                what = ("l", os.readlink(full))
            elif full.is_dir():
                what = ("d", None)
            else:
                what = ("f", hashlib.sha256(full.read_bytes()).hexdigest())
            mt = int(st.st_mtime) if mtimes and what[0] != "d" else None
            out[rel] = (what, st.st_mode, st.st_uid, st.st_gid, mt)
    return out


def bytes_snapshot(root, skip=("var/lib/alupdate/lock.mdb",)):
    """Every byte and every attribute, for "the root is unchanged"."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            rel = str(full.relative_to(root))
            if rel in skip:
                continue
            st = os.lstat(full)
            data = os.readlink(full) if os.path.islink(full) else (
                None if full.is_dir() else full.read_bytes())
            out[rel] = (st.st_mode, st.st_uid, st.st_size, st.st_mtime_ns, st.st_ino, data)
    return out


def diff(a, b):
    lines = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            lines.append("%s: alupdate %s / rpm %s" % (k, a.get(k), b.get(k)))
    return "\n".join(lines[:40])


SPEC = """Name: {name}
Version: {version}
Release: 1
Summary: test package {name}
License: MIT
URL: https://example.com/{name}
BuildArch: noarch
{defines}
%description
Test package {name}.
%install
{install}
{scripts}
%files
{files}
"""


def build_rpm(tmp, name, version, install, files, scripts="", defines=""):
    Path(tmp).mkdir(parents=True, exist_ok=True)
    top = Path(tmp) / "rpmbuild"
    spec = Path(tmp) / ("%s-%s.spec" % (name, version))
    spec.write_text(SPEC.format(name=name, version=version, install=install, files=files,
                                scripts=scripts, defines=defines))
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % top, str(spec)],
                   check=True, capture_output=True)
    return top / "RPMS/noarch" / ("%s-%s-1.noarch.rpm" % (name, version))


def hello_pkg(tmp, version, conf):
    install = """mkdir -p %{{buildroot}}/usr/bin %{{buildroot}}/etc %{{buildroot}}/usr/share/hello/sub %{{buildroot}}/usr/share/doc/hello
printf '#!/bin/sh\\necho hello {v}\\n' > %{{buildroot}}/usr/bin/hello
chmod 755 %{{buildroot}}/usr/bin/hello
echo "conf={c}" > %{{buildroot}}/etc/hello.conf
echo "plain={c}" > %{{buildroot}}/etc/hello-plain.conf
echo "same" > %{{buildroot}}/etc/hello-same.conf
echo "data {v}" > %{{buildroot}}/usr/share/hello/data-{v}
echo common > %{{buildroot}}/usr/share/hello/sub/common
ln -s ../../bin/hello %{{buildroot}}/usr/share/hello/link
echo hardlinked {v} > %{{buildroot}}/usr/share/hello/h1
ln %{{buildroot}}/usr/share/hello/h1 %{{buildroot}}/usr/share/hello/h2
chmod 4755 %{{buildroot}}/usr/share/hello/sub/common
echo doc > %{{buildroot}}/usr/share/doc/hello/README
""".format(v=version, c=conf)
    files = """/usr/bin/hello
%config(noreplace) /etc/hello.conf
%config /etc/hello-plain.conf
%config(noreplace) /etc/hello-same.conf
%dir /usr/share/hello
/usr/share/hello/data-{v}
/usr/share/hello/sub
/usr/share/hello/link
/usr/share/hello/h1
/usr/share/hello/h2
%ghost /var/log/hello.log
%doc /usr/share/doc/hello/README
""".format(v=version)
    scripts = "\n".join("%%%s\necho \"%s $1\" >> /tmp/hello-scripts.log" % (s, s)
                        for s in ("pre", "post", "preun", "postun"))
    return build_rpm(tmp, "hello", version, install, files, scripts)


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hello")
    return hello_pkg(tmp, "1.0", "a"), hello_pkg(tmp, "2.0", "b")


def pair(tmp_path):
    a, b = tmp_path / "alu", tmp_path / "rpm"
    a.mkdir()
    b.mkdir()
    return a, b


def same(a, b, mtimes=True):
    sa, sb = snapshot(a, mtimes), snapshot(b, mtimes)
    assert sa == sb, diff(sa, sb)


# ---- oracle comparisons ----------------------------------------------------

def test_install_upgrade_remove_like_rpm(tmp_path, hello):
    a, b = pair(tmp_path)
    alu(a, "install", "-y", "--noscripts", str(hello[0]), check=0)
    rpm(b, "-U", str(hello[0]))
    same(a, b)
    alu(a, "install", "-y", "--noscripts", str(hello[1]), check=0)
    rpm(b, "-U", str(hello[1]))
    same(a, b)
    assert not (a / "usr/share/hello/data-1.0").exists()
    alu(a, "remove", "-y", "--noscripts", "hello", check=0)
    rpm(b, "-e", "hello")
    same(a, b)


def test_config_edits_like_rpm(tmp_path, hello):
    a, b = pair(tmp_path)
    alu(a, "install", "-y", "--noscripts", str(hello[0]), check=0)
    rpm(b, "-U", str(hello[0]))
    for r in (a, b):
        for f in ("hello.conf", "hello-plain.conf", "hello-same.conf"):
            (r / "etc" / f).write_text("edited\n")
            os.utime(r / "etc" / f, (1000000, 1000000))
    p = alu(a, "install", "-y", "--noscripts", str(hello[1]), check=0)
    rpm(b, "-U", str(hello[1]))
    same(a, b)
    # noreplace + edited: kept, new one beside it; plain config: old saved
    assert (a / "etc/hello.conf").read_text() == "edited\n"
    assert (a / "etc/hello.conf.rpmnew").read_text() == "conf=b\n"
    assert (a / "etc/hello-plain.conf").read_text() == "plain=b\n"
    assert (a / "etc/hello-plain.conf.rpmsave").read_text() == "edited\n"
    # edited, but the package's content did not change: left alone
    assert (a / "etc/hello-same.conf").read_text() == "edited\n"
    assert not (a / "etc/hello-same.conf.rpmnew").exists()
    assert "hello.conf.rpmnew" in p.stderr and "hello-plain.conf.rpmsave" in p.stderr
    alu(a, "remove", "-y", "--noscripts", "hello", check=0)
    rpm(b, "-e", "hello")
    same(a, b)
    assert (a / "etc/hello.conf.rpmsave").read_text() == "edited\n"


def test_nodocs(tmp_path, hello):
    a = tmp_path / "r"
    a.mkdir()
    alu(a, "install", "-y", "--noscripts", "--nodocs", str(hello[0]), check=0)
    assert (a / "usr/bin/hello").exists()
    assert not (a / "usr/share/doc/hello/README").exists()


def mirror_packages():
    if not PKGS.is_dir():
        return []
    return sorted(PKGS.glob("*.rpm"))


def rpm_name(path):
    return subprocess.run(["rpm", "-qp", "--qf", "%{NAME}", str(path)], capture_output=True,
                          text=True).stdout


@pytest.mark.skipif(not mirror_packages(), reason="sample mirror not built")
def test_mirror_packages_like_rpm(tmp_path):
    pkgs = mirror_packages()
    byname = {}
    for p in pkgs:
        byname.setdefault(rpm_name(p), []).append(p)
    for i, p in enumerate(pkgs):
        d = tmp_path / ("one%d" % i)
        d.mkdir()
        a, b = pair(d)
        alu(a, "install", "-y", "--noscripts", str(p), check=0)
        rpm(b, "-U", str(p))
        same(a, b)
    for name, versions in byname.items():
        vs = sorted(versions, key=lambda p: subprocess.run(
            ["rpm", "-qp", "--qf", "%{BUILDTIME} %{VERSION}-%{RELEASE}", str(p)],
            capture_output=True, text=True).stdout)
        for old, new in zip(vs, vs[1:]):
            d = tmp_path / ("up-%s-%s" % (old.name, new.name))
            d.mkdir()
            a, b = pair(d)
            alu(a, "install", "-y", "--noscripts", str(old), check=0)
            rpm(b, "-U", str(old))
            alu(a, "install", "-y", "--noscripts", str(new), check=0)
            rpm(b, "-U", str(new))
            same(a, b)
            alu(a, "remove", "-y", "--noscripts", name, check=0)
            rpm(b, "-e", name)
            same(a, b)


# ---- scriptlets --------------------------------------------------------------

def alu_sh():
    found = [p for p in mirror_packages() if p.name.startswith("alu-sh-")]
    return found[0] if found else None


@pytest.mark.skipif(os.geteuid() != 0, reason="scriptlets need root (chroot)")
def test_scriptlets_with_root_shell(tmp_path, hello):
    r = tmp_path / "r"
    (r / "tmp").mkdir(parents=True)
    sh = alu_sh()
    if sh:
        alu(r, "install", "-y", str(sh), check=0)
    else:  # the same thing by hand: a static busybox as the root's /bin/sh
        (r / "bin").mkdir()
        shutil.copy("/usr/bin/busybox", r / "bin/busybox")
        os.symlink("busybox", r / "bin/sh")
    assert os.path.exists(r / "bin/sh")
    alu(r, "install", "-y", str(hello[0]), check=0)
    assert (r / "tmp/hello-scripts.log").read_text() == "pre 1\npost 1\n"
    alu(r, "install", "-y", str(hello[1]), check=0)
    assert (r / "tmp/hello-scripts.log").read_text().splitlines()[2:] == \
        ["pre 2", "post 2", "preun 1", "postun 1"]
    alu(r, "remove", "-y", "hello", check=0)
    assert (r / "tmp/hello-scripts.log").read_text().splitlines()[6:] == ["preun 0", "postun 0"]
    alu(r, "install", "-y", "--noscripts", str(hello[0]), check=0)
    assert len((r / "tmp/hello-scripts.log").read_text().splitlines()) == 8


def test_scriptlets_skipped_without_shell(tmp_path, hello):
    r = tmp_path / "r"
    r.mkdir()
    p = alu(r, "install", "-y", str(hello[0]), check=0)
    assert "%pre(hello-1.0-1.noarch) skipped" in p.stderr
    assert (r / "usr/bin/hello").exists()
    p = alu(r, "remove", "-y", "--noscripts", "hello", check=0)
    assert "skipped" not in p.stderr


# ---- verify, info -----------------------------------------------------------

def test_verify_and_info(tmp_path, hello):
    r = tmp_path / "r"
    r.mkdir()
    alu(r, "install", "-y", "--noscripts", str(hello[0]), check=0)
    p = alu(r, "verify", "hello", check=0)
    assert p.stdout == ""
    (r / "etc/hello.conf").write_text("edited, longer\n")
    os.unlink(r / "usr/share/hello/h2")
    p = alu(r, "verify", "hello", check=1)
    assert "S.5....T.  c /etc/hello.conf" in p.stdout.splitlines()
    assert "missing     /usr/share/hello/h2" in p.stdout.splitlines()
    p = alu(r, "info", "hello", check=0)
    assert "Name        : hello" in p.stdout and "Version     : 1.0" in p.stdout
    assert "Repo        : installed" in p.stdout
    p = alu(r, "info", str(hello[1]), check=0)
    assert "Version     : 2.0" in p.stdout and "License     : MIT" in p.stdout


def test_remove_takes_dependents(tmp_path, hello):
    """remove goes through the solver (src/cmd/remove.c, as yum): a package
    that needs the removed one is removed with it, and the summary says so."""
    r = tmp_path / "r"
    r.mkdir()
    need = build_rpm(tmp_path, "needshello", "1", "mkdir -p %{buildroot}/usr/lib/nh\n"
                     "echo x > %{buildroot}/usr/lib/nh/x", "/usr/lib/nh/x",
                     defines="Requires: hello")
    alu(r, "install", "-y", "--noscripts", str(hello[0]), str(need), check=0)
    p = alu(r, "remove", "-y", "--noscripts", "hello", check=0)
    assert "needshello" in p.stdout
    assert not (r / "usr/lib/nh/x").exists() and not (r / "usr/bin/hello").exists()


# ---- hostile packages ---------------------------------------------------------

UNCOMPRESSED = "%define _binary_payload w0.ufdio\n%define _build_id_links none"


def patched(src, dst, pairs):
    data = Path(src).read_bytes()
    for old, new in pairs:
        assert len(old) == len(new) and old in data
        data = data.replace(old, new)
    Path(dst).write_bytes(data)
    return dst


def hostile(tmp):
    """(file, what the refusal must mention) for each trick."""
    out = []
    p = build_rpm(tmp, "dotdot", "1", "mkdir -p %{buildroot}/opt/aa\necho x > %{buildroot}/opt/aa/x",
                  "/opt/aa/x", defines=UNCOMPRESSED)
    out.append((patched(p, tmp / "dotdot.rpm", [(b"/opt/aa/", b"/opt/../")]),
                ".."))
    p = build_rpm(tmp, "abslink", "1", "mkdir -p %{buildroot}/etc/evi1\nln -s / %{buildroot}/etc/evil\n"
                  "echo x > %{buildroot}/etc/evi1/x", "/etc/evil\n/etc/evi1/x", defines=UNCOMPRESSED)
    out.append((patched(p, tmp / "abslink.rpm", [(b"/etc/evi1/", b"/etc/evil/")]),
                "symlink of the same package"))
    p = build_rpm(tmp, "outlink", "1", "mkdir -p %{buildroot}/etc/ou1\n"
                  "ln -s ../../../../../../../../tmp %{buildroot}/etc/out\n"
                  "echo x > %{buildroot}/etc/ou1/x", "/etc/out\n/etc/ou1/x", defines=UNCOMPRESSED)
    out.append((patched(p, tmp / "outlink.rpm", [(b"/etc/ou1/", b"/etc/out/")]),
                "symlink of the same package"))
    big = "head -c 200000 /dev/urandom > %{buildroot}/usr/lib/big/blob"
    p = build_rpm(tmp, "corrupt", "1", "mkdir -p %{buildroot}/usr/lib/big\n" + big, "/usr/lib/big/blob")
    data = bytearray(p.read_bytes())
    for i in range(len(data) - 60000, len(data) - 59000):
        data[i] ^= 0x5a
    (tmp / "corrupt.rpm").write_bytes(bytes(data))
    out.append((tmp / "corrupt.rpm", ("payload", "digest")))   # whichever the decoder notices
    a = build_rpm(tmp / "a", "splice", "1", "mkdir -p %{buildroot}/usr/lib/sp\n"
                  "echo AAAAAAAA > %{buildroot}/usr/lib/sp/f", "/usr/lib/sp/f", defines=UNCOMPRESSED)
    b = build_rpm(tmp / "b", "splice", "1", "mkdir -p %{buildroot}/usr/lib/sp\n"
                  "echo BBBBBBBB > %{buildroot}/usr/lib/sp/f", "/usr/lib/sp/f", defines=UNCOMPRESSED)
    ba, bb = a.read_bytes(), b.read_bytes()
    off = ba.index(b"07070100")   # the payload: a cpio archive, uncompressed here
    assert bb.index(b"07070100") == off
    (tmp / "splice.rpm").write_bytes(ba[:off] + bb[off:])
    out.append((tmp / "splice.rpm", "digest"))
    data = p.read_bytes()
    (tmp / "truncated.rpm").write_bytes(data[:len(data) // 2])
    out.append((tmp / "truncated.rpm", ""))
    return out


def test_hostile_packages_refused(tmp_path, hello):
    r = tmp_path / "root"
    r.mkdir()
    (r / "tmp").mkdir()
    alu(r, "install", "-y", "--noscripts", str(hello[0]), check=0)
    before = bytes_snapshot(r)
    for path, why in hostile(tmp_path):
        p = alu(r, "install", "-y", "--noscripts", str(path))
        assert p.returncode == 1, (path, p.stdout, p.stderr)
        name = path.name.split(".")[0]
        whys = why if isinstance(why, tuple) else (why,)
        assert name in p.stderr and any(w in p.stderr for w in whys), (path, p.stderr)
        after = bytes_snapshot(r)
        assert after == before, (path, diff(after, before))
    assert not os.path.exists("/x") or os.path.getsize("/x") != 2


def test_root_symlink_leaving_root_refused(tmp_path, hello):
    r = tmp_path / "root"
    r.mkdir()
    os.symlink("../../../../../../../../../tmp", r / "usr")
    p = alu(r, "install", "-y", "--noscripts", str(hello[0]), check=1)
    assert "hello-1.0-1.noarch" in p.stderr and "above the root" in p.stderr
    assert sorted(os.listdir(r)) == ["usr", "var"]
    # a symlink inside the root is followed, as rpm in a chroot would
    r2 = tmp_path / "merged"
    (r2 / "real/bin").mkdir(parents=True)
    os.symlink("real", r2 / "usr")
    alu(r2, "install", "-y", "--noscripts", str(hello[0]), check=0)
    assert (r2 / "real/bin/hello").exists() and os.path.islink(r2 / "usr")
    alu(r2, "verify", "hello", check=0)


# ---- kill -9 ----------------------------------------------------------------

def big_pkg(tmp, version, n=2000):
    install = ("for d in $(seq 0 19); do mkdir -p %{{buildroot}}/usr/share/big/d$d; done\n"
               "for i in $(seq 0 {m}); do echo big {v} $i > %{{buildroot}}/usr/share/big/d$((i % 20))/f$i; done\n"
               "echo only {v} > %{{buildroot}}/usr/share/big/only-{v}\n").format(v=version, m=n - 1)
    return build_rpm(tmp, "big", version, install, "/usr/share/big")


def test_kill9_recovery(tmp_path):
    v1, v2 = big_pkg(tmp_path / "1", "1"), big_pkg(tmp_path / "2", "2")
    ref = {}
    for v, pkg in (("1", v1), ("2", v2)):
        d = tmp_path / ("ref" + v)
        d.mkdir()
        alu(d, "install", "-y", str(pkg), check=0)
        ref[v] = snapshot(d)
    measure = tmp_path / "measure"
    shutil.copytree(tmp_path / "ref1", measure, symlinks=True)
    t0 = time.monotonic()
    alu(measure, "install", "-y", str(v2), check=0)
    full = time.monotonic() - t0
    rng = random.Random(9)
    outcomes = {"1": 0, "2": 0}

    def trial(n, delay):
        r = tmp_path / ("t%d" % n)
        shutil.copytree(tmp_path / "ref1", r, symlinks=True)
        proc = subprocess.Popen([ALU_BIN, "--installroot", str(r), "install", "-y", str(v2)],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        p = alu(r, "remove", "-y", "no-such-package")   # any writing command recovers first
        assert p.returncode == 0 and "No match for argument" in p.stdout   # as yum (issue 13)
        snap = snapshot(r)
        got = [v for v in ("1", "2") if snap == ref[v]]
        assert got, "trial %d: neither version: %s\n%s" % (n, p.stderr, diff(snap, ref["1"]))
        info = alu(r, "info", "big", check=0).stdout
        assert "Version     : %s\n" % got[0] in info
        alu(r, "verify", "big", check=0)
        outcomes[got[0]] += 1
        shutil.rmtree(r)

    # past the measured duration too: some kills land after the commit
    for n in range(30):
        trial(n, rng.uniform(0, 1.3 * full))
    # A loaded machine can stretch every run past those delays (the
    # per-package syncfs waits for all dirty data); then kill later and
    # later until one lands after the commit, so both outcomes are seen.
    for n in range(30, 36):
        if outcomes["2"]:
            break
        trial(n, full * 2 ** (n - 29))
    assert outcomes["1"] and outcomes["2"], outcomes
