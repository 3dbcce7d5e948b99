"""Errors and logging at the CLI: an error a user can cause is one line and its exit code, decided
in one place; a warning (a provider bug, say) is one line; a traceback only with --debug."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from archiver import embeds
from archiver.bundle.formats import ExportError
from archiver.bundle.manifest import BundleError
from archiver.cli import browse_cmds, main
from archiver.errors import ArchiverError
from archiver.render import RenderError
from archiver.store import CorruptArchive, MissingArchive


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_error_a_user_can_cause_is_an_archiver_error():
    for cls in (RenderError, BundleError, ExportError, CorruptArchive, MissingArchive):
        assert issubclass(cls, ArchiverError), cls
    assert issubclass(MissingArchive, FileNotFoundError)   # library callers may catch it as such
    assert ArchiverError("two\n  lines").message == "two lines"


class UpsideDown(ArchiverError):
    exit_code = 3


@pytest.fixture
def failing_list(monkeypatch):
    def list_snapshots(*args, **kwargs):
        raise UpsideDown("the archive is\n  upside down")
    monkeypatch.setattr(browse_cmds.browse, "list_snapshots", list_snapshots)


def test_an_archiver_error_is_one_line_and_its_exit_code(failing_list, store, db_path):
    res = invoke("--db", str(db_path), "list")
    assert res.exit_code == 3
    assert res.stderr == "Error: the archive is upside down\n"
    res = invoke("--db", str(db_path), "--debug", "list")
    assert res.exit_code == 3
    assert "Traceback" in res.stderr and "UpsideDown" in res.stderr
    assert res.stderr.rstrip().endswith("Error: the archive is upside down")


def boom(doc, base_url):
    raise RuntimeError("provider bug")


@pytest.fixture
def broken_provider(monkeypatch):
    working = embeds.providers()
    broken = SimpleNamespace(key="boom", name="Boom", order=-1, find=boom, match_url=lambda url: None)
    monkeypatch.setattr(embeds, "providers", lambda: (broken, *working))


def test_a_provider_bug_is_one_warning_line(broken_provider, site, db_path):
    url = site.url_for("/site/article.html")
    res = invoke("--db", str(db_path), "archive", url, "--no-oembed", "-q")
    assert res.exit_code == 0, res.stderr
    assert "Traceback" not in res.stderr
    warnings = [line for line in res.stderr.splitlines() if "boom" in line]
    assert warnings == [f"warning: embed provider boom failed on {url} (RuntimeError: provider bug)"]
    assert all(line.startswith(("warning: ", "error: ")) for line in res.stderr.splitlines())


def test_with_debug_the_traceback_appears(broken_provider, site, db_path):
    url = site.url_for("/site/article.html")
    res = invoke("--db", str(db_path), "--debug", "archive", url, "--no-oembed", "-q")
    assert res.exit_code == 0, res.stderr
    assert f"warning: embed provider boom failed on {url}\nTraceback (most recent call last):" in res.stderr
    assert 'in boom\n    raise RuntimeError("provider bug")\nRuntimeError: provider bug' in res.stderr


def test_running_the_cli_twice_installs_one_handler(store, db_path):
    invoke("--db", str(db_path), "list")
    invoke("--db", str(db_path), "--debug", "list")
    invoke("--db", str(db_path), "list")
    ours = [h for h in logging.getLogger().handlers if type(h).__module__ == "archiver.cli"]
    assert len(ours) == 1 and ours[0].level == logging.WARNING
    assert logging.getLogger("archiver").level == logging.NOTSET
