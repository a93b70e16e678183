"""HTTP for every URL source; the one module of chatarchive that imports httpx.

One exchange = GET, following at most ``max_redirects`` redirects by hand (a loop is named),
then the status: 304 -> not modified, 429/5xx -> transient, other 4xx -> SourceError. Transient
failures (those statuses, connection errors, timeouts, cut-short bodies) are tried again with
exponential backoff or the server's Retry-After (capped), then end in a SourceError that says
how many tries were made and what the last one got.
"""

from __future__ import annotations

import email.utils
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeAlias, TypeVar
from urllib.parse import unquote, urlsplit

import httpx

from .. import __version__
from ..errors import SourceError
from ..models import RawExport
from .spool import CHUNK, Spool

Client: TypeAlias = httpx.Client
T = TypeVar("T")

MAX_BYTES = 2 * 1024**3  # a download larger than this is refused
USER_AGENT = f"chatarchive/{__version__}"
# Worth another try: the network or the server may be fine a moment later.
TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FetchPolicy:
    """Timeouts, retries and limits of HTTP fetches; ``sleep`` is injectable for tests."""

    timeout: float = 30.0  # seconds without progress (connect, each read) before giving up
    connect_timeout: float = 10.0
    retries: int = 3  # tries after the first one
    backoff: float = 0.5  # seconds before the first retry, doubled before each next one
    backoff_cap: float = 30.0
    retry_after_cap: float = 120.0  # a longer Retry-After is cut to this
    max_redirects: int = 5
    max_bytes: int = MAX_BYTES
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @property
    def tries(self) -> int:
        """How many times one exchange is tried at most."""
        return self.retries + 1


DEFAULT_POLICY = FetchPolicy()


class _Transient(Exception):
    """A failure worth another try; ``retry_after`` is the server's wish, if it said one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Page:
    """One JSON answer of a paginated API, with its Link header's targets by rel."""

    url: str
    data: object
    links: dict[str, str]


def auth_headers(token_env: str | None, origin: str) -> dict[str, str]:
    """The Authorization header for a token held in an environment variable (never logged)."""
    if token_env is None:
        return {}
    token = os.environ.get(token_env, "").strip()
    if not token:
        raise SourceError(origin, f"the environment variable {token_env}, which should hold the"
                          " access token, is not set")
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def session(client: httpx.Client | None, origin: str) -> Iterator[httpx.Client]:
    """The given client, or a new one closed afterwards; httpx errors become SourceError."""
    try:
        if client is not None:
            yield client
            return
        with httpx.Client(headers={"User-Agent": USER_AGENT}) as own:
            yield own
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        raise SourceError(origin, f"could not fetch ({_describe(error)})") from error


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def with_retries(origin: str, policy: FetchPolicy, action: Callable[[], T]) -> T:
    """Run one exchange, again after transient failures with backoff; SourceError at the end."""
    reason = ""
    for attempt in range(1, policy.tries + 1):
        wait: float | None = None
        try:
            return action()
        except _Transient as problem:
            reason, wait = problem.reason, problem.retry_after
        except httpx.TimeoutException as error:
            reason = f"no answer within {policy.timeout} s ({_describe(error)})"
        except TRANSIENT_ERRORS as error:
            reason = _describe(error)
        if attempt == policy.tries:
            break
        if wait is None:
            wait = min(policy.backoff_cap, policy.backoff * 2 ** (attempt - 1))
        log.warning("%s: %s; trying again in %.1f s (try %d of %d)",
                    origin, reason, wait, attempt + 1, policy.tries)
        policy.sleep(wait)
    raise SourceError(origin, f"could not fetch after {policy.tries} tries; the last one: {reason}")


def open_response(
    client: httpx.Client, url: str, headers: dict[str, str], policy: FetchPolicy,
) -> httpx.Response:
    """Send a GET and follow redirects by hand; the caller closes the streaming response."""
    timeout = httpx.Timeout(policy.timeout, connect=min(policy.connect_timeout, policy.timeout))
    request = client.build_request("GET", url, headers={"User-Agent": USER_AGENT, **headers},
                                   timeout=timeout)
    visited = [str(request.url)]
    for _ in range(policy.max_redirects + 1):
        response = client.send(request, stream=True, follow_redirects=False)
        if response.next_request is None:
            return response
        response.close()
        # httpx drops the Authorization header when a redirect leaves the origin.
        request = response.next_request
        target = str(request.url)
        if target in visited:
            raise SourceError(url, "redirect loop: " + " -> ".join([*visited, target]))
        visited.append(target)
    raise SourceError(url, f"more than {policy.max_redirects} redirects: "
                      + " -> ".join(visited))


