import gzip
import hashlib
import io
import json
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from chatarchive import sources
from chatarchive.errors import SourceError
from chatarchive.sources import spool

from .conftest import Route, Server

BODY = b'{"a": 1}\n' * 1000
TOKEN = "tok-3f9c2e81d7a6-secret"


@pytest.fixture(autouse=True)
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Spool files go to a per-test folder, so a test can see that nothing partial is left."""
    folder = tmp_path / "spool"
    monkeypatch.setattr(spool, "SPOOL", folder)
    return folder


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def policy(sleeps: list[float]) -> sources.FetchPolicy:
    """Default retries and backoff, but the waits are recorded instead of slept."""
    return sources.FetchPolicy(sleep=sleeps.append, timeout=2.0)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


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


def test_stdin_is_spooled_to_a_file(spool_dir: Path) -> None:
    raw = sources.stdin_export(io.BytesIO(b'{"id": 1}\n'))
    try:
        assert raw.origin == "-"
        assert raw.path.parent == spool_dir
        assert raw.path.read_bytes() == b'{"id": 1}\n'
        assert raw.sha256 == hashlib.sha256(b'{"id": 1}\n').hexdigest()
    finally:
        sources.discard(raw)
    assert not raw.path.exists()


def test_expand_template_fills_every_placeholder() -> None:
    value = "https://x.org/{hashtag}/{yyyy}/{mm}/{dd}/{hashtag}-{date}.jsonl"
    assert sources.expand_template(value, date(2024, 3, 6), "solopr") == (
        "https://x.org/solopr/2024/03/06/solopr-2024-03-06.jsonl")
    assert sources.expand_template("exports/plain.jsonl", date(2024, 3, 6), "x") == (
        "exports/plain.jsonl")
    with pytest.raises(SourceError, match=r"unknown placeholder \{dat\}; use \{date\}"):
        sources.expand_template("https://x.org/{dat}.jsonl", date(2024, 3, 6), "solopr")


def test_inbox_skips_hidden_and_unsettled_files_and_moves_nothing(tmp_path: Path) -> None:
    folder = make_files(tmp_path)
    (folder / "fresh.jsonl").write_text("{}\n")
    now = time.time()
    for path in (folder / "a.jsonl", folder / "sub" / "b.jsonl", folder / ".hidden.jsonl"):
        os.utime(path, (now - 10, now - 10))
    os.utime(folder / "fresh.jsonl", (now - 1, now - 1))
    found = list(sources.inbox_exports(folder, clock=lambda: now))
    assert [raw.name for raw in found] == ["a.jsonl", "b.jsonl"]
    assert found[1].sha256 == hashlib.sha256(b"{}\n{}\n").hexdigest()
    settled_sooner = sources.inbox_exports(folder, settle_seconds=0.5, clock=lambda: now)
    assert [raw.name for raw in settled_sooner] == ["a.jsonl", "fresh.jsonl", "b.jsonl"]
    for raw in found:
        sources.discard(raw)
    assert sorted(p.name for p in folder.rglob("*")) == [
        ".hidden.jsonl", "a.jsonl", "b.jsonl", "fresh.jsonl", "sub"]
    with pytest.raises(SourceError, match="inbox folder does not exist"):
        list(sources.inbox_exports(tmp_path / "nope"))


def test_url_download_and_conditional_get(http_server: Server) -> None:
    modified = "Wed, 06 Mar 2024 18:00:00 GMT"
    http_server.routes["/solopr.jsonl"] = Route(body=BODY, headers={"Last-Modified": modified})
    url = http_server.url("/solopr.jsonl")
    raw = sources.fetch_url(url)
    assert raw is not None
    assert raw.path.read_bytes() == BODY
    assert raw.sha256 == hashlib.sha256(BODY).hexdigest()
    assert (raw.name, raw.origin, raw.last_modified) == ("solopr.jsonl", url, modified)
    assert raw.etag and raw.etag.startswith('"')
    sources.discard(raw)
    assert sources.fetch_url(url, etag=raw.etag, last_modified=modified) is None
    assert http_server.hits["/solopr.jsonl"] == 2
    assert http_server.request_headers[-1]["If-None-Match"] == raw.etag
    assert http_server.request_headers[-1]["If-Modified-Since"] == modified


def test_client_errors_are_not_retried(http_server: Server, policy: sources.FetchPolicy,
                                       sleeps: list[float]) -> None:
    with pytest.raises(SourceError, match=r"answered 404 Not Found$"):
        sources.fetch_url(http_server.url("/missing"), policy=policy)
    http_server.routes["/private"] = Route(status=403)
    with pytest.raises(SourceError, match="answered 403 Forbidden; the source may need an acc"):
        sources.fetch_url(http_server.url("/private"), policy=policy)
    assert (http_server.hits, sleeps) == ({"/missing": 1, "/private": 1}, [])


@pytest.mark.parametrize(("first", "wait"), [
    (Route(status=500), 0.5),
    (Route(status=429), 0.5),
    (Route(status=503, headers={"Retry-After": "1"}), 1.0),
    (Route(status=429, headers={"Retry-After": "3600"}), 120.0),
    (Route(reset=True), 0.5),
    (Route(body=BODY, truncate=100), 0.5),
])
def test_transient_failure_then_success(http_server: Server, policy: sources.FetchPolicy,
                                        sleeps: list[float], first: Route, wait: float) -> None:
    http_server.routes["/x.jsonl"] = Route(body=BODY, before=[first])
    raw = sources.fetch_url(http_server.url("/x.jsonl"), policy=policy)
    assert raw is not None
    assert raw.path.read_bytes() == BODY
    assert (http_server.hits["/x.jsonl"], sleeps) == (2, [wait])


def test_retry_after_as_an_http_date(http_server: Server, policy: sources.FetchPolicy,
                                     sleeps: list[float]) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    http_server.routes["/x"] = Route(body=b"ok", before=[
        Route(status=503, headers={"Retry-After": later})])
    assert sources.fetch_url(http_server.url("/x"), policy=policy) is not None
    assert len(sleeps) == 1 and 27.0 <= sleeps[0] <= 30.0


def test_persistent_500_gives_up_after_n_tries(http_server: Server, policy: sources.FetchPolicy,
                                               sleeps: list[float], spool_dir: Path) -> None:
    http_server.routes["/broken"] = Route(body=b"oops", status=500)
    with pytest.raises(SourceError) as caught:
        sources.fetch_url(http_server.url("/broken"), policy=policy)
    assert caught.value.problem == ("could not fetch after 4 tries; the last one: the server"
                                    " answered 500 Internal Server Error")
    assert (http_server.hits["/broken"], sleeps) == (4, [0.5, 1.0, 2.0])
    assert leftovers(spool_dir) == []


def test_slow_answer_times_out(http_server: Server, sleeps: list[float]) -> None:
    http_server.routes["/slow"] = Route(body=b"late", delay=2.0)
    fast = sources.FetchPolicy(timeout=0.5, retries=1, sleep=sleeps.append)
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"after 2 tries; the last one: no answer within 0\.5 s"):
        sources.fetch_url(http_server.url("/slow"), policy=fast)
    assert time.monotonic() - started < 1.9  # two 0.5 s timeouts, not the 2 s delay
    assert (http_server.hits["/slow"], sleeps) == (2, [0.5])


def test_connection_reset_every_time(http_server: Server, policy: sources.FetchPolicy) -> None:
    http_server.routes["/reset"] = Route(reset=True)
    with pytest.raises(SourceError, match="could not fetch after 4 tries; the last one: "):
        sources.fetch_url(http_server.url("/reset"), policy=policy)
    assert http_server.hits["/reset"] == 4


def test_cut_short_body_leaves_nothing(http_server: Server, policy: sources.FetchPolicy,
                                       spool_dir: Path) -> None:
    http_server.routes["/cut.jsonl"] = Route(body=BODY, truncate=4000)
    with pytest.raises(SourceError, match="after 4 tries; the last one: the body was cut short"):
        sources.fetch_url(http_server.url("/cut.jsonl"), policy=policy)
    assert leftovers(spool_dir) == []


def test_redirects_are_bounded_and_loops_named(http_server: Server,
                                               policy: sources.FetchPolicy) -> None:
    for hop in range(6):
        http_server.routes[f"/r{hop}"] = Route(status=302, etag=False,
                                               headers={"Location": f"/r{hop + 1}"})
    http_server.routes["/r6"] = Route(body=b"arrived")
    raw = sources.fetch_url(http_server.url("/r1"), policy=policy)  # 5 redirects: allowed
    assert raw is not None and raw.path.read_bytes() == b"arrived"
    with pytest.raises(SourceError, match=r"more than 5 redirects: .*/r0 -> .*/r1 -> .*/r6$"):
        sources.fetch_url(http_server.url("/r0"), policy=policy)
    http_server.routes["/loop"] = Route(status=302, etag=False, headers={"Location": "/loop2"})
    http_server.routes["/loop2"] = Route(status=301, etag=False, headers={"Location": "/loop"})
    with pytest.raises(SourceError, match=r"redirect loop: \S+/loop -> \S+/loop2 -> \S+/loop$"):
        sources.fetch_url(http_server.url("/loop"), policy=policy)
    assert (http_server.hits["/loop"], http_server.hits["/loop2"]) == (1, 1)


def test_oversized_bodies_are_refused(http_server: Server, sleeps: list[float],
                                      spool_dir: Path) -> None:
    small = sources.FetchPolicy(max_bytes=1024, sleep=sleeps.append)
    http_server.routes["/big"] = Route(body=b"x" * 4096)
    with pytest.raises(SourceError, match="says the download is 4096 bytes, more than the limit"
                       " of 1024 bytes"):
        sources.fetch_url(http_server.url("/big"), policy=small)
    # Small on the wire, big once decoded: only the streaming check can catch it.
    http_server.routes["/bomb"] = Route(body=b"x" * 4096, gzip=True)
    http_server.routes["/bomb.jsonl.gz"] = Route(body=gzip.compress(b"x" * 4096))
    for path in ("/bomb", "/bomb.jsonl.gz"):
        with pytest.raises(SourceError, match="larger than the limit of 1024 bytes"):
            sources.fetch_url(http_server.url(path), policy=small)
    assert (leftovers(spool_dir), sleeps) == ([], [])


def test_gzip_encoding_and_gz_files_are_decompressed(http_server: Server) -> None:
    http_server.routes["/enc.jsonl"] = Route(body=BODY, gzip=True)
    half = len(BODY) // 2  # two gzip members, as `cat a.gz b.gz` makes
    members = gzip.compress(BODY[:half]) + gzip.compress(BODY[half:])
    http_server.routes["/solopr-2024-03-06.jsonl.gz"] = Route(body=members)
    http_server.routes["/gz-by-magic"] = Route(body=gzip.compress(BODY))
    names = []
    for path in ("/enc.jsonl", "/solopr-2024-03-06.jsonl.gz", "/gz-by-magic"):
        raw = sources.fetch_url(http_server.url(path))
        assert raw is not None
        assert raw.path.read_bytes() == BODY
        assert raw.sha256 == hashlib.sha256(BODY).hexdigest()
        names.append(raw.name)
        sources.discard(raw)
    assert names == ["enc.jsonl", "solopr-2024-03-06.jsonl", "gz-by-magic"]
    assert http_server.request_headers[0]["Accept-Encoding"].startswith("gzip")


def test_broken_gz_file_is_an_error(http_server: Server, spool_dir: Path) -> None:
    http_server.routes["/cut.jsonl.gz"] = Route(body=gzip.compress(BODY)[:60])
    with pytest.raises(SourceError, match="gzip content ends early"):
        sources.fetch_url(http_server.url("/cut.jsonl.gz"))
    assert leftovers(spool_dir) == []


def test_token_is_sent_but_never_logged(http_server: Server, policy: sources.FetchPolicy,
                                        monkeypatch: pytest.MonkeyPatch,
                                        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("CHATARCHIVE_TEST_TOKEN", TOKEN)
    http_server.routes["/ok"] = Route(body=b"{}")
    http_server.routes["/fails"] = Route(status=500, body=TOKEN.encode())
    caplog.set_level(logging.DEBUG)
    raw = sources.fetch_url(http_server.url("/ok"), token_env="CHATARCHIVE_TEST_TOKEN")
    assert raw is not None
    assert http_server.request_headers[0]["Authorization"] == f"Bearer {TOKEN}"
    with pytest.raises(SourceError) as caught:
        sources.fetch_url(http_server.url("/fails"), token_env="CHATARCHIVE_TEST_TOKEN",
                          policy=policy)
    assert "after 4 tries" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert caplog.records and TOKEN not in caplog.text
    assert all(TOKEN not in str(record.args) for record in caplog.records)
    monkeypatch.delenv("CHATARCHIVE_TEST_TOKEN")
    with pytest.raises(SourceError, match="environment variable CHATARCHIVE_TEST_TOKEN, which"):
        sources.fetch_url(http_server.url("/ok"), token_env="CHATARCHIVE_TEST_TOKEN")
    assert http_server.hits["/ok"] == 1


def test_unreachable_url(policy: sources.FetchPolicy) -> None:
    with pytest.raises(SourceError, match="could not fetch after 4 tries; the last one: Connect"):
        sources.fetch_url("http://127.0.0.1:9/nothing-listens-here", policy=policy)
    with pytest.raises(SourceError, match="could not fetch"):
        sources.fetch_url("ftp://127.0.0.1/x", policy=policy)


# Live pulls, served in the platforms' real shapes.

SINCE = datetime(2024, 3, 6, 18, 0, tzinfo=UTC)
UNTIL = SINCE + timedelta(hours=1)


def status(native_id: int, minute: int) -> dict[str, object]:
    """A Mastodon status as /api/v1/timelines/tag/:hashtag returns it (fields trimmed)."""
    at = SINCE + timedelta(minutes=minute)
    return {
        "id": str(native_id), "created_at": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "in_reply_to_id": None, "in_reply_to_account_id": None, "sensitive": False,
        "visibility": "public", "language": "en",
        "uri": f"https://example.social/users/ann/statuses/{native_id}",
        "url": f"https://example.social/@ann/{native_id}", "replies_count": 0,
        "reblogs_count": 1, "favourites_count": 2, "edited_at": None,
        "content": '<p>A1 answers <a href="https://example.social/tags/solopr" class="mention'
                   ' hashtag" rel="tag">#<span>solopr</span></a></p>',
        "reblog": None, "account": {"id": "1090", "username": "ann", "acct": "ann",
                                    "display_name": "Ann Example",
                                    "url": "https://example.social/@ann"},
        "media_attachments": [], "mentions": [],
        "tags": [{"name": "solopr", "url": "https://example.social/tags/solopr"}], "emojis": [],
    }


def mastodon_route(server: Server, statuses: list[dict[str, object]], max_id: str | None,
                   next_id: str | None) -> None:
    path = "/api/v1/timelines/tag/solopr?limit=40" + (f"&max_id={max_id}" if max_id else "")
    links = []
    if next_id:
        links.append(f'<{server.url("/api/v1/timelines/tag/solopr")}?limit=40&max_id={next_id}>;'
                     ' rel="next"')
    links.append(f'<{server.url("/api/v1/timelines/tag/solopr")}?limit=40&min_id=9>; rel="prev"')
    server.routes[path] = Route(body=json.dumps(statuses).encode(), etag=False,
                                headers={"Link": ", ".join(links),
                                         "Content-Type": "application/json; charset=utf-8"})


def test_mastodon_pages_until_older_than_since(http_server: Server, policy: sources.FetchPolicy,
                                               sleeps: list[float]) -> None:
    pages = [[status(9, 70), status(8, 50)], [status(7, 30), status(6, 10)],
             [status(5, 5), status(4, -20)], [status(3, -30)]]
    mastodon_route(http_server, pages[0], None, "8")
    mastodon_route(http_server, pages[1], "8", "6")
    mastodon_route(http_server, pages[2], "6", "4")
    mastodon_route(http_server, pages[3], "4", None)
    second = http_server.routes["/api/v1/timelines/tag/solopr?limit=40&max_id=8"]
    second.before = [Route(status=503)]  # the same retries as any fetch
    raw = sources.fetch_mastodon(http_server.url(""), "#solopr", SINCE, UNTIL, policy=policy)
    assert raw is not None
    assert raw.name == "mastodon-solopr.jsonl"
    assert raw.origin == http_server.url("/api/v1/timelines/tag/solopr?limit=40")
    lines = raw.path.read_text("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == pages[:3]
    assert http_server.paths == ["/api/v1/timelines/tag/solopr?limit=40",
                                 "/api/v1/timelines/tag/solopr?limit=40&max_id=8",
                                 "/api/v1/timelines/tag/solopr?limit=40&max_id=8",
                                 "/api/v1/timelines/tag/solopr?limit=40&max_id=6"]
    assert sleeps == [0.5]
    sources.discard(raw)
    assert not raw.path.exists()


def test_mastodon_stops_at_max_pages_and_at_an_empty_window(
        http_server: Server, spool_dir: Path) -> None:
    mastodon_route(http_server, [status(9, 50)], None, "9")
    mastodon_route(http_server, [status(8, 40)], "9", "8")
    mastodon_route(http_server, [status(7, 30)], "8", "7")
    raw = sources.fetch_mastodon(http_server.url("/"), "solopr", SINCE, UNTIL, max_pages=2)
    assert raw is not None and len(raw.path.read_text("utf-8").splitlines()) == 2
    sources.discard(raw)
    later = UNTIL + timedelta(days=1)
    assert sources.fetch_mastodon(http_server.url(""), "solopr", later, later) is None
    assert leftovers(spool_dir) == []
    with pytest.raises(SourceError, match="not a JSON array of statuses"):
        http_server.routes["/api/v1/timelines/tag/oops"] = Route(body=b'{"error": "x"}')
        sources.fetch_mastodon(http_server.url(""), "oops", SINCE, UNTIL)


def test_mastodon_next_link_to_another_server_is_not_followed(http_server: Server) -> None:
    mastodon_route(http_server, [status(9, 50)], None, None)
    mastodon_route(http_server, [status(8, 40)], "9", None)
    elsewhere = f"<http://localhost:{http_server.port}/api/v1/timelines/tag/solopr?limit=40&max_id=9>"
    first = http_server.routes["/api/v1/timelines/tag/solopr?limit=40"]
    first.headers["Link"] = elsewhere + '; rel="next"'
    raw = sources.fetch_mastodon(http_server.url(""), "solopr", SINCE, UNTIL)
    assert raw is not None
    assert http_server.paths == ["/api/v1/timelines/tag/solopr?limit=40"]
    sources.discard(raw)


def test_mastodon_instance_without_scheme_is_https() -> None:
    with pytest.raises(SourceError) as caught:
        sources.fetch_mastodon("mastodon.social", "SoloPR", SINCE, UNTIL,
                               token_env="CHATARCHIVE_UNSET_TOKEN")
    assert caught.value.origin == "https://mastodon.social/api/v1/timelines/tag/SoloPR?limit=40"
    with pytest.raises(ValueError, match="timezone-aware"):
        sources.fetch_mastodon("mastodon.social", "solopr", datetime(2024, 3, 6), UNTIL)


def post(rkey: str, minute: int) -> dict[str, object]:
    """A Bluesky PostView as app.bsky.feed.searchPosts returns it."""
    at = (SINCE + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": "bafyreib2rxk3rh6kzwq6lxhgmjwjdqfgqr2xndqvnqaxqbqzqxq5y5sqai",
        "author": {"did": did, "handle": "ann.bsky.social", "displayName": "Ann Example",
                   "labels": [], "createdAt": "2023-04-12T04:53:57.057Z"},
        "record": {"$type": "app.bsky.feed.post", "createdAt": at, "langs": ["en"],
                   "text": "A1 answers #solopr"},
        "replyCount": 0, "repostCount": 1, "likeCount": 3, "quoteCount": 0,
        "indexedAt": at, "labels": [],
    }


def test_bluesky_search_follows_the_cursor(http_server: Server) -> None:
    first = {"posts": [post("3kq2a", 40), post("3kq29", 30)], "cursor": "2"}
    last = {"posts": [post("3kq28", 20)]}
    http_server.routes["/xrpc/app.bsky.feed.searchPosts"] = Route(
        body=json.dumps(last).encode(), before=[Route(body=json.dumps(first).encode())])
    raw = sources.fetch_bluesky("#solopr", SINCE, UNTIL, base=http_server.url(""))
    assert raw is not None
    query = ("/xrpc/app.bsky.feed.searchPosts?q=%23solopr&since=2024-03-06T18%3A00%3A00Z"
             "&until=2024-03-06T19%3A00%3A00Z&limit=100&sort=latest")
    assert http_server.paths == [query, query + "&cursor=2"]
    assert (raw.origin, raw.name) == (http_server.url(query), "bluesky-search.jsonl")
    assert [json.loads(line) for line in raw.path.read_text("utf-8").splitlines()] == [
        first, last]
    sources.discard(raw)


def test_bluesky_empty_search_is_none(http_server: Server, spool_dir: Path) -> None:
    http_server.routes["/xrpc/app.bsky.feed.searchPosts"] = Route(body=b'{"posts": []}')
    assert sources.fetch_bluesky("#solopr", SINCE, UNTIL, base=http_server.url("")) is None
    assert leftovers(spool_dir) == []


def spool_chunks(chunks: Iterator[bytes]) -> bytes:
    with spool.Spool("test", "unit") as writer:
        for chunk in chunks:
            writer.write(chunk)
        path, _ = writer.close()
    return path.read_bytes()


def test_spool_gunzips_across_tiny_chunks() -> None:
    packed = gzip.compress(BODY) + b"\x00" * 8  # zero padding after the member is tolerated
    assert spool_chunks(packed[i:i + 1] for i in range(len(packed))) == BODY
    assert spool_chunks(iter([b"\x1f"])) == b"\x1f"  # one byte cannot be gzip: kept as is
