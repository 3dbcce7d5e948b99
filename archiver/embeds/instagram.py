"""Instagram: `blockquote.instagram-media` in all its versions (v14+: name and handle only, in one
link "A post shared by NAME (@handle)"; older: caption link, author link, `<time datetime>`), the
rendered `iframe.instagram-media-rendered`, plain `/p/CODE/embed` iframes, and
`amp-instagram[data-shortcode]`.

The byline is found by its shape, `… (@handle)`; the words before the name are in the embedder's
language, so the name is what follows a known localised lead-in (several languages), else the
trailing run of words that start with a capital or a digit."""
from __future__ import annotations

import copy
import re
from typing import Iterable, Iterator
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from . import _social
from ._match import every, first, has_class, inside, tag
from ._media_util import Candidate, find_iframes, finish
from ._oembed import oembed_reader
from ._pages import add_image, int_value, page_reader, text_value
from ._text import sanitize_html, text_of
from ._urls import absolute, host_matches
from .base import (DERIVED, EMBED_PAGE_ENDPOINT, FALLBACK, OEMBED_ENDPOINT, Detected, Display, Endpoint, Post,
                   ProviderRecord, Reading)
from .reading import OK, PRIVATE, with_fields

KEY = "instagram"
HOSTS = ("instagram.com", "instagr.am")
POST_PATH = re.compile(r"^/(?:(?P<user>[\w.]+)/)?(?P<type>p|reel|reels|tv)/(?P<code>[\w-]{5,})(?:/|$)")
PROFILE_PATH = re.compile(r"^/(?P<user>[\w.]{1,30})/?$")
NOT_PROFILES = {"p", "reel", "reels", "tv", "explore", "accounts", "stories", "about", "developer", "legal"}
# The lead-in before the author's name ("A post shared by NAME (@handle)") in the languages Instagram
# generates embed codes in; folded to lower case. Anything else falls back to the capitalised-run rule.
LEAD_INS = (
    "a post shared by", "a video shared by", "a photo shared by", "une publication partagée par",
    "ein beitrag geteilt von", "una publicación compartida de", "una publicación compartida por",
    "un post condiviso da", "uma publicação compartilhada por", "uma publicação partilhada por",
    "een bericht gedeeld door", "ett inlägg delat av", "et opslag delt af", "et innlegg delt av",
    "post udostępniony przez", "bir gönderi paylaşıldı", "публикация от",
    # older codes (v4-v8): "A photo posted by NAME (@handle) on <time>"
    "a photo posted by", "a video posted by", "una foto publicada por", "un video publicado por",
    "une photo publiée par", "une vidéo publiée par", "uma foto publicada por", "um vídeo publicado por",
    "una foto pubblicata da", "un video pubblicato da", "een foto geplaatst door", "een video geplaatst door",
)


def post_url(code: str, kind: str = "p") -> str:
    return f"https://www.instagram.com/{'reel' if kind in ('reel', 'reels') else kind}/{code}/"


def _parse(url: str | None) -> tuple[str, str, str | None] | None:
    """(type, shortcode, user or None) for an Instagram post/reel/tv URL (incl. /embed variants)."""
    url = absolute(url, None)
    if not url or not host_matches(url, *HOSTS):
        return None
    m = POST_PATH.match(urlsplit(url).path)
    if not m:
        return None
    return m.group("type"), m.group("code"), m.group("user")


def _new_post(url: str, kind_path: str, code: str, user: str | None) -> Post:
    kind = "video" if kind_path in ("reel", "reels", "tv") else "post"
    post = Post(provider=KEY, kind=kind, post_url_original=url)
    post.put("post_url", post_url(code, kind_path), FALLBACK)
    post.put("post_id", code, DERIVED)
    if user and user.lower() not in NOT_PROFILES:
        post.put("author_handle", user, DERIVED)
        post.put("author_url", f"https://www.instagram.com/{user}/", DERIVED)
    return post


def match_url(url: str) -> Post | None:
    """A Post for an Instagram post, reel or IGTV URL (optionally /{user}/-prefixed, /embed/ forms)."""
    found = _parse(url)
    return _new_post(url, *found) if found else None


