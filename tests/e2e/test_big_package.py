# SPDX-License-Identifier: MIT
"""A package with 50,000 files installs and erases in time linear in its
size.

Applying it scanned every file of the package for each file written (to
find the other names of its hard-link set): 50,000 x 50,000 steps, some
12 s of CPU on the development machine, 112 s on a slower one. The set is now
a chain built at planning. The package is built here by rpmbuild (in a
tmpfs, with libmagic pointed at a one-rule database: rpmbuild's file
classification is otherwise most of a minute), and installed into a root
on a tmpfs when there is one, so that the disk does not decide the time.

Asserted loosely: the CPU time of alupdate itself (user, which the machine's
load barely moves: 1.4 s now, 12.7 s before), and the wall time.
"""
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ALU_BIN

NFILES = 50000
SPEC = """Name: bigpkg
Version: 1.0
Release: 1
Summary: 50,000 small files
License: MIT
BuildArch: noarch
AutoReqProv: no
%global debug_package %{{nil}}
%global _build_id_links none
%description
Many files.
%install
mkdir -p %{{buildroot}}/usr/share/bigpkg
cd %{{buildroot}}/usr/share/bigpkg
python3 -c "
import os
for d in range({dirs}):
    os.mkdir('d%d' % d)
    for i in range(500):
        with open('d%d/f%d' % (d, i), 'w') as f: f.write('%d %d\\\\n' % (d, i))
"
ln d0/f0 hard0
ln d0/f0 hard1
%files
/usr/share/bigpkg
"""


@pytest.fixture
def fast_tmp(tmp_path):
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    d = Path(tempfile.mkdtemp(prefix="alu-big-", dir=base or str(tmp_path)))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def alu_timed(root, *args):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run([ALU_BIN, "--installroot", str(root), *map(str, args)],
                       capture_output=True, text=True, timeout=600)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, after.ru_utime - before.ru_utime, wall


@pytest.mark.skipif(not shutil.which("rpmbuild"), reason="needs rpmbuild")
def test_50000_files_linear(fast_tmp):
    top = fast_tmp / "top"
    spec = fast_tmp / "big.spec"
    spec.write_text(SPEC.format(dirs=NFILES // 500))
    magic = fast_tmp / "tiny.magic"
    magic.write_text("0\tstring\tALU_NO_SUCH_MAGIC\tnothing\n")
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % top,
                    "--define", "_tmppath %s/tmp" % fast_tmp,
                    "--define", "_binary_payload w1.gzdio",
                    "--define", "__spec_install_post %{nil}", str(spec)],
                   check=True, capture_output=True, env=dict(os.environ, MAGIC=str(magic)),
                   timeout=600)
    rpm = top / "RPMS/noarch/bigpkg-1.0-1.noarch.rpm"
    root = fast_tmp / "root"
    root.mkdir()
    p, cpu, wall = alu_timed(root, "install", "-y", "--noscripts", rpm)
    assert p.returncode == 0, p.stderr
    print("install: %.1f s CPU, %.1f s wall" % (cpu, wall))
    assert cpu < 6 and wall < 120, (cpu, wall)
    files = sum(len(f) for _, _, f in os.walk(root / "usr/share/bigpkg"))
    assert files == NFILES + 2
    st = os.stat(root / "usr/share/bigpkg/hard1")
    assert st.st_nlink == 3 and st.st_ino == os.stat(root / "usr/share/bigpkg/d0/f0").st_ino
    p, cpu, wall = alu_timed(root, "remove", "-y", "--noscripts", "bigpkg")
    assert p.returncode == 0, p.stderr
    print("remove: %.1f s CPU, %.1f s wall" % (cpu, wall))
    assert cpu < 6 and wall < 120, (cpu, wall)
    assert not (root / "usr/share/bigpkg").exists()
