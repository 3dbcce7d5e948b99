"""The only module that talks HTTP: one pooled requests.Session with timeouts, retries,
redirect and size limits. It returns plain `Fetched` records and never raises for a
network problem: the error is a one-line string on the record."""
from __future__ import annotations

import email.utils
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from .errors import shorten
from .extract.charset import charset_of
from .extract.urls import split_credentials, without_credentials
from .settings import Settings
from .stages import stage

RETRY_STATUSES = {429, 503}
CHUNK = 64 * 1024
SPOOL = 4 * 1024 * 1024
OPENING_PER_SERVER = 4   # connections being opened at once to one server (host:port), per process


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
    """A one-line, human cause for a requests exception."""
    text = str(exc)
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too many redirects (redirect loop?)"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error: " + _short(text)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, (requests.exceptions.ReadTimeout, requests.exceptions.Timeout)):
        return "timed out waiting for the server"
    if isinstance(exc, requests.exceptions.ConnectionError):
        if "timed out" in text.lower():
            return "timed out waiting for the server"
        if _is_dns_failure(text):
            return "could not resolve host (DNS failure)"
        if "refused" in text.lower():
            return "connection refused"
        if "reset" in text.lower() or "aborted" in text.lower():
            return "connection reset by peer"
        return "connection failed: " + _short(text)
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema |
                  requests.exceptions.InvalidSchema | requests.exceptions.URLRequired):
        return "invalid URL: " + _short(text)
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return "could not decode the response body (bad Content-Encoding)"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke while reading the body"
    return f"{type(exc).__name__}: {_short(text)}"


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


class _Session(requests.Session):
    """A requests.Session that reads the environment (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE,
    .netrc) once per origin instead of once per request: requests' own answer for the first URL of
    each scheme://host:port, reused (none of it depends on the path). Redirects are rebuilt by
    requests as before."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple, dict] = {}
        self._netrc: dict[tuple, object] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):  # type: ignore[override]
        if proxies or self.proxies or not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        key = (_origin(url), stream, verify, cert)
        settings = self._environment.get(key)
        if settings is None:
            settings = self._environment[key] = super().merge_environment_settings(url, proxies, stream, verify, cert)
        return {**settings, "proxies": dict(settings["proxies"])}

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        if self.trust_env and not request.auth and not self.auth:
            origin = _origin(request.url)
            if origin not in self._netrc:
                self._netrc[origin] = requests.utils.get_netrc_auth(request.url) or _NO_AUTH
            request.auth = self._netrc[origin]
        return super().prepare_request(request)


def _no_auth(request: requests.PreparedRequest) -> requests.PreparedRequest:
    return request


_NO_AUTH = _no_auth   # "looked in .netrc, nothing there": requests then skips its own lookup


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class _OpeningGate:
    """At most OPENING_PER_SERVER connections being opened at once to one server (the proxy, when
    requests go through one), counted until the server has answered the connection's first
    request. A server accepts only so many connections it has not yet picked up (its listen
    backlog: 5 for Python's http.server, 128 or more for nginx); the kernel drops the attempts past
    that and the client tries again a second later. Opening a burst of connections at once (the
    first pages of a run ask every platform at the same moment) would cost that second; opening
    them a few at a time costs nothing, since each takes a round trip. Browsers limit themselves
    the same way (six connections per host)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._servers: dict[tuple[str, int], threading.BoundedSemaphore] = {}

    def slot(self, host: str, port: int) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._servers.get((host, port))
            if slot is None:
                slot = self._servers[(host, port)] = threading.BoundedSemaphore(OPENING_PER_SERVER)
            return slot


_GATE = _OpeningGate()


class _GatedConnection:
    """Mixed into urllib3's connections: `connect` waits for a slot at the gate, and the slot is
    given back once the first response has begun (or the connection fails or closes)."""

    _opening: threading.BoundedSemaphore | None = None

    def connect(self) -> None:
        slot = _GATE.slot(self.host, self.port)
        slot.acquire()
        self._opening = slot
        try:
            super().connect()
        except BaseException:
            self._opened()
            raise

    def getresponse(self, *args, **kwargs):
        try:
            return super().getresponse(*args, **kwargs)
        finally:
            self._opened()

    def close(self) -> None:
        self._opened()
        super().close()

    def _opened(self) -> None:
        slot, self._opening = self._opening, None
        if slot is not None:
            slot.release()


class _GatedHTTPConnection(_GatedConnection, HTTPConnection):
    pass


class _GatedHTTPSConnection(_GatedConnection, HTTPSConnection):
    pass


class _GatedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GatedHTTPConnection


class _GatedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GatedHTTPSConnection


_GATED_POOLS = {"http": _GatedHTTPPool, "https": _GatedHTTPSPool}


class _GatedAdapter(HTTPAdapter):
    """requests' adapter with connections that open through `_GATE` (directly and through proxies)."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _GATED_POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if getattr(manager, "pool_classes_by_scheme", None) is not _GATED_POOLS and not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _GATED_POOLS
        return manager


class Fetcher:
    """One pooled session for a whole run. Thread-safe for concurrent `get` calls."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        s = self.settings
        self.session = _Session()
        pool = max(10, s.concurrency * max(1, s.parallel_pages) + 4)
        adapter = _GatedAdapter(pool_connections=32, pool_maxsize=pool, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.max_redirects = s.max_redirects
        self.session.headers.update({
            "User-Agent": s.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
            "Accept-Language": "en;q=0.9, *;q=0.5",
        })

    def close(self) -> None:
        self.session.close()

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
            resp = self.session.get(url, stream=True, timeout=(s.connect_timeout, s.timeout),
                                    headers=headers, allow_redirects=True, auth=auth)
        except requests.RequestException as exc:
            return Fetched(url=url, error=describe_exception(exc))
        except (ValueError, UnicodeError) as exc:  # e.g. an IDNA error in a hostile URL
            return Fetched(url=url, error=f"invalid URL: {_short(str(exc))}")
        rec = Fetched(url=url, final_url=without_credentials(resp.url), status=resp.status_code,
                      headers={k.lower(): v for k, v in resp.headers.items()},
                      redirects=[without_credentials(r.url) for r in resp.history])
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
        raw = resp.raw
        try:
            while True:
                if time.monotonic() > deadline:
                    rec.error = f"timed out: the response took longer than {self.deadline:g} s"
                    break
                chunk = raw.read1(CHUNK, decode_content=True)
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
        except requests.RequestException as exc:
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
