"""embeds.DocIndex: detection answered from one index of the page gives what walking the tree gives."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archiver import embeds
from archiver.embeds import DocIndex
from provider_cases import markup_cases

PAGES = [c for c in markup_cases()]
FIXTURE_PAGES = sorted((Path(__file__).parent / "fixtures" / "embeds").rglob("*.html"))


def _summary(found):
    return [(d.position, d.post.provider, d.post.kind, d.post.post_url, d.post.post_id, id(d.element),
             d.post.author_name, d.post.text) for d in found]


@pytest.mark.parametrize("case", PAGES, ids=[f"{c.provider}/{c.name}" for c in PAGES])
def test_indexed_detection_equals_walking(case):
    doc = BeautifulSoup(case.html, "lxml")
    walked = embeds.detect(doc, case.base_url, indexed=False)
    indexed = embeds.detect(doc, case.base_url, indexed=True)
    assert _summary(indexed) == _summary(walked)
    assert "find_all" not in doc.__dict__ and "find" not in doc.__dict__   # uninstalled afterwards


@pytest.mark.parametrize("path", FIXTURE_PAGES, ids=[p.name for p in FIXTURE_PAGES])
def test_indexed_detection_on_whole_pages(path):
    doc = BeautifulSoup(path.read_text(encoding="utf-8"), "lxml")
    walked = embeds.detect(doc, "https://news.example/2024/story.html", indexed=False)
    assert _summary(embeds.detect(doc, "https://news.example/2024/story.html")) == _summary(walked)


def test_the_fixture_pages_hold_embeds():
    assert sum(bool(embeds.detect(BeautifulSoup(p.read_text(encoding="utf-8"), "lxml"), "https://news.example/"))
               for p in FIXTURE_PAGES) >= 5


MARKUP = """<html><body>
<div class="a b" id="one"><iframe src="https://x.example/1"></iframe><p data-x="1">p1</p></div>
<iframe class="b"></iframe><section><p>p2</p><fb:post data-href="u"></fb:post></section>
<script src="s.js"></script><script>inline</script></body></html>"""


@pytest.mark.parametrize("args, kwargs", [
    (("iframe",), {}),
    ((["p", "iframe"],), {}),
    (("iframe",), {"src": True}),
    (("iframe",), {"src": False}),               # absent attribute: walks the tree
    (("script",), {"src": None}),
    ((), {"class_": "b"}),
    ((), {"class_": ["a", "zzz"]}),
    ((), {"attrs": {"data-x": True}}),
    ((), {"attrs": {"data-x": "1"}}),
    ((re.compile("^i"),), {}),                   # regex name: walks the tree
    ((lambda t: t.name == "p",), {}),
    ((True,), {"id": "one"}),
    (("fb:post",), {}),
    (("p",), {"limit": 1}),
    (("p",), {"recursive": False}),
    ((), {"string": "p2"}),
    (("div", "a"), {}),                          # a string attrs is a class
])
def test_find_all_and_find_agree_with_bs4(args, kwargs):
    doc = BeautifulSoup(MARKUP, "lxml")
    plain_all = [id(t) for t in doc.find_all(*args, **kwargs)]
    plain_one = doc.find(*args, **{k: v for k, v in kwargs.items() if k != "limit"})
    index = DocIndex(doc)
    index.install()
    try:
        assert [id(t) for t in doc.find_all(*args, **kwargs)] == plain_all
        assert doc.find(*args, **{k: v for k, v in kwargs.items() if k != "limit"}) is plain_one
    finally:
        index.uninstall()


def test_the_index_narrows_the_search():
    doc = BeautifulSoup(MARKUP, "lxml")
    index = DocIndex(doc)
    assert len(index.candidates("iframe", None, {})) == 2
    assert len(index.candidates(None, {"data-x": True}, {})) == 1
    assert len(index.candidates("p", None, {"class_": "b"})) == 2   # the smaller list: tags with a class
    assert index.candidates("iframe", None, {"src": False}) == index.by_name["iframe"]
    assert index.candidates(None, None, {"src": None}) is None
    assert index.candidates(re.compile("x"), None, {}) is None
