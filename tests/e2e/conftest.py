# SPDX-License-Identifier: MIT
"""Shared fixtures of the end-to-end tests (stdlib + pytest only).

mirror       (session) the signed sample mirror (repo-mirror/build-mirror.sh,
             in $ALU_BUILD/mirror, default <repo>/build/mirror) served by nginx
             on 127.0.0.1 (repo-mirror/serve.sh). Attributes: outdir, www,
             core, http ("http://127.0.0.1:PORT"), https, ca (CA cert path),
             file ("file:///.../www"), manifest (list of Pkg).
sample_root  a fresh copy of an Amazon Linux 2 root with the mirror's "old"
             set installed (repo-mirror/make-root.sh), mirrorlist base file://.
             Point it elsewhere with set_mirror_base(root, base, ca=None).
alu          alu(*args, env=None, input=None, timeout=300) runs $ALU_BIN
             (default <repo>/build/alupdate) -> CompletedProcess (text).
Helpers: make_root(path, mirror, kind="old", base=None), rpm_q(root, *args).
"""
import os
import re
import subprocess
from collections import namedtuple
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("ALU_BUILD") or REPO / "build")
SCRIPTS = REPO / "repo-mirror"
ALU_BIN = os.environ.get("ALU_BIN") or str(BUILD / "alupdate")
# the sample mirror's $basearch (build-mirror.sh reads it too): aarch64 for the
# aarch64 binary's run under qemu (./build.sh test-arm64)
MIRROR_ARCH = os.environ.get("ALU_MIRROR_ARCH", "x86_64")

# one manifest.txt line: nevra "name-epoch:version-release.arch", path under
# www/<region>/2/core/<core>/, and the sample-root sets it belongs to
Pkg = namedtuple("Pkg", "nevra name epoch version release arch path sets")


def read_manifest(outdir):
    pkgs, core = [], None
    for line in (Path(outdir) / "manifest.txt").read_text().splitlines():
        m = re.match(r"# core=(\S+)", line)
        if m:
            core = m.group(1)
        if not line or line.startswith("#"):
            continue
        nevra, path, sets = line.split()
        name, epoch, version, release, arch = re.match(
            r"^(.+)-(\d+):([^-]+)-([^-]+)\.([^.]+)$", nevra).groups()
        pkgs.append(Pkg(nevra, name, epoch, version, release, arch, path,
                        frozenset(s for s in sets.split(",") if s != "-")))
    return core, pkgs


class Mirror:
    def __init__(self, outdir, ports):
        self.outdir = Path(outdir)
        self.www = self.outdir / "www"
        self.core, self.manifest = read_manifest(outdir)
        self.http = "http://127.0.0.1:%s" % ports["HTTP_PORT"]
        self.https = "https://127.0.0.1:%s" % ports["HTTPS_PORT"]
        self.ca = ports["CA"]
        self.file = "file://%s" % self.www
        self.key = self.outdir / "RPM-GPG-KEY-alupdate-test"
        self.other_key = self.outdir / "RPM-GPG-KEY-alupdate-other"

    def repo(self, region="us-east-1", sub=None):
        """Local directory of one repository (sub: the mirror's $basearch)."""
        return self.www / region / "2" / "core" / self.core / (MIRROR_ARCH if sub is None else sub)


@pytest.fixture(scope="session")
def mirror(tmp_path_factory):
    outdir = BUILD / "mirror"
    # a no-op when build.sh built it and repo-mirror/ has not changed since
    subprocess.run(["bash", str(SCRIPTS / "build-mirror.sh"), str(outdir)], check=True)
    state = tmp_path_factory.mktemp("nginx")
    serve = ["bash", str(SCRIPTS / "serve.sh")]
    # nginx stops with the session, and by itself should pytest be killed
    env = dict(os.environ, ALU_SERVE_TTL=os.environ.get("ALU_SERVE_TTL", "3600"),
               ALU_SERVE_PARENT=str(os.getpid()))
    subprocess.run(serve + ["start", str(state), str(outdir)], check=True,
                   stdout=subprocess.DEVNULL, env=env)
    try:
        ports = dict(line.split("=", 1) for line in (state / "ports").read_text().split())
        yield Mirror(outdir, ports)
    finally:
        subprocess.run(serve + ["stop", str(state), str(outdir)])


def make_root(path, mirror, kind="old", base=None):
    """Run make-root.sh: a new AL2 root at path with the old or new set."""
    env = dict(os.environ)
    if base:
        env["ALU_MIRROR_BASE"] = base
    subprocess.run(["bash", str(SCRIPTS / "make-root.sh"), str(path), str(mirror.outdir), kind],
                   check=True, env=env)
    return Path(path)


def set_mirror_base(root, base, ca=None):
    """Point ROOT's amzn2-core.repo mirrorlists at base (http://..., https://...,
    file://...); with ca, trust that CA (sslcacert=) in every section."""
    repo = Path(root) / "etc/yum.repos.d/amzn2-core.repo"
    text = re.sub(r"^mirrorlist=.*?(/\$awsregion/)", lambda m: "mirrorlist=" + base + m.group(1),
                  repo.read_text(), flags=re.M)
    text = re.sub(r"^sslcacert=.*\n", "", text, flags=re.M)
    if ca:
        text = re.sub(r"^(\[.*\])$", r"\1\nsslcacert=%s" % ca, text, flags=re.M)
    repo.write_text(text)


def rpm_q(root, *args):
    """Debian's rpm on ROOT's database (ROOT/var/lib/rpm): stdout lines."""
    p = subprocess.run(["rpm", "--root", str(root), "--define", "_dbpath /var/lib/rpm", *args],
                       capture_output=True, text=True)
    return p.stdout.split("\n")[:-1] if p.stdout else []


@pytest.fixture(scope="session")
def _old_root(mirror, tmp_path_factory):
    return make_root(tmp_path_factory.mktemp("roots") / "old", mirror, "old")


@pytest.fixture
def sample_root(tmp_path, _old_root):
    dst = tmp_path / "root"
    subprocess.run(["cp", "-a", str(_old_root), str(dst)], check=True)
    return dst


@pytest.fixture
def alu():
    if not (os.path.isfile(ALU_BIN) and os.access(ALU_BIN, os.X_OK)):
        pytest.skip("no alupdate binary at %s (set ALU_BIN)" % ALU_BIN)

    def run(*args, env=None, input=None, timeout=300):
        return subprocess.run([ALU_BIN, *map(str, args)], capture_output=True, text=True,
                              env=None if env is None else dict(os.environ, **env),
                              input=input, timeout=timeout)

    return run


