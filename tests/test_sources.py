import hashlib
import io
from pathlib import Path

import pytest

from chatarchive import sources
from chatarchive.errors import SourceError

from .conftest import Route, Server


def make_files(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jsonl").write_text("{}\n")
    (folder / "sub" / "b.jsonl").write_text("{}\n{}\n")
    (folder / ".hidden.jsonl").write_text("x")
    return folder


def test_file_folder_and_glob(tmp_path: Path) -> None:
    folder = make_files(tmp_path)
    assert [p.name for p in sources.expand(str(folder / "a.jsonl"))] == ["a.jsonl"]
    assert [p.name for p in sources.expand(str(folder))] == ["a.jsonl", "b.jsonl"]
    assert [p.name for p in sources.expand(str(folder / "**" / "*.jsonl"))] == [
        "a.jsonl", "b.jsonl"]


def test_local_exports_carry_sha256(tmp_path: Path) -> None:
    folder = make_files(tmp_path)
    raw = next(sources.local_exports(str(folder / "a.jsonl")))
    assert raw.sha256 == hashlib.sha256(b"{}\n").hexdigest()
    assert raw.name == "a.jsonl"


def test_missing_path_and_empty_glob(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file or folder"):
        sources.expand(str(tmp_path / "nope.jsonl"))
    with pytest.raises(SourceError, match="no file matches"):
        sources.expand(str(tmp_path / "*.csv"))


def test_stdin_is_spooled_to_a_file() -> None:
    raw = sources.stdin_export(io.BytesIO(b'{"id": 1}\n'))
    try:
        assert raw.origin == "-"
        assert raw.path.read_bytes() == b'{"id": 1}\n'
        assert raw.sha256 == hashlib.sha256(b'{"id": 1}\n').hexdigest()
    finally:
        sources.discard(raw)
    assert not raw.path.exists()


def test_url_download_and_conditional_get(http_server: Server) -> None:
    http_server.routes["/solopr.jsonl"] = Route(body=b'{"a": 1}\n' * 1000)
    url = http_server.url("/solopr.jsonl")
    raw = sources.fetch_url(url)
    assert raw is not None
    assert raw.path.read_bytes() == b'{"a": 1}\n' * 1000
    assert raw.name == "solopr.jsonl"
    assert raw.etag and raw.etag.startswith('"')
    sources.discard(raw)
    assert sources.fetch_url(url, etag=raw.etag) is None
    assert http_server.hits["/solopr.jsonl"] == 2
    assert http_server.request_headers[-1]["If-None-Match"] == raw.etag


def test_url_errors_are_clear(http_server: Server) -> None:
    http_server.routes["/broken"] = Route(body=b"oops", status=500)
    with pytest.raises(SourceError, match="answered 500"):
        sources.fetch_url(http_server.url("/broken"))
    with pytest.raises(SourceError, match="answered 404"):
        sources.fetch_url(http_server.url("/missing"))


def test_unreachable_url() -> None:
    with pytest.raises(SourceError, match="could not fetch"):
        sources.fetch_url("http://127.0.0.1:9/nothing-listens-here")
