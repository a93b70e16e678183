"""The real daemon as a subprocess: firing on time, kill -9 and restart, signals, reloads."""

from __future__ import annotations

import logging
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from click.testing import CliRunner

from chatarchive.cli import cli
from chatarchive.daemon import ScheduleFolder

from .conftest import FIXTURES, Route, Server

TWARC1 = FIXTURES / "solopr" / "solopr-2026-03-04.jsonl"
TWARC2 = FIXTURES / "solopr" / "solopr-2026-03-04.twarc2.jsonl"
CHAT = datetime(2026, 3, 4, 18, tzinfo=UTC)  # the example chat's start
RECAP = Path("recaps/solopr/solopr-2026-03-04.md")
HOST = socket.gethostname()

_V1_TIME = re.compile(r'"created_at": "([A-Z][a-z]{2} [A-Z][a-z]{2} \d\d [\d:]{8} \+0000 \d{4})"')
_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def schedule_text(source: str, cron: str = "0 13 4 3 *", since: str | None = "2026-03-04",
                  timezone: str = "America/New_York", duration: str = "60m") -> str:
    return (f'hashtag = "solopr"\ntimezone = "{timezone}"\ncron = "{cron}"\n'
            f'duration = "{duration}"\nlookback = "2h"\n'
            + (f"since = {since}\n" if since else "") + f"\n[source]\n{source}\n")


def shifted_export(delta: timedelta) -> bytes:
    """The example chat's twarc (v1.1) export with every time moved by ``delta``."""

    def shift(match: re.Match[str]) -> str:
        moved = datetime.strptime(match.group(1), "%a %b %d %H:%M:%S %z %Y") + delta
        return (f'"created_at": "{_DAYS[moved.weekday()]} {_MONTHS[moved.month - 1]}'
                f' {moved:%d %H:%M:%S} +0000 {moved.year}"')

    return _V1_TIME.sub(shift, TWARC1.read_text(encoding="utf-8")).encode()


class Daemon:
    """``python -m chatarchive run`` in a folder, its log in a file."""

    def __init__(self, folder: Path, name: str = "daemon", *args: str) -> None:
        self.folder = folder
        self.log_path = folder / f"{name}.log"
        self._log: IO[str] = self.log_path.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "chatarchive", "run", "archive.db", "--schedules",
             "schedules", "--recaps", "recaps", *args],
            cwd=folder, stdout=subprocess.PIPE, stderr=self._log, text=True)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def wait_for(self, what: str, check: Callable[[], Any], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if self.process.poll() is not None:
                pytest.fail(f"the daemon ended ({self.process.returncode}) before {what}:\n"
                            + self.log())
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {timeout} s:\n" + self.log())
            time.sleep(0.05)

    def wait_for_log(self, text: str, timeout: float = 30) -> None:
        self.wait_for(f"log line {text!r}", lambda: text in self.log(), timeout)

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(sig)
        out, _ = self.process.communicate(timeout=20)
        self._log.close()
        return self.process.returncode, out

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean-up at all
        self.process.wait(10)  # reaped, so its pid is gone
        self._log.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self._log.close()


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "schedules").mkdir()
    yield tmp_path


@pytest.fixture
def daemons(folder: Path) -> Iterator[Callable[..., Daemon]]:
    started: list[Daemon] = []

    def start(name: str = "daemon", *args: str) -> Daemon:
        started.append(Daemon(folder, name, *args))
        return started[-1]

    yield start
    for daemon in started:
        daemon.close()


def query(folder: Path, sql: str) -> list[tuple[Any, ...]]:
    path = folder / "archive.db"
    if not path.exists():
        return []
    with sqlite3.connect(path) as conn:
        try:
            return [tuple(r) for r in conn.execute(sql).fetchall()]
        except sqlite3.OperationalError:
            return []  # not created yet


def write(folder: Path, name: str, text: str) -> None:
    (folder / "schedules" / name).write_text(text, encoding="utf-8")


