"""Finding detections in tests by the post they show, not by where they sit in the list."""
from __future__ import annotations


def by_url(found: list, url: str):
    """The one detection whose post URL is `url`."""
    matches = [d for d in found if d.post.post_url == url]
    assert len(matches) == 1, f"{len(matches)} detections of {url} among {[d.post.post_url for d in found]}"
    return matches[0]


def posts(found: list, *urls: str) -> list:
    """The posts of the detections with these URLs, in the order asked."""
    return [by_url(found, url).post for url in urls]


def by_urls(found: list, *urls: str) -> list:
    """The detections with these URLs, in the order asked."""
    return [by_url(found, url) for url in urls]


def urls(expected: list[tuple]) -> list[str]:
    """The post URLs (last field) of expected (provider, kind, post_url) rows."""
    return [row[-1] for row in expected]
