"""Chat assembly: finding chats in a stream, questions, attributions and participants."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatarchive.assemble import assemble_chat, chat_id, detect_sessions, is_repost
from chatarchive.models import (
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
    ChatWindow,
    Message,
)

START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # Wednesday 13:00 in New York


def person(handle: str) -> Author:
    return Author(id=f"twitter:{handle}", platform="twitter", handle=handle,
                  display_name=handle.title())


KELLY, ANN, BOB, CAT, DAN, EVE = map(
    person, ["KellyECrane", "ann", "bob", "cat", "dan", "eve"]
)


def post(
    native_id: int, who: Author, text: str, minute: float, *,
    reply_to: int | None = None, quotes: int | None = None, repost_of: int | None = None,
    hashtags: tuple[str, ...] = ("solopr",), start: datetime = START,
) -> Message:
    def ref(n: int | None) -> str | None:
        return None if n is None else f"twitter:{n}"

    return Message(
        id=f"twitter:{native_id}", platform="twitter", native_id=str(native_id), author=who,
        text=text, created_at=start + timedelta(minutes=minute), in_reply_to_id=ref(reply_to),
        quoted_id=ref(quotes), repost_of_id=ref(repost_of), hashtags=hashtags,
    )


def window(hosts: tuple[str, ...] = ("kellyecrane",), guests: tuple[str, ...] = ()) -> ChatWindow:
    return ChatWindow(hashtag="solopr", starts_at=START, ends_at=START + timedelta(hours=1),
                      timezone="America/New_York", hosts=hosts, guests=guests)


# One chat exercising every rule; the expected attribution is beside each post.
CHAT = [
    (post(1, KELLY, "Welcome to #solopr! Introduce yourselves", 0), Attribution(COMMENT)),
    (post(2, ANN, "Hi all! Ann from Boston #solopr", 1), Attribution(COMMENT)),
    (post(3, KELLY, "Q1: How do you find clients? #solopr", 2), Attribution(QUESTION, 1)),
    (post(4, ANN, "A1: Referrals, mostly. #solopr", 3), Attribution(ANSWER, 1, 1.0)),
    (post(5, BOB, "Q1: LinkedIn works for me #solopr", 4), Attribution(ANSWER, 1, 0.9)),
    (post(6, CAT, "Cold email, honestly #solopr", 5, reply_to=3), Attribution(ANSWER, 1, 0.9)),
    (post(7, DAN, "Networking events #solopr", 6, quotes=3), Attribution(ANSWER, 1, 0.85)),
    (post(8, ANN, "And a newsletter. #solopr", 7, reply_to=4), Attribution(ANSWER, 1, 0.85)),
    (post(9, BOB, "Same here, referrals rule #solopr", 8, reply_to=4),
     Attribution(DISCUSSION, 1, 0.8)),
    (post(10, ANN, "Glad it works for you too #solopr", 9, reply_to=9),
     Attribution(DISCUSSION, 1, 0.8)),
    (post(11, DAN, "I also use my alumni network #solopr", 10), Attribution(ANSWER, 1, 0.5)),
    (post(12, EVE, "RT @KellyECrane: Q1: How do you find clients? #solopr", 11),
     Attribution(REPOST)),
    (post(13, KELLY, "For example: a newsletter, events, LinkedIn? #solopr", 11.5, reply_to=3),
     Attribution(COMMENT)),
    (post(14, KELLY, "Q2 coming up in 2 minutes #solopr", 12), Attribution(COMMENT)),
    (post(15, KELLY, "Q2: What do you charge? #solopr", 14), Attribution(QUESTION, 2)),
    (post(16, CAT, "A1: late answer, word of mouth #solopr", 15), Attribution(ANSWER, 1, 1.0)),
    (post(17, DAN, "A7: off-script thought #solopr", 16), Attribution(ANSWER, 7, 0.6)),
    (post(18, KELLY, "Q2: What do you charge? #solopr", 17, repost_of=15), Attribution(REPOST)),
    (post(19, KELLY, "Q2: What do you charge? (for latecomers) #solopr", 18),
     Attribution(QUESTION, 2)),
    (post(20, BOB, "Hourly, for now #solopr", 19, reply_to=19), Attribution(ANSWER, 2, 0.9)),
    (post(21, KELLY, "Love that, Ann #solopr", 20, reply_to=4), Attribution(DISCUSSION, 1, 0.8)),
    (post(22, BOB, "An aside on another thread #solopr", 21, reply_to=999), Attribution(COMMENT)),
    (post(23, ANN, "Per project, with a retainer option #solopr", 22, reply_to=2),
     Attribution(ANSWER, 2, 0.5)),
    (post(24, EVE, "Q9: no such question, but here goes #solopr", 23),
     Attribution(ANSWER, 9, 0.6)),
    (post(25, KELLY, "Thanks all for joining! #solopr", 40), Attribution(COMMENT)),
    (post(26, ANN, "Thanks Kelly! #solopr", 41), Attribution(COMMENT)),
    (post(27, CAT, "Same time next week?", 42, reply_to=25), Attribution(COMMENT)),
]


def test_assemble_attributes_every_message_by_its_rule() -> None:
    chat = assemble_chat([m for m, _ in CHAT], window())
    expected = {m.id: attribution for m, attribution in CHAT}
    assert dict(chat.attributions) == expected


def test_assemble_questions_keep_the_first_posting() -> None:
    chat = assemble_chat([m for m, _ in CHAT], window())
    assert [(q.number, q.message_id, q.text) for q in chat.questions] == [
        (1, "twitter:3", "How do you find clients? #solopr"),
        (2, "twitter:15", "What do you charge? #solopr"),
    ]
    assert chat.questions[1].asked_at == START + timedelta(minutes=14)
    assert chat.questions[1].author_id == "twitter:KellyECrane"


def test_assemble_sorts_deduplicates_and_names_the_chat() -> None:
    shuffled = [m for m, _ in reversed(CHAT)] + [CHAT[3][0]]
    chat = assemble_chat(shuffled, window())
    assert chat.id == "solopr-2026-03-04"
    assert [m.native_id for m in chat.messages] == [str(n) for n in range(1, 28)]
    assert len(chat.attributions) == 27


def test_assemble_orders_same_second_ids_as_numbers() -> None:
    messages = [post(10, ANN, "second", 1), post(9, BOB, "first", 1), post(100, CAT, "third", 1)]
    chat = assemble_chat(messages, window())
    assert [m.native_id for m in chat.messages] == ["9", "10", "100"]


def test_assemble_participants_roles_counts_and_order() -> None:
    chat = assemble_chat([m for m, _ in CHAT], window(), frozenset({"twitter:ann"}))
    rows = [(p.author.handle, p.role, p.posts, p.answers, p.first_time)
            for p in chat.participants]
    assert rows == [
        ("KellyECrane", HOST, 9, 0, True),
        ("ann", PARTICIPANT, 6, 3, False),
        ("bob", PARTICIPANT, 4, 2, True),
        ("cat", PARTICIPANT, 3, 2, True),
        ("dan", PARTICIPANT, 3, 3, True),
        ("eve", PARTICIPANT, 2, 1, True),
    ]


def test_assemble_infers_the_host_from_who_asks_first() -> None:
    # bob labels his answers "Q1:" and "Q2:" too, but kelly asked each first.
    messages = [
        post(1, KELLY, "Q1: How do you find clients?", 0),
        post(2, BOB, "Q1: LinkedIn", 1),
        post(3, KELLY, "Q2: What do you charge?", 5),
        post(4, BOB, "Q2: Hourly", 6),
    ]
    chat = assemble_chat(messages, window(hosts=()))
    assert [(p.author.handle, p.role) for p in chat.participants] == [
        ("KellyECrane", HOST), ("bob", PARTICIPANT)]
    assert [chat.attributions[m.id] for m in messages] == [
        Attribution(QUESTION, 1), Attribution(ANSWER, 1, 0.9),
        Attribution(QUESTION, 2), Attribution(ANSWER, 2, 0.9)]


def test_assemble_guest_moderator_poses_questions() -> None:
    messages = [
        post(1, KELLY, "Welcome! Our guest @cat moderates today", 0),
        post(2, CAT, "Q1: Personal or professional accounts?", 1),
        post(3, ANN, "Both, carefully", 2),
        post(4, CAT, "A1: I keep them apart", 3),
    ]
    chat = assemble_chat(messages, window(guests=("cat",)))
    assert [q.message_id for q in chat.questions] == ["twitter:2"]
    assert [(p.author.handle, p.role, p.answers) for p in chat.participants] == [
        ("KellyECrane", HOST, 0), ("cat", GUEST, 1), ("ann", PARTICIPANT, 1)]
    assert chat.attributions["twitter:3"] == Attribution(ANSWER, 1, 0.5)


def test_assemble_infers_an_unnamed_guest_from_the_numbering() -> None:
    # cat asks Q2 between kelly's Q1 and Q3; eve's "Q9:" skips far ahead; dan's "Q4:" is a reply.
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(2, CAT, "Q2: Who are your clients?", 10),
        post(3, KELLY, "Q3: What do you charge?", 20),
        post(4, DAN, "Q4: Is there a Q4? I say yes", 25, reply_to=3),
        post(5, EVE, "Q9: my own question, why not", 26),
    ]
    for named in (window(), window(hosts=())):
        chat = assemble_chat(messages, named)
        assert [(q.number, q.message_id) for q in chat.questions] == [
            (1, "twitter:1"), (2, "twitter:2"), (3, "twitter:3")]
        assert [(p.author.handle, p.role) for p in chat.participants] == [
            ("KellyECrane", HOST), ("cat", GUEST), ("dan", PARTICIPANT), ("eve", PARTICIPANT)]
        assert chat.attributions["twitter:4"] == Attribution(ANSWER, 4, 0.6)
        assert chat.attributions["twitter:5"] == Attribution(ANSWER, 9, 0.6)


def test_assemble_unnamed_guests_may_ask_the_second_half() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(2, KELLY, "Q2: Who are your clients?", 10),
        post(3, CAT, "Q3: What do you charge?", 20),
        post(4, DAN, "Q4: How often do you raise rates?", 30),
    ]
    chat = assemble_chat(messages, window())
    assert [q.number for q in chat.questions] == [1, 2, 3, 4]
    assert [(p.author.handle, p.role) for p in chat.participants] == [
        ("KellyECrane", HOST), ("cat", GUEST), ("dan", GUEST)]


def test_assemble_chatter_and_empty_posts_are_comments() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(2, ANN, "From my kitchen table", 1),
        post(3, ANN, "^ that was A1, forgot the label!", 2, reply_to=2),
        post(4, BOB, "https://example.org/survey #solopr", 3),
        post(5, CAT, "+1 #solopr", 4),
        post(6, DAN, "Merci tout le monde! Great chat.", 5),
        post(7, EVE, "+1", 6, reply_to=2),
    ]
    chat = assemble_chat(messages, window())
    assert [chat.attributions[m.id] for m in messages] == [
        Attribution(QUESTION, 1), Attribution(ANSWER, 1, 0.5), Attribution(COMMENT),
        Attribution(COMMENT), Attribution(COMMENT), Attribution(COMMENT),
        Attribution(DISCUSSION, 1, 0.8)]


def test_assemble_numbers_prose_questions_in_order() -> None:
    messages = [
        post(1, KELLY, "Welcome to the chat", 0),
        post(2, KELLY, "First question - how did friends react?", 1),
        post(3, ANN, "They rallied round", 2),
        post(4, KELLY, "Last qu ... Did it change your view of disability?", 20),
        post(5, ANN, "Yes, for sure", 21),
    ]
    chat = assemble_chat(messages, window())
    assert [(q.number, q.message_id) for q in chat.questions] == [
        (1, "twitter:2"), (2, "twitter:4")]
    assert chat.attributions["twitter:3"] == Attribution(ANSWER, 1, 0.5)
    assert chat.attributions["twitter:5"] == Attribution(ANSWER, 2, 0.5)


def test_assemble_prose_question_after_the_numbered_ones_gets_the_next_number() -> None:
    messages = [
        post(1, KELLY, "Next question: is this one numbered?", 0),
        post(2, KELLY, "Q1: Where do you work?", 1),
        post(3, KELLY, "Q2: Who do you work for?", 5),
        post(4, KELLY, "Last question: one tip for newcomers?", 10),
    ]
    chat = assemble_chat(messages, window())
    assert [(q.number, q.message_id) for q in chat.questions] == [
        (1, "twitter:2"), (2, "twitter:3"), (3, "twitter:4")]
    assert chat.attributions["twitter:1"] == Attribution(COMMENT)


def test_assemble_open_question_starts_at_the_instant_it_is_asked() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(3, ANN, "Home office", 5),
        post(2, KELLY, "Q2: Who do you work for?", 5),
    ]
    chat = assemble_chat(messages, window())
    # Same second: the id orders ann's post after Q2, so Q2 is the open question.
    assert chat.attributions["twitter:3"] == Attribution(ANSWER, 2, 0.5)


def test_assemble_chat_without_questions_is_all_comments_and_reposts() -> None:
    messages = [post(1, ANN, "Anyone around?", 0), post(2, BOB, "RT @ann: Anyone around?", 1)]
    chat = assemble_chat(messages, window(hosts=()))
    assert chat.questions == ()
    assert [chat.attributions[m.id] for m in messages] == [
        Attribution(COMMENT), Attribution(REPOST)]
    assert [p.role for p in chat.participants] == [PARTICIPANT, PARTICIPANT]


def test_is_repost() -> None:
    assert is_repost(post(1, ANN, "RT @bob: hello", 0))
    assert is_repost(post(2, ANN, "hello", 0, repost_of=1))
    assert not is_repost(post(3, ANN, "I said RT @bob: hello", 0))


def _stream() -> list[Message]:
    """Two weekly chats of #solopr with promotion and chatter between and around them."""
    week = timedelta(days=7)
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
        post(110, CAT, "T1: Pricing #solopr", 7, start=START + week),
        post(111, ANN, "A1: Value-based #solopr", 9, start=START + week),
        post(112, CAT, "T2: Contracts #solopr", 30, start=START + week),
        post(113, KELLY, "A2: Always in writing #solopr", 75, start=START + week),
    ]


