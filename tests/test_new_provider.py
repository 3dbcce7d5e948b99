"""A new provider is one module (plus its cases): dropped into the registry's package path with
nothing else changed, it gets detection, a card with its own name, and enrichment. The module is
the worked example in docs/providers.md, taken from the docs verbatim so the docs cannot drift."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archiver import embeds
from archiver.enrich import enrich_posts
from archiver.fetch import Fetcher
from archiver.render import render_card
from archiver.settings import Settings

DOCS = Path(__file__).resolve().parent.parent / "docs" / "providers.md"
UUID = "9c9de5e8-0a1b-484a-b099-e80766180a6d"
PAGE = f"""<html><body><article><p>The meeting, in full:</p>
<iframe title="Harbour council, full meeting" width="560" height="315"
  src="https://tube.example.org/videos/embed/{UUID}" frameborder="0" allowfullscreen></iframe>
<iframe src="https://maps.example.net/embed?bbox=1,2,3,4" title="A map"></iframe></article></body></html>"""


def docs_block(language: str) -> str:
    return re.findall(rf"```{language}\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)[0]


@pytest.fixture
def peertube(tmp_path, monkeypatch):
    """The docs' example module, installed as archiver.embeds.peertube for this test only."""
    (tmp_path / "peertube.py").write_text(docs_block("python"), encoding="utf-8")
    monkeypatch.setattr(embeds, "__path__", [*embeds.__path__, str(tmp_path)])
    embeds.reload_registry()
    yield embeds.provider("peertube")
    monkeypatch.undo()
    embeds.reload_registry()
    sys.modules.pop("archiver.embeds.peertube", None)
    assert embeds.provider("peertube") is None


def test_the_docs_example_is_a_provider_with_detection_a_card_and_enrichment(peertube, server):
    assert peertube is not None and peertube.name == "PeerTube"
    assert "peertube" in embeds.endpoint_keys() and "peertube" in [p.key for p in embeds.providers()]

    # detection: the player iframe is a PeerTube video; the other iframe is still the catch-all's
    found = embeds.detect(PAGE, "https://news.example/story.html")
    assert [(d.post.provider, d.post.kind) for d in found] == [("peertube", "video"), ("generic", "link")]
    post = found[0].post
    assert post.post_url == f"https://tube.example.org/w/{UUID}" and post.title == "Harbour council, full meeting"

    # enrichment: the server's oEmbed answer (pointed at a local stand-in by the endpoint key)
    server.expect_request("/services/oembed").respond_with_json({
        "type": "video", "version": "1.0", "title": "Harbour council, full meeting", "author_name": "Harbour TV",
        "author_url": "https://tube.example.org/a/harbourtv", "html": "<iframe></iframe>", "width": 560, "height": 315,
        "thumbnail_url": f"http://127.0.0.1:{server.port}/thumb.jpg", "thumbnail_width": 560, "thumbnail_height": 315})
    server.expect_request("/thumb.jpg").respond_with_data(b"\xff\xd8\xff\xe0" + b"x" * 300, content_type="image/jpeg")
    settings = Settings(endpoints={"peertube": f"http://127.0.0.1:{server.port}/services/oembed"}, retries=0,
                        timeout=2.0)
    with Fetcher(settings) as fetcher:
        resources = enrich_posts([post], fetcher, settings)
    oembed_request = next(req for req, _ in server.log if req.path == "/services/oembed")
    assert oembed_request.args["url"] == post.post_url
    assert post.status == "ok" and post.author_name == "Harbour TV" and post.sources["author_name"] == "oembed"
    assert post.media[0].sha256 and {r.kind for r in resources} == {"oembed", "post-media"}

    # a card with the platform's own name, in its family's layout (a video card: no template written)
    row = post.row()
    html = str(render_card(row, asset_url=lambda sha: f"assets/{sha}.jpg"))
    card = BeautifulSoup(html, "lxml").find("article")
    assert card["data-provider"] == "peertube" and "arc-card--video" in card["class"]
    assert "Watch on PeerTube" in card.get_text() and "Harbour TV" in card.get_text()
    assert card.find(class_="arc-card__poster").find("img")["src"] == f"assets/{post.media[0].sha256}.jpg"


def test_the_docs_example_case_passes(peertube):
    html = docs_block("html")
    header = re.match(r"<!--case (\{.*?\}) -->", html, re.S)
    want = json.loads(header.group(1))["expect"][0]
    [found] = embeds.detect(html[header.end():], "https://news.example/story.html")
    assert all(getattr(found.post, k) == v for k, v in want.items())
