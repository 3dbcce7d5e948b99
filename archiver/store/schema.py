"""The archive's tables, as versioned migrations (sqlite-utils records each one applied in
`_sqlite_migrations`, so opening an archive again migrates nothing), and the columns that hold
JSON or name blobs: the one list every reader and writer of rows uses."""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("archiver")

# Columns holding JSON text, per table: encoded on write, decoded on read (and in bundles' snapshot.json).
JSON_COLUMNS: dict[str, tuple[str, ...]] = {
    "snapshots": ("headers", "metadata", "warnings"),
    "resources": ("headers",),
    "embeds": ("media", "sources", "alternatives", "oembed", "extra"),
    "checks": ("changed",),
}
# JSON columns holding a list (every other JSON column holds an object).
_LIST_COLUMNS = {"media", "warnings"}
# Columns naming a blob by its sha256 (a post's media items name theirs inside `embeds.media`).
BLOB_COLUMNS: dict[str, tuple[str, ...]] = {
    "snapshots": ("page_sha256",),
    "resources": ("sha256",),
    "embeds": ("avatar_sha256", "screenshot_sha256"),
    "checks": ("answer_sha256",),
}
# Tables whose ids the store hands out once only (Store._insert, above the table's mark in
# `id_high_water`): an id someone cited ("#5"), or that a bundle, report or post history names,
# never comes to mean another row, even after `archiver remove`.
ID_TABLES = ("snapshots", "resources", "embeds", "checks", "header_sets")
# Snapshot columns filled from the extracted metadata (Snapshot.meta).
META_COLUMNS = ("canonical_url", "title", "byline", "published_at", "modified_at", "site_name",
                "description", "lang", "text")


def encode_json(value: Any) -> str | None:
    """A JSON column's stored text: None for nothing or an empty object/list, keys sorted."""
    if value is None or value == {} or value == []:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def decode_json(value: str | None) -> Any:
    """A JSON column's value; None when empty or not valid JSON."""
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def decode_row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Decode the row's JSON columns in place (empty ones become {} or []); return the row."""
    for key in JSON_COLUMNS[table]:
        if key in row:
            row[key] = decode_json(row[key]) or ([] if key in _LIST_COLUMNS else {})
    return row


