"""The tweets.js (or tweet.js) of Twitter's "Download your archive", with account.js beside it.

Archive parts are JavaScript: ``window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]``. The
tweets are v1.1-shaped but carry no ``user``: the author is the archive's owner, read from the
``account.js`` in the same folder.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from chatarchive.errors import FormatError
from chatarchive.formats._jsonarray import BrokenItem, iter_array
from chatarchive.formats.reading import (
    Part,
    RecordError,
    current_part,
    head_text,
    load_json_document,
    make_record,
    rejected_record,
)
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import (
    as_dict,
    id_text,
    make_author,
    message_from_v1,
    v1_author,
)
from chatarchive.models import Author, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

# PART_PREFIX and NEXT_ITEM are shared with the reader of the whole archive ZIP
# (twitter_archive_zip.py), which reads the same parts from inside the ZIP.
PART_PREFIX = re.compile(r"^\s*window\.YTD\.(?P<part>\w+)\.part\d+\s*=\s*")
_TWEET_PARTS = ("tweets", "tweet")
_BARE_ARRAY = re.compile(r'^\[\s*\{\s*"tweet"\s*:')
_FILE_NAME = re.compile(r"^tweets?(-part\d+)?\.js$", re.IGNORECASE)
# Between two items of a part: the archive writes '}, {' then the item's only key, "tweet".
NEXT_ITEM = re.compile(r'\}\s*,\s*(?=\{\s*"tweet"\s*:)')
# The same in the file's bytes. It cannot match inside a string, where every '"' is escaped.
_NEXT_ITEM_BYTES = re.compile(rb'\}\s*,\s*(?=\{\s*"tweet"\s*:)')
# How far past the cut to look for the boundary between two items.
_HALVES_WINDOW = 4 * 1024 * 1024
# Where to cut, as a share of the file: the worker reading the second part first counts the
# items before it (_items_before), which costs about 3% of reading them, so its part is made
# that much smaller for both to end together.
_CUT_SHARE = 0.515


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like an archive's tweets.js."""
    text = head_text(head)
    match = PART_PREFIX.match(text)
    if match:
        return 100 if match["part"] in _TWEET_PARTS else 0
    if _BARE_ARRAY.match(text):
        # The same array with the JavaScript prefix already stripped.
        return 90 if _FILE_NAME.match(name) else 85
    return 0


def read_part(path: Path, origin: str) -> list[Any]:
    """Read an archive part file (``window.YTD.<x>.partN = [...]``) as a list."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(origin, f"the file is not UTF-8 text ({error.reason})") from error
    match = PART_PREFIX.match(text)
    body = text[match.end() :] if match else text
    value = load_json_document(path, origin, body.strip().rstrip(";"))
    if not isinstance(value, list):
        raise FormatError(origin, "the archive part does not hold a list of items")
    return value


def account_author(folder: Path) -> Author | None:
    """Return the archive owner from ``account.js`` in ``folder``, or None if absent or broken."""
    path = folder / "account.js"
    if not path.is_file():
        return None
    try:
        items = read_part(path, str(path))
    except (FormatError, OSError) as error:
        logger.warning("ignoring %s: %s", path, error)
        return None
    owner = owner_of_account(items)
    if owner is None:
        logger.warning("ignoring %s: no accountId or username in it", path)
    return owner


def owner_of_account(items: list[Any]) -> Author | None:
    """Return the archive owner named by the items of an account.js, or None if it names none."""
    account = as_dict(as_dict(items[0] if items else None).get("account"))
    handle, name = account.get("username"), account.get("accountDisplayName")
    account_id = id_text(account.get("accountId"))
    if not isinstance(handle, str) or not handle or account_id is None:
        return None
    return make_author(account_id, handle, name if isinstance(name, str) else None)


def _author(tweet: dict[str, Any], owner: Author | None) -> Author:
    if owner is not None:
        return owner
    if isinstance(tweet.get("user"), dict):
        return v1_author(tweet)
    return make_author(None, None, None)


def archive_record(item: Any, owner: Author | None, location: str) -> ParsedRecord | Rejected:
    """Normalize one tweets.js item (``{"tweet": {...}}``); ``owner`` is its author when known."""
    tweet = as_dict(item).get("tweet", item)
    if not isinstance(tweet, dict):
        return rejected_record(location, 'not a tweet (expected {"tweet": {...}})', item)
    return make_record(location, item, lambda: message_from_v1(tweet, _author(tweet, owner)))


def item_halves(path: Path) -> tuple[Part, Part] | None:
    """Cut a tweets.js between two items near its middle; None if no boundary is found."""
    with path.open("rb") as stream:
        cut = int(os.fstat(stream.fileno()).st_size * _CUT_SHARE)
        stream.seek(cut)
        window = stream.read(_HALVES_WINDOW)
    match = _NEXT_ITEM_BYTES.search(window)
    if match is None:
        return None
    # The first part ends with its last item's '}', the second starts with its first '{'.
    return Part(0, cut + match.start() + 1), Part(cut + match.end())


def _part_reader(stream: BinaryIO, part: Part | None) -> tuple[Callable[[int], bytes], int]:
    """Read a part as an array of its own: the first part closed with ']', the second opened
    with '['; return the reader and the number of the part's first item."""
    if part is None:
        return stream.read, 1
    first = 1
    if part.start:
        # Its items come after as many items as there are boundaries before it.
        first += _items_before(stream, part.start)
        stream.seek(part.start)
    pending = [b"["] if part.start else []
    left = None if part.end is None else part.end - part.start

    def read(size: int) -> bytes:
        nonlocal left
        if pending:
            return pending.pop(0)
        if left is None:
            return stream.read(size)
        if left <= 0:
            return b""
        data = stream.read(min(size, left))
        left = left - len(data) if data else 0
        if left <= 0:
            pending.append(b"]")  # the first part's own closing bracket, then the end
        return data or pending.pop(0)

    return read, first


