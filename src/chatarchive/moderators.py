"""Who runs a chat: hosts as named or as the top question poser, and guests (co-askers who
continue the numbering, and people a moderator presents as guest)."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from . import cues, labels
from .models import ChatWindow, Message
from .posts import handle, is_repost
from .questions import asked

MIN_QUESTIONS = 2  # questions one author must pose in a burst for it to be a chat
MIN_ASKED = 3  # unnumbered question sentences needed when nothing else marks a host
CHAT_SPAN = timedelta(hours=2)  # the longest a chat's questions take


def moderators(
    window: ChatWindow, messages: Sequence[Message]
) -> tuple[frozenset[str], frozenset[str]]:
    """Hosts and guests by handle: as named, else the top question poser; plus co-askers."""
    hosts = frozenset(h.lstrip("@").lower() for h in window.hosts)
    guests = frozenset(h.lstrip("@").lower() for h in window.guests)
    if not hosts and not guests:
        hosts = _top_poser(messages)
    return hosts, (guests | find_guests(messages, hosts | guests)) - hosts


def first_askers(messages: Sequence[Message]) -> dict[int, Message]:
    """Question number -> the first post labelling it; later "Q1:" posts are answers."""
    first: dict[int, Message] = {}
    for message in messages:
        number = None if is_repost(message) else labels.question_label(message.text)
        if number is not None and number not in first:
            first[number] = message
    return first


def find_hosts(posts: Sequence[Message]) -> frozenset[str]:
    """Everyone who poses questions at a chat's pace in these posts (no schedule names hosts)."""
    numbered = _posers(first_askers(posts))
    hosts = {h for h, numbers in numbered.items() if len(numbers) >= MIN_QUESTIONS}
    prose = _prose_posers(posts)
    times_asked: dict[str, list[datetime]] = {}
    for message in asked(posts, posts, ()):
        times_asked.setdefault(handle(message.author), []).append(message.created_at)
    for who, times in times_asked.items():
        # Question sentences alone make a host only when they come at a chat's pace.
        paced = max(bisect.bisect_right(times, t + CHAT_SPAN) - i for i, t in enumerate(times))
        if paced >= MIN_ASKED or (prose[who] and prose[who] + len(times) >= MIN_QUESTIONS):
            hosts.add(who)
    hosts |= {h for h, count in prose.items() if count >= MIN_QUESTIONS}
    return frozenset(hosts)


def _top_poser(messages: Sequence[Message]) -> frozenset[str]:
    numbered = _posers(first_askers(messages))
    if numbered:
        # Most numbers first, then whoever asked first (dicts keep first-asked order).
        return frozenset({max(numbered, key=lambda who: len(numbered[who]))})
    prose = _prose_posers(messages)
    if prose:
        return frozenset({prose.most_common(1)[0][0]})
    counts = Counter(handle(m.author) for m in asked(messages, messages, ()))
    top = counts.most_common(1)
    return frozenset({top[0][0]}) if top and top[0][1] >= MIN_QUESTIONS else frozenset()


def find_guests(messages: Sequence[Message], team: frozenset[str]) -> frozenset[str]:
    """Co-askers continuing the numbering; guests a moderator presents ("I'm @x", "guest @x")."""
    found = set(_co_moderators(first_askers(messages), team))
    for message in messages:
        if handle(message.author) in team and not is_repost(message):
            found.update(cues.introduced_guests(message.text))
    return frozenset(found)


def _posers(first: Mapping[int, Message]) -> dict[str, set[int]]:
    posers: dict[str, set[int]] = {}
    for number, message in first.items():
        posers.setdefault(handle(message.author), set()).add(number)
    return posers


def _co_moderators(first: Mapping[int, Message], team: frozenset[str]) -> frozenset[str]:
    """Others who asked a question that continues the moderators' numbering (a guest's Q4)."""
    numbers = {n for n, m in first.items() if handle(m.author) in team}
    if not numbers:
        return frozenset()
    limit, found = max(numbers) + 1, set()
    for number in sorted(set(first) - numbers):
        message = first[number]
        # A participant's "Q9: ..." far past the numbering, or a reply, is an answer.
        if number > limit or message.in_reply_to_id is not None:
            continue
        found.add(handle(message.author))
        limit = max(limit, number + 1)
    return frozenset(found)


def _prose_posers(messages: Sequence[Message]) -> Counter[str]:
    return Counter(
        handle(m.author)
        for m in messages
        if not is_repost(m)
        and labels.question_label(m.text) is None
        and labels.is_prose_question(m.text)
    )
