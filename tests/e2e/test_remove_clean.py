# SPDX-License-Identifier: MIT
"""remove with clean_requirements_on_remove: dependencies nothing needs any
more go too, but only those installed as dependencies; what the user asked
for, or what was adopted from the rpm database, stays (yum's rule)."""
import json


def names(alu, root):
    p = alu("--installroot", root, "list", "installed", "--json")
    assert p.returncode == 0, p.stderr
    return {r["name"] for r in json.loads(p.stdout)["installed"]}


def test_adopted_dependency_stays(alu, sample_root):
    p = alu("--installroot", sample_root, "--setopt=clean_requirements_on_remove=1",
            "remove", "-y", "greet")
    assert p.returncode == 0, p.stderr
    got = names(alu, sample_root)
    assert "greet" not in got and "libgreet" in got


def test_dependency_installed_as_such_goes(alu, sample_root):
    p = alu("--installroot", sample_root, "remove", "-y", "greet", "libgreet")
    assert p.returncode == 0, p.stderr
    p = alu("--installroot", sample_root, "install", "-y", "greet")
    assert p.returncode == 0, p.stderr
    assert {"greet", "libgreet"} <= names(alu, sample_root)
    p = alu("--installroot", sample_root, "--setopt=clean_requirements_on_remove=1",
            "remove", "-y", "greet")
    assert p.returncode == 0, p.stderr
    got = names(alu, sample_root)
    assert "greet" not in got and "libgreet" not in got, p.stdout
    # without the option the dependency would have stayed
    assert "Removing for dependencies" in p.stdout


def test_remove_stops_on_a_configuration_error(alu, sample_root):
    """Removing needs no repository, so a root with no configuration at all
    may remove; a configuration that is there but broken must stop it (it
    could be what names the protected packages)."""
    y = sample_root / "etc/alupdate/alupdate.yaml"
    y.parent.mkdir(parents=True, exist_ok=True)
    y.write_text("regions: [us-west-2\n")
    p = alu("--installroot", sample_root, "remove", "-y", "greet")
    assert p.returncode == 1 and "alupdate.yaml:2:1:" in p.stderr, p.stderr
    y.unlink()
    assert "greet" in names(alu, sample_root)


def test_json_dependency_matches_the_table(alu, sample_root):
    """remove libgreet takes greet (which needs it) along: the table puts greet
    under "Removing for dependencies", and --json says the same of it."""
    p = alu("--installroot", sample_root, "remove", "--assumeno", "libgreet")
    assert p.returncode == 1 and "Operation aborted." in p.stdout, p.stdout
    table, deps = p.stdout.split("Removing for dependencies:\n")
    assert " libgreet " in table.split("Removing:\n")[1] and " greet " in deps.split("\n\n")[0], p.stdout
    p = alu("--installroot", sample_root, "remove", "--assumeno", "--json", "libgreet")
    plan = {op["name"]: op for op in json.loads(p.stdout)["plan"]}
    assert plan["libgreet"]["action"] == "erase" and not plan["libgreet"]["dependency"], plan
    assert plan["greet"]["action"] == "erase" and plan["greet"]["dependency"], plan
