# SPDX-License-Identifier: MIT
"""yum as scripts write it (issue 13, "Defects found"): one regression test
per defect, through the binary, on the sample root and mirror. Where dnf
has the same behaviour it is the oracle."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def run(alu, root, *args, **kw):
    return alu("--installroot", root, *args, **kw)


def installed(alu, root):
    """{name: "version-release"} of the installed packages."""
    p = run(alu, root, "list", "installed")
    assert p.returncode == 0, p.stderr
    out = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) >= 2 and "." in f[0] and not line.startswith("Adopted"):
            out[f[0].rsplit(".", 1)[0]] = f[1]
    return out


def pkg_file(mirror, nevra_prefix):
    found = [p for p in mirror.manifest if p.nevra.startswith(nevra_prefix) and p.arch != "src"]
    assert found, nevra_prefix
    return mirror.repo().parent / found[0].path


def dnf(root, tmp_path, *args):
    """Debian's dnf on ROOT's repo files and variables (as test_query.py)."""
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


def build_noarch(tmp, name, requires=None):
    """An unsigned noarch package, one file, optional Requires."""
    top = Path(tmp) / "rpmbuild"
    spec = Path(tmp) / (name + ".spec")
    spec.write_text("""Name: {n}
Version: 1.0
Release: 1
Summary: test package
License: MIT
BuildArch: noarch
{req}
%description
test
%install
mkdir -p %{{buildroot}}/usr/share/{n}
echo {n} > %{{buildroot}}/usr/share/{n}/data
%files
/usr/share/{n}/data
""".format(n=name, req="Requires: %s" % requires if requires else ""))
    subprocess.run(["rpmbuild", "--quiet", "-bb", "--define", "_topdir %s" % top, str(spec)],
                   check=True, capture_output=True)
    return top / "RPMS/noarch" / ("%s-1.0-1.noarch.rpm" % name)


# ---- usage errors ----------------------------------------------------------

def test_unknown_option_after_a_valid_one_exits_1(alu, sample_root):
    p = run(alu, sample_root, "install", "-y", "--foo", "hello")
    assert p.returncode == 1 and "'--foo'" in p.stderr, p.stderr
    p = run(alu, sample_root, "install", "-y", "--foo=bar", "hello")
    assert p.returncode == 1 and "'--foo'" in p.stderr, p.stderr
    assert installed(alu, sample_root)["hello"] == "2.10-1.amzn2"


@pytest.mark.parametrize("args", [
    ["install", "-y", "--no-such-option", "hello"],
    ["--no-such-option", "list"],
    ["list", "--no-such-option"],
])
def test_unknown_option_anywhere_exits_1(alu, sample_root, args):
    p = alu("--installroot", sample_root, *args)
    assert p.returncode == 1 and "'--no-such-option'" in p.stderr, p.stderr
    assert installed(alu, sample_root)["hello"] == "2.10-1.amzn2"


def test_missing_argument_names_the_option(alu, sample_root):
    p = alu("--installroot", sample_root, "-y", "install", "-x")
    assert p.returncode == 1 and "option '-x' needs an argument" in p.stderr, p.stderr
    assert "(null)" not in p.stderr
    p = run(alu, sample_root, "check-update", "--setopt")
    assert p.returncode == 1 and "'--setopt'" in p.stderr, p.stderr


def test_unknown_short_option_named_as_typed(alu, sample_root):
    p = run(alu, sample_root, "check-update", "-Z1")
    assert p.returncode == 1 and "'-Z' (in '-Z1')" in p.stderr, p.stderr
    p = run(alu, sample_root, "-yZ", "check-update")
    assert p.returncode == 1 and "'-Z' (in '-yZ')" in p.stderr, p.stderr


# ---- yum's options with no effect -----------------------------------------

YUM_ONLY = [["-d", "1"], ["-d1"], ["--debuglevel=2"], ["-e", "0"], ["--errorlevel=1"],
            ["--disableplugin=fastestmirror"], ["--enableplugin=priorities"], ["--noplugins"],
            ["--color=never"], ["--rpmverbosity=critical"], ["-t"], ["--tolerant"],
            ["--obsoletes"]]


@pytest.mark.parametrize("opts", YUM_ONLY, ids=lambda o: "".join(o))
def test_yum_only_options_accepted(alu, sample_root, opts):
    plain = run(alu, sample_root, "check-update")
    assert plain.returncode == 100, plain.stderr
    p = run(alu, sample_root, *opts, "check-update")
    assert (p.returncode, p.stdout) == (100, plain.stdout), p.stderr
    p = run(alu, sample_root, "check-update", *opts)   # after the command word too
    assert (p.returncode, p.stdout) == (100, plain.stdout), p.stderr


def test_debuglevel_0_is_quiet_and_bad_levels_refused(alu, sample_root):
    p = run(alu, sample_root, "-d", "0", "check-update")
    assert (p.returncode, p.stdout) == (100, ""), p.stderr
    p = run(alu, sample_root, "-d", "lots", "check-update")
    assert p.returncode == 1 and "'-d'" in p.stderr, p.stderr


def test_unknown_setopt_key_warns_and_goes_on(alu, sample_root):
    p = run(alu, sample_root, "--setopt=nosuchkey=1", "check-update")
    assert p.returncode == 100 and "nosuchkey" in p.stderr, p.stderr
    p = run(alu, sample_root, "--setopt=amzn2-core.nosuchkey=1", "check-update")
    assert p.returncode == 100 and "nosuchkey" in p.stderr, p.stderr
    p = run(alu, sample_root, "--setopt=gpgcheck=perhaps", "check-update")   # bad values still fail
    assert p.returncode == 1 and "perhaps" in p.stderr


# ---- updateinfo positional filters ------------------------------------------

def ids(out):
    """Advisory (or CVE) ids of updateinfo list lines, "i " marks dropped."""
    rows = [re.sub(r"^i ", "", l.strip()) for l in out.splitlines()]
    return sorted(l.split()[0] for l in rows if re.match(r"^\S+-\d", l) and "done" not in l)


def test_updateinfo_positional_filters(alu, sample_root, tmp_path):
    sec = run(alu, sample_root, "updateinfo", "list", "--security")
    assert sec.returncode == 0 and ids(sec.stdout), sec.stderr
    for words in (["list", "security"], ["list", "sec"], ["security"],
                  ["list", "available", "security"], ["list", "security", "available"]):
        p = run(alu, sample_root, "updateinfo", *words)
        assert p.returncode == 0 and ids(p.stdout) == ids(sec.stdout), (words, p.stdout)
    theirs = dnf(sample_root, tmp_path, "updateinfo", "list", "--security")
    assert theirs.returncode == 0, theirs.stderr
    assert set(ids(sec.stdout)) == set(ids(theirs.stdout))
    bug = run(alu, sample_root, "updateinfo", "list", "bugfix")
    assert bug.returncode == 0 and ids(bug.stdout) == ids(
        run(alu, sample_root, "updateinfo", "list", "--bugfix").stdout)
    assert ids(bug.stdout) and not set(ids(bug.stdout)) & set(ids(sec.stdout))
    for w in ("enhancement", "newpackage"):
        p = run(alu, sample_root, "updateinfo", "list", w)
        flag = run(alu, sample_root, "updateinfo", "list", "--" + w)
        assert p.returncode == 0 and ids(p.stdout) == ids(flag.stdout), (w, p.stdout)
    p = run(alu, sample_root, "updateinfo", "list", "bugzillas")   # the mirror has no BZ refs
    assert p.returncode == 0 and not ids(p.stdout), p.stdout
    cves = run(alu, sample_root, "updateinfo", "list", "cves")
    assert cves.returncode == 0 and all(i.startswith("CVE-") for i in ids(cves.stdout))
    inst = run(alu, sample_root, "updateinfo", "list", "installed", "security")
    every = run(alu, sample_root, "updateinfo", "list", "all", "sec")
    assert inst.returncode == 0 and every.returncode == 0
    assert len(ids(every.stdout)) >= len(ids(sec.stdout))


# ---- check-update, list updates --------------------------------------------

def test_check_update_quiet_prints_nothing(alu, sample_root):
    for args in (["check-update", "-q"], ["-q", "check-update"], ["check-update", "-q", "--security"]):
        p = run(alu, sample_root, *args)
        assert (p.returncode, p.stdout) == (100, ""), (args, p.stdout)


def names(out):
    return {l.split()[0].rsplit(".", 1)[0] for l in out.splitlines()
            if l.strip() and not l.endswith("Packages") and "." in l.split()[0]}


def test_exclude_applies_to_check_update_and_list_updates(alu, sample_root, tmp_path):
    base = names(run(alu, sample_root, "check-update").stdout)
    assert {"hello", "greet"} <= base
    for args in (["-x", "hello"], ["--exclude=hel*"], ["--exclude", "hello,kernel"],
                 ["--setopt=amzn2-core.exclude=hello"]):
        p = run(alu, sample_root, *args, "check-update")
        assert p.returncode == 100 and "hello" not in names(p.stdout), (args, p.stdout)
        assert "greet" in names(p.stdout)
        p = run(alu, sample_root, *args, "list", "updates")
        assert p.returncode == 0 and "hello" not in names(p.stdout), (args, p.stdout)
    theirs = dnf(sample_root, tmp_path, "check-update", "-x", "hello")
    assert theirs.returncode == 100
    assert names(run(alu, sample_root, "-x", "hello", "check-update").stdout) == names(theirs.stdout)
    conf = sample_root / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\nexclude=hello greet\n"))
    p = run(alu, sample_root, "check-update")
    assert p.returncode == 100 and not {"hello", "greet"} & names(p.stdout), p.stdout


# ---- tsflags -----------------------------------------------------------------

def test_tsflags_nodocs_from_yum_conf(alu, sample_root):
    conf = sample_root / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\ntsflags=nodocs\n"))
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert (sample_root / "usr/bin/hello").exists()
    assert not (sample_root / "usr/share/doc/hello-2.11/README").exists()
    # recorded as not installed, as rpm does: verify does not miss it
    v = run(alu, sample_root, "verify", "hello")
    assert v.returncode == 0, v.stdout + v.stderr
    # rpm itself reads the state: export the installed set, then rpm -q / -V on it
    e = run(alu, sample_root, "rpmdb-export", "--format=bdb", sample_root / "var/lib/rpmexp")
    assert e.returncode == 0, e.stderr
    rpm = ["rpm", "--root", str(sample_root), "--dbpath", "/var/lib/rpmexp",
           "--define", "_db_backend bdb_ro"]
    q = subprocess.run(rpm + ["-q", "--qf", "[%{FILESTATES:fstate} %{FILENAMES}\n]", "hello"],
                       capture_output=True, text=True)
    assert "not installed /usr/share/doc/hello-2.11/README" in q.stdout, q.stdout + q.stderr
    assert "normal /usr/bin/hello" in q.stdout
    v = subprocess.run(rpm + ["-V", "hello"], capture_output=True, text=True)
    assert v.returncode == 0, v.stdout + v.stderr


def test_tsflags_nodocs_setopt(alu, sample_root):
    p = run(alu, sample_root, "update", "-y", "--setopt=tsflags=nodocs", "hello")
    assert p.returncode == 0, p.stderr
    assert (sample_root / "usr/bin/hello").exists()
    assert not (sample_root / "usr/share/doc/hello-2.11/README").exists()


def test_tsflags_nodocs_off_installs_docs(alu, sample_root):
    p = run(alu, sample_root, "update", "-y", "hello")
    assert p.returncode == 0, p.stderr
    assert (sample_root / "usr/share/doc/hello-2.11/README").exists()


def test_tsflags_test_changes_nothing(alu, sample_root):
    before = installed(alu, sample_root)
    p = run(alu, sample_root, "update", "-y", "--setopt=tsflags=test")
    assert p.returncode == 0 and "Transaction test succeeded" in p.stdout, p.stdout + p.stderr
    assert installed(alu, sample_root) == before
    h = run(alu, sample_root, "history", "list")
    assert "update" not in h.stdout


# ---- local files and URLs ------------------------------------------------------

def test_downloadonly_local_rpm_installs_nothing(alu, sample_root, mirror):
    f = pkg_file(mirror, "greet-0:1.2")
    p = run(alu, sample_root, "install", "-y", "--downloadonly", str(f))
    assert p.returncode == 0, p.stderr
    assert installed(alu, sample_root)["greet"] == "1.0-1.amzn2"


@pytest.mark.parametrize("verb", ["install", "localinstall"])
def test_local_install_resolves_dependencies(alu, sample_root, mirror, verb):
    f = pkg_file(mirror, "greet-0:1.2")
    p = run(alu, sample_root, verb, "-y", str(f))
    assert p.returncode == 0, p.stdout + p.stderr
    got = installed(alu, sample_root)
    assert got["greet"] == "1.2-1.amzn2" and got["libgreet"] == "1.1-1.amzn2", got
    # the file named is the request, libgreet the dependency
    deps = "".join(re.findall(r"for dependencies:\n((?: .*\n)*)", p.stdout))
    assert re.search(r"^ libgreet\s", deps, re.M) and not re.search(r"^ greet\s", deps, re.M), p.stdout
    p = run(alu, sample_root, verb, "-y", str(f))   # again: nothing to do
    assert p.returncode == 0 and "already installed" in p.stdout, p.stdout


def test_install_path_is_a_capability_not_a_file(alu, sample_root):
    # yum: only an existing *.rpm (or a URL) is a package file; /usr/bin/greet is
    # what provides it, however the host's own /usr/bin looks
    p = run(alu, sample_root, "install", "-y", "/usr/bin/greet")
    assert p.returncode == 0, p.stdout + p.stderr
    assert installed(alu, sample_root)["greet"] == "1.2-1.amzn2"
    p = run(alu, sample_root, "install", "-y", "./no-such-file.rpm")
    assert p.returncode == 1 and "No package ./no-such-file.rpm available." in p.stdout, p.stdout


def test_update_from_local_file(alu, sample_root, mirror, tmp_path):
    f = pkg_file(mirror, "greet-0:1.2")
    p = run(alu, sample_root, "update", "-y", str(f))
    assert p.returncode == 0, p.stdout + p.stderr
    got = installed(alu, sample_root)
    assert got["greet"] == "1.2-1.amzn2" and got["libgreet"] == "1.1-1.amzn2", got
    # yum's installLocal(updateonly=1): a file whose name is not installed is left
    other = build_noarch(tmp_path, "notyet")
    p = run(alu, sample_root, "update", "-y", str(other))
    assert p.returncode == 0 and "not installed, cannot update it" in p.stdout, p.stdout
    assert "notyet" not in installed(alu, sample_root)


@pytest.mark.parametrize("scheme", ["http", "https", "file"])
def test_install_from_url(alu, sample_root, mirror, scheme):
    rel = pkg_file(mirror, "greet-0:1.2").relative_to(mirror.www)
    base = {"http": mirror.http, "https": mirror.https, "file": mirror.file}[scheme]
    extra = ["--setopt=sslcacert=%s" % mirror.ca] if scheme == "https" else []
    p = run(alu, sample_root, *extra, "install", "-y", "%s/%s" % (base, rel))
    assert p.returncode == 0, p.stdout + p.stderr
    got = installed(alu, sample_root)
    assert got["greet"] == "1.2-1.amzn2" and got["libgreet"] == "1.1-1.amzn2", got
    # keepcache=0: the download is gone again
    assert not list((sample_root / "var/cache/alupdate").rglob("greet-1.2*.rpm"))


def test_install_from_url_checks_the_signature(alu, sample_root, tmp_path):
    unsigned = build_noarch(tmp_path, "plainpkg")
    p = run(alu, sample_root, "install", "-y", "file://%s" % unsigned)
    assert p.returncode == 1 and "not signed" in p.stderr, p.stderr
    assert "plainpkg" not in installed(alu, sample_root)
    # gpgcheck on and no key to check with: refused too
    p = run(alu, sample_root, "--setopt=amzn2-core.gpgkey=", "install", "-y", "file://%s" % unsigned)
    assert p.returncode == 1 and "no repository has a key" in p.stderr, p.stderr
    p = run(alu, sample_root, "install", "-y", "--nogpgcheck", "file://%s" % unsigned)
    assert p.returncode == 0, p.stderr
    assert "plainpkg" in installed(alu, sample_root)


def test_install_from_missing_url_fails(alu, sample_root, mirror):
    p = run(alu, sample_root, "install", "-y", mirror.http + "/nope/nothing-1-1.noarch.rpm")
    assert p.returncode == 1 and "nothing-1-1.noarch.rpm" in p.stderr, p.stderr


# ---- repositories ----------------------------------------------------------------

def test_disablerepo_hides_cached_metadata(alu, sample_root):
    assert run(alu, sample_root, "makecache").returncode == 0
    p = run(alu, sample_root, "--disablerepo=amzn2-core", "check-update")
    assert (p.returncode, p.stdout.strip()) == (0, ""), p.stdout
    p = run(alu, sample_root, "--disablerepo=*", "list", "available")
    assert p.returncode == 1 and "No matching Packages" in p.stderr, p.stdout
    p = run(alu, sample_root, "--disablerepo=amzn2-core", "updateinfo", "list")
    assert p.returncode == 0 and not ids(p.stdout), p.stdout


def test_changed_releasever_or_url_refreshes(alu, sample_root):
    assert run(alu, sample_root, "makecache").returncode == 0
    # the sample mirror has no release 3: a refresh fails, the old cache must not answer
    p = run(alu, sample_root, "--releasever=3", "check-update")
    assert p.returncode == 1 and "/3/" in p.stderr, p.stdout + p.stderr
    assert run(alu, sample_root, "check-update").returncode == 100
    repo = sample_root / "etc/yum.repos.d/amzn2-core.repo"
    repo.write_text(repo.read_text().replace("/core/latest/", "/core/gone/", 1))
    p = run(alu, sample_root, "check-update")
    assert p.returncode == 1 and "gone" in p.stderr, p.stdout + p.stderr


def test_skip_broken(alu, sample_root, tmp_path):
    repo = tmp_path / "brokenrepo"
    repo.mkdir()
    shutil.copy(build_noarch(tmp_path, "needsmore", "no-such-capability"), repo)
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    extra = ["--repofrompath=bk,%s" % repo, "--setopt=bk.gpgcheck=0"]
    p = run(alu, sample_root, *extra, "install", "-y", "needsmore", "hello")
    assert p.returncode == 1 and "no-such-capability" in p.stderr, p.stderr
    assert installed(alu, sample_root)["hello"] == "2.10-1.amzn2"
    p = run(alu, sample_root, *extra, "install", "-y", "--skip-broken", "needsmore", "hello")
    assert p.returncode == 0, p.stderr
    assert "skipped because of dependency problems" in p.stdout and "needsmore" in p.stdout
    got = installed(alu, sample_root)
    assert got["hello"] == "2.11-1.amzn2" and "needsmore" not in got


def test_distro_sync_converges(alu, sample_root):
    p = run(alu, sample_root, "distro-sync", "-y")
    assert p.returncode == 0, p.stderr
    assert "system-release" not in p.stdout, p.stdout   # 2-1 to 2-1 is no change
    p = run(alu, sample_root, "distro-sync", "-y")
    assert p.returncode == 0 and "Nothing to do" in p.stdout, p.stdout


# ---- list / info narrowing words --------------------------------------------------

def test_info_and_list_first_word_is_a_filter(alu, sample_root):
    p = run(alu, sample_root, "info", "installed", "hello")
    assert p.returncode == 0, p.stderr
    assert "Installed Packages" in p.stdout and "Available Packages" not in p.stdout
    assert "Version     : 2.10" in p.stdout
    p = run(alu, sample_root, "info", "available", "hello")
    assert p.returncode == 0 and "Installed Packages" not in p.stdout, p.stdout
    assert "Version     : 2.11" in p.stdout
    p = run(alu, sample_root, "info", "installed", "nosuch")
    assert p.returncode == 1
    p = run(alu, sample_root, "list", "installed", "hello")
    assert p.returncode == 0 and "2.10-1.amzn2" in p.stdout and "2.11" not in p.stdout
    p = run(alu, sample_root, "list", "available", "hello")
    assert p.returncode == 0 and "2.11-1.amzn2" in p.stdout and "Installed" not in p.stdout


# ---- missing names ----------------------------------------------------------------

def test_missing_names_as_al2_yum(alu, sample_root):
    p = run(alu, sample_root, "install", "-y", "nosuchpkg", "hello")
    assert p.returncode == 0, p.stderr
    assert "No package nosuchpkg available." in p.stdout
    assert installed(alu, sample_root)["hello"] == "2.11-1.amzn2"
    p = run(alu, sample_root, "install", "-y", "nosuchpkg")
    assert p.returncode == 1 and "Nothing to do" in p.stderr, p.stdout + p.stderr
    p = run(alu, sample_root, "install", "-y", "--setopt=skip_missing_names_on_install=0",
            "nosuchpkg", "greet")
    assert p.returncode == 1 and "Not tolerating missing names" in p.stderr, p.stderr
    assert installed(alu, sample_root)["greet"] == "1.0-1.amzn2"
    p = run(alu, sample_root, "remove", "-y", "nosuchpkg")
    assert p.returncode == 0 and "No match for argument: nosuchpkg" in p.stdout, p.stdout
    p = run(alu, sample_root, "update", "-y", "nosuchpkg")
    assert p.returncode == 0, p.stderr
    p = run(alu, sample_root, "update", "-y", "--setopt=skip_missing_names_on_update=0", "nosuchpkg")
    assert p.returncode == 1 and "Not tolerating missing names" in p.stderr, p.stderr


# ---- Dockerfile clean-up ----------------------------------------------------------

def test_clean_all_leaves_no_bytes(alu, sample_root):
    conf = sample_root / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("keepcache=0", "keepcache=1"))
    assert run(alu, sample_root, "install", "-y", "greet-1.2").returncode == 0
    cache = sample_root / "var/cache/alupdate"
    assert any(p.is_file() for p in cache.rglob("*"))
    p = run(alu, sample_root, "clean", "all")
    assert p.returncode == 0, p.stderr
    assert not cache.exists(), list(cache.rglob("*"))
