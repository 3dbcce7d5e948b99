"""Every provider's own cases (tests/cases/<key>/), run by one parametrised test each, and the
contract every provider keeps so that render and enrichment need nothing else."""
from __future__ import annotations

import re
import string

import pytest

from archiver import embeds
from archiver.embeds.base import ENDPOINT_KINDS, FAMILIES, Post, Reply
from archiver.enrich.request import build_url
from provider_cases import CASES, AnswerCase, MarkupCase, answer_cases, markup_cases, squeeze

MARKUP = markup_cases()
ANSWERS = answer_cases()


def _id(case: MarkupCase | AnswerCase) -> str:
    return f"{case.provider}/{case.name}"


def _pick(found: list[embeds.Detected], want: dict) -> embeds.Detected:
    if "post_url" in want:
        hits = [d for d in found if d.post.post_url == want["post_url"]]
    else:
        hits = [d for d in found if d.post.provider == want["provider"] and d.post.kind == want.get("kind", d.post.kind)]
    assert hits, f"no embed with {want.get('post_url') or want}; found {[d.post.post_url for d in found]}"
    return hits[0]


@pytest.mark.parametrize("case", MARKUP, ids=_id)
def test_markup_case(case: MarkupCase):
    found = embeds.detect(case.html, case.base_url)
    if case.count is not None:
        assert len(found) == case.count
    for want in case.expect:
        post = _pick(found, want).post
        for name, value in want.items():
            if name == "media":
                assert [m.url for m in post.media] == value
            else:
                assert squeeze(getattr(post, name)) == squeeze(value), name


@pytest.mark.parametrize("case", ANSWERS, ids=_id)
def test_answer_case(case: AnswerCase):
    endpoint = next(e for p in embeds.providers() for e in p.endpoints if e.key == case.endpoint)
    assert endpoint.provider == case.provider
    post = Post(provider=case.provider, **case.post)
    reply = Reply(url=case.final_url or build_url(endpoint, post) or "https://platform.example/", status=case.status,
                  body=case.body, mime_type=case.content_type.split(";")[0].strip().lower(), error=case.error)
    reading = endpoint.read(reply, post)
    want = case.expect
    assert reading.outcome == want["outcome"], reading.error
    stored = Post(provider=case.provider)          # the form a field is stored in (Post.put cleans names)
    for name, value in reading.fields.items():
        stored.put(name, value, "case")
    for name, value in want.get("fields", {}).items():
        assert squeeze(getattr(stored, name)) == squeeze(value), name
    for name in want.get("absent", []):
        assert name not in reading.fields, name
    if "media" in want:
        assert [m.url for m in reading.media] == want["media"]
    for name, value in want.get("extra", {}).items():
        assert reading.extra.get(name) == value, name


# ------------------------------------------------------------------------------ the contract
PROVIDERS = embeds.providers()


@pytest.mark.parametrize("prov", PROVIDERS, ids=lambda p: p.key)
def test_every_provider_declares_what_render_and_enrich_need(prov):
    assert re.fullmatch(r"[a-z0-9_-]{2,40}", prov.key) and prov.name.strip()
    assert callable(prov.find) and callable(prov.match_url) and isinstance(prov.order, int)
    assert prov.display.label and re.fullmatch(r"#[0-9a-f]{6}", prov.display.color)
    assert prov.display.verb and prov.family in FAMILIES
    for template in (prov.display.hashtag_url, prov.display.mention_url):
        assert template is None or (template.startswith("https://") and template.count("{}") == 1)
    for endpoint in prov.endpoints:
        assert endpoint.provider == prov.key and endpoint.kind in ENDPOINT_KINDS and callable(endpoint.read)
        fields = {f for _, f, _, _ in string.Formatter().parse(endpoint.url) if f}
        assert fields <= {"url", "instance", "id", "token", "did", "rkey"}, endpoint.key
    if prov.order < embeds.SPECIFIC_ORDER and not any("{instance}" in e.url for e in prov.endpoints):
        assert prov.hosts, "a platform says which hosts are its own (fediverse servers are any host)"


