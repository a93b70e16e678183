"""Render a recap as Markdown with YAML front matter (Jinja2), escaping what participants wrote.

Autoescape is off because the output is Markdown, not HTML: every participant-supplied string
goes through the ``md`` filter instead, front-matter values through ``yaml`` and link targets
through ``mdurl``. Pure and deterministic: times come from the recap, never from the clock.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime, tzinfo
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from chatarchive.errors import ChatArchiveError
from chatarchive.models import (
    ANSWER,
    GUEST,
    HOST,
    PARTICIPANT,
    QUESTION,
    REPOST,
    Author,
    Chat,
    ChatParticipant,
    LinkShare,
    Recap,
)
from chatarchive.summarize import quote_text

logger = logging.getLogger(__name__)

# Escaping is minimal so the recap's Markdown source stays readable for people who paste it:
# only characters that can open inline markup anywhere (code, emphasis, links, HTML, entities,
# strikethrough, table cells) are escaped; "_" only where it could open emphasis (not inside
# words such as handles), and the block markers only where the text starts (headings, lists,
# quotes, front matter).
_MD_INLINE = re.compile(r"([\\`*\[\]<>~|])|&(?=#?\w+;)|(?<![^\W_])_|_(?![^\W_])")
_MD_BLOCK_START = re.compile(r"^(#|[-+=>]|\d+(?=[.)]))")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
# Characters YAML will not take raw inside a double-quoted scalar (or folds as a line break).
_YAML_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# Site generators run template tags in a page's body: Jekyll's Liquid ("{{ x }}", "{% x %}") and
# Hugo's shortcodes ("{{< x >}}"). An entity for the "{" that opens one shows the same text.
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")
# Characters that would end or break a Markdown link destination, or open a template tag.
_URL_UNSAFE = re.compile(r"[\x00-\x20()<>\\\x7f{}]")
ROLE_LABELS = {HOST: "host", GUEST: "guest moderator"}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ROLE_ORDER = {HOST: 0, GUEST: 1}
TOP_CONTRIBUTORS = (3, 5)  # at least this many people (when they answered), at most this many
_LABEL_SEGMENTS = 3  # path segments a link label shows
_LABEL_LENGTH = 60
# How hosts announce a topic: "Today we're talking X with guest @y.", "Tonight's topic: X".
_TOPIC = re.compile(
    r"(?:\btopic(?:\s+(?:today|tonight|this\s+week))?\s*(?:is|:|-|—)|\bwe(?:'re|’re|\s+are|'ll\s+be"
    r"|’ll\s+be|\s+will\s+be)\s+(?:talking(?:\s+about)?|discussing|chatting\s+about|covering))"
    r"\s+(?:[\"“](?P<quoted>[^\"”\n]+)[\"”]|"
    r"(?P<topic>.+?)(?=\s+with\s+(?:our\s+|special\s+|guest|@)|[.!?;\n]|\s+#|\s+https?:|$))",
    re.IGNORECASE,
)
_TOPIC_MAX_WORDS = 12


def md(value: object) -> str:
    """Escape text so Markdown shows it literally, on one line, without surrounding blanks."""
    text = _LINE_BREAK.sub(" ", str(value)).strip()
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(), text)
    text = _TEMPLATE_OPEN.sub("&#123;", text)
    return _MD_BLOCK_START.sub(lambda m: m.group() + "\\" if m.group()[0].isdigit()
                               else "\\" + m.group(), text)


def yaml_scalar(value: object) -> str:
    """Quote a value as a YAML double-quoted scalar (a JSON string, made safe for YAML)."""
    quoted = json.dumps(str(value), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def md_url(value: object) -> str:
    """Make a URL safe as a Markdown link target; anything but http(s) becomes empty."""
    url = str(value)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    return _URL_UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", url)


def long_date(moment: datetime) -> str:
    """Return a date as "Wednesday 4 March 2026"."""
    return f"{_DAYS[moment.weekday()]} {moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def _clock(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d}"


def _meridiem(moment: datetime) -> str:
    return "am" if moment.hour < 12 else "pm"


def _zone(moment: datetime) -> str:
    name = moment.tzname() or "UTC"
    return f"UTC{name}" if name[:1] in "+-" else name  # zones without an abbreviation: "-03"


def _moment_text(moment: datetime) -> str:
    return f"{_clock(moment)} {_meridiem(moment)} {_zone(moment)}"


def time_range(start: datetime, end: datetime) -> str:
    """Return "1:00–2:00 pm EST", naming the meridiem or zone twice only when they change."""
    if _zone(start) != _zone(end):
        return (
            f"{_clock(start)} {_meridiem(start)} {_zone(start)}–"
            f"{_clock(end)} {_meridiem(end)} {_zone(end)}"
        )
    if _meridiem(start) != _meridiem(end):
        return f"{_clock(start)} {_meridiem(start)}–{_clock(end)} {_meridiem(end)} {_zone(end)}"
    return f"{_clock(start)}–{_clock(end)} {_meridiem(end)} {_zone(end)}"


def _timezone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("unknown time zone %r; showing times in UTC", name)
        return ZoneInfo("UTC")


def _person(author: Author) -> dict[str, Any]:
    return {"name": author.display_name.strip() or author.handle, "handle": author.handle}


def _web_url(url: str | None) -> str:
    return url if url and md_url(url) else ""


def _people(participants: Sequence[ChatParticipant]) -> list[dict[str, Any]]:
    """Everyone, hosts first, then guests, then by name."""
    ordered = sorted(
        participants,
        key=lambda p: (
            _ROLE_ORDER.get(p.role, 2),
            _person(p.author)["name"].casefold(),
            p.author.handle.casefold(),
        ),
    )
    return [_person(p.author) | {"role": p.role, "first_time": p.first_time} for p in ordered]


def _questions(recap: Recap) -> list[dict[str, Any]]:
    hashtag = recap.chat.window.hashtag
    return [
        {
            "number": item.question.number,
            "text": quote_text(item.question.text, hashtag),
            "answer_count": item.answer_count,
            "quotes": [
                _person(quote.author)
                | {
                    "role": ROLE_LABELS.get(quote.role, ""),
                    "text": quote.text,
                    "url": _web_url(quote.url),
                }
                for quote in item.quotes
            ],
        }
        for item in recap.questions
    ]


def chat_topic(chat: Chat) -> str:
    """Return the topic a host or guest announced ("Today we're talking X"), or ""."""
    moderators = {p.author.id for p in chat.participants if p.role in (HOST, GUEST)}
    for message in sorted(chat.messages, key=lambda m: (m.created_at, m.id)):
        attribution = chat.attributions.get(message.id)
        kind = attribution.kind if attribution else None
        if message.author.id not in moderators or kind in (QUESTION, ANSWER, REPOST):
            continue
        found = _TOPIC.search(message.text)
        if found is not None:
            topic = (found.group("quoted") or found.group("topic")).strip(" \"'“”‘’:,-—")
            if 0 < len(topic.split()) <= _TOPIC_MAX_WORDS:
                return topic
    return ""


def top_contributors(participants: Sequence[ChatParticipant]) -> list[ChatParticipant]:
    """Who answered most, hosts aside (ties: posts, handle): 3, or up to 5 sharing third place."""
    ranked = sorted(
        (p for p in participants if p.role != HOST and p.answers > 0),
        key=lambda p: (-p.answers, -p.posts, p.author.handle.casefold()),
    )
    least, most = TOP_CONTRIBUTORS
    if len(ranked) <= least:
        return ranked
    third = ranked[least - 1].answers
    return [p for i, p in enumerate(ranked[:most]) if i < least or p.answers == third]


def link_labels(links: Sequence[LinkShare]) -> list[str]:
    """Label each link by domain and short path ("example.com/blog/post"), each label unique."""
    labels = [_link_label(link.url, full=False) for link in links]
    seen = Counter(labels)
    return [
        _link_label(link.url, full=True) if seen[label] > 1 else label
        for link, label in zip(links, labels, strict=True)
    ]


def _link_label(url: str, full: bool) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    with suppress(ValueError):  # a port that is no number: no port shown
        host += f":{parts.port}" if full and parts.port else ""
    segments = [unquote(segment) for segment in parts.path.split("/") if segment]
    if not full and len(segments) > _LABEL_SEGMENTS:
        segments = [*segments[: _LABEL_SEGMENTS - 1], "…", segments[-1]]
    query = f"?{unquote(parts.query)}" if full and parts.query else ""
    label = "/".join([host, *segments]) + query
    return label if full or len(label) <= _LABEL_LENGTH else label[: _LABEL_LENGTH - 1] + "…"


def _count(value: object) -> int:
    """A count from completeness: a number, or how many items a list holds; else 0 (unknown)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return round(value)
    return len(value) if isinstance(value, list | tuple) else 0


