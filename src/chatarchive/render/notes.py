"""What a recap says the capture misses, from the completeness stored with the chat."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from .times import moment_text


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
                         f"{moment_text(start.astimezone(zone))}")
    if completeness.get("complete") is False or (notes and "complete" not in completeness):
        return notes or ["some posts seem to be missing"]
    return []
