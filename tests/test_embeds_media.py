"""Media embed providers (YouTube, Vimeo, Dailymotion, Twitch, Streamable, Spotify, SoundCloud, Giphy,
Flickr, Substack, WordPress, Iframely/Embedly/Elementor, generic iframes) against fixture pages written
in the markup the web really has (tests/fixtures/embeds/media/)."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archiver.embeds import detect, parse, provider, providers
from archiver.embeds.base import DERIVED, FALLBACK
from embed_helpers import by_url, by_urls, urls

FIXTURES = Path(__file__).parent / "fixtures" / "embeds" / "media"
BASE = "https://news.example/2024/03/story.html"
MEDIA_KEYS = {"youtube", "vimeo", "dailymotion", "twitch", "streamable", "spotify", "soundcloud", "giphy",
              "flickr", "substack", "wordpress", "aggregator", "generic"}


def found(name: str):
    doc = parse((FIXTURES / name).read_text(encoding="utf-8"))
    return doc, detect(doc, BASE)


def summary(dets):
    return [(d.post.provider, d.post.kind, d.post.post_url) for d in dets]


def test_every_media_provider_is_registered_and_generic_runs_last():
    keys = [p.key for p in providers()]
    assert MEDIA_KEYS <= set(keys)
    assert keys[-1] == "generic"
    assert provider("wordpress").order < provider("aggregator").order < provider("generic").order
    assert all(provider(k).order < 500 for k in MEDIA_KEYS - {"wordpress", "aggregator", "generic"})


# --- YouTube -----------------------------------------------------------------------------------------

YOUTUBE = [  # (post_id, kind, element tag, title)
    ("dQw4w9WgXcQ", "video", "iframe", None),                    # share code; "YouTube video player" is no title
    ("9bZkp7q19f0", "video", "div", None),                       # nocookie in a padding-ratio wrapper
    ("kJQP7kiw5Fk", "video", "div", "Council meeting: the night bus vote, in full"),  # WP figure w/ caption
    ("JGwWNGJdvx8", "video", "p", "Harbour festival highlights"),  # lazysizes + noscript in an autop <p>
    ("OPf0YbXqDm0", "video", "lite-youtube", "Mayor's interview"),
    ("RgKAFK5djSk", "video", "lite-youtube", "River clean-up, one year on"),
    ("fJ9rUzIMcZQ", "video", "amp-youtube", None),
    ("hT_nvWreIhg", "video", "div", "Budget explained in three minutes"),  # WP Rocket
    ("CevxZvSJLk8", "video", "div", "Stadium plans: the architects explain"),  # Lyte
    ("Zi_XLOBDo_Y", "video", "object", None),                    # Flash object/embed
    ("PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI", "playlist", "iframe", None),
]


def test_youtube_variants_each_found_once_in_page_order():
    _, dets = found("youtube.html")
    assert [(d.post.post_id, d.post.kind, d.element.name, d.post.title) for d in dets] == YOUTUBE
    assert [d.position for d in dets] == list(range(len(YOUTUBE)))
    assert {d.post.provider for d in dets} == {"youtube"}


def test_youtube_post_fields_and_their_sources():
    _, dets = found("youtube.html")
    by_id = {d.post.post_id: d.post for d in dets}
    wp = by_id["kJQP7kiw5Fk"]
    assert wp.post_url == "https://www.youtube.com/watch?v=kJQP7kiw5Fk"
    assert wp.post_url_original == "https://www.youtube.com/embed/kJQP7kiw5Fk?feature=oembed"
    assert wp.sources["title"] == FALLBACK and wp.sources["post_url"] == DERIVED
    assert [(m.url, m.type, m.source) for m in wp.media] == [
        ("https://i.ytimg.com/vi/kJQP7kiw5Fk/hqdefault.jpg", "video-poster", DERIVED)]
    assert 'src="https://www.youtube.com/embed/kJQP7kiw5Fk?feature=oembed"' in wp.markup
    nocookie = by_id["9bZkp7q19f0"]
    assert nocookie.post_url_original == "https://www.youtube-nocookie.com/embed/9bZkp7q19f0?start=42&rel=0"
    assert nocookie.extra["start"] == "42"
    lite = by_id["RgKAFK5djSk"]               # the poster the page shows comes first, marked as fallback
    assert (lite.media[0].url, lite.media[0].source) == ("https://i.ytimg.com/vi/RgKAFK5djSk/maxresdefault.jpg",
                                                         FALLBACK)
    assert lite.post_url_original == "https://youtube.com/watch?v=RgKAFK5djSk"
    assert by_id["Zi_XLOBDo_Y"].post_url_original.startswith("http://www.youtube.com/v/Zi_XLOBDo_Y")


def test_youtube_wordpress_caption_stays_in_the_page():
    _, dets = found("youtube.html")
    wp = next(d for d in dets if d.post.post_id == "kJQP7kiw5Fk")
    assert "wp-block-embed__wrapper" in wp.element["class"]
    assert wp.element.find("figcaption") is None
    assert wp.element.parent.find("figcaption").get_text() == "The full council session."


def test_lazy_iframe_and_its_noscript_copy_are_one_embed():
    doc, dets = found("youtube.html")
    rocket = [d for d in dets if d.post.post_id == "hT_nvWreIhg"]
    assert len(rocket) == 1
    (noscript,) = rocket[0].also_remove
    assert noscript.name == "noscript" and noscript.find("iframe")["src"].startswith(
        "https://www.youtube.com/embed/hT_nvWreIhg")
    assert noscript.find("iframe")["src"] in rocket[0].post.markup
    lazy = next(d for d in dets if d.post.post_id == "JGwWNGJdvx8")
    assert lazy.element.find("noscript") is not None      # the copy sits inside the replaced <p>
    copies = [f for f in doc.find_all("iframe") if "JGwWNGJdvx8" in (f.get("src", "") + f.get("data-src", ""))]
    assert len(copies) == 2                                # the page really holds both copies


# --- Vimeo -------------------------------------------------------------------------------------------

def test_vimeo_iframes_credit_lines_and_amp():
    _, dets = found("vimeo.html")
    expected = [
        ("vimeo", "video", "https://vimeo.com/76979871/8272103f6e"),
        ("vimeo", "video", "https://vimeo.com/22439234"),
        ("vimeo", "video", "https://vimeo.com/1084537"),
        ("vimeo", "video", "https://vimeo.com/27246366"),
    ]
    assert summary(dets) == expected
    unlisted, mountain, bunny, amp = by_urls(dets, *urls(expected))
    assert unlisted.element.name == "div" and "padding:56.25%" in unlisted.element["style"]
    assert unlisted.post.title == "The New Vimeo Player (You Know, For Videos)"
    assert unlisted.post.extra["hash"] == "8272103f6e"
    assert (mountain.post.title, mountain.post.author_name, mountain.post.author_url) == (
        "The Mountain", "TSO Photography", "https://vimeo.com/terjes")
    assert mountain.post.sources["author_name"] == FALLBACK
    (credit,) = mountain.also_remove
    assert credit.name == "p" and credit.get_text().endswith("on Vimeo.")
    assert "from <a" in mountain.post.markup       # the credit line is part of the original markup
    assert bunny.element.name == "p" and bunny.also_remove[0].find("a").get_text() == "Big Buck Bunny"
    assert bunny.post.author_name == "Blender Foundation"
    assert amp.element.name == "amp-vimeo"


def test_vimeo_link_in_running_text_is_not_an_embed():
    _, dets = found("vimeo.html")
    last_paragraph = [d for d in dets if "running text" in d.element.get_text()]
    assert last_paragraph == []


# --- audio -------------------------------------------------------------------------------------------

def test_spotify_and_soundcloud():
    _, dets = found("audio.html")
    expected = [
        ("spotify", "audio", "https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ"),
        ("spotify", "playlist", "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M"),
        ("spotify", "audio", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"),
        ("soundcloud", "audio", "https://soundcloud.com/forss/flickermood"),
        ("soundcloud", "playlist", "https://soundcloud.com/city-radio/sets/council-sessions"),
    ]
    assert summary(dets) == expected
    episode, playlist, legacy, track, sc_playlist = (d.post for d in by_urls(dets, *urls(expected)))
    assert episode.title == "The Daily Briefing, 12 March"   # "Spotify Embed: " prefix dropped
    assert playlist.title is None
    assert legacy.post_url_original == "https://embed.spotify.com/?uri=spotify:track:4uLU6hMCjMI75M1A2tKUQC"
    assert (track.title, track.author_name, track.author_url, track.post_id) == (
        "Flickermood", "Forss", "https://soundcloud.com/forss", "293")
    assert track.sources["post_url"] == FALLBACK and track.extra["api_url"] == "https://api.soundcloud.com/tracks/293"
    (credit,) = by_url(dets, track.post_url).also_remove
    assert credit.name == "div" and "Flickermood" in credit.get_text()
    assert sc_playlist.author_handle == "city-radio"


# --- Dailymotion, Twitch, Streamable -----------------------------------------------------------------

def test_dailymotion_twitch_streamable():
    _, dets = found("video_misc.html")
    expected = [
        ("dailymotion", "video", "https://www.dailymotion.com/video/x7tgad0"),
        ("dailymotion", "video", "https://www.dailymotion.com/video/x8j2k3l"),
        ("dailymotion", "video", "https://www.dailymotion.com/video/x8zzz99"),
        ("twitch", "profile", "https://www.twitch.tv/citycouncillive"),
        ("twitch", "video", "https://www.twitch.tv/videos/1234567890"),
        ("twitch", "video", "https://clips.twitch.tv/FunnyClipSlug-AbC123"),
        ("twitch", "profile", "https://www.twitch.tv/monstercat"),
        ("streamable", "video", "https://streamable.com/moo1x"),
    ]
    assert summary(dets) == expected
    script = by_url(dets, "https://www.dailymotion.com/video/x8zzz99")
    assert script.element.name == "script" and script.element["data-video"] == "x8zzz99"
    assert script.post.extra["player_id"] == "x1abc"
    labelled = by_url(dets, "https://www.dailymotion.com/video/x8j2k3l")
    assert labelled.post.title is None                  # "Dailymotion Video Player" is a label, not a title
    js_form = by_url(dets, "https://www.twitch.tv/monstercat")
    assert js_form.element.get("id") == "twitch-embed"  # the JS form: the empty div is the embed
    streamable = by_url(dets, "https://streamable.com/moo1x")
    assert streamable.element.name == "div" and "padding-bottom:56.250%" in streamable.element["style"]


# --- Giphy, Flickr -----------------------------------------------------------------------------------

def test_giphy_via_line_and_flickr_image():
    _, dets = found("images.html")
    assert len(dets) == 2
    giphy, flickr = by_urls(dets, "https://giphy.com/gifs/excited-3o7aD2saalBwwftBIY",
                            "https://www.flickr.com/photos/riverwatch/53412345678")
    assert giphy.post.post_url == "https://giphy.com/gifs/excited-3o7aD2saalBwwftBIY"
    assert giphy.post.media[0].url == "https://media.giphy.com/media/3o7aD2saalBwwftBIY/giphy.gif"
    assert giphy.post.media[0].type == "gif"
    (via,) = giphy.also_remove
    assert via.get_text() == "via GIPHY"
    assert flickr.element.name == "a" and flickr.post.kind == "photo"
    assert flickr.post.post_url == "https://www.flickr.com/photos/riverwatch/53412345678"
    assert flickr.post.title == "Flood barrier at dawn"
    (image,) = flickr.post.media
    assert (image.url, image.alt, image.width, image.height, image.source) == (
        "https://live.staticflickr.com/65535/53412345678_a1b2c3d4e5_c.jpg",
        "The flood barrier at dawn, seen from the east bank", 800, 533, FALLBACK)


# --- WordPress ---------------------------------------------------------------------------------------

def test_wordpress_post_embed_and_bare_url_figures():
    _, dets = found("wordpress.html")
    expected = [
        ("wordpress", "post", "https://cityblog.example/2024/03/night-buses-return/"),
        ("youtube", "video", "https://www.youtube.com/watch?v=M7lc1UVf-VE"),
        ("vimeo", "video", "https://vimeo.com/76979871"),
        ("generic", "link", "https://data.example.org/charts/rents-2024"),
        ("spotify", "playlist", "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3"),
    ]
    assert summary(dets) == expected
    wp, yt, vimeo, link, spotify = by_urls(dets, *urls(expected))
    # blockquote + hidden iframe: one embed, and the figure holding only them is replaced whole
    assert wp.element.name == "figure" and len(wp.element.find_all("iframe")) == 1
    assert (wp.post.title, wp.post.extra["site_name"]) == ("Night buses return to the east side", "City Blog")
    assert wp.post.extra["embed_url"] == "https://cityblog.example/2024/03/night-buses-return/embed/"
    assert yt.element.name == "figure" and yt.post.extra["bare_url"] is True
    assert yt.post.post_url_original == "https://www.youtube.com/watch?v=M7lc1UVf-VE"
    assert vimeo.element.name == "div" and vimeo.post.extra["caption"] == "Launch film."
    assert link.post.extra["wp_provider"] == "data-desk"
    assert link.post.post_url_original == "https://data.example.org/charts/rents-2024?utm_source=wp"
    assert spotify.post.title == "Council Sessions" and spotify.element.name == "figure"


def test_wordpress_iframe_alone_is_still_the_post():
    html = ('<p>x</p><iframe class="wp-embedded-content" sandbox="allow-scripts" title="&#8220;A&#8221; &#8212; B" '
            'src="https://other.example/a/embed/#?secret=abc" data-secret="abc" width="600" height="338"></iframe>')
    (det,) = detect(html, BASE)
    assert (det.post.provider, det.post.post_url, det.post.title) == ("wordpress", "https://other.example/a/", "A")


# --- aggregators -------------------------------------------------------------------------------------

def test_aggregators_dispatch_the_original_url():
    _, dets = found("aggregators.html")
    expected = [
        ("youtube", "video", "https://www.youtube.com/watch?v=aqz-KE-bpKQ"),
        ("vimeo", "video", "https://vimeo.com/22439234"),
        ("streamable", "video", "https://streamable.com/moo1x"),
        ("youtube", "video", "https://www.youtube.com/watch?v=ScMzIvxBSi4"),
        ("youtube", "video", "https://www.youtube.com/watch?v=XHOmBV4js_E"),
    ]
    assert summary(dets) == expected
    iframely, iframely_rendered, embedly, embedly_rendered, elementor = by_urls(dets, *urls(expected))
    assert "iframely-embed" in iframely.element["class"] and iframely.post.extra["via"] == "iframely"
    assert "iframely-embed" in iframely_rendered.element["class"]
    assert (embedly.post.title, embedly.post.text) == ("Goal of the season", "The winning goal from Saturday's match.")
    # the page's thumbnail is the poster YouTube's provider derived: one media, confirmed by the page
    assert [(m.url, m.source) for m in embedly_rendered.post.media] == [
        ("https://i.ytimg.com/vi/ScMzIvxBSi4/hqdefault.jpg", FALLBACK)]
    assert "elementor-widget-video" in elementor.element["class"]


# --- generic -----------------------------------------------------------------------------------------

def test_generic_iframes():
    _, dets = found("generic.html")
    expected = [
        ("generic", "link", "https://datawrapper.dwcdn.net/AbC12/3/"),
        ("generic", "link", "https://www.openstreetmap.org/export/embed.html?bbox=-0.1%2C51.5%2C-0.08%2C51.52&layer=mapnik"),
        ("generic", "video", "https://archive.org/embed/night_of_the_living_dead_1968"),
        ("generic", "link", "https://www.google.com/maps/embed?pb=!1m18!1m12"),
        ("generic", "link", "https://e.infogram.com/abc-123?src=embed"),
        ("generic", "video", "https://players.brightcove.net/1234567890001/default_default/index.html?videoId=6312345678112"),
    ]
    assert summary(dets) == expected
    chart, osm, archive, amp, consent, brightcove = by_urls(dets, *urls(expected))
    assert brightcove.element.name == "div" and "max-width: 960px" in brightcove.element["style"]
    assert chart.post.title == "Rents rose fastest in the east"
    assert osm.post.title == "Map of the closure" and [t.name for t in osm.also_remove] == ["noscript"]
    assert amp.element.name == "amp-iframe"
    assert consent.post.post_url_original == "https://e.infogram.com/abc-123?src=embed"


# --- decoys ------------------------------------------------------------------------------------------

def test_decoys_yield_nothing():
    doc, dets = found("decoys.html")
    assert dets == []
    assert len(doc.find_all("iframe")) >= 10          # the decoys are there to be refused


def test_a_broken_url_does_not_hide_the_other_embeds():
    html = ('<iframe src="https://[broken/embed"></iframe>'
            '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
            '<a data-flickr-embed="true" href="https://[x"><img src="a.jpg"></a>')
    assert summary(detect(html, BASE)) == [("youtube", "video", "https://www.youtube.com/watch?v=dQw4w9WgXcQ")]


# --- a page mixing providers -------------------------------------------------------------------------

def test_mixed_page_positions_and_a_video_embedded_twice():
    doc, dets = found("mixed.html")
    assert [(d.position, d.post.provider) for d in dets] == [
        (0, "youtube"), (1, "vimeo"), (2, "spotify"), (3, "generic"), (4, "giphy"), (5, "youtube")]
    first, second = dets[0], dets[5]
    assert first.post.post_url == second.post.post_url == "https://www.youtube.com/watch?v=JGwWNGJdvx8"
    assert first.element is not second.element
    assert (first.element.name, second.element.name) == ("div", "lite-youtube")
    # elements are disjoint and in document order
    order = [el for el in doc.descendants if getattr(el, "name", None)]
    index = [next(i for i, el in enumerate(order) if el is d.element) for d in dets]
    assert index == sorted(index)
    for d in dets:
        for other in dets:
            assert d is other or not any(p is other.element for p in d.element.parents)


# --- match_url ---------------------------------------------------------------------------------------

MATCH = [
    ("youtube", "https://youtu.be/dQw4w9WgXcQ?t=10", "video", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("youtube", "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share", "video",
     "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("youtube", "https://www.youtube.com/shorts/abcdefghijk", "video", "https://www.youtube.com/watch?v=abcdefghijk"),
    ("youtube", "https://www.youtube.com/live/abcdefghijk?si=x", "video", "https://www.youtube.com/watch?v=abcdefghijk"),
    ("youtube", "https://www.youtube.com/playlist?list=PL123", "playlist", "https://www.youtube.com/playlist?list=PL123"),
    ("vimeo", "https://vimeo.com/channels/staffpicks/76979871", "video", "https://vimeo.com/76979871"),
    ("vimeo", "https://player.vimeo.com/video/76979871?h=abcdef1234", "video", "https://vimeo.com/76979871/abcdef1234"),
    ("vimeo", "https://vimeo.com/showcase/9876543", "playlist", "https://vimeo.com/showcase/9876543"),
    ("dailymotion", "https://dai.ly/x7tgad0", "video", "https://www.dailymotion.com/video/x7tgad0"),
    ("dailymotion", "https://geo.dailymotion.com/player.html?video=x7tgad0", "video",
     "https://www.dailymotion.com/video/x7tgad0"),
    ("twitch", "https://www.twitch.tv/videos/123456", "video", "https://www.twitch.tv/videos/123456"),
    ("twitch", "https://www.twitch.tv/somechannel/clip/SlugAbc", "video", "https://clips.twitch.tv/SlugAbc"),
    ("streamable", "https://streamable.com/moo1x", "video", "https://streamable.com/moo1x"),
    ("spotify", "spotify:album:1DFixLWuPkv3KT3TnV35m3", "playlist", "https://open.spotify.com/album/1DFixLWuPkv3KT3TnV35m3"),
    ("spotify", "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC?si=1", "audio",
     "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC"),
    ("soundcloud", "https://soundcloud.com/forss/flickermood?utm_source=x", "audio", "https://soundcloud.com/forss/flickermood"),
    ("giphy", "https://media.giphy.com/media/3o7aD2saalBwwftBIY/giphy.gif", "photo",
     "https://giphy.com/gifs/3o7aD2saalBwwftBIY"),
    ("flickr", "https://flic.kr/p/2pLzZ5A", "photo", None),
    ("substack", "https://citynews.substack.com/p/the-budget-explained?utm_source=x", "post",
     "https://citynews.substack.com/p/the-budget-explained"),
    ("generic", "https://data.example.org/x?id=3&utm_medium=y#top", "link", "https://data.example.org/x?id=3"),
]


@pytest.mark.parametrize("key,url,kind,post_url", MATCH)
def test_match_url(key, url, kind, post_url):
    post = provider(key).match_url(url)
    assert post is not None and (post.provider, post.kind) == (key, kind)
    assert post.post_url_original == url
    if post_url:
        assert post.post_url == post_url


@pytest.mark.parametrize("code,photo_id", [("2", 1), ("21", 58), ("Z", 57), ("ZZ", 57 * 58 + 57),
                                           ("a1", 9 * 58)])
def test_flickr_short_link_decodes_to_the_photo_id(code, photo_id):
    """flic.kr/p/ codes are base 58 over 1-9a-km-zA-HJ-NP-Z (hand-computed values)."""
    post = provider("flickr").match_url(f"https://flic.kr/p/{code}")
    assert post.post_id == str(photo_id)
    assert post.post_url == f"https://www.flickr.com/photo.gne?id={photo_id}"


@pytest.mark.parametrize("key,url", [
    ("youtube", "https://www.youtube.com/@NewsExample"),
    ("youtube", "https://www.youtube.com/feed/trending"),
    ("vimeo", "https://vimeo.com/about"),
    ("dailymotion", "https://www.dailymotion.com/us"),
    ("twitch", "https://www.twitch.tv/directory"),
    ("spotify", "https://open.spotify.com/search"),
    ("soundcloud", "https://soundcloud.com/discover"),
    ("giphy", "https://giphy.com/trending"),
    ("substack", "https://citynews.substack.com/embed"),
    ("youtube", "https://vimeo.com/22439234"),
    ("generic", "javascript:alert(1)"),
    ("wordpress", "https://cityblog.example/2024/03/night-buses-return/"),
])
def test_match_url_refuses_what_is_not_a_post(key, url):
    assert provider(key).match_url(url) is None


def test_substack_post_embed_and_subscribe_form():
    html = ('<div class="substack-post-embed"><p lang="en">The budget, explained by Jane Roe</p>'
            '<p>Where the money goes, line by line.</p>'
            '<a data-post-link href="https://citynews.substack.com/p/the-budget-explained">Read on Substack</a></div>'
            '<script async src="https://substack.com/embedjs/embed.js" charset="utf-8"></script>'
            '<iframe src="https://citynews.substack.com/embed" width="480" height="320"></iframe>')
    (det,) = detect(html, BASE)
    post = det.post
    assert (post.provider, post.title, post.author_name, post.text) == (
        "substack", "The budget, explained", "Jane Roe", "Where the money goes, line by line.")
    assert post.post_url == "https://citynews.substack.com/p/the-budget-explained"


def test_bench_style_youtube_forms():
    """The three forms the benchmark site uses: only the WordPress one carries the title."""
    html = (FIXTURES / "mixed.html").read_text()  # reuse the page skeleton
    soup = BeautifulSoup(html, "lxml")
    soup.article.clear()
    soup.article.append(BeautifulSoup(
        '<div class="embed embed-youtube"><iframe width="560" height="315" '
        'src="https://www.youtube-nocookie.com/embed/Z8B5hng-tSg?si=yWK4UAfCHqVx4cBp" title="YouTube video player" '
        'frameborder="0" allowfullscreen></iframe></div>', "html.parser"))
    (det,) = detect(soup, BASE)
    assert det.post.post_id == "Z8B5hng-tSg" and det.post.title is None
    assert det.element.name == "div" and "embed-youtube" in det.element["class"]


# --- consent managers and lazy loaders ---------------------------------------------------------------

def test_consent_managers_park_the_real_url_in_their_own_attribute():
    _, dets = found("consent.html")
    expected = [
        ("youtube", "video", "https://www.youtube.com/watch?v=Qx7Lm2Pz9Ab"),          # Borlabs src-consent
        ("vimeo", "video", "https://vimeo.com/731204455/9c1e2d3f4a"),               # Real Cookie Banner
        ("spotify", "audio", "https://open.spotify.com/episode/5mRtWq8ZxC3vBn1Lk9PoUe"),  # Usercentrics
        ("youtube", "video", "https://www.youtube.com/watch?v=Lm3Nb8Vc2Xz"),          # Moove GDPR
        ("youtube", "video", "https://www.youtube.com/watch?v=Rt5Yu6Io7Pa"),          # Avada privacy
        ("youtube", "video", "https://www.youtube.com/watch?v=Hj4Kl5Zx6Cv"),          # data-lazy="true" is no URL
        ("dailymotion", "video", "https://www.dailymotion.com/video/x8abc12"),        # Cookie Information
        ("soundcloud", "audio", "https://api.soundcloud.com/tracks/1587654321"),       # WPConsent
        ("youtube", "video", "https://www.youtube.com/watch?v=Wq2Er3Ty4Ui"),          # Complianz
    ]
    assert summary(dets) == expected
    borlabs, real_cookie_banner, wpconsent = by_urls(dets, *urls(expected[0:2]), expected[7][-1])
    assert borlabs.post.title == "Hafenfest 2023 im Zeitraffer"
    assert "autoplay" not in real_cookie_banner.post.extra["embed_url"]   # the plain URL, not the click-to-play copy
    assert wpconsent.post.post_id == "1587654321"


# --- CMS wrappers holding the original URL -----------------------------------------------------------

def test_cms_wrappers_dispatch_the_url_they_hold():
    doc, dets = found("cms_wrappers.html")
    expected = [
        ("youtube", "video", "https://www.youtube.com/watch?v=Kp3Lm9Xz2Qa"),      # Drupal /media/oembed?url=
        ("vimeo", "video", "https://vimeo.com/845512037"),                      # the same, lazy, /fr/ prefix
        ("youtube", "video", "https://www.youtube.com/watch?v=Tr6Yh2Nb8Mq"),      # CKEditor 5 <oembed url>
        ("twitter", "post", "https://x.com/citycouncil/status/1765432109876543210"),  # div[data-oembed-url]
        ("youtube", "video", "https://www.youtube.com/watch?v=Pw4Ls7Dk1Jf"),      # preview inside: one embed
        ("generic", "link", "https://graphics.news.example/2024/budget-tracker/index.html"),  # Pym.js
        ("generic", "link", "https://graphics.news.example/2024/flood-map/"),     # Pym.js, rendered
    ]
    assert summary(dets) == expected
    drupal, lazy, semantic, tweet, preview, pym, rendered_pym = by_urls(dets, *urls(expected))
    assert drupal.post.title == "River cleanup volunteers, one year on" and drupal.post.extra["via"] == "drupal"
    assert drupal.element.name == "div" and "field--name-field-media-oembed-video" in drupal.element["class"]
    assert lazy.post.title == "Harbour lights"
    assert semantic.element.name == "figure" and tweet.element.name == "figure"
    assert tweet.post.published_at == "2024-03-06T17:39:49Z"                   # X posts keep their derived date
    assert preview.element.find("iframe") is not None
    assert pym.element.get("id") == "pym-graphic-budget"
    assert rendered_pym.element.get("id") == "pym-graphic-map" and rendered_pym.element.find("iframe") is not None
