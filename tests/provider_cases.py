"""Provider test cases kept as data: tests/cases/<provider key>/<variant>.<kind>.

* `<variant>.html`: a markup snippet, headed by `<!--case {json} -->` with `expect`, a list of the
  posts it must yield (each matched by `post_url`, or by provider and kind when it has none) and
  the fields each must carry; optional `base_url` and `count` (how many embeds in all).
* `<variant>.answer.json`: one answer of a platform endpoint: `endpoint` (its key), `status`,
  `content_type`, `body` (a JSON value, or a string) or `body_file` (beside the case), the `post`
  asked about, and `expect`: `outcome`, `fields` (values the reading must hold), `absent` (fields it
  must not hold), `media` (URLs, in order), `extra` (Post.extra values); optional `final_url` (where
  the request ended after redirects, e.g. a login page) and `error` (the fetcher's one-line error).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "cases"
DEFAULT_BASE = "https://news.example/2024/05/story.html"
_HEADER = re.compile(r"\A\s*<!--case\s*(\{.*?\})\s*-->", re.S)


@dataclass
class MarkupCase:
    provider: str
    name: str
    html: str
    base_url: str
    expect: list[dict[str, Any]]
    count: int | None


@dataclass
class AnswerCase:
    provider: str
    name: str
    endpoint: str
    status: int | None
    content_type: str
    body: bytes
    post: dict[str, Any]
    expect: dict[str, Any]
    error: str | None = None
    final_url: str | None = None


def markup_cases() -> list[MarkupCase]:
    out = []
    for path in sorted(CASES.glob("*/*.html")):
        if path.name.endswith(".body.html"):
            continue
        text = path.read_text(encoding="utf-8")
        m = _HEADER.match(text)
        if m is None:
            raise ValueError(f"{path}: a case starts with <!--case {{...}} -->")
        meta = json.loads(m.group(1))
        out.append(MarkupCase(path.parent.name, path.stem, text[m.end():], meta.get("base_url", DEFAULT_BASE),
                              meta["expect"], meta.get("count")))
    return out


def answer_cases() -> list[AnswerCase]:
    out = []
    for path in sorted(CASES.glob("*/*.answer.json")):
        meta = json.loads(path.read_text(encoding="utf-8"))
        if "body_file" in meta:
            body = (path.parent / meta["body_file"]).read_bytes()
        elif isinstance(meta.get("body"), str):
            body = meta["body"].encode("utf-8")
        else:
            body = json.dumps(meta.get("body"), ensure_ascii=False).encode("utf-8")
        out.append(AnswerCase(path.parent.name, path.name[: -len(".answer.json")], meta["endpoint"],
                              meta.get("status", 200), meta.get("content_type", "application/json"), body,
                              meta.get("post", {}), meta["expect"], meta.get("error"),
                              meta.get("final_url")))
    return out


def squeeze(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value
