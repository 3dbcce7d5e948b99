"""Embed services and page builders that wrap another platform's URL: the original URL is dispatched to
the providers' match_url (a YouTube URL inside an Iframely card is a YouTube embed).

- Iframely: `div.iframely-embed` holding `a[data-iframely-url][href=ORIGINAL]` (fallback), or the
  rendered `iframe[src*="cdn.iframe.ly/api/iframe?url=ORIGINAL"]`.
- Embedly: `.embedly-card[href]` / `blockquote.embedly-card a[href]` (fallback), or the rendered
  `iframe.embedly-embed[src*="cdn.embedly.com/widgets/media.html?url=ORIGINAL&image=THUMB"]`.
- Elementor's video widget: `[data-widget_type^="video"][data-settings='{"youtube_url": ...}']`, a
  placeholder that its script fills.
- Drupal core's oEmbed media formatter: `iframe.media-oembed-content` on the site's own route
  `/media/oembed?url=ORIGINAL&max_width=…&hash=…` (any language prefix; the `hash` is always there).
- CKEditor 5 media embed (Drupal 10, many custom CMSs): `figure.media > oembed[url]` (semantic output), or
  `div[data-oembed-url]` (previews in data; a player inside is claimed by its own provider first).
"""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import (
    Candidate, absolute, confirm_media, dispatch_url, find_iframes, finish, is_template, title_attr,
)
from ._text import text_of
from ._urls import host_matches
from .base import FALLBACK, Detected, Display, Media, Post, ProviderRecord

KEY = "aggregator"
DRUPAL_ROUTE = re.compile(r"/media/oembed/?$")
SERVICE_HOSTS = ("iframe.ly", "iframely.net", "embedly.com", "embed.ly")
ELEMENTOR_KEYS = ("youtube_url", "vimeo_url", "dailymotion_url", "videopress_url", "external_url")


def match_url(url: str) -> Post | None:
    """An Iframely or Embedly iframe URL, or a Drupal `/media/oembed?url=` frame: the Post of the URL it wraps."""
    url = absolute(url, None) or ""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    drupal = bool(DRUPAL_ROUTE.search(parts.path)) and "hash" in query
    if not (drupal or host_matches(url, *SERVICE_HOSTS)):
        return None
    inner = absolute(query.get("url", [""])[0], None)
    if not inner or host_matches(inner, *SERVICE_HOSTS) or inner.split("?")[0] == url.split("?")[0]:
        return None
    post = dispatch_url(inner, exclude=(KEY,))
    if post is not None:
        post.extra.setdefault("via", "drupal" if drupal else parts.hostname)
        post.extra.setdefault("embed_url", url)
    return post


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    cands: list[Candidate] = []
    for el, url in find_iframes(doc, base_url, ("iframe",)):
        post = match_url(url)
        if post is not None:
            thumb = absolute(parse_qs(urlsplit(url).query).get("image", [""])[0], None)
            if thumb:
                confirm_media(post, Media(url=thumb, type="thumbnail", source=FALLBACK))
            post.put("title", title_attr(el), FALLBACK)
            box = el.find_parent("div", class_="iframely-embed")
            cands.append(Candidate(post.post_url or url, el, post, box=box))
    for a in doc.find_all("a", attrs={"data-iframely-url": True}):
        box = a.find_parent("div", class_="iframely-embed") or a
        cand = _dispatch(a.get("href"), base_url, a, box, "iframely")
        if cand is not None:
            cand.post.put("title", text_of(a), FALLBACK)
            cands.append(cand)
    for card in doc.find_all(class_="embedly-card"):
        link = card if card.name == "a" else card.find("a", href=True)
        cand = _dispatch(link.get("href") if link else None, base_url, card, card, "embedly")
        if cand is not None:
            heading = card.find(["h1", "h2", "h3", "h4"])
            cand.post.put("title", text_of(heading) if heading else text_of(link), FALLBACK)
            para = card.find("p")
            cand.post.put("text", text_of(para) if para else None, FALLBACK)
            cands.append(cand)
    for el in [*doc.find_all(["oembed", "o-embed"], url=True), *doc.find_all(attrs={"data-oembed-url": True})]:
        url = el.get("url") if el.name in ("oembed", "o-embed") else el.get("data-oembed-url")
        figure = el.parent if isinstance(el.parent, Tag) and el.parent.name == "figure" else None
        box = figure if figure is not None and len(figure.find_all(True, recursive=False)) == 1 else el
        cand = _dispatch(_pasted_url(url), None, el, box, "ckeditor")
        if cand is not None:
            cands.append(cand)
    for el in doc.find_all(attrs={"data-settings": True, "data-widget_type": True}):
        if str(el.get("data-widget_type")).startswith("video") and not el.find("iframe"):
            cand = _dispatch(_elementor_url(el), base_url, el, el, "elementor")
            if cand is not None:
                cands.append(cand)
    return finish(cands)


def _dispatch(href, base_url: str, inner: Tag, box: Tag, via: str) -> Candidate | None:
    url = absolute(href, base_url) if isinstance(href, str) else None
    if not url or is_template(inner) or host_matches(url, *SERVICE_HOSTS):
        return None
    post = dispatch_url(url, exclude=(KEY,))
    if post is None:
        return None
    post.extra.setdefault("via", via)
    return Candidate(post.post_url or url, inner, post, box=box)


def _pasted_url(value) -> str | None:
    """A URL as an editor stored it: absolute, or a bare `host.tld/path` (CKEditor keeps what was pasted)."""
    value = value.strip() if isinstance(value, str) else ""
    if re.match(r"^[\w-]+(\.[\w-]+)+/", value):
        value = "https://" + value
    return absolute(value, None) if re.match(r"^(https?:)?//", value, re.I) else None


def _elementor_url(el: Tag) -> str | None:
    try:
        settings = json.loads(el["data-settings"])
    except (ValueError, TypeError):
        return None
    if not isinstance(settings, dict):
        return None
    kind = settings.get("video_type")
    keys = [f"{kind}_url"] if kind else list(ELEMENTOR_KEYS)
    return next((settings[k] for k in keys if isinstance(settings.get(k), str) and settings[k]), None)


PROVIDER = ProviderRecord(
    key=KEY, name="Embed services", order=650, find=find, match_url=match_url,
    display=Display("↗", "#5f6368", handle_prefix=""),
    hosts=SERVICE_HOSTS)
