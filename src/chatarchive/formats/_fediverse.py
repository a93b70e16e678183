"""Reading shared by the open-platform formats (mastodon, bluesky): API bodies, places, times.

Both formats read the bodies of their platform's HTTP API as they were saved: one body as a
JSON document (pretty-printed or not), JSON Lines with one body per line (what the live pullers
write: one response page per line), or a JSON array of such bodies.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chatarchive.formats.reading import (
    RecordError,
    json_lines,
    load_json_document,
    loads,
)
from chatarchive.formats.twitter import iso_utc
from chatarchive.models import Rejected

logger = logging.getLogger(__name__)

# A whole-file document that is not a list of bodies is read as one body at this location.
DOCUMENT = "document"
_BOM = b"\xef\xbb\xbf"
_JSON_TYPES = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def at(prefix: str, part: str) -> str:
    """Join two parts of a record location: ``at("line 3", "item 2") == "line 3 item 2"``."""
    return f"{prefix} {part}" if prefix else part


def within(location: str, part: str) -> str:
    """Return the location of a part of the body at ``location`` (a whole document: no prefix)."""
    return at("" if location == DOCUMENT else location, part)


def numbered(items: list[Any], location: str, label: str = "item") -> Iterator[tuple[str, Any]]:
    """Yield ``(location, item)`` for each item of a body's list: 'line 3 item 1', 'item 2'..."""
    for number, item in enumerate(items, start=1):
        yield within(location, f"{label} {number}"), item


def _first_lines(path: Path) -> list[bytes]:
    """Return the first two non-blank lines of a file, stripped."""
    found: list[bytes] = []
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            if raw.strip():
                found.append(raw.strip())
                if len(found) == 2:
                    break
    return found


def _parses(line: bytes) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError alike
        return False
    return True


def iter_bodies(path: Path, origin: str) -> Iterator[tuple[str, Any] | Rejected]:
    """Yield ``(location, decoded body)`` for each line of JSONL or the whole document.

    A file of several lines is JSON Lines when one of its first two lines is JSON by itself; a
    pretty-printed document has neither. A broken document is a FormatError; a broken line (or
    a broken file of one line) is a Rejected.
    """
    first = _first_lines(path)
    if len(first) == 1 or (first and not any(map(_parses, first))):
        try:
            document = loads(path.read_bytes().decode("utf-8-sig"))
        except ValueError:
            if len(first) > 1:
                # Cut short or broken: name the line and column, as for any JSON document.
                yield DOCUMENT, load_json_document(path, origin)
                return
        else:
            yield DOCUMENT, document
            return
    yield from json_lines(path)


def parse_time(value: Any, field: str) -> datetime:
    """Parse an ISO-8601 time as aware UTC (a time without an offset is taken as UTC)."""
    parsed = iso_utc(value) if isinstance(value, str) else None
    if parsed is None:
        raise RecordError(f"unreadable {field}: {value!r}")
    return parsed


def host_of(url: Any) -> str | None:
    """Return the host (with port, if any) of an http(s) URL, else None."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    return (parts.netloc or None) if parts.scheme in ("http", "https") else None


def text_or_none(value: Any) -> str | None:
    """Return ``value`` if it is non-empty text, else None."""
    return value if isinstance(value, str) and value else None


def describe_keys(value: Any) -> str:
    """Name what a decoded value holds, for a rejected record's reason."""
    if isinstance(value, dict):
        return "has: " + (", ".join(sorted(value)[:5]) or "nothing")
    return "a JSON " + _JSON_TYPES.get(type(value), "null")
