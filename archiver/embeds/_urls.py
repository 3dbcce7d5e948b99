"""Post-URL normalisation shared by the providers (pure functions)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..extract.urls import absolute as _absolute

# Query parameters that only track who shared what; never part of a post's identity.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|ref_src|ref_url|ref|refer|referrer|igsh|igshid|si|s|t|fbclid|gclid|mc_cid|mc_eid|"
    r"feature|share_id|sender_device|is_from_webapp|is_copy_url|ref_source|cr|v|_nc_\w+|embed_source|"
    r"source|rdt|context|lang|dnt|theme)$", re.I)


@dataclass(frozen=True)
class UrlRules:
    """How one platform writes its canonical post URLs (its provider declares them)."""

    aliases: Mapping[str, str] = field(default_factory=dict)   # host (without www.) -> canonical host
    keep: frozenset[str] = frozenset()   # query parameters that are the identity (never stripped)
    www: frozenset[str] = frozenset()    # canonical hosts that carry www.


PLAIN = UrlRules()


# Web archives' replay URLs wrap the original: Wayback Machine `/web/<timestamp>[im_|if_|js_...]/<URL>`
# (relative in a saved replay page, so on any host once read against the article's address),
# Archive-It `/<collection>/<timestamp>/<URL>`, archive.today `/o/<id>/<URL>`.
_ARCHIVED = re.compile(
    r"^https?://[^/?#]+(?:/web/\d{4,14}(?:[a-z]{2}_)?|/\d{1,7}/\d{14}(?:[a-z]{2}_)?|/o/[\w]{3,12})"
    r"/+(?P<url>(?:https?:/+|//)?[\w.-]+\.[a-z]{2,}(?:[/?#].*)?)$", re.I | re.S)
_ARCHIVE_TODAY = ("archive.ph", "archive.today", "archive.is", "archive.li", "archive.vn", "archive.md", "archive.fo")


def unwrap_archived(url: str | None) -> str | None:
    """The original URL inside a web archive's replay URL (Wayback Machine, Archive-It,
    archive.today); any other URL as it is."""
    if not url or "/" not in url:
        return url
    for _ in range(3):                                 # an archive of an archive
        m = _ARCHIVED.match(url)
        if m is None or (url.split("/", 3)[-1].startswith("o/") and not host_matches(url, *_ARCHIVE_TODAY)):
            return url
        inner = m.group("url")
        if inner.startswith("//"):
            inner = "https:" + inner
        elif not re.match(r"^https?:", inner, re.I):
            inner = "http://" + inner
        url = re.sub(r"^(https?):/+", r"\1://", inner, flags=re.I)
    return url


def absolute(url: str | None, base: str | None) -> str | None:
    """A web URL read against base (protocol-relative means https); see archiver.extract.urls.
    A web archive's replay URL gives the original it wraps (see `unwrap_archived`), also when the
    replay wrote it relative (`/web/<ts>/https://…`) and the page is read from a file."""
    if isinstance(url, str) and url.startswith("/web/"):
        inner = unwrap_archived("http://replay" + url.strip())
        url = url if inner is None or inner.startswith("http://replay/") else inner
    return unwrap_archived(_absolute(url, base, prefer_https=True))


def bare_host(host: str) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def normalize_url(url: str | None, rules: UrlRules = PLAIN) -> str | None:
    """Canonical form of a post URL: https, canonical host (www/mobile hosts folded by the
    platform's rules), tracking parameters and fragment removed; the platform's identity
    parameters (Facebook's story_fbid...) are kept."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    host = bare_host(parts.hostname)
    host = rules.aliases.get(host, host)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k in rules.keep or not TRACKING_PARAMS.match(k)]
    if host in rules.www:
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
