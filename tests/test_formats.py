"""Tests of the export formats against the real samples in /work/shared/data and small fakes."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatarchive import formats
from chatarchive.errors import FormatError
from chatarchive.formats import _jsonarray
from chatarchive.formats.reading import loads, loads_fast
from chatarchive.models import Author, ParsedRecord, RawExport, Rejected

from .factories import parsed_of as parsed
from .factories import read_export as read

DATA = Path(__file__).parents[2] / "shared" / "data"
needs_data = pytest.mark.skipif(not DATA.is_dir(), reason=f"sample data not found at {DATA}")

TWARC2_COLLECTIONS = DATA / "twarc2-hashtag-collections"
TWARC_CSV = DATA / "twarc-csv-fixtures"
T2S = DATA / "twitter-to-sqlite-fixtures"
SIMON = Author("twitter:12497", "twitter", "simonw", "Simon Willison", "https://twitter.com/simonw")




def rejected(records: list[ParsedRecord | Rejected]) -> list[Rejected]:
    return [record for record in records if isinstance(record, Rejected)]


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def sample_tweets() -> list[dict[str, Any]]:
    return json.loads((T2S / "tweets.json").read_text(encoding="utf-8"))


def as_archive_tweet(tweet: dict[str, Any]) -> dict[str, Any]:
    """Reshape a v1.1 tweet the way the archive's tweets.js writes it: no user, text numbers."""
    shaped = {key: value for key, value in tweet.items() if key != "user"}
    shaped["id"] = tweet["id_str"]
    for key in ("favorite_count", "retweet_count"):
        shaped[key] = str(tweet[key])
    return shaped


def write_archive(folder: Path, tweets: list[dict[str, Any]], with_account: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if with_account:
        shutil.copy(T2S / "zip_contents" / "account.js", folder / "account.js")
    items = [{"tweet": tweet} for tweet in tweets]
    path = folder / "tweets.js"
    path.write_text("window.YTD.tweets.part0 = " + json.dumps(items, indent=2), encoding="utf-8")
    return path


# --- the registry -------------------------------------------------------------------------------


def test_available_lists_the_formats_sorted_by_name() -> None:
    names = [fmt.name for fmt in formats.available()]
    assert names == sorted(names)
    assert {"twarc", "twarc2", "tweets-js"} <= set(names)
    assert all(fmt.description and fmt.origin_hint for fmt in formats.available())


def test_get_unknown_format_names_the_known_ones() -> None:
    assert formats.get("twarc2").name == "twarc2"
    with pytest.raises(FormatError, match=r"known formats: .*\btwarc, .*\btwarc2, .*\btweets-js\b"):
        formats.get("no-such-format")


def test_registering_a_name_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        formats.register("twarc", "again", "nowhere", lambda head, name: 0)(
            formats.get("twarc").parse
        )


# --- detection ----------------------------------------------------------------------------------


@needs_data
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (TWARC2_COLLECTIONS / "twarc-network_blacklivesmatter_2021-06-26.jsonl", "twarc2"),
        (TWARC2_COLLECTIONS / "twarc-hashtags_tweets1_2021-03-23.jsonl", "twarc2"),
        (TWARC_CSV / "2sets.jsonl", "twarc2"),  # first page is longer than the sniffed head
        (TWARC_CSV / "flat.jsonl", "twarc2"),
        (TWARC_CSV / "streaming_output_with_error.jsonl", "twarc2"),
        (TWARC_CSV / "withheld.jsonl", "twarc2"),
        (T2S / "tweets.json", "twarc"),
    ],
)
def test_detect_picks_the_format_of_each_sample(path: Path, expected: str) -> None:
    assert formats.detect(path, path.name, str(path)) == expected


@needs_data
def test_detect_recognises_tweets_js_and_v1_jsonl(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "data", [as_archive_tweet(t) for t in sample_tweets()])
    jsonl = write_jsonl(tmp_path / "v1.jsonl", sample_tweets())
    assert formats.detect(archive, "tweets.js", "tweets.js") == "tweets-js"
    assert formats.detect(jsonl, "v1.jsonl", "v1.jsonl") == "twarc"


