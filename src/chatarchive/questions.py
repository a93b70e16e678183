"""A chat's questions: numbered, ordinal prose, or a host's own question sentences that draw
answers; with their second parts (a follow-up post that finishes the question)."""

from __future__ import annotations

import bisect
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timedelta

from . import cues, labels
from .models import Message, Question
from .posts import handle, is_repost

DRAW_TIME = timedelta(minutes=10)  # a question sentence counts when answered this soon
SPLIT_TIME = timedelta(minutes=1)  # an unthreaded second part of a question follows this soon
THREAD_TIME = timedelta(minutes=2)  # a threaded second part of a question follows this soon


def find_questions(
    messages: Sequence[Message], moderators: Collection[str]
) -> tuple[list[Question], dict[str, int]]:
    """The chat's questions (first posting of each number) and every question post's number.

    A second part of a question (posted within a minute, or threaded under it) is a question post
    of the same number, and its text joins the question's text.
    """
    own = [m for m in messages if handle(m.author) in moderators and not is_repost(m)]
    numbered = {m.id: n for m in own if (n := labels.question_label(m.text)) is not None}
    prose = [m for m in own if m.id not in numbered and labels.is_prose_question(m.text)]
    parts = _second_parts(own, set(numbered) | {m.id for m in prose})
    if not numbered:
        taken = {m.id for m in prose} | set(parts)
        found = [m for m in asked(own, messages, moderators) if m.id not in taken]
        parts.update(_second_parts(own, {m.id for m in found}))
        prose = sorted(prose + found, key=lambda m: (m.created_at, len(m.id), m.id))
    posts, first = _numbered(own, numbered, prose)
    by_id = {m.id: m for m in own}
    for part_id, question_id in parts.items():
        if question_id in posts:
            posts[part_id] = posts[question_id]
    questions = [_question(n, m, [by_id[p] for p, q in parts.items() if q == m.id])
                 for n, m in first.items()]
    return sorted(questions, key=lambda q: q.number), posts


def _numbered(
    own: Sequence[Message], numbered: Mapping[str, int], prose: Sequence[Message]
) -> tuple[dict[str, int], dict[int, Message]]:
    """Every question post's number, and each number's first posting."""
    posts = dict(numbered)
    first: dict[int, Message] = {}
    for message in own:
        if message.id in numbered:
            first.setdefault(numbered[message.id], message)
    last_asked = max((m.created_at for m in first.values()), default=None)
    # Unnumbered questions: numbered in order, or after the last numbered one ("Last question:").
    for message in prose:
        if last_asked is None or message.created_at > last_asked:
            number = max(first, default=0) + 1
            posts[message.id] = number
            first[number] = message
    return posts, first


def asked(
    candidates: Sequence[Message], messages: Sequence[Message], team: Collection[str]
) -> list[Message]:
    """Question sentences put to the chat: not replies, not addressed, and answered soon."""
    responses: _Responses | None = None  # made only once a candidate needs it
    found = []
    for message in candidates:
        text = message.text
        # A question sentence needs a "?": most posts are passed over on that alone.
        if ("?" not in text or is_repost(message) or message.in_reply_to_id is not None
                or cues.addressees(text)
                or cues.is_chatter(text) or cues.is_sign_off(text)
                or labels.mentions_label(text) or not cues.asks(text)):
            continue
        if responses is None:
            responses = _Responses(messages)
        asker = handle(message.author)
        until = message.created_at + DRAW_TIME
        others = {asker, *team}
        if any(responses.by_others(key, message.created_at, until, others)
               for key in (message.id, *(f"@{h}" for h in others))):
            found.append(message)
    return found


class _Responses:
    """Who responded to what, and when: replies, quotes and status links to a post (by its id),
    and posts without reply data opening with an address (by "@handle")."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self.times: dict[str, list[datetime]] = {}
        self.authors: dict[str, list[str]] = {}
        for message in sorted(messages, key=lambda m: m.created_at):
            if is_repost(message):
                continue
            keys = {message.in_reply_to_id, message.quoted_id}
            keys.update(f"{message.platform}:{n}" for n in cues.status_ids(message.text))
            names = cues.addressees(message.text)
            if message.in_reply_to_id is None and names:
                keys.add(f"@{names[0]}")
            for key in keys - {None}:
                self.times.setdefault(str(key), []).append(message.created_at)
                self.authors.setdefault(str(key), []).append(handle(message.author))

    def by_others(
        self, key: str, after: datetime, until: datetime, exclude: Collection[str]
    ) -> bool:
        """Whether someone outside ``exclude`` responded to ``key`` in (after, until]."""
        times = self.times.get(key, [])
        first = bisect.bisect_right(times, after)
        last = bisect.bisect_right(times, until)
        return any(who not in exclude for who in self.authors[key][first:last]) if times else False


def _second_parts(own: Sequence[Message], question_ids: Collection[str]) -> dict[str, str]:
    """Second parts of questions: the asker's next post, threaded under it or following at once."""
    parts: dict[str, str] = {}
    for index, message in enumerate(own):
        if message.id not in question_ids:
            continue
        after = next((m for m in own[index + 1 :] if m.author.id == message.author.id), None)
        if after is None or after.id in question_ids or labels.mentions_label(after.text):
            continue
        delay = after.created_at - message.created_at
        threaded = after.in_reply_to_id == message.id and delay <= THREAD_TIME
        follows = (after.in_reply_to_id is None and delay <= SPLIT_TIME
                   and (cues.ends_open(message.text)
                        or cues.continues(after.text, lower_case=False)))
        if threaded or follows:
            parts[after.id] = message.id
    return parts


def _question(number: int, message: Message, parts: Sequence[Message]) -> Question:
    text = " ".join([labels.question_text(message.text), *(p.text.strip() for p in parts)])
    return Question(number=number, message_id=message.id, text=text,
                    asked_at=message.created_at, author_id=message.author.id)
