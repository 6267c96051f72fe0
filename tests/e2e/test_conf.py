# SPDX-License-Identifier: MIT
"""src/conf through the binary: `config` and `repolist` on AL2-shaped roots
written here (amzn2-core.repo, /etc/yum/vars), command-line overrides, bad
.repo lines and bad alupdate.yaml, an empty --installroot. dnf, when
installed, is the oracle for variable substitution and --enablerepo/
--disablerepo order."""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

AL2_YUM_CONF = """[main]
cachedir=/var/cache/yum/$basearch/$releasever
keepcache=0
debuglevel=2
logfile=/var/log/yum.log
exactarch=1
obsoletes=1
gpgcheck=1
plugins=1
installonly_limit=3
distroverpkg=system-release
timeout=5
retries=7
"""

MIRRORLIST = "$awsproto://$amazonlinux.$awsregion.$awsdomain/$releasever/$product/$target/{}/mirror.list"


def core_repo():
    out = []
    for sid, name, enabled, tail in (
        ("amzn2-core", "Amazon Linux 2 core repository", 1, "$basearch"),
        ("amzn2-core-source", "Amazon Linux 2 core repository - source packages", 0, "SRPMS"),
        ("amzn2-core-debuginfo", "Amazon Linux 2 core repository - debuginfo packages", 0, "debuginfo/$basearch"),
    ):
        out.append(f"""[{sid}]
name={name}
mirrorlist={MIRRORLIST.format(tail)}
priority=10
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2
enabled={enabled}
metadata_expire=300
mirrorlist_expire=300
report_instanceid=yes
""")
    return "\n".join(out)


# amazon-linux-extras writes "key = value".
EXTRAS_REPO = """### This file is managed with amazon-linux-extras. Please manage with that tool.

[amzn2extra-docker]
enabled = 1
name = Amazon Extras repo for docker
mirrorlist = $awsproto://$amazonlinux.$awsregion.$awsdomain/$releasever/extras/docker/latest/$basearch/mirror.list
gpgcheck = 1
gpgkey = file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2
priority = 10
skip_if_unavailable = 1
report_instanceid = yes
"""

VARS = {"awsregion": "eu-west-1", "awsdomain": "amazonaws.com", "awsproto": "http",
        "amazonlinux": "amazonlinux", "product": "core", "target": "latest"}


def alu_bin():
    if os.environ.get("ALU_BIN"):
        return os.environ["ALU_BIN"]
    cands = sorted(ROOT.glob("build/*/alupdate"), key=lambda p: -p.stat().st_mtime)
    if not cands:
        pytest.skip("alupdate not built (set ALU_BIN)")
    return str(cands[0])


def run(*args, root=None):
    cmd = [alu_bin()]
    if root is not None:
        cmd += ["--installroot", str(root)]
    p = subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)
    return p


def dump(out):
    """INI text from `config` -> {section: {key: value}}."""
    secs, cur = {}, None
    for line in out.splitlines():
        if line.startswith("["):
            cur = secs.setdefault(line.strip("[]"), {})
        elif " = " in line:
            k, v = line.split(" = ", 1)
            cur[k] = v
        elif line.endswith(" ="):
            cur[line[:-2]] = ""
    return secs


@pytest.fixture
def al2_root(tmp_path):
    root = tmp_path / "root"
    (root / "etc/yum.repos.d").mkdir(parents=True)
    (root / "etc/yum/vars").mkdir(parents=True)
    (root / "etc/yum.conf").write_text(AL2_YUM_CONF)
    (root / "etc/yum.repos.d/amzn2-core.repo").write_text(core_repo())
    (root / "etc/yum.repos.d/amzn2-extras.repo").write_text(EXTRAS_REPO)
    for k, v in VARS.items():
        (root / "etc/yum/vars" / k).write_text(v + "\n")
    (root / "etc/os-release").write_text('NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nVERSION_ID="2"\n')
    return root


def test_config_substitutes_mirrorlist(al2_root):
    p = run("config", root=al2_root)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    secs = dump(p.stdout)
    assert list(secs) == ["main", "amzn2-core", "amzn2extra-docker"]  # enabled only by default
    core = secs["amzn2-core"]
    assert core["mirrorlist"] == "http://amazonlinux.eu-west-1.amazonaws.com/2/core/latest/x86_64/mirror.list" \
        if os.uname().machine == "x86_64" else core["mirrorlist"].endswith("/mirror.list")
    assert core["priority"] == "10" and core["metadata_expire"] == "300" and core["report_instanceid"] == "1"
    assert core["gpgkey"] == "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-amazon-linux-2"
    assert secs["amzn2extra-docker"]["skip_if_unavailable"] == "1"
    main = secs["main"]
    assert main["timeout"] == "5" and main["retries"] == "7" and main["releasever"] == "2"
    assert main["config_file_path"] == str(al2_root / "etc/yum.conf")
    keys = [line.split(" = ")[0] for line in p.stdout.split("\n\n")[0].splitlines()[1:]]
    assert keys == sorted(keys)


