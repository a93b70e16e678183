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

from chatarchive.formats._posttext import first_text, hashtags_in_text, status_parts
from chatarchive.formats.reading import (
    RecordError,
    compact_json,
    first_json_value,
    head_text,
    iter_json_lines,
    rejected_record,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import (
    PLATFORM,
    as_dict,
    as_int,
    as_list,
    expand_text,
    id_text,
    make_author,
    parse_created_at,
    status_url,
    unique,
)
from chatarchive.models import Author, Message, ParsedRecord, Rejected, platform_id

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


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like snscrape's JSONL tweets."""
    text = head_text(head)
    if not text.startswith("{"):
        return 0
    first = first_json_value(text)
    if first is not None:
        if not _looks_like_tweet(first):
            return 0
        return 100 if first.get("_type") in (TWEET_TYPE, _TOMBSTONE_TYPE) else 90
    return 95 if _TYPE_MARKER.search(text) else 0


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
    tags = as_list(tweet.get("hashtags"))
    return [tag.lstrip("#").lower() for tag in tags if isinstance(tag, str)]


def message_from_snscrape(tweet: Mapping[str, Any]) -> Message:
    """Normalize one snscrape Tweet (a retweet's text is rebuilt from ``retweetedTweet``)."""
    native_id = tweet_id(tweet)
    if native_id is None:
        raise RecordError("the tweet has no id or status url")
    author, text = _author(tweet), _text(tweet)
    hashtags, links = _hashtags(tweet, text), _links(tweet)
    original = as_dict(tweet.get("retweetedTweet"))
    if any(key in original for key in _TEXT_KEYS):
        try:
            source = message_from_snscrape(original)
        except RecordError:
            pass  # keep the retweet's own (maybe truncated) text
        else:
            text = f"RT @{source.author.handle}: {source.text}"
            hashtags += source.hashtags
            links += source.links
    ids = {
        "repost": tweet_id(original),
        "quoted": tweet_id(as_dict(tweet.get("quotedTweet"))),
        "reply": _id_of(tweet.get("inReplyToTweetId")),
    }
    refs = {kind: platform_id(PLATFORM, ref) if ref else None for kind, ref in ids.items()}
    lang = tweet.get("lang")
    return Message(
        id=platform_id(PLATFORM, native_id),
        platform=PLATFORM,
        native_id=native_id,
        author=author,
        text=text,
        created_at=parse_created_at(tweet.get("date"), native_id),
        url=status_url(author, native_id),
        in_reply_to_id=refs["reply"],
        quoted_id=refs["quoted"],
        repost_of_id=refs["repost"],
        like_count=as_int(tweet.get("likeCount")),
        repost_count=as_int(tweet.get("retweetCount")),
        lang=lang if isinstance(lang, str) else None,
        hashtags=unique(hashtags),
        links=unique(links),
    )


def _record(value: Any, location: str) -> ParsedRecord | Rejected:
    if not _looks_like_tweet(value):
        keys = ", ".join(sorted(value)[:5]) if isinstance(value, dict) else type(value).__name__
        return rejected_record(location, f"not a snscrape tweet (has: {keys})", value)
    if value.get("_type") == _TOMBSTONE_TYPE:
        note = value.get("text")
        return rejected_record(location, f"a tombstone, the tweet is gone: {note}", value)
    try:
        message = message_from_snscrape(value)
    except RecordError as error:
        return rejected_record(location, str(error), value)
    return ParsedRecord(message=message, raw=compact_json(value), location=location)


@register(
    name="snscrape",
    description="snscrape --jsonl Twitter output (one Tweet object per line)",
    origin_hint="snscrape --jsonl twitter-search / twitter-user / twitter-hashtag",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read snscrape tweets line by line."""
    for entry in iter_json_lines(path):
        if isinstance(entry, Rejected):
            yield entry
        else:
            number, value = entry
            yield _record(value, f"line {number}")
