"""Choose the answers a recap quotes, and find a chat's themes, links and counts.

Pure and deterministic: the same chat always gives the same recap. Quotes are picked per
question by centrality (mean TF-IDF cosine to the other answers) plus small engagement and
confidence bonuses, with redundancy control and a spread across people. Every step is linear in
the posts (the mean cosine comes from one sum vector per question), so big chats stay fast.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from itertools import pairwise
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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
)  # fmt: skip

SIMILARITY_LIMIT = 0.6  # above this cosine, a candidate repeats a quote already chosen
ENGAGEMENT_WEIGHT = 0.1
CONFIDENCE_WEIGHT = 0.05
REPEAT_PENALTY = 0.15  # per quote a person already has elsewhere in the recap
MIN_WORDS = 4
MAX_THEMES = 6
# Beyond these, a big chat's most engaging answers per question, and posts, are what is read:
# tokenizing takes most of a recap's time, and the long tail rarely holds the best.
MAX_CANDIDATES = 150
MAX_THEME_POSTS = 1000
MIN_THEME_AUTHORS = 2  # people who must use a phrase on their own (not echoing a reply)
_PRECISION = 9  # rounding lets mathematically equal scores tie, so tie-breaks decide

# The short, standard English function-word list (NLTK's 179 words). The stop-words package's
# 1,333-word "en" list also holds words that carry a chat's subject ("pr", "work", "value"), so
# only the part of it that is in this short list counts.
_SHORT_ENGLISH_TEXT = """
i me my myself we our ours ourselves you you're you've you'll you'd your yours yourself yourselves
he him his himself she she's her hers herself it it's its itself they them their theirs themselves
what which who whom this that that'll these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for with about
against between into through during before after above below to from up down in out on off over
under again further then once here there when where why how all any both each few more most other
some such no nor not only own same so than too very s t can will just don don't should should've
now d ll m o re ve y ain aren aren't couldn couldn't didn didn't doesn doesn't hadn hadn't hasn
hasn't haven haven't isn isn't ma mightn mightn't mustn mustn't needn needn't shan shan't shouldn
shouldn't wasn wasn't weren weren't won won't wouldn wouldn't"""
_SHORT_ENGLISH = frozenset(_SHORT_ENGLISH_TEXT.split())
# Verb-like and vague words that make poor themes ("great chat", "two years", "make sure").
_LIGHT_TEXT = """
also actually always anyone anything around away back best better bit chat come comes coming could
done else even ever every everyone everything feel felt find found get gets getting give gives go
goes going gone good got great happy hi hello keep keeps kept know knew let like likes lot lots
love made make makes making may maybe might much must need needs never one ones put really said
say says see seem seems something still sure take takes taking thank thanks thing things think
thought try tried trying use used uses using want wants way ways well went whatever would yes yet
via today tonight week two three four five six seven eight nine ten"""
_LIGHT_WORDS = frozenset(_LIGHT_TEXT.split())
_CHAT_NOISE = frozenset(
    ["rt", "amp", *(f"a{n}" for n in range(1, 10)), *(f"q{n}" for n in range(1, 10))]
)
# Addressees (and the chat's hashtag) ahead of a label: "@kelly A1:", ".@bob #solopr A2."
_LEAD = r"^\s*(?:(?:\.?@\w+(?:@[\w-]+(?:\.[\w-]+)+)?|#{tag}(?!\w))[\s,:;]*)+"
_ASIDE = re.compile(r"^\s*\([^()\n]{1,40}\)\s*[:\-–—]\s*")
_REPLY_LEAD = re.compile(r"^\s*(?:\.?@\w+(?:@[\w-]+(?:\.[\w-]+)+)?\s+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_OR_TAG = re.compile(r"(?<!\w)(?:\.?@|#)\w+")
_WORD = re.compile(r"^[^\W\d_][\w'’-]*[^\W_]$")  # a letter first; 2+ characters
_MANUAL_RT = re.compile(r"^\s*RT\s+@(\w+):?\s*(.*?)\s*(?:…|\.\.\.)?\s*$", re.IGNORECASE | re.DOTALL)
_STATUS_HOSTS = frozenset(["twitter.com", "mobile.twitter.com", "x.com", "mobile.x.com"])
_TRACKING = re.compile(r"utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid", re.IGNORECASE)

logger = logging.getLogger(__name__)
# Lower-casing, dropping handles and shortening "soooo" are done here: the tokenizer's own way
# (a regex per token) takes three times as long as tokenizing.
_tokenizer = TweetTokenizer(preserve_case=True, match_phone_numbers=False)
_LENGTHENED = re.compile(r"(.)\1{2,}")
_CACHE = 1 << 16  # texts and words remembered across recaps
_stemmer = PorterStemmer()

_Vector = dict[str, float]
_Bigram = tuple[str, str]


@dataclass(frozen=True, slots=True)
class _Scope:
    """What a recap reads: each question's answers, those worth scoring, engagement, a sample."""

    answers: Mapping[int, Sequence[Message]]
    candidates: Mapping[int, Sequence[Message]]
    engagement: Mapping[str, int]
    sample: Sequence[Message]  # the posts themes come from


@dataclass(frozen=True, slots=True)
class _Candidate:
    message: Message
    vector: _Vector
    score: float


@cache
def _stop_words() -> frozenset[str]:
    shipped = {word.replace("’", "'") for word in get_stop_words("en")}
    return frozenset(shipped & _SHORT_ENGLISH)


@cache
def _stem(word: str) -> str:
    return _stemmer.stem(word)


def quote_text(text: str, hashtag: str, reply: bool = False) -> str:
    """Return the text without its answer label, the mentions before it, and a trailing hashtag.

    An aside right after the label goes with it ("A2 (catching up): ..."); so do the leading
    @handles of a ``reply``, which the platform puts there rather than the person.
    """
    tag = re.escape(hashtag.lstrip("#"))
    unlabelled = strip_label(text)
    lead = re.match(_LEAD.format(tag=tag), text, flags=re.IGNORECASE)
    if lead is not None:
        body = text[lead.end() :]
        stripped = strip_label(body)
        if stripped != body and body.endswith(stripped):  # the label opened the body
            unlabelled = stripped
    if unlabelled != text and text.rstrip().endswith(unlabelled.rstrip()):
        unlabelled = _ASIDE.sub("", unlabelled, count=1)
    if reply:
        unlabelled = _REPLY_LEAD.sub("", unlabelled, count=1)
    return re.sub(rf"\s*#{tag}\s*$", "", unlabelled, count=1, flags=re.IGNORECASE)


def has_substance(text: str) -> bool:
    """Tell whether a post says something beyond links, tags, mentions, emoji and "+1"."""
    bare = _MENTION_OR_TAG.sub(" ", _URL.sub(" ", _unlabelled(text)))
    words = [word for word in bare.split() if any(char.isalpha() for char in word)]
    return len(words) >= MIN_WORDS


@lru_cache(maxsize=_CACHE)
def _word_kind(token: str) -> int:
    """2 for a content word, 1 for a light one (a poor theme), 0 for a stopword or no word."""
    word = token.replace("’", "'")
    if _WORD.match(word) is None or word.split("'")[0] in _stop_words():
        return 0
    return 1 if word in _LIGHT_WORDS else 2


def _is_word(token: str, noise: Collection[str], light: bool = False) -> bool:
    """A content word: no stopword (nor a contraction of one), no chat noise; ``light`` too."""
    return token not in noise and _word_kind(token) > (1 if light else 0)


@lru_cache(maxsize=_CACHE)
def _unlabelled(text: str) -> str:
    return strip_label(text)


@lru_cache(maxsize=_CACHE)
def _tokens(text: str) -> tuple[str, ...]:
    """Lower-case tokens of the unlabelled text, punctuation kept (phrases stop at it).

    URLs and @handles are dropped.
    """
    body = _LENGTHENED.sub(r"\1\1\1", _unlabelled(text))
    tokens = _tokenizer.tokenize(body)
    return tuple(t.lower() for t in tokens if t[0] != "@" and not _URL.match(t))


def _terms(tokens: Iterable[str], noise: Collection[str]) -> list[str]:
    """Stemmed content words; other hashtags count as words, the chat's does not."""
    words = (token.lstrip("#") for token in tokens)
    return [_stem(word) for word in words if _is_word(word, noise)]


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


def _answers_by_question(chat: Chat) -> dict[int, list[Message]]:
    """Every non-repost answer, by question number, in time order."""
    found: dict[int, list[Message]] = defaultdict(list)
    for message in chat.messages:
        attribution = chat.attributions.get(message.id)
        if attribution is None or attribution.kind != ANSWER or _is_repost(chat, message):
            continue
        if attribution.question_number is not None:
            found[attribution.question_number].append(message)
    return found


def archived_reposts(chat: Chat) -> Counter[str]:
    """Count the reposts the chat holds of each post: native ones, and "RT @x: text…" copies."""
    counts: Counter[str] = Counter()
    by_handle: dict[str, list[Message]] = defaultdict(list)
    for message in sorted(chat.messages, key=lambda m: (m.created_at, m.id)):
        if not _is_repost(chat, message):
            by_handle[message.author.handle.lower()].append(message)
    for message in chat.messages:
        if message.repost_of_id is not None:
            counts[message.repost_of_id] += 1
        elif _is_repost(chat, message) and (manual := _MANUAL_RT.match(message.text)):
            body = " ".join(manual.group(2).split())
            originals = by_handle.get(manual.group(1).lower(), [])
            match = next((m for m in originals if " ".join(m.text.split()).startswith(body)), None)
            if body and match is not None:
                counts[match.id] += 1
    return counts


def _centrality(vectors: Sequence[_Vector]) -> list[float]:
    """Each vector's mean cosine to the others, through their sum: O(n), not O(n²) pairs."""
    total: _Vector = defaultdict(float)
    for vector in vectors:
        for term, weight in vector.items():
            total[term] += weight
    others = len(vectors) - 1
    if others < 1:
        return [0.0] * len(vectors)
    # Unit vectors: dot(v, sum - v) = dot(v, sum) - 1 (and 0 for a post with no content words).
    return [(_cosine(v, total) - (1.0 if v else 0.0)) / others for v in vectors]


def _engagement(originals: Iterable[Message], reposts: Counter[str]) -> dict[str, int]:
    """Likes plus reposts of each post, by id."""
    # The platform's repost count already holds the reposts the chat archived when both exist.
    return {
        m.id: (m.like_count or 0) + max(m.repost_count or 0, reposts.get(m.id, 0))
        for m in originals
    }


def _eligible(
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
    chat: Chat, answers: Sequence[Message], vectors: Mapping[str, _Vector],
    engagement: Mapping[str, int],
) -> list[_Candidate]:
    """Score answers: mean cosine to the others plus engagement and confidence bonuses."""
    top = math.log1p(max((engagement.get(m.id, 0) for m in answers), default=0))
    centrality = _centrality([vectors[m.id] for m in answers])
    scored = []
    for index, message in enumerate(answers):
        liked = math.log1p(engagement.get(message.id, 0))
        bonus = ENGAGEMENT_WEIGHT * liked / top if top else 0.0
        confidence = min(max(chat.attributions[message.id].confidence, 0.0), 1.0)
        score = centrality[index] + bonus + CONFIDENCE_WEIGHT * confidence
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
    chat: Chat, limit: int, scope: _Scope, vectors: Mapping[str, _Vector]
) -> tuple[QuestionRecap, ...]:
    roles = {p.author.id: p.role for p in chat.participants}
    quoted: Counter[str] = Counter()
    recaps = []
    for question in chat.questions:
        eligible = scope.candidates.get(question.number, [])
        chosen = _select(_candidates(chat, eligible, vectors, scope.engagement), limit, quoted)
        quoted.update(pick.message.author.id for pick in chosen)
        quotes = tuple(
            Quote(
                message_id=pick.message.id,
                author=pick.message.author,
                role=roles.get(pick.message.author.id, PARTICIPANT),
                text=quote_text(
                    pick.message.text, chat.window.hashtag, pick.message.in_reply_to_id is not None
                ),
                url=pick.message.url,
                question_number=question.number,
                score=pick.score,
            )
            for pick in chosen
        )
        recaps.append(QuestionRecap(question, quotes, len(scope.answers.get(question.number, []))))
    return tuple(recaps)


def _support(
    messages: Sequence[Message], keys: Mapping[str, set[_Bigram]]
) -> dict[_Bigram, set[str]]:
    """Who uses each phrase on their own: a reply or quote repeating its parent's echoes it."""
    authors: dict[_Bigram, set[str]] = defaultdict(set)
    for message in messages:
        parents = (message.in_reply_to_id, message.quoted_id)
        echoed: set[_Bigram] = set().union(*(keys.get(parent or "", ()) for parent in parents))
        for key in keys[message.id] - echoed:
            authors[key].add(message.author.id)
    return authors


def _bigrams(
    messages: Sequence[Message], tokens: Mapping[str, Sequence[str]], noise: Collection[str]
) -> tuple[dict[str, set[_Bigram]], dict[_Bigram, Counter[str]]]:
    """Each post's stemmed bigrams of content words, and the surface forms of each."""
    keys: dict[str, set[_Bigram]] = {}
    surfaces: dict[_Bigram, Counter[str]] = defaultdict(Counter)
    for message in messages:
        own = keys.setdefault(message.id, set())
        for first, second in pairwise(tokens[message.id]):
            if first != second and _is_word(first, noise, True) and _is_word(second, noise, True):
                key = (_stem(first), _stem(second))
                own.add(key)
                surfaces[key][f"{first} {second}"] += 1
    return keys, surfaces


def _themes(
    messages: Sequence[Message], tokens: Mapping[str, Sequence[str]], noise: Collection[str],
    limit: int,
) -> tuple[str, ...]:
    """Bigram collocations (likelihood ratio) that 2+ people use, at most one per word."""
    keys, surfaces = _bigrams(messages, tokens, noise)
    authors = _support(messages, keys)
    documents = [
        [_stem(t) if _is_word(t, noise, True) else "|" for t in tokens[m.id]] for m in messages
    ]
    finder = BigramCollocationFinder.from_documents(documents)
    finder.apply_freq_filter(2)
    finder.apply_ngram_filter(
        lambda first, second: len(authors.get((first, second), ())) < MIN_THEME_AUTHORS
    )
    phrases: list[str] = []
    used: set[str] = set()
    for key, _ in finder.score_ngrams(BigramAssocMeasures.likelihood_ratio):
        if len(phrases) < limit and used.isdisjoint(key):
            forms = surfaces[key]
            phrases.append(min(forms, key=lambda form: (-forms[form], form)))
            used.update(key)
    return tuple(phrases)


def themes(messages: Iterable[Message], hashtag: str, limit: int = MAX_THEMES) -> tuple[str, ...]:
    """Return up to ``limit`` themes of the posts: phrases that several people use."""
    posts = list(messages)
    noise = _CHAT_NOISE | {hashtag.lower().lstrip("#")}
    return _themes(posts, {m.id: _tokens(m.text) for m in posts}, noise, limit)


def _canonical(url: str) -> tuple[str, str, str] | None:
    """(key, clean URL, domain) of a link worth listing; None for post links and odd schemes.

    The key ignores what does not change the page: scheme, "www.", a trailing slash, tracking
    parameters and the fragment, so that copies of one link count together.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    domain = host.removeprefix("www.")
    if scheme not in ("http", "https") or not host:
        return None
    if domain in _STATUS_HOSTS and "/status" in parts.path:
        return None  # a post, quoted in its own right
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode([(k, v) for k, v in pairs if not _TRACKING.fullmatch(k)])
    clean = urlunsplit((scheme, host + port, parts.path or "/", query, ""))
    key = f"{domain}{port}{parts.path.rstrip('/')}?{query}"
    return key, clean, domain


def links(messages: Iterable[Message]) -> tuple[LinkShare, ...]:
    """Count the links shared, once per post, copies of one link together, most shared first."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    domains: dict[str, str] = {}
    for message in messages:
        keys = set()
        for url in message.links:
            canonical = _canonical(url)
            if canonical is not None:
                key, clean, domains[key] = canonical
                forms[key][clean] += 1
                keys.add(key)
        counts.update(keys)

    def shown(key: str) -> str:
        seen = forms[key]
        return min(seen, key=lambda u: (not u.startswith("https:"), -seen[u], len(u), u))

    shares = [LinkShare(shown(key), domains[key], count) for key, count in counts.items()]
    return tuple(sorted(shares, key=lambda share: (-share.count, share.url)))


def _scope(chat: Chat, originals: Sequence[Message], do_not_quote: Collection[str]) -> _Scope:
    """Each question's answers, the ones worth scoring, and every post's engagement."""
    engagement = _engagement(originals, archived_reposts(chat))
    answers = _answers_by_question(chat)
    excluded = {handle.lower().lstrip("@") for handle in do_not_quote}
    candidates = {n: _eligible(chat, found, excluded, engagement) for n, found in answers.items()}
    if len(originals) <= MAX_THEME_POSTS:
        sample = list(originals)
    else:  # a big chat's themes show in its most engaging posts
        ranked = sorted(originals, key=lambda m: (-engagement[m.id], m.created_at, m.id))
        sample = sorted(ranked[:MAX_THEME_POSTS], key=lambda m: (m.created_at, m.id))
    return _Scope(answers, candidates, engagement, sample)


def summarize(
    chat: Chat,
    quotes_per_question: int = 3,
    do_not_quote: Collection[str] = (),
    next_chat: datetime | None = None,
) -> Recap:
    """Build the recap of a chat: quotes per question, themes, links and counts."""
    hashtag = chat.window.hashtag.lower().lstrip("#")
    noise = _CHAT_NOISE | {hashtag}
    originals = [m for m in chat.messages if not _is_repost(chat, m)]
    scope = _scope(chat, originals, do_not_quote)
    read = {m.id: m for m in scope.sample} | {
        m.id: m for found in scope.candidates.values() for m in found
    }
    tokens = {message_id: _tokens(m.text) for message_id, m in read.items()}
    terms = {message_id: _terms(words, noise) for message_id, words in tokens.items()}
    idf = _idf(terms.values())
    vectors = {message_id: _vector(words, idf) for message_id, words in terms.items()}
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
    return Recap(
        chat=chat,
        questions=_question_recaps(chat, quotes_per_question, scope, vectors),
        themes=_themes(scope.sample, tokens, noise, MAX_THEMES),
        links=shared,
        next_chat=next_chat,
        stats=stats,
    )
