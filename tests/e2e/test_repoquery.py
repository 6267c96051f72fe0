# SPDX-License-Identifier: MIT
"""repoquery (yum-utils) through the binary, with dnf's repoquery on the same
root as the oracle: selection (-a, specs, --whatprovides, --whatrequires,
--installed, --latest-limit, --show-duplicates), output (--qf, --requires,
--provides, -l, --location), the full file lists fetched on demand (XML in
us-east-1, filelists_db in the SQLite-only eu-west-1), and the `repoquery`
name."""
import os
import subprocess

import pytest

from conftest import ALU_BIN, rpm_q


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def dnf(root, tmp_path, *args):
    home = tmp_path / "dnf-home"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\n")
    cmd = ["dnf", "-q", "-c", str(home / "dnf.conf"), "--installroot=%s" % root,
           "--releasever=2", "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root,
           "--setopt=cachedir=%s" % (tmp_path / "dnf-cache"), "repoquery", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))
    assert p.returncode == 0, p.stderr
    return p.stdout


CASES = [
    # (ours, dnf's): yum's default is the newest of each name.arch
    (["-a"], ["-a", "--latest-limit", "1"]),
    (["--show-duplicates", "greet", "hello"], ["greet", "hello"]),
    (["--latest-limit", "2", "kernel"], ["--latest-limit", "2", "kernel"]),
    (["--latest-limit=-1", "hello"], ["--latest-limit=-1", "hello"]),
    (["--requires", "greet-1.2"], ["--requires", "greet-1.2"]),
    (["--provides", "greet-1.2"], ["--provides", "greet-1.2"]),
    (["--requires", "--resolve", "greet", "alu-data"],
     ["--requires", "--resolve", "greet", "alu-data", "--latest-limit", "1"]),
    (["--whatrequires", "libgreet"], ["--whatrequires", "libgreet", "--latest-limit", "1"]),
    (["--whatprovides", "libgreet.so.1()(64bit)", "--show-duplicates"],
     ["--whatprovides", "libgreet.so.1()(64bit)"]),
    (["--whatprovides", "greet >= 1.1", "--show-duplicates"], ["--whatprovides", "greet >= 1.1"]),
    (["--whatprovides", "/usr/bin/*"], ["--whatprovides", "/usr/bin/*", "--latest-limit", "1"]),
    (["--whatprovides", "/usr/share/doc/hello-2.11/README"],
     ["--whatprovides", "/usr/share/doc/hello-2.11/README", "--latest-limit", "1"]),
    (["-l", "hello", "alu-data"], ["-l", "hello", "alu-data", "--latest-limit", "1"]),
    (["--location", "hello"], ["--location", "hello", "--latest-limit", "1"]),
    (["--repoid", "amzn2-core-source", "-a"], ["--repo", "amzn2-core-source", "-a", "--latest-limit", "1"]),
    (["--qf", "%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{repoid}|%{size}|%{license}",
      "--show-duplicates", "hello", "kernel"],
     ["--qf", "%{name}|%{epoch}|%{version}|%{release}|%{arch}|%{repoid}|%{size}|%{license}",
      "hello", "kernel"]),
    (["--qf", "%{name}:%{summary}\\t%{evr}", "greet"],
     ["--qf", "%{name}:%{summary}\\t%{evr}", "greet", "--latest-limit", "1"]),
]


def test_against_dnf(alu, sample_root, tmp_path):
    for ours, theirs in CASES:
        p = run(alu, sample_root, "repoquery", *ours)
        assert p.returncode == 0, (ours, p.stderr)
        want = dnf(sample_root, tmp_path, *theirs)
        assert p.stdout == want, (ours, p.stdout, want)
        assert p.stdout, ours   # every case has an answer


