"""The read side: a real Datasette over a real archive, and a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlite_utils import Database

from chatarchive import archive, serve
from chatarchive.errors import ChatArchiveError
from chatarchive.models import (
    ANSWER,
    COMMENT,
    DISCUSSION,
    GUEST,
    HOST,
    PARTICIPANT,
    QUESTION,
    REPOST,
    Attribution,
    Chat,
    ChatParticipant,
    ChatWindow,
    Message,
    Question,
)

from .factories import START, author, message, raw_export, record

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")

KELLY = author("kellyecrane", "Kelly Crane")
KAT = author("katfrench", "Kat French")
SAM = author("samlee", "Sam Lee")
WEEK = -7 * 24 * 60  # minutes: the chat a week before START
CHAT = "solopr-2026-03-04"
EARLIER = "solopr-2026-02-25"
RECAP = "# #solopr recap\n\n**Kat French** (guest): Referrals from past clients, every time\n"


def posts() -> list[Message]:
    return [
        message(201, KELLY, "Q1: What is your best tool? #solopr", WEEK),
        message(202, KAT, "A1: A good calendar #solopr", WEEK + 2),
        message(101, KELLY, "Welcome to #solopr! Intros please", 0),
        message(102, KELLY, "Q1: How do you find new clients? #solopr", 2),
        message(103, KAT, "A1: Referrals from past clients, every time #solopr", 3),
        message(104, SAM, "A1: LinkedIn and a newsletter #solopr", 4),
        message(105, SAM, "@katfrench referrals beat cold pitches", 5, hashtags=(),
                in_reply_to_id="twitter:103"),
        message(106, KELLY, "Q2: How do you set your rates? #solopr", 20),
        message(107, KAT, "A2: Project rates, never hourly #solopr", 22),
        message(108, SAM, "RT @katfrench: A2: Project rates, never hourly", 23, hashtags=(),
                repost_of_id="twitter:107"),
        message(109, KAT, "A2: Raise rates for new clients first #solopr", 25),
        message(110, KELLY, "Thanks everyone! See you next week #solopr", 58),
        message(301, SAM, "Talking rates again today #prchat", 120, hashtags=("prchat",)),
    ]


KINDS: dict[int, tuple[str, int | None]] = {
    201: (QUESTION, 1), 202: (ANSWER, 1),
    101: (COMMENT, None), 102: (QUESTION, 1), 103: (ANSWER, 1), 104: (ANSWER, 1),
    105: (DISCUSSION, 1), 106: (QUESTION, 2), 107: (ANSWER, 2), 108: (REPOST, None),
    109: (ANSWER, 2), 110: (COMMENT, None),
}


def chat(chat_id: str, by_id: dict[int, Message], ids: list[int], minute: int,
         people: tuple[ChatParticipant, ...]) -> Chat:
    window = ChatWindow(hashtag="solopr", starts_at=START + timedelta(minutes=minute),
                        ends_at=START + timedelta(minutes=minute + 60),
                        timezone="America/New_York", title="#solopr chat",
                        hosts=("kellyecrane",))
    questions = tuple(
        Question(number=n, message_id=by_id[i].id, text=by_id[i].text.split(": ", 1)[1],
                 asked_at=by_id[i].created_at, author_id=KELLY.id)
        for i in ids for kind, n in [KINDS[i]] if kind == QUESTION and n is not None
    )
    attributions = {by_id[i].id: Attribution(KINDS[i][0], KINDS[i][1], 0.9 if i == 104 else 1.0)
                    for i in ids}
    return Chat(id=chat_id, window=window, messages=tuple(by_id[i] for i in ids),
                questions=questions, attributions=attributions, participants=people)


def build(path: Path) -> Database:
    """A real archive: two #solopr chats, one #prchat post, one recap."""
    db = archive.open_archive(path)
    messages = posts()
    archive.save(db, raw_export(path.parent / "export.jsonl", "c" * 64), "twarc",
                 [record(m, n + 1) for n, m in enumerate(messages)])
    by_id = {int(m.native_id): m for m in messages}
    archive.save_chat(db, chat(EARLIER, by_id, [201, 202], WEEK, (
        ChatParticipant(KELLY, HOST, posts=1, answers=0, first_time=True),
        ChatParticipant(KAT, PARTICIPANT, posts=1, answers=1, first_time=True),
    )))
    archive.save_chat(db, chat(CHAT, by_id, list(range(101, 111)), 0, (
        ChatParticipant(KELLY, HOST, posts=4, answers=0, first_time=False),
        ChatParticipant(KAT, GUEST, posts=3, answers=3, first_time=False),
        ChatParticipant(SAM, PARTICIPANT, posts=3, answers=1, first_time=True),
    )))
    archive.save_recap(db, CHAT, RECAP, "recaps/solopr/2026-03-04.md")
    return db


