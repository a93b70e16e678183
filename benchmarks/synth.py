"""Generate realistic synthetic hashtag chats at any size, in each main export format.

    python benchmarks/synth.py twarc 100k                 # -> benchmarks/out/data/...
    python benchmarks/synth.py twarc2 1M --seed 7 -o /tmp/chats.jsonl
    python benchmarks/synth.py tweets-js 10k --owner-archive

Formats: ``twarc`` (API v1.1 tweets, one per line, as twarc 1.x writes them), ``twarc2``
(API v2 response pages of 100 tweets with ``includes``, as ``twarc2 search`` writes them) and
``tweets-js`` (the ``window.YTD.tweets.part0 = [...]`` file of a Twitter archive; items carry
a small ``user`` unless --owner-archive, which writes the owner's account.js beside it
instead, as a personal archive has). The same seed gives the same posts in every format, so
importers can be compared on identical content. Posts are written as they are simulated, one
chat at a time: memory stays flat however many posts are asked for.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from common import DATA, FORMATS, parse_size, size_label
from synth_chats import Post, User, posts
from synth_shapes import archive_item, iso, references, v1_tweet, v2_tweet, v2_user

PAGE_SIZE = 100
# Part of the cached files' names: bump it when a change to the generator changes its output.
VERSION = 1
FILE_NAMES = {"twarc": "tweets.jsonl", "twarc2": "tweets.jsonl", "tweets-js": "tweets.js"}


def write_twarc(out: IO[str], stream: Iterable[Post]) -> int:
    """Write v1.1 tweets, one JSON object per line; return how many."""
    count = 0
    for post in stream:
        out.write(json.dumps(v1_tweet(post)))
        out.write("\n")
        count += 1
    return count


def _pages(stream: Iterable[Post]) -> Iterator[list[Post]]:
    page: list[Post] = []
    for post in stream:
        page.append(post)
        if len(page) == PAGE_SIZE:
            yield page
            page = []
    if page:
        yield page


def twarc2_page(page: list[Post], number: int) -> dict[str, Any]:
    """One search response page: newest first, with the users and tweets it refers to."""
    newest_first = sorted(page, key=lambda p: int(p.id), reverse=True)
    users: dict[str, User] = {}
    tweets: dict[str, Post] = {}
    for post in newest_first:
        users.setdefault(post.user.id, post.user)
        for mentioned in post.mentions:
            users.setdefault(mentioned.id, mentioned)
        for _, other in references(post):
            tweets.setdefault(other.id, other)
            users.setdefault(other.user.id, other.user)
    retrieved = max(p.created_at for p in page) + timedelta(minutes=5)
    return {
        "data": [v2_tweet(p) for p in newest_first],
        "includes": {"users": [v2_user(u) for u in users.values()],
                     "tweets": [v2_tweet(t) for t in tweets.values()]},
        "meta": {"newest_id": newest_first[0].id, "oldest_id": newest_first[-1].id,
                 "result_count": len(page), "next_token": f"b26v89c19zqg8o3fo{number:012d}"},
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all", "version": "2.14.0",
                    "retrieved_at": iso(retrieved).replace(".000Z", "+00:00")},
    }


def write_twarc2(out: IO[str], stream: Iterable[Post]) -> int:
    """Write API v2 pages of up to 100 tweets, one page per line; return how many tweets."""
    count = 0
    for number, page in enumerate(_pages(stream), start=1):
        out.write(json.dumps(twarc2_page(page, number)))
        out.write("\n")
        count += len(page)
    return count


def reply_first(stream: Iterable[Post]) -> Iterator[Post]:
    """The same posts with the first reply moved to the front.

    twitter-to-sqlite creates its table from the keys of the first items and fails on a key
    they lack (its issue #63); archive items have reply keys only when they are replies.
    """
    held: list[Post] = []
    iterator = iter(stream)
    for post in iterator:
        if post.reply_to is not None:
            yield post
            break
        held.append(post)
    yield from held
    yield from iterator


def write_tweets_js(out: IO[str], stream: Iterable[Post], with_user: bool = True) -> int:
    """Write a Twitter archive's tweets.js, pretty-printed like the real one; return how many."""
    out.write("window.YTD.tweets.part0 = [ ")
    count = 0
    for post in reply_first(stream):
        if count:
            out.write(", ")
        out.write(json.dumps(archive_item(post, with_user), indent=2, separators=(",", " : "),
                             ensure_ascii=False))
        count += 1
    out.write(" ]")
    return count


def account_js(user: User) -> str:
    """The account.js naming an archive's owner."""
    account = {"account": {"email": "owner@example.org", "createdVia": "web",
                           "username": user.handle, "accountId": user.id,
                           "createdAt": iso(user.created_at), "accountDisplayName": user.name}}
    return "window.YTD.account.part0 = [ " + json.dumps(account, indent=2,
                                                         separators=(",", " : ")) + " ]"


def write(fmt: str, path: Path, count: int, seed: int = 1, with_user: bool = True) -> int:
    """Write ``count`` posts in format ``fmt`` to ``path`` (atomically); return how many."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.partial")
    stream = posts(count, seed)
    with temp.open("w", encoding="utf-8") as out:
        if fmt == "twarc":
            written = write_twarc(out, stream)
        elif fmt == "twarc2":
            written = write_twarc2(out, stream)
        else:
            first = next(stream, None)
            rest = stream if first is None else _chain(first, stream)
            written = write_tweets_js(out, rest, with_user)
            if not with_user and first is not None:
                (path.parent / "account.js").write_text(account_js(first.user), "utf-8")
    os.replace(temp, path)
    return written


def _chain(first: Post, rest: Iterator[Post]) -> Iterator[Post]:
    yield first
    yield from rest


def data_path(fmt: str, count: int, seed: int = 1, with_user: bool = True) -> Path:
    """Where the cached synthetic export of this format, size and seed lives."""
    owner = "" if with_user else "-owner"
    return DATA / f"{fmt}-{size_label(count)}-s{seed}{owner}-v{VERSION}" / FILE_NAMES[fmt]


def ensure(fmt: str, count: int, seed: int = 1, with_user: bool = True) -> Path:
    """The synthetic export of this format and size, generated on first use then reused."""
    path = data_path(fmt, count, seed, with_user)
    if not path.exists():
        write(fmt, path, count, seed, with_user)
    return path


def main() -> None:
    """Command line: generate one synthetic export."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("size", help="number of posts: 2500, 10k, 1M ...")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--out", type=Path, help="output file (default: cached under "
                        "benchmarks/out/data/)")
    parser.add_argument("--owner-archive", action="store_true",
                        help="tweets-js: no user in items; write account.js beside the file")
    args = parser.parse_args()
    count, with_user = parse_size(args.size), not args.owner_archive
    path = args.out or data_path(args.format, count, args.seed, with_user)
    started = datetime.now(UTC)
    written = write(args.format, path, count, args.seed, with_user)
    seconds = (datetime.now(UTC) - started).total_seconds()
    print(f"{path}: {written} posts, {path.stat().st_size / 1e6:.1f} MB in {seconds:.1f} s")


if __name__ == "__main__":
    main()
