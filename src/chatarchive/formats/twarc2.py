"""twarc2 output (Twitter API v2): response pages, stream lines, or flattened tweets, as JSONL.

Three shapes share the format: a page ``{"data": [...], "includes": {...}}``, a stream line whose
``data`` is one tweet, and twarc's "flattened" lines (one tweet with ``author`` inlined and the
referenced tweets expanded in place). Authors and retweeted originals are joined from
``includes`` (or the inlined objects); only the tweets in ``data`` become messages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    UNKNOWN_HANDLE,
    as_dict,
    as_int,
    as_list,
    expand_text,
    id_text,
    make_author,
    parse_created_at,
    tags_of,
    tweet_message,
    url_expansions,
)
from chatarchive.models import Author, Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

_PAGE_START = re.compile(r'^\{\s*"data"\s*:\s*[\[{]')
_ISO_CREATED_AT = re.compile(r'"created_at"\s*:\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d')
_RT_PREFIX = re.compile(r"^RT @(\w+):")
_MEDIA_HOSTS = ("pic.twitter.com/", "pic.x.com/")


@dataclass(frozen=True, slots=True)
class _Context:
    """The users and tweets a line carries beside the tweets it is about."""

    users: Mapping[str, Mapping[str, Any]]
    tweets: Mapping[str, Mapping[str, Any]]


# For a tweet read alone (a twarc-csv row): its author is inlined and nothing is included.
_NO_CONTEXT = _Context(users={}, tweets={})


def _looks_like_v2_tweet(value: Any) -> bool:
    return isinstance(value, dict) and "id" in value and "author_id" in value and "text" in value


def _score(first: Any) -> int:
    if isinstance(as_dict(first).get("data"), list | dict):
        return 95
    return 90 if _looks_like_v2_tweet(first) else 0


def _markers(text: str) -> int:
    # The first line is a page longer than the head.
    if _PAGE_START.match(text):
        return 90
    score = 40 if '"author_id"' in text else 0
    if score and _ISO_CREATED_AT.search(text):
        score += 40
    return score


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like twarc2 output."""
    return sniff_json(head, "{", _score, _markers)


def _index(objects: Any) -> dict[str, Mapping[str, Any]]:
    """Index a list of users or tweets by id; the first copy of a repeated id wins."""
    index: dict[str, Mapping[str, Any]] = {}
    for item in as_list(objects):
        key = id_text(as_dict(item).get("id"))
        if key is not None:
            index.setdefault(key, item)
    return index


def _author(tweet: Mapping[str, Any], context: _Context) -> Author:
    author_id = id_text(tweet.get("author_id"))
    user = as_dict(tweet.get("author")) or context.users.get(author_id or "", {})
    handle, name = user.get("username"), user.get("name")
    return make_author(
        author_id or id_text(user.get("id")),
        handle if isinstance(handle, str) else None,
        name if isinstance(name, str) else None,
    )