def test_file_lists_on_demand(alu, sample_root):
    """Not fetched by makecache; fetched once by the first query that needs
    them and kept; the SQLite region's filelists_db gives the same lists."""
    p = run(alu, sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    md = sample_root / "var/cache/alupdate/amzn2-core/md"
    assert not md.exists() or not list(md.glob("*filelists*"))
    p = run(alu, sample_root, "repoquery", "-l", "alu-data")
    assert p.returncode == 0, p.stderr
    assert "/usr/share/alu-data/words.txt\n" in p.stdout      # not a path primary carries
    assert len(list(md.glob("*filelists*"))) == 1
    xml = p.stdout
    p = run(alu, sample_root, "-C", "repoquery", "-l", "alu-data")
    assert p.returncode == 0 and p.stdout == xml
    (sample_root / "etc/yum/vars/awsregion").write_text("eu-west-1\n")
    assert run(alu, sample_root, "clean", "all").returncode == 0
    p = run(alu, sample_root, "repoquery", "-l", "alu-data")
    assert p.returncode == 0, p.stderr
    assert p.stdout == xml
    assert len(list(md.glob("*-filelists.sqlite.bz2"))) == 1
    assert len(list(md.glob("*-filelists.sqlite"))) == 1
    assert not list(md.glob("*.sqlite.tmp"))


def test_installed(alu, sample_root):
    p = run(alu, sample_root, "repoquery", "--installed", "-a", "--qf", "%{name}-%{version}-%{release}.%{arch}")
    assert p.returncode == 0, p.stderr
    want = sorted(l for l in rpm_q(sample_root, "-qa", "--qf", "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n")
                  if not l.startswith("gpg-pubkey"))
    assert p.stdout.split() == want
    # widths as rpm's printf ("%-12{name}" is left-aligned; dnf's repoquery aligns right)
    p = run(alu, sample_root, "repoquery", "--installed", "--qf", "%-12{name}|%8{version}", "hello")
    assert p.stdout.split("\n") == rpm_q(sample_root, "-q", "--qf", "%-12{NAME}|%8{VERSION}\\n", "hello") + [""]
    p = run(alu, sample_root, "repoquery", "--installed", "-l", "hello")
    assert p.stdout.split() == sorted(rpm_q(sample_root, "-ql", "hello"))
    p = run(alu, sample_root, "repoquery", "--installed", "--whatprovides", "/usr/bin/hello")
    assert p.stdout == "hello-0:2.10-1.amzn2.x86_64\n"


def test_errors_and_argv0(alu, sample_root, tmp_path):
    p = run(alu, sample_root, "repoquery", "--qf", "%{name} %{bogus}", "hello")
    assert p.returncode == 1 and "%{bogus}" in p.stderr
    p = run(alu, sample_root, "repoquery")
    assert p.returncode == 1 and "repoquery: give a package" in p.stderr
    p = run(alu, sample_root, "repoquery", "nosuch")
    assert p.returncode == 0 and p.stdout == ""
    link = tmp_path / "repoquery"
    link.symlink_to(ALU_BIN)
    p = subprocess.run([str(link), "--installroot", str(sample_root), "--qf", "%{name}", "hello"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout == "hello\n", p.stderr


def deplist_blocks(text, yum_style):
    """{package: {dependency: [providers]}} with packages as name-ver-rel.arch."""
    import re
    out, cur, dep = {}, None, None

    def norm(s):
        if yum_style:   # "name.arch [E:]V-R"
            na, evr = s.split(" ")
            n, a = na.rsplit(".", 1)
            return "%s-%s.%s" % (n, evr.split(":")[-1], a)
        return s
    for line in text.splitlines():
        if line.startswith("package: "):
            cur = out.setdefault(norm(line[9:]), {})
        elif line.startswith("  dependency: "):
            dep = cur.setdefault(line[14:], [])
        elif line.startswith("   provider: "):
            dep.append(norm(line[13:]))
    return out


def test_deplist_against_dnf(alu, sample_root, tmp_path):
    p = run(alu, sample_root, "deplist", "greet", "hello", "alu-data")
    assert p.returncode == 0, p.stderr
    assert "package: greet.x86_64 1.2-1.amzn2\n  dependency: libgreet >= 1.1\n" \
           "   provider: libgreet.x86_64 1.1-1.amzn2\n" in p.stdout
    want = dnf(sample_root, tmp_path, "--deplist", "greet", "hello", "alu-data", "--latest-limit", "1")
    assert deplist_blocks(p.stdout, True) == deplist_blocks(want, False)
    p = run(alu, sample_root, "--showduplicates", "deplist", "greet")
    assert p.stdout.count("package: greet.x86_64") == 3
    p = run(alu, sample_root, "deplist", "nosuch")
    assert p.returncode == 1 and "No package nosuch available." in p.stderr


def test_upgrades_against_dnf(alu, sample_root, tmp_path):
    """--upgrades (dnf's spelling): the updates of the installed packages,
    as dnf repoquery --upgrades lists the newest of each."""
    for specs in ([], ["hello", "greet*"]):
        p = run(alu, sample_root, "repoquery", "--upgrades", *specs)
        assert p.returncode == 0, p.stderr
        want = dnf(sample_root, tmp_path, "--upgrades", "--latest-limit", "1", *specs)
        assert p.stdout == want, (specs, p.stdout, want)
        assert p.stdout, specs
    # what check-update lists, in repoquery's format
    cu = run(alu, sample_root, "check-update")
    names = {l.split()[0] for l in cu.stdout.splitlines() if l.strip() and "." in l.split()[0]}
    p = run(alu, sample_root, "repoquery", "--upgrades", "--qf", "%{name}.%{arch}")
    assert set(p.stdout.split()) == names, (p.stdout, cu.stdout)
    p = run(alu, sample_root, "repoquery", "--upgrades", "--installed")
    assert p.returncode != 0 and "--upgrades" in p.stderr
