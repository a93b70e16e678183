"""The one reading of hashtags and links in post text, and small helpers for scraped posts.

Every format that finds tags or links in a text (scraped pages and exports without entities,
the CSV formats, Mastodon and Bluesky posts without tags) uses these, so the same post gives the
same tags and links whichever format it comes from. Reposts are written "RT @handle: text" in
every format. When a source gives only a status address, the id and handle are read from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from chatarchive.formats.reading import RecordError
from chatarchive.models import Message

# Twitter's own entities never treat a URL fragment (example.com/#x) or an all-digit "#1" as a tag.
_URL = re.compile(r"https?://\S+")
_HASHTAG = re.compile(r"(?<![\w&/])#(\w+)")
_TAG_WORD = re.compile(r"\w+")
# Never the last character of an address in running text: punctuation, quotes, brackets.
_URL_END = ".,;:!?)]}>\"'“”‘’…"
_STATUS_URL = re.compile(
    r"^(?:https?://(?:www\.|mobile\.)?(?:twitter|x)\.com)?/(?P<handle>\w+)/status(?:es)?/"
    r"(?P<id>\d+)",
    re.IGNORECASE,
)
_TCO = re.compile(r"^https?://t\.co/", re.IGNORECASE)
# A t.co path is letters and digits only: what follows it ("'s", a quote) is not part of it.
_TCO_LINK = re.compile(r"^https?://t\.co/[A-Za-z0-9]+", re.IGNORECASE)
_MEDIA_LINK = re.compile(
    r"^https?://(?:pic\.(?:twitter|x)\.com/|(?:www\.)?(?:twitter|x)\.com/\w+/status/\d+/"
    r"(?:photo|video)/\d+)",
    re.IGNORECASE,
)


def is_hashtag(word: str) -> bool:
    """Tell whether a word (without "#") can be a hashtag: letters, digits, "_", not all digits."""
    return bool(_TAG_WORD.fullmatch(word)) and not word.isdigit()


def hashtags_in_text(text: str) -> list[str]:
    """Return the lower-case hashtags written in ``text`` (outside URLs), in order."""
    tags = _HASHTAG.findall(_URL.sub(" ", text))
    return [tag.lower() for tag in tags if is_hashtag(tag)]


def lower_tags(tags: Iterable[Any]) -> list[str]:
    """Return the given tag names lower case and without "#", skipping anything not text."""
    return [tag.lstrip("#").lower() for tag in tags if isinstance(tag, str) and tag.strip("#")]


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


def urls_in_text(text: str) -> list[str]:
    """Return every http(s) address written in ``text``, without the punctuation after it."""
    return [match.group(0).rstrip(_URL_END) for match in _URL.finditer(text)]


def links_in_text(text: str) -> list[str]:
    """Return the expanded, non-media URLs written in ``text``, in order."""
    return [url for url in urls_in_text(text) if is_shared_link(url)]


def tco_links(text: str) -> list[str]:
    """Return the distinct t.co short links of a text, in order."""
    found = (_TCO_LINK.match(url) for url in urls_in_text(text))
    return list(dict.fromkeys(match.group(0) for match in found if match))


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


# A post's own text, hashtags and links, before they become a Message.
Parts = tuple[str, list[str], list[str]]


def with_original(own: Parts, original: Callable[[], Message] | None) -> Parts:
    """Rebuild a repost from its original ("RT @handle: text", its tags and links added).

    A repost whose original is absent or unreadable keeps its own (maybe truncated) text.
    """
    if original is None:
        return own
    try:
        source = original()
    except RecordError:
        return own
    _, hashtags, links = own
    return repost_text(source), [*hashtags, *source.hashtags], [*links, *source.links]


def repost_text(original: Message) -> str:
    """Return the text of a repost of ``original``: ``RT @<handle>: <text>``."""
    return f"RT @{original.author.handle}: {original.text}"
