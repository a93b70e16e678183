"""Writing posts into the archive and reading them back: imports, messages, participants."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

from sqlite_utils import Database

from ..errors import ArchiveError
from ..models import Author, Message, ParsedRecord, RawExport, Rejected
from .schema import migrations

log = logging.getLogger(__name__)

BATCH = 5000
MAX_SHOWN_ERRORS = 20


def to_iso(moment: datetime) -> str:
    """Return the archive's text form of an aware datetime: ISO-8601 UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def from_iso(text: str) -> datetime:
    """Parse the archive's text form of a datetime back to an aware UTC datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def now_iso() -> str:
    """Return the current time in the archive's text form."""
    return to_iso(datetime.now(UTC))


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
        db.execute("PRAGMA cache_size = -65536")
        db.execute("PRAGMA temp_store = MEMORY")
        if not db.memory:
            db.enable_wal()
        migrations.apply(db)
    except sqlite3.DatabaseError as error:
        raise ArchiveError(
            f"{path} is not a chatarchive archive ({error}); give a new file name or an archive "
            "that chatarchive created"
        ) from error
    return db


@dataclass
class ImportResult:
    """What one import did: counts, and the time span of the posts it added per hashtag."""

    origin: str
    format: str
    import_id: int | None = None
    read: int = 0
    new: int = 0
    duplicate: int = 0
    rejected: int = 0
    unchanged: bool = False
    errors: list[Rejected] = field(default_factory=list)
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)

    def touch(self, message: Message) -> None:
        """Widen the span of every hashtag of a message that was added or changed."""
        for tag in message.hashtags:
            first, last = self.spans.get(tag, (message.created_at, message.created_at))
            self.spans[tag] = (min(first, message.created_at), max(last, message.created_at))


def already_imported(db: Database, sha256: str) -> bool:
    """Whether an export with exactly this content was imported completely before."""
    row = db.execute(
        "select 1 from imports where sha256 = ? and status = 'done' limit 1", [sha256]
    ).fetchone()
    return row is not None


def save(
    db: Database, raw: RawExport, fmt: str, records: Iterable[ParsedRecord | Rejected]
) -> ImportResult:
    """Archive every record of one export; idempotent, in large transactions."""
    result = ImportResult(origin=raw.origin, format=fmt)
    if already_imported(db, raw.sha256):
        result.unchanged = True
        return result
    with db.atomic():
        cursor = db.execute(
            "insert into imports (source, name, format, sha256, started_at, status, read, new,"
            " duplicate, rejected) values (?, ?, ?, ?, ?, 'running', 0, 0, 0, 0)",
            [raw.origin, raw.name, fmt, raw.sha256, now_iso()],
        )
        result.import_id = cursor.lastrowid
    seen: set[str] = set()
    iterator = iter(records)
    while batch := list(islice(iterator, BATCH)):
        with db.atomic():
            _save_batch(db, result, batch, seen)
            _record_counts(db, result, "running")
    with db.atomic():
        _record_counts(db, result, "done")
    return result


def _record_counts(db: Database, result: ImportResult, status: str) -> None:
    db.execute(
        "update imports set read = ?, new = ?, duplicate = ?, rejected = ?, status = ?,"
        " finished_at = ? where id = ?",
        [result.read, result.new, result.duplicate, result.rejected, status,
         now_iso() if status == "done" else None, result.import_id],
    )


def _save_batch(
    db: Database, result: ImportResult, batch: list[ParsedRecord | Rejected], seen: set[str]
) -> None:
    parsed = [r for r in batch if isinstance(r, ParsedRecord)]
    _save_rejected(db, result, [r for r in batch if isinstance(r, Rejected)])
    existing = _existing_ids(db, [r.message.id for r in parsed])
    _upsert_participants(db, [r.message.author for r in parsed])
    new: dict[str, Message] = {}
    again: list[Message] = []
    for record in parsed:
        message = record.message
        result.read += 1
        if message.id in existing or message.id in seen:
            result.duplicate += 1
            again.append(message)
        else:
            result.new += 1
            result.touch(message)
            new[message.id] = message
        seen.add(message.id)
    _insert_messages(db, list(new.values()), result.import_id)
    db.conn.executemany(_UPSERT_MESSAGE, [_message_row(m, result.import_id) for m in again])
    _insert_hashtags(db, again)  # a fuller sighting may carry hashtags an earlier one lost
    db.conn.executemany(
        "insert or ignore into sightings (message_id, import_id, location, raw) values (?,?,?,?)",
        [(r.message.id, result.import_id, r.location, r.raw) for r in parsed],
    )


