"""Enrichment: ask the platforms, the way their own embeds do and without logging in, for what an
embed's fallback markup lacks; download avatars, photos, thumbnails and posters.

    resources = enrich_posts(posts, fetcher, settings, budget)

Each Post is filled in place: missing fields only (`Post.put`; what the page said wins and a
disagreeing platform value is kept under `alternatives`, every field with its source), the raw
oEmbed JSON, `status` (ok | deleted | unavailable | unchecked), `checked_at`, `enrich_error`, and the
sha256 of every image downloaded. The returned Resources carry the bytes of every response used
(kinds 'oembed', 'embed-page', 'post-avatar', 'post-media') for the capture to store as blobs.

Where each platform answers, and how its answers read, is declared by the platform's provider
(archiver.embeds); Settings.endpoints ({endpoint key: URL}) points any endpoint elsewhere.
A failed enrichment never raises: it is recorded on the post."""
from __future__ import annotations

import copy
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..embeds.base import (DERIVED, EMBED_PAGE as FROM_EMBED_PAGE, OEMBED as FROM_OEMBED, OEMBED_ENDPOINT, Endpoint,
                           Post, Reading, Reply)
from ..embeds.reading import ERROR, GONE, OK, PRIVATE
from ..fetch import ByteBudget, Fetched, Fetcher
from ..settings import Settings
from ..model import Resource, now_iso, sha256
from ..stages import stage
from .request import META_TOKEN_HINT, build_url, endpoints_for, unknown_overrides

__all__ = ["enrich_posts", "Answer", "ask_platform", "apply_answer", "download_images"]

log = logging.getLogger(__name__)

API_MAX_BYTES = 2 * 1024 * 1024      # an oEmbed answer or embed page larger than this is not one
ENRICHED_FIELDS = ("author_name", "author_handle", "author_url", "avatar_url", "published_at", "date_text",
                   "title", "text", "text_html")
STATUS_OF = {OK: "ok", GONE: "deleted", PRIVATE: "unavailable"}
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"\x00\x00\x00", b"<svg", b"BM")


@dataclass
class Answer:
    """Everything the platform said about one post (shared by every copy of it in the page)."""
    readings: list[tuple[Endpoint, Reading]] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    checked_at: str | None = None
    notes: list[str] = field(default_factory=list)   # why something was not asked


def enrich_posts(posts: list[Post], fetcher: Fetcher, settings: Settings,
                 budget: ByteBudget | None = None) -> list[Resource]:
    """Fill the posts from their platforms and download their images; return the responses used.
    Each distinct post is asked about once; its images are downloaded as soon as its answer is in
    (not after every post's), each distinct image URL once."""
    if unknown_overrides(settings.endpoints):
        log.warning("Settings.endpoints names no endpoint: %s", ", ".join(unknown_overrides(settings.endpoints)))
    if not (settings.enrich and posts):
        return download_images(posts, fetcher, settings, budget)
    groups = _group(posts)
    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        images = _Downloads(pool, fetcher, budget)

        def ask_then_download(group: list[Post]) -> Answer:
            with stage("enrich"):
                answer = _safe_ask(group[0], fetcher, settings, budget)
                for post in group:
                    apply_answer(answer, post)
            for url, kind in _wanted_images(group, settings).items():
                images.start(url, kind)
            return answer

        answers = list(pool.map(ask_then_download, groups))
        wanted = _wanted_images(posts, settings)
        downloads = [images.result(url, kind) for url, kind in wanted.items()]
    resources = [res for answer in answers for res in answer.resources]
    _set_digests(posts, downloads)
    return resources + downloads


class _Downloads:
    """Image downloads of one capture, each URL started once (thread-safe)."""

    def __init__(self, pool: ThreadPoolExecutor, fetcher: Fetcher, budget: ByteBudget | None):
        self.pool, self.fetcher, self.budget = pool, fetcher, budget
        self._started: dict[str, Future] = {}
        self._lock = threading.Lock()

    def start(self, url: str, kind: str) -> None:
        with self._lock:
            if url not in self._started:
                self._started[url] = self.pool.submit(_download, url, kind, self.fetcher, self.budget)

    def result(self, url: str, kind: str) -> Resource:
        """The download of url, labelled with the kind the first post naming it gave it."""
        self.start(url, kind)   # every wanted URL was started by its post; this is a safety net
        res = self._started[url].result()
        res.kind = kind
        return res


