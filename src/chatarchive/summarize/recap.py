"""Build a chat's recap: quotes per question, themes, links and counts.

Pure and deterministic: the same chat always gives the same recap. Every step is linear in the
posts (the mean cosine comes from one sum vector per question), so big chats stay fast.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from chatarchive.models import ANSWER, Chat, Message, Recap

from .phrases import MAX_THEMES, theme_phrases, theme_sample
from .quotes import eligible, question_recaps
from .reposts import archived_reposts, engagement_of, is_repost
from .text import CHAT_NOISE, terms, tokens
from .urls import links
from .vectors import idf, vector

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Scope:
    """What a recap reads: each question's answers, those worth scoring, engagement, a sample."""

    answers: Mapping[int, Sequence[Message]]
    candidates: Mapping[int, Sequence[Message]]
    engagement: Mapping[str, int]
    sample: Sequence[Message]  # the posts themes come from


def _answers_by_question(chat: Chat) -> dict[int, list[Message]]:
    """Every non-repost answer, by question number, in time order."""
    found: dict[int, list[Message]] = defaultdict(list)
    for message in chat.messages:
        attribution = chat.attributions.get(message.id)
        if attribution is None or attribution.kind != ANSWER or is_repost(chat, message):
            continue
        if attribution.question_number is not None:
            found[attribution.question_number].append(message)
    return found


def _scope(chat: Chat, originals: Sequence[Message], do_not_quote: Collection[str]) -> _Scope:
    """Each question's answers, the ones worth scoring, and every post's engagement."""
    engagement = engagement_of(originals, archived_reposts(chat))
    answers = _answers_by_question(chat)
    excluded = {handle.lower().lstrip("@") for handle in do_not_quote}
    candidates = {n: eligible(chat, found, excluded, engagement) for n, found in answers.items()}
    return _Scope(answers, candidates, engagement, theme_sample(originals, engagement))


def summarize(
    chat: Chat,
    quotes_per_question: int = 3,
    do_not_quote: Collection[str] = (),
    next_chat: datetime | None = None,
) -> Recap:
    """Build the recap of a chat: quotes per question, themes, links and counts."""
    hashtag = chat.window.hashtag.lower().lstrip("#")
    noise = CHAT_NOISE | {hashtag}
    originals = [m for m in chat.messages if not is_repost(chat, m)]
    scope = _scope(chat, originals, do_not_quote)
    read = {m.id: m for m in scope.sample} | {
        m.id: m for found in scope.candidates.values() for m in found
    }
    tokenized = {message_id: tokens(m.text) for message_id, m in read.items()}
    stemmed = {message_id: terms(words, noise) for message_id, words in tokenized.items()}
    weights = idf(stemmed.values())
    vectors = {message_id: vector(words, weights) for message_id, words in stemmed.items()}
    shared = links(originals)
    stats = {
        "posts": len(chat.messages),
        "participants": len(chat.participants),
        "answers": sum(len(found) for found in scope.answers.values()),
        "questions": len(chat.questions),
        "reposts": len(chat.messages) - len(originals),
        "links": len(shared),
    }
    logger.debug("summarized %s: %s", chat.id, stats)
    quotes = question_recaps(chat, quotes_per_question, scope.answers, scope.candidates,
                             scope.engagement, vectors)
    return Recap(
        chat=chat,
        questions=quotes,
        themes=theme_phrases(scope.sample, tokenized, noise, MAX_THEMES),
        links=shared,
        next_chat=next_chat,
        stats=stats,
    )
