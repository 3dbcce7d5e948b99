"""Article metadata from a parsed page (pure: no network).

Structured data first (JSON-LD, Open Graph / article:*, Twitter card, <link rel=canonical>,
<html lang>), because publishers put their own facts there; trafilatura (which uses htmldate
for dates) fills what is missing and gives the main text for search."""
from __future__ import annotations

import json
import logging
from typing import Any

from bs4 import BeautifulSoup

from .urls import absolute

log = logging.getLogger(__name__)
ARTICLE_TYPES = ("article", "newsarticle", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
                 "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "liveblogposting",
                 "webpage", "socialmediaposting", "report", "scholarlyarticle", "techarticle")


def meta_tags(doc: BeautifulSoup) -> dict[str, str]:
    """name/property/itemprop -> content, first occurrence wins (keys lower case)."""
    out: dict[str, str] = {}
    for m in doc.find_all("meta"):
        key = m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv")
        content = m.get("content")
        if key and content and content.strip():
            out.setdefault(key.strip().lower(), content.strip())
    return out


def json_ld(doc: BeautifulSoup) -> list[dict[str, Any]]:
    """Every JSON-LD object in the page, @graph flattened; unparseable blocks are skipped."""
    found: list[dict[str, Any]] = []
    for script in doc.find_all("script", type=lambda t: t and "ld+json" in t.lower()):
        raw = script.string or "".join(script.strings)
        try:
            data = json.loads(raw.strip().rstrip(";"))
        except ValueError:
            continue
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                found.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
            elif isinstance(item, list):
                stack.extend(item)
    return found


def _types(item: dict) -> set[str]:
    t = item.get("@type") or []
    return {str(x).lower() for x in (t if isinstance(t, list) else [t])}


def _names(value: Any) -> str | None:
    """A person/organisation value as a display string ('A, B' for several)."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    names = []
    for it in items:
        name = it.get("name") if isinstance(it, dict) else it
        if isinstance(name, str) and name.strip() and not name.strip().startswith("http"):
            names.append(name.strip())
    return ", ".join(dict.fromkeys(names)) or None


def _first(*values: Any) -> str | None:
    for v in values:
        if isinstance(v, list):
            v = v[0] if v else None
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def extract_article(doc: BeautifulSoup, html_text: str, url: str) -> dict[str, Any]:
    """Snapshot columns (title, byline, published_at, modified_at, canonical_url, site_name,
    description, lang, text) plus `metadata`: the raw Open Graph, Twitter card and JSON-LD."""
    meta = meta_tags(doc)
    ld = json_ld(doc)
    article = next((i for i in ld if _types(i) & set(ARTICLE_TYPES) - {"webpage"}), None) or \
        next((i for i in ld if _types(i) & set(ARTICLE_TYPES)), {})
    site = next((i for i in ld if _types(i) & {"website", "organization", "newsmediaorganization"}), {})
    publisher = article.get("publisher") if isinstance(article.get("publisher"), dict) else {}
    traf = _trafilatura(html_text, url)

    title_tag = doc.title.get_text(" ", strip=True) if doc.title else None
    canonical = doc.find("link", rel=lambda r: r and "canonical" in (r if isinstance(r, list) else r.split()))
    html_tag = doc.find("html")
    author_meta = meta.get("author") or meta.get("article:author") or meta.get("parsely-author")
    if author_meta and author_meta.startswith("http"):
        author_meta = None
    fields = {
        "title": _first(article.get("headline"), meta.get("og:title"), meta.get("twitter:title"),
                        traf.get("title"), title_tag),
        "byline": _first(_names(article.get("author")), author_meta, meta.get("byl"), traf.get("author")),
        "published_at": _first(article.get("datePublished"), meta.get("article:published_time"),
                               meta.get("datepublished"), meta.get("pubdate"), meta.get("date"),
                               traf.get("date")),
        "modified_at": _first(article.get("dateModified"), meta.get("article:modified_time"),
                              meta.get("og:updated_time"), meta.get("datemodified")),
        "canonical_url": _first(canonical.get("href") if canonical else None, meta.get("og:url")),
        "site_name": _first(meta.get("og:site_name"), publisher.get("name"), site.get("name"),
                            traf.get("sitename")),
        "description": _first(meta.get("description"), meta.get("og:description"),
                              meta.get("twitter:description"), article.get("description"),
                              traf.get("description")),
        "lang": _first(html_tag.get("lang") if html_tag else None, meta.get("content-language"),
                       meta.get("og:locale"), traf.get("language")),
        "text": traf.get("text") or _body_text(doc),
    }
    if fields["canonical_url"]:
        fields["canonical_url"] = absolute(fields["canonical_url"], url, schemes=None)
    fields["metadata"] = {
        "open_graph": {k: v for k, v in meta.items() if k.startswith(("og:", "article:"))},
        "twitter_card": {k: v for k, v in meta.items() if k.startswith("twitter:")},
        "json_ld": ld,
        "keywords": meta.get("keywords") or meta.get("news_keywords"),
        "image": _first(meta.get("og:image"), meta.get("twitter:image"), traf.get("image")),
        "section": _first(meta.get("article:section"), article.get("articleSection")),
    }
    return fields


def _trafilatura(html_text: str, url: str) -> dict[str, Any]:
    try:
        import trafilatura
        options = dict(url=url, with_metadata=True, include_comments=False, include_tables=True,
                       favor_precision=True)
        doc = trafilatura.bare_extraction(html_text, fast=True, **options)
        if doc is None or len(doc.text or "") < 400:  # the fallback algorithms help on hard pages
            doc = trafilatura.bare_extraction(html_text, **options) or doc
    except Exception:  # trafilatura on hostile markup: fall back to our own fields
        log.debug("trafilatura failed on %s", url, exc_info=True)
        return {}
    if doc is None:
        return {}
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _body_text(doc: BeautifulSoup) -> str | None:
    body = doc.body
    if body is None:
        return None
    skip = {"script", "style", "noscript", "template"}
    parts = [s.strip() for s in body.find_all(string=True)
             if s.strip() and not any(p.name in skip for p in s.parents)]
    return "\n".join(parts) or None
