"""twarc 1.x output: one Twitter API v1.1 tweet per line (JSONL), or a JSON array of them."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatarchive.formats.reading import (
    first_json_value,
    head_text,
    json_line_halves,
    keys_of,
    load_json_document,
    make_record,
    read_json_lines,
    rejected_record,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import message_from_v1
from chatarchive.models import ParsedRecord, Rejected

logger = logging.getLogger(__name__)

_V1_CREATED_AT = re.compile(r'"created_at"\s*:\s*"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d')


def looks_like_v1_tweet(value: Any) -> bool:
    """Tell whether a decoded JSON value has the shape of a v1.1 tweet."""
    if not isinstance(value, dict) or "id_str" not in value:
        return False
    return any(key in value for key in ("text", "full_text", "extended_tweet"))


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like v1.1 tweets, one per line or in an array."""
    text = head_text(head)
    if not text.startswith(("{", "[")):
        return 0
    first = first_json_value(text)
    if isinstance(first, list):
        first = first[0] if first else None
    if first is not None:
        return 95 if looks_like_v1_tweet(first) else 0
    # The first record runs past the head (or the array is pretty-printed): look for markers.
    score = 40 if '"id_str"' in text else 0
    if score and _V1_CREATED_AT.search(text):
        score += 40
    return score


def _record(value: Any, location: str) -> ParsedRecord | Rejected:
    if not looks_like_v1_tweet(value):
        reason = f"not a v1.1 tweet (no id_str and text; has: {keys_of(value)})"
        return rejected_record(location, reason, value)
    return make_record(location, value, lambda: message_from_v1(value))


def _starts_with_array(path: Path) -> bool:
    with path.open("rb") as stream:
        return head_text(stream.read(1024)).startswith("[")


@register(
    name="twarc",
    description="Twitter API v1.1 tweets, one JSON object per line (JSONL) or a JSON array",
    origin_hint="twarc 1.x search/filter/timeline output; twitter-to-sqlite and API v1.1 dumps",
    sniff=sniff,
    halves=json_line_halves,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read v1.1 tweets line by line (or item by item from a JSON array)."""
    if _starts_with_array(path):
        # An array cannot be decoded piece by piece with the standard library.
        items = load_json_document(path, origin)
        if not isinstance(items, list):
            return
        for number, item in enumerate(items, start=1):
            yield _record(item, f"item {number}")
        return
    yield from read_json_lines(path, _record)
