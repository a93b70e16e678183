"""Property-based tests: every parser turns any input into messages, rejections or a FormatError.

For each registered format (and for detection), hypothesis writes arbitrary bytes, arbitrary
JSON-ish documents, arbitrary CSV-ish tables and mutated copies of the format's real sample to a
file, and the file is read to the end. The allowed outcomes are a ParsedRecord holding a
well-formed Message, a Rejected, or a FormatError naming the file; anything else fails the test.
The fast suite draws a fixed set of examples per format and input kind; the soak draws more.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chatarchive import formats
from chatarchive.errors import FormatError
from chatarchive.formats import _jsonarray
from chatarchive.formats.reading import RecordError
from chatarchive.models import Message, ParsedRecord, RawExport, Rejected

from .conftest import FIXTURES
from .factories import START, author, message

FORMATS = [fmt.name for fmt in formats.available()]
FAST = settings(max_examples=50, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
SOAK = settings(max_examples=400, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# One real sample per format: the starting point of the mutations.
SAMPLES: dict[str, Path] = {
    "bluesky": FIXTURES / "formats/bluesky/bluesky-search.jsonl",
    "csv": FIXTURES / "formats/csv/dates-only.csv",
    "html": FIXTURES / "formats/html/solopr-wall.html",
    "mastodon": FIXTURES / "formats/mastodon/mastodon-solopr.jsonl",
    "snscrape": FIXTURES / "formats/snscrape/solopr-snscrape.jsonl",
    "tags": FIXTURES / "formats/tags/solopr-tags.csv",
    "topsy": FIXTURES / "formats/cancerchat/Tweets_CancerChat_full.csv",
    "twarc": FIXTURES / "formats/twarc/solopr-sample.jsonl",
    "twarc-csv": FIXTURES / "formats/twarc-csv/solopr-json2csv.csv",
    "twarc2": FIXTURES / "solopr/solopr-2026-03-04.twarc2.jsonl",
    "twarc2-csv": FIXTURES / "formats/twarc2-csv/flat-twarc-csv.csv",
    "tweets-js": FIXTURES / "solopr/archive/data/tweets.js",
    "twitter-archive-zip": FIXTURES / "solopr/archive/data/tweets.js",  # zipped at test time
    "twitter-web-exporter": FIXTURES / "formats/twitter-web-exporter/solopr-web-exporter.json",
    "twitter-web-exporter-csv":
        FIXTURES / "formats/twitter-web-exporter-csv/solopr-web-exporter.csv",
    "zeeschuimer": FIXTURES / "formats/zeeschuimer/solopr-zeeschuimer.ndjson",
}
SUFFIXES = {"csv": ".csv", "tags": ".csv", "topsy": ".csv", "twarc-csv": ".csv",
            "twarc2-csv": ".csv", "twitter-web-exporter-csv": ".csv", "html": ".html",
            "tweets-js": ".js", "twitter-archive-zip": ".zip", "twitter-web-exporter": ".json",
            "zeeschuimer": ".ndjson"}
SAMPLE_BYTES = 6000  # mutations start from this much of a sample (cut at a line end)


def test_every_format_has_a_sample() -> None:
    assert sorted(SAMPLES) == FORMATS
    assert all(path.is_file() for path in SAMPLES.values())


# What a parse may yield.


def check_message(message: Message) -> None:
    platform = message.platform
    assert platform and message.id.startswith(platform + ":"), message.id
    assert message.id == f"{platform}:{message.native_id}", message.id
    assert message.author.id.startswith(message.author.platform + ":"), message.author.id
    assert message.created_at.tzinfo is not None, message.created_at
    assert message.created_at.utcoffset() == timedelta(0), message.created_at
    assert isinstance(message.text, str)
    assert all(tag == tag.lower() and not tag.startswith("#") for tag in message.hashtags), \
        message.hashtags
    assert all(isinstance(link, str) for link in message.links)
    for count in (message.like_count, message.repost_count):
        assert count is None or -(2**63) <= count < 2**63, count  # SQLite's INTEGER range
    for value in (message.id, message.text, message.author.handle, message.author.display_name,
                  *message.hashtags, *message.links):
        value.encode("utf-8")  # a lone surrogate could not be stored: it must never get here


def read_all(path: Path, fmt: str, name: str | None = None) -> tuple[int, int, str | None]:
    """Parse a file to the end: (messages, rejections, FormatError text or None)."""
    raw = RawExport(origin=str(path), path=path, sha256="0" * 64, name=name or path.name)
    good = bad = 0
    try:
        _, records = formats.parse(raw, fmt)
        for item in records:
            if isinstance(item, ParsedRecord):
                check_message(item.message)
                assert isinstance(item.raw, str) and item.location
                item.raw.encode("utf-8")  # kept as the sighting's raw record
                good += 1
            else:
                assert isinstance(item, Rejected), type(item)
                assert item.location and item.reason
                (item.location + item.reason + item.snippet).encode("utf-8")  # stored too
                bad += 1
    except FormatError as error:
        assert error.origin in (str(path), fmt), error.origin
        assert error.problem
        return good, bad, str(error)
    return good, bad, None


# Input strategies.

_DATES = ("Wed Mar 04 19:40:12 +0000 2026", "2026-03-04T18:00:00Z", "2026-03-04T18:00:00.000Z",
          "2026-03-04 18:00:00", "2026-03-04 14:14:00 -05:00", "03/04/2026", "1772647200",
          "Wed, 04 Mar 2026 18:00:00 +0000", "2026-02-30T25:61:00Z", "0000-00-00", "9" * 30)
# Keys whose values are free text in the formats' records: posts, names, tags, descriptions.
_TEXT_KEYS = frozenset({"full_text", "text", "name", "displayName", "display_name", "content",
                        "rawContent", "renderedContent", "spoiler_text", "note", "description",
                        "tag", "title", "username", "screen_name", "handle", "acct"})
# Text that is valid JSON yet hard to store or to show: lone surrogates, NUL, mixed case tags.
_TAINTS = ("\ud800", "\udfff", "\x00", " #SoloPR", "İ", "../x", "{{ 7*7 }}")
_WORDS = ("#solopr", "#SoloPR", "Q1:", "A1:", "@marenholtpr", "https://t.co/x",
          "https://example.com/a?b=1", "twitter:1", "2029280770368204805", "-1", "1e400",
          "\ud800", "\x00", "💬", "İ", "../../etc/passwd", "a/b", "{{ 7*7 }}", "<script>")


def _keys_in(value: Any, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys_in(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys_in(item, found)


def _sample_keys() -> list[str]:
    """Every JSON key the real samples use, so random documents hit the parsers' paths."""
    found: set[str] = set()
    for path in SAMPLES.values():
        if path.suffix in (".jsonl", ".ndjson"):
            for line in path.read_text(encoding="utf-8").splitlines()[:20]:
                _keys_in(json.loads(line), found)
        elif path.suffix == ".json":
            _keys_in(json.loads(path.read_text(encoding="utf-8")), found)
    return sorted(found)