def test_a_schedule_fires_when_its_chat_ends(
    folder: Path, http_server: Server, daemons: Callable[..., Daemon]
) -> None:
    # A chat that started on a whole minute (cron) and ends a few seconds from now.
    soon = datetime.now(UTC) + timedelta(seconds=8)
    start = (soon - timedelta(minutes=60)).replace(second=0, microsecond=0)
    duration = int((soon - start).total_seconds())
    end = start + timedelta(seconds=duration)
    http_server.routes["/live/solopr.jsonl"] = Route(body=shifted_export(start - CHAT))
    write(folder, "solopr.toml", schedule_text(
        f'url = "{http_server.url("/live/solopr.jsonl")}"', cron=f"{start.minute} {start.hour}"
        " * * *", since=start.date().isoformat(), timezone="UTC", duration=f"{duration}s"))
    daemon = daemons()
    recap = folder / "recaps" / "solopr" / f"solopr-{start.date().isoformat()}.md"
    daemon.wait_for("recap", recap.exists, timeout=40)
    assert recap.stat().st_mtime >= end.timestamp() - 0.05  # written at the end, not before
    daemon.wait_for_log("(looking for late posts until the look-back ends)")
    assert f"solopr, chat of {start:%Y-%m-%d %H:%M} UTC: recap recaps/solopr/" in daemon.log()
    assert query(folder, "select status, attempts from runs") == [("pending", 1)]
    assert query(folder, "select count(*) from messages") == [(202,)]
    assert query(folder, "select questions from chats") == [(6,)]
    assert http_server.hits["/live/solopr.jsonl"] == 1
    assert "running 1 schedule(s) from schedules on archive.db" in daemon.log()
    assert daemon.stop() == (0, "")
    log = daemon.log()
    assert "SIGTERM received: stopping after the current step" in log
    assert "stopped (SIGTERM)" in log
    assert "Traceback" not in log


def test_after_kill_9_a_restart_completes_the_run_without_duplicates(
    folder: Path, http_server: Server, daemons: Callable[..., Daemon]
) -> None:
    route = http_server.routes["/slow.jsonl"] = Route(body=TWARC2.read_bytes(), delay=5)
    write(folder, "solopr.toml", schedule_text(f'url = "{http_server.url("/slow.jsonl")}"'))
    first = daemons("first")
    first.wait_for("the fetch", lambda: http_server.hits.get("/slow.jsonl") == 1)
    assert query(folder, "select status, pid from runs") == [("running", first.pid)]
    first.kill()
    route.delay = 0
    second = daemons("second")
    second.wait_for("recap", (folder / RECAP).exists)
    second.wait_for("done", lambda: query(folder, "select status from runs") == [("done",)])
    assert f"took over from process {first.pid} on {HOST}, which is gone" in second.log()
    assert query(folder, "select attempts, pid from runs") == [(2, second.pid)]
    assert query(folder, "select count(*), count(distinct id) from messages") == [(202, 202)]
    assert query(folder, "select chat_id, version from recaps") == [("solopr-2026-03-04", 1)]
    assert query(folder, "select status from imports") == [("done",)]
    assert second.stop() == (0, "")


def test_two_processes_never_run_one_occurrence_at_once(
    folder: Path, http_server: Server, daemons: Callable[..., Daemon]
) -> None:
    # Long enough for the second process to start while the first is still fetching.
    http_server.routes["/slow.jsonl"] = Route(body=TWARC2.read_bytes(), delay=6)
    write(folder, "solopr.toml", schedule_text(f'url = "{http_server.url("/slow.jsonl")}"'))
    first = daemons("first")
    first.wait_for("the fetch", lambda: http_server.hits.get("/slow.jsonl") == 1)
    second = daemons("second")
    second.wait_for_log(f"skipped, running in process {first.pid} on {HOST}")
    first.wait_for("done", lambda: query(folder, "select status from runs") == [("done",)])
    assert http_server.hits["/slow.jsonl"] == 1
    assert query(folder, "select count(*) from recaps") == [(1,)]
    assert first.stop() == (0, "")
    assert second.stop() == (0, "")


def test_a_failing_source_is_logged_and_other_schedules_keep_running(
    folder: Path, http_server: Server, daemons: Callable[..., Daemon]
) -> None:
    http_server.routes["/down.jsonl"] = Route(status=500, body=b"down")
    url = http_server.url("/down.jsonl")
    write(folder, "broken.toml", schedule_text(f'url = "{url}"'))
    write(folder, "solopr.toml", schedule_text(f'path = "{TWARC2}"'))
    daemon = daemons()
    daemon.wait_for("recap", (folder / RECAP).exists)
    daemon.wait_for_log(f"broken, chat of 2026-03-04 13:00 America/New_York: {url}: could not"
                        " fetch after 4 tries; the last one: the server answered 500")
    assert query(folder, "select schedule, status, attempts from runs order by schedule") == [
        ("broken", "failed", 1), ("solopr", "done", 1)]
    assert daemon.stop(signal.SIGINT) == (0, "")  # Ctrl+C
    assert "SIGINT received: stopping after the current step" in daemon.log()
    assert "Traceback" not in daemon.log()


