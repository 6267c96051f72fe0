# SPDX-License-Identifier: MIT
"""`alupdate kernel-livepatch` through the binary on the sample root, whose
kernel is given with --setopt=kernel_version= (an --installroot root's
kernel is not the host's): supported and unsupported kernels and arches,
the enable/disable round trip, and ALASLIVEPATCH advisories in
`update --security` only while enabled."""
from conftest import rpm_q

K = "--setopt=kernel_version=5.10.100-1.amzn2.x86_64"
PKG = "kernel-livepatch-5.10.100-1"


def lp(alu, root, *args):
    return alu("--installroot", root, "kernel-livepatch", *args)


def live_advisories(alu, root):
    p = alu("--installroot", root, "updateinfo", "list", "--security")
    assert p.returncode == 0, p.stderr
    return [l.split()[0] for l in p.stdout.splitlines() if l.startswith("ALASLIVEPATCH")]


def test_supported(alu, sample_root):
    p = lp(alu, sample_root, "supported", K)
    assert p.returncode == 0 and PKG in p.stdout, p.stderr
    p = lp(alu, sample_root, "supported", "--setopt=kernel_version=5.10.110-1.amzn2.x86_64")
    assert p.returncode == 1 and "no live patches for this kernel (kernel-livepatch-5.10.110-1)" in p.stderr
    p = lp(alu, sample_root, "supported", "--setopt=kernel_version=5.10.100-1.amzn2.i686")
    assert p.returncode == 1 and "x86_64 and aarch64" in p.stderr and "i686" in p.stderr
    p = lp(alu, sample_root, "supported")
    assert p.returncode == 1 and "kernel_version" in p.stderr
    assert not (sample_root / "etc/yum.repos.d/amzn2-extras.repo").exists()


def test_enable_security_disable(alu, sample_root):
    assert live_advisories(alu, sample_root) == []
    p = lp(alu, sample_root, "enable", "-y", K)
    assert p.returncode == 0 and "kpatch" in p.stderr + p.stdout, p.stderr
    assert rpm_q(sample_root, "-q", PKG) == [PKG + "-1.0-2.amzn2.noarch"]
    assert lp(alu, sample_root, "list", K).stdout.split() == [PKG + "-1.0-2.amzn2.noarch"]
    # an older patch installed: the topic's advisory offers the newer one
    p = alu("--installroot", sample_root, "downgrade", "-y", PKG + "-1.0-1.amzn2")
    assert p.returncode == 0, p.stderr
    assert live_advisories(alu, sample_root) == ["ALASLIVEPATCH-2026-001"]
    p = alu("--installroot", sample_root, "update", "--security", "-y", PKG)
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", PKG) == [PKG + "-1.0-2.amzn2.noarch"]
    p = lp(alu, sample_root, "disable", "-y", K)
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-qa", "kernel-livepatch*") == []
    assert "enabled = 0" in (sample_root / "etc/yum.repos.d/amzn2-extras.repo").read_text().split(
        "[amzn2extra-livepatch]")[1]
    p = alu("--installroot", sample_root, "downgrade", "-y", PKG + "-1.0-1.amzn2")
    assert p.returncode != 0   # the topic's repository is gone with it
    assert live_advisories(alu, sample_root) == []


def test_installonly_keeps_the_given_running_kernel(alu, sample_root):
    p = alu("--installroot", sample_root, "check-update", "kernel", K)
    assert p.returncode == 100 and "5.10.110-1.amzn2" in p.stdout, p.stdout + p.stderr
    assert alu("--installroot", sample_root, "install", "-y", "kernel-5.10.102").returncode == 0
    # limit 2 with 5.10.100 (running), 5.10.102 and the new 5.10.110: the running one stays
    p = alu("--installroot", sample_root, "update", "-y", "kernel", "--setopt=installonly_limit=2", K)
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "kernel") == ["kernel-5.10.100-1.amzn2.x86_64",
                                                  "kernel-5.10.110-1.amzn2.x86_64"]


def test_installonly_keeps_the_running_kernel_and_its_live_patch(alu, sample_root):
    """With live patching on, check-update kernel lists the newer kernel
    (the live patch is no kernel), and installonly pruning keeps the running
    kernel and the live patch made for it: the oldest other kernel goes."""
    assert lp(alu, sample_root, "enable", "-y", K).returncode == 0
    assert alu("--installroot", sample_root, "install", "-y", "kernel-5.10.102", K).returncode == 0
    p = alu("--installroot", sample_root, "check-update", "kernel", K)
    assert p.returncode == 100, p.stderr
    assert [l.split()[:2] for l in p.stdout.splitlines() if l.strip()] == [["kernel.x86_64", "5.10.110-1.amzn2"]]
    p = alu("--installroot", sample_root, "update", "-y", "--setopt=installonly_limit=2", K)
    assert p.returncode == 0, p.stderr
    assert "erased kernel-5.10.102-1.amzn2.x86_64" in p.stdout
    assert rpm_q(sample_root, "-q", "kernel") == ["kernel-5.10.100-1.amzn2.x86_64",
                                                  "kernel-5.10.110-1.amzn2.x86_64"]
    assert rpm_q(sample_root, "-q", PKG) == [PKG + "-1.0-2.amzn2.noarch"]
    assert lp(alu, sample_root, "list", K).stdout.split() == [PKG + "-1.0-2.amzn2.noarch"]
