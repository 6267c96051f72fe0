# SPDX-License-Identifier: MIT
"""yum lines as Amazon Linux 2 Dockerfiles, user-data scripts and image
builds write them, replayed against the sample mirror (issue 13). Each line
runs on a fresh copy of the sample root ("old" set installed) with `yum` being
alupdate; `&&`, `||` and `;` chain as in sh, `rm -rf` and `true` are sh's.
Every line's exit status is asserted, and what it left installed; for some
lines dnf on a second copy is the oracle for the installed set."""
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, rpm_q

OLD = {"hello": "2.10-1.amzn2", "greet": "1.0-1.amzn2", "libgreet": "1.0-1.amzn2",
       "alu-data": "1.0-1.amzn2", "system-release": "2-1.amzn2", "alu-sh": "1.0-1.amzn2"}
NEW = {"hello": "2.11-1.amzn2", "greet": "1.2-1.amzn2", "libgreet": "1.1-1.amzn2",
       "alu-data": "1.1-1.amzn2", "system-release": "2-1.amzn2", "alu-sh": "1.0-1.amzn2"}
# --security: the newest version of each package an applicable security advisory names
SECURITY = dict(NEW)


def changed(**kw):
    out = dict(OLD)
    for k, v in kw.items():
        out[k.replace("_", "-")] = v
    return out


