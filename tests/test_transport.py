"""The HTTP transport under the Fetcher (archiver/transport.py): what it carries over from the
environment and between requests, as a browser and requests would: cookies, credentials for
their own origin only, .netrc, the CA bundle named in the environment, proxies and NO_PROXY."""
from __future__ import annotations

import base64
import shutil
import ssl
import subprocess

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from archiver.fetch import Fetcher
from archiver.settings import Settings
from archiver.transport import keeps_credentials, proxy_for


def fetcher() -> Fetcher:
    return Fetcher(Settings(retries=0))


def echo_header(name: str):
    def handler(request: Request) -> Response:
        return Response(request.headers.get(name, "-"))
    return handler


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_cookies_set_by_a_server_go_back_to_it_on_redirects_and_later_requests(server):
    server.expect_request("/set").respond_with_response(
        Response(status=302, headers={"Location": "/check", "Set-Cookie": "consent=yes; Path=/"}))
    server.expect_request("/check").respond_with_handler(echo_header("Cookie"))
    with fetcher() as f:
        first = f.get(server.url_for("/set"))
        later = f.get(server.url_for("/check"))
    assert first.ok and first.body == b"consent=yes" and first.redirects == [server.url_for("/set")]
    assert later.body == b"consent=yes"
    with fetcher() as other:   # a new run starts without them
        assert other.get(server.url_for("/check")).body == b"-"


def test_a_header_sent_twice_is_recorded_once_with_both_values(server):
    """Two Link and two Set-Cookie lines are recorded as one header each, the values joined by
    ", " (as http.client and requests give them): none is lost from the archive."""
    answer = Response("ok", headers=[("Link", "<a.css>; rel=preload"), ("Link", "<b.js>; rel=preload"),
                                     ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    server.expect_request("/twice").respond_with_response(answer)
    with fetcher() as f:
        rec = f.get(server.url_for("/twice"))
    assert rec.headers["link"] == "<a.css>; rel=preload, <b.js>; rel=preload"
    assert rec.headers["set-cookie"] == "a=1, b=2"


def test_credentials_in_a_url_go_to_its_origin_only(server):
    """`user:password@` authenticates the request to that origin; a redirect to another origin
    does not carry it, and neither the record's URLs nor its redirects keep it."""
    with HTTPServer(host="127.0.0.1", port=0) as elsewhere:
        elsewhere.expect_request("/there").respond_with_handler(echo_header("Authorization"))
        server.expect_request("/here").respond_with_handler(echo_header("Authorization"))
        server.expect_request("/away").respond_with_response(
            Response(status=302, headers={"Location": elsewhere.url_for("/there")}))
        with fetcher() as f:
            here = f.get(server.url_for("/here").replace("http://", "http://ann:s3cret@"))
            away = f.get(server.url_for("/away").replace("http://", "http://ann:s3cret@"))
    assert here.body.decode() == basic("ann", "s3cret")
    assert away.ok and away.body == b"-" and away.final_url == elsewhere.url_for("/there")
    assert "s3cret" not in repr((here.url, here.final_url, away.url, away.redirects))


@pytest.mark.parametrize("first, then, keeps", [
    ("http://news.example/a", "http://news.example:80/b", True),
    ("http://news.example/a", "https://news.example/b", True),         # moved to https, as requests allows
    ("https://news.example/a", "http://news.example/b", False),        # never down to plain http
    ("http://news.example:8080/a", "https://news.example/b", False),
    ("https://news.example/a", "https://NEWS.example:443/b", True),
    ("https://news.example/a", "https://cdn.example/b", False),
])
def test_which_redirects_keep_the_credentials(first, then, keeps):
    assert keeps_credentials(first, then) is keeps


def test_netrc_credentials_are_sent_to_their_host(server, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login reader password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    server.expect_request("/private").respond_with_handler(echo_header("Authorization"))
    with fetcher() as f:
        assert f.get(server.url_for("/private")).body.decode() == basic("reader", "hunter2")
    monkeypatch.setenv("NETRC", str(tmp_path / "none"))
    with fetcher() as f:
        assert f.get(server.url_for("/private")).body == b"-"


@pytest.fixture
def tls_server(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("no openssl CLI to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv = HTTPServer(host="127.0.0.1", port=0, ssl_context=context)
    srv.start()
    srv.expect_request("/").respond_with_data("secure")
    yield srv, cert
    srv.stop()


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"])
def test_the_ca_bundle_named_in_the_environment_is_trusted(tls_server, monkeypatch, variable):
    """By static capture and by the browser capture alike (chromium.ca_bundle)."""
    from archiver.chromium import ca_bundle
    srv, cert = tls_server
    for name in ("CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    with fetcher() as f:   # certifi's bundle does not know this certificate
        assert f.get(srv.url_for("/")).error.startswith("TLS error")
    assert ca_bundle() is None
    monkeypatch.setenv(variable, str(cert))
    with fetcher() as f:
        rec = f.get(srv.url_for("/"))
    assert rec.ok and rec.body == b"secure" and str(ca_bundle()) == str(cert)


@pytest.mark.parametrize("url, expected", [
    ("http://example.org/a", "http://proxy:3128"),
    ("https://example.org/a", "http://tls-proxy:3129"),
    ("https://news.internal.example/a", None),       # a domain suffix in NO_PROXY
    ("http://internal.example:8080/a", None),        # the domain itself
    ("http://10.1.2.3/a", None),                     # an address inside a network in NO_PROXY
    ("http://11.1.2.3/a", "http://proxy:3128"),
    ("http://localhost:8000/a", None),
    ("ftp://example.org/a", "http://all-proxy:1080"),  # ALL_PROXY for the rest
])
def test_proxy_for_reads_the_environment_as_curl_and_requests_do(url, expected):
    proxies = {"http": "http://proxy:3128", "https": "tls-proxy:3129", "all": "http://all-proxy:1080",
               "no": "localhost, .internal.example, 10.0.0.0/8"}
    assert proxy_for(url, proxies) == expected


def test_no_proxy_star_means_no_proxy_at_all():
    assert proxy_for("https://example.org/", {"https": "http://p:1", "no": "*"}) is None
    assert proxy_for("https://example.org/", {}) is None


def test_urls_are_sent_and_recorded_percent_encoded(server):
    """A URL written with spaces or letters past ASCII goes on the wire percent-encoded, and the
    record's final URL and redirects are in that form (a WARC target URI must be)."""
    server.expect_request("/café/a b").respond_with_data("ok")
    server.expect_request("/old").respond_with_response(Response(status=301, headers={"Location": "/café/a b"}))
    with fetcher() as f:
        direct = f.get(server.url_for("/café/a b") + "?q=ü")
        moved = f.get(server.url_for("/old"))
    assert direct.ok and direct.final_url == server.url_for("/caf%C3%A9/a%20b") + "?q=%C3%BC"
    assert moved.ok and moved.final_url == server.url_for("/caf%C3%A9/a%20b")
    assert moved.redirects == [server.url_for("/old")]


def test_credentials_in_the_proxy_url_authenticate_to_the_proxy(monkeypatch):
    with HTTPServer(host="127.0.0.1", port=0) as proxy:
        proxy.expect_request("/via-proxy").respond_with_handler(echo_header("Proxy-Authorization"))
        for var in ("http_proxy", "no_proxy", "NO_PROXY", "ALL_PROXY", "all_proxy"):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://gate:k%40y@127.0.0.1:{proxy.port}")
        with fetcher() as f:
            rec = f.get("http://archiver-test.invalid/via-proxy")
    assert rec.ok and rec.body.decode() == basic("gate", "k@y")