def split_byline(text: str) -> tuple[str | None, str | None]:
    """(name, handle) from "LEAD-IN NAME (@handle)" in any language."""
    name, handle = _social.byline(text)
    if not name:
        return None, handle
    folded = name.lower()
    for lead in LEAD_INS:
        if folded.startswith(lead + " "):
            return name[len(lead):].strip() or None, handle
    words = name.split()
    run: list[str] = []
    for word in reversed(words):
        if not (word[:1].isupper() or word[:1].isdigit() or not word[:1].isalpha()):
            break
        run.insert(0, word)
    if len(run) == len(words) and len(words) > 1:   # everything capitalised: cannot tell, keep it all
        return name, handle
    return (" ".join(run) or None), handle


def _profile(url: str) -> str | None:
    if not host_matches(url, *HOSTS):
        return None
    m = PROFILE_PATH.match(urlsplit(url).path)
    return m.group("user") if m and m.group("user").lower() not in NOT_PROFILES else None


def read_fallback(quote: Tag, post: Post, base_url: str) -> None:
    """Caption, author and date from any version of the blockquote."""
    caption_paras: list[Tag] = []
    for p in quote.find_all("p"):
        text = _social.text_of_link(p) or ""
        profile_link = next(((a, u) for a, u in _social.links(p, base_url) if _profile(u)), None)
        time = p.find("time")
        if profile_link is not None:                     # older: "… <a href=PROFILE>NAME</a> (@handle) …"
            a, url = profile_link
            post.put("author_name", _social.text_of_link(a), FALLBACK)
            _social.prefer(post, "author_url", f"https://www.instagram.com/{_profile(url)}/")
            _social.prefer(post, "author_handle", _social.byline(text)[1] or _profile(url))
        elif _social.BYLINE.search(text) and (time is not None or text.rstrip().endswith(")")):
            name, handle = split_byline(text.split("\n")[0] if time is None else text)
            post.put("author_name", name, FALLBACK)
            _social.prefer(post, "author_handle", handle)
        elif time is None:
            caption_paras.append(p)
        if time is not None:
            _read_time(time, post)
    if post.author_handle and post.sources.get("author_url") != FALLBACK:
        _social.prefer(post, "author_url", f"https://www.instagram.com/{post.author_handle}/", DERIVED)
    if caption_paras:
        _social.put_text(post, [_unwrap_self_links(p, post, base_url) for p in caption_paras], base_url)
    _social.add_images(post, quote, base_url)


def _unwrap_self_links(p: Tag, post: Post, base_url: str) -> Tag:
    """A copy of a caption paragraph whose links to the post itself are plain text (older codes
    wrap the whole caption in the permalink)."""
    clone = copy.copy(p)
    for a in clone.find_all("a"):
        found = _parse(absolute(a.get("href"), base_url))
        if found and found[1] == post.post_id:
            a.unwrap()
    return clone


def _read_time(time: Tag, post: Post) -> None:
    stamp = (time.get("datetime") or "").strip()
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(Z|[+-]00:?00)?", stamp)
    if m and m.group(3):
        seconds = m.group(2) if m.group(2).count(":") == 2 else m.group(2) + ":00"
        post.put("published_at", f"{m.group(1)}T{seconds}Z", FALLBACK)
    elif stamp:
        post.put("published_at", stamp, FALLBACK)
    post.put("date_text", _social.text_of_link(time), FALLBACK)


def _blockquotes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for quote in _social.roots(doc, "blockquote", "instagram-media"):
        urls = [absolute(quote.get("data-instgrm-permalink"), base_url)]
        urls += [url for _, url in _social.links(quote, base_url)]
        found = next(((u, _parse(u)) for u in urls if u and _parse(u)), None)
        if found is None:
            continue
        post = _new_post(found[0], *found[1])
        if quote.has_attr("data-instgrm-version"):
            post.extra["embed_version"] = quote["data-instgrm-version"]
        read_fallback(quote, post, base_url)
        yield Candidate(identity=post.post_url or "", inner=quote, post=post, box=quote)


