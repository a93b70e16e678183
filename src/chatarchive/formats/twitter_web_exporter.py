"""twitter-web-exporter JSON exports: a JSON array of tweets, flattened or with all metadata.

twitter-web-exporter (prinsss/twitter-web-exporter) is a userscript that keeps the tweets the
X web app loads and exports them from its table. By default each item is the table row, flat:
``{"id", "created_at": "2026-03-04 18:00:12 +00:00", "full_text", "media", "screen_name",
"name", "profile_image_url", "in_reply_to", "retweeted_status", "quoted_status",
"favorite_count", "retweet_count", ..., "url"}``. With "include all metadata" each item is the
web app's GraphQL tweet result instead (``rest_id``, ``core``, ``legacy``, ``note_tweet``),
normalized like Zeeschuimer's. Both kinds may share a file; each item is judged on its own.

A flat row has no user id (the author id is ``twitter:<handle>``), no entities (links and tags
are read from the text) and no retweeted original (a retweet keeps its own, maybe cut, text).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatarchive.errors import FormatError
from chatarchive.formats._graphql import looks_like_graphql_tweet, message_from_graphql
from chatarchive.formats._jsonarray import BrokenItem, iter_array
from chatarchive.formats._posttext import hashtags_in_text, links_in_text, status_parts
from chatarchive.formats.reading import (
    RecordError,
    keys_of,
    make_record,
    rejected_record,
    sniff_json,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import (
    as_int,
    expand_text,
    id_text,
    make_author,
    parse_created_at,
    tweet_message,
)
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

_FLAT_KEYS = ("id", "full_text", "screen_name")
# JSON.stringify(rows, null, 2) puts each item's braces at an indent of exactly two spaces.
_NEXT_ITEM = re.compile(r"\}\s*,\r?\n  (?=\{)")


def _is_flat(value: Any) -> bool:
    return isinstance(value, dict) and all(key in value for key in _FLAT_KEYS)


def _score(first: Any) -> int:
    if not isinstance(first, list) or not first:
        return 0
    return 95 if looks_like_graphql_tweet(first[0]) or _is_flat(first[0]) else 0


def _markers(text: str) -> int:
    # The array runs past the head: look for the keys of either kind of item.
    if '"rest_id"' in text and '"legacy"' in text:
        return 90
    flat = ('"full_text"', '"screen_name"', '"views_count"')
    return 90 if all(marker in text for marker in flat) else 0


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like a twitter-web-exporter JSON export."""
    return sniff_json(head, "[", _score, _markers)


def message_from_flat(item: Mapping[str, Any]) -> Message:
    """Normalize one flattened table row of twitter-web-exporter."""
    native_id = id_text(item.get("id")) or (status_parts(item.get("url")) or ("", None))[1]
    if native_id is None:
        raise RecordError("the tweet has no id")
    handle, name, text = item.get("screen_name"), item.get("name"), item.get("full_text")
    if not isinstance(handle, str) or not handle:
        raise RecordError("the tweet has no screen_name")
    if not isinstance(text, str):
        raise RecordError("the tweet has no full_text")
    user_id = id_text(item.get("user_id")) or id_text(item.get("user_id_str"))
    author = make_author(user_id, handle, name if isinstance(name, str) else None)
    # No entities: t.co links stay as they are, and entities are decoded once.
    text = expand_text(text, {}).strip()
    return tweet_message(
        native_id,
        author,
        text,
        parse_created_at(item.get("created_at"), native_id),
        reply_to=id_text(item.get("in_reply_to")),
        quoted=id_text(item.get("quoted_status")),
        repost_of=id_text(item.get("retweeted_status")),
        likes=as_int(item.get("favorite_count")),
        reposts=as_int(item.get("retweet_count")),
        lang=item.get("lang"),
        hashtags=hashtags_in_text(text),
        links=links_in_text(text),
    )


def _record(item: Any, location: str) -> ParsedRecord | Rejected:
    if looks_like_graphql_tweet(item):
        return make_record(location, item, lambda: message_from_graphql(item))
    if _is_flat(item):
        return make_record(location, item, lambda: message_from_flat(item))
    return rejected_record(location, f"not an exported tweet (has: {keys_of(item)})", item)


@register(
    name="twitter-web-exporter",
    description="twitter-web-exporter JSON: an array of tweets, flat rows or GraphQL results",
    origin_hint="the twitter-web-exporter userscript's Export Data > JSON (prinsss)",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read the exported array item by item, streamed from the file."""
    with path.open("rb") as stream:
        try:
            for entry in iter_array(stream.read, resync=_NEXT_ITEM):
                if isinstance(entry, BrokenItem):
                    yield Rejected(f"item {entry.number}", entry.reason, entry.snippet)
                else:
                    yield _record(entry[1], f"item {entry[0]}")
        except RecordError as error:
            # Only the start of the file raises: it is not a JSON array at all.
            raise FormatError(origin, str(error)) from error