def encode_row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A copy of the row with its JSON columns encoded as the archive stores them."""
    return {k: (encode_json(v) if k in JSON_COLUMNS[table] else v) for k, v in row.items()}


@migrations()
def m001_capture(db: Database) -> None:
    db["snapshots"].create({
        "id": int, "url": str, "final_url": str, "canonical_url": str, "captured_at": str,
        "status_code": int, "content_type": str, "title": str, "byline": str, "published_at": str,
        "modified_at": str, "site_name": str, "description": str, "lang": str, "text": str,
        "page_sha256": str, "headers": str, "metadata": str, "tool_version": str, "error": str,
        "duration_ms": int,
    }, pk="id")
    db["blobs"].create({"sha256": str, "size": int, "content_type": str, "encoding": str, "data": bytes},
                       pk="sha256")
    db["resources"].create({
        "id": int, "snapshot_id": int, "url": str, "final_url": str, "sha256": str, "content_type": str,
        "status_code": int, "kind": str, "size": int, "headers": str, "error": str,
    }, pk="id", foreign_keys=[("snapshot_id", "snapshots", "id"), ("sha256", "blobs", "sha256")])
    db["resources"].create_index(["snapshot_id"])
    db["resources"].create_index(["sha256"])
    db["snapshots"].create_index(["captured_at"])
    db["snapshots"].create_index(["url"])


@migrations()
def m002_embeds(db: Database) -> None:
    db["embeds"].create({
        "id": int, "snapshot_id": int, "position": int, "provider": str, "kind": str,
        "post_url": str, "post_url_original": str, "post_id": str,
        "author_name": str, "author_handle": str, "author_url": str,
        "avatar_url": str, "avatar_sha256": str,
        "published_at": str, "date_text": str, "title": str, "text": str, "text_html": str,
        "media": str,          # JSON list of {url, sha256, type, alt, width, height}
        "sources": str,        # JSON {field: fallback|oembed|embed-page|derived}
        "alternatives": str,   # JSON {field: {source: value}} when sources disagree
        "oembed": str,         # raw oEmbed JSON answer, when there was one
        "markup": str,         # the original embed markup, as it was in the page
        "status": str,         # ok | deleted | unavailable | unchecked
        "checked_at": str, "enrich_error": str, "extra": str,
    }, pk="id", foreign_keys=[("snapshot_id", "snapshots", "id")])
    db["embeds"].create_index(["snapshot_id", "position"], unique=True)
    db["embeds"].create_index(["provider"])
    db["embeds"].create_index(["author_handle"])


@migrations()
def m003_search(db: Database) -> None:
    db["snapshots"].enable_fts(["title", "description", "byline", "text"], create_triggers=True,
                               tokenize="porter")
    db["embeds"].enable_fts(["author_name", "author_handle", "title", "text"], create_triggers=True,
                            tokenize="porter")
    db.create_view("posts_with_articles", """
        select embeds.id as embed_id, embeds.provider, embeds.kind, embeds.author_name, embeds.author_handle,
               embeds.published_at, embeds.text, embeds.post_url, embeds.status,
               snapshots.id as snapshot_id, snapshots.title as article_title, snapshots.url as article_url,
               snapshots.captured_at
        from embeds join snapshots on snapshots.id = embeds.snapshot_id""", replace=True)


@migrations()
def m004_browse_views(db: Database) -> None:
    """Views for Datasette / sqlite-utils users: one row per capture, and one per author."""
    db.create_view("snapshot_summary", """
        select snapshots.id, snapshots.captured_at, snapshots.title, snapshots.url, snapshots.final_url,
               snapshots.site_name, snapshots.byline, snapshots.published_at, snapshots.status_code,
               case when snapshots.error is null then 'ok' else 'failed' end as status, snapshots.error,
               (select count(*) from embeds where embeds.snapshot_id = snapshots.id) as posts,
               (select count(*) from resources where resources.snapshot_id = snapshots.id) as resources,
               (select coalesce(sum(resources.size), 0) from resources
                 where resources.snapshot_id = snapshots.id) as resource_bytes
        from snapshots""", replace=True)
    db.create_view("post_authors", """
        select provider, author_handle, max(author_name) as author_name, count(*) as posts,
               count(distinct snapshot_id) as articles, min(published_at) as first_post,
               max(published_at) as last_post
        from embeds where coalesce(author_handle, author_name) is not null
        group by provider, coalesce(author_handle, author_name)""", replace=True)


@migrations()
def m005_status_evidence(db: Database) -> None:
    """Which platform answer decided each post's status, and what it said."""
    db["embeds"].add_column("status_evidence", str)


@migrations()
def m006_checks(db: Database) -> None:
    """One row per post per re-check (`archiver recheck`): what the platform said, and the answer's
    bytes kept as a blob (evidence); a view of each post's status history for Datasette."""
    db["checks"].create({
        "id": int, "embed_id": int, "snapshot_id": int, "provider": str, "post_url": str,
        "checked_at": str,
        "status": str,          # ok | deleted | unavailable | changed | error
        "previous": str,        # embeds.status before this check
        "http_status": int, "endpoint": str,
        "answer_sha256": str,   # the answer's bytes, a blob
        "changed": str,         # JSON {field: {then, now}}
        "error": str,
    }, pk="id", foreign_keys=[("embed_id", "embeds", "id"), ("snapshot_id", "snapshots", "id"),
                              ("answer_sha256", "blobs", "sha256")])
    db["checks"].create_index(["embed_id", "checked_at"])
    db["checks"].create_index(["checked_at"])
    db.create_view("post_status_history", """
        select checks.embed_id, checks.post_url, checks.provider, checks.checked_at, checks.status,
               checks.previous, checks.http_status, checks.endpoint, checks.changed, checks.error,
               snapshots.id as snapshot_id, snapshots.title as article_title, snapshots.url as article_url,
               snapshots.captured_at
        from checks join snapshots on snapshots.id = checks.snapshot_id
        order by checks.post_url, checks.checked_at""", replace=True)


@migrations()
def m008_browser_evidence(db: Database) -> None:
    """Browser captures: how each snapshot was captured, the warnings it carries (an app shell
    seen by static capture, a page that never settled), and each post's screenshot as drawn by
    its platform."""
    db["snapshots"].add_column("capture_mode", str)
    db["snapshots"].add_column("warnings", str)
    db["embeds"].add_column("screenshot_sha256", str)