@dataclass
class Served:
    path: Path
    db: Database  # the writer's connection, left open as a running scheduler would


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    path = tmp_path / "solopr.db"
    db = build(path)
    try:
        yield Served(path, db)
    finally:
        db.close()


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def get_json(path: Path, *urls: str) -> list[Any]:
    ds = serve.app(path)
    await ds.invoke_startup()
    results = []
    for url in urls:
        response = await ds.client.get(url)
        assert response.status_code == 200, (url, response.text[:300])
        results.append(response.json())
    return results


def query(path: Path, name: str, params: str = "") -> list[dict[str, Any]]:
    urls = f"/solopr/{name}.json?_shape=array&{params}"
    rows: list[dict[str, Any]] = run(get_json(path, urls))[0]
    return rows


def url(native_id: int, handle: str) -> str:
    return f"https://twitter.com/{handle}/status/{native_id}"


def test_chats_overview_lists_every_chat_newest_first(served: Served) -> None:
    assert query(served.path, "chats_overview") == [
        {"chat_id": CHAT, "hashtag": "solopr", "title": "#solopr chat",
         "starts_at": "2026-03-04T18:00:00.000Z", "ends_at": "2026-03-04T19:00:00.000Z",
         "timezone": "America/New_York", "questions": 2, "posts": 10, "answers": 4,
         "participants": 3, "recap_versions": 1},
        {"chat_id": EARLIER, "hashtag": "solopr", "title": "#solopr chat",
         "starts_at": "2026-02-25T18:00:00.000Z", "ends_at": "2026-02-25T19:00:00.000Z",
         "timezone": "America/New_York", "questions": 1, "posts": 2, "answers": 1,
         "participants": 2, "recap_versions": 0},
    ]


def test_chat_transcript_is_every_message_in_order(served: Served) -> None:
    rows = query(served.path, "chat_transcript", f"chat_id={CHAT}")
    assert [(r["author"], r["kind"], r["question"], r["text"]) for r in rows] == [
        ("kellyecrane", "comment", None, "Welcome to #solopr! Intros please"),
        ("kellyecrane", "question", 1, "Q1: How do you find new clients? #solopr"),
        ("katfrench", "answer", 1, "A1: Referrals from past clients, every time #solopr"),
        ("samlee", "answer", 1, "A1: LinkedIn and a newsletter #solopr"),
        ("samlee", "discussion", 1, "@katfrench referrals beat cold pitches"),
        ("kellyecrane", "question", 2, "Q2: How do you set your rates? #solopr"),
        ("katfrench", "answer", 2, "A2: Project rates, never hourly #solopr"),
        ("samlee", "repost", None, "RT @katfrench: A2: Project rates, never hourly"),
        ("katfrench", "answer", 2, "A2: Raise rates for new clients first #solopr"),
        ("kellyecrane", "comment", None, "Thanks everyone! See you next week #solopr"),
    ]
    assert rows[0] == {"created_at": "2026-03-04T18:00:00.000Z", "author": "kellyecrane",
                       "name": "Kelly Crane", "kind": "comment", "question": None,
                       "text": "Welcome to #solopr! Intros please",
                       "url": url(101, "kellyecrane"), "id": "twitter:101"}


def test_answers_to_question_are_the_answers_only(served: Served) -> None:
    assert query(served.path, "answers_to_question", f"chat_id={CHAT}&number=1") == [
        {"author": "katfrench", "name": "Kat French",
         "text": "A1: Referrals from past clients, every time #solopr", "confidence": 1.0,
         "url": url(103, "katfrench"), "created_at": "2026-03-04T18:03:00.000Z",
         "id": "twitter:103"},
        {"author": "samlee", "name": "Sam Lee", "text": "A1: LinkedIn and a newsletter #solopr",
         "confidence": 0.9, "url": url(104, "samlee"), "created_at": "2026-03-04T18:04:00.000Z",
         "id": "twitter:104"},
    ]
    second = query(served.path, "answers_to_question", f"chat_id={CHAT}&number=2")
    assert [r["id"] for r in second] == ["twitter:107", "twitter:109"]
    assert query(served.path, "answers_to_question", f"chat_id={EARLIER}&number=2") == []


