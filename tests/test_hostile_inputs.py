"""Hostile inputs: every file in tests/hostile gives a clear error or is read safely.

Each case is imported with the CLI: a file no format can read exits 1 with a message naming the
file and no traceback; a readable one keeps every good record beside the bad ones and names each
rejected record. Nothing is written anywhere but the archive (the case's folder and the temp dir
are compared before and after). Hostile text (Markdown, HTML, front matter, template syntax)
reaches the recap escaped, and a recap file never lands outside the recaps folder.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from markdown_it import MarkdownIt

from chatarchive import archive, jobs
from chatarchive.cli import cli
from chatarchive.errors import ScheduleError
from chatarchive.schedules import load_schedule
from chatarchive.sources import spool

from .conftest import ROOT
from .hostile.make_hostile import HOSTILE_NAMES, INJECTIONS, Case, cases, write_long_line

CASES = cases()
ARCHIVE_FILES = {"a.db", "a.db-wal", "a.db-shm"}


def test_there_are_at_least_forty_hostile_files() -> None:
    assert len(CASES) >= 40
    assert sum(case.error is not None for case in CASES) >= 15
    assert sum(case.rejected > 0 for case in CASES) >= 15


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private temp dir (and spool) for the command, to see that it leaves nothing there."""
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setattr(spool, "SPOOL", folder / "chatarchive")
    yield folder


