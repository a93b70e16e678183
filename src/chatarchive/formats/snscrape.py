"""snscrape's ``--jsonl`` Twitter output: one Tweet object per line.

``snscrape --jsonl twitter-search "#solopr"`` (and twitter-user, twitter-hashtag ...) writes each
tweet as ``{"_type": "snscrape.modules.twitter.Tweet", "url", "date", "rawContent", "id",
"user": {...}, "likeCount", "retweetCount", "links": [{"url", "text", "tcourl"}], "hashtags",
"retweetedTweet", "quotedTweet", "inReplyToTweetId", ...}``. Older versions (before 0.5) write
``content`` / ``renderedContent`` and ``outlinks`` / ``tcooutlinks`` instead. Ids are JSON
integers above 2^53: the id is read from the tweet's ``url`` where there is one, and Python's
exact integers otherwise, never through a float.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatarchive.formats._posttext import (
    first_text,
    hashtags_in_text,
    lower_tags,
    status_parts,
    with_original,
)
from chatarchive.formats.reading import (
    RecordError,
    json_line_halves,
    keys_of,
    make_record,
    read_json_lines,
    rejected_record,
    sniff_json,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import (
    as_dict,
    as_int,
    as_list,
    expand_text,
    id_text,
    make_author,
    parse_created_at,
    tweet_message,
)
from chatarchive.models import Author, Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

TWEET_TYPE = "snscrape.modules.twitter.Tweet"
_TOMBSTONE_TYPE = "snscrape.modules.twitter.Tombstone"
_TYPE_MARKER = re.compile(r'"_type"\s*:\s*"snscrape\.modules\.twitter\.(?:Tweet|Tombstone)"')
_TEXT_KEYS = ("rawContent", "content", "renderedContent")


def _looks_like_tweet(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if value.get("_type") in (TWEET_TYPE, _TOMBSTONE_TYPE):
        return True
    has_text = any(key in value for key in _TEXT_KEYS)
    return has_text and all(key in value for key in ("url", "date", "user"))


def _score(first: Any) -> int:
    if not _looks_like_tweet(first):
        return 0
    return 100 if first.get("_type") in (TWEET_TYPE, _TOMBSTONE_TYPE) else 90


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like snscrape's JSONL tweets."""
    return sniff_json(head, "{", _score, lambda text: 95 if _TYPE_MARKER.search(text) else 0)


def _id_of(value: Any) -> str | None:
    # Python's json reads big integers exactly; a bool is not an id.
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return str(value)
    return id_text(value)


def tweet_id(tweet: Mapping[str, Any]) -> str | None:
    """Return a tweet's id as text: from its url when it has one, else from ``id``."""
    parts = status_parts(tweet.get("url"))
    return parts[1] if parts else _id_of(tweet.get("id"))


def _author(tweet: Mapping[str, Any]) -> Author:
    user = tweet.get("user")
    if not isinstance(user, dict):
        raise RecordError("the tweet has no user object")
    handle, name = user.get("username"), user.get("displayname")
    if not isinstance(handle, str) or not handle:
        raise RecordError("the tweet's user has no username")
    return make_author(_id_of(user.get("id")), handle, name if isinstance(name, str) else None)


def _expansions(tweet: Mapping[str, Any]) -> dict[str, str]:
    links = [as_dict(link) for link in as_list(tweet.get("links"))]
    pairs = [(link.get("tcourl"), link.get("url")) for link in links]
    if not pairs:
        short_links, long_links = as_list(tweet.get("tcooutlinks")), as_list(tweet.get("outlinks"))
        pairs = list(zip(short_links, long_links, strict=False))
    return {
        short: long for short, long in pairs if isinstance(short, str) and isinstance(long, str)
    }


def _links(tweet: Mapping[str, Any]) -> list[str]:
    links = [as_dict(link).get("url") for link in as_list(tweet.get("links"))]
    found = links or as_list(tweet.get("outlinks"))
    return [url for url in found if isinstance(url, str)]


def _text(tweet: Mapping[str, Any]) -> str:
    text = first_text(tweet.get(key) for key in _TEXT_KEYS)
    if text is None:
        raise RecordError("the tweet has no rawContent or content")
    return expand_text(text, _expansions(tweet)).strip()


def _hashtags(tweet: Mapping[str, Any], text: str) -> list[str]:
    if "hashtags" not in tweet:
        return hashtags_in_text(text)
    # snscrape writes null, not [], for a tweet without hashtags.
    return lower_tags(as_list(tweet.get("hashtags")))


def message_from_snscrape(tweet: Mapping[str, Any]) -> Message:
    """Normalize one snscrape Tweet (a retweet's text is rebuilt from ``retweetedTweet``)."""
    native_id = tweet_id(tweet)
    if native_id is None:
        raise RecordError("the tweet has no id or status url")
    author, text = _author(tweet), _text(tweet)
    original = as_dict(tweet.get("retweetedTweet"))
    has_original = any(key in original for key in _TEXT_KEYS)
    text, hashtags, links = with_original(
        (text, _hashtags(tweet, text), _links(tweet)),
        (lambda: message_from_snscrape(original)) if has_original else None,
    )
    return tweet_message(
        native_id,
        author,
        text,
        parse_created_at(tweet.get("date"), native_id),
        reply_to=_id_of(tweet.get("inReplyToTweetId")),
        quoted=tweet_id(as_dict(tweet.get("quotedTweet"))),
        repost_of=tweet_id(original),
        likes=as_int(tweet.get("likeCount")),
        reposts=as_int(tweet.get("retweetCount")),
        lang=tweet.get("lang"),
        hashtags=hashtags,
        links=links,
    )


def _record(value: Any, location: str) -> ParsedRecord | Rejected:
    if not _looks_like_tweet(value):
        return rejected_record(location, f"not a snscrape tweet (has: {keys_of(value)})", value)
    if value.get("_type") == _TOMBSTONE_TYPE:
        note = value.get("text")
        return rejected_record(location, f"a tombstone, the tweet is gone: {note}", value)
    return make_record(location, value, lambda: message_from_snscrape(value))


@register(
    name="snscrape",
    description="snscrape --jsonl Twitter output (one Tweet object per line)",
    origin_hint="snscrape --jsonl twitter-search / twitter-user / twitter-hashtag",
    sniff=sniff,
    halves=json_line_halves,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read snscrape tweets line by line."""
    return read_json_lines(path, _record)
