"""Finding chats in a hashtag stream, their moderators and their questions."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatarchive import formats
from chatarchive.models import Author, ChatWindow, Message, ParsedRecord, RawExport
from chatarchive.moderators import moderators
from chatarchive.questions import find_questions
from chatarchive.sessions import detect_sessions

START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


def person(handle: str) -> Author:
    return Author(id=f"twitter:{handle}", platform="twitter", handle=handle,
                  display_name=handle.title())


KELLY, ANN, BOB, CAT, DAN, EVE = map(person, ["KellyECrane", "ann", "bob", "cat", "dan", "eve"])


def post(
    native_id: int, who: Author, text: str, minute: float, *, reply_to: int | None = None,
    hashtags: tuple[str, ...] = ("solopr",), start: datetime = START,
) -> Message:
    return Message(
        id=f"twitter:{native_id}", platform="twitter", native_id=str(native_id), author=who,
        text=text, created_at=start + timedelta(minutes=minute), hashtags=hashtags,
        in_reply_to_id=None if reply_to is None else f"twitter:{reply_to}",
    )


def at(minute: float, start: datetime = START) -> datetime:
    return start + timedelta(minutes=minute)


def _stream() -> list[Message]:
    """Two weekly chats of #solopr with promotion and chatter between and around them."""
    week = START + timedelta(days=7)
    return [
        post(100, EVE, "Buy my course #solopr", -300),  # a lone post 5 hours early
        post(101, KELLY, "#solopr starts in 10 minutes!", -10),
        post(102, KELLY, "Q1: How do you find clients? #solopr", 2),
        post(103, ANN, "Q1: Referrals #solopr", 3),
        post(105, KELLY, "Q2: What do you charge? #solopr", 20),
        post(104, ANN, "Q2: Hourly #solopr", 21),  # ann labels answers "Q": not a host
        post(106, BOB, "A2: Per project #solopr", 50),
        post(114, BOB, "Q3: One from me: annual reviews? #solopr", 55),  # a guest's question
        post(107, EVE, "Q3: off-tag post", 56, hashtags=("other",)),
        post(108, EVE, "Buy my course #solopr", 60 * 24),  # the next day, between chats
        post(109, BOB, "Anyone want to talk rates? #solopr", 60 * 24 + 30),
        post(110, CAT, "T1: Pricing #solopr", 7, start=week),
        post(111, ANN, "A1: Value-based #solopr", 9, start=week),
        post(112, CAT, "T2: Contracts #solopr", 30, start=week),
        post(113, KELLY, "A2: Always in writing #solopr", 75, start=week),  # a late answer
    ]


def spans(windows: list[ChatWindow]) -> list[tuple[datetime, datetime, tuple[str, ...]]]:
    return [(w.starts_at, w.ends_at, w.hosts) for w in windows]


def test_detect_sessions_finds_two_chats_and_skips_posts_between() -> None:
    windows = detect_sessions(_stream(), "#SoloPR")
    week = START + timedelta(days=7)
    assert [(w.hashtag, w.starts_at, w.ends_at, w.hosts, w.guests, w.timezone)
            for w in windows] == [
        ("solopr", at(-10), at(55), ("kellyecrane",), ("bob",), "UTC"),
        ("solopr", at(7, week), at(75, week), ("cat",), (), "UTC"),
    ]
    between = [m for m in _stream() if m.native_id in {"100", "108", "109"}]
    assert not any(w.starts_at <= m.created_at <= w.ends_at for m in between for w in windows)


def test_detect_sessions_gap_splits_bursts() -> None:
    assert detect_sessions(_stream()[:7], "solopr", gap=timedelta(minutes=15)) == []


def test_detect_sessions_ordinary_stream_has_no_chat() -> None:
    stream = [post(n, person(f"user{n % 7}"), f"Opinion {n} on #solopr news", n * 2)
              for n in range(40)]
    stream.append(post(99, ANN, "Q1: is anyone here?", 81))
    assert detect_sessions(stream, "solopr") == []


def test_detect_sessions_prose_chat() -> None:
    messages = [
        post(1, KELLY, "First question - how did friends react? #solopr", 0),
        post(2, ANN, "They rallied #solopr", 3),
        post(3, KELLY, "Last question: what changed for you? #solopr", 30),
    ]
    assert spans(detect_sessions(messages, "solopr")) == [(at(0), at(30), ("kellyecrane",))]