def test_detect_unknown_file_lists_known_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Q1: what is your favourite chat?\nA1: this one\n", encoding="utf-8")
    with pytest.raises(FormatError) as caught:
        formats.detect(path, path.name, "notes.txt")
    assert str(caught.value) == (
        'notes.txt: could not recognise the format (saw: "Q1: what is your favourite chat? A1: '
        f'this one"); known formats: {", ".join(f.name for f in formats.available())}; '
        "use --format NAME to choose one"
    )


@needs_data
def test_detect_refuses_an_archive_part_that_is_not_tweets() -> None:
    path = T2S / "zip_contents" / "account.js"
    with pytest.raises(FormatError, match=r'saw: "window\.YTD\.account\.part0'):
        formats.detect(path, path.name, "account.js")


def test_detect_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(FormatError, match=r"saw: an empty file"):
        formats.detect(empty, empty.name, "empty.jsonl")
    with pytest.raises(FormatError, match=r"^gone\.jsonl: cannot read the file"):
        formats.detect(tmp_path / "gone.jsonl", "gone.jsonl", "gone.jsonl")


# --- twarc2 -------------------------------------------------------------------------------------


@needs_data
def test_twarc2_hashtag_collections_join_authors_and_rebuild_retweets() -> None:
    counts, truncated_before, truncated_after = [], 0, 0
    for path in sorted(TWARC2_COLLECTIONS.glob("*.jsonl")):
        name, records = read(path)
        assert name == "twarc2"
        assert rejected(records) == []
        counts.append(len(records))
        for record in parsed(records):
            message = record.message
            assert message.author.handle and message.author.handle != "unknown"
            assert message.author.display_name
            assert re.fullmatch(r"twitter:\d+", message.id)
            assert message.id == f"twitter:{message.native_id}"
            assert message.created_at.tzinfo is UTC
            truncated_before += json.loads(record.raw)["tweet"]["text"].endswith("…")
            truncated_after += message.text.endswith("…")
    assert counts == [300, 500]  # tweets1 (3 pages), blacklivesmatter (5 pages)
    assert (truncated_before, truncated_after) == (221 + 313, 0)


@needs_data
def test_twarc2_page_record_is_exact() -> None:
    _, records = read(TWARC2_COLLECTIONS / "twarc-hashtags_tweets1_2021-03-23.jsonl")
    first = parsed(records)[0]
    assert first.location == "line 1 item 1"
    message = first.message
    assert message.id == "twitter:1374396236984291339"
    assert message.author == Author(
        "twitter:242874600",
        "twitter",
        "BDBgoldens3",
        "Goldensrule",
        "https://twitter.com/BDBgoldens3",
    )
    assert message.text == (
        'RT @kylegriffin1: President Obama: "We can make it harder for those with hate in their '
        "hearts to buy weapons of war. We can overcome opposition by cowardly politicians and the "
        "pressure of a gun lobby that opposes any limit on the ability of anyone to assemble an "
        'arsenal. We can, and we must."'
    )
    assert message.created_at == datetime(2021, 3, 23, 16, 22, 52, tzinfo=UTC)
    assert message.repost_of_id == "twitter:1374394274008076291"
    assert (message.like_count, message.repost_count, message.lang) == (0, 228, "en")
    raw = json.loads(first.raw)
    assert raw["tweet"]["id"] == "1374396236984291339"
    assert raw["author"]["username"] == "BDBgoldens3"
    assert [t["id"] for t in raw["referenced"]] == ["1374394274008076291"]


@needs_data
def test_twarc2_blacklivesmatter_figures() -> None:
    _, records = read(TWARC2_COLLECTIONS / "twarc-network_blacklivesmatter_2021-06-26.jsonl")
    messages = [record.message for record in parsed(records)]
    assert sum(m.repost_of_id is not None for m in messages) == 367
    assert sum(m.in_reply_to_id is not None for m in messages) == 35
    assert sum(m.quoted_id is not None for m in messages) == 18
    assert sum("blacklivesmatter" in m.hashtags for m in messages) == 494
    assert min(m.created_at for m in messages) == datetime(2021, 6, 26, 19, 22, 22, tzinfo=UTC)
    assert max(m.created_at for m in messages) == datetime(2021, 6, 26, 19, 56, 26, tzinfo=UTC)
    assert not any("&amp;" in m.text for m in messages)


