"""Readers of the archive never see a half-written chat while the daemon writes (WAL).

A writer thread assembles the archive's chats again and again, alternating each chat between its
whole window and the first half of it, so every rewrite changes its counts. Meanwhile a plain
read-only sqlite3 connection and Datasette (chatarchive.serve.app) check, on every read, that for
each chat row the questions, chat_participants and messages rows agree with its counts. The same
readers, pointed at a writer that commits a chat in two steps, do catch the torn state.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

import pytest

from chatarchive import archive, jobs, serve
from chatarchive.models import ChatWindow

from .test_crash_safety import weekly_export

WEEKS = 4
ITERATIONS = 80  # rewrites in the fast suite; the soak does 400
DEADLINE = 10.0  # seconds a writer may run at most (the soak: 60)
# One statement, so one snapshot: each chat's stored counts beside the rows that back them.
CHECK = """
select c.id, c.posts, c.questions, c.participants,
    (select count(*) from messages m where m.chat_id = c.id),
    (select count(*) from questions q where q.chat_id = c.id),
    (select count(*) from chat_participants p where p.chat_id = c.id)
from chats c order by c.id
"""


Writer = Callable[[Path, threading.Event, list[int]], None]


@dataclass
class Seen:
    """What one reader saw: how many reads, the torn rows, and each chat's post counts."""

    reads: int = 0
    torn: list[tuple[object, ...]] = field(default_factory=list)
    posts: dict[str, set[int]] = field(default_factory=dict)

    def check(self, rows: list[tuple[object, ...]] | list[list[object]]) -> None:
        self.reads += 1
        for row in rows:
            chat_id, posts, questions, people, messages, question_rows, people_rows = row
            if (posts, questions, people) != (messages, question_rows, people_rows):
                self.torn.append(tuple(row))
            self.posts.setdefault(str(chat_id), set()).add(int(str(posts)))


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    """An archive of four weekly #solopr chats, assembled."""
    export = tmp_path / "solopr.jsonl"
    assert weekly_export(export, WEEKS) == 202 * WEEKS + 1 + 25
    path = tmp_path / "archive.db"
    db = archive.open_archive(path)
    results, _, chats = jobs.import_sources(db, [str(export)])
    db.close()
    assert len(chats) == WEEKS
    assert results[0].new == 202 * WEEKS
    return path


def windows(path: Path) -> list[ChatWindow]:
    db = archive.open_archive(path)
    try:
        return [archive.chat_window(db, row["id"]) for row in archive.list_chats(db)]
    finally:
        db.close()


def halved(window: ChatWindow) -> ChatWindow:
    return replace(window, ends_at=window.starts_at + (window.ends_at - window.starts_at) / 2)


def rewriter(iterations: int, deadline: float) -> Writer:
    """The daemon's part: assemble each chat again, whole and halved in turn."""

    def rewrite(path: Path, stop: threading.Event, done: list[int]) -> None:
        _rewrite_chats(path, stop, done, iterations, deadline)

    return rewrite


def _rewrite_chats(path: Path, stop: threading.Event, done: list[int], iterations: int,
                   deadline: float) -> None:
    db = archive.open_archive(path)
    whole = windows(path)
    started = time.monotonic()
    try:
        for number in range(iterations):
            if time.monotonic() - started > deadline:
                break
            window = whole[number % len(whole)]
            jobs.assemble_window(db, halved(window) if number // len(whole) % 2 else window)
            done.append(number)
    finally:
        stop.set()
        db.close()


def tear_chats(path: Path, stop: threading.Event, done: list[int]) -> None:
    """A broken writer: the chat row is committed before its questions (never do this)."""
    db = archive.open_archive(path)
    started = time.monotonic()
    try:
        for number in range(50):
            if time.monotonic() - started > DEADLINE:
                break
            with db.atomic():
                db.execute("delete from questions where chat_id = (select min(id) from chats)")
            time.sleep(0.005)
            whole = windows(path)[0]
            jobs.assemble_window(db, whole)
            done.append(number)
    finally:
        stop.set()
        db.close()


def read_with_sqlite(path: Path, stop: threading.Event, seen: Seen) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        while not stop.is_set():
            seen.check(conn.execute(CHECK).fetchall())
    finally:
        conn.close()


async def read_with_datasette(path: Path, stop: threading.Event, seen: Seen) -> None:
    ds = serve.app(path)
    await ds.invoke_startup()
    url = f"/{serve.database_name(path)}.json?" + urlencode({"sql": CHECK, "_shape": "arrays"})
    try:
        while not stop.is_set():
            response = await ds.client.get(url)
            assert response.status_code == 200, response.text[:300]
            seen.check(response.json()["rows"])
    finally:
        for database in ds.databases.values():
            database.close()


def race(path: Path, writer: Writer) -> tuple[list[int], Seen, Seen]:
    """Run a writer against both readers until it is done; return what each side did."""
    stop, done = threading.Event(), list[int]()
    by_sqlite, by_datasette = Seen(), Seen()
    threads = [threading.Thread(target=writer, args=(path, stop, done)),
               threading.Thread(target=read_with_sqlite, args=(path, stop, by_sqlite))]
    for thread in threads:
        thread.start()
    try:
        asyncio.run(read_with_datasette(path, stop, by_datasette))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    return done, by_sqlite, by_datasette


def test_the_check_holds_on_a_quiet_archive(archive_path: Path) -> None:
    seen = Seen()
    with sqlite3.connect(archive_path) as conn:
        seen.check(conn.execute(CHECK).fetchall())
    assert seen.torn == []
    assert len(seen.posts) == WEEKS
    assert all(len(counts) == 1 for counts in seen.posts.values())


def check_race(path: Path, iterations: int, deadline: float) -> None:
    done, by_sqlite, by_datasette = race(path, rewriter(iterations, deadline))
    assert len(done) >= iterations // 2, len(done)
    assert by_sqlite.torn == [] and by_datasette.torn == []
    assert by_sqlite.reads >= 20 and by_datasette.reads >= 10, (by_sqlite.reads,
                                                                by_datasette.reads)
    # The readers really read during the rewrites: they saw chats whole (200) and halved (164).
    assert {164, 200} in [by_sqlite.posts.get(chat) for chat in by_sqlite.posts]
    with sqlite3.connect(path) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def test_readers_never_see_a_half_written_chat(archive_path: Path) -> None:
    check_race(archive_path, ITERATIONS, DEADLINE)


@pytest.mark.slow
def test_readers_never_see_a_half_written_chat_soak(archive_path: Path) -> None:
    check_race(archive_path, 400, 60.0)


def test_the_readers_catch_a_writer_that_tears_a_chat(archive_path: Path) -> None:
    done, by_sqlite, by_datasette = race(archive_path, tear_chats)
    assert len(done) >= 10
    assert by_sqlite.torn or by_datasette.torn
    torn = (by_sqlite.torn or by_datasette.torn)[0]
    assert torn[0] == "solopr-2026-03-04" and torn[5] == 0
