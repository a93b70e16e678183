"""Hostile export files for the reliability tests, generated deterministically at test time.

Each Case is one file (its bytes, the format forced on it, and what importing it must do). Nothing
is committed: ``write_cases(folder)`` writes them all, and ``write_long_line`` streams the 50 MB
one-line files without holding them in memory. Run as a script to look at them:

    python tests/hostile/make_hostile.py OUTDIR
"""

from __future__ import annotations

import csv
import io
import json
import random
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
TWARC = FIXTURES / "solopr" / "solopr-2026-03-04.jsonl"
TWEETS_JS = FIXTURES / "solopr" / "archive" / "data" / "tweets.js"
ACCOUNT_JS = FIXTURES / "solopr" / "archive" / "data" / "account.js"
DATES_CSV = FIXTURES / "formats" / "csv" / "dates-only.csv"
TAGS_CSV = FIXTURES / "formats" / "tags" / "solopr-tags.csv"
TWARC_CSV = FIXTURES / "formats" / "twarc-csv" / "solopr-json2csv.csv"
WEB_EXPORTER = FIXTURES / "formats" / "twitter-web-exporter" / "solopr-web-exporter.json"
MASTODON_CONTEXT = FIXTURES / "formats" / "mastodon" / "context.json"
BOM = b"\xef\xbb\xbf"
LONG_LINE_BYTES = 50 * 1024 * 1024
SEED = 1404

# Text a participant could write that Markdown, HTML, YAML front matter or Jinja would act on.
INJECTIONS = (
    "{{ 7*7 }} {{ config }} {% for x in range(3) %}loop{% endfor %}",
    "<script>alert('x')</script> <img src=x onerror=alert(1)>",
    "---\ntitle: pwned\nlayout: evil\n---",
    "[click me](javascript:alert(1)) ![tracker](http://evil.example/p.gif)",
    "# Heading\n> quote\n- list item\n| a | b |\n|---|---|",
    "**bold** _em_ `code` ~~strike~~ &amp; &#x3C;b&#x3E; \\ <!-- comment -->",
    "```\nfenced\n```",
    "1. numbered\n\n    indented code",
)
HOSTILE_NAMES = (
    "**Kat** <b>French</b>",
    "{{ 7*7 }}",
    "---\nrole: admin",
    "[Sam](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
)


@dataclass(frozen=True)
class Case:
    """One hostile file and what importing it with the CLI must do.

    ``error``: the import exits 1 and its message (naming the file) holds this text. Otherwise it
    exits 0 having archived ``new`` posts and rejected ``rejected`` records (``reason`` is in the
    message of the first rejection shown).
    """

    name: str
    data: bytes
    fmt: str = "auto"
    columns: tuple[str, ...] = ()
    error: str | None = None
    new: int = 0
    rejected: int = 0
    reason: str | None = None

    def args(self) -> list[str]:
        """The extra command-line options of the import."""
        options = [] if self.fmt == "auto" else ["--format", self.fmt]
        for column in self.columns:
            options += ["--column", column]
        return options


def twarc_lines() -> list[str]:
    """The 202 posts of the #solopr fixture, one twarc v1.1 JSON line each."""
    return TWARC.read_text(encoding="utf-8").splitlines()