@needs_data
def test_twarc2_streaming_keeps_good_lines_and_rejects_the_broken_last_one() -> None:
    _, records = read(TWARC_CSV / "streaming_output_with_error.jsonl")
    assert len(parsed(records)) == 7
    assert [r.location for r in parsed(records)] == [f"line {n}" for n in range(1, 8)]
    assert rejected(records) == [
        Rejected(
            location="line 8",
            reason="invalid JSON: Expecting ',' delimiter (column 45)",
            snippet='{"data": {"author_id": "1021159080151404544"',
        )
    ]
    first = parsed(records)[0].message
    # The photo's t.co link is expanded in the text but is not a shared link.
    assert first.text == (
        "Fury https://twitter.com/blackheart_265/status/1377650090978992134/photo/1 "
        "https://twitter.com/Manie_DS/status/1377640162566496258"
    )
    assert first.links == ("https://twitter.com/Manie_DS/status/1377640162566496258",)
    assert first.quoted_id == "twitter:1377640162566496258"


@needs_data
@pytest.mark.parametrize(
    ("file_name", "messages", "unknown_authors", "ending_with_ellipsis"),
    [
        ("flat.jsonl", 100, 0, 0),
        ("brexit.jsonl", 100, 0, 0),
        ("2sets.jsonl", 200, 0, 0),
        # 6 authors are withheld (absent from includes.users); 38 originals were not returned.
        ("withheld.jsonl", 215, 6, 30),
    ],
)
def test_twarc2_fixture_counts(
    file_name: str, messages: int, unknown_authors: int, ending_with_ellipsis: int
) -> None:
    _, records = read(TWARC_CSV / file_name)
    assert rejected(records) == []
    got = [record.message for record in parsed(records)]
    assert len(got) == messages
    assert sum(m.author.handle == "unknown" for m in got) == unknown_authors
    assert sum(m.text.endswith("…") for m in got) == ending_with_ellipsis


@needs_data
def test_twarc2_flat_line_uses_inlined_author_and_original() -> None:
    _, records = read(TWARC_CSV / "flat.jsonl")
    first = parsed(records)[0]
    assert first.location == "line 1"
    assert first.message.author.handle == "Alexandravm12"
    assert first.message.author.display_name == "Alexandra Machado"
    assert first.message.text.startswith("RT @williamserafino: De manera simultánea")
    assert first.message.text.endswith("La pandilla del Partido Demócrata hace sentir su regreso.")


@needs_data
def test_twarc2_withheld_author_gets_a_placeholder() -> None:
    _, records = read(TWARC_CSV / "withheld.jsonl")
    message = next(
        r.message for r in parsed(records) if r.message.native_id == "1404393588541202433"
    )
    assert message.author == Author("twitter:1228027987439702016", "twitter", "unknown", "unknown")
    assert message.url == "https://twitter.com/i/web/status/1404393588541202433"
    # The original is included, its author is not: the handle comes from the "RT @x:" prefix.
    assert message.text.startswith("RT @___Ni_sha___: #EndChildLabour\n@derasachasauda is a ")
    assert message.hashtags == ("endchildlabour",)


