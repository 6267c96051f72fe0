# SPDX-License-Identifier: MIT
"""`boot-update`: the launch-time policy of alupdate.yaml applied once per
launch, through the command line of the shipped systemd unit
(container/alupdate-boot-update.service, --installroot added); --set-policy
rewriting alupdate.yaml; the stamp; the timeout (a mirror that serves 1
byte/s: the run is killed at the timeout, no stamp, and the next run does
the update)."""
import configparser
import json
import os
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ALU_BIN, REPO, set_mirror_base

UNIT = REPO / "container" / "alupdate-boot-update.service"
STAMP = "var/lib/alupdate/boot-update.done"
LOG = "var/log/alupdate-boot-update.log"


def installed(alu, root):
    p = alu("--installroot", root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    return sorted("%s-%s-%s.%s" % (r["name"], r["version"], r["release"], r["arch"])
                  for r in rows if r["name"] != "gpg-pubkey")


def unit_cmd(root, *extra):
    """The unit's ExecStart with our binary and --installroot ROOT."""
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    cp.optionxform = str
    cp.read_string(UNIT.read_text())
    assert cp["Service"]["Type"] == "oneshot"
    assert "network-online.target" in cp["Unit"]["After"]
    argv = shlex.split(cp["Service"]["ExecStart"])
    assert argv[0] == "/usr/bin/alupdate" and "boot-update" in argv
    return [ALU_BIN, "--installroot", str(root), *argv[1:], *extra]


def run_unit(root, *extra, timeout=120):
    return subprocess.run(unit_cmd(root, *extra), capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def root(sample_root, mirror):
    (sample_root / "etc/machine-id").write_text("0123456789abcdef0123456789abcdef\n")
    return sample_root


@pytest.fixture
def twin(tmp_path, root):
    t = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(root), str(t)], check=True)
    return t


