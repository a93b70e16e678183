"""Topsy search exports (as enriched by researchers): the generic CSV with Topsy's columns.

Topsy (a Twitter search service, closed in 2015) wrote the text in ``content``, the poster in
``trackback_author_nick`` and their post's address in ``trackback_permalink``, and only a date,
``firstpost_date`` (MM/DD/YY). A retweet may be listed under the original's ``id`` and ``url``
while the permalink is the retweet's own: the generic reader handles that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from chatarchive.formats.csvtools import has_columns, header_of
from chatarchive.formats.generic_csv import read_mapped
from chatarchive.formats.registry import register
from chatarchive.models import ParsedRecord, Rejected

MAPPING: Mapping[str, str] = {
    "text": "content",
    "id": "id",
    "author": "trackback_author_nick",
    "date": "firstpost_date",
    "url": "url",
    "permalink": "trackback_permalink",
    "lang": "lang",
    "repost_count": "retweet_count",
    "hashtags": "hashtags",
}


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like a Topsy export."""
    header = header_of(head)
    if not has_columns(header, "content", "trackback_author_nick", "firstpost_date"):
        return 0
    return 95 if has_columns(header, "trackback_permalink", "id") else 80


@register(
    name="topsy",
    description="Topsy search export CSV (content, trackback_author_nick, firstpost_date, ...)",
    origin_hint="Topsy (closed 2015) search exports, as shared in research repositories",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read a Topsy CSV through its preset mapping; ``options`` may remap single columns."""
    mapping = {key: column for key, column in MAPPING.items()}
    mapping.update(options)
    return read_mapped(path, origin, mapping, guess=False)
