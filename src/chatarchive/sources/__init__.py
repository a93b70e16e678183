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

The http names (``fetch_url``, ``FetchPolicy``, ``fetch_mastodon`` ...) load web.py and live.py,
and with them httpx, only when first used (PEP 562): importing a local file never needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
    from .live import fetch_bluesky, fetch_mastodon
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

# Name -> the submodule defining it, loaded on first access.
_LAZY = {
    "fetch_bluesky": "live",
    "fetch_mastodon": "live",
    "DEFAULT_POLICY": "web",
    "MAX_BYTES": "web",
    "FetchPolicy": "web",
    "fetch_url": "web",
}


def __getattr__(name: str) -> object:
    """Load an http name from its submodule on first use (and keep it here)."""
    # Typed ``object``, not Any: a misspelt name used as a function still fails type checks.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The package's names, the lazy ones included."""
    return sorted({*globals(), *_LAZY})
