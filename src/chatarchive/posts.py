"""Posts as session detection and assembly read them: in order, by handle, reposts apart."""

from __future__ import annotations

from collections.abc import Iterable

from . import labels
from .models import Author, Message


def in_order(messages: Iterable[Message]) -> list[Message]:
    """Messages by time then id, each id once (captures overlap; the first copy is kept)."""
    unique = {m.id: m for m in reversed(list(messages))}
    # Ids are text: the length first orders numeric ids of one platform as numbers.
    return sorted(unique.values(), key=lambda m: (m.created_at, len(m.id), m.id))


def handle(author: Author) -> str:
    """Return an author's handle as moderators are named: lower case, no "@"."""
    return author.handle.lstrip("@").lower()


def is_repost(message: Message) -> bool:
    """Tell whether a post is a retweet or boost (native, or old-style "RT @x:" text)."""
    return message.repost_of_id is not None or labels.is_retweet(message.text)