KEYS = _sample_keys()
CSV_COLUMNS = sorted({name for fmt, path in SAMPLES.items() if path.suffix == ".csv"
                      for name in next(csv.reader(io.StringIO(
                          path.read_text(encoding="utf-8-sig"))))})

leaves = (st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63)
          | st.floats() | st.text(max_size=30) | st.sampled_from(_DATES + _WORDS))
json_values = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=6),
    max_leaves=20,
)
json_records = st.dictionaries(st.sampled_from(KEYS), json_values, min_size=1, max_size=12)


def _json_text(value: Any, ascii_only: bool = False) -> str:
    # NaN and Infinity are what a careless exporter writes; with ascii_only, a lone surrogate
    # is written as a "\\ud800" escape, which is valid JSON that decodes to unstorable text.
    return json.dumps(value, ensure_ascii=ascii_only)


@st.composite
def jsonish(draw: st.DrawFn) -> bytes:
    """JSON lines, a JSON document, or a tweets.js-style assignment, of arbitrary records."""
    records = draw(st.lists(json_records | json_values, max_size=6))
    shape = draw(st.sampled_from(("lines", "array", "object", "tweets-js", "deep")))
    ascii_only = draw(st.booleans())
    if shape == "lines":
        text = "\n".join(_json_text(record, ascii_only) for record in records)
    elif shape == "array":
        text = _json_text(records, ascii_only)
    elif shape == "object":
        text = _json_text({draw(st.sampled_from(KEYS)): records}, ascii_only)
    elif shape == "tweets-js":
        text = "window.YTD.tweets.part0 = " + _json_text([{"tweet": r} for r in records],
                                                         ascii_only)
    else:  # nested deeper than Python's decoder can follow
        depth = draw(st.integers(500, 20_000))
        text = f'{{"id_str": "1", "full_text": {"[" * depth}{"]" * depth}}}'
        text = "\n".join([text, *(_json_text(record) for record in records)])
    return text.encode("utf-8", errors="surrogatepass")


