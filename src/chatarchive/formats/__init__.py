"""Export formats: recognise an export's format and read it as normalized messages.

One module per format, each registering itself with ``@register`` (see ``registry.py``).
Formats are pure: reading the given local file is their only I/O.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from chatarchive.errors import FormatError
from chatarchive.formats.reading import Part, describe_head, in_part
from chatarchive.formats.registry import HEAD_SIZE, Format, register, registered
from chatarchive.models import ParsedRecord, RawExport, Rejected

__all__ = [
    "AUTO", "Format", "Part", "available", "detect", "get", "halves", "parse", "register"]

logger = logging.getLogger(__name__)

AUTO = "auto"
# The largest integer SQLite stores; a count beyond it in an export is nonsense, not a count.
MAX_COUNT = 2**63 - 1
# Modules of this package that hold shared code rather than a format.
_SHARED_MODULES = {"registry", "reading", "twitter", "csvtools", "htmltools"}


def _load_format_modules() -> None:
    # Every other module of this package is a format that registers itself on import.
    for module in pkgutil.iter_modules(__path__):
        if module.name not in _SHARED_MODULES and not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")


_load_format_modules()


def available() -> list[Format]:
    """Return every known format, sorted by name."""
    return registered()


def _known_names() -> str:
    return ", ".join(fmt.name for fmt in available())


def get(name: str) -> Format:
    """Return the format called ``name``; FormatError listing the known names if there is none."""
    for fmt in available():
        if fmt.name == name:
            return fmt
    raise FormatError(name, f"unknown export format; known formats: {_known_names()}")


def _read_head(path: Path, origin: str) -> bytes:
    try:
        with path.open("rb") as stream:
            return stream.read(HEAD_SIZE)
    except OSError as error:
        raise FormatError(origin, f"cannot read the file: {error.strerror or error}") from error


def detect(path: Path, name: str, origin: str) -> str:
    """Return the name of the format that best recognises the file; FormatError if none does."""
    head = _read_head(path, origin)
    best_name, best_score = "", 0
    for fmt in available():
        score = max(0, min(100, fmt.sniff(head, name)))
        logger.debug("%s: format %s scores %d", origin, fmt.name, score)
        # Strictly greater: on a tie the first name in order wins, so detection is stable.
        if score > best_score:
            best_name, best_score = fmt.name, score
    if best_score == 0:
        raise FormatError(
            origin,
            f"could not recognise the format (saw: {describe_head(head)}); "
            f"known formats: {_known_names()}; use --format NAME to choose one",
        )
    return best_name


def parse(
    raw: RawExport, format: str = AUTO, options: Mapping[str, str] | None = None,
    part: Part | None = None,
) -> tuple[str, Iterator[ParsedRecord | Rejected]]:
    """Return the export's format name and its records, read lazily from ``raw.path``.

    ``part`` (from ``halves``) reads only that part of a file of JSON lines.
    """
    name = detect(raw.path, raw.name, raw.origin) if format == AUTO else get(format).name
    fmt, chosen = get(name), options or {}
    return name, in_part(part, lambda: _guarded(fmt, raw, chosen))


def halves(raw: RawExport, name: str) -> tuple[Part, Part] | None:
    """Two parts to read a large export in at once, if its format can read parts."""
    split = get(name).halves
    if split is None:
        return None
    try:
        return split(raw.path)
    except OSError as error:
        raise FormatError(raw.origin, f"cannot read the file: {error.strerror or error}") from error


def _guarded(
    fmt: Format, raw: RawExport, options: Mapping[str, str]
) -> Iterator[ParsedRecord | Rejected]:
    """Stream a format's records, turning a failure to read the file into a FormatError."""
    try:
        for record in fmt.parse(raw.path, raw.origin, options):
            yield _storable(record, raw.origin) if isinstance(record, ParsedRecord) else record
    except OSError as error:
        raise FormatError(raw.origin, f"cannot read the file: {error.strerror or error}") from error


def _storable(record: ParsedRecord, origin: str) -> ParsedRecord:
    """Drop counts too large for the archive (a hostile export's likes: 10**40)."""
    message = record.message
    likes, reposts = _count(message.like_count), _count(message.repost_count)
    if (likes, reposts) == (message.like_count, message.repost_count):
        return record
    logger.warning("%s, %s: ignoring a like or repost count beyond %d", origin, record.location,
                   MAX_COUNT)
    return replace(record, message=replace(message, like_count=likes, repost_count=reposts))


def _count(value: int | None) -> int | None:
    return value if value is None or abs(value) <= MAX_COUNT else None
