"""Saved web pages that show tweets: a twarc wall, a page of embedded tweets, a Nitter search.

One ``html`` format recognises three kinds of post on a page, read in page order ("post N"):

- twarc's ``wall.html`` (``twarc/utils/wall.py``): ``<article class="tweet">`` with ``a.name``,
  ``span.username``, ``span.text`` (t.co links wrapped in ``<a href=expanded>``) and a footer
  with "N retweets" and the permalink around ``<time>`` (the v1.1 created_at).
- embedded tweets: ``<blockquote class="twitter-tweet"><p lang dir>text</p>&mdash; Name
  (@handle) <a href=".../status/ID?ref_src=...">date</a></blockquote>``; only a date is shown,
  so the time comes from the snowflake id.
- Nitter pages: ``.timeline-item`` with ``.fullname``, ``.username``, ``.tweet-content``,
  ``.tweet-date a`` ("/handle/status/ID#m", title "Mar 4, 2026 · 6:00 PM UTC"), ``.quote``,
  ``.tweet-stats``. A retweet (``.retweet-header``) shows the original post, whose id and
  author are read; the retweet's own id is not on the page, so no repost message is made.

Pages carry no user ids (the author id is ``twitter:<handle>``), no language except embeds, and
no ids of replied-to posts. The record's raw text keeps the post's HTML.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chatarchive.errors import FormatError
from chatarchive.formats._posttext import (
    hashtags_in_text,
    is_shared_link,
    parse_count,
    status_parts,
)
from chatarchive.formats.htmltools import (
    Element,
    attr,
    inline_text,
    load_page,
    own_text,
    plain_text,
    select,
    select_one,
)
from chatarchive.formats.reading import RecordError, compact_json, head_text, snippet
from chatarchive.formats.registry import register
from chatarchive.formats.twitter import (
    make_author,
    parse_created_at,
    snowflake_time,
    tweet_message,
    unique,
)
from chatarchive.models import Message, ParsedRecord, Rejected

logger = logging.getLogger(__name__)

WALL, EMBED, NITTER = "wall", "embed", "nitter"
_POSTS = "article.tweet, blockquote.twitter-tweet, div.timeline-item"
_MARKERS = re.compile(
    r"<article[^>]*class=[\"'][^\"']*\btweet\b|class=[\"'][^\"']*\b(?:twitter-tweet|timeline-item)\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^[\s—–-]*(?P<name>.*?)\s*\(@(?P<handle>\w+)\)", re.DOTALL)
_RETWEETS = re.compile(r"([\d,]+)\s+retweets?\b")
_NITTER_TIME = re.compile(
    r"(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}), (?P<year>\d{4}) · "
    r"(?P<hour>\d{1,2}):(?P<minute>\d\d) (?P<ampm>[AP]M) UTC"
)
_STATS = {"icon-heart": "likes", "icon-retweet": "reposts"}


@dataclass(frozen=True, slots=True)
class _Post:
    """What a page shows of one post."""

    native_id: str
    handle: str
    display_name: str
    text: str
    created_at: datetime
    lang: str | None = None
    quoted: str | None = None
    like_count: int | None = None
    repost_count: int | None = None
    links: tuple[str, ...] = ()


def sniff(head: bytes, name: str) -> int:
    """Score how much the start of a file looks like a page of tweets this format reads."""
    text = head_text(head)
    if not text.startswith("<"):
        return 0
    return 95 if _MARKERS.search(text) else 0


def _kind(element: Element) -> str:
    if element.name == "article":
        return WALL
    return EMBED if element.name == "blockquote" else NITTER


def _link_text(anchor: Element) -> str:
    """Show a link as its address (the expanded URL), but a #tag or @mention as written."""
    text, href = anchor.get_text(), attr(anchor, "href") or ""
    if text.startswith(("#", "@", "$")) or not href.startswith(("http://", "https://")):
        return text
    return href


def _body(element: Element | None) -> tuple[str, tuple[str, ...]]:
    """Return a post body's text and the links it shares."""
    if element is None:
        raise RecordError("the post has no text")
    anchors = select(element, "a[href]")
    links = [attr(a, "href") or "" for a in anchors if not a.get_text().startswith(("#", "@"))]
    return inline_text(element, _link_text), unique(url for url in links if is_shared_link(url))


def _status(element: Element, css: str) -> tuple[str, str]:
    for anchor in select(element, css):
        parts = status_parts(attr(anchor, "href"))
        if parts:
            return parts
    raise RecordError("the post has no link to its status page")


def _wall_post(article: Element) -> _Post:
    handle, native_id = _status(article, "footer a[href]")
    handle = plain_text(select_one(article, "span.username")).lstrip("@") or handle
    text, links = _body(select_one(article, "span.text"))
    footer = plain_text(select_one(article, "footer"))
    reposts = _RETWEETS.search(footer)
    stamp = plain_text(select_one(article, "footer time")) or None
    return _Post(
        native_id=native_id,
        handle=handle,
        display_name=plain_text(select_one(article, "a.name")) or handle,
        text=text,
        created_at=parse_created_at(stamp, native_id),
        repost_count=parse_count(reposts.group(1)) if reposts else None,
        links=links,
    )


