"""Live pulls from public APIs that need no key: a Mastodon tag timeline, a Bluesky search.

Each pull walks the API's pages and spools them as JSON Lines, one API answer per line, exactly
as the API sent it (re-serialized compactly onto one line); the ``mastodon`` and ``bluesky``
formats read that. Pages are fetched with the same retries and limits as any URL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlsplit

from ..errors import SourceError
from ..models import RawExport
from .spool import Spool
from .web import DEFAULT_POLICY, Client, FetchPolicy, Page, auth_headers, get_json, session

BLUESKY = "https://public.api.bsky.app"
MASTODON_PAGE = 40  # the most statuses the tag timeline gives per page
BLUESKY_PAGE = 100  # the most posts searchPosts gives per page

log = logging.getLogger(__name__)

Pages = Iterator[tuple[Page, list[datetime]]]


def fetch_mastodon(
    instance: str, hashtag: str, since: datetime, until: datetime,
    client: Client | None = None, max_pages: int = 50, *,
    token_env: str | None = None, policy: FetchPolicy = DEFAULT_POLICY,
) -> RawExport | None:
    """Pull a Mastodon hashtag timeline back to ``since``; None when no status is in the window."""
    _require_aware(since, until)
    base = instance.rstrip("/") if "://" in instance else "https://" + instance.strip("/")
    tag = quote(hashtag.lstrip("#"), safe="")
    first = f"{base}/api/v1/timelines/tag/{tag}?limit={MASTODON_PAGE}"
    headers = auth_headers(token_env, first)

    def pages(http: Client) -> Pages:
        url: str | None = first
        for _ in range(max_pages):
            if url is None:
                return
            page = get_json(http, url, headers, policy)
            times = _times(_items(page, None), _mastodon_time)
            if not times:
                return
            yield page, times
            if min(times) < since:
                return  # newest first: everything further back is older still
            url = _next_link(page, first)
        log.warning("%s: stopped after max_pages=%d pages; older statuses were not fetched",
                    first, max_pages)

    return _collect(first, f"mastodon-{tag}.jsonl", client, (since, until), pages)


def fetch_bluesky(
    query: str, since: datetime, until: datetime, client: Client | None = None,
    base: str = BLUESKY, max_pages: int = 50, *,
    token_env: str | None = None, policy: FetchPolicy = DEFAULT_POLICY,
) -> RawExport | None:
    """Pull a Bluesky post search over [since, until]; None when it finds no post."""
    _require_aware(since, until)
    params = {"q": query, "since": _iso(since), "until": _iso(until),
              "limit": str(BLUESKY_PAGE), "sort": "latest"}
    first = f"{base.rstrip('/')}/xrpc/app.bsky.feed.searchPosts?{urlencode(params)}"
    headers = auth_headers(token_env, first)

    def pages(http: Client) -> Pages:
        url = first
        for _ in range(max_pages):
            page = get_json(http, url, headers, policy)
            times = _times(_items(page, "posts"), _bluesky_time)
            if not times:
                return
            yield page, times
            cursor = page.data.get("cursor") if isinstance(page.data, dict) else None
            if not isinstance(cursor, str) or not cursor:
                return
            url = f"{first}&{urlencode({'cursor': cursor})}"
        log.warning("%s: stopped after max_pages=%d pages; older posts were not fetched",
                    first, max_pages)

    return _collect(first, "bluesky-search.jsonl", client, (since, until), pages)


def _collect(
    origin: str, name: str, client: Client | None, window: tuple[datetime, datetime],
    pages: Callable[[Client], Pages],
) -> RawExport | None:
    """Spool every page as one JSON line; count the posts that fall in the window."""
    since, until = window
    in_window = count = 0
    with session(client, origin) as http, Spool(origin, name.split(".")[0], gunzip=False) as spool:
        for page, times in pages(http):
            spool.write(json.dumps(page.data, ensure_ascii=False, separators=(",", ":"))
                        .encode("utf-8") + b"\n")
            count += len(times)
            in_window += sum(since <= when <= until for when in times)
        path, sha256 = spool.close()
    log.info("%s: %d posts fetched, %d of them between %s and %s", origin, count, in_window,
             since.isoformat(), until.isoformat())
    if not in_window:
        path.unlink(missing_ok=True)
        return None
    return RawExport(origin=origin, path=path, sha256=sha256, name=name)


def _items(page: Page, key: str | None) -> list[dict[str, object]]:
    """The posts of a page: the page itself (a JSON array) or its ``key`` member."""
    data = page.data.get(key) if key and isinstance(page.data, dict) else page.data
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        wanted = f"an object with a '{key}' array" if key else "a JSON array of statuses"
        raise SourceError(page.url, f"the answer is not {wanted}; is this the right server?")
    return data


def _times(
    items: list[dict[str, object]], when: Callable[[dict[str, object]], object],
) -> list[datetime]:
    """Each post's time; an unreadable one counts as the newest, so it never ends the walk."""
    return [_parse_time(when(item)) or datetime.max.replace(tzinfo=UTC) for item in items]


def _mastodon_time(status: dict[str, object]) -> object:
    return status.get("created_at")


def _bluesky_time(post: dict[str, object]) -> object:
    record = post.get("record")
    created = record.get("createdAt") if isinstance(record, dict) else None
    return created or post.get("indexedAt")


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _next_link(page: Page, first: str) -> str | None:
    """The Link header's rel="next", if it stays on the instance the pull started on."""
    target = page.links.get("next")
    if target is None:
        return None
    if urlsplit(target)[:2] != urlsplit(first)[:2]:
        log.warning("%s: not following a next link to another server: %s", first, target)
        return None
    return target


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _require_aware(since: datetime, until: datetime) -> None:
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be timezone-aware datetimes")
