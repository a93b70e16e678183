"""Tests of what the formats share: records from JSON lines, sniffing, tweets, tags, links."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatarchive.formats import _fediverse, _posttext, csvtools, reading, twarc2, twitter
from chatarchive.formats.reading import RecordError
from chatarchive.models import Author, Message, ParsedRecord, Rejected

from .factories import messages_of as messages
from .factories import read_export as read

ROOT = Path(__file__).resolve().parents[1]
MASTODON_STATUSES = ROOT / "fixtures" / "formats" / "mastodon" / "account-statuses.json"
WHEN = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
KIM = Author("twitter:42", "twitter", "kim", "Kim", "https://twitter.com/kim")




def a_message(text: str = "hello", **changes: Any) -> Message:
    return twitter.tweet_message("7", KIM, text, WHEN, **changes)


def fails() -> Message:
    raise RecordError("the tweet has no text")


# --- records ------------------------------------------------------------------------------------


def test_make_record_keeps_the_value_or_the_given_raw() -> None:
    value = {"id": 7, "note": "é"}
    record = reading.make_record("line 3", value, a_message)
    assert record == ParsedRecord(message=a_message(), raw='{"id":7,"note":"é"}', location="line 3")
    kept = reading.make_record("line 3", value, a_message, raw={"whole": value})
    assert isinstance(kept, ParsedRecord) and kept.raw == '{"whole":{"id":7,"note":"é"}}'


def test_make_record_rejects_the_value_on_a_record_error() -> None:
    record = reading.make_record("item 2", {"id": 7}, fails, raw={"other": 1})
    assert record == Rejected("item 2", "the tweet has no text", '{"id":7}')


def test_keys_of_names_five_sorted_keys_or_the_type() -> None:
    value = dict.fromkeys(["g", "f", "e", "d", "c", "b", "a"], 1)
    assert reading.keys_of(value) == "a, b, c, d, e"
    assert (reading.keys_of([1]), reading.keys_of(None), reading.keys_of("x")) == (
        "list",
        "NoneType",
        "str",
    )


def test_read_json_lines_takes_one_record_or_several_per_line(tmp_path: Path) -> None:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"n": 1}\n\n{"n": 2, "pages": 2}\n{"n": \n[3]\n')

    def read_line(value: Any, location: str) -> ParsedRecord | Rejected | Iterator[Rejected]:
        if not isinstance(value, dict):
            return Rejected(location, "not an object", "")
        if "pages" in value:
            return (Rejected(f"{location} item {n}", "a page", "") for n in (1, 2))
        return reading.make_record(location, value, a_message)

    records = list(reading.read_json_lines(path, read_line))
    assert [(r.location, type(r).__name__) for r in records] == [
        ("line 1", "ParsedRecord"),
        ("line 3 item 1", "Rejected"),
        ("line 3 item 2", "Rejected"),
        ("line 4", "Rejected"),
        ("line 5", "Rejected"),
    ]
    broken, not_object = records[3], records[4]
    assert isinstance(broken, Rejected)
    assert broken.reason == "invalid JSON: Expecting value (column 7)"
    assert isinstance(not_object, Rejected) and not_object.reason == "not an object"


def test_sniff_json_scores_the_first_value_or_the_markers() -> None:
    def by_value(first: Any) -> int:
        return 90 if first.get("id") else 10

    def by_markers(text: str) -> int:
        return 40 if '"id"' in text else 1

    assert reading.sniff_json(b'\xef\xbb\xbf \n{"id": 1}\n', "{", by_value, by_markers) == 90
    assert reading.sniff_json(b'{"other": 1}', "{", by_value, by_markers) == 10
    assert reading.sniff_json(b'{"id": 1, "text": "cut sh', "{", by_value, by_markers) == 40
    assert reading.sniff_json(b'[{"id": 1}]', "{", by_value, by_markers) == 0
    assert reading.sniff_json(b'[{"id": 1}]', ("{", "["), lambda first: len(first), by_markers) == 1


def test_locations_within_a_body() -> None:
    assert list(_fediverse.numbered(["a", "b"], _fediverse.DOCUMENT)) == [
        ("item 1", "a"),
        ("item 2", "b"),
    ]
    assert list(_fediverse.numbered(["a"], "line 3", "ancestors item")) == [
        ("line 3 ancestors item 1", "a")
    ]
    assert _fediverse.within(_fediverse.DOCUMENT, "thread") == "thread"
    assert _fediverse.within("line 2 item 4", "statuses") == "line 2 item 4 statuses"


# --- tweets -------------------------------------------------------------------------------------


def test_tweet_message_builds_archive_ids_and_unique_tags() -> None:
    message = a_message(
        "RT @ann: hi",
        reply_to="5",
        quoted="",
        repost_of="6",
        likes=2,
        lang=3,
        hashtags=["solopr", "", "solopr", "chat"],
        links=["https://e.org/a", "https://e.org/a"],
    )
    assert message == Message(
        id="twitter:7",
        platform="twitter",
        native_id="7",
        author=KIM,
        text="RT @ann: hi",
        created_at=WHEN,
        url="https://twitter.com/kim/status/7",
        in_reply_to_id="twitter:5",
        quoted_id=None,
        repost_of_id="twitter:6",
        like_count=2,
        lang=None,
        hashtags=("solopr", "chat"),
        links=("https://e.org/a",),
    )


def test_with_original_rebuilds_a_repost_or_keeps_its_own_parts() -> None:
    own = ("RT @ann: cut sh…", ["chat"], ["https://e.org/own"])
    original = twitter.tweet_message(
        "5",
        Author("twitter:1", "twitter", "ann", "Ann"),
        "cut short no more #solopr",
        WHEN,
        hashtags=["solopr", "chat"],
        links=["https://e.org/full"],
    )
    assert _posttext.with_original(own, None) == own
    assert _posttext.with_original(own, fails) == own
    assert _posttext.with_original(own, lambda: original) == (
        "RT @ann: cut short no more #solopr",
        ["chat", "solopr", "chat"],
        ["https://e.org/own", "https://e.org/full"],
    )


def test_a_tweet_read_alone_by_twarc2() -> None:
    tweet = {
        "id": "2029256810844045314",
        "author_id": "42",
        "author": {"id": "42", "username": "kim", "name": "Kim"},
        "text": "Q1 #SoloPR",
        "created_at": "2026-03-04T18:00:00.000Z",
        "entities": {"hashtags": [{"tag": "SoloPR"}]},
        "referenced_tweets": [{"type": "retweeted", "id": "5"}],
    }
    message = twarc2.message_from_flattened(tweet)
    assert (message.author, message.text, message.hashtags) == (KIM, "Q1 #SoloPR", ("solopr",))
    assert (message.repost_of_id, message.created_at) == ("twitter:5", WHEN)


# --- tags and links in text ---------------------------------------------------------------------


def test_hashtags_in_text_skip_addresses_and_numbers() -> None:
    text = "A1 #SoloPR see https://example.org/?q=#notatag and page#x, #1 #1st #ok_2 #SOLOPR"
    assert _posttext.hashtags_in_text(text) == ["solopr", "1st", "ok_2", "solopr"]
    assert [_posttext.is_hashtag(w) for w in ("1", "1st", "ok_2", "n/a", "")] == [
        False,
        True,
        True,
        False,
        False,
    ]
    assert _posttext.lower_tags(["#SoloPR", "#", "", None, 3, "Chat"]) == ["solopr", "chat"]


def test_links_in_text_drop_the_punctuation_and_quotes_after_them() -> None:
    text = "“https://example.com/a” (https://example.org/b). https://t.co/abc pic.twitter.com/x"
    assert _posttext.links_in_text(text) == ["https://example.com/a", "https://example.org/b"]
    tco = "a https://t.co/abc's b https://t.co/abc, <https://t.co/Xy9> https://example.org/c"
    assert _posttext.tco_links(tco) == ["https://t.co/abc", "https://t.co/Xy9"]


WEB_EXPORTER_TEXT = "A1 #SoloPR &amp; #1 see https://example.org/p#frag (https://t.co/abc)."


def test_the_same_tweet_gives_the_same_tags_in_both_web_exporter_formats(tmp_path: Path) -> None:
    item = {
        "id": "2029257055462916102",
        "created_at": "2026-03-04 13:02:47 -05:00",
        "full_text": WEB_EXPORTER_TEXT,
        "screen_name": "kim",
        "name": "Kim",
        "favorite_count": 4,
        "retweet_count": 1,
    }
    json_path = tmp_path / "export.json"
    json_path.write_text(json.dumps([item]), encoding="utf-8")
    csv_path = tmp_path / "export.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, [*item, "url"])
        writer.writeheader()
        writer.writerow({**item, "url": ""})
    from_json = messages(read(json_path, "twitter-web-exporter")[1])
    from_csv = messages(read(csv_path, "twitter-web-exporter-csv")[1])
    assert from_json == from_csv
    assert from_json[0].text == "A1 #SoloPR & #1 see https://example.org/p#frag (https://t.co/abc)."
    assert (from_json[0].hashtags, from_json[0].links) == (
        ("solopr",),
        ("https://example.org/p#frag",),
    )


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("SoloPR, #chat", ("solopr", "chat")),
        ("1, #SoloPR, n/a", ("solopr",)),
        ("2", ("prchat",)),  # no real tag in the cell: the text's tags
    ],
)
def test_a_hashtags_cell_lists_only_what_a_text_could_tag(
    tmp_path: Path, cell: str, expected: tuple[str, ...]
) -> None:
    path = tmp_path / "sheet.csv"
    path.write_text(
        f'id,author,text,hashtags\n2029257055462916102,kim,"A1 #PRchat #2","{cell}"\n',
        encoding="utf-8",
    )
    assert messages(read(path, "csv")[1])[0].hashtags == expected


def test_mastodon_reads_tags_from_text_as_the_twitter_formats_do(tmp_path: Path) -> None:
    statuses = json.loads(MASTODON_STATUSES.read_text(encoding="utf-8"))
    status = {
        **statuses[0],
        "spoiler_text": "",
        "tags": [],
        "content": "<p>A1 #Rates, see https://example.org/?q=#notatag #2</p>",
    }
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps([status]), encoding="utf-8")
    (message,) = messages(read(path, "mastodon")[1])
    assert message.text == "A1 #Rates, see https://example.org/?q=#notatag #2"
    assert message.hashtags == ("rates",)


# --- csv cells ----------------------------------------------------------------------------------


def test_required_cells_say_which_column_is_empty() -> None:
    row = csvtools.CsvRow(1, 2, {"user": " NA ", "text": " \r\nhi\r\nthere ", "blank": "  "}, "{}")
    assert csvtools.required_text(row, "text") == "hi\nthere"
    with pytest.raises(RecordError, match=r"^the row has no user$"):
        csvtools.required_cell(row, "user")
    with pytest.raises(RecordError, match=r"^no text \(column blank is empty\)$"):
        csvtools.required_text(row, "blank", "no text (column blank is empty)")
    with pytest.raises(RecordError, match=r"^the row has no missing$"):
        csvtools.required_text(row, "missing")
