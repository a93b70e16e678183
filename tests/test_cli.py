"""The command line on real files: exit codes, stdout data, stderr messages."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatarchive.cli import cli

from .conftest import FIXTURES, ROOT


def invoke(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_import_twarc2_collections_all_800_posts_once(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "a.db"
    files = sorted(str(p) for p in (shared_data / "twarc2-hashtag-collections").glob("*.jsonl"))
    code, _, err = invoke("import", str(db), *files)
    assert code == 0, err
    assert "Total: 800 read, 800 new, 0 duplicate, 0 rejected" in err
    assert count(db, "select count(*) from messages") == 800
    assert count(db, "select count(*) from messages m join participants p on p.id = m.author_id"
                     " where p.handle != '' and p.display_name != ''") == 800
    code, _, err = invoke("import", str(db), *files)
    assert code == 0
    assert "already imported, nothing new" in err
    assert count(db, "select count(*) from messages") == 800
    assert count(db, "select count(*) from imports") == 2


def test_import_keeps_good_lines_and_names_the_broken_one(
    tmp_path: Path, shared_data: Path
) -> None:
    db = tmp_path / "a.db"
    source = shared_data / "twarc-csv-fixtures" / "streaming_output_with_error.jsonl"
    code, _, err = invoke("import", str(db), str(source))
    assert code == 0
    assert "7 read, 7 new, 0 duplicate, 1 rejected" in err
    assert f"{source}, line 8:" in err
    assert count(db, "select count(*) from messages") == 7
    with sqlite3.connect(db) as conn:
        assert conn.execute("select location from import_errors").fetchall() == [("line 8",)]


def test_import_from_stdin(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "a.db"
    data = (shared_data / "twarc-csv-fixtures" / "flat.jsonl").read_bytes()
    code, _, err = invoke("import", str(db), "-", input=data)
    assert code == 0, err
    assert "-: twarc2: 100 read, 100 new" in err


def test_unknown_format_is_a_user_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes\n")
    code, _, err = invoke("import", str(tmp_path / "a.db"), str(notes))
    assert code == 1
    assert "could not recognise the format" in err
    assert "twarc2" in err
    assert "Traceback" not in err


def test_missing_source_is_a_user_error(tmp_path: Path) -> None:
    code, _, err = invoke("import", str(tmp_path / "a.db"), str(tmp_path / "nope.jsonl"))
    assert code == 1
    assert "no such file or folder" in err


def test_formats_lists_each_format() -> None:
    code, out, _ = invoke("formats")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert {"twarc", "twarc2", "tweets-js"} <= set(names)


@pytest.fixture
def demo_archive(tmp_path: Path) -> tuple[Path, Path]:
    db, recaps = tmp_path / "archive.db", tmp_path / "recaps"
    code, out, err = invoke("run", str(db), "--schedules", str(ROOT / "schedules"),
                            "--recaps", str(recaps), "--once")
    assert code == 0, err
    assert out.strip() == str(recaps / "solopr" / "solopr-2026-03-04.md")
    return db, recaps


def test_run_once_writes_the_demo_recap_and_chats_lists_it(demo_archive: tuple[Path, Path]) -> None:
    db, recaps = demo_archive
    code, out, _ = invoke("chats", str(db), "--json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["id"], r["hashtag"], r["questions"]) for r in rows] == [
        ("solopr-2026-03-04", "solopr", 6)]
    code, out, _ = invoke("recap", str(db), "solopr-2026-03-04", "-o", "-",
                          "--schedules", str(ROOT / "schedules"))
    assert code == 0
    written = (recaps / "solopr" / "solopr-2026-03-04.md").read_text(encoding="utf-8")
    assert out == written
    golden = FIXTURES / "solopr" / "recap.golden.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(written, encoding="utf-8")
    assert written == golden.read_text(encoding="utf-8")


def test_run_once_twice_writes_no_new_recap_version(demo_archive: tuple[Path, Path]) -> None:
    db, recaps = demo_archive
    code, out, _ = invoke("run", str(db), "--schedules", str(ROOT / "schedules"),
                          "--recaps", str(recaps), "--once")
    assert code == 0
    assert out == ""
    assert count(db, "select count(*) from recaps") == 1


def test_recap_of_unknown_chat(tmp_path: Path) -> None:
    code, _, err = invoke("recap", str(tmp_path / "a.db"), "solopr-1999-01-01")
    assert code == 1
    assert "No chat 'solopr-1999-01-01'" in err


def test_bad_schedule_folder_exits_1(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('hashtag = "x"\n')
    code, _, err = invoke("run", str(tmp_path / "a.db"), "--schedules", str(tmp_path), "--once")
    assert code == 1
    assert "bad.toml: key 'timezone': is required" in err


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert command.help, name
        assert f"chatarchive {name}" in readme, name
        code, out, _ = invoke(name, "--help")
        assert code == 0 and "Usage:" in out


def test_python_dash_m_and_console_script_start() -> None:
    done = subprocess.run([sys.executable, "-m", "chatarchive", "--version"],
                          capture_output=True, text=True, check=True)
    assert "0.1.0" in done.stdout


def test_import_generic_csv_with_a_column_mapping(tmp_path: Path, shared_data: Path) -> None:
    db = tmp_path / "a.db"
    source = shared_data / "cancerchat-topsy-2014" / "Tweets_CancerChat_full.csv"
    code, _, err = invoke("import", str(db), str(source), "--format", "csv",
                          "--column", "text=content", "--column", "author=trackback_author_nick",
                          "--column", "id=id", "--column", "date=firstpost_date")
    assert code == 0, err
    assert "csv: 156 read, 156 new, 0 duplicate, 0 rejected" in err
    assert count(db, "select count(*) from messages where created_at like '2014-06-19%'") == 101
    code, _, err = invoke("import", str(db), str(source), "--column", "text")
    assert code == 2
    assert "should read KEY=COLUMN" in err


def test_capture_note_summarises_completeness() -> None:
    from chatarchive.cli import _capture_note

    assert _capture_note({}) == "complete"
    assert _capture_note({"missing_questions": [3, 5], "answers_without_question": 2,
                          "gaps": [{"from": "a", "to": "b", "minutes": 14}],
                          "replies_to_missing": 4}) == (
        "missing Q3, Q5; 2 answers to no question; 1 silent gap; 4 replies to posts not captured")