csv_cells = st.text(max_size=20) | st.sampled_from(_DATES + _WORDS + ("", '"', ",", "\n"))


@st.composite
def csvish(draw: st.DrawFn) -> bytes:
    """A CSV with a header drawn from the samples' columns and rows of random cells."""
    header = draw(st.lists(st.sampled_from(CSV_COLUMNS) | st.text(max_size=8), min_size=1,
                           max_size=12))
    rows = draw(st.lists(st.lists(csv_cells, min_size=0, max_size=len(header) + 2), max_size=6))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", errors="surrogatepass")


def _sample_head(fmt: str) -> bytes:
    data = SAMPLES[fmt].read_bytes()
    if len(data) <= SAMPLE_BYTES:
        return data
    cut = data.rfind(b"\n", 0, SAMPLE_BYTES)
    return data[: cut + 1] if cut > 0 else data[:SAMPLE_BYTES]


@st.composite
def spliced(draw: st.DrawFn, fmt: str) -> bytes:
    """The start of the format's real sample with a few bytes cut, inserted or repeated."""
    data = bytearray(_sample_head(fmt))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        end = draw(st.integers(at, min(len(data), at + 64)))
        edit = draw(st.sampled_from(("cut", "insert", "repeat", "replace")))
        if edit == "cut":
            del data[at:end]
        elif edit == "insert":
            data[at:at] = draw(st.binary(max_size=16) | st.sampled_from(
                [w.encode("utf-8", errors="surrogatepass") for w in _WORDS]))
        elif edit == "repeat":
            data[at:at] = data[at:end]
        else:
            data[at:end] = draw(st.sampled_from((b'"', b"null", b"[]", b"{}", b"0", b",")))
    return bytes(data)


@st.composite
def mutated_json(draw: st.DrawFn, fmt: str) -> bytes:
    """A real record of the sample with random parts of it replaced or deleted."""
    lines = [line for line in SAMPLES[fmt].read_text(encoding="utf-8").splitlines() if line]
    record = json.loads(draw(st.sampled_from(lines[:20])))
    for _ in range(draw(st.integers(0, 4))):
        record = _mutate(draw, record)
    tainted = draw(st.integers(0, 3)) > 0
    if tainted:
        record = _taint(record, draw(st.sampled_from(_TAINTS)), draw(st.randoms()))
    # Escaped, as Python's json.dumps writes by default, a lone surrogate stays valid JSON.
    text = _json_text(record, tainted or draw(st.booleans()))
    return text.encode("utf-8", errors="surrogatepass") + b"\n"


def _taint(value: Any, word: str, chance: random.Random) -> Any:
    """Append a hostile word to most of the text fields of a record (its ids and times kept)."""
    if isinstance(value, list):
        return [_taint(item, word, chance) for item in value]
    if not isinstance(value, dict):
        return value
    return {key: _tainted(key, item, word, chance) for key, item in value.items()}


