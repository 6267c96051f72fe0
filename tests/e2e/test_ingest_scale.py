# SPDX-License-Identifier: MIT
"""Cold makecache of many repositories stays in bounded memory: the pages of
the cache's map that an ingest reads (the index trees of every repository
before it) are dropped from the process as it goes (db/db_check.c
alu_db_trim), so peak RSS does not grow with the cache file. Peak RSS is
the kernel's count for the child (wait4), not a timing."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ALU_BIN, REPO

NPKG = 6000
NREPO = 16


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen") / "repo"
    subprocess.run([sys.executable, str(REPO / "bench/gen-repo.py"), str(out), "--packages",
                    str(NPKG), "--advisories", "300"], check=True, stdout=subprocess.DEVNULL)
    return out


def makecache(bin_, root, repo, k):
    (root / "etc/yum.repos.d").mkdir(parents=True, exist_ok=True)
    (root / "etc/yum.conf").write_text("[main]\n")
    (root / "etc/yum.repos.d/gen.repo").write_text("".join(
        "[r%02d]\nname=r%02d\nbaseurl=file://%s\ngpgcheck=0\n\n" % (i, i, repo) for i in range(k)))
    p = subprocess.Popen([bin_, "-q", "--installroot", str(root), "makecache"],
                         stderr=subprocess.PIPE)
    err = p.stderr.read().decode()
    _, status, ru = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, err
    return ru.ru_maxrss  # KiB


def test_many_repositories_bounded_rss(alu, repo, tmp_path):
    if b"__asan_init" in Path(ALU_BIN).read_bytes():
        pytest.skip("an ASan build's RSS is its shadow memory and quarantine")
    one = makecache(ALU_BIN, tmp_path / "one", repo, 1)
    many = makecache(ALU_BIN, tmp_path / "many", repo, NREPO)
    # 16 x 6,000 entries make a cache file of about 70 MB; the ingest
    # without trimming held 50 MB of it at the end (36 MB above one repo)
    assert many < one + 8 * 1024, (one, many)
    # and every repository is in the cache
    p = alu("--installroot", tmp_path / "many", "-C", "repolist")
    assert p.returncode == 0, p.stderr
    assert all("r%02d" % i in p.stdout for i in range(NREPO)), p.stdout
    p = alu("--installroot", tmp_path / "many", "-C", "list", "available", "pkg00001-*")
    assert p.returncode == 0 and p.stdout.count("r15") >= 1, p.stdout + p.stderr
