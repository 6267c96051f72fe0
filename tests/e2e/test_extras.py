# SPDX-License-Identifier: MIT
"""amazon-linux-extras through the binary (`alupdate extras ...` and the
binary run as `amazon-linux-extras`): the sample mirror's catalog, enable
writing /etc/yum.repos.d/amzn2-extras.repo as the original does (edited as
read back, replaced whole or not at all), install of a topic's packages,
disable, refusals (unknown topic or version, conflicts, v1 whitelists,
deprecated, a malformed catalog) and a topic's advisory through
`update --security`."""
import json
import os

from conftest import ALU_BIN, rpm_q

REPO = "etc/yum.repos.d/amzn2-extras.repo"


def run(alu, root, *args, **kw):
    return alu("--installroot", root, "extras", *args, **kw)


def rows(out):
    """list output -> {topic: (index, name-as-shown, state, versions)}"""
    r = {}
    for line in out.splitlines():
        left, _, rest = line.partition("[")
        idx, name, state = left.split()
        r[name.split("=")[0]] = (int(idx), name, state, rest.split("]")[0].split())
    return r


def no_temp_files(root):
    d = root / "etc/yum.repos.d"
    return sorted(os.listdir(d)) in (["amzn2-core.repo"], ["amzn2-core.repo", "amzn2-extras.repo"])


def test_list_hides_hidden_topics_and_marks_deprecated(alu, sample_root):
    p = run(alu, sample_root, "list")
    assert p.returncode == 0, p.stderr
    r = rows(p.stdout)
    assert sorted(r) == ["nginx1", "php7.2", "redis4.0", "redis6"]   # "testing" is not visible
    assert r["redis6"] == (3, "redis6", "available", ["=6.2", "=6.0"])
    assert "deprecated since 2020-11-30" in [l for l in p.stdout.splitlines() if "php7.2" in l][0]
    assert not (sample_root / REPO).exists()


def test_enable_writes_the_original_file_and_list_shows_it(alu, sample_root):
    p = run(alu, sample_root, "enable", "redis6=6.0")
    assert p.returncode == 0, p.stderr
    text = (sample_root / REPO).read_text()
    assert text.startswith("\n### This file is managed with amazon-linux-extras.")
    secs = [l for l in text.splitlines() if l.startswith("[")]
    assert secs == ["[amzn2extra-redis6-source]", "[amzn2extra-redis6-debuginfo]", "[amzn2extra-redis6]"]
    main = text.split("[amzn2extra-redis6]\n")[1]
    assert "enabled = 1\n" in main and "priority = 10\n" in main and "gpgcheck = 1\n" in main
    assert "/$awsregion/$releasever/extras/redis6/6.0/$basearch/mirror.list\n" in main
    assert "enabled = 0\n" in text.split("[amzn2extra-redis6-debuginfo]")[1].split("[")[0]
    r = rows(run(alu, sample_root, "list").stdout)
    assert r["redis6"][1:3] == ("redis6=6.0", "enabled")
    assert no_temp_files(sample_root)
    # the repository is a real one: yum sees its package
    p = alu("--installroot", sample_root, "list", "available", "redis")
    assert p.returncode == 0 and "6.2.0-1.amzn2" in p.stdout and "amzn2extra-redis6" in p.stdout, p.stdout


def test_install_disable_and_hand_edits_survive(alu, sample_root):
    p = run(alu, sample_root, "install", "-y", "nginx1")
    assert p.returncode == 0, p.stderr + p.stdout
    assert rpm_q(sample_root, "-q", "nginx") == ["nginx-1.20.1-1.amzn2.noarch"]
    lines = {l.split()[1]: l for l in run(alu, sample_root, "list").stdout.splitlines()}
    assert lines["nginx1=latest"].endswith("]  installed") and "installed" not in lines["redis6"]
    f = sample_root / REPO
    f.write_text(f.read_text() + "\n# my own note\n[mine]\nname = mine\nbaseurl = file:///nonexistent\nenabled = 0\n")
    before = f.read_text()
    p = run(alu, sample_root, "disable", "nginx1")
    assert p.returncode == 0, p.stderr
    assert f.read_text() == before.replace("[amzn2extra-nginx1]\nenabled = 1", "[amzn2extra-nginx1]\nenabled = 0")
    assert rows(run(alu, sample_root, "list").stdout)["nginx1"][1:3] == ("nginx1", "disabled")
    p = run(alu, sample_root, "enable", "nginx1")
    assert p.returncode == 0, p.stderr
    assert f.read_text() == before and no_temp_files(sample_root)


