"""Imported once before capture workers are forked: loads the heavy modules and fills their
first-use caches (provider registry, trafilatura and its domain lists), so each worker starts
warm instead of paying that in every process."""
from __future__ import annotations

from . import capture  # noqa: F401
from . import embeds
from . import enrich  # noqa: F401
from .extract.article import extract_article
from .extract.html import parse_html

embeds.providers()
_page = ("<html><head><title>warm</title></head><body><article><h1>Warm up</h1>"
         + "<p>A paragraph of text long enough to be taken for an article body.</p>" * 8
         + "</article></body></html>")
extract_article(parse_html(_page), _page, "https://example.org/news/warm-up.html")