def _entities(tweet: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    note = as_dict(tweet.get("note_tweet"))
    return [as_dict(note.get("entities")), as_dict(tweet.get("entities"))]


def _text(tweet: Mapping[str, Any]) -> str:
    note_text = as_dict(tweet.get("note_tweet")).get("text")
    text = note_text if isinstance(note_text, str) else tweet.get("text")
    if not isinstance(text, str):
        raise RecordError("the tweet has no text")
    expansions: dict[str, str] = {}
    for entities in _entities(tweet):
        for short, expanded in url_expansions(as_list(entities.get("urls"))).items():
            expansions.setdefault(short, expanded)
    return expand_text(text, expansions).strip()


def _hashtags(tweet: Mapping[str, Any]) -> list[str]:
    return [tag for e in _entities(tweet) for tag in tags_of(as_list(e.get("hashtags")), "tag")]


def _is_media(entity: Mapping[str, Any]) -> bool:
    display = entity.get("display_url")
    is_pic = isinstance(display, str) and display.startswith(_MEDIA_HOSTS)
    return "media_key" in entity or is_pic


def _links(tweet: Mapping[str, Any]) -> list[str]:
    entities = [as_dict(e) for es in _entities(tweet) for e in as_list(es.get("urls"))]
    return list(url_expansions(e for e in entities if not _is_media(e)).values())


def _references(tweet: Mapping[str, Any]) -> dict[str, str]:
    """Map each reference type (replied_to, quoted, retweeted) to the referenced tweet's id."""
    references: dict[str, str] = {}
    for reference in as_list(tweet.get("referenced_tweets")):
        kind, ref_id = as_dict(reference).get("type"), id_text(as_dict(reference).get("id"))
        if isinstance(kind, str) and ref_id is not None:
            references.setdefault(kind, ref_id)
    return references


def _retweet_text(tweet: Mapping[str, Any], original: Mapping[str, Any], context: _Context) -> str:
    """Rebuild a retweet's text from its original, so that it is not cut short with '…'."""
    handle: str | None = _author(original, context).handle
    given = _text(tweet)
    if handle == UNKNOWN_HANDLE:
        # The original's author is not included: the retweet's own text names them.
        match = _RT_PREFIX.match(given)
        handle = match.group(1) if match else None
    return f"RT @{handle}: {_text(original)}" if handle else given


def message_from_v2(tweet: Mapping[str, Any], context: _Context) -> Message:
    """Normalize one API v2 tweet, joining its author and retweeted original from ``context``."""
    native_id = id_text(tweet.get("id"))
    if native_id is None:
        raise RecordError("the tweet has no text id")
    author = _author(tweet, context)
    references = _references(tweet)
    text, hashtags, links = _text(tweet), _hashtags(tweet), _links(tweet)
    repost_of = references.get("retweeted")
    original = context.tweets.get(repost_of or "")
    if original is not None and isinstance(original.get("text"), str):
        text = _retweet_text(tweet, original, context)
        hashtags += _hashtags(original)
        links += _links(original)
    metrics = as_dict(tweet.get("public_metrics"))
    return tweet_message(
        native_id,
        author,
        text,
        parse_created_at(tweet.get("created_at"), native_id),
        reply_to=references.get("replied_to"),
        quoted=references.get("quoted"),
        repost_of=repost_of,
        likes=as_int(metrics.get("like_count")),
        reposts=as_int(metrics.get("retweet_count")),
        lang=tweet.get("lang"),
        hashtags=hashtags,
        links=links,
    )


def message_from_flattened(tweet: Mapping[str, Any]) -> Message:
    """Normalize a v2 tweet read alone: its ``author`` inlined, no original included beside it."""
    return message_from_v2(tweet, _NO_CONTEXT)


def _record(
    tweet: Any, context: _Context, location: str, *, flat: bool = False
) -> ParsedRecord | Rejected:
    if not isinstance(tweet, dict):
        return rejected_record(location, "a tweet in data is not a JSON object", tweet)
    user = tweet.get("author") if flat else context.users.get(id_text(tweet.get("author_id")) or "")
    raw: dict[str, Any] = {"tweet": tweet, "author": user}
    # Keep the included tweets this one refers to: a retweet's text is rebuilt from one.
    used = [context.tweets[ref] for ref in _references(tweet).values() if ref in context.tweets]
    if used and not flat:
        raw["referenced"] = used
    return make_record(location, tweet, lambda: message_from_v2(tweet, context), raw)


def _records_of_line(value: Any, location: str) -> Iterator[ParsedRecord | Rejected]:
    if not isinstance(value, dict):
        yield rejected_record(location, "not a twarc2 page or tweet (not a JSON object)", value)
        return
    if "data" in value:
        includes = as_dict(value.get("includes"))
        context = _Context(_index(includes.get("users")), _index(includes.get("tweets")))
        data = value["data"]
        if isinstance(data, list):
            for item, tweet in enumerate(data, start=1):
                yield _record(tweet, context, f"{location} item {item}")
        else:
            yield _record(data, context, location)
    elif _looks_like_v2_tweet(value):
        # A flattened line: the originals are inlined in referenced_tweets, authors in each.
        inlined = [as_dict(r) for r in as_list(value.get("referenced_tweets"))]
        users = _index([value.get("author")] + [r.get("author") for r in inlined])
        context = _Context(users, _index([r for r in inlined if "text" in r]))
        yield _record(value, context, location, flat=True)
    elif "errors" in value or "meta" in value:
        logger.debug("%s holds no tweets (only errors or meta); skipped", location)
    else:
        reason = f"not a twarc2 page or tweet (has: {keys_of(value)})"
        yield rejected_record(location, reason, value)


@register(
    name="twarc2",
    description="Twitter API v2 JSONL: response pages, stream lines or flattened tweets",
    origin_hint="twarc2 search/timeline/stream output (paged, streaming or twarc2 flatten)",
    sniff=sniff,
    halves=json_line_halves,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read twarc2 JSONL line by line; a page yields one record per tweet in its data."""
    return read_json_lines(path, _records_of_line)