def _moment(value: object) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _items(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def capture_notes(completeness: Mapping[str, Any], zone: tzinfo) -> list[str]:
    """What the capture misses, as short phrases; empty when complete (or not known)."""
    missing = sorted(n for n in _items(completeness.get("missing_questions")) if isinstance(n, int))
    names = [f"Q{number}" for number in missing]
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)
    notes = [f"{listed} {'is' if len(names) == 1 else 'are'} missing"] if names else []
    if answers := _count(completeness.get("answers_without_question")):
        notes.append(f"{_plural(answers, 'answer names', 'answers name')} a question not captured")
    if replies := _count(completeness.get("replies_to_missing")):
        notes.append(f"{_plural(replies, 'post replies', 'posts reply')} to posts not captured")
    if truncated := _count(completeness.get("truncated")):
        notes.append(f"{_plural(truncated, 'post is', 'posts are')} cut short")
    for gap in _items(completeness.get("gaps")):
        start = _moment(gap.get("from")) if isinstance(gap, Mapping) else None
        minutes = _count(gap.get("minutes")) if isinstance(gap, Mapping) else 0
        if start is not None and minutes > 0:
            notes.append(f"no posts for {_plural(minutes, 'minute', 'minutes')} from "
                         f"{_moment_text(start.astimezone(zone))}")
    if completeness.get("complete") is False or (notes and "complete" not in completeness):
        return notes or ["some posts seem to be missing"]
    return []


