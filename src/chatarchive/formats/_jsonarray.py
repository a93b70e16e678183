"""Read the items of a large JSON array one by one, without holding the whole document.

The standard library decodes whole documents only; this reader decodes one array item at a time
from a growing buffer, so a Twitter archive's tweets.js or a big exported array is read in
bounded memory and a broken item does not lose the items before it. After a broken item,
reading resumes at the next item start when the caller can describe one (``resync``), else it
stops there.

Items in a Twitter archive's layout are decoded by orjson straight from the bytes read; anything
else (another layout, a broken item) by the standard decoder (``JSONDecoder.raw_decode``) from
text decoded as it is needed.
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
    loads_fast,
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
# The characters "\s" matches among ASCII, as bytes: whitespace that needs no decoding.
_ASCII_SPACE = re.compile(rb"[\t\n\x0b\x0c\r\x1c-\x1f ]*")
_DECODER = json.JSONDecoder()
# A pretty-printed array (a Twitter archive's) ends each item with a "}" that starts a line.
# The input up to there is decoded whole by the fast decoder: if it is one JSON value, it is the
# item. Otherwise (another layout, a broken item) the standard decoder finds the item's end; a
# reader stops trying after a few such misses in a row.
_LINE_CLOSE = "\n}"
_LINE_CLOSE_BYTES = b"\n}"
_QUICK_REACH = 256 * 1024
_QUICK_MISSES = 8


@dataclass(frozen=True, slots=True)
class BrokenItem:
    """An item of the array that could not be decoded (``number`` counts items from 1)."""

    number: int
    reason: str
    snippet: str


class _Reader:
    """The input not yet read: the text decoded so far from ``pos``, then the bytes read but
    not decoded from ``bpos``, then the rest of the stream.

    The fast decoder takes items straight from the bytes (orjson checks they are UTF-8); the
    standard decoder and the patterns work on text, decoded when they need it. Bytes that are
    not UTF-8 cost only the item they are in: the text before them is decoded, the error is
    raised when text beyond them is asked for, and decoding goes on after them.
    """

    def __init__(self, read: Callable[[int], bytes]) -> None:
        self._read = read
        self.text = ""
        self.pos = 0
        self.data = b""
        self.bpos = 0
        self.eof = False
        self._bad: str | None = None  # why the bytes at bpos are not UTF-8 text
        self._bad_length = 0  # and how many of them there are
        self.misses = 0  # items in a row the fast decoder could not take
        # Whether the bytes read so far hold a run of 20 digits (an integer orjson would round):
        # checked per chunk, so that items need no check of their own until one is found.
        self.long_digits = False
        self._tail = b""  # the end of the last chunk, where a run may begin
        while len(self.data) < len(codecs.BOM_UTF8) and self._fill():
            pass  # a byte order mark at the start is dropped, as "utf-8-sig" does
        if self.data.startswith(codecs.BOM_UTF8):
            self.bpos = len(codecs.BOM_UTF8)

    def _fill(self) -> bool:
        """Read the next chunk of bytes; False once the stream is exhausted."""
        if self.eof:
            return False
        data = self._read(CHUNK_BYTES)
        if not data:
            self.eof = True
            return False
        if not self.long_digits:
            seen = self._tail + data
            self.long_digits = may_hold_huge_integer(seen)
            self._tail = seen[-19:]
        # Drop what is already read, so memory holds about one chunk plus one item.
        self.data = self.data[self.bpos :] + data
        self.bpos = 0
        return True

    def _decode(self) -> str:
        """Decode the bytes read (a character cut at their end waits for the next chunk); of
        bytes that are not UTF-8, decode what comes before them and remember why."""
        data = self.data[self.bpos :]
        try:
            text, used = codecs.utf_8_decode(data, "strict", self.eof)
        except UnicodeDecodeError as error:
            text, used = codecs.utf_8_decode(data[: error.start], "strict", True)
            self._bad, self._bad_length = error.reason, error.end - error.start
        self.bpos += used
        return text

    def more(self) -> bool:
        """Append more decoded text; False once the input is exhausted."""
        while True:
            if self._bad is not None:
                # Raised once, for the item the bytes are in; the text after them reads on.
                reason, self._bad = self._bad, None
                self.bpos += self._bad_length
                raise RecordError(f"not UTF-8 text: {reason}")
            added = self._decode() if self.bpos < len(self.data) else ""
            if added:
                # Drop what is already decoded, so memory holds about one chunk plus one item.
                self.text = self.text[self.pos :] + added
                self.pos = 0
                return True
            if self._bad is None and not self._fill() and self.bpos == len(self.data):
                return False  # (bytes left at the end are a cut character: decoded as an error)

    def text_ahead(self, chars: int) -> str:
        """The next ``chars`` characters, fewer where the input ends or bytes that are not UTF-8
        come first (their error is raised when text beyond them is needed)."""
        while len(self.text) - self.pos < chars and self._bad is None and self.more():
            pass
        return self.text[self.pos : self.pos + chars]

    def _to_text(self) -> None:
        """Decode every byte read, for the standard decoder."""
        if self.bpos < len(self.data):
            self.text = self.text[self.pos :] + self._decode()
            self.pos = 0

    def _to_bytes(self) -> None:
        """Give the text not yet read back to the bytes (valid UTF-8: it was decoded from it)."""
        self.data = self.text[self.pos :].encode("utf-8") + self.data[self.bpos :]
        self.bpos = 0
        self.text, self.pos = "", 0
        self._bad = None  # bytes that are not UTF-8 are found again when they are decoded

    def skip_space(self) -> str:
        """Skip whitespace and return the next character ('' at the end of the stream)."""
        while self.pos == len(self.text):  # no text at hand: skip ASCII space in the bytes
            self.bpos = _ASCII_SPACE.match(self.data, self.bpos).end()  # type: ignore[union-attr]
            if self.bpos < len(self.data):
                if self.data[self.bpos] < 0x80:
                    return chr(self.data[self.bpos])
                break  # a character beyond ASCII: decoded below
            if not self._fill():
                break
        while True:
            match = _SPACE.match(self.text, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def take(self) -> None:
        """Step over the character ``skip_space`` returned."""
        if self.pos < len(self.text):
            self.pos += 1
        else:
            self.bpos += 1

    def rest(self) -> str:
        """The text from ``pos`` on, decoded as far as the bytes read allow."""
        self._to_text()
        return self.text[self.pos :]

    def decode_item(self) -> Any:
        """Decode the value starting at ``pos``; JSONDecodeError if it is broken."""
        if self.misses < _QUICK_MISSES:
            found, value = self._quick_item()
            if found:
                self.misses = 0
                return value
            self.misses += 1
        self._to_text()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except RecursionError as error:
                raise too_deep() from error
            except json.JSONDecodeError as error:
                if self._maybe_cut_short(error) and self.more():
                    continue
                raise
            # A number at the very end of the text may go on in the next chunk.
            if end == len(self.text) and self.text[end - 1].isdigit() and self.more():
                continue
            start, self.pos = self.pos, end
            # Only a \u escape can make a lone surrogate; most items have none to look for.
            return without_surrogates(value) if "\\u" in self.text[start:end] else value

    def _quick_item(self) -> tuple[bool, Any]:
        if self.pos < len(self.text):  # text decoded for the standard decoder: read it first
            end = self.text.find(_LINE_CLOSE, self.pos, self.pos + _QUICK_REACH)
            if end >= 0:
                found, value = loads_fast(self.text[self.pos : end + len(_LINE_CLOSE)],
                                          digits_checked=not self.long_digits)
                if found:
                    self.pos = end + len(_LINE_CLOSE)
                return found, value
            if len(self.text) - self.pos >= _QUICK_REACH:
                return False, None
            self._to_bytes()  # an item cut by the end of the text: go on in the bytes
        while (end := self.data.find(_LINE_CLOSE_BYTES, self.bpos,
                                     self.bpos + _QUICK_REACH)) < 0:
            if len(self.data) - self.bpos >= _QUICK_REACH or not self._fill():
                return False, None
        found, value = loads_fast(self.data[self.bpos : end + len(_LINE_CLOSE_BYTES)],
                                  digits_checked=not self.long_digits)
        if found:
            self.bpos = end + len(_LINE_CLOSE_BYTES)
        return found, value

    def _maybe_cut_short(self, error: json.JSONDecodeError) -> bool:
        if len(self.text) - self.pos > MAX_ITEM_CHARS:
            return False
        # Text cut at the end of a chunk fails at its very end, or inside an open string.
        return error.pos >= len(self.text) - 6 or error.msg.startswith("Unterminated string")

    def resync(self, pattern: re.Pattern[str]) -> bool:
        """Move to just after the next match of ``pattern``; False if there is none."""
        self._to_text()
        offset = 1
        while True:
            match = pattern.search(self.text, self.pos + offset)
            if match:
                self.pos = match.end()
                return True
            # Search the new text with some overlap: a match may straddle two chunks.
            offset = max(1, len(self.text) - self.pos - 200)
            if len(self.text) - self.pos > MAX_ITEM_CHARS or not self._more_skipping():
                return False

    def _more_skipping(self) -> bool:
        """``more``, passing over bytes that are not UTF-8 (in a stretch being skipped)."""
        while True:
            try:
                return self.more()
            except RecordError:
                continue


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
    # Matched on a slice: '^' in a pattern matches only at the start of the string searched.
    if prefix is not None and (match := prefix.match(reader.text_ahead(_PREFIX_CHARS))):
        reader.pos += match.end()
    if reader.skip_space() != "[":
        raise RecordError("the file does not hold a JSON array")
    reader.take()
    number = first - 1
    while True:
        try:
            ahead = reader.skip_space()
        except RecordError as error:  # bytes that are not UTF-8 between items
            number += 1
            yield BrokenItem(number, str(error), "")
            if resync is None or not reader.resync(resync):
                return
            continue
        if ahead == "]":
            return
        if ahead == "":
            yield BrokenItem(number + 1, "the array is cut short (no closing ']')", "")
            return
        if ahead == "," and number >= first:
            reader.take()
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
    yield BrokenItem(number, reason, snippet(reader.rest()))
    # Nothing after a broken item can be trusted without a known item boundary: reading goes
    # on after the next one the caller describes.
    return resync is not None and reader.resync(resync)
