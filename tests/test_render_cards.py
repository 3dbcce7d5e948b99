"""Preserved cards from hand-built embed rows: every provider family, the minimal link-only
card, deleted posts, videos, audio, escaping of untrusted text, template fallback."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from archiver.render import render_card
from archiver import embeds
from archiver.render.cards import duration_text, family_of, human_date, initials, platform_of
from archiver.templating import environment

STORED = {"avatar1": "assets/avatar1.jpg", "img1": "assets/img1.jpg", "poster1": "assets/poster1.jpg"}


def asset_url(sha: str) -> str | None:
    return STORED.get(sha)


def card(row: dict, **kw) -> BeautifulSoup:
    html = render_card(row, asset_url=asset_url, **kw)
    doc = BeautifulSoup(str(html), "lxml")
    found = doc.find_all("article", class_="arc-card")
    assert len(found) == 1
    return found[0]


def full_row(provider: str) -> dict:
    return {"provider": provider, "kind": "post", "author_name": "Rosa Kowalski", "author_handle": "rosak",
            "author_url": "https://example.social/rosak", "avatar_sha256": "avatar1",
            "published_at": "2024-09-25T16:28:02Z", "text": "Harbour bridge vote tonight #localnews",
            "post_url": f"https://{provider}.example/post/1", "media": [{"sha256": "img1", "type": "image", "alt": "bridge"}],
            "sources": {"text": "fallback", "author_name": "oembed"}, "status": "ok"}


@pytest.mark.parametrize("provider", sorted(p.key for p in embeds.providers()))
def test_every_provider_gets_a_full_card_with_its_own_name(provider):
    c = card(full_row(provider), preserved_at="2025-01-02T03:04:05Z")
    text = c.get_text(" ", strip=True)
    assert c["data-provider"] == provider
    assert "Rosa Kowalski" in text
    assert embeds.provider(provider).name in text and platform_of(provider).name == embeds.provider(provider).name
    assert c.find("time")["datetime"] == "2024-09-25T16:28:02Z" and "25 September 2024" in c.find("time").get_text()
    assert c.find("a", href=f"https://{provider}.example/post/1") is not None
    assert "2 January 2025" in c.find(class_="arc-card__foot").get_text()
    assert "oEmbed" in c.find(class_="arc-card__foot").get_text()
    assert c.find("img", src="assets/avatar1.jpg") is not None
    assert c.find("img", src="assets/img1.jpg") is not None
    if provider not in ("spotify", "soundcloud"):
        assert "Harbour bridge vote tonight" in text


def test_post_text_is_escaped_and_links_kept():
    row = full_row("twitter") | {"text": None, "text_html": '<p>Hi <script>alert(1)</script><a href="https://x.com/hashtag/a" onclick="x()">#a</a>'
                                                       '<a href="javascript:alert(2)">bad</a><img src=x onerror=alert(3)></p>'}
    c = card(row)
    assert c.find("script") is None and c.find("img", src="x") is None
    assert c.find("a", href="https://x.com/hashtag/a").attrs == {"href": "https://x.com/hashtag/a"}
    assert "javascript:" not in str(c)
    plain = card(full_row("bluesky") | {"text": "<b>not bold</b> #tag"})
    assert plain.find("b") is None and "<b>not bold</b>" in plain.get_text()
    assert plain.find("a", href="https://bsky.app/hashtag/tag") is not None


def test_only_a_link_still_gets_a_tidy_card():
    c = card({"provider": "twitter", "kind": "post", "post_url": "https://twitter.com/i/status/123"})
    text = c.get_text(" ", strip=True)
    assert "Only a link" in text and "View on X (Twitter)" in text
    assert c.find(class_="arc-card__avatar") is None
    assert c.find("a", href="https://twitter.com/i/status/123") is not None
    empty = card({"provider": "generic", "kind": "link"})   # nothing at all
    assert "Embedded content" in empty.get_text()


def test_deleted_and_unavailable_posts_say_so():
    c = card(full_row("instagram") | {"status": "deleted"})
    assert c["data-status"] == "deleted"
    assert "deleted at Instagram" in c.find(class_="arc-card__status").get_text()
    assert "Harbour bridge" in c.get_text()
    gone = card({"provider": "facebook", "status": "unavailable", "post_url": "https://facebook.com/x/posts/1"})
    assert "no longer available on Facebook" in gone.get_text()
    assert "kept below" not in gone.get_text()


def test_video_card_has_poster_title_duration_and_play_link():
    row = {"provider": "youtube", "kind": "video", "title": "Council meeting highlights", "author_name": "City TV",
           "post_url": "https://www.youtube.com/watch?v=abcdefghijk", "extra": {"duration": 3725},
           "media": [{"sha256": "poster1", "type": "video-poster", "alt": ""}]}
    c = card(row)
    poster = c.find(class_="arc-card__poster")
    assert poster["href"] == "https://www.youtube.com/watch?v=abcdefghijk"
    assert poster.find("img")["src"] == "assets/poster1.jpg"
    assert c.find(class_="arc-card__duration").get_text() == "1:02:05"
    assert "Council meeting highlights" in c.get_text() and "Watch on YouTube" in c.get_text()
    no_poster = card(row | {"media": [{"sha256": "not-stored", "type": "video-poster"}]})
    assert no_poster.find(class_="arc-card__noposter") is not None and no_poster.find("img") is None


def test_audio_card_has_title_and_artist():
    row = {"provider": "spotify", "kind": "track", "title": "Harbour Lights", "extra": {"artist": "The Ledgers"},
           "post_url": "https://open.spotify.com/track/1", "media": [{"sha256": "img1", "type": "thumbnail"}]}
    c = card(row)
    assert c.find(class_="arc-card__ttitle").get_text() == "Harbour Lights"
    assert c.find(class_="arc-card__artist").get_text() == "The Ledgers"
    assert "Listen on Spotify" in c.get_text()
    sc = card({"provider": "soundcloud", "kind": "audio", "title": "Set", "author_name": "DJ"})
    assert sc.find(class_="arc-card__artist").get_text() == "DJ"


def test_unknown_or_hostile_provider_key_falls_back_to_generic():
    assert card({"provider": "newsite", "author_name": "A"})["data-provider"] == "newsite"
    assert "Embedded content" in card({"provider": "newsite", "author_name": "A"}).get_text()
    assert card({"provider": "../../etc/passwd", "author_name": "A"})["data-provider"] == "generic"


def test_non_web_urls_are_not_linked():
    c = card(full_row("twitter") | {"post_url": "javascript:alert(1)", "author_url": "data:text/html,x"})
    assert "javascript:" not in str(c) and "data:text" not in str(c)


def test_small_helpers():
    assert initials("Ada Lovelace", None) == "AL" and initials(None, "rosak") == "R" and initials(None, None) == "?"
    assert human_date("2024-02-03") == ("2024-02-03", "3 February 2024")
    assert human_date("2024-02-03T10:00:00+02:00") == ("2024-02-03T08:00:00Z", "3 February 2024, 08:00 UTC")
    assert human_date("yesterday") == (None, None)
    assert duration_text(59) == "0:59" and duration_text("bad") is None and duration_text(0) is None


def test_templates_are_chosen_by_provider_then_family_then_the_post_card():
    from archiver.render.cards import template_for
    env = environment()
    assert template_for("reddit", "post", env).name == "cards/reddit.html"        # its own
    assert template_for("vimeo", "video", env).name == "cards/video.html"         # its family's
    assert template_for("substack", "article", env).name == "cards/article.html"
    assert template_for("newsite", "photo", env).name == "cards/post.html"        # the shared card
    # the family comes from the provider (a YouTube playlist is still a video) or from the post's kind
    assert family_of("playlist", "youtube") == "video" and family_of("track", "spotify") == "audio"
    assert family_of("post", "wordpress") == "article" and family_of("photo", "flickr") == "photo"
    assert family_of("video", "newsite") == "video" and family_of("post", "newsite") == "post"
    # a video platform without a template of its own still gets the video layout
    c = card({"provider": "dailymotion", "kind": "video", "title": "Clip", "media": [{"sha256": "poster1"}],
              "post_url": "https://www.dailymotion.com/video/x8abc"})
    assert c.find(class_="arc-card__poster") is not None and "Watch on Dailymotion" in c.get_text()
