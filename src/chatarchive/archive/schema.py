"""The archive's schema, as an append-only list of migrations recorded in the database.

Never edit an applied migration: add a new one. Existing archives are upgraded on open.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("chatarchive")

# Columns full-text search covers; built once and kept current by triggers.
FTS_COLUMNS = ["text"]


@migrations()
def m001_initial(db: Database) -> None:
    """Create the tables of DESIGN.md §4, plus sightings (raw records) and fetch state."""
    db.table("imports").create(
        {
            "id": int, "source": str, "name": str, "format": str, "sha256": str,
            "started_at": str, "finished_at": str, "status": str,
            "read": int, "new": int, "duplicate": int, "rejected": int,
        },
        pk="id",
    )
    db.table("imports").create_index(["sha256"])
    db.table("import_errors").create(
        {"id": int, "import_id": int, "source": str, "location": str, "reason": str,
         "snippet": str},
        pk="id", foreign_keys=[("import_id", "imports", "id")],
    )
    db.table("participants").create(
        {"id": str, "platform": str, "handle": str, "display_name": str, "url": str}, pk="id"
    )
    db.table("participants").create_index(["handle"])
    db.table("messages").create(
        {
            "id": str, "platform": str, "native_id": str, "author_id": str, "text": str,
            "created_at": str, "url": str, "in_reply_to_id": str, "quoted_id": str,
            "repost_of_id": str, "like_count": int, "repost_count": int, "lang": str,
            "hashtags": str, "links": str, "first_import_id": int,
            "chat_id": str, "kind": str, "question_id": str, "confidence": float,
        },
        pk="id", foreign_keys=[("author_id", "participants", "id")],
    )
    db.table("messages").create_index(["created_at"])
    db.table("messages").create_index(["chat_id", "created_at"])
    db.table("messages").create_index(["author_id"])
    db.table("messages").create_index(["in_reply_to_id"])
    db.table("message_hashtags").create(
        {"hashtag": str, "message_id": str, "created_at": str},
        pk=("hashtag", "message_id"),
    )
    db.table("message_hashtags").create_index(["hashtag", "created_at"])
    db.table("sightings").create(
        {"message_id": str, "import_id": int, "location": str, "raw": str},
        pk=("message_id", "import_id"),
        foreign_keys=[("import_id", "imports", "id")],
    )
    _create_chat_tables(db)
    db.table("fetch_state").create(
        {"url": str, "etag": str, "last_modified": str, "sha256": str, "fetched_at": str},
        pk="url",
    )
    db.table("messages").enable_fts(FTS_COLUMNS, create_triggers=True, tokenize="porter")


def _create_chat_tables(db: Database) -> None:
    db.table("chats").create(
        {
            "id": str, "hashtag": str, "title": str, "starts_at": str, "ends_at": str,
            "timezone": str, "schedule": str, "lookback_seconds": int, "hosts": str,
            "guests": str, "posts": int, "questions": int, "answers": int,
            "participants": int, "assembled_at": str,
        },
        pk="id",
    )
    db.table("chats").create_index(["hashtag", "starts_at"])
    db.table("questions").create(
        {"id": str, "chat_id": str, "number": int, "message_id": str, "text": str,
         "asked_at": str},
        pk="id", foreign_keys=[("chat_id", "chats", "id")],
    )
    db.table("chat_participants").create(
        {"chat_id": str, "participant_id": str, "role": str, "posts": int, "answers": int,
         "first_time": int},
        pk=("chat_id", "participant_id"),
        foreign_keys=[("chat_id", "chats", "id"), ("participant_id", "participants", "id")],
    )
    db.table("recaps").create(
        {"chat_id": str, "version": int, "generated_at": str, "path": str, "markdown": str,
         "sha256": str},
        pk=("chat_id", "version"), foreign_keys=[("chat_id", "chats", "id")],
    )


@migrations()
def m002_runs(db: Database) -> None:
    """The run ledger of the scheduled job: one row per schedule occurrence."""
    db.table("runs").create(
        {"schedule": str, "occurrence": str, "started_at": str, "finished_at": str,
         "status": str, "error": str, "chat_id": str},
        pk=("schedule", "occurrence"),
    )


@migrations()
def m003_views(db: Database) -> None:
    """Read-side views for Datasette: messages and chat participants with names and questions."""
    db.create_view(
        "messages_detail",
        """
        select m.id, m.chat_id, m.created_at, m.kind, q.number as question_number,
            q.text as question_text, m.question_id, m.author_id, p.handle as author_handle,
            p.display_name as author_name, m.text, m.url, m.confidence, m.like_count,
            m.repost_count, m.in_reply_to_id, m.quoted_id, m.repost_of_id, m.platform, m.lang
        from messages m
        left join participants p on p.id = m.author_id
        left join questions q on q.id = m.question_id
        """,
    )
    db.create_view(
        "chat_participants_detail",
        """
        select cp.chat_id, c.starts_at as chat_starts_at, cp.participant_id, p.handle,
            p.display_name, cp.role, cp.posts, cp.answers, cp.first_time
        from chat_participants cp
        join chats c on c.id = cp.chat_id
        left join participants p on p.id = cp.participant_id
        """,
    )


@migrations()
def m004_completeness(db: Database) -> None:
    """How complete each chat's capture looks, as JSON, plus a one-line summary."""
    db.table("chats").add_column("completeness", str)
    db.table("chats").add_column("complete", int)


