"""Fetch exports from where people keep them: files, folders, globs, inboxes, stdin, http(s)
URLs, and live pulls from Mastodon and Bluesky. The only package that talks to the outside world.

    local_exports / inbox_exports   path, folder, glob -> RawExport per file (never moved)
    stdin_export                    stdin -> spool file -> RawExport
    fetch_url                       GET (redirects <= 5, loop named) -> 304: None
                                    | 429/5xx, timeout, reset, cut-short body: retry, backoff
                                      or Retry-After (capped) -> after N tries: SourceError
                                    | other 4xx, too big, redirect loop: SourceError at once
                                    | 2xx: body streamed (gunzipped) to a spool file -> RawExport
    fetch_mastodon / fetch_bluesky  pages via the same GET -> one JSON answer per line -> RawExport

Every export arrives as a local file, so large exports are never held whole in memory; a failure
deletes any partial file. Tokens come only from environment variables and are never logged.
``discard`` deletes spool files (stdin, downloads, pulls) once imported; local files stay.
"""

from .live import fetch_bluesky, fetch_mastodon
from .local import (
    discard,
    expand,
    expand_template,
    inbox_exports,
    is_url,
    local_exports,
    sha256_file,
    stdin_export,
)
from .web import DEFAULT_POLICY, MAX_BYTES, FetchPolicy, fetch_url

__all__ = [
    "DEFAULT_POLICY",
    "MAX_BYTES",
    "FetchPolicy",
    "discard",
    "expand",
    "expand_template",
    "fetch_bluesky",
    "fetch_mastodon",
    "fetch_url",
    "inbox_exports",
    "is_url",
    "local_exports",
    "sha256_file",
    "stdin_export",
]
