"""The table of export formats: each format module registers its parser with ``@register``.

Kept apart from ``formats/__init__.py`` so that format modules can import it while the package
itself is still being imported (the package imports every format module to fill the table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from chatarchive.formats.reading import Part
from chatarchive.models import ParsedRecord, Rejected

SniffFn = Callable[[bytes, str], int]
ParseFn = Callable[[Path, str, Mapping[str, str]], Iterator[ParsedRecord | Rejected]]
# A file -> two parts to read at once, or None.
HalvesFn = Callable[[Path], tuple[Part, Part] | None]

# How much of a file sniffers see.
HEAD_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class Format:
    """An export format: how to recognise it and how to read it."""

    name: str
    description: str
    origin_hint: str  # which tool or service writes files in this format
    sniff: SniffFn  # (first bytes of the file, file name) -> confidence 0..100
    parse: ParseFn  # (path, origin, options) -> records, streamed
    # Where to cut a large file in two parts that can be read at once (reading.Part), if the
    # format's reader can read a part.
    halves: HalvesFn | None = None


_FORMATS: dict[str, Format] = {}


def register(
    name: str, description: str, origin_hint: str, sniff: SniffFn, halves: HalvesFn | None = None
) -> Callable[[ParseFn], ParseFn]:
    """Register the decorated parse function as the format ``name``."""

    def decorate(parse: ParseFn) -> ParseFn:
        if name in _FORMATS:
            raise ValueError(f"export format {name!r} is registered twice")
        _FORMATS[name] = Format(name, description, origin_hint, sniff, parse, halves)
        return parse

    return decorate


def registered() -> list[Format]:
    """Return every registered format, sorted by name."""
    return [_FORMATS[name] for name in sorted(_FORMATS)]
