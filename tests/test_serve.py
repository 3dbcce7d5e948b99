"""The read-only web UI, through Flask's test client."""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from archiver.cli import main
from archiver.serve import create_app
from archiver.store import Store
from browse_archive import AVATAR, CSS, HARBOUR_PAGE, OTHER_IMAGE, PHOTO, POST_MEDIA, Archive, build, sha


@pytest.fixture
def archive(tmp_path) -> Archive:
    return build(tmp_path / "a.db")


@pytest.fixture
def client(archive):
    return create_app(archive.path).test_client()


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


# ------------------------------------------------------------------------------ index
def test_index_lists_newest_first_with_links(client, archive):
    page = soup(client.get("/"))
    rows = page.select("table.snapshots tbody tr")
    assert len(rows) == 4
    titles = [r.select_one(".title").get_text(strip=True) for r in rows]
    assert titles[1:3] == ["Storm closes schools", "Council votes on harbour plan"]
    assert titles[0] == "https://blog.other.org/post"                    # failed: no title, no link
    assert rows[0].select_one("a.title") is None and "connection refused" in rows[0].get_text()
    assert rows[2].select_one("a.title")["href"] == f"/snapshots/{archive.harbour}"
    assert rows[2].select_one("td.num").get_text(strip=True) == "2"


def test_index_escapes_titles(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not BeautifulSoup(html, "html.parser").find("script")


@pytest.mark.parametrize("query, expected", [
    ("domain=example.com", ["Storm closes schools", "Council votes on harbour plan"]),
    ("provider=bluesky", ["Council votes on harbour plan"]),
    ("failed=1", ["https://blog.other.org/post"]),
    ("domain=example.com&provider=mastodon", ["Storm closes schools"]),
])
def test_index_filters(client, query, expected):
    rows = soup(client.get(f"/?{query}")).select("table.snapshots tbody tr .title")
    assert [r.get_text(strip=True) for r in rows] == expected


def test_index_filter_form_offers_known_values(client):
    page = soup(client.get("/?provider=twitter"))
    providers = {o["value"] for o in page.select("select[name=provider] option")}
    assert providers == {"", "twitter", "bluesky", "mastodon"}
    assert page.select_one("select[name=provider] option[selected]")["value"] == "twitter"
    assert "news.example.com" in {o["value"] for o in page.select("select[name=domain] option")}


def test_search_results_say_what_matched_and_highlight(client, archive):
    page = soup(client.get("/?q=Grace"))
    [result] = page.select("li.result")
    assert "result-post" in result["class"]
    assert "Grace Hopper" in result.select_one(".result-kind").get_text()
    assert result.select_one("a.result-title")["href"] == f"/snapshots/{archive.harbour}"
    assert [m.get_text() for m in result.select(".snippet mark")] == ["Grace"]

    page = soup(client.get("/?q=harbour"))
    kinds = [li["class"][1] for li in page.select("li.result")]
    assert kinds.count("result-article") == 2 and kinds.count("result-post") == 1
    assert page.select_one("input[name=q]")["value"] == "harbour"


@pytest.mark.parametrize("q", ['"', "NEAR(", "-", "((", "<script>alert(1)</script>", "%", "\u202e"])
def test_search_with_hostile_queries(client, q):
    response = client.get("/", query_string={"q": q})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html


def test_search_with_no_result(client):
    page = soup(client.get("/?q=zzzqqq"))
    assert page.select("li.result") == [] and "Nothing in the archive matches" in page.get_text()


def test_pagination(tmp_path):
    from archiver.model import Snapshot
    st = Store(tmp_path / "many.db")
    for i in range(55):
        st.save_snapshot(Snapshot(url=f"https://example.com/{i}", captured_at=f"2024-01-01T00:{i:02d}:00Z",
                                  meta={"title": f"Story {i}"}))
    st.close()
    client = create_app(tmp_path / "many.db").test_client()
    first = soup(client.get("/"))
    assert len(first.select("table.snapshots tbody tr")) == 50
    assert first.select_one("a[rel=next]")["href"] == "/?page=2"
    second = soup(client.get("/?page=2"))
    assert [t.get_text() for t in second.select(".title")] == [f"Story {i}" for i in range(4, -1, -1)]
    assert second.select_one("a[rel=next]") is None


# ------------------------------------------------------------------------------ info and source
def test_info_shows_metadata_resources_and_posts_with_sources(client, archive):
    page = soup(client.get(f"/snapshots/{archive.harbour}/info"))
    text = page.get_text(" ")
    assert "Jane Reporter" in text and "Example News" in text
    assert sha(HARBOUR_PAGE) in text
    rows = page.select("table.resources tbody tr")
    assert len(rows) == 3
    missing = next(r for r in rows if "missing.png" in r.get_text())
    assert "HTTP 404" in missing.get_text() and "failed" in missing["class"]
    photo = next(r for r in rows if "photo.png" in r.get_text())
    assert photo.select_one("a")["href"] == f"/snapshots/{archive.harbour}/assets/{sha(PHOTO)}"
    posts = page.select("article.post-detail")
    assert len(posts) == 2
    ada = posts[0]
    cells = {tr.th.get_text(strip=True): tr for tr in ada.select("table.kv tbody tr")}
    assert "Ada Lovelace" in cells["author name"].get_text()
    assert cells["author name"].select_one(".src").get_text() == "fallback"
    assert "oembed said: Ada L." in cells["author name"].get_text()
    assert cells["published at"].select_one(".src").get_text() == "derived"
    assert cells["media 1"].img["src"] == f"/snapshots/{archive.harbour}/assets/{sha(POST_MEDIA)}"
    assert cells["avatar"].img["src"] == f"/snapshots/{archive.harbour}/assets/{sha(AVATAR)}"
    assert "deleted" in posts[1].select_one(".badge").get_text()
    assert page.select_one("a[href$='/source']") is not None
    assert f"archiver export {archive.harbour}" in text


def test_info_of_failed_capture(client, archive):
    page = soup(client.get(f"/snapshots/{archive.failed}/info"))
    assert "connection refused" in page.select_one(".error.box").get_text()
    assert page.select_one("a[href$='/source']") is None


def test_source_is_shown_as_text_never_as_html(client, archive):
    response = client.get(f"/snapshots/{archive.harbour}/source")
    page = soup(response)
    assert page.find("script") is None
    code = page.select_one("pre.source code").get_text()
    assert code == HARBOUR_PAGE.decode()
    raw = client.get(f"/snapshots/{archive.harbour}/source.txt")
    assert raw.status_code == 200 and raw.mimetype == "text/plain"
    assert raw.data == HARBOUR_PAGE
    assert "sandbox" in raw.headers["Content-Security-Policy"]
    assert raw.headers["X-Content-Type-Options"] == "nosniff"


def test_source_of_a_page_declaring_its_charset_only_in_meta(server, tmp_path):
    """A windows-1251 page whose server names no charset: the source view decodes it by the
    capture's own rule (the <meta>), not as UTF-8."""
    from archiver.capture import archive_urls
    from archiver.settings import Settings
    from archiver.store import Store

    text = ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            "<title>Новости</title></head><body><p>Привет, мир! Съешь же ещё этих мягких булок.</p></body></html>")
    server.expect_request("/cp1251.html").respond_with_data(text.encode("windows-1251"), content_type="text/html")
    store = Store(tmp_path / "c.db")
    [result] = archive_urls([server.url_for("/cp1251.html")], store, Settings(enrich=False))
    store.close()
    assert result.ok
    client = create_app(tmp_path / "c.db").test_client()
    code = soup(client.get(f"/snapshots/{result.snapshot_id}/source")).select_one("pre.source code").get_text()
    assert code == text
    raw = client.get(f"/snapshots/{result.snapshot_id}/source.txt")
    assert raw.get_data(as_text=True) == text and raw.mimetype_params.get("charset") == "utf-8"


