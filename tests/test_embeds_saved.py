"""Pages saved after the platforms' scripts ran (SingleFile, "Save Page As", web archives): each post
counts once, with the facts of every copy of it in the page; widgets that are not posts stay out."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archiver.embeds import detect
from archiver.embeds._urls import unwrap_archived
from archiver.embeds.base import DERIVED, EMBED_PAGE, FALLBACK
from archiver.render import render_snapshot
from embed_helpers import by_url
from tests.render_helpers import save_page

FIXTURES = Path(__file__).parent / "fixtures" / "embeds" / "social"
URL = "https://news.example/2024/05/harbour-week.html"
TWEET = "https://x.com/harbourcouncil/status/1790000000000000123"


@pytest.fixture(scope="module")
def saved():
    return detect((FIXTURES / "saved_page.html").read_bytes(), URL)


def test_each_post_once_in_page_order_and_no_widget_is_a_post(saved):
    assert [(d.position, d.post.provider, d.post.post_url) for d in saved] == [
        (0, "twitter", TWEET),
        (1, "instagram", "https://www.instagram.com/p/Cx7QwErTy12/"),
        (2, "telegram", "https://t.me/harbourtimes/1204"),
        (3, "tiktok", "https://www.tiktok.com/@harbourferries/video/7368000000000000001"),
        (4, "youtube", "https://www.youtube.com/watch?v=ogfYd705cRs"),
        (5, "twitter", TWEET),      # embedded again further down, after more text: a second embed
    ]
    # not posts: follow/share buttons, the timeline frame, the profile frame, the ad frame
    assert all(d.post.kind not in ("timeline", "profile", "link") for d in saved)


def test_rendered_frame_and_original_blockquote_are_one_post_with_both_facts(saved):
    first = saved[0]
    post = first.post
    assert first.element.name == "div" and [t.name for t in first.also_remove] == ["blockquote"]
    assert (post.author_name, post.author_handle, post.text) == ("Harbour Council", "harbourcouncil",
                                                                  "The bridge reopens Monday.")
    assert post.avatar_url == "https://pbs.twimg.com/profile_images/1700000000/council_normal.jpg"
    assert post.sources["avatar_url"] == EMBED_PAGE            # from the frame SingleFile kept
    assert post.sources["post_url"] == EMBED_PAGE              # the saved frame names the author
    assert post.alternatives["post_url"] == {DERIVED: "https://x.com/i/status/1790000000000000123"}
    assert post.extra["copies"] == 2
    assert "twitter-tweet-rendered" in post.markup and "blockquote" in post.markup


def test_instagram_frame_and_blockquote_and_telegram_script_and_frame(saved):
    insta, telegram = saved[1].post, saved[2].post
    assert (insta.author_name, insta.author_handle) == ("Harbour Rowing Club", "harbourrowing")
    assert saved[1].element.name == "iframe" and [t.name for t in saved[1].also_remove] == ["blockquote"]
    assert saved[2].element.name == "script" and [t.name for t in saved[2].also_remove] == ["iframe"]
    assert telegram.author_handle == "harbourtimes" and telegram.extra["copies"] == 2


def test_the_same_post_further_down_is_a_second_embed_that_knows_the_facts(saved):
    again = saved[5].post
    assert saved[5].element is not saved[0].element
    assert (again.author_name, again.text) == ("Harbour Council", "The bridge reopens Monday.")
    assert "copies" not in again.extra


def test_markup_kept_in_a_data_attribute_is_the_wrappers_embed(saved):
    video = saved[4]
    assert video.element.name == "div" and "embed-privacy-container" in video.element["class"]
    assert "youtube-nocookie.com/embed/ogfYd705cRs" in video.post.markup


def test_a_saved_page_renders_one_card_per_post_and_drops_the_other_copy(store):
    html = (FIXTURES / "saved_page.html").read_text(encoding="utf-8")
    sid = save_page(store, html, url=URL)
    doc = BeautifulSoup(render_snapshot(store, sid).html, "lxml")
    cards = doc.find_all("article", class_="arc-card")
    assert [c["data-provider"] for c in cards] == ["twitter", "instagram", "telegram", "tiktok", "youtube", "twitter"]
    assert doc.find("blockquote", class_="twitter-tweet") is None
    assert doc.find("blockquote", class_="instagram-media") is None
    assert doc.find("iframe", id="telegram-post-harbourtimes-1204") is None


def test_copies_with_text_between_them_stay_apart():
    quote = ('<blockquote class="twitter-tweet"><p>Vote tonight.</p>&mdash; City Desk (@citydesk) '
             '<a href="https://twitter.com/citydesk/status/1813911801215958999">July 18, 2024</a></blockquote>')
    frame = '<iframe src="https://platform.twitter.com/embed/Tweet.html?id=1813911801215958999"></iframe>'
    side_by_side = detect(f"<p>Intro.</p>{frame}\n<p> </p>{quote}<p>Outro.</p>", URL)
    apart = detect(f"{frame}<p>The polls open at seven and close at nine, the city clerk said.</p>{quote}", URL)
    assert len(side_by_side) == 1 and side_by_side[0].post.author_name == "City Desk"
    assert len(apart) == 2 and apart[0].post.author_name == "City Desk"   # two embeds, the facts shared


def test_merging_keeps_the_better_value_and_the_other_aside():
    from archiver.embeds._copies import merge_post
    from archiver.embeds.base import Post

    frame = Post(provider="tiktok", post_url="https://www.tiktok.com/@a/video/7368000000000000001")
    frame.put("published_at", "2024-05-12T06:43:02Z", DERIVED)
    frame.put("post_id", "7368000000000000001", DERIVED)
    quote = Post(provider="tiktok", post_url="https://www.tiktok.com/@a/video/7368000000000000001/")
    quote.put("published_at", "2024-05-12", FALLBACK)               # a date only: the derived time stays
    quote.put("post_id", "7368000000000000001", FALLBACK)           # read from the markup: it wins
    quote.put("author_handle", "a", FALLBACK)
    merge_post(frame, quote)
    assert frame.published_at == "2024-05-12T06:43:02Z" and frame.alternatives["published_at"] == {FALLBACK: "2024-05-12"}
    assert frame.sources["post_id"] == FALLBACK and frame.author_handle == "a" and frame.extra["copies"] == 2


def test_a_saved_frame_is_known_by_its_document_unless_it_shows_many_posts():
    canonical = ('<iframe srcdoc="<html><head><link rel=canonical href=https://www.instagram.com/p/Cx7QwErTy12/>'
                 '</head><body><p>Rowers</p></body></html>"></iframe>')
    one_post = ('<iframe srcdoc="<html><body><a href=https://twitter.com/citydesk>City Desk</a>'
                '<a href=https://twitter.com/citydesk/status/1813911801215958999>July 18</a>'
                '<a href=https://twitter.com/citydesk/status/1813911801215958999>12 replies</a></body></html>"></iframe>')
    feed = ('<iframe srcdoc="<html><body>' + "".join(
        f'<a href=https://twitter.com/citydesk/status/18139118012159589{i:02d}>p</a>' for i in range(5))
        + '</body></html>"></iframe>')
    assert [d.post.post_url for d in detect(canonical, URL)] == ["https://www.instagram.com/p/Cx7QwErTy12/"]
    assert [d.post.post_url for d in detect(one_post, URL)] == ["https://x.com/citydesk/status/1813911801215958999"]
    assert detect(feed, URL) == []


def test_a_blob_of_markup_in_an_attribute_is_not_an_embed():
    blob = ('<div data-html="&lt;blockquote class=&quot;twitter-tweet&quot;&gt;&lt;a href=&quot;https://twitter.com/a/'
            'status/1813911801215958999&quot;&gt;x&lt;/a&gt;&lt;/blockquote&gt;&lt;blockquote class=&quot;twitter-tweet'
            '&quot;&gt;&lt;a href=&quot;https://twitter.com/b/status/1813911801215958000&quot;&gt;y&lt;/a&gt;'
            '&lt;/blockquote&gt;"></div><span data-embed="<iframe src=https://www.youtube.com/embed/ogfYd705cRs>"></span>')
    found = detect(blob, URL)
    assert [d.element.name for d in found] == ["span"]    # one embed in a data-* attribute counts, a blob does not


@pytest.mark.parametrize("wrapped, original", [
    ("https://web.archive.org/web/20240514093012if_/https://platform.twitter.com/embed/Tweet.html?id=1",
     "https://platform.twitter.com/embed/Tweet.html?id=1"),
    ("https://web.archive.org/web/20240514093012/http://www.instagram.com/p/Cx7QwErTy12/",
     "http://www.instagram.com/p/Cx7QwErTy12/"),
    ("https://news.example/web/20240514093012im_/https://pbs.twimg.com/media/a.jpg", "https://pbs.twimg.com/media/a.jpg"),
    ("https://wayback.archive-it.org/1234/20240514093012/https://t.me/harbourtimes/1204", "https://t.me/harbourtimes/1204"),
    ("https://archive.ph/o/AbCd1/https://twitter.com/a/status/1", "https://twitter.com/a/status/1"),
    ("https://news.example/o/AbCd1/https://twitter.com/a/status/1", "https://news.example/o/AbCd1/https://twitter.com/a/status/1"),
    ("https://web.archive.org/web/20240514093012*/news.example", "https://web.archive.org/web/20240514093012*/news.example"),
    ("https://news.example/web/2024/about", "https://news.example/web/2024/about"),
])
def test_web_archive_replay_urls_give_the_original(wrapped, original):
    assert unwrap_archived(wrapped) == original


def test_a_wayback_replay_is_read_like_the_page_it_replays():
    page = (FIXTURES.parent.parent.parent / "cases" / "twitter" / "wayback_replay.html").read_text(encoding="utf-8")
    found = detect(page, "https://web.archive.org/web/20240514093000/https://news.example/2024/05/story.html")
    assert len(found) == 1 and by_url(found, TWEET).post.author_name == "Harbour Council"


def test_a_replay_read_from_a_file_still_knows_its_links():
    quote = ('<blockquote class="twitter-tweet"><p>The bridge reopens Monday.</p>&mdash; Harbour Council '
             '(@harbourcouncil) <a href="/web/20240514093000/https://twitter.com/harbourcouncil/status/'
             '1790000000000000123?ref_src=twsrc%5Etfw">May 13, 2024</a></blockquote>')
    found = detect(quote, "file:///home/me/saved/harbour-week.html")
    assert [d.post.post_url for d in found] == [TWEET]


def test_a_sandboxed_srcdoc_frame_holding_an_embed_code_is_that_post():
    frame = ('<p>Before.</p><iframe class="embed-sandbox" sandbox="allow-scripts allow-popups" srcdoc="'
             '&lt;blockquote class=&quot;twitter-tweet&quot;&gt;&lt;p&gt;Vote tonight.&lt;/p&gt;&amp;mdash; City Desk '
             '(@citydesk) &lt;a href=&quot;https://twitter.com/citydesk/status/1813911801215958999&quot;&gt;July 18, 2024'
             '&lt;/a&gt;&lt;/blockquote&gt;&lt;script async src=&quot;https://platform.twitter.com/widgets.js&quot;&gt;'
             '&lt;/script&gt;"></iframe><p>After.</p>')
    found = detect(frame, URL)
    assert len(found) == 1 and found[0].element.name == "iframe"
    assert (found[0].post.author_name, found[0].post.text) == ("City Desk", "Vote tonight.")