def test_detect_sessions_window_runs_from_the_welcome_to_the_last_of_the_chat() -> None:
    promo = person("promo")
    messages = [
        post(1, KELLY, "Reminder: #solopr today at 1pm!", -180),
        post(2, KELLY, "Getting the coffee on for #solopr", -25),  # too early for a welcome
        post(3, KELLY, "Welcome to #solopr!", -8.5),
        post(4, KELLY, "Q1: How do you find clients? #solopr", 0),
        post(5, ANN, "A1: Referrals #solopr", 2),
        post(6, KELLY, "Q2: What do you charge? #solopr", 10),
        post(7, ANN, "A2: Hourly #solopr", 12),
        post(8, KELLY, "That's a wrap! Thanks all for joining #solopr", 20),
        post(9, EVE, "Thanks, great chat! #solopr", 20.5),  # thanks from anyone belong
        *(post(10 + n, promo, f"Sale {n}! #solopr", 25 + 15 * n) for n in range(9)),
    ]
    assert spans(detect_sessions(messages, "solopr")) == [(at(-9), at(21), ("kellyecrane",))]


def test_detect_sessions_late_answers_extend_the_chat_and_strangers_do_not() -> None:
    messages = [
        post(1, KELLY, "Q1: How do you find clients? #solopr", 0),
        post(2, KELLY, "Q2: What do you charge? #solopr", 10),
        post(3, ANN, "A2: Hourly #solopr", 12),
        post(4, EVE, "Check out my new podcast #solopr", 18),
        post(5, BOB, "A1: late, but referrals #solopr", 40),
        post(6, DAN, "Anyone hiring? #solopr", 45),
    ]
    assert spans(detect_sessions(messages, "solopr")) == [(at(0), at(40), ("kellyecrane",))]


def test_detect_sessions_splits_a_busy_burst_where_questions_pause_an_hour() -> None:
    promo = person("promo")
    messages = [
        post(1, KELLY, "Q1: Morning edition, where do you work? #solopr", 0),
        post(2, ANN, "A1: Home #solopr", 2),
        post(3, KELLY, "Q2: Who are your clients? #solopr", 10),
        post(4, ANN, "A2: Startups #solopr", 12),
        *(post(10 + n, promo, f"Sale {n}! #solopr", 30 + 30 * n) for n in range(7)),
        post(30, CAT, "Welcome to the evening edition of #solopr!", 235),
        post(31, CAT, "Q1: Evening edition, what do you charge? #solopr", 240),
        post(32, BOB, "A1: Per project #solopr", 242),
        post(33, CAT, "Q2: How do you invoice? #solopr", 250),
        post(34, BOB, "A2: Monthly #solopr", 252),
    ]
    assert spans(detect_sessions(messages, "solopr")) == [
        (at(0), at(12), ("kellyecrane",)), (at(235), at(252), ("cat",))]


