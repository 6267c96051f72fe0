# SPDX-License-Identifier: MIT
"""Package groups from the repositories' comps (repo-mirror/comps.xml, repomd
`group`/`group_gz`): grouplist, groupinfo, groupinstall, groupremove, the
`group[s]` verbs and `install @group`, group_package_types, with dnf as the
oracle for what the comps file says. The sample root has every package name
of the mirror installed, so the tests remove some first."""
import json
import os
import re
import subprocess

import pytest

REPO_FILE = "etc/yum.repos.d/amzn2-core.repo"


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def installed(alu, root):
    p = run(alu, root, "--json", "list", "installed")
    assert p.returncode == 0, p.stderr
    return {p["name"]: "%s-%s" % (p["version"], p["release"]) for p in json.loads(p.stdout)["installed"]}


def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT's repo files and variables."""
    home = tmp_path / "dnf-home"
    if not home.exists():
        home.mkdir()
        (home / ".rpmmacros").write_text("%_dbpath /var/lib/rpm\n")
        (home / "dnf.conf").write_text("[main]\ngpgcheck=1\n")
    cmd = ["dnf", "-q", "-c", str(home / "dnf.conf"), "--installroot=%s" % root,
           "--releasever=2", "--noplugins", "--setopt=reposdir=%s/etc/yum.repos.d" % root,
           "--setopt=varsdir=%s/etc/yum/vars" % root,
           "--setopt=cachedir=%s" % (tmp_path / "dnf-cache"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, HOME=str(home), LC_ALL="C.UTF-8"))


def info_blocks(text):
    """{group name: {section: [package names]}} of a group info output
    (markers =, +, - stripped)."""
    out, cur, sect = {}, None, None
    for line in text.splitlines():
        m = re.match(r"^Group: (.*)$", line)
        if m:
            cur = out.setdefault(m.group(1), {})
            continue
        m = re.match(r"^ (\w+) Packages:$", line)
        if m and cur is not None:
            sect = cur.setdefault(m.group(1), [])
            continue
        m = re.match(r"^   [=+-]?(\S+)$", line)
        if m and sect is not None:
            sect.append(m.group(1))
    return out


def ours(alu, root, region):
    (root / "etc/yum/vars/awsregion").write_text(region + "\n")
    p = run(alu, root, "grouplist", "ids")
    assert p.returncode == 0, p.stderr
    q = run(alu, root, "groupinfo", "development", "Greeting Programs")
    assert q.returncode == 0, q.stderr
    return set(re.findall(r"^   (.*) \((\S+)\)$", p.stdout, re.M)), info_blocks(q.stdout)


def test_list_and_info_match_dnf(alu, sample_root, tmp_path):
    """Same groups, ids and package sections as dnf reads from the same comps
    (us-east-1: group_gz); the SQLite-only region (group_bz2, which dnf 4
    cannot load without XML primary) gives the same answers."""
    groups, info = ours(alu, sample_root, "us-east-1")
    # uservisible=false groups are hidden
    assert groups == {("Development Tools", "development"), ("Greeting Programs", "greeters")}
    assert info["Development Tools"] == {
        "Mandatory": ["greet"], "Default": ["libgreet", "missing-tool"],
        "Optional": ["kernel"], "Conditional": ["alu-data"]}
    assert ours(alu, sample_root, "eu-west-1") == (groups, info)
    p = run(alu, sample_root, "-v", "grouplist")
    assert "   Development Tools (development)\n" in p.stdout
    (sample_root / "etc/yum/vars/awsregion").write_text("us-east-1\n")
    d = dnf(sample_root, tmp_path, "group", "list", "-v")
    assert d.returncode == 0, d.stderr
    assert set(re.findall(r"^   (.*) \((\S+)\)$", d.stdout, re.M)) == groups
    d = dnf(sample_root, tmp_path, "group", "info", "development", "Greeting Programs")
    assert d.returncode == 0, d.stderr
    assert info_blocks(d.stdout) == info


def test_installed_groups_follow_yum_compat_rule(alu, sample_root):
    """A group is installed when all its mandatory packages are (yum 3,
    group_command=compat); without mandatory ones, when any package is.
    Hidden groups only with `hidden`."""
    p = run(alu, sample_root, "grouplist", "hidden")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ("Installed Groups:\n   Core\n   Development Tools\n   Greeting Programs\nDone\n")
    p = run(alu, sample_root, "remove", "-y", "greet")
    assert p.returncode == 0, p.stderr
    p = run(alu, sample_root, "group", "list")
    assert p.stdout == ("Installed Groups:\n   Greeting Programs\n"
                        "Available Groups:\n   Development Tools\nDone\n")
    p = run(alu, sample_root, "groups", "summary")
    assert p.returncode == 0 and p.stdout == "Installed Groups: 1\nAvailable Groups: 1\nDone\n"
    p = run(alu, sample_root, "--json", "group", "list", "hidden")
    got = {(g["id"], g["installed"]) for g in json.loads(p.stdout)["groups"]}
    assert got == {("core", True), ("development", False), ("greeters", True)}
    # groupinfo marks: = installed, + what groupinstall would add
    p = run(alu, sample_root, "groupinfo", "development")
    assert "   +greet\n" in p.stdout and "   =libgreet\n" in p.stdout
    assert "   missing-tool\n" in p.stdout and "   =kernel\n" in p.stdout


