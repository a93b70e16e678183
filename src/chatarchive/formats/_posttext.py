"""Small text helpers for the scraped formats, whose posts come without full entities.

Used by snscrape, twitter-web-exporter and the saved HTML pages: when a source gives no hashtag
entities, tags are read from the text; when it gives only a status address, the id and handle
are read from the address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Twitter's own entities never treat a URL fragment (example.com/#x) or an all-digit "#1" as a tag.
_URL = re.compile(r"https?://\S+")
_HASHTAG = re.compile(r"(?<![\w&/])#(\w+)")
_STATUS_URL = re.compile(
    r"^(?:https?://(?:www\.|mobile\.)?(?:twitter|x)\.com)?/(?P<handle>\w+)/status(?:es)?/"
    r"(?P<id>\d+)",
    re.IGNORECASE,
)
_TCO = re.compile(r"^https?://t\.co/", re.IGNORECASE)
_MEDIA_LINK = re.compile(
    r"^https?://(?:pic\.(?:twitter|x)\.com/|(?:www\.)?(?:twitter|x)\.com/\w+/status/\d+/"
    r"(?:photo|video)/\d+)",
    re.IGNORECASE,
)


def hashtags_in_text(text: str) -> list[str]:
    """Return the lower-case hashtags written in ``text`` (outside URLs), in order."""
    tags = _HASHTAG.findall(_URL.sub(" ", text))
    return [tag.lower() for tag in tags if not tag.isdigit()]


def status_parts(url: Any) -> tuple[str, str] | None:
    """Return ``(handle, id)`` of a tweet address (absolute or site-relative), else None."""
    if not isinstance(url, str):
        return None
    match = _STATUS_URL.match(url.strip())
    return (match["handle"], match["id"]) if match else None


def is_shared_link(url: str) -> bool:
    """Tell whether an address is a link a post shares: expanded, and not the post's own media."""
    return url.startswith(("http://", "https://")) and not (
        _TCO.match(url) or _MEDIA_LINK.match(url)
    )


def links_in_text(text: str) -> list[str]:
    """Return the expanded, non-media URLs written in ``text``, in order."""
    found = (match.group(0).rstrip(".,;:!?)]}\"'…") for match in _URL.finditer(text))
    return [url for url in found if is_shared_link(url)]


def parse_count(text: Any) -> int | None:
    """Read a displayed count such as '1,234' or '7'; None when it is blank or not a number."""
    if isinstance(text, int) and not isinstance(text, bool):
        return text
    if not isinstance(text, str):
        return None
    digits = text.strip().replace(",", "").replace("\u202f", "").replace("\xa0", "")
    return int(digits) if digits.isdigit() else None


def first_text(values: Iterable[Any]) -> str | None:
    """Return the first value that is text, else None."""
    for value in values:
        if isinstance(value, str):
            return value
    return None
