"""Crash safety: an import killed at any moment leaves a sound archive, and a rerun completes it
exactly as one clean import would; a failed download archives nothing.

The export is a twarc v1.1 JSONL made from the #solopr fixture: each week a copy of the chat with
new ids and times, plus a few broken lines and repeated posts, so rejections and duplicates are
counted across a resume too. ``python -m chatarchive import`` runs as a real process and gets
SIGKILL after a delay drawn (with a fixed seed) between 0 and the clean import's duration.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatarchive import sources
from chatarchive.cli import cli
from chatarchive.errors import SourceError
from chatarchive.sources import spool, web

from .conftest import FIXTURES, ROOT, Route, Server

SOURCE = FIXTURES / "solopr" / "solopr-2026-03-04.jsonl"
TWEET_TIME = "%a %b %d %H:%M:%S +0000 %Y"
# A week in snowflake ids: milliseconds shifted past the 22 bits of worker and sequence.
WEEK_OF_IDS = (7 * 24 * 3600 * 1000) << 22
SEED = 10  # its first draws fall mid-slice: start-up, writing, assembling
BROKEN_LINE = '{"created_at": "Wed Mar 04 19:40:12 +0000 2026", "id_str": "1", "full_text": '

# What must be the same after a killed-and-rerun import as after one clean import: every
# table's rows, leaving out only the clock times of the runs themselves.
SNAPSHOT = {
    "messages": "select * from messages order by id",
    "participants": "select * from participants order by id",
    "sightings": "select * from sightings order by message_id, import_id",
    "message_hashtags": "select * from message_hashtags order by hashtag, message_id",
    "imports": "select id, source, name, format, sha256, status, read, new, duplicate, rejected"
               " from imports order by id",
    "import_errors": "select import_id, source, location, reason, snippet from import_errors"
                     " order by location",
    "chats": "select id, hashtag, title, starts_at, ends_at, timezone, schedule,"
             " lookback_seconds, hosts, guests, posts, questions, answers, participants,"
             " completeness, complete from chats order by id",
    "questions": "select * from questions order by id",
    "chat_participants": "select * from chat_participants order by chat_id, participant_id",
    "messages_fts": "select m.id, f.text from messages_fts f join messages m"
                    " on m.rowid = f.rowid order by m.id",
    "fts_rows": "select count(*), count(distinct rowid) from messages_fts",
}


def weekly_export(path: Path, weeks: int) -> int:
    """Write ``weeks`` weekly copies of the #solopr chat as one JSONL; return its line count."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    ids = _tweet_ids(lines)
    number = re.compile(r"\d{17,20}")
    stamp = re.compile(r'"created_at": "([^"]+)"')
    out: list[str] = []
    for week in range(weeks):

        def new_id(match: re.Match[str], week: int = week) -> str:
            text = match.group()
            return str(int(text) + week * WEEK_OF_IDS) if text in ids else text

        def new_time(match: re.Match[str], week: int = week) -> str:
            moment = datetime.strptime(match.group(1), TWEET_TIME).replace(tzinfo=UTC)
            return f'"created_at": "{(moment + timedelta(weeks=week)).strftime(TWEET_TIME)}"'

        out.extend(stamp.sub(new_time, number.sub(new_id, line)) for line in lines)
        if week % 5 == 2:
            out.append(BROKEN_LINE + str(week))
    out.extend(out[:25])  # posts seen again at the end of the file: duplicates
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


def _tweet_ids(lines: list[str]) -> set[str]:
    ids: set[str] = set()
    for line in lines:
        tweet = json.loads(line)
        for item in (tweet, tweet.get("retweeted_status") or {}, tweet.get("quoted_status") or {}):
            for key in ("id_str", "in_reply_to_status_id_str", "quoted_status_id_str"):
                if item.get(key):
                    ids.add(item[key])
    return ids


def import_command(archive: Path, export: Path | str) -> list[str]:
    return [sys.executable, "-m", "chatarchive", "import", str(archive), str(export)]


