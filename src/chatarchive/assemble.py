"""Assemble a chat from its posts: find the chats in a stream, the questions, who answered what.

Pure code: messages in, models.Chat out. Every message of a chat gets one models.Attribution
(DESIGN.md §4 kinds) by a single pass in time order, where each decision may look up the
decisions already made about the posts it replies to.
"""

from __future__ import annotations

import bisect
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from . import labels
from .models import (
    ANSWER,
    COMMENT,
    DISCUSSION,
    GUEST,
    HOST,
    PARTICIPANT,
    QUESTION,
    REPOST,
    Attribution,
    Author,
    Chat,
    ChatParticipant,
    ChatWindow,
    Message,
    Question,
)

# Confidence of each way of telling that a post answers a question (DESIGN.md §1).
LABELLED = 1.0  # "A1: ..."
QUESTION_LABEL = 0.9  # a participant's "Q1: ..." meaning an answer
REPLY_TO_QUESTION = 0.9
QUOTE_OF_QUESTION = 0.85
THREAD_CONTINUATION = 0.85  # a reply to one's own answer
REPLY_TO_ANSWER = 0.8  # discussion
UNKNOWN_QUESTION = 0.6  # a label for a question the capture does not hold
OPEN_QUESTION = 0.5  # an unlabelled post while a question is open

MIN_QUESTIONS = 2  # questions one author must pose in a burst for it to be a chat
_ROLE_ORDER = {HOST: 0, GUEST: 1, PARTICIPANT: 2}

logger = logging.getLogger(__name__)


def chat_id(hashtag: str, starts_at: datetime, timezone: str) -> str:
    """Return ``<hashtag>-<YYYY-MM-DD>``, dated by the chat's local start in its time zone."""
    if starts_at.tzinfo is None:
        raise ValueError(f"chat start {starts_at.isoformat()} has no time zone; pass aware UTC")
    local = starts_at.astimezone(ZoneInfo(timezone))
    return f"{hashtag.lstrip('#').lower()}-{local.date().isoformat()}"


def detect_sessions(
    messages: Sequence[Message], hashtag: str, gap: timedelta = timedelta(minutes=90)
) -> list[ChatWindow]:
    """Find the chats in a hashtag's stream: bursts where one author poses 2+ questions."""
    tag = hashtag.lstrip("#").lower()
    tagged = [m for m in _in_order(messages) if tag in m.hashtags]
    windows = []
    for burst in _bursts(tagged, gap):
        hosts = _burst_hosts(burst)
        if not hosts:
            continue
        guests = _co_moderators(_first_askers(burst), hosts)
        windows.append(
            ChatWindow(
                hashtag=tag,
                starts_at=_floor_half_hour(burst[0].created_at),
                ends_at=burst[-1].created_at,
                hosts=tuple(sorted(hosts)),
                guests=tuple(sorted(guests)),
            )
        )
    logger.debug("%d posts of #%s hold %d chats", len(tagged), tag, len(windows))
    return windows


def assemble_chat(
    messages: Sequence[Message], window: ChatWindow, returning_authors: frozenset[str] = frozenset()
) -> Chat:
    """Group a chat's posts by question and participant; attribute every message."""
    ordered = _in_order(messages)
    hosts, guests = _moderators(window, ordered)
    questions, question_posts = _find_questions(ordered, hosts | guests)
    attributor = _Attributor(questions, question_posts, hosts | guests)
    attributions = {m.id: attributor.attribute(m) for m in ordered}
    return Chat(
        id=chat_id(window.hashtag, window.starts_at, window.timezone),
        window=window,
        messages=tuple(ordered),
        questions=tuple(questions),
        attributions=attributions,
        participants=_participants(ordered, attributions, hosts, guests, returning_authors),
    )


def is_repost(message: Message) -> bool:
    """Tell whether a post is a retweet or boost (native, or old-style "RT @x:" text)."""
    return message.repost_of_id is not None or labels.is_retweet(message.text)


