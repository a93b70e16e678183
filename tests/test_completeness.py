"""What a chat's capture seems to miss."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from chatarchive.completeness import completeness
from chatarchive.models import (
    ANSWER,
    COMMENT,
    QUESTION,
    Attribution,
    Author,
    ChatWindow,
    Message,
    Question,
)

START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
HOST = Author(id="twitter:1", platform="twitter", handle="Host", display_name="Host")
ANN = Author(id="twitter:2", platform="twitter", handle="ann", display_name="Ann")


def post(native_id: int, who: Author, text: str, minute: float,
         reply_to: str | None = None) -> Message:
    return Message(id=f"twitter:{native_id}", platform="twitter", native_id=str(native_id),
                   author=who, text=text, created_at=START + timedelta(minutes=minute),
                   in_reply_to_id=reply_to)


def window(hosts: tuple[str, ...] = ()) -> ChatWindow:
    return ChatWindow(hashtag="solopr", starts_at=START, ends_at=START + timedelta(hours=1),
                      hosts=hosts)


def question(number: int, message: Message) -> Question:
    return Question(number=number, message_id=message.id, text=message.text,
                    asked_at=message.created_at, author_id=message.author.id)


def test_completeness_of_a_partial_capture() -> None:
    messages = [
        post(1, HOST, "Q1: Where?", 12),  # the capture starts 12 minutes late
        post(2, ANN, "A1: Home", 14),
        post(3, HOST, "Q2: Who?", 20),
        post(4, ANN, "Same as my earlier answer", 21, reply_to="twitter:999"),
        post(5, HOST, "Q4: How?", 40),  # Q3 is not in the capture
        post(6, ANN, "A5: jumping ahead", 42),
        post(7, ANN, "RT @Host: Q4: How do you invoice your clients when they pay late and…", 43),
    ]
    questions = [question(1, messages[0]), question(2, messages[2]), question(4, messages[4])]
    attributions = {
        "twitter:1": Attribution(QUESTION, 1), "twitter:2": Attribution(ANSWER, 1),
        "twitter:3": Attribution(QUESTION, 2), "twitter:4": Attribution(COMMENT),
        "twitter:5": Attribution(QUESTION, 4), "twitter:6": Attribution(ANSWER, 5, 0.6),
        "twitter:7": Attribution("repost"),
    }
    found = completeness(messages, questions, attributions, window())
    assert found == {
        "questions_expected": 5,
        "questions_found": 3,
        "missing_questions": [3, 5],
        "answers_without_question": 1,
        "replies_to_missing": 1,
        "truncated": 1,
        "gaps": [
            {"from": "2026-03-04T18:00:00+00:00", "to": "2026-03-04T18:12:00+00:00",
             "minutes": 12.0},
            {"from": "2026-03-04T18:21:00+00:00", "to": "2026-03-04T18:40:00+00:00",
             "minutes": 19.0},
            {"from": "2026-03-04T18:43:00+00:00", "to": "2026-03-04T19:00:00+00:00",
             "minutes": 17.0},
        ],
        "complete": False,
    }
    assert json.loads(json.dumps(found)) == found


def test_completeness_of_a_whole_chat_that_signs_off_early() -> None:
    messages = [post(n, HOST if n % 2 else ANN, f"post {n}", n * 5) for n in range(1, 9)]
    messages.append(post(20, HOST, "That's a wrap! Thanks all for joining", 42))
    questions = [question(1, messages[0]), question(2, messages[2])]
    attributions = {m.id: Attribution(COMMENT) for m in messages}
    found = completeness(messages, questions, attributions, window(hosts=("host",)))
    # The silence from the sign-off at 18:42 to the end of the hour is no gap.
    assert (found["missing_questions"], found["gaps"], found["complete"]) == ([], [], True)
    # Without Q1's post the capture starts at 18:10: ten minutes exactly is not yet a gap; the
    # sign-off is still found, its author being the one who asked Q2.
    late_start = completeness(messages[1:], questions[1:], attributions, window())
    assert (late_start["missing_questions"], late_start["gaps"]) == ([1], [])
