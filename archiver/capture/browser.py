"""Browser capture (`archiver archive --browser`): headless Chromium loads the page, waits for the
network to settle, scrolls the whole page in steps so lazy content loads, waits (bounded) for
embeds to render, and the capture keeps

  * every response the browser received, as the snapshot's resources (one per URL);
  * the requisites the static extractor finds in the rendered DOM that the browser did not load
    (srcset and <picture> alternatives for other screens, icons), fetched as in static mode;
  * the DOM after scripts ran (resource kind `rendered-html`) and a full-page PNG (`screenshot`);
  * for each embed, a PNG of the element as the platform drew it (`embed-screenshot`, named by
    the embed row's `screenshot_sha256`).

Embeds are detected in the raw HTML and in the rendered DOM and merged by post; enrichment runs as
in static mode. Everything is bounded (BrowserLimits): a page that never settles keeps what it
has, with a warning on the snapshot.

    with browser_capturer(settings, n_pages) as submit:
        future = submit(url)          # Future[Snapshot]

One thread owns Chromium (Playwright's sync API keeps to one thread) and renders pages one after
another; the work that needs no browser (enrichment, missing requisites, metadata) runs in a pool
meanwhile."""
from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from .. import chromium
from .. import embeds as embed_registry
from ..enrich.request import build_url, endpoints_for
from ..embeds.base import EMBED_PAGE_ENDPOINT, Post
from ..extract.article import extract_article
from ..extract.html import decode_html, parse_html
from ..extract.requisites import base_url_of, page_requisites
from ..fetch import ByteBudget, Fetcher
from ..model import Resource, Snapshot, now_iso, sha256
from ..settings import Settings
from .engine import SharedFetches, _cpu_cores
from .pipeline import (HTML_TYPES, _detect_embeds, _enrich, _link_stored_media, capture_page, fetch_requisites,
                       http_error)
from .posts import capture_post

log = logging.getLogger(__name__)

RENDERED_HTML = "rendered-html"
SCREENSHOT = "screenshot"
EMBED_SCREENSHOT = "embed-screenshot"
MARK = "data-archiver-el"
_MARKS = re.compile(r' data-archiver-el="\d+"')

KINDS = {"document": "frame", "stylesheet": "stylesheet", "image": "image", "font": "font", "script": "script",
         "media": "media", "xhr": "data", "fetch": "data", "manifest": "manifest", "texttrack": "media"}


@dataclass
class BrowserLimits:
    """How long and how far the browser goes for one page (seconds, CSS pixels)."""
    page_timeout: float = 30.0        # navigation (until `load`)
    settle_timeout: float = 5.0       # each wait for the network to go quiet
    scroll_max: int = 30_000          # scroll no further than this
    scroll_pause: float = 0.1         # between scroll steps
    embed_wait: float = 8.0           # for embeds' frames to load and draw
    screenshot_max_height: int = 16_000
    viewport: tuple[int, int] = (1280, 900)


@dataclass
class Rendered:
    """What the browser saw of one page."""
    url: str
    captured_at: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None          # the main document as the server sent it
    error: str | None = None
    dom: str | None = None             # the DOM after scripts ran (markers removed)
    screenshot: bytes | None = None
    responses: list[Resource] = field(default_factory=list)
    rendered_embeds: list = field(default_factory=list)      # Detected, in the rendered DOM
    replaced_markup: str = ""          # elements scripts removed from the page (embed codes)
    element_shots: dict[int, bytes] = field(default_factory=dict)   # rendered position -> PNG
    warnings: list[str] = field(default_factory=list)