def test_unit_default_policy(alu, root, twin):
    """Default: security updates of critical and important severity, as
    `update --sec-severity=critical,important -y` makes them; once."""
    p = run_unit(root)
    assert p.returncode == 0, p.stdout + p.stderr
    stamp = (root / STAMP).read_text()
    assert stamp.startswith("machine-id 0123456789abcdef0123456789abcdef\t") and stamp.endswith("\tsecurity\n")
    q = alu("--installroot", twin, "update", "--sec-severity=critical,important", "-y")
    assert q.returncode == 0, q.stderr
    got = installed(alu, root)
    assert got == installed(alu, twin)
    assert "hello-2.11-1.amzn2.x86_64" in got and "alu-data-1.0-1.amzn2.noarch" in got  # medium: not taken
    log = (root / LOG).read_text()
    assert "policy security" in log and "severity critical,important" in log and "done" in log
    # once per launch: the second run does nothing and keeps the stamp
    p = run_unit(root)
    assert p.returncode == 0 and (root / STAMP).read_text() == stamp
    # a new launch (new machine-id) runs again
    (root / "etc/machine-id").write_text("fedcba9876543210fedcba9876543210\n")
    p = subprocess.run([ALU_BIN, "--installroot", str(root), "boot-update"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "launch machine-id fedcba98" in p.stdout and "already done" not in p.stdout
    assert (root / STAMP).read_text().startswith("machine-id fedcba98")


def test_instance_id_names_the_launch(alu, root):
    d = root / "var/lib/cloud/data"
    d.mkdir(parents=True)
    (d / "instance-id").write_text("i-0abc123\n")
    p = alu("--installroot", root, "boot-update", "--set-policy", "none")
    assert p.returncode == 0, p.stderr
    before = installed(alu, root)
    p = subprocess.run(unit_cmd(root), capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert (root / STAMP).read_text().startswith("instance-id i-0abc123\t")
    assert installed(alu, root) == before   # none: nothing installed


def test_set_policy_rewrites_yaml(alu, root):
    y = root / "etc/alupdate/alupdate.yaml"
    y.parent.mkdir(parents=True, exist_ok=True)
    y.write_text("# site settings\nregions: [us-east-1]\nboot:\n  update: true\n  # old\n"
                 "  severities: [low]\nmetadata_expire: 6h\n")
    p = alu("--installroot", root, "boot-update", "--set-policy", "security", "--severity", "Critical",
            "--timeout", "90s")
    assert p.returncode == 0, p.stderr
    text = y.read_text()
    assert text.startswith("# site settings\nregions: [us-east-1]\nmetadata_expire: 6h\nboot:\n")
    assert "severities: [critical]" in text and "timeout: 90" in text and "[low]" not in text
    cfg = alu("--installroot", root, "config").stdout
    assert "boot_policy = security" in cfg and "boot_severities = critical" in cfg
    assert "boot_timeout = 90" in cfg and "metadata_expire = 21600" in cfg
    p = alu("--installroot", root, "boot-update", "--set-policy", "bugfix")
    assert p.returncode == 0, p.stderr
    assert "boot_policy = bugfix" in alu("--installroot", root, "config").stdout
    # bad requests change nothing
    before = y.read_text()
    for args, msg in ((["--set-policy", "everything"], "must be security, bugfix, all or none"),
                      (["--set-policy", "all", "--severity", "critical"], "--severity applies to --set-policy security"),
                      (["--set-policy", "security", "--severity", "urgent"], "unknown severity 'urgent'")):
        p = alu("--installroot", root, "boot-update", *args)
        assert p.returncode == 1 and msg in p.stderr, p.stderr
    assert y.read_text() == before
    assert not list(y.parent.glob("*.tmp"))


def test_bad_yaml_policy(alu, root):
    y = root / "etc/alupdate/alupdate.yaml"
    y.parent.mkdir(parents=True, exist_ok=True)
    y.write_text("boot:\n  policy: sometimes\n")
    p = alu("--installroot", root, "boot-update")
    assert p.returncode == 1
    assert "%s:2:11: 'boot.policy' must be security, bugfix, all or none" % y in p.stderr, p.stderr
    y.write_text("boot:\n  policy: all\n  timeout: never\n")
    p = alu("--installroot", root, "boot-update")
    assert p.returncode == 1
    assert "%s:3:12: 'boot.timeout' must be a duration above zero" % y in p.stderr, p.stderr
    assert not (root / STAMP).exists()


def test_timeout_kills_and_leaves_no_stamp(alu, root, mirror):
    """A mirror at 1 byte/s: the run is stopped at --timeout 3, exit 1, no
    stamp, nothing of it left running; then, the mirror fixed, the next run
    does the update (the lock was released, nothing half done)."""
    set_mirror_base(root, mirror.http)
    (root / "etc/yum/vars/awsregion").write_text("broken-slow\n")
    t0 = time.monotonic()
    p = subprocess.Popen(unit_cmd(root, "--timeout", "3"), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    out, err = p.communicate(timeout=60)
    took = time.monotonic() - t0
    assert p.returncode == 1, out + err
    assert took < 8, took
    assert not (root / STAMP).exists()
    assert "timed out after 3s" in out and "no stamp written" in (root / LOG).read_text()
    # no process of that run is left (the child's process group was killed)
    left = subprocess.run(["pgrep", "-f", str(root)], capture_output=True, text=True).stdout.split()
    assert [pid for pid in left if int(pid) != os.getpid()] == []
    (root / "etc/yum/vars/awsregion").write_text("us-east-1\n")
    p = run_unit(root)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "hello-2.11-1.amzn2.x86_64" in installed(alu, root)
    assert (root / STAMP).exists()


def test_failed_run_leaves_no_stamp(alu, root):
    repo = root / "etc/yum.repos.d/amzn2-core.repo"
    repo.write_text(repo.read_text().replace("mirrorlist=", "mirrorlist=file:///nonexistent/x"))
    p = run_unit(root)
    assert p.returncode == 1
    assert not (root / STAMP).exists()
    assert "failed (exit 1): no stamp written" in p.stdout


SLOW_SPEC = """
Name: slowpost
Version: {version}
Release: 1
Summary: a package whose %post waits while /etc/slowpost.wait exists
License: MIT
BuildArch: noarch
%description
For the boot-update timeout test.
%install
mkdir -p %{{buildroot}}/usr/share/slowpost
echo {version} > %{{buildroot}}/usr/share/slowpost/version
%post
i=0
while [ -e /etc/slowpost.wait ] && [ $i -lt 60 ]; do sleep 1; i=$((i+1)); done
%files
/usr/share/slowpost
"""


def slow_repo(mirror, tmp_path):
    """slowpost 1.0 and 1.1 built, signed with the mirror's test key, in a
    repository of their own (createrepo_c)."""
    import shutil
    import tempfile
    repo = tmp_path / "slowrepo"
    (repo / "Packages").mkdir(parents=True)
    for v in ("1.0", "1.1"):
        d = tmp_path / ("build-" + v)
        d.mkdir()
        (d / "p.spec").write_text(SLOW_SPEC.format(version=v))
        subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % d,
                        "--define", "__spec_install_post %{nil}", str(d / "p.spec")],
                       check=True, capture_output=True)
        shutil.copy(d / ("RPMS/noarch/slowpost-%s-1.noarch.rpm" % v), repo / "Packages")
    home = Path(tempfile.mkdtemp(prefix="alu-gpg-"))
    try:
        shutil.copytree(mirror.outdir / "gnupg", home / "g", ignore=shutil.ignore_patterns("S.*"))
        os.chmod(home / "g", 0o700)
        env = dict(os.environ, GNUPGHOME=str(home / "g"))
        subprocess.run(["rpmsign", "--addsign", "--define", "_gpg_name test@alupdate.invalid",
                        "--define", "_gpg_digest_algo sha256", "--define", "__gpg /usr/bin/gpg",
                        *map(str, (repo / "Packages").iterdir())], env=env, check=True,
                       capture_output=True, stdin=subprocess.DEVNULL)
    finally:
        subprocess.run(["gpgconf", "--kill", "all"], env=dict(os.environ, GNUPGHOME=str(home / "g")))
        shutil.rmtree(home, ignore_errors=True)
    return repo


def test_timeout_during_transaction_is_recovered(alu, root, mirror, tmp_path):
    """Killed at the timeout inside a package's %post: no stamp; the next
    run recovers the cut transaction (journal), marks its history record
    interrupted, and completes the update; verify finds nothing wrong."""
    repo = slow_repo(mirror, tmp_path)
    (root / "etc/yum.repos.d/amzn2-core.repo").unlink()
    (root / "etc/yum.repos.d/slow.repo").write_text(
        "[slow]\nname=slow\nbaseurl=file://%s\ngpgcheck=1\ngpgkey=file://%s\nenabled=1\n" % (repo, mirror.key))
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    only10 = tmp_path / "only10"
    # 1.0 installed from a repository that has only it
    (only10 / "Packages").mkdir(parents=True)
    os.link(repo / "Packages/slowpost-1.0-1.noarch.rpm", only10 / "Packages/slowpost-1.0-1.noarch.rpm")
    subprocess.run(["createrepo_c", "-q", str(only10)], check=True)
    p = alu("--installroot", root, "--disablerepo", "slow", "--repofrompath", "only10,file://%s" % only10,
            "--nogpgcheck", "install", "-y", "slowpost")
    assert p.returncode == 0, p.stdout + p.stderr
    alu("--installroot", root, "boot-update", "--set-policy", "all")
    (root / "etc/slowpost.wait").write_text("")
    t0 = time.monotonic()
    p = subprocess.run(unit_cmd(root, "--timeout", "4"), capture_output=True, text=True, timeout=60)
    took = time.monotonic() - t0
    assert p.returncode == 1 and "timed out after 4s" in p.stdout, p.stdout + p.stderr
    assert "Running transaction" in p.stdout   # it was cut inside the transaction
    assert took < 9, took
    assert not (root / STAMP).exists()
    (root / "etc/slowpost.wait").unlink()
    p = run_unit(root)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "recovered an interrupted transaction: rolled back upgrade of slowpost-1.1-1.noarch" in p.stdout
    assert "Interrupted" in alu("--installroot", root, "history", "list").stdout
    assert "slowpost-1.1-1.noarch" in installed(alu, root)
    assert (root / "usr/share/slowpost/version").read_text() == "1.1\n"
    v = alu("--installroot", root, "verify", "slowpost")
    assert v.returncode == 0 and v.stdout.strip() == "", v.stdout + v.stderr
    assert (root / STAMP).exists()
