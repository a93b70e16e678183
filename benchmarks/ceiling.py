"""The ceiling: the least work that turns an export into rows of the archive's message columns.

    python benchmarks/ceiling.py FORMAT EXPORT DB     # prints: <posts> posts in <s> s (<lib>)

Parse each record (orjson if installed, else json), pick the same normalized columns
chatarchive's ``messages`` table holds, and ``executemany`` them into SQLite in one
transaction; nothing else: no entity decoding, no date parsing, no raw records, no full-text
index, no participants, no chats. It runs with no chatarchive code, so any interpreter that has
(or lacks) orjson can run it; import_speed runs it as a subprocess, timed from outside.
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

try:
    import orjson

    loads: Callable[[bytes | str], Any] = orjson.loads
    LIB = "orjson"

    def dumps(value: Any) -> str:
        """JSON text of a value."""
        return orjson.dumps(value).decode()

except ImportError:
    import json

    loads = json.loads
    LIB = "json"

    def dumps(value: Any) -> str:
        """JSON text of a value."""
        return json.dumps(value, ensure_ascii=False)


Row = tuple[Any, ...]
COLUMNS = ("id", "platform", "native_id", "author_id", "text", "created_at", "url",
           "in_reply_to_id", "quoted_id", "repost_of_id", "like_count", "repost_count", "lang",
           "hashtags", "links")
_EMPTY: Mapping[str, Any] = {}


def _ref(native: Any) -> str | None:
    return f"twitter:{native}" if native else None


def v1_row(tweet: Mapping[str, Any], user: Mapping[str, Any] | None = None) -> Row:
    """The message columns of a v1.1-shaped tweet (API or archive)."""
    user = user or tweet.get("user") or _EMPTY
    native, handle = tweet["id_str"], user.get("screen_name", "unknown")
    entities = tweet.get("entities") or _EMPTY
    return (
        f"twitter:{native}", "twitter", native, f"twitter:{user.get('id_str', 'unknown')}",
        tweet.get("full_text") or tweet.get("text"), tweet.get("created_at"),
        f"https://twitter.com/{handle}/status/{native}",
        _ref(tweet.get("in_reply_to_status_id_str")), _ref(tweet.get("quoted_status_id_str")),
        _ref((tweet.get("retweeted_status") or _EMPTY).get("id_str")),
        tweet.get("favorite_count"), tweet.get("retweet_count"), tweet.get("lang"),
        dumps([h["text"].lower() for h in entities.get("hashtags", ())]),
        dumps([u["expanded_url"] for u in entities.get("urls", ())]),
    )


def v2_row(tweet: Mapping[str, Any], users: Mapping[str, Mapping[str, Any]]) -> Row:
    """The message columns of an API v2 tweet, its author joined from the page's users."""
    native, author = tweet["id"], tweet.get("author_id", "")
    handle = (users.get(author) or _EMPTY).get("username", "unknown")
    refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets", ())}
    entities = tweet.get("entities") or _EMPTY
    metrics = tweet.get("public_metrics") or _EMPTY
    return (
        f"twitter:{native}", "twitter", native, f"twitter:{author}", tweet.get("text"),
        tweet.get("created_at"), f"https://twitter.com/{handle}/status/{native}",
        _ref(refs.get("replied_to")), _ref(refs.get("quoted")), _ref(refs.get("retweeted")),
        metrics.get("like_count"), metrics.get("retweet_count"), tweet.get("lang"),
        dumps([h["tag"].lower() for h in entities.get("hashtags", ())]),
        dumps([u["expanded_url"] for u in entities.get("urls", ())]),
    )


def twarc_rows(path: Path) -> Iterator[Row]:
    """Rows of a v1.1 JSONL file, line by line."""
    with path.open("rb") as lines:
        for line in lines:
            if line.strip():
                yield v1_row(loads(line))


def twarc2_rows(path: Path) -> Iterator[Row]:
    """Rows of a twarc2 JSONL file of pages, page by page."""
    with path.open("rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            page = loads(line)
            users = {u["id"]: u for u in page.get("includes", {}).get("users", ())}
            for tweet in page.get("data", ()):
                yield v2_row(tweet, users)


def tweets_js_rows(path: Path) -> Iterator[Row]:
    """Rows of an archive's tweets.js, decoded whole (as a one-person archive allows)."""
    text = path.read_bytes()
    start = text.index(b"[")
    for item in loads(text[start:].rstrip().rstrip(b";")):
        yield v1_row(item.get("tweet", item))


READERS: dict[str, Callable[[Path], Iterator[Row]]] = {
    "twarc": twarc_rows, "twarc2": twarc2_rows, "tweets-js": tweets_js_rows,
}


def load(fmt: str, export: Path, db_path: Path) -> int:
    """Write the export's rows into a fresh database in one transaction; return the count."""
    db_path.unlink(missing_ok=True)
    conn = sqlite3.connect(db_path)
    conn.execute(f"create table messages ({', '.join(COLUMNS)}, primary key (id))")
    marks = ",".join("?" * len(COLUMNS))
    with conn:
        conn.executemany(f"insert or replace into messages values ({marks})",
                         READERS[fmt](export))
    count = conn.execute("select count(*) from messages").fetchone()[0]
    conn.close()
    return int(count)


def main() -> None:
    """Command line: load one export the ceiling way and say how long it took."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("format", choices=sorted(READERS))
    parser.add_argument("export", type=Path)
    parser.add_argument("db", type=Path)
    args = parser.parse_args()
    started = time.perf_counter()
    count = load(args.format, args.export, args.db)
    print(f"{count} posts in {time.perf_counter() - started:.3f} s ({LIB})")


if __name__ == "__main__":
    main()
