"""Composing the stages: chat ids, reassembly of existing chats, first-timers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from chatarchive import archive, jobs
from chatarchive.models import ChatWindow

from .factories import START, author, message, raw_export, record

HOST = author("kellyecrane", "Kelly Crane")
ANN = author("ann", "Ann Answer")


def chat_posts(offset: timedelta, first_id: int) -> list:
    minutes = offset.total_seconds() / 60
    return [
        message(first_id, HOST, "Q1: What is your rate? #solopr", minutes),
        message(first_id + 1, ANN, "A1: Value based and fair #solopr", minutes + 2,
                in_reply_to_id=f"twitter:{first_id}"),
        message(first_id + 2, HOST, "Q2: How do you say no? #solopr", minutes + 10),
        message(first_id + 3, ANN, "A2: Kindly, with a referral #solopr", minutes + 12),
    ]


def window(offset: timedelta) -> ChatWindow:
    return ChatWindow("solopr", START + offset, START + offset + timedelta(hours=1),
                      "America/New_York", hosts=("kellyecrane",))


def test_two_chats_on_one_day_get_distinct_ids(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    posts = chat_posts(timedelta(0), 100) + chat_posts(timedelta(hours=6), 200)
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc",
                 [record(m, i) for i, m in enumerate(posts)])
    first = jobs.assemble_window(db, window(timedelta(0)))
    second = jobs.assemble_window(db, window(timedelta(hours=6)))
    assert first is not None and second is not None
    assert (first.id, second.id) == ("solopr-2026-03-04", "solopr-2026-03-04-1900")
    # Assembling again (a late post) keeps each chat's id.
    again = jobs.assemble_window(db, window(timedelta(hours=6, minutes=5)))
    assert again is not None and again.id == "solopr-2026-03-04-1900"
    assert [c["id"] for c in archive.list_chats(db)] == [
        "solopr-2026-03-04-1900", "solopr-2026-03-04"]


def test_import_without_a_schedule_keeps_an_existing_chats_window(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    posts = chat_posts(timedelta(0), 100)
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc",
                 [record(m, i) for i, m in enumerate(posts)])
    scheduled = ChatWindow("solopr", START, START + timedelta(hours=1), "America/New_York",
                           "#solopr chat", "solopr", ("kellyecrane",))
    jobs.assemble_window(db, scheduled)
    windows = jobs.windows_near(db, "solopr", START, START + timedelta(minutes=12), None)
    assert [(w.chat_id, w.schedule, w.title) for w in windows] == [
        ("solopr-2026-03-04", "solopr", "#solopr chat")]