def tree(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: exactly what must never happen
    return result.exit_code, result.stdout, result.stderr


def counts(db: Path) -> tuple[int, int, list[str]]:
    with sqlite3.connect(db) as conn:
        messages = conn.execute("select count(*) from messages").fetchone()[0]
        errors = conn.execute("select count(*) from import_errors").fetchone()[0]
        statuses = [row[0] for row in conn.execute("select status from imports order by id")]
    return int(messages), int(errors), statuses


def import_case(case: Case, folder: Path) -> tuple[Path, Path, int, str]:
    """Write a case into its own folder and import it: (file, archive, exit code, stderr)."""
    folder.mkdir()
    path = folder / case.name
    path.write_bytes(case.data)
    db = folder / "a.db"
    code, _, err = invoke("import", str(db), str(path), *case.args())
    return path, db, code, err


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_file_gives_a_clear_error_or_keeps_the_good_records(
    case: Case, tmp_path: Path, temp_dir: Path
) -> None:
    path, db, code, err = import_case(case, tmp_path / "case")
    assert "Traceback" not in err
    if case.error is not None:
        assert code == 1, err
        assert f"\nError: {path}: " in "\n" + err, err
        assert case.error in err
        assert not db.exists() or counts(db)[:2] == (0, 0)
    else:
        assert code == 0, err
        assert counts(db) == (case.new, case.rejected, ["done"])
        assert f"{path}: " in err
        assert f"{case.new} new" in err and f"{case.rejected} rejected" in err
        if case.reason is not None:
            assert f"  {path}, {case.reason}" in err
    assert tree(tmp_path / "case") <= {case.name} | ARCHIVE_FILES
    assert tree(temp_dir) <= {"chatarchive"}


ERROR_CASES = [case for case in CASES if case.error is not None]


def test_a_file_that_cannot_be_read_leaves_no_running_import(tmp_path: Path) -> None:
    leftovers = []
    for number, case in enumerate(ERROR_CASES):
        _, db, code, _ = import_case(case, tmp_path / str(number))
        assert code == 1
        if db.exists() and "running" in counts(db)[2]:
            leftovers.append(case.name)
    assert leftovers == []


def test_a_broken_file_in_a_folder_is_skipped_and_the_rest_archived(
    tmp_path: Path, temp_dir: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    picked = {"random.bin", "utf16.csv", "nul-only.jsonl", "twarc-bad-line.jsonl",
              "bomb.zip", "twarc-lone-surrogate.jsonl"}
    for case in CASES:
        if case.name in picked:
            (folder / case.name).write_bytes(case.data)
    db = tmp_path / "a.db"
    code, _, err = invoke("import", str(db), str(folder))
    assert code == 0, err
    assert err.count("skipped, not an export format chatarchive reads") == 3
    # The bad-line file and the surrogate file share three posts: duplicates, not lost.
    assert "Total: 32 read, 29 new, 3 duplicate, 2 rejected" in err
    assert counts(db) == (29, 2, ["done", "done", "done"])


def test_the_cli_process_never_shows_a_traceback(tmp_path: Path) -> None:
    by_name = {case.name: case for case in CASES}
    for name in ("twarc-deep-nesting.jsonl", "random.bin", "zip-slip.zip",
                 "twarc-huge-numbers.jsonl"):
        case = by_name[name]
        path = tmp_path / name
        path.write_bytes(case.data)
        done = subprocess.run(
            [sys.executable, "-m", "chatarchive", "import", str(tmp_path / "a.db"), str(path),
             *case.args()], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
        assert done.returncode == (1 if case.error else 0), done.stderr
        assert "Traceback" not in done.stderr


def test_lone_surrogates_and_huge_counts_are_stored_safely(tmp_path: Path,
                                                            temp_dir: Path) -> None:
    by_name = {case.name: case for case in CASES}
    _, db, code, err = import_case(by_name["twarc-lone-surrogate.jsonl"], tmp_path / "s")
    assert code == 0, err
    with sqlite3.connect(db) as conn:
        texts = {row[0] for row in conn.execute("select text from messages")}
        names = {row[0] for row in conn.execute("select display_name from participants")}
    assert "A1: half a pair \ufffd here #solopr" in texts
    assert "Lone \ufffd Name" in names
    _, db, code, err = import_case(by_name["twarc-huge-numbers.jsonl"], tmp_path / "h")
    assert code == 0, err
    assert "ignoring a like or repost count beyond 9223372036854775807" in err
    with sqlite3.connect(db) as conn:
        assert conn.execute("select like_count, repost_count from messages where like_count"
                            " is null").fetchall() == [(None, -5)]


# 50 MB on one line: a JSON line too long to be a record is skipped without being held.

LONG_CASES = [
    ("tweet", "huge.jsonl", ["--format", "twarc"], "line 1: the line is 52,428,800 bytes long"),
    ("garbage", "garbage.jsonl", ["--format", "twarc"], "line 1: the line is 52,428,800 bytes"),
    ("csv", "huge.csv", [], "row 1 (line 2): unreadable CSV: field larger than field limit"),
]
PEAK_RSS_MB = {"tweet": 250, "garbage": 250, "csv": 350}


@pytest.mark.parametrize(("kind", "name", "args", "reason"), LONG_CASES,
                         ids=[kind for kind, *_ in LONG_CASES])
def test_a_50_mb_line_is_rejected_in_bounded_memory(tmp_path: Path, kind: str, name: str,
                                                    args: list[str], reason: str) -> None:
    path = write_long_line(tmp_path / name, kind)
    assert path.stat().st_size == 50 * 1024 * 1024
    db = tmp_path / "a.db"
    # The peak memory of the import process itself, printed as it exits: VmHWM, as ru_maxrss
    # also counts the memory of the process that started it (this test run's).
    probe = ("import atexit, re, sys\n"
             "def peak():\n"
             "    with open('/proc/self/status') as status:\n"
             "        print('peak', re.search(r'VmHWM:\\s*(\\d+)', status.read())[1],"
             " file=sys.stderr)\n"
             "atexit.register(peak)\n"
             "from chatarchive.cli import main; sys.argv[0] = 'chatarchive'; main()")
    done = subprocess.run([sys.executable, "-c", probe, "import", str(db), str(path), *args],
                          capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert f"{path}, {reason}" in done.stderr
    peak_kb = int(re.findall(r"^peak (\d+)$", done.stderr, re.MULTILINE)[0])
    assert peak_kb < PEAK_RSS_MB[kind] * 1024, peak_kb
    with sqlite3.connect(db) as conn:
        kept = conn.execute("select count(*) from messages").fetchone()[0]
    assert kept == (1 if kind == "csv" else 0)  # the short row after the long one is kept


# Hostile text reaches the recap escaped.


def front_matter(markdown: str) -> tuple[dict[str, Any], str]:
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", markdown, re.DOTALL)
    assert match, markdown[:200]
    return yaml.safe_load(match.group(1)), match.group(2)


def walk(tokens: list[Any]) -> Iterator[Any]:
    for token in tokens:
        yield token
        yield from walk(token.children or [])


@pytest.fixture
def injected(tmp_path: Path, temp_dir: Path) -> str:
    """The recap of the #solopr chat whose answers and names are all hostile markup."""
    by_name = {case.name: case for case in CASES}
    _, db, code, err = import_case(by_name["twarc-injection.jsonl"], tmp_path / "inj")
    assert code == 0, err
    code, out, err = invoke("recap", str(db), "solopr-2026-03-04",
                            "--schedules", str(tmp_path / "none"))
    assert code == 0, err
    return out


def test_front_matter_holds_only_the_recaps_own_keys(injected: str) -> None:
    meta, _ = front_matter(injected)
    assert sorted(meta) == ["answers", "chat_id", "complete", "date", "hashtag", "participants",
                            "posts", "questions", "reposts", "tags", "title", "topic"]
    assert meta["chat_id"] == "solopr-2026-03-04"
    assert "pwned" not in str(meta) and "admin" not in str(meta)


def test_hostile_markup_renders_as_text(injected: str) -> None:
    _, body = front_matter(injected)
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    tokens = list(walk(md.parse(body)))
    kinds = {token.type for token in tokens}
    assert not kinds & {"html_inline", "html_block", "fence", "code_block", "table_open",
                        "hr", "image", "s_open", "code_inline"}
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [t.tag for t in headings] == ["h1"] + ["h2"] * (len(headings) - 1)
    hrefs = [t.attrs["href"] for t in tokens if t.type == "link_open"]
    assert hrefs and all(str(h).startswith("https://") for h in hrefs)
    html = md.render(body)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html.lower()
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    assert "{{ 7*7 }}" in text  # shown as written: never evaluated to 49
    # Quoted answers (the quotes chosen hold these four) and every hostile name, shown literally.
    for payload in (INJECTIONS[0], INJECTIONS[1], INJECTIONS[2], INJECTIONS[4]):
        assert " ".join(payload.split()) in text, payload
    for name in HOSTILE_NAMES:
        assert " ".join(name.split()) in text, name


# A recap file never lands outside the recaps folder.


def chat_of(tmp_path: Path, name: str) -> tuple[archive.Archive, str]:
    by_name = {case.name: case for case in CASES}
    _, db, code, err = import_case(by_name[name], tmp_path / "chat")
    assert code == 0, err
    chat_id = err.rsplit("chat(s) assembled: ", 1)[1].strip()
    return archive.open_archive(db), chat_id


def inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@pytest.mark.parametrize("name", ["csv-hashtag-slash.csv", "csv-hashtag-path.csv"])
def test_a_hashtag_cell_with_path_characters_is_no_hashtag(tmp_path: Path, name: str) -> None:
    by_name = {case.name: case for case in CASES}
    _, db, code, err = import_case(by_name[name], tmp_path / "chat")
    assert code == 0, err
    with sqlite3.connect(db) as conn:
        tags = {row[0] for row in conn.execute("select distinct hashtag from message_hashtags")}
        chats = [row[0] for row in conn.execute("select id from chats")]
    assert not any(set(tag) & set("/.\\") for tag in tags), tags
    assert not any(set(chat) & set("/\\") for chat in chats), chats


@pytest.mark.parametrize("chat_id", ["a/b-2026-03-04", "../../../escaped-2026-03-04",
                                     "/etc/passwd", ".hidden", "..", "a\\b"])
def test_recap_paths_stay_inside_the_recaps_folder(tmp_path: Path, chat_id: str) -> None:
    # Deep enough that an escape would still land inside tmp_path.
    recaps = tmp_path / "1" / "2" / "3" / "4" / "5" / "6" / "recaps"
    for folder in ("solopr", "../../..", "/abs/olute", "a/../../b"):
        path = jobs.recap_path(recaps, folder, chat_id)
        assert inside(path, recaps), (folder, chat_id, path)
        assert path.name.endswith(".md") and not path.name.startswith(".")


def test_a_schedule_recap_dir_stays_inside_the_recaps_folder(tmp_path: Path,
                                                             temp_dir: Path) -> None:
    _db, chat_id = chat_of(tmp_path, "twarc-injection.jsonl")
    source = (ROOT / "schedules" / "solopr.toml").read_text(encoding="utf-8")
    schedule_file = tmp_path / "schedules" / "solopr.toml"
    schedule_file.parent.mkdir()
    schedule_file.write_text(source.replace('dir = "solopr"', 'dir = "../../outside"'),
                             encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"recap\.dir.*must stay inside"):
        load_schedule(schedule_file)
    recaps = tmp_path / "x" / "y" / "recaps"
    path = jobs.recap_path(recaps, "../../outside/../..", chat_id)
    assert inside(path, recaps), path
