"""Comparing captures: `archiver diff`, `history` and `changes`, the web UI's history, diff and
post pages, and what cards say about a post found deleted later."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from archiver.diff import diff_snapshots, diff_text
from archiver.history import changes, history
from archiver.model import Resource
from archiver.render import render_card
from archiver.serve import create_app
from archiver.store.checks import add_check
from time_archive import PARAGRAPHS, TEXT, article, tweet

URL = "https://news.example.com/story"
REWRITTEN = "Supporters said night workers had waited a decade for a safe way home after midnight."


# ------------------------------------------------------------------------ text
def test_a_rewritten_paragraph_is_compared_word_by_word_and_the_others_are_not_listed():
    new = PARAGRAPHS[:1] + [REWRITTEN] + PARAGRAPHS[2:]
    (hunk,) = diff_text("\n".join(PARAGRAPHS), "\n".join(new))
    assert hunk.removed == ["shift", "years"] and hunk.added == ["night", "a decade"]
    assert ("=", "Supporters said") in hunk.segments and ("-", "shift") in hunk.segments


def test_whole_paragraphs_added_and_removed_and_a_moved_one_is_no_change():
    added = "A late addition: the mayor welcomed the vote."
    new = [PARAGRAPHS[0], PARAGRAPHS[3], PARAGRAPHS[2], added]     # 1 removed, 3 moved up, one added
    hunks = diff_text("\n".join(PARAGRAPHS), "\n".join(new))
    assert [t for h in hunks for t in h.removed] == [PARAGRAPHS[1]]
    assert [t for h in hunks for t in h.added] == [added]


def test_same_text_modulo_whitespace_is_no_change():
    assert diff_text("\n".join(PARAGRAPHS), "\n\n".join(p.replace(" ", "  ") for p in PARAGRAPHS)) == []


# ------------------------------------------------------------------------ snapshots
@pytest.fixture
def captures(store):
    """Two captures of URL: retitled, one paragraph rewritten, one post removed, one changed,
    one resource changed; and an unchanged pair of another URL."""
    photo = Resource(url="https://news.example.com/photo.jpg", kind="image", status_code=200,
                     content_type="image/jpeg", body=b"\xff\xd8\xff old")
    a = article(store, embeds=[tweet(1), tweet(2, position=1), tweet(3, position=2)], resources=[photo])
    photo2 = Resource(url=photo.url, kind="image", status_code=200, content_type="image/jpeg", body=b"\xff\xd8\xff new")
    b = article(store, title="Council backs night buses (updated)", captured_at="2024-05-08T10:00:00Z",
                paragraphs=PARAGRAPHS[:1] + [REWRITTEN] + PARAGRAPHS[2:], resources=[photo2],
                modified_at="2024-05-07T09:00:00Z",
                embeds=[tweet(1), tweet(3, text="The council scrapped the pilot", position=1)])
    c = article(store, url="https://news.example.com/other", embeds=[tweet(4)])
    d = article(store, url="https://news.example.com/other", embeds=[tweet(4)], captured_at="2024-05-08T10:00:00Z")
    return a, b, c, d


def test_diff_names_metadata_text_posts_and_resources(store, captures):
    a, b, _, _ = captures
    d = diff_snapshots(store, a, b).as_json()
    assert d["same"] is False and (d["a"], d["b"]) == (a, b)
    assert d["fields"] == {"title": {"a": "Council backs night buses", "b": "Council backs night buses (updated)"},
                           "modified_at": {"a": None, "b": "2024-05-07T09:00:00Z"}}
    assert d["text"] == {"removed": ["shift", "years"], "added": ["night", "a decade"]}
    assert d["embeds"]["removed"] == [{"post_url": tweet(2)["post_url"], "provider": "twitter"}]
    assert d["embeds"]["added"] == []
    (changed,) = d["embeds"]["changed"]
    assert changed["post_url"] == tweet(3)["post_url"]
    assert changed["fields"] == {"text": {"a": TEXT, "b": "The council scrapped the pilot"}}
    assert d["resources"] == {"added": 0, "removed": 0, "changed": 1}


def test_diff_names_a_post_the_platform_now_says_is_gone_and_nothing_for_no_answer(store, db_path, cli):
    """The fallback markup still holds the post's words when its platform answers "deleted": the
    status is what changed. "unchecked" (not asked, or no answer) is no verdict, so no change."""
    gone = tweet(1, status="deleted")
    gone["status_evidence"] = "twitter-oembed: HTTP 404"
    a = article(store, embeds=[tweet(1), tweet(2, position=1)])
    b = article(store, captured_at="2024-05-08T10:00:00Z", embeds=[gone, tweet(2, status="unchecked", position=1)])
    (changed,) = diff_snapshots(store, a, b).as_json()["embeds"]["changed"]
    assert changed["post_url"] == tweet(1)["post_url"]
    assert changed["fields"] == {"status": {"a": "ok", "b": "deleted", "evidence": "twitter-oembed: HTTP 404"}}
    human = cli("--db", str(db_path), "diff", str(a), str(b)).stdout
    assert f"post changed: {tweet(1)['post_url']} (status ok -> deleted)" in human
    assert tweet(2)["post_url"] not in human
    page = soup(create_app(db_path).test_client().get(f"/snapshots/{a}/diff/{b}"))
    assert page.select_one(".changes dd ins").get_text() == "deleted"
    assert "twitter-oembed: HTTP 404" in page.select_one(".changes dd").get_text()
    assert diff_snapshots(store, b, article(store, captured_at="2024-05-09T10:00:00Z",
                                            embeds=[tweet(1, status="unchecked"), tweet(2, position=1)])).same


def test_diff_compares_the_verdicts_each_capture_got_not_later_re_checks(store, captures):
    """A re-check moves a post's row on to its latest verdict; the diff still says what each
    capture found: here the post was there at both captures, and was found gone only later."""
    a, b, _, _ = captures
    embed = next(e for e in store.embeds(b) if e["post_url"] == tweet(1)["post_url"])
    _check(store, embed, "deleted", "2024-06-01T08:00:00Z")      # `archiver recheck --snapshot B`
    assert next(e for e in store.embeds(b) if e["id"] == embed["id"])["status"] == "deleted"
    changed = diff_snapshots(store, a, b).as_json()["embeds"]["changed"]
    assert tweet(1)["post_url"] not in [c["post_url"] for c in changed]


def test_cli_diff_exit_codes_and_json(store, db_path, captures, cli):
    a, b, c, d = captures
    result = cli("--db", str(db_path), "diff", str(a), str(b), "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["fields"]["title"]["b"].endswith("(updated)")
    result = cli("--db", str(db_path), "diff", str(c), str(d))
    assert result.exit_code == 0 and "say the same" in result.stdout
    assert json.loads(cli("--db", str(db_path), "diff", str(c), str(d), "--json").stdout)["same"] is True
    result = cli("--db", str(db_path), "diff", str(a), "999")
    assert result.exit_code == 2 and result.stderr.strip() == "Error: no snapshot 999 in the archive"
    result = cli("--db", str(db_path.parent / "none.db"), "diff", "1", "2")
    assert result.exit_code == 2 and not (db_path.parent / "none.db").exists()
    human = cli("--db", str(db_path), "diff", str(a), str(b)).stdout
    assert "[-shift-] {+night+}" in human and "post removed: " + tweet(2)["post_url"] in human
    assert PARAGRAPHS[0] not in human      # unchanged paragraphs are never shown


def test_history_lists_every_capture_with_its_changes(store, db_path, captures, cli):
    a, b, _, _ = captures
    entries = history(store, URL)
    assert [e.id for e in entries] == [a, b] and entries[0].changes is None
    assert entries[1].changes["posts_removed"] == 1 and entries[1].changes["words_added"] == 3
    out = json.loads(cli("--db", str(db_path), "history", URL, "--json").stdout)
    assert [(x["id"], x["title"]) for x in out] == [(a, "Council backs night buses"),
                                                   (b, "Council backs night buses (updated)")]
    text = cli("--db", str(db_path), "history", URL).stdout
    assert "first capture" in text and "1 post removed" in text
    result = cli("--db", str(db_path), "history", "https://nowhere.example/")
    assert result.exit_code == 1 and "no capture of" in result.stderr


def _check(store, embed: dict, status: str, when: str, changed=None) -> None:
    with store.transaction():
        add_check(store, {"embed_id": embed["id"], "snapshot_id": embed["snapshot_id"], "provider": "twitter",
                          "post_url": embed["post_url"], "checked_at": when, "status": status,
                          "previous": embed["status"], "changed": changed}, conclusive=status != "error")


def test_changes_lists_posts_found_gone_and_articles_that_differ(store, db_path, captures, cli):
    a, b, c, d = captures
    first, second, _ = store.embeds(a)
    _check(store, first, "ok", "2024-05-03T00:00:00Z")
    _check(store, second, "ok", "2024-05-03T00:00:00Z")
    _check(store, second, "deleted", "2024-05-09T00:00:00Z")
    _check(store, store.embeds(c)[0], "error", "2024-05-09T00:00:00Z")
    found = changes(store, "2024-05-04T00:00:00Z")
    assert [(p["post_url"], p["status"]) for p in found.posts] == [(second["post_url"], "deleted")]
    assert [(x["a"], x["b"]) for x in found.articles] == [(a, b)]
    assert changes(store, "2024-06-01T00:00:00Z").as_json() == {"since": "2024-06-01T00:00:00Z", "posts": [],
                                                                 "articles": []}
    out = cli("--db", str(db_path), "changes", "--since", "2024-05-04").stdout
    assert "deleted" in out and second["post_url"] in out and f"#{a} -> #{b}" in out
    as_json = json.loads(cli("--db", str(db_path), "changes", "--since", "2024-05-04", "--json").stdout)
    assert [p["status"] for p in as_json["posts"]] == ["deleted"] and as_json["articles"][0]["b"] == b
    assert cli("--db", str(db_path), "changes", "--since", "someday").exit_code == 2
    # the Datasette view of each post's status history, oldest first
    view = store._all("select post_url, status, article_url from post_status_history where post_url = ?",
                      [second["post_url"]])
    assert [(v["status"], v["article_url"]) for v in view] == [("ok", URL), ("deleted", URL)]


# ------------------------------------------------------------------------ web UI and cards
@pytest.fixture
def client(store, db_path, captures):
    return create_app(db_path).test_client()


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_the_diff_page_marks_removed_and_added_text(client, captures):
    a, b, c, d = captures
    page = soup(client.get(f"/snapshots/{a}/diff/{b}"))
    text = page.select_one(".diff-text")
    assert [x.get_text() for x in text.select(".hunk del")] == ["shift", "years"]
    assert [x.get_text() for x in text.select(".hunk ins")] == ["night", "a decade"]
    assert page.select_one("table.kv ins").get_text() == "Council backs night buses (updated)"
    assert tweet(2)["post_url"] in page.select_one(".diff-side").get_text()
    assert PARAGRAPHS[0] not in page.get_text()
    assert "say the same" in soup(client.get(f"/snapshots/{c}/diff/{d}")).get_text()
    assert client.get(f"/snapshots/{a}/diff/999").status_code == 404


def test_the_history_page_is_a_timeline_linking_the_diffs(client, captures):
    a, b, _, _ = captures
    page = soup(client.get("/history", query_string={"url": URL}))
    items = page.select(".timeline-item")
    assert len(items) == 2 and "first capture" in items[0].get_text()
    assert items[1].select_one(f'a[href="/snapshots/{a}/diff/{b}"]')
    assert "No capture" in soup(client.get("/history?url=https://nowhere.example/")).get_text()


def test_post_pages_show_checks_and_what_has_gone(store, client, captures):
    a, _, _, _ = captures
    first = store.embeds(a)[0]
    _check(store, first, "ok", "2026-03-03T08:00:00Z")
    _check(store, first, "deleted", "2026-03-09T08:00:00Z")
    info = soup(client.get(f"/snapshots/{a}/info"))
    assert "Gone since this capture" in info.select_one(".error.box").get_text()
    rows = info.select(f"#post-{first['id']} table.checks tbody tr")
    assert [r.select_one(".badge").get_text() for r in rows] == ["ok", "deleted"]
    posts = soup(client.get("/posts?status=deleted"))
    (card,) = posts.select(".arc-card")
    note = card.select_one(".arc-card__status").get_text(" ", strip=True)
    assert "deleted" in note and "Last seen 3 March 2026; found deleted 9 March 2026" in note
    assert len(soup(client.get("/posts?status=ok")).select(".arc-card")) == 6


def test_a_card_says_plainly_whether_the_platform_was_asked():
    unchecked = {**tweet(1, status="unchecked"), "id": 1, "snapshot_id": 1}
    checked = {**tweet(1, status="ok"), "id": 1, "snapshot_id": 1}
    text = lambda row: BeautifulSoup(str(render_card(row, asset_url=lambda s: None)), "html.parser")  # noqa: E731
    assert "not checked with" in text(unchecked).select_one(".arc-card__foot").get_text()
    assert "not checked" not in text(checked).select_one(".arc-card__foot").get_text()
    assert text(checked).select_one(".arc-card__seal").get_text() == "✓"
    assert text(unchecked).select_one(".arc-card__seal").get_text() != "✓"
