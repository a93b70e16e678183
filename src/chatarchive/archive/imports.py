"""Writing exports into the archive: imports, posts, participants, sightings, rejections."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import islice

from sqlite_utils import Database

from ..errors import ChatArchiveError
from ..models import Author, Message, ParsedRecord, RawExport, Rejected
from .store import from_iso, now_iso, to_iso, writing

BATCH = 2000
MAX_SHOWN_ERRORS = 20

# Import statuses: records being written; all written (chats not yet assembled); finished.
RUNNING, ARCHIVED, DONE, FAILED = "running", "archived", "done", "failed"


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
    earlier: bool = False  # archived by an earlier run (its chats perhaps not yet assembled)
    errors: list[Rejected] = field(default_factory=list)
    spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)

    def touch(self, message: Message) -> None:
        """Widen the span of every hashtag of a message that was added or changed."""
        for tag in message.hashtags:
            first, last = self.spans.get(tag, (message.created_at, message.created_at))
            self.spans[tag] = (min(first, message.created_at), max(last, message.created_at))


def import_status(db: Database, sha256: str) -> tuple[int, str] | None:
    """The latest import of an export with exactly this content: (id, status), or None."""
    row = db.execute(
        "select id, status from imports where sha256 = ? order by status = 'done' desc, id desc"
        " limit 1", [sha256],
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def already_imported(db: Database, sha256: str) -> bool:
    """Whether an export with exactly this content was imported and its chats assembled."""
    status = import_status(db, sha256)
    return status is not None and status[1] == DONE


def save(
    db: Database, raw: RawExport, fmt: str, records: Iterable[ParsedRecord | Rejected]
) -> ImportResult:
    """Archive every record of one export; idempotent, in large transactions.

    An import cut short (a crash, kill -9) is resumed under the same import id, so a rerun
    leaves the archive as one clean import would. The import ends 'archived'; the caller marks
    it 'done' with ``finish_import`` once the chats it touched are assembled.
    """
    result = start_import(db, raw, fmt)
    if result.earlier:
        return result
    save_records(db, result, records)
    return end_import(db, result)


def start_import(db: Database, raw: RawExport, fmt: str) -> ImportResult:
    """Begin (or resume) the import of an export; an export already archived comes back whole,
    with its counts."""
    previous = import_status(db, raw.sha256)
    if previous is not None and previous[1] in (DONE, ARCHIVED):
        return imported_result(db, previous[0], raw.origin, unchanged=previous[1] == DONE)
    result = ImportResult(origin=raw.origin, format=fmt)
    result.import_id = _begin(db, raw, fmt, previous[0] if previous else None)
    return result


def save_records(
    db: Database, result: ImportResult, records: Iterable[ParsedRecord | Rejected]
) -> None:
    """Archive records of an import begun with ``start_import``, batch by batch.

    Two processes may each save part of one export under the same import id.
    """
    iterator = iter(records)
    try:
        while batch := list(islice(iterator, BATCH)):
            # Rows are made before the write lock is taken: another process writing the
            # other half of the export waits only for the SQL.
            rows = _batch_rows(db, result, batch)
            with writing(db):
                _write_batch(db, rows)
                _record_counts(db, result, RUNNING)
    except ChatArchiveError:
        # The export turned out unreadable part-way: keep what was read, say it failed; a
        # rerun of a repaired file is a new import, of the same file resumes this one.
        with writing(db):
            _record_counts(db, result, FAILED)
        raise


def add_part(result: ImportResult, part: ImportResult) -> None:
    """Count into ``result`` what another process saved of the same import."""
    result.read += part.read
    result.new += part.new
    result.duplicate += part.duplicate
    result.rejected += part.rejected
    result.errors.extend(part.errors[: max(0, MAX_SHOWN_ERRORS - len(result.errors))])
    for tag, (first, last) in part.spans.items():
        mine = result.spans.get(tag, (first, last))
        result.spans[tag] = (min(mine[0], first), max(mine[1], last))


def end_import(db: Database, result: ImportResult) -> ImportResult:
    """Mark every record of an import archived, with counts taken from the archive."""
    with writing(db):
        _record_counts(db, result, ARCHIVED)
    return result


def _begin(db: Database, raw: RawExport, fmt: str, resumed: int | None) -> int:
    with writing(db):
        if resumed is not None:
            # Rejections are recorded again as the records are read again.
            db.execute("delete from import_errors where import_id = ?", [resumed])
            return resumed
        cursor = db.execute(
            "insert into imports (source, name, format, sha256, started_at, status, read, new,"
            " duplicate, rejected) values (?, ?, ?, ?, ?, ?, 0, 0, 0, 0)",
            [raw.origin, raw.name, fmt, raw.sha256, now_iso(), RUNNING],
        )
        return int(cursor.lastrowid or 0)


def imported_result(
    db: Database, import_id: int, origin: str, unchanged: bool = False
) -> ImportResult:
    """The result of an earlier import, with the span of the posts it added per hashtag."""
    row = db.execute("select format, read, new, duplicate, rejected from imports where id = ?",
                     [import_id]).fetchone()
    result = ImportResult(origin=origin, format=row[0], import_id=import_id,
                          unchanged=unchanged, earlier=True)
    if unchanged:
        return result
    result.read, result.new, result.duplicate, result.rejected = row[1:]
    spans = db.execute(
        "select h.hashtag, min(h.created_at), max(h.created_at) from messages m"
        " join message_hashtags h on h.message_id = m.id where m.first_import_id = ?"
        " group by h.hashtag", [import_id])
    result.spans = {tag: (from_iso(first), from_iso(last)) for tag, first, last in spans}
    return result


def finish_import(db: Database, import_id: int | None) -> None:
    """Mark an import done: its posts are archived and the chats they touch assembled."""
    with writing(db):
        db.execute("update imports set status = ? where id = ? and status = ?",
                   [DONE, import_id, ARCHIVED])


def _record_counts(db: Database, result: ImportResult, status: str) -> None:
    if status == ARCHIVED:
        # Counted from the archive, so a resumed import reports what one clean import would.
        result.new = db.execute("select count(*) from messages where first_import_id = ?",
                                [result.import_id]).fetchone()[0]
        result.duplicate = result.read - result.new
    db.execute(
        "update imports set read = ?, new = ?, duplicate = ?, rejected = ?, status = ?,"
        " finished_at = ? where id = ?",
        [result.read, result.new, result.duplicate, result.rejected, status,
         now_iso() if status == ARCHIVED else None, result.import_id],
    )


@dataclass
class _BatchRows:
    """The rows one batch of records adds, made ready before the write lock is taken."""

    errors: list[tuple[object, ...]]
    participants: list[tuple[object, ...]]
    new: list[tuple[object, ...]]  # messages
    hashtags: list[tuple[object, ...]]  # of the new messages and of those seen again
    firsts: list[tuple[object, ...]]  # each author's first post with each hashtag, in the batch
    again: list[tuple[object, ...]]  # messages seen before, to complete
    sightings: list[tuple[object, ...]]


def _batch_rows(
    db: Database, result: ImportResult, batch: list[ParsedRecord | Rejected]
) -> _BatchRows:
    parsed = [r for r in batch if isinstance(r, ParsedRecord)]
    rejected = [r for r in batch if isinstance(r, Rejected)]
    result.rejected += len(rejected)
    result.errors.extend(rejected[: max(0, MAX_SHOWN_ERRORS - len(result.errors))])
    existing = _existing_ids(db, [r.message.id for r in parsed], result.import_id)
    # Each post with its time as archived (ISO text, made once).
    new: dict[str, tuple[Message, str]] = {}
    again: list[tuple[Message, str]] = []
    # Each author as of their newest post in the batch (the archive keeps the newest names).
    authors: dict[str, tuple[Author, str]] = {}
    for record in parsed:
        message = record.message
        when = to_iso(message.created_at)
        result.read += 1
        # Ids are not remembered across batches (a million would cost 100 MB); the counts
        # are settled from the archive when the import ends.
        if message.id in existing or message.id in new:
            result.duplicate += 1
            again.append((message, when))
        else:
            result.new += 1
            result.touch(message)
            new[message.id] = (message, when)
        author = message.author
        kept = authors.get(author.id)
        if kept is None or (when, author.display_name) > (kept[1], kept[0].display_name):
            authors[author.id] = (author, when)
    fresh = list(new.values())
    import_id = result.import_id
    return _BatchRows(
        errors=[(import_id, result.origin, r.location, r.reason, r.snippet) for r in rejected],
        participants=[(a.id, a.platform, a.handle, a.display_name, a.url, when)
                      for a, when in authors.values()],
        new=[_message_row(m, import_id, when) for m, when in fresh],
        # A fuller sighting may carry hashtags an earlier one lost.
        hashtags=[(tag, m.id, when) for m, when in (*fresh, *again) for tag in m.hashtags],
        firsts=_firsts(fresh, again),
        again=[_message_row(m, import_id, when) for m, when in again],
        sightings=[(r.message.id, import_id, r.location, r.raw) for r in parsed],
    )


def _firsts(*posts: list[tuple[Message, str]]) -> list[tuple[object, ...]]:
    """(author, hashtag, time of their earliest post with it in the batch); ISO times sort as
    text."""
    first: dict[tuple[str, str], str] = {}
    for group in posts:
        for message, when in group:
            for tag in message.hashtags:
                key = (message.author.id, tag)
                earlier = first.get(key)
                if earlier is None or when < earlier:
                    first[key] = when
    return [(*key, when) for key, when in first.items()]


def _write_batch(db: Database, rows: _BatchRows) -> None:
    db.conn.executemany(
        "insert into import_errors (import_id, source, location, reason, snippet)"
        " values (?, ?, ?, ?, ?)", rows.errors)
    db.conn.executemany(_UPSERT_PARTICIPANT, rows.participants)
    if rows.new:
        last = db.execute("select coalesce(max(rowid), 0) from messages").fetchone()[0]
        db.conn.executemany(_INSERT_MESSAGE + _RESUMED, rows.new)
        # Indexed for search in one statement: a trigger per row costs three times as much.
        db.execute("insert into messages_fts (rowid, text) select rowid, text from messages"
                   " where rowid > ?", [last])
    db.conn.executemany(_UPSERT_MESSAGE, rows.again)
    db.conn.executemany(
        "insert or ignore into message_hashtags (hashtag, message_id, created_at) values (?,?,?)",
        rows.hashtags)
    db.conn.executemany(_FIRST_WITH_HASHTAG, rows.firsts)
    db.conn.executemany(
        "insert or ignore into sightings (message_id, import_id, location, raw) values (?,?,?,?)",
        rows.sightings)


def _existing_ids(db: Database, ids: Sequence[str], import_id: int | None) -> set[str]:
    """Ids already archived by another import (a resumed import's own posts count as new)."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(
            row[0] for row in db.execute(
                f"select id from messages where id in ({marks}) and first_import_id is not ?",
                [*chunk, import_id])
        )
    return found


