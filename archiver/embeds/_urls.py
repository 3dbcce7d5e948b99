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


def absolute(url: str | None, base: str | None) -> str | None:
    """A web URL read against base (protocol-relative means https); see archiver.extract.urls."""
    return _absolute(url, base, prefer_https=True)


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