def test_refusals_leave_the_file_as_it_was(alu, sample_root):
    f = sample_root / REPO
    for args, msg in [(["enable", "nosuch"], "Topic nosuch is not found."),
                      (["enable", "redis6=9.9"], "Topic redis6 has no version 9.9"),
                      (["enable", "php7.2"], "end-of-support date of 2020-11-30"),
                      (["info", "nosuch"], "Topic nosuch is not found."),
                      (["enable", "redis4.0", "redis6"], "redis6"),
                      (["frobnicate", "x"], "unknown verb")]:
        p = run(alu, sample_root, *args)
        assert p.returncode == 1 and msg in p.stderr, (args, p.stderr)
        assert not f.exists(), args
    assert run(alu, sample_root, "enable", "redis4.0").returncode == 0
    before = f.read_text()
    # nginx1 would be fine, redis6 conflicts with the enabled redis4.0: neither is written
    p = run(alu, sample_root, "enable", "nginx1", "redis6")
    assert p.returncode == 1 and "Refusing because" in p.stderr and "redis4.0" in p.stderr, p.stderr
    assert f.read_text() == before and no_temp_files(sample_root)


def test_v1_catalog_whitelists(alu, sample_root, mirror):
    env = {"CATALOGURL": "file://%s/www/us-east-1/2/extras-catalog-v1.json" % mirror.outdir}
    p = run(alu, sample_root, "enable", "redis4.0", "redis6", env=env)
    assert p.returncode == 1 and "whitelist" in p.stderr, p.stderr
    assert not (sample_root / REPO).exists()
    p = run(alu, sample_root, "enable", "nginx1", "redis6", env=env)
    assert p.returncode == 0, p.stderr


def test_malformed_catalog(alu, sample_root, tmp_path):
    bad = tmp_path / "cat.json"
    for text, what in [('{"status": "ok", "version": 2, "topics": [\n {"n": "a",}\n]}', ":2:"),
                       ('{"status": "ok", "version": 3, "topics": []}', "version"),
                       ('{"status": "ok", "version": 2, "topics": [{"inst": []}]}', "'n'"),
                       ('{"status": "ok", "version": 1, "whitelists": [[7]], "topics": []}', "index"),
                       # names and versions become directories (reposync --extras): one word each
                       ('{"status": "ok", "version": 2, "topics": [{"n": "a", "versions": ["../../../x"]}]}',
                        "a version must be one word"),
                       ('{"status": "ok", "version": 2, "topics": [{"n": ".."}]}', "'n'")]:
        bad.write_text(text)
        p = run(alu, sample_root, "enable", "a", env={"CATALOGURL": "file://%s" % bad})
        assert p.returncode == 1 and str(bad) in p.stderr and what in p.stderr, (text, p.stderr)
        assert not (sample_root / REPO).exists()
    p = run(alu, sample_root, "list", env={"CATALOGURL": "file://%s/none.json" % tmp_path})
    assert p.returncode == 1 and "extras catalog" in p.stderr and "none.json" in p.stderr, p.stderr


def test_topic_security_update(alu, sample_root):
    assert run(alu, sample_root, "enable", "nginx1").returncode == 0
    p = alu("--installroot", sample_root, "install", "-y", "nginx-1.20.0")
    assert p.returncode == 0, p.stderr
    p = alu("--installroot", sample_root, "updateinfo", "list", "--security")
    assert "ALAS2NGINX1-2026-001" in p.stdout and "nginx-1.20.1-1.amzn2.noarch" in p.stdout, p.stdout
    p = alu("--installroot", sample_root, "update", "--security", "-y")
    assert p.returncode == 0, p.stderr
    assert rpm_q(sample_root, "-q", "nginx") == ["nginx-1.20.1-1.amzn2.noarch"]