def _iframes(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for frame, url in find_iframes(doc, base_url):
        found = _parse(url)
        if found and ("/embed" in urlsplit(url).path or _social.has_class(frame, "instagram-media")):
            post = _new_post(url, *found)
            post.extra["embed_url"] = url
            yield Candidate(identity=post.post_url or "", inner=frame, post=post)


def _amp(doc: BeautifulSoup, base_url: str) -> Iterator[Candidate]:
    for amp in doc.find_all("amp-instagram"):
        code = (amp.get("data-shortcode") or "").strip()
        if _social.in_template(amp) or not re.fullmatch(r"[\w-]{5,}", code):
            continue
        post = _new_post(post_url(code), "p", code, None)
        quote = amp.find("blockquote", class_="instagram-media")
        if quote is not None:
            read_fallback(quote, post, base_url)
        yield Candidate(identity=post.post_url or "", inner=amp, post=post, box=amp)


def find(doc: BeautifulSoup, base_url: str) -> Iterable[Detected]:
    return finish([*_amp(doc, base_url), *_blockquotes(doc, base_url), *_iframes(doc, base_url)])


# --- what the platform answers ------------------------------------------------------------------

def read_embed_soup(soup: BeautifulSoup, base_url: str, post: Post) -> Reading:
    """Instagram's /embed/captioned/ page: header avatar and username, the caption, the media."""
    reading = Reading(OK)
    f = reading.fields
    avatar = first(soup, tag("img", inside(has_class("Avatar"))), tag("img", inside(has_class("EmbedHeader"))))
    if avatar is not None:
        f["avatar_url"] = absolute(avatar.get("src"), base_url)
    user = first(soup, has_class("UsernameText"), tag("a", inside(has_class("HeaderText"))))
    if user is not None:
        f["author_handle"] = text_value(user.get_text()).lstrip("@") if text_value(user.get_text()) else None
        link = user if user.name == "a" else user.find_parent("a")
        url = absolute(link.get("href"), base_url) if link is not None else None
        f["author_url"] = f"https://www.instagram.com/{_profile(url)}/" if url and _profile(url) else url
    caption = first(soup, has_class("Caption"))
    if caption is not None:
        caption = first(BeautifulSoup(str(caption), "lxml"), has_class("Caption"))
        for noise in every(caption, has_class("CaptionUsername"), has_class("CaptionComments")):
            noise.decompose()
        f["text"] = text_of(caption)
        f["text_html"] = sanitize_html(caption, base_url or None)
    for img in every(soup, has_class("EmbeddedMediaImage"), tag("img", inside(has_class("EmbeddedMedia")))):
        add_image(reading, absolute(img.get("src"), base_url), post, alt=img.get("alt") or "",
                  width=int_value(img.get("width")), height=int_value(img.get("height")))
    time = soup.find("time", attrs={"datetime": True})
    if time is not None:
        f["published_at"] = time["datetime"]
    return with_fields(reading)


def _code_values(post: Post) -> dict[str, str]:
    """{id}: the shortcode the embed page is addressed by."""
    if post.post_id and re.fullmatch(r"[\w-]+", post.post_id):
        return {"id": post.post_id}
    for value in (post.post_url, post.post_url_original, *(v for v in post.extra.values() if isinstance(v, str))):
        found = _parse(value)
        if found:
            return {"id": found[1]}
    return {}


ENDPOINTS = (
    # Meta's Graph oEmbed is asked only with a token; the embed page is what embed.js shows.
    Endpoint("instagram", OEMBED_ENDPOINT, "https://graph.facebook.com/v22.0/instagram_oembed",
             oembed_reader(find=find, name_is_handle=True), params=(("omitscript", "true"),),
             needs_meta_token=True),
    # cr=1&v=14: what Instagram's embed.js asks for a version-14 embed code
    Endpoint("instagram.embed-page", EMBED_PAGE_ENDPOINT,
             "https://www.instagram.com/p/{id}/embed/captioned/?cr=1&v=14",
             # the embed page says "the link may be broken" for live posts whose embedding is off too
             page_reader(read_embed_soup, status_means={404: PRIVATE})),
)

PROVIDER = ProviderRecord(
    key=KEY, name="Instagram", order=120, find=find, match_url=match_url,
    display=Display("Ig", "#d62976", hashtag_url="https://www.instagram.com/explore/tags/{}/",
                    mention_url="https://www.instagram.com/{}/"),
    hosts=(*HOSTS, "cdninstagram.com"), endpoints=ENDPOINTS, url_values=_code_values)

