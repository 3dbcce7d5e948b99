"""Capturing one page: fetch it, extract what it says and what it needs, fetch that, ask the
platforms about its embedded posts, and return everything as a `Snapshot` record. Nothing is
written here (archiver.capture saves it); nothing here knows about processes (capture/engine.py).

    snap = capture_page(url, fetcher, settings)

Network and markup trouble never raise: a page that cannot be fetched is a Snapshot with an
`error`, a requisite that cannot be fetched a Resource with one, and a failing embed detector or
enrichment is logged and costs only what it would have added."""
from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from http import HTTPStatus
from typing import Protocol
from urllib.parse import urlsplit

from .. import embeds as embed_registry
from ..enrich import enrich_posts
from ..extract.appshell import app_shell_warning
from ..extract.article import extract_article
from ..extract.css import css_refs, decode_css
from ..extract.html import decode_html, looks_like_html, parse_html
from ..extract.requisites import base_url_of, page_requisites
from ..extract.urls import without_credentials
from ..fetch import ByteBudget, Fetched, Fetcher
from ..model import Resource, Snapshot, now_iso, sha256
from ..settings import Settings
from ..stages import stage
from .posts import capture_post

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
SNIFF_TYPES = ("", "text/plain", "application/octet-stream", "binary/octet-stream")


class Getter(Protocol):
    """What fetches requisites: a Fetcher, or the engine's SharedFetches in front of one."""

    def get(self, url: str, budget: ByteBudget | None = None) -> Fetched: ...