def test_runs_as_amazon_linux_extras(alu, sample_root, tmp_path):
    import subprocess
    link = tmp_path / "amazon-linux-extras"
    link.symlink_to(ALU_BIN)
    p = subprocess.run([str(link), "--installroot", str(sample_root), "list"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout == run(alu, sample_root, "list").stdout
    p = subprocess.run([str(link), "--installroot", str(sample_root), "enable", "nginx1"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and (sample_root / REPO).exists(), p.stderr


def test_catalog_and_topic_from_a_mirror_that_fails_over(alu, sample_root):
    # region "failover": no catalog of its own; the core mirror list names a
    # missing mirror, then a copy of us-east-1 that has one
    (sample_root / "etc/yum/vars/awsregion").write_text("failover\n")
    p = run(alu, sample_root, "list")
    assert p.returncode == 0 and "nginx1" in p.stdout, p.stderr
    p = run(alu, sample_root, "install", "-y", "nginx1")
    assert p.returncode == 0, p.stderr + p.stdout
    assert rpm_q(sample_root, "-q", "nginx") == ["nginx-1.20.1-1.amzn2.noarch"]


def test_over_https_from_the_core_mirror(alu, sample_root, mirror):
    # the catalog and the topic's mirror list come from the core repository's
    # server, with its CA; the topic sections inherit [main]'s CA
    from conftest import set_mirror_base
    set_mirror_base(sample_root, mirror.https, ca=mirror.ca)
    conf = sample_root / "etc/yum.conf"
    conf.write_text(conf.read_text().replace("[main]\n", "[main]\nsslcacert=%s\n" % mirror.ca, 1))
    p = run(alu, sample_root, "install", "-y", "redis6=6.2")
    assert p.returncode == 0, p.stderr + p.stdout
    assert rpm_q(sample_root, "-q", "redis") == ["redis-6.2.0-1.amzn2.noarch"]
    assert mirror.https + "/$awsregion/$releasever/extras/redis6/6.2/$basearch/mirror.list" in \
        (sample_root / REPO).read_text()


def test_info_as_the_original_and_json(alu, sample_root):
    """info: the original's one line per `inst` package ("TOPIC recommends
    PKG ... # yum install PKG"); a topic that installs nothing prints
    nothing; --json: the catalog's fields and the root's state."""
    p = run(alu, sample_root, "info", "nginx1", "redis6")
    assert p.returncode == 0, p.stderr
    assert p.stdout == ("nginx1 recommends %-40s # yum install nginx\n" % "nginx" +
                        "redis6 recommends %-40s # yum install redis\n" % "redis")
    p = run(alu, sample_root, "info", "testing")
    assert (p.returncode, p.stdout) == (0, "")
    # one unknown topic: nothing printed for the others
    p = run(alu, sample_root, "info", "nginx1", "nosuch")
    assert p.returncode == 1 and not p.stdout and "Topic nosuch is not found." in p.stderr
    assert run(alu, sample_root, "enable", "redis6=6.0").returncode == 0
    p = alu("--installroot", sample_root, "--json", "extras", "info", "redis6", "php7.2", "testing")
    assert p.returncode == 0, p.stderr
    got = {t["topic"]: t for t in json.loads(p.stdout)}
    assert got["redis6"] == {"topic": "redis6", "state": "enabled", "version": "6.0",
                             "versions": ["6.2", "6.0"], "inst": ["redis"], "conflicts": ["redis4.0"],
                             "visible": True, "deprecated_at": None, "repository": "amzn2extra-redis6"}
    assert got["php7.2"]["deprecated_at"] == "2020-11-30" and got["php7.2"]["state"] == "available"
    assert got["testing"]["visible"] is False and got["testing"]["inst"] == []