@migrations()
def m005_fts_in_bulk(db: Database) -> None:
    """Index new posts for full-text search per batch, and re-index only when text changes.

    An insert trigger costs about three times a bulk ``insert ... select`` after each batch,
    and the update trigger fired whenever assembly touched a message's chat columns.
    """
    db.execute("drop trigger if exists messages_ai")
    db.execute("drop trigger if exists messages_au")
    db.execute(
        "create trigger messages_au after update of text on messages begin"
        " insert into messages_fts (messages_fts, rowid, text)"
        " values ('delete', old.rowid, old.text);"
        " insert into messages_fts (rowid, text) values (new.rowid, new.text); end"
    )


@migrations()
def m006_run_leases(db: Database) -> None:
    """Who holds a 'running' ledger row (host, pid, heartbeat) and how often it was tried."""
    runs = db.table("runs")
    runs.add_column("host", str)
    runs.add_column("pid", int)
    runs.add_column("heartbeat_at", str)
    runs.add_column("attempts", int)


@migrations()
def m007_query_indexes(db: Database) -> None:
    """Indexes for the canned queries: answers to question N, a chat's questions."""
    db.table("messages").create_index(["question_id"], if_not_exists=True)
    db.table("questions").create_index(["chat_id", "number"], if_not_exists=True)


@migrations()
def m008_author_times(db: Database) -> None:
    """Index each author's posts by time: "did they post with this hashtag before the chat?"
    then reads only their earlier posts (it read all of them, 1.7 s of 4.7 s of assembly on
    100k posts). The new index serves every lookup by author the old one did."""
    db.table("messages").create_index(["author_id", "created_at"], if_not_exists=True)
    db.execute("drop index if exists idx_messages_author_id")


@migrations()
def m009_participant_times(db: Database) -> None:
    """When a participant's handle and name were posted: the newest post's names win,
    whichever export (or process) brings it first, so a rerun gives the same names."""
    db.table("participants").add_column("seen_at", str)


@migrations()
def m010_import_index(db: Database) -> None:
    """Index posts by the import that brought them: an import's end counts its new posts in time
    that follows the import, not the archive (a full scan took 0.1 to 0.3 s at 1M posts). New
    posts of one import go to the end of the index, so keeping it costs imports next to
    nothing."""
    db.table("messages").create_index(["first_import_id"], if_not_exists=True)


@migrations()
def m011_participant_hashtags(db: Database) -> None:
    """When each participant first posted with each hashtag: "is this a first-timer?" becomes
    one lookup per chat, and posts need no index by author any more.

    Authors post in no order, so each batch of an import touched most pages of an index by
    author, and SQLite writes every page a transaction touches again (twice, with the WAL): at
    100k posts that index took a third of the archive's writes, at 1M posts far more. Reading
    one person's posts (Datasette's links from a participant to them) scans the posts instead:
    about 0.1 s at 1M posts.
    """
    db.table("participant_hashtags").create(
        {"participant_id": str, "hashtag": str, "first_at": str},
        pk=("participant_id", "hashtag"),
    )
    db.execute(
        "insert into participant_hashtags (participant_id, hashtag, first_at)"
        " select m.author_id, h.hashtag, min(h.created_at) from message_hashtags h"
        " join messages m on m.id = h.message_id group by m.author_id, h.hashtag"
    )
    db.execute("drop index if exists idx_messages_author_id_created_at")
