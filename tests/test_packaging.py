"""The build config ships every package and the top-level templates/ folder."""
from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "archiver").rglob("__init__.py")}
    assert on_disk <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(on_disk - listed)}"
    assert config["package-dir"]["archiver.templates"] == "templates"


def test_templates_are_found():
    from archiver.templating import environment, templates_dir
    assert templates_dir() == ROOT / "templates"
    assert environment().get_template("cards/_base.html")


def test_distribution_name_license_and_build_backend():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = config["project"]
    assert project["name"] != "archiver"          # taken on the package index by an unrelated project
    assert project["scripts"]["archiver"] == "archiver.cli:run"
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    setuptools = next(r for r in config["build-system"]["requires"] if r.startswith("setuptools"))
    assert int(setuptools.split(">=")[1].split(".")[0]) >= 77   # PEP 639 license expressions
