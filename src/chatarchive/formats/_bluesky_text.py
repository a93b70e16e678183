"""The rich text of Bluesky posts: facets that mark links and tags by UTF-8 byte ranges.

A link's text may show its address shortened ("example.org/rates/2026-r..."); the facet holds
the full address. Facet ranges count bytes of the UTF-8 text, not characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chatarchive.formats._fediverse import text_or_none
from chatarchive.formats._posttext import lower_tags
from chatarchive.formats.twitter import as_dict, as_list

_LINK = "app.bsky.richtext.facet#link"
_TAG = "app.bsky.richtext.facet#tag"
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def _unshortened(shown: str, uri: str) -> bool:
    """Tell whether a link's text shows its address (whole or shortened), not other words."""

    def bare(url: str) -> str:
        return _SCHEME.sub("", url.strip()).removeprefix("www.").lower()

    short = bare(shown).removesuffix("...").removesuffix("…")
    return bool(short) and bare(uri).startswith(short)


def _byte_range(facet: Mapping[str, Any], size: int) -> tuple[int, int] | None:
    index = as_dict(facet.get("index"))
    start, end = index.get("byteStart"), index.get("byteEnd")
    if type(start) is int and type(end) is int and 0 <= start < end <= size:
        return start, end
    return None


def _link_facets(facets: list[Any], size: int) -> tuple[list[str], list[tuple[int, int, str]]]:
    """Return the link addresses in text order, and the byte ranges that show them."""
    links: list[tuple[int, str]] = []
    spans: list[tuple[int, int, str]] = []
    for facet in map(as_dict, facets):
        span = _byte_range(facet, size)
        for feature in map(as_dict, as_list(facet.get("features"))):
            uri = text_or_none(feature.get("uri"))
            if feature.get("$type") == _LINK and uri:
                links.append((span[0] if span else size, uri))
                if span:
                    spans.append((*span, uri))
    return [uri for _, uri in sorted(links, key=lambda link: link[0])], sorted(spans)


def expand_links(text: str, facets: list[Any]) -> tuple[str, list[str]]:
    """Put each link facet's full address in place of its shortened text; return the links."""
    data = text.encode("utf-8")
    links, spans = _link_facets(facets, len(data))
    replacements: list[tuple[int, int, str]] = []
    end_of_previous = 0
    for start, end, uri in spans:
        if start < end_of_previous:
            continue  # overlaps the link before it
        try:
            shown = data[start:end].decode("utf-8")
        except UnicodeDecodeError:
            continue  # the range cuts a character in two: the facet is broken
        end_of_previous = end
        if _unshortened(shown, uri):
            replacements.append((start, end, uri))
    # From the end, so that earlier byte offsets stay right.
    for start, end, uri in reversed(replacements):
        data = data[:start] + uri.encode("utf-8") + data[end:]
    return data.decode("utf-8"), links


def facet_tags(facets: list[Any]) -> list[str]:
    """Return the tags of a post's tag facets, lower case, without "#"."""
    features = [as_dict(f) for facet in facets for f in as_list(as_dict(facet).get("features"))]
    return lower_tags(f.get("tag") for f in features if f.get("$type") == _TAG)
