"""Reading helpers shared by the JSON-based formats: lines, documents, records, sniff heads."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import orjson

from chatarchive.errors import FormatError
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 200
# No post, nor a page of 100 posts with their includes, comes near this; a longer line is
# skipped unread, so a hostile one-line file cannot make a reader hold gigabytes.
MAX_LINE_BYTES = 16 * 1024 * 1024
_SKIP_CHUNK = 1024 * 1024
_BOM = b"\xef\xbb\xbf"
# JSON may escape half a surrogate pair ("\ud800"); such text cannot be stored as UTF-8.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_T = TypeVar("_T")

# What a format makes of one decoded value at a location: one record, or several (a page).
Records = ParsedRecord | Rejected | Iterable[ParsedRecord | Rejected]


class RecordError(Exception):
    """A record that cannot become a message; its ``str`` is the reason given to the user."""


def compact_json(value: Any) -> str:
    """Return ``value`` as compact JSON text, keeping non-ASCII characters as they are."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers beyond 64 bits, which orjson refuses
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(data: bytes | str, digits_checked: bool = False) -> Any:
    """Decode JSON fast; a failure raises the standard library's error with its clear wording.

    Integers beyond 64 bits, which orjson would round to floats, come back exact; a caller that
    has found no run of 20 digits in the data (``may_hold_huge_integer``) says so.
    """
    found, value = loads_fast(data, digits_checked)
    if found:
        return value
    # The standard decoder keeps huge integers exact, accepts what orjson refuses on purpose
    # (NaN, lone surrogates) and words its errors better ("Expecting ',' delimiter").
    try:
        return without_surrogates(json.loads(data))
    except RecursionError as error:
        raise too_deep() from error


def loads_fast(data: bytes | str, digits_checked: bool = False) -> tuple[bool, Any]:
    """Decode JSON with orjson alone: ``(True, value)``, or ``(False, None)`` for text it cannot
    take as it is (broken JSON, a huge integer, NaN, half a surrogate pair, bytes that are not
    UTF-8), which the caller then gives to the standard decoder."""
    if not digits_checked and may_hold_huge_integer(data):
        return False, None
    try:
        return True, orjson.loads(data)
    except orjson.JSONDecodeError:
        return False, None


# Every byte but a digit becomes "x": a run of 20 digits then shows as 20 zeros. (A string
# holding such a run only costs its record the slower decoder.)
_DIGIT_RUNS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x78 for byte in range(256))
_HUGE = b"0" * 20  # 2**64 has 20 digits


def may_hold_huge_integer(data: bytes | str) -> bool:
    """Whether JSON text holds a run of 20 digits (2**64 has 20), as an integer beyond 64 bits
    needs. Two passes in C: much cheaper than the standard decoder for every record."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    return _HUGE in raw.translate(_DIGIT_RUNS)


def too_deep() -> json.JSONDecodeError:
    """The error for JSON nested deeper than Python's decoder can follow (a hostile file)."""
    return json.JSONDecodeError("nested too deeply", "", 0)


def without_surrogates(value: Any) -> Any:
    """Return a decoded JSON value with every lone surrogate in its text replaced by U+FFFD."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {without_surrogates(key): without_surrogates(item) for key, item in value.items()}
    return value


def snippet(text: str) -> str:
    """Return the first 200 characters of ``text``, for a rejected record."""
    return text[:SNIPPET_CHARS]


def rejected_record(location: str, reason: str, record: Any) -> Rejected:
    """Build a Rejected for a decoded record that could not be normalized."""
    return Rejected(location=location, reason=reason, snippet=snippet(compact_json(record)))


def keys_of(value: Any) -> str:
    """Name the first five keys of a JSON object (or the type of anything else), for a reason."""
    return ", ".join(sorted(value)[:5]) if isinstance(value, dict) else type(value).__name__


def make_record(
    location: str, value: Any, build: Callable[[], Message], raw: Any = None
) -> ParsedRecord | Rejected:
    """Return the message ``build`` makes, keeping ``raw`` (default ``value``) as the record.

    A RecordError from ``build`` rejects ``value`` with the error's text as the reason.
    """
    try:
        message = build()
    except RecordError as error:
        return rejected_record(location, str(error), value)
    kept = value if raw is None else raw
    return ParsedRecord(message=message, raw=compact_json(kept), location=location)


def json_error_reason(error: json.JSONDecodeError) -> str:
    """Describe a JSON syntax error of a one-line record."""
    return f"invalid JSON: {error.msg} (column {error.colno})"


@dataclass(frozen=True, slots=True)
class Part:
    """Part of an export file, for reading a large one in two processes at once: whole lines
    of JSON lines, whole items of an archive's tweets.js."""

    start: int  # byte offset of the part's first line or item
    end: int | None = None  # byte offset just past its last one; None: to the end of the file


# The part of the file the reader reads; set only around one export's parse (``in_part``).
_PART: ContextVar[Part | None] = ContextVar("chatarchive_part", default=None)


def current_part() -> Part | None:
    """The part of the file being read (None: all of it)."""
    return _PART.get()


def in_part(part: Part | None, make: Callable[[], Iterator[_T]]) -> Iterator[_T]:
    """Run the iterator ``make()`` returns with its reader reading only ``part``.

    The part is set in a context of its own, so nothing else read meanwhile sees it.
    """
    context = contextvars.copy_context()
    context.run(_PART.set, part)
    iterator = context.run(make)
    while True:
        try:
            item = context.run(next, iterator)
        except StopIteration:
            return
        yield item


