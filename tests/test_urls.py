"""One rule for making a reference absolute (archiver.extract.urls.absolute), shared by capture,
render, the embeds and enrichment."""
from __future__ import annotations

import pytest

from archiver.embeds._urls import absolute as post_url
from archiver.extract.urls import absolute

BASE = "http://news.example/world/story.html"


@pytest.mark.parametrize("value, expected", [
    ("../img/a.png", "http://news.example/img/a.png"),
    ("  /img/a.png\n", "http://news.example/img/a.png"),                 # surrounding space stripped
    ("other.html#section", "http://news.example/world/other.html#section"),  # a fragment is kept
    ("//cdn.example/a.png", "http://cdn.example/a.png"),                 # protocol-relative: the base's scheme
    ("HTTPS://cdn.example/a.png", "HTTPS://cdn.example/a.png"),
    ("#top", None),                                                      # the same document: nothing to load
    ("", None), ("   ", None), (None, None), (["a.png"], None),          # empty or not a string
    ("data:image/png;base64,AAAA", None), ("javascript:alert(1)", None), ("mailto:a@b.example", None),
    ("http://[oops/a.png", None),                                        # malformed: None, not ValueError
])
def test_web_references(value, expected):
    assert absolute(value, BASE) == expected


def test_other_schemes_on_request():
    assert absolute("mailto:a@b.example", BASE, schemes=("http", "https", "mailto")) == "mailto:a@b.example"
    assert absolute("data:,x", BASE, schemes=None) == "data:,x"
    assert absolute("#top", BASE, schemes=None) is None


def test_protocol_relative_without_a_base_or_for_posts_is_https():
    assert absolute("//cdn.example/a.png") == "https://cdn.example/a.png"
    assert absolute("//x.com/a/status/1", BASE, prefer_https=True) == "https://x.com/a/status/1"
    assert post_url("//x.com/a/status/1", BASE) == "https://x.com/a/status/1"
    assert post_url("https://[broken", BASE) is None
    assert absolute("a.png") is None                                      # relative, and nothing to resolve against
    assert absolute("https://") is None and absolute("http:///path") is None    # a web URL needs a host