def test_failed_capture_has_no_page(client, archive):
    assert client.get(f"/snapshots/{archive.failed}/source").status_code == 404
    response = client.get(f"/snapshots/{archive.failed}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/snapshots/{archive.failed}/info")


# ------------------------------------------------------------------------------ assets
def test_assets_of_the_snapshot_are_served_with_their_type(client, archive):
    for name, body, ctype in [(sha(PHOTO) + ".png", PHOTO, "image/png"), (sha(PHOTO), PHOTO, "image/png"),
                              (sha(CSS) + ".css", CSS, "text/css"),
                              (sha(AVATAR) + ".png", AVATAR, "image/png"),
                              (sha(POST_MEDIA) + ".png", POST_MEDIA, "image/png")]:
        response = client.get(f"/snapshots/{archive.harbour}/assets/{name}")
        assert response.status_code == 200, name
        assert response.data == body and response.mimetype == ctype
        assert "sandbox" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", [
    "/snapshots/{h}/assets/../../etc/passwd",
    "/snapshots/{h}/assets/..%2f..%2fetc%2fpasswd",
    "/snapshots/{h}/assets/%2e%2e/%2e%2e/etc/passwd",
    "/snapshots/{h}/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/snapshots/{h}/assets//etc/passwd",
    "/snapshots/{h}/assets/%2fetc%2fpasswd",
    "/snapshots/{h}/assets/etc/passwd",
    "/snapshots/{h}/assets/C:%5cWindows%5cwin.ini",
    "/snapshots/{h}/assets/{photo_upper}",
    "/snapshots/{h}/assets/{photo}.png/..",
    "/snapshots/{h}/assets/{photo}%00.png",
    "/snapshots/{h}/assets/{other}.png",             # a blob of another snapshot
    "/snapshots/{h}/assets/{page}.html",              # the raw page is not an asset
    "/snapshots/{h}/assets/" + "0" * 64,
    "/snapshots/{t}/assets/{photo}.png",              # this snapshot never used it
    "/snapshots/999/assets/{photo}.png",
    "/snapshots/-1/info", "/snapshots/abc/info", "/snapshots/1.5", "/snapshots/999", "/snapshots/999/info",
    "/snapshots/999/source", "/snapshots/{h}/nope", "/nope", "/static/../archiver/serve.py",
    "/static/browse.css/../../pyproject.toml", "/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
])
def test_unknown_and_traversal_paths_answer_404(client, archive, path):
    url = path.format(h=archive.harbour, t=archive.tricky, photo=sha(PHOTO), photo_upper=sha(PHOTO).upper(),
                      other=sha(OTHER_IMAGE), page=sha(HARBOUR_PAGE))
    response = client.get(url)
    assert response.status_code == 404, (url, response.status_code)
    assert b"root:" not in response.data and b"[tool." not in response.data