# ------------------------------------------------------------------------ asking
def ask_platform(post: Post, fetcher: Fetcher, settings: Settings,
                 budget: ByteBudget | None = None) -> Answer:
    """Ask the post's endpoints in table order: always the first one that can be asked (that is the
    check whether the post still exists), the next ones only while something is still missing."""
    answer = Answer()
    view = copy.deepcopy(post)
    for row in endpoints_for(post.provider, post.kind, settings.endpoints):
        if row.needs_meta_token and not settings.meta_token:
            answer.notes.append(f"oembed: not asked ({META_TOKEN_HINT})")
            continue
        if answer.readings and not _lacks_something(view):
            break
        url = build_url(row, post, settings.meta_token)
        if url is None:
            continue
        fetched = fetcher.get(url, budget=budget, max_bytes=min(API_MAX_BYTES, settings.max_bytes),
                              retries=min(settings.retries, 1), headers=_headers(row))
        answer.checked_at = answer.checked_at or now_iso()
        answer.resources.append(_resource(fetched, "oembed" if row.kind == OEMBED_ENDPOINT else "embed-page"))
        reading = read_reply(row, post, fetched)
        answer.readings.append((row, reading))
        if reading.outcome == OK:
            _apply_reading(view, row, reading)
        elif reading.outcome in (GONE, PRIVATE):
            break
    return answer


def _safe_ask(post: Post, fetcher: Fetcher, settings: Settings, budget: ByteBudget | None) -> Answer:
    try:
        return ask_platform(post, fetcher, settings, budget)
    except Exception as exc:  # one post's trouble must never cost the others or the capture
        log.warning("enrichment of %s failed", post.post_url, exc_info=True)
        return Answer(checked_at=now_iso(), notes=[f"enrichment failed: {type(exc).__name__}: {exc}"[:200]])


def read_reply(row: Endpoint, post: Post, fetched: Fetched) -> Reading:
    """The endpoint's own reader over what the fetch gave. Never raises."""
    reply = Reply(url=fetched.final_url or fetched.url, status=fetched.status, body=fetched.body,
                  mime_type=fetched.mime_type, error=fetched.error)
    try:
        return row.read(reply, post)
    except Exception as exc:  # a reader's bug is an unreadable answer, never a lost capture
        log.warning("the reader of %s failed on %s", row.key, reply.url, exc_info=True)
        return Reading(ERROR, error=f"could not read the answer ({type(exc).__name__})")


def _lacks_something(post: Post) -> bool:
    return not (post.author_name and post.avatar_url and (post.text or post.title))


JSON_ACCEPT = "application/json, text/javascript;q=0.5, */*;q=0.1"


def _headers(row: Endpoint) -> dict[str, str]:
    accept = row.accept or (JSON_ACCEPT if row.kind == OEMBED_ENDPOINT else None)
    return {"Accept": accept} if accept else {}


# ------------------------------------------------------------------------ applying
def apply_answer(answer: Answer, post: Post) -> None:
    """Fill one post from an answer (missing fields only) and set its status from the first answer
    that said something about the post; with none (network trouble, 5xx, 429, unreadable answers)
    the status stays as it was and the errors are recorded."""
    status, errors = None, []
    for row, reading in answer.readings:
        label = "oembed" if row.kind == OEMBED_ENDPOINT else row.kind
        if reading.outcome == OK:
            _apply_reading(post, row, reading)
        elif reading.outcome == ERROR or status is None:
            errors.append(f"{label}: {reading.error}")
        if status is None and reading.outcome in STATUS_OF:
            status = STATUS_OF[reading.outcome]
            post.status_evidence = f"{row.key}: {reading.evidence or reading.outcome}"
    post.status = status or post.status
    if answer.checked_at:
        post.checked_at = answer.checked_at
    if post.status == "unchecked":
        errors = answer.notes + errors
    post.enrich_error = "; ".join(dict.fromkeys(errors)) or None


def _apply_reading(post: Post, row: Endpoint, reading: Reading) -> None:
    source = FROM_OEMBED if row.kind == OEMBED_ENDPOINT else FROM_EMBED_PAGE
    for name in ENRICHED_FIELDS:
        value = reading.fields.get(name)
        if value is None:
            continue
        if name == "text_html" and post.text and post.sources.get("text") != source:
            continue   # keep the HTML beside the text it renders
        post.put(name, value, source)
    for media in reading.media:
        post.add_media(copy.copy(media))
    links = reading.extra.get("links")
    if isinstance(links, dict) and links:
        expand_links(post, links)
    for key, value in reading.extra.items():
        post.extra.setdefault(key, value)
    if reading.raw is not None and post.oembed is None:
        post.oembed = reading.raw


