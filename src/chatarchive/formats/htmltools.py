"""HTML helpers shared by the formats that read saved web pages; the module that imports bs4.

Pages are parsed with Python's own ``html.parser`` (no lxml needed); bytes are given to
BeautifulSoup as they are, so it honours the page's declared charset. bs4 is imported inside
the functions, so that registering the formats (every import does) does not load it.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from chatarchive.formats.reading import RecordError

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

# Other modules annotate with this name, so that only this module imports bs4; at run time it
# is only a name (annotations are not evaluated), so bs4 loads when a page is first read.
Element: TypeAlias = "Tag"
_SKIPPED = ("script", "style", "template", "noscript")


def load_page(data: bytes | str) -> Element:
    """Parse a whole HTML page; RecordError if the parser gives up on it."""
    return _soup(data, "the page")


def _soup(data: bytes | str, what: str) -> BeautifulSoup:
    from bs4 import BeautifulSoup
    from bs4.exceptions import ParserRejectedMarkup

    try:
        return BeautifulSoup(data, "html.parser")
    except ParserRejectedMarkup as error:
        # Python's HTML parser gives up on some broken markup ("<![]doctype ..."); bs4 puts
        # the parser's own words last.
        said = str(error).strip().splitlines()[-1].strip()
        raise RecordError(f"{what} cannot be read as HTML ({said})") from error


def select(root: Element, css: str) -> list[Element]:
    """Return the elements under ``root`` matching a CSS selector, in document order."""
    from bs4 import Tag

    return [found for found in root.select(css) if isinstance(found, Tag)]


def select_one(root: Element, css: str) -> Element | None:
    """Return the first element under ``root`` matching a CSS selector, or None."""
    from bs4 import Tag

    found = root.select_one(css)
    return found if isinstance(found, Tag) else None


def attr(element: Element | None, name: str) -> str | None:
    """Return an attribute's value as text (a class list joined by spaces), or None."""
    if element is None:
        return None
    value = element.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value if isinstance(value, str) else None


def plain_text(element: Element | None) -> str:
    """Return an element's text with surrounding whitespace removed ('' for None)."""
    return element.get_text().strip() if element is not None else ""


def own_text(element: Element) -> str:
    """Return the text directly inside ``element``, not inside its child elements."""
    from bs4 import NavigableString

    return "".join(str(child) for child in element.children if type(child) is NavigableString)


def inline_text(element: Element, link_text: Callable[[Element], str]) -> str:
    """Return an element's text as a reader sees it: ``<br>`` and paragraphs as line breaks,
    ``<img alt>`` (emoji pictures) as their alt text, and each link as ``link_text(link)``."""
    pieces: list[str] = []
    _walk(element, link_text, pieces)
    return "".join(pieces).strip()


def _walk(element: Element, link_text: Callable[[Element], str], pieces: list[str]) -> None:
    from bs4 import NavigableString, Tag

    for child in element.children:
        if type(child) is NavigableString:
            pieces.append(str(child))
        elif not isinstance(child, Tag) or child.name in _SKIPPED:
            continue  # comments, doctype, scripts
        elif child.name == "br":
            pieces.append("\n")
        elif child.name == "a":
            pieces.append(link_text(child))
        elif child.name == "img":
            pieces.append(attr(child, "alt") or "")
        else:
            paragraph = child.name == "p"
            if paragraph and pieces and "".join(pieces).strip():
                pieces.append("\n\n")
            _walk(child, link_text, pieces)


# Mastodon's HTML ``content`` as plain text. Servers write a post as paragraphs (<p>) with
# <br> line breaks; hashtags and mentions are links whose text is what the author typed
# (#<span>tag</span>, @<span>user</span>); any other link shows a shortened address in spans,
# so it becomes its full href.

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
    from bs4 import MarkupResemblesLocatorWarning, NavigableString, Tag

    with warnings.catch_warnings():
        # A post that is only an address is a post, not a mistaken file name or URL to fetch.
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = _soup(content, "the post's HTML")
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
