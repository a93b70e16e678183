"""The read side: Datasette over the archive, read-only, with the bundled metadata.

The only module that imports datasette and uvicorn.

The archive is opened in Datasette's read-only mode (``mode=ro`` connections), not its
"immutable" mode: archives use WAL, and an immutable connection reads only the main file, so it
misses every post still in the write-ahead log (a running ``chatarchive run`` keeps one) and can
read torn pages while the scheduler checkpoints. Nothing can write through this server: the
bundled metadata defines no writable canned query, Datasette 0.65 has no write API, and its
arbitrary-SQL page accepts only SELECT on ``mode=ro`` connections.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import socket
import sqlite3
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import uvicorn
from datasette import hookimpl
from datasette.app import Datasette
from datasette.plugins import pm

from .errors import ChatArchiveError

# Key of the database block in the bundled metadata; replaced by the archive's file stem.
PLACEHOLDER = "archive"
# Tables every chatarchive archive has; their absence means the file is something else.
REQUIRED_TABLES = frozenset({"messages", "participants", "chats", "questions"})


# Readers map the archive file into memory (SQLite caps this at its build's limit, 2 GB in
# Python's): a page read is then a memory access, not a system call and a copy. Full-text
# queries, which look up thousands of posts by rowid, take a quarter less time at 1M posts.
READ_MMAP_BYTES = 2**31


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    """Datasette's hook for each new connection (this module is registered as a plugin)."""
    conn.execute(f"PRAGMA mmap_size = {READ_MMAP_BYTES}")


def _logger() -> logging.Logger:
    return logging.getLogger(__name__)


def metadata() -> dict[str, Any]:
    """The bundled Datasette metadata, with its database block keyed ``archive``."""
    text = resources.files("chatarchive").joinpath("datasette/metadata.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def metadata_for(db_name: str) -> dict[str, Any]:
    """The bundled metadata with its tables and queries under ``databases[db_name]``."""
    data = copy.deepcopy(metadata())
    databases = data.get("databases", {})
    data["databases"] = {db_name: databases.get(PLACEHOLDER, {})}
    return data


def database_name(archive_path: Path) -> str:
    """The name Datasette gives the archive: its file stem."""
    return Path(archive_path).stem


def app(archive_path: Path) -> Datasette:
    """A read-only Datasette over the archive, with the bundled metadata."""
    path = _checked_path(Path(archive_path))
    if not pm.is_registered(sys.modules[__name__]):
        pm.register(sys.modules[__name__], name=__name__)
    return Datasette(
        files=[str(path)],
        metadata=metadata_for(database_name(path)),
        # Suggested facets are tried column by column on every table page: 2 s of a 2.1 s
        # page at a million posts. Facets stay one click away in each column's menu.
        settings={"suggest_facets": False},
    )


def _checked_path(path: Path) -> Path:
    if not path.exists():
        raise ChatArchiveError(
            f"{path}: no such archive; create one with 'chatarchive import {path} SOURCE'"
        )
    if not path.is_file():
        raise ChatArchiveError(
            f"{path} is not a file: give the path of an archive file, e.g. archive.db"
        )
    return path.resolve()


async def check_archive(ds: Datasette, name: str) -> None:
    """Fail with a clear error unless the served database is a readable chatarchive archive."""
    database = ds.databases[name]
    try:
        tables = set(await database.table_names())
    except sqlite3.DatabaseError as error:
        raise ChatArchiveError(
            f"{database.path} cannot be read as an archive ({error}); give an archive that"
            " chatarchive created"
        ) from error
    missing = REQUIRED_TABLES - tables
    if missing:
        raise ChatArchiveError(
            f"{database.path} is not a chatarchive archive (no {', '.join(sorted(missing))}"
            " table); give an archive that chatarchive created"
        )


def serve(archive_path: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive in Datasette, read-only, until interrupted (Ctrl+C or SIGTERM)."""
    ds = app(archive_path)
    name = database_name(Path(archive_path))
    asyncio.run(_startup(ds, name))
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    config = uvicorn.Config(ds.app(), host=host, port=bound, log_config=None)
    url = f"http://[{host}]:{bound}/" if ":" in host else f"http://{host}:{bound}/"
    _logger().info("Serving %s at %s (Ctrl+C to stop)", archive_path, url)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        # uvicorn re-raises the Ctrl+C it shut down gracefully on; stopping is the normal end.
        _logger().info("Stopped serving %s", archive_path)
    finally:
        sock.close()
        for database in ds.databases.values():
            database.close()


async def _startup(ds: Datasette, name: str) -> None:
    await ds.invoke_startup()
    await check_archive(ds, name)


def _bind(host: str, port: int) -> socket.socket:
    # Bind here rather than in uvicorn, which calls sys.exit on a busy port.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise ChatArchiveError(
            f"cannot listen on {host}:{port} ({error.strerror or error}); pick another --port"
            " or --host"
        ) from error
    return sock