# (line, exit status, installed afterwards (None: not checked), checks, dnf oracle)
# checks: "quiet" (no stdout), "nocache" (no alupdate bytes under var/cache),
# "nodocs" (hello's README absent), "out:REGEX" / "err:REGEX".
LINES = [
    ("yum -y update", 0, NEW, [], ["-y", "update"]),
    ("yum update -y", 0, NEW, [], None),
    ("yum -y upgrade", 0, NEW, [], None),
    ("yum -y update && yum clean all", 0, NEW, ["nocache"], None),
    ("yum -y update && yum clean all && rm -rf /var/cache/yum", 0, NEW, ["nocache"], None),
    ("yum install -y shadow-utils && yum clean all", 1, OLD,
     ["out:No package shadow-utils available", "err:Nothing to do"], None),
    # yum's install of an installed name updates it ("Checking for update"); dnf's
    # does not, so dnf is no oracle for these two
    ("yum install -y hello && yum clean all", 0, changed(hello="2.11-1.amzn2"), ["nocache"], None),
    ("yum -q -y install greet", 0, changed(greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"),
     ["quiet"], None),
    ("yum -d 0 -e 0 -y install greet", 0, changed(greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"),
     ["quiet"], None),
    ("yum -d1 -y update", 0, NEW, [], None),
    ("yum update -y --security", 0, SECURITY, [], ["-y", "update", "--security"]),
    ("yum -y update --security --sec-severity=Critical", 0, None, [], None),
    ("yum -y install --setopt=tsflags=nodocs hello", 0, changed(hello="2.11-1.amzn2"),
     ["nodocs"], None),
    ("yum -y --setopt=tsflags=nodocs update && yum clean all", 0, NEW, ["nodocs", "nocache"], None),
    ("yum install -y greet-1.1", 0, changed(greet="1.1-1.amzn2", libgreet="1.1-1.amzn2"), [],
     ["-y", "install", "greet-1.1"]),
    ("yum -y install hello greet && yum clean all && rm -rf /var/cache/yum", 0,
     changed(hello="2.11-1.amzn2", greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"), ["nocache"], None),
    ("yum -y remove greet", 0, {k: v for k, v in OLD.items() if k != "greet"}, [],
     ["-y", "--setopt=clean_requirements_on_remove=0", "remove", "greet"]),
    ("yum -y erase alu-data", 0, {k: v for k, v in OLD.items() if k != "alu-data"}, [], None),
    ("yum -y install nosuch hello", 0, changed(hello="2.11-1.amzn2"),
     ["out:No package nosuch available"], None),
    ("yum -y install nosuch", 1, OLD, ["err:Nothing to do"], None),
    ("yum -y install nosuch || true", 0, OLD, [], None),
    ("yum -y --setopt=skip_missing_names_on_install=False install nosuch hello", 1, OLD,
     ["err:Not tolerating missing names"], None),
    ("yum -y remove nosuch", 0, OLD, ["out:No match for argument"], None),
    ("yum check-update", 100, OLD, ["out:hello.x86_64"], None),
    ("yum -q check-update", 100, OLD, ["quiet"], None),
    ("yum check-update || true", 0, OLD, [], None),
    ("yum --security check-update", 100, OLD, ["out:needed for security"], None),
    ("yum -y update hello", 0, changed(hello="2.11-1.amzn2"), [], None),
    ("yum -y update -x kernel", 0, NEW, ["kernel:5.10.100-1.amzn2"], None),
    ("yum -y update --exclude=kernel* --exclude=hello", 0, changed(
        greet="1.2-1.amzn2", libgreet="1.1-1.amzn2", alu_data="1.1-1.amzn2"),
     ["kernel:5.10.100-1.amzn2"], ["-y", "update", "--exclude=kernel*", "--exclude=hello"]),
    ("yum makecache fast", 0, OLD, [], None),
    ("yum -y makecache", 0, OLD, [], None),
    ("yum -y distro-sync && yum -y distro-sync", 0, NEW, ["out:Nothing to do"], None),
    ("yum --noplugins -y update", 0, NEW, [], None),
    ("yum --disableplugin=fastestmirror -y update", 0, NEW, [], None),
    ("yum --disablerepo=* --enablerepo=amzn2-core -y update", 0, NEW, [], None),
    ("yum --disablerepo=amzn2-core -y install hello", 0, OLD, [], None),
    ("yum -y install --downloadonly --downloaddir={tmp}/pkgs greet", 0, OLD,
     ["file:{tmp}/pkgs/greet-1.2-1.amzn2.x86_64.rpm"], None),
    ("yum -y localinstall {pkg:greet-0:1.2}", 0, changed(greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"),
     [], None),
    ("yum -y install {pkg:greet-0:1.2}", 0, changed(greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"),
     [], None),
    ("yum -y install {http}/{rel:greet-0:1.2}", 0, changed(greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"),
     [], None),
    ("yum -y install {http}/nothing/here-1-1.noarch.rpm", 1, OLD, ["err:here-1-1.noarch.rpm"], None),
    ("yum updateinfo list security", 0, OLD, ["out:ALAS2-2026-0001"], None),
    ("yum updateinfo list sec", 0, OLD, ["out:ALAS2-2026-0001"], None),
    ("yum -q updateinfo list installed security", 0, OLD, [], None),
    ("yum updateinfo summary", 0, OLD, ["out:Security notice"], None),
    ("yum list installed", 0, OLD, ["out:hello.x86_64"], None),
    ("yum list installed hello", 0, OLD, ["out:2.10-1.amzn2"], None),
    ("yum info hello", 0, OLD, ["out:Name        : hello"], None),
    ("yum info installed hello", 0, OLD, ["out:Installed Packages"], None),
    ("yum clean all", 0, OLD, ["nocache"], None),
    ("yum clean metadata", 0, OLD, [], None),
    ("yum -y --releasever=2 update", 0, NEW, [], None),
    ("yum -y update --skip-broken", 0, NEW, [], None),
    ("yum -y reinstall hello", 0, OLD, [], None),
    ("yum -y install kernel", 0, OLD, ["kernel:5.10.100-1.amzn2", "kernel:5.10.110-1.amzn2"], None),
    ("yum -y autoremove", 0, OLD, [], None),
    ("yum repolist", 0, OLD, ["out:amzn2-core"], None),
    ("yum repolist all", 0, OLD, ["out:amzn2-core-debuginfo"], None),
    ("yum history", 0, OLD, [], None),
    ("yum -y install --setopt=install_weak_deps=False hello", 0, changed(hello="2.11-1.amzn2"),
     [], None),
    ("yum -y install --nogpgcheck greet && yum clean all", 0,
     changed(greet="1.2-1.amzn2", libgreet="1.1-1.amzn2"), ["nocache"], None),
    ("yum -y install hello; yum clean all", 0, changed(hello="2.11-1.amzn2"), ["nocache"], None),
    ("yum -y install nosuch; yum clean all", 0, OLD, ["nocache"], None),
    ("yum install -y --foo hello", 1, OLD, ["err:'--foo'"], None),
    ("yum -y install -x", 1, OLD, ["err:'-x'"], None),
]


def subst(s, ctx):
    def one(m):
        key, _, arg = m.group(1).partition(":")
        if key == "pkg":
            return str(ctx["mirror"].repo().parent / pkg(ctx["mirror"], arg).path)
        if key == "rel":
            full = ctx["mirror"].repo().parent / pkg(ctx["mirror"], arg).path
            return str(full.relative_to(ctx["mirror"].www))
        return str(ctx[key])
    return re.sub(r"\{([^}]+)\}", one, s)


def pkg(mirror, prefix):
    return next(p for p in mirror.manifest if p.nevra.startswith(prefix) and p.arch != "src")


def sh(line, root, ctx):
    """Run LINE's commands as sh would chain them; returns (status, stdout, stderr)."""
    status, out, err, skip = 0, "", "", False
    for tok in re.split(r"\s+(&&|\|\||;)\s+", line.replace("; ", " ; ")):
        if tok in ("&&", "||", ";"):
            skip = (tok == "&&" and status != 0) or (tok == "||" and status == 0)
            continue
        if skip:
            continue
        words = shlex.split(subst(tok, ctx))
        if words == ["true"]:
            status = 0
        elif words[:2] == ["rm", "-rf"]:
            for w in words[2:]:
                shutil.rmtree(root / w.lstrip("/"), ignore_errors=True)
            status = 0
        else:
            assert words[0] == "yum", words
            p = subprocess.run([ALU_BIN, "--installroot", str(root), *words[1:]], capture_output=True,
                               text=True, timeout=120, stdin=subprocess.DEVNULL)
            status, out, err = p.returncode, out + p.stdout, err + p.stderr
    return status, out, err


def installed(root):
    p = subprocess.run([ALU_BIN, "--installroot", str(root), "list", "installed"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    got, kernels = {}, []
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and "." in f[0] and not line.startswith("Adopted"):
            name = f[0].rsplit(".", 1)[0]
            if name == "kernel":
                kernels.append(f[1])
            else:
                got[name] = f[1]
    return got, kernels


def dnf_installed(root, tmp, args):
    """dnf on a copy of the sample root: {name: version-release} (rpm -qa)."""
    home = tmp / "dnf-home"
    home.mkdir()
    (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
    (home / "dnf.conf").write_text("[main]\ngpgcheck=1\ninstallonly_limit=3\n")
    cmd = ["dnf", "-q", "-c", str(home / "dnf.conf"), "--installroot=%s" % root,
           "--releasever=2", "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root, "--setopt=cachedir=%s" % (tmp / "dnfc"), *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))
    assert p.returncode == 0, p.stdout + p.stderr
    got = {}
    for l in rpm_q(root, "-qa", "--qf", "%{NAME} %{VERSION}-%{RELEASE}\n"):
        n, vr = l.split()
        if n not in ("kernel", "gpg-pubkey"):
            got[n] = vr
    return got


@pytest.mark.parametrize("line,status,want,checks,oracle", LINES, ids=[l[0] for l in LINES])
def test_dockerfile_line(sample_root, mirror, tmp_path, _old_root, line, status, want, checks, oracle):
    if not (os.path.isfile(ALU_BIN) and os.access(ALU_BIN, os.X_OK)):
        pytest.skip("no alupdate binary at %s" % ALU_BIN)
    ctx = {"tmp": tmp_path, "mirror": mirror, "http": mirror.http}
    got_status, out, err = sh(line, sample_root, ctx)
    assert got_status == status, (line, out, err)
    got, kernels = installed(sample_root)
    if want is not None:
        assert got == want, (line, out, err)
    for c in checks:
        c = subst(c, ctx)
        if c == "quiet":
            assert out == "", (line, out)
        elif c == "nocache":
            cache = sample_root / "var/cache/alupdate"
            assert not cache.exists() or not [p for p in cache.rglob("*") if p.is_file()], line
        elif c == "nodocs":
            assert not list((sample_root / "usr/share/doc").glob("hello-*/README")), line
            assert (sample_root / "usr/bin/hello").exists()
        elif c.startswith("kernel:"):
            assert c[7:] in kernels, (line, kernels)
        elif c.startswith("file:"):
            assert Path(c[5:]).is_file(), (line, out, err)
        elif c.startswith("out:"):
            assert re.search(c[4:], out), (line, out)
        elif c.startswith("err:"):
            assert re.search(c[4:], err), (line, err)
    if oracle:
        other = tmp_path / "dnf-root"
        subprocess.run(["cp", "-a", str(_old_root), str(other)], check=True)
        assert dnf_installed(other, tmp_path, oracle) == got, line
