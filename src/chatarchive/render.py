"""Render a recap as Markdown with YAML front matter (Jinja2), escaping what participants wrote.

Autoescape is off because the output is Markdown, not HTML: every participant-supplied string
goes through the ``md`` filter instead, front-matter values through ``yaml`` and link targets
through ``mdurl``. Pure and deterministic: times come from the recap, never from the clock.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, tzinfo
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from chatarchive.errors import ChatArchiveError
from chatarchive.models import GUEST, HOST, Author, ChatParticipant, Recap
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
# Characters that would end or break a Markdown link destination.
_URL_UNSAFE = re.compile(r"[\x00-\x20()<>\\\x7f]")
ROLE_LABELS = {HOST: "host", GUEST: "guest moderator"}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ROLE_ORDER = {HOST: 0, GUEST: 1}


def md(value: object) -> str:
    """Escape text so Markdown shows it literally, on one line, without surrounding blanks."""
    text = _LINE_BREAK.sub(" ", str(value)).strip()
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(), text)
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


def _people(participants: tuple[ChatParticipant, ...]) -> list[dict[str, Any]]:
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


def _context(recap: Recap) -> dict[str, Any]:
    """Plain (unescaped) values for the template; the template escapes them."""
    chat, window = recap.chat, recap.chat.window
    zone = _timezone(window.timezone)
    start, end = window.starts_at.astimezone(zone), window.ends_at.astimezone(zone)
    people = _people(chat.participants)
    next_chat = recap.next_chat.astimezone(zone) if recap.next_chat else None
    return {
        "recap": recap,
        "title": f"{window.title or '#' + window.hashtag + ' chat'} recap: {long_date(start)}",
        "date": start.isoformat(timespec="seconds"),
        "tags": [window.hashtag, "tweetchat"],
        "chat_id": chat.id,
        "hashtag": window.hashtag,
        "posts": recap.stats.get("posts", len(chat.messages)),
        "participant_count": recap.stats.get("participants", len(chat.participants)),
        "question_count": recap.stats.get("questions", len(chat.questions)),
        "local_date": long_date(start),
        "time_range": time_range(start, end),
        "hosts": [p for p in people if p["role"] == HOST],
        "guests": [p for p in people if p["role"] == GUEST],
        "questions": _questions(recap),
        "themes": list(recap.themes),
        "links": [
            {"url": link.url, "domain": link.domain, "count": link.count}
            for link in recap.links
            if _web_url(link.url)
        ],
        "people": people,
        "first_timers": [p for p in people if p["first_time"]],
        "next_chat": (
            f"{long_date(next_chat)} at {_clock(next_chat)} {_meridiem(next_chat)} "
            f"{_zone(next_chat)}"
            if next_chat
            else ""
        ),
    }


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