def test_twarc2_normalization_of_a_small_page(tmp_path: Path) -> None:
    page = {
        "data": [
            {
                "id": "1400000000000000001",
                "author_id": "11",
                "lang": "en",
                "created_at": "2021-06-01T12:00:00.000Z",
                "text": "RT @orig: Long text cut…",
                "referenced_tweets": [{"type": "retweeted", "id": "1400000000000000000"}],
                "entities": {"hashtags": [{"tag": "SoloPR"}]},
                "public_metrics": {"like_count": 0, "retweet_count": 5},
            },
            {
                "id": "1400000000000000002",
                "author_id": "12",
                "text": "A1: short…",
                "note_tweet": {
                    "text": "A1: long &amp; full https://t.co/abc #SoloPR #solopr",
                    "entities": {
                        "urls": [{"url": "https://t.co/abc", "expanded_url": "https://a.example/"}],
                        "hashtags": [{"tag": "SoloPR"}, {"tag": "solopr"}],
                    },
                },
                "entities": {
                    "urls": [
                        {
                            "url": "https://t.co/pic",
                            "display_url": "pic.twitter.com/pic",
                            "expanded_url": "https://twitter.com/x/status/1/photo/1",
                        }
                    ]
                },
                "referenced_tweets": [
                    {"type": "replied_to", "id": "1390000000000000000"},
                    {"type": "quoted", "id": "1380000000000000000"},
                ],
            },
        ],
        "includes": {
            "users": [
                {"id": "10", "username": "orig", "name": "Orig Inal"},
                {"id": "11", "username": "rt", "name": "Re Tweeter"},
                {"id": "12", "username": "ans", "name": "An Swerer"},
            ],
            "tweets": [
                {
                    "id": "1400000000000000000",
                    "author_id": "10",
                    "text": "Long text cut short &amp; more https://t.co/xyz #Chat",
                    "entities": {
                        "urls": [
                            {"url": "https://t.co/xyz", "expanded_url": "https://b.example/x"}
                        ],
                        "hashtags": [{"tag": "Chat"}],
                    },
                }
            ],
        },
    }
    _, records = read(write_jsonl(tmp_path / "page.jsonl", [page]), "twarc2")
    retweet, answer = (record.message for record in parsed(records))
    assert retweet.text == "RT @orig: Long text cut short & more https://b.example/x #Chat"
    assert retweet.hashtags == ("solopr", "chat")
    assert retweet.links == ("https://b.example/x",)
    assert (retweet.repost_of_id, retweet.repost_count) == ("twitter:1400000000000000000", 5)
    assert answer.text == "A1: long & full https://a.example/ #SoloPR #solopr"
    assert answer.hashtags == ("solopr",)
    assert answer.links == ("https://a.example/",)
    assert answer.in_reply_to_id == "twitter:1390000000000000000"
    assert answer.quoted_id == "twitter:1380000000000000000"
    # No created_at: the time comes from the snowflake id.
    assert answer.created_at == datetime(2021, 6, 2, 8, 3, 5, 399000, tzinfo=UTC)
    assert answer.author.display_name == "An Swerer"


# --- twarc (v1.1) -------------------------------------------------------------------------------


@needs_data
def test_twarc_reads_a_json_array_of_v1_tweets() -> None:
    name, records = read(T2S / "tweets.json")
    assert name == "twarc"
    assert rejected(records) == []
    assert [r.location for r in records] == ["item 1", "item 2", "item 3"]
    retweet, reply, quote = (record.message for record in parsed(records))
    # The int "id" in this file was rounded (…700); only id_str is right.
    assert retweet.id == "twitter:1169246717864136705"
    assert retweet.author == SIMON
    assert retweet.text == (
        "RT @drvox: My new post: an explainer on “carbon capture & utilization” (CCU). CO2 "
        "captured from waste gases or the ambient air can be used to make valuable products. "
        "Could CCU help the carbon capture industry scale up? https://www.vox.com/energy-and-"
        "environment/2019/9/4/20829431/climate-change-carbon-capture-utilization-sequestration-"
        "ccu-ccs?utm_campaign=drvox&utm_content=chorus&utm_medium=social&utm_source=twitter"
    )
    assert "&amp" not in retweet.text
    assert retweet.repost_of_id == "twitter:1169242008432644097"
    assert retweet.created_at == datetime(2019, 9, 4, 13, 51, 55, tzinfo=UTC)
    assert retweet.url == "https://twitter.com/simonw/status/1169246717864136705"
    assert reply.in_reply_to_id == "twitter:1169079390577319937"
    assert reply.links == (
        "http://www.owlsnearme.com",
        "https://24ways.org/2018/observable-notebooks-and-inaturalist/",
    )
    assert (reply.like_count, reply.repost_count, reply.lang) == (2, 0, "en")
    assert quote.quoted_id == "twitter:861696799362478085"
    assert quote.text.endswith(
        "can take multiple GB https://twitter.com/bwhitman/status/861696799362478085"
    )
    assert json.loads(parsed(records)[0].raw)["id_str"] == "1169246717864136705"