def _in_order(messages: Iterable[Message]) -> list[Message]:
    """Messages by time then id, each id once (captures overlap; the first copy is kept)."""
    unique = {m.id: m for m in reversed(list(messages))}
    # Ids are text: the length first orders numeric ids of one platform as numbers.
    return sorted(unique.values(), key=lambda m: (m.created_at, len(m.id), m.id))


def _bursts(messages: Sequence[Message], gap: timedelta) -> list[list[Message]]:
    bursts: list[list[Message]] = []
    for message in messages:
        if bursts and message.created_at - bursts[-1][-1].created_at <= gap:
            bursts[-1].append(message)
        else:
            bursts.append([message])
    return bursts


def _burst_hosts(burst: Sequence[Message]) -> frozenset[str]:
    numbered = _posers(_first_askers(burst))
    prose = _prose_posers(burst)
    hosts = {h for h, numbers in numbered.items() if len(numbers) >= MIN_QUESTIONS}
    hosts |= {h for h, count in prose.items() if count >= MIN_QUESTIONS}
    return frozenset(hosts)


def _first_askers(messages: Sequence[Message]) -> dict[int, Message]:
    """Question number -> the first post labelling it; later "Q1:" posts are answers."""
    first: dict[int, Message] = {}
    for message in messages:
        number = None if is_repost(message) else labels.question_label(message.text)
        if number is not None and number not in first:
            first[number] = message
    return first


def _posers(first: Mapping[int, Message]) -> dict[str, set[int]]:
    posers: dict[str, set[int]] = {}
    for number, message in first.items():
        posers.setdefault(_handle(message.author), set()).add(number)
    return posers


def _co_moderators(first: Mapping[int, Message], moderators: frozenset[str]) -> frozenset[str]:
    """Others who asked a question that continues the moderators' numbering (a guest's Q4)."""
    asked = {n for n, m in first.items() if _handle(m.author) in moderators}
    if not asked:
        return frozenset()
    limit, found = max(asked) + 1, set()
    for number in sorted(set(first) - asked):
        message = first[number]
        # A participant's "Q9: ..." far past the numbering, or a reply, is an answer.
        if number > limit or message.in_reply_to_id is not None:
            continue
        found.add(_handle(message.author))
        limit = max(limit, number + 1)
    return frozenset(found)


def _prose_posers(messages: Sequence[Message]) -> Counter[str]:
    return Counter(
        _handle(m.author)
        for m in messages
        if not is_repost(m)
        and labels.question_label(m.text) is None
        and labels.is_prose_question(m.text)
    )


def _floor_half_hour(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 30, second=0, microsecond=0)


def _handle(author: Author) -> str:
    return author.handle.lstrip("@").lower()


def _moderators(
    window: ChatWindow, messages: Sequence[Message]
) -> tuple[frozenset[str], frozenset[str]]:
    """Hosts and guests by handle: as named, else the top question poser; plus co-askers."""
    hosts = frozenset(h.lstrip("@").lower() for h in window.hosts)
    guests = frozenset(h.lstrip("@").lower() for h in window.guests)
    first = _first_askers(messages)
    if not hosts and not guests:
        hosts = _top_poser(messages, first)
    return hosts, guests | _co_moderators(first, hosts | guests)


def _top_poser(messages: Sequence[Message], first: Mapping[int, Message]) -> frozenset[str]:
    numbered = _posers(first)
    if numbered:
        # Most numbers first, then whoever asked first (dicts keep first-asked order).
        return frozenset({max(numbered, key=lambda handle: len(numbered[handle]))})
    prose = _prose_posers(messages)
    return frozenset({prose.most_common(1)[0][0]}) if prose else frozenset()


def _find_questions(
    messages: Sequence[Message], moderators: frozenset[str]
) -> tuple[list[Question], dict[str, int]]:
    """The chat's questions (first posting of each number) and every question post's number."""
    posts: dict[str, int] = {}
    asked: dict[int, Question] = {}
    own = [m for m in messages if _handle(m.author) in moderators and not is_repost(m)]
    for message in own:
        number = labels.question_label(message.text)
        if number is not None:
            posts[message.id] = number
            asked.setdefault(number, _question(number, message))
    # Unnumbered questions: numbered in order, or after the last numbered one ("Last question:").
    last_asked = max((q.asked_at for q in asked.values()), default=None)
    for message in own:
        if message.id in posts or not labels.is_prose_question(message.text):
            continue
        if last_asked is None or message.created_at > last_asked:
            number = max(asked, default=0) + 1
            posts[message.id] = number
            asked[number] = _question(number, message)
    return sorted(asked.values(), key=lambda q: q.number), posts


