"""Shared fixtures: paths to the real samples, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

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
    body: bytes = b""
    status: int = 200
    etag: bool = True
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Server:
    """A real HTTP server on 127.0.0.1 serving configurable routes, counting requests."""

    port: int
    routes: dict[str, Route]
    hits: dict[str, int] = field(default_factory=dict)
    request_headers: list[dict[str, str]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            server.hits[path] = server.hits.get(path, 0) + 1
            server.request_headers.append(dict(self.headers))
            route = server.routes.get(path)
            if route is None:
                self.send_error(404)
                return
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            if route.etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(route.status)
            if route.etag:
                self.send_header("ETag", etag)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def http_server() -> Iterator[Server]:
    """Start a real HTTP server on a free loopback port for one test."""
    server = Server(port=0, routes={})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