def _embed_post(quote: Element) -> _Post:
    handle, native_id = _status(quote, "a[href]")
    paragraphs = select(quote, "p")
    texts = [inline_text(p, _link_text) for p in paragraphs]
    links = unique(link for p in paragraphs for link in _body(p)[1])
    byline = _BYLINE.search(own_text(quote))
    name = byline["name"].strip() if byline else ""
    handle = byline["handle"] if byline else handle
    return _Post(
        native_id=native_id,
        handle=handle,
        display_name=name or handle,
        text="\n\n".join(text for text in texts if text),
        created_at=_embed_time(quote, native_id),
        lang=attr(paragraphs[0], "lang") if paragraphs else None,
        links=links,
    )


def _embed_time(quote: Element, native_id: str) -> datetime:
    """An embed shows only the date: the snowflake id holds the time, else midnight UTC."""
    try:
        return snowflake_time(native_id)
    except RecordError:
        # Ids from before November 2010 hold no time; the date link says "May 5, 2010".
        shown = plain_text(select(quote, "a[href]")[-1])
        try:
            return datetime.strptime(shown, "%B %d, %Y").replace(tzinfo=UTC)
        except ValueError:
            raise RecordError(f"the post's date is unreadable: {shown!r}") from None


def _nitter_time(title: str | None, native_id: str) -> datetime:
    """Nitter shows minutes; the snowflake id holds milliseconds, when it agrees with the page."""
    match = _NITTER_TIME.search(title or "")
    shown = None
    if match:
        hour = int(match["hour"]) % 12 + (12 if match["ampm"] == "PM" else 0)
        stamp = f"{match['mon']} {match['day']} {match['year']} {hour}:{match['minute']}"
        shown = datetime.strptime(stamp, "%b %d %Y %H:%M").replace(tzinfo=UTC)
    try:
        exact = snowflake_time(native_id)
    except RecordError:
        if shown is None:
            raise
        return shown
    if shown is not None and not shown <= exact < shown + timedelta(minutes=1):
        logger.warning("post %s: the page says %s, its id says %s", native_id, shown, exact)
        return shown
    return exact


def _nitter_post(item: Element) -> _Post:
    handle, native_id = _status(item, ".tweet-date a[href], a.tweet-link[href]")
    handle = plain_text(select_one(item, "a.username")).lstrip("@") or handle
    name = attr(select_one(item, "a.fullname"), "title") or plain_text(
        select_one(item, "a.fullname")
    )
    text, links = _body(select_one(item, ".tweet-content"))
    quoted = status_parts(attr(select_one(item, ".quote a.quote-link[href]"), "href"))
    counts: dict[str, int] = {}
    for stat in select(item, ".tweet-stats .tweet-stat"):
        icons = {name for e in select(stat, "[class]") for name in (attr(e, "class") or "").split()}
        for icon, key in _STATS.items():
            if icon in icons:
                counts[key] = parse_count(plain_text(stat)) or 0
    return _Post(
        native_id=native_id,
        handle=handle,
        display_name=name or handle,
        text=text,
        created_at=_nitter_time(attr(select_one(item, ".tweet-date a"), "title"), native_id),
        quoted=quoted[1] if quoted else None,
        like_count=counts.get("likes"),
        repost_count=counts.get("reposts"),
        links=links,
    )


_READERS = {WALL: _wall_post, EMBED: _embed_post, NITTER: _nitter_post}


def _message(post: _Post) -> Message:
    return tweet_message(
        post.native_id,
        make_author(None, post.handle, post.display_name),
        post.text,
        post.created_at,
        quoted=post.quoted,
        likes=post.like_count,
        reposts=post.repost_count,
        lang=post.lang,
        hashtags=hashtags_in_text(post.text),
        links=post.links,
    )


def _record(element: Element, location: str) -> ParsedRecord | Rejected:
    kind, markup = _kind(element), str(element)
    try:
        message = _message(_READERS[kind](element))
    except RecordError as error:
        return Rejected(location, f"{error} ({kind})", snippet(markup))
    raw = compact_json({"kind": kind, "html": markup})
    return ParsedRecord(message=message, raw=raw, location=location)


@register(
    name="html",
    description="saved web pages of tweets: twarc wall.html, embedded tweets, Nitter searches",
    origin_hint="twarc utils/wall.py, pages with twitter-tweet embeds, 'Save page' on Nitter",
    sniff=sniff,
)
def parse(path: Path, origin: str, options: Mapping[str, str]) -> Iterator[ParsedRecord | Rejected]:
    """Read every post of a saved page, in page order; the page is parsed whole."""
    try:
        page = load_page(path.read_bytes())
    except RecordError as error:
        raise FormatError(origin, str(error)) from error
    for number, element in enumerate(select(page, _POSTS), start=1):
        yield _record(element, f"post {number}")
