# SPDX-License-Identifier: MIT
"""Repository transactions end to end: update (all, --security, severities,
update-minimal), install, remove, history undo, keys, versionlock, and the
refusals (tampered, unsigned, wrongly signed packages, missing key), with
dnf as the oracle: the same old-set root copied twice, dnf in one, alupdate
in the other, the same installed NEVRA set afterwards."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import MIRROR_ARCH as ARCH, rpm_q, set_mirror_base

GNUPG = None


def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT (as test_mirror.py runs it)."""
    home = tmp_path / "dnfhome"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\ninstallonly_limit=3\n")
    cmd = ["dnf", "-c", str(home / "dnf.conf"), "--installroot=%s" % root, "--releasever=2",
           "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root,
           "--setopt=cachedir=%s" % (tmp_path / "dnfcache"), *args]
    if ARCH != os.uname().machine:
        cmd.insert(1, "--forcearch=%s" % ARCH)  # the aarch64 run's mirror
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))
    assert p.returncode == 0, p.stdout + p.stderr
    return p


def installed(root):
    """NEVRA set from alupdate's own view (list installed --json would do
    too); gpg-pubkey entries are rpm's way to store keys and are left out."""
    return sorted(n for n in rpm_q(root, "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n")
                  if not n.startswith("gpg-pubkey"))


def alu_installed(alu, root):
    p = alu("--installroot", root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    import json
    rows = json.loads(p.stdout)
    rows = rows["installed"] if isinstance(rows, dict) else rows
    return sorted("%s-%s-%s.%s" % (r["name"], r["version"], r["release"], r["arch"])
                  for r in rows if r["name"] != "gpg-pubkey")


@pytest.fixture
def twin(tmp_path, sample_root, mirror):
    """(dnf root, alupdate root): two copies of the same old-set root."""
    set_mirror_base(sample_root, mirror.http)
    other = tmp_path / "root-alu"
    subprocess.run(["cp", "-a", str(sample_root), str(other)], check=True)
    return sample_root, other


def run_ok(alu, *args):
    p = alu(*args)
    assert p.returncode == 0, (args, p.stdout, p.stderr)
    return p


def test_update_all_matches_dnf(alu, twin, tmp_path):
    d, a = twin
    dnf(d, tmp_path, "-y", "upgrade")
    p = run_ok(alu, "--installroot", a, "update", "-y")
    assert "Dependencies Resolved" in p.stdout and "Transaction Summary" in p.stdout
    assert "Complete!" in p.stdout
    assert alu_installed(alu, a) == installed(d)
    # nothing left: exit 0 and yum's words
    p = run_ok(alu, "--installroot", a, "update", "-y")
    assert "No packages marked for update" in p.stdout


def test_update_security_matches_dnf(alu, twin, tmp_path):
    d, a = twin
    import json
    p = alu("--installroot", a, "update", "--security", "--json", "--assumeno")
    # --assumeno: the plan is shown, nothing applied, exit 1
    assert p.returncode == 1
    plan = json.loads(p.stdout)
    dnf(d, tmp_path, "-y", "upgrade", "--security")
    run_ok(alu, "--installroot", a, "update", "--security", "-y")
    assert alu_installed(alu, a) == installed(d)
    assert plan["result"] == "aborted" and "ALAS2-2026-0001" in plan["advisories"]


def test_sec_severity_critical(alu, twin, tmp_path):
    # dnf only matches capitalised severities ("Critical") and the sample
    # updateinfo writes them lowercase as AL2 does: give dnf the advisory ids
    # alupdate acted on, taken from its --json plan.
    import json
    d, a = twin
    p = alu("--installroot", a, "update", "--sec-severity=critical", "--json", "-y")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)
    # hello's ALAS2-2026-0001 and the kernel's ALAS2KERNEL-5.10-2026-002
    assert res["result"] == "ok"
    assert sorted(res["advisories"]) == ["ALAS2-2026-0001", "ALAS2KERNEL-5.10-2026-002"]
    dnf(d, tmp_path, "-y", "upgrade", *["--advisory=%s" % i for i in res["advisories"]])
    assert alu_installed(alu, a) == installed(d)


def test_update_minimal_security_matches_dnf(alu, twin, tmp_path):
    d, a = twin
    dnf(d, tmp_path, "-y", "upgrade-minimal", "--security")
    run_ok(alu, "--installroot", a, "update-minimal", "--security", "-y")
    assert alu_installed(alu, a) == installed(d)
    p = run_ok(alu, "--installroot", a, "upgrade-minimal", "--security", "-y")
    assert "No Packages marked for minimal Update" in p.stdout


