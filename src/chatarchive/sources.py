"""Fetch exports from where people keep them: files, folders, globs, stdin and http(s) URLs.

The only module that does I/O to the outside world (httpx lives here). Every export arrives as
a local file (stdin and downloads are streamed to a temporary file), so large exports are never
held whole in memory.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import httpx

from .errors import SourceError
from .models import RawExport

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_BYTES = 2 * 1024**3  # a download larger than this is refused
CHUNK = 1024 * 1024
_SPOOL = Path(tempfile.gettempdir()) / "chatarchive"


def is_url(value: str) -> bool:
    """Whether a source is an http(s) URL."""
    return value.startswith(("http://", "https://"))


def expand(value: str) -> list[Path]:
    """The local files a path, folder or glob names, sorted; hidden files are skipped."""
    path = Path(value).expanduser()
    if path.is_dir():
        files = [p for p in sorted(path.rglob("*")) if p.is_file()]
        return [p for p in files if not _hidden(p.relative_to(path))]
    if path.is_file():
        return [path]
    if glob.has_magic(value):
        matched = [Path(p) for p in sorted(glob.glob(os.path.expanduser(value), recursive=True))]
        files = [p for p in matched if p.is_file()]
        if files:
            return files
        raise SourceError(value, "no file matches this pattern")
    raise SourceError(value, "no such file or folder; check the path (relative paths are read"
                      " from the current folder)")


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def local_exports(value: str) -> Iterator[RawExport]:
    """Every export a path, folder or glob names."""
    for path in expand(value):
        try:
            yield RawExport(origin=str(path), path=path, sha256=sha256_file(path), name=path.name)
        except OSError as error:
            raise SourceError(str(path), f"cannot be read ({error.strerror})") from error


def stdin_export(stream: BinaryIO | None = None) -> RawExport:
    """Spool standard input to a temporary file and return it as an export."""
    source = stream if stream is not None else sys.stdin.buffer
    handle, digest = _spool_file("stdin")
    with handle:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            handle.write(chunk)
    return RawExport(origin="-", path=Path(handle.name), sha256=digest.hexdigest(), name="stdin")


def _spool_file(stem: str) -> tuple[BinaryIO, hashlib._Hash]:
    _SPOOL.mkdir(parents=True, exist_ok=True)
    # The caller closes the file; it must outlive this function (delete=False).
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        prefix=f"{stem}-", dir=_SPOOL, delete=False)
    return cast(BinaryIO, handle), hashlib.sha256()


def fetch_url(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
) -> RawExport | None:
    """Download a URL to a temporary file; None when the server says it has not changed (304)."""
    headers = {"User-Agent": "chatarchive"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=5)
    try:
        with http.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                log.info("%s: not modified since the last fetch", url)
                return None
            if response.status_code >= 400:
                raise SourceError(url, f"the server answered {response.status_code}"
                                  f" {response.reason_phrase}")
            return _download(url, response)
    except httpx.HTTPError as error:
        raise SourceError(url, f"could not fetch ({type(error).__name__}: {error})") from error
    finally:
        if own:
            http.close()


def _download(url: str, response: httpx.Response) -> RawExport:
    handle, digest = _spool_file("download")
    size = 0
    with handle:
        for chunk in response.iter_bytes(CHUNK):
            size += len(chunk)
            if size > MAX_BYTES:
                Path(handle.name).unlink(missing_ok=True)
                raise SourceError(url, f"the download is larger than {MAX_BYTES} bytes")
            digest.update(chunk)
            handle.write(chunk)
    name = url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] or "download"
    return RawExport(
        origin=url, path=Path(handle.name), sha256=digest.hexdigest(), name=name,
        etag=response.headers.get("etag"), last_modified=response.headers.get("last-modified"),
    )


def discard(raw: RawExport) -> None:
    """Delete the temporary file of a spooled export (stdin or download); local files stay."""
    if raw.origin == "-" or is_url(raw.origin):
        raw.path.unlink(missing_ok=True)

