"""Reading helpers shared by the CSV formats: streamed rows with locations, cell cleaning, ids.

Rows are read with the ``csv`` module from lines decoded one at a time, so a quoted field may
span lines, a bad byte only costs its own row, and every row knows where it starts in the file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from chatarchive.errors import FormatError
from chatarchive.formats.reading import RecordError, compact_json, head_text, snippet
from chatarchive.formats.twitter import parse_created_at
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

_BOM = b"\xef\xbb\xbf"
# Cells that mean "no value": R's NA, pandas' nan, Python literals written by str().
EMPTY_VALUES = frozenset({"", "NA", "N/A", "None", "nan", "NaN", "True", "False"})
_MANGLED_NUMBER = re.compile(r"^\d(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)
_DIGITS = re.compile(r"^\d+$")
_COUNT = re.compile(r"^(\d+)(?:\.0+)?$")
_STATUS_URL = re.compile(
    r"(?:twitter|x)\.com/(?:#!/)?(?:i/web|[A-Za-z0-9_]+)/status(?:es)?/(\d+)", re.IGNORECASE
)
_LIST_SEPARATORS = re.compile(r"[\s~,;|]+")
_DATE_TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M")


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: its number among data rows, the line it starts on, and its cells."""

    number: int
    line: int
    cells: Mapping[str, str]  # by column name; a repeated column keeps its first cell
    raw: str  # every cell, as compact JSON (repeated columns as "name#2")

    @property
    def location(self) -> str:
        """Return where the row is, e.g. 'row 12 (line 15)'."""
        return f"row {self.number} (line {self.line})"

    def get(self, column: str | None) -> str | None:
        """Return a cell stripped of spaces, or None when it is absent or an empty marker."""
        if column is None:
            return None
        value = self.cells.get(column)
        if value is None:
            return None
        value = value.strip()
        return None if value in EMPTY_VALUES else value

    def reject(self, reason: str) -> Rejected:
        """Build the Rejected for this row."""
        return Rejected(location=self.location, reason=reason, snippet=snippet(self.raw))


class _Lines:
    """Decode a binary file line by line for the csv module, remembering undecodable lines."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)
        self.number = 0
        self.bad: dict[int, str] = {}

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = next(self._lines)
        self.number += 1
        if self.number == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self.bad[self.number] = error.reason
            return raw.decode("utf-8", errors="replace")


def header_of(head: bytes) -> list[str]:
    """Return the column names of a CSV file's first line, for sniffing (empty if not CSV)."""
    text = head_text(head)
    if not text or text[0] in "{[<":
        return []
    first_line = text.splitlines()[0] if text else ""
    try:
        names = next(csv.reader(io.StringIO(first_line)), [])
    except csv.Error:
        return []
    return [name.strip() for name in names] if len(names) > 1 else []


def _header(names: Sequence[str], origin: str) -> list[str]:
    header = [name.strip().lstrip("\ufeff") for name in names]
    seen: set[str] = set()
    for name in header:
        if name in seen:
            logger.warning("%s: column %r appears twice; its first copy is read", origin, name)
        seen.add(name)
    return header