@needs_data
def test_twarc_jsonl_rejects_bad_records_and_keeps_the_rest(tmp_path: Path) -> None:
    good = sample_tweets()[2]
    no_date = {key: value for key, value in sample_tweets()[0].items() if key != "created_at"}
    lines: list[Any] = [
        good,
        '{"id_str": "1", "text": ',  # cut short
        [1, 2],
        {"delete": {"status": {"id_str": "5"}}},
        {**good, "created_at": "yesterday"},
        {**good, "user": None},
        no_date,
    ]
    _, records = read(write_jsonl(tmp_path / "mixed.jsonl", lines), "twarc")
    assert [r.location for r in parsed(records)] == ["line 1", "line 7"]
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("line 2", "invalid JSON: Expecting value (column 25)"),
        ("line 3", "not a v1.1 tweet (no id_str and text; has: list)"),
        ("line 4", "not a v1.1 tweet (no id_str and text; has: delete)"),
        ("line 5", "unreadable created_at: 'yesterday'"),
        ("line 6", "the tweet has no user object"),
    ]
    assert all(len(r.snippet) <= 200 for r in rejected(records))
    # No created_at: the snowflake id holds the time, to the millisecond.
    assert parsed(records)[1].message.created_at == datetime(
        2019, 9, 4, 13, 51, 55, 749000, tzinfo=UTC
    )


def test_twarc_extended_tweet_gives_full_text_tags_and_media(tmp_path: Path) -> None:
    tweet = {
        "id_str": "1169246717864136705",
        "created_at": "Wed Sep 04 13:51:55 +0000 2019",
        "text": "Q1: What makes a #SoloPR pitch work? &amp; why…",
        "truncated": True,
        "user": {"id_str": "12497", "screen_name": "simonw", "name": "Simon Willison"},
        "entities": {"hashtags": [{"text": "SoloPR"}], "urls": []},
        "extended_tweet": {
            "full_text": "Q1: What makes a #SoloPR pitch work? &amp; why? #solopr #PRchat "
            "https://t.co/AAA https://t.co/MMM",
            "entities": {
                "hashtags": [{"text": "SoloPR"}, {"text": "solopr"}, {"text": "PRchat"}],
                "urls": [{"url": "https://t.co/AAA", "expanded_url": "https://a.example/q1"}],
                "media": [
                    {"url": "https://t.co/MMM", "expanded_url": "https://twitter.com/s/photo/1"}
                ],
            },
        },
        "favorite_count": 3,
        "retweet_count": 1,
        "lang": "en",
    }
    _, records = read(write_jsonl(tmp_path / "stream.jsonl", [tweet]), "twarc")
    message = parsed(records)[0].message
    assert message.text == (
        "Q1: What makes a #SoloPR pitch work? & why? #solopr #PRchat "
        "https://a.example/q1 https://twitter.com/s/photo/1"
    )
    assert message.hashtags == ("solopr", "prchat")
    assert message.links == ("https://a.example/q1",)
    assert (message.like_count, message.repost_count) == (3, 1)


# --- tweets-js ----------------------------------------------------------------------------------


@needs_data
def test_tweets_js_reads_the_archive_wrapper_with_account_js(tmp_path: Path) -> None:
    path = write_archive(tmp_path / "data", [as_archive_tweet(t) for t in sample_tweets()])
    name, records = read(path)
    assert name == "tweets-js"
    assert rejected(records) == []
    assert [r.location for r in records] == ["item 1", "item 2", "item 3"]
    assert {record.message.author for record in parsed(records)} == {SIMON}
    assert json.loads(parsed(records)[1].raw)["tweet"]["id"] == "1169196446043664385"


@needs_data
def test_same_tweet_gives_the_same_message_from_twarc_and_tweets_js(tmp_path: Path) -> None:
    archive = write_archive(tmp_path / "data", [as_archive_tweet(t) for t in sample_tweets()])
    _, from_archive = read(archive)
    _, from_twarc = read(write_jsonl(tmp_path / "v1.jsonl", sample_tweets()))
    pairs = list(zip(parsed(from_twarc), parsed(from_archive), strict=True))
    assert len(pairs) == 3
    for twarc_record, archive_record in pairs:
        assert twarc_record.message == archive_record.message