def test_detect_sessions_finds_two_chats_and_skips_posts_between() -> None:
    windows = detect_sessions(_stream(), "#SoloPR")
    assert [(w.hashtag, w.starts_at, w.ends_at, w.hosts, w.guests, w.timezone)
            for w in windows] == [
        ("solopr", datetime(2026, 3, 4, 17, 30, tzinfo=UTC),
         datetime(2026, 3, 4, 18, 55, tzinfo=UTC), ("kellyecrane",), ("bob",), "UTC"),
        ("solopr", datetime(2026, 3, 11, 18, 0, tzinfo=UTC),
         datetime(2026, 3, 11, 19, 15, tzinfo=UTC), ("cat",), (), "UTC"),
    ]
    between = [m for m in _stream() if m.native_id in {"100", "108", "109"}]
    assert not any(w.starts_at <= m.created_at <= w.ends_at for m in between for w in windows)


def test_detect_sessions_gap_splits_bursts() -> None:
    windows = detect_sessions(_stream()[:7], "solopr", gap=timedelta(minutes=15))
    assert windows == []


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
    windows = detect_sessions(messages, "solopr")
    assert [(w.starts_at, w.hosts) for w in windows] == [(START, ("kellyecrane",))]


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        # 13:00 EST, before the March 8 switch to daylight time, and 13:00 EDT after it.
        (datetime(2026, 3, 4, 18, 0, tzinfo=UTC), "America/New_York", "solopr-2026-03-04"),
        (datetime(2026, 3, 11, 17, 0, tzinfo=UTC), "America/New_York", "solopr-2026-03-11"),
        # 04:30 UTC is 23:30 EST on the 7th, but 00:30 EDT on the 9th a day later.
        (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), "America/New_York", "solopr-2026-03-07"),
        (datetime(2026, 3, 9, 4, 30, tzinfo=UTC), "America/New_York", "solopr-2026-03-09"),
        # A 21:00 chat in Los Angeles starts on the next UTC day.
        (datetime(2026, 3, 5, 5, 0, tzinfo=UTC), "America/Los_Angeles", "solopr-2026-03-04"),
        (datetime(2026, 3, 5, 5, 0, tzinfo=UTC), "UTC", "solopr-2026-03-05"),
    ],
)
def test_chat_id_uses_the_local_date(moment: datetime, zone: str, expected: str) -> None:
    assert chat_id("solopr", moment, zone) == expected


