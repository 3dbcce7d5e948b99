"""Which endpoints to ask about a post, and the URL to ask each (pure functions).

The endpoints and their URL templates belong to the providers (archiver.embeds); this module only
applies the one override mechanism (`Settings.endpoints`, keyed by endpoint key) and fills the
templates. Placeholders: {url} (the post URL, percent-encoded), {instance} (the origin of the post's
server, for fediverse platforms) and whatever the provider's `url_values(post)` gives ({id},
{token}, {did}, {rkey}, ...)."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote, urlencode, urlsplit

from .. import embeds
from ..embeds.base import OEMBED_ENDPOINT, Endpoint, Post

META_TOKEN_HINT = "set ARCHIVER_META_TOKEN to ask Meta's oEmbed"


def endpoints_for(provider: str, kind: str, overrides: dict[str, str] | None = None) -> list[Endpoint]:
    """The endpoints to ask for a post of this provider and kind, in order, with overrides applied."""
    overrides = overrides or {}
    return [replace(e, url=overrides[e.key]) if e.key in overrides else e for e in embeds.endpoints(provider, kind)]


def unknown_overrides(overrides: dict[str, str]) -> list[str]:
    """Override keys that match no endpoint (a typo would otherwise silently do nothing)."""
    known = embeds.endpoint_keys()
    return sorted(k for k in overrides if k not in known)


def instance_of(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def template_values(endpoint: Endpoint, post: Post) -> dict[str, str]:
    """Every placeholder value this post has for the endpoint's template (percent-encoded)."""
    values: dict[str, str] = {}
    if post.post_url:
        values["url"] = quote(post.post_url, safe="")
    instance = instance_of(post.post_url)
    if instance:
        values["instance"] = instance
    prov = embeds.provider(endpoint.provider)
    if prov is not None:
        for name, value in prov.url_values(post).items():
            if value:
                values[name] = quote(str(value), safe=":")
    return values


def build_url(endpoint: Endpoint, post: Post, meta_token: str | None = None) -> str | None:
    """The URL to GET, or None when the post lacks what the endpoint is addressed by."""
    if endpoint.kind == OEMBED_ENDPOINT:
        if not post.post_url:
            return None
        base = endpoint.url
        if "{instance}" in base:
            instance = instance_of(post.post_url)
            if not instance:
                return None
            base = base.replace("{instance}", instance)
        params = {"url": post.post_url, **dict(endpoint.params)}
        if endpoint.needs_meta_token and meta_token:
            params["access_token"] = meta_token
        return base + ("&" if "?" in base else "?") + urlencode(params)
    try:
        return endpoint.url.format(**template_values(endpoint, post))
    except (KeyError, IndexError, ValueError):
        return None
