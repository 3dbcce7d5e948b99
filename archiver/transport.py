"""HTTP GET on urllib3's connection pools, as a browser would send it: the environment's proxies
(HTTP(S)_PROXY, ALL_PROXY, NO_PROXY) and CA bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, else
certifi's), `.netrc` credentials, cookies kept for the run, redirects followed and recorded, and
connections opened a few at a time per server (`OPENING_PER_SERVER`).

    transport = Transport(user_agent="…", pool_size=36)
    answer = transport.open("https://example.org/", timeout=(10, 20))   # an Answer, streaming
    answer.response.read1(65536)

It replaced a requests.Session with the same behaviour and a fifth less CPU per request (requests
prepares, merges settings and wraps every answer again on top of urllib3: on the bench site's
requisites, 1.18 ms of CPU per request became 0.96 ms). Errors are urllib3's exceptions (or
TooManyRedirects); archiver/fetch.py turns them into one-line reasons."""
from __future__ import annotations

import http.cookiejar
import ipaddress
import netrc
import os
import threading
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import unquote, urljoin, urlsplit

from urllib3 import PoolManager, ProxyManager, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError
from urllib3.response import BaseHTTPResponse
from urllib3.util import make_headers, parse_url
from urllib3.util.ssl_ import create_urllib3_context

OPENING_PER_SERVER = 4   # connections being opened at once to one server (host:port), per process
REDIRECT_STATUSES = {301, 302, 303, 307, 308}


class TooManyRedirects(HTTPError):
    """More redirects than the transport follows."""


@dataclass
class Answer:
    """The last response of a GET (streaming: read it, then close it), its URL, and the URLs
    redirected from on the way, in order."""

    response: BaseHTTPResponse
    url: str
    redirects: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ opening connections
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
_GATE_WAIT = 10.0   # seconds a connection waits for a slot when it has no connect timeout


class _GatedConnection:
    """Mixed into urllib3's connections: `connect` waits for a slot at the gate, and the slot is
    given back once the server has shown it took the connection: the proxy answered the tunnel's
    CONNECT (so a slow site behind the proxy holds no slot), or the first response has begun (or
    the connection failed or closed). The wait is a courtesy: past the connect timeout the
    connection is opened without a slot."""

    _opening: threading.BoundedSemaphore | None = None

    def connect(self) -> None:
        slot = _GATE.slot(self.host, self.port)
        wait = self.timeout if isinstance(self.timeout, (int, float)) else _GATE_WAIT
        self._opening = slot if slot.acquire(timeout=wait) else None
        try:
            super().connect()
        except BaseException:
            self._opened()
            raise
        if getattr(self, "_tunnel_host", None):   # the proxy answered CONNECT: it has taken the connection
            self._opened()

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


# ------------------------------------------------------------------ the environment
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


def configured_ca_bundle() -> str | None:
    """The CA certificates the environment names (a file or a folder), as requests, curl and
    OpenSSL read it; None when it names none. The browser capture trusts the same ones."""
    return next((os.environ[v] for v in CA_BUNDLE_VARIABLES if os.environ.get(v)), None)


def ca_bundle() -> str:
    """The CA certificates to trust: the ones the environment names, else certifi's bundle."""
    chosen = configured_ca_bundle()
    if chosen:
        return chosen
    import certifi
    return certifi.where()


def _ssl_context():
    ctx = create_urllib3_context()
    bundle = ca_bundle()
    if os.path.isdir(bundle):
        ctx.load_verify_locations(capath=bundle)
    else:
        ctx.load_verify_locations(cafile=bundle)
    return ctx