_SCROLL_JS = """async ([maxPx, pause]) => {
  const step = Math.max(200, Math.floor(window.innerHeight * 0.8));
  let y = 0;
  while (y < Math.min(document.documentElement.scrollHeight, maxPx)) {
    y += step; window.scrollTo(0, y);
    await new Promise(r => setTimeout(r, pause));
  }
  window.scrollTo(0, 0);
  return document.documentElement.scrollHeight;
}"""
# Markup that scripts replace (the platforms' loaders swap a blockquote for their iframe, also in
# articles a script built): kept, so that an embed seen only as an iframe in the rendered DOM
# still gets what its embed code said (author, text, the post's own URL). Bounded.
_KEEP_REMOVED_JS = """(() => {
  const kept = []; let bytes = 0;
  Object.defineProperty(window, '__archiverRemoved', {value: kept, enumerable: false});
  new MutationObserver(ms => { for (const m of ms) for (const n of m.removedNodes) {
    if (n.nodeType !== 1 || kept.length >= 500 || bytes > 5e6) continue;
    if (n.tagName === 'SCRIPT' || n.tagName === 'STYLE' || n.tagName === 'LINK') continue;
    const h = n.outerHTML; if (!h || h.length > 200000) continue;
    bytes += h.length; kept.push(h);
  } }).observe(document, {childList: true, subtree: true});
})();"""
_MARK_JS = """(name) => { let i = 0; for (const el of document.body ? document.body.querySelectorAll('*') : [])
  el.setAttribute(name, String(i++)); return i; }"""


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class _Traffic:
    """Requests in flight on a page, and when the last one started or ended (Playwright's own
    `networkidle` is reached once per navigation and then stays reached, so it cannot tell
    whether scrolling started new downloads)."""

    def __init__(self, page, settings: Settings) -> None:
        self.inflight, self.last = 0, time.monotonic()
        # each body is read as soon as it has arrived: asked for later, Chromium may have dropped it
        # and download it again (not what the page got, and a wait for a slow server)
        self.bodies: dict[int, bytes | str] = {}   # id(request) -> body, or why there is none
        self.budget, self.max_bytes, self.max_count = (ByteBudget(settings.max_capture_bytes), settings.max_bytes,
                                                       settings.max_resources)
        self.closed = False
        page.on("request", lambda r: self._change(+1))
        page.on("requestfinished", lambda r: self._done(r))
        page.on("requestfailed", lambda r: self._change(-1))

    def _done(self, request) -> None:
        self._change(-1)
        if self.closed or len(self.bodies) >= self.max_count or not request.url.lower().startswith("http"):
            return
        try:
            resp = request.response()
            if resp is None or not 200 <= resp.status < 300:
                return
            body = resp.body()
        except Exception as exc:
            self.bodies[id(request)] = f"the browser kept no body: {_one_line(exc)}"
            return
        if len(body) > self.max_bytes or not self.budget.take(len(body)):
            self.bodies[id(request)] = f"not kept: larger than the byte limit ({len(body)} bytes)"
        else:
            self.bodies[id(request)] = body

    def _change(self, delta: int) -> None:
        self.inflight = max(0, self.inflight + delta)
        self.last = time.monotonic()

    def settle(self, page, seconds: float, what: str, warnings: list[str], quiet: float = 0.5) -> bool:
        """Wait until nothing was in flight for `quiet` seconds, at most `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.inflight == 0 and time.monotonic() - self.last >= quiet:
                return True
            page.wait_for_timeout(50)   # lets Playwright deliver the events
        warnings.append(f"the network did not settle within {seconds:g} s ({what}); kept what had loaded")
        return False


def render_page(browser, url: str, settings: Settings, limits: BrowserLimits) -> Rendered:
    """Load `url` in a fresh browser context and collect what it showed; never raises for network
    or page trouble (the record's `error` or `warnings` say what happened)."""
    out = Rendered(url=url, captured_at=now_iso())
    width, height = limits.viewport
    context = browser.new_context(viewport={"width": width, "height": height}, user_agent=settings.user_agent,
                                  service_workers="block")
    try:
        context.add_init_script(_KEEP_REMOVED_JS)
        page = context.new_page()
        traffic = _Traffic(page, settings)
        seen: list = []
        page.on("response", lambda r: seen.append(r))
        main = None
        try:
            main = page.goto(url, wait_until="load", timeout=limits.page_timeout * 1000)
        except Exception as exc:
            if "Timeout" in type(exc).__name__ or "Timeout" in str(exc)[:80]:
                out.warnings.append(f"the page did not finish loading within {limits.page_timeout:g} s; "
                                    "kept what had loaded")
            else:
                out.error = _one_line(exc)
                return out
        if main is None:   # timed out: the last main-frame document that arrived
            main = next((r for r in reversed(seen) if r.request.is_navigation_request()
                         and r.frame == page.main_frame), None)
        if main is None:
            out.error = out.error or "no response from the server"
            return out
        out.final_url, out.status, out.headers = main.url, main.status, dict(main.headers)
        try:
            out.body = main.body()
        except Exception as exc:
            out.error = f"the page's bytes could not be read: {_one_line(exc)}"
            return out
        if not 200 <= main.status < 300:
            out.error = http_error(main.status)
            return out
        traffic.settle(page, limits.settle_timeout, "after load", out.warnings)
        try:
            page.evaluate(_SCROLL_JS, [limits.scroll_max, int(limits.scroll_pause * 1000)])
        except Exception as exc:
            out.warnings.append(f"scrolling failed: {_one_line(exc)}")
        traffic.settle(page, limits.settle_timeout, "after scrolling", out.warnings)
        _wait_for_frames(page, traffic, limits.embed_wait, out.warnings)
        _collect_dom_and_shots(page, traffic, out, settings, limits)
        traffic.closed = True
        out.responses = _responses(seen, main, settings, traffic.bodies)
    except Exception as exc:   # the browser itself failed (crashed tab, closed context)
        out.error = out.error or f"browser: {_one_line(exc)}"
    finally:
        try:
            context.close()
        except Exception:
            pass
    return out


def _wait_for_frames(page, traffic: _Traffic, seconds: float, warnings: list[str]) -> None:
    """Bounded: every frame loaded, then the network quiet again (embeds draw from their data)."""
    deadline = time.monotonic() + seconds
    for frame in list(page.frames):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            frame.wait_for_load_state("load", timeout=left * 1000)
        except Exception:
            pass
    left = deadline - time.monotonic()
    if left <= 0.05 or not traffic.settle(page, left, "embeds", []):
        warnings.append(f"embeds were still loading after {seconds:g} s; kept what they had drawn")


def _collect_dom_and_shots(page, traffic: _Traffic, out: Rendered, settings: Settings,
                           limits: BrowserLimits) -> None:
    try:
        removed = page.evaluate("() => window.__archiverRemoved || []")
        out.replaced_markup = "<!DOCTYPE html><html><body>" + "\n".join(removed) + "</body></html>"
    except Exception:
        pass
    page.evaluate(_MARK_JS, MARK)
    marked = page.content()
    out.dom = _MARKS.sub("", marked)
    out.screenshot = _full_page_png(page, traffic, limits, out.warnings)
    doc = parse_html(marked)
    out.rendered_embeds = _detect_embeds(doc, out.final_url or out.url)
    for det in out.rendered_embeds:
        mark = _mark_of(det.element)
        if mark is None:
            continue
        try:
            loc = page.locator(f'[{MARK}="{mark}"]')
            loc.scroll_into_view_if_needed(timeout=2000)
            out.element_shots[det.position] = loc.screenshot(type="png", timeout=5000)
        except Exception:
            log.info("no screenshot of embed %s on %s", det.position, out.url)
    # the Detected elements keep their marks; the stored DOM does not
    for det in out.rendered_embeds:
        for tag in [det.element, *det.element.find_all(True)]:
            tag.attrs.pop(MARK, None)


def _full_page_png(page, traffic: _Traffic, limits: BrowserLimits, warnings: list[str]) -> bytes | None:
    """The whole page as one PNG. The viewport is made as tall as the page first (bounded): cross-
    site frames (embeds) outside the viewport are not painted, and would come out blank."""
    width, height = limits.viewport
    try:
        full = int(page.evaluate("() => Math.max(document.documentElement.scrollHeight, "
                                 "document.body ? document.body.scrollHeight : 0)") or height)
        if full > limits.screenshot_max_height:
            warnings.append(f"the page is {full} px tall; the screenshot keeps the first "
                            f"{limits.screenshot_max_height} px")
        tall = max(height, min(full, limits.screenshot_max_height))
        page.set_viewport_size({"width": width, "height": tall})
        traffic.settle(page, limits.settle_timeout, "for the screenshot", warnings, quiet=0.3)
        png = page.screenshot(type="png", timeout=30_000)
        page.set_viewport_size({"width": width, "height": height})
        return png
    except Exception as exc:
        warnings.append(f"no full-page screenshot: {_one_line(exc)}")
        return None


def _mark_of(element) -> str | None:
    value = element.get(MARK)
    if value is None:
        inner = element.find(attrs={MARK: True})
        value = inner.get(MARK) if inner is not None else None
    return value


def _responses(seen: list, main, settings: Settings, bodies: dict[int, bytes | str]) -> list[Resource]:
    """Every response the browser received (not the page itself), one per URL, bounded; one whose
    body was still arriving when the capture ended is recorded without it."""
    kept: dict[str, Resource] = {}
    for resp in list(seen):
        url = resp.url
        if resp is main or not url.lower().startswith(("http://", "https://")) or 300 <= resp.status < 400:
            continue
        if url in kept and kept[url].body is not None:
            continue
        if len(kept) >= settings.max_resources:
            break
        kind = KINDS.get(resp.request.resource_type, "other")
        headers = dict(resp.headers)
        res = Resource(url=url, kind=kind, final_url=url, status_code=resp.status,
                       content_type=headers.get("content-type"), headers=headers)
        body = bodies.get(id(resp.request))
        if not 200 <= resp.status < 300:
            res.error = http_error(resp.status)
        elif body is None:
            res.error = "still loading when the capture ended"
        elif isinstance(body, str):
            res.error = body
        else:
            res.body = body
        kept[url] = res
    return list(kept.values())


def _post_key(post: Post) -> tuple:
    return (post.provider, post.post_id) if post.post_id else ("url", post.post_url)


def finish(rendered: Rendered, fetcher: Fetcher, settings: Settings, shared=None) -> Snapshot:
    """The snapshot from what the browser saw: merged embeds, enrichment, metadata from the
    rendered DOM, and the requisites the browser did not load."""
    started = time.monotonic()
    snap = Snapshot(url=rendered.url, captured_at=rendered.captured_at, final_url=rendered.final_url,
                    status_code=rendered.status, content_type=rendered.headers.get("content-type"),
                    headers=rendered.headers, body=rendered.body, error=rendered.error)
    snap.capture_mode = "browser"
    snap.warnings = list(rendered.warnings)
    if snap.error or rendered.dom is None:
        return snap
    page_url = rendered.final_url or rendered.url
    raw_text = decode_html(rendered.body or b"", (rendered.headers.get("content-type") or "").partition("charset=")[2]
                           or None)[0]
    raw_doc = parse_html(raw_text)
    dom_doc = parse_html(rendered.dom)
    replaced = _detect_embeds(parse_html(rendered.replaced_markup), page_url) if rendered.replaced_markup else []
    merged = _merge(_detect_embeds(raw_doc, page_url), rendered.rendered_embeds, replaced)
    posts = [post for post, _ in merged]
    budget = ByteBudget(settings.max_capture_bytes)
    have = {r.url for r in rendered.responses if r.body is not None} | {page_url, rendered.url}
    missing = [(u, k) for u, k in page_requisites(dom_doc, base_url_of(dom_doc, page_url))
               if u not in have] if settings.fetch_assets else []
    with ThreadPoolExecutor(max_workers=2) as side:
        enriched = side.submit(_enrich, posts, fetcher, settings, budget)
        extra = fetch_requisites(missing, shared or fetcher, settings, budget) if missing else []
        snap.meta = extract_article(dom_doc, rendered.dom, page_url)
        snap.resources = list(rendered.responses) + extra
        snap.resources += enriched.result()
    snap.resources.append(_made(f"archiver:{RENDERED_HTML}", RENDERED_HTML, rendered.dom.encode("utf-8"),
                                "text/html; charset=utf-8"))
    if rendered.screenshot:
        snap.resources.append(_made(f"archiver:{SCREENSHOT}", SCREENSHOT, rendered.screenshot, "image/png"))
    by_url = {r.url: r for r in snap.resources if r.body is not None}
    for position, (post, shot_position) in enumerate(merged):
        _link_stored_media(post, by_url)
        row = post.row()
        row["position"] = position
        shot = rendered.element_shots.get(shot_position) if shot_position is not None else None
        if shot:
            snap.resources.append(_made(f"archiver:{EMBED_SCREENSHOT}/{position}", EMBED_SCREENSHOT, shot,
                                        "image/png"))
            row["screenshot_sha256"] = sha256(shot)
        snap.embeds.append(row)
    snap.duration_ms = (snap.duration_ms or 0) + int((time.monotonic() - started) * 1000)
    return snap


def _merge(raw: list, rendered: list, replaced: list = ()) -> list[tuple[Post, int | None]]:
    """One (post, rendered position) per post: in rendered-DOM order (so the offline render of the
    rendered DOM finds each card's row by position), then posts only the raw HTML had. Where a
    post of the rendered DOM was also in the raw HTML, or in markup a script replaced, that post
    (the embed code as published) is kept; replaced markup adds no post of its own."""
    raw_by_key = {}
    for det in [*raw, *replaced]:
        raw_by_key.setdefault(_post_key(det.post), det.post)
    merged, used = [], set()
    for det in rendered:
        key = _post_key(det.post)
        post = raw_by_key.get(key, det.post)
        if key in used and key in raw_by_key:
            post = det.post
        used.add(key)
        merged.append((post, det.position))
    for det in raw:
        key = _post_key(det.post)
        if key not in used:
            used.add(key)
            merged.append((det.post, None))
    return merged


def _made(url: str, kind: str, body: bytes, content_type: str) -> Resource:
    return Resource(url=url, kind=kind, status_code=200, content_type=content_type,
                    headers={"content-type": content_type}, body=body)


def embed_page_url(post: Post, settings: Settings) -> str | None:
    """Where the platform draws this post as an embed (its embed page), if it has one."""
    for endpoint in endpoints_for(post.provider, post.kind, settings.endpoints):
        if endpoint.kind == EMBED_PAGE_ENDPOINT and not endpoint.needs_meta_token:
            url = build_url(endpoint, post, settings.meta_token)
            if url:
                return url
    return None


def capture_post_in_browser(browser, url: str, post: Post, fetcher: Fetcher, settings: Settings,
                            limits: BrowserLimits) -> Snapshot:
    """A post link: the post snapshot of static mode, plus a screenshot of the platform's embed page."""
    started = time.monotonic()
    snap = capture_post(url, post, fetcher, settings)
    snap.capture_mode = "post"
    if not snap.embeds:
        return snap
    target = embed_page_url(post, settings)
    if not target:
        snap.warnings.append("the platform has no embed page to take a screenshot of")
        return snap
    rendered = render_page(browser, target, settings, BrowserLimits(
        page_timeout=limits.page_timeout, settle_timeout=limits.settle_timeout, scroll_max=0,
        embed_wait=limits.embed_wait, viewport=(550, 200)))   # as tall as the post it draws
    if rendered.screenshot:
        snap.resources.append(_made(f"archiver:{EMBED_SCREENSHOT}/0", EMBED_SCREENSHOT, rendered.screenshot,
                                    "image/png"))
        snap.embeds[0]["screenshot_sha256"] = sha256(rendered.screenshot)
    else:
        snap.warnings.append(f"no screenshot of the platform's embed page: {rendered.error or 'nothing drawn'}")
    snap.warnings += rendered.warnings
    snap.duration_ms = int((time.monotonic() - started) * 1000)
    return snap


@contextmanager
def browser_capturer(settings: Settings, n_pages: int, limits: BrowserLimits | None = None
                     ) -> Iterator[Callable[[str], Future]]:
    """submit(url) -> Future[Snapshot]: browser threads (one Chromium each, as many as pages asked
    for, at most --parallel and the CPU cores) render pages in submission order; a pool finishes
    them (enrichment, requisites) meanwhile. BrowserMissing is raised here, before anything is
    submitted, when Playwright or Chromium is missing or Chromium does not start."""
    limits = limits or BrowserLimits(page_timeout=max(settings.timeout, 5.0))
    chromium.ensure_available()
    n_browsers = max(1, min(settings.parallel_pages, n_pages, _cpu_cores()))
    tasks: queue.Queue = queue.Queue()
    stop = threading.Event()
    with Fetcher(settings) as fetcher, ThreadPoolExecutor(max_workers=max(1, min(settings.parallel_pages, 4))) as pool:
        shared = SharedFetches(fetcher)

        def run_browser(started: Future) -> None:
            try:
                with chromium.open_browser(user_agent=settings.user_agent) as browser:
                    started.set_result(True)
                    while (task := tasks.get()) is not None:
                        url, fut = task
                        if stop.is_set():
                            fut.cancel()
                            continue
                        try:
                            post = embed_registry.match_post_url(url)
                            if post is not None:
                                fut.set_result(capture_post_in_browser(browser, url, post, fetcher, settings, limits))
                                continue
                            t0 = time.monotonic()
                            rendered = render_page(browser, url, settings, limits)
                            ms = int((time.monotonic() - t0) * 1000)
                            pool.submit(_finish_into, fut, rendered, fetcher, settings, shared, ms)
                        except BaseException as exc:
                            if not fut.done():
                                fut.set_exception(exc)
            except BaseException as exc:
                if not started.done():
                    started.set_exception(exc)
                while True:   # fail whatever is queued
                    try:
                        task = tasks.get_nowait()
                    except queue.Empty:
                        break
                    if task is not None and not task[1].done():
                        task[1].set_exception(exc)

        starts = [Future() for _ in range(n_browsers)]
        threads = [threading.Thread(target=run_browser, args=(f,), name=f"archiver-browser-{i}", daemon=True)
                   for i, f in enumerate(starts)]
        for thread in threads:
            thread.start()
        try:
            for f in starts:
                f.result()
        except BaseException:
            for _ in threads:
                tasks.put(None)
            raise

        def submit(url: str) -> Future:
            fut: Future = Future()
            tasks.put((url, fut))
            return fut

        try:
            yield submit
        except BaseException:
            stop.set()
            raise
        finally:
            for _ in threads:
                tasks.put(None)
            for thread in threads:
                thread.join()


def _not_a_page(rendered: Rendered) -> bool:
    """The URL is a file (PDF, image, JSON), not a page: Chromium downloads it or shows it bare."""
    if rendered.error:
        return "Download is starting" in rendered.error
    mime = (rendered.headers.get("content-type") or "").split(";")[0].strip().lower()
    return bool(mime) and mime not in HTML_TYPES


def _finish_into(fut: Future, rendered: Rendered, fetcher, settings, shared, browser_ms: int) -> None:
    try:
        if _not_a_page(rendered):   # stored as static capture stores a file: the one resource
            snap = capture_page(rendered.url, fetcher, settings, shared)
            snap.warnings.append("not an HTML page: captured without the browser")
            fut.set_result(snap)
            return
        snap = finish(rendered, fetcher, settings, shared)
        snap.duration_ms = (snap.duration_ms or 0) + browser_ms
        fut.set_result(snap)
    except BaseException as exc:
        fut.set_exception(exc)


