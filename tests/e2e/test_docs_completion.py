# SPDX-License-Identifier: MIT
"""alupdate(8), alupdate.yaml(5), `alupdate help`/`--help` and the bash and
zsh completions, through the binary: the man pages pass `man --warnings`,
every command and option the binary parses is documented in both the man
page and the help, and the completion functions offer commands, options,
repo ids and installed/available package names."""
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import ALU_BIN, BUILD, REPO

COMPLETION = REPO / "contrib" / "completion"


def man_page(tmp_path, name):
    """The page the build generated, else generate it from its source."""
    built = BUILD / "static" / "doc" / name
    if built.exists():
        return built
    out = tmp_path / name
    subprocess.run(["python3", str(REPO / "doc" / "gen.py"), "--man",
                    str(REPO / "doc" / (name + ".src")), str(out)], check=True)
    return out


def words(alu, *args):
    p = alu("complete", *args)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


@pytest.mark.parametrize("name", ["alupdate.8", "alupdate.yaml.5"])
def test_man_pages_have_no_warnings(tmp_path, name):
    page = man_page(tmp_path, name)
    p = subprocess.run(["man", "--warnings", "-l", "-Tutf8", str(page)], capture_output=True,
                       text=True, env=dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8"))
    assert p.returncode == 0, p.stderr
    assert p.stderr == "", p.stderr
    assert "alupdate" in p.stdout


def man_sections(text):
    """{command name: roff text of its .SS}, '' for what stands before COMMANDS."""
    text = text.replace("\\-", "-")
    head, _, cmds = text.partition(".SH COMMANDS\n")
    out = {"": head}
    for part in cmds.split(".SS ")[1:]:
        names = part.split("\n", 1)[0].split()
        for n in names:
            out[n] = part
    return out


def test_every_command_and_option_is_documented(alu, tmp_path):
    secs = man_sections(man_page(tmp_path, "alupdate.8").read_text())
    globals_ = set(words(alu, "options"))
    top = alu("--help")
    assert top.returncode == 0
    for opt in globals_:
        assert re.search(r"(^|[ ,])%s\b" % re.escape(opt.rstrip("=")), secs[""], re.M), opt
        assert opt.rstrip("=") in top.stdout, opt
    cmds = words(alu, "commands")
    assert "update" in cmds and "upgrade" in cmds and "reposync" in cmds
    for c in cmds:
        assert c in secs, "command %s has no section in alupdate(8)" % c
        own = set(words(alu, "options", c)) - globals_
        h = alu("help", c)
        assert h.returncode == 0, h.stderr
        assert h.stdout == alu(c, "--help").stdout
        assert h.stdout.startswith("usage: alupdate ")
        for opt in own:
            o = opt.rstrip("=")
            assert re.search(r"(^|[ ,])%s\b" % re.escape(o), h.stdout, re.M), (c, opt)
            # the command's own option in its section, a shared one in its group's
            assert re.search(r"(^|[ ,])%s\b" % re.escape(o), secs[c] + secs[""], re.M), (c, opt)
    for c in ("version", "reposync", "help"):
        assert re.search(r"^  %s " % c, top.stdout, re.M), c
    # for the completions: documented, not offered in the list
    assert not re.search(r"^  complete ", top.stdout, re.M)
    assert "complete" in secs and "commands | options" in alu("help", "complete").stdout
    for sec in ("EXIT STATUS", "FILES", "ENVIRONMENT", "FIPS MODE", "DIFFERENCES FROM YUM"):
        assert ".SH " + sec in secs[""] + "".join(secs.values()), sec


def test_help_errors(alu):
    p = alu("help", "no-such-command")
    assert p.returncode == 1 and "unknown command 'no-such-command'" in p.stderr
    p = alu("complete", "bogus")
    assert p.returncode == 1 and "complete: expected" in p.stderr
    p = alu("help", "erase")
    assert p.returncode == 0 and p.stdout.startswith("usage: alupdate remove ")


def bash_complete(line, root=None):
    """Run _alupdate on LINE (completing its last word) in a bash that sourced
    the completion; the candidates."""
    words = line.split(" ")
    script = (
        'source "%s"\n'
        'COMP_WORDS=(%s); COMP_CWORD=%d; COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}\n'
        "_alupdate\n"
        'printf "%%s\\n" "${COMPREPLY[@]}"\n'
    ) % (COMPLETION / "alupdate.bash", " ".join("'%s'" % w for w in words), len(words) - 1)
    p = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def test_bash_completion_commands_and_options(alu):
    got = bash_complete(ALU_BIN + " up")
    assert {"update", "update-minimal", "updateinfo", "upgrade"} <= set(got)
    assert "install" not in got
    got = bash_complete(ALU_BIN + " reposync --down")
    assert set(got) == {"--download-path=", "--downloaddir=", "--download-metadata"} - {"--downloaddir="}
    got = bash_complete(ALU_BIN + " update --sec")
    assert "--security" in got and "--sec-severity=" in got
    assert "--sec-severity=" not in bash_complete(ALU_BIN + " install --sec")
    assert "versionlock" in bash_complete(ALU_BIN + " help ver")
    assert bash_complete(ALU_BIN + " clean exp") == ["expire-cache"]


def test_bash_completion_repos_and_packages(alu, sample_root):
    assert alu("--installroot", sample_root, "makecache").returncode == 0
    installed = set(words(alu, "--installroot", sample_root, "installed"))
    available = set(words(alu, "--installroot", sample_root, "available"))
    assert installed and available
    repos = words(alu, "--installroot", sample_root, "repos")
    assert "amzn2-core" in repos
    assert "amzn2-core" in bash_complete("%s --installroot %s --enablerepo amzn" % (ALU_BIN, sample_root))
    assert "amzn2-core" in bash_complete("%s --installroot %s repolist a" % (ALU_BIN, sample_root))
    name = sorted(installed)[0]
    got = bash_complete("%s --installroot %s remove %s" % (ALU_BIN, sample_root, name[:2]))
    assert name in got and set(got) <= installed
    new = sorted(available)[0]
    got = bash_complete("%s --installroot %s install %s" % (ALU_BIN, sample_root, new[:3]))
    assert new in got
    # --installroot=ROOT (split at '=' by bash) reaches the binary as well
    got = bash_complete("%s --installroot = %s remove %s" % (ALU_BIN, sample_root, name[:2]))
    assert name in got


def test_zsh_completion(alu, tmp_path):
    if not subprocess.run(["sh", "-c", "command -v zsh"], capture_output=True).stdout:
        pytest.skip("no zsh")
    f = COMPLETION / "_alupdate"
    assert subprocess.run(["zsh", "-n", str(f)]).returncode == 0
    # compadd/_files are completion builtins: stand-ins that print what is offered
    script = (
        'compadd() { local a; for a in "$@"; do [[ $a == -S || $a == -- || -z $a ]] || print -r -- $a; done }\n'
        "_files() { :; }\n"
        'source %s\n'
        'words=(%s reposync --down); CURRENT=3; _alupdate\n'
        'print SEP\n'
        'words=(%s up); CURRENT=2; _alupdate\n'
    ) % (f, ALU_BIN, ALU_BIN)
    p = subprocess.run(["zsh", "-f", "-c", script], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    opts, _, cmds = p.stdout.partition("SEP\n")
    assert "--download-path=" in opts.split() and "--download-metadata" in opts.split()
    assert "update" in cmds.split() and "upgrade" in cmds.split()
