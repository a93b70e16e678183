"""Where chats are and who runs them: sessions in a hashtag stream, moderators and questions.

Pure code shared by detection (no schedule) and assembly. A chat is a burst of posts in which a
host poses questions: numbered ("Q1:", "T2.", "3️⃣"), ordinal prose ("First question - ..."), or,
when nobody numbers them, the host's own question sentences that draw answers. A detected chat
runs from the host's warm-up (at most 20 minutes before the first question) to the end of its
tail: posts by the chat's own people (and anyone's thanks) with no pause over 10 minutes, and
late answers or replies to the chat, for at most an hour after the last question. Reminders
hours before and promotion after stay outside; posts between chats belong to no chat.
"""

from __future__ import annotations

import bisect
import itertools
import logging
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from . import labels
from .models import Author, ChatWindow, Message, Question

MIN_QUESTIONS = 2  # questions one author must pose in a burst for it to be a chat
MIN_ASKED = 3  # unnumbered question sentences needed when nothing else marks a host
WARM_UP = timedelta(minutes=20)  # a host's welcome before the first question
TAIL_PAUSE = timedelta(minutes=10)  # a longer silence of the chat's own people ends the chat
TAIL_LIMIT = timedelta(hours=1)  # how long after its last question a chat may run
SESSION_PAUSE = timedelta(hours=1)  # questions that pause longer belong to separate chats
CHAT_SPAN = timedelta(hours=2)  # the longest a chat's questions take
DRAW_TIME = timedelta(minutes=10)  # a question sentence counts when answered this soon
SPLIT_TIME = timedelta(minutes=1)  # an unthreaded second part of a question follows this soon
THREAD_TIME = timedelta(minutes=2)  # a threaded second part of a question follows this soon

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


def moderators(
    window: ChatWindow, messages: Sequence[Message]
) -> tuple[frozenset[str], frozenset[str]]:
    """Hosts and guests by handle: as named, else the top question poser; plus co-askers."""
    hosts = frozenset(h.lstrip("@").lower() for h in window.hosts)
    guests = frozenset(h.lstrip("@").lower() for h in window.guests)
    if not hosts and not guests:
        hosts = _top_poser(messages)
    return hosts, (guests | _guests(messages, hosts | guests)) - hosts


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
        asked = [m for m in _asked(own, messages, moderators) if m.id not in taken]
        parts.update(_second_parts(own, {m.id for m in asked}))
        prose = sorted(prose + asked, key=lambda m: (m.created_at, len(m.id), m.id))
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


def sign_off_time(
    messages: Sequence[Message], team: Collection[str], after: datetime
) -> datetime | None:
    """When a moderator closes the chat ("signing out", "That's a wrap!") after its questions."""
    return next((m.created_at for m in messages if m.created_at >= after
                 and handle(m.author) in team and not is_repost(m)
                 and labels.is_sign_off(m.text)), None)


def first_askers(messages: Sequence[Message]) -> dict[int, Message]:
    """Question number -> the first post labelling it; later "Q1:" posts are answers."""
    first: dict[int, Message] = {}
    for message in messages:
        number = None if is_repost(message) else labels.question_label(message.text)
        if number is not None and number not in first:
            first[number] = message
    return first


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
    hosts = _hosts(posts)
    if not hosts:
        return None
    guests = _guests(posts, hosts) - hosts
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


def _hosts(posts: Sequence[Message]) -> frozenset[str]:
    numbered = _posers(first_askers(posts))
    hosts = {h for h, numbers in numbered.items() if len(numbers) >= MIN_QUESTIONS}
    prose = _prose_posers(posts)
    asked: dict[str, list[datetime]] = {}
    for message in _asked(posts, posts, ()):
        asked.setdefault(handle(message.author), []).append(message.created_at)
    for who, times in asked.items():
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
    asked = Counter(handle(m.author) for m in _asked(messages, messages, ()))
    top = asked.most_common(1)
    return frozenset({top[0][0]}) if top and top[0][1] >= MIN_QUESTIONS else frozenset()


def _guests(messages: Sequence[Message], team: frozenset[str]) -> frozenset[str]:
    """Co-askers continuing the numbering; guests a moderator presents ("I'm @x", "guest @x")."""
    found = set(_co_moderators(first_askers(messages), team))
    for message in messages:
        if handle(message.author) in team and not is_repost(message):
            found.update(labels.introduced_guests(message.text))
    return frozenset(found)


def _posers(first: Mapping[int, Message]) -> dict[str, set[int]]:
    posers: dict[str, set[int]] = {}
    for number, message in first.items():
        posers.setdefault(handle(message.author), set()).add(number)
    return posers


def _co_moderators(first: Mapping[int, Message], team: frozenset[str]) -> frozenset[str]:
    """Others who asked a question that continues the moderators' numbering (a guest's Q4)."""
    asked = {n for n, m in first.items() if handle(m.author) in team}
    if not asked:
        return frozenset()
    limit, found = max(asked) + 1, set()
    for number in sorted(set(first) - asked):
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


def _asked(
    candidates: Sequence[Message], messages: Sequence[Message], team: Collection[str]
) -> list[Message]:
    """Question sentences put to the chat: not replies, not addressed, and answered soon."""
    responses = _Responses(messages)
    found = []
    for message in candidates:
        text = message.text
        if (is_repost(message) or message.in_reply_to_id is not None or labels.addressees(text)
                or labels.is_chatter(text) or labels.is_sign_off(text)
                or labels.mentions_label(text) or not labels.asks(text)):
            continue
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
            keys.update(f"{message.platform}:{n}" for n in labels.status_ids(message.text))
            names = labels.addressees(message.text)
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
                   and (labels.ends_open(message.text)
                        or labels.continues(after.text, lower_case=False)))
        if threaded or follows:
            parts[after.id] = message.id
    return parts


def _question(number: int, message: Message, parts: Sequence[Message]) -> Question:
    text = " ".join([labels.question_text(message.text), *(p.text.strip() for p in parts)])
    return Question(number=number, message_id=message.id, text=text,
                    asked_at=message.created_at, author_id=message.author.id)


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
                                          or labels.is_chatter(message.text))
        if linked or (own and message.created_at - end <= TAIL_PAUSE):
            end = message.created_at
            chat_ids.add(message.id)
    ceiling = end.replace(second=0, microsecond=0)
    return ceiling if ceiling == end else ceiling + timedelta(minutes=1)
