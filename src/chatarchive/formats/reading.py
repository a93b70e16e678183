"""Reading helpers shared by the JSON-based formats: lines, documents, snippets, sniff heads."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from chatarchive.errors import FormatError
from chatarchive.models import Rejected

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 200
_BOM = b"\xef\xbb\xbf"


class RecordError(Exception):
    """A record that cannot become a message; its ``str`` is the reason given to the user."""


def compact_json(value: Any) -> str:
    """Return ``value`` as compact JSON text, keeping non-ASCII characters as they are."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers beyond 64 bits, which orjson refuses
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads(data: bytes | str) -> Any:
    """Decode JSON fast; a failure raises the standard library's error with its clear wording."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # The standard decoder accepts what orjson refuses on purpose (huge integers, NaN) and
        # words its errors better ("Expecting ',' delimiter"), so let it decide.
        return json.loads(data)


def snippet(text: str) -> str:
    """Return the first 200 characters of ``text``, for a rejected record."""
    return text[:SNIPPET_CHARS]


def rejected_record(location: str, reason: str, record: Any) -> Rejected:
    """Build a Rejected for a decoded record that could not be normalized."""
    return Rejected(location=location, reason=reason, snippet=snippet(compact_json(record)))


def json_error_reason(error: json.JSONDecodeError) -> str:
    """Describe a JSON syntax error of a one-line record."""
    return f"invalid JSON: {error.msg} (column {error.colno})"


def iter_json_lines(path: Path) -> Iterator[tuple[int, Any] | Rejected]:
    """Yield ``(line number, decoded value)`` for each non-blank line, or a Rejected."""
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            # Without its line break, error columns point into the line, not past it.
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue
            text = raw.decode("utf-8", errors="replace")
            try:
                value = loads(raw)
            except UnicodeDecodeError as error:
                yield Rejected(f"line {number}", f"not UTF-8 text: {error.reason}", snippet(text))
            except json.JSONDecodeError as error:
                yield Rejected(f"line {number}", json_error_reason(error), snippet(text))
            else:
                yield number, value


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
        except json.JSONDecodeError:
            continue
    return None


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
