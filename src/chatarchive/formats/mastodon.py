"""Mastodon statuses as the REST API returns them, saved as JSON or JSON Lines of pages.

Accepted bodies, alone as one JSON document, one per line (the live puller writes one tag
timeline page per line) or gathered in a JSON array: a page of statuses (``/api/v1/timelines/
tag/:hashtag``, account statuses), a thread (``/api/v1/statuses/:id/context``: ``ancestors`` and
``descendants``), a search result (``statuses``) or a single status.

Ids. A status ``id`` is only unique on the server that answered, so a message is
``mastodon:<uri>``, the status' ActivityPub uri (globally unique); an author is
``mastodon:<account url>`` and its handle is ``acct`` qualified with the account's host
(``alice@mastodon.social``). ``in_reply_to_id`` is again a server-local id: it becomes the parent's
archive id when the parent is in the same file (one file is taken to come from one server); else
the fallback ``mastodon:<server host>/<local id>``, where the server is the host of the file's
local statuses (accounts whose ``acct`` has no domain), or this status' own host if there is none.
Quotes (``quote.quoted_status`` or ``quote.quoted_status_id``) are resolved the same way.

Text. ``content`` is HTML (see ``htmltools.html_to_text``); a content warning comes first as
``CW: <spoiler_text>`` and a blank line. A boost (``reblog``) becomes a repost whose text is
``RT @<original handle>: <original text>``. Only the statuses of the bodies become messages;
boosted or quoted originals embedded in them do not.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatarchive.formats._fediverse import (
    describe_keys,
    host_of,
    iter_bodies,
    numbered,
    parse_time,
    text_or_none,
    within,
)
from chatarchive.formats._posttext import hashtags_in_text, lower_tags, with_original
from chatarchive.formats.htmltools import HtmlText, html_to_text
from chatarchive.formats.reading import (
    RecordError,
    make_record,
    records_of,
    rejected_record,
    sniff_json,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import as_dict, as_int, as_list, unique
from chatarchive.models import Author, Message, ParsedRecord, Rejected, platform_id

logger = logging.getLogger(__name__)

PLATFORM = "mastodon"
_CONTEXT_KEYS = ("ancestors", "descendants")
_MARKERS = ('"account"', '"favourites_count"', '"reblogs_count"', '"spoiler_text"', '"acct"')


@dataclass(frozen=True, slots=True)
class _Index:
    """What a file says about its server: each local status id's uri, and the server's host."""

    uris: Mapping[str, str]
    host: str | None


def _is_status(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "id" in value
        and isinstance(value.get("account"), dict)
        and any(key in value for key in ("content", "reblog", "text"))
    )


def _is_context(value: Any) -> bool:
    return isinstance(value, dict) and any(key in value for key in _CONTEXT_KEYS)


def _looks_like_body(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and (isinstance(value[0], list) or _looks_like_body(value[0]))
    return _is_status(value) or _is_context(value)


def _score(first: Any, name: str) -> int:
    if _looks_like_body(first):
        return 95
    # An empty first page says nothing; the puller's file name does.
    return 30 if first == [] and "mastodon" in name.lower() else 0


def _markers(text: str) -> int:
    # The first body runs past the head, or is pretty-printed.
    if sum(marker in text for marker in _MARKERS) >= 3:
        return 85
    return 80 if all(f'"{key}"' in text for key in _CONTEXT_KEYS) else 0


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like Mastodon API bodies."""
    return sniff_json(head, ("{", "["), lambda first: _score(first, name), _markers)


