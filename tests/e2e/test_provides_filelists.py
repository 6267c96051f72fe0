# SPDX-License-Identifier: MIT
"""provides/whatprovides over the full file lists: `provides '*/ls'`-style
globs and paths primary does not carry read the repositories' filelists
(XML in us-east-1, filelists_db in eu-west-1), fetched on the first query
that needs them, kept, and never fetched by makecache; patterns whose every
match primary carries stay on the cache. dnf provides is the oracle."""
import os
import re
import subprocess


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def dnf_provides(root, tmp_path, pat):
    home = tmp_path / "dnf-home"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\n")
    p = subprocess.run(["dnf", "-q", "-c", str(home / "dnf.conf"), "--installroot=%s" % root,
                        "--releasever=2", "--noplugins",
                        "--setopt=reposdir=%s/etc/yum.repos.d" % root,
                        "--setopt=varsdir=%s/etc/yum/vars" % root,
                        "--setopt=cachedir=%s" % (tmp_path / "dnf-cache"), "provides", pat],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))
    assert p.returncode == 0, p.stderr
    # "hello-2.11-1.amzn2.x86_64 : summary" then "Repo : amzn2-core" or "@System"
    blocks = re.findall(r"^(\S+) : .*\nRepo\s+: (\S+)", p.stdout, re.M)
    return {(n.split(":")[-1] if ":" in n else n, r) for n, r in blocks if r != "@System"}


def ours(text):
    blocks = re.findall(r"^(\S+) : .*\nRepo\s+: (\S+)", text, re.M)
    return {(n, r) for n, r in blocks if r != "installed" and not r.startswith("@")}


def files_of(text):
    return re.findall(r"^Filename\s+: (\S+)$", text, re.M)


def test_globs_match_dnf_and_fetch_on_demand(alu, sample_root, tmp_path):
    md = sample_root / "var/cache/alupdate/amzn2-core/md"
    assert run(alu, sample_root, "makecache").returncode == 0
    assert not md.exists() or not list(md.glob("*filelists*"))
    # every match of /usr/bin/* is in primary: no file lists needed
    p = run(alu, sample_root, "provides", "/usr/bin/*")
    assert p.returncode == 0, p.stderr
    assert not md.exists() or not list(md.glob("*filelists*"))
    assert ours(p.stdout) == dnf_provides(sample_root, tmp_path, "/usr/bin/*")
    # one block a package with all its matching files, as yum shows them
    block = p.stdout.split("\n\n")[0]
    assert block.startswith("alu-sh-1.0-1.amzn2.x86_64 : ")
    assert {"/usr/bin/ash", "/usr/bin/grep"} <= set(files_of(block))
    assert p.stdout.count("alu-sh-1.0-1.amzn2.x86_64 : ") == 2   # repository and installed
    for pat in ("*/words.txt", "*/README", "/usr/share/doc/hello-2.11/*", "*/ash"):
        p = run(alu, sample_root, "whatprovides", pat)
        assert p.returncode == 0, (pat, p.stderr)
        assert ours(p.stdout) == dnf_provides(sample_root, tmp_path, pat), pat
    assert len(list(md.glob("*filelists.xml*"))) == 1
    # kept: -C answers from it
    p = run(alu, sample_root, "-C", "provides", "*/words.txt")
    assert p.returncode == 0 and "alu-data-1.1-1.amzn2.noarch" in p.stdout
    p = run(alu, sample_root, "provides", "*/no-such-file")
    assert p.returncode == 1 and "No matches found" in p.stderr


def test_sqlite_region_gives_the_same(alu, sample_root):
    p = run(alu, sample_root, "provides", "*/README")
    assert p.returncode == 0, p.stderr
    want = ours(p.stdout)
    (sample_root / "etc/yum/vars/awsregion").write_text("eu-west-1\n")
    assert run(alu, sample_root, "clean", "all").returncode == 0
    p = run(alu, sample_root, "provides", "*/README")
    assert p.returncode == 0, p.stderr
    assert ours(p.stdout) == want and len(want) == 3
    md = sample_root / "var/cache/alupdate/amzn2-core/md"
    assert len(list(md.glob("*-filelists.sqlite.bz2"))) == 1
    assert len(list(md.glob("*-filelists.sqlite"))) == 1    # decoded once, kept
