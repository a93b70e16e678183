"""A chat's themes: bigram collocations that several people use on their own."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import pairwise

from chatarchive.models import Message

from .text import CHAT_NOISE, Bigram, collocations, is_word, stem, tokens

MAX_THEMES = 6
# Beyond this, a big chat's most engaging posts are what is read: tokenizing takes most of a
# recap's time, and the long tail rarely holds the best.
MAX_THEME_POSTS = 1000
MIN_THEME_AUTHORS = 2  # people who must use a phrase on their own (not echoing a reply)


def theme_sample(originals: Sequence[Message], engagement: Mapping[str, int]) -> list[Message]:
    """The posts themes come from: all of them, or a big chat's most engaging, in time order."""
    if len(originals) <= MAX_THEME_POSTS:
        return list(originals)
    ranked = sorted(originals, key=lambda m: (-engagement[m.id], m.created_at, m.id))
    return sorted(ranked[:MAX_THEME_POSTS], key=lambda m: (m.created_at, m.id))


def _support(
    messages: Sequence[Message], keys: Mapping[str, set[Bigram]]
) -> dict[Bigram, set[str]]:
    """Who uses each phrase on their own: a reply or quote repeating its parent's echoes it."""
    authors: dict[Bigram, set[str]] = defaultdict(set)
    for message in messages:
        parents = (message.in_reply_to_id, message.quoted_id)
        echoed: set[Bigram] = set().union(*(keys.get(parent or "", ()) for parent in parents))
        for key in keys[message.id] - echoed:
            authors[key].add(message.author.id)
    return authors


def _bigrams(
    messages: Sequence[Message], words: Mapping[str, Sequence[str]], noise: Collection[str]
) -> tuple[dict[str, set[Bigram]], dict[Bigram, Counter[str]]]:
    """Each post's stemmed bigrams of content words, and the surface forms of each."""
    keys: dict[str, set[Bigram]] = {}
    surfaces: dict[Bigram, Counter[str]] = defaultdict(Counter)
    for message in messages:
        own = keys.setdefault(message.id, set())
        for first, second in pairwise(words[message.id]):
            if first != second and is_word(first, noise, True) and is_word(second, noise, True):
                key = (stem(first), stem(second))
                own.add(key)
                surfaces[key][f"{first} {second}"] += 1
    return keys, surfaces


def theme_phrases(
    messages: Sequence[Message], words: Mapping[str, Sequence[str]], noise: Collection[str],
    limit: int,
) -> tuple[str, ...]:
    """Bigram collocations (likelihood ratio) that 2+ people use, at most one per word.

    ``words`` holds each post's tokens by id; ``noise``, the words that are never part of one.
    """
    keys, surfaces = _bigrams(messages, words, noise)
    authors = _support(messages, keys)
    documents = [
        [stem(t) if is_word(t, noise, True) else "|" for t in words[m.id]] for m in messages
    ]
    ranked = collocations(
        documents, lambda first, second: len(authors.get((first, second), ())) >= MIN_THEME_AUTHORS
    )
    phrases: list[str] = []
    used: set[str] = set()
    for key in ranked:
        if len(phrases) < limit and used.isdisjoint(key):
            forms = surfaces[key]
            phrases.append(min(forms, key=lambda form: (-forms[form], form)))
            used.update(key)
    return tuple(phrases)


def themes(messages: Iterable[Message], hashtag: str, limit: int = MAX_THEMES) -> tuple[str, ...]:
    """Return up to ``limit`` themes of the posts: phrases that several people use."""
    posts = list(messages)
    noise = CHAT_NOISE | {hashtag.lower().lstrip("#")}
    return theme_phrases(posts, {m.id: tokens(m.text) for m in posts}, noise, limit)
