# SPDX-License-Identifier: MIT
"""Package downloads max_parallel_downloads at a time (src/ops/fetch_pool.c),
over a slow link of our own (slowhttp.py: a delay per request, a rate limit
per connection). Parallelism and connection reuse are proven by what the
server counted (requests in flight at once, connections), never by timing."""
import re
from pathlib import Path

import pytest

from conftest import rpm_q
from slowhttp import SlowServer

# the sample root's old set has 5 packages with updates (hello, greet,
# libgreet, alu-data and a new kernel)
UPDATES = 5


@pytest.fixture
def slow(mirror):
    # 0.3 s before each package: downloads that overlap cannot be missed
    srv = SlowServer(mirror.www, latency=0.05, rate=5_000_000, ttl=120, rpm_latency=0.3).start()
    yield srv
    srv.stop()


def point(root, mirror, *bases):
    """amzn2-core from these servers' copies of us-east-1, in this order."""
    rel = "us-east-1/2/core/%s/x86_64/" % mirror.core
    p = Path(root) / "etc/yum.repos.d/amzn2-core.repo"
    text = p.read_text()
    head, sep, rest = text.partition("[amzn2-core]\n")
    body, nxt, tail = rest.partition("\n[")
    body = re.sub(r"^mirrorlist=.*$", "baseurl=" + "\n        ".join(b + "/" + rel for b in bases),
                  body, flags=re.M)
    p.write_text(head + sep + body + nxt + tail)


def rpms(srv):
    return [p for p in srv.log if p.endswith(".rpm")]


def names(root):
    return sorted(rpm_q(root, "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}\n"))


def test_three_at_a_time_over_kept_connections(alu, sample_root, mirror, slow):
    point(sample_root, mirror, slow.url)
    p = alu("--installroot", sample_root, "update", "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert len(rpms(slow)) == UPDATES
    # dnf's default max_parallel_downloads=3: more than one at once, never more
    assert 2 <= slow.max_rpm_inflight <= 3, slow.max_rpm_inflight
    # metadata and packages over at most one connection per download thread
    assert slow.connections <= 3 and slow.requests > slow.connections, \
        (slow.connections, slow.requests)
    assert "hello-2.11-1.amzn2" in names(sample_root)


@pytest.mark.parametrize("how", ["setopt", "main", "repo"])
def test_max_parallel_downloads_one(alu, sample_root, mirror, slow, how):
    point(sample_root, mirror, slow.url)
    args = []
    if how == "setopt":
        args = ["--setopt=max_parallel_downloads=1"]
    elif how == "main":
        conf = sample_root / "etc/yum.conf"
        conf.write_text(conf.read_text().replace("[main]\n", "[main]\nmax_parallel_downloads=1\n", 1))
    else:
        args = ["--setopt=amzn2-core.max_parallel_downloads=1"]
    p = alu("--installroot", sample_root, *args, "update", "-y", "--downloadonly")
    assert p.returncode == 0, p.stdout + p.stderr
    assert len(rpms(slow)) == UPDATES and slow.max_rpm_inflight == 1
    # one after the other on the connection that fetched the metadata
    assert slow.connections == 1, slow.connections


def test_two_at_a_time_from_repo_setopt(alu, sample_root, mirror, slow):
    point(sample_root, mirror, slow.url)
    p = alu("--installroot", sample_root, "--setopt=max_parallel_downloads=5",
            "--setopt=amzn2-core.max_parallel_downloads=2", "update", "-y", "--downloadonly")
    assert p.returncode == 0, p.stdout + p.stderr
    assert slow.max_rpm_inflight == 2 and slow.connections <= 2


def test_bad_value_is_refused(alu, sample_root, mirror, slow):
    point(sample_root, mirror, slow.url)
    before = names(sample_root)
    p = alu("--installroot", sample_root, "--setopt=max_parallel_downloads=0", "update", "-y")
    assert p.returncode != 0
    assert "max_parallel_downloads=0" in p.stderr and "1 to 20" in p.stderr, p.stderr
    assert not rpms(slow) and names(sample_root) == before


def test_one_bad_download_fails_over(alu, sample_root, mirror, slow):
    # the slow mirror serves a damaged hello; nginx's copy is the second mirror
    slow.rules["hello-2.11-1.amzn2.x86_64.rpm"] = "corrupt"
    point(sample_root, mirror, slow.url, mirror.http)
    p = alu("--installroot", sample_root, "update", "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert slow.max_rpm_inflight >= 2
    assert any(r.endswith("hello-2.11-1.amzn2.x86_64.rpm") for r in rpms(slow))
    assert "hello-2.11-1.amzn2" in names(sample_root)
    cache = sample_root / "var/cache/alupdate/amzn2-core/packages"
    assert not list(cache.glob("*.part"))


def test_one_failed_download_fails_cleanly(alu, sample_root, mirror, slow):
    slow.rules["hello-2.11-1.amzn2.x86_64.rpm"] = "500"
    point(sample_root, mirror, slow.url)
    before = names(sample_root)
    # no retries: a 500 is retried with backoff otherwise
    p = alu("--installroot", sample_root, "--setopt=retries=0", "update", "-y")
    assert p.returncode != 0
    assert "hello-2.11-1.amzn2.x86_64" in p.stderr and "HTTP 500" in p.stderr, p.stderr
    assert slow.max_rpm_inflight >= 2
    # nothing applied, and nothing of hello under any name in the cache
    assert names(sample_root) == before
    cache = sample_root / "var/cache/alupdate/amzn2-core/packages"
    assert not [f for f in cache.iterdir() if "hello-2.11" in f.name]


def test_parallel_over_https(alu, sample_root, mirror):
    # each download thread makes its own TLS connection with the repository's CA
    from conftest import set_mirror_base
    set_mirror_base(sample_root, mirror.https, ca=mirror.ca)
    p = alu("--installroot", sample_root, "-v", "update", "-y")
    assert p.returncode == 0, p.stdout + p.stderr
    assert "hello-2.11-1.amzn2" in names(sample_root)