@pytest.mark.parametrize("prov", PROVIDERS, ids=lambda p: p.key)
def test_every_provider_has_markup_cases(prov):
    assert any(c.provider == prov.key for c in MARKUP), f"add tests/cases/{prov.key}/<variant>.html"


def test_keys_are_unique_and_cases_name_real_providers():
    keys = [p.key for p in PROVIDERS]
    assert len(keys) == len(set(keys))
    assert {path.name for path in CASES.iterdir() if path.is_dir()} <= set(keys)
    endpoint_keys = [e.key for p in PROVIDERS for e in p.endpoints]
    assert len(endpoint_keys) == len(set(endpoint_keys))


def test_no_provider_key_is_written_out_of_the_embeds_package():
    """Only archiver/embeds/ names providers: anywhere else a key in code is a table in the making.
    (Docstrings and comments may mention platforms.)"""
    import ast
    from pathlib import Path

    package = Path(embeds.__file__).resolve().parent.parent
    keys = {p.key for p in PROVIDERS}
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.parent.name == "embeds" or "embeds" in path.relative_to(package).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in keys and id(node) not in docstrings:
                offenders.append(f"{path.relative_to(package)}:{node.lineno}: {node.value!r}")
    assert offenders == []


# ------------------------------------------------------------------------------ the answer contract
ENDPOINTS = [e for p in PROVIDERS for e in p.endpoints]
TRANSIENT = [(429, b"Too Many Requests", None), (500, b"", None), (502, b"<html>Bad Gateway</html>", None),
             (503, b'{"error": "Service Unavailable"}', None), (None, b"", "timed out"),
             (None, b"", "ConnectionResetError: connection reset by peer")]
EMPTY_200 = [b"", b"{}", b"[]",
             b"<!DOCTYPE html><html><head><title>x</title></head><body><div id=\"app\"></div></body></html>",
             b"<html><body><p>Something went wrong. Please try again later.</p></body></html>"]


def _post_for(endpoint) -> Post:
    case = next((c for c in ANSWERS if c.endpoint == endpoint.key), None)
    return Post(provider=endpoint.provider, **(case.post if case else {}))


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_every_endpoint_has_an_answer_case_that_reads_the_post(endpoint):
    """Every place a platform is asked has at least one real-shaped answer read into fields."""
    assert any(c.endpoint == endpoint.key and c.expect["outcome"] == "ok" and c.expect.get("fields")
               for c in ANSWERS), f"add tests/cases/{endpoint.provider}/<variant>.answer.json for {endpoint.key}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.key)
def test_no_verdict_without_an_explicit_answer(endpoint):
    """429, 5xx, timeouts and network errors say nothing about the post; an empty or unreadable 200
    never says it is gone (only a platform's explicit answer does)."""
    post = _post_for(endpoint)
    url = build_url(endpoint, post) or "https://platform.example/"
    for status, body, error in TRANSIENT:
        reading = endpoint.read(Reply(url=url, status=status, body=body, mime_type="text/html", error=error), post)
        assert reading.outcome == "error" and reading.error, (status, error)
    for body in EMPTY_200:
        for mime in ("application/json", "text/html"):
            reading = endpoint.read(Reply(url=url, status=200, body=body, mime_type=mime), post)
            assert reading.outcome != "gone", (body, mime)


def test_answer_cases_of_live_posts_never_read_as_gone_and_verdicts_say_why():
    for case in ANSWERS:
        endpoint = next(e for e in ENDPOINTS if e.key == case.endpoint)
        post = Post(provider=case.provider, **case.post)
        url = case.final_url or build_url(endpoint, post) or "https://platform.example/"
        reply = Reply(url=url, status=case.status, body=case.body,
                      mime_type=case.content_type.split(";")[0].strip().lower(), error=case.error)
        reading = endpoint.read(reply, post)
        if case.expect["outcome"] != "gone":
            assert reading.outcome != "gone", _id(case)
        if reading.outcome in ("ok", "gone", "private"):
            assert reading.evidence, f"{_id(case)}: a verdict records what in the answer decided it"
