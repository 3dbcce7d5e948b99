"""Facebook: `div.fb-post` / `div.fb-video` (fallback and rendered `fb_iframe_widget` states),
`div.fb-page` (kind "profile"), a bare `blockquote.fb-xfbml-parse-ignore` (or the older
`div.fb-xfbml-parse-ignore > blockquote`), `plugins/post.php` / `video.php` / `page.php` iframes with
their URL-encoded `href=`, `amp-facebook[data-href]` / `amp-facebook-page`, and the legacy
`video/embed?video_id=` player.

The fallback is read by structure, never by its words (they are localised: "Posted by … on …",
"Publié par … sur …"): the post URL is `cite` (else `data-href`); the author is the link that does not
point to the post; the date is the link to the post after the author (posts) or the text after the
author link (videos); a leading link to the post before the text is a video's title."""
from __future__ import annotations

import re
from typing import Iterable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup, Tag

from . import _social
from ._dates import epoch_utc, parse_date_text
from ._media_util import Candidate, find_iframes, finish
from ._urls import UrlRules, absolute, host_matches, normalize_url
from ._oembed import oembed_reader
from ._pages import add_image, int_value, page_reader, read_card, text_value
from ._text import sanitize_html, text_of
from .base import (DERIVED, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post,
                   ProviderRecord, Reading)

KEY = "facebook"
HOSTS = ("facebook.com", "fb.com", "fb.watch")
URL_RULES = UrlRules(
    aliases={"m.facebook.com": "facebook.com", "mbasic.facebook.com": "facebook.com", "web.facebook.com": "facebook.com",
             "developers.facebook.com": "facebook.com", "business.facebook.com": "facebook.com"},
    keep=frozenset({"story_fbid", "id", "fbid", "v", "set"}), www=frozenset({"facebook.com"}))
PLUGIN_PATH = re.compile(r"^(?:/v[\d.]+)?/plugins/(post|video|page|comment_embed)\.php$")
LEGACY_PLAYER = re.compile(r"^/(?:video/embed|v/(?P<id>\d+))")
VIDEO_PATH = re.compile(r"/(?:videos|reel|watch)(?:/|$)|^/video\.php|^/share/[vr]/")
ID_IN_PATH = re.compile(r"/(?:posts|videos|reel|permalink|photos(?:/[\w.]+)?)/([\w]+)/?$")
# "Share > Copy link" URLs: /share/p/CODE/ (post), /share/v/CODE/ (video), /share/r/CODE/ (reel).
SHARE_PATH = re.compile(r"^/share/[pvr]/([\w-]+)/?$")
ID_PARAMS = ("story_fbid", "fbid", "v", "video_id")
# First path segments that are not a page's vanity name.
NOT_PAGES = {"permalink.php", "photo.php", "video.php", "story.php", "watch", "reel", "share", "groups",
             "profile.php", "people", "pages", "events", "plugins", "hashtag", "media", "notes", "photos"}
CONTAINER_KINDS = {"fb-post": "post", "fb-video": "video", "fb-page": "profile", "fb-comment-embed": "post"}
SHORT_CONNECTOR = re.compile(r"^\s*[a-zà-ÿ]{1,3}\s+", re.I)


def _kind_of(url: str | None) -> str:
    parts = urlsplit(url or "")
    if VIDEO_PATH.search(parts.path) or host_matches(url, "fb.watch"):
        return "video"
    return "post"