def run_import(archive: Path, export: Path | str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(import_command(archive, export), capture_output=True, text=True,
                          timeout=600, check=False, cwd=ROOT)


def killed_import(archive: Path, export: Path, delay: float) -> bool:
    """Start an import and SIGKILL it after ``delay`` seconds; False if it ended before."""
    process = subprocess.Popen(import_command(archive, export), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        return True


def integrity(archive: Path) -> str:
    if not archive.exists():
        return "ok"  # killed before the archive was created
    with sqlite3.connect(archive) as conn:
        return str(conn.execute("pragma integrity_check").fetchone()[0])


def snapshot(archive: Path) -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of its rows."""
    result: dict[str, tuple[int, str]] = {}
    with sqlite3.connect(archive) as conn:
        for name, sql in SNAPSHOT.items():
            rows = conn.execute(sql).fetchall()
            result[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return result


def import_state(archive: Path) -> list[tuple[object, ...]]:
    if not archive.exists():
        return []
    with sqlite3.connect(archive) as conn:
        # Killed while the archive was being created: the schema is not there yet.
        if not conn.execute("select 1 from sqlite_master where name = 'imports'").fetchone():
            return []
        return conn.execute("select id, status, read, new from imports").fetchall()


@dataclass(frozen=True)
class Clean:
    export: Path
    lines: int
    seconds: float
    snapshot: dict[str, tuple[int, str]]


def clean_import(folder: Path, weeks: int) -> Clean:
    export = folder / f"solopr-{weeks}-weeks.jsonl"
    lines = weekly_export(export, weeks)
    archive = folder / "clean.db"
    started = time.monotonic()
    done = run_import(archive, export)
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    return Clean(export, lines, seconds, snapshot(archive))


def kill_and_rerun(folder: Path, clean: Clean, kills: int) -> list[str]:
    """Kill imports at ``kills`` seeded random moments; return what each kill interrupted."""
    # One delay drawn in each of ``kills`` equal slices of the clean run, so the kills spread
    # over start-up, reading, writing and assembling rather than bunching by chance.
    chance, step = random.Random(SEED), clean.seconds / kills
    delays = [chance.uniform(number * step, (number + 1) * step) for number in range(kills)]
    interrupted = []
    for number, delay in enumerate(delays):
        archive = folder / f"killed-{number}.db"
        killed = killed_import(archive, clean.export, delay)
        state = import_state(archive)
        interrupted.append(f"{delay:.2f}s {'killed' if killed else 'finished'} {state}")
        assert integrity(archive) == "ok", interrupted[-1]
        rerun = run_import(archive, clean.export)
        assert rerun.returncode == 0, rerun.stderr
        assert "Traceback" not in rerun.stderr
        assert snapshot(archive) == clean.snapshot, interrupted[-1]
    return interrupted


def test_the_generated_export_has_new_ids_and_weekly_times(tmp_path: Path) -> None:
    export = tmp_path / "x.jsonl"
    assert weekly_export(export, 12) == 202 * 12 + 2 + 25
    tweets = [json.loads(line) for line in export.read_text().splitlines()
              if not line.startswith(BROKEN_LINE)]
    assert len({t["id_str"] for t in tweets}) == 202 * 12
    first, later = tweets[0], tweets[202 * 11]
    assert int(later["id_str"]) - int(first["id_str"]) == 11 * WEEK_OF_IDS
    assert later["created_at"] == "Wed May 20 19:40:12 +0000 2026"
    assert first["created_at"] == "Wed Mar 04 19:40:12 +0000 2026"


def test_three_kills_then_rerun_equal_one_clean_import(tmp_path: Path) -> None:
    clean = clean_import(tmp_path, weeks=12)
    counts = {name: count for name, (count, _) in clean.snapshot.items()}
    assert counts["messages"] == 202 * 12
    assert counts["imports"] == 1
    assert counts["import_errors"] == 2
    assert counts["chats"] == 12
    assert counts["questions"] == 6 * 12
    assert counts["messages_fts"] == 202 * 12
    kill_and_rerun(tmp_path, clean, kills=3)


@pytest.mark.slow
def test_twenty_kills_of_a_20k_post_import(tmp_path: Path) -> None:
    clean = clean_import(tmp_path, weeks=100)
    assert clean.lines == 20200 + 20 + 25
    assert clean.snapshot["messages"][0] == 20200
    assert clean.snapshot["chats"][0] == 100
    interrupted = kill_and_rerun(tmp_path, clean, kills=20)
    # Where the kills landed depends on the machine and its load; on one run: 1 in start-up,
    # 6 while batches were written ('running'), 8 while chats were assembled ('archived'), 5
    # after. A faster import leaves fewer in flight, so only a quarter are required.
    assert sum(" killed " in line for line in interrupted) >= 5, interrupted
    assert any("'running'" in line for line in interrupted), interrupted
    assert any("'archived'" in line for line in interrupted), interrupted


# A download that fails leaves nothing in the archive: no posts, no unfinished import.

TWEET = SOURCE.read_bytes()


@pytest.fixture
def fast_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The CLI's downloads retry as usual, but record their waits instead of sleeping."""
    waits: list[float] = []
    policy = web.FetchPolicy(sleep=waits.append, timeout=1.0)
    real = web.fetch_url

    def fetch(url: str, *args: object, **kwargs: object) -> object:
        return real(url, *args, policy=policy, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sources, "fetch_url", fetch)
    monkeypatch.setattr(spool, "SPOOL", tmp_path / "spool")
    return waits


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def cli_import(archive: Path, source: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["import", str(archive), source])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def archive_rows(archive: Path) -> tuple[int, int, int]:
    with sqlite3.connect(archive) as conn:
        messages = conn.execute("select count(*) from messages").fetchone()[0]
        imports = conn.execute("select count(*) from imports").fetchone()[0]
        running = conn.execute("select count(*) from imports where status != 'done'").fetchone()
    return int(messages), int(imports), int(running[0])


@pytest.mark.parametrize(("route", "said"), [
    (Route(body=TWEET, truncate=len(TWEET) // 2), "the body was cut short"),
    (Route(reset=True), "the last one: "),
    (Route(status=503, headers={"Retry-After": "7"}), "answered 503 Service Unavailable"),
    (Route(status=429), "answered 429 Too Many Requests"),
], ids=["truncated", "reset", "503-retry-after", "429"])
def test_failed_download_archives_nothing(tmp_path: Path, http_server: Server,
                                          fast_fetch: list[float], route: Route,
                                          said: str) -> None:
    http_server.routes["/solopr.jsonl"] = route
    url = http_server.url("/solopr.jsonl")
    archive = tmp_path / "a.db"
    code, err = cli_import(archive, url)
    assert code == 1
    assert f"Error: {url}: could not fetch after 4 tries; " in err
    assert said in err
    assert "Traceback" not in err
    assert archive_rows(archive) == (0, 0, 0)
    assert http_server.hits["/solopr.jsonl"] == 4
    assert leftovers(tmp_path / "spool") == []
    if "Retry-After" in route.headers:
        assert fast_fetch == [7.0, 7.0, 7.0]


def test_the_same_download_complete_is_archived_whole(tmp_path: Path, http_server: Server,
                                                      fast_fetch: list[float]) -> None:
    http_server.routes["/solopr.jsonl"] = Route(body=TWEET, before=[
        Route(body=TWEET, truncate=1000), Route(reset=True)])
    archive = tmp_path / "a.db"
    code, err = cli_import(archive, http_server.url("/solopr.jsonl"))
    assert code == 0, err
    assert "202 read, 202 new, 0 duplicate, 0 rejected" in err
    assert archive_rows(archive) == (202, 1, 0)
    assert fast_fetch == [0.5, 1.0]


@pytest.mark.slow
def test_the_cli_process_with_its_real_retries_archives_nothing(tmp_path: Path,
                                                               http_server: Server) -> None:
    http_server.routes["/solopr.jsonl"] = Route(body=TWEET, truncate=len(TWEET) // 3)
    url = http_server.url("/solopr.jsonl")
    archive = tmp_path / "a.db"
    started = time.monotonic()
    done = run_import(archive, url)
    assert done.returncode == 1
    assert f"Error: {url}: could not fetch after 4 tries; the last one: the body was cut" \
        in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started >= 3.5  # waited 0.5 + 1 + 2 s between the tries
    assert archive_rows(archive) == (0, 0, 0)


# Faults the sources tests leave out: a stall or a reset in the middle of the body, a chunked
# body cut short, a body larger than the limit sent without a Content-Length.


@contextmanager
def raw_server(answer_bytes: bytes, stall: float = 0.0, reset: bool = False) -> Iterator[str]:
    """A raw HTTP server on 127.0.0.1: sends ``answer``, then stalls, resets or closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(answer_bytes)
            if stall:
                stop.wait(stall)
            if reset:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            # Each connection on its own thread: a stalled answer must not hold up the next try.
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/solopr.jsonl"
    finally:
        stop.set()
        thread.join()
        listener.close()


HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"


@pytest.mark.parametrize(("answer", "stall", "reset", "said"), [
    (HEADERS + b"Content-Length: 394192\r\n\r\n" + TWEET[:5000], 1.5, False,
     "no answer within 1.0 s"),
    (HEADERS + b"Content-Length: 394192\r\n\r\n" + TWEET[:5000], 0.0, True, "the last one: "),
    (HEADERS + b"Transfer-Encoding: chunked\r\n\r\n" + b"1388\r\n" + TWEET[:5000] + b"\r\n",
     0.0, False, "the body was cut short"),
], ids=["stall-mid-body", "reset-mid-body", "chunked-cut-short"])
def test_faults_in_the_middle_of_the_body_archive_nothing(
    tmp_path: Path, fast_fetch: list[float], answer: bytes, stall: float, reset: bool,
    said: str,
) -> None:
    with raw_server(answer, stall, reset) as url:
        archive = tmp_path / "a.db"
        code, err = cli_import(archive, url)
        assert code == 1, err
        assert f"Error: {url}: could not fetch after 4 tries; " in err
        assert said in err
        assert archive_rows(archive) == (0, 0, 0)
        assert leftovers(tmp_path / "spool") == []


def test_oversized_body_without_a_length_is_cut_off(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spool, "SPOOL", tmp_path / "spool")
    small = web.FetchPolicy(max_bytes=100_000, sleep=lambda _: None)
    with raw_server(HEADERS + b"Connection: close\r\n\r\n" + TWEET) as url, \
            pytest.raises(SourceError, match="larger than the limit of 100000 bytes"):
        web.fetch_url(url, policy=small)
    assert leftovers(tmp_path / "spool") == []
