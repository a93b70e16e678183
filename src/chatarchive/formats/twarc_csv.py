"""twarc 1.x ``json2csv`` output: one API v1.1 tweet per row, 38 columns.

Rows are rebuilt as v1.1-shaped tweets for ``message_from_v1``, so the same tweet read from the
CSV and from twarc's JSONL gives the same Message where the CSV keeps the field. The CSV keeps
the expanded URLs but not which t.co link each replaces: they are paired in order when the
counts agree. A retweet's text stays as Twitter cut it (the original's text is not in the row).
json2csv writes ``user_screen_name`` twice; the first copy is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from chatarchive.formats._posttext import tco_links
from chatarchive.formats.csvtools import (
    CsvRow,
    count,
    has_columns,
    header_of,
    list_cell,
    optional_id,
    read_messages,
    required_cell,
    required_text,
    tweet_id,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import make_author, message_from_v1, unique
from chatarchive.models import Message, ParsedRecord, Rejected

_MARKERS = ("id", "tweet_url", "created_at", "parsed_created_at", "user_screen_name", "text")


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like twarc's json2csv output."""
    header = header_of(head)
    if not has_columns(header, *_MARKERS):
        return 0
    return 95 if has_columns(header, "tweet_type", "retweet_or_quote_id") else 85


def url_cell(value: str | None) -> list[str]:
    """Split a cell listing URLs separated by spaces."""
    return (value or "").split()


def expand_in_order(text: str, expanded: Sequence[str]) -> dict[str, str]:
    """Pair a text's t.co links with expanded URLs listed in the same order, if counts agree."""
    short = tco_links(text)
    if not short or len(short) != len(expanded):
        return {}
    return dict(zip(short, expanded, strict=True))


def _entities(text: str, row: CsvRow) -> dict[str, Any]:
    """Rebuild v1.1 entities from the hashtags, urls and media cells."""
    urls, media = url_cell(row.get("urls")), url_cell(row.get("media"))
    # A tweet's photos share one t.co link, which comes after its other links.
    pairs = list(expand_in_order(text, urls + media[:1]).items())
    url_pairs, media_pairs = pairs[: len(urls)], pairs[len(urls) :]
    return {
        "hashtags": [{"text": tag} for tag in list_cell(row.get("hashtags"))],
        "urls": [{"url": short, "expanded_url": long} for short, long in url_pairs],
        "media": [{"url": short, "expanded_url": long} for short, long in media_pairs],
    }


def _tweet(row: CsvRow, native_id: str, text: str) -> dict[str, Any]:
    """Rebuild the v1.1 tweet a json2csv row came from, as far as the row tells."""
    tweet: dict[str, Any] = {
        "id_str": native_id,
        "full_text": text,
        "created_at": row.get("created_at") or row.get("parsed_created_at"),
        "entities": _entities(text, row),
        "in_reply_to_status_id_str": optional_id(row, "in_reply_to_status_id"),
        "favorite_count": count(row.get("favorite_count")),
        "retweet_count": count(row.get("retweet_count")),
        "lang": row.get("lang"),
    }
    referenced = optional_id(row, "retweet_or_quote_id")
    kind = row.get("tweet_type")
    if referenced and kind == "retweet":
        # Only the id: the builder keeps the row's own text when the original has none.
        tweet["retweeted_status"] = {"id_str": referenced}
    elif referenced and kind == "quote":
        tweet["quoted_status_id_str"] = referenced
    return tweet


def message_from_row(row: CsvRow) -> Message:
    """Normalize one json2csv row through the v1.1 tweet builder."""
    native_id = tweet_id(row, "id", "tweet_url")
    handle, text = required_cell(row, "user_screen_name"), required_text(row, "text")
    author = make_author(optional_id(row, "user_id"), handle, row.get("user_name"))
    message = message_from_v1(_tweet(row, native_id, text), author)
    # Every expanded URL is a link, even those the text could not be paired with.
    return replace(message, links=unique(url_cell(row.get("urls"))))


@register(
    name="twarc-csv",
    description="twarc 1.x json2csv CSV (id, tweet_url, created_at, parsed_created_at, ...)",
    origin_hint="twarc 1.x: twarc search ... > tweets.jsonl; json2csv.py tweets.jsonl > out.csv",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a json2csv CSV row by row."""
    return read_messages(path, origin, message_from_row)
