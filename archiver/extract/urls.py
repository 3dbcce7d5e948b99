"""Making a reference absolute: the one rule capture, render, the embeds and enrichment share for
turning what a page says (an attribute value, a CSS `url()`, a link in a post) into a URL."""
from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import unquote, urljoin, urlsplit

WEB = ("http", "https")


def absolute(url: object, base: str | None = None, *, schemes: Collection[str] | None = WEB,
             prefer_https: bool = False) -> str | None:
    """`url` read against `base`, or None when there is nothing to load or follow. Never raises.

    - surrounding whitespace is stripped; None, a non-string or an empty value gives None;
    - a reference to the same document (`#top`) gives None; any other fragment is kept;
    - a protocol-relative `//host/path` takes the base's scheme, like a browser, or https when
      `prefer_https` is set or there is no base (post URLs: platforms answer over https);
    - the result's scheme must be in `schemes` (default http and https, which also need a host),
      else None; `schemes=None` accepts any (data:, mailto: ... come back as they are);
    - a malformed URL ("http://[oops") gives None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    if url.startswith("//") and (prefer_https or not base):
        url = "https:" + url
    try:
        joined = urljoin(base, url) if base else url
        parts = urlsplit(joined)
    except ValueError:
        return None
    if schemes is None:
        return joined
    scheme = parts.scheme.lower()
    if scheme not in schemes or (scheme in WEB and not parts.netloc):
        return None
    return joined


_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@")


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """`url` without a `user:password@` part, and that (user, password) or None. A URL's
    credentials authenticate one request; they are never stored or printed. Never raises."""
    m = _USERINFO.match(url)
    if not m:
        return url, None
    user, _, password = m.group(2).partition(":")
    return m.group(1) + url[m.end():], (unquote(user), unquote(password))


def without_credentials(url: str | None) -> str | None:
    """`url` with any `user:password@` removed (None stays None)."""
    return url if url is None else split_credentials(url)[0]
