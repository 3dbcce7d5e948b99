"""Fetching for a whole run: timeouts, retries, redirect and size limits over one pooled
`Transport` (archiver/transport.py; the two are the only modules that talk HTTP). It returns
plain `Fetched` records and never raises for a network problem: the error is a one-line string
on the record."""
from __future__ import annotations

import email.utils
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from urllib3.exceptions import (ConnectTimeoutError, DecodeError, HTTPError, LocationValueError,
                                NameResolutionError, NewConnectionError, ProtocolError, ProxyError,
                                ReadTimeoutError, SSLError)

from .errors import shorten
from .extract.charset import charset_of
from .extract.urls import split_credentials, without_credentials
from .settings import Settings
from .stages import stage
from .transport import TooManyRedirects, Transport

RETRY_STATUSES = {429, 503}
CHUNK = 64 * 1024
SPOOL = 4 * 1024 * 1024


@dataclass
class Fetched:
    """What one GET gave: the raw bytes as received, or why there are none."""

    url: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def mime_type(self) -> str:
        """The media type without parameters, lower case ('' when the server sent none)."""
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()

    @property
    def header_charset(self) -> str | None:
        """The charset the Content-Type header names, if any."""
        return charset_of(self.headers.get("content-type"))


class ByteBudget:
    """A byte allowance shared by the downloads of one capture (thread-safe)."""

    def __init__(self, limit: int):
        self.limit, self.used = limit, 0
        self._lock = threading.Lock()

    def take(self, n: int) -> bool:
        with self._lock:
            if self.used + n > self.limit:
                return False
            self.used += n
            return True


def check_url(url: str) -> str | None:
    """Why this URL cannot be fetched, or None when it can (never raises: `http://[::1` is a
    reason, not an exception)."""
    try:
        parts = urlsplit(url.strip())
        host, _port = parts.hostname, parts.port
    except ValueError as exc:
        return f"malformed URL ({shorten(exc, 80)})"
    if not parts.scheme:
        return "no scheme (expected http:// or https://)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"unsupported scheme {shorten(parts.scheme, 20)}: (only http and https)"
    if not host:
        return "no host in URL"
    return None


def describe_exception(exc: BaseException) -> str:
    """A one-line, human cause for a transport (urllib3) exception."""
    cause = exc
    while isinstance(cause, ProxyError) and isinstance(cause.original_error, BaseException):
        cause = cause.original_error   # what went wrong with the proxy, or behind it
    text = str(cause)
    if isinstance(cause, TooManyRedirects):
        return "too many redirects (redirect loop?)"
    if isinstance(cause, SSLError) or "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in type(cause).__name__:
        return "TLS error: " + _short(text)
    if isinstance(cause, NameResolutionError) or _is_dns_failure(text):
        return "could not resolve host (DNS failure)"
    if isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError):
        return "timed out while connecting"
    if isinstance(cause, (ReadTimeoutError, TimeoutError)) or "timed out" in text.lower():
        return "timed out waiting for the server"
    if isinstance(cause, (NewConnectionError, ProtocolError, ProxyError, OSError)):
        lowered = text.lower()
        if "refused" in lowered:
            return "connection refused"
        if "reset" in lowered or "aborted" in lowered or "remote end closed" in lowered:
            return "connection reset by peer"
        return "connection failed: " + _short(text)
    if isinstance(cause, (LocationValueError, ValueError, UnicodeError)):
        return "invalid URL: " + _short(text)
    if isinstance(cause, DecodeError):
        return "could not decode the response body (bad Content-Encoding)"
    return f"{type(cause).__name__}: {_short(text)}"


def _is_dns_failure(text: str) -> bool:
    t = text.lower()
    return any(s in t for s in ("name or service not known", "failed to resolve", "nodename nor servname",
                                "temporary failure in name resolution", "no address associated",
                                "getaddrinfo failed", "name resolution"))


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    # urllib3 wraps causes in long reprs; keep the innermost reason when there is one
    m = re.search(r"\(Caused by \w+\((?:<[^>]*>, )?['\"]?(.*?)['\"]?\)\)", text)
    if m:
        text = m.group(1)
    return text if len(text) <= n else text[: n - 1] + "…"


def _retry_after(value: str | None, cap: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, min(when.timestamp() - time.time(), cap))