def _save_rejected(db: Database, result: ImportResult, rejected: list[Rejected]) -> None:
    result.rejected += len(rejected)
    result.errors.extend(rejected[: max(0, MAX_SHOWN_ERRORS - len(result.errors))])
    db.conn.executemany(
        "insert into import_errors (import_id, source, location, reason, snippet)"
        " values (?, ?, ?, ?, ?)",
        [(result.import_id, result.origin, r.location, r.reason, r.snippet) for r in rejected],
    )


def _existing_ids(db: Database, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0] for row in db.execute(f"select id from messages where id in ({marks})", chunk)
        )
    return found


def _upsert_participants(db: Database, authors: Iterable[Author]) -> None:
    unique = {a.id: a for a in authors}
    db.conn.executemany(
        "insert into participants (id, platform, handle, display_name, url) values (?,?,?,?,?)"
        " on conflict(id) do update set"
        " handle = coalesce(nullif(excluded.handle, ''), participants.handle),"
        " display_name = coalesce(nullif(excluded.display_name, ''), participants.display_name),"
        " url = coalesce(excluded.url, participants.url)",
        [(a.id, a.platform, a.handle, a.display_name, a.url) for a in unique.values()],
    )


_INSERT_MESSAGE = """
insert into messages (id, platform, native_id, author_id, text, created_at, url, in_reply_to_id,
    quoted_id, repost_of_id, like_count, repost_count, lang, hashtags, links, first_import_id)
values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
"""

# A post seen again: a later sighting may carry fuller text (an untruncated retweet), newer
# counts, or fields an earlier export lacked. Nothing already archived is lost.
_UPSERT_MESSAGE = _INSERT_MESSAGE + """
on conflict(id) do update set
    text = case when messages.text like '%…' and excluded.text not like '%…'
        then excluded.text else messages.text end,
    author_id = case when messages.author_id like '%:unknown'
        then excluded.author_id else messages.author_id end,
    like_count = case when excluded.like_count is null then messages.like_count
        when messages.like_count is null then excluded.like_count
        else max(messages.like_count, excluded.like_count) end,
    repost_count = case when excluded.repost_count is null then messages.repost_count
        when messages.repost_count is null then excluded.repost_count
        else max(messages.repost_count, excluded.repost_count) end,
    url = coalesce(messages.url, excluded.url),
    in_reply_to_id = coalesce(messages.in_reply_to_id, excluded.in_reply_to_id),
    quoted_id = coalesce(messages.quoted_id, excluded.quoted_id),
    repost_of_id = coalesce(messages.repost_of_id, excluded.repost_of_id),
    lang = coalesce(messages.lang, excluded.lang)
where messages.text is not excluded.text or messages.like_count is not excluded.like_count
    or messages.repost_count is not excluded.repost_count or messages.url is null
    or messages.author_id like '%:unknown'
"""


def _message_row(m: Message, import_id: int | None) -> tuple[object, ...]:
    return (m.id, m.platform, m.native_id, m.author.id, m.text, to_iso(m.created_at), m.url,
            m.in_reply_to_id, m.quoted_id, m.repost_of_id, m.like_count, m.repost_count,
            m.lang, json.dumps(list(m.hashtags)), json.dumps(list(m.links)), import_id)


def _insert_messages(db: Database, messages: Sequence[Message], import_id: int | None) -> None:
    """Insert posts new to the archive, then index them for search in one statement."""
    if not messages:
        return
    last = db.execute("select coalesce(max(rowid), 0) from messages").fetchone()[0]
    db.conn.executemany(_INSERT_MESSAGE, [_message_row(m, import_id) for m in messages])
    db.execute("insert into messages_fts (rowid, text) select rowid, text from messages"
               " where rowid > ?", [last])
    _insert_hashtags(db, messages)


def _insert_hashtags(db: Database, messages: Sequence[Message]) -> None:
    db.conn.executemany(
        "insert or ignore into message_hashtags (hashtag, message_id, created_at) values (?,?,?)",
        [(tag, m.id, to_iso(m.created_at)) for m in messages for tag in m.hashtags],
    )


