"""DocNow twarc-csv output: twarc2 (API v2) tweets flattened to one row each, dotted columns.

Rows are rebuilt as flattened v2 tweets (``author`` inlined, ``entities`` decoded from their
JSON cells) for twarc2's ``message_from_v2``, so a tweet read from the CSV and from twarc2's
JSONL gives the same Message where the CSV keeps the field. The retweeted original is not in
the row, so a retweet's text stays as Twitter cut it.
"""

from __future__ import annotations

import ast
import json
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatarchive.formats.csvtools import (
    CsvRow,
    count,
    has_columns,
    header_of,
    optional_id,
    read_messages,
    required_text,
    tweet_id,
)
from chatarchive.formats.reading import loads, without_surrogates
from chatarchive.formats.registry import register
from chatarchive.formats.twarc2 import message_from_flattened
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

_REFERENCE_TYPES = ("replied_to", "retweeted", "quoted")


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like twarc-csv output."""
    header = header_of(head)
    if not has_columns(header, "id", "author_id", "created_at", "text"):
        return 0
    dotted = any(
        n.startswith(("referenced_tweets.", "public_metrics.", "__twarc.")) for n in header
    )
    return 95 if dotted and has_columns(header, "conversation_id") else 0


def _json_cell(row: CsvRow, column: str) -> Any:
    """Decode a cell twarc-csv wrote as JSON (or as a Python literal, with JSON encoding off)."""
    cell = row.get(column)
    if cell is None:
        return None
    try:
        return loads(cell)
    except json.JSONDecodeError:
        pass
    try:
        return without_surrogates(ast.literal_eval(cell))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        logger.warning("%s: ignoring unreadable %s", row.location, column)
        return None


def _tweet(row: CsvRow, native_id: str, text: str) -> dict[str, Any]:
    """Rebuild the flattened v2 tweet a twarc-csv row came from, as far as the row tells."""
    author_id = optional_id(row, "author_id") or optional_id(row, "author.id")
    references = [
        {"type": kind, "id": ref_id}
        for kind in _REFERENCE_TYPES
        if (ref_id := optional_id(row, f"referenced_tweets.{kind}.id")) is not None
    ]
    return {
        "id": native_id,
        "author_id": author_id,
        "author": {
            "id": author_id,
            "username": row.get("author.username"),
            "name": row.get("author.name"),
        },
        "text": text,
        "created_at": row.get("created_at"),
        "lang": row.get("lang"),
        "public_metrics": {
            "like_count": count(row.get("public_metrics.like_count")),
            "retweet_count": count(row.get("public_metrics.retweet_count")),
        },
        "entities": {
            "urls": _json_cell(row, "entities.urls"),
            "hashtags": _json_cell(row, "entities.hashtags"),
        },
        "referenced_tweets": references,
    }


def message_from_row(row: CsvRow) -> Message:
    """Normalize one twarc-csv row through twarc2's tweet builder."""
    native_id = tweet_id(row, "id")
    # A row has no includes: the author is inlined, as in a flattened tweet.
    return message_from_flattened(_tweet(row, native_id, required_text(row, "text")))


@register(
    name="twarc2-csv",
    description="DocNow twarc-csv CSV of twarc2 tweets (id, conversation_id, referenced_tweets...)",
    origin_hint="twarc2 csv tweets.jsonl tweets.csv (the twarc-csv plugin by DocNow)",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a twarc-csv CSV row by row."""
    return read_messages(path, origin, message_from_row)
