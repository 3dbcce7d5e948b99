"""Does a statically captured page look like an app shell, a page whose content scripts build in
the browser? Then static capture kept little of what a reader saw, and `--browser` would keep it.

    reason = app_shell_reason(doc, text)      # None, or why (one short phrase)

Signs: an "enable JavaScript" notice; or little main text together with a root element that
scripts fill (id app/root/__next/..., or one loading its content from a data-src) or a body
that is mostly scripts."""
from __future__ import annotations

import re

from bs4 import BeautifulSoup

LITTLE_TEXT = 400           # characters of main text below which a page says almost nothing
ROOT_IDS = {"app", "root", "__next", "__nuxt", "___gatsby", "svelte", "main-app", "react-root", "app-root"}
_NOTICE = re.compile(r"(enable|turn on|requires?|need(?:s)?|is not available)[^.]{0,40}javascript|"
                     r"javascript[^.]{0,40}(is not available|is disabled|required|must be enabled)", re.I)
HINT = "capture it with --browser"


def app_shell_reason(doc: BeautifulSoup, text: str | None) -> str | None:
    """Why this page looks like an app shell, or None."""
    body = doc.body
    if body is None:
        return None
    visible = " ".join(body.get_text(" ", strip=True).split())
    for tag in body.find_all("noscript"):
        if _NOTICE.search(tag.get_text(" ", strip=True)):
            return "it asks for JavaScript"
    if len(visible) < 2000 and _NOTICE.search(visible):
        return "it says JavaScript is needed"
    if len((text or "").strip()) >= LITTLE_TEXT:
        return None
    root = body.find(id=lambda v: bool(v) and v.lower() in ROOT_IDS) or body.find(attrs={"data-reactroot": True})
    if root is not None and len(root.get_text(" ", strip=True)) < LITTLE_TEXT:
        return f"little text and an empty #{root.get('id') or 'root'} element for scripts to fill"
    if body.find(lambda t: t.name in ("article", "main", "div", "section") and t.has_attr("data-src")
                 and len(t.get_text(" ", strip=True)) < LITTLE_TEXT):
        return "little text and an element that loads its content with a script"
    scripts = sum(len(s.get_text()) for s in doc.find_all("script")) + 200 * len(doc.find_all("script", src=True))
    if scripts > 4 * max(len(visible), 1) and len(visible) < LITTLE_TEXT:
        return "little text and mostly scripts"
    return None


def app_shell_warning(doc: BeautifulSoup, text: str | None) -> str | None:
    """The one-line warning for a static capture that looks like an app shell, or None."""
    reason = app_shell_reason(doc, text)
    return f"this page looks like an app shell built by JavaScript ({reason}); {HINT}" if reason else None
