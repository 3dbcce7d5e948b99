"""`archiver recheck` against local stand-ins of the platforms (reached through Settings.endpoints,
the same override enrichment uses): the status rules, the checks table, politeness."""
from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from werkzeug import Request, Response

from archiver.recheck import PoliteFetcher, recheck, summary_line
from archiver.fetch import Fetcher
from archiver.model import sha256
from archiver.settings import Settings
from archiver.store.checks import checks_of
from time_archive import TEXT, article, tweet


def oembed(text: str = TEXT, name: str = "Ines Haddad", handle: str = "ihaddad3") -> dict:
    return {"type": "rich", "version": "1.0", "provider_name": "Twitter", "author_name": name,
            "author_url": f"https://twitter.com/{handle}",
            "html": f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{text}</p>&mdash; {name} '
                    f'(@{handle}) <a href="https://twitter.com/{handle}/status/1">April 25, 2024</a></blockquote>\n'}


def endpoints(server) -> dict[str, str]:
    base = f"http://127.0.0.1:{server.port}"
    return {"twitter": base + "/tw/oembed", "twitter.data": base + "/tw/data?id={id}&token={token}",
            "twitter.embed-page": base + "/tw/page?id={id}"}


def settings(server, **kw) -> Settings:
    kw.setdefault("timeout", 2.0)
    kw.setdefault("retry_backoff", 0.05)
    return Settings(endpoints=endpoints(server), meta_token=None, **kw)


def other_endpoints_fail(server) -> None:
    for path in ("/tw/data", "/tw/page"):
        server.expect_request(path).respond_with_data("busy", status=503)


def embed_rows(store) -> list[dict]:
    return [e for sid in store.snapshot_ids() for e in store.embeds(sid)]


def checks(store) -> list[dict]:
    return store._all("select * from checks order by id", [])


# ------------------------------------------------------------------------ status rules
def test_a_post_still_there_is_ok_and_the_answer_is_kept_as_evidence(server, store):
    sid = article(store, embeds=[tweet(1)])
    answer = json.dumps(oembed()).encode()
    server.expect_request("/tw/oembed").respond_with_data(answer, content_type="application/json")
    results = recheck(store, settings(server))
    assert [(r.snapshot_id, r.status, r.previous, r.http_status, r.endpoint) for r in results] == \
        [(sid, "ok", "ok", 200, "twitter")]
    (row,) = checks(store)
    assert row["status"] == "ok" and row["answer_sha256"] == sha256(answer)
    assert store.blob(row["answer_sha256"]) == answer
    (emb,) = embed_rows(store)
    assert emb["status"] == "ok" and emb["checked_at"] == row["checked_at"] != "2024-05-01T10:00:05Z"


def test_a_post_the_platform_says_is_gone_becomes_deleted(server, store):
    article(store, embeds=[tweet(1)])
    server.expect_request("/tw/oembed").respond_with_data("not found", status=404)
    (result,) = recheck(store, settings(server))
    assert result.status == "deleted" and result.http_status == 404 and result.previous == "ok"
    (emb,) = embed_rows(store)
    assert emb["status"] == "deleted" and "404" in emb["status_evidence"]
    assert emb["text"] == TEXT   # what was preserved stays


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_error_answer_never_changes_the_status(server, store, status):
    article(store, embeds=[tweet(1)])
    server.expect_request("/tw/oembed").respond_with_data("trouble", status=status)
    other_endpoints_fail(server)
    (result,) = recheck(store, settings(server, retries=0))
    assert result.status == "error" and result.error
    (emb,) = embed_rows(store)
    assert emb["status"] == "ok" and emb["checked_at"] == "2024-05-01T10:00:05Z"
    (row,) = checks(store)
    assert row["status"] == "error" and row["previous"] == "ok"


def test_no_network_deletes_nothing(store):
    with socket.socket() as s:          # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    article(store, embeds=[tweet(1, status="ok"), tweet(2, status="unavailable", position=1)])
    base = f"http://127.0.0.1:{port}"
    s = Settings(endpoints={"twitter": base + "/o", "twitter.data": base + "/d?id={id}&token={token}",
                            "twitter.embed-page": base + "/p?id={id}"}, timeout=1.0, retries=0)
    results = recheck(store, s)
    assert [r.status for r in results] == ["error", "error"]
    assert "refused" in results[0].error
    assert [e["status"] for e in embed_rows(store)] == ["ok", "unavailable"]


