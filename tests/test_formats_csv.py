"""Tests of the CSV export formats: TAGS, twarc json2csv, twarc-csv, twitter-web-exporter, generic
CSV with a column mapping and its Topsy preset, against fixtures/formats and the shared samples."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from chatarchive import formats
from chatarchive.errors import FormatError
from chatarchive.formats import csvtools, twarc_csv
from chatarchive.models import Author, Message, ParsedRecord, RawExport, Rejected

from .factories import messages_of as parsed
from .factories import read_export as read

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
TAGS = FIXTURES / "tags" / "solopr-tags.csv"
MANGLED = FIXTURES / "tags" / "excel-mangled.csv"
TIDYTAGS = FIXTURES / "tidytags-tags-csv" / "sample-data.csv"
JSON2CSV = FIXTURES / "twarc-csv" / "solopr-json2csv.csv"
TWARC_CSV = FIXTURES / "twarc2-csv" / "flat-twarc-csv.csv"
WEB_EXPORTER = FIXTURES / "twitter-web-exporter-csv" / "solopr-web-exporter.csv"
SPREADSHEET = FIXTURES / "csv" / "spreadsheet.csv"
DATES_ONLY = FIXTURES / "csv" / "dates-only.csv"
CANCERCHAT = FIXTURES / "cancerchat" / "Tweets_CancerChat_full.csv"
V1_SOURCE = FIXTURES / "twarc" / "solopr-sample.jsonl"
V2_SOURCE = FIXTURES / "twarc2" / "flat-sample.jsonl"

SPREADSHEET_COLUMNS = {
    "id": "Tweet ID",
    "created_at": "Posted (UTC)",
    "author": "Handle",
    "display_name": "Name",
    "text": "Tweet",
    "like_count": "Likes",
    "repost_count": "Retweets",
}
TOPSY_COLUMNS = {
    "text": "content",
    "author": "trackback_author_nick",
    "id": "id",
    "date": "firstpost_date",
    "url": "url",
}
MAREN = Author(
    "twitter:15236871", "twitter", "marenholtpr", "Maren Holt", "https://twitter.com/marenholtpr"
)




def rejected(records: list[ParsedRecord | Rejected]) -> list[tuple[str, str]]:
    return [(r.location, r.reason) for r in records if isinstance(r, Rejected)]


def source_messages(path: Path) -> dict[str, Message]:
    """The same tweets read from twarc/twarc2 JSONL, by id."""
    return {message.id: message for message in parsed(read(path)[1])}


# --- registry and detection ---------------------------------------------------------------------


def test_the_csv_formats_are_registered() -> None:
    names = {fmt.name for fmt in formats.available()}
    expected = {"tags", "twarc-csv", "twarc2-csv", "twitter-web-exporter-csv", "csv", "topsy"}
    assert expected <= names
    assert all(formats.get(name).description and formats.get(name).origin_hint for name in expected)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (TAGS, "tags"),
        (MANGLED, "tags"),
        (TIDYTAGS, "tags"),
        (FIXTURES / "tidytags-tags-csv" / "sample-tweet.csv", "tags"),
        (JSON2CSV, "twarc-csv"),
        (TWARC_CSV, "twarc2-csv"),
        (WEB_EXPORTER, "twitter-web-exporter-csv"),
        (CANCERCHAT, "topsy"),
        (SPREADSHEET, "csv"),
        (DATES_ONLY, "csv"),
        (V1_SOURCE, "twarc"),
        (V2_SOURCE, "twarc2"),
    ],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_detect_picks_the_format_of_each_fixture(path: Path, expected: str) -> None:
    assert formats.detect(path, path.name, str(path)) == expected


def test_generic_csv_scores_low_so_specific_formats_win() -> None:
    sniff = formats.get("csv").sniff
    assert sniff(CANCERCHAT.read_bytes()[:4096], CANCERCHAT.name) == 10
    assert sniff(SPREADSHEET.read_bytes(), SPREADSHEET.name) == 5  # no author column it knows
    assert sniff(V1_SOURCE.read_bytes()[:4096], V1_SOURCE.name) == 0
    assert sniff(b"Hello, world\n", "notes.txt") == 0  # one line of prose is not a table
    assert sniff(b"id,text\n1,two,three\n", "odd.csv") == 0
    assert formats.get("topsy").sniff(CANCERCHAT.read_bytes()[:4096], CANCERCHAT.name) == 95


# --- tags ---------------------------------------------------------------------------------------


def test_tags_rows_read_like_the_same_tweets_from_twarc() -> None:
    name, records = read(TAGS)
    assert name == "tags"
    # The empty row 1 and the repeat of the first tweet (row 3) are skipped; row 8 is cut short.
    assert rejected(records) == [
        (
            "row 8 (line 9)",
            "the row has 12 fields but the header has 18 (a quote or a comma out of place?)",
        )
    ]
    messages = parsed(records)
    assert len(messages) == 12  # row 8 was a broken copy of a tweet that row 9 holds whole
    assert [r.location for r in records][:3] == [
        "row 2 (line 3)",
        "row 4 (line 5)",
        "row 5 (line 6)",
    ]
    sources = source_messages(V1_SOURCE)
    for message in messages:
        source = sources[message.id]
        # TAGS keeps no display name, language, counts, retweeted or quoted tweet.
        handle = source.author.handle
        expected = replace(
            source,
            author=replace(source.author, display_name=handle),
            like_count=None,
            repost_count=None,
            lang=None,
            repost_of_id=None,
            quoted_id=None,
        )
        assert message == expected


def test_tags_trusts_created_at_over_time_and_keeps_the_row_as_raw() -> None:
    _, records = read(TAGS)
    first = records[0]
    assert isinstance(first, ParsedRecord)
    assert first.message.created_at == datetime(2026, 3, 4, 19, 14, tzinfo=UTC)  # time says 14:14Z
    assert first.message.author == replace(MAREN, display_name="marenholtpr")
    assert first.raw.startswith('{"id_str":"2029274176576815109","from_user":"marenholtpr",')
    assert '"time":"2026-03-04T14:14:00Z"' in first.raw


def test_tags_ids_mangled_by_excel() -> None:
    _, records = read(MANGLED)
    assert rejected(records) == [
        (
            "row 2 (line 3)",
            "id mangled by a spreadsheet (2.02927E+18); "
            "re-export the sheet as CSV without opening it in Excel",
        )
    ]
    first, third = parsed(records)
    assert first.id == "twitter:2029270339517411332"  # taken from status_url
    assert first.links == ("https://soloprhub.example.com/recaps",)
    # No entities_str: tags and links come from the text, the entity is still decoded.
    assert third.text.startswith(
        "That's a wrap! Huge thanks to @theobarlowpr for sharing his pricing wisdom & to"
    )
    assert third.hashtags == ("solopr",)


def test_tags_real_export_with_na_cells() -> None:
    _, records = read(TIDYTAGS)
    messages = parsed(records)
    assert len(messages) == 10 and not rejected(records)
    first, second = messages[:2]
    assert first.created_at == datetime(2020, 4, 19, 19, 22, 23, tzinfo=UTC)
    assert first.author == Author(
        "twitter:1251951804398669825", "twitter", "Harriet96152202", "Harriet96152202",
        "https://twitter.com/Harriet96152202",
    )  # fmt: skip
    assert first.in_reply_to_id is None and first.hashtags == ()
    assert second.text == (
        "RT @dtpthanh: Look like sisters? @YamChaivisit #aect19 "
        "https://twitter.com/dtpthanh/status/1187526111489474561/photo/1"
    )
    assert second.hashtags == ("aect19",) and second.links == ()
    assert Counter(m.created_at.year for m in messages) == {2020: 10}


# --- twarc-csv (json2csv) -----------------------------------------------------------------------


def test_json2csv_rows_are_identical_to_the_twarc_tweets(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        name, records = read(JSON2CSV)
    assert name == "twarc-csv"
    assert rejected(records) == [("row 7 (line 8)", "no tweet id (column id is empty)")]
    messages = parsed(records)
    assert len(messages) == 11
    sources = source_messages(V1_SOURCE)
    assert all(message == sources[message.id] for message in messages)
    assert "column 'user_screen_name' appears twice; its first copy is read" in caplog.text
    first = records[0]
    assert isinstance(first, ParsedRecord) and '"user_screen_name#2":"marenholtpr"' in first.raw


def test_json2csv_pairs_tco_links_with_the_urls_column() -> None:
    messages = {m.id: m for m in parsed(read(JSON2CSV)[1])}
    reply = messages["twitter:2029268911337197572"]
    assert reply.text == (
        "@carlosmendes Love this. I use a similar template from here: "
        "https://toolkit.example.org/templates/scope-of-work #solopr"
    )
    assert reply.links == ("https://toolkit.example.org/templates/scope-of-work",)
    assert reply.in_reply_to_id == "twitter:2029268850225385480"
    assert messages["twitter:2029270277968400388"].repost_of_id == "twitter:2029270024437571588"
    assert messages["twitter:2029262557916823557"].quoted_id == "twitter:2029261340578193410"


# --- twarc2-csv ---------------------------------------------------------------------------------


def test_twarc2_csv_rows_read_like_the_flattened_twarc2_tweets() -> None:
    name, records = read(TWARC_CSV)
    assert name == "twarc2-csv"
    assert rejected(records) == [
        (
            "row 4 (line 10)",
            "id mangled by a spreadsheet (1.38024E+18); "
            "re-export the sheet as CSV without opening it in Excel",
        )
    ]
    # Quoted texts span several lines: each row says the line it starts on.
    assert [r.location for r in records] == [
        "row 1 (line 2)", "row 2 (line 5)", "row 3 (line 6)", "row 4 (line 10)",
        "row 5 (line 14)", "row 6 (line 16)", "row 7 (line 17)", "row 8 (line 18)",
        "row 9 (line 19)",
    ]  # fmt: skip
    sources = source_messages(V2_SOURCE)
    messages = parsed(records)
    retweets = [m for m in messages if m.repost_of_id]
    assert [m for m in messages if not m.repost_of_id] == [sources[m.id] for m in messages[:6]]
    # The CSV does not carry the retweeted original, so a retweet keeps its cut text.
    assert [m.id for m in retweets] == [
        "twitter:1380242280532049920",
        "twitter:1380242611781386245",
    ]
    for retweet in retweets:
        assert retweet == replace(sources[retweet.id], text=retweet.text)
        assert retweet.text.endswith("…") and not sources[retweet.id].text.endswith("…")


def test_twarc2_csv_first_row_values() -> None:
    first = parsed(read(TWARC_CSV)[1])[0]
    assert first.author == Author(
        "twitter:1100629650017939456", "twitter", "Qrtrhrsryder", "Deplorable Me",
        "https://twitter.com/Qrtrhrsryder",
    )  # fmt: skip
    assert first.created_at == datetime(2021, 4, 8, 19, 34, 13, tzinfo=UTC)
    assert first.like_count == 0 and first.repost_count == 0 and first.lang == "en"
    assert first.text.endswith("&utm_campaign=websitesharingbuttons via @gatewaypundit")
    assert len(first.links) == 1
    assert first.links[0].startswith("https://www.thegatewaypundit.com/2021/04/nasa-emails-")


def test_twarc2_csv_cells_written_as_python_literals_and_float_counts(tmp_path: Path) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text(
        "id,conversation_id,referenced_tweets.replied_to.id,author_id,created_at,text,"
        "entities.hashtags,entities.urls,author.username,author.name,"
        "public_metrics.like_count,public_metrics.retweet_count\n"
        "1380242597881409537,1380242597881409536,1380242597881409536,42,"
        "2021-04-08T19:34:13.000Z,Q1 &amp; more https://t.co/abc #Chat,"
        "\"[{'start': 31, 'end': 36, 'tag': 'Chat'}]\","
        "\"[{'url': 'https://t.co/abc', 'expanded_url': 'https://example.org/a'}]\","
        "host,The Host,3.0,\n",
        encoding="utf-8",
    )
    name, records = read(path)
    assert name == "twarc2-csv"
    (message,) = parsed(records)
    assert message.text == "Q1 & more https://example.org/a #Chat"
    assert message.hashtags == ("chat",) and message.links == ("https://example.org/a",)
    assert (message.like_count, message.repost_count) == (3, None)
    assert message.in_reply_to_id == "twitter:1380242597881409536"
    assert message.author == Author(
        "twitter:42", "twitter", "host", "The Host", "https://twitter.com/host"
    )


# --- twitter-web-exporter-csv -------------------------------------------------------------------


def test_web_exporter_rows() -> None:
    name, records = read(WEB_EXPORTER)
    assert name == "twitter-web-exporter-csv"
    assert rejected(records) == [("row 9 (line 10)", "the tweet id is not a number: 'not-an-id'")]
    messages = parsed(records)
    assert len(messages) == 11
    sources = source_messages(V1_SOURCE)
    for message in messages:
        source = sources[message.id]
        # No user id and no language; t.co links stay short, so only the others are links.
        author = replace(source.author, id=f"twitter:{source.author.handle}")
        assert message == replace(
            source, author=author, lang=None, text=message.text, links=message.links
        )
        assert message.text.count("https://t.co/") == source.text.count("https://t.co/") + len(
            source.links
        )
    first = messages[0]
    assert first.created_at == datetime(2026, 3, 4, 19, 14, tzinfo=UTC)  # from 14:14:00 -05:00
    assert first.author == replace(MAREN, id="twitter:marenholtpr")
    assert first.url == "https://twitter.com/marenholtpr/status/2029274176576815109"


def test_web_exporter_csv_reads_like_its_json_export(tmp_path: Path) -> None:
    """The userscript's CSV and JSON exports of the same table give the same messages."""
    with WEB_EXPORTER.open(encoding="utf-8-sig", newline="") as stream:
        table = [row for row in csv.DictReader(stream) if row["id"].isdigit()]
    numbers = ("favorite_count", "retweet_count", "bookmark_count", "quote_count", "reply_count")
    items = [
        {
            **{key: value or None for key, value in row.items()},
            **{key: int(row[key]) for key in numbers},
            "media": json.loads(row["media"]),
            **{key: row[key] == "true" for key in ("favorited", "retweeted", "bookmarked")},
        }
        for row in table
    ]
    path = tmp_path / "twitter-Tweets-1741118400000.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    name, records = read(path)
    assert name == "twitter-web-exporter"
    assert parsed(records) == parsed(read(WEB_EXPORTER)[1])


