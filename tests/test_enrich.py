"""Enrichment against local stand-ins of the platforms, reached through Settings.endpoints
(the supported configuration path) and plain http URLs for the images."""
from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from archiver.embeds.base import DERIVED, FALLBACK, Media, Post
from archiver.enrich import enrich_posts
from archiver.fetch import ByteBudget, Fetcher
from archiver.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures" / "enrich"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
PNG = b"\x89PNG\r\n\x1a\n" + b"avatar-bytes" * 40
JPEG_A = b"\xff\xd8\xff\xe0" + b"photo-a" * 60
JPEG_B = b"\xff\xd8\xff\xe0" + b"photo-b" * 60


@pytest.fixture
def platform(server):
    """The platforms' stand-ins: conftest's threaded server (a slow endpoint must not block the rest)."""
    return server


def base(server: HTTPServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def fixture(name: str, server: HTTPServer) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8").replace("{CDN}", base(server) + "/cdn")


def settings(server: HTTPServer, **kw) -> Settings:
    endpoints = {key: base(server) + path for key, path in kw.pop("endpoints", {}).items()}
    kw.setdefault("timeout", 2.0)
    kw.setdefault("retries", 0)
    kw.setdefault("meta_token", None)
    return Settings(endpoints=endpoints, **kw)


def run(posts: list[Post], server: HTTPServer, budget: ByteBudget | None = None, **kw):
    s = settings(server, **kw)
    with Fetcher(s) as fetcher:
        return enrich_posts(posts, fetcher, s, budget)


def tweet(n: str = "1783438601745334272", **fields) -> Post:
    post = Post(provider="twitter", post_url=f"https://x.com/ihaddad3/status/{n}", post_id=n)
    for name, value in fields.items():
        post.put(name, value, FALLBACK)
    return post


def requests_to(server: HTTPServer, path: str) -> int:
    return sum(1 for req, _ in server.log if req.path == path)


TWEET_OEMBED = {
    "type": "rich", "version": "1.0", "provider_name": "Twitter", "url": "https://twitter.com/ihaddad3/status/1",
    "author_name": "Ines Haddad", "author_url": "https://twitter.com/ihaddad3", "width": 550, "height": None,
    "html": '<blockquote class="twitter-tweet"><p lang="en" dir="ltr">The council approved the night bus '
            'pilot</p>&mdash; Ines Haddad (@ihaddad3) <a href="https://twitter.com/ihaddad3/status/'
            '1783438601745334272">April 25, 2024</a></blockquote>\n',
}


# ---------------------------------------------------------------- answers that work
def test_oembed_fills_what_the_fallback_lacks_and_keeps_the_raw_json(platform):
    platform.expect_request("/tw/oembed").respond_with_json(TWEET_OEMBED)
    platform.expect_request("/tw/result").respond_with_data(fixture("tweet_result.json", platform),
                                                             content_type="application/json")
    platform.expect_request("/cdn/tw/avatar_normal.jpg").respond_with_data(PNG, content_type="image/png")
    platform.expect_request("/cdn/tw/photo.jpg").respond_with_data(JPEG_A, content_type="image/jpeg")
    post = tweet()                                   # a bare blockquote: only the permalink
    resources = run([post], platform, endpoints={"twitter": "/tw/oembed", "twitter.data": "/tw/result?id={id}"})

    assert post.status == "ok" and ISO_Z.match(post.checked_at) and post.enrich_error is None
    assert post.author_name == "Ines Haddad" and post.sources["author_name"] == "oembed"
    assert post.author_url == "https://twitter.com/ihaddad3"
    assert post.text.startswith("The council approved the night bus pilot")
    assert post.sources["text"] == "oembed"
    assert post.oembed == TWEET_OEMBED
    # what oEmbed does not give (avatar, photo, exact time) came from the JSON behind Tweet.html
    assert post.avatar_url == base(platform) + "/cdn/tw/avatar_normal.jpg"
    assert post.sources["avatar_url"] == "embed-page"
    assert post.published_at == "2024-04-25T10:11:12Z"
    assert [m.url for m in post.media] == [base(platform) + "/cdn/tw/photo.jpg"] and post.media[0].alt == "A night bus"
    # the oEmbed request carried the normalised post URL
    oembed_req = next(req for req, _ in platform.log if req.path == "/tw/oembed")
    assert oembed_req.args["url"] == "https://x.com/ihaddad3/status/1783438601745334272"
    kinds = sorted(r.kind for r in resources)
    assert kinds == ["embed-page", "oembed", "post-avatar", "post-media"]
    assert requests_to(platform, "/tw/page") == 0     # Tweet.html was not needed


def test_images_are_downloaded_and_hashed(platform):
    platform.expect_request("/cdn/a.png").respond_with_data(PNG, content_type="image/png")
    platform.expect_request("/cdn/b.jpg").respond_with_data(JPEG_B, content_type="image/jpeg")
    post = tweet(avatar_url=base(platform) + "/cdn/a.png")
    post.add_media(Media(base(platform) + "/cdn/b.jpg"))
    resources = run([post], platform, enrich=False)
    assert post.avatar_sha256 == hashlib.sha256(PNG).hexdigest()
    assert post.media[0].sha256 == hashlib.sha256(JPEG_B).hexdigest()
    by_kind = {r.kind: r for r in resources}
    assert by_kind["post-avatar"].body == PNG and by_kind["post-media"].body == JPEG_B
    assert by_kind["post-avatar"].content_type == "image/png"


def test_enrichment_off_asks_no_platform_but_still_downloads_fallback_images(platform):
    platform.expect_request("/cdn/a.png").respond_with_data(PNG, content_type="image/png")
    post = tweet(author_name="Ines Haddad", avatar_url=base(platform) + "/cdn/a.png")
    run([post], platform, enrich=False, endpoints={"twitter": "/tw/oembed"})
    assert requests_to(platform, "/tw/oembed") == 0
    assert post.status == "unchecked" and post.checked_at is None and post.oembed is None
    assert post.avatar_sha256 == hashlib.sha256(PNG).hexdigest()


def test_enrichment_off_does_not_fetch_images_derived_from_an_id(platform):
    platform.expect_request("/cdn/poster.jpg").respond_with_data(JPEG_B, content_type="image/jpeg")
    post = tweet()
    post.add_media(Media(base(platform) + "/cdn/poster.jpg", type="video-poster", source=DERIVED))
    assert run([post], platform, enrich=False) == []
    assert requests_to(platform, "/cdn/poster.jpg") == 0 and post.media[0].sha256 is None
    run([post], platform)   # with enrichment on, the derived poster is fetched
    assert post.media[0].sha256 == hashlib.sha256(JPEG_B).hexdigest()


def test_the_page_value_wins_and_the_platform_value_is_kept_as_an_alternative(platform):
    answer = dict(TWEET_OEMBED, author_name="Ines H. (renamed)")
    platform.expect_request("/tw/oembed").respond_with_json(answer)
    post = tweet(author_name="Ines Haddad", text="What the page said", avatar_url="http://127.0.0.1:9/none.png")
    run([post], platform, endpoints={"twitter": "/tw/oembed"})
    assert post.author_name == "Ines Haddad" and post.sources["author_name"] == FALLBACK
    assert post.alternatives["author_name"] == {"oembed": "Ines H. (renamed)"}
    assert post.text == "What the page said" and post.sources["text"] == FALLBACK
    assert post.alternatives["text"]["oembed"].startswith("The council approved")
    assert post.author_url == "https://twitter.com/ihaddad3"   # missing, so filled


def test_same_post_embedded_twice_asks_the_platform_once(platform):
    platform.expect_request("/tw/oembed").respond_with_json(TWEET_OEMBED)
    first, second = tweet(avatar_url="http://127.0.0.1:9/a.png"), tweet(avatar_url="http://127.0.0.1:9/a.png")
    run([first, second], platform, endpoints={"twitter": "/tw/oembed", "twitter.data": "/tw/none?id={id}"})
    assert requests_to(platform, "/tw/oembed") == 1
    assert first.author_name == second.author_name == "Ines Haddad"
    assert first.status == second.status == "ok"



def test_a_posts_images_do_not_wait_for_a_slower_posts_answer(platform):
    """Each post's images are downloaded as soon as its own answer is in; an image two posts
    share is still downloaded once, and the results come back in the posts' order."""
    def slow(request: Request) -> Response:   # slow for post 1 only
        if request.args["url"].endswith("/1"):
            time.sleep(0.6)
        return Response(json.dumps(TWEET_OEMBED), content_type="application/json")

    seen: dict[str, float] = {}

    def image(request: Request) -> Response:
        seen[request.path] = time.monotonic()
        return Response(PNG, content_type="image/png")
    platform.expect_request("/slow/oembed").respond_with_handler(slow)
    platform.expect_request(re.compile(r"^/cdn/.*")).respond_with_handler(image)
    slow_post = tweet("1", avatar_url=base(platform) + "/cdn/shared.png", text="t")
    fast_post = tweet("2", author_name="Fast", text="t", avatar_url=base(platform) + "/cdn/shared.png")
    fast_post.add_media(Media(base(platform) + "/cdn/fast.png"))
    slow_post.add_media(Media(base(platform) + "/cdn/slow.png"))
    started = time.monotonic()
    resources = run([slow_post, fast_post], platform,
                    endpoints={"twitter": "/slow/oembed", "twitter.data": "/none?id={id}"})
    assert seen["/cdn/fast.png"] - started < 0.5          # did not wait for the slow answer
    assert seen["/cdn/slow.png"] - started >= 0.6
    assert requests_to(platform, "/cdn/shared.png") == 1
    assert [r.url.rsplit("/", 1)[-1] for r in resources if r.kind.startswith("post-")] == \
        ["shared.png", "slow.png", "fast.png"]
    assert slow_post.avatar_sha256 == fast_post.avatar_sha256 == hashlib.sha256(PNG).hexdigest()
    assert fast_post.media[0].sha256 and slow_post.media[0].sha256


# ---------------------------------------------------------------- gone, refused, broken
def test_404_means_deleted_and_the_fallback_is_kept(platform):
    platform.expect_request("/tw/oembed").respond_with_json({"error": "Not Found"}, status=404)
    post = tweet(author_name="Ines Haddad", text="Kept from the page")
    resources = run([post], platform, endpoints={"twitter": "/tw/oembed", "twitter.data": "/tw/result?id={id}"})
    assert post.status == "deleted" and post.checked_at
    assert post.text == "Kept from the page" and post.author_name == "Ines Haddad"
    assert "HTTP 404" in post.enrich_error
    assert requests_to(platform, "/tw/result") == 0          # gone: nothing more to ask
    assert [r.status_code for r in resources if r.kind == "oembed"] == [404]


def test_tombstone_json_means_deleted(platform):
    platform.expect_request("/tw/result").respond_with_data(fixture("tweet_tombstone.json", platform),
                                                             content_type="application/json")
    post = tweet(text="Kept")
    run([post], platform, endpoints={"twitter": "/tw/missing", "twitter.data": "/tw/result?id={id}"})
    # /tw/missing answers 500 (no expectation): an error, then the JSON says the post is gone
    assert post.status == "deleted" and post.text == "Kept"


def test_401_means_unavailable(platform):
    platform.expect_request("/tw/oembed").respond_with_data("private", status=401)
    post = tweet()
    run([post], platform, endpoints={"twitter": "/tw/oembed"})
    assert post.status == "unavailable" and "HTTP 401" in post.enrich_error


@pytest.mark.parametrize("respond, expected", [
    (lambda s: s.respond_with_data("oops", status=500), "oembed: HTTP 500"),
    (lambda s: s.respond_with_data("{not json", content_type="application/json"), "not valid JSON"),
    (lambda s: s.respond_with_data("<html><body>Sign in</body></html>", content_type="text/html"),
     "HTML where JSON was expected"),
    (lambda s: s.respond_with_json(["a", "list"]), "not a JSON object"),
    (lambda s: s.respond_with_json({"type": "banana"}), "unknown oEmbed type"),
    (lambda s: s.respond_with_data(b"{" + b" " * (3 * 1024 * 1024) + b"}", content_type="application/json"),
     "byte limit"),
])
def test_broken_answers_are_recorded_and_never_raise(platform, respond, expected):
    respond(platform.expect_request("/tw/oembed"))
    post = tweet(text="From the page")
    resources = run([post], platform, endpoints={"twitter": "/tw/oembed", "twitter.data": "/tw/none?id={id}"})
    assert post.status == "unchecked" and post.checked_at
    assert expected in post.enrich_error
    assert post.text == "From the page" and post.oembed is None
    assert any(r.kind == "oembed" for r in resources)


def test_a_timeout_costs_only_its_own_post(platform):
    def slow(request: Request) -> Response:
        time.sleep(1.5)
        return Response(json.dumps(TWEET_OEMBED), content_type="application/json")

    platform.expect_request("/slow/oembed").respond_with_handler(slow)
    platform.expect_request("/yt/oembed").respond_with_json({
        "type": "video", "version": "1.0", "title": "Harbour bridge timelapse", "author_name": "Harbour Cam",
        "author_url": "https://www.youtube.com/@harbourcam", "html": "<iframe></iframe>", "width": 200, "height": 113})
    slow_post = tweet()
    video = Post(provider="youtube", kind="video", post_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                 post_id="dQw4w9WgXcQ", avatar_url="http://127.0.0.1:9/x.png")
    started = time.monotonic()
    run([slow_post, video], platform, timeout=0.4,
        endpoints={"twitter": "/slow/oembed", "twitter.data": "/slow/oembed?id={id}", "youtube": "/yt/oembed",
                   "youtube.embed-page": "/yt/embed/{id}"})
    assert time.monotonic() - started < 6
    assert slow_post.status == "unchecked" and "timed out" in slow_post.enrich_error
    assert video.status == "ok" and video.title == "Harbour bridge timelapse" and video.author_handle == "harbourcam"


def test_an_image_that_is_not_an_image_is_not_stored(platform):
    platform.expect_request("/cdn/a.png").respond_with_data("<html>login</html>", content_type="text/html")
    platform.expect_request("/cdn/gone.jpg").respond_with_data("", status=404)
    post = tweet(avatar_url=base(platform) + "/cdn/a.png")
    post.add_media(Media(base(platform) + "/cdn/gone.jpg"))
    resources = run([post], platform, enrich=False)
    assert post.avatar_sha256 is None and post.media[0].sha256 is None
    errors = {r.url.rsplit("/", 1)[1]: r.error for r in resources}
    assert errors == {"a.png": "not an image (text/html)", "gone.jpg": "HTTP 404"}
    assert all(r.body is None for r in resources)


def test_the_capture_budget_is_respected(platform):
    platform.expect_request("/cdn/a.png").respond_with_data(PNG, content_type="image/png")
    post = tweet(avatar_url=base(platform) + "/cdn/a.png")
    resources = run([post], platform, budget=ByteBudget(100), enrich=False)
    assert post.avatar_sha256 is None and "limit" in resources[0].error


# ---------------------------------------------------------------- Meta
def instagram_post() -> Post:
    post = Post(provider="instagram", post_url="https://www.instagram.com/p/Cx1AbCdEfGh/")
    post.put("author_name", "Harbour Watch", FALLBACK)
    post.put("author_handle", "harbour.watch", FALLBACK)
    return post


def test_meta_without_token_reads_the_embed_page_and_never_asks_graph(platform):
    platform.expect_request("/ig/p/Cx1AbCdEfGh/embed/captioned/").respond_with_data(
        fixture("instagram_captioned.html", platform), content_type="text/html; charset=utf-8")
    platform.expect_request("/cdn/ig/avatar.jpg").respond_with_data(PNG, content_type="image/jpeg")
    platform.expect_request("/cdn/ig/photo.jpg").respond_with_data(JPEG_A, content_type="image/jpeg")
    post = instagram_post()
    run([post], platform, endpoints={"instagram": "/graph/instagram_oembed",
                                     "instagram.embed-page": "/ig/p/{id}/embed/captioned/"})
    assert requests_to(platform, "/graph/instagram_oembed") == 0
    assert post.status == "ok" and post.enrich_error is None
    assert post.text == "Fog over the bridge this morning #harbour" and post.sources["text"] == "embed-page"
    assert 'href="https://www.instagram.com/explore/tags/harbour/"' in post.text_html
    assert "View all" not in post.text
    assert post.avatar_sha256 == hashlib.sha256(PNG).hexdigest()
    assert post.media[0].sha256 == hashlib.sha256(JPEG_A).hexdigest() and post.media[0].width == 640
    assert post.author_url == "https://www.instagram.com/harbour.watch/"


def test_meta_without_token_and_no_embed_page_stays_unchecked(platform):
    platform.expect_request("/ig/broken").respond_with_data("down", status=502)
    post = instagram_post()
    run([post], platform, endpoints={"instagram": "/graph/instagram_oembed", "instagram.embed-page": "/ig/broken"})
    assert requests_to(platform, "/graph/instagram_oembed") == 0
    assert post.status == "unchecked"
    assert "ARCHIVER_META_TOKEN" in post.enrich_error and "embed-page: HTTP 502" in post.enrich_error


def test_meta_oauth_error_is_recorded_and_the_token_never_stored(platform):
    platform.expect_request("/graph/instagram_oembed").respond_with_json(
        {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190,
                   "fbtrace_id": "Axyz"}}, status=400)
    platform.expect_request("/ig/gone").respond_with_data(fixture("unavailable.html", platform),
                                                          content_type="text/html")
    post = instagram_post()
    resources = run([post], platform, meta_token="secret-token-123",
                    endpoints={"instagram": "/graph/instagram_oembed", "instagram.embed-page": "/ig/gone"})
    graph_req = next(req for req, _ in platform.log if req.path == "/graph/instagram_oembed")
    assert graph_req.args["access_token"] == "secret-token-123"
    assert "oembed: HTTP 400 (invalid token; OAuthException 190)" in post.enrich_error
    # The embed page (in French) shows a notice instead of the post: embed pages do not tell a deleted
    # post from a private one, so the post is unavailable, never deleted, and the notice is the evidence.
    assert post.status == "unavailable" and "instagram.embed-page" in post.status_evidence
    assert post.author_name == "Harbour Watch"       # the fallback stays
    assert all("secret-token" not in (r.url + (r.final_url or "")) for r in resources)


