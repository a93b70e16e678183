"""Small builders for domain objects in tests."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatarchive import formats
from chatarchive.models import Author, Message, ParsedRecord, RawExport, Rejected

START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


def author(handle: str, name: str | None = None) -> Author:
    return Author(id=f"twitter:{zlib.crc32(handle.encode())}",
                  platform="twitter", handle=handle, display_name=name or handle.title(),
                  url=f"https://twitter.com/{handle}")


def message(
    native_id: int, who: Author, text: str, minute: float = 0, **fields: object
) -> Message:
    return Message(
        id=f"twitter:{native_id}", platform="twitter", native_id=str(native_id), author=who,
        text=text, created_at=START + timedelta(minutes=minute),
        url=f"https://twitter.com/{who.handle}/status/{native_id}",
        hashtags=fields.pop("hashtags", ("solopr",)),  # type: ignore[arg-type]
        **fields,  # type: ignore[arg-type]
    )


def record(msg: Message, line: int) -> ParsedRecord:
    return ParsedRecord(message=msg, raw=json.dumps({"id_str": msg.native_id}),
                        location=f"line {line}")


def raw_export(path: Path, sha: str = "0" * 64) -> RawExport:
    return RawExport(origin=str(path), path=path, sha256=sha, name=path.name)


def read_export(
    path: Path, fmt: str = "auto", options: dict[str, str] | None = None
) -> tuple[str, list[ParsedRecord | Rejected]]:
    """Read a file as the import would: its format's name and every record."""
    name, records = formats.parse(raw_export(path, ""), fmt, options)
    return name, list(records)


def parsed_of(records: list[ParsedRecord | Rejected]) -> list[ParsedRecord]:
    return [record for record in records if isinstance(record, ParsedRecord)]


def messages_of(records: list[ParsedRecord | Rejected]) -> list[Message]:
    return [record.message for record in parsed_of(records)]