def _jsonl(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _without_column(path: Path, column: str) -> bytes:
    rows = _csv_rows(path)
    index = rows[0].index(column)
    return _csv([row[:index] + row[index + 1 :] for row in rows])


def _zip(entries: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _tweet(line: str, **changes: Any) -> str:
    tweet = json.loads(line)
    tweet.update(changes)
    return json.dumps(tweet)


def empty_cases() -> Iterator[Case]:
    """Files with nothing in them."""
    nothing = "could not recognise the format (saw: an empty file)"
    yield Case("empty.jsonl", b"", error=nothing)
    yield Case("blank-lines.jsonl", b"\n  \n\t\r\n\n", error=nothing)
    yield Case("bom-only.json", BOM, error="could not recognise the format")
    yield Case("empty-forced.csv", b"", fmt="csv", error="the CSV file is empty: it has no header")
    yield Case("empty-forced.jsonl", b"", fmt="twarc")
    yield Case("header-only.csv", TWARC_CSV.read_bytes().splitlines(keepends=True)[0])


def json_cases() -> Iterator[Case]:
    """Broken JSON of every kind, beside good records that must be kept."""
    good = twarc_lines()
    yield Case("twarc-bad-line.jsonl", _jsonl([*good[:3], "{not json at all", *good[3:5]]),
               new=5, rejected=1, reason="line 4: invalid JSON: Expecting property name")
    cut = good[4][: len(good[4]) // 2]
    yield Case("twarc-cut-short.jsonl", _jsonl([*good[:4], cut]), new=4, rejected=1,
               reason="line 5: invalid JSON: Unterminated string")
    yield Case("twarc-scalars.jsonl", _jsonl(["1", '"text"', "null", "[]", good[0]]),
               fmt="twarc", new=1, rejected=4,
               reason="line 1: not a v1.1 tweet (no id_str and text; has: int)")
    deep = "[" * 100_000 + "]" * 100_000
    yield Case("twarc-deep-nesting.jsonl", _jsonl([good[0], deep, good[1]]), new=2,
               rejected=1, reason="line 2: invalid JSON: nested too deeply")
    # A first line that opens an array makes twarc read the file as one JSON array document.
    yield Case("deep-first-line.jsonl", _jsonl([deep, good[0]]), fmt="twarc",
               error="the file is not valid JSON: nested too deeply")
    yield Case("deep-first-line-auto.jsonl", _jsonl([deep, good[0]]),
               error="could not recognise the format")
    yield Case("deep-document.json", deep.encode(), fmt="mastodon", rejected=1,
               reason="line 1: invalid JSON: nested too deeply")
    huge = _tweet(good[2], favorite_count=10**40, retweet_count=-5, id=10**400)
    yield Case("twarc-huge-numbers.jsonl", _jsonl([good[0], huge]), new=2)
    nan = good[3].replace('"favorite_count": 0', '"favorite_count": NaN', 1).replace(
        '"retweet_count": 0', '"retweet_count": Infinity', 1)
    yield Case("twarc-nan.jsonl", _jsonl([good[0], nan]), new=2)
    exporter = WEB_EXPORTER.read_bytes()
    yield Case("web-exporter-cut.json", exporter[: len(exporter) // 2],
               fmt="twitter-web-exporter", new=7, rejected=1,
               reason="item 8: invalid JSON: Unterminated string")
    yield Case("tweets-js-not-array.js", b"window.YTD.tweets.part0 = {}\n", fmt="tweets-js",
               error="does not hold a JSON array")
    context = MASTODON_CONTEXT.read_bytes()
    yield Case("mastodon-cut.json", context[: len(context) // 2], fmt="mastodon",
               error="the file is not valid JSON")
    yield Case("not-json.jsonl", b"hello world\nthis is not an export\n",
               error="could not recognise the format")
    items = TWEETS_JS.read_text(encoding="utf-8")
    second = items.index('"tweet" :', items.index('"tweet" :') + 1)
    broken = items[:second] + '"tweet" : {"broken": ' + items[second + len('"tweet" :'):]
    yield Case("tweets-js-broken-item.js", broken.encode("utf-8"), new=24, rejected=1,
               reason="item 2: invalid JSON: Expecting property name")


def encoding_cases() -> Iterator[Case]:
    """Bytes that are not UTF-8, NUL bytes and escapes that decode to unstorable text."""
    good = twarc_lines()
    latin = good[1].encode().replace(b"recap", b"r\xe9cap", 1)  # a Latin-1 byte
    yield Case("twarc-latin1-line.jsonl", b"\n".join([good[0].encode(), latin,
                                                      good[2].encode()]) + b"\n",
               new=2, rejected=1, reason="line 2: not UTF-8 text")
    overlong = good[1].encode().replace(b"#solopr", b"#solo\xc0\xafpr", 1)
    yield Case("twarc-overlong-utf8.jsonl", overlong + b"\n" + good[2].encode() + b"\n",
               fmt="twarc", new=1, rejected=1, reason="line 1: not UTF-8 text")
    surrogate = _tweet(good[3], full_text="A1: half a pair \ud83d here #solopr",
                       user={**json.loads(good[3])["user"], "name": "Lone \udc00 Name"})
    yield Case("twarc-lone-surrogate.jsonl", _jsonl([good[0], surrogate]), new=2)
    rows = DATES_CSV.read_text(encoding="utf-8").splitlines()
    rows[2] = rows[2].replace("Rate stays", "Caf\u00e9 rate stays")
    data = "\n".join(rows).encode("utf-8").replace("Caf\u00e9".encode(), b"Caf\xe9")
    # The sample's row 3 says 'yesterday' for a date: rejected whatever the encoding.
    yield Case("csv-latin1-row.csv", data + b"\n", new=6, rejected=2,
               reason="row 2 (line 3): not UTF-8 text (invalid continuation byte)")
    yield Case("utf16.csv", DATES_CSV.read_text(encoding="utf-8").encode("utf-16"),
               error="could not recognise the format (saw: binary data starting ff fe")
    noise = random.Random(SEED).randbytes(4096)
    yield Case("random.bin", noise, error="could not recognise the format")
    yield Case("random-as-twarc.jsonl", noise, fmt="twarc", rejected=22,
               reason="line 1: not UTF-8 text")
    nul_line = good[1].encode().replace(b"recap", b"re\x00cap", 1)
    yield Case("twarc-nul-byte.jsonl", good[0].encode() + b"\n" + nul_line + b"\n",
               fmt="twarc", new=1, rejected=1, reason="line 2: invalid JSON: Invalid control")
    escaped_nul = _tweet(good[2], full_text="A2: NUL \u0000 inside #solopr")
    yield Case("twarc-escaped-nul.jsonl", _jsonl([escaped_nul]), new=1)
    yield Case("nul-only.jsonl", b"\x00" * 1000, error="binary data starting 00 00")
    csv_rows = DATES_CSV.read_bytes().replace(b"Rate stays", b"Rate\x00stays", 1)
    yield Case("csv-nul-cell.csv", csv_rows, new=7, rejected=1,
               reason="row 3 (line 4): unreadable date: 'yesterday'")


def markup_cases() -> Iterator[Case]:
    """HTML that Python's parser gives up on, as a page and inside a Mastodon status."""
    wall = (FIXTURES / "formats" / "html" / "solopr-wall.html").read_bytes()
    yield Case("html-rejected-markup.html", b"<![]" + wall[2:], fmt="html",
               error="the page cannot be read as HTML (AssertionError: expected name token")
    statuses = (FIXTURES / "formats" / "mastodon" / "mastodon-solopr.jsonl").read_text(
        encoding="utf-8").splitlines()
    page = json.loads(statuses[0])  # a tag timeline page: a list of statuses
    page[0]["content"] = "<p><![]oops</p>"
    yield Case("mastodon-rejected-markup.jsonl", _jsonl([json.dumps(page)]), fmt="mastodon",
               new=len(page) - 1, rejected=1,
               reason="item 1: the post's HTML cannot be read as HTML")


def forced_cases() -> Iterator[Case]:
    """The wrong format forced on a file, and CSVs missing the columns their format needs."""
    twarc = _jsonl(twarc_lines()[:5])
    dates = DATES_CSV.read_bytes()
    yield Case("twarc2-on-csv.csv", dates, fmt="twarc2", rejected=9,
               reason="line 1: invalid JSON: Expecting value")
    yield Case("csv-on-jsonl.jsonl", twarc, fmt="csv", error="cannot tell which column")
    yield Case("tweets-js-on-jsonl.jsonl", twarc, fmt="tweets-js",
               error="does not hold a JSON array")
    yield Case("zip-on-jsonl.jsonl", twarc, fmt="twitter-archive-zip",
               error="not a readable ZIP archive")
    yield Case("html-on-binary.html", random.Random(SEED + 1).randbytes(4096), fmt="html")
    yield Case("mastodon-on-twarc.jsonl", twarc, fmt="mastodon", rejected=5,
               reason="line 1: not a Mastodon status (no id, account and content")
    yield Case("twarc-on-tweets-js.js", TWEETS_JS.read_bytes(), fmt="twarc", rejected=1242,
               reason="line 1: invalid JSON: Expecting value")
    yield Case("bluesky-on-csv.csv", dates, fmt="bluesky",
               error="the file is not valid JSON: Expecting value at line 1 column 1")
    yield Case("topsy-on-twarc-csv.csv", TWARC_CSV.read_bytes(), fmt="topsy",
               error="no column 'content' in the file")
    yield Case("tags-without-text.csv", _without_column(TAGS_CSV, "text"), fmt="tags",
               rejected=14, reason="row 2 (line 3): the row has no text")
    # The status URL column still gives each id; one row has neither.
    yield Case("twarc-csv-without-id.csv", _without_column(TWARC_CSV, "id"), fmt="twarc-csv",
               new=11, rejected=1, reason="row 7 (line 8): no tweet id")
    yield Case("csv-without-author.csv", _without_column(DATES_CSV, "username"), fmt="csv",
               error="--column author=COLUMN")
    yield Case("csv-unknown-column.csv", dates, fmt="csv", columns=("text=nope",),
               error="no column 'nope' in the file")
    rows = _csv_rows(DATES_CSV)
    ragged = [rows[0], rows[1], [*rows[2], "extra"], rows[3][:2], *rows[4:]]
    yield Case("csv-ragged.csv", _csv(ragged), new=len(rows) - 3, rejected=2,
               reason="row 2 (line 3): the row has 6 fields but the header has 5")


def zip_cases() -> Iterator[Case]:
    """Twitter archive ZIPs: a bomb, entries pointing outside, corrupt and nested archives."""
    tweets, account = TWEETS_JS.read_bytes(), ACCOUNT_JS.read_bytes()
    bomb = b"window.YTD.tweets.part0 = [" + b" " * (20 * 1024 * 1024) + b"]"
    yield Case("bomb.zip", _zip({"data/account.js": account, "data/tweets.js": bomb,
                                 "data/tweets-part1.js": tweets}),
               new=25, rejected=1, reason="data/tweets.js: refused: it unpacks to")
    slip = {"../../evil/data/tweets.js": tweets, "/abs/data/tweets.js": tweets,
            "..\\..\\win\\data\\tweets.js": tweets, "data/account.js": account}
    yield Case("zip-slip.zip", _zip(slip), fmt="twitter-archive-zip",
               error="the ZIP holds no data/tweets.js")
    yield Case("zip-slip-beside-good.zip", _zip({**slip, "data/tweets.js": tweets}), new=25)
    yield Case("zip-corrupt.zip", b"PK\x03\x04" + random.Random(SEED + 2).randbytes(2048),
               fmt="twitter-archive-zip", error="not a readable ZIP archive")
    good_zip = _zip({"data/account.js": account, "data/tweets.js": tweets})
    yield Case("zip-nested.zip", _zip({"twitter-2026-03-05-x.zip": good_zip}),
               fmt="twitter-archive-zip", error="the ZIP holds no data/tweets.js")
    stored = bytearray(_zip({"data/account.js": account, "data/tweets.js": tweets},
                            zipfile.ZIP_STORED))
    at = stored.index(b'"full_text"') + 20
    stored[at : at + 4] = b"XXXX"  # the CRC no longer matches
    yield Case("zip-bad-crc.zip", bytes(stored), new=0, rejected=1,
               reason="data/tweets.js: cannot unpack the entry")
    yield Case("zip-truncated.zip", good_zip[: len(good_zip) // 2], fmt="twitter-archive-zip",
               error="not a readable ZIP archive")


def injection_chat() -> bytes:
    """The #solopr chat with every answer and display name rewritten to hostile markup."""
    out = []
    for number, line in enumerate(twarc_lines()):
        tweet = json.loads(line)
        text = tweet["full_text"]
        if text.startswith("A") and ":" in text[:4] and "retweeted_status" not in tweet:
            label = text.split(":", 1)[0]
            tweet["full_text"] = f"{label}: {INJECTIONS[number % len(INJECTIONS)]} #solopr"
            tweet["display_text_range"] = [0, len(tweet["full_text"])]
        user = tweet["user"]
        if user["screen_name"] not in ("marenholtpr", "theobarlowpr"):
            user["name"] = HOSTILE_NAMES[int(user["id_str"]) % len(HOSTILE_NAMES)]
        out.append(json.dumps(tweet))
    return _jsonl(out)


def path_chat(tag: str) -> bytes:
    """A generic CSV chat (a host asking 3 questions, 12 answers) under a hostile hashtag."""
    rows = [["id", "created_at", "author", "text", "hashtags"]]
    base = 2029253000000000000
    for question in range(1, 4):
        minute = (question - 1) * 15
        rows.append([str(base + minute * 100), f"2026-03-04T18:{minute:02d}:00Z", "hosty",
                     f"Q{question}: what is your answer number {question}?", tag])
        for person in range(4):
            native = base + minute * 100 + person + 1
            rows.append([str(native), f"2026-03-04T18:{minute + person + 1:02d}:00Z",
                         f"person{person}", f"A{question}: my answer {person}", tag])
    return _csv(rows)


def content_cases() -> Iterator[Case]:
    """Readable files whose content is hostile: markup injection, paths in hashtags."""
    yield Case("twarc-injection.jsonl", injection_chat(), new=202)
    yield Case("csv-hashtag-path.csv", path_chat("../../../escaped"), fmt="csv", new=15)
    yield Case("csv-hashtag-slash.csv", path_chat("a/b"), fmt="csv", new=15)


CASES: tuple[Callable[[], Iterator[Case]], ...] = (
    empty_cases, json_cases, encoding_cases, markup_cases, forced_cases, zip_cases,
    content_cases,
)


def cases() -> list[Case]:
    """Every hostile file of the suite but the 50 MB ones."""
    found = [case for make in CASES for case in make()]
    names = [case.name for case in found]
    if len(set(names)) != len(names):
        raise ValueError("two hostile cases share a file name")
    return found


def write_long_line(path: Path, kind: str, size: int = LONG_LINE_BYTES) -> Path:
    """Stream a one-line file of ``size`` bytes: a tweet with a huge text, garbage or a cell."""
    chunk = b"lorem ipsum #solopr " * 50_000  # 1 MB
    head, tail = {
        "tweet": (twarc_lines()[0].split('"full_text": "', 1)[0].encode() + b'"full_text": "',
                  b'", "user": {"id_str": "1", "screen_name": "big", "name": "Big"}}\n'),
        "garbage": (b'{"id_str": "', b"\n"),
        "csv": (b'tweet_id,date,username,content\n2029268134929068034,03/04/2026,big,"',
                b'"\n2029262557916823557,03/04/2026,small,"A short one #solopr"\n'),
    }[kind]
    with path.open("wb") as out:
        out.write(head)
        left = size - len(head) - len(tail)
        while left > 0:
            out.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)
        out.write(tail)
    return path


def write_cases(folder: Path) -> list[tuple[Case, Path]]:
    """Write every case's file into ``folder``; return each case with its path."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases():
        path = folder / case.name
        path.write_bytes(case.data)
        written.append((case, path))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    for case, path in write_cases(target):
        print(f"{path}  ({len(case.data)} bytes, --format {case.fmt})")
