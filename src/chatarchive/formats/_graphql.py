"""Tweets as the Twitter/X web app's GraphQL API gives them, shared by the scraper formats.

Zeeschuimer and twitter-web-exporter both save the ``Tweet`` results the web app receives:
``{"__typename": "Tweet", "rest_id", "core": {"user_results": {"result": <User>}}, "legacy":
{<a v1.1 tweet without user>}, "note_tweet": {...}, "quoted_status_result": ...}``. A result is
reshaped into the v1.1 tweet it wraps (the user put back, a long post's ``note_tweet`` as
``extended_tweet``, the retweeted original as ``retweeted_status``) and normalized by
``message_from_v1``, so it gives the same Message as the same tweet read from twarc.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from chatarchive.formats.reading import RecordError
from chatarchive.formats.twitter import as_dict, id_text, make_author, message_from_v1
from chatarchive.models import Author, Message

_WRAPPERS = ("TweetWithVisibilityResults",)
_TOMBSTONES = ("TweetTombstone", "TweetUnavailable")


def unwrap(result: Any) -> Mapping[str, Any]:
    """Return the tweet inside a result, taking it out of a visibility wrapper if there is one."""
    result = as_dict(result)
    if result.get("__typename") in _WRAPPERS or ("tweet" in result and "legacy" not in result):
        return as_dict(result.get("tweet"))
    return result


def looks_like_graphql_tweet(value: Any) -> bool:
    """Tell whether a decoded JSON value has the shape of a GraphQL tweet result."""
    tweet = unwrap(value)
    if tweet.get("__typename") in _TOMBSTONES:
        return True
    return "rest_id" in tweet and isinstance(tweet.get("legacy"), dict)


def _nested(value: Any, *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = as_dict(value).get(key)
    return as_dict(value)


def v1_user(tweet: Mapping[str, Any]) -> dict[str, Any]:
    """Return a v1.1 ``user`` object (id_str, screen_name, name) for a tweet result's author."""
    user = _nested(tweet, "core", "user_results", "result")
    legacy, core = as_dict(user.get("legacy")), as_dict(user.get("core"))
    # Since 2025 the web app moves screen_name and name from "legacy" to "core".
    shaped = {
        "id_str": id_text(user.get("rest_id")) or id_text(legacy.get("id_str")),
        "screen_name": core.get("screen_name") or legacy.get("screen_name"),
        "name": core.get("name") or legacy.get("name"),
    }
    return {key: value for key, value in shaped.items() if value}


def _tombstone_reason(tweet: Mapping[str, Any]) -> str:
    note = _nested(tweet, "tombstone", "text").get("text")
    detail = f": {note}" if isinstance(note, str) and note else ""
    return f"the tweet is unavailable ({tweet.get('__typename')}){detail}"


def v1_from_graphql(result: Any) -> dict[str, Any]:
    """Reshape a GraphQL tweet result into the v1.1 tweet it wraps; RecordError if it has none."""
    tweet = unwrap(result)
    if tweet.get("__typename") in _TOMBSTONES:
        raise RecordError(_tombstone_reason(tweet))
    legacy = tweet.get("legacy")
    if not isinstance(legacy, dict):
        raise RecordError("the tweet result has no legacy object")
    shaped = {key: value for key, value in legacy.items() if key != "retweeted_status_result"}
    shaped.setdefault("id_str", tweet.get("rest_id"))
    shaped["user"] = v1_user(tweet)
    note = _nested(tweet, "note_tweet", "note_tweet_results", "result")
    if isinstance(note.get("text"), str):
        # A long post: "legacy" holds its first 280 characters, the note holds all of it.
        shaped["extended_tweet"] = {"full_text": note["text"], "entities": note.get("entity_set")}
    original = _nested(legacy, "retweeted_status_result", "result")
    # An unavailable original is left out: the retweet then keeps its own text.
    if original:
        with contextlib.suppress(RecordError):
            shaped["retweeted_status"] = v1_from_graphql(original)
    quoted = unwrap(_nested(tweet, "quoted_status_result").get("result"))
    if "quoted_status_id_str" not in shaped and id_text(quoted.get("rest_id")):
        shaped["quoted_status_id_str"] = quoted["rest_id"]
    return shaped


def graphql_author(shaped: Mapping[str, Any]) -> Author:
    """Return the author of a reshaped tweet; a placeholder handle if the user was left out."""
    user = as_dict(shaped.get("user"))
    user_id = id_text(user.get("id_str")) or id_text(shaped.get("user_id_str"))
    handle, name = user.get("screen_name"), user.get("name")
    return make_author(
        user_id,
        handle if isinstance(handle, str) else None,
        name if isinstance(name, str) else None,
    )


def message_from_graphql(result: Any) -> Message:
    """Normalize one GraphQL tweet result (or a visibility wrapper around one)."""
    shaped = v1_from_graphql(result)
    return message_from_v1(shaped, graphql_author(shaped))
