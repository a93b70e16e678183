"""Local sources: files, folders, globs, inbox folders and stdin; URL templates; cleanup."""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO

from ..errors import SourceError
from ..models import RawExport
from .spool import CHUNK, Spool

SETTLE_SECONDS = 2.0  # an inbox file modified more recently than this may still be being written
PLACEHOLDER = re.compile(r"\{(\w*)\}")
PLACEHOLDERS = ("date", "hashtag", "yyyy", "mm", "dd")

log = logging.getLogger(__name__)


def is_url(value: str) -> bool:
    """Whether a source is an http(s) URL."""
    return value.startswith(("http://", "https://"))


def expand_template(value: str, occurrence_local_date: date, hashtag: str) -> str:
    """Fill {date} (YYYY-MM-DD), {hashtag}, {yyyy}, {mm} and {dd} in a source path or URL."""
    values = {
        "date": occurrence_local_date.isoformat(),
        "hashtag": hashtag.lstrip("#"),
        "yyyy": f"{occurrence_local_date.year:04d}",
        "mm": f"{occurrence_local_date.month:02d}",
        "dd": f"{occurrence_local_date.day:02d}",
    }

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            known = ", ".join("{" + known + "}" for known in PLACEHOLDERS)
            raise SourceError(value, f"unknown placeholder {match.group(0)}; use {known}")
        return values[name]

    return PLACEHOLDER.sub(fill, value)


def expand(value: str) -> list[Path]:
    """The local files a path, folder or glob names, sorted; hidden files are skipped."""
    path = Path(value).expanduser()
    if path.is_dir():
        return _folder_files(path)
    if path.is_file():
        return [path]
    if glob.has_magic(value):
        matched = [Path(p) for p in sorted(glob.glob(os.path.expanduser(value), recursive=True))]
        files = [p for p in matched if p.is_file()]
        if files:
            return files
        raise SourceError(value, "no file matches this pattern")
    raise SourceError(value, "no such file or folder; check the path (relative paths are read"
                      " from the current folder)")


def _folder_files(folder: Path) -> list[Path]:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file()]
    return [p for p in files if not _hidden(p.relative_to(folder))]


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _export_of(path: Path) -> RawExport:
    try:
        return RawExport(origin=str(path), path=path, sha256=sha256_file(path), name=path.name)
    except OSError as error:
        raise SourceError(str(path), f"cannot be read ({error.strerror})") from error


def local_exports(value: str) -> Iterator[RawExport]:
    """Every export a path, folder or glob names."""
    for path in expand(value):
        yield _export_of(path)


def inbox_exports(
    folder: Path, settle_seconds: float = SETTLE_SECONDS, clock: Callable[[], float] = time.time,
) -> Iterator[RawExport]:
    """Every settled, non-hidden file in an inbox folder (recursively); nothing is moved."""
    if not folder.is_dir():
        raise SourceError(str(folder), "the inbox folder does not exist; create it or fix the"
                          " path")
    # No state of our own: the archive skips content it has already imported (by SHA-256), so a
    # new file is imported once and a changed file again.
    now = clock()
    for path in _folder_files(folder):
        try:
            modified = path.stat().st_mtime
        except FileNotFoundError:
            continue  # removed between listing and reading: nothing to import
        if now - modified < settle_seconds:
            log.info("%s: modified %.1f s ago, may still be being written; next time",
                        path, max(now - modified, 0.0))
            continue
        yield _export_of(path)


def stdin_export(stream: BinaryIO | None = None) -> RawExport:
    """Spool standard input to a temporary file and return it as an export."""
    source = stream if stream is not None else sys.stdin.buffer
    with Spool("-", "stdin", gunzip=False) as spool:
        while chunk := source.read(CHUNK):
            spool.write(chunk)
        path, sha256 = spool.close()
    return RawExport(origin="-", path=path, sha256=sha256, name="stdin")


def discard(raw: RawExport) -> None:
    """Delete the temporary file of a spooled export (stdin or download); local files stay."""
    if raw.origin == "-" or is_url(raw.origin):
        raw.path.unlink(missing_ok=True)