def test_a_stop_during_a_fetch_waits_for_that_step_and_leaves_the_rest_pending(
    folder: Path, http_server: Server, daemons: Callable[..., Daemon]
) -> None:
    http_server.routes["/slow.jsonl"] = Route(body=TWARC2.read_bytes(), delay=3)
    write(folder, "solopr.toml", schedule_text(f'url = "{http_server.url("/slow.jsonl")}"'))
    daemon = daemons()
    daemon.wait_for("the fetch", lambda: http_server.hits.get("/slow.jsonl") == 1)
    assert daemon.stop() == (0, "")
    assert "waiting for 1 run(s) to finish their current step" in daemon.log()
    assert query(folder, "select status, error from runs") == [
        ("pending", "stopped before it finished; it runs again")]
    assert query(folder, "select count(*) from messages") == [(202,)]
    assert not (folder / RECAP).exists()


def test_sighup_loads_added_changed_and_removed_schedules(
    folder: Path, daemons: Callable[..., Daemon]
) -> None:
    write(folder, "first.toml", schedule_text(f'path = "{TWARC2}"', cron="0 13 1 1 *",
                                              since=None))
    daemon = daemons()
    daemon.wait_for_log("running 1 schedule(s)")
    write(folder, "solopr.toml", schedule_text(f'path = "{TWARC2}"'))
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for("recap of the added schedule", (folder / RECAP).exists)
    assert "SIGHUP received: reloading schedules" in daemon.log()
    daemon.wait_for_log("schedule solopr loaded from")
    write(folder, "first.toml", schedule_text(f'path = "{TWARC2}"', cron="0 25 1 1 *"))
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for_log("first.toml: key 'cron': '0 25 1 1 *' is not a valid cron expression")
    assert "keeping its last good version running" in daemon.log()
    (folder / "schedules" / "solopr.toml").unlink()
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_for_log("schedule solopr removed")
    assert daemon.stop() == (0, "")
    assert "Traceback" not in daemon.log()


def test_schedule_files_are_looked_at_periodically(
    folder: Path, daemons: Callable[..., Daemon]
) -> None:
    write(folder, "first.toml", schedule_text(f'path = "{TWARC2}"', cron="0 13 1 1 *",
                                              since=None))
    daemon = daemons("daemon", "--reload-every", "1", "--log-file", "run.log")
    log = folder / "run.log"
    daemon.wait_for("start", lambda: log.exists() and "running 1 schedule" in log.read_text())
    write(folder, "solopr.toml", schedule_text(f'path = "{TWARC2}"'))
    daemon.wait_for("recap of the added schedule", (folder / RECAP).exists, timeout=15)
    assert "schedule solopr loaded from" in log.read_text(encoding="utf-8")
    assert daemon.stop() == (0, "")
    assert daemon.log() == ""  # --log-file: nothing on stderr