def test_meta_oembed_html_without_caption_does_not_become_the_text(platform):
    # Meta's answer is only the copy-paste blockquote ("A post shared by ..."): no caption in it
    blockquote = ('<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-permalink='
                  '"https://www.instagram.com/p/Cx1AbCdEfGh/?utm_source=ig_embed" data-instgrm-version="14"><div>'
                  '<a href="https://www.instagram.com/p/Cx1AbCdEfGh/?utm_source=ig_embed">View this post on Instagram</a>'
                  '<p><a href="https://www.instagram.com/p/Cx1AbCdEfGh/?utm_source=ig_embed">A post shared by Harbour '
                  'Watch (@harbour.watch)</a></p></div></blockquote>')
    platform.expect_request("/graph/instagram_oembed").respond_with_json(
        {"version": "1.0", "type": "rich", "provider_name": "Instagram", "width": 658, "html": blockquote})
    platform.expect_request("/ig/p/Cx1AbCdEfGh/embed/captioned/").respond_with_data(
        fixture("instagram_captioned.html", platform), content_type="text/html; charset=utf-8")
    post = instagram_post()
    run([post], platform, meta_token="tok", endpoints={"instagram": "/graph/instagram_oembed",
                                                       "instagram.embed-page": "/ig/p/{id}/embed/captioned/"})
    assert post.oembed["html"] == blockquote and post.status == "ok"
    assert post.text == "Fog over the bridge this morning #harbour" and post.sources["text"] == "embed-page"
    assert "text" not in post.alternatives


