"""Choose the answers a recap quotes, and find a chat's themes, links and counts.

Pure and deterministic: the same chat always gives the same recap. Quotes are picked per
question by centrality (TF-IDF cosine to the other answers, LexRank-style degree) plus small
engagement and confidence bonuses, with redundancy control and a spread across people.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from urllib.parse import urlsplit

from nltk.collocations import BigramCollocationFinder
from nltk.metrics import BigramAssocMeasures
from nltk.stem import PorterStemmer
from nltk.tokenize import TweetTokenizer
from stop_words import get_stop_words

from chatarchive.labels import strip_label
from chatarchive.models import (
    ANSWER,
    PARTICIPANT,
    REPOST,
    Chat,
    LinkShare,
    Message,
    QuestionRecap,
    Quote,
    Recap,
)

SIMILARITY_LIMIT = 0.6  # above this cosine, a candidate repeats a quote already chosen
ENGAGEMENT_WEIGHT = 0.1
CONFIDENCE_WEIGHT = 0.05
REPEAT_PENALTY = 0.15  # per quote a person already has elsewhere in the recap
MIN_WORDS = 4
MAX_THEMES = 8
_PRECISION = 9  # rounding lets mathematically equal scores tie, so tie-breaks decide

_CHAT_NOISE = frozenset(
    ["rt", "amp", *(f"a{n}" for n in range(1, 10)), *(f"q{n}" for n in range(1, 10))]
)
# Addressees (and the chat's hashtag) ahead of a label: "@kelly A1:", ".@bob #solopr A2."
_LEAD = r"^\s*(?:(?:\.?@\w+(?:@[\w-]+(?:\.[\w-]+)+)?|#{tag}(?!\w))[\s,:;]*)+"
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_OR_TAG = re.compile(r"(?<!\w)(?:\.?@|#)\w+")
_WORD = re.compile(r"^[^\W\d_][\w'’-]*[^\W_]$")  # a letter first; 2+ characters
_STATUS_HOSTS = frozenset(["twitter.com", "mobile.twitter.com", "x.com", "mobile.x.com"])

logger = logging.getLogger(__name__)
_tokenizer = TweetTokenizer(preserve_case=False, strip_handles=True, reduce_len=True)
_stemmer = PorterStemmer()

_Vector = dict[str, float]


@dataclass(frozen=True, slots=True)
class _Candidate:
    message: Message
    vector: _Vector
    score: float


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(word.replace("’", "'") for word in get_stop_words("en"))


def quote_text(text: str, hashtag: str) -> str:
    """Return the text without its answer label, the mentions before it, and a trailing hashtag."""
    tag = re.escape(hashtag.lstrip("#"))
    unlabelled = strip_label(text)
    lead = re.match(_LEAD.format(tag=tag), text, flags=re.IGNORECASE)
    if lead is not None:
        body = text[lead.end() :]
        stripped = strip_label(body)
        if stripped != body and body.endswith(stripped):  # the label opened the body
            unlabelled = stripped
    return re.sub(rf"\s*#{tag}\s*$", "", unlabelled, count=1, flags=re.IGNORECASE)


def has_substance(text: str) -> bool:
    """Tell whether a post says something beyond links, tags, mentions, emoji and "+1"."""
    bare = _MENTION_OR_TAG.sub(" ", _URL.sub(" ", strip_label(text)))
    words = [word for word in bare.split() if any(char.isalpha() for char in word)]
    return len(words) >= MIN_WORDS


def _is_word(token: str, noise: Collection[str]) -> bool:
    word = token.replace("’", "'")
    return _WORD.match(word) is not None and word not in _stop_words() and word not in noise


def _terms(text: str, noise: Collection[str]) -> list[str]:
    """Stemmed content words of a post; other hashtags count as words, the chat's does not."""
    words = (token.lstrip("#") for token in _tokenizer.tokenize(text) if not _URL.match(token))
    return [_stemmer.stem(word) for word in words if _is_word(word, noise)]


