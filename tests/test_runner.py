"""The per-schedule work on real SQLite files: catch-up, leases in the ledger, each source kind."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chatarchive import archive, runner, sources
from chatarchive.archive import state
from chatarchive.models import ChatSchedule
from chatarchive.schedules import load_schedule

from .conftest import FIXTURES, Route, Server

TWARC2 = FIXTURES / "solopr" / "solopr-2026-03-04.twarc2.jsonl"
TWARC1 = FIXTURES / "solopr" / "solopr-2026-03-04.jsonl"
CHAT = datetime(2026, 3, 4, 18, tzinfo=UTC)  # 13:00 in New York
AFTER = datetime(2026, 3, 5, tzinfo=UTC)  # the look-back window has closed
DURING_LOOKBACK = CHAT + timedelta(minutes=90)
RECAP = "solopr/solopr-2026-03-04.md"


def make_schedule(folder: Path, source: str, cron: str = "0 13 4 3 *",
                  since: str | None = "2026-03-04", name: str = "solopr") -> ChatSchedule:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.toml"
    path.write_text(
        'hashtag = "solopr"\ntimezone = "America/New_York"\n'
        f'cron = "{cron}"\nduration = "60m"\nlookback = "2h"\n'
        + (f"since = {since}\n" if since else "") + f"\n[source]\n{source}\n",
        encoding="utf-8")
    return load_schedule(path)


def rows(db: archive.Archive, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in db.execute(sql, params or []).fetchall()]


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.fixture
def db(tmp_path: Path) -> archive.Archive:
    return archive.open_archive(tmp_path / "archive.db")


@pytest.fixture
def path_schedule(tmp_path: Path) -> ChatSchedule:
    return make_schedule(tmp_path / "schedules", f'path = "{TWARC2}"')


def test_run_writes_the_recap_once_and_marks_the_occurrence_done(
    db: archive.Archive, path_schedule: ChatSchedule, tmp_path: Path
) -> None:
    recaps = tmp_path / "recaps"
    assert runner.run_schedule(db, path_schedule, recaps, AFTER) == [recaps / RECAP]
    assert (recaps / RECAP).read_text(encoding="utf-8").startswith("---\n")
    assert rows(db, "select schedule, occurrence, status, error, chat_id, attempts, pid, host"
                    " from runs") == [
        ("solopr", "2026-03-04T18:00:00.000Z", "done", None, "solopr-2026-03-04", 1,
         os.getpid(), socket.gethostname())]
    assert rows(db, "select count(*) from messages") == [(202,)]
    assert rows(db, "select status from imports") == [("done",)]
    # Nothing is due any more: no fetch, no new recap version.
    assert runner.run_schedule(db, path_schedule, recaps, AFTER + timedelta(days=1)) == []
    assert rows(db, "select count(*), max(version) from recaps") == [(1, 1)]


def test_an_occurrence_stays_pending_through_its_lookback(
    db: archive.Archive, path_schedule: ChatSchedule, tmp_path: Path
) -> None:
    recaps = tmp_path / "recaps"
    assert runner.run_schedule(db, path_schedule, recaps, DURING_LOOKBACK) == [recaps / RECAP]
    assert state.run_status(db, "solopr", CHAT) == "pending"
    # The last firing finds nothing new: the recap is unchanged, the occurrence final.
    assert runner.run_schedule(db, path_schedule, recaps, AFTER) == []
    assert rows(db, "select status, attempts from runs") == [("done", 2)]
    assert rows(db, "select count(*) from recaps") == [(1,)]


def test_catch_up_covers_every_occurrence_missed_while_down(
    db: archive.Archive, tmp_path: Path
) -> None:
    weekly = make_schedule(tmp_path, f'path = "{TWARC2}"', cron="0 13 * * wed")
    now = datetime(2026, 3, 26, tzinfo=UTC)
    wednesdays = [datetime(2026, 3, day, 17, tzinfo=UTC) for day in (11, 18, 25)]
    assert runner.due_occurrences(db, weekly, now) == [CHAT, *wednesdays]
    for occurrence in (CHAT, wednesdays[0]):
        state.record_run(db, "solopr", occurrence, "done")
    assert runner.due_occurrences(db, weekly, now) == wednesdays[1:]
    # Without 'since', a new schedule starts at its latest chat that has ended.
    fresh = make_schedule(tmp_path / "fresh", f'path = "{TWARC2}"', cron="0 13 * * wed",
                          since=None, name="other")
    assert runner.due_occurrences(db, fresh, now) == [wednesdays[2]]


def test_a_failed_occurrence_is_retried_until_max_attempts(
    db: archive.Archive, path_schedule: ChatSchedule
) -> None:
    state.record_run(db, "solopr", CHAT, "failed", "the server answered 500")
    db.execute("update runs set attempts = ?", [runner.MAX_ATTEMPTS - 1])
    db.conn.commit()
    assert runner.due_occurrences(db, path_schedule, AFTER) == [CHAT]
    db.execute("update runs set attempts = ?", [runner.MAX_ATTEMPTS])
    db.conn.commit()
    assert runner.due_occurrences(db, path_schedule, AFTER) == []


def test_a_lease_held_by_a_live_process_is_left_alone(
    db: archive.Archive, path_schedule: ChatSchedule, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    holder = state.RunOwner(socket.gethostname(), os.getpid())
    assert state.claim_run(db, "solopr", CHAT, holder, runner.LEASE_STALE).granted
    with caplog.at_level(logging.INFO, logger="chatarchive.runner"):
        assert runner.run_schedule(db, path_schedule, tmp_path / "recaps", AFTER) == []
    assert f"skipped, running in process {os.getpid()} on {socket.gethostname()}" in caplog.text
    assert rows(db, "select status, attempts from runs") == [("running", 1)]
    assert rows(db, "select count(*) from messages") == [(0,)]


def test_a_lease_of_a_dead_process_is_taken_over_and_completed(
    db: archive.Archive, path_schedule: ChatSchedule, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pid = dead_pid()
    gone = state.RunOwner(socket.gethostname(), pid)
    assert state.claim_run(db, "solopr", CHAT, gone, runner.LEASE_STALE).granted
    recaps = tmp_path / "recaps"
    assert runner.run_schedule(db, path_schedule, recaps, AFTER) == [recaps / RECAP]
    assert f"took over from process {pid} on {socket.gethostname()}, which is gone" \
        in caplog.text
    assert rows(db, "select status, attempts, pid from runs") == [("done", 2, os.getpid())]


def test_a_lease_with_a_stale_heartbeat_is_taken_over(
    db: archive.Archive, path_schedule: ChatSchedule, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    holder = state.RunOwner("elsewhere.example", 4242)  # another host: only its heartbeat tells
    assert state.claim_run(db, "solopr", CHAT, holder, runner.LEASE_STALE).granted
    assert runner.run_schedule(db, path_schedule, tmp_path / "r", AFTER) == []
    old = archive.to_iso(datetime.now(UTC) - timedelta(minutes=10))
    db.execute("update runs set heartbeat_at = ?", [old])
    db.conn.commit()
    assert len(runner.run_schedule(db, path_schedule, tmp_path / "r", AFTER)) == 1
    assert "took over from process 4242 on elsewhere.example, which has a 600 s old heartbeat" \
        in caplog.text


def test_claims_and_guarded_records(db: archive.Archive) -> None:
    me = state.current_owner()
    other = state.RunOwner("elsewhere.example", 7)
    assert state.claim_run(db, "s", CHAT, other, timedelta(minutes=2)).granted
    # Another owner's lease is not overwritten by a late 'done' from us.
    assert state.record_run(db, "s", CHAT, "done", owner=me) is False
    assert state.run_status(db, "s", CHAT) == "running"
    assert state.heartbeat_run(db, "s", CHAT, me) is False
    assert state.heartbeat_run(db, "s", CHAT, other) is True
    assert state.record_run(db, "s", CHAT, "done", chat_id="s-2026-03-04", owner=other)
    assert state.claim_run(db, "s", CHAT, me, timedelta(minutes=2)) == state.Claim(
        False, "already done")


def test_the_heartbeat_thread_refreshes_a_held_lease(db: archive.Archive) -> None:
    me = state.current_owner()
    state.claim_run(db, "s", CHAT, me, timedelta(minutes=2))
    old = "2026-01-01T00:00:00.000Z"
    db.execute("update runs set heartbeat_at = ?", [old])
    db.conn.commit()
    with state.keep_alive(db, "s", CHAT, me, every=0.05):
        time.sleep(0.3)
    (beat,) = rows(db, "select heartbeat_at from runs")[0]
    assert beat > old
    assert datetime.now(UTC) - archive.from_iso(beat) < timedelta(seconds=5)


def test_a_stop_between_steps_leaves_the_occurrence_pending_for_next_time(
    db: archive.Archive, path_schedule: ChatSchedule, tmp_path: Path
) -> None:
    checks = iter([False, True])  # go past the loop's check, stop before fetching
    options = runner.RunOptions(should_stop=lambda: next(checks, True))
    assert runner.run_schedule(db, path_schedule, tmp_path / "r", AFTER, options) == []
    assert rows(db, "select status, error from runs") == [
        ("pending", "stopped before it finished; it runs again")]
    assert rows(db, "select count(*) from messages") == [(0,)]
    assert len(runner.run_schedule(db, path_schedule, tmp_path / "r", AFTER)) == 1
    assert state.run_status(db, "solopr", CHAT) == "done"


def test_url_source_fills_the_date_and_fetches_conditionally(
    db: archive.Archive, tmp_path: Path, http_server: Server
) -> None:
    http_server.routes["/exports/solopr-2026-03-04.jsonl"] = Route(body=TWARC2.read_bytes())
    schedule = make_schedule(tmp_path, f'url = "{http_server.url("/exports/solopr-{date}.jsonl")}"')
    recaps = tmp_path / "recaps"
    assert runner.run_schedule(db, schedule, recaps, DURING_LOOKBACK) == [recaps / RECAP]
    assert runner.run_schedule(db, schedule, recaps, AFTER) == []
    assert http_server.paths == ["/exports/solopr-2026-03-04.jsonl"] * 2
    assert "If-None-Match" not in http_server.request_headers[0]
    assert http_server.request_headers[1]["If-None-Match"].startswith('"')
    assert rows(db, "select status from runs") == [("done",)]
    assert rows(db, "select count(*) from imports") == [(1,)]


def test_a_failing_source_is_recorded_and_logged(
    db: archive.Archive, tmp_path: Path, http_server: Server, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    quick = sources.FetchPolicy(sleep=lambda seconds: None)
    monkeypatch.setattr(sources, "fetch_url", functools.partial(sources.fetch_url, policy=quick))
    http_server.routes["/down.jsonl"] = Route(status=500, body=b"oops")
    schedule = make_schedule(tmp_path, f'url = "{http_server.url("/down.jsonl")}"',
                             cron="0 13 * * wed")
    now = datetime(2026, 3, 12, tzinfo=UTC)
    assert runner.run_schedule(db, schedule, tmp_path / "r", now) == []
    # One source for both chats: fetched (4 tries) once, not again for the second chat.
    assert http_server.hits["/down.jsonl"] == 4
    error = (f"{http_server.url('/down.jsonl')}: could not fetch after 4 tries; the last one:"
             " the server answered 500 Internal Server Error")
    assert rows(db, "select occurrence, status, error, attempts from runs") == [
        ("2026-03-04T18:00:00.000Z", "failed", error, 1),
        ("2026-03-11T17:00:00.000Z", "failed", error, 1)]
    assert f"solopr, chat of 2026-03-04 13:00 America/New_York: {error}" in caplog.text
    # Tried again at the next run.
    assert runner.due_occurrences(db, schedule, now) == [CHAT, datetime(2026, 3, 11, 17,
                                                                        tzinfo=UTC)]


def settle(path: Path) -> None:
    past = time.time() - 60  # older than the inbox's settle time
    os.utime(path, (past, past))


def settled_copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    settle(target)


def late_answer_line() -> str:
    tweet = {
        "created_at": "Wed Mar 04 18:21:00 +0000 2026", "id_str": "2029999999999999999",
        "full_text": "A1: late, but: I raised my rates every January. #solopr",
        "entities": {"hashtags": [{"text": "solopr", "indices": [48, 55]}], "urls": []},
        "user": {"id_str": "99", "screen_name": "latecomer", "name": "Lee Latecomer"},
    }
    return json.dumps(tweet) + "\n"


def test_inbox_imports_each_new_or_changed_file_once(
    db: archive.Archive, tmp_path: Path
) -> None:
    inbox = tmp_path / "schedules" / "inbox"
    inbox.mkdir(parents=True)
    schedule = make_schedule(tmp_path / "schedules", 'inbox = "inbox"')
    recaps = tmp_path / "recaps"
    settled_copy(TWARC2, inbox / "export.jsonl")
    (inbox / "fresh.jsonl").write_text(late_answer_line())  # just written: not settled yet
    assert runner.run_job(db, schedule, recaps, AFTER) == [recaps / RECAP]
    assert rows(db, "select count(*) from messages") == [(202,)]
    assert runner.run_job(db, schedule, recaps, AFTER) == []
    assert rows(db, "select count(*) from imports") == [(1,)]
    # A file that arrives later, for a chat already done, updates its recap.
    settle(inbox / "fresh.jsonl")
    assert runner.run_job(db, schedule, recaps, AFTER) == [recaps / RECAP]
    assert rows(db, "select count(*) from messages") == [(203,)]
    assert rows(db, "select chat_id, version from recaps") == [
        ("solopr-2026-03-04", 1), ("solopr-2026-03-04", 2)]
    assert "Lee Latecomer" in (recaps / RECAP).read_text(encoding="utf-8")
    # The same content again (another name) is not imported twice.
    settled_copy(TWARC2, inbox / "copy.jsonl")
    assert runner.run_job(db, schedule, recaps, AFTER) == []
    assert rows(db, "select count(*) from imports") == [(2,)]


def mastodon_pages() -> list[bytes]:
    lines = (FIXTURES / "formats" / "mastodon" / "mastodon-solopr.jsonl").read_bytes()
    return lines.splitlines()


def test_mastodon_live_pull_over_the_chat_window(
    db: archive.Archive, tmp_path: Path, http_server: Server
) -> None:
    first, second = mastodon_pages()
    older = http_server.url("/api/v1/timelines/tag/solopr?max_id=116172228526080004")
    http_server.routes["/api/v1/timelines/tag/solopr"] = Route(
        body=second, etag=False,
        before=[Route(body=first, etag=False, headers={"Link": f'<{older}>; rel="next"'})])
    schedule = make_schedule(tmp_path, f'mastodon = "{http_server.url("")}"')
    runner.run_schedule(db, schedule, tmp_path / "r", AFTER)
    assert http_server.paths == ["/api/v1/timelines/tag/solopr?limit=40",
                                 "/api/v1/timelines/tag/solopr?max_id=116172228526080004"]
    assert rows(db, "select count(*) from messages where platform = 'mastodon'") == [(7,)]
    assert rows(db, "select status from runs") == [("done",)]


def test_bluesky_live_pull_searches_the_window(
    db: archive.Archive, tmp_path: Path, http_server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (FIXTURES / "formats" / "bluesky" / "bluesky-search.jsonl").read_bytes()\
        .splitlines()
    http_server.routes["/xrpc/app.bsky.feed.searchPosts"] = Route(
        body=second, etag=False, before=[Route(body=first, etag=False)])
    monkeypatch.setattr(sources, "fetch_bluesky",
                        functools.partial(sources.fetch_bluesky, base=http_server.url("")))
    schedule = make_schedule(tmp_path, 'bluesky = "#solopr"')
    runner.run_schedule(db, schedule, tmp_path / "r", AFTER)
    assert len(http_server.paths) == 2
    assert ("q=%23solopr&since=2026-03-04T17%3A30%3A00Z&until=2026-03-04T21%3A00%3A00Z"
            in http_server.paths[0])
    assert http_server.paths[1].endswith("&cursor=3")
    assert rows(db, "select count(*) from messages where platform = 'bluesky'") == [(6,)]


def test_source_value_fills_templates_and_resolves_paths(tmp_path: Path) -> None:
    schedule = make_schedule(tmp_path, 'path = "exports/{hashtag}-{yyyy}{mm}{dd}.jsonl"')
    assert runner.source_value(schedule, CHAT) == str(tmp_path / "exports/solopr-20260304.jsonl")
    # 01:00 UTC on 5 March is still 4 March in New York.
    late = datetime(2026, 3, 5, 1, tzinfo=UTC)
    assert runner.source_value(schedule, late).endswith("solopr-20260304.jsonl")
    assert runner.live_window(schedule, CHAT) == (CHAT - timedelta(minutes=30),
                                                  CHAT + timedelta(hours=3))


def test_ledger_file_is_the_archive(db: archive.Archive, tmp_path: Path) -> None:
    assert state.archive_file(db) == tmp_path / "archive.db"
    assert state.archive_file(archive.open_archive(":memory:")) is None
    with sqlite3.connect(tmp_path / "archive.db") as conn:
        columns = {r[1] for r in conn.execute("pragma table_info(runs)")}
    assert {"host", "pid", "heartbeat_at", "attempts"} <= columns
