"""The charset a Content-Type names: one function for fetch, render, serve and stylesheets.

Each kind of document then has one decoding rule, used wherever its bytes become text:
HTML `archiver.extract.html.decode_html` (BOM, this charset, <meta>, detection) and CSS
`archiver.extract.css.decode_css` (BOM, this charset, @charset, UTF-8)."""
from __future__ import annotations

import re
from collections.abc import Mapping

_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def charset_of(content_type: str | None, headers: Mapping[str, str] | None = None) -> str | None:
    """The charset parameter of a Content-Type value (`text/html; charset="windows-1251"` gives
    "windows-1251"), read from `headers` when `content_type` is empty; None when none is named."""
    value = content_type or ""
    if not value and headers:
        value = next((v for k, v in headers.items() if k.lower() == "content-type" and isinstance(v, str)), "")
    m = _CHARSET.search(value)
    return m.group(1) if m else None
