"""Opening the archive, and reading posts back: messages, participants, hashtag streams."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from sqlite_utils import Database

from ..errors import ArchiveError
from ..models import Author, Message
from .schema import migrations

log = logging.getLogger(__name__)


def to_iso(moment: datetime) -> str:
    """Return the archive's text form of an aware datetime: ISO-8601 UTC with milliseconds."""
    if moment.tzinfo is not UTC:  # posts' times are UTC already: no copy for them
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # "+00:00" becomes "Z"


def from_iso(text: str) -> datetime:
    """Parse the archive's text form of a datetime back to an aware UTC datetime."""
    moment = datetime.fromisoformat(text)  # Python 3.11 reads the "Z"
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


def now_iso() -> str:
    """Return the current time in the archive's text form."""
    return to_iso(datetime.now(UTC))


@contextmanager
def writing(db: Database) -> Iterator[Database]:
    """A write transaction that takes the write lock at once (BEGIN IMMEDIATE).

    Two processes may write to one archive (lanes.py): a transaction that read first and wrote
    later could not wait for the other writer and would fail with "database is locked"; this
    one waits its turn (busy timeout). Nested in another transaction, it is a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


PAGE_SIZE = 16384


def open_archive(path: str | Path) -> Database:
    """Open (creating or upgrading) the archive at ``path``."""
    path = Path(path)
    if path.is_dir():
        raise ArchiveError(f"{path} is a folder: give the path of an archive file, e.g. archive.db")
    if path.parent and not path.parent.exists():
        raise ArchiveError(f"{path}: folder {path.parent} does not exist; create it first")
    try:
        db = Database(path)
        db.execute("PRAGMA busy_timeout = 10000")
        # WAL with synchronous=NORMAL cannot corrupt the archive; a power cut may lose the last
        # transaction, which a rerun of the import restores.
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA cache_size = -16384")
        db.execute("PRAGMA temp_store = MEMORY")
        # Set before anything is written, so only a new archive takes it: each sighting keeps
        # its raw record (1 to 3 KB), and 16 KB pages hold several where 4 KB pages hold one,
        # which halves the time to write them.
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        if not db.memory:
            db.enable_wal()
        migrations.apply(db)
    except sqlite3.DatabaseError as error:
        raise ArchiveError(
            f"{path} is not a chatarchive archive ({error}); give a new file name or an archive "
            "that chatarchive created"
        ) from error
    return db


_MESSAGE_COLUMNS = """
m.id, m.platform, m.native_id, m.author_id, m.text, m.created_at, m.url, m.in_reply_to_id,
m.quoted_id, m.repost_of_id, m.like_count, m.repost_count, m.lang, m.hashtags, m.links,
p.platform, p.handle, p.display_name, p.url
"""


def _row_to_message(row: Sequence[object]) -> Message:
    (mid, platform, native_id, author_id, text, created_at, url, reply, quoted, repost, likes,
     reposts, lang, hashtags, links, a_platform, handle, name, a_url) = row
    author = _author(author_id, a_platform or platform, handle, name, a_url)
    return Message(
        id=str(mid), platform=str(platform), native_id=str(native_id), author=author,
        text=str(text), created_at=from_iso(str(created_at)),
        url=url if isinstance(url, str) else None,
        in_reply_to_id=reply if isinstance(reply, str) else None,
        quoted_id=quoted if isinstance(quoted, str) else None,
        repost_of_id=repost if isinstance(repost, str) else None,
        like_count=likes if isinstance(likes, int) else None,
        repost_count=reposts if isinstance(reposts, int) else None,
        lang=lang if isinstance(lang, str) else None,
        hashtags=_json_tuple(hashtags), links=_json_tuple(links),
    )


@lru_cache(maxsize=4096)
def _author(author_id: object, platform: object, handle: object, name: object,
            url: object) -> Author:
    # A chat's few hundred people post again and again: one Author each.
    return Author(
        id=str(author_id), platform=str(platform), handle=str(handle or ""),
        display_name=str(name or handle or ""), url=url if isinstance(url, str) else None,
    )


@lru_cache(maxsize=4096)
def _json_tuple(text: object) -> tuple[str, ...]:
    # Read back for every post of every chat; the same few lists ("[]", a chat's hashtags)
    # come again and again.
    return tuple(json.loads(str(text or "[]")))


def messages_between(
    db: Database, hashtags: Sequence[str], start: datetime, end: datetime
) -> list[Message]:
    """Posts carrying any of the hashtags in [start, end], with replies to them in that time."""
    tags = [t.lower().lstrip("#") for t in hashtags]
    marks = ",".join("?" * len(tags))
    rows = db.execute(
        f"select {_MESSAGE_COLUMNS} from message_hashtags h"
        " join messages m on m.id = h.message_id left join participants p on p.id = m.author_id"
        f" where h.hashtag in ({marks}) and h.created_at between ? and ?",
        [*tags, to_iso(start), to_iso(end)],
    ).fetchall()
    # A post carrying two of the hashtags comes twice (cheaper than SQL's "distinct").
    found: dict[str, Message] = {}
    for row in rows:
        if row[0] not in found:
            found[str(row[0])] = _row_to_message(row)
    # Replies in threads often drop the hashtag; follow them from the posts that carry it.
    # The first replies are found from the hashtag's posts in SQL, those that carry the hashtag
    # themselves (already read) left out; replies to those replies by their ids.
    window = [to_iso(start), to_iso(end)]
    rows = db.execute(
        f"select {_MESSAGE_COLUMNS} from message_hashtags h"
        " join messages m on m.in_reply_to_id = h.message_id"
        " left join participants p on p.id = m.author_id"
        f" where h.hashtag in ({marks}) and h.created_at between ? and ?"
        " and m.created_at between ? and ? and not exists (select 1 from message_hashtags t"
        f" where t.hashtag in ({marks}) and t.message_id = m.id and t.created_at between ? and ?)",
        [*tags, *window, *window, *tags, *window],
    ).fetchall()
    while rows:
        frontier = {str(r[0]) for r in rows} - set(found)
        found.update({str(r[0]): _row_to_message(r) for r in rows if str(r[0]) in frontier})
        rows = db.execute(
            f"select {_MESSAGE_COLUMNS} from messages m left join participants p"
            f" on p.id = m.author_id where m.in_reply_to_id in ({','.join('?' * len(frontier))})"
            " and m.created_at between ? and ?",
            [*frontier, *window],
        ).fetchall() if frontier else []
    return sorted(found.values(), key=lambda m: (m.created_at, m.id))


def bursts(
    db: Database, hashtag: str, start: datetime, end: datetime, gap: timedelta,
    longest: timedelta, least: int,
) -> Iterator[tuple[datetime, datetime, int]]:
    """Stretches of a hashtag's posts in [start, end] split at silences longer than ``gap``:
    (first, last, number of posts).

    Streams the times from SQLite, so memory stays flat however many posts there are. Stretches
    with fewer than ``least`` posts are left out, and any longer than ``longest`` are cut into
    pieces that overlap by ``gap``, so one never loads an unbounded stream.
    """
    first = last = None
    count = 0
    rows = db.execute(
        "select created_at from message_hashtags where hashtag = ? and created_at between ? and ?"
        " order by created_at", [hashtag.lower(), to_iso(start), to_iso(end)])
    for (text,) in rows:
        moment = from_iso(text)
        if first is not None and last is not None:
            if moment - last > gap:
                if count >= least:
                    yield first, last, count
                first, count = None, 0
            elif moment - first > longest:
                yield first, last, count
                first, count = last - gap, 0
        first = moment if first is None else first
        last = moment
        count += 1
    if first is not None and last is not None and count >= least:
        yield first, last, count


def hashtag_span(db: Database, hashtags: Sequence[str]) -> tuple[datetime, datetime] | None:
    """The first and last post time archived for these hashtags, if any."""
    tags = [t.lower() for t in hashtags]
    marks = ",".join("?" * len(tags))
    row = db.execute(
        f"select min(created_at), max(created_at) from message_hashtags where hashtag in ({marks})",
        tags,
    ).fetchone()
    if not row or row[0] is None:
        return None
    return from_iso(row[0]), from_iso(row[1])


def returning_authors(
    db: Database, hashtags: Sequence[str], before: datetime, authors: Iterable[str]
) -> frozenset[str]:
    """Which of ``authors`` posted with any of these hashtags before ``before``."""
    tags = [t.lower() for t in hashtags]
    people = sorted(set(authors))
    found: set[str] = set()
    # In chunks: SQLite takes a limited number of parameters per statement.
    for start in range(0, len(people), 500):
        chunk = people[start : start + 500]
        rows = db.execute(
            f"select distinct participant_id from participant_hashtags"
            f" where participant_id in ({','.join('?' * len(chunk))})"
            f" and hashtag in ({','.join('?' * len(tags))}) and first_at < ?",
            [*chunk, *tags, to_iso(before)],
        )
        found.update(str(row[0]) for row in rows)
    return frozenset(found)


def iter_import_errors(db: Database, import_id: int) -> Iterator[dict[str, object]]:
    """The rejected records of one import."""
    yield from db.table("import_errors").rows_where("import_id = ?", [import_id], order_by="id")
