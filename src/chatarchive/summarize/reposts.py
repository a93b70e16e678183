"""Reposts in a chat and each post's engagement: likes plus reposts, archived or counted."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from chatarchive.models import REPOST, Chat, Message

_MANUAL_RT = re.compile(r"^\s*RT\s+@(\w+):?\s*(.*?)\s*(?:…|\.\.\.)?\s*$", re.IGNORECASE | re.DOTALL)


def is_repost(chat: Chat, message: Message) -> bool:
    """Tell whether a post of the chat is a repost: native, or attributed as one."""
    attribution = chat.attributions.get(message.id)
    return message.repost_of_id is not None or (
        attribution is not None and attribution.kind == REPOST
    )


def archived_reposts(chat: Chat) -> Counter[str]:
    """Count the reposts the chat holds of each post: native ones, and "RT @x: text…" copies."""
    counts: Counter[str] = Counter()
    by_handle: dict[str, list[Message]] = defaultdict(list)
    for message in sorted(chat.messages, key=lambda m: (m.created_at, m.id)):
        if not is_repost(chat, message):
            by_handle[message.author.handle.lower()].append(message)
    for message in chat.messages:
        if message.repost_of_id is not None:
            counts[message.repost_of_id] += 1
        elif is_repost(chat, message) and (manual := _MANUAL_RT.match(message.text)):
            body = " ".join(manual.group(2).split())
            originals = by_handle.get(manual.group(1).lower(), [])
            match = next((m for m in originals if " ".join(m.text.split()).startswith(body)), None)
            if body and match is not None:
                counts[match.id] += 1
    return counts


def engagement_of(originals: Iterable[Message], reposts: Counter[str]) -> dict[str, int]:
    """Likes plus reposts of each post, by id."""
    # The platform's repost count already holds the reposts the chat archived when both exist.
    return {
        m.id: (m.like_count or 0) + max(m.repost_count or 0, reposts.get(m.id, 0))
        for m in originals
    }
