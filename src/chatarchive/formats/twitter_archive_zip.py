"""The whole "Download your archive" ZIP of Twitter/X, read in place without unpacking it.

Only the tweets are read: ``data/tweets.js`` (older archives: ``data/tweet.js``) and its further
parts ``data/tweets-part1.js``, ``tweets-part2.js`` ... (``tweet-partN.js``), with
``data/account.js`` beside them for their author. Every other entry (media, likes, messages,
the HTML viewer) is left unread. Entries are read streamed, item by item, and never written to
disk.

Safety: entries whose names are absolute or contain ``..`` are ignored. An entry that would be
read but unpacks to more than 1 GiB, or to more than 100 times its packed size (a zip bomb), is
refused with a Rejected naming the entry; the other parts are still read. ``zipfile`` itself
stops at an entry's declared size, so the declared sizes checked here bound what is unpacked.
"""

from __future__ import annotations

import logging
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatarchive.errors import FormatError
from chatarchive.formats._jsonarray import BrokenItem, iter_array
from chatarchive.formats.reading import RecordError
from chatarchive.formats.registry import register
from chatarchive.formats.tweets_js import NEXT_ITEM, PART_PREFIX, archive_record, owner_of_account
from chatarchive.models import Author, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

MAX_ENTRY_BYTES = 1024**3
MAX_RATIO = 100
_ZIP_MAGIC = b"PK\x03\x04"
_TWEET_ENTRY = re.compile(r"^tweets?(?:-part(?P<part>\d+))?\.js$", re.IGNORECASE)
# Entry names an archive's first local headers carry; the viewer page comes first in real ones.
_MARKERS = re.compile(rb"Your archive\.html|data/(?:manifest|account|tweets?(?:-part\d+)?)\.js")
_ARCHIVE_NAME = re.compile(r"^twitter-\d{4}-\d\d-\d\d-\w+\.zip$", re.IGNORECASE)
_UNPACK_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError)


@dataclass(frozen=True, slots=True)
class _Part:
    """One tweets part inside the ZIP."""

    info: zipfile.ZipInfo
    folder: str  # the entry's folder inside the ZIP, usually "data"
    number: int  # 0 for tweets.js, N for tweets-partN.js


def sniff(head: bytes, name: str) -> int:
    """Score how much a file looks like a Twitter archive ZIP (its first entry names)."""
    if not head.startswith(_ZIP_MAGIC):
        return 0
    if _MARKERS.search(head):
        return 100
    return 80 if _ARCHIVE_NAME.match(name) else 0


def is_safe_name(name: str) -> bool:
    """Tell whether a ZIP entry name stays inside the archive (not absolute, no '..')."""
    parts = re.split(r"[\\/]", name)
    absolute = name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None
    return not absolute and ".." not in parts


def refusal(info: zipfile.ZipInfo) -> str | None:
    """Say why an entry must not be unpacked (too big, or a zip bomb), or None if it is fine."""
    if info.file_size > MAX_ENTRY_BYTES:
        return (
            f"refused: it unpacks to {info.file_size:,} bytes, over the limit of "
            f"{MAX_ENTRY_BYTES:,} bytes"
        )
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        return (
            f"refused: it unpacks to {ratio} times its packed size, over the {MAX_RATIO}:1 "
            "limit (a zip bomb?)"
        )
    return None


def _tweet_parts(archive: zipfile.ZipFile) -> list[_Part]:
    parts = []
    for info in archive.infolist():
        if info.is_dir():
            continue
        if not is_safe_name(info.filename):
            logger.warning("ignoring the ZIP entry %r: its name points outside", info.filename)
            continue
        folder, _, base = info.filename.replace("\\", "/").rpartition("/")
        match = _TWEET_ENTRY.match(base)
        # macOS zips carry "__MACOSX/data/._tweets.js" resource forks beside the real entries.
        if match and not folder.startswith("__MACOSX"):
            parts.append(_Part(info, folder, int(match["part"] or 0)))
    return sorted(parts, key=lambda part: (part.folder, part.number))


def _items(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo
) -> Iterator[tuple[int, Any] | BrokenItem | Rejected]:
    """Yield the items of one archive part inside the ZIP, or Rejected if it cannot be read."""
    problem = refusal(info)
    if problem is not None:
        yield Rejected(info.filename, problem, "")
        return
    try:
        with archive.open(info) as stream:
            yield from iter_array(stream.read, PART_PREFIX, NEXT_ITEM)
    except RecordError as error:
        yield Rejected(info.filename, str(error), "")
    except _UNPACK_ERRORS as error:
        yield Rejected(info.filename, f"cannot unpack the entry: {error}", "")


def _owner(archive: zipfile.ZipFile, folder: str) -> Author | None:
    name = f"{folder}/account.js" if folder else "account.js"
    try:
        info = archive.getinfo(name)
    except KeyError:
        logger.info("no %s in the ZIP; authors come from the tweets", name)
        return None
    items = []
    for entry in _items(archive, info):
        if isinstance(entry, tuple):
            items.append(entry[1])
        else:
            logger.warning("%s: %s", name, entry.reason)
    owner = owner_of_account(items)
    if owner is None:
        logger.warning("ignoring %s: no accountId or username in it", name)
    return owner


def _part_records(
    archive: zipfile.ZipFile, part: _Part, owner: Author | None
) -> Iterator[ParsedRecord | Rejected]:
    name = part.info.filename
    for entry in _items(archive, part.info):
        if isinstance(entry, Rejected):
            yield entry
        elif isinstance(entry, BrokenItem):
            yield Rejected(f"{name} item {entry.number}", entry.reason, entry.snippet)
        else:
            number, item = entry
            yield archive_record(item, owner, f"{name} item {number}")


@register(
    name="twitter-archive-zip",
    description='the whole Twitter/X "Download your archive" ZIP, read in place (tweets only)',
    origin_hint="twitter-YYYY-MM-DD-<hash>.zip from X settings: Download an archive of your data",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read the tweets parts of the archive ZIP in order, each item streamed from the ZIP."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise FormatError(origin, f"not a readable ZIP archive ({error})") from error
    with archive:
        parts = _tweet_parts(archive)
        if not parts:
            raise FormatError(
                origin,
                "the ZIP holds no data/tweets.js (nor tweet.js or tweets-partN.js); "
                "is it a Twitter archive?",
            )
        owners: dict[str, Author | None] = {}
        for part in parts:
            if part.folder not in owners:
                owners[part.folder] = _owner(archive, part.folder)
            yield from _part_records(archive, part, owners[part.folder])
