"""State the fetchers and the scheduler keep in the archive: HTTP validators, the run ledger."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from .store import from_iso, now_iso, to_iso


def fetch_validators(db: Database, url: str) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified last seen for a URL."""
    row = db.execute("select etag, last_modified from fetch_state where url = ?", [url]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def remember_fetch(
    db: Database, url: str, etag: str | None, last_modified: str | None, sha256: str | None
) -> None:
    """Remember a URL's validators after its content was archived."""
    with db.atomic():
        db.table("fetch_state").upsert(
            {"url": url, "etag": etag, "last_modified": last_modified, "sha256": sha256,
             "fetched_at": now_iso()},
            pk="url",
        )


def run_status(db: Database, schedule: str, occurrence: datetime) -> str | None:
    """The ledger status of one occurrence of a schedule, or None when it never ran."""
    row = db.execute("select status from runs where schedule = ? and occurrence = ?",
                     [schedule, to_iso(occurrence)]).fetchone()
    return str(row[0]) if row else None


def last_run(db: Database, schedule: str) -> datetime | None:
    """The latest occurrence of a schedule that the ledger has seen."""
    row = db.execute("select max(occurrence) from runs where schedule = ?", [schedule]).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def record_run(
    db: Database, schedule: str, occurrence: datetime, status: str,
    error: str | None = None, chat_id: str | None = None,
) -> None:
    """Record the state of one occurrence in the ledger: running, pending, done or failed."""
    finished = None if status == "running" else now_iso()
    with db.atomic():
        db.execute(
            "insert into runs (schedule, occurrence, started_at, finished_at, status, error,"
            " chat_id) values (?, ?, ?, ?, ?, ?, ?) on conflict(schedule, occurrence) do update"
            " set finished_at = excluded.finished_at, status = excluded.status,"
            " error = excluded.error, chat_id = coalesce(excluded.chat_id, runs.chat_id),"
            " started_at = case when excluded.status = 'running' then excluded.started_at"
            " else runs.started_at end",
            [schedule, to_iso(occurrence), now_iso(), finished, status, error, chat_id],
        )
