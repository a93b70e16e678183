"""Recognize the question and answer labels of hashtag chats in post text (DESIGN.md §1).

Pure text code: every function takes the post text as archived (entities decoded) and never
looks at who wrote it; assembly decides what a label means for a host or a participant.

A label counts where people put labels: at the start (after any ``@handle``, ``.@handle`` or
``#hashtag``), after the end of a sentence ("Okay: Q1 ...", "Two more Qs! Q5. ..."), or after a
word only when a colon or dash follows it ("Here's Q1: ..."). Mentions of a label in running
text ("forgot to tag Q2", "Q3 coming up in 2 minutes", "Q3 was inspired by...") do not count.

The other conversation cues assembly reads in a text (chatter, addressees, reactions,
sign-offs, ...) are in cues.py. Each post is labelled several times over (session detection,
moderators, attribution), so the labels are remembered per text (``cues.memoized``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import memoized, plain, words

# Where a label sits in the text: at the start, after a sentence, or after a plain word.
LEAD, SENTENCE, WORD = "lead", "sentence", "word"

# One or two digits, or keycap emoji digits ("1️⃣", "1⃣", "🔟"), as the number of a label.
_KEYCAP_NUMBER = r"(?P<keycap>(?:[0-9]\ufe0f?\u20e3){1,2}|\U0001f51f)"
_NUMBER = rf"(?:{_KEYCAP_NUMBER}|(?P<num>[0-9]{{1,2}}))"
# A sub-part that still belongs to the same question: "A1a", "A1.1", "Q2b".
_SUB = r"(?:\.[0-9]+(?![0-9])|[a-z](?![a-z]))?"
# What may follow a label: "Q1:", "Q1.", "Q1)", "A1 -", "Q1.What"; kept in the label span.
_DELIM = r"(?P<delim>\s*[:.)\-–—,]+)?"
# Not inside a word, a handle, a URL or an HTML entity ("#Q1" as a hashtag is fine).
_START = r"(?<![\w@/&])\#?"

# Q1: | Q1. | Q1.What | Q 1 | Q1) | Q.1 | Q#1 | Q-1 | Question 1 | QUESTION #2 | Q1️⃣
_QUESTION = re.compile(
    rf"{_START}q(?:uestion)?(?P<gap>\s?[.#\-]?\s?){_NUMBER}{_SUB}(?!\w){_DELIM}", re.I
)
# "Question one:" and friends, for hosts who spell the number out.
_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_QUESTION_WORD = re.compile(rf"{_START}question\s+(?P<word>{'|'.join(_WORDS)})\b{_DELIM}", re.I)
# T1: | T1. | Topic 2 - ... (topics); only with a delimiter, so "T1 diabetes" is no label.
_TOPIC = re.compile(rf"{_START}t(?:opic)?(?P<gap>\s?[.#]?\s?){_NUMBER}{_SUB}(?!\w){_DELIM}", re.I)
# A bare keycap at the start of a sentence: "1️⃣ What is ...?"
_KEYCAP = re.compile(rf"(?<![\w@/&]){_KEYCAP_NUMBER}{_DELIM}")
# A1: | A1. | a1 | A1a | A1.1 | A 1: | A.1 | Ans 1: | Answer 1: | A1️⃣ | #A1 ("A 1" needs ":" or "-")
_ANSWER = re.compile(
    rf"{_START}a(?:ns(?:wer)?)?(?P<gap>\s?[.#]?\s?){_NUMBER}{_SUB}(?!\w){_DELIM}", re.I
)
# "1) ..." at the very start of an answer.
_PAREN = re.compile(r"(?P<gap>)(?P<num>[0-9]{1,2})(?P<delim>\))")
# Leading addressees and hashtags: "@kelly ", ".@kelly @bob ", "#solopr: " (not "#Q1", "#A2").
_LEAD_TOKENS = re.compile(r"(?:\s*(?:\.?@\w+|#(?![qQaAtT][0-9]{1,2}\b)\w+)[\s,:;]*)*")
# A retweet in the old manual style: "RT @host: Q1 ...".
_RETWEET = re.compile(r"^\s*RT\s+@\w+", re.I)
# Characters that end a sentence or clause, after which a label may start.
_SENTENCE_END = frozenset(":!?.…)]}—–-;\n")
# Ends of the clause a label sits in, to read only its own clause for logistics.
_CLAUSE_END = re.compile(r"[:!?.…;\n]")
# A colon or a dash after a label that follows a plain word: "Here's Q1: ...".
_HARD_DELIM = re.compile(r"\s*[:\-–—]")

# Logistics around a label. Before it, in the same clause: "forgot to tag Q2", "missed Q3".
_LOGISTICS_BEFORE = re.compile(
    r"\b(?:forgot|forget|missed|miss|tag|tagged|tagging|remind|reminder|answers?\s+to)\b", re.I
)
# Right after it, whatever the delimiter: "Q3 coming up", "Q4: in 2 minutes", "Q5 up next".
_LOGISTICS_AFTER = re.compile(
    r"^(?:(?:is|will\s+be)\s+)?(?:coming\s+(?:up|soon|next|in|right|shortly)|up\s+next|"
    r"in\s+(?:\d+|a|an|one|two|three|five|ten|a\s+few)\s*(?:min|mins|minutes?|secs?|"
    r"seconds?|moments?)\b|stay\s+tuned|on\s+its\s+way)",
    re.I,
)
# Right after it without a delimiter, a lower-case verb makes the label the subject of a
# sentence about it: "Q3 was inspired by", "Q2 is next", "Q4 coming"; a number, a quarter
# of a year: "Q1 2024 results".
_LOGISTICS_VERB = re.compile(
    r"^(?:[0-9]|(?:was|were|is|are|has|had|got|will|would|went|coming|next|soon|shortly|starts|"
    r"begins|generated|answers?|responses?)\b)"
)
# Ordinal questions without a number: "First question - ...", "Last qu (...)... Did ...?".
_ORDINAL = (r"(?:first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|next|last|final"
            r"|bonus)")
_PROSE = re.compile(
    rf"(?<![\w@#])(?:(?:our|the|my|and\s+the|and\s+our)\s+)?{_ORDINAL}"
    r"\s+(?:question|qu|q)(?![\w])(?P<delim>\s*[:.)\-–—,]+)?",
    re.I,
)
# What every ordinal question holds, looked for (after a "q" at all) before the full pattern.
_MAY_PROSE = re.compile(rf"{_ORDINAL}\s+q", re.I)
_LEAD_IN_MAX_WORDS = 4
# Every numbered label holds a digit or a keycap; spelled-out ones say "question". A text with
# neither (most chatter) has no label, which one scan in C tells quickly.
_MAY_LABEL = re.compile(r"[0-9\U0001f51f]|question", re.I)


@dataclass(frozen=True, slots=True)
class _LabelHit:
    """One label found in a text: its number, where it is and what follows it."""

    number: int
    start: int
    end: int  # end of the label span, delimiter included
    context: str  # LEAD, SENTENCE or WORD
    hard: bool  # a colon or dash follows the label
    spaced: bool  # "A 1", "Q .1": a gap between the letter and the number


@memoized
def question_label(text: str) -> int | None:
    """Return the question number a post poses ("Q1:", "T2.", "1️⃣"), or None."""
    if not _MAY_LABEL.search(text) or _RETWEET.match(text) or _lead_answer(text) is not None:
        return None
    for hit in _question_hits(text):
        if _counts_as_question(text, hit):
            return hit.number
    return None


def question_text(text: str) -> str:
    """Return a question post's text without its label, or a short lead-in ("Okay: Q5 ...")."""
    hits = [hit for hit in _question_hits(text) if _counts_as_question(text, hit)]
    if not hits:
        return text.strip()
    hit = hits[0]
    before = text[: hit.start].rstrip()
    lead = before[_lead_end(before):] if before else ""
    # A few words before the label ("Okay:", "Two more Qs!") introduce it; more is the question.
    if len(words(lead)) <= _LEAD_IN_MAX_WORDS and (not lead or lead[-1] in _SENTENCE_END):
        before = before[: _lead_end(before)] if lead else before
    return f"{before} {text[hit.end :].lstrip()}".strip()