def _items_before(stream: BinaryIO, end: int) -> int:
    """How many boundaries between items end at or before byte ``end`` (read in chunks)."""
    stream.seek(0)
    count, buffer, buffer_start, counted_to = 0, b"", 0, 0
    while chunk := stream.read(min(_HALVES_WINDOW, end + 256 - buffer_start - len(buffer))):
        # A chunk keeps the tail of the one before: a boundary cut in two is found whole.
        buffer += chunk
        for match in _NEXT_ITEM_BYTES.finditer(buffer):
            start, stop = buffer_start + match.start(), buffer_start + match.end()
            if start >= counted_to and stop <= end:
                count, counted_to = count + 1, stop
        keep = min(len(buffer), 256)
        buffer_start += len(buffer) - keep
        buffer = buffer[-keep:]
    return count


@register(
    name="tweets-js",
    description='tweets.js / tweet.js of a Twitter archive ("window.YTD.tweets.part0 = [...]")',
    origin_hint='Twitter "Download your archive" ZIP, data/ folder (account.js read if beside it)',
    sniff=sniff,
    halves=item_halves,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read an archive's tweets item by item; a broken item costs only itself.

    A file in which not one item can be read is a FormatError, as for any broken JSON document.
    """
    owner = account_author(path.parent)
    if owner is None:
        logger.info("%s: no usable account.js beside it; authors come from the tweets", origin)
    broken: list[BrokenItem] = []  # held until an item reads: all broken means a broken file
    part = current_part()
    # A second part is judged with the first: its broken items are rejections like any other.
    read_any = part is not None and part.start > 0
    with path.open("rb") as stream:
        read, first = _part_reader(stream, part)
        try:
            for entry in iter_array(read, PART_PREFIX, NEXT_ITEM, first):
                if isinstance(entry, BrokenItem):
                    broken.append(entry)
                    if read_any:
                        yield from _rejections(broken)
                    continue
                read_any = True
                yield from _rejections(broken)
                yield archive_record(entry[1], owner, f"item {entry[0]}")
        except RecordError as error:
            raise FormatError(origin, str(error)) from error
    if broken:
        reason = broken[0].reason.removeprefix("invalid JSON: ")
        raise FormatError(origin, f"the file is not valid JSON: {reason}")


def _rejections(broken: list[BrokenItem]) -> Iterator[Rejected]:
    while broken:
        item = broken.pop(0)
        yield Rejected(f"item {item.number}", item.reason, item.snippet)
