"""Assemble a chat from its posts: its questions, who answered what, who took part, what is missing.

Pure code: messages in, models.Chat out. Questions come from questions.py, hosts and guests from
moderators.py, each message's attribution from attribution.py (the rules), what the capture
misses from completeness.py.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from .attribution import Attributor
from .completeness import completeness
from .models import (
    ANSWER,
    GUEST,
    HOST,
    PARTICIPANT,
    Attribution,
    Author,
    Chat,
    ChatParticipant,
    ChatWindow,
    Message,
)
from .moderators import moderators
from .posts import handle, in_order, is_repost
from .questions import find_questions
from .sessions import detect_sessions

__all__ = ["assemble_chat", "chat_id", "detect_sessions", "is_repost"]

_ROLE_ORDER = {HOST: 0, GUEST: 1, PARTICIPANT: 2}

logger = logging.getLogger(__name__)


def chat_id(hashtag: str, starts_at: datetime, timezone: str) -> str:
    """Return ``<hashtag>-<YYYY-MM-DD>``, dated by the chat's local start in its time zone."""
    if starts_at.tzinfo is None:
        raise ValueError(f"chat start {starts_at.isoformat()} has no time zone; pass aware UTC")
    local = starts_at.astimezone(ZoneInfo(timezone))
    return f"{hashtag.lstrip('#').lower()}-{local.date().isoformat()}"


def assemble_chat(
    messages: Sequence[Message], window: ChatWindow, returning_authors: frozenset[str] = frozenset()
) -> Chat:
    """Group a chat's posts by question and participant; attribute every message."""
    ordered = in_order(messages)
    hosts, guests = moderators(window, ordered)
    team = hosts | guests
    questions, question_posts = find_questions(ordered, team)
    attributor = Attributor(ordered, questions, question_posts, team)
    attributions = {m.id: attributor.attribute(m) for m in ordered}
    logger.debug("chat #%s at %s: %d posts, %d questions", window.hashtag,
                 window.starts_at.isoformat(), len(ordered), len(questions))
    return Chat(
        id=window.chat_id or chat_id(window.hashtag, window.starts_at, window.timezone),
        window=window,
        messages=tuple(ordered),
        questions=tuple(questions),
        attributions=attributions,
        participants=_participants(ordered, attributions, hosts, guests, returning_authors),
        completeness=completeness(ordered, questions, attributions, window),
    )


def _participants(
    messages: Sequence[Message], attributions: Mapping[str, Attribution],
    hosts: frozenset[str], guests: frozenset[str], returning_authors: frozenset[str],
) -> tuple[ChatParticipant, ...]:
    """One entry per author, hosts then guests then participants, busiest first."""
    authors: dict[str, Author] = {}
    posts: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    for message in messages:
        authors.setdefault(message.author.id, message.author)
        posts[message.author.id] += 1
        if attributions[message.id].kind == ANSWER:
            answers[message.author.id] += 1
    people = [
        ChatParticipant(
            author=author,
            role=_role(author, hosts, guests),
            posts=posts[author_id],
            answers=answers[author_id],
            first_time=author_id not in returning_authors,
        )
        for author_id, author in authors.items()
    ]
    people.sort(key=lambda p: (_ROLE_ORDER[p.role], -p.posts, p.author.handle.lower()))
    return tuple(people)


def _role(author: Author, hosts: frozenset[str], guests: frozenset[str]) -> str:
    who = handle(author)
    if who in hosts:
        return HOST
    return GUEST if who in guests else PARTICIPANT
