"""Export formats as a registry: what `archiver export --format` offers comes from it, each format
writes its own file, and `--format html` is `render --single-file`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archiver.bundle.formats import ExportError, ExportOptions, export_format, export_formats
from archiver.cli import main
from archiver.store import Store
from bundle_helpers import make_archive


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    make_archive(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def run(db: Path, *args: str):
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def test_every_format_declares_what_the_cli_needs():
    formats = export_formats()
    assert list(formats) == ["zip", "html", "warc", "wacz"]
    for name, fmt in formats.items():
        assert fmt.name == name and fmt.suffix.startswith(".") and callable(fmt.export)
        assert fmt.help and "\n" not in fmt.help
    assert [name for name, fmt in formats.items() if fmt.one_snapshot] == ["html"]
    with pytest.raises(ExportError, match="unknown export format 'pdf' .known: zip, html, warc, wacz"):
        export_format("pdf")


def test_the_cli_offers_what_the_registry_has():
    res = CliRunner().invoke(main, ["export", "--help"])
    assert res.exit_code == 0
    text = " ".join(res.output.split())
    assert "[zip|html|warc|wacz]" in text and "[default: zip]" in text
    for fmt in export_formats().values():
        assert f"{fmt.name}: {fmt.help}" in text
    res = run(Path("unused.db"), "export", "1", "--format", "pdf")
    assert res.exit_code == 2 and "'pdf' is not one of" in res.stderr


def test_each_format_writes_its_default_file(archive: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for fmt in export_formats().values():
        res = run(archive, "export", "1", "--format", fmt.name, "--json", "-q")
        assert res.exit_code == 0, res.output
        summary = json.loads(res.stdout)
        assert summary["format"] == fmt.name and summary["path"] == f"snapshot-1{fmt.suffix}"
        assert summary["snapshots"] == 1 and Path(summary["path"]).stat().st_size == summary["bytes"] > 0


def test_the_library_calls_a_format_like_the_cli_does(archive: Path, tmp_path: Path) -> None:
    store = Store(archive)
    summary = export_format("warc").export(store, [1, 2], tmp_path / "x.warc.gz", ExportOptions())
    assert (summary.format, summary.snapshots, summary.path) == ("warc", 2, str(tmp_path / "x.warc.gz"))
    with pytest.raises(ExportError, match="exactly one snapshot"):
        export_format("html").export(store, [1, 2], tmp_path / "x.html", ExportOptions())
    assert not (tmp_path / "x.html").exists()
    store.close()


def test_export_html_is_render_single_file(archive: Path, tmp_path: Path) -> None:
    res = run(archive, "export", "1", "--format", "html", "-o", str(tmp_path / "exported.html"))
    assert res.exit_code == 0, res.output
    res = run(archive, "render", "1", "--single-file", "-o", str(tmp_path / "rendered.html"))
    assert res.exit_code == 0, res.output
    exported = (tmp_path / "exported.html").read_bytes()
    assert exported == (tmp_path / "rendered.html").read_bytes()
    assert exported.lstrip().lower().startswith(b"<!doctype html>") and b"Content-Security-Policy" in exported
    assert list(tmp_path.glob(".*.part")) == []     # written atomically: no temporary file left
    res = run(archive, "export", "9", "--format", "html", "-o", str(tmp_path / "none.html"))
    assert res.exit_code == 1 and res.stderr.strip() == "Error: no snapshot #9"
    assert not (tmp_path / "none.html").exists()
