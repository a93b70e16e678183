"""The derived side of the archive: chats, questions, attributions, chat participants, recaps.

Everything here is rebuilt from ``messages`` for a chat in one transaction, so a recap can
always be regenerated from the archive alone.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from ..errors import NotFoundError
from ..models import ANSWER, DISCUSSION, QUESTION, Chat, ChatWindow
from .store import from_iso, now_iso, to_iso, writing


def question_id(chat_id: str, number: int) -> str:
    """Return the archive id of question ``number`` of a chat."""
    return f"{chat_id}/q{number}"


def save_chat(db: Database, chat: Chat) -> None:
    """Replace every derived row of one chat, in one transaction."""
    window = chat.window
    answers = sum(1 for a in chat.attributions.values() if a.kind == ANSWER)
    with writing(db):
        _clear_chat(db, chat.id)
        db.table("chats").upsert(
            {
                "id": chat.id, "hashtag": window.hashtag, "title": window.title,
                "starts_at": to_iso(window.starts_at), "ends_at": to_iso(window.ends_at),
                "timezone": window.timezone, "schedule": window.schedule,
                "lookback_seconds": int(window.lookback.total_seconds()),
                "hosts": json.dumps(list(window.hosts)), "guests": json.dumps(list(window.guests)),
                "posts": len(chat.messages), "questions": len(chat.questions),
                "answers": answers, "participants": len(chat.participants),
                "assembled_at": now_iso(),
                "completeness": json.dumps(dict(chat.completeness), sort_keys=True, default=str),
                "complete": int(bool(chat.completeness.get("complete", True))),
            },
            pk="id",
        )
        db.conn.executemany(
            "insert into questions (id, chat_id, number, message_id, text, asked_at)"
            " values (?, ?, ?, ?, ?, ?)",
            [(question_id(chat.id, q.number), chat.id, q.number, q.message_id, q.text,
              to_iso(q.asked_at)) for q in chat.questions],
        )
        db.conn.executemany(
            "update messages set chat_id = ?, kind = ?, question_id = ?, confidence = ?"
            " where id = ?",
            [
                (chat.id, a.kind,
                 question_id(chat.id, a.question_number)
                 if a.question_number is not None and a.kind in (ANSWER, DISCUSSION, QUESTION)
                 else None,
                 a.confidence, message_id)
                for message_id, a in chat.attributions.items()
            ],
        )
        db.conn.executemany(
            "insert into chat_participants (chat_id, participant_id, role, posts, answers,"
            " first_time) values (?, ?, ?, ?, ?, ?)",
            [(chat.id, p.author.id, p.role, p.posts, p.answers, int(p.first_time))
             for p in chat.participants],
        )


def _clear_chat(db: Database, chat_id: str) -> None:
    db.execute("delete from questions where chat_id = ?", [chat_id])
    db.execute("delete from chat_participants where chat_id = ?", [chat_id])
    db.execute(
        "update messages set chat_id = null, kind = null, question_id = null, confidence = null"
        " where chat_id = ?",
        [chat_id],
    )


def chats_overlapping(
    db: Database, hashtag: str, start: datetime, end: datetime
) -> list[ChatWindow]:
    """The stored windows (with their ids) of a hashtag's chats that overlap [start, end]."""
    rows = db.table("chats").rows_where(
        "hashtag = ? and starts_at <= ? and ends_at >= ?",
        [hashtag.lower(), to_iso(end), to_iso(start)], order_by="starts_at")
    return [_window(row) for row in rows]


def chat_ids_on(db: Database, prefix: str) -> list[ChatWindow]:
    """The stored windows of chats whose id is ``prefix`` or ``prefix-<something>``."""
    rows = db.table("chats").rows_where("id = ? or id like ?", [prefix, prefix + "-%"])
    return [_window(row) for row in rows]


def chat_window(db: Database, chat_id: str) -> ChatWindow:
    """Return the stored window of a chat."""
    rows = list(db.table("chats").rows_where("id = ?", [chat_id]))
    if not rows:
        known = [r[0] for r in db.execute("select id from chats order by starts_at desc limit 5")]
        hint = f" Recent chats: {', '.join(known)}." if known else " The archive has no chats yet."
        raise NotFoundError(f"No chat '{chat_id}' in the archive.{hint} List them with"
                            " 'chatarchive chats ARCHIVE'.")
    return _window(rows[0])


def _window(row: dict[str, Any]) -> ChatWindow:
    return ChatWindow(
        hashtag=row["hashtag"], starts_at=from_iso(row["starts_at"]),
        ends_at=from_iso(row["ends_at"]), timezone=row["timezone"] or "UTC",
        title=row["title"] or "", schedule=row["schedule"],
        hosts=tuple(json.loads(row["hosts"] or "[]")),
        guests=tuple(json.loads(row["guests"] or "[]")),
        lookback=timedelta(seconds=row["lookback_seconds"] or 0), chat_id=row["id"],
    )


def list_chats(db: Database, hashtag: str | None = None) -> list[dict[str, Any]]:
    """Every chat (optionally of one hashtag), newest first."""
    where, params = ("hashtag = ?", [hashtag.lower().lstrip("#")]) if hashtag else (None, [])
    return list(
        db.table("chats").rows_where(
            where, params, order_by="starts_at desc",
            select="id, hashtag, title, starts_at, ends_at, timezone, questions, posts, answers,"
            " participants, complete, completeness",
        )
    )


def save_recap(db: Database, chat_id: str, markdown: str, path: str | None) -> tuple[int, bool]:
    """Store a recap; a new version only when the content changed. Returns (version, changed)."""
    digest = hashlib.sha256(markdown.encode()).hexdigest()
    with writing(db):
        row = db.execute(
            "select version, sha256, path from recaps where chat_id = ? order by version desc"
            " limit 1",
            [chat_id],
        ).fetchone()
        if row and row[1] == digest:
            if path and row[2] != path:
                db.execute("update recaps set path = ? where chat_id = ? and version = ?",
                           [path, chat_id, row[0]])
            return int(row[0]), False
        version = int(row[0]) + 1 if row else 1
        db.table("recaps").insert(
            {"chat_id": chat_id, "version": version, "generated_at": now_iso(), "path": path,
             "markdown": markdown, "sha256": digest}
        )
    return version, True
