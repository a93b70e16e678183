"""Normalization shared by the Twitter formats, and the one builder for v1.1-shaped tweets.

twarc (API v1.1) and the tweets.js of Twitter's archive both hold v1.1-shaped tweets; both go
through ``message_from_v1`` so that the same tweet read from either gives an identical Message.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from chatarchive.formats._posttext import lower_tags, with_original
from chatarchive.formats.reading import RecordError
from chatarchive.models import Author, Message, platform_id

PLATFORM = "twitter"
UNKNOWN_HANDLE = "unknown"

_SNOWFLAKE_EPOCH_MS = 1288834974657
# Ids below this were issued before snowflake ids (Nov 2010) and carry no time.
_FIRST_SNOWFLAKE_ID = 30_000_000_000
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_DIGITS = {name: f"{number:02d}" for number, name in enumerate(_MONTHS, start=1)}
_V1_DATE = re.compile(
    r"^[A-Z][a-z]{2} (?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}) (?P<time>\d\d:\d\d:\d\d) "
    r"(?P<tz>[+-]\d{4}) (?P<year>\d{4})$"
)
_TCO = re.compile(r"https?://t\.co/[A-Za-z0-9]+")


def as_dict(value: Any) -> Mapping[str, Any]:
    """Return ``value`` if it is a JSON object, else an empty one (sources leave parts out)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """Return ``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def id_text(value: Any) -> str | None:
    """Return a numeric id given as text, else None (integer ids may have been rounded)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return value
    return None