# --- csv (generic) ------------------------------------------------------------------------------


def test_generic_csv_with_a_column_mapping() -> None:
    name, records = read(SPREADSHEET, "csv", SPREADSHEET_COLUMNS)
    assert name == "csv"
    assert rejected(records) == [("row 4 (line 5)", "no text (column Tweet is empty)")]
    messages = parsed(records)
    assert len(messages) == 6
    first = messages[0]
    assert first.author == replace(MAREN, id="twitter:marenholtpr")  # "@marenholtpr" in the sheet
    assert first.created_at == datetime(2026, 3, 4, 19, 14, tzinfo=UTC)
    assert (first.like_count, first.repost_count) == (7, 1)
    assert first.hashtags == ("solopr",)
    wrap = messages[4]
    assert wrap.text == (
        "That's a wrap! Huge thanks to @theobarlowpr for sharing his pricing wisdom & to all of "
        "you for the great answers. #solopr"
    )


def test_generic_csv_says_which_columns_it_needs() -> None:
    _, records_iter = formats.parse(RawExport("sheet.csv", SPREADSHEET, "", SPREADSHEET.name))
    with pytest.raises(FormatError) as caught:
        list(records_iter)
    assert str(caught.value) == (
        "sheet.csv: cannot tell which column holds the author, id; name it with "
        "--column author=COLUMN --column id=COLUMN (the file's columns: Tweet ID, Posted (UTC), "
        "Handle, Name, Tweet, Likes, Retweets)"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"txt": "Tweet"}, r"unknown column key 'txt'; keys: text, id, author, "),
        ({"text": "Body"}, r"no column 'Body' in the file; its columns: Tweet ID, Posted"),
    ],
)
def test_generic_csv_rejects_a_wrong_mapping(options: dict[str, str], message: str) -> None:
    with pytest.raises(FormatError, match=message):
        read(SPREADSHEET, "csv", options)