def test_schedule_folder_keeps_the_last_good_version(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_to = tmp_path / "a.toml"
    write_to.write_text(schedule_text('path = "x.jsonl"'), encoding="utf-8")
    folder = ScheduleFolder(tmp_path)
    assert [s.name for s in folder.load()] == ["a"]
    assert folder.refresh() == ([], [])
    write_to.write_text(schedule_text('path = "x.jsonl"', cron="0 14 4 3 *"), encoding="utf-8")
    (changed,), removed = folder.refresh()
    assert (changed.cron, removed) == ("0 14 4 3 *", [])
    with caplog.at_level(logging.ERROR):
        write_to.write_text('hashtag = "solopr"\n', encoding="utf-8")
        assert folder.refresh() == ([], [])
        assert folder.refresh() == ([], [])  # an unchanged broken file is reported once
    assert caplog.text.count("a.toml: key 'timezone': is required; keeping its last good"
                             " version running") == 1
    assert folder.schedules["a"].cron == "0 14 4 3 *"
    (tmp_path / "b.toml").write_text("not = [toml", encoding="utf-8")
    assert folder.refresh() == ([], [])
    assert "b.toml: is not valid TOML" in caplog.text
    assert "not scheduled until it is fixed" in caplog.text
    write_to.unlink()
    assert folder.refresh() == ([], ["a"])
    assert folder.schedules == {}


def test_run_once_verbosity_from_the_group_or_the_command(folder: Path) -> None:
    write(folder, "solopr.toml", schedule_text(f'path = "{TWARC2}"'))
    args = ["run", str(folder / "archive.db"), "--schedules", str(folder / "schedules"),
            "--recaps", str(folder / "recaps"), "--once"]
    quiet = CliRunner().invoke(cli, args)
    assert (quiet.exit_code, quiet.stdout) == (0, f"{folder / RECAP}\n")
    assert quiet.stderr == ""
    for extra_before, extra_after in ((["-v"], []), ([], ["-v"])):
        (folder / "archive.db").unlink()
        result = CliRunner().invoke(cli, [*extra_before, *args, *extra_after])
        assert result.exit_code == 0
        assert "INFO chatarchive.runner: solopr: " in result.stderr
        assert "202 read, 202 new, 0 duplicate, 0 rejected" in result.stderr


def test_run_once_exits_1_when_a_chat_could_not_be_processed(
    folder: Path, http_server: Server
) -> None:
    http_server.routes["/missing.jsonl"] = Route(status=404, body=b"")
    write(folder, "solopr.toml", schedule_text(f'url = "{http_server.url("/missing.jsonl")}"'))
    result = CliRunner().invoke(cli, ["run", str(folder / "archive.db"), "--schedules",
                                      str(folder / "schedules"), "--recaps",
                                      str(folder / "recaps"), "--once"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert ("1 chat(s) could not be processed (solopr 2026-03-04T18:00:00.000Z)"
            in result.stderr)
    assert "the server answered 404 Not Found" in result.stderr


def once(folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "chatarchive", "run", "archive.db", "--schedules", "schedules",
         "--recaps", "recaps", "--once"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_hit(server: Server, path: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while server.hits.get(path) != 1:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_run_once_stops_after_the_current_step_on_sigterm(
    folder: Path, http_server: Server
) -> None:
    http_server.routes["/slow.jsonl"] = Route(body=TWARC2.read_bytes(), delay=2)
    write(folder, "solopr.toml", schedule_text(f'url = "{http_server.url("/slow.jsonl")}"'))
    process = once(folder)
    wait_for_hit(http_server, "/slow.jsonl", process)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert (process.returncode, out) == (0, "")
    assert "SIGTERM: stopped after the current step; the rest runs next time" in err
    assert "Traceback" not in err
    assert query(folder, "select status from runs") == [("pending",)]
    assert query(folder, "select count(*) from messages") == [(202,)]
    again = once(folder)  # the rest runs next time
    assert again.communicate(timeout=60)[0] == f"{RECAP}\n"
    assert query(folder, "select status from runs") == [("done",)]


def test_a_second_stop_signal_exits_at_once(folder: Path, http_server: Server) -> None:
    http_server.routes["/slow.jsonl"] = Route(body=TWARC2.read_bytes(), delay=30)
    write(folder, "solopr.toml", schedule_text(f'url = "{http_server.url("/slow.jsonl")}"'))
    process = once(folder)
    wait_for_hit(http_server, "/slow.jsonl", process)
    process.send_signal(signal.SIGINT)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)  # long before the 30 s answer
    assert process.returncode == 1
    assert err.endswith("SIGINT again: exiting without waiting for the current step\n")
    assert query(folder, "select status from runs") == [("running",)]


def test_an_unwritable_log_file_is_a_user_error(folder: Path) -> None:
    write(folder, "solopr.toml", schedule_text(f'path = "{TWARC2}"'))
    result = CliRunner().invoke(cli, ["run", str(folder / "archive.db"), "--schedules",
                                      str(folder / "schedules"), "--once", "--log-file",
                                      str(folder / "missing" / "run.log")])
    assert result.exit_code == 1
    assert f"--log-file {folder / 'missing' / 'run.log'} cannot be opened (No such file or" \
        " directory)" in result.stderr
