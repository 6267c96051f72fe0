# SPDX-License-Identifier: MIT
"""Amazon Linux 2023 roots through the binary (repo-mirror/al2023/,
make-root-al2023.sh): /etc/dnf/dnf.conf and /etc/dnf/vars (no yum.conf),
the release lock (/etc/dnf/vars/releasever, else the installed
system-release's dated release), updates within a release, check-release-update
from releasemd.xml, --releasever=latest moving the root and the lock file
following it only after a successful transaction, capitalized severities
and ALAS2023 ids. Debian's dnf is the oracle where it has the feature."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import SCRIPTS, rpm_q

OLD, NEW = "2023.6.20241010", "2023.6.20241111"


@pytest.fixture(scope="session")
def _al2023_root(mirror, tmp_path_factory):
    root = tmp_path_factory.mktemp("al2023") / "root"
    subprocess.run(["bash", str(SCRIPTS / "make-root-al2023.sh"), str(root), str(mirror.outdir)],
                   check=True)
    return root


@pytest.fixture
def root(tmp_path, _al2023_root):
    dst = tmp_path / "root"
    subprocess.run(["cp", "-a", str(_al2023_root), str(dst)], check=True)
    return dst


def lock(root, value=None):
    f = root / "etc/dnf/vars/releasever"
    if value is not None:
        f.write_text(value + "\n")
    return f.read_text() if f.exists() else None


def installed(root):
    return sorted(x for x in rpm_q(root, "-qa") if not x.startswith("gpg-pubkey"))


def dnf(root, tmp_path, *args):
    """Debian's dnf on the root's own dnf.conf, vars and repositories (it
    reads them from --installroot); HOME's .rpmmacros points its rpm at
    ROOT/var/lib/rpm so that it finds system-release(releasever) there."""
    home = tmp_path / "dnf-home"
    home.mkdir(exist_ok=True)
    (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
    cmd = ["dnf", "-q", "--noplugins", "--installroot=%s" % root,
           "--setopt=cachedir=%s" % (tmp_path / "dnf-cache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))


def updates(text):
    return sorted(tuple(l.split()[:3]) for l in text.splitlines() if l.strip() and len(l.split()) == 3)


def test_dnf_conf_vars_and_release(alu, root):
    """No yum.conf: dnf.conf is the [main]; $releasever is the installed
    system-release's dated release, not os-release's "2023"; the mirrorlist
    is AL2023's .../core/mirrors/$releasever/$basearch/mirror.list."""
    assert not (root / "etc/yum.conf").exists()
    assert 'VERSION_ID="2023"' in (root / "etc/os-release").read_text()
    p = alu("--installroot", root, "config")
    assert p.returncode == 0 and not p.stderr, p.stderr
    assert "config_file_path = %s/etc/dnf/dnf.conf" % root in p.stdout
    assert "releasever = %s" % OLD in p.stdout
    assert "installonly_limit = 3" in p.stdout
    p = alu("--installroot", root, "config", "amazonlinux")
    assert "/al2023/us-east-1/core/mirrors/%s/x86_64/mirror.list" % OLD in p.stdout, p.stdout
    # the lock file wins over system-release, --releasever over both
    lock(root, NEW)
    assert "releasever = %s" % NEW in alu("--installroot", root, "config").stdout
    p = alu("--installroot", root, "--releasever=latest", "config", "amazonlinux")
    assert "/core/mirrors/latest/x86_64/mirror.list" in p.stdout


@pytest.mark.skipif(not shutil.which("dnf"), reason="dnf not installed")
def test_dnf_agrees_on_updates(alu, root, tmp_path):
    """Same root: dnf (reading dnf.conf, vars and the rpmdb from the root)
    and alupdate list the same updates on the locked release and on latest."""
    for extra in ([], ["--releasever=latest"]):
        d = dnf(root, tmp_path, *extra, "check-update")
        assert d.returncode == 100, d.stdout + d.stderr
        p = alu("--installroot", root, *extra, "check-update")
        assert p.returncode == 100, p.stderr
        assert updates(p.stdout) == updates(d.stdout)
    d = dnf(root, tmp_path, "--releasever=latest", "updateinfo", "list", "--sec-severity=Critical")
    p = alu("--installroot", root, "--releasever=latest", "updateinfo", "list", "--sec-severity=critical")
    assert [l.split()[0] for l in p.stdout.splitlines() if l.startswith("ALAS")] == \
        [l.split()[0] for l in d.stdout.splitlines() if l.startswith("ALAS")] == ["ALAS2023-2024-745"]


