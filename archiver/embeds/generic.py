"""The generic fallback (runs last): any other iframe showing a web page, including lazy ones
(`data-src`, `data-lazy-src`, consent-manager attributes) and `amp-iframe`. Not embeds: hidden or
0/1-pixel iframes (tracking), ad and analytics iframes, share/like buttons, comment widgets, subscribe
forms, `about:blank` without a lazy source, and frames on a platform's hosts that its provider did not
take (profile and feed widgets, buttons; a framed post page is that platform's post), or frames whose document a browser's "Save Page
As" wrote to a local file (the address it came from is gone). Kind "video" for hosts on Readability's video list, else
"link". Its match_url answers any web URL with a "link" post, so bare-URL dispatch always ends here."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag

from ._media_util import (
    LAZY_ATTRS, Candidate, absolute, find_iframes, finish, int_attr, is_template, title_attr,
)
from ._urls import host_matches, host_of
from .base import DERIVED, FALLBACK, Detected, Display, Post, ProviderRecord

KEY = "generic"
# Readability's list of hosts whose iframes are videos, plus the players news sites use most.
VIDEO_HOSTS = ("dailymotion.com", "youtube.com", "youtube-nocookie.com", "player.vimeo.com", "v.qq.com",
               "bilibili.com", "archive.org", "upload.wikimedia.org", "player.twitch.tv",
               "players.brightcove.net", "cdn.jwplayer.com", "content.jwplatform.com", "fast.wistia.net",
               "fast.wistia.com", "play.vidyard.com", "cdnapisec.kaltura.com", "player.kaltura.com",
               "embed.ted.com", "rumble.com", "ok.ru", "vk.com/video_ext.php", "c-span.org", "video.ibm.com")
AD_HOSTS = ("doubleclick.net", "googlesyndication.com", "googleadservices.com", "amazon-adsystem.com",
            "adnxs.com", "adsafeprotected.com", "criteo.com", "criteo.net", "taboola.com", "outbrain.com",
            "rubiconproject.com", "pubmatic.com", "openx.net", "moatads.com", "casalemedia.com", "2mdn.net",
            "adform.net", "smartadserver.com", "teads.tv", "serving-sys.com", "flashtalking.com", "yieldmo.com",
            "sharethrough.com", "3lift.com", "adsrvr.org", "media.net", "revcontent.com", "mgid.com",
            "googletagmanager.com", "google-analytics.com", "scorecardresearch.com", "quantserve.com",
            "chartbeat.com", "hotjar.com", "bat.bing.com", "ads.linkedin.com", "analytics.twitter.com")
WIDGET_HOSTS = ("disqus.com", "disquscdn.com", "recaptcha.net", "accounts.google.com", "ghbtns.com",
                "plusone.google.com", "privacy-mgmt.com", "consensu.org", "cookiebot.com", "cookielaw.org",
                "onetrust.com", "trustarc.com", "didomi.io", "usercentrics.eu", "tinypass.com", "piano.io",
                "spot.im", "openweb.com", "viafoura.co", "viafoura.net", "zephr.com", "pelcro.com",
                "paywall.", "newsletter.")
# Frames that ads, consent tools and sync scripts name after themselves.
WIDGET_NAMES = re.compile(r"^(google_ads_iframe|aswift_|__tcfapiLocator|__cmpLocator|__uspapiLocator|"
                          r"__gppLocator|sp_message_iframe|googlefcPresent|safeframe|ad_iframe|div-gpt-ad)", re.I)
WIDGET_PATH = re.compile(r"/(recaptcha|plugins/(like|share_button|follow|likebox|comments|login_button)\.php|"
                         r"widgets/(tweet|follow)_button)", re.I)
SIZE_STYLE = re.compile(r"(?<![-\w])(width|height)\s*:\s*([01])(px)?\s*(;|$|!)", re.I)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
DEFERRED_ATTRS = ("data-pym-src", "data-frame-src")
PLATFORM_NON_POSTS = ("timeline", "profile", "playlist", "link")
# Where browsers' "Save Page As" (complete) writes a frame's document: "<page title>_files/..." and
# Chrome's "saved_resource(N).html".
SAVED_FRAME_FILE = re.compile(r"_files/|(^|/)saved_resource(\(\d+\))?\.html?$", re.I)
GENERIC_TITLES = ("iframe", "Embedded content", "embed", "Advertisement", "3rd party ad content", "Blank")


def match_url(url: str) -> Post | None:
    """A "link" (or "video", for known video hosts) post for any web URL."""
    url = absolute(url, None)
    if not url:
        return None
    post = Post(provider=KEY, kind="video" if is_video_url(url) else "link", post_url_original=url)
    post.put("post_url", link_url(url), DERIVED)
    post.extra["site"] = host_of(url)
    return post


def is_video_url(url: str) -> bool:
    parts = urlsplit(url)
    for entry in VIDEO_HOSTS:
        host, _, path = entry.partition("/")
        if host_matches(url, host) and parts.path.startswith("/" + path):
            return True
    return False


def link_url(url: str) -> str:
    """An unknown site's URL with only sharing trackers and the fragment removed: on an unknown host
    any other parameter may be the identity (`?v=3`, `?id=`), so the platform rules do not apply."""
    parts = urlsplit(url)
    query = "&".join(p for p in parts.query.split("&")
                     if p and not re.match(r"(utm_\w+|fbclid|gclid|mc_cid|mc_eid)=", p, re.I))
    return urlunsplit((parts.scheme.lower(), (parts.netloc or "").lower(), parts.path or "/", query, ""))


def is_embed_url(url: str) -> bool:
    """False for ads, trackers, buttons, consent and paywall frames, comment widgets, subscribe forms."""
    if host_matches(url, *AD_HOSTS) or host_matches(url, *[h for h in WIDGET_HOSTS if not h.endswith(".")]):
        return False
    host = urlsplit(url).hostname or ""
    if any(host.startswith(prefix) for prefix in WIDGET_HOSTS if prefix.endswith(".")):
        return False
    path = urlsplit(url).path
    if host_matches(url, "substack.com") and path.rstrip("/") == "/embed":
        return False                            # subscribe form
    if host_matches(url, "facebook.com", "twitter.com", "x.com", "google.com") and WIDGET_PATH.search(path):
        return False
    return not re.search(r"/(ads?|adserver|pixel|beacon|tracking|safeframe)(/|\.|$)", path, re.I)


def is_ad_frame(el: Tag) -> bool:
    """An ad slot's frame, known by its own id/name or its slot's id (Google Publisher Tag, AdSense)."""
    names = [el.get("id"), el.get("name")] + [p.get("id") for p, _ in zip(el.parents, range(3))]
    return any(isinstance(n, str) and WIDGET_NAMES.match(n) for n in names)


def is_invisible(el: Tag) -> bool:
    """Tracking frames: 0/1 pixel wide or high, or hidden (unless a lazy/consent loader holds its real
    URL: consent managers hide the frame until the reader agrees). A style width of 0 with a min-width
    (Datawrapper's responsive code) is not small."""
    style = el.get("style") or ""
    sizes = {name: int(px) for name, px, _, _ in SIZE_STYLE.findall(style)}
    if re.search(r"min-width\s*:", style, re.I):
        sizes.pop("width", None)
    for name in ("width", "height"):
        value = int_attr(el, name)
        if value in (0, 1) or sizes.get(name) in (0, 1):
            return True
    lazy = any(el.get(a) for a in LAZY_ATTRS)
    hidden = el.has_attr("hidden") or HIDDEN_STYLE.search(style) or el.get("aria-hidden") == "true"
    return bool(hidden) and not lazy


def find(doc: BeautifulSoup, base_url: str) -> list[Detected]:
    from . import is_platform_url, match_post_url     # the registry imports the providers: import late

    cands = _deferred_frames(doc, base_url)
    for el, url in find_iframes(doc, base_url, ("iframe", "amp-iframe")):
        if is_invisible(el) or is_ad_frame(el) or not is_embed_url(url):
            continue
        if SAVED_FRAME_FILE.search(urlsplit(url).path):
            continue        # "Save Page As" put the frame's document in a local file: where it came from is gone
        if is_platform_url(url):
            # a platform's frame its provider did not take: its post when the address is one (a post
            # page framed as it is), never a profile, a feed or a button
            post = match_post_url(url)
            if post is not None and post.kind not in PLATFORM_NON_POSTS:
                post.extra["embed_url"] = url
                cands.append(Candidate(post.post_url or url, el, post))
            continue
        if any(c.box is not None and any(p is c.box for p in el.parents) for c in cands):
            continue                                  # the frame a deferred loader built: one embed
        post = match_url(url)
        if post is None:
            continue
        post.put("title", title_attr(el, GENERIC_TITLES), FALLBACK)
        post.extra["embed_url"] = url
        cands.append(Candidate(url, el, post))
    return finish(cands)


def _deferred_frames(doc: BeautifulSoup, base_url: str) -> list[Candidate]:
    """Newsroom graphics loaded by script: Pym.js (`div[data-pym-src]`, NPR and many newsrooms) and
    @newswire/frames (`div[data-frame-src]`). The div names the page; the script builds the iframe inside
    it (a rendered save keeps both: still one embed)."""
    cands: list[Candidate] = []
    for attr in DEFERRED_ATTRS:
        for el in doc.find_all(attrs={attr: True}):
            value = (el.get(attr) or "").strip()
            url = absolute(value, base_url) if re.match(r"^(https?:)?//|^/(?!/)", value, re.I) else None
            if not url or is_template(el) or not is_embed_url(url):
                continue
            post = match_url(url)
            if post is not None:
                post.extra["embed_url"] = url
                post.extra["loader"] = attr
                cands.append(Candidate(url, el, post, box=el))
    return cands


PROVIDER = ProviderRecord(
    key=KEY, name="Embedded content", order=950, find=find, match_url=match_url,
    display=Display("↗", "#5f6368", handle_prefix=""))
