"""`archiver archive` and `archiver show` through the CLI: exit codes, inputs, output."""
from __future__ import annotations

import json


def test_usage_errors_exit_2(cli, db_path):
    assert cli("--db", str(db_path), "archive").exit_code == 2
    assert cli("--db", str(db_path), "archive", "--concurrency", "0", "http://x").exit_code == 2
    assert cli("--db", str(db_path), "archive", "--bogus").exit_code == 2
    assert not db_path.exists() or cli("--db", str(db_path), "list").exit_code != 2


def test_bad_urls_one_line_each_and_exit_1(cli, db_path):
    res = cli("--db", str(db_path), "archive", "ftp://example.org/x", "javascript:alert(1)", "example.com",
              "file:///etc/passwd")
    assert res.exit_code == 1
    errors = [line for line in res.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 4
    assert "unsupported scheme ftp" in errors[0] and "no scheme" in errors[2]
    assert "Traceback" not in res.output + res.stderr


def test_urls_from_file_and_stdin(site, cli, db_path, tmp_path):
    url = site.url_for("/site/article.html")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# my reading list\n\n{url}\n")
    res = cli("--db", str(db_path), "archive", "-q", "-i", str(listing))
    assert res.exit_code == 0, res.stderr
    res = cli("--db", str(db_path), "archive", "-q", "--json", "-i", "-", input=url + "\n")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["id"] == 2


def test_progress_on_stderr_and_quiet(site, cli, db_path):
    url = site.url_for("/site/article.html")
    loud = cli("--db", str(db_path), "archive", url)
    assert loud.exit_code == 0 and loud.stdout == ""
    assert f"archived {url} -> #1" in loud.stderr
    quiet = cli("--db", str(db_path), "archive", "-q", url)
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_no_assets_stores_only_the_page(site, cli, db_path, store):
    res = cli("--db", str(db_path), "archive", "-q", "--json", "--no-assets", site.url_for("/site/article.html"))
    assert json.loads(res.stdout)["resources"] == 0
    assert store.resources(1) == []


def test_archive_db_env_var(site, cli, tmp_path, monkeypatch):
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("ARCHIVER_DB", str(target))
    from click.testing import CliRunner
    from archiver.cli import main
    res = CliRunner().invoke(main, ["archive", "-q", site.url_for("/site/article.html")])
    assert res.exit_code == 0 and target.exists()


def test_show_text_and_json(site, cli, db_path):
    cli("--db", str(db_path), "archive", "-q", site.url_for("/site/article.html"))
    text = cli("--db", str(db_path), "show", "1")
    assert text.exit_code == 0
    assert "Harbour bridge plan approved" in text.stdout and "resources: 31 stored" in text.stdout
    data = json.loads(cli("--db", str(db_path), "show", "1", "--json").stdout)
    assert data["snapshot"]["title"] == "Harbour bridge plan approved"
    assert data["resources"]["stored"] == 31 and data["resources"]["by_kind"]["lazy-image"] == 5


def test_show_unknown_id_and_missing_db(cli, db_path, tmp_path):
    res = cli("--db", str(tmp_path / "none.db"), "show", "1")
    assert res.exit_code == 1 and "no archive at" in res.stderr
    assert not (tmp_path / "none.db").exists()


def test_corrupt_database_is_a_clear_error(cli, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    res = cli("--db", str(bad), "archive", "http://127.0.0.1:9/")
    assert res.exit_code == 1 and "not a usable archive" in res.stderr
    assert bad.read_bytes() == b"this is not sqlite" * 100
