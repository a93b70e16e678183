"""Sharing chat assembly with a worker process: the same chats as one process makes."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from chatarchive import archive, jobs, lanes, sources

from .factories import author, message, raw_export, record

HOST = author("kellyecrane", "Kelly Crane")
PEOPLE = [author(f"person{n}", f"Person {n}") for n in range(6)]
# The worker imports this module afresh; the environment it inherits names the parent.
PARENT = int(os.environ.setdefault("CHATARCHIVE_TEST_LANES_PARENT", str(os.getpid())))


@dataclass(frozen=True)
class Unit:
    name: str
    posts: int


def test_halves_balance_posts_and_keep_order() -> None:
    units = [Unit("a", 5), Unit("b", 1), Unit("c", 4), Unit("d", 2), Unit("e", 3)]
    mine, theirs = lanes.halves(units)
    assert [u.name for u in mine] == ["a", "b", "d"]
    assert [u.name for u in theirs] == ["c", "e"]
    assert (sum(u.posts for u in mine), sum(u.posts for u in theirs)) == (8, 7)


def pids(db: archive.Archive, units: Sequence[Unit]) -> list[str]:
    return [f"{u.name}:{'parent' if os.getpid() == PARENT else 'worker'}" for u in units]


def fails_in_worker(db: archive.Archive, units: Sequence[Unit]) -> list[str]:
    if os.getpid() != PARENT:
        raise ValueError("broken unit")
    return []


def test_share_runs_half_the_units_in_a_worker(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    units = [Unit("a", 30_000), Unit("b", 20_000), Unit("c", 15_000)]
    assert lanes.share(db, units, pids) == ["a:parent", "b:worker", "c:worker"]
    # Small jobs and in-memory archives stay in this process.
    assert lanes.share(db, [Unit("a", 10), Unit("b", 10)], pids) == ["a:parent", "b:parent"]
    memory = archive.open_archive(":memory:")
    assert lanes.share(memory, units, pids) == ["a:parent", "b:parent", "c:parent"]


def test_a_failing_worker_is_an_error_with_its_traceback(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    with pytest.raises(RuntimeError, match=r"(?s)chatarchive worker failed.*broken unit"):
        lanes.share(db, [Unit("a", 30_000), Unit("b", 30_000)], fails_in_worker)


def weekly_chats(weeks: int) -> list:
    posts = []
    for week in range(weeks):
        base = week * 7 * 24 * 60 + week * 17  # minutes; a few minutes later each week
        first = 1000 * (week + 1)
        for q in (1, 2, 3):
            asked = base + (q - 1) * 10
            posts.append(message(first + q * 100, HOST, f"Q{q}: What about {q}? #solopr", asked))
            posts.extend(
                message(first + q * 100 + n + 1, who, f"A{q}: my answer {n} #solopr",
                        asked + 2 + n, in_reply_to_id=f"twitter:{first + q * 100}")
                for n, who in enumerate(PEOPLE[: 3 + week % 3])
            )
    return posts


def import_into(path: Path, posts: list) -> tuple[archive.Archive, list[str]]:
    db = archive.open_archive(path)
    result = archive.save(db, raw_export(path.with_suffix(".jsonl"), "a" * 64), "twarc",
                          [record(m, i) for i, m in enumerate(posts)])
    return db, jobs.reassemble(db, [result])


def assert_same_rows(one: archive.Archive, two: archive.Archive, *queries: str) -> None:
    for query in queries:
        assert one.execute(query).fetchall() == two.execute(query).fetchall(), query


def test_a_worker_assembles_the_same_chats(tmp_path: Path, monkeypatch) -> None:
    posts = weekly_chats(4)
    one, alone = import_into(tmp_path / "one.db", posts)
    monkeypatch.setattr(lanes, "WORTH_A_WORKER", 0)
    two, shared = import_into(tmp_path / "two.db", posts)
    assert alone == shared == [
        "solopr-2026-03-04", "solopr-2026-03-11", "solopr-2026-03-18", "solopr-2026-03-25"]
    assert_same_rows(
        one, two,
        "select id, starts_at, ends_at, hosts, posts, questions, answers,"
        " participants from chats order by id",
        "select id, chat_id, kind, question_id from messages order by id",
        "select * from questions order by id",
        "select * from chat_participants order by chat_id, participant_id")
    assert one.execute("select sum(answers) from chats").fetchone()[0] == 3 * (3 + 4 + 5 + 3)


def test_stretches_of_a_hashtag_split_only_at_long_pauses(tmp_path: Path) -> None:
    db, _ = import_into(tmp_path / "a.db", weekly_chats(2))
    first, last = timedelta(0), timedelta(days=8)
    from .factories import START

    stretches = jobs._stretches(db, "solopr", [(START + first, START + last)])
    assert [(s.assemble_known, len(s.bursts), s.posts, len(s.known)) for s in stretches] == [
        (True, 1, 12, 2), (False, 1, 15, 2)]


SOLOPR = Path(__file__).resolve().parent.parent / "fixtures" / "solopr" / "solopr-2026-03-04.jsonl"


def export_with_flaws(path: Path) -> Path:
    """The #solopr chat as twarc lines, with a bad line and a blank line in each half and a
    post repeated across the halves."""
    lines = SOLOPR.read_bytes().splitlines(keepends=True)
    half = len(lines) // 2
    path.write_bytes(b"".join([*lines[:20], b"{not json\n", b"\n", *lines[20:half],
                               *lines[half:half + 30], lines[5], b"[1, 2\n", b"\n",
                               *lines[half + 30:]]))
    return path


def import_file(db_path: Path, export: Path) -> tuple[archive.Archive, archive.ImportResult]:
    db = archive.open_archive(db_path)
    results, _, _ = jobs.import_sources(db, [str(export)])
    assert len(results) == 1
    return db, results[0]


def test_a_large_file_read_in_two_halves_archives_what_one_reader_does(
    tmp_path: Path, monkeypatch
) -> None:
    export = export_with_flaws(tmp_path / "chat.jsonl")
    one, alone = import_file(tmp_path / "one.db", export)
    monkeypatch.setattr(lanes, "LARGE_FILE", 0)
    halves = jobs._halves(one, next(sources.local_exports(str(export))), "twarc")
    assert halves is not None and 0 < halves[0].end == halves[1].start < export.stat().st_size
    two, split = import_file(tmp_path / "two.db", export)
    counts = (split.read, split.new, split.duplicate, split.rejected)
    assert counts == (alone.read, alone.new, alone.duplicate, alone.rejected) == (203, 202, 1, 2)
    assert sorted((e.location, e.reason) for e in split.errors) == sorted(
        (e.location, e.reason) for e in alone.errors)
    assert [e.location for e in sorted(alone.errors, key=lambda e: int(e.location[5:]))] == [
        "line 21", f"line {len(SOLOPR.read_bytes().splitlines()) // 2 + 34}"]
    assert split.spans == alone.spans
    assert_same_rows(
        one, two,
        "select id, text, created_at, author_id, hashtags, links, kind, chat_id,"
        " question_id from messages order by id",
        "select message_id, location, raw from sightings order by message_id, location",
        "select location, reason, snippet from import_errors order by location",
        "select read, new, duplicate, rejected, status from imports",
        "select id, posts, questions, answers, participants from chats",
        "select count(*) from messages_fts where messages_fts match 'rate'")


def test_the_command_line_starts_the_worker_first_and_stops_it(
    tmp_path: Path, monkeypatch
) -> None:
    from click.testing import CliRunner

    from chatarchive.cli import cli

    export = export_with_flaws(tmp_path / "chat.jsonl")
    monkeypatch.setattr(lanes, "LARGE_FILE", 0)
    started: list[lanes.Worker] = []
    workers_when_the_import_began: list[int] = []

    class Counted(lanes.Worker):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    def import_sources(*args, **kwargs):  # type: ignore[no-untyped-def]
        workers_when_the_import_began.append(len(started))
        return real_import_sources(*args, **kwargs)

    real_import_sources = jobs.import_sources
    monkeypatch.setattr(lanes, "Worker", Counted)
    monkeypatch.setattr(jobs, "import_sources", import_sources)
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "a.db"), str(export)])
    assert result.exit_code == 0, result.output
    assert "203 read, 202 new, 1 duplicate, 2 rejected" in result.output
    # One worker, started by the command before the import began, served the second half.
    assert workers_when_the_import_began == [1]
    assert len(started) == 1
    assert started[0].process.poll() is not None  # and it is gone


def tweets_js_with_flaws(path: Path) -> Path:
    """The #solopr chat as an archive's tweets.js (pretty-printed as Twitter writes it), with
    a broken item in the first half and an item that is no tweet in the second."""
    import json

    tweets = [json.loads(line) for line in SOLOPR.read_text(encoding="utf-8").splitlines()]
    items = [json.dumps({"tweet": t}, indent=2, ensure_ascii=False) for t in tweets]
    items.insert(30, '{\n  "tweet" : {\n    "id_str" : "1",\n    "full_text" : \n  }\n}')
    items.insert(len(items) - 40, '{\n  "tweet" : "no tweet"\n}')
    path.write_text("window.YTD.tweets.part0 = [ " + ", ".join(items) + " ]", encoding="utf-8")
    return path


def test_a_large_tweets_js_read_in_two_halves_archives_what_one_reader_does(
    tmp_path: Path, monkeypatch
) -> None:
    export = tweets_js_with_flaws(tmp_path / "tweets.js")
    one, alone = import_file(tmp_path / "one.db", export)
    monkeypatch.setattr(lanes, "LARGE_FILE", 0)
    halves = jobs._halves(one, next(sources.local_exports(str(export))), "tweets-js")
    assert halves is not None and halves[0].end is not None
    assert export.read_bytes()[halves[0].end - 1 : halves[1].start + 1].replace(b" ", b"") == b"},{"
    two, split = import_file(tmp_path / "two.db", export)
    counts = (split.read, split.new, split.duplicate, split.rejected)
    assert counts == (alone.read, alone.new, alone.duplicate, alone.rejected) == (202, 202, 0, 2)
    assert sorted(e.location for e in split.errors) == ["item 164", "item 31"]
    assert_same_rows(
        one, two,
        "select id, text, created_at, author_id, kind, chat_id from messages order by id",
        "select message_id, location, raw from sightings order by message_id",
        "select location, reason, snippet from import_errors order by location",
        "select read, new, duplicate, rejected, status from imports")


def test_no_interpreter_to_start_means_one_process(tmp_path: Path, monkeypatch) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    monkeypatch.setattr(lanes.sys, "executable", "")
    assert not lanes.available(db)
    units = [Unit("a", 30_000), Unit("b", 20_000)]
    assert lanes.share(db, units, pids) == ["a:parent", "b:parent"]


def sleeper(db: archive.Archive, seconds: float) -> list[str]:
    import time

    time.sleep(seconds)
    return []


def test_a_worker_exits_when_its_parent_is_killed(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    db_path = tmp_path / "a.db"
    archive.open_archive(db_path).close()
    parent = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from chatarchive import lanes;"
         " from tests import test_lanes;"
         f" w = lanes.Worker(); w.start(Path({str(db_path)!r}), test_lanes.sleeper, (60,));"
         " print(w.process.pid, flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    assert parent.stdout is not None
    worker = int(parent.stdout.readline())
    os.kill(worker, 0)  # running
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        # Reaped by init once it exits; until then it may linger as a zombie.
        if Path(f"/proc/{worker}/stat").read_text().rpartition(")")[2].split()[0] == "Z":
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the worker outlived its parent by 5 s")


def test_exports_sharing_a_chat_assemble_it_once_as_one_export_would(tmp_path: Path) -> None:
    posts = weekly_chats(3)
    whole, whole_ids = import_into(tmp_path / "whole.db", posts)
    db = archive.open_archive(tmp_path / "parts.db")
    # The second week's chat is split between two exports, as two people's captures might be.
    second_week = [m for m in posts if m.created_at.day == 11]
    cut = posts.index(second_week[len(second_week) // 2])
    results = [
        archive.save(db, raw_export(tmp_path / f"{n}.jsonl", str(n) * 64), "twarc",
                     [record(m, i) for i, m in enumerate(part)])
        for n, part in enumerate([posts[:cut], posts[cut:]])
    ]
    assert jobs.reassemble(db, results) == whole_ids == [
        "solopr-2026-03-04", "solopr-2026-03-11", "solopr-2026-03-18"]
    query = "select id, starts_at, ends_at, posts, questions, answers from chats order by id"
    assert db.execute(query).fetchall() == whole.execute(query).fetchall()


def chatty(db: archive.Archive, units: Sequence[Unit]) -> list[str]:
    print("a stray print in the worker")
    return pids(db, units)


def test_what_the_work_prints_does_not_spoil_its_result(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    units = [Unit("a", 30_000), Unit("b", 20_000)]
    assert lanes.share(db, units, chatty) == ["a:parent", "b:worker"]


def worker_pid(db: archive.Archive, units: Sequence[Unit]) -> list[str]:
    return [f"{u.name}:{os.getpid()}" for u in units]


def test_a_kept_worker_serves_one_job_after_another(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    units = [Unit("a", 30_000), Unit("b", 20_000)]
    with lanes.keeping(warm=True):
        first = lanes.share(db, units, worker_pid)[1]
        second = lanes.share(db, units, worker_pid)[1]
        assert first == second != f"b:{os.getpid()}"
        kept = lanes._kept.workers[0].process
    # The block's end stops it; without a block each job has a worker of its own.
    assert kept.poll() is not None
    assert lanes.share(db, units, worker_pid)[1] != lanes.share(db, units, worker_pid)[1]


def test_a_kept_worker_that_died_is_replaced(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    units = [Unit("a", 30_000), Unit("b", 20_000)]
    with lanes.keeping(warm=True):
        lanes._kept.workers[0].process.kill()
        lanes._kept.workers[0].process.wait()
        assert lanes.share(db, units, pids) == ["a:parent", "b:worker"]


def test_a_worker_that_failed_is_not_kept(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    units = [Unit("a", 30_000), Unit("b", 30_000)]
    with lanes.keeping():
        with pytest.raises(RuntimeError):
            lanes.share(db, units, fails_in_worker)
        assert lanes._kept.workers == []
        assert lanes.share(db, units, pids) == ["a:parent", "b:worker"]