@pytest.mark.skipif(not shutil.which("dnf"), reason="dnf not installed")
def test_dnf_agrees_on_the_release_move(alu, root, tmp_path):
    """dnf --releasever=latest upgrade on a copy of the locked root installs
    what alupdate does. (Debian's dnf 4.14 leaves /etc/dnf/vars/releasever
    as it was: following the lock is alupdate's, see ops/release.h.)"""
    lock(root, OLD)
    twin = tmp_path / "twin"
    subprocess.run(["cp", "-a", str(root), str(twin)], check=True)
    d = dnf(twin, tmp_path, "-y", "--releasever=latest", "upgrade")
    assert d.returncode == 0, d.stdout + d.stderr
    p = alu("--installroot", root, "--releasever=latest", "update", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(root) == installed(twin)
    assert lock(twin) == OLD + "\n" and lock(root) == NEW + "\n"


def test_update_within_the_locked_release(alu, root):
    lock(root, OLD)
    # the newer release's metadata cached first must not stop the locked one
    # (another URL is another repository, not a rollback)
    assert alu("--installroot", root, "--releasever=latest", "check-update").returncode == 100
    p = alu("--installroot", root, "update", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(root) == ["alu-sh-1.0-1.amzn2023.x86_64", "hello-2.10-2.amzn2023.x86_64",
                               "system-release-%s-0.amzn2023.noarch" % OLD]
    assert lock(root) == OLD + "\n"
    assert "release lock" not in p.stdout
    p = alu("--installroot", root, "check-update")
    assert p.returncode == 0 and not p.stdout.strip(), p.stdout


def test_check_release_update_names_the_newer_release(alu, root):
    p = alu("--installroot", root, "check-release-update")
    assert p.returncode == 100, p.stderr
    assert p.stdout == (
        'WARNING:\n  A newer release of "Amazon Linux" is available.\n\n  Available Versions:\n\n'
        "  Version %s:\n    Run the following command to upgrade to %s:\n\n"
        "      alupdate upgrade --releasever=%s\n\n"
        "    Release notes:\n     https://docs.aws.amazon.com/linux/al2023/release-notes/relnotes-%s.html\n\n"
        % (NEW, NEW, NEW, NEW))
    p = alu("--installroot", root, "-C", "check-release-update")
    assert p.returncode == 1 and "-C" in p.stderr and not p.stdout
    p = alu("--installroot", root, "check-release-update", "--latest-only", "--version-only")
    assert (p.returncode, p.stdout) == (100, NEW + "\n")
    data = json.loads(alu("--installroot", root, "--json", "check-release-update").stdout)
    assert data["current"] == OLD and [r["version"] for r in data["newer"]] == [NEW]
    # locked to the newest: nothing to say
    lock(root, NEW)
    p = alu("--installroot", root, "check-release-update")
    assert (p.returncode, p.stdout) == (0, "")
    assert alu("--installroot", root, "-q", "check-release-update", "--releasever=" + OLD).returncode == 100


def test_check_update_tells_of_a_newer_release_on_stderr(alu, root, sample_root):
    """As AL2023's dnf (its release-notification): check-update's own output
    is unchanged and the notice goes to stderr between rules; -q, -C, --json,
    a root on the newest release and an AL2 root print none."""
    p = alu("--installroot", root, "check-update")
    assert p.returncode == 100 and updates(p.stdout) == [("hello.x86_64", "2.10-2.amzn2023", "amazonlinux")]
    rule = "=" * 80 + "\n"
    assert p.stderr.startswith(rule + 'WARNING:\n  A newer release of "Amazon Linux" is available.')
    assert p.stderr.endswith(rule) and "alupdate upgrade --releasever=%s" % NEW in p.stderr
    for args in (["-q"], ["-C"], ["--json"]):
        p = alu("--installroot", root, *args, "check-update")
        assert p.returncode == 100 and "newer release" not in p.stderr, (args, p.stderr)
    lock(root, NEW)
    p = alu("--installroot", root, "check-update")
    assert "newer release" not in p.stderr, p.stderr
    p = alu("--installroot", sample_root, "check-update")
    assert p.returncode == 100 and "newer release" not in p.stderr


def test_releasever_latest_moves_the_root_and_the_lock(alu, root):
    lock(root, OLD)
    p = alu("--installroot", root, "--releasever=latest", "update", "-y")
    assert p.returncode == 0, p.stderr
    assert installed(root) == ["alu-sh-1.0-1.amzn2023.x86_64", "hello-2.11-1.amzn2023.x86_64",
                               "system-release-%s-0.amzn2023.noarch" % NEW]
    assert "/etc/dnf/vars/releasever: release lock moved from %s to %s" % (OLD, NEW) in p.stdout
    assert lock(root) == NEW + "\n"
    assert not list((root / "etc/dnf/vars").glob("*tmp*"))
    # the root now stays on the new release
    assert alu("--installroot", root, "check-update").returncode == 0
    p = alu("--installroot", root, "check-release-update")
    assert (p.returncode, p.stdout) == (0, "")


def test_releasever_version_without_a_lock_file(alu, root):
    """No lock file: the installed system-release is the lock; a move to a
    named release leaves no lock file behind."""
    p = alu("--installroot", root, "--releasever=" + NEW, "update", "-y", "system-release")
    assert p.returncode == 0, p.stderr
    assert lock(root) is None
    assert "releasever = %s" % NEW in alu("--installroot", root, "config").stdout


def test_a_transaction_that_keeps_system_release_keeps_the_lock(alu, root):
    """The root on the newer release but locked back to the older one by
    hand: a --releasever run that does not change system-release leaves the
    lock as the user wrote it."""
    lock(root, "latest")
    assert alu("--installroot", root, "update", "-y").returncode == 0
    lock(root, OLD)
    p = alu("--installroot", root, "--releasever=latest", "reinstall", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert "release lock" not in p.stdout and lock(root) == OLD + "\n"


def test_failed_transaction_keeps_the_lock(alu, root):
    lock(root, OLD)
    (root / "etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2023").unlink()
    p = alu("--installroot", root, "--releasever=latest", "update", "-y")
    assert p.returncode == 1, p.stdout
    assert lock(root) == OLD + "\n"
    assert "system-release-%s-0.amzn2023.noarch" % OLD in installed(root)
    # --downloadonly is no transaction either
    p = alu("--installroot", root, "--releasever=latest", "--nogpgcheck", "update", "-y", "--downloadonly")
    assert p.returncode == 0, p.stderr
    assert lock(root) == OLD + "\n"


@pytest.mark.parametrize("where", ["file", "dir"])
def test_a_symlinked_lock_is_refused_before_the_transaction(alu, root, where):
    """The lock file, or /etc/dnf/vars, a symlink: alupdate's writes under
    the root follow no symlink (util/rootfs.h), so a --releasever run that
    would have to move the lock is refused before anything changes."""
    before = installed(root)
    if where == "file":
        (root / "etc/lock-target").write_text(OLD + "\n")
        (root / "etc/dnf/vars/releasever").symlink_to("/etc/lock-target")
        kept = root / "etc/lock-target"
    else:
        real = root / "etc/dnf/vars.real"
        (root / "etc/dnf/vars").rename(real)
        (root / "etc/dnf/vars").symlink_to("vars.real")
        (real / "releasever").write_text(OLD + "\n")
        kept = real / "releasever"
    p = alu("--installroot", root, "--releasever=latest", "update", "-y")
    assert p.returncode == 1, p.stdout + p.stderr
    assert "release lock /etc/dnf/vars/releasever" in p.stderr and "nothing was changed" in p.stderr, p.stderr
    assert installed(root) == before
    assert kept.read_text() == OLD + "\n"
    assert not list(kept.parent.glob("*tmp*"))
    # without --releasever nothing needs the lock written: the update runs
    assert alu("--installroot", root, "update", "-y").returncode == 0


def test_a_latest_lock_is_kept(alu, root):
    lock(root, "latest")
    assert alu("--installroot", root, "check-update").returncode == 100
    p = alu("--installroot", root, "--releasever=latest", "update", "-y")
    assert p.returncode == 0, p.stderr
    assert lock(root) == "latest\n"
    # a root following latest is on the release it has installed
    data = json.loads(alu("--installroot", root, "--json", "check-release-update").stdout)
    assert data == {"current": NEW, "newer": []}


def test_capitalized_severities_and_alas2023_ids(alu, root):
    args = ("--installroot", root, "--releasever=latest", "updateinfo", "list")
    for opt in ("--sec-severity=critical", "--sec-severity=CRITICAL", "--sec-severity=Critical",
                "--advisory-severities=cRiTiCaL"):
        p = alu(*args, opt)
        assert [l.split()[:2] for l in p.stdout.splitlines() if l.startswith("ALAS")] == \
            [["ALAS2023-2024-745", "Critical/Sec."]], p.stdout
    p = alu(*args, "--secseverity", "important")
    assert [l.split()[0] for l in p.stdout.splitlines() if l.startswith("ALAS")] == ["ALAS2023-2024-701"]
    # within the locked release: only its own advisory applies
    p = alu("--installroot", root, "update", "-y", "--security", "--sec-severity=important")
    assert p.returncode == 0, p.stderr
    assert "hello-2.10-2.amzn2023.x86_64" in installed(root)
    p = alu("--installroot", root, "--json", "--releasever=latest", "updateinfo", "info", "ALAS2023-2024-745")
    assert p.returncode == 0 and '"Critical"' in p.stdout, p.stdout + p.stderr


def test_over_http_with_a_utf8_declared_releasemd(alu, root, mirror):
    """releasemd.xml declares encoding "utf8" (as the real one does): read
    as UTF-8, over http from the mirror the repository uses."""
    md = mirror.www / "al2023/us-east-1/core/releasemd.xml"
    assert md.read_text().startswith('<?xml version="1.0" encoding="utf8"?>')
    repo = root / "etc/yum.repos.d/amazonlinux.repo"
    repo.write_text(repo.read_text().replace(mirror.file, mirror.http))
    p = alu("--installroot", root, "check-release-update", "--version-only")
    assert (p.returncode, p.stdout) == (100, NEW + "\n"), p.stderr
    # the versioned mirror lists over http name the repositories over http
    lock(root, OLD)
    p = alu("--installroot", root, "--releasever=latest", "update", "-y")
    assert p.returncode == 0, p.stderr
    assert "hello-2.11-1.amzn2023.x86_64" in installed(root) and lock(root) == NEW + "\n"


def test_bad_or_missing_releasemd(alu, root, mirror, tmp_path):
    site = tmp_path / "site/al2023/us-east-1/core"
    shutil.copytree(mirror.www / "al2023/us-east-1/core/mirrors", site / "mirrors")
    repo = root / "etc/yum.repos.d/amazonlinux.repo"
    repo.write_text(repo.read_text().replace(mirror.file, "file://%s/site" % tmp_path))
    p = alu("--installroot", root, "check-release-update")
    assert p.returncode == 1 and "releasemd.xml" in p.stderr and not p.stdout, p.stderr
    (site / "releasemd.xml").write_text('<?xml version="1.0"?>\n<root><releases>\n<release>\n')
    p = alu("--installroot", root, "check-release-update")
    assert p.returncode == 1 and not p.stdout
    assert "%s/releasemd.xml:3:" % site in p.stderr and "without a version" in p.stderr, p.stderr
    # the repositories themselves still work
    assert alu("--installroot", root, "check-update").returncode == 100
    # an AL2 root has no versioned repository to ask
    (root / "etc/yum.repos.d/amazonlinux.repo").unlink()
    (root / "etc/yum.repos.d/x.repo").write_text("[x]\nbaseurl=file:///nonexistent\n")
    p = alu("--installroot", root, "check-release-update")
    assert p.returncode == 1 and "layout" in p.stderr
