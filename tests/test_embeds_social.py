"""Social-platform embed providers, over fixture pages in the variants the web really has."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.embeds import detect, provider
from archiver.embeds.base import DERIVED, FALLBACK
from embed_helpers import by_url, posts

FIXTURES = Path(__file__).parent / "fixtures" / "embeds" / "social"
BASE = "https://news.example/2024/article.html"


def found(name: str):
    return detect((FIXTURES / name).read_bytes(), BASE)


@pytest.fixture(scope="module")
def twitter():
    return found("twitter.html")


@pytest.fixture(scope="module")
def facebook():
    return found("facebook.html")


@pytest.fixture(scope="module")
def instagram():
    return found("instagram.html")


@pytest.fixture(scope="module")
def others():
    return found("others.html")


# --- X ---------------------------------------------------------------------------------------------

def test_twitter_finds_every_variant_once(twitter):
    assert [d.post.provider for d in twitter] == ["twitter"] * 10
    assert [d.position for d in twitter] == list(range(10))
    assert [d.element.name for d in twitter] == ["blockquote", "blockquote", "blockquote", "amp-twitter", "div",
                                                 "iframe", "blockquote", "a", "blockquote", "iframe"]


def test_twitter_fallback_fields(twitter):
    post = by_url(twitter, "https://x.com/meteolyon/status/1813911801215958881").post
    assert post.post_url == "https://x.com/meteolyon/status/1813911801215958881"
    assert post.post_url_original.startswith("https://twitter.com/meteolyon/status/1813911801215958881?ref_src=")
    assert (post.author_name, post.author_handle, post.author_url) == ("Météo Lyon", "meteolyon", "https://x.com/meteolyon")
    assert post.published_at == "2024-07-18T12:20:48Z" and post.sources["published_at"] == DERIVED
    assert post.date_text == "July 18, 2024" and post.sources["date_text"] == FALLBACK
    # the text stops before the byline, keeps links, drops the pic.twitter.com media link
    assert post.text == "Rain all week in #Lyon, read https://t.co/AbCdEf"
    assert '<a href="https://twitter.com/hashtag/Lyon?src=hash&amp;ref_src=twsrc%5Etfw">#Lyon</a>' in post.text_html
    assert "pic.twitter.com" not in post.text_html and "Météo Lyon" not in post.text
    assert post.extra["media_links"] == ["https://t.co/5as3tsVQqH"]
    assert post.markup.startswith('<blockquote class="twitter-tweet"') and "widgets.js" not in post.markup


def test_twitter_messy_forms(twitter):
    empty, nested = posts(twitter, "https://x.com/i/status/1794487723430062898",
                          "https://x.com/jdupont/status/1862206879057426538")
    assert empty.post_url == "https://x.com/i/status/1794487723430062898" and empty.text is None
    assert empty.published_at == "2024-05-25T21:56:27Z"
    assert nested.post_url == "https://x.com/jdupont/status/1862206879057426538"
    assert nested.post_url_original.startswith("https://mobile.twitter.com/jdupont/statuses/")
    assert (nested.author_name, nested.text, nested.date_text) == ("Jeanne Dupont", "Bonjour à tous", "28 novembre 2024")


def test_twitter_amp_rendered_video_timeline_wordpress_lazy(twitter):
    amp, rendered, old_rendered, video, timeline, wordpress, lazy = posts(
        twitter, "https://x.com/scastillo79/status/1754389993633845161", "https://x.com/i/status/1787163896539019585",
        "https://x.com/i/status/1838978780611657405", "https://x.com/NASA/status/1720000000000000000",
        "https://x.com/lemondefr", "https://x.com/citydesk/status/1813911801215958999",
        "https://x.com/i/status/1720000000000000123")
    assert amp.author_handle == "scastillo79" and amp.text == "Port study delayed again."
    assert rendered.post_id == "1787163896539019585" and rendered.published_at == "2024-05-05T16:54:11Z"
    assert old_rendered.post_id == "1838978780611657405"
    assert video.kind == "video" and video.post_url == "https://x.com/NASA/status/1720000000000000000"
    assert timeline.kind == "timeline" and timeline.post_url == "https://x.com/lemondefr"
    assert timeline.title == "Tweets by lemondefr"
    assert wordpress.author_name == "City Desk"
    assert by_url(twitter, wordpress.post_url).element.find_parent("figure") is not None   # the figcaption stays
    lazy_element = by_url(twitter, lazy.post_url).element
    assert lazy.post_id == "1720000000000000123" and lazy_element.name == "iframe"
    assert lazy_element.get("data-src")                                # the lazy one, not its noscript copy


# --- Facebook --------------------------------------------------------------------------------------

FACEBOOK = [  # in page order
    "https://www.facebook.com/BuzzFeedNews/videos/1935280923389392/",
    "https://www.facebook.com/lemonde.fr/posts/10153285466012590",
    "https://www.facebook.com/NASA/posts/10159000000000001",
    "https://www.facebook.com/permalink.php?story_fbid=1234567890&id=100001",
    "https://www.facebook.com/20531316728/posts/10154009990506729/",
    "https://www.facebook.com/zuck/videos/10102509264909801/",
    "https://www.facebook.com/cnn/posts/10160000000000002",
    "https://www.facebook.com/nasaearth/videos/10155187938052139",
    "https://www.facebook.com/lemonde.fr",
    "https://www.facebook.com/watch/?v=10152463995718937",
]


def test_facebook_finds_every_variant_once_in_page_order(facebook):
    assert [d.post.post_url for d in facebook] == FACEBOOK
    assert [d.position for d in facebook] == list(range(len(FACEBOOK)))


def test_facebook_seed_video_fallback(facebook):
    det = by_url(facebook, FACEBOOK[0])
    post = det.post
    assert det.element.name == "div" and "fb-video" in det.element["class"]
    assert post.kind == "video"
    assert post.title == "A North Korean soldier is seen defecting across the border"
    assert post.text == "This dramatic video shows the moment a North Korean soldier defected to the South"
    assert post.author_name == "BuzzFeed News"
    assert post.author_url == "https://www.facebook.com/BuzzFeedNews/" and post.sources["author_url"] == FALLBACK
    assert post.published_at == "2017-11-22" and post.date_text == "Wednesday, 22 November 2017"
    assert post.post_id == "1935280923389392"


def test_facebook_french_developers_and_german_codes(facebook):
    fr, bare, old = posts(facebook, *FACEBOOK[1:4])
    assert fr.post_url == "https://www.facebook.com/lemonde.fr/posts/10153285466012590"
    assert "developers.facebook.com" in fr.post_url_original
    assert (fr.author_name, fr.published_at, fr.date_text) == ("Le Monde", "2015-08-27", "jeudi 27 août 2015")
    assert fr.text == "Le récit de la journée, en direct #paris" and fr.title is None
    assert by_url(facebook, bare.post_url).element.name == "blockquote"
    assert bare.author_name == "NASA - National Aeronautics and Space Administration" and bare.published_at == "2020-05-30"
    assert old.post_url == "https://www.facebook.com/permalink.php?story_fbid=1234567890&id=100001"
    assert (old.post_id, old.author_name, old.published_at) == ("1234567890", "Jane Roe", "2014-03-03")


def test_facebook_iframes_rendered_amp_page_legacy(facebook):
    kinds = [(by_url(facebook, url).element.name, by_url(facebook, url).post.kind, url) for url in FACEBOOK[4:]]
    assert kinds == [
        ("iframe", "post", "https://www.facebook.com/20531316728/posts/10154009990506729/"),
        ("iframe", "video", "https://www.facebook.com/zuck/videos/10102509264909801/"),
        ("div", "post", "https://www.facebook.com/cnn/posts/10160000000000002"),
        ("amp-facebook", "video", "https://www.facebook.com/nasaearth/videos/10155187938052139"),
        ("div", "profile", "https://www.facebook.com/lemonde.fr"),
        ("iframe", "video", "https://www.facebook.com/watch/?v=10152463995718937"),
    ]
    assert by_url(facebook, FACEBOOK[4]).element.get("data-lazy-src")   # noscript copy counted once
    assert by_url(facebook, "https://www.facebook.com/lemonde.fr").post.author_name == "Le Monde"
    assert len(facebook) == 10


# --- Instagram -------------------------------------------------------------------------------------

INSTAGRAM = [  # in page order
    "https://www.instagram.com/p/C1a2b3c4d5E/", "https://www.instagram.com/p/B-z0x1yHk2Q/",
    "https://www.instagram.com/reel/C7xYz12AbCd/", "https://www.instagram.com/p/CxYz987wvU6/",
    "https://www.instagram.com/p/DAbc123xyz0/", "https://www.instagram.com/p/fBwFP/",
]


def test_instagram_finds_every_variant_once_in_page_order(instagram):
    assert [d.post.post_url for d in instagram] == INSTAGRAM


def test_instagram_v14_and_older_codes(instagram):
    v14, old, reel = posts(instagram, *INSTAGRAM[:3])
    assert v14.post_url == "https://www.instagram.com/p/C1a2b3c4d5E/"
    assert "igsh=" in v14.post_url_original
    assert (v14.author_name, v14.author_handle) == ("The New York Times", "nytimes")
    assert v14.text is None and v14.published_at is None
    assert (old.author_name, old.author_handle, old.author_url) == ("NASA", "nasa", "https://www.instagram.com/nasa/")
    assert old.published_at == "2020-04-10T18:47:00Z" and old.date_text == "Apr 10, 2020 at 11:47am PDT"
    assert old.text.startswith("Stay home, look up") and "#stayhome" in old.text
    assert [(m.url, m.alt) for m in old.media] == [("https://scontent.cdninstagram.com/v/t51/emoji.png", "🌙")]
    assert reel.kind == "video" and reel.post_url == "https://www.instagram.com/reel/C7xYz12AbCd/"
    assert (reel.author_name, reel.author_handle) == ("Musée du Louvre", "museelouvre")


def test_instagram_rendered_iframe_and_amp(instagram):
    assert [(by_url(instagram, url).element.name, by_url(instagram, url).post.post_id) for url in INSTAGRAM[3:]] == [
        ("iframe", "CxYz987wvU6"), ("figure", "DAbc123xyz0"), ("amp-instagram", "fBwFP")]


# --- the other platforms ---------------------------------------------------------------------------

def by_provider(dets, key):
    return [d.post for d in dets if d.post.provider == key]


OTHERS = [  # in page order
    ("threads", "https://www.threads.com/@zuck/post/C8mZ3yZvG0p"),
    ("tiktok", "https://www.tiktok.com/@scout2015/video/6718335390845095173"),
    ("tiktok", "https://www.tiktok.com/@/video/7407479890546102988"),
    ("tiktok", "https://www.tiktok.com/@/video/7422538559315224565"),
    ("tiktok", "https://www.tiktok.com/@hrossi65/video/7428135766506023606"),
    ("bluesky", "https://bsky.app/profile/bsky.app/post/3l33vj4wwbea7"),
    ("bluesky", "https://bsky.app/profile/hanako.bsky.social/post/3mavlwah5a227"),
    ("bluesky", "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3kkw5eshm2ktd"),
    ("mastodon", "https://mastodon.social/@Gargron/113385386437045123"),
    ("mastodon", "https://fosstodon.org/@alice/112233445566778899"),
    ("reddit", "https://www.reddit.com/r/aww/comments/1cabc12/my_cat_learned_to_open_doors/"),
    ("reddit", "https://www.reddit.com/r/aww/comments/1cabc12/comment/l0xyz99/"),
    ("reddit", "https://www.reddit.com/r/news/comments/6n0b9a/city_council_votes/"),
    ("reddit", "https://www.reddit.com/r/pics/comments/92dd8/test_post/"),
    ("reddit", "https://www.reddit.com/r/me_irl/comments/52rmir/me_irl/"),
    ("linkedin", "https://www.linkedin.com/feed/update/urn:li:share:7123456789012345678/"),
    ("tumblr", "https://www.tumblr.com/staff/171412519958/new-features"),
    ("pinterest", "https://www.pinterest.com/pin/99360735500167749/"),
    ("pinterest", "https://www.pinterest.com/pinterest/official-news/"),
    ("imgur", "https://imgur.com/a/Dy3T1"),
    ("imgur", "https://imgur.com/Wf2mXkQ"),
    ("telegram", "https://t.me/durov/43"),
]


def others_of(others, key):
    return posts(others, *(url for k, url in OTHERS if k == key))


def test_the_other_platforms_each_found_once_in_page_order(others):
    assert [(d.post.provider, d.post.post_url) for d in others] == OTHERS


def test_threads_and_mastodon(others):
    (threads,) = by_provider(others, "threads")
    assert threads.post_url == "https://www.threads.com/@zuck/post/C8mZ3yZvG0p" and threads.author_handle == "zuck"
    blockquote, iframe = others_of(others, "mastodon")
    assert blockquote.post_url == "https://mastodon.social/@Gargron/113385386437045123"
    assert blockquote.author_handle == "Gargron@mastodon.social"
    assert iframe.post_url == "https://fosstodon.org/@alice/112233445566778899"


def test_tiktok(others):
    quote, player, legacy, amp = others_of(others, "tiktok")
    assert quote.post_url == "https://www.tiktok.com/@scout2015/video/6718335390845095173"
    assert quote.author_handle == "scout2015" and quote.author_name is None
    assert quote.text == "Scramble up ur name & I’ll try to guess it #foryoupage"
    assert quote.extra["sound"] == "original sound - Scout"
    assert quote.published_at == "2019-07-27T13:32:33Z" and quote.sources["published_at"] == DERIVED
    assert player.post_id == "7407479890546102988" and legacy.post_id == "7422538559315224565"
    assert amp.author_handle == "hrossi65"


def test_bluesky(others):
    english, japanese, rendered = others_of(others, "bluesky")
    # the handle form people share; the DID form (stable across handle changes) is kept too
    assert english.post_url == "https://bsky.app/profile/bsky.app/post/3l33vj4wwbea7"
    assert english.extra["did_url"] == "https://bsky.app/profile/did:plc:z72i7hdynmk6r22z27h6tvur/post/3l33vj4wwbea7"
    assert (english.author_name, english.author_handle) == ("Bluesky", "bsky.app")
    assert english.text == "Trees for the riverside park #community"      # "[image or embed]" dropped
    assert english.extra["media_omitted"] is True
    assert english.published_at == "2024-09-01T13:33:21Z" and english.date_text == "September 1, 2024 at 1:33 PM"
    assert (japanese.author_name, japanese.author_handle) == ("山田花子", "hanako.bsky.social")
    assert japanese.date_text == "2025年12月27日 0:23"
    assert japanese.published_at == "2025-12-26T15:23:07Z"                # from the TID (UTC)
    assert japanese.alternatives["published_at"][FALLBACK] == "2025-12-27"  # the text, in the writer's zone
    assert rendered.post_id == "3kkw5eshm2ktd"


def test_reddit(others):
    post, comment, card, iframe, amp = others_of(others, "reddit")
    assert post.title == "My cat learned to open doors" and post.author_handle == "catlover42"
    assert post.published_at is None and post.extra["embed_created"].startswith("2024-05-01")
    assert comment.extra["comment"] is True and comment.post_id == "l0xyz99" and comment.author_handle == "bob"
    assert card.post_url == "https://www.reddit.com/r/news/comments/6n0b9a/city_council_votes/"
    assert iframe.post_id == "92dd8" and amp.post_id == "52rmir"


def test_linkedin_tumblr_pinterest_imgur_telegram(others):
    (linkedin,) = by_provider(others, "linkedin")
    assert linkedin.post_url == "https://www.linkedin.com/feed/update/urn:li:share:7123456789012345678/"
    (tumblr,) = by_provider(others, "tumblr")
    assert tumblr.post_url == "https://www.tumblr.com/staff/171412519958/new-features" and tumblr.title is None
    assert len(by_provider(others, "pinterest")) == 2                    # the save button is not one
    pin, board = others_of(others, "pinterest")
    assert (pin.kind, pin.post_id) == ("photo", "99360735500167749") and board.kind == "link"
    album, image = others_of(others, "imgur")
    assert album.post_url == "https://imgur.com/a/Dy3T1" and album.title == "Cats of the week"
    assert image.post_url == "https://imgur.com/Wf2mXkQ" and image.title is None
    (telegram,) = by_provider(others, "telegram")                       # the login widget is not one
    assert telegram.post_url == "https://t.me/durov/43" and telegram.author_handle == "durov"
    assert next(d for d in others if d.post is telegram).element.name == "script"


# --- decoys, order, duplicates ---------------------------------------------------------------------

def test_decoys_yield_nothing():
    assert found("decoys.html") == []


def test_positions_follow_the_page_and_a_post_twice_is_two_embeds():
    dets = found("mixed.html")
    assert [(d.position, d.post.provider) for d in dets] == [
        (0, "bluesky"), (1, "twitter"), (2, "facebook"), (3, "twitter"), (4, "telegram"), (5, "instagram")]
    assert dets[1].post.post_url == dets[3].post.post_url
    assert dets[1].element is not dets[3].element
    assert dets[3].post.post_url_original == "https://x.com/citydesk/status/1813911801215958999"


def test_bench_article_matches_its_manifest():
    expected = json.loads((FIXTURES / "bench_article_4.expected.json").read_text())
    dets = [d for d in detect((FIXTURES / "bench_article_4.html").read_bytes(), expected["url"])
            if d.post.provider != "youtube"]
    social = [e for e in expected["embeds"] if e["provider"] != "youtube"]
    assert [d.post.post_id for d in dets] == [e["id"] for e in social]     # the manifest's URLs are as shared
    by_id = {d.post.post_id: d.post for d in dets}
    for exp in social:
        post = by_id[exp["id"]]
        assert post.provider == exp["provider"].split("-")[0]
        assert post.post_id == exp["id"]
        assert post.author_name == exp["author"]
        assert post.author_handle.split(".")[0] == exp["handle"]
        if exp["text_in_page"]:
            assert post.text == exp["text"]
        if post.provider in ("twitter", "bluesky"):
            assert post.published_at == exp["published"]


# --- match_url -------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,url,post_url", [
    ("twitter", "https://mobile.twitter.com/jack/status/20?s=20", "https://x.com/jack/status/20"),
    ("twitter", "https://twitter.com/i/web/status/1813911801215958881", "https://x.com/i/status/1813911801215958881"),
    ("facebook", "https://m.facebook.com/story.php?story_fbid=123&id=456&ref=share", "https://www.facebook.com/story.php?story_fbid=123&id=456"),
    ("facebook", "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fa%2Fvideos%2F9%2F", "https://www.facebook.com/a/videos/9/"),
    ("instagram", "https://instagr.am/p/AbCdEf12/?igsh=xyz", "https://www.instagram.com/p/AbCdEf12/"),
    ("threads", "https://www.threads.net/@zuck/post/C8mZ3yZvG0p?xmt=1", "https://www.threads.com/@zuck/post/C8mZ3yZvG0p"),
    ("tiktok", "https://m.tiktok.com/@a.b/video/7407479890546102988?is_from_webapp=1", "https://www.tiktok.com/@a.b/video/7407479890546102988"),
    ("bluesky", "at://did:plc:abc/app.bsky.feed.post/3l33vj4wwbea7", "https://bsky.app/profile/did:plc:abc/post/3l33vj4wwbea7"),
    ("reddit", "https://old.reddit.com/r/aww/comments/abc123/title/?utm_source=share", "https://www.reddit.com/r/aww/comments/abc123/title/"),
    ("telegram", "https://t.me/s/durov/43", "https://t.me/durov/43"),
])
def test_match_url(key, url, post_url):
    post = provider(key).match_url(url)
    assert post is not None and post.provider == key
    assert post.post_url == post_url and post.post_url_original == url


@pytest.mark.parametrize("key,url", [
    ("twitter", "https://twitter.com/intent/tweet?text=hi"), ("twitter", "https://example.com/jack/status/20"),
    ("facebook", "https://www.facebook.com/sharer/sharer.php?u=x"), ("instagram", "https://www.instagram.com/explore/"),
    ("tiktok", "https://www.tiktok.com/tag/cats"), ("reddit", "https://www.reddit.com/r/aww/"),
    ("bluesky", "https://bsky.app/search?q=x"), ("telegram", "https://t.me/durov"),
])
def test_match_url_refuses_what_is_not_a_post(key, url):
    assert provider(key).match_url(url) is None


def test_twitter_2011_codes_pre_snowflake_ids_and_wordpress_autop():
    dets = found("twitter_old_and_autop.html")
    assert len(dets) == 3
    old, pre_snowflake, autop = posts(dets, "https://x.com/harbouroffice/status/146622441274351616",
                                      "https://x.com/oldtheatre/status/16234567890",
                                      "https://x.com/countyroads/status/1798765432101234567")
    assert (old.author_name, old.author_handle) == ("Harbour Office", "harbouroffice")
    assert old.text == "Ferry timetable changes from Monday, see the harbour office site"
    assert old.published_at == "2011-12-13T16:08:08Z"
    # before snowflakes (late 2010) the ID carries no time: the permalink's data-datetime does
    assert pre_snowflake.published_at == "2010-06-15T22:20:00Z" and pre_snowflake.sources["published_at"] == FALLBACK
    # autop's byline paragraph is not post text
    assert autop.text == "Road closed at the bridge until noon #traffic"
    assert (autop.author_name, autop.author_handle, autop.date_text) == ("County Roads", "countyroads", "June 6, 2024")


def test_facebook_share_links_and_short_video_links():
    dets = found("facebook_share_links.html")
    assert len(dets) == 3
    share_post, share_video, short = posts(dets, "https://www.facebook.com/share/p/1AbCdEfGhJ/",
                                           "https://www.facebook.com/share/v/9ZyXwVuTsR/", "https://fb.watch/qR7sT8uV9w/")
    assert (share_post.provider, share_post.kind) == ("facebook", "post")
    assert share_post.post_url == "https://www.facebook.com/share/p/1AbCdEfGhJ/" and share_post.post_id == "1AbCdEfGhJ"
    assert share_post.author_handle is None                      # "share" is no page name
    assert (share_video.provider, share_video.kind, share_video.post_id) == ("facebook", "video", "9ZyXwVuTsR")
    assert (short.kind, short.post_url) == ("video", "https://fb.watch/qR7sT8uV9w/")
    assert short.author_handle is None and short.author_url is None   # fb.watch/CODE names no page


def test_mastodon_iframe_without_its_class_is_known_by_its_embed_path():
    dets = found("mastodon_classless.html")
    assert [(d.post.provider, d.post.post_url) for d in dets] == [
        ("mastodon", "https://social.example.org/@harbourwatch/113204455667788990"),
        ("generic", "https://social.example.org/@harbourwatch"),
        ("generic", "https://blog.example.net/@writer/a-long-story-title-1a2b3c4d/embed"),
    ]
    mastodon = by_url(dets, "https://social.example.org/@harbourwatch/113204455667788990")
    assert mastodon.post.author_handle == "harbourwatch@social.example.org"