@needs_data
def test_tweets_js_without_account_js(tmp_path: Path) -> None:
    with_user = sample_tweets()[2]
    without_user = as_archive_tweet(sample_tweets()[1])
    path = write_archive(tmp_path / "data", [with_user, without_user], with_account=False)
    _, records = read(path, "tweets-js")
    first, second = (record.message for record in parsed(records))
    assert first.author == SIMON  # from the tweet's own user object
    assert second.author == Author("twitter:unknown", "twitter", "unknown", "unknown")
    assert second.url == "https://twitter.com/i/web/status/1169196446043664385"


def test_tweets_js_that_is_not_json_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "tweets.js"
    path.write_text('window.YTD.tweets.part0 = [ {"tweet" : {', encoding="utf-8")
    name, records = formats.parse(RawExport(str(path), path, "", path.name))
    assert name == "tweets-js"
    with pytest.raises(FormatError, match=r"tweets\.js: the file is not valid JSON"):
        list(records)


@needs_data
def test_tweets_js_in_the_archive_layout_reads_the_same_with_the_fast_decoder_or_without(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Twitter writes "[ {", "}, {" and "} ]", each item's own "}" starting a line.
    items = [{"tweet": as_archive_tweet(t)} for t in sample_tweets()]
    items[0]["tweet"]["big"] = 10**25  # beyond 64 bits: orjson alone would make it a float
    items[2]["tweet"]["full_text"] += " \ud800"  # half a surrogate pair, escaped
    texts = [json.dumps(item, indent=2) for item in items]
    texts.insert(2, texts[1].replace('"tweet": {', '"tweet": {,', 1))  # a broken item
    path = tmp_path / "data" / "tweets.js"
    path.parent.mkdir()
    path.write_text("window.YTD.tweets.part0 = [ " + ", ".join(texts) + " ]", encoding="utf-8")
    tried: list[str] = []
    monkeypatch.setattr(_jsonarray, "loads_fast",
                        lambda text, **how: tried.append(text) or loads_fast(text, **how))
    fast = read(path)[1]
    assert len(tried) == 4  # each item, the broken one too, was first given to the fast decoder
    monkeypatch.setattr(_jsonarray, "_QUICK_MISSES", 0)  # the standard decoder alone
    assert read(path)[1] == fast
    monkeypatch.undo()
    monkeypatch.setattr(_jsonarray, "CHUNK_BYTES", 7)  # the long integer read over 4 chunks
    assert parsed(read(path)[1]) == parsed(fast)
    assert [r.location for r in parsed(fast)] == ["item 1", "item 2", "item 4"]
    assert [r.location for r in fast if isinstance(r, Rejected)] == ["item 3"]
    assert json.loads(parsed(fast)[0].raw)["tweet"]["big"] == 10**25
    assert parsed(fast)[2].message.text.endswith(" \ufffd")


@needs_data
@pytest.mark.parametrize("chunk", [64, 1000, 4096])
@pytest.mark.parametrize("indent", [2, None])  # Twitter's layout, and all on one line
def test_tweets_js_bytes_that_are_not_utf8_cost_the_fast_decoder_no_item_before_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, indent: int | None
) -> None:
    texts = [json.dumps({"tweet": as_archive_tweet(t)}, indent=indent) for t in sample_tweets()]
    path = tmp_path / "data" / "tweets.js"
    path.parent.mkdir()
    data = ("window.YTD.tweets.part0 = [ " + ", ".join(texts) + " ]").encode("utf-8")
    cut = data.rindex(b'"full_text"')  # in the last item
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    monkeypatch.setattr(_jsonarray, "CHUNK_BYTES", chunk)
    fast = read(path)[1]
    monkeypatch.setattr(_jsonarray, "_QUICK_MISSES", 0)  # the standard decoder alone
    assert read(path)[1] == fast
    assert [r.location for r in parsed(fast)] == ["item 1", "item 2"]
    assert [(r.location, r.reason) for r in fast if isinstance(r, Rejected)] == [
        ("item 3", "not UTF-8 text: invalid start byte")]


