"""archiver.browse (list, search, posts) and the `list` / `search` commands."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from archiver import browse
from archiver.cli import main
from archiver.store import Store
from browse_archive import Archive, build


@pytest.fixture
def archive(tmp_path) -> Archive:
    return build(tmp_path / "a.db")


@pytest.fixture
def store(archive):
    st = Store(archive.path, create=False)
    yield st
    st.close()


def run(archive: Archive, *args: str):
    return CliRunner().invoke(main, ["--db", str(archive.path), *args])


# ------------------------------------------------------------------------------ list_snapshots
def test_list_is_newest_first_with_post_counts_and_status(store, archive):
    rows = browse.list_snapshots(store)
    assert [r.id for r in rows] == [archive.failed, archive.storm, archive.harbour, archive.tricky]
    by_id = {r.id: r for r in rows}
    assert by_id[archive.harbour].posts == 2 and by_id[archive.storm].posts == 1
    assert by_id[archive.harbour].title == "Council votes on harbour plan"
    assert by_id[archive.failed].status == "failed" and by_id[archive.failed].error == "connection refused"
    assert by_id[archive.harbour].status == "ok" and by_id[archive.harbour].domain == "news.example.com"


def test_domain_filter_matches_subdomains_but_not_lookalikes(store, archive):
    ids = [r.id for r in browse.list_snapshots(store, domain="example.com")]
    assert ids == [archive.storm, archive.harbour]          # not notexample.com
    assert [r.id for r in browse.list_snapshots(store, domain="NOTEXAMPLE.com")] == [archive.tricky]
    assert [r.id for r in browse.list_snapshots(store, domain="other.org")] == [archive.failed]
    assert browse.list_snapshots(store, domain="example.org") == []


def test_since_provider_failed_and_limit_filters(store, archive):
    assert [r.id for r in browse.list_snapshots(store, since="2024-06-01T00:00:00Z")] == [archive.failed, archive.storm]
    assert [r.id for r in browse.list_snapshots(store, provider="bluesky")] == [archive.harbour]
    assert [r.id for r in browse.list_snapshots(store, provider="mastodon")] == [archive.storm]
    assert [r.id for r in browse.list_snapshots(store, failed=True)] == [archive.failed]
    assert [r.id for r in browse.list_snapshots(store, limit=2)] == [archive.failed, archive.storm]
    assert [r.id for r in browse.list_snapshots(store, limit=2, offset=2)] == [archive.harbour, archive.tricky]
    both = browse.list_snapshots(store, domain="example.com", since="2024-06-01")
    assert [r.id for r in both] == [archive.storm]


@pytest.mark.parametrize("text, expected", [
    ("2024-05-01", "2024-05-01T00:00:00Z"),
    ("2024-05-01T10:30", "2024-05-01T10:30:00Z"),
    ("2024-05-01T10:30:00+02:00", "2024-05-01T08:30:00Z"),
    ("2024-05-01T10:30:00Z", "2024-05-01T10:30:00Z"),
    ("7d", "2024-06-03T12:00:00Z"),
    ("36h", "2024-06-09T00:00:00Z"),
    ("2w", "2024-05-27T12:00:00Z"),
])
def test_parse_since(text, expected):
    now = datetime(2024, 6, 10, 12, 0, tzinfo=timezone.utc)
    assert browse.parse_since(text, now=now) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2024-13-01", "7y", ""])
def test_parse_since_rejects_garbage(bad):
    with pytest.raises(ValueError):
        browse.parse_since(bad)


# ------------------------------------------------------------------------------ search
def test_search_finds_article_by_title_word_with_highlight(store, archive):
    hits = browse.search(store, "council")
    assert hits[0].matched == "article" and hits[0].snapshot_id == archive.harbour
    assert "**council**" in hits[0].snippet.lower()
    assert [text.lower() for text, is_match in hits[0].snippet_parts if is_match][0] == "council"


def test_search_finds_post_by_author_name_and_says_so(store, archive):
    hits = browse.search(store, "Grace")
    assert len(hits) == 1
    hit = hits[0]
    assert hit.matched == "post" and hit.provider == "bluesky" and hit.author_handle == "grace.bsky.social"
    assert hit.snapshot_id == archive.harbour and hit.title == "Council votes on harbour plan"
    assert hit.snippet.startswith("**Grace** Hopper — Compilers are translators") and hit.embed_id is not None


def test_search_by_handle_and_across_articles(store, archive):
    hits = browse.search(store, "ada")
    posts = {(h.snapshot_id, h.provider) for h in hits if h.matched == "post"}
    assert posts == {(archive.harbour, "twitter"), (archive.storm, "mastodon")}
    assert all(h.matched == "post" for h in hits)


def test_title_match_ranks_above_a_passing_mention(store, archive):
    articles = [h.snapshot_id for h in browse.search(store, "harbour") if h.matched == "article"]
    assert articles == [archive.harbour, archive.tricky]


def test_search_stems_phrases_and_prefixes(store, archive):
    assert {h.snapshot_id for h in browse.search(store, "voting")} == {archive.harbour}    # porter: vote
    assert [h.snapshot_id for h in browse.search(store, '"harbour plan"') if h.matched == "article"] == [archive.harbour]
    assert browse.search(store, '"plan harbour"') == []
    assert any(h.matched == "post" and h.provider == "bluesky" for h in browse.search(store, "compi*"))
    assert browse.search(store, "compi") == []           # without * a word must match whole
    assert browse.search(store, "storm closes") and browse.search(store, "storm nonexistentword") == []


@pytest.mark.parametrize("query", [
    '"', '""', '"unbalanced', "(", ")))", "harbour)", "-", "-harbour", "NOT", "harbour NOT", "AND OR",
    "NEAR(", "NEAR(harbour plan, 2)", "*", "harb**", "^harbour", "col:harbour", "title:harbour", "a\"b",
    "{title}: x", "'; drop table snapshots; --", "\x00", "\u202e", "😀", "   ", "",
])
def test_search_never_raises_on_fts_syntax(store, query):
    hits = browse.search(store, query)
    assert isinstance(hits, list)


def test_fts_syntax_characters_are_searched_as_text(store, archive):
    # "NEAR" and "AND" are words of the tricky title, not operators
    assert [h.snapshot_id for h in browse.search(store, "NEAR AND")] == [archive.tricky]
    assert [h.snapshot_id for h in browse.search(store, "title:harbour")] == []   # no column filter syntax
    assert browse.fts_query('x "y z" -w NEAR(') == '"x" "y z" "-w" "NEAR("'


def test_search_limit(store):
    assert len(browse.search(store, "harbour", limit=1)) == 1
    assert browse.search(store, "harbour", limit=0) == []


# ------------------------------------------------------------------------------ posts
def test_list_posts_filters_by_provider_and_author(store, archive):
    everything = browse.list_posts(store)
    assert len(everything) == 3
    by_ada = browse.list_posts(store, author="@ADA")
    assert [(p.snapshot_id, p.embed["provider"]) for p in by_ada] == [(archive.harbour, "twitter")]
    by_name = browse.list_posts(store, author="ada lovelace")
    assert {p.embed["provider"] for p in by_name} == {"twitter", "mastodon"}
    blue = browse.list_posts(store, provider="bluesky")
    assert [p.embed["author_name"] for p in blue] == ["Grace Hopper"]
    assert blue[0].article_title == "Council votes on harbour plan"
    assert isinstance(blue[0].embed["sources"], dict)       # decoded like Store.embeds()


def test_facets(store):
    assert {(f.value, f.count) for f in browse.provider_facets(store)} == {("twitter", 1), ("bluesky", 1),
                                                                           ("mastodon", 1)}
    assert [f.value for f in browse.author_facets(store, provider="bluesky")] == ["grace.bsky.social"]
    assert {f.value for f in browse.domain_facets(store)} == {"news.example.com", "www.example.com",
                                                              "blog.other.org", "notexample.com"}


# ------------------------------------------------------------------------------ CLI
def test_cli_list_json(archive):
    result = run(archive, "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == [archive.failed, archive.storm, archive.harbour, archive.tricky]
    harbour = next(r for r in rows if r["id"] == archive.harbour)
    assert harbour["title"] == "Council votes on harbour plan" and harbour["posts"] == 2
    assert harbour["captured_at"] == "2024-05-01T10:00:00Z" and harbour["status"] == "ok"


@pytest.mark.parametrize("args, expected", [
    (["--domain", "example.com"], ["storm", "harbour"]),
    (["--since", "2024-06-01"], ["failed", "storm"]),
    (["--provider", "twitter"], ["harbour"]),
    (["--failed"], ["failed"]),
    (["--limit", "1"], ["failed"]),
    (["--limit", "0"], ["failed", "storm", "harbour", "tricky"]),
])
def test_cli_list_filters(archive, args, expected):
    result = run(archive, "list", "--json", *args)
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in json.loads(result.stdout)] == [getattr(archive, name) for name in expected]


def test_cli_list_table(archive):
    result = run(archive, "list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "CAPTURED", "POSTS", "STATUS"]
    harbour_line = next(line for line in lines if "Council votes on harbour plan" in line)
    assert harbour_line.split()[0] == str(archive.harbour) and " 2 " in harbour_line
    assert any("connection refused" in line for line in lines)


def test_cli_list_usage_errors_exit_2(archive):
    for args in (["--since", "last tuesday"], ["--limit", "-1"], ["--limit", "many"]):
        result = run(archive, "list", *args)
        assert result.exit_code == 2, (args, result.output)
    assert "not a date" in run(archive, "list", "--since", "soon").output


def test_cli_on_missing_archive_exits_1_and_creates_nothing(tmp_path):
    db = tmp_path / "none.db"
    for args in (["list"], ["search", "x"], ["serve", "--get", "/"]):
        result = CliRunner().invoke(main, ["--db", str(db), *args])
        assert result.exit_code == 1 and "no archive" in result.output
        assert "Traceback" not in result.output
    assert not db.exists()


def test_cli_on_a_file_that_is_not_an_archive_exits_1(tmp_path):
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    before = bogus.read_bytes()
    result = CliRunner().invoke(main, ["--db", str(bogus), "list"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert bogus.read_bytes() == before


def test_cli_search_json(archive):
    result = run(archive, "search", "Grace", "--json")
    assert result.exit_code == 0, result.output
    [hit] = json.loads(result.stdout)
    assert hit["matched"] == "post" and hit["author_name"] == "Grace Hopper"
    assert hit["snapshot_id"] == archive.harbour and "**Grace**" in hit["snippet"]
    articles = json.loads(run(archive, "search", "council", "--json").stdout)
    assert articles[0]["matched"] == "article" and "author_name" not in articles[0]


def test_cli_search_text_output(archive):
    result = run(archive, "search", "harbour", "--limit", "2")
    assert result.exit_code == 0
    assert f"#{archive.harbour}  article: Council votes on harbour plan" in result.stdout
    assert "harbour" in result.stdout


def test_cli_search_no_match_and_hostile_queries(archive):
    result = run(archive, "search", "zzzqqq")
    assert result.exit_code == 0 and "No matches" in result.output
    for q in ['"', "NEAR(", "-", "((a"]:
        result = run(archive, "search", q, "--json")
        assert result.exit_code == 0, (q, result.output)
        assert isinstance(json.loads(result.stdout), list)
    assert run(archive, "search").exit_code == 2


# ------------------------------------------------------------------------------ Datasette / sqlite-utils
def test_full_text_search_is_configured_the_sqlite_utils_way(archive):
    from sqlite_utils import Database
    db = Database(archive.path)
    assert db["snapshots"].detect_fts() == "snapshots_fts"
    assert db["embeds"].detect_fts() == "embeds_fts"
    assert [r["id"] for r in db["snapshots"].search("council")] == [archive.harbour]
    assert [r["author_name"] for r in db["embeds"].search("compilers")] == ["Grace Hopper"]
    db.close()


def test_views_join_posts_with_their_article(archive):
    from sqlite_utils import Database
    db = Database(archive.path)
    assert {"posts_with_articles", "snapshot_summary", "post_authors"} <= set(db.view_names())
    posts = list(db["posts_with_articles"].rows_where("provider = ?", ["bluesky"]))
    assert [(p["author_name"], p["article_title"], p["snapshot_id"]) for p in posts] == [
        ("Grace Hopper", "Council votes on harbour plan", archive.harbour)]
    summary = {r["id"]: r for r in db["snapshot_summary"].rows}
    assert summary[archive.harbour]["posts"] == 2 and summary[archive.harbour]["resources"] == 3
    assert summary[archive.harbour]["resource_bytes"] > 0
    assert summary[archive.failed]["status"] == "failed"
    authors = {(r["provider"], r["author_handle"]): r for r in db["post_authors"].rows}
    assert authors[("twitter", "ada")]["posts"] == 1 and authors[("twitter", "ada")]["author_name"] == "Ada Lovelace"
    assert len(authors) == 3
    db.close()
