"""Chat assembly: finding chats in a stream, questions, attributions and participants."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatarchive import formats
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
    ParsedRecord,
    RawExport,
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


def test_assemble_a_post_within_a_minute_of_a_question_answers_the_one_before() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(3, ANN, "Home office", 5),  # the same second as Q2, ordered after it by id
        post(2, KELLY, "Q2: Who do you work for?", 5),
        post(4, BOB, "From a shared studio", 5.9),
        post(5, CAT, "Mostly agencies", 6),
    ]
    chat = assemble_chat(messages, window())
    # Nobody reads, thinks and types an answer within a minute: those answer Q1, late.
    assert [chat.attributions[f"twitter:{n}"] for n in (3, 4, 5)] == [
        Attribution(ANSWER, 1, 0.5), Attribution(ANSWER, 1, 0.5), Attribution(ANSWER, 2, 0.5)]


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




def test_assemble_quotes_by_status_link_and_quotes_of_answers() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(2, ANN, "A1: Home office", 1),
        post(3, BOB, "Kitchen table https://twitter.com/KellyECrane/status/1", 2),
        post(4, CAT, "Love this", 3, quotes=2),
        post(5, DAN, "So much this https://x.com/ann/status/2", 4),
    ]
    chat = assemble_chat(messages, window())
    assert [chat.attributions[m.id] for m in messages[2:]] == [
        Attribution(ANSWER, 1, 0.85), Attribution(DISCUSSION, 1, 0.8),
        Attribution(DISCUSSION, 1, 0.8)]


def test_assemble_reads_addresses_when_the_capture_has_no_reply_data() -> None:
    messages = [
        post(1, KELLY, "First question - how did friends react?", 0),
        post(2, ANN, "@KellyECrane they rallied round, mostly", 2),
        post(3, BOB, ".@KellyECrane yes true, friends are everything", 3),
        post(4, CAT, "@ann same with my family, they cooked for weeks", 4),
        post(5, KELLY, "@ann That is lovely to hear", 5),
        post(6, DAN, "@stranger my neighbours brought soup every day", 6),
        post(7, KELLY, "@stranger that link is broken, try again later", 7),
        post(8, KELLY, "Last question: did it change you?", 20),
    ]
    chat = assemble_chat(messages, window())
    assert [chat.attributions[m.id] for m in messages[1:7]] == [
        Attribution(ANSWER, 1, 0.6),  # to the host
        Attribution(DISCUSSION, 1, 0.5),  # to the host, only reacting
        Attribution(DISCUSSION, 1, 0.7),  # to ann, who answered Q1
        Attribution(DISCUSSION, 1, 0.7),  # the host to ann
        Attribution(ANSWER, 1, 0.5),  # to someone not in the chat: the open question
        Attribution(COMMENT),  # the host to someone not in the chat
    ]


def test_assemble_joins_a_post_cut_at_the_length_limit_with_its_rest() -> None:
    cut = ("@KellyECrane my friends were wonderful and my family even more so, they cooked and "
           "drove me to every appointment for months and")
    messages = [
        post(1, KELLY, "First question - how did friends react?", 0),
        post(2, ANN, cut, 2),
        post(3, ANN, "@KellyECrane never once complained", 3),
        post(4, ANN, "@KellyECrane yes and they still do", 3.5),
        post(5, KELLY, "Last question: did it change you?", 20),
    ]
    chat = assemble_chat(messages, window())
    assert [chat.attributions[m.id] for m in messages[1:4]] == [
        Attribution(ANSWER, 1, 0.6), Attribution(ANSWER, 1, 0.85), Attribution(DISCUSSION, 1, 0.5)]


def test_assemble_a_hosts_own_experience_answers_only_in_unnumbered_chats() -> None:
    mine = "My experience is that friends rallied, but only true friends stayed"
    prose = [post(1, KELLY, "First question - how did friends react?", 0), post(2, KELLY, mine, 3),
             post(3, KELLY, "Last question: did it change you?", 10)]
    numbered = [post(1, KELLY, "Q1: How did friends react?", 0), post(2, KELLY, mine, 3),
                post(3, KELLY, "Q2: Did it change you?", 10)]
    assert assemble_chat(prose, window()).attributions["twitter:2"] == Attribution(ANSWER, 1, 0.5)
    assert assemble_chat(numbered, window()).attributions["twitter:2"] == Attribution(COMMENT)


def test_assemble_the_sign_off_closes_the_open_question() -> None:
    messages = [
        post(1, KELLY, "Q1: Where do you work?", 0),
        post(2, ANN, "Working from home", 2),
        post(3, KELLY, "That's a wrap! Thanks all for joining", 10),
        post(4, BOB, "Such a useful hour, bookmarked", 11),
        post(5, CAT, "A1: late, but a coworking space", 12),
    ]
    chat = assemble_chat(messages, window())
    assert [chat.attributions[m.id] for m in messages[1:]] == [
        Attribution(ANSWER, 1, 0.5), Attribution(COMMENT), Attribution(COMMENT),
        Attribution(ANSWER, 1, 1.0)]


def test_assemble_a_question_split_over_two_posts_is_one_question() -> None:
    messages = [
        post(1, KELLY, "Q3: Where do you sell: markets, online, or...", 0),
        post(2, KELLY, "...somewhere else entirely? #solopr", 0.5),
        post(3, ANN, "Markets", 1.5, reply_to=2),
    ]
    chat = assemble_chat(messages, window())
    assert [(q.number, q.message_id, q.text) for q in chat.questions] == [
        (3, "twitter:1",
         "Where do you sell: markets, online, or... ...somewhere else entirely? #solopr")]
    assert [chat.attributions[m.id] for m in messages] == [
        Attribution(QUESTION, 3), Attribution(QUESTION, 3), Attribution(ANSWER, 3, 0.9)]


def test_assemble_stores_what_the_capture_misses() -> None:
    chat = assemble_chat([m for m, _ in CHAT], window())
    # eve's "Q9:" and dan's "A7:" name questions the chat never asked.
    assert chat.completeness == {
        "questions_expected": 9, "questions_found": 2, "missing_questions": [3, 4, 5, 6, 7, 8, 9],
        "answers_without_question": 2, "replies_to_missing": 1, "truncated": 0,
        "gaps": [{"from": "2026-03-04T18:23:00+00:00", "to": "2026-03-04T18:40:00+00:00",
                  "minutes": 17.0}],
        "complete": False,
    }


def test_assemble_is_idempotent() -> None:
    first = assemble_chat([m for m, _ in CHAT], window(), frozenset({"twitter:ann"}))
    again = assemble_chat(list(reversed(first.messages)), window(), frozenset({"twitter:ann"}))
    assert again == first


def _cancerchat(folder: Path) -> list[Message]:
    """The real #cancerchat sample, read with the team's Topsy format."""
    path = folder / "cancerchat-topsy-2014" / "Tweets_CancerChat_full.csv"
    raw = RawExport(origin=str(path), path=path, name=path.name,
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    _, records = formats.parse(raw, "topsy")
    return [r.message for r in records if isinstance(r, ParsedRecord)]


def test_real_cancerchat_questions_kinds_and_people(shared_data: Path) -> None:
    messages = _cancerchat(shared_data)
    [found] = detect_sessions(messages, "cancerchat")
    chat = assemble_chat(
        [m for m in messages if found.starts_at <= m.created_at <= found.ends_at], found)
    assert [(q.number, q.text[:30]) for q in chat.questions] == [
        (1, "First question - how did frien"), (2, "Speaking of reactions, what's "),
        (3, "So, what was the strangest rea"), (4, "Last qu (as I think everyone i")]
    kinds = Counter(a.kind for a in chat.attributions.values())
    assert kinds == {REPOST: 49, ANSWER: 17, DISCUSSION: 11, COMMENT: 7, QUESTION: 4}
    assert [(p.author.handle, p.role, p.posts, p.answers) for p in chat.participants[:3]] == [
        ("everydayableism", HOST, 28, 3), ("debecca", GUEST, 10, 0),
        ("abcdiagnosis", PARTICIPANT, 34, 14)]
    assert chat.completeness["complete"] is True
    assert chat.completeness["truncated"] == 38