def expand_links(post: Post, links: dict[str, str]) -> None:
    """Short links in the post's text (X's t.co) replaced by the URLs the platform says they stand for."""
    def expand(text: str) -> str:
        for short, full in sorted(links.items(), key=lambda kv: -len(kv[0])):
            if isinstance(full, str) and full.startswith(("http://", "https://")):
                text = text.replace(short, full)
        return text

    if post.text:
        post.text = expand(post.text)
    if post.text_html:
        post.text_html = expand(post.text_html)


# ------------------------------------------------------------------------ images
def download_images(posts: list[Post], fetcher: Fetcher, settings: Settings,
                    budget: ByteBudget | None = None) -> list[Resource]:
    """Download every avatar and media image of the posts once; set their sha256."""
    wanted = _wanted_images(posts, settings)
    if not wanted:
        return []
    urls = list(wanted)
    with ThreadPoolExecutor(max_workers=max(1, min(settings.concurrency, len(urls)))) as pool:
        results = list(pool.map(lambda u: _download(u, wanted[u], fetcher, budget), urls))
    _set_digests(posts, results)
    return results


def _wanted_images(posts: list[Post], settings: Settings) -> dict[str, str]:
    """Image URL -> kind, in the posts' order. With enrichment off only images the page itself
    names are fetched: a URL derived from an ID (a YouTube poster on i.ytimg.com) would be
    asking the platform."""
    def allowed(source: str | None) -> bool:
        return settings.enrich or source != DERIVED

    wanted: dict[str, str] = {}
    for post in posts:
        if post.avatar_url and allowed(post.sources.get("avatar_url")):
            wanted.setdefault(post.avatar_url, "post-avatar")
        for media in post.media:
            if media.url and allowed(media.source):
                wanted.setdefault(media.url, "post-media")
    return wanted


def _set_digests(posts: list[Post], results: list[Resource]) -> None:
    digests = {res.url: sha256(res.body) for res in results if res.body is not None and res.error is None}
    for post in posts:
        if post.avatar_url in digests:
            post.avatar_sha256 = digests[post.avatar_url]
        for media in post.media:
            if media.url in digests:
                media.sha256 = digests[media.url]


def _download(url: str, kind: str, fetcher: Fetcher, budget: ByteBudget | None) -> Resource:
    try:
        fetched = fetcher.get(url, budget=budget, headers={"Accept": "image/avif,image/webp,image/*,*/*;q=0.8"})
    except Exception as exc:  # never let one image cost the capture
        return Resource(url=url, kind=kind, error=f"{type(exc).__name__}: {exc}"[:200])
    res = _resource(fetched, kind)
    if res.error is None and not fetched.ok:
        res.error, res.body = f"HTTP {fetched.status}", None
    elif res.error is None and not _is_image(fetched):
        res.error, res.body = f"not an image ({fetched.mime_type or 'no content type'})", None
    return res


def _is_image(fetched: Fetched) -> bool:
    if not fetched.body:
        return False
    if fetched.mime_type.startswith(("image/", "video/")):
        return True
    return fetched.mime_type in ("", "application/octet-stream", "binary/octet-stream") and \
        fetched.body.startswith(IMAGE_MAGIC)


# ------------------------------------------------------------------------ helpers
def _resource(fetched: Fetched, kind: str) -> Resource:
    return Resource(url=_redact(fetched.url), kind=kind,
                    final_url=_redact(fetched.final_url) if fetched.final_url else None,
                    status_code=fetched.status, content_type=fetched.headers.get("content-type"),
                    headers=fetched.headers, body=fetched.body if fetched.error is None else None,
                    error=fetched.error)


def _redact(url: str) -> str:
    """The URL without secrets (an access_token never goes into the archive)."""
    parts = urlsplit(url)
    if "access_token" not in parts.query:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _group(posts: list[Post]) -> list[list[Post]]:
    """Posts grouped by identity, so the same post embedded twice is asked about once."""
    groups: dict[object, list[Post]] = {}
    for post in posts:
        ident = post.post_url or post.post_id
        key: object = (post.provider, ident) if ident else id(post)
        groups.setdefault(key, []).append(post)
    return list(groups.values())
