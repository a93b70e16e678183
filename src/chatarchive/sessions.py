"""Where chats are in a hashtag's stream, and when one ends.

Pure code shared by detection (no schedule) and assembly. A chat is a burst of posts in which a
host poses questions: numbered ("Q1:", "T2.", "3️⃣"), ordinal prose ("First question - ..."), or,
when nobody numbers them, the host's own question sentences that draw answers (questions.py;
who the hosts are: moderators.py). A detected chat runs from the host's warm-up (at most 20
minutes before the first question) to the end of its tail: posts by the chat's own people (and
anyone's thanks) with no pause over 10 minutes, and late answers or replies to the chat, for at
most an hour after the last question. Reminders hours before and promotion after stay outside;
posts between chats belong to no chat.
"""

from __future__ import annotations

import bisect
import itertools
import logging
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from . import cues, labels
from .models import ChatWindow, Message
from .moderators import find_guests, find_hosts
from .posts import handle, in_order, is_repost
from .questions import find_questions

# handle is named here too: completeness.py imports it from this module.
__all__ = ["detect_sessions", "handle", "sign_off_time"]

WARM_UP = timedelta(minutes=20)  # a host's welcome before the first question
TAIL_PAUSE = timedelta(minutes=10)  # a longer silence of the chat's own people ends the chat
TAIL_LIMIT = timedelta(hours=1)  # how long after its last question a chat may run
SESSION_PAUSE = timedelta(hours=1)  # questions that pause longer belong to separate chats

logger = logging.getLogger(__name__)


def detect_sessions(
    messages: Sequence[Message], hashtag: str, gap: timedelta = timedelta(minutes=90)
) -> list[ChatWindow]:
    """Find the chats in a hashtag's stream: bursts where a host poses 2+ questions."""
    tag = hashtag.lstrip("#").lower()
    tagged = [m for m in in_order(messages) if tag in m.hashtags]
    windows = []
    for burst in _bursts(tagged, gap):
        for session in _split(burst):
            window = _session_window(tag, session)
            if window is not None:
                windows.append(window)
    logger.debug("%d posts of #%s hold %d chats", len(tagged), tag, len(windows))
    return windows


def sign_off_time(
    messages: Sequence[Message], team: Collection[str], after: datetime
) -> datetime | None:
    """When a moderator closes the chat ("signing out", "That's a wrap!") after its questions."""
    return next((m.created_at for m in messages if m.created_at >= after
                 and handle(m.author) in team and not is_repost(m)
                 and cues.is_sign_off(m.text)), None)


def _bursts(messages: Sequence[Message], gap: timedelta) -> list[list[Message]]:
    bursts: list[list[Message]] = []
    for message in messages:
        if bursts and message.created_at - bursts[-1][-1].created_at <= gap:
            bursts[-1].append(message)
        else:
            bursts.append([message])
    return bursts


def _split(burst: Sequence[Message]) -> list[list[Message]]:
    """A busy hashtag's burst may hold several chats: cut where its questions pause an hour."""
    asked = [m.created_at for m in burst if not is_repost(m) and (
        labels.question_label(m.text) is not None or labels.is_prose_question(m.text))]
    cuts = [later - WARM_UP for earlier, later in itertools.pairwise(asked)
            if later - earlier > SESSION_PAUSE]
    sessions: list[list[Message]] = [[] for _ in range(len(cuts) + 1)]
    for message in burst:
        sessions[bisect.bisect_right(cuts, message.created_at)].append(message)
    return [session for session in sessions if session]


def _session_window(tag: str, posts: Sequence[Message]) -> ChatWindow | None:
    hosts = find_hosts(posts)
    if not hosts:
        return None
    guests = find_guests(posts, hosts) - hosts
    team = hosts | guests
    _, question_posts = find_questions(posts, team)
    times = sorted(m.created_at for m in posts if m.id in question_posts)
    if not times:
        return None
    return ChatWindow(
        hashtag=tag,
        starts_at=_warm_up(posts, team, times[0]),
        ends_at=_tail_end(posts, team, question_posts, times[0], times[-1]),
        hosts=tuple(sorted(hosts)),
        guests=tuple(sorted(guests)),
    )


def _warm_up(posts: Sequence[Message], team: Collection[str], first_asked: datetime) -> datetime:
    """The chat starts with its moderators' welcome, if one shortly precedes the first question."""
    early = [m.created_at for m in posts if handle(m.author) in team and not is_repost(m)
             and first_asked - WARM_UP <= m.created_at <= first_asked]
    return min(early, default=first_asked).replace(second=0, microsecond=0)


def _tail_end(
    posts: Sequence[Message], team: Collection[str], question_posts: Mapping[str, int],
    first_asked: datetime, last_asked: datetime,
) -> datetime:
    """The last post of the chat's own people, or a late answer or reply, after the questions."""
    people = {handle(m.author) for m in posts if not is_repost(m)
              and first_asked <= m.created_at <= last_asked} | set(team)
    chat_ids = {m.id for m in posts if m.created_at <= last_asked}
    numbers = set(question_posts.values())
    end = last_asked
    for message in posts:
        if not last_asked < message.created_at <= last_asked + TAIL_LIMIT:
            continue
        label = labels.answer_label(message.text)
        linked = (message.in_reply_to_id in chat_ids or message.quoted_id in chat_ids
                  or (label is not None and label[0] in numbers))
        # Thanks and goodbyes from anyone belong to the chat; promotion does not.
        own = not is_repost(message) and (handle(message.author) in people
                                          or cues.is_chatter(message.text))
        if linked or (own and message.created_at - end <= TAIL_PAUSE):
            end = message.created_at
            chat_ids.add(message.id)
    ceiling = end.replace(second=0, microsecond=0)
    return ceiling if ceiling == end else ceiling + timedelta(minutes=1)
