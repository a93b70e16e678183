"""Posts as session detection and assembly read them: in order, by handle, reposts apart."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from . import labels
from .models import Author, Message


def in_order(messages: Iterable[Message]) -> list[Message]:
    """Messages by time then id, each id once (captures overlap; the first copy is kept)."""
    unique = {m.id: m for m in reversed(list(messages))}
    # Ids are text: the length first orders numeric ids of one platform as numbers.
    return sorted(unique.values(), key=lambda m: (m.created_at, len(m.id), m.id))


def handle(author: Author) -> str:
    """Return an author's handle as moderators are named: lower case, no "@"."""
    # Asked for every post several times over; remembered per handle as written.
    named = _HANDLES.get(author.handle)
    if named is None:
        if len(_HANDLES) > _HANDLES_KEPT:
            _HANDLES.clear()
        named = _HANDLES[author.handle] = author.handle.lstrip("@").lower()
    return named


_HANDLES: dict[str, str] = {}
_HANDLES_KEPT = 1 << 16


def is_repost(message: Message) -> bool:
    """Tell whether a post is a retweet or boost (native, or old-style "RT @x:" text)."""
    return message.repost_of_id is not None or labels.is_retweet(message.text)


def between(
    loaded: Iterable[Message], hashtags: Iterable[str], start: datetime, end: datetime
) -> list[Message]:
    """What ``archive.messages_between`` reads, picked from posts already loaded around it.

    ``loaded`` must hold every post the archive read would find: the posts carrying any of the
    hashtags in [start, end], and the replies to them (however deep) in that time.
    """
    tags = {tag.lower().lstrip("#") for tag in hashtags}
    inside = [m for m in loaded if start <= m.created_at <= end]
    found = {m.id: m for m in inside if not tags.isdisjoint(m.hashtags)}
    replies: dict[str, list[Message]] = {}
    for message in inside:
        if message.in_reply_to_id is not None:
            replies.setdefault(message.in_reply_to_id, []).append(message)
    frontier = list(found)
    while frontier:
        children = [m for parent in frontier for m in replies.get(parent, ()) if m.id not in found]
        found.update((m.id, m) for m in children)
        frontier = [m.id for m in children]
    return sorted(found.values(), key=lambda m: (m.created_at, m.id))