def test_config_json_and_variables(al2_root):
    p = run("--json", "config", "amzn2-core*", root=al2_root)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert set(data["repos"]) == {"amzn2-core", "amzn2-core-source", "amzn2-core-debuginfo"}
    assert data["main"] == {}
    assert data["repos"]["amzn2-core-source"]["enabled"] == "0"
    assert data["vars"]["awsregion"] == "eu-west-1"
    assert data["repos"]["amzn2-core-source"]["mirrorlist"].endswith("/2/core/latest/SRPMS/mirror.list")
    p = run("config", "--dump-variables", "--releasever", "7", root=al2_root)
    assert p.returncode == 0, p.stderr
    assert "releasever = 7" in p.stdout.splitlines()
    assert "product = core" in p.stdout.splitlines()
    p = run("config", "no-such-repo", root=al2_root)
    assert p.returncode == 1 and "no-such-repo" in p.stderr


def test_setopt(al2_root):
    p = run("config", "main", "amzn2*", "--setopt=timeout=42", "--setopt=amzn2-core*.priority=3",
            "--setopt=amzn2-core-source.enabled=1", "--setopt=amzn2-core.baseurl=http://a/ http://b/",
            root=al2_root)
    assert p.returncode == 0, p.stderr
    secs = dump(p.stdout)
    assert secs["main"]["timeout"] == "42"
    assert secs["amzn2-core"]["timeout"] == "42"   # inherited from the overridden [main]
    assert secs["amzn2-core"]["priority"] == "3" and secs["amzn2-core-debuginfo"]["priority"] == "3"
    assert secs["amzn2-core"]["baseurl"] == "http://a/, http://b/"
    assert secs["amzn2-core-source"]["enabled"] == "1"
    assert secs["amzn2extra-docker"]["priority"] == "10"
    p = run("config", "--setopt=nosuch=1", root=al2_root)   # yum warns and goes on (issue 13)
    assert p.returncode == 0 and "nosuch" in p.stderr
    p = run("config", "--setopt=gpgcheck=perhaps", root=al2_root)
    assert p.returncode == 1 and "perhaps" in p.stderr


def repolist_all(root, *args):
    p = run("repolist", "all", *args, root=root)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["repo", "id", "repo", "name", "status"]
    return {ln.split()[0]: ln.split()[-1] for ln in lines[1:]}


def test_enable_disable_globs_in_order(al2_root):
    st = repolist_all(al2_root, "--disablerepo=*", "--enablerepo=amzn2-core*", "--disablerepo=*-source")
    assert st == {"amzn2-core": "enabled", "amzn2-core-debuginfo": "enabled",
                  "amzn2-core-source": "disabled", "amzn2extra-docker": "disabled"}
    st = repolist_all(al2_root, "--disablerepo=*-source", "--enablerepo=amzn2-core-*")
    assert st["amzn2-core-source"] == "enabled"
    p = run("repolist", "--enablerepo=nosuchrepo", root=al2_root)
    assert p.returncode == 1 and "nosuchrepo" in p.stderr
    p = run("repolist", "disabled", root=al2_root)
    assert [ln.split()[0] for ln in p.stdout.splitlines()[1:]] == ["amzn2-core-debuginfo", "amzn2-core-source"]
    data = json.loads(run("--json", "repolist", root=al2_root).stdout)
    assert [r["id"] for r in data] == ["amzn2-core", "amzn2extra-docker"]
    assert data[0]["file"] == str(al2_root / "etc/yum.repos.d/amzn2-core.repo") and data[0]["line"] == 1


@pytest.mark.skipif(not shutil.which("dnf"), reason="dnf not installed")
def test_dnf_agrees(al2_root):
    """Same root, same flags: dnf's view of enabled repos and substituted URLs matches ours."""
    flags = ["--releasever=2", "--disablerepo=*-source", "--enablerepo=amzn2-core-*", "--disablerepo=amzn2extra-*"]
    d = subprocess.run(["dnf", "-q", f"--installroot={al2_root}", *flags, "repolist", "all"],
                       capture_output=True, text=True, timeout=120)
    if d.returncode != 0:
        pytest.skip("dnf repolist failed: " + d.stderr[-200:])
    theirs = {ln.split()[0]: ln.split()[-1] for ln in d.stdout.splitlines()[1:] if not ln.startswith("_dnf")}
    assert repolist_all(al2_root, *flags) == theirs
    d = subprocess.run(["dnf", f"--installroot={al2_root}", "--releasever=2", "config-manager", "--dump",
                        "amzn2-core-debuginfo"], capture_output=True, text=True, timeout=120)
    if d.returncode != 0:
        pytest.skip("dnf config-manager not available")
    want = [ln.split(" = ", 1)[1] for ln in d.stdout.splitlines() if ln.startswith("mirrorlist = ")]
    ours = dump(run("config", "amzn2-core-debuginfo", root=al2_root).stdout)["amzn2-core-debuginfo"]
    assert [ours["mirrorlist"]] == want


