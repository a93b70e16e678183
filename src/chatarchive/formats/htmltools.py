"""HTML helpers shared by the formats that read saved web pages; the module that imports bs4.

Pages are parsed with Python's own ``html.parser`` (no lxml needed); bytes are given to
BeautifulSoup as they are, so it honours the page's declared charset.
"""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup, NavigableString, Tag

# Other modules annotate with this name, so that only this module imports bs4.
Element = Tag
_SKIPPED = ("script", "style", "template", "noscript")


def load_page(data: bytes | str) -> Element:
    """Parse a whole HTML page."""
    return BeautifulSoup(data, "html.parser")


def select(root: Element, css: str) -> list[Element]:
    """Return the elements under ``root`` matching a CSS selector, in document order."""
    return [found for found in root.select(css) if isinstance(found, Tag)]


def select_one(root: Element, css: str) -> Element | None:
    """Return the first element under ``root`` matching a CSS selector, or None."""
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
    return "".join(str(child) for child in element.children if type(child) is NavigableString)


def inline_text(element: Element, link_text: Callable[[Element], str]) -> str:
    """Return an element's text as a reader sees it: ``<br>`` and paragraphs as line breaks,
    ``<img alt>`` (emoji pictures) as their alt text, and each link as ``link_text(link)``."""
    pieces: list[str] = []
    _walk(element, link_text, pieces)
    return "".join(pieces).strip()


def _walk(element: Element, link_text: Callable[[Element], str], pieces: list[str]) -> None:
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
