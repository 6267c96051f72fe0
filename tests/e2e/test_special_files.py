# SPDX-License-Identifier: MIT
"""Device nodes and FIFOs in a payload: made as rpm makes them, or the
package refused with the reason.

The package is built here: `%dev(c, 1, 3) /dev/mynull` (rpmbuild needs no
privilege for it) and a FIFO made with mkfifo in %install and listed in
%files; `rpm -qlv` of it shows both types, so the test package is what it
claims. Installed by alupdate into one root and by rpm into another, the
two nodes must agree in type, mode, device number and owner; `verify` is
clean, and erasing removes them. (rpm itself hangs on the FIFO: it is
compared with the header instead.) Without CAP_MKNOD (setpriv drops it, as
an unprivileged container lacks it) the package is refused before anything
is written, naming the package, the path and the reason.
"""
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("rpm"),
                                reason="needs rpmbuild and rpm")

SPEC = """Name: special
Version: 1.0
Release: 1
Summary: a device node and a FIFO
License: MIT
BuildArch: noarch
%description
Special files.
%install
mkdir -p %{buildroot}/dev %{buildroot}/var/run/special
mkfifo -m 0620 %{buildroot}/var/run/special/pipe
echo x > %{buildroot}/var/run/special/plain
%files
%dev(c, 1, 3) %attr(0666, root, root) /dev/mynull
%dir /var/run/special
/var/run/special/pipe
/var/run/special/plain
"""


@pytest.fixture(scope="module")
def special(tmp_path_factory):
    d = tmp_path_factory.mktemp("special")
    (d / "p.spec").write_text(SPEC)
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                    "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                   check=True, capture_output=True)
    rpm = d / "RPMS/noarch/special-1.0-1.noarch.rpm"
    listing = subprocess.run(["rpm", "-qlvp", str(rpm)], capture_output=True, text=True).stdout
    kinds = {line.split()[-1]: line[0] for line in listing.splitlines()}
    assert kinds["/dev/mynull"] == "c" and kinds["/var/run/special/pipe"] == "p", listing
    return rpm


def alu(root, *args, pre=()):
    return subprocess.run([*pre, ALU_BIN, "--installroot", str(root), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def node(path):
    st = os.lstat(path)
    return (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_rdev if
            stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else 0, st.st_uid, st.st_gid)


def can_mknod(tmp):
    try:
        os.mknod(tmp / "probe", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        os.unlink(tmp / "probe")
        return True
    except PermissionError:
        return False


def test_made_like_rpm(tmp_path, special):
    if not can_mknod(tmp_path):
        pytest.skip("this process may not make device nodes (see the refusal test)")
    a, b = tmp_path / "alu", tmp_path / "rpm"
    a.mkdir()
    b.mkdir()
    p = alu(a, "install", "-y", "--noscripts", special)
    assert p.returncode == 0, p.stderr
    # Debian's rpm 4.18 hangs on the FIFO (it opens it to set its metadata):
    # the oracle makes the device only, the FIFO is checked against the header
    p = subprocess.run(["rpm", "--root", str(b), "--define", "_dbpath /var/lib/rpm", "--nodeps",
                        "--noscripts", "--excludepath", "/var/run/special/pipe", "-i",
                        str(special)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert node(a / "dev/mynull") == node(b / "dev/mynull")
    assert stat.S_ISCHR(os.lstat(a / "dev/mynull").st_mode)
    assert os.lstat(a / "dev/mynull").st_rdev == os.makedev(1, 3)
    assert stat.S_IMODE(os.lstat(a / "dev/mynull").st_mode) == 0o666
    assert stat.S_ISFIFO(os.lstat(a / "var/run/special/pipe").st_mode)
    assert stat.S_IMODE(os.lstat(a / "var/run/special/pipe").st_mode) == 0o620
    p = alu(a, "verify", "special")
    assert p.returncode == 0 and not p.stdout.strip(), (p.stdout, p.stderr)
    p = alu(a, "remove", "-y", "--noscripts", "special")
    assert p.returncode == 0, p.stderr
    assert not os.path.lexists(a / "dev/mynull")
    assert not os.path.lexists(a / "var/run/special/pipe")


def test_refused_without_mknod(tmp_path, special):
    if not shutil.which("setpriv") or os.geteuid() != 0:
        pytest.skip("needs setpriv and root to drop CAP_MKNOD")
    r = tmp_path / "r"
    r.mkdir()
    p = alu(r, "install", "-y", "--noscripts", special,
            pre=("setpriv", "--inh-caps=-mknod", "--bounding-set=-mknod"))
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "special-1.0-1.noarch: /dev/mynull: cannot create the character device" in p.stderr, p.stderr
    assert "Operation not permitted" in p.stderr and "CAP_MKNOD" in p.stderr, p.stderr
    # refused at planning: no file of it was written
    assert not (r / "dev").exists() and not (r / "var/run").exists()
    p = alu(r, "list", "installed")
    assert "special" not in p.stdout


def test_fifo_only_needs_no_privilege(tmp_path, special):
    """The FIFO of the same payload alone is fine without CAP_MKNOD: a
    package with only a FIFO is installed (built from the same spec)."""
    d = tmp_path / "fifo"
    d.mkdir()
    (d / "p.spec").write_text(SPEC.replace("Name: special", "Name: fifo").replace(
        "%dev(c, 1, 3) %attr(0666, root, root) /dev/mynull\n", ""))
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                    "--define", "_tmppath %s/tmp" % d, str(d / "p.spec")],
                   check=True, capture_output=True)
    r = tmp_path / "r"
    r.mkdir()
    pre = ("setpriv", "--inh-caps=-mknod", "--bounding-set=-mknod") if shutil.which("setpriv") \
        and os.geteuid() == 0 else ()
    p = alu(r, "install", "-y", "--noscripts", d / "RPMS/noarch/fifo-1.0-1.noarch.rpm", pre=pre)
    assert p.returncode == 0, p.stderr
    assert stat.S_ISFIFO(os.lstat(r / "var/run/special/pipe").st_mode)