@memoized
def answer_label(text: str) -> tuple[int, str] | None:
    """Return the number and exact span of a post's answer label ("A1:", "a2", "1)"), or None."""
    if not _MAY_LABEL.search(text) or _RETWEET.match(text):
        return None
    # A label at the start wins; only without one are the others read.
    hit = _lead_answer(text) or next(
        (hit for hit in _hits(_ANSWER, text) if _counts_as_answer(text, hit)), None)
    if hit is None:
        return None
    return hit.number, text[hit.start : hit.end].strip()


def strip_label(text: str) -> str:
    """Return the text without its leading or trailing answer label; mentions and rest kept."""
    hit = _lead_answer(text) or _lead_question(text)
    if hit is None:
        trailing = [h for h in _hits(_ANSWER, text) if _is_trailing(text, h)]
        if not trailing:
            return text
        hit = trailing[-1]
        return text[: hit.start].rstrip() + text[hit.end :]
    return text[: hit.start] + text[hit.end :].lstrip()


@memoized
def is_prose_question(text: str) -> bool:
    """Tell whether a post poses an unnumbered question ("First question - ...", "Last qu ...")."""
    if not _has_q(text) or not _MAY_PROSE.search(text) or _RETWEET.match(text):
        return False
    lead_end = _lead_end(text)
    for match in _PROSE.finditer(text):
        context = _context(text, match.start(), lead_end)
        hard = bool(match.group("delim") and _HARD_DELIM.match(match.group("delim")))
        if context == WORD and not hard:
            continue
        body = text[match.end() :].lstrip()
        if _LOGISTICS_AFTER.match(body) or _LOGISTICS_VERB.match(body):
            continue
        if hard or "?" in body:
            return True
    return False


@memoized
def is_retweet(text: str) -> bool:
    """Tell whether a text is an old-style retweet: "RT @host: ..."."""
    return _RETWEET.match(text) is not None