def test_a_post_that_now_says_something_else_is_changed_and_keeps_what_was_preserved(server, store):
    article(store, embeds=[tweet(1)])
    server.expect_request("/tw/oembed").respond_with_json(oembed(text="The council scrapped the night bus pilot"))
    (result,) = recheck(store, settings(server))
    assert result.status == "changed"
    assert result.changed == {"text": {"then": TEXT, "now": "The council scrapped the night bus pilot"}}
    (emb,) = embed_rows(store)
    assert emb["status"] == "changed" and emb["text"] == TEXT
    (row,) = checks(store)
    assert row["changed"] == json.dumps(result.changed, sort_keys=True)


def test_a_different_spacing_or_handle_case_is_no_change(server, store):
    article(store, embeds=[tweet(1)])
    server.expect_request("/tw/oembed").respond_with_json(oembed(text="The council  approved the\nnight bus pilot",
                                                                 handle="IHaddad3"))
    (result,) = recheck(store, settings(server))
    assert result.status == "ok" and not result.changed


def test_a_post_in_several_snapshots_is_asked_once(server, store):
    article(store, embeds=[tweet(1)])
    article(store, url="https://other.example.com/b", embeds=[tweet(1), tweet(2, position=1)])
    server.expect_request("/tw/oembed").respond_with_json(oembed())
    results = recheck(store, settings(server))
    assert len(results) == 3 and {r.status for r in results} == {"ok"}
    assert sum(1 for req, _ in server.log if req.path == "/tw/oembed") == 2
    assert len(checks(store)) == 3
    assert {len(v) for v in checks_of(store, [r.embed_id for r in results]).values()} == {1}


def test_only_the_given_snapshots_and_posts_not_checked_lately(server, store):
    first = article(store, embeds=[tweet(1)])
    second = article(store, url="https://other.example.com/b", embeds=[tweet(2)])
    server.expect_request("/tw/oembed").respond_with_json(oembed())
    assert [r.snapshot_id for r in recheck(store, settings(server), snapshot_ids=[second])] == [second]
    # the second's post was just checked; the first's only at capture (2024)
    later = recheck(store, settings(server), older_than="2025-01-01T00:00:00Z")
    assert [r.snapshot_id for r in later] == [first]
    assert recheck(store, settings(server), older_than="2025-01-01T00:00:00Z") == []


def test_a_check_that_got_no_answer_is_tried_again_by_older_than(server, store):
    article(store, embeds=[tweet(1)])
    server.expect_request("/tw/oembed").respond_with_data("down", status=503)
    other_endpoints_fail(server)
    assert [r.status for r in recheck(store, settings(server, retries=0))] == ["error"]
    assert [r.status for r in recheck(store, settings(server, retries=0), older_than="2025-01-01T00:00:00Z")] == \
        ["error"]


# ------------------------------------------------------------------------ politeness
def test_retry_after_is_honoured(server, store):
    article(store, embeds=[tweet(1)])
    calls = []

    def handler(request: Request) -> Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(json.dumps(oembed()), content_type="application/json")

    server.expect_request("/tw/oembed").respond_with_handler(handler)
    (result,) = recheck(store, settings(server, retries=1))
    assert result.status == "ok" and len(calls) == 2
    assert calls[1] - calls[0] >= 0.9


