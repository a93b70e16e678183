"""Bluesky (AT Protocol) posts as the app.bsky API returns them, saved as JSON or JSON Lines.

Accepted bodies, alone as one JSON document, one per line (the live puller writes one
``searchPosts`` page per line) or gathered in a JSON array: ``searchPosts``/``getPosts``
(``posts``), ``getPostThread`` (``thread``: the post, its ``parent`` chain and nested
``replies``), ``getAuthorFeed``/``getFeed``/``getTimeline`` (``feed`` items), or a single post view.

A message is ``bluesky:<at:// uri>``, its author ``bluesky:<did>``. The record's text is kept,
except that a link facet whose text shows its address shortened ("example.com/long/pa...") is
replaced by the full address; facet offsets count UTF-8 bytes. A feed item reposted by someone
(``reason`` repost) gives the post and, beside it, a repost by the reposter:
``bluesky:repost:<reposter did>:<post uri>``, text ``RT @<handle>: <text>``, created at the
reason's ``indexedAt``. Parents and quoted posts embedded as context do not become messages.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chatarchive.formats._bluesky_text import expand_links, facet_tags
from chatarchive.formats._fediverse import (
    at,
    describe_keys,
    iter_bodies,
    numbered,
    parse_time,
    text_or_none,
    within,
)
from chatarchive.formats._posttext import hashtags_in_text, lower_tags, repost_text
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

PLATFORM = "bluesky"
_WEB = "https://bsky.app/profile/"
_POST_COLLECTION = "/app.bsky.feed.post/"
_REPOST = "app.bsky.feed.defs#reasonRepost"
_INVALID_HANDLE = "handle.invalid"
_UNREADABLE_NODES = ("notFound", "blocked")


def _is_post_view(value: Any) -> bool:
    uri = as_dict(value).get("uri")
    return isinstance(uri, str) and uri.startswith("at://") and "record" in value


def _looks_like_body(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value) and _looks_like_body(value[0])
    body = as_dict(value)
    posts = as_list(body.get("posts")) + [as_dict(i).get("post") for i in as_list(body.get("feed"))]
    thread_post = as_dict(body.get("thread")).get("post")
    return _is_post_view(body) or any(_is_post_view(p) for p in [*posts[:1], thread_post])


def _score(first: Any, name: str) -> int:
    if _looks_like_body(first):
        return 95
    # An empty first page ({"posts": []}) says little; the puller's file name says more.
    empty = isinstance(first, dict) and (first.get("posts") == [] or first.get("feed") == [])
    return (60 if "bluesky" in name.lower() else 30) if empty else 0


def _markers(text: str) -> int:
    # The first body runs past the head, or is pretty-printed.
    return 85 if '"at://' in text and '"app.bsky.feed.post"' in text else 0


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like Bluesky API bodies."""
    return sniff_json(head, ("{", "["), lambda first: _score(first, name), _markers)


def _author(profile: Any) -> Author:
    did, handle = text_or_none(as_dict(profile).get("did")), as_dict(profile).get("handle")
    if did is None:
        raise RecordError("the author has no did")
    handle = text_or_none(handle) or did
    name = text_or_none(as_dict(profile).get("displayName"))
    # An account whose handle no longer verifies is still found on the web by its did.
    url = _WEB + (did if handle == _INVALID_HANDLE else handle)
    return Author(platform_id(PLATFORM, did), PLATFORM, handle, name or handle, url)


