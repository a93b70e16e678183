"""Tests of the scraped-export formats: the archive ZIP, snscrape, Zeeschuimer,
twitter-web-exporter and saved HTML pages, on the fixtures in fixtures/formats/ (the same posts
as the synthetic #solopr chat in fixtures/solopr) and on small broken files."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatarchive import formats
from chatarchive.errors import FormatError
from chatarchive.formats import _jsonarray, twitter_archive_zip
from chatarchive.models import Author, Message, ParsedRecord, Rejected

from .factories import parsed_of as parsed
from .factories import read_export as read

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "fixtures" / "formats"
SOLOPR = ROOT / "fixtures" / "solopr"
ZIP = FIXTURES / "twitter-archive-zip" / "twitter-2026-03-05-5d1e0c2b9a.zip"
REAL_PARTS = FIXTURES / "twitter-archive-zip" / "twitter-to-sqlite" / "zip_contents"
SNSCRAPE = FIXTURES / "snscrape" / "solopr-snscrape.jsonl"
SNSCRAPE_OLD = FIXTURES / "snscrape" / "solopr-snscrape-0.4.jsonl"
ZEESCHUIMER = FIXTURES / "zeeschuimer" / "solopr-zeeschuimer.ndjson"
EXPORTER = FIXTURES / "twitter-web-exporter" / "solopr-web-exporter.json"
EXPORTER_FULL = FIXTURES / "twitter-web-exporter" / "solopr-web-exporter-full.json"
WALL = FIXTURES / "html" / "solopr-wall.html"
EMBEDS = FIXTURES / "html" / "solopr-embeds.html"
NITTER = FIXTURES / "html" / "solopr-nitter-search.html"
HOST = Author(
    "twitter:15236871", "twitter", "marenholtpr", "Maren Holt", "https://twitter.com/marenholtpr"
)
# Ids of the 14 chat posts the snscrape, Zeeschuimer, web-exporter and wall fixtures hold.
SUBSET_IDS = [
    "2029280770368204805",
    "2029270277968400388",
    "2029270024437571588",
    "2029262557916823557",
    "2029261340578193410",
    "2029260421104590854",
    "2029260213229387780",
    "2029257619553488900",
    "2029257587692478470",
    "2029257055462916102",
    "2029256810844045314",
    "2029256604721979397",
    "2029256400458813444",
    "2029225355374964740",
]




def rejected(records: list[ParsedRecord | Rejected]) -> list[Rejected]:
    return [record for record in records if isinstance(record, Rejected)]


def messages(path: Path, fmt: str = "auto") -> list[Message]:
    return [record.message for record in parsed(read(path, fmt)[1])]


@pytest.fixture(scope="module")
def twarc_by_id() -> dict[str, Message]:
    """The chat as read from twarc v1.1 JSONL: the reference every other format is held to."""
    chat = messages(SOLOPR / "solopr-2026-03-04.jsonl", "twarc")
    assert len(chat) == 202
    return {message.native_id: message for message in chat}


def fixture_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path: Path, lines: list[Any]) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_zip(path: Path, entries: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name, (2026, 3, 5, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return path


def zip_entry(name: str) -> str:
    with zipfile.ZipFile(ZIP) as archive:
        return archive.read(name).decode("utf-8")


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (ZIP, "twitter-archive-zip"),
        (SNSCRAPE, "snscrape"),
        (SNSCRAPE_OLD, "snscrape"),
        (ZEESCHUIMER, "zeeschuimer"),
        (EXPORTER, "twitter-web-exporter"),
        (EXPORTER_FULL, "twitter-web-exporter"),
        (WALL, "html"),
        (EMBEDS, "html"),
        (NITTER, "html"),
    ],
)
def test_detect_picks_the_format_of_each_fixture(path: Path, expected: str) -> None:
    assert formats.detect(path, path.name, str(path)) == expected


def test_detect_sees_the_exporter_array_past_a_short_head(tmp_path: Path) -> None:
    # Longer than the 64 KiB head: the array cannot be decoded, only its keys are seen.
    for source in (EXPORTER, EXPORTER_FULL):
        items = json.loads(source.read_text(encoding="utf-8")) * 12
        path = tmp_path / source.name
        path.write_text(json.dumps(items, indent=2), encoding="utf-8")
        assert path.stat().st_size > 64 * 1024
        assert formats.detect(path, path.name, str(path)) == "twitter-web-exporter"


def test_unpacked_archive_folder_detects_only_the_tweet_parts(tmp_path: Path) -> None:
    with zipfile.ZipFile(ZIP) as archive:
        archive.extractall(tmp_path)
    found: dict[str, str | None] = {}
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        try:
            found[path.relative_to(tmp_path).as_posix()] = formats.detect(path, path.name, "x")
        except FormatError:
            found[path.relative_to(tmp_path).as_posix()] = None
    assert found == {
        "Your archive.html": None,
        "data/account.js": None,
        "data/deleted-tweets.js": None,
        "data/follower.js": None,
        "data/manifest.js": None,
        "data/tweets-part1.js": "tweets-js",
        "data/tweets.js": "tweets-js",
    }
    # The second part is read by tweets-js with account.js beside it.
    part = messages(tmp_path / "data" / "tweets-part1.js")
    assert len(part) == 10
    assert {message.author for message in part} == {HOST}


@pytest.mark.parametrize("path", sorted(REAL_PARTS.glob("*.js")), ids=lambda p: p.name)
def test_real_archive_parts_that_are_not_tweets_fail_detection(path: Path) -> None:
    with pytest.raises(FormatError, match="could not recognise the format"):
        formats.detect(path, path.name, path.name)


def test_other_zips_and_html_pages_are_not_taken(tmp_path: Path) -> None:
    other = write_zip(tmp_path / "photos.zip", {"img/cat.jpg": b"\xff\xd8\xff"})
    page = tmp_path / "blog.html"
    page.write_text("<!doctype html><html><body><p>#solopr was great</p></body></html>")
    with pytest.raises(FormatError, match=r"a ZIP archive"):
        formats.detect(other, other.name, other.name)
    with pytest.raises(FormatError, match="could not recognise the format"):
        formats.detect(page, page.name, page.name)
    named = tmp_path / "twitter-2024-01-02-abc123.zip"
    named.write_bytes(other.read_bytes())
    assert formats.detect(named, named.name, named.name) == "twitter-archive-zip"


# --- twitter-archive-zip ------------------------------------------------------------------------


def test_archive_zip_reads_both_parts_in_order_like_tweets_js() -> None:
    name, records = read(ZIP)
    assert name == "twitter-archive-zip"
    assert rejected(records) == []
    locations = [record.location for record in records]
    assert len(locations) == 25
    assert locations[0] == "data/tweets.js item 1"
    assert locations[14:16] == ["data/tweets.js item 15", "data/tweets-part1.js item 1"]
    assert locations[-1] == "data/tweets-part1.js item 10"
    unpacked = messages(SOLOPR / "archive" / "data" / "tweets.js", "tweets-js")
    assert [r.message for r in parsed(records)] == unpacked
    first = parsed(records)[0]
    assert first.message.author == HOST
    assert first.message.id == "twitter:2029274176576815109"
    assert first.message.created_at == datetime(2026, 3, 4, 19, 14, tzinfo=UTC)
    assert json.loads(first.raw)["tweet"]["favorite_count"] == "7"


def test_archive_zip_ignores_unsafe_names_and_refuses_bombs(tmp_path: Path) -> None:
    good = zip_entry("data/tweets.js")
    bomb = "window.YTD.tweets.part2 = [" + " " * 3_000_000 + "]"
    path = write_zip(
        tmp_path / "archive.zip",
        {
            "../data/tweets.js": good,
            "/data/tweet.js": good,
            "data/account.js": zip_entry("data/account.js"),
            "data/tweets.js": good,
            "data/tweets-part2.js": bomb,
            "__MACOSX/data/._tweets.js": b"\x00\x05\x16\x07",
        },
    )
    _, records = read(path)
    assert len(parsed(records)) == 15
    [refused] = rejected(records)
    assert refused.location == "data/tweets-part2.js"
    assert refused.reason.startswith("refused: it unpacks to ")
    assert refused.reason.endswith("times its packed size, over the 100:1 limit (a zip bomb?)")


def test_archive_zip_refuses_an_entry_over_the_size_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_zip(tmp_path / "a.zip", {"data/tweets.js": zip_entry("data/tweets-part1.js")})
    size = len(zip_entry("data/tweets-part1.js").encode("utf-8"))
    monkeypatch.setattr(twitter_archive_zip, "MAX_ENTRY_BYTES", 1000)
    _, records = read(path)
    assert records == [
        Rejected(
            "data/tweets.js",
            f"refused: it unpacks to {size:,} bytes, over the limit of 1,000 bytes",
            "",
        )
    ]


def test_archive_zip_keeps_the_items_around_a_broken_one(tmp_path: Path) -> None:
    text = zip_entry("data/tweets-part1.js")
    # Break the second item only: a comma goes missing.
    second = text.index('"retweeted" : false,', text.index('"tweet"', text.index('"tweet"') + 1))
    broken = text[:second] + '"retweeted" : false' + text[second + len('"retweeted" : false,') :]
    path = write_zip(tmp_path / "a.zip", {"data/tweets.js": broken})
    _, records = read(path)
    assert [r.location for r in records] == [f"data/tweets.js item {n}" for n in range(1, 11)]
    [bad] = rejected(records)
    assert bad.location == "data/tweets.js item 2"
    assert bad.reason == "invalid JSON: Expecting ',' delimiter"
    assert bad.snippet.startswith('{\n  "tweet" : {')
    # No account.js in this ZIP: the tweets carry no user, so the author is a placeholder.
    assert parsed(records)[0].message.author == Author(
        "twitter:unknown", "twitter", "unknown", "unknown"
    )


def test_archive_zip_without_tweets_or_unreadable_is_a_format_error(tmp_path: Path) -> None:
    empty = write_zip(tmp_path / "twitter-2024-01-02-abc.zip", {"data/account.js": "[]"})
    with pytest.raises(FormatError, match=r"the ZIP holds no data/tweets\.js"):
        read(empty, "twitter-archive-zip")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(ZIP.read_bytes()[:300])
    with pytest.raises(FormatError, match=r"^.*cut\.zip: not a readable ZIP archive"):
        read(cut, "twitter-archive-zip")


def test_archive_zip_part_that_is_not_an_array(tmp_path: Path) -> None:
    path = write_zip(
        tmp_path / "a.zip",
        {"data/tweets.js": "window.YTD.tweets.part0 = {}", "data/tweets-part1.js": "[]"},
    )
    _, records = read(path, "twitter-archive-zip")
    assert records == [Rejected("data/tweets.js", "the file does not hold a JSON array", "")]


# --- the same posts from every GraphQL / snscrape export ----------------------------------------


@pytest.mark.parametrize("path", [SNSCRAPE, ZEESCHUIMER, EXPORTER_FULL], ids=lambda p: p.name)
def test_same_posts_give_the_same_messages_as_twarc(
    path: Path, twarc_by_id: dict[str, Message]
) -> None:
    got = messages(path)
    assert [message.native_id for message in got] == SUBSET_IDS
    for message in got:
        assert message == twarc_by_id[message.native_id]


def test_snscrape_0_4_keys_give_the_same_messages(twarc_by_id: dict[str, Message]) -> None:
    got = messages(SNSCRAPE_OLD)
    assert [m.native_id for m in got] == [SUBSET_IDS[1], SUBSET_IDS[5], SUBSET_IDS[11]]
    assert got == [twarc_by_id[m.native_id] for m in got]


# --- snscrape -----------------------------------------------------------------------------------


def test_snscrape_record_values() -> None:
    records = parsed(read(SNSCRAPE)[1])
    retweet = records[1].message
    assert records[1].location == "line 2"
    assert retweet.id == "twitter:2029270277968400388"
    assert retweet.author == Author(
        "twitter:172839465",
        "twitter",
        "ginaferraro",
        "Gina Ferraro",
        "https://twitter.com/ginaferraro",
    )
    assert retweet.text == (
        "RT @marenholtpr: That's a wrap! Huge thanks to @theobarlowpr for sharing his pricing "
        "wisdom & to all of you for the great answers. #solopr"
    )
    assert retweet.repost_of_id == "twitter:2029270024437571588"
    assert retweet.created_at == datetime(2026, 3, 4, 18, 58, 30, tzinfo=UTC)
    link = records[5].message
    assert link.links == ("https://soloprhub.example.com/blog/retainer-vs-project",)
    assert link.text.endswith("https://soloprhub.example.com/blog/retainer-vs-project #solopr")
    # The raw line keeps the integer id exactly (it is above 2^53).
    assert json.loads(records[0].raw)["id"] == 2029280770368204805


def test_snscrape_ids_come_from_the_url_and_tags_from_the_text(tmp_path: Path) -> None:
    tweet = fixture_lines(SNSCRAPE)[0]
    rounded = {**tweet, "id": 2029280770368204800}  # as a JavaScript tool would have left it
    no_url = {key: value for key, value in tweet.items() if key not in ("url", "hashtags")}
    no_tags = {**tweet, "hashtags": None}
    path = write_lines(tmp_path / "s.jsonl", [rounded, no_url, no_tags])
    first, second, third = messages(path)
    assert first.native_id == second.native_id == "2029280770368204805"
    assert second.hashtags == ("solopr",)  # no hashtags key: read from the text
    assert third.hashtags == ()  # snscrape writes null for "no hashtags"


def test_snscrape_broken_lines_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    lines: list[Any] = fixture_lines(SNSCRAPE)[:2]
    tombstone = {"_type": "snscrape.modules.twitter.Tombstone", "id": 1, "text": "Deleted."}
    lines[1:1] = [
        '{"_type": "snscrape.modules.twitter.Tweet", "url": ',
        tombstone,
        {"username": "someone"},
        {**lines[0], "user": None},
        {**lines[0], "date": "last week"},
    ]
    _, records = read(write_lines(tmp_path / "s.jsonl", lines), "snscrape")
    assert [r.location for r in parsed(records)] == ["line 1", "line 7"]
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("line 2", "invalid JSON: Expecting value (column 52)"),
        ("line 3", "a tombstone, the tweet is gone: Deleted."),
        ("line 4", "not a snscrape tweet (has: username)"),
        ("line 5", "the tweet has no user object"),
        ("line 6", "unreadable created_at: 'last week'"),
    ]


# --- zeeschuimer --------------------------------------------------------------------------------


def test_zeeschuimer_keeps_the_collection_details_in_raw() -> None:
    records = parsed(read(ZEESCHUIMER)[1])
    assert len(records) == 14
    raw = json.loads(records[0].raw)
    assert raw["timestamp_collected"] == 1772653503000
    assert raw["source_platform_url"].startswith("https://twitter.com/search?q=%23solopr")
    wrapped = records[12].message  # inside TweetWithVisibilityResults
    assert wrapped.text == "Marta here from Cleveland. #SoloPR"
    assert wrapped.hashtags == ("solopr",)
    assert wrapped.author.display_name == "Marta Kowalski"


def graphql(rest_id: str, text: str, **legacy: Any) -> dict[str, Any]:
    user = {"__typename": "User", "rest_id": "42", "core": {"screen_name": "ann", "name": "Ann"}}
    return {
        "__typename": "Tweet",
        "rest_id": rest_id,
        "core": {"user_results": {"result": user}},
        "legacy": {"full_text": text, "created_at": "Wed Mar 04 18:30:00 +0000 2026", **legacy},
    }


def item(data: Any, platform: str = "twitter.com") -> dict[str, Any]:
    return {
        "id": 1,
        "item_id": "1",
        "source_platform": platform,
        "timestamp_collected": 0,
        "data": data,
    }


def test_zeeschuimer_long_post_reads_the_note_tweet(tmp_path: Path) -> None:
    long_text = "A3: " + "a long answer " * 25 + "&amp; more at https://t.co/n1 #SoloPR #pricing"
    data = graphql(
        "2029262000000000001",
        "A3: a long answer a long answer…",
        entities={"hashtags": [], "urls": []},
        favorite_count=4,
        lang="en",
    )
    data["note_tweet"] = {
        "is_expandable": True,
        "note_tweet_results": {
            "result": {
                "id": "Tm90ZVR3ZWV0OjE=",
                "text": long_text,
                "entity_set": {
                    "hashtags": [{"text": "SoloPR"}, {"text": "pricing"}],
                    "urls": [{"url": "https://t.co/n1", "expanded_url": "https://a.example/p"}],
                },
            }
        },
    }
    path = write_lines(tmp_path / "z.ndjson", [item(data, "x.com")])
    [message] = messages(path)
    assert message.text == (
        "A3: " + "a long answer " * 25 + "& more at https://a.example/p #SoloPR #pricing"
    )
    assert message.hashtags == ("solopr", "pricing")
    assert message.links == ("https://a.example/p",)
    assert message.author == Author(
        "twitter:42", "twitter", "ann", "Ann", "https://twitter.com/ann"
    )
    assert (message.like_count, message.lang) == (4, "en")


def test_zeeschuimer_broken_lines_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    good = fixture_lines(ZEESCHUIMER)[0]
    tombstone = {"__typename": "TweetTombstone", "tombstone": {"text": {"text": "Gone."}}}
    lines: list[Any] = [
        good,
        '{"id": 2, "data": {',
        item(graphql("2029262000000000002", "hi"), "instagram.com"),
        item(tombstone),
        item({"__typename": "User", "rest_id": "42"}),
        good,
    ]
    _, records = read(write_lines(tmp_path / "z.ndjson", lines), "zeeschuimer")
    assert [r.location for r in parsed(records)] == ["line 1", "line 6"]
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("line 2", "invalid JSON: Expecting property name enclosed in double quotes (column 20)"),
        ("line 3", "an item collected from instagram.com, not from X/Twitter"),
        ("line 4", "the tweet is unavailable (TweetTombstone): Gone."),
        ("line 5", "the item's data is not a tweet result"),
    ]


# --- twitter-web-exporter -----------------------------------------------------------------------


def test_web_exporter_flat_rows(twarc_by_id: dict[str, Message]) -> None:
    got = messages(EXPORTER)
    assert [message.native_id for message in got] == SUBSET_IDS
    for message in got:
        reference = twarc_by_id[message.native_id]
        # A flat row has no user id, no language, no entities and no retweeted original.
        author = Author(
            f"twitter:{reference.author.handle}",
            "twitter",
            reference.author.handle,
            reference.author.display_name,
            reference.author.url,
        )
        expected = dataclasses.replace(reference, author=author, lang=None)
        if "https://t.co/" in message.text or message.repost_of_id:
            assert message.created_at == reference.created_at
            continue
        assert message == expected
    link = got[13]
    assert link.text.endswith("Bring your rate questions: https://t.co/slH3utB3fk")
    assert link.links == ()
    # "2026-03-04 14:40:12 -05:00" in the file.
    assert got[0].created_at == datetime(2026, 3, 4, 19, 40, 12, tzinfo=UTC)
    assert got[1].repost_of_id == "twitter:2029270024437571588"
    assert got[3].quoted_id == "twitter:2029261340578193410"


def test_web_exporter_keeps_the_items_around_a_broken_one(tmp_path: Path) -> None:
    rows = json.loads(EXPORTER.read_text(encoding="utf-8"))[:3]
    text = json.dumps([rows[0], {"marker": 1}, rows[2]], indent=2)
    text = text.replace('"marker": 1', '"marker": 1,,')
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    _, records = read(path, "twitter-web-exporter")
    assert [r.location for r in parsed(records)] == ["item 1", "item 3"]
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("item 2", "invalid JSON: Expecting property name enclosed in double quotes")
    ]
    path.write_text(json.dumps([rows[0], {"tweet": 1}, 7]), encoding="utf-8")
    _, records = read(path, "twitter-web-exporter")
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("item 2", "not an exported tweet (has: tweet)"),
        ("item 3", "not an exported tweet (has: int)"),
    ]


def test_web_exporter_cut_short_or_not_an_array(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    rows = json.loads(EXPORTER.read_text(encoding="utf-8"))[:2]
    path.write_text(json.dumps(rows, indent=2)[:-40], encoding="utf-8")
    _, records = read(path, "twitter-web-exporter")
    assert [r.location for r in records] == ["item 1", "item 2"]
    assert rejected(records)[0].reason == "invalid JSON: Unterminated string starting at"
    path.write_text('{"id": "1"}', encoding="utf-8")
    with pytest.raises(FormatError, match=r"export\.json: the file does not hold a JSON array"):
        read(path, "twitter-web-exporter")


# --- html ---------------------------------------------------------------------------------------


def test_html_wall(twarc_by_id: dict[str, Message]) -> None:
    name, records = read(WALL)
    assert name == "html"
    assert [r.location for r in records] == [f"post {n}" for n in range(1, 15)]
    got = [record.message for record in parsed(records)]
    assert [message.native_id for message in got] == SUBSET_IDS
    for message in got:
        reference = twarc_by_id[message.native_id]
        assert message.created_at == reference.created_at
        assert message.repost_count == reference.repost_count
        assert (message.author.handle, message.author.display_name) == (
            reference.author.handle,
            reference.author.display_name,
        )
        if not message.text.startswith("RT @"):
            assert (message.text, message.hashtags, message.links) == (
                reference.text,
                reference.hashtags,
                reference.links,
            )
    assert got[6].text == "https://freelancerates.example.com/2026-survey #solopr"
    assert got[6].links == ("https://freelancerates.example.com/2026-survey",)
    assert got[11].text.startswith("Great to see familiar faces & new ones.")
    assert got[0].author.id == "twitter:mattreyes_pr"
    assert json.loads(records[0].raw)["kind"] == "wall"  # type: ignore[union-attr]


def test_html_embeds_take_the_time_from_the_id() -> None:
    records = parsed(read(EMBEDS)[1])
    assert [r.location for r in records] == ["post 1", "post 2", "post 3", "post 4"]
    question = records[0].message
    assert question.id == "twitter:2029256810844045314"
    assert question.author == Author(
        "twitter:marenholtpr",
        "twitter",
        "marenholtpr",
        "Maren Holt",
        "https://twitter.com/marenholtpr",
    )
    assert question.text == (
        "Q1: How did you set your rates when you first went solo, and what would you change "
        "about that now? #solopr"
    )
    assert question.created_at == datetime(2026, 3, 4, 18, 5, 0, 130000, tzinfo=UTC)
    assert (question.lang, question.hashtags) == ("en", ("solopr",))
    assert records[1].message.text.startswith("A1: I took my agency salary")
    assert "I'd charge more from day one now" in records[1].message.text
    assert records[2].message.author.display_name == "Zoë Baptiste"
    link = records[3].message
    assert link.text.endswith("to clients: https://t.co/0Lepm5HCKK #solopr")
    assert link.links == ()  # only a t.co link: the page does not say where it goes


def test_html_nitter_search() -> None:
    records = parsed(read(NITTER)[1])
    got = [record.message for record in records]
    # Post 1 is Gina's retweet: the page shows the original, whose id it gives.
    assert [m.native_id for m in got] == [
        "2029270024437571588",
        "2029270024437571588",
        "2029262557916823557",
        "2029260421104590854",
        "2029257587692478470",
        "2029256604721979397",
    ]
    assert got[0] == got[1]
    assert got[0].author.handle == "marenholtpr"
    assert (got[0].like_count, got[0].repost_count) == (14, 5)
    assert got[0].created_at == datetime(2026, 3, 4, 18, 57, 30, 496000, tzinfo=UTC)
    assert got[2].quoted_id == "twitter:2029261340578193410"
    assert got[3].links == ("https://soloprhub.example.com/blog/retainer-vs-project",)
    assert got[3].text.endswith("https://soloprhub.example.com/blog/retainer-vs-project #solopr")
    # A reply's leading @handle is shown as "Replying to", outside the text.
    assert got[4].text == 'The "raising rates later is harder" lesson is so real. #solopr'
    assert got[5].text.startswith("Great to see familiar faces & new ones.")
    assert all(m.lang is None and m.in_reply_to_id is None for m in got)


def test_html_broken_posts_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    text = EMBEDS.read_text(encoding="utf-8")
    # The second embed loses its status link; a Nitter item without any link is added.
    text = text.replace("lenaparkcomms/status/2029257055462916102", "lenaparkcomms", 1)
    text = text.replace(
        "<p>See you",
        '<div class="timeline-item"><div class="tweet-content">x</div></div><p>See you',
    )
    path = tmp_path / "page.html"
    path.write_text(text, encoding="utf-8")
    _, records = read(path)
    assert [r.location for r in parsed(records)] == ["post 1", "post 3", "post 4"]
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("post 2", "the post has no link to its status page (embed)"),
        ("post 5", "the post has no link to its status page (nitter)"),
    ]
    assert rejected(records)[0].snippet.startswith('<blockquote class="twitter-tweet">')


def test_html_embed_of_a_tweet_older_than_snowflake_ids(tmp_path: Path) -> None:
    page = tmp_path / "old.html"
    page.write_text(
        '<html><body><blockquote class="twitter-tweet"><p lang="en" dir="ltr">Just setting up '
        "my twttr</p>&mdash; jack (@jack) "
        '<a href="https://twitter.com/jack/status/20?ref_src=twsrc%5Etfw">March 21, 2006</a>'
        "</blockquote></body></html>",
        encoding="utf-8",
    )
    [message] = messages(page)
    assert (message.id, message.text) == ("twitter:20", "Just setting up my twttr")
    assert message.created_at == datetime(2006, 3, 21, tzinfo=UTC)


# --- streaming arrays ---------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [7, 100, 4096])
def test_arrays_read_in_small_chunks_give_the_same_records(
    chunk: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = {path: read(path)[1] for path in (ZIP, EXPORTER, EXPORTER_FULL)}
    rows = json.loads(EXPORTER.read_text(encoding="utf-8"))[:3]
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps([rows[0], {"id": "1", "x": 1}, rows[2]], indent=2).replace('"x": 1', '"x": 1,'),
        encoding="utf-8",
    )
    monkeypatch.setattr(_jsonarray, "CHUNK_BYTES", chunk)
    for path, records in expected.items():
        assert read(path)[1] == records
    _, records = read(broken)
    assert [r.location for r in parsed(records)] == ["item 1", "item 3"]
    assert [r.location for r in rejected(records)] == ["item 2"]


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    rows = json.loads(EXPORTER.read_text(encoding="utf-8"))[:2]
    data = json.dumps(rows, indent=2).encode("utf-8")
    assert data.count(b"Late to") == 1  # in the first row
    path = tmp_path / "export.json"
    path.write_bytes(data.replace(b"Late to", b"Late \xff to"))
    _, records = read(path, "twitter-web-exporter")
    assert [(r.location, r.reason) for r in rejected(records)] == [
        ("item 1", "not UTF-8 text: invalid start byte")]
    assert [r.location for r in parsed(records)] == ["item 2"]  # read on after it
    path.write_bytes(b"\xff" + data)
    with pytest.raises(FormatError, match=r"export\.json: not UTF-8 text: invalid start byte"):
        read(path, "twitter-web-exporter")
    archive = write_zip(tmp_path / "a.zip", {"data/tweets.js": b"window.YTD.tweets.part0 = [\xff]"})
    _, records = read(archive)
    assert records == [Rejected("data/tweets.js item 1", "not UTF-8 text: invalid start byte", "")]


def test_detect_zeeschuimer_whose_first_line_is_longer_than_the_head(tmp_path: Path) -> None:
    first = fixture_lines(ZEESCHUIMER)[0]
    first["data"]["core"]["user_results"]["result"]["legacy"]["description"] = "x" * 70_000
    path = write_lines(tmp_path / "long.ndjson", [first])
    assert formats.detect(path, path.name, path.name) == "zeeschuimer"
    assert messages(path)[0].native_id == SUBSET_IDS[0]