def test_meta_token_required_error(platform):
    platform.expect_request("/graph/oembed_post").respond_with_json(
        {"error": {"message": "An access token is required to request this resource.", "type": "OAuthException",
                   "code": 104}}, status=400)
    platform.expect_request("/fb/plugin").respond_with_data("", status=500)
    post = Post(provider="facebook", post_url="https://www.facebook.com/harbourwatch/posts/123456")
    run([post], platform, meta_token="x", endpoints={"facebook": "/graph/oembed_post",
                                                     "facebook.embed-page": "/fb/plugin?href={url}"})
    assert "oembed: HTTP 400 (token required" in post.enrich_error and post.status == "unchecked"
    plugin_req = next(req for req, _ in platform.log if req.path == "/fb/plugin")
    assert plugin_req.args["href"] == "https://www.facebook.com/harbourwatch/posts/123456"


# ---------------------------------------------------------------- embed pages of other platforms
def test_card_embed_page_gives_avatar_name_and_cover(platform):
    platform.expect_request("/tt/oembed").respond_with_json({
        "version": "1.0", "type": "video", "title": "Night buses are back #transit", "author_name": "Kira Varga",
        "author_url": "https://www.tiktok.com/@kvarga7", "author_unique_id": "kvarga7", "html": "<blockquote>",
        "thumbnail_url": base(platform) + "/cdn/tt/cover.jpeg", "width": "100%", "height": "100%"})
    platform.expect_request("/tt/embed/v2/7340000000000000001").respond_with_data(
        fixture("card.html", platform), content_type="text/html")
    for name in ("avatar.jpeg", "cover.jpeg"):
        platform.expect_request(f"/cdn/tt/{name}").respond_with_data(JPEG_B + name.encode(), content_type="image/jpeg")
    post = Post(provider="tiktok", kind="video", post_url="https://www.tiktok.com/@kvarga7/video/7340000000000000001")
    run([post], platform, endpoints={"tiktok": "/tt/oembed", "tiktok.embed-page": "/tt/embed/v2/{id}"})
    assert post.status == "ok"
    assert post.text == "Night buses are back #transit" and post.sources["text"] == "oembed"   # TikTok's title
    assert post.author_name == "Kira Varga" and post.author_handle == "kvarga7"
    assert post.avatar_url.endswith("/cdn/tt/avatar.jpeg") and post.sources["avatar_url"] == "embed-page"
    assert post.avatar_sha256 == hashlib.sha256(JPEG_B + b"avatar.jpeg").hexdigest()
    assert [m.url.rsplit("/", 1)[1] for m in post.media] == ["cover.jpeg"]    # one cover, not two
    assert post.published_at == "2024-03-01T10:00:00Z"