@memoized
def mentions_label(text: str) -> bool:
    """Tell whether a text names a question or answer at all ("Q3", "A2", "next question")."""
    if _MAY_LABEL.search(text) and any(p.search(text) for p in (_QUESTION, _ANSWER, _TOPIC)):
        return True
    return _has_q(text) and _PROSE.search(text) is not None


def _has_q(text: str) -> bool:
    # "Q1", "question one", "first qu": a scan for the letter passes over most texts at once.
    return "q" in text or "Q" in text


def _question_hits(text: str) -> list[_LabelHit]:
    hits = _hits(_QUESTION, text) + _hits(_QUESTION_WORD, text) if _has_q(text) else []
    hits += [h for h in _hits(_TOPIC, text) if h.context == LEAD and h.hard]
    # Keycap digits number lists as often as questions ("1️⃣ Batch it 2️⃣ ..."): only a post
    # that asks something is a question by keycap.
    if "?" in text:
        hits += [h for h in _hits(_KEYCAP, text) if h.context != WORD]
    return sorted(hits, key=lambda hit: hit.start)


def _counts_as_question(text: str, hit: _LabelHit) -> bool:
    if hit.context == WORD and not hit.hard:
        return False
    if hit.spaced and not hit.hard and hit.context != LEAD:
        return False
    clause = _CLAUSE_END.split(text[: hit.start])[-1]
    if _LOGISTICS_BEFORE.search(clause):
        return False
    body = text[hit.end :].lstrip()
    if _LOGISTICS_AFTER.match(body):
        return False
    if not _delimited(text, hit) and _LOGISTICS_VERB.match(body):
        return False
    return hit.context == LEAD or len(words(body)) >= 2


def _counts_as_answer(text: str, hit: _LabelHit) -> bool:
    if hit.spaced and not hit.hard:
        return False
    if _is_trailing(text, hit):
        return True
    if hit.context == WORD:
        return text[hit.start : hit.end].rstrip().endswith(":")
    return hit.context == SENTENCE and _delimited(text, hit)


@memoized
def _lead_answer(text: str) -> _LabelHit | None:
    """An answer label right at the start (after mentions): "A1:", "a1", "1)"."""
    lead_end = _lead_end(text)
    for pattern in (_ANSWER, _PAREN):
        match = pattern.match(text, lead_end)
        if match is not None:
            hit = _hit(match, text, lead_end)
            if hit is not None and not (hit.spaced and not hit.hard):
                return hit
    return None


def _lead_question(text: str) -> _LabelHit | None:
    """A question label right at the start, as participants write it for an answer: "Q1: ..."."""
    lead_end = _lead_end(text)
    hits = [h for h in _question_hits(text) if h.start == lead_end]
    return hits[0] if hits else None


def _hits(pattern: re.Pattern[str], text: str) -> list[_LabelHit]:
    lead_end = _lead_end(text)
    found = (_hit(match, text, lead_end) for match in pattern.finditer(text))
    return [hit for hit in found if hit is not None]


def _hit(match: re.Match[str], text: str, lead_end: int) -> _LabelHit | None:
    number = _number(match)
    if number is None:
        return None
    delim = match.group("delim") or ""
    return _LabelHit(
        number=number,
        start=match.start(),
        end=match.end(),
        context=_context(text, match.start(), lead_end),
        hard=bool(_HARD_DELIM.match(delim)),
        spaced=_spaced(match),
    )


def _spaced(match: re.Match[str]) -> bool:
    # Every pattern with a gap allows space only at its two ends ("A 1", "Q. 1").
    gap = match.group("gap") if "gap" in match.re.groupindex else None
    return gap is not None and gap != gap.strip()


def _number(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    if groups.get("num"):
        return int(groups["num"])
    if groups.get("word"):
        return _WORDS.index(groups["word"].lower()) + 1
    keycap = groups.get("keycap")
    if keycap:
        if keycap == "\U0001f51f":
            return 10
        return int("".join(ch for ch in keycap if ch.isdigit()))
    return None


def _lead_end(text: str) -> int:
    match = _LEAD_TOKENS.match(text)
    return match.end() if match else 0


def _context(text: str, start: int, lead_end: int) -> str:
    if start <= lead_end or not text[lead_end:start].strip():
        return LEAD
    before = text[:start]
    if "\n" in before[len(before.rstrip()) :]:
        return SENTENCE
    last = before.rstrip()[-1]
    if last in _SENTENCE_END or not (last.isalnum() or last in ",'\"’”&@#_"):
        return SENTENCE
    return WORD


def _delimited(text: str, hit: _LabelHit) -> bool:
    """A delimiter follows the label: "Q1:", "Q1.", "Q1)" rather than "Q1 was"."""
    return text[hit.start : hit.end].rstrip()[-1] in ":.)-–—,"


def _is_trailing(text: str, hit: _LabelHit) -> bool:
    """The label ends the post, give or take hashtags and links: "... #solopr A1"."""
    rest = plain(text[hit.end :])
    return hit.context != LEAD and not rest.strip(" \t\n.!")
