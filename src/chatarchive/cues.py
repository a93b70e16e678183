"""Conversation cues in post text: who a post addresses, how it reacts, how a chat ends.

Pure text code, like labels.py: chatter (greetings, thanks), the handles a post opens by
addressing, status links, reactions ("yes true, ..."), question sentences, first person,
sign-offs, guests a host presents ("I'm @x, your guest host"), and posts cut off at the length
limit or announcing a next part. Assembly and session detection read them.

Session detection, moderator detection and attribution read the same posts several times over,
so the costlier answers are remembered per text (``memoized``; ``clear_caches`` forgets them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import ParamSpec, TypeVar, cast

# Greetings, thanks and sign-offs: chatter, not answers, when a post is only that.
_CHATTER = re.compile(
    r"^(?:hi|hello|hey|howdy|hiya|greetings|good\s+(?:morning|afternoon|evening|night)|"
    r"morning|evening|thanks|thank\s+(?:you|u)|thx|ty|cheers|welcome|great\s+chat|fun\s+chat|"
    r"bye|goodbye|see\s+(?:you|ya)|signing\s+(?:on|off|in|out)|joining|just\s+joined|"
    r"glad\s+to\s+be|happy\s+to\s+be|lurking|i'?m\s+here|"
    r"sorry\s+(?:i'?m|to\s+be)\s+late)\b",
    re.I,
)
# The same anywhere in a short post: "Merci tout le monde! Great chat.", "forgot the label!".
_CHATTER_ANYWHERE = re.compile(
    r"\b(?:great\s+chat|fun\s+chat|thanks\s+(?:all|everyone|for\s+(?:having|hosting|a\s+great))|"
    r"signing\s+(?:off|out)|thanks\s+to\s+(?:all|everyone)|"
    r"merci|gracias|danke|see\s+(?:you|y'?all)\s+next|"
    r"forgot\s+(?:the|to|my|a)\s+(?:label|tag|hashtag|number))\b",
    re.I,
)
# Leading addressees: "@ann @bob text" (a reply) or ".@ann text" (a mention).
_ADDRESSED = re.compile(r"\s*\.?(?:@\w+[\s,:;]*)+")
_HANDLE = re.compile(r"@(\w+)")
_STATUS_URL = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/\w+/status(?:es)?/([0-9]+)", re.I
)
# Openers that react to someone else's post rather than answer: "yes true,", "aww", "no way!!!".
_REACTION = re.compile(
    r"(?:yes|yeah|yep|yup|true|so\s+true|absolutely|totally|exactly|agreed|indeed|definitely|"
    r"for\s+sure|same(?:\s+here)?|me\s+too|aw+|oh+|ah+|wow|no\s+way|(?:ha)+|lol|omg|ugh|hm+|"
    r"thank\s+(?:god|goodness|heavens)(?:\s+for\s+\w+)?|(?:great|good)\s+point|well\s+said|"
    r"love\s+(?:this|that|it)|i\s+(?:totally\s+|completely\s+|so\s+|really\s+)?"
    r"(?:agree|understand|know|hear\s+you|feel\s+you)(?:\s+(?:that|this|with\s+you))?|"
    r"that'?s\s+(?:so\s+|really\s+)?\w+)\b[\s,.!?…:;\-]*",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(?:i|me|my|mine|myself|we|our|ours|us)\b", re.I)
_QUESTION_SENTENCE = re.compile(r"[^.!?…\n]*\?")
_SIGN_OFF = re.compile(
    r"\b(?:signing\s+(?:out|off)|that'?s\s+a\s+wrap|that'?s\s+(?:all|it)\s+for\s+"
    r"(?:today|tonight|this\s+week)|thanks?\s+(?:you\s+)?(?:so\s+much\s+)?(?:to\s+)?"
    r"(?:all|everyone|everybody)\s+(?:who|for)\s+(?:joined|joining|came|coming|took\s+part|"
    r"taking\s+part|participat\w*)|see\s+(?:you|y'?all)\s+next\s+(?:week|time|month))\b",
    re.I,
)
# "I'm @x" or "this is @x" in a host account's post: the person posting through it.
_GUEST_INTRO = re.compile(
    r"(?:\bI'?m|\bI\s+am|\bthis\s+is)\s+@(\w+)(?![\w'’])"
    r"|\bguest(?:\s+(?:host|moderator|mod|expert|speaker))?(?:\s+(?:tonight|today|this\s+week))?"
    r"(?:\s+is)?[\s:,]+@(\w+)"
    r"|@(\w+)[\s,]+(?:is\s+)?(?:our|your)\s+guest\b",
    re.I,
)
_CUT_LENGTH = 119  # 85% of the 140 characters a post had when most archived chats ran
_TRAILING_NOISE = re.compile(r"(?:\s*(?:https?://\S+|#\w+))+\s*$")
_PART_ONE = re.compile(r"\(?\b1\s*/\s*[2-9]?\)?$")
_PART_TWO = re.compile(r"\(?[2-9]\s*/\s*[2-9]?\)?")
_NOISE = re.compile(r"https?://\S+|[.]?@\w+|#\w+")
_WORD_CHARS = re.compile(r"[^\W_]+")
_CHATTER_MAX_WORDS = 15
_P = ParamSpec("_P")
_T = TypeVar("_T")
# Texts remembered per function: the repeats are within one chat (detection reads a burst three
# or four times, assembly a window again), so the largest chats suffice. 1 << 16 was no faster
# on 100k posts and kept 57 MB more alive (the cached texts and their answers).
TEXT_CACHE_SIZE = 1 << 13
_CACHE_CLEARS: list[Callable[[], None]] = []


def memoized(func: Callable[_P, _T]) -> Callable[_P, _T]:
    """Remember a pure function of one text for the last TEXT_CACHE_SIZE texts."""
    cached = lru_cache(maxsize=TEXT_CACHE_SIZE)(func)
    _CACHE_CLEARS.append(cached.cache_clear)
    # The cast keeps the signature for type checkers; lru_cache's own type accepts any hashable.
    return cast(Callable[_P, _T], cached)


def clear_caches() -> None:
    """Forget every text remembered here and in labels.py (for cold timings and tests)."""
    for clear in _CACHE_CLEARS:
        clear()


def plain(text: str) -> str:
    """Return the text with its links, @handles and hashtags blanked out."""
    return _NOISE.sub(" ", text)


def words(text: str) -> list[str]:
    """Return the words of a text, links, @handles and hashtags aside."""
    return _WORD_CHARS.findall(plain(text))


@memoized
def is_chatter(text: str) -> bool:
    """Tell whether a short post is only a greeting, thanks or sign-off."""
    found = words(text)
    if not found or len(found) > _CHATTER_MAX_WORDS:
        return False
    cleaned = plain(text).replace("’", "'")
    if _CHATTER_ANYWHERE.search(cleaned):
        return True
    first = _WORD_CHARS.search(cleaned)
    return first is not None and bool(_CHATTER.match(cleaned[first.start() :]))


def has_words(text: str) -> bool:
    """Tell whether a post says anything beyond links, mentions, hashtags and "+1"."""
    return any(not word.isdigit() for word in words(text))


@memoized
def addressees(text: str) -> tuple[str, ...]:
    """Return the handles a post opens by addressing ("@ann @bob ...", ".@ann ..."), lower case."""
    match = _ADDRESSED.match(text)
    return tuple(h.lower() for h in _HANDLE.findall(match.group(0))) if match else ()


@memoized
def status_ids(text: str) -> tuple[str, ...]:
    """Return the ids of the posts a text links to ("https://twitter.com/host/status/123")."""
    return tuple(_STATUS_URL.findall(text))


def is_reaction(text: str) -> bool:
    """Tell whether a post only reacts to another ("yes true, ...", "aww absolutely, ...")."""
    body = plain(text).replace("’", "'").strip()
    end = openers = 0
    while (match := _REACTION.match(body, end)) is not None and match.end() > end:
        end, openers = match.end(), openers + 1
    # What follows the reaction decides: "I have one friend who..." is the poser's own answer.
    return openers > 0 and not _FIRST_PERSON.search(body[end:])


def has_first_person(text: str) -> bool:
    """Tell whether a text speaks for its author ("I", "my", "we")."""
    return _FIRST_PERSON.search(plain(text).replace("’", "'")) is not None


def asks(text: str) -> bool:
    """Tell whether a post holds a question sentence of three words or more."""
    sentences = _QUESTION_SENTENCE.findall(plain(text))
    return any(len(words(sentence)) >= 3 for sentence in sentences)


@memoized
def is_sign_off(text: str) -> bool:
    """Tell whether a post closes a chat: "signing out", "That's a wrap!", "thanks all who came"."""
    return _SIGN_OFF.search(text.replace("’", "'")) is not None


def introduced_guests(text: str) -> tuple[str, ...]:
    """Return who a moderator's post presents as guest: "I'm @x, your host", "our guest @x"."""
    found = (next(h for h in match.groups() if h) for match in _GUEST_INTRO.finditer(text))
    return tuple(dict.fromkeys(handle.lower() for handle in found))


def is_cut_off(text: str) -> bool:
    """Tell whether a long post stops mid-sentence, as when its author ran out of characters."""
    if len(text) < _CUT_LENGTH:
        return False
    body = _TRAILING_NOISE.sub("", text).rstrip()
    return bool(body) and (body[-1].isalnum() or body[-1] == ",")


def ends_open(text: str) -> bool:
    """Tell whether a post announces a next part: "...", "(1/2)", or a cut-off sentence."""
    body = _TRAILING_NOISE.sub("", text).rstrip()
    return body.endswith(("...", "…")) or _PART_ONE.search(body) is not None or is_cut_off(text)


def continues(text: str, lower_case: bool = True) -> bool:
    """Tell whether a post reads as the next part of another: "...part two", "(2/2)", lower case."""
    match = _ADDRESSED.match(text)
    body = text[match.end() if match else 0 :].lstrip()
    if body.startswith(("...", "…")) or _PART_TWO.match(body) is not None:
        return True
    return lower_case and body[:1].islower()