def test_generic_csv_with_dates_only_takes_times_from_snowflake_ids(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        name, records = read(DATES_ONLY)
    assert name == "csv"
    assert rejected(records) == [("row 3 (line 4)", "unreadable date: 'yesterday'")]
    messages = parsed(records)
    assert len(messages) == 7
    assert messages[0].created_at == datetime(2026, 3, 4, 18, 50, 0, 2000, tzinfo=UTC)
    assert messages[0].author == Author(
        "twitter:marenholtpr", "twitter", "marenholtpr", "marenholtpr",
        "https://twitter.com/marenholtpr",
    )  # fmt: skip
    assert messages[0].repost_count == 1 and messages[0].hashtags == ("solopr",)
    # Row 5 says 03/05/2026 but its id was issued on 2026-03-04: the given date wins.
    assert messages[3].created_at == datetime(2026, 3, 5, tzinfo=UTC)
    assert "the id 2029270549070790660 does not carry a time on 2026-03-05" in caplog.text
    assert [m.created_at.date() for m in messages].count(date(2026, 3, 4)) == 6


def test_cancerchat_topsy_export_through_a_column_mapping() -> None:
    name, records = read(CANCERCHAT, "csv", TOPSY_COLUMNS)
    assert name == "csv" and not rejected(records)
    messages = parsed(records)
    assert len(messages) == 156
    assert Counter(m.created_at.date() for m in messages)[date(2014, 6, 19)] == 101
    assert sum(m.text.startswith("RT @") for m in messages) == 101
    reposts = [m for m in messages if m.repost_of_id]
    # Listed under the original's id and url; the permalink is the retweeter's own post.
    assert [(m.native_id, m.author.handle, m.repost_of_id) for m in reposts] == [
        ("479692101274591232", "rachelmanning11", "twitter:479690013513629696"),
        ("479724665905373184", "abcdiagnosis", "twitter:479724535760306176"),
        ("479727484519591936", "abcdiagnosis", "twitter:479726396894613505"),
        ("479727700815659008", "everydayableism", "twitter:479727535199387648"),
    ]
    first = reposts[0]
    assert first.created_at == datetime(2014, 6, 19, 18, 28, 3, 849000, tzinfo=UTC)
    assert first.url == "https://twitter.com/rachelmanning11/status/479692101274591232"
    assert first.hashtags == ("cancerchat",) and first.lang == "en" and first.repost_count == 1
    assert sum("&amp;" in m.text for m in messages) == 0
    assert sum("&" in m.text for m in messages) == 13  # decoded from &amp;
    assert sum("\n" in m.text for m in messages) == 9


def test_generic_csv_retweet_listed_under_the_original_takes_its_own_time(tmp_path: Path) -> None:
    path = tmp_path / "search.csv"
    path.write_text(
        "id,created_at,screen_name,text,permalink\n"
        "479690013513629696,2014-06-19 18:19:46,@rachelmanning11,RT @hellboy8700: hi #CancerChat,"
        "http://twitter.com/rachelmanning11/status/479692101274591232\n",
        encoding="utf-8",
    )
    (message,) = parsed(read(path, "csv")[1])
    assert message.id == "twitter:479692101274591232"
    assert message.repost_of_id == "twitter:479690013513629696"
    assert message.created_at == datetime(2014, 6, 19, 18, 28, 3, 849000, tzinfo=UTC)
    assert message.author.handle == "rachelmanning11" and message.hashtags == ("cancerchat",)


def test_topsy_preset_reads_the_cancerchat_export_without_options() -> None:
    name, records = read(CANCERCHAT)
    assert name == "topsy"
    assert parsed(records) == parsed(read(CANCERCHAT, "csv", TOPSY_COLUMNS)[1])
    first = parsed(records)[0]
    assert first.hashtags == (
        "verabradley",
        "breastcancer",
        "breastcancerchat",
        "cancer",
        "cancerchat",
    )
    assert first.links == ()  # only an unexpanded t.co link
    assert first.created_at == datetime(2014, 6, 5, 17, 4, 0, 956000, tzinfo=UTC)
    assert first.author.id == "twitter:iumedschool"


# --- csvtools -----------------------------------------------------------------------------------


def rows(data: bytes) -> list[csvtools.CsvRow | Rejected]:
    return list(csvtools.read_rows(io.BytesIO(data).readlines(), "test.csv"))


def test_read_rows_keeps_going_past_broken_rows() -> None:
    data = (
        b'\xef\xbb\xbfid,text\r\n1,"two\r\nlines"\r\n2,\xff\xfe\r\n3,"'
        + b"x" * 140_000
        + b'"\r\n4,a,extra\r\n\r\n5,last\r\n'
    )
    result = rows(data)
    good = [r for r in result if isinstance(r, csvtools.CsvRow)]
    assert [(r.location, dict(r.cells)) for r in good] == [
        ("row 1 (line 2)", {"id": "1", "text": "two\r\nlines"}),
        ("row 5 (line 8)", {"id": "5", "text": "last"}),
    ]
    assert [(r.location, r.reason) for r in result if isinstance(r, Rejected)] == [
        ("row 2 (line 4)", "not UTF-8 text (invalid start byte); save the file as UTF-8 CSV"),
        ("row 3 (line 5)", "unreadable CSV: field larger than field limit (131072)"),
        (
            "row 4 (line 6)",
            "the row has 3 fields but the header has 2 (a quote or a comma out of place?)",
        ),
    ]


def test_read_rows_of_an_empty_file_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="the CSV file is empty: it has no header row"):
        rows(b"\r\n\r\n")