def as_int(value: Any) -> int | None:
    """Return a count as int; archives write counts as strings."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def make_author(user_id: str | None, handle: str | None, name: str | None) -> Author:
    """Build a Twitter author; a missing handle becomes the placeholder 'unknown'."""
    if not handle:
        # No url: there is no profile address without a handle.
        return Author(
            id=platform_id(PLATFORM, user_id or UNKNOWN_HANDLE),
            platform=PLATFORM,
            handle=UNKNOWN_HANDLE,
            display_name=name or UNKNOWN_HANDLE,
        )
    native = user_id or handle
    return Author(
        id=platform_id(PLATFORM, native),
        platform=PLATFORM,
        handle=handle,
        display_name=name or handle,
        url=f"https://twitter.com/{handle}",
    )


def status_url(author: Author, native_id: str) -> str:
    """Return the web address of a tweet."""
    if author.handle == UNKNOWN_HANDLE:
        # Twitter resolves the author itself from this form.
        return f"https://twitter.com/i/web/status/{native_id}"
    return f"https://twitter.com/{author.handle}/status/{native_id}"


def parse_created_at(value: Any, native_id: str) -> datetime:
    """Parse a v1.1 or ISO timestamp as aware UTC; when absent, read the time from the id."""
    if value is None or value == "":
        return snowflake_time(native_id)
    if isinstance(value, str):
        quick = _quick_utc(value)
        if quick is not None:
            return quick
        match = _V1_DATE.match(value.strip())
        if match and match["mon"] in _MONTHS:
            stamp = (
                f"{match['year']}-{_MONTHS.index(match['mon']) + 1:02d}-{int(match['day']):02d}"
                f"T{match['time']}{match['tz']}"
            )
            return datetime.fromisoformat(stamp).astimezone(UTC)
        parsed = iso_utc(value)
        if parsed is not None:
            return parsed
    raise RecordError(f"unreadable created_at: {value!r}")


def _quick_utc(value: str) -> datetime | None:
    """The common case read without a regex: "Wed Oct 10 20:19:24 +0000 2018" (the API's UTC)."""
    if len(value) != 30 or value[19:26] != " +0000 " or value[3] != " " or value[10] != " ":
        return None
    month = _MONTH_DIGITS.get(value[4:7])
    digits = value[8:10] + value[11:13] + value[14:16] + value[17:19] + value[26:30]
    if month is None or not (digits.isascii() and digits.isdigit()) or value[13] != ":" \
            or value[16] != ":" or not (value[:3].isascii() and value[0].isupper()
                                        and value[1:3].islower()):
        return None
    try:
        # One ISO text read in C costs a third of six int() calls and the constructor.
        return datetime.fromisoformat(f"{value[26:30]}-{month}-{value[8:10]}T{value[11:19]}Z")
    except ValueError:
        return None  # the slow path words the error


def iso_utc(value: str) -> datetime | None:
    """Parse an ISO-8601 time as aware UTC (one without an offset is UTC); None if unreadable."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def snowflake_time(native_id: str) -> datetime:
    """Return the creation time encoded in a snowflake id."""
    number = int(native_id)
    if number < _FIRST_SNOWFLAKE_ID:
        raise RecordError("no created_at, and the id is too old to hold a time")
    milliseconds = (number >> 22) + _SNOWFLAKE_EPOCH_MS
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=milliseconds)


def expand_text(text: str, expansions: Mapping[str, str]) -> str:
    """Decode HTML entities once, then put each t.co link's expanded URL in its place."""
    decoded = html.unescape(text) if "&" in text else text
    if not expansions:
        return decoded
    return _TCO.sub(lambda match: expansions.get(match.group(0), match.group(0)), decoded)


def url_expansions(url_entities: Iterable[Any]) -> dict[str, str]:
    """Map each t.co URL of the given entities to its expanded URL."""
    expansions: dict[str, str] = {}
    for entity in url_entities:
        entity = as_dict(entity)
        short, expanded = entity.get("url"), entity.get("expanded_url")
        if isinstance(short, str) and isinstance(expanded, str) and expanded:
            expansions.setdefault(short, expanded)
    return expansions


def unique(values: Iterable[str]) -> tuple[str, ...]:
    """Drop repeats and empty values, keeping first-seen order."""
    return tuple(dict.fromkeys(value for value in values if value)) if values else ()


def tags_of(hashtag_entities: Iterable[Any], key: str) -> list[str]:
    """Return the lower-case tags of hashtag entities (``key`` is 'text' in v1.1, 'tag' in v2)."""
    return lower_tags(as_dict(entity).get(key) for entity in hashtag_entities)


def _v1_entity_sets(tweet: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Entities of the extended tweet, of the tweet, then both ``extended_entities``."""
    extended = as_dict(tweet.get("extended_tweet"))
    return [
        as_dict(extended.get("entities")),
        as_dict(tweet.get("entities")),
        as_dict(extended.get("extended_entities")),
        as_dict(tweet.get("extended_entities")),
    ]


def v1_text(tweet: Mapping[str, Any]) -> str:
    """Return the full text of a v1.1 tweet (not rebuilt for retweets), decoded and expanded."""
    return _text(tweet, _v1_entity_sets(tweet))


def v1_hashtags(tweet: Mapping[str, Any]) -> list[str]:
    """Return the tags of a v1.1 tweet, extended entities first."""
    return _hashtags(_v1_entity_sets(tweet))


def v1_links(tweet: Mapping[str, Any]) -> list[str]:
    """Return the expanded non-media URLs of a v1.1 tweet."""
    return _links(_v1_entity_sets(tweet))


def _text(tweet: Mapping[str, Any], entity_sets: Sequence[Mapping[str, Any]]) -> str:
    extended = as_dict(tweet.get("extended_tweet"))
    for candidate in (extended.get("full_text"), tweet.get("full_text"), tweet.get("text")):
        if isinstance(candidate, str):
            break
    else:
        raise RecordError("the tweet has no text, full_text or extended_tweet.full_text")
    expansions: dict[str, str] = {}
    for entities in entity_sets:
        for kind in ("urls", "media") if entities else ():
            for short, expanded in url_expansions(as_list(entities.get(kind))).items():
                expansions.setdefault(short, expanded)
    return expand_text(candidate, expansions).strip()


def _hashtags(entity_sets: Sequence[Mapping[str, Any]]) -> list[str]:
    # Only the two ``entities`` sets hold hashtags; ``extended_entities`` hold media.
    return [tag for entities in entity_sets[:2] if entities
            for tag in tags_of(as_list(entities.get("hashtags")), "text")]


def _links(entity_sets: Sequence[Mapping[str, Any]]) -> list[str]:
    return [url for entities in entity_sets[:2] if entities
            for url in url_expansions(as_list(entities.get("urls"))).values()]


def v1_author(tweet: Mapping[str, Any]) -> Author:
    """Return the author from a v1.1 tweet's ``user`` object."""
    user = tweet.get("user")
    if not isinstance(user, dict):
        raise RecordError("the tweet has no user object")
    user_id = id_text(user.get("id_str")) or id_text(user.get("id"))
    handle = user.get("screen_name")
    if not isinstance(handle, str) or not handle or user_id is None:
        raise RecordError("the tweet's user has no id_str or screen_name")
    name = user.get("name")
    return _known_author(user_id, handle, name if isinstance(name, str) else None)


# A chat's few hundred people post again and again: one (immutable) Author each.
_known_author = lru_cache(maxsize=4096)(make_author)


def v1_id(tweet: Mapping[str, Any], key: str) -> str | None:
    """Return the text id ``<key>_str`` (or ``<key>`` when it is text, as in archives)."""
    return _either_id(tweet, _TEXT_KEYS.get(key) or f"{key}_str", key)


# The keys of every post read twice; made once.
_TEXT_KEYS = {key: f"{key}_str" for key in ("id", "quoted_status_id", "in_reply_to_status_id")}


def _either_id(tweet: Mapping[str, Any], text_key: str, key: str) -> str | None:
    # Most reply and quote ids are null: those need no check.
    value = tweet.get(text_key)
    if value is not None and (found := id_text(value)) is not None:
        return found
    value = tweet.get(key)
    return None if value is None else id_text(value)


def message_from_v1(tweet: Mapping[str, Any], author: Author | None = None) -> Message:
    """Normalize a v1.1-shaped tweet; ``author`` replaces the tweet's own ``user`` if given."""
    native_id = v1_id(tweet, "id")
    if native_id is None:
        raise RecordError("the tweet has no id_str")
    author = author or v1_author(tweet)
    original = as_dict(tweet.get("retweeted_status"))
    # Built once: text, tags and links all read the same four entity sets.
    sets = _v1_entity_sets(tweet)
    text, hashtags, links = with_original(
        (_text(tweet, sets), _hashtags(sets), _links(sets)),
        (lambda: message_from_v1(original)) if original else None,
    )
    quoted = v1_id(tweet, "quoted_status_id") or v1_id(as_dict(tweet.get("quoted_status")), "id")
    return tweet_message(
        native_id,
        author,
        text,
        parse_created_at(tweet.get("created_at"), native_id),
        reply_to=v1_id(tweet, "in_reply_to_status_id"),
        quoted=quoted,
        repost_of=v1_id(original, "id"),
        likes=as_int(tweet.get("favorite_count")),
        reposts=as_int(tweet.get("retweet_count")),
        lang=tweet.get("lang"),
        hashtags=hashtags,
        links=links,
    )


def _tweet_ref(native_id: str | None) -> str | None:
    return platform_id(PLATFORM, native_id) if native_id else None


def tweet_message(
    native_id: str,
    author: Author,
    text: str,
    created_at: datetime,
    *,
    reply_to: str | None = None,
    quoted: str | None = None,
    repost_of: str | None = None,
    likes: int | None = None,
    reposts: int | None = None,
    lang: Any = None,
    hashtags: Iterable[str] = (),
    links: Iterable[str] = (),
) -> Message:
    """Build a tweet's Message from native ids; tags and links keep their first copies only."""
    return Message(
        id=platform_id(PLATFORM, native_id),
        platform=PLATFORM,
        native_id=native_id,
        author=author,
        text=text,
        created_at=created_at,
        url=status_url(author, native_id),
        in_reply_to_id=_tweet_ref(reply_to),
        quoted_id=_tweet_ref(quoted),
        repost_of_id=_tweet_ref(repost_of),
        like_count=likes,
        repost_count=reposts,
        lang=lang if isinstance(lang, str) else None,
        hashtags=unique(hashtags),
        links=unique(links),
    )