def _tainted(key: str, item: Any, word: str, chance: random.Random) -> Any:
    if key in _TEXT_KEYS and isinstance(item, str) and chance.random() < 0.7:
        return item + word
    if key.lower().endswith("count") and isinstance(item, int) and chance.random() < 0.5:
        return 10**30  # beyond what SQLite can store
    return _taint(item, word, chance)


def _mutate(draw: st.DrawFn, value: Any) -> Any:
    """Walk down a random path and replace (or delete) what is there."""
    if isinstance(value, dict) and value and draw(st.integers(0, 4)):
        key = draw(st.sampled_from(sorted(value)))
        copy = dict(value)
        if draw(st.integers(0, 5)) == 0:
            del copy[key]
        else:
            copy[key] = _mutate(draw, value[key])
        return copy
    if isinstance(value, list) and value and draw(st.integers(0, 4)):
        index = draw(st.integers(0, len(value) - 1))
        return [*value[:index], _mutate(draw, value[index]), *value[index + 1:]]
    return draw(json_values)


def zipped(inner: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """A Twitter archive ZIP whose data/tweets.js (and account.js) hold the drawn bytes."""

    def build(parts: tuple[bytes, bytes]) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data/account.js", parts[1])
            archive.writestr("data/tweets.js", parts[0])
        return out.getvalue()

    return st.tuples(inner, st.binary(max_size=64) | jsonish()).map(build)


def _strategies(fmt: str) -> dict[str, st.SearchStrategy[bytes]]:
    is_json = SAMPLES[fmt].suffix in (".jsonl", ".ndjson")
    kinds: dict[str, st.SearchStrategy[bytes]] = {
        "bytes": st.binary(max_size=2048),
        "json": jsonish(),
        "csv": csvish(),
        "sample": spliced(fmt) if fmt != "twitter-archive-zip" else zipped(spliced("tweets-js")),
    }
    if is_json:
        kinds["records"] = mutated_json(fmt)
    if fmt == "twitter-archive-zip":
        kinds["json"] = zipped(jsonish())
    return kinds


def _cases() -> Iterator[tuple[str, str]]:
    for fmt in FORMATS:
        for kind in _strategies(fmt):
            yield fmt, kind


CASES = list(_cases())


def _write(folder: Path, fmt: str, data: bytes) -> Path:
    path = folder / f"export{SUFFIXES.get(fmt, '.jsonl')}"
    path.write_bytes(data)
    return path


def _property(folder: Path, fmt: str, data: bytes) -> None:
    path = _write(folder, fmt, data)
    read_all(path, fmt)
    read_all(path, formats.AUTO)


def _run(kinds: dict[str, st.SearchStrategy[bytes]], fmt: str, folder: Path,
         profile: settings) -> None:
    @profile
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        kind = data.draw(st.sampled_from(sorted(kinds)), label="kind")
        _property(folder, fmt, data.draw(kinds[kind], label=kind))

    check()


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prop")


@pytest.mark.parametrize("fmt", FORMATS)
def test_any_input_gives_messages_rejections_or_a_format_error(fmt: str, folder: Path) -> None:
    _run(_strategies(fmt), fmt, folder, FAST)


JSON_FORMATS = [fmt for fmt in FORMATS if "records" in _strategies(fmt)]


@pytest.mark.parametrize("fmt", JSON_FORMATS)
def test_real_records_with_hostile_parts_give_messages_or_rejections(
    fmt: str, folder: Path
) -> None:
    _run({"records": _strategies(fmt)["records"]}, fmt, folder, FAST)


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "kind"), CASES, ids=[f"{f}-{k}" for f, k in CASES])
def test_any_input_soak(fmt: str, kind: str, folder: Path) -> None:
    _run({kind: _strategies(fmt)[kind]}, fmt, folder, SOAK)


