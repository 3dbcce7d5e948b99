"""`archiver serve`: a local, read-only web UI over one archive file.

    app = create_app("archive.db")      # a Flask app; `app.run()` or any WSGI server

Every byte served comes out of the SQLite file, opened read-only (`mode=ro`): there is no route
that maps a URL to a path on disk, so no URL can read a file outside the archive. Ids are integers,
asset names are `<sha256>[.ext]`, and an asset is served for a snapshot only when that snapshot
refers to it. Pages from the archive never run script: the offline render carries its own
Content-Security-Policy (sent as a header too), assets are served sandboxed, and the original
HTML is only ever shown as text.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, g, redirect, request, url_for
from markupsafe import Markup

from . import __version__, browse, history
from .extract.charset import charset_of
from .extract.html import decode_html
from .store import Store
from .templating import environment, templates_dir

PAGE_SIZE = 50
POST_STATUSES = ("ok", "changed", "deleted", "unavailable", "unchecked")
GONE_STATUSES = ("deleted", "unavailable", "changed")
POSTS_PAGE_SIZE = 48
_ASSET_NAME = re.compile(r"(?P<sha>[0-9a-f]{64})(?:\.[a-z0-9]{1,8})?")

# The UI itself needs no script at all, and may only load its own stylesheet and the archive's images.
UI_CSP = ("default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
          "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
# Archived bytes served as files: nothing inside may run or load anything but other assets.
ASSET_CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
             "font-src 'self' data:; media-src 'self' data:; sandbox")
# Types a browser would execute or parse as a document if navigated to: sent as plain text instead.
_ACTIVE_TYPES = ("text/html", "application/xhtml", "application/xml", "text/xml", "text/javascript",
                 "application/javascript", "application/x-javascript", "application/ecmascript")


def create_app(db_path: str | Path) -> Flask:
    """The web UI over the archive at `db_path` (which must exist and be up to date)."""
    path = Path(db_path)
    if not path.is_file():
        raise FileNotFoundError(f"no archive at {db_path}")
    app = Flask(__name__, static_folder=None, template_folder=None)
    app.config["ARCHIVE_PATH"] = str(path)

    def store() -> Store:
        if "store" not in g:
            g.store = Store(app.config["ARCHIVE_PATH"], read_only=True)
        return g.store

    @app.teardown_appcontext
    def close_store(_exc: BaseException | None) -> None:
        st = g.pop("store", None)
        if st is not None:
            st.close()

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", UI_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> tuple[str, int]:
        return page("browse/error.html", code=404, message="Nothing here: no such page in this archive."), 404

    # ------------------------------------------------------------------ pages
    @app.get("/")
    def index() -> str:
        st = store()
        q = request.args.get("q", "").strip()
        domain = request.args.get("domain", "").strip() or None
        provider = request.args.get("provider", "").strip() or None
        failed = request.args.get("failed") in ("1", "on", "true", "yes")
        page_no = _page_number()
        hits = browse.search(st, q, limit=PAGE_SIZE) if q else []
        rows = [] if q else browse.list_snapshots(st, domain=domain, provider=provider, failed=failed,
                                                  limit=PAGE_SIZE + 1, offset=(page_no - 1) * PAGE_SIZE)
        return page("browse/index.html", q=q, hits=hits, rows=rows[:PAGE_SIZE],
                    domain=domain, provider=provider, failed=failed, page_no=page_no,
                    has_next=len(rows) > PAGE_SIZE, total=browse.count_snapshots(st),
                    domains=browse.domain_facets(st), providers=browse.provider_facets(st))

    @app.get("/snapshots/<int:snapshot_id>/info")
    def info(snapshot_id: int) -> str:
        st = store()
        snap = st.snapshot(snapshot_id) or abort(404)
        resources = st.resources(snapshot_id)
        embeds = st.embeds(snapshot_id)
        page_info = st.blob_info(snap["page_sha256"]) if snap.get("page_sha256") else None
        checks = history.post_checks(st, [e["id"] for e in embeds])
        gone = [e for e in embeds if e.get("status") in GONE_STATUSES and (e.get("checked_at") or "") > snap["captured_at"]]
        return page("browse/info.html", snap=snap, resources=resources, embeds=embeds, page_info=page_info,
                    checks=checks, gone=gone, captures=history.capture_count(st, snap["url"]),
                    total_bytes=sum(r["size"] or 0 for r in resources),
                    export_url=url_for("bundle", snapshot_id=snapshot_id))

    @app.get("/snapshots/<int:snapshot_id>/source")
    def source(snapshot_id: int) -> str:
        snap = store().snapshot(snapshot_id) or abort(404)
        text = _page_text(store(), snap)
        if text is None:
            abort(404)
        return page("browse/source.html", snap=snap, text=text, lines=text.count("\n") + 1)

    @app.get("/snapshots/<int:snapshot_id>/source.txt")
    def source_txt(snapshot_id: int) -> Response:
        snap = store().snapshot(snapshot_id) or abort(404)
        text = _page_text(store(), snap)
        if text is None:
            abort(404)
        resp = Response(text, mimetype="text/plain")
        resp.headers["Content-Security-Policy"] = ASSET_CSP
        return resp

    @app.get("/snapshots/<int:snapshot_id>")
    def snapshot_page(snapshot_id: int) -> Response:
        st = store()
        snap = st.snapshot(snapshot_id) or abort(404)
        if not snap.get("page_sha256"):
            return redirect(url_for("info", snapshot_id=snapshot_id))
        rendered = _render(st, snapshot_id)
        resp = Response(rendered.html, mimetype="text/html")
        resp.headers["Content-Security-Policy"] = _page_csp()
        return resp

    @app.get("/snapshots/<int:snapshot_id>/assets/<name>")
    def asset(snapshot_id: int, name: str) -> Response:
        match = _ASSET_NAME.fullmatch(name)
        if not match:
            abort(404)
        st = store()
        content_type = st.snapshot_blob_type(snapshot_id, match["sha"])
        data = st.blob(match["sha"]) if content_type is not None else None
        if data is None:
            abort(404)
        resp = Response(data, mimetype=None, content_type=_safe_type(content_type))
        resp.headers["Content-Security-Policy"] = ASSET_CSP
        resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"
        return resp

    @app.get("/snapshots/<int:snapshot_id>/bundle.zip")
    def bundle(snapshot_id: int) -> Response:
        st = store()
        if st.snapshot(snapshot_id) is None:
            abort(404)
        data = _export_bundle(st, snapshot_id)
        resp = Response(data, mimetype="application/zip")
        resp.headers["Content-Disposition"] = f'attachment; filename="snapshot-{snapshot_id}.zip"'
        return resp

    @app.get("/posts")
    def posts() -> str:
        st = store()
        provider = request.args.get("provider", "").strip() or None
        author = request.args.get("author", "").strip() or None
        status = request.args.get("status", "").strip() or None
        page_no = _page_number()
        entries = browse.list_posts(st, provider=provider, author=author, status=status, limit=POSTS_PAGE_SIZE + 1,
                                    offset=(page_no - 1) * POSTS_PAGE_SIZE)
        seen = history.last_seen(st, [e.embed["id"] for e in entries[:POSTS_PAGE_SIZE]])
        for e in entries:
            e.embed["last_seen_at"] = seen.get(e.embed["id"])
        cards = [(e, _card(e)) for e in entries[:POSTS_PAGE_SIZE]]
        return page("browse/posts.html", cards=cards, provider=provider, author=author, status=status,
                    statuses=POST_STATUSES, page_no=page_no,
                    has_next=len(entries) > POSTS_PAGE_SIZE, providers=browse.provider_facets(st),
                    authors=browse.author_facets(st, provider=provider), card_css=_card_css())

    @app.get("/history")
    def history_page() -> str:
        url = request.args.get("url", "").strip()
        entries = history.history(store(), url) if url else []
        return page("browse/history.html", url=url, entries=entries)

    @app.get("/snapshots/<int:a>/diff/<int:b>")
    def diff_page(a: int, b: int) -> str:
        from .diff import NoSuchSnapshot, diff_snapshots
        st = store()
        try:
            d = diff_snapshots(st, a, b)
        except NoSuchSnapshot:
            abort(404)
        return page("browse/diff.html", d=d, snap_a=st.snapshot(a), snap_b=st.snapshot(b))

    @app.get("/static/browse.css")
    def stylesheet() -> Response:
        css = (templates_dir() / "browse" / "browse.css").read_text(encoding="utf-8")
        return Response(css, mimetype="text/css")

    def page(template: str, **context: Any) -> str:
        env = environment()
        return env.get_template(template).render(
            version=__version__, archive_name=Path(app.config["ARCHIVE_PATH"]).name,
            url_for=url_for, page_link=_page_link, request=request, **context)

    return app


# ---------------------------------------------------------------------------- helpers
def _page_number() -> int:
    try:
        page_no = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1
    if page_no > MAX_PAGE:
        abort(404)   # far past any page there is (and past what SQLite's OFFSET can hold)
    return page_no


MAX_PAGE = 10**9


def _page_link(page_no: int) -> str:
    args = {k: v for k, v in request.args.items() if k != "page"}
    if page_no > 1:
        args["page"] = str(page_no)
    return request.path + ("?" + urlencode(args) if args else "")


def _safe_type(content_type: str | None) -> str:
    media = (content_type or "application/octet-stream").split(";")[0].strip().lower()
    if not re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", media):
        return "application/octet-stream"
    if media.startswith(_ACTIVE_TYPES):
        return "text/plain; charset=utf-8"
    return content_type if media.startswith("text/") else media


def _page_text(st: Store, snap: dict) -> str | None:
    if not snap.get("page_sha256"):
        return None
    body = st.blob(snap["page_sha256"])
    if body is None:
        return None
    return decode_html(body, charset_of(snap.get("content_type"), snap.get("headers")))[0]   # the capture's rule


def _render(st: Store, snapshot_id: int) -> Any:
    from .render import RenderError, render_snapshot
    try:
        return render_snapshot(st, snapshot_id, asset_prefix=f"/snapshots/{snapshot_id}/assets/")
    except RenderError:
        abort(404)


def _page_csp() -> str:
    """The policy the rendered page carries in its <meta> tag, sent as a header too."""
    from .render import CSP
    return CSP


def _card(entry: browse.PostEntry) -> Markup:
    from .render import render_card
    snapshot_id = entry.snapshot_id

    def asset_url(sha: str | None) -> str | None:
        return f"/snapshots/{snapshot_id}/assets/{sha}" if sha else None

    return render_card(entry.embed, asset_url=asset_url, preserved_at=entry.captured_at)


def _card_css() -> Markup:
    from .render.page import card_css
    return Markup(card_css())


def _export_bundle(st: Store, snapshot_id: int) -> bytes:
    """The snapshot as a zip bundle (`archiver export` format), built in a temporary file."""
    import tempfile

    from .bundle.formats import ExportError
    from .bundle.zipexport import export_zip
    with tempfile.TemporaryDirectory(prefix="archiver-serve-") as tmp:
        target = Path(tmp) / "bundle.zip"
        try:
            export_zip(st, [snapshot_id], target)
        except ExportError:
            abort(404)
        return target.read_bytes()