def test_install_and_remove_match_dnf(alu, twin, tmp_path):
    d, a = twin
    dnf(d, tmp_path, "-y", "install", "greet-1.1")
    run_ok(alu, "--installroot", a, "install", "-y", "greet-1.1")
    assert alu_installed(alu, a) == installed(d)
    # removing libgreet takes greet (which needs it) along, as yum/dnf do
    dnf(d, tmp_path, "-y", "remove", "libgreet")
    p = run_ok(alu, "--installroot", a, "remove", "-y", "libgreet")
    assert "Removing for dependencies:" in p.stdout
    assert alu_installed(alu, a) == installed(d)


def test_confirmation(alu, sample_root, mirror):
    set_mirror_base(sample_root, mirror.http)
    p = alu("--installroot", sample_root, "update", input="")
    assert p.returncode == 1 and "-y" in p.stderr
    p = alu("--installroot", sample_root, "update", "--assumeno")
    assert p.returncode == 1 and "Operation aborted." in p.stdout
    assert f"hello-2.10-1.amzn2.{ARCH}" in alu_installed(alu, sample_root)


def test_history_undo_and_keys(alu, sample_root, mirror):
    set_mirror_base(sample_root, mirror.http)
    before = alu_installed(alu, sample_root)
    run_ok(alu, "--installroot", sample_root, "update", "-y")
    assert alu_installed(alu, sample_root) != before
    p = run_ok(alu, "--installroot", sample_root, "history", "list")
    assert "update -y" in p.stdout
    p = run_ok(alu, "--installroot", sample_root, "history", "info", "1")
    assert f"Update       hello-2.11-1.amzn2.{ARCH}" in p.stdout
    assert f"Updated      hello-2.10-1.amzn2.{ARCH}" in p.stdout
    run_ok(alu, "--installroot", sample_root, "history", "undo", "1", "-y")
    assert alu_installed(alu, sample_root) == before
    p = run_ok(alu, "--installroot", sample_root, "keys")
    assert "0x67C82ED8" in p.stdout or "test@alupdate.invalid" in p.stdout


def test_versionlock(alu, sample_root, mirror):
    set_mirror_base(sample_root, mirror.http)
    run_ok(alu, "--installroot", sample_root, "versionlock", "add", "hello")
    lst = (sample_root / "etc/yum/pluginconf.d/versionlock.list").read_text()
    assert f"0:hello-2.10-1.amzn2.{ARCH}" in lst
    run_ok(alu, "--installroot", sample_root, "update", "-y")
    assert f"hello-2.10-1.amzn2.{ARCH}" in alu_installed(alu, sample_root)
    run_ok(alu, "--installroot", sample_root, "versionlock", "delete", "hello")
    run_ok(alu, "--installroot", sample_root, "update", "-y")
    assert f"hello-2.11-1.amzn2.{ARCH}" in alu_installed(alu, sample_root)


# ---- refusals: nothing applied, the message names package and reason --------

def tree(root):
    out = {}
    for dp, dn, fn in os.walk(root):
        for n in fn:
            p = Path(dp) / n
            rel = str(p.relative_to(root))
            if rel.startswith(("var/cache", "var/lib/alupdate", "var/lib/rpm")):
                continue
            out[rel] = p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p) \
                if p.is_symlink() else None
    return out


def private_repo(mirror, tmp_path, sample_root, change, gpgkey=None):
    """A copy of the binary repository with hello-2.11 changed by change(path),
    metadata regenerated unless change says not to; the root points at it."""
    repo = tmp_path / "repo"
    shutil.copytree(mirror.repo(), repo)
    rpm = repo / f"Packages/hello-2.11-1.amzn2.{ARCH}.rpm"
    regen = change(rpm)
    if regen:
        subprocess.run(["createrepo_c", "-q", "--update", str(repo)], check=True)
    key = gpgkey or mirror.key
    (sample_root / "etc/yum.repos.d/amzn2-core.repo").write_text(
        "[amzn2-core]\nname=private\nbaseurl=file://%s\ngpgcheck=1\ngpgkey=file://%s\n"
        "enabled=1\n" % (repo, key))
    return repo


def refused(alu, root, *words):
    before = tree(root)
    p = alu("--installroot", root, "update", "-y", "hello")
    assert p.returncode == 1, p.stdout + p.stderr
    for w in words:
        assert w in p.stderr, p.stderr
    assert tree(root) == before
    assert f"hello-2.10-1.amzn2.{ARCH}" in alu_installed(alu, root)


def resign(rpm, gnupg, name):
    subprocess.run(["rpmsign", "--delsign", str(rpm)], check=True, capture_output=True)
    if name:
        subprocess.run(["rpmsign", "--addsign", "--define", "_gpg_name %s" % name,
                        "--define", "_gpg_path %s" % gnupg, "--define", "__gpg /usr/bin/gpg",
                        "--define", "_gpg_digest_algo sha256", str(rpm)],
                       check=True, capture_output=True, stdin=subprocess.DEVNULL)