def _cells(header: Sequence[str], values: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Return the cells by name (first copy wins) and all cells for the raw record."""
    cells: dict[str, str] = {}
    every: dict[str, str] = {}
    for name, value in zip(header, values, strict=True):
        cells.setdefault(name, value)
        key, copy = name, 1
        while key in every:
            copy += 1
            key = f"{name}#{copy}"
        every[key] = value
    return cells, every


def read_rows(stream: Iterable[bytes], origin: str) -> Iterator[CsvRow | Rejected]:
    """Yield each data row of a CSV file (given as binary lines), or a Rejected for a bad one."""
    lines = _Lines(stream)
    reader = csv.reader(lines)
    header: list[str] | None = None
    number, start = 0, 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            number += 1
            where = f"row {number} (line {start})"
            yield Rejected(where, f"unreadable CSV: {error}", "")
            start = lines.number + 1
            continue
        line, start = start, lines.number + 1
        if not values or (header is None and not any(v.strip() for v in values)):
            continue
        if header is None:
            header = _header(values, origin)
            continue
        number += 1
        yield _row(header, values, number, line, lines)
    if header is None:
        raise FormatError(origin, "the CSV file is empty: it has no header row")


def _row(
    header: Sequence[str], values: Sequence[str], number: int, line: int, lines: _Lines
) -> CsvRow | Rejected:
    where = f"row {number} (line {line})"
    bad = [lines.bad[n] for n in range(line, lines.number + 1) if n in lines.bad]
    if bad:
        reason = f"not UTF-8 text ({bad[0]}); save the file as UTF-8 CSV"
        return Rejected(where, reason, snippet(",".join(values)))
    if len(values) != len(header):
        reason = (
            f"the row has {len(values)} fields but the header has {len(header)} "
            "(a quote or a comma out of place?)"
        )
        return Rejected(where, reason, snippet(",".join(values)))
    cells, every = _cells(header, values)
    return CsvRow(number=number, line=line, cells=cells, raw=compact_json(every))


def is_blank(row: CsvRow) -> bool:
    """Tell whether every cell of a row is empty (spreadsheets export such rows)."""
    return all(row.get(column) is None for column in row.cells)


def is_mangled_number(value: str) -> bool:
    """Tell whether a spreadsheet rewrote a long number in scientific notation (1.26426E+18)."""
    return bool(_MANGLED_NUMBER.match(value.strip()))


def status_id_of(url: str | None) -> str | None:
    """Return the status id in a tweet's web address, or None."""
    match = _STATUS_URL.search(url or "")
    return match.group(1) if match else None


def tweet_id(row: CsvRow, id_column: str | None, url_column: str | None = None) -> str:
    """Return a row's tweet id as text, from its id cell or else its status URL."""
    value = row.get(id_column)
    if value is not None and _DIGITS.match(value):
        return value
    from_url = status_id_of(row.get(url_column))
    if from_url is not None:
        return from_url
    if value is None:
        where = f"column {id_column} is empty" if id_column else "no id or url column"
        raise RecordError(f"no tweet id ({where})")
    if is_mangled_number(value):
        raise RecordError(
            f"id mangled by a spreadsheet ({value}); "
            "re-export the sheet as CSV without opening it in Excel"
        )
    raise RecordError(f"the tweet id is not a number: {value!r}")


def optional_id(row: CsvRow, column: str | None) -> str | None:
    """Return an id cell (a reply's target, a user id) as text; None if empty or unusable."""
    value = row.get(column)
    if value is None or _DIGITS.match(value):
        return value
    logger.warning("%s: ignoring unusable %s %r", row.location, column, value)
    return None


def count(value: str | None) -> int | None:
    """Return a count cell as int ('3' or pandas' '3.0'), else None."""
    match = _COUNT.match(value or "")
    return int(match.group(1)) if match else None


def post_text(value: str) -> str:
    """Return a post's text with Windows line ends made plain and outer spaces stripped."""
    return value.replace("\r\n", "\n").strip()


def required_cell(row: CsvRow, column: str, problem: str | None = None) -> str:
    """Return a cell that must hold a value; RecordError ``problem`` (or 'no <column>') if not."""
    value = row.get(column)
    if value is None:
        raise RecordError(problem or f"the row has no {column}")
    return value


def required_text(row: CsvRow, column: str, problem: str | None = None) -> str:
    """Return a post's text cell through ``post_text``; RecordError if it is blank."""
    text = row.cells.get(column, "")
    if not text.strip():
        raise RecordError(problem or f"the row has no {column}")
    return post_text(text)


def list_cell(value: str | None) -> list[str]:
    """Split a cell listing several values ('a b', 'a~b', 'a,b'), dropping '#' and '@'."""
    items = _LIST_SEPARATORS.split(value or "")
    return [item.lstrip("#@") for item in items if item.lstrip("#@")]


def parse_time(value: str, native_id: str) -> datetime:
    """Parse a timestamp cell (Twitter, ISO or US style) as aware UTC."""
    try:
        return parse_created_at(value, native_id)
    except RecordError:
        pass
    for pattern in _DATE_TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise RecordError(f"unreadable time: {value!r}")


def rows_of(path: Path, origin: str) -> Iterator[CsvRow | Rejected]:
    """Stream the data rows of the CSV file at ``path``."""
    with path.open("rb") as stream:
        yield from read_rows(stream, origin)


def has_columns(header: Iterable[str], *names: str) -> bool:
    """Tell whether a header has every one of ``names``."""
    present = set(header)
    return all(name in present for name in names)


def read_messages(
    path: Path, origin: str, build: Callable[[CsvRow], Message], *, skip_repeats: bool = False
) -> Iterator[ParsedRecord | Rejected]:
    """Stream a CSV's rows as messages made by ``build``; a RecordError rejects only its row."""
    seen: set[str] = set()
    for row in rows_of(path, origin):
        if isinstance(row, Rejected):
            yield row
            continue
        if is_blank(row):
            continue
        try:
            message = build(row)
        except RecordError as error:
            yield row.reject(str(error))
            continue
        if skip_repeats and message.id in seen:
            logger.debug("%s: %s already read; skipped", row.location, message.id)
            continue
        seen.add(message.id)
        yield ParsedRecord(message=message, raw=row.raw, location=row.location)