def http_error(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP {status} {phrase}".strip()


def is_html(rec: Fetched) -> bool:
    mime = rec.mime_type
    if mime in HTML_TYPES:
        return True
    return mime in SNIFF_TYPES and looks_like_html(rec.body)


def capture_page(url: str, fetcher: Fetcher, settings: Settings, shared: Getter | None = None) -> Snapshot:
    """Fetch one page and everything it needs; never raises for network or markup trouble.
    Requisites are fetched through `shared` when given (pages of one run share them)."""
    post = embed_registry.match_post_url(url)
    if post is not None:   # a post link: archived as the post (capture/posts.py)
        return capture_post(url, post, fetcher, settings)
    started = time.monotonic()
    budget = ByteBudget(settings.max_capture_bytes)
    page = fetcher.get(url, budget=budget)
    snap = Snapshot(url=without_credentials(url), captured_at=now_iso(), final_url=page.final_url,
                    status_code=page.status,
                    content_type=page.headers.get("content-type"), headers=page.headers)
    if page.error:
        snap.error = page.error
    elif not page.ok:
        snap.error = http_error(page.status or 0)
        snap.body = page.body or None   # the server's answer (a 404 page) is evidence: kept, exported to WARC
    else:
        snap.body = page.body
        if is_html(page):
            _capture_html(snap, page, fetcher, settings, budget, shared or fetcher)
        else:
            snap.meta = _non_html_meta(page)
    snap.duration_ms = int((time.monotonic() - started) * 1000)
    return snap


def _non_html_meta(page: Fetched) -> dict:
    name = urlsplit(page.final_url or page.url).path.rstrip("/").rsplit("/", 1)[-1]
    meta: dict = {"title": name or page.final_url}
    if page.mime_type.startswith("text/"):
        text, _ = decode_html(page.body, page.header_charset)
        meta["text"] = text[:1_000_000]
    return meta


def _capture_html(snap: Snapshot, page: Fetched, fetcher: Fetcher, settings: Settings,
                  budget: ByteBudget, shared: Getter) -> None:
    with stage("parse"):
        text, _encoding = decode_html(page.body, page.header_charset)
        doc = parse_html(text)
    page_url = page.final_url or page.url
    with stage("requisites"):
        base = base_url_of(doc, page_url)
    with stage("embeds"):
        detected = _detect_embeds(doc, page_url)
    posts = [d.post for d in detected]
    # asking the platforms and fetching requisites are independent: do both at once, starting
    # with the platforms (a chain of requests per post, the longest part of most captures)
    with ThreadPoolExecutor(max_workers=2) as side:
        enriched = side.submit(_enrich, posts, fetcher, settings, budget)
        with stage("requisites"):
            wanted = page_requisites(doc, base) if settings.fetch_assets else []
        metadata = side.submit(_extract_article, doc, text, page_url)
        snap.resources = fetch_requisites(wanted, shared, settings, budget) if wanted else []
        snap.meta = metadata.result()
        snap.resources += enriched.result()
    shell = app_shell_warning(doc, snap.meta.get("text"))
    if shell:
        snap.warnings.append(shell)
    by_url = {r.url: r for r in snap.resources if r.body is not None}
    for d in detected:
        _link_stored_media(d.post, by_url)
        row = d.post.row()
        row["position"] = d.position
        snap.embeds.append(row)


def _detect_embeds(doc, page_url: str) -> list[embed_registry.Detected]:
    try:
        return embed_registry.detect(doc, page_url)
    except Exception:  # a detector bug must not lose the page
        log.warning("embed detection failed on %s", page_url, exc_info=True)
        return []


def _extract_article(doc, text: str, page_url: str) -> dict:
    with stage("article"):
        return extract_article(doc, text, page_url)


def _enrich(posts: list, fetcher: Fetcher, settings: Settings, budget: ByteBudget) -> list[Resource]:
    if not posts:
        return []
    try:
        with stage("enrich"):
            return enrich_posts(posts, fetcher, settings, budget)
    except Exception as exc:  # enrichment never fails a capture
        log.warning("enrichment failed", exc_info=True)
        for p in posts:
            p.enrich_error = p.enrich_error or f"enrichment failed: {exc}"
        return []


def _link_stored_media(post, by_url: dict[str, Resource]) -> None:
    """Media the page itself carried (e.g. a Flickr <img>) are already requisites: point at them."""
    for m in post.media:
        if not m.sha256 and m.url in by_url:
            m.sha256 = sha256(by_url[m.url].body)
    if post.avatar_url and not post.avatar_sha256 and post.avatar_url in by_url:
        post.avatar_sha256 = sha256(by_url[post.avatar_url].body)


def _resource(url: str, kind: str, rec: Fetched) -> Resource:
    res = Resource(url=url, kind=kind, final_url=rec.final_url, status_code=rec.status,
                   content_type=rec.headers.get("content-type"), headers=rec.headers, error=rec.error)
    if rec.error is None and not rec.ok:
        res.error = http_error(rec.status or 0)
    if res.error is None:
        res.body = rec.body
    return res


def fetch_requisites(wanted: Iterable[tuple[str, str]], fetcher: Getter,
                     settings: Settings, budget: ByteBudget | None = None) -> list[Resource]:
    """Fetch requisites concurrently (bounded pool); stylesheets are parsed as they arrive and
    what they need (url(), @import) is fetched too, resolved against the stylesheet's own URL.
    Results come back in discovery order."""
    order: dict[str, int] = {}
    kinds: dict[str, str] = {}
    results: dict[str, Resource] = {}
    skipped: list[str] = []

    def want(url: str, kind: str) -> bool:
        if url in order:
            return False
        order[url] = len(order)
        kinds[url] = kind
        if len(order) > settings.max_resources:
            skipped.append(url)
            return False
        return True

    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        pending: dict[Future, str] = {}
        for url, kind in wanted:
            if want(url, kind):
                pending[pool.submit(fetcher.get, url, budget=budget)] = url
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: order[pending[f]]):  # same order every run
                url = pending.pop(fut)
                rec = fut.result()
                res = _resource(url, kinds[url], rec)
                results[url] = res
                if res.body is not None and _is_stylesheet(res):
                    sheet_url = rec.final_url or url
                    with stage("requisites"):
                        refs = css_refs(decode_css(rec.body, rec.headers.get("content-type")), sheet_url)
                    for sub_url, sub_kind in refs:
                        if want(sub_url, sub_kind):
                            pending[pool.submit(fetcher.get, sub_url, budget=budget)] = sub_url
    for url in skipped:
        results[url] = Resource(url=url, kind=kinds[url],
                                error=f"not fetched: the page needs more than {settings.max_resources} resources")
    return sorted(results.values(), key=lambda r: order[r.url])


def _is_stylesheet(res: Resource) -> bool:
    ct = (res.content_type or "").lower()
    return res.kind == "stylesheet" or ct.startswith("text/css")
