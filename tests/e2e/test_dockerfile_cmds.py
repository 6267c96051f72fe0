# SPDX-License-Identifier: MIT
"""Dockerfile and user-data lines that use groups, yum-utils and keys, as
Amazon Linux 2 users write them, replayed in order through links named
yum, yum-config-manager, repoquery and package-cleanup, each with its exit
code and what it must have done."""
import json
import shlex
import subprocess

from conftest import ALU_BIN


def test_replay(alu, sample_root, tmp_path, mirror):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("yum", "yum-config-manager", "repoquery", "package-cleanup"):
        (bindir / name).symlink_to(ALU_BIN)
    # a base image without the development tools and hello
    assert alu("--installroot", sample_root, "remove", "-y", "greet", "hello").returncode == 0

    def sh(line):
        argv = shlex.split(line)
        argv = [str(bindir / argv[0]), "--installroot", str(sample_root)] + argv[1:]
        return subprocess.run(argv, capture_output=True, text=True, timeout=300)

    def names():
        p = alu("--installroot", sample_root, "--json", "list", "installed")
        return {x["name"]: x["version"] for x in json.loads(p.stdout)["installed"]}

    lines = [
        ('yum -y groupinstall "Development Tools"', 0, lambda p: names().get("greet") == "1.2"),
        ("yum grouplist", 0, lambda p: "Installed Groups:\n   Development Tools\n" in p.stdout),
        ("yum groups info greeters", 0, lambda p: "   +hello\n" in p.stdout),
        ("yum -y install @greeters", 0, lambda p: names().get("hello") == "2.11"),
        ("yum-config-manager --save --setopt=amzn2-core.skip_if_unavailable=true", 0,
         lambda p: "skip_if_unavailable=true" in
         (sample_root / "etc/yum.repos.d/amzn2-core.repo").read_text()),
        ("yum-config-manager --disable amzn2-core-source amzn2-core-debuginfo", 0, None),
        ("yum-config-manager --enable does-not-exist", 1,
         lambda p: "No matching repo to modify: does-not-exist." in p.stderr),
        ("yum versionlock kernel", 0,
         lambda p: "0:kernel-5.10.100-1.amzn2.x86_64" in p.stdout),
        ("yum -y update kernel", 0, lambda p: names().get("kernel") == "5.10.100"),
        ("yum versionlock clear", 0, None),
        ("repoquery --qf %{name} --whatprovides /usr/bin/hello", 0, lambda p: p.stdout == "hello\n"),
        ("repoquery --installed --qf %{name}-%{version} hello", 0, lambda p: p.stdout == "hello-2.11\n"),
        ("repoquery -l alu-data --latest-limit 1", 0,
         lambda p: "/usr/share/alu-data/words.txt\n" in p.stdout),
        ("yum provides */words.txt", 0, lambda p: "alu-data-1.1-1.amzn2.noarch" in p.stdout),
        ("yum deplist greet", 0, lambda p: "   provider: libgreet.x86_64 1.1-1.amzn2\n" in p.stdout),
        ("yum -y swap hello greet-1.1", 0, lambda p: "hello" not in names()),
        ("package-cleanup --problems", 0, lambda p: p.stdout == "No Problems Found\n"),
        ("package-cleanup --oldkernels --count=1 -y", 0, None),
        ("yum keys import %s" % mirror.key, 0, lambda p: "Imported key 0x" in p.stdout),
        ("yum clean headers", 0, None),
        ("yum clean rpmdb", 0, None),
        ("yum -y groupremove greeters", 0, lambda p: "greet" not in names()),
        ("yum clean all", 0,
         lambda p: not (sample_root / "var/cache/alupdate/amzn2-core/md").exists()),
    ]
    for line, rc, check in lines:
        p = sh(line)
        assert p.returncode == rc, (line, p.returncode, p.stdout[-500:], p.stderr[-500:])
        assert check is None or check(p), (line, p.stdout[-800:], p.stderr[-500:])