def _question(number: int, message: Message) -> Question:
    return Question(number=number, message_id=message.id, text=labels.question_text(message.text),
                    asked_at=message.created_at, author_id=message.author.id)


class _Attributor:
    """Decides each message's kind in time order, remembering earlier decisions by id."""

    def __init__(
        self, questions: Sequence[Question], question_posts: Mapping[str, int],
        moderators: frozenset[str],
    ) -> None:
        self.numbers = frozenset(q.number for q in questions)
        self.question_posts = question_posts
        self.moderators = moderators
        by_time = sorted(questions, key=lambda q: (q.asked_at, q.number))
        self.asked_times = [q.asked_at for q in by_time]
        self.asked_numbers = [q.number for q in by_time]
        self.decided: dict[str, Attribution] = {}
        self.author_of: dict[str, str] = {}

    def attribute(self, message: Message) -> Attribution:
        """Decide one message, given every earlier message of the chat."""
        decision = (
            self._fixed(message)
            or self._labelled(message)
            or self._threaded(message)
            or self._unlabelled(message)
            or Attribution(COMMENT)
        )
        self.decided[message.id] = decision
        self.author_of[message.id] = message.author.id
        return decision

    def _fixed(self, message: Message) -> Attribution | None:
        if is_repost(message):
            return Attribution(REPOST)
        if message.id in self.question_posts:
            return Attribution(QUESTION, self.question_posts[message.id])
        return None

    def _labelled(self, message: Message) -> Attribution | None:
        label = labels.answer_label(message.text)
        if label is not None:
            return self._answer(label[0], LABELLED)
        if not self._is_moderator(message):
            number = labels.question_label(message.text)
            if number is not None:
                return self._answer(number, QUESTION_LABEL)
        return None

    def _threaded(self, message: Message) -> Attribution | None:
        parent_id = message.in_reply_to_id or ""
        asked = self.question_posts.get(parent_id)
        if asked is not None:
            if self._is_moderator(message):
                return None  # a host adding to their own question, not answering it
            return self._answer(asked, REPLY_TO_QUESTION)
        quoted = self.question_posts.get(message.quoted_id or "")
        if quoted is not None:
            return self._answer(quoted, QUOTE_OF_QUESTION)
        parent = self.decided.get(parent_id)
        if parent is None or parent.kind not in (ANSWER, DISCUSSION):
            return None
        if parent.kind == ANSWER and self.author_of[parent_id] == message.author.id:
            if labels.is_chatter(message.text):
                return None  # "^ that was A2, forgot the label!"
            return Attribution(ANSWER, parent.question_number, THREAD_CONTINUATION)
        return Attribution(DISCUSSION, parent.question_number, REPLY_TO_ANSWER)

    def _unlabelled(self, message: Message) -> Attribution | None:
        text = message.text
        if self._is_moderator(message) or labels.is_chatter(text) or not labels.has_words(text):
            return None
        parent_id = message.in_reply_to_id
        if parent_id is not None and self.author_of.get(parent_id) != message.author.id:
            return None  # a reply to someone else, or to a post outside the chat
        position = bisect.bisect_right(self.asked_times, message.created_at)
        if position == 0:
            return None
        return Attribution(ANSWER, self.asked_numbers[position - 1], OPEN_QUESTION)

    def _answer(self, number: int, confidence: float) -> Attribution:
        if number not in self.numbers:
            confidence = min(confidence, UNKNOWN_QUESTION)
        return Attribution(ANSWER, number, confidence)

    def _is_moderator(self, message: Message) -> bool:
        return _handle(message.author) in self.moderators


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
    handle = _handle(author)
    if handle in hosts:
        return HOST
    return GUEST if handle in guests else PARTICIPANT
