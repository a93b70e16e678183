"""Pick the answers a recap quotes, and the text each quote shows.

Per question, answers are scored by centrality (mean TF-IDF cosine to the other answers) plus
small engagement and confidence bonuses, then picked greedily with redundancy control and a
spread across people.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from chatarchive.labels import strip_label
from chatarchive.models import PARTICIPANT, Chat, Message, Question, QuestionRecap, Quote

from .text import URL, unlabelled
from .vectors import Vector, centrality, cosine

SIMILARITY_LIMIT = 0.6  # above this cosine, a candidate repeats a quote already chosen
ENGAGEMENT_WEIGHT = 0.1
CONFIDENCE_WEIGHT = 0.05
REPEAT_PENALTY = 0.15  # per quote a person already has elsewhere in the recap
MIN_WORDS = 4
# Beyond this, a big question's most engaging answers are what is read: tokenizing takes most
# of a recap's time, and the long tail rarely holds the best.
MAX_CANDIDATES = 150
_PRECISION = 9  # rounding lets mathematically equal scores tie, so tie-breaks decide

# Addressees (and the chat's hashtag) ahead of a label: "@kelly A1:", ".@bob #solopr A2."
_LEAD = r"^\s*(?:(?:\.?@\w+(?:@[\w-]+(?:\.[\w-]+)+)?|#{tag}(?!\w))[\s,:;]*)+"
_ASIDE = re.compile(r"^\s*\([^()\n]{1,40}\)\s*[:\-–—]\s*")
_REPLY_LEAD = re.compile(r"^\s*(?:\.?@\w+(?:@[\w-]+(?:\.[\w-]+)+)?\s+)+")
_MENTION_OR_TAG = re.compile(r"(?<!\w)(?:\.?@|#)\w+")


@dataclass(frozen=True, slots=True)
class _Candidate:
    message: Message
    vector: Vector
    score: float


def quote_text(text: str, hashtag: str, reply: bool = False) -> str:
    """Return the text without its answer label, the mentions before it, and a trailing hashtag.

    An aside right after the label goes with it ("A2 (catching up): ..."); so do the leading
    @handles of a ``reply``, which the platform puts there rather than the person.
    """
    tag = re.escape(hashtag.lstrip("#"))
    bare = strip_label(text)
    lead = re.match(_LEAD.format(tag=tag), text, flags=re.IGNORECASE)
    if lead is not None:
        body = text[lead.end() :]
        stripped = strip_label(body)
        if stripped != body and body.endswith(stripped):  # the label opened the body
            bare = stripped
    if bare != text and text.rstrip().endswith(bare.rstrip()):
        bare = _ASIDE.sub("", bare, count=1)
    if reply:
        bare = _REPLY_LEAD.sub("", bare, count=1)
    return re.sub(rf"\s*#{tag}\s*$", "", bare, count=1, flags=re.IGNORECASE)


def has_substance(text: str) -> bool:
    """Tell whether a post says something beyond links, tags, mentions, emoji and "+1"."""
    bare = _MENTION_OR_TAG.sub(" ", URL.sub(" ", unlabelled(text)))
    words = [word for word in bare.split() if any(char.isalpha() for char in word)]
    return len(words) >= MIN_WORDS


def eligible(
    chat: Chat, answers: Sequence[Message], excluded: Collection[str], engagement: Mapping[str, int]
) -> list[Message]:
    """Answers that may be quoted, in time order; of a big question's, the most engaging ones."""
    ranked = sorted(answers, key=lambda m: (
        -engagement.get(m.id, 0), -chat.attributions[m.id].confidence, m.created_at, m.id
    ))
    found: list[Message] = []
    for message in ranked:
        if len(found) >= MAX_CANDIDATES:
            break
        if message.author.handle.lower() not in excluded and has_substance(message.text):
            found.append(message)
    return sorted(found, key=lambda m: (m.created_at, m.id))


def _candidates(
    chat: Chat, answers: Sequence[Message], vectors: Mapping[str, Vector],
    engagement: Mapping[str, int],
) -> list[_Candidate]:
    """Score answers: mean cosine to the others plus engagement and confidence bonuses."""
    top = math.log1p(max((engagement.get(m.id, 0) for m in answers), default=0))
    central = centrality([vectors[m.id] for m in answers])
    scored = []
    for index, message in enumerate(answers):
        liked = math.log1p(engagement.get(message.id, 0))
        bonus = ENGAGEMENT_WEIGHT * liked / top if top else 0.0
        confidence = min(max(chat.attributions[message.id].confidence, 0.0), 1.0)
        score = central[index] + bonus + CONFIDENCE_WEIGHT * confidence
        scored.append(_Candidate(message, vectors[message.id], round(score, _PRECISION)))
    return scored


def _select(
    candidates: Sequence[_Candidate], limit: int, quoted: Mapping[str, int]
) -> list[_Candidate]:
    """Greedy MMR-style pick: best first, no repeats of a person or of what is already said."""

    def rank(candidate: _Candidate) -> tuple[float, datetime, str]:
        penalty = REPEAT_PENALTY * quoted.get(candidate.message.author.id, 0)
        adjusted = round(candidate.score - penalty, _PRECISION)
        return (-adjusted, candidate.message.created_at, candidate.message.id)

    chosen: list[_Candidate] = []
    for candidate in sorted(candidates, key=rank):
        if len(chosen) >= limit:
            break
        author = candidate.message.author.id
        if any(pick.message.author.id == author for pick in chosen):
            continue
        if any(cosine(candidate.vector, pick.vector) > SIMILARITY_LIMIT for pick in chosen):
            continue
        chosen.append(candidate)
    return sorted(chosen, key=lambda pick: (pick.message.created_at, pick.message.id))


def _quote(chat: Chat, question: Question, pick: _Candidate, role: str) -> Quote:
    message = pick.message
    return Quote(
        message_id=message.id,
        author=message.author,
        role=role,
        text=quote_text(message.text, chat.window.hashtag, message.in_reply_to_id is not None),
        url=message.url,
        question_number=question.number,
        score=pick.score,
    )


def question_recaps(
    chat: Chat, limit: int, answers: Mapping[int, Sequence[Message]],
    candidates: Mapping[int, Sequence[Message]], engagement: Mapping[str, int],
    vectors: Mapping[str, Vector],
) -> tuple[QuestionRecap, ...]:
    """Each question with up to ``limit`` quotes, people quoted elsewhere ranked lower."""
    roles = {p.author.id: p.role for p in chat.participants}
    quoted: Counter[str] = Counter()
    recaps = []
    for question in chat.questions:
        found = candidates.get(question.number, [])
        chosen = _select(_candidates(chat, found, vectors, engagement), limit, quoted)
        quoted.update(pick.message.author.id for pick in chosen)
        quotes = tuple(
            _quote(chat, question, pick, roles.get(pick.message.author.id, PARTICIPANT))
            for pick in chosen
        )
        recaps.append(QuestionRecap(question, quotes, len(answers.get(question.number, []))))
    return tuple(recaps)
