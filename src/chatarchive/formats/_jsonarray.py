"""Read the items of a large JSON array one by one, without holding the whole document.

The standard library decodes whole documents only; this reader decodes one array item at a time
from a growing text buffer (``JSONDecoder.raw_decode``), so a Twitter archive's tweets.js or a
big exported array is read in bounded memory and a broken item does not lose the items before
it. After a broken item, reading resumes at the next item start when the caller can describe
one (``resync``), else it stops there.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from chatarchive.formats.reading import (
    RecordError,
    loads,
    may_hold_huge_integer,
    snippet,
    too_deep,
    without_surrogates,
)

CHUNK_BYTES = 1024 * 1024
# No single tweet comes near this; an item that still does not decode is broken, not cut short.
MAX_ITEM_CHARS = 8 * 1024 * 1024
_PREFIX_CHARS = 256
_SPACE = re.compile(r"\s*")
_DECODER = json.JSONDecoder()
# A pretty-printed array (a Twitter archive's) ends each item with a "}" that starts a line.
# The text up to there is decoded whole by the fast decoder: if it is one JSON value, it is the
# item. Otherwise (another layout, a broken item, an item cut by the end of the text read so
# far) the standard decoder finds the item's end; a reader stops trying after a few such misses
# in a row.
_LINE_CLOSE = "\n}"
_QUICK_REACH = 256 * 1024
_QUICK_MISSES = 8


@dataclass(frozen=True, slots=True)
class BrokenItem:
    """An item of the array that could not be decoded (``number`` counts items from 1)."""

    number: int
    reason: str
    snippet: str


class _Reader:
    """The text read so far and the position of the next unread character."""

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.eof = False
        self.misses = 0  # items in a row the fast decoder could not take
        # Whether the bytes read so far hold a run of 20 digits (an integer orjson would round):
        # checked per chunk, so that items need no check of their own until one is found.
        self.long_digits = False
        self._tail = b""  # the end of the last chunk, where a run may begin

    def more(self) -> bool:
        """Append the next chunk of text; False once the stream is exhausted."""
        if self.eof:
            return False
        data = self._read(CHUNK_BYTES)
        self.eof = not data
        if not self.long_digits:
            seen = self._tail + data
            self.long_digits = may_hold_huge_integer(seen)
            self._tail = seen[-19:]
        try:
            added = self._decoder.decode(data, final=self.eof)
        except UnicodeDecodeError as error:
            self.eof = True
            raise RecordError(f"not UTF-8 text: {error.reason}") from error
        # Drop what is already decoded, so memory holds about one chunk plus one item.
        self.text = self.text[self.pos :] + added
        self.pos = 0
        return True

    def skip_space(self) -> str:
        """Skip whitespace and return the next character ('' at the end of the stream)."""
        while True:
            match = _SPACE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def decode_item(self) -> Any:
        """Decode the value starting at ``pos``; JSONDecodeError if it is broken."""
        if self.misses < _QUICK_MISSES:
            found, value = self._quick_item()
            if found:
                self.misses = 0
                return value
            self.misses += 1
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except RecursionError as error:
                raise too_deep() from error
            except json.JSONDecodeError as error:
                if self._maybe_cut_short(error) and self.more():
                    continue
                raise
            # A number at the very end of the buffer may go on in the next chunk.
            if end == len(self.text) and self.more():
                continue
            start, self.pos = self.pos, end
            # Only a \u escape can make a lone surrogate; most items have none to look for.
            return without_surrogates(value) if "\\u" in self.text[start:end] else value

    def _quick_item(self) -> tuple[bool, Any]:
        # Only the text at hand: reading ahead could meet a broken chunk (bytes that are not
        # UTF-8) the item does not reach. An item cut by the buffer's end takes the slow way.
        end = self.text.find(_LINE_CLOSE, self.pos, self.pos + _QUICK_REACH)
        if end < 0:
            return False, None
        try:
            value = loads(self.text[self.pos : end + len(_LINE_CLOSE)],
                          digits_checked=not self.long_digits)
        except json.JSONDecodeError:
            return False, None
        self.pos = end + len(_LINE_CLOSE)
        return True, value

    def _maybe_cut_short(self, error: json.JSONDecodeError) -> bool:
        if len(self.text) - self.pos > MAX_ITEM_CHARS:
            return False
        # Text cut at the end of a chunk fails at its very end, or inside an open string.
        return error.pos >= len(self.text) - 6 or error.msg.startswith("Unterminated string")

    def resync(self, pattern: re.Pattern[str]) -> bool:
        """Move to just after the next match of ``pattern``; False if there is none."""
        offset = 1
        while True:
            match = pattern.search(self.text, self.pos + offset)
            if match:
                self.pos = match.end()
                return True
            # Search the new text with some overlap: a match may straddle two chunks.
            offset = max(1, len(self.text) - self.pos - 200)
            if len(self.text) - self.pos > MAX_ITEM_CHARS or not self.more():
                return False


def iter_array(
    read: Callable[[int], bytes],
    prefix: re.Pattern[str] | None = None,
    resync: re.Pattern[str] | None = None,
    first: int = 1,
) -> Iterator[tuple[int, Any] | BrokenItem]:
    """Yield ``(item number, value)`` for each item of a JSON array, or a BrokenItem.

    ``prefix`` matches text to skip before the array (such as ``window.YTD.tweets.part0 =``);
    ``resync`` matches the text between a broken item and the start of the next one; items are
    numbered from ``first``. Raises RecordError if the text is not a JSON array at all.
    """
    reader = _Reader(read)
    reader.skip_space()
    while len(reader.text) - reader.pos < _PREFIX_CHARS and reader.more():
        pass  # a prefix is matched on the text at hand, so have enough of it
    # Matched on a slice: '^' in a pattern matches only at the start of the string searched.
    if prefix is not None and (match := prefix.match(reader.text[reader.pos :])):
        reader.pos += match.end()
    if reader.skip_space() != "[":
        raise RecordError("the file does not hold a JSON array")
    reader.pos += 1
    number = first - 1
    while True:
        try:
            ahead = reader.skip_space()
        except RecordError as error:
            yield BrokenItem(number + 1, str(error), "")
            return
        if ahead == "]":
            return
        if ahead == "":
            yield BrokenItem(number + 1, "the array is cut short (no closing ']')", "")
            return
        if ahead == "," and number >= first:
            reader.pos += 1
            continue
        number += 1
        if not (yield from _item(reader, number, resync)):
            return


def _item(
    reader: _Reader, number: int, resync: re.Pattern[str] | None
) -> Generator[tuple[int, Any] | BrokenItem, None, bool]:
    """Yield one item or a BrokenItem; return False when reading cannot go on after it."""
    try:
        yield number, reader.decode_item()
        return True
    except json.JSONDecodeError as error:
        # Lines and columns mean little in a buffer that starts mid-file.
        reason = f"invalid JSON: {error.msg}"
    except RecordError as error:
        reason = str(error)
    # A failed decode leaves pos at the item's start (the buffer may have moved under it).
    yield BrokenItem(number, reason, snippet(reader.text[reader.pos :]))
    # Nothing after a broken item can be trusted without a known item boundary.
    return resync is not None and reader.resync(resync)
