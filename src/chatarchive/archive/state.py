"""State the fetchers and the scheduler keep in the archive: HTTP validators, the run ledger.

The ledger (``runs``) has one row per schedule occurrence. A 'running' row is a lease: it names
the host and pid that hold it and a heartbeat the holder refreshes. Another process may take it
over only when the holder is gone (its pid no longer exists on this host) or its heartbeat is
older than a timeout, so no occurrence is processed twice at the same time, even by two
``chatarchive run`` processes on one archive, and a run cut short by ``kill -9`` is re-run.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .store import from_iso, now_iso, open_archive, to_iso, writing

log = logging.getLogger(__name__)

# Statuses a ledger row can have; only 'done' is final.
RUNNING, PENDING, DONE, FAILED = "running", "pending", "done", "failed"


@dataclass(frozen=True, slots=True)
class RunOwner:
    """The process that holds (or held) a ledger row."""

    host: str
    pid: int


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of trying to take an occurrence's lease; ``note`` says why, for the log."""

    granted: bool
    note: str = ""


def current_owner() -> RunOwner:
    """This process, as the owner of the ledger rows it runs."""
    return RunOwner(host=socket.gethostname(), pid=os.getpid())


def fetch_validators(db: Database, url: str) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified last seen for a URL."""
    row = db.execute("select etag, last_modified from fetch_state where url = ?", [url]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def remember_fetch(
    db: Database, url: str, etag: str | None, last_modified: str | None, sha256: str | None
) -> None:
    """Remember a URL's validators after its content was archived."""
    with writing(db):
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


def run_row(db: Database, schedule: str, occurrence: datetime) -> dict[str, Any] | None:
    """The whole ledger row of one occurrence, or None when it never ran."""
    rows = list(db.table("runs").rows_where("schedule = ? and occurrence = ?",
                                            [schedule, to_iso(occurrence)]))
    return rows[0] if rows else None


def last_run(db: Database, schedule: str) -> datetime | None:
    """The latest occurrence of a schedule that the ledger has seen."""
    row = db.execute("select max(occurrence) from runs where schedule = ?", [schedule]).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def first_run(db: Database, schedule: str) -> datetime | None:
    """The earliest occurrence of a schedule that the ledger has seen."""
    row = db.execute("select min(occurrence) from runs where schedule = ?", [schedule]).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def earliest_unsettled(db: Database, schedule: str, max_attempts: int) -> datetime | None:
    """The earliest occurrence still to (re)run: running, pending, or failed fewer times."""
    row = db.execute(
        "select min(occurrence) from runs where schedule = ? and (status in (?, ?)"
        " or (status = ? and coalesce(attempts, 1) < ?))",
        [schedule, RUNNING, PENDING, FAILED, max_attempts],
    ).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def failed_runs(db: Database, owner: RunOwner, since: datetime) -> list[dict[str, Any]]:
    """The occurrences this owner recorded as failed since a moment, oldest first."""
    return list(db.table("runs").rows_where(
        "status = ? and host is ? and pid is ? and finished_at >= ?",
        [FAILED, owner.host, owner.pid, to_iso(since)], order_by="occurrence"))


def record_run(
    db: Database, schedule: str, occurrence: datetime, status: str,
    error: str | None = None, chat_id: str | None = None, owner: RunOwner | None = None,
) -> bool:
    """Record the state of one occurrence: running, pending, done or failed.

    With ``owner``, only a row that owner holds is changed (a lease taken over by another
    process stays theirs); returns whether the row was written.
    """
    finished = None if status == RUNNING else now_iso()
    guard = " where runs.host is ? and runs.pid is ?" if owner else ""
    params: list[Any] = [schedule, to_iso(occurrence), now_iso(), finished, status, error,
                         chat_id]
    with writing(db):
        cursor = db.execute(
            "insert into runs (schedule, occurrence, started_at, finished_at, status, error,"
            " chat_id) values (?, ?, ?, ?, ?, ?, ?) on conflict(schedule, occurrence) do update"
            " set finished_at = excluded.finished_at, status = excluded.status,"
            " error = excluded.error, chat_id = coalesce(excluded.chat_id, runs.chat_id),"
            " started_at = case when excluded.status = 'running' then excluded.started_at"
            " else runs.started_at end" + guard,
            params + ([owner.host, owner.pid] if owner else []),
        )
    return cursor.rowcount > 0


