"""What a chat's capture seems to miss, as a JSON-able dict stored beside the chat.

Exports are often partial (a search API's sample, a capture started late or cut short), so each
chat says what it appears to lack: question numbers skipped, answers labelled for questions the
capture does not hold, replies to posts it does not hold, texts cut with "…", and silent stretches
while the chat was running (from the window's start to its end, or to the host's sign-off).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from .models import ANSWER, Attribution, ChatWindow, Message, Question
from .posts import handle
from .sessions import sign_off_time

GAP = timedelta(minutes=10)  # a longer silence while a chat runs suggests posts are missing


def completeness(
    chat_messages: Sequence[Message], questions: Sequence[Question],
    attributions: Mapping[str, Attribution], window: ChatWindow,
) -> dict[str, Any]:
    """Describe what the capture of one chat seems to miss (keys: see the module doc)."""
    asked = {q.number for q in questions}
    answered = [a.question_number for a in attributions.values()
                if a.kind == ANSWER and a.question_number is not None]
    expected = max([*asked, *answered], default=0)
    missing = [n for n in range(1, expected + 1) if n not in asked]
    without_question = sum(1 for n in answered if n not in asked)
    ids = {m.id for m in chat_messages}
    gaps = _gaps(chat_messages, questions, window)
    return {
        "questions_expected": expected,
        "questions_found": len(questions),
        "missing_questions": missing,
        "answers_without_question": without_question,
        "replies_to_missing": sum(1 for m in chat_messages
                                  if m.in_reply_to_id is not None and m.in_reply_to_id not in ids),
        "truncated": sum(1 for m in chat_messages if m.text.rstrip().endswith("…")),
        "gaps": gaps,
        "complete": not missing and without_question == 0 and not gaps,
    }


def _gaps(
    messages: Sequence[Message], questions: Sequence[Question], window: ChatWindow
) -> list[dict[str, Any]]:
    """Silences over ten minutes between the window's start and its end (or the sign-off)."""
    askers = {q.author_id for q in questions}
    team = {h.lstrip("@").lower() for h in (*window.hosts, *window.guests)}
    team |= {handle(m.author) for m in messages if m.author.id in askers}
    last_asked = max((q.asked_at for q in questions), default=None)
    signed_off = sign_off_time(messages, team, last_asked) if last_asked else None
    end = min(window.ends_at, signed_off) if signed_off else window.ends_at
    times = [window.starts_at]
    times += [m.created_at for m in messages if window.starts_at <= m.created_at <= end]
    times.append(end)
    return [_gap(before, after) for before, after in itertools.pairwise(times)
            if after - before > GAP]


def _gap(before: datetime, after: datetime) -> dict[str, Any]:
    return {
        "from": before.isoformat(),
        "to": after.isoformat(),
        "minutes": round((after - before).total_seconds() / 60, 1),
    }
