"""Import rules, read from the source with `ast` (every import statement, at any depth, counts):

  extraction (archiver.extract, archiver.embeds)  never imports fetch, store or capture
  rendering (archiver.render)                     never imports fetch or capture
  enrichment (archiver.enrich)                    never imports the store
  the library (all but archiver.cli)              never imports archiver.cli
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "archiver"

# (modules the rule is about, modules they must not import, why)
RULES = [
    (("archiver.extract", "archiver.embeds"), ("archiver.fetch", "archiver.store", "archiver.capture"),
     "extraction works on markup it is given"),
    (("archiver.render",), ("archiver.fetch", "archiver.capture"), "rendering never reaches the network"),
    (("archiver.enrich",), ("archiver.store",), "enrichment returns records; capture stores them"),
    (("archiver",), ("archiver.cli",), "the library never imports the command line"),
]
EXEMPT = {"archiver": ("archiver.cli", "archiver.__main__")}   # a rule's scope, less these (the CLI, and `python -m archiver`)


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> set[str]:
    """Every module an `import` or `from ... import` in the file names (relative ones resolved);
    for `from pkg import name`, both `pkg` and `pkg.name` (it may be a submodule)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def within(module: str, scope: str) -> bool:
    return module == scope or module.startswith(scope + ".")


def violations(sources: dict[str, set[str]]) -> list[str]:
    found = []
    for scopes, forbidden, why in RULES:
        for module, names in sorted(sources.items()):
            if not any(within(module, s) for s in scopes):
                continue
            if any(within(module, e) for s in scopes for e in EXEMPT.get(s, ())):
                continue
            for bad in sorted({f for f in forbidden for name in names if within(name, f)}):
                found.append(f"{module} imports {bad} ({why})")
    return found


def all_sources() -> dict[str, set[str]]:
    return {module_name(p): imported(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_the_codebase_keeps_the_import_rules():
    sources = all_sources()
    assert len(sources) > 50 and "archiver.embeds.twitter" in sources   # the walk found the package
    assert violations(sources) == []


@pytest.mark.parametrize("module, source, rule", [
    ("archiver.embeds.twitter", "from ..fetch import Fetcher", "extraction"),
    ("archiver.embeds._social", "from .. import store", "extraction"),
    ("archiver.extract.article", "import archiver.capture.pipeline", "extraction"),
    ("archiver.extract.css", "def f():\n    from ..store.archive import Store", "extraction"),
    ("archiver.render.page", "from ..capture import capture_page", "rendering"),
    ("archiver.render", "from ..fetch import Fetcher", "rendering"),
    ("archiver.enrich.oembed", "from ..store import Store", "enrichment"),
    ("archiver.enrich", "from archiver.store.schema import JSON_COLUMNS", "enrichment"),
    ("archiver.serve", "from .cli import main", "library"),
    ("archiver.bundle.verify", "from .. import cli", "library"),
])
def test_a_forbidden_import_is_caught(tmp_path, monkeypatch, module, source, rule):
    """The checker itself: a forbidden import planted in a copy of a module is reported."""
    parts = module.split(".")
    is_package = (PACKAGE.parent.joinpath(*parts) / "__init__.py").is_file()
    rel = Path(*parts[1:], "__init__.py") if is_package else Path(*parts[1:]).with_suffix(".py")
    fake = tmp_path / "archiver" / rel
    fake.parent.mkdir(parents=True, exist_ok=True)
    fake.write_text(source + "\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "archiver")
    found = violations({module: imported(fake)})
    assert len(found) == 1 and found[0].startswith(f"{module} imports ") and rule in found[0], found


def test_allowed_imports_are_not_reported():
    allowed = {
        "archiver.embeds.twitter": {"archiver.embeds.base", "bs4"},
        "archiver.render.page": {"archiver.store", "archiver.embeds", "archiver.extract.html"},
        "archiver.enrich": {"archiver.fetch", "archiver.model"},
        "archiver.cli.bundle_cmds": {"archiver.cli", "archiver.bundle.formats"},
        "archiver.capture.pipeline": {"archiver.fetch", "archiver.enrich", "archiver.model"},
    }
    assert violations(allowed) == []


def test_importing_capture_runs_nothing():
    """No import with side effects: the provider registry is filled only when asked (warm_up)."""
    code = ("import archiver.capture, archiver.cli\n"
            "from archiver import embeds\n"
            "assert embeds.providers.cache_info().currsize == 0, 'filled at import'\n"
            "from archiver.capture.engine import warm_up\n"
            "warm_up()\n"
            "assert embeds.providers.cache_info().currsize == 1\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=PACKAGE.parent)