def test_cells_that_mean_no_value() -> None:
    (row,) = rows(b"a,b,c,d,e,f\nNA,None,False,nan, x ,0\n")
    assert isinstance(row, csvtools.CsvRow)
    assert [row.get(c) for c in "abcdef"] == [None, None, None, None, "x", "0"]
    assert csvtools.is_blank(row) is False


@pytest.mark.parametrize(
    ("value", "mangled"),
    [("1.26426E+18", True), ("2,02927E+18", True), ("1E18", True), ("1264260000000000000", False)],
)
def test_is_mangled_number(value: str, mangled: bool) -> None:
    assert csvtools.is_mangled_number(value) is mangled


def test_small_helpers() -> None:
    assert csvtools.status_id_of("http://twitter.com/MissShuganah/status/474707760878088192") == (
        "474707760878088192"
    )
    assert csvtools.status_id_of("https://x.com/i/web/status/12345") == "12345"
    assert csvtools.status_id_of("https://example.com/status/1") is None
    assert [csvtools.count(v) for v in ("3", "3.0", "", None, "3.5")] == [3, 3, None, None, None]
    assert csvtools.list_cell("VeraBradley~#BreastCancer, cancer") == [
        "VeraBradley",
        "BreastCancer",
        "cancer",
    ]
    assert twarc_csv.expand_in_order("a https://t.co/x b https://t.co/y", ["A", "B"]) == {
        "https://t.co/x": "A",
        "https://t.co/y": "B",
    }
    assert twarc_csv.expand_in_order("a https://t.co/x", ["A", "B"]) == {}