@needs_data
@pytest.mark.parametrize("indent", [2, None])
@pytest.mark.parametrize("chunk", [64, 4096, _jsonarray.CHUNK_BYTES])
def test_tweets_js_bytes_that_are_not_utf8_cost_only_their_own_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int | None, chunk: int
) -> None:
    texts = [json.dumps({"tweet": as_archive_tweet(t)}, indent=indent) for t in sample_tweets()]
    path = tmp_path / "data" / "tweets.js"
    path.parent.mkdir()
    data = ("window.YTD.tweets.part0 = [ " + ", ".join(texts) + " ]").encode("utf-8")
    cut = data.index(b'"full_text"', data.index(texts[1].encode("utf-8")))  # in the second item
    path.write_bytes(data[:cut] + b"\xff\xfe" + data[cut:])
    assert path.stat().st_size < _jsonarray.CHUNK_BYTES  # one chunk holds the whole file
    monkeypatch.setattr(_jsonarray, "CHUNK_BYTES", chunk)
    records = read(path)[1]
    assert [r.location for r in parsed(records)] == [
        f"item {n}" for n in range(1, len(texts) + 1) if n != 2]
    assert [(r.location, r.reason) for r in records if isinstance(r, Rejected)] == [
        ("item 2", "not UTF-8 text: invalid start byte")]
    monkeypatch.setattr(_jsonarray, "_QUICK_MISSES", 0)  # the standard decoder alone
    assert read(path)[1] == records


def test_json_keeps_integers_beyond_64_bits_exact() -> None:
    assert loads(b'{"a": 18446744073709551616}') == {"a": 2**64}
    assert loads("[123456789012345678901234567890, 1.5]") == [
        123456789012345678901234567890, 1.5]


@needs_data
def test_json_lines_keep_integers_beyond_64_bits_in_the_raw_record(tmp_path: Path) -> None:
    tweet = {**sample_tweets()[0], "favorite_count": 10**25, "extra": -(10**30)}
    _, records = read(write_jsonl(tmp_path / "big.jsonl", [tweet]), "twarc")
    [record] = parsed(records)
    assert json.loads(record.raw)["extra"] == -(10**30)
    assert record.message.like_count is None  # a count no archive column can hold


# --- reading ------------------------------------------------------------------------------------


@needs_data
def test_jsonl_with_bom_crlf_and_blank_lines_keeps_true_line_numbers(tmp_path: Path) -> None:
    tweets = [json.dumps(t) for t in sample_tweets()]
    body = "\r\n".join([tweets[0], "", "   ", tweets[1], tweets[2]]) + "\r\n"
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    name, records = read(path)
    assert name == "twarc"
    assert [r.location for r in records] == ["line 1", "line 4", "line 5"]
    assert all(isinstance(r, ParsedRecord) for r in records)


def test_twarc2_lines_without_tweets(tmp_path: Path) -> None:
    lines: list[Any] = [
        {"errors": [{"title": "Not Found Error"}], "meta": {"result_count": 0}},
        {"something": "else"},
        {"data": [{"id": "1400000000000000003", "author_id": "9"}], "includes": {}},
        {"data": "text"},
    ]
    _, records = read(write_jsonl(tmp_path / "odd.jsonl", lines), "twarc2")
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("line 2", "not a twarc2 page or tweet (has: something)"),
        ("line 3 item 1", "the tweet has no text"),
        ("line 4", "a tweet in data is not a JSON object"),
    ]
    assert parsed(records) == []


@needs_data
def test_records_are_read_lazily_and_read_errors_are_format_errors(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "v1.jsonl", sample_tweets())
    name, records = formats.parse(RawExport("v1.jsonl", path, "", path.name))
    assert name == "twarc"
    path.unlink()  # nothing is read until the records are asked for
    with pytest.raises(FormatError, match=r"^v1\.jsonl: cannot read the file"):
        list(records)


def test_parse_with_an_unknown_format_name(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"^nope: unknown export format; known formats: .*twarc"):
        formats.parse(RawExport("x.jsonl", path, "", path.name), "nope")
