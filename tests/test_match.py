"""embeds/_match.py against the CSS selectors it stands for: on the platforms' embed pages the
tests keep (and on a page made to catch the differences), each reader's tests pick the same
elements, in the same order, as soupsieve's `select` does for the selector they replace."""
from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from archiver.embeds._match import attribute, class_contains, every, first, has_class, inside, tag

PAGES = sorted((Path(__file__).parent / "fixtures").rglob("*.html"))

TRICKY = """<html><body><article>
<div class="post-author-box"><span class="name">Name One</span><a href="/one">one</a><a>no href</a></div>
<a class="author">author link</a><a class="byline-author" href="/two">two</a>
<p class="Text">not .text</p><p class="text extra">the text</p><div data-testid="tweetText">tweet</div>
<span class="display-name-wrap">dn</span><span class="screen-name">@sn</span><span class="handle">@h</span>
<div class="Avatar"><img src="a.jpg"></div><div class="EmbedHeader"><span><img src="b.jpg"></span></div>
<div class="HeaderText"><a href="/u">u</a></div><span class="UsernameText">user</span>
<div class="Caption"><a class="CaptionUsername">x</a>caption<span class="CaptionComments">c</span></div>
<div class="EmbeddedMedia"><img src="m1.jpg"></div><img class="EmbeddedMediaImage" src="m2.jpg">
<div class="tgme_widget_message_date"><time datetime="2024-01-01">d</time></div><time datetime="2023">e</time>
<div class="tgme_widget_message_user_photo"><i><img src="p.jpg"></i></div>
<div class="tgme_widget_message_photo_wrap" style="x"></div><div class="tgme_widget_message_photo_wrap y"></div>
</article></body></html>"""

# (the selector a reader used, its translation)
CASES = [
    ("a.author, [class*=author] a[href], a[class*=author]",
     (tag("a", has_class("author")), tag("a", attribute("href"), inside(class_contains("author"))),
      tag("a", class_contains("author")))),
    (".name, [class*=display-name], [class*=fullname]",
     (has_class("name"), class_contains("display-name"), class_contains("fullname"))),
    (".handle, [class*=username], [class*=screen-name]",
     (has_class("handle"), class_contains("username"), class_contains("screen-name"))),
    (".text, [class*=post-text], [data-testid=tweetText], [class*=userContent], [class*=caption], [class*=description]",
     (has_class("text"), class_contains("post-text"), attribute("data-testid", "tweetText"),
      class_contains("userContent"), class_contains("caption"), class_contains("description"))),
    (".Avatar img, .EmbedHeader img", (tag("img", inside(has_class("Avatar"))), tag("img", inside(has_class("EmbedHeader"))))),
    (".UsernameText, .HeaderText a", (has_class("UsernameText"), tag("a", inside(has_class("HeaderText"))))),
    (".Caption", (has_class("Caption"),)),
    (".CaptionUsername, .CaptionComments", (has_class("CaptionUsername"), has_class("CaptionComments"))),
    (".EmbeddedMediaImage, .EmbeddedMedia img", (has_class("EmbeddedMediaImage"), tag("img", inside(has_class("EmbeddedMedia"))))),
    (".tgme_widget_message_date time[datetime], time[datetime]",
     (tag("time", attribute("datetime"), inside(has_class("tgme_widget_message_date"))), tag("time", attribute("datetime")))),
    (".tgme_widget_message_user_photo img", (tag("img", inside(has_class("tgme_widget_message_user_photo"))),)),
    (".tgme_widget_message_photo_wrap", (has_class("tgme_widget_message_photo_wrap"),)),
]


@pytest.mark.parametrize("page", [*PAGES, "tricky"], ids=lambda p: getattr(p, "name", p))
@pytest.mark.parametrize("selector, tests", CASES, ids=[c[0][:40] for c in CASES])
def test_the_tests_pick_what_the_selector_picks(page, selector, tests) -> None:
    soup = BeautifulSoup(TRICKY if page == "tricky" else page.read_bytes(), "lxml")
    for root in (soup, soup.find("article") or soup):
        assert every(root, *tests) == root.select(selector)
        assert first(root, *tests) is root.select_one(selector)


def test_the_tricky_page_finds_something_for_every_case() -> None:
    soup = BeautifulSoup(TRICKY, "lxml")
    assert all(every(soup, *tests) for _, tests in CASES)
