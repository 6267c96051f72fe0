# SPDX-License-Identifier: MIT
"""A container build step leaves no cache or lock of alupdate's in its layer
(ops/container.c): ALUPDATE_CONTAINER_BUILD=1 stands for what buildah's
/run/.containerenv or BuildKit's host name say in a real build (built with
buildah in test_container_build.py); makecache keeps its cache, and a run
that is not a build keeps it too."""
from conftest import rpm_q

STATE = "var/lib/alupdate"


def test_build_step_leaves_no_cache_or_lock(alu, sample_root):
    p = alu("--installroot", sample_root, "update", "--security", "-y",
            env={"ALUPDATE_CONTAINER_BUILD": "1"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert not (sample_root / "var/cache/alupdate").exists()
    assert not (sample_root / STATE / "lock").exists() and not (sample_root / STATE / "lock.mdb").exists()
    assert (sample_root / STATE / "data.mdb").exists()
    assert "greet-1.2-1.amzn2.x86_64" in rpm_q(sample_root, "-qa")
    # the next step finds the state as it was left
    q = alu("--installroot", sample_root, "list", "installed", env={"ALUPDATE_CONTAINER_BUILD": "1"})
    assert q.returncode == 0 and "greet" in q.stdout and "changed since" not in q.stderr, q.stderr


def test_makecache_and_no_build_keep_the_cache(alu, sample_root):
    p = alu("--installroot", sample_root, "makecache", env={"ALUPDATE_CONTAINER_BUILD": "1"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert (sample_root / "var/cache/alupdate/cache.mdb").exists()
    p = alu("--installroot", sample_root, "update", "--security", "-y", env={"ALUPDATE_CONTAINER_BUILD": "0"})
    assert p.returncode == 0, p.stdout + p.stderr
    assert (sample_root / "var/cache/alupdate/cache.mdb").exists()
    assert (sample_root / STATE / "lock").exists()