def test_participant_question_matrix_counts_answers_per_question(served: Served) -> None:
    rows = query(served.path, "participant_question_matrix", f"chat_id={CHAT}")
    zeros = {f"q{n}": 0 for n in range(3, 11)}
    assert rows == [
        {"author": "katfrench", "name": "Kat French", "role": "guest", "q1": 1, "q2": 2,
         **zeros, "answers": 3},
        {"author": "samlee", "name": "Sam Lee", "role": "participant", "q1": 1, "q2": 0,
         **zeros, "answers": 1},
        {"author": "kellyecrane", "name": "Kelly Crane", "role": "host", "q1": 0, "q2": 0,
         **zeros, "answers": 0},
    ]


def test_participant_history_takes_the_handle_with_or_without_at(served: Served) -> None:
    expected = [
        {"chat_id": CHAT, "title": "#solopr chat", "starts_at": "2026-03-04T18:00:00.000Z",
         "platform": "twitter", "handle": "katfrench", "role": "guest", "posts": 3,
         "answers": 3, "first_time": 0},
        {"chat_id": EARLIER, "title": "#solopr chat", "starts_at": "2026-02-25T18:00:00.000Z",
         "platform": "twitter", "handle": "katfrench", "role": "participant", "posts": 1,
         "answers": 1, "first_time": 1},
    ]
    assert query(served.path, "participant_history", "handle=katfrench") == expected
    assert query(served.path, "participant_history", "handle=%40KatFrench") == expected
    assert query(served.path, "participant_history", "handle=nobody") == []


def test_search_hashtag_is_stemmed_and_restricted_to_the_hashtag(served: Served) -> None:
    rows = query(served.path, "search_hashtag", "hashtag=%23solopr&q=rate")
    # 108 (a retweet without the hashtag) and 301 (#prchat) also say "rates".
    assert [(r["chat_id"], r["id"], r["author"], r["kind"]) for r in rows] == [
        (CHAT, "twitter:106", "kellyecrane", "question"),
        (CHAT, "twitter:107", "katfrench", "answer"),
        (CHAT, "twitter:109", "katfrench", "answer"),
    ]
    assert rows[1]["url"] == url(107, "katfrench")
    other = query(served.path, "search_hashtag", "hashtag=prchat&q=rates")
    assert [(r["chat_id"], r["id"], r["text"]) for r in other] == [
        (None, "twitter:301", "Talking rates again today #prchat")]


def test_views_join_authors_and_questions(served: Served) -> None:
    rows = query(served.path, "messages_detail", f"chat_id={EARLIER}&_sort=created_at")
    assert [(r["id"], r["author_handle"], r["kind"], r["question_number"], r["question_text"])
            for r in rows] == [
        ("twitter:201", "kellyecrane", "question", 1, "What is your best tool? #solopr"),
        ("twitter:202", "katfrench", "answer", 1, "What is your best tool? #solopr"),
    ]
    people = query(served.path, "chat_participants_detail", f"chat_id={CHAT}&_sort=handle")
    assert [(r["handle"], r["display_name"], r["role"], r["posts"]) for r in people] == [
        ("katfrench", "Kat French", "guest", 3), ("kellyecrane", "Kelly Crane", "host", 4),
        ("samlee", "Sam Lee", "participant", 3)]


def test_metadata_is_placed_under_the_archive_name(served: Served) -> None:
    bundled = serve.metadata()
    assert list(bundled["databases"]) == ["archive"]
    placed = serve.metadata_for("solopr")
    assert list(placed["databases"]) == ["solopr"]
    assert placed["databases"]["solopr"] == bundled["databases"]["archive"]
    assert not any(q.get("write") for q in bundled["databases"]["archive"]["queries"].values())
    shown, tables = run(get_json(served.path, "/-/metadata.json", "/solopr.json"))
    assert shown["title"] == "chatarchive"
    assert shown["databases"]["solopr"]["tables"]["chats"]["title"] == "Chats"
    assert sorted(shown["databases"]["solopr"]["queries"]) == [
        "answers_to_question", "chat_transcript", "chats_overview",
        "participant_history", "participant_question_matrix", "search_hashtag"]
    hidden = sorted(t["name"] for t in tables["tables"] if t["hidden"])
    assert hidden == ["_sqlite_migrations", "messages_fts", "messages_fts_config",
                      "messages_fts_data", "messages_fts_docsize", "messages_fts_idx"]


