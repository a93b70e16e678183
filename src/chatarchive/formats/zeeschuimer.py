"""Zeeschuimer NDJSON exports of X/Twitter: one collected item per line, the tweet in ``data``.

Zeeschuimer (digitalmethodsinitiative/zeeschuimer) is a browser extension that keeps the posts
the X web app loads while one scrolls. Each line wraps one item: ``{"id", "item_id",
"nav_index", "timestamp_collected", "source_platform": "twitter.com", "source_platform_url",
"source_url", "user_agent", "data": <the GraphQL Tweet result>}``. The whole line is kept as
the record's raw text, collection details included.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatarchive.formats._graphql import looks_like_graphql_tweet, message_from_graphql
from chatarchive.formats.reading import (
    json_line_halves,
    keys_of,
    make_record,
    read_json_lines,
    rejected_record,
    sniff_json,
)
from chatarchive.formats.registry import register
from chatarchive.models import ParsedRecord, Rejected

logger = logging.getLogger(__name__)

TWITTER_PLATFORMS = ("twitter.com", "x.com")


def _is_item(value: Any) -> bool:
    return isinstance(value, dict) and "source_platform" in value and "data" in value


def _score(first: Any) -> int:
    if not _is_item(first):
        return 0
    # Other platforms' exports are recognised, so that each line says why it is not read.
    return 100 if first.get("source_platform") in TWITTER_PLATFORMS else 60


def _markers(text: str) -> int:
    # The first line runs past the head: look for the item's own keys.
    markers = ('"source_platform"', '"timestamp_collected"', '"data"')
    return 90 if all(marker in text for marker in markers) else 0


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like a Zeeschuimer export."""
    return sniff_json(head, "{", _score, _markers)


def _record(value: Any, location: str) -> ParsedRecord | Rejected:
    if not _is_item(value):
        return rejected_record(location, f"not a Zeeschuimer item (has: {keys_of(value)})", value)
    platform = value.get("source_platform")
    if platform not in TWITTER_PLATFORMS:
        reason = f"an item collected from {platform}, not from X/Twitter"
        return rejected_record(location, reason, value)
    if not looks_like_graphql_tweet(value["data"]):
        return rejected_record(location, "the item's data is not a tweet result", value)
    # The whole item is kept: its collection details say where and when it was seen.
    return make_record(location, value, lambda: message_from_graphql(value["data"]))


@register(
    name="zeeschuimer",
    description="Zeeschuimer NDJSON export of X/Twitter (one collected GraphQL tweet per line)",
    origin_hint="the Zeeschuimer browser extension's 'Download .ndjson' for twitter.com / x.com",
    sniff=sniff,
    halves=json_line_halves,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a Zeeschuimer export line by line."""
    return read_json_lines(path, _record)
