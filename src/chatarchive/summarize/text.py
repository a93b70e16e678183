"""Read posts for the summarizer: tokens, content words, stems and bigram collocations.

The only module of the package that uses NLTK and the stop-words package. Texts and words are
remembered across recaps (``clear_caches`` forgets them), since tokenizing is most of a recap's
time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache, lru_cache

from nltk.collocations import BigramCollocationFinder
from nltk.metrics import BigramAssocMeasures
from nltk.stem import PorterStemmer
from nltk.tokenize import TweetTokenizer
from stop_words import get_stop_words

from chatarchive.labels import strip_label

Bigram = tuple[str, str]

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
CHAT_NOISE = frozenset(
    ["rt", "amp", *(f"a{n}" for n in range(1, 10)), *(f"q{n}" for n in range(1, 10))]
)
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_WORD = re.compile(r"^[^\W\d_][\w'’-]*[^\W_]$")  # a letter first; 2+ characters

# Lower-casing, dropping handles and shortening "soooo" are done here: the tokenizer's own way
# (a regex per token) takes three times as long as tokenizing.
_tokenizer = TweetTokenizer(preserve_case=True, match_phone_numbers=False)
_LENGTHENED = re.compile(r"(.)\1{2,}")
_CACHE = 1 << 16  # texts and words remembered across recaps
_stemmer = PorterStemmer()


@cache
def _stop_words() -> frozenset[str]:
    shipped = {word.replace("’", "'") for word in get_stop_words("en")}
    return frozenset(shipped & _SHORT_ENGLISH)


@cache
def stem(word: str) -> str:
    """Return the Porter stem of a word."""
    return _stemmer.stem(word)


@lru_cache(maxsize=_CACHE)
def _word_kind(token: str) -> int:
    """2 for a content word, 1 for a light one (a poor theme), 0 for a stopword or no word."""
    word = token.replace("’", "'")
    if _WORD.match(word) is None or word.split("'")[0] in _stop_words():
        return 0
    return 1 if word in _LIGHT_WORDS else 2


def is_word(token: str, noise: Collection[str], light: bool = False) -> bool:
    """A content word: no stopword (nor a contraction of one), no chat noise; ``light`` too."""
    return token not in noise and _word_kind(token) > (1 if light else 0)


@lru_cache(maxsize=_CACHE)
def unlabelled(text: str) -> str:
    """Return the text without its answer label (remembered: every text is read twice)."""
    return strip_label(text)


@lru_cache(maxsize=_CACHE)
def tokens(text: str) -> tuple[str, ...]:
    """Lower-case tokens of the unlabelled text, punctuation kept (phrases stop at it).

    URLs and @handles are dropped.
    """
    body = _LENGTHENED.sub(r"\1\1\1", unlabelled(text))
    found = _tokenizer.tokenize(body)
    return tuple(t.lower() for t in found if t[0] != "@" and not URL.match(t))


def terms(words: Iterable[str], noise: Collection[str]) -> list[str]:
    """Stemmed content words; other hashtags count as words, the chat's does not."""
    bare = (token.lstrip("#") for token in words)
    return [stem(word) for word in bare if is_word(word, noise)]


def collocations(
    documents: Iterable[Sequence[str]], keep: Callable[[str, str], bool]
) -> list[Bigram]:
    """Bigrams seen twice or more that ``keep`` accepts, by likelihood ratio, best first."""
    finder = BigramCollocationFinder.from_documents(documents)
    finder.apply_freq_filter(2)
    finder.apply_ngram_filter(lambda first, second: not keep(first, second))
    return [key for key, _ in finder.score_ngrams(BigramAssocMeasures.likelihood_ratio)]


def clear_caches() -> None:
    """Forget the texts and words remembered across recaps (for cold timings)."""
    for cached in (_stop_words, stem, _word_kind, unlabelled, tokens):
        cached.cache_clear()