# The newest post's handle, name and address win (ties: the greater name, so the order
# exports or processes arrive in never matters); older ones only fill what is missing.
_NEWER = ("(participants.seen_at is null or excluded.seen_at > participants.seen_at"
          " or (excluded.seen_at = participants.seen_at"
          " and excluded.display_name > participants.display_name))")
_UPSERT_PARTICIPANT = f"""
insert into participants (id, platform, handle, display_name, url, seen_at) values (?,?,?,?,?,?)
on conflict(id) do update set
    handle = case when {_NEWER} then coalesce(nullif(excluded.handle, ''), participants.handle)
        else coalesce(nullif(participants.handle, ''), excluded.handle) end,
    display_name = case when {_NEWER}
        then coalesce(nullif(excluded.display_name, ''), participants.display_name)
        else coalesce(nullif(participants.display_name, ''), excluded.display_name) end,
    url = case when {_NEWER} then coalesce(excluded.url, participants.url)
        else coalesce(participants.url, excluded.url) end,
    seen_at = case when {_NEWER} then excluded.seen_at else participants.seen_at end
"""

_FIRST_WITH_HASHTAG = """
insert into participant_hashtags (participant_id, hashtag, first_at) values (?,?,?)
on conflict (participant_id, hashtag) do update set first_at = excluded.first_at
where excluded.first_at < participant_hashtags.first_at
"""

_INSERT_MESSAGE = """
insert into messages (id, platform, native_id, author_id, text, created_at, url, in_reply_to_id,
    quoted_id, repost_of_id, like_count, repost_count, lang, hashtags, links, first_import_id)
values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
"""

# A resumed import meets its own earlier rows again: they stay as they are.
_RESUMED = " on conflict(id) do nothing"

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


def _message_row(m: Message, import_id: int | None, created: str) -> tuple[object, ...]:
    return (m.id, m.platform, m.native_id, m.author.id, m.text, created, m.url,
            m.in_reply_to_id, m.quoted_id, m.repost_of_id, m.like_count, m.repost_count,
            m.lang, _json_list(m.hashtags), _json_list(m.links), import_id)


@lru_cache(maxsize=4096)
def _json_list(items: tuple[str, ...]) -> str:
    # Most posts share a few hashtag lists and carry no links.
    return json.dumps(list(items))