@migrations()
def m009_import_source(db: Database) -> None:
    """Where an imported snapshot came from (a WARC record's id), so importing twice adds nothing."""
    db["snapshots"].add_column("import_source", str)
    db["snapshots"].create_index(["import_source"])


@migrations()
def m010_blob_foreign_keys(db: Database) -> None:
    """Foreign keys from every column that names a blob to `blobs(sha256)` (resources.sha256 and
    checks.answer_sha256 have had theirs from the start), so that SQLite refuses a row naming a
    blob that is not stored and Datasette links each hash to its blob.

    SQLite adds a foreign key only by rebuilding the table (sqlite-utils `transform`), which drops
    the table's triggers: the full-text triggers of m003 are taken from sqlite_master and made
    again. Views name tables, not their rows, and are left as they are. The Store runs migrations
    with `foreign_keys` off, as SQLite's procedure for rebuilding a table asks: a reference already
    dangling in an old archive is left for `archiver verify` to report, not made a reason the
    archive cannot be opened."""
    for table in ("snapshots", "embeds"):
        have = {fk.column for fk in db[table].foreign_keys}
        wanted = [(column, "blobs", "sha256") for column in BLOB_COLUMNS[table] if column not in have]
        if not wanted:
            continue
        triggers = [sql for (sql,) in db.execute(
            "select sql from sqlite_master where type = 'trigger' and tbl_name = ? order by name", [table])]
        db[table].transform(add_foreign_keys=wanted)
        for sql in triggers:
            db.execute(sql)


@migrations()
def m011_compact_storage(db: Database) -> None:
    """Bytes kept once (archiver/store/compact.py): response headers that repeat live in
    `header_sets` (a resource keeps the merge patch from its set), and a post's raw oEmbed answer
    may be named by the blob that holds it (`embeds.oembed_sha256`). Rows written before stay
    whole; the view `resource_headers` gives every resource's full headers."""
    db.execute("create table header_sets (id integer primary key, headers text not null)")
    db.execute("create unique index idx_header_sets_headers on header_sets (headers)")
    db.execute("alter table resources add column header_set integer references header_sets(id)")
    db.execute("alter table embeds add column oembed_sha256 text references blobs(sha256)")
    db.create_view("resource_headers", """
        select resources.id, resources.snapshot_id, resources.url, resources.status_code,
               case when header_sets.headers is null then resources.headers
                    else json_patch(header_sets.headers, coalesce(resources.headers, '{}')) end as headers
        from resources left join header_sets on header_sets.id = resources.header_set""", replace=True)


@migrations()
def m012_id_high_water(db: Database) -> None:
    """The highest id each of the ID_TABLES (but header_sets, m013) has handed out. SQLite gives a new row max(id) + 1, so
    removing the newest snapshot would give its id to the next capture; the store assigns ids
    above this mark instead and raises it, and removing rows leaves it (no table is rebuilt).
    An archive made before this starts from its current largest ids."""
    db["id_high_water"].create({"table_name": str, "last_id": int}, pk="table_name", not_null={"last_id"})
    for table in ("snapshots", "resources", "embeds", "checks"):   # header_sets: m013
        db.execute(f"insert into id_high_water (table_name, last_id) "
                   f"values (?, (select coalesce(max(id), 0) from [{table}]))", [table])


@migrations()
def m013_header_set_ids(db: Database) -> None:
    """Header sets' ids are never given twice either (id_high_water): a process that remembers a
    set it wrote must not find, under that id, another set written after a removal."""
    db.execute("insert or ignore into id_high_water (table_name, last_id) "
               "values ('header_sets', (select coalesce(max(id), 0) from header_sets))")


@migrations()
def m014_reference_indexes(db: Database) -> None:
    """An index on every column that names a blob, a header set or a snapshot without one: removing
    a row SQLite must check no other row names (the foreign keys of m010 and m011) was a scan of
    the whole table for each (removing 20 of 3,000 snapshots: 0.46 s, now 0.04 s). Partial where
    most rows name nothing, so they cost next to no space."""
    for table, column in (("resources", "header_set"), ("snapshots", "page_sha256"), ("embeds", "avatar_sha256"),
                          ("embeds", "screenshot_sha256"), ("embeds", "oembed_sha256"),
                          ("checks", "answer_sha256"), ("checks", "snapshot_id")):
        db.execute(f"create index if not exists idx_{table}_{column} on [{table}] ([{column}]) "
                   f"where [{column}] is not null")