def test_tables_sort_facet_and_label_as_configured(served: Served) -> None:
    chats, messages, cps = run(get_json(
        served.path, "/solopr/chats.json?_shape=objects",
        "/solopr/messages.json?_shape=objects&_col=kind&_facet=kind&_facet=chat_id",
        "/solopr/chat_participants.json?_shape=objects&_labels=on&chat_id=" + EARLIER,
    ))
    assert [r["id"] for r in chats["rows"]] == [CHAT, EARLIER]
    assert chats["facet_results"]["hashtag"]["results"][0]["value"] == "solopr"
    assert [r["id"] for r in messages["rows"]][:3] == ["twitter:201", "twitter:202", "twitter:101"]
    kinds = {f["value"]: f["count"] for f in messages["facet_results"]["kind"]["results"]}
    assert kinds == {"answer": 5, "question": 3, "comment": 2, "discussion": 1, "repost": 1}
    chat_ids = {f["value"]: f["count"] for f in messages["facet_results"]["chat_id"]["results"]}
    assert chat_ids == {CHAT: 10, EARLIER: 2}
    assert [(r["participant_id"]["label"], r["chat_id"]["label"]) for r in cps["rows"]] == [
        ("Kelly Crane", "#solopr chat"), ("Kat French", "#solopr chat")]
    assert {f["value"] for f in cps["facet_results"]["role"]["results"]} == {"host",
                                                                           "participant"}
    # No facets are suggested: on a large archive that alone took seconds per table page.
    assert messages["suggested_facets"] == []


def test_recap_markdown_is_rendered(served: Served) -> None:
    async def page() -> str:
        ds = serve.app(served.path)
        await ds.invoke_startup()
        response = await ds.client.get(f"/solopr/recaps/{CHAT},1")
        assert response.status_code == 200
        return response.text

    html = run(page())
    assert "<h1>#solopr recap</h1>" in html
    assert "<strong>Kat French</strong> (guest): Referrals from past clients" in html
    assert "**Kat French**" not in html


def test_archive_is_read_only_yet_shows_new_posts(served: Served) -> None:
    async def attempts() -> tuple[int, str, int, int]:
        ds = serve.app(served.path)
        await ds.invoke_startup()
        database = ds.databases["solopr"]
        insert = await ds.client.get(
            "/solopr.json?sql=insert+into+chats+(id)+values+('x')&_shape=array")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await database.execute("delete from chats")
        # The scheduler's connection writes a late post while the server runs.
        archive.save(served.db, raw_export(served.path.parent / "late.jsonl", "d" * 64),
                     "twarc", [record(message(111, SAM, "A2: late answer #solopr", 70), 1)])
        count = (await database.execute("select count(*) from messages")).single_value()
        chats = (await database.execute("select count(*) from chats")).single_value()
        return insert.status_code, insert.text, count, chats

    status, body, count, chats = run(attempts())
    assert status == 400
    assert "Statement must be a SELECT" in body
    assert (count, chats) == (14, 2)  # the writer's uncheckpointed post is seen


def test_readers_map_the_archive_into_memory(served: Served) -> None:
    async def settings() -> tuple[int, list[str]]:
        serve.app(served.path)  # a second server in the same process adds no second hook
        ds = serve.app(served.path)
        await ds.invoke_startup()
        mapped = (await ds.databases["solopr"].execute("pragma mmap_size")).single_value()
        plugins = (await ds.client.get("/-/plugins.json")).json()
        return mapped, [p["name"] for p in plugins if "prepare_connection" in p["hooks"]]

    mapped, hooked = run(settings())
    assert mapped > 0  # SQLite's build caps it: 2 GB in Python's
    assert mapped <= serve.READ_MMAP_BYTES
    assert hooked == ["chatarchive.serve"]


def test_missing_or_foreign_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ChatArchiveError, match=r"nope\.db: no such archive"):
        serve.app(tmp_path / "nope.db")
    with pytest.raises(ChatArchiveError, match=r"nope\.db: no such archive"):
        serve.serve(tmp_path / "nope.db", port=0)
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    with pytest.raises(ChatArchiveError, match="cannot be read as an archive"):
        serve.serve(text, port=0)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table messages (id text)").connection.close()
    with pytest.raises(ChatArchiveError,
                       match="not a chatarchive archive \\(no chats, participants, questions"):
        serve.serve(other, port=0)


def test_busy_port_is_a_clear_error(served: Served) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ChatArchiveError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve.serve(served.path, "127.0.0.1", port)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_cli_serves_over_http(served: Served) -> None:
    port = free_port()
    command = [sys.executable, "-m", "chatarchive", "serve", str(served.path), "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        response = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/-/versions.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response is not None, process.communicate(timeout=5)[1].decode()[-2000:]
        assert response.status_code == 200
        assert response.json()["datasette"]["version"].startswith("0.65.")
        rows = httpx.get(f"http://127.0.0.1:{port}/solopr/chats_overview.json?_shape=array",
                         timeout=5).json()
        assert [r["chat_id"] for r in rows] == [CHAT, EARLIER]
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert out == b""  # logs go to stderr, never stdout
