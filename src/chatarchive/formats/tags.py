"""TAGS (Twitter Archiving Google Sheet): its "Archive" sheet exported as CSV.

The 18 columns are v1.1 tweet fields, so each row is rebuilt as a v1.1-shaped tweet and goes
through ``message_from_v1``: a tweet read from TAGS and from twarc gives the same Message where
TAGS keeps the field. TAGS keeps no display name (the handle stands in), no tweet language, no
counts and no retweeted original (a retweet's text stays as TAGS cut it). ``created_at`` is
trusted over ``time``, which TAGS writes in the sheet's time zone but labels UTC.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from chatarchive.formats._posttext import hashtags_in_text, links_in_text
from chatarchive.formats.csvtools import (
    CsvRow,
    has_columns,
    header_of,
    optional_id,
    read_messages,
    required_cell,
    required_text,
    tweet_id,
)
from chatarchive.formats.reading import loads
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import make_author, message_from_v1, unique
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

COLUMNS = (
    "id_str",
    "from_user",
    "text",
    "created_at",
    "time",
    "geo_coordinates",
    "user_lang",
    "in_reply_to_user_id_str",
    "in_reply_to_screen_name",
    "from_user_id_str",
    "in_reply_to_status_id_str",
    "source",
    "profile_image_url",
    "user_followers_count",
    "user_friends_count",
    "user_location",
    "status_url",
    "entities_str",
)


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like a TAGS archive sheet exported as CSV."""
    header = header_of(head)
    if not has_columns(header, "id_str", "from_user", "text", "from_user_id_str"):
        return 0
    return 95 if has_columns(header, "status_url", "entities_str") else 85


def _entities(row: CsvRow) -> dict[str, Any] | None:
    cell = row.get("entities_str")
    if cell is None:
        return None
    try:
        entities = loads(cell)
    except json.JSONDecodeError as error:
        # Sheets cut cells at 50,000 characters; the row is still worth keeping.
        logger.warning("%s: ignoring unreadable entities_str (%s)", row.location, error.msg)
        return None
    return entities if isinstance(entities, dict) else None


def message_from_row(row: CsvRow) -> Message:
    """Normalize one TAGS row through the v1.1 tweet builder."""
    native_id = tweet_id(row, "id_str", "status_url")
    handle = required_cell(row, "from_user").lstrip("@")
    text = required_text(row, "text")
    author = make_author(optional_id(row, "from_user_id_str"), handle, handle)
    tweet: dict[str, Any] = {
        "id_str": native_id,
        "text": text,
        "created_at": row.get("created_at"),
        "in_reply_to_status_id_str": optional_id(row, "in_reply_to_status_id_str"),
    }
    entities = _entities(row)
    if entities is not None:
        tweet["entities"] = entities
    message = message_from_v1(tweet, author)
    if entities is None:
        tags, links = hashtags_in_text(message.text), links_in_text(message.text)
        message = replace(message, hashtags=unique(tags), links=unique(links))
    return message


@register(
    name="tags",
    description="TAGS Google Sheet archive exported as CSV (id_str, from_user, text, ...)",
    origin_hint="TAGS (Twitter Archiving Google Sheet): Archive sheet, File > Download > CSV",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a TAGS sheet row by row; blank rows and repeated tweets are skipped."""
    # TAGS often repeats the first tweet right after the header.
    return read_messages(path, origin, message_from_row, skip_repeats=True)