_MESSAGE_COLUMNS = """
m.id, m.platform, m.native_id, m.author_id, m.text, m.created_at, m.url, m.in_reply_to_id,
m.quoted_id, m.repost_of_id, m.like_count, m.repost_count, m.lang, m.hashtags, m.links,
p.platform, p.handle, p.display_name, p.url
"""


def _row_to_message(row: Sequence[object]) -> Message:
    (mid, platform, native_id, author_id, text, created_at, url, reply, quoted, repost, likes,
     reposts, lang, hashtags, links, a_platform, handle, name, a_url) = row
    author = Author(
        id=str(author_id), platform=str(a_platform or platform), handle=str(handle or ""),
        display_name=str(name or handle or ""), url=a_url if isinstance(a_url, str) else None,
    )
    return Message(
        id=str(mid), platform=str(platform), native_id=str(native_id), author=author,
        text=str(text), created_at=from_iso(str(created_at)), url=_opt(url),
        in_reply_to_id=_opt(reply), quoted_id=_opt(quoted), repost_of_id=_opt(repost),
        like_count=likes if isinstance(likes, int) else None,
        repost_count=reposts if isinstance(reposts, int) else None, lang=_opt(lang),
        hashtags=tuple(json.loads(str(hashtags or "[]"))),
        links=tuple(json.loads(str(links or "[]"))),
    )


def _opt(value: object) -> str | None:
    return value if isinstance(value, str) else None


def messages_between(
    db: Database, hashtags: Sequence[str], start: datetime, end: datetime
) -> list[Message]:
    """Posts carrying any of the hashtags in [start, end], with replies to them in that time."""
    tags = [t.lower().lstrip("#") for t in hashtags]
    marks = ",".join("?" * len(tags))
    rows = db.execute(
        f"select distinct {_MESSAGE_COLUMNS} from message_hashtags h"
        " join messages m on m.id = h.message_id left join participants p on p.id = m.author_id"
        f" where h.hashtag in ({marks}) and h.created_at between ? and ?",
        [*tags, to_iso(start), to_iso(end)],
    ).fetchall()
    found = {str(r[0]): _row_to_message(r) for r in rows}
    # Replies in threads often drop the hashtag; follow them from the posts that carry it.
    frontier = set(found)
    while frontier:
        marks = ",".join("?" * len(frontier))
        rows = db.execute(
            f"select {_MESSAGE_COLUMNS} from messages m left join participants p"
            f" on p.id = m.author_id where m.in_reply_to_id in ({marks})"
            " and m.created_at between ? and ?",
            [*frontier, to_iso(start), to_iso(end)],
        ).fetchall()
        frontier = {str(r[0]) for r in rows} - set(found)
        found.update({str(r[0]): _row_to_message(r) for r in rows if str(r[0]) in frontier})
    return sorted(found.values(), key=lambda m: (m.created_at, m.id))


def bursts(
    db: Database, hashtag: str, start: datetime, end: datetime, gap: timedelta,
    longest: timedelta, least: int,
) -> Iterator[tuple[datetime, datetime]]:
    """Stretches of a hashtag's posts in [start, end] split at silences longer than ``gap``.

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
                    yield first, last
                first, count = None, 0
            elif moment - first > longest:
                yield first, last
                first, count = last - gap, 0
        first = moment if first is None else first
        last = moment
        count += 1
    if first is not None and last is not None and count >= least:
        yield first, last


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


def returning_authors(db: Database, hashtags: Sequence[str], before: datetime) -> frozenset[str]:
    """Authors who posted with any of these hashtags before ``before``."""
    tags = [t.lower() for t in hashtags]
    marks = ",".join("?" * len(tags))
    rows = db.execute(
        f"select distinct m.author_id from message_hashtags h join messages m on m.id ="
        f" h.message_id where h.hashtag in ({marks}) and h.created_at < ?",
        [*tags, to_iso(before)],
    )
    return frozenset(str(r[0]) for r in rows)


def iter_import_errors(db: Database, import_id: int) -> Iterator[dict[str, object]]:
    """The rejected records of one import."""
    yield from db.table("import_errors").rows_where("import_id = ?", [import_id], order_by="id")