# The checks themselves can fail: a sample parses to messages, and a bad message is caught.


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "twitter-archive-zip"])
def test_each_sample_reads_as_messages(fmt: str, folder: Path) -> None:
    good, _, error = read_all(_write(folder, fmt, SAMPLES[fmt].read_bytes()), fmt)
    assert error is None
    assert good >= 5


def test_the_message_check_catches_naive_times_and_upper_case_tags() -> None:
    good = message(1, author("kat"), "A1: yes #solopr")
    check_message(good)
    bad = [
        replace(good, hashtags=("SoloPR",)),
        replace(good, created_at=START.replace(tzinfo=None)),
        replace(good, created_at=START.astimezone(timezone(timedelta(hours=-5)))),
        replace(good, id="mastodon:1"),
        replace(good, text="\ud800"),
    ]
    for message_ in bad:
        with pytest.raises((AssertionError, UnicodeEncodeError)):
            check_message(message_)


# The JSON array reader (formats/_jsonarray.py) reads items from bytes with orjson and, where
# that fails, from decoded text with the standard decoder: both lanes must give the same items,
# however the array is laid out and however the stream is cut into chunks.

_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["\n}", "}, {", "\n}\n", "é", "😀", "\\u", "1" * 25, "]", ""])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**30), 10**30) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def _arrays(draw: st.DrawFn) -> tuple[bytes, list[Any]]:
    items = draw(st.lists(st.dictionaries(_TEXT, _JSON, max_size=4), max_size=6))
    indent = draw(st.sampled_from([None, 1, 2, "\t", " \r\n"]))
    if indent == " \r\n":  # Windows line ends
        text = json.dumps(items, indent=1, ensure_ascii=False).replace("\n", "\r\n")
    else:
        text = json.dumps(items, indent=indent, ensure_ascii=draw(st.booleans()))
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.encode("utf-8"), items


@FAST
@given(array=_arrays(), chunk=st.integers(1, 300), quick=st.booleans())
def test_the_array_reader_gives_the_items_whatever_the_layout_and_chunks(
    array: tuple[bytes, list[Any]], chunk: int, quick: bool
) -> None:
    data, items = array
    stream = io.BytesIO(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_jsonarray, "CHUNK_BYTES", chunk)
        patch.setattr(_jsonarray, "_QUICK_REACH", 64)  # an item longer than that takes text
        if not quick:
            patch.setattr(_jsonarray, "_QUICK_MISSES", 0)
        read = list(_jsonarray.iter_array(stream.read))
    assert read == list(enumerate(items, start=1))


@FAST
@given(array=_arrays(), chunk=st.integers(1, 300), where=st.floats(0, 1))
def test_the_array_reader_keeps_every_item_before_bytes_that_are_not_utf8(
    array: tuple[bytes, list[Any]], chunk: int, where: float
) -> None:
    data, items = array
    cut = int(len(data) * where)
    broken = data[:cut] + b"\xff" + data[cut:]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_jsonarray, "CHUNK_BYTES", chunk)
        try:
            read = list(_jsonarray.iter_array(io.BytesIO(broken).read))
        except RecordError:
            read = []  # not an array at all: the byte came before its "["
    good = [entry for entry in read if not isinstance(entry, _jsonarray.BrokenItem)]
    assert good == list(enumerate(items, start=1))[: len(good)]
    # Every item that ends before the bad byte is read; reading stops at the item holding it.
    assert len(good) >= sum(1 for end in _item_ends(data) if end <= cut)
    if read and isinstance(read[-1], _jsonarray.BrokenItem):
        assert read[-1].number == len(good) + 1


def _item_ends(data: bytes) -> list[int]:
    """The byte offset just after each item of a JSON array."""
    text = data.decode("utf-8-sig")
    skipped = len(data) - len(text.encode("utf-8"))  # a byte order mark
    decoder, pos, ends = json.JSONDecoder(), text.index("[") + 1, []
    while True:
        while text[pos] in " \t\r\n,":
            pos += 1
        if text[pos] == "]":
            return ends
        _, pos = decoder.raw_decode(text, pos)
        ends.append(skipped + len(text[:pos].encode("utf-8")))