def test_chat_id_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        chat_id("solopr", datetime(2026, 3, 4, 18, 0), "UTC")


def _cancerchat(folder: Path) -> list[Message]:
    """The real #cancerchat sample, read just enough to assemble (times from Snowflake ids)."""
    path = folder / "cancerchat-topsy-2014" / "Tweets_CancerChat_full.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    messages = []
    for row in rows:
        millis = (int(row["id"]) >> 22) + 1288834974657
        tags = tuple(t.lower() for t in row["hashtags"].split("~") if t and t != "None")
        messages.append(Message(
            id=f"twitter:{row['id']}", platform="twitter", native_id=row["id"],
            author=person(row["trackback_author_nick"]), text=row["content"],
            created_at=datetime.fromtimestamp(millis / 1000, UTC), hashtags=tags,
        ))
    return messages


def test_real_cancerchat_prose_session(shared_data: Path) -> None:
    messages = _cancerchat(shared_data)
    windows = detect_sessions(messages, "cancerchat")
    assert [(w.starts_at, w.hosts) for w in windows] == [
        (datetime(2014, 6, 19, 17, 30, tzinfo=UTC), ("everydayableism",))]
    chat = assemble_chat(
        [m for m in messages if windows[0].starts_at <= m.created_at <= windows[0].ends_at],
        windows[0],
    )
    assert [(q.number, q.text[:26]) for q in chat.questions] == [
        (1, "First question - how did f"), (2, "Last qu (as I think everyo")]
    kinds = Counter(a.kind for a in chat.attributions.values())
    assert kinds == {REPOST: 56, ANSWER: 23, COMMENT: 20, QUESTION: 2}
    top = chat.participants[1]
    assert (top.author.handle, top.posts, top.answers) == ("abcdiagnosis", 35, 21)