def test_blob_of_another_snapshot_is_served_under_its_own_snapshot(client, archive):
    assert client.get(f"/snapshots/{archive.tricky}/assets/{sha(OTHER_IMAGE)}.png").data == OTHER_IMAGE


def test_active_content_types_are_served_as_text(tmp_path):
    from archiver.model import Resource, Snapshot
    st = Store(tmp_path / "x.db")
    html = b"<script>alert(document.cookie)</script>"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    sid = st.save_snapshot(Snapshot(url="https://e.com/", captured_at="2024-01-01T00:00:00Z", resources=[
        Resource(url="https://e.com/frame.html", kind="other", content_type="text/html", body=html),
        Resource(url="https://e.com/x.svg", kind="image", content_type="image/svg+xml", body=svg),
        Resource(url="https://e.com/y", kind="image", content_type="bogus type\r\nX-Evil: 1", body=b"y")]))
    st.close()
    client = create_app(tmp_path / "x.db").test_client()
    r = client.get(f"/snapshots/{sid}/assets/{sha(html)}")
    assert r.mimetype == "text/plain" and r.headers["X-Content-Type-Options"] == "nosniff"
    r = client.get(f"/snapshots/{sid}/assets/{sha(svg)}.svg")
    assert r.mimetype == "image/svg+xml" and "sandbox" in r.headers["Content-Security-Policy"]
    assert "script-src" not in r.headers["Content-Security-Policy"]
    r = client.get(f"/snapshots/{sid}/assets/{sha(b'y')}")
    assert r.mimetype == "application/octet-stream" and "X-Evil" not in r.headers


# ------------------------------------------------------------------------------ posts gallery
def test_posts_gallery_lists_every_post_with_its_article(client, archive):
    page = soup(client.get("/posts"))
    items = page.select("figure.gallery-item")
    assert len(items) == 3
    text = page.get_text(" ")
    for who in ("Ada Lovelace", "Grace Hopper"):
        assert who in text
    captions = [i.figcaption.a["href"] for i in items]
    assert captions.count(f"/snapshots/{archive.harbour}") == 2 and f"/snapshots/{archive.storm}" in captions


@pytest.mark.parametrize("query, authors", [
    ("provider=bluesky", ["Grace Hopper"]),
    ("author=ada", ["Ada Lovelace"]),
    ("author=%40ada%40mastodon.social", ["Ada Lovelace"]),
    ("author=Ada+Lovelace", ["Ada Lovelace", "Ada Lovelace"]),
    ("provider=twitter&author=grace.bsky.social", []),
])
def test_posts_gallery_filters(client, query, authors):
    page = soup(client.get(f"/posts?{query}"))
    items = page.select("figure.gallery-item")
    assert len(items) == len(authors)
    for item, who in zip(items, authors):
        assert who in item.get_text()


# ------------------------------------------------------------------------------ read-only, headers
def test_ui_pages_carry_a_no_script_csp(client, archive):
    for url in ("/", "/?q=harbour", f"/snapshots/{archive.harbour}/info", "/posts", "/nope"):
        csp = client.get(url).headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp


