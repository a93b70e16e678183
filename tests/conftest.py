"""Shared fixtures: paths to the real samples, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import settings

# On CI the property tests draw the same examples every run, so a submission's result does
# not depend on luck; on a developer's machine they explore new inputs each time.
if os.environ.get("CI"):
    settings.register_profile("ci", derandomize=True, database=None)
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The real export samples beside the repository (skip when absent)."""
    if not SHARED_DATA.is_dir():
        pytest.skip("the shared real samples are not beside this checkout")
    return SHARED_DATA


@dataclass
class Route:
    """What the server answers on one path (or exact path with query, which wins over the path).

    Fault options: ``delay`` seconds before answering, ``truncate`` to send only that many body
    bytes while Content-Length announces the whole body, ``reset`` to drop the connection without
    an answer, ``gzip`` to send the body with Content-Encoding: gzip, and ``before``: routes served
    in order for the first requests, this route after them (e.g. a 500, then a 200).
    """

    body: bytes = b""
    status: int = 200
    etag: bool = True
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    truncate: int | None = None
    reset: bool = False
    gzip: bool = False
    before: list[Route] = field(default_factory=list)
    served: int = 0


@dataclass
class Server:
    """A real HTTP server on 127.0.0.1 serving configurable routes, counting requests."""

    port: int
    routes: dict[str, Route]
    hits: dict[str, int] = field(default_factory=dict)
    request_headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # every request's path with its query
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.hits[path] = server.hits.get(path, 0) + 1
            server.paths.append(self.path)
            server.request_headers.append(dict(self.headers))
            route = server.routes.get(self.path) or server.routes.get(path)
            if route is None:
                self.send_error(404)
                return
            current = route.before[route.served] if route.served < len(route.before) else route
            route.served += 1
            if current.delay:
                # Waits on the stop event so that tearing the server down never waits it out.
                server.stopping.wait(current.delay)
            # OSError: the client gave up (a timeout test); there is no one left to answer.
            with contextlib.suppress(OSError):
                self._answer(current)

        def _answer(self, route: Route) -> None:
            if route.reset:
                # SO_LINGER 0: closing sends a TCP reset instead of an orderly end.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            body = gzip.compress(route.body, mtime=0) if route.gzip else route.body
            self.send_response(route.status)
            if route.etag:
                self.send_header("ETag", etag)
            if route.gzip:
                self.send_header("Content-Encoding", "gzip")
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body if route.truncate is None else body[: route.truncate])
            self.close_connection = True

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[Server]:
    """Start a real HTTP server on a free loopback port for one test."""
    server = Server(port=0, routes={})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.port = httpd.server_address[1]
    # A short poll interval: shutdown() waits up to one interval, and every test shuts down.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        httpd.shutdown()
        httpd.server_close()