def test_youtube_embed_page_gives_the_channel_avatar(platform):
    platform.expect_request("/yt/oembed").respond_with_json({
        "type": "video", "version": "1.0", "title": "Harbour bridge timelapse", "author_name": "Harbour Cam",
        "author_url": "https://www.youtube.com/@harbourcam", "html": "<iframe></iframe>", "width": 200,
        "height": 113, "thumbnail_url": base(platform) + "/cdn/yt/hqdefault.jpg"})
    platform.expect_request("/yt/embed/dQw4w9WgXcQ").respond_with_data(fixture("youtube_embed.html", platform),
                                                                        content_type="text/html")
    post = Post(provider="youtube", kind="video", post_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    run([post], platform, endpoints={"youtube": "/yt/oembed", "youtube.embed-page": "/yt/embed/{id}"})
    oembed_req = next(req for req, _ in platform.log if req.path == "/yt/oembed")
    assert oembed_req.args["format"] == "json"
    # the embed page as YouTube's server sends it: no player markup, a <noscript> "player-unavailable"
    # block (always there), and the facts as JSON in ytcfg: the video is live and said so
    assert post.status == "ok" and post.status_evidence == "youtube: oEmbed answered with the post"
    assert post.avatar_url == base(platform) + "/cdn/yt/channel.jpg" and post.sources["avatar_url"] == "embed-page"
    assert post.title == "Harbour bridge timelapse" and post.extra["duration"] == 754
    assert [m.type for m in post.media] == ["thumbnail"]


def test_bluesky_embed_page_is_addressed_by_did_from_the_markup(platform):
    platform.expect_request("/bsky/oembed").respond_with_json({
        "type": "rich", "version": "1.0", "author_name": "Kira Varga",
        "author_url": "https://bsky.app/profile/kvarga.bsky.social", "width": 550, "height": None,
        "html": '<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc123/app.bsky.feed.post/3kabc">'
                '<p lang="en">Ferry strike called off</p>&mdash; Kira Varga (<a href="https://bsky.app/profile/'
                'did:plc:abc123?ref_src=embed">@kvarga.bsky.social</a>) <a href="https://bsky.app/profile/'
                'did:plc:abc123/post/3kabc?ref_src=embed">March 1, 2024 at 10:00 AM</a></blockquote>'})
    platform.expect_request("/bsky/embed/did:plc:abc123/app.bsky.feed.post/3kabc").respond_with_data(
        fixture("bluesky_card.html", platform), content_type="text/html")
    post = Post(provider="bluesky", post_url="https://bsky.app/profile/kvarga.bsky.social/post/3kabc",
                markup='<blockquote class="bluesky-embed" data-bluesky-uri="at://did:plc:abc123/app.bsky.feed.post/3kabc">')
    run([post], platform, endpoints={"bluesky": "/bsky/oembed",
                                     "bluesky.embed-page": "/bsky/embed/{did}/app.bsky.feed.post/{rkey}"})
    assert post.text == "Ferry strike called off" and post.author_handle == "kvarga.bsky.social"
    assert post.avatar_url.endswith("/cdn/bsky/avatar.jpeg") and post.sources["avatar_url"] == "embed-page"
    assert post.sources["author_name"] == "oembed"
    assert not {"author_name", "author_handle", "text", "avatar_url"} & set(post.alternatives)  # the answers agree


def test_mastodon_asks_the_post_instance(platform):
    platform.expect_request("/api/oembed").respond_with_json({
        "type": "rich", "version": "1.0", "author_name": "Ana", "author_url": base(platform) + "/@ana",
        "html": '<blockquote class="mastodon-embed"><a href="x">Post by @ana</a></blockquote>', "height": None})
    post = Post(provider="mastodon", post_url=base(platform) + "/@ana/112233")
    run([post], platform)                             # no override: {instance} is the post's own server
    assert post.author_name == "Ana" and post.author_handle == "ana@127.0.0.1" and post.status == "ok"  # user@instance


# ---------------------------------------------------------------- the table and the request URLs
def test_every_endpoint_row_is_https_and_unique():
    from archiver import embeds
    rows = [e for p in embeds.providers() for e in p.endpoints]
    keys = [row.key for row in rows]
    assert len(keys) == len(set(keys)) == len(embeds.endpoint_keys())
    for row in rows:
        assert row.url.startswith(("https://", "{instance}")), row.key
    providers = {row.provider for row in rows}
    assert {"twitter", "youtube", "vimeo", "tiktok", "reddit", "bluesky", "mastodon", "flickr", "spotify",
            "soundcloud", "dailymotion", "facebook", "instagram", "threads"} <= providers


def test_overrides_replace_one_row_and_typos_are_reported():
    from archiver.enrich.request import endpoints_for, unknown_overrides
    rows = endpoints_for("facebook", "video", {"facebook.video-page": "http://127.0.0.1:1/v?href={url}"})
    assert [r.key for r in rows] == ["facebook.video", "facebook.video-page"]
    assert rows[1].url == "http://127.0.0.1:1/v?href={url}"
    assert unknown_overrides({"youtube": "x", "yutube": "y"}) == ["yutube"]


def test_x_widget_token_matches_what_the_widget_computes():
    from archiver.embeds.twitter import radix36, x_widget_token
    # reference values printed by JavaScript's Number#toString(36)
    assert [radix36(v) for v in (0.5, 35.5, 1 / 3, 3.141592653589793, 255.0)] == ["0.i", "z.i", "0.c", "3.53i5ab8p5f", "73"]
    assert x_widget_token("1783456789012345678") == "4bmw7laamzy"


# ---------------------------------------------------------------- verdicts through the whole path
CASES = Path(__file__).parent / "cases"


def test_tiktok_removed_video_is_deleted_by_its_embed_state_with_the_evidence(platform):
    platform.expect_request("/tt/oembed").respond_with_json(
        {"code": 400, "message": "Something went wrong", "data": {}}, status=400)
    platform.expect_request("/tt/embed/7341234567890123456").respond_with_data(
        (CASES / "tiktok" / "embed_v2_removed.body.html").read_text(encoding="utf-8"), content_type="text/html")
    post = Post(provider="tiktok", kind="video", post_id="7341234567890123456",
                post_url="https://www.tiktok.com/@harbourtown/video/7341234567890123456")
    run([post], platform, endpoints={"tiktok": "/tt/oembed", "tiktok.embed-page": "/tt/embed/{id}"})
    assert post.status == "deleted"
    assert post.status_evidence == "tiktok.embed-page: embed state error 10204"
    assert "oembed: HTTP 400" in post.enrich_error      # the oEmbed's 400 decided nothing and is recorded


def test_a_withheld_post_is_unavailable_and_an_outage_changes_nothing(platform):
    platform.expect_request("/x/oembed").respond_with_data("Over capacity", status=503)
    platform.expect_request("/x/result").respond_with_json({"__typename": "TweetTombstone", "tombstone": {"text": {
        "text": "This Post from @harbourdesk has been withheld in Germany based on local laws. Learn more"}}})
    post = tweet()
    run([post], platform, endpoints={"twitter": "/x/oembed", "twitter.data": "/x/result"})
    assert post.status == "unavailable" and post.status_evidence.startswith("twitter.data: TweetTombstone: ")
    outage = tweet()
    outage.status = "ok"                                  # checked before
    run([outage], platform, endpoints={key: "/x/oembed" for key in ("twitter", "twitter.data", "twitter.embed-page")})
    assert outage.status == "ok" and "HTTP 503" in outage.enrich_error   # as it was, with the error recorded