def test_requests_per_host_are_bounded(server, store):
    article(store, embeds=[tweet(n, position=n) for n in range(8)])
    lock, state = threading.Lock(), {"now": 0, "peak": 0}

    def handler(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return Response(json.dumps(oembed()), content_type="application/json")

    server.expect_request("/tw/oembed").respond_with_handler(handler)
    results = recheck(store, settings(server, concurrency=8), per_host=2)
    assert len(results) == 8 and {r.status for r in results} == {"ok"}
    assert state["peak"] == 2


def test_a_host_that_says_429_is_left_alone_for_its_retry_after(server):
    server.expect_request("/busy").respond_with_data("no", status=429, headers={"Retry-After": "1"})
    server.expect_request("/fine").respond_with_data("yes")
    with Fetcher(Settings(retries=0)) as fetcher:
        polite = PoliteFetcher(fetcher)
        assert polite.get(f"http://127.0.0.1:{server.port}/busy").status == 429
        started = time.monotonic()
        assert polite.get(f"http://127.0.0.1:{server.port}/fine").status == 200
        assert time.monotonic() - started >= 0.9


def test_summary_line():
    from archiver.recheck import CheckResult

    def r(status):
        return CheckResult(1, 1, None, "twitter", status, "ok")

    assert summary_line([r("ok")] * 12 + [r("deleted")] * 3 + [r("unavailable")] + [r("error")] * 2) == \
        "12 ok, 3 deleted, 1 unavailable, 2 errors"
    assert summary_line([]) == "no posts to check"


def test_posts_no_endpoint_can_ask_are_left_alone_and_counted(server, store):
    row = {**tweet(1), "provider": "generic", "kind": "link", "post_url": "https://example.org/a"}
    article(store, embeds=[row, tweet(2, position=1)])
    server.expect_request("/tw/oembed").respond_with_json(oembed())
    results = recheck(store, settings(server))
    assert [r.provider for r in results] == ["twitter"] and results.not_askable == 1
    assert summary_line(results) == "1 ok (1 post with no platform endpoint to ask)"
    assert [e["status"] for e in embed_rows(store)] == ["ok", "ok"] and len(checks(store)) == 1


# ------------------------------------------------------------------------ the command
def test_cli_recheck_json_lines_summary_and_exit_codes(server, store, db_path, cli):
    article(store, embeds=[tweet(1), tweet(2, position=1)])
    server.expect_request("/tw/oembed", query_string={"url": "https://x.com/ihaddad3/status/1783438601745334201",
                                                      "omit_script": "1", "dnt": "true"}
                          ).respond_with_json(oembed())
    server.expect_request("/tw/oembed").respond_with_data("gone", status=404)
    args = ["--db", str(db_path), "recheck", "--json"] + [f"--endpoint={k}={v}" for k, v in endpoints(server).items()]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(x["status"], x["previous"], x["provider"]) for x in lines] == [("ok", "ok", "twitter"),
                                                                           ("deleted", "ok", "twitter")]
    assert set(lines[0]) >= {"embed_id", "snapshot_id", "post_url", "provider", "status", "previous",
                             "http_status", "checked_at", "changed"}
    assert "1 ok, 1 deleted" in result.stderr

    server.clear()
    server.expect_request("/tw/oembed").respond_with_data("down", status=503)
    other_endpoints_fail(server)
    result = cli(*args[:-3], *[f"--endpoint={k}={v}" for k, v in endpoints(server).items()], "--timeout", "1")
    assert result.exit_code == 1 and "2 errors" in result.stderr
    assert [e["status"] for e in embed_rows(store)] == ["ok", "deleted"]


def test_cli_recheck_bad_input(store, db_path, cli):
    assert cli("--db", str(db_path), "recheck", "99").exit_code == 1
    result = cli("--db", str(db_path), "recheck", "--endpoint", "nosuch=http://127.0.0.1:1/")
    assert result.exit_code == 2 and "no endpoint named nosuch" in result.stderr
    assert cli("--db", str(db_path), "recheck", "--older-than", "soon").exit_code == 2


def test_the_evidence_report_lists_every_check_and_verifies_its_answer(server, store):
    from archiver.report import evidence
    sid = article(store, embeds=[tweet(1)])
    answer = json.dumps(oembed()).encode()
    server.expect_request("/tw/oembed").respond_with_data(answer, content_type="application/json")
    recheck(store, settings(server))
    server.clear()
    server.expect_request("/tw/oembed").respond_with_data("not found", status=404)
    recheck(store, settings(server))
    (post,) = evidence(store, sid)["posts"]
    assert [h["status"] for h in post["history"]] == ["ok", "deleted"]
    assert post["history"][0]["answer_sha256"] == sha256(answer)
    assert "HTTP 404" in post["history"][1]["evidence"]
    blobs = evidence(store, sid)["verification"]["blobs"]
    assert any("check" in b["where"] and b["result"] == "ok" for b in blobs), blobs