def _idf(documents: Iterable[Sequence[str]]) -> dict[str, float]:
    frequency: Counter[str] = Counter()
    count = 0
    for terms in documents:
        count += 1
        frequency.update(dict.fromkeys(terms, 1))
    return {term: math.log((1 + count) / (1 + df)) + 1 for term, df in frequency.items()}


def _vector(terms: Sequence[str], idf: Mapping[str, float]) -> _Vector:
    weights = {term: tf * idf.get(term, 1.0) for term, tf in Counter(terms).items()}
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {term: weight / norm for term, weight in weights.items()} if norm else {}


def _cosine(first: _Vector, second: _Vector) -> float:
    small, large = (first, second) if len(first) <= len(second) else (second, first)
    return sum(weight * large.get(term, 0.0) for term, weight in small.items())


def _is_repost(chat: Chat, message: Message) -> bool:
    attribution = chat.attributions.get(message.id)
    return message.repost_of_id is not None or (
        attribution is not None and attribution.kind == REPOST
    )


def _answers(chat: Chat, number: int) -> list[Message]:
    """Every non-repost answer to question ``number``, in time order."""
    found = []
    for message in chat.messages:
        attribution = chat.attributions.get(message.id)
        if attribution is None or attribution.kind != ANSWER:
            continue
        if attribution.question_number == number and not _is_repost(chat, message):
            found.append(message)
    return found


def _candidates(
    chat: Chat, answers: Sequence[Message], vectors: Mapping[str, _Vector]
) -> list[_Candidate]:
    """Score answers: mean cosine to the others plus engagement and confidence bonuses."""
    engagement = [(m.like_count or 0) + (m.repost_count or 0) for m in answers]
    top = math.log1p(max(engagement, default=0))
    scored = []
    for index, message in enumerate(answers):
        others = [vectors[m.id] for j, m in enumerate(answers) if j != index]
        centrality = (
            sum(_cosine(vectors[message.id], other) for other in others) / len(others)
            if others
            else 0.0
        )
        bonus = ENGAGEMENT_WEIGHT * math.log1p(engagement[index]) / top if top else 0.0
        confidence = min(max(chat.attributions[message.id].confidence, 0.0), 1.0)
        score = centrality + bonus + CONFIDENCE_WEIGHT * confidence
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
        if any(_cosine(candidate.vector, pick.vector) > SIMILARITY_LIMIT for pick in chosen):
            continue
        chosen.append(candidate)
    return sorted(chosen, key=lambda pick: (pick.message.created_at, pick.message.id))


def _question_recaps(
    chat: Chat, limit: int, do_not_quote: Collection[str], noise: frozenset[str]
) -> tuple[QuestionRecap, ...]:
    originals = [m for m in chat.messages if not _is_repost(chat, m)]
    terms = {m.id: _terms(strip_label(m.text), noise) for m in originals}
    idf = _idf(terms.values())
    vectors = {message_id: _vector(words, idf) for message_id, words in terms.items()}
    roles = {p.author.id: p.role for p in chat.participants}
    excluded = {handle.lower().lstrip("@") for handle in do_not_quote}
    quoted: Counter[str] = Counter()
    recaps = []
    for question in chat.questions:
        answers = _answers(chat, question.number)
        eligible = [
            m for m in answers if m.author.handle.lower() not in excluded and has_substance(m.text)
        ]
        chosen = _select(_candidates(chat, eligible, vectors), limit, quoted)
        quoted.update(pick.message.author.id for pick in chosen)
        quotes = tuple(
            Quote(
                message_id=pick.message.id,
                author=pick.message.author,
                role=roles.get(pick.message.author.id, PARTICIPANT),
                text=quote_text(pick.message.text, chat.window.hashtag),
                url=pick.message.url,
                question_number=question.number,
                score=pick.score,
            )
            for pick in chosen
        )
        recaps.append(QuestionRecap(question, quotes, len(answers)))
    return tuple(recaps)