def _leaves(body: Any, location: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(location, item)`` for each status (or stray item) a body holds."""
    if isinstance(body, list):
        for where, item in numbered(body, location):
            if isinstance(item, list) or _is_context(item) or "statuses" in as_dict(item):
                yield from _leaves(item, where)
            else:
                yield where, item
    elif _is_context(body):
        for key in _CONTEXT_KEYS:
            yield from numbered(as_list(body.get(key)), location, f"{key} item")
    elif isinstance(body, dict) and isinstance(body.get("statuses"), list):
        yield from _leaves(body["statuses"], within(location, "statuses"))
    else:
        yield location, body


def _embedded(status: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Return the status with its boosted and quoted originals, which carry local ids too."""
    quote = as_dict(status.get("quote"))
    found = [status, as_dict(status.get("reblog")), as_dict(quote.get("quoted_status")), quote]
    return [item for item in found if _is_status(item)]


def _build_index(path: Path, origin: str) -> _Index:
    uris: dict[str, str] = {}
    host: str | None = None
    for entry in iter_bodies(path, origin):
        if isinstance(entry, Rejected):
            continue
        for _, leaf in _leaves(entry[1], entry[0]):
            for status in _embedded(as_dict(leaf)):
                local_id, uri = text_or_none(status.get("id")), text_or_none(status.get("uri"))
                if local_id and uri:
                    uris.setdefault(local_id, uri)
                acct = text_or_none(as_dict(status.get("account")).get("acct"))
                if host is None and acct and "@" not in acct:
                    host = host_of(uri) or host_of(status.get("url"))
    return _Index(uris, host)


def _author(status: Mapping[str, Any]) -> Author:
    account = as_dict(status.get("account"))
    username = text_or_none(account.get("username"))
    acct = text_or_none(account.get("acct")) or username
    if acct is None:
        raise RecordError("the status' account has no acct or username")
    url, uri = text_or_none(account.get("url")), text_or_none(account.get("uri"))
    host = host_of(url) or host_of(uri)
    handle = acct if "@" in acct or host is None else f"{acct}@{host}"
    return Author(
        id=platform_id(PLATFORM, url or uri or handle),
        platform=PLATFORM,
        handle=handle,
        display_name=text_or_none(account.get("display_name")) or username or acct,
        url=url,
    )


def _body(status: Mapping[str, Any]) -> HtmlText:
    content = status.get("content")
    if isinstance(content, str):
        body = html_to_text(content)
    elif isinstance(status.get("text"), str):
        # Deleting a status answers with its source ``text`` instead of ``content``.
        body = HtmlText(status["text"].strip(), ())
    else:
        raise RecordError("the status has no content")
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        warning = f"CW: {spoiler.strip()}"
        return HtmlText(f"{warning}\n\n{body.text}" if body.text else warning, body.links)
    return body


def _reference(local_id: Any, status: Mapping[str, Any], index: _Index) -> str | None:
    """Turn a server-local status id into an archive id (see the module docstring)."""
    local = text_or_none(local_id)
    if local is None:
        return None
    if local in index.uris:
        return platform_id(PLATFORM, index.uris[local])
    host = index.host or host_of(status.get("url")) or host_of(status.get("uri")) or "unknown"
    return platform_id(PLATFORM, f"{host}/{local}")


def _quoted(status: Mapping[str, Any], index: _Index) -> str | None:
    quote = as_dict(status.get("quote"))
    for candidate in (as_dict(quote.get("quoted_status")), quote):
        uri = text_or_none(candidate.get("uri")) if _is_status(candidate) else None
        if uri:
            return platform_id(PLATFORM, uri)
    return _reference(quote.get("quoted_status_id"), status, index)


def message_from_status(status: Mapping[str, Any], index: _Index) -> Message:
    """Normalize one Mastodon status; a boost becomes a repost carrying the original's text."""
    uri = text_or_none(status.get("uri"))
    if uri is None:
        raise RecordError("the status has no uri")
    author, body = _author(status), _body(status)
    text, links = body.text, list(body.links)
    hashtags = lower_tags(as_dict(tag).get("name") for tag in as_list(status.get("tags")))
    hashtags = hashtags or hashtags_in_text(text)
    card_url = text_or_none(as_dict(status.get("card")).get("url"))
    if card_url and not links:
        links.append(card_url)
    original = as_dict(status.get("reblog"))
    original_uri = text_or_none(original.get("uri"))
    # A boost whose original cannot be read keeps its own (empty) text.
    text, hashtags, links = with_original(
        (text, hashtags, links),
        (lambda: message_from_status(original, index)) if original else None,
    )
    language = text_or_none(status.get("language")) or text_or_none(original.get("language"))
    return Message(
        id=platform_id(PLATFORM, uri),
        platform=PLATFORM,
        native_id=uri,
        author=author,
        text=text,
        created_at=parse_time(status.get("created_at"), "created_at"),
        url=text_or_none(status.get("url")) or uri,
        in_reply_to_id=_reference(status.get("in_reply_to_id"), status, index),
        quoted_id=_quoted(status, index),
        repost_of_id=platform_id(PLATFORM, original_uri) if original_uri else None,
        like_count=as_int(status.get("favourites_count")),
        repost_count=as_int(status.get("reblogs_count")),
        lang=language,
        hashtags=unique(hashtags),
        links=unique(links),
    )


def _record(item: Any, location: str, index: _Index) -> ParsedRecord | Rejected:
    if isinstance(item, dict) and "error" in item and not _is_status(item):
        return rejected_record(
            location, f"the server answered with an error: {item['error']}", item
        )
    if not _is_status(item):
        reason = f"not a Mastodon status (no id, account and content; {describe_keys(item)})"
        return rejected_record(location, reason, item)
    return make_record(location, item, lambda: message_from_status(item, index))


@register(
    name="mastodon",
    description="Mastodon API statuses: tag timeline pages, /context threads, JSON or JSONL",
    origin_hint="Mastodon REST API bodies (timelines/tag, statuses/:id/context); the live puller",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read Mastodon API bodies; reply and quote ids are resolved across the whole file."""
    # A first pass learns every local id's uri, so that replies to later posts resolve too.
    index = _build_index(path, origin)

    def statuses(body: Any, location: str) -> Iterator[ParsedRecord | Rejected]:
        return (_record(item, where, index) for where, item in _leaves(body, location))

    yield from records_of(iter_bodies(path, origin), statuses)