def claim_run(
    db: Database, schedule: str, occurrence: datetime, owner: RunOwner, stale_after: timedelta,
) -> Claim:
    """Take the lease of one occurrence, unless it is done or held by a live, beating process."""
    db.execute("BEGIN IMMEDIATE")  # the write lock first, so two processes cannot both claim
    try:
        claim = _assess(db, schedule, occurrence, stale_after)
        if not claim.granted:
            db.execute("ROLLBACK")
            return claim
        now = now_iso()
        db.execute(
            "insert into runs (schedule, occurrence, started_at, heartbeat_at, status, host, pid,"
            " attempts) values (?, ?, ?, ?, ?, ?, ?, 1) on conflict(schedule, occurrence) do"
            " update set started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at,"
            " finished_at = null, status = excluded.status, error = null, host = excluded.host,"
            " pid = excluded.pid, attempts = coalesce(runs.attempts, 1) + 1",
            [schedule, to_iso(occurrence), now, now, RUNNING, owner.host, owner.pid],
        )
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    return claim


def _assess(db: Database, schedule: str, occurrence: datetime, stale_after: timedelta) -> Claim:
    """Whether the lease may be taken, with a note when it is refused or taken over."""
    row = run_row(db, schedule, occurrence)
    if row is None or row["status"] not in (DONE, RUNNING):
        return Claim(True)
    if row["status"] == DONE:
        return Claim(False, "already done")
    holder = f"process {row.get('pid')} on {row.get('host')}"
    beat_text = row.get("heartbeat_at") or row.get("started_at")
    age = datetime.now(UTC) - from_iso(beat_text) if beat_text else None
    if age is None or age > stale_after:
        seconds = "no" if age is None else f"a {age.total_seconds():.0f} s old"
        return Claim(True, f"took over from {holder}, which has {seconds} heartbeat")
    if not owner_alive(row.get("host"), row.get("pid")):
        return Claim(True, f"took over from {holder}, which is gone")
    return Claim(False, f"running in {holder} (heartbeat {age.total_seconds():.0f} s ago)")


def heartbeat_run(db: Database, schedule: str, occurrence: datetime, owner: RunOwner) -> bool:
    """Refresh the heartbeat of a lease this owner holds; False when it holds it no more."""
    with writing(db):
        cursor = db.execute(
            "update runs set heartbeat_at = ? where schedule = ? and occurrence = ?"
            " and status = ? and host is ? and pid is ?",
            [now_iso(), schedule, to_iso(occurrence), RUNNING, owner.host, owner.pid],
        )
    return cursor.rowcount > 0


@contextmanager
def keep_alive(
    db: Database, schedule: str, occurrence: datetime, owner: RunOwner, every: float
) -> Iterator[None]:
    """Refresh a held lease's heartbeat every ``every`` seconds from a thread, while in the block.

    The thread has its own connection (opened at the first beat), as SQLite connections stay
    in the thread that made them. An archive in memory has no other process to tell.
    """
    path = archive_file(db)
    if path is None or every <= 0:
        yield
        return
    done = threading.Event()
    thread = threading.Thread(target=_beat, args=(path, schedule, occurrence, owner, every, done),
                              name=f"heartbeat {schedule}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def _beat(path: Path, schedule: str, occurrence: datetime, owner: RunOwner, every: float,
          done: threading.Event) -> None:
    beat_db: Database | None = None
    try:
        while not done.wait(every):
            try:
                beat_db = beat_db or open_archive(path)
                if not heartbeat_run(beat_db, schedule, occurrence, owner):
                    log.warning("%s: the lease of %s was taken over", schedule, to_iso(occurrence))
                    return
            except Exception as error:  # a missed beat is survivable; the next one may work
                log.warning("%s: could not refresh the lease's heartbeat: %s", schedule, error)
    finally:
        if beat_db is not None:
            beat_db.close()


def owner_alive(host: str | None, pid: int | None) -> bool:
    """Whether the process holding a lease still runs (a process on another host is assumed to)."""
    if host is None or pid is None:
        return False
    if host != socket.gethostname():
        return True  # no way to look; its heartbeat decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    # A killed child its parent has not reaped yet still answers kill(pid, 0).
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def archive_file(db: Database) -> Path | None:
    """The file of an archive opened from a path; None for an in-memory one."""
    for row in db.execute("pragma database_list").fetchall():
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None