def test_refuse_tampered(alu, sample_root, mirror, tmp_path):
    def flip(rpm):
        b = bytearray(rpm.read_bytes())
        b[-100] ^= 0xFF
        rpm.write_bytes(bytes(b))
        return False   # metadata keeps the original sha256
    private_repo(mirror, tmp_path, sample_root, flip)
    refused(alu, sample_root, f"hello-2.11-1.amzn2.{ARCH}", "sha256")


def gnupg_copy(mirror, tmp_path):
    g = tmp_path / "gnupg"
    shutil.copytree(mirror.outdir / "gnupg", g)
    os.chmod(g, 0o700)
    return g


def test_refuse_unsigned(alu, sample_root, mirror, tmp_path):
    private_repo(mirror, tmp_path, sample_root, lambda r: resign(r, None, None) or True)
    refused(alu, sample_root, f"hello-2.11-1.amzn2.{ARCH}.rpm", "not signed")


def test_refuse_other_key(alu, sample_root, mirror, tmp_path):
    g = gnupg_copy(mirror, tmp_path)
    private_repo(mirror, tmp_path, sample_root,
                 lambda r: resign(r, g, "other@alupdate.invalid") or True)
    refused(alu, sample_root, f"hello-2.11-1.amzn2.{ARCH}.rpm", "not among the keys")


def test_refuse_missing_key(alu, sample_root, mirror, tmp_path):
    private_repo(mirror, tmp_path, sample_root, lambda r: False, gpgkey=mirror.other_key)
    refused(alu, sample_root, f"hello-2.11-1.amzn2.{ARCH}.rpm", "not among the keys")


def test_nogpgcheck_warns(alu, sample_root, mirror, tmp_path):
    private_repo(mirror, tmp_path, sample_root, lambda r: resign(r, None, None) or True)
    p = alu("--installroot", sample_root, "update", "-y", "--nogpgcheck", "hello")
    assert p.returncode == 0, p.stderr
    assert "nogpgcheck" in p.stderr
    assert f"hello-2.11-1.amzn2.{ARCH}" in alu_installed(alu, sample_root)


def test_lock_nowait(alu, sample_root, mirror):
    import fcntl
    set_mirror_base(sample_root, mirror.http)
    run_ok(alu, "--installroot", sample_root, "list", "installed")
    lock = sample_root / "var/lib/alupdate/lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        p = alu("--installroot", sample_root, "update", "-y", "--nowait")
        assert p.returncode == 1 and "lock" in p.stderr.lower(), p.stderr


def test_kernel_advisory_counts_as_installed_beside_old_kernel(alu, sample_root):
    """kernel is installonly: after `update --security` the old kernel stays
    beside the fixed one, and yum counts the advisory as installed (the
    newest instance decides), so nothing is listed as still needed."""
    p = alu("--installroot", sample_root, "update", "--security", "-y")
    assert p.returncode == 0, p.stderr
    kernels = [n for n in alu_installed(alu, sample_root) if n.startswith("kernel-")]
    assert len(kernels) == 2, kernels
    p = alu("--installroot", sample_root, "updateinfo", "list", "--security")
    assert p.returncode == 0 and "ALAS" not in p.stdout, p.stdout
    p = alu("--installroot", sample_root, "updateinfo", "list", "installed")
    assert "ALAS2KERNEL-5.10-2026-002" in p.stdout, p.stdout


def dnf_list(p):
    """(name.arch, version-release) of dnf's `list` output: three words a
    package (name.arch, [epoch:]version-release, repo); lines may wrap."""
    words = p.stdout.split("Available Packages")[-1].split()
    assert len(words) % 3 == 0, p.stdout
    return {(words[i], words[i + 1].split(":")[-1]) for i in range(0, len(words), 3)}


def test_list_showduplicates_matches_dnf(alu, twin, tmp_path):
    """--showduplicates: every version the repositories carry, older and
    installed ones too (dnf's rule), against dnf on the same root; without it
    the newest of each name.arch only."""
    d, a = twin
    want = dnf_list(dnf(d, tmp_path, "-q", "list", "--showduplicates", "available"))
    p = run_ok(alu, "--installroot", a, "list", "--showduplicates", "available", "--json")
    got = {("%s.%s" % (r["name"], r["arch"]),
            "%s-%s" % (r["version"], r["release"])) for r in json.loads(p.stdout)["available"]}
    assert got == want
    p = run_ok(alu, "--installroot", a, "list", "available", "--json")
    newest = {("%s.%s" % (r["name"], r["arch"])) for r in json.loads(p.stdout)["available"]}
    assert len(newest) == len(json.loads(p.stdout)["available"]) < len(got)
    # info shows the versions too
    p = run_ok(alu, "--installroot", a, "info", "--showduplicates", "greet")
    assert p.stdout.count("Name        : greet") > 2, p.stdout
