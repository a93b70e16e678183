"""Mastodon's HTML ``content`` as plain text: the one place outside htmltools that imports bs4.

Servers write a post as paragraphs (``<p>``) with ``<br>`` line breaks. Hashtags and mentions
are links whose text is what the author typed (``#<span>tag</span>``, ``@<span>user</span>``);
any other link shows a shortened address in spans, so it becomes its full ``href``.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag

logger = logging.getLogger(__name__)

_BLOCKS = ("p", "div", "blockquote", "pre", "li", "h1", "h2", "h3", "h4", "h5", "h6")
_MARKER_CLASSES = {"mention", "hashtag", "u-url"}
_SPACE_BEFORE_BREAK = re.compile(r"[ \t]+\n")
_EXTRA_BREAKS = re.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class HtmlText:
    """The plain text of a post's HTML and the addresses of the links it shares."""

    text: str
    links: tuple[str, ...]


def _classes(anchor: Tag) -> set[str]:
    value = anchor.get("class")
    if isinstance(value, str):
        return set(value.split())
    return set(value or ())


def _is_tag_or_mention(anchor: Tag) -> bool:
    """Tell a hashtag or mention link (kept as its text) from a shared link."""
    rel = anchor.get("rel")
    rels = set(rel.split()) if isinstance(rel, str) else set(rel or ())
    # Other servers (Pleroma, Misskey) mark these differently; their text still starts so.
    shown = anchor.get_text().strip()
    return bool(_classes(anchor) & _MARKER_CLASSES) or "tag" in rels or shown[:1] in ("#", "@")


def _link_text(anchor: Tag, links: list[str]) -> str:
    if _is_tag_or_mention(anchor):
        return anchor.get_text()
    href = anchor.get("href")
    if isinstance(href, str) and href.startswith(("http://", "https://")):
        links.append(href)
        return href
    return anchor.get_text()


def html_to_text(content: str) -> HtmlText:
    """Turn a post's HTML into plain text: paragraphs, line breaks, tags, mentions, full links."""
    with warnings.catch_warnings():
        # A post that is only an address is a post, not a mistaken file name or URL to fetch.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(content, "html.parser")
    links: list[str] = []
    for anchor in soup.find_all("a"):
        if isinstance(anchor, Tag):
            anchor.replace_with(NavigableString(_link_text(anchor, links)))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for block in soup.find_all(_BLOCKS):
        if isinstance(block, Tag):
            # A blank line between paragraphs, as the post shows them.
            block.insert_after(NavigableString("\n\n"))
    text = _SPACE_BEFORE_BREAK.sub("\n", soup.get_text())
    return HtmlText(text=_EXTRA_BREAKS.sub("\n\n", text).strip(), links=tuple(links))