def _post_id(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    query = parse_qs(parts.query)
    for name in ID_PARAMS:
        if query.get(name):
            return query[name][0]
    m = ID_IN_PATH.search(parts.path) or SHARE_PATH.match(parts.path)
    return m.group(1) if m else None


def _page_name(url: str | None) -> str | None:
    """The vanity name in https://www.facebook.com/NAME/..., which is the closest thing to a handle."""
    if not host_matches(url, "facebook.com", "fb.com"):     # fb.watch/CODE names a video, not a page
        return None
    segments = [s for s in urlsplit(url or "").path.split("/") if s]
    if (segments and segments[0].lower() not in NOT_PAGES and not segments[0].isdigit()
            and re.fullmatch(r"[\w.\-]+", segments[0])):
        return segments[0]
    return None


def _unwrap_plugin(url: str) -> tuple[str, str | None]:
    """(post URL, plugin kind) for plugins/*.php?href=… and the legacy player; else (url, None)."""
    parts = urlsplit(url)
    m = PLUGIN_PATH.match(parts.path)
    if m and host_matches(url, *HOSTS):
        href = parse_qs(parts.query).get("href")
        if href:
            inner = href[0]
            if inner.lower().startswith("http%3a") or inner.lower().startswith("https%3a"):
                inner = unquote(inner)
            return inner, m.group(1)
    legacy = LEGACY_PLAYER.match(parts.path)
    if legacy and host_matches(url, *HOSTS):
        video_id = legacy.group("id") or (parse_qs(parts.query).get("video_id") or [None])[0]
        if video_id:
            return f"https://www.facebook.com/watch/?v={video_id}", "video"
    return url, None


def _new_post(url: str, kind: str | None = None, original: str | None = None) -> Post:
    normal = normalize_url(url, URL_RULES)
    kind = kind or _kind_of(normal)
    post = Post(provider=KEY, kind=kind, post_url_original=original or url)
    post.put("post_url", normal, FALLBACK)
    if kind != "profile":
        post.put("post_id", _post_id(normal), DERIVED)
    page = _page_name(normal)
    if page:
        post.put("author_handle", page, DERIVED)
        post.put("author_url", f"https://www.facebook.com/{page}", DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for a Facebook post, video, photo or page URL, including plugin iframes (`href=`)."""
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS):
        return None
    inner, plugin = _unwrap_plugin(url)
    if not host_matches(inner, *HOSTS):
        return None
    kind = {"video": "video", "page": "profile"}.get(plugin or "", None)
    normal = normalize_url(inner, URL_RULES) or ""
    if kind is None:
        if _post_id(normal):
            kind = _kind_of(normal)
        elif _page_name(normal) and len([s for s in urlsplit(normal).path.split("/") if s]) == 1:
            kind = "profile"
        else:
            return None
    return _new_post(inner, kind, original=url)


# --- reading the fallback -------------------------------------------------------------------------

def _same(a: str | None, b: str | None) -> bool:
    if not (a and b):
        return False
    return (normalize_url(a, URL_RULES) or "").rstrip("/") == (normalize_url(b, URL_RULES) or "").rstrip("/")


def _trim_connector(text: str) -> str:
    """" on Wednesday, 22 November 2017" -> "Wednesday, 22 November 2017": the short lowercase word
    that joins author and date in every locale ("on", "sur", "am", "el", "em", "op") is dropped."""
    text = " ".join(text.replace("\u00a0", " ").split())
    trimmed = SHORT_CONNECTOR.sub("", text, count=1)
    if trimmed != text and text.split()[0].islower():
        return trimmed.rstrip(". ")
    return text.rstrip(". ")


def read_fallback(quote: Tag | None, post: Post, base_url: str) -> None:
    """Fill post from a `blockquote.fb-xfbml-parse-ignore` (any locale)."""
    if quote is None:
        return
    paras = [p for p in quote.find_all("p") if p.find_parent("blockquote") is quote or p.parent is quote]
    in_text = {id(a) for p in paras for a in p.find_all("a")}
    anchors = [(a, absolute(a["href"], base_url) or "") for a in quote.find_all("a", href=True)
               if id(a) not in in_text and (_bare(a) or absolute(a["href"], base_url))]
    # a personal profile's name links to "#" (Meta hides the profile's address)
    author = next(((a, url) for a, url in anchors
                   if _bare(a) or (not _same(url, post.post_url) and "/hashtag/" not in url)), None)
    first_para = paras[0] if paras else None
    for a, url in anchors:
        before_text = first_para is None or _precedes(a, first_para)
        if not _bare(a) and _same(url, post.post_url) and (author is None or _precedes(a, author[0])) and before_text:
            post.put("title", _social.text_of_link(a), FALLBACK)
            break
    if author is not None:
        a, url = author
        post.put("author_name", _social.text_of_link(a), FALLBACK)
        if not _bare(a):
            author_url = normalize_url(url, URL_RULES)
            _social.prefer(post, "author_url", author_url)
            _social.prefer(post, "author_handle", _page_name(author_url), DERIVED)
        date_link = next((x for x, u in anchors if not _bare(x) and _same(u, post.post_url) and _precedes(a, x)), None)
        date_text = _social.text_of_link(date_link) if date_link else _trim_connector(_social.text_after(a))
        post.put("date_text", date_text, FALLBACK)
        post.put("published_at", parse_date_text(date_text), FALLBACK)
    if paras:
        _social.put_text(post, paras, base_url)
    if post.kind == "profile" and author is None and anchors:
        post.put("author_name", _social.text_of_link(anchors[0][0]), FALLBACK)
        post.put("title", _social.text_of_link(anchors[0][0]), FALLBACK)
    _social.add_images(post, quote, base_url)


def _bare(a: Tag) -> bool:
    return (a.get("href") or "").strip() in ("#", "")


def _precedes(a: Tag, b: Tag) -> bool:
    for el in a.next_elements:
        if el is b:
            return True
    return False


# --- finding embeds ------------------------------------------------------------------------------

def _container_url(root: Tag, quote: Tag | None, base_url: str) -> str | None:
    candidates = [quote.get("cite") if quote is not None else None, root.get("data-href"), root.get("cite")]
    query = root.get("fb-iframe-plugin-query")
    if query:
        candidates.append((parse_qs(query).get("href") or [None])[0])
    frame = root.find("iframe")
    if frame is not None and frame.get("src"):
        candidates.append(_unwrap_plugin(absolute(frame["src"], base_url) or "")[0])
    if quote is not None:
        candidates += [url for _, url in _social.links(quote, base_url)]
    for value in candidates:
        url = absolute(value, base_url)
        if url and host_matches(url, *HOSTS):
            return url
    return None


def _containers(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for root in _social.roots(doc, ["div", "blockquote"], *CONTAINER_KINDS, "fb-xfbml-parse-ignore"):
        quote = root if root.name == "blockquote" else root.find("blockquote")
        url = _container_url(root, quote, base_url)
        if url is None:
            continue
        kind = next((k for c, k in CONTAINER_KINDS.items() if _social.has_class(root, c)), None)
        post = _new_post(url, kind or _kind_of(url))
        read_fallback(quote, post, base_url)
        yield Candidate(identity=post.post_url or "", inner=root, post=post, box=root)


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url, ("iframe", "embed")):
        if _social.in_template(frame) or frame.find_parent(class_=list(CONTAINER_KINDS)):
            continue
        post = match_url(url)
        if post is not None and (PLUGIN_PATH.match(urlsplit(url).path) or LEGACY_PLAYER.match(urlsplit(url).path)):
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def _amp(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for amp in doc.find_all(["amp-facebook", "amp-facebook-page"]):
        url = absolute(amp.get("data-href"), base_url)
        if _social.in_template(amp) or not url or not host_matches(url, *HOSTS):
            continue
        embed_as = (amp.get("data-embed-as") or "").lower()
        kind = "profile" if amp.name == "amp-facebook-page" else "video" if embed_as == "video" else None
        post = _new_post(url, kind)
        read_fallback(amp.find("blockquote"), post, base_url)
        yield Candidate(identity=post.post_url or "", inner=amp, post=post, box=amp)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_amp(doc, base_url), *_containers(doc, base_url), *_iframes(doc, base_url)])


# --- reading the plugin pages (plugins/post.php, video.php) -------------------------------------

def read_plugin_page(soup: BeautifulSoup, base_url: str, post: Post) -> Reading:
    """The document plugins/post.php and video.php send: read by structure, not by class names.
    The post's text is the `data-testid="post_message"` block (else the first paragraph); the header
    before it holds the author link (the first Facebook link with text that is not the post, its
    hashtags or its photos), the avatar (the image in a link to the author) and the time
    (`abbr[data-utime]`, seconds since 1970, with the page's own wording as its title)."""
    reading = read_card(soup, base_url, post)
    f = reading.fields
    root = soup.body or soup
    message = root.find(attrs={"data-testid": "post_message"})
    if message is not None and text_of(message):
        f["text"], f["text_html"] = text_of(message), sanitize_html(message, base_url or None)
    author_a, author_url = None, None
    for a in root.find_all("a", href=True):
        if message is not None and not _precedes(a, message):
            break
        url = absolute(a["href"], base_url)
        if (not url or not host_matches(url, *HOSTS) or _same(url, post.post_url) or "/hashtag/" in url
                or _post_id(url) or not _social.text_of_link(a)):
            continue
        author_a, author_url = a, normalize_url(url, URL_RULES)
        break
    avatar = None
    if author_a is not None:
        f["author_name"] = _social.text_of_link(author_a)
        f["author_url"] = author_url
        f["author_handle"] = _page_name(author_url) or f.get("author_handle")
        for a in root.find_all("a", href=True):
            img = a.find("img")
            if img is not None and _same(absolute(a["href"], base_url), author_url):
                avatar = img
                f["avatar_url"] = absolute(img.get("src"), base_url)
                break
    stamp = root.find("abbr", attrs={"data-utime": True})
    if stamp is not None:
        f["published_at"] = epoch_utc(stamp.get("data-utime")) or f.get("published_at")
        f["date_text"] = text_value(stamp.get("title")) or text_value(stamp.get_text()) or f.get("date_text")
    if author_a is not None or message is not None:
        reading.media = []
        for img in root.find_all("img"):
            src = absolute(img.get("src"), base_url)
            if img is avatar or not src or src == f.get("avatar_url") or "/emoji.php/" in src or (
                    message is not None and _precedes(img, message)):
                continue
            if message is not None and img in message.find_all("img"):
                continue
            add_image(reading, src, post, alt=img.get("alt") or "", width=int_value(img.get("width")),
                      height=int_value(img.get("height")))
        for video in root.find_all("video", poster=True):
            add_image(reading, absolute(video["poster"], base_url), post, type="video-poster")
    reading.fields = {k: v for k, v in f.items() if v not in (None, "", [])}
    return reading


read_plugin = page_reader(read_plugin_page)


def _oembed_post_read():
    return oembed_reader(find=find, handle_rule=None)


ENDPOINTS = (
    # Meta's Graph oEmbed only with a token; the plugin pages are what the SDK shows.
    Endpoint("facebook", OEMBED_ENDPOINT, "https://graph.facebook.com/v22.0/oembed_post", _oembed_post_read(),
             params=(("omitscript", "true"),), needs_meta_token=True, except_kinds=("video",)),
    Endpoint("facebook.video", OEMBED_ENDPOINT, "https://graph.facebook.com/v22.0/oembed_video", _oembed_post_read(),
             params=(("omitscript", "true"),), needs_meta_token=True, post_kinds=("video",)),
    Endpoint("facebook.embed-page", EMBED_PAGE_ENDPOINT,
             "https://www.facebook.com/plugins/post.php?href={url}&show_text=true&width=500", read_plugin,
             except_kinds=("video",)),
    Endpoint("facebook.video-page", EMBED_PAGE_ENDPOINT,
             "https://www.facebook.com/plugins/video.php?href={url}&show_text=true&width=500", read_plugin,
             post_kinds=("video",)),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Facebook", order=110, find=find, match_url=match_url,
    display=Display("f", "#1877f2", handle_prefix="", hashtag_url="https://www.facebook.com/hashtag/{}"),
    hosts=(*HOSTS, "fbcdn.net", "fbsbx.com", "connect.facebook.net"), endpoints=ENDPOINTS)