def json_line_halves(path: Path) -> tuple[Part, Part] | None:
    """Split a file of JSON lines at the line boundary nearest its middle; None if it is one
    line, or a JSON array (read as one document)."""
    with path.open("rb") as stream:
        if not head_text(stream.read(1024)).startswith("{"):
            return None
        size = os.fstat(stream.fileno()).st_size
        stream.seek(size // 2)
        stream.readline()  # to the end of the line the middle falls in
        middle = stream.tell()
    if not 0 < middle < size:
        return None
    return Part(0, middle), Part(middle)


def json_lines(path: Path) -> Iterator[tuple[str, Any] | Rejected]:
    """Yield ``("line N", decoded value)`` for each non-blank line, or a Rejected."""
    part = _PART.get()
    with path.open("rb") as stream:
        first = 1
        if part is not None and part.start:
            first = _count_lines(stream, part.start) + 1
            stream.seek(part.start)
        limit = None if part is None or part.end is None else part.end - part.start
        for number, raw in enumerate(_lines(stream, limit), start=first):
            where = f"line {number}"
            if isinstance(raw, int):
                yield Rejected(
                    where,
                    f"the line is {raw:,} bytes long, more than the"
                    f" {MAX_LINE_BYTES:,} a record can take; it was skipped",
                    "",
                )
                continue
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            # Without its line break, error columns point into the line, not past it.
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            try:
                value = loads(raw)
            except UnicodeDecodeError as error:
                yield Rejected(where, f"not UTF-8 text: {error.reason}", _line_snippet(raw))
            except json.JSONDecodeError as error:
                yield Rejected(where, json_error_reason(error), _line_snippet(raw))
            else:
                yield where, value


def _count_lines(stream: BinaryIO, end: int) -> int:
    """How many line breaks the first ``end`` bytes hold (read in chunks of 8 MB)."""
    stream.seek(0)
    total, left = 0, end
    while left > 0 and (chunk := stream.read(min(left, _SKIP_CHUNK * 8))):
        total += chunk.count(b"\n")
        left -= len(chunk)
    return total


def _line_snippet(raw: bytes) -> str:
    return snippet(raw[: SNIPPET_CHARS * 4].decode("utf-8", errors="replace"))


def records_of(
    entries: Iterable[tuple[str, Any] | Rejected], read: Callable[[Any, str], Records]
) -> Iterator[ParsedRecord | Rejected]:
    """Pass each Rejected through; yield what ``read(value, location)`` makes of each value."""
    for entry in entries:
        if isinstance(entry, Rejected):
            yield entry
            continue
        made = read(entry[1], entry[0])
        if isinstance(made, ParsedRecord | Rejected):
            yield made
        else:
            yield from made


def read_json_lines(
    path: Path, read: Callable[[Any, str], Records]
) -> Iterator[ParsedRecord | Rejected]:
    """Read a JSON Lines file: ``read(value, "line N")`` makes the records of each line."""
    return records_of(json_lines(path), read)


def _lines(stream: BinaryIO, limit: int | None = None) -> Iterator[bytes | int]:
    """Yield each line of a binary file (its next ``limit`` bytes), or the length of a line too
    long to hold."""
    left = limit
    while (left is None or left > 0) and (line := stream.readline(MAX_LINE_BYTES + 1)):
        size = len(line)
        if size <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
        else:
            while not line.endswith(b"\n") and (line := stream.readline(_SKIP_CHUNK)):
                size += len(line)
            yield size
        if left is not None:
            left -= size


def load_json_document(path: Path, origin: str, text: str | None = None) -> Any:
    """Decode a whole JSON file (or the given ``text`` read from it); FormatError if broken."""
    try:
        if text is None:
            text = path.read_text(encoding="utf-8-sig")
        return loads(text)
    except UnicodeDecodeError as error:
        raise FormatError(origin, f"the file is not UTF-8 text ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise FormatError(
            origin,
            f"the file is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}",
        ) from error


def head_text(head: bytes) -> str:
    """Decode the start of a file for sniffing, dropping a BOM and leading whitespace."""
    if head.startswith(_BOM):
        head = head[len(_BOM) :]
    return head.decode("utf-8", errors="ignore").lstrip()


def first_json_value(text: str) -> Any:
    """Decode the first line of ``text`` (or all of it if it is one document), else None.

    The head may cut a long line short, so callers fall back to textual markers on None.
    """
    candidates = [text.split("\n", 1)[0]]
    if text.startswith("["):
        candidates.append(text)
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except (json.JSONDecodeError, RecursionError):
            continue
    return None


def sniff_json(
    head: bytes,
    starts: str | tuple[str, ...],
    by_value: Callable[[Any], int],
    by_markers: Callable[[str], int],
) -> int:
    """Score a file start by its first JSON value, or by markers when that runs past the head.

    A start that is not ``starts`` (after a BOM and whitespace) scores 0.
    """
    text = head_text(head)
    if not text.startswith(starts):
        return 0
    first = first_json_value(text)
    return by_markers(text) if first is None else by_value(first)


def describe_head(head: bytes) -> str:
    """Say in a few words what a file starts with, for 'could not recognise' errors."""
    if not head.strip():
        return "an empty file"
    if head.startswith(b"PK\x03\x04"):
        return "a ZIP archive; unzip it and import the file inside"
    if b"\x00" in head[:512]:
        return "binary data starting " + head[:8].hex(" ")
    start = " ".join(head_text(head[:400]).split())
    # Quoted for reading, not escaped: whitespace is already collapsed to single spaces.
    return '"' + start[:60] + ("…" if len(start) > 60 else "") + '"'