class Fetcher:
    """One pooled transport for a whole run. Thread-safe for concurrent `get` calls."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        s = self.settings
        self.transport = Transport(
            user_agent=s.user_agent, pool_size=max(10, s.concurrency * max(1, s.parallel_pages) + 4),
            max_redirects=s.max_redirects,
            headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
                     "Accept-Language": "en;q=0.9, *;q=0.5"})

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def get(self, url: str, *, budget: ByteBudget | None = None, max_bytes: int | None = None,
            headers: dict[str, str] | None = None, retries: int | None = None) -> Fetched:
        """GET a URL, following redirects, retrying transient failures; never raises for network trouble.
        A `user:password@` in the URL authenticates this request only: the record's URLs are
        without it."""
        s = self.settings
        url, auth = split_credentials(url)
        problem = check_url(url)
        if problem:
            return Fetched(url=url, error=problem)
        attempts = (s.retries if retries is None else retries) + 1
        delay = s.retry_backoff
        started = time.monotonic()
        result = Fetched(url=url)
        for attempt in range(attempts):
            with stage("fetch"):
                result = self._get_once(url, budget, max_bytes or s.max_bytes, headers, auth)
            last = attempt == attempts - 1
            if result.error is None and result.status in RETRY_STATUSES and not last:
                wait = _retry_after(result.headers.get("retry-after"), s.retry_after_cap)
                time.sleep(delay if wait is None else wait)
                delay *= 2
                continue
            if result.error and result.status is None and _transient(result.error) and not last:
                time.sleep(delay)
                delay *= 2
                continue
            break
        result.elapsed = time.monotonic() - started
        return result

    def _get_once(self, url: str, budget: ByteBudget | None, max_bytes: int,
                  headers: dict[str, str] | None, auth: tuple[str, str] | None = None) -> Fetched:
        s = self.settings
        started = time.monotonic()
        try:
            answer = self.transport.open(url, timeout=(s.connect_timeout, s.timeout), headers=headers, auth=auth)
        except (HTTPError, OSError) as exc:
            return Fetched(url=url, error=describe_exception(exc))
        except ValueError as exc:  # e.g. an IDNA error (a UnicodeError) in a hostile URL
            return Fetched(url=url, error=f"invalid URL: {_short(str(exc))}")
        resp = answer.response
        rec = Fetched(url=url, final_url=without_credentials(answer.url), status=resp.status,
                      headers={k.lower(): v for k, v in resp.headers.itermerged()},   # repeated ones joined by ", "
                      redirects=[without_credentials(r) for r in answer.redirects])
        try:
            declared = int(resp.headers.get("content-length") or -1)
        except ValueError:
            declared = -1
        if declared > max_bytes:
            resp.close()
            rec.error = f"body of {declared} bytes is over the {max_bytes}-byte limit"
            return rec
        # a body is kept in memory up to SPOOL bytes and on disk past that, so a resource that ends up
        # over the cap (or several at once, one per worker thread) costs no memory while it arrives
        spool, total = tempfile.SpooledTemporaryFile(max_size=SPOOL), 0
        # one deadline for the whole response, whatever its framing: read1 returns what has
        # arrived, so a body dripping a byte a second (Content-Length or chunked) is cut off
        deadline = started + self.deadline
        try:
            while True:
                if time.monotonic() > deadline:
                    rec.error = f"timed out: the response took longer than {self.deadline:g} s"
                    break
                chunk = resp.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    rec.error = f"body is over the {max_bytes}-byte limit"
                    break
                if budget is not None and not budget.take(len(chunk)):
                    rec.error = f"capture is over its {budget.limit}-byte limit"
                    break
                spool.write(chunk)
        except ReadTimeoutError:
            rec.error = f"timed out: the server stopped sending the body for {s.timeout:g} s"
        except DecodeError:
            rec.error = "could not decode the response body (bad Content-Encoding)"
        except ProtocolError:
            rec.error = "the connection broke while reading the body"
        except (HTTPError, OSError) as exc:
            rec.error = describe_exception(exc)
        except Exception as exc:  # urllib3 protocol errors surface as various types
            rec.error = f"the connection broke while reading the body ({type(exc).__name__})"
        finally:
            resp.close()
        with spool:
            if rec.error is None:
                spool.seek(0)
                rec.body = spool.read()
        return rec

    @property
    def deadline(self) -> float:
        """Seconds one response may take in all (headers and body)."""
        s = self.settings
        return s.deadline if s.deadline else max(60.0, s.timeout * 3)


def _transient(error: str) -> bool:
    return error.startswith(("connection reset", "the connection broke", "connection failed"))
