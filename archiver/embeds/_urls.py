"""Post-URL normalisation shared by the providers (pure functions)."""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..extract.urls import absolute as _absolute

# Query parameters that only track who shared what; never part of a post's identity.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|ref_src|ref_url|ref|refer|referrer|igsh|igshid|si|s|t|fbclid|gclid|mc_cid|mc_eid|"
    r"feature|share_id|sender_device|is_from_webapp|is_copy_url|ref_source|cr|v|_nc_\w+|embed_source|"
    r"source|rdt|context|lang|dnt|theme)$", re.I)
# Parameters that *are* the identity on some hosts and must survive.
KEEP_PARAMS = {
    "youtube.com": {"v", "list", "t"},
    "facebook.com": {"story_fbid", "id", "fbid", "v", "set"},
    "vimeo.com": {"h"},
    "twitch.tv": {"channel", "video", "collection", "clip"},
    "dailymotion.com": {"video"},
}
HOST_ALIASES = {
    "twitter.com": "x.com", "mobile.twitter.com": "x.com", "mobile.x.com": "x.com", "m.twitter.com": "x.com",
    "m.facebook.com": "facebook.com", "mbasic.facebook.com": "facebook.com", "web.facebook.com": "facebook.com",
    "developers.facebook.com": "facebook.com", "business.facebook.com": "facebook.com",
    "m.youtube.com": "youtube.com", "music.youtube.com": "youtube.com", "youtube-nocookie.com": "youtube.com",
    "instagr.am": "instagram.com", "m.tiktok.com": "tiktok.com", "vm.tiktok.com": "tiktok.com",
    "old.reddit.com": "reddit.com", "new.reddit.com": "reddit.com", "np.reddit.com": "reddit.com",
    "threads.net": "threads.com", "m.vk.com": "vk.com", "mobile.bsky.app": "bsky.app",
}
# Hosts whose canonical form carries www.
WWW_HOSTS = {"facebook.com", "instagram.com", "youtube.com", "tiktok.com", "reddit.com", "threads.com",
             "linkedin.com", "pinterest.com", "flickr.com", "dailymotion.com", "tumblr.com"}


def absolute(url: str | None, base: str | None) -> str | None:
    """A web URL read against base (protocol-relative means https); see archiver.extract.urls."""
    return _absolute(url, base, prefer_https=True)


def bare_host(host: str) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def normalize_url(url: str | None, keep: set[str] | None = None) -> str | None:
    """Canonical form of a post URL: https, canonical host (www/mobile folded), tracking
    parameters and fragment removed. Keeps identity parameters (YouTube ?v=, Facebook story_fbid...)."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    host = bare_host(parts.hostname)
    host = HOST_ALIASES.get(host, host)
    keep_here = set(keep or ())
    for domain, names in KEEP_PARAMS.items():
        if host == domain or host.endswith("." + domain):
            keep_here |= names
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k in keep_here or not TRACKING_PARAMS.match(k)]
    if host in WWW_HOSTS:
        host = "www." + host
    path = parts.path or "/"
    path = re.sub(r"/{2,}", "/", path)
    return urlunsplit(("https", host, path, urlencode(query), ""))


def host_of(url: str | None) -> str:
    try:
        return bare_host(urlsplit(url or "").hostname or "")
    except ValueError:
        return ""


def host_matches(url: str | None, *domains: str) -> bool:
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)