def _people_context(participants: Sequence[ChatParticipant]) -> dict[str, Any]:
    """Hosts, guests, everyone, first-timers and top contributors, for the template."""
    people = _people(participants)
    # With no returning participant (the archive's first chat of the hashtag), first_time says
    # nothing. Hosts and guests are never welcomed, nor count: their reminders before the chat
    # make them "returning" even then.
    known = any(not p.first_time for p in participants if p.role == PARTICIPANT)
    return {
        "hosts": [p for p in people if p["role"] == HOST],
        "guests": [p for p in people if p["role"] == GUEST],
        "people": people,
        "first_timers": [p for p in people if known and p["first_time"]
                         and p["role"] == PARTICIPANT],
        "top_contributors": [
            _person(p.author) | {"role": ROLE_LABELS.get(p.role, ""), "answers": p.answers}
            for p in top_contributors(participants)
        ],
    }


def _context(recap: Recap) -> dict[str, Any]:
    """Plain (unescaped) values for the template; the template escapes them."""
    chat, window = recap.chat, recap.chat.window
    zone = _timezone(window.timezone)
    start, end = window.starts_at.astimezone(zone), window.ends_at.astimezone(zone)
    next_chat = recap.next_chat.astimezone(zone) if recap.next_chat else None
    complete = chat.completeness.get("complete")
    return {
        "recap": recap,
        "title": f"{window.title or '#' + window.hashtag + ' chat'} recap: {long_date(start)}",
        "date": start.isoformat(timespec="seconds"),
        "tags": [window.hashtag, "tweetchat"],
        "chat_id": chat.id,
        "hashtag": window.hashtag,
        "topic": chat_topic(chat),
        "posts": recap.stats.get("posts", len(chat.messages)),
        "participant_count": recap.stats.get("participants", len(chat.participants)),
        "question_count": recap.stats.get("questions", len(chat.questions)),
        "answers": recap.stats.get("answers", 0),
        "reposts": recap.stats.get("reposts", 0),
        "complete": complete if isinstance(complete, bool) else None,
        "capture_notes": capture_notes(chat.completeness, zone),
        "local_date": long_date(start),
        "time_range": time_range(start, end),
        "questions": _questions(recap),
        "themes": list(recap.themes),
        "links": [
            {"url": link.url, "domain": link.domain, "label": label, "count": link.count}
            for link, label in zip(recap.links, link_labels(recap.links), strict=True)
            if _web_url(link.url)
        ],
        "next_chat": f"{long_date(next_chat)} at {_moment_text(next_chat)}" if next_chat else "",
    } | _people_context(chat.participants)


@cache
def _environment() -> SandboxedEnvironment:
    # Sandboxed because a schedule may point at its own template; Markdown, so no autoescape.
    environment = SandboxedEnvironment(
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(md=md, yaml=yaml_scalar, mdurl=md_url)
    return environment


def bundled_template() -> str:
    """Return the text of the bundled recap template."""
    return (files("chatarchive") / "templates" / "recap.md.j2").read_text(encoding="utf-8")


def render_markdown(recap: Recap, template: str | None = None) -> str:
    """Render a recap as Markdown, with the bundled template or the given template text."""
    source = bundled_template() if template is None else template
    try:
        return _environment().from_string(source).render(_context(recap))
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise ChatArchiveError(
            f"recap template{where}: {error.message or error}; fix the template, or drop "
            "recap.template from the schedule to use the bundled one"
        ) from error