def test_repofrompath(al2_root, tmp_path):
    local = tmp_path / "localrepo"
    local.mkdir()
    p = run("config", "local", "web", f"--repofrompath=local,{local}", "--repofrompath=web,http://h/$basearch/",
            "--disablerepo=*", "--nogpgcheck", root=al2_root)
    assert p.returncode == 0, p.stderr
    secs = dump(p.stdout)
    assert secs["local"]["baseurl"] == f"file://{local}"
    assert secs["local"]["enabled"] == "1" and secs["local"]["gpgcheck"] == "0"
    assert secs["web"]["baseurl"] == f"http://h/{os.uname().machine if os.uname().machine != 'i686' else 'i386'}/"
    st = repolist_all(al2_root, f"--repofrompath=local,{local}", "--disablerepo=*")
    assert st["local"] == "enabled" and st["amzn2-core"] == "disabled"
    p = run("config", "local", f"--repofrompath=local,{local}", "--setopt=local.priority=4", root=al2_root)
    assert p.returncode == 0, p.stderr
    assert dump(p.stdout)["local"]["priority"] == "4"
    p = run("repolist", "--repofrompath=nocomma", root=al2_root)
    assert p.returncode == 1 and "nocomma" in p.stderr


def test_bad_repo_line_warns_and_continues(al2_root):
    (al2_root / "etc/yum.repos.d/broken.repo").write_text(
        "[ok]\nname=fine\nbaseurl=http://x/\nthis line is junk\nbogus_key=1\nenabled=maybe\n\n[nourl]\nname=x\n")
    p = run("repolist", "all", root=al2_root)
    assert p.returncode == 0, p.stderr
    f = al2_root / "etc/yum.repos.d/broken.repo"
    assert f"{f}:4: not a 'key=value' line" in p.stderr
    assert f"{f}:5: unknown repository option 'bogus_key'" in p.stderr
    assert f"{f}:6: bad value 'maybe' for 'enabled'" in p.stderr
    assert f"{f}:8: repository 'nourl' has no baseurl" in p.stderr
    assert "ok " in p.stdout and "nourl" not in p.stdout
    p = run("-q", "repolist", root=al2_root)
    assert p.returncode == 0 and p.stderr == ""


def test_bad_yaml_names_line_and_column(al2_root):
    y = al2_root / "etc/alupdate/alupdate.yaml"
    y.parent.mkdir(parents=True)
    y.write_text("regions:\n  - us-west-2\nboot:\n  update: true\n  severity: [critical]\n")
    p = run("config", root=al2_root)
    assert p.returncode == 1
    assert f"{y}:5:3: unknown key 'boot.severity'" in p.stderr
    y.write_text("regions: [us-west-2\n")
    p = run("repolist", root=al2_root)
    assert p.returncode == 1 and f"{y}:2:1:" in p.stderr
    y.write_text("regions: [us-west-2, us-east-1]\nboot: {update: false}\n")
    (al2_root / "etc/yum/vars/awsregion").unlink()
    secs = dump(run("config", root=al2_root).stdout)
    assert secs["main"]["regions"] == "us-west-2, us-east-1" and secs["main"]["boot_update"] == "0"
    assert ".us-west-2." in secs["amzn2-core"]["mirrorlist"]


def test_empty_installroot_says_so(tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    p = run("repolist", root=root)
    assert p.returncode == 1
    assert f"no repository configuration in {root}/etc/yum.repos.d" in p.stderr
    p = run("config", "-c", str(tmp_path / "missing.conf"), root=root)
    assert p.returncode == 1 and "missing.conf" in p.stderr


def test_sample_root_mirrorlist_resolves(sample_root, mirror):
    """The shared AL2 sample root: the substituted mirrorlist is a real file of the mirror."""
    p = run("config", "amzn2-core", root=sample_root)
    assert p.returncode == 0, p.stderr
    url = dump(p.stdout)["amzn2-core"]["mirrorlist"]
    assert "$" not in url and url.startswith("file://")
    assert Path(url[len("file://"):]).is_file()
    st = repolist_all(sample_root)
    assert st["amzn2-core"] == "enabled" and st["amzn2-core-source"] == "disabled"


def test_yaml_invalid_utf8_is_an_error_not_a_hang(sample_root, alu):
    """libfyaml 0.7.12 loops for ever on an invalid UTF-8 byte in a
    directive (found by fuzz_yaml): alupdate refuses such a file first."""
    y = sample_root / "etc/alupdate/alupdate.yaml"
    y.parent.mkdir(parents=True, exist_ok=True)
    y.write_bytes(b"%\xf7%")
    p = alu("--installroot", str(sample_root), "repolist", timeout=20)
    assert p.returncode == 1
    assert "alupdate.yaml:1:" in p.stderr and "UTF-8" in p.stderr, p.stderr