def _embedded(embed: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """Return the quoted post's uri and the external link's address of a record's embed."""
    record = as_dict(embed.get("record"))
    record = as_dict(record.get("record")) or record  # recordWithMedia nests it once more
    quoted = text_or_none(record.get("uri"))
    media = as_dict(embed.get("media")) or embed
    external = text_or_none(as_dict(media.get("external")).get("uri"))
    is_post = quoted is not None and _POST_COLLECTION in quoted
    return (quoted if is_post else None), external


def message_from_post(post: Mapping[str, Any]) -> Message:
    """Normalize one post view (``app.bsky.feed.defs#postView``)."""
    uri = post.get("uri")
    if not isinstance(uri, str) or not uri.startswith("at://"):
        raise RecordError("the post has no at:// uri")
    author = _author(post.get("author"))
    record = as_dict(post.get("record"))
    if not isinstance(record.get("text"), str):
        raise RecordError("the post has no record with text")
    facets = as_list(record.get("facets"))
    text, links = expand_links(record["text"], facets)
    quoted, external = _embedded(as_dict(record.get("embed")))
    tags = facet_tags(facets) + lower_tags(as_list(record.get("tags"))) + hashtags_in_text(text)
    parent = text_or_none(as_dict(as_dict(record.get("reply")).get("parent")).get("uri"))
    langs = [lang for lang in as_list(record.get("langs")) if isinstance(lang, str)]
    created = record.get("createdAt") or post.get("indexedAt")
    return Message(
        id=platform_id(PLATFORM, uri),
        platform=PLATFORM,
        native_id=uri,
        author=author,
        text=text,
        created_at=parse_time(created, "createdAt"),
        url=f"{author.url}/post/{uri.rsplit('/', 1)[1]}" if _POST_COLLECTION in uri else None,
        in_reply_to_id=platform_id(PLATFORM, parent) if parent else None,
        quoted_id=platform_id(PLATFORM, quoted) if quoted else None,
        like_count=as_int(post.get("likeCount")),
        repost_count=as_int(post.get("repostCount")),
        lang=langs[0] if langs else None,
        hashtags=unique(tags),
        links=unique([*links, *([external] if external else [])]),
    )


def repost_message(original: Message, reason: Mapping[str, Any]) -> Message:
    """Build the repost a feed item's ``reason`` records: the reposter sharing ``original``."""
    reposter = _author(reason.get("by"))
    did = reposter.id.removeprefix(f"{PLATFORM}:")
    native_id = f"repost:{did}:{original.native_id}"
    return Message(
        id=platform_id(PLATFORM, native_id),
        platform=PLATFORM,
        native_id=native_id,
        author=reposter,
        text=repost_text(original),
        created_at=parse_time(reason.get("indexedAt"), "reason.indexedAt"),
        repost_of_id=original.id,
        lang=original.lang,
        hashtags=original.hashtags,
        links=original.links,
    )


def _post_record(post: Any, location: str) -> ParsedRecord | Rejected:
    if not _is_post_view(post):
        reason = f"not a Bluesky post view (no at:// uri and record; {describe_keys(post)})"
        return rejected_record(location, reason, post)
    return make_record(location, post, lambda: message_from_post(post))


def _feed_item(item: Any, location: str) -> Iterator[ParsedRecord | Rejected]:
    record = _post_record(as_dict(item).get("post", item), location)
    yield record
    reason = as_dict(as_dict(item).get("reason"))
    if reason.get("$type") != _REPOST or not isinstance(record, ParsedRecord):
        return
    original = record.message
    # The repost keeps the whole feed item; a reason it cannot read rejects only the reason.
    yield make_record(
        at(location, "repost"), reason, lambda: repost_message(original, reason), raw=item
    )


def _thread_node(node: Any, location: str) -> Iterator[ParsedRecord | Rejected]:
    if any(as_dict(node).get(flag) for flag in _UNREADABLE_NODES):
        logger.debug("%s: a deleted or blocked post in the thread; skipped", location)
        return
    yield _post_record(as_dict(node).get("post", node), location)


def _thread(root: Any, location: str) -> Iterator[ParsedRecord | Rejected]:
    """Yield a thread's posts in reading order: the parent chain, the post, then the replies."""
    parents: list[tuple[str, Any]] = []
    parent, depth = as_dict(root).get("parent"), 1
    while isinstance(parent, dict):
        parents.append((at(location, f"parent {depth}"), parent))
        parent, depth = parent.get("parent"), depth + 1
    for where, node in reversed(parents):
        yield from _thread_node(node, where)
    yield from _thread_node(root, location)
    # Depth first without recursion: a thread may be deeper than Python's recursion limit.
    stack = [(f"{number}", reply) for number, reply in _numbered(root, "")]
    while stack:
        number, node = stack.pop()
        yield from _thread_node(node, at(location, f"reply {number}"))
        stack.extend(_numbered(node, number))


def _numbered(node: Any, number: str) -> list[tuple[str, Any]]:
    """Number a node's replies (1.2 is the 2nd reply to the 1st), last first for the stack."""
    replies = as_list(as_dict(node).get("replies"))
    return [(f"{number}.{i}" if number else f"{i}", r) for i, r in enumerate(replies, 1)][::-1]


def _records_of_body(body: Any, location: str) -> Iterator[ParsedRecord | Rejected]:
    page = as_dict(body)
    if isinstance(body, list):
        for where, item in numbered(body, location):
            yield from _records_of_body(item, where)
    elif isinstance(page.get("posts"), list):
        for where, post in numbered(page["posts"], location):
            yield _post_record(post, where)
    elif isinstance(page.get("feed"), list):
        for where, item in numbered(page["feed"], location):
            yield from _feed_item(item, where)
    elif "thread" in page:
        yield from _thread(page["thread"], within(location, "thread"))
    elif _is_post_view(page) or _is_post_view(page.get("post")):
        yield from _feed_item(page, location)
    elif "error" in page:
        problem = ": ".join(str(page[key]) for key in ("error", "message") if page.get(key))
        yield rejected_record(location, f"the server answered with an error: {problem}", page)
    else:
        reason = f"not a Bluesky page or post ({describe_keys(body)})"
        yield rejected_record(location, reason, body)


@register(
    name="bluesky",
    description="Bluesky app.bsky API bodies: searchPosts, getPostThread, feeds; JSON or JSONL",
    origin_hint="Bluesky/AT Protocol XRPC responses (app.bsky.feed.*); the live puller",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read Bluesky API bodies line by line (or the one document); posts stream out in order."""
    return records_of(iter_bodies(path, origin), _records_of_body)