def _theme_tokens(text: str) -> list[str]:
    """Lower-case tokens with punctuation kept, so bigrams never span a sentence break."""
    return [token for token in _tokenizer.tokenize(strip_label(text)) if not _URL.match(token)]


def themes(texts: Iterable[str], hashtag: str, limit: int = MAX_THEMES) -> tuple[str, ...]:
    """Return up to ``limit`` phrases: top bigram collocations, then frequent words."""
    noise = _CHAT_NOISE | {hashtag.lower().lstrip("#")}
    documents = [_theme_tokens(text) for text in texts]
    finder = BigramCollocationFinder.from_documents(documents)
    finder.apply_freq_filter(2)
    finder.apply_ngram_filter(
        lambda first, second: (
            first == second or not (_is_word(first, noise) and _is_word(second, noise))
        )
    )
    bigrams = [pair for pair, _ in finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)]
    phrases = [f"{first} {second}" for first, second in bigrams[:limit]]
    if len(phrases) < limit:
        used = {_stemmer.stem(word) for phrase in phrases for word in phrase.split()}
        phrases.extend(_frequent_words(documents, noise, used, limit - len(phrases)))
    return tuple(phrases)


def _frequent_words(
    documents: Iterable[Sequence[str]], noise: frozenset[str], used: Collection[str], limit: int
) -> list[str]:
    """Words seen at least twice, counted by stem, shown in their most common surface form."""
    surfaces: dict[str, Counter[str]] = {}
    for document in documents:
        for token in document:
            if _is_word(token, noise):
                surfaces.setdefault(_stemmer.stem(token), Counter())[token] += 1
    ranked = []
    for stem, forms in surfaces.items():
        total = sum(forms.values())
        if total >= 2 and stem not in used:
            surface = min(forms, key=lambda form: (-forms[form], form))
            ranked.append((-total, surface))
    return [surface for _, surface in sorted(ranked)[:limit]]


def _shareable(url: str) -> str | None:
    """The domain of a link worth listing; None for post links (those are quotes) and oddities."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    if host.removeprefix("www.") in _STATUS_HOSTS and "/status" in parts.path:
        return None
    return host.removeprefix("www.")


def links(messages: Iterable[Message]) -> tuple[LinkShare, ...]:
    """Count the links shared, once per post, most shared first."""
    counts: Counter[str] = Counter()
    domains: dict[str, str] = {}
    for message in messages:
        for url in dict.fromkeys(message.links):
            domain = _shareable(url)
            if domain is not None:
                counts[url] += 1
                domains[url] = domain
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(LinkShare(url, domains[url], count) for url, count in ranked)


def summarize(
    chat: Chat,
    quotes_per_question: int = 3,
    do_not_quote: Collection[str] = (),
    next_chat: datetime | None = None,
) -> Recap:
    """Build the recap of a chat: quotes per question, themes, links and counts."""
    hashtag = chat.window.hashtag.lower().lstrip("#")
    noise = _CHAT_NOISE | {hashtag}
    questions = _question_recaps(chat, quotes_per_question, do_not_quote, noise)
    originals = [m for m in chat.messages if not _is_repost(chat, m)]
    answers = sum(
        1
        for m in originals
        if (attribution := chat.attributions.get(m.id)) is not None and attribution.kind == ANSWER
    )
    stats = {
        "posts": len(chat.messages),
        "participants": len(chat.participants),
        "answers": answers,
        "questions": len(chat.questions),
        "reposts": len(chat.messages) - len(originals),
    }
    logger.debug("summarized %s: %s", chat.id, stats)
    return Recap(
        chat=chat,
        questions=questions,
        themes=themes((m.text for m in originals), hashtag),
        links=links(originals),
        next_chat=next_chat,
        stats=stats,
    )
