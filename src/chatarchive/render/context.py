"""The values a recap template sees: people, questions, topic, links and times, unescaped."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from typing import Any
from urllib.parse import unquote, urlsplit

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

from .escape import md_url
from .notes import capture_notes
from .times import long_date, moment_text, time_range, timezone

ROLE_LABELS = {HOST: "host", GUEST: "guest moderator"}
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


def template_context(recap: Recap) -> dict[str, Any]:
    """Plain (unescaped) values for the template; the template escapes them."""
    chat, window = recap.chat, recap.chat.window
    zone = timezone(window.timezone)
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
        "next_chat": f"{long_date(next_chat)} at {moment_text(next_chat)}" if next_chat else "",
    } | _people_context(chat.participants)