def test_detect_sessions_chat_of_plain_question_sentences() -> None:
    """Three question sentences, each answered by people addressing the asker, make a chat."""
    messages = [post(1, KELLY, "Welcome! I'm @bob, your guest host tonight #solopr", -2)]
    for n, minute in enumerate((0, 10, 20)):
        messages += [
            post(10 + n, KELLY, f"So, what is your biggest worry number {n}? #solopr", minute),
            post(20 + n, ANN, f"@KellyECrane my worry {n} is money #solopr", minute + 2),
        ]
    [found] = detect_sessions(messages, "solopr")
    assert (found.starts_at, found.ends_at, found.hosts, found.guests) == (
        at(-2), at(22), ("kellyecrane",), ("bob",))
    assert detect_sessions(messages[:5], "solopr") == []  # two are not enough
    # Three, but over two hours apart in one burst: not a chat's pace.
    slow = [replace(m, created_at=at(70 * (n // 2) + 2 * (n % 2)))
            for n, m in enumerate(messages[1:])]
    assert detect_sessions(slow, "solopr") == []


def test_find_questions_second_parts_repostings_and_mentions() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you sell: markets, online, or...", 0),
        post(2, KELLY, "...somewhere else? #solopr", 0.5),  # the rest, within a minute
        post(3, KELLY, "Q2: What do you charge?", 10),
        post(4, KELLY, "For example: hourly, by project, a retainer?", 11, reply_to=3),
        post(5, KELLY, "RT @KellyECrane: Q2: What do you charge?", 12),
        post(6, KELLY, "Q3 coming up in 2 minutes", 18),
        post(7, KELLY, "Q3: How do you invoice?", 20),
        post(8, KELLY, "and how often do you chase late payers?", 23),  # too late for a part
        post(9, KELLY, "Q2: (again, for latecomers) What do you charge?", 24),
        post(10, KELLY, "Q4: Who keeps your books?", 30),
        post(11, KELLY, "i do mine on sundays", 30.5),  # the host's own answer, not a part
    ]
    questions, posts = find_questions(messages, {"kellyecrane"})
    assert [(q.number, q.message_id, q.text) for q in questions] == [
        (1, "twitter:1", "Where do you sell: markets, online, or... ...somewhere else? #solopr"),
        (2, "twitter:3", "What do you charge? For example: hourly, by project, a retainer?"),
        (3, "twitter:7", "How do you invoice?"),
        (4, "twitter:10", "Who keeps your books?"),
    ]
    assert posts == {"twitter:1": 1, "twitter:2": 1, "twitter:3": 2, "twitter:4": 2,
                     "twitter:7": 3, "twitter:9": 2, "twitter:10": 4}


def test_find_questions_question_sentences_only_without_numbers_and_only_when_answered() -> None:
    messages = [
        post(1, KELLY, "First question - how did friends react?", 0),
        post(2, ANN, "@KellyECrane they rallied", 2),
        post(3, KELLY, "Speaking of reactions, what's the worst you had?", 10),
        post(4, ANN, "@KellyECrane silence from my brother", 12),
        post(5, KELLY, "Does anyone know why the stream is slow tonight?", 20),  # no answer
        post(6, KELLY, "@ann Was that hard to hear?", 21),  # to one person
    ]
    questions, _ = find_questions(messages, {"kellyecrane"})
    assert [(q.number, q.message_id) for q in questions] == [(1, "twitter:1"), (2, "twitter:3")]
    numbered = [post(0, KELLY, "Q1: Where do you work?", -1), *messages]
    questions, _ = find_questions(numbered, {"kellyecrane"})
    assert [(q.number, q.message_id) for q in questions] == [(1, "twitter:0"), (2, "twitter:1")]


def test_moderators_named_inferred_and_presented() -> None:
    messages = [
        post(1, KELLY, "Welcome our guest @Cat, and I'm @dan behind this account!", 0),
        post(2, KELLY, "Q1: Where do you work?", 1),
        post(3, KELLY, "Q2: Who are your clients?", 5),
        post(4, ANN, "Q2: Startups, mostly", 6),
    ]
    unnamed = ChatWindow(hashtag="solopr", starts_at=START, ends_at=at(60))
    assert moderators(unnamed, messages) == (frozenset({"kellyecrane"}), frozenset({"cat", "dan"}))
    named = ChatWindow(hashtag="solopr", starts_at=START, ends_at=at(60), hosts=("@Ann",),
                       guests=("eve",))
    assert moderators(named, messages) == (frozenset({"ann"}), frozenset({"eve"}))


def test_real_cancerchat_window(shared_data: Path) -> None:
    path = shared_data / "cancerchat-topsy-2014" / "Tweets_CancerChat_full.csv"
    raw = RawExport(origin=str(path), path=path, name=path.name,
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    messages = [r.message for r in formats.parse(raw, "topsy")[1] if isinstance(r, ParsedRecord)]
    # Reminders from 17:55, a "signing in" at 19:35 and promotion until 22:39 stay outside.
    assert [(w.starts_at, w.ends_at, w.hosts, w.guests)
            for w in detect_sessions(messages, "cancerchat")] == [
        (datetime(2014, 6, 19, 20, 0, tzinfo=UTC), datetime(2014, 6, 19, 21, 14, tzinfo=UTC),
         ("everydayableism",), ("debecca",))]