def proxy_for(url: str, proxies: dict[str, str] | None = None) -> str | None:
    """The proxy URL the environment names for `url` (None: connect directly). NO_PROXY takes
    host names, domain suffixes, host:port, `*`, and IP networks (10.0.0.0/8)."""
    proxies = urllib.request.getproxies() if proxies is None else proxies
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy or not parts.hostname:
        return None
    if proxies.get("no") and _bypassed(parts.hostname, parts.port, proxies["no"]):
        return None
    if urllib.request.proxy_bypass_environment(parts.netloc, proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """NO_PROXY entries that are IP networks (the rest urllib's proxy_bypass_environment reads)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    for entry in (e.strip() for e in no_proxy.split(",")):
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def netrc_auth(host: str) -> tuple[str, str] | None:
    """(login, password) for `host` in ~/.netrc (or $NETRC), as curl and requests read it."""
    path = os.environ.get("NETRC") or os.path.expanduser("~/.netrc")
    if not os.path.isfile(path):
        return None
    try:
        found = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError):
        return None
    if not found:
        return None
    login, account, password = found
    return (login or account or "", password or "")


class _CookieAnswer:
    """What http.cookiejar reads from a response: its headers, through `info().get_all`."""

    def __init__(self, response: BaseHTTPResponse):
        self._headers = response.headers

    def info(self) -> "_CookieAnswer":
        return self

    def get_all(self, name: str, default=None):
        return self._headers.getlist(name) or default


# ------------------------------------------------------------------ the transport
class Transport:
    """Connection pools for one run (thread-safe): direct, and one set per proxy."""

    def __init__(self, *, user_agent: str, pool_size: int = 10, max_redirects: int = 10,
                 headers: dict[str, str] | None = None):
        self.max_redirects = max_redirects
        self.headers = {"User-Agent": user_agent,
                        "Accept-Encoding": ", ".join(make_headers(accept_encoding=True)["accept-encoding"].split(",")),
                        "Accept": "*/*", "Connection": "keep-alive", **(headers or {})}
        self.cookies = http.cookiejar.CookieJar()
        self._pool_kw = {"num_pools": 32, "maxsize": pool_size, "block": False}
        self._lock = threading.Lock()
        self._ssl = None
        self._direct: PoolManager | None = None
        self._proxied: dict[str, ProxyManager] = {}
        self._environment = urllib.request.getproxies()
        self._origins: dict[tuple[str, str], tuple[str | None, tuple[str, str] | None]] = {}

    def close(self) -> None:
        with self._lock:
            managers = [m for m in [self._direct, *self._proxied.values()] if m is not None]
            self._direct, self._proxied = None, {}
        for manager in managers:
            manager.clear()

    def open(self, url: str, *, timeout: tuple[float, float], headers: dict[str, str] | None = None,
             auth: tuple[str, str] | None = None) -> Answer:
        """GET `url`, following redirects; the final response is returned unread. `auth`
        (basic) goes to the URL's own origin only (`keeps_credentials`), as do .netrc credentials
        to theirs."""
        redirects: list[str] = []
        first = url
        limits = Timeout(connect=timeout[0], read=timeout[1])
        while True:
            manager, netrc_login = self._route(url)
            login = auth if auth is not None and keeps_credentials(first, url) else netrc_login
            sent = {**self.headers, **(headers or {})}
            if login is not None:
                sent.update(make_headers(basic_auth=f"{login[0]}:{login[1]}"))
            cookie_request = urllib.request.Request(url)
            self.cookies.add_cookie_header(cookie_request)
            if cookie_request.has_header("Cookie"):
                sent["Cookie"] = cookie_request.get_header("Cookie")
            response = manager.urlopen("GET", url, headers=sent, redirect=False, retries=False,
                                       preload_content=False, decode_content=True, timeout=limits,
                                       assert_same_host=False)
            self.cookies.extract_cookies(_CookieAnswer(response), cookie_request)
            location = response.headers.get("location") if response.status in REDIRECT_STATUSES else None
            if not location:
                return Answer(response, as_sent(url), redirects)
            response.drain_conn()
            response.release_conn()
            if len(redirects) >= self.max_redirects:
                raise TooManyRedirects(f"more than {self.max_redirects} redirects")
            redirects.append(as_sent(url))
            url = urljoin(url, _location(location))

    def _route(self, url: str) -> tuple[PoolManager, tuple[str, str] | None]:
        """The pools for `url` (direct or through its proxy) and the origin's .netrc login:
        the environment is read once per origin."""
        key = _origin(url)
        known = self._origins.get(key)
        if known is None:
            host = urlsplit(url).hostname or ""
            known = self._origins[key] = (proxy_for(url, self._environment), netrc_auth(host))
        proxy, login = known
        return self._manager(proxy), login

    def _manager(self, proxy: str | None) -> PoolManager:
        with self._lock:
            if self._ssl is None:
                self._ssl = _ssl_context()
            if proxy is None:
                if self._direct is None:
                    self._direct = PoolManager(ssl_context=self._ssl, **self._pool_kw)
                    self._direct.pool_classes_by_scheme = _GATED_POOLS
                return self._direct
            manager = self._proxied.get(proxy)
            if manager is None:
                parts = urlsplit(proxy)
                proxy_headers = (make_headers(proxy_basic_auth=f"{unquote(parts.username)}:{unquote(parts.password or '')}")
                                 if parts.username else None)
                manager = self._proxied[proxy] = ProxyManager(
                    proxy, proxy_headers=proxy_headers, ssl_context=self._ssl,
                    proxy_ssl_context=self._ssl if parts.scheme == "https" else None, **self._pool_kw)
                manager.pool_classes_by_scheme = _GATED_POOLS
            return manager


def as_sent(url: str) -> str:
    """The URL as it goes on the wire: what is not allowed in a URL (spaces, letters past ASCII)
    percent-encoded, the host in IDNA (as a WARC record's target URI must be)."""
    try:
        return parse_url(url).url
    except ValueError:
        return url


def keeps_credentials(first: str, url: str) -> bool:
    """Whether credentials given for `first` go on to `url`, a redirect from it: the same host,
    scheme and port, or the same host from http to https on the default ports (as requests and
    curl allow: a site moving its visitors to https)."""
    a, b = urlsplit(first), urlsplit(url)
    if (a.hostname or "").lower() != (b.hostname or "").lower():
        return False
    defaults = {"http": 80, "https": 443}
    port_a, port_b = a.port or defaults.get(a.scheme.lower()), b.port or defaults.get(b.scheme.lower())
    if a.scheme.lower() == "http" and port_a == 80 and b.scheme.lower() == "https" and port_b == 443:
        return True
    return a.scheme.lower() == b.scheme.lower() and port_a == port_b


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _location(value: str) -> str:
    """A Location header as sent: servers send UTF-8 that http.client decoded as Latin-1."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