def test_groupinstall_default_types_then_optional(alu, sample_root):
    p = run(alu, sample_root, "remove", "-y", "greet", "hello")
    assert p.returncode == 0, p.stderr
    # mandatory + default only: hello (default), not greet (optional)
    p = run(alu, sample_root, "groupinstall", "-y", "greeters")
    assert p.returncode == 0, p.stderr
    inst = installed(alu, sample_root)
    assert inst["hello"] == "2.11-1.amzn2" and "greet" not in inst
    p = run(alu, sample_root, "--setopt=group_package_types=mandatory,default,optional",
            "groups", "install", "-y", "Greeting Programs")
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root)["greet"] == "1.2-1.amzn2"
    # everything there: yum's error, exit 1
    p = run(alu, sample_root, "groupinstall", "-y", "greeters")
    assert p.returncode == 1
    assert "No packages in any requested group available to install or update" in p.stderr


def test_install_at_group_and_packages(alu, sample_root):
    p = run(alu, sample_root, "remove", "-y", "greet", "hello")
    assert p.returncode == 0, p.stderr
    # @id (missing-tool is in no repository: skipped, as yum does) with a package
    p = run(alu, sample_root, "install", "-y", "@development", "hello")
    assert p.returncode == 0, p.stderr
    inst = installed(alu, sample_root)
    assert inst["greet"] == "1.2-1.amzn2" and inst["hello"] == "2.11-1.amzn2"
    assert inst["libgreet"] == "1.1-1.amzn2"   # greet 1.2 needs the newer one


def test_groupremove(alu, sample_root):
    p = run(alu, sample_root, "groupremove", "-y", "greet*")
    assert p.returncode == 0, p.stderr
    inst = installed(alu, sample_root)
    assert "hello" not in inst and "greet" not in inst and "libgreet" in inst
    p = run(alu, sample_root, "group", "remove", "-y", "greeters")
    assert p.returncode == 0 and "No packages to remove from groups" in p.stdout
    # remove @group, as yum spells groupremove too
    assert run(alu, sample_root, "install", "-y", "hello").returncode == 0
    p = run(alu, sample_root, "remove", "-y", "@greeters")
    assert p.returncode == 0, p.stderr
    assert "hello" not in installed(alu, sample_root)


def test_unknown_group_and_bad_types(alu, sample_root):
    p = run(alu, sample_root, "groupinstall", "-y", "nosuch")
    assert p.returncode == 1
    assert "group nosuch does not exist." in p.stderr
    p = run(alu, sample_root, "groupinfo", "nosuch")
    assert p.returncode == 1 and "group nosuch does not exist." in p.stderr
    p = run(alu, sample_root, "group", "frobnicate")
    assert p.returncode == 1 and "unknown command 'frobnicate'" in p.stderr
    p = run(alu, sample_root, "--setopt=group_package_types=mandatory,bogus", "grouplist")
    assert p.returncode == 1 and "group_package_types=mandatory,bogus" in p.stderr


def test_groups_are_cached_and_cleaned(alu, sample_root):
    """The comps file is fetched on first use, kept beside the cache (so -C
    works afterwards) and removed by clean all."""
    p = run(alu, sample_root, "makecache")
    assert p.returncode == 0, p.stderr
    md = sample_root / "var/cache/alupdate/amzn2-core/md"
    assert not md.exists()            # makecache alone does not fetch it
    p = run(alu, sample_root, "-C", "grouplist")
    assert p.returncode == 1 and "run without -C first" in p.stderr
    p = run(alu, sample_root, "grouplist")
    assert p.returncode == 0 and "Development Tools" in p.stdout
    assert any(f.name.endswith("-comps.xml.gz") for f in md.iterdir())
    p = run(alu, sample_root, "-C", "grouplist")
    assert p.returncode == 0 and "Development Tools" in p.stdout
    # a damaged copy is noticed (checksum) and fetched again
    comps = next(f for f in md.iterdir() if f.name.endswith("-comps.xml.gz"))
    comps.write_bytes(b"junk")
    p = run(alu, sample_root, "grouplist")
    assert p.returncode == 0 and "Development Tools" in p.stdout
    p = run(alu, sample_root, "clean", "all")
    assert p.returncode == 0, p.stderr
    assert not md.exists()


def test_groupupdate_updates_installed_members(alu, sample_root):
    """groupinstall leaves installed members alone (yum 3); groupupdate also
    updates them, within group_package_types."""
    p = run(alu, sample_root, "groupinstall", "-y", "greeters")
    assert p.returncode == 1 and installed(alu, sample_root)["hello"] == "2.10-1.amzn2"
    p = run(alu, sample_root, "groupupdate", "-y", "greeters")
    assert p.returncode == 0, p.stderr
    inst = installed(alu, sample_root)
    assert inst["hello"] == "2.11-1.amzn2" and inst["greet"] == "1.0-1.amzn2"   # greet: optional
    p = run(alu, sample_root, "--setopt=group_package_types=default,optional", "group", "update",
            "-y", "greeters")
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root)["greet"] == "1.2-1.amzn2"


def test_unavailable_group_file(alu, sample_root, mirror, tmp_path):
    """A comps file that cannot be fetched fails the command naming the URL;
    with skip_if_unavailable=1 the repository is left out with a warning."""
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(mirror.repo(), copy, symlinks=True)
    extra = sample_root / "etc/yum.repos.d/extra.repo"
    extra.write_text("[extra]\nname=extra\nbaseurl=%s\ngpgcheck=0\n" % copy.as_uri())
    assert run(alu, sample_root, "makecache").returncode == 0
    for f in (copy / "repodata").glob("*comps*"):
        f.unlink()
    p = run(alu, sample_root, "grouplist")
    assert p.returncode == 1 and "comps.xml" in p.stderr, p.stderr
    extra.write_text(extra.read_text() + "skip_if_unavailable=1\n")
    p = run(alu, sample_root, "grouplist")
    assert p.returncode == 0 and "Development Tools" in p.stdout
    assert "repository extra skipped" in p.stderr