def check_status(response: httpx.Response, origin: str, policy: FetchPolicy) -> None:
    """Raise for a status that is not success: transient for 429 and 5xx, SourceError else."""
    status = response.status_code
    if status < 300:
        return
    said = f"the server answered {status} {response.reason_phrase}".rstrip()
    if status == 429 or status >= 500:
        raise _Transient(said, _retry_after(response.headers.get("retry-after"), origin, policy))
    if status in (401, 403):
        said += "; the source may need an access token (token_env), or a different one"
    raise SourceError(origin, said)


def _retry_after(value: str | None, origin: str, policy: FetchPolicy) -> float | None:
    """Seconds the server asks us to wait (Retry-After: seconds or an HTTP date), capped."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds > policy.retry_after_cap:
        log.warning("%s: Retry-After asks for %.0f s; waiting %.0f s, the cap", origin, seconds,
                    policy.retry_after_cap)
    return min(max(seconds, 0.0), policy.retry_after_cap)


def _refuse_oversized(response: httpx.Response, origin: str, max_bytes: int) -> int | None:
    """The announced Content-Length, refusing one over the limit before reading anything."""
    announced = response.headers.get("content-length", "")
    if not announced.isdigit():
        return None
    if int(announced) > max_bytes:
        raise SourceError(origin, f"the server says the download is {announced} bytes, more than"
                          f" the limit of {max_bytes} bytes (max_bytes); raise it to allow this")
    return int(announced)


def _stream(response: httpx.Response, origin: str, policy: FetchPolicy) -> Iterator[bytes]:
    """The decoded body in chunks; a body shorter than its Content-Length is transient."""
    announced = _refuse_oversized(response, origin, policy.max_bytes)
    try:
        yield from response.iter_bytes(CHUNK)
    except httpx.RemoteProtocolError as error:
        raise _Transient(f"the body was cut short ({error})") from error
    # Content-Length counts the bytes on the wire, before any Content-Encoding is decoded.
    if announced is not None and response.num_bytes_downloaded < announced:
        raise _Transient(f"the body was cut short: {response.num_bytes_downloaded} of"
                         f" {announced} bytes arrived")


def fetch_url(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
    *,
    token_env: str | None = None,
    policy: FetchPolicy = DEFAULT_POLICY,
) -> RawExport | None:
    """Download a URL to a temporary file; None when the server says it has not changed (304)."""
    headers = auth_headers(token_env, url)
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    with session(client, url) as http:

        def attempt() -> RawExport | None:
            response = open_response(http, url, headers, policy)
            try:
                if response.status_code == 304:
                    return None
                check_status(response, url, policy)
                return _download(response, url, policy)
            finally:
                response.close()

        raw = with_retries(url, policy, attempt)
    if raw is None:
        log.info("%s: not modified since the last fetch", url)
    return raw


def _download(response: httpx.Response, url: str, policy: FetchPolicy) -> RawExport:
    with Spool(url, "download", policy.max_bytes) as spool:
        for chunk in _stream(response, url, policy):
            spool.write(chunk)
        path, sha256 = spool.close()
    log.info("%s: downloaded %d bytes%s", url, spool.size, " (gunzipped)" if spool.gzipped else "")
    return RawExport(
        origin=url, path=path, sha256=sha256, name=_export_name(url),
        etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
    )


def _export_name(url: str) -> str:
    name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or "download"
    # The spool holds the export itself (gunzipped by us, or by httpx for Content-Encoding), so
    # the name must not promise gzip to format detection.
    if name.endswith(".gz") and len(name) > len(".gz"):
        name = name[: -len(".gz")]
    return name


def get_json(
    client: httpx.Client, url: str, headers: dict[str, str], policy: FetchPolicy,
) -> Page:
    """GET one JSON document (retried like any fetch), with the Link header's targets."""

    def attempt() -> Page:
        response = open_response(client, url, {"Accept": "application/json", **headers}, policy)
        try:
            check_status(response, url, policy)
            body = bytearray()
            for chunk in _stream(response, url, policy):
                body += chunk
                if len(body) > policy.max_bytes:
                    raise SourceError(url, f"the answer is larger than the limit of"
                                      f" {policy.max_bytes} bytes (max_bytes)")
            links = {str(rel): str(response.url.join(link["url"]))
                     for rel, link in response.links.items() if rel and link.get("url")}
        finally:
            response.close()
        try:
            return Page(url=url, data=json.loads(body), links=links)
        except ValueError as error:
            raise SourceError(url, f"the answer is not JSON ({error})") from error

    return with_retries(url, policy, attempt)