def test_serving_never_writes_the_archive(client, archive):
    def digest() -> str:
        return hashlib.sha256(archive.path.read_bytes()).hexdigest()
    before = digest()
    for url in ("/", "/?q=harbour", "/posts", f"/snapshots/{archive.harbour}/info",
                f"/snapshots/{archive.harbour}/assets/{sha(PHOTO)}.png"):
        client.get(url)
    assert digest() == before
    ro = Store(archive.path, read_only=True)
    with pytest.raises(sqlite3.OperationalError):
        ro.db.execute("delete from snapshots")
    ro.close()


def test_create_app_refuses_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        create_app(tmp_path / "missing.db")
    assert not (tmp_path / "missing.db").exists()


def test_cli_serve_get(archive):
    result = CliRunner().invoke(main, ["--db", str(archive.path), "serve", "--get", "/?q=Grace"])
    assert result.exit_code == 0, result.output
    assert "<mark>Grace</mark>" in result.stdout
    result = CliRunner().invoke(main, ["--db", str(archive.path), "serve", "--get", "/snapshots/999/info"])
    assert result.exit_code == 1 and "404" in result.output
    result = CliRunner().invoke(main, ["--db", str(archive.path), "serve", "--port", "99999"])
    assert result.exit_code == 2


def test_cli_serve_get_prints_a_binary_asset_as_its_bytes(archive):
    path = f"/snapshots/{archive.harbour}/assets/{sha(PHOTO)}.png"
    result = CliRunner().invoke(main, ["--db", str(archive.path), "serve", "--get", path])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == PHOTO


# ------------------------------------------------------------------------------ rendered page, cards, bundle
def test_snapshot_page_is_the_offline_render_with_its_csp(client, archive):
    from archiver.render import CSP
    response = client.get(f"/snapshots/{archive.harbour}")
    page = soup(response)
    assert response.headers["Content-Security-Policy"] == CSP
    meta = page.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert meta is not None and meta["content"] == CSP
    assert page.find("script") is None
    assert "Ada Lovelace" in page.get_text() and "The harbour is lovely today" in page.get_text()
    prefix = f"/snapshots/{archive.harbour}/assets/"
    srcs = [img["src"] for img in page.find_all("img") if img.get("src")]
    assert prefix + sha(PHOTO) + ".png" in srcs
    for src in srcs:
        if not src.startswith("data:"):
            assert src.startswith(prefix), src
            assert client.get(src).status_code == 200, src


def test_every_asset_the_render_uses_is_served(client, archive):
    from archiver.render import render_snapshot
    st = Store(archive.path, create=False)
    rendered = render_snapshot(st, archive.harbour, asset_prefix=f"/snapshots/{archive.harbour}/assets/")
    st.close()
    assert rendered.assets
    for name, digest in rendered.assets.items():
        response = client.get(f"/snapshots/{archive.harbour}/assets/{name}")
        assert response.status_code == 200 and hashlib.sha256(response.data).hexdigest() == digest


def test_posts_gallery_shows_preserved_cards(client, archive):
    page = soup(client.get("/posts?provider=twitter"))
    [card] = page.select("figure.gallery-item .arc-card")
    assert "Ada Lovelace" in card.get_text() and "The harbour is lovely today" in card.get_text()
    for img in card.find_all("img"):
        assert img["src"].startswith(f"/snapshots/{archive.harbour}/assets/")
        assert client.get(img["src"]).status_code == 200
    assert page.find("style") is not None          # the card styles travel with the gallery


def test_bundle_export_link(client, archive):
    import io
    import json
    import zipfile
    info = soup(client.get(f"/snapshots/{archive.harbour}/info"))
    link = info.select_one("a[download]")["href"]
    assert link == f"/snapshots/{archive.harbour}/bundle.zip"
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert f"snapshot-{archive.harbour}.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert len(manifest["snapshots"]) == 1
    assert client.get("/snapshots/999/bundle.zip").status_code == 404


def test_cli_serve_refuses_a_busy_port(archive):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["--db", str(archive.path), "serve", "--port", str(port)])
    assert result.exit_code == 1 and "cannot listen" in result.output and "Traceback" not in result.output


def test_cli_serve_runs_a_real_server_on_localhost(archive):
    import re
    import subprocess
    import sys
    import urllib.request
    proc = subprocess.Popen([sys.executable, "-m", "archiver.cli", "--db", str(archive.path), "serve", "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    try:
        line = proc.stderr.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        with urllib.request.urlopen(f"http://127.0.0.1:{match[1]}/?q=Grace", timeout=10) as response:
            body = response.read().decode()
        assert "<mark>Grace</mark>" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
