"""Tests of the open-platform formats (mastodon, bluesky) on fixtures/formats and small fakes."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chatarchive import formats
from chatarchive.errors import FormatError
from chatarchive.formats import bluesky, mastodon
from chatarchive.formats.registry import HEAD_SIZE
from chatarchive.models import Author, Message, ParsedRecord, RawExport, Rejected

from .factories import messages_of as messages
from .factories import read_export as read

ROOT = Path(__file__).resolve().parents[1]
MASTODON = ROOT / "fixtures" / "formats" / "mastodon"
BLUESKY = ROOT / "fixtures" / "formats" / "bluesky"
SOLOPR = ROOT / "fixtures" / "solopr"

MSOCIAL = "https://mastodon.social/users"
Q1_URI = f"{MSOCIAL}/marenholtpr/statuses/116172215099064322"
PRIYA_A1_URI = "https://hachyderm.io/users/priya/statuses/116172224567890123"
THEO_A1_URI = "https://fosstodon.org/users/theobarlowpr/statuses/116172229000011111"
LENA_REPLY_URI = f"{MSOCIAL}/lena/statuses/116172231152566277"
TEMPLATE = "https://example.org/pricing/retainer-template-2026"
MAREN = Author(
    "mastodon:https://mastodon.social/@marenholtpr",
    "mastodon",
    "marenholtpr@mastodon.social",
    "Maren Holt",
    "https://mastodon.social/@marenholtpr",
)
LENA = Author(
    "mastodon:https://mastodon.social/@lena",
    "mastodon",
    "lena@mastodon.social",
    "lena",  # no display name: the username stands in
    "https://mastodon.social/@lena",
)

MAREN_DID = "did:plc:loaksobvlw5rvxbrrqyhr73q"
PRIYA_DID = "did:plc:is6p6jhlm5i73teamjvp7yfn"
THEO_DID = "did:plc:dt4fggrcgshowkv6toerze4x"
BSKY_Q1 = f"at://{MAREN_DID}/app.bsky.feed.post/3mgauj2uctk2b"
BSKY_A1 = f"at://{PRIYA_DID}/app.bsky.feed.post/3mgaunqpoyc2b"
RATE_CARD = "https://example.org/rates/2026-rate-card?ref=bsky"
PRIYA_BSKY = Author(
    f"bluesky:{PRIYA_DID}",
    "bluesky",
    "priyanair.com",
    "Priya Nair",
    "https://bsky.app/profile/priyanair.com",
)




def rejections(records: list[ParsedRecord | Rejected]) -> list[tuple[str, str]]:
    return [(r.location, r.reason) for r in records if isinstance(r, Rejected)]


def locations(records: list[ParsedRecord | Rejected]) -> list[str]:
    return [record.location for record in records]


def by_id(records: list[ParsedRecord | Rejected]) -> dict[str, Message]:
    return {message.id: message for message in messages(records)}


def write_jsonl(path: Path, lines: list[Any]) -> Path:
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def fixture_lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- detection ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (MASTODON / "timelines_tag_hoot.response.json", "mastodon"),  # real, pretty-printed
        (MASTODON / "mastodon-solopr.jsonl", "mastodon"),
        (MASTODON / "context.json", "mastodon"),
        (MASTODON / "account-statuses.json", "mastodon"),
        (BLUESKY / "bluesky-search.jsonl", "bluesky"),
        (BLUESKY / "thread.json", "bluesky"),
        (BLUESKY / "author-feed.json", "bluesky"),
    ],
)
def test_detect_picks_the_format_of_each_fixture(path: Path, expected: str) -> None:
    assert formats.detect(path, path.name, str(path)) == expected


@pytest.mark.parametrize(
    "path",
    [
        SOLOPR / "solopr-2026-03-04.jsonl",
        SOLOPR / "solopr-2026-03-04.twarc2.jsonl",
        SOLOPR / "archive" / "data" / "tweets.js",
    ],
)
def test_open_platform_sniffers_leave_twitter_exports_alone(path: Path) -> None:
    head = path.read_bytes()[:HEAD_SIZE]
    assert (mastodon.sniff(head, path.name), bluesky.sniff(head, path.name)) == (0, 0)


def test_head_cut_short_and_empty_pages_are_still_recognised(tmp_path: Path) -> None:
    # One body longer than the sniffed head: only the markers are seen.
    page = fixture_lines(MASTODON / "mastodon-solopr.jsonl")[0] * 10
    long_page = write_jsonl(tmp_path / "page.jsonl", [page])
    posts = fixture_lines(BLUESKY / "bluesky-search.jsonl")[0]["posts"] * 15
    long_search = write_jsonl(tmp_path / "search.jsonl", [{"posts": posts}])
    assert min(long_page.stat().st_size, long_search.stat().st_size) > HEAD_SIZE
    assert formats.detect(long_page, "page.jsonl", "page.jsonl") == "mastodon"
    assert formats.detect(long_search, "search.jsonl", "search.jsonl") == "bluesky"
    # An empty first page is known by the live puller's file names.
    empty = write_jsonl(tmp_path / "empty.jsonl", [{"posts": []}])
    assert formats.detect(empty, "bluesky-search.jsonl", "x") == "bluesky"
    assert formats.detect(write_jsonl(empty, [[]]), "mastodon-solopr.jsonl", "x") == "mastodon"


# --- mastodon -----------------------------------------------------------------------------------


def test_mastodon_real_tag_timeline_sample() -> None:
    name, records = read(MASTODON / "timelines_tag_hoot.response.json")
    assert name == "mastodon"
    assert locations(records) == ["item 1"]
    uri = "http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701"
    assert messages(records) == [
        Message(
            id=f"mastodon:{uri}",
            platform="mastodon",
            native_id=uri,
            author=Author(
                "mastodon:http://localhost:3000/@mastodonpy_test_2",
                "mastodon",
                "mastodonpy_test_2@localhost:3000",
                "mastodonpy_test_2",
                "http://localhost:3000/@mastodonpy_test_2",
            ),
            text="#hoot (hashtag toot)",
            created_at=datetime(2026, 8, 1, 13, 55, 55, 867000, tzinfo=UTC),
            url="http://localhost:3000/@mastodonpy_test_2/117020593741189701",
            like_count=0,
            repost_count=0,
            lang="ja",
            hashtags=("hoot",),
        )
    ]
    record = records[0]
    assert isinstance(record, ParsedRecord)
    assert json.loads(record.raw)["id"] == "117020593741189701"


def test_mastodon_tag_timeline_pages() -> None:
    _, records = read(MASTODON / "mastodon-solopr.jsonl")
    assert locations(records) == [
        *(f"line 1 item {n}" for n in range(1, 5)),
        *(f"line 2 item {n}" for n in range(1, 4)),
    ]
    found = by_id(records)
    answer = found[f"mastodon:{PRIYA_A1_URI}"]
    assert answer == Message(
        id=f"mastodon:{PRIYA_A1_URI}",
        platform="mastodon",
        native_id=PRIYA_A1_URI,
        author=Author(
            "mastodon:https://hachyderm.io/@priya",
            "mastodon",
            "priya@hachyderm.io",
            "Priya Nair :coffee:",
            "https://hachyderm.io/@priya",
        ),
        text="@marenholtpr A1: I price by project, never by the hour & I add 15% for rush work. "
        "#SoloPR",
        created_at=datetime(2026, 3, 4, 18, 4, 40, 501000, tzinfo=UTC),
        url="https://hachyderm.io/@priya/116172224567890123",
        in_reply_to_id=f"mastodon:{Q1_URI}",  # the parent's local id, resolved to its uri
        like_count=3,
        repost_count=0,
        lang="en",
        hashtags=("solopr",),
    )
    welcome = messages(records)[-1]
    assert welcome.author == MAREN
    assert welcome.text == (
        "Welcome to #solopr chat! Today: pricing your services.\nQ1 coming up in 2 minutes."
    )
    # The link shows "example.org/pricing/retainer-t…" in spans; the text gets its href.
    template = found[f"mastodon:{THEO_A1_URI}"]
    assert template.text == (
        "A1: Day rate for strategy, retainer for everything else.\n"
        f"Template I use: {TEMPLATE}\n\n#solopr"
    )
    assert (template.links, template.like_count, template.repost_count) == ((TEMPLATE,), 9, 4)
    # Replying to a status on the next page (later in the file) resolves too.
    assert found[f"mastodon:{LENA_REPLY_URI}"].in_reply_to_id == f"mastodon:{PRIYA_A1_URI}"
    # A parent that is not in the file: the server's host and the local id.
    late = found["mastodon:https://hachyderm.io/users/priya/statuses/116172235000022222"]
    assert late.in_reply_to_id == "mastodon:mastodon.social/116172100000000000"


def test_mastodon_context_thread() -> None:
    _, records = read(MASTODON / "context.json")
    assert locations(records) == [
        "ancestors item 1",
        "descendants item 1",
        "descendants item 2",
        "descendants item 3",
    ]
    question, reply, warned, quote = messages(records)
    _, timeline = read(MASTODON / "mastodon-solopr.jsonl")
    # The same status from the tag timeline and from the thread gives the same message.
    assert question == by_id(timeline)[f"mastodon:{Q1_URI}"]
    # The status whose context this is is not in the file: its local id cannot be resolved.
    assert reply.in_reply_to_id == "mastodon:mastodon.social/116172225282113539"
    assert warned.text == (
        "CW: client horror stories\n\n"
        "@lena Agreed. Rush fees also filter out the clients you don't want."
    )
    assert warned.in_reply_to_id == f"mastodon:{LENA_REPLY_URI}"
    assert quote.quoted_id == f"mastodon:{THEO_A1_URI}"
    assert quote.text == (
        "RE: https://fosstodon.org/@theobarlowpr/116172229000011111\n\n"
        "@theobarlowpr This is the answer of the day #solopr"
    )


def test_mastodon_boost_and_content_warning() -> None:
    _, records = read(MASTODON / "account-statuses.json")
    assert locations(records) == ["item 1", "item 2"]
    warned, boost = messages(records)
    assert warned.text == 'CW: pricing opinions\n\nA2: No public rates, but a "starting at" range.'
    assert (warned.author, warned.hashtags, warned.like_count) == (LENA, (), 1)
    boost_uri = f"{MSOCIAL}/lena/statuses/116172254085120010/activity"
    assert boost == Message(
        id=f"mastodon:{boost_uri}",
        platform="mastodon",
        native_id=boost_uri,
        author=LENA,
        text="RT @theobarlowpr@fosstodon.org: A1: Day rate for strategy, retainer for "
        f"everything else.\nTemplate I use: {TEMPLATE}\n\n#solopr",
        created_at=datetime(2026, 3, 4, 18, 12, tzinfo=UTC),
        url=boost_uri,
        repost_of_id=f"mastodon:{THEO_A1_URI}",
        like_count=0,
        repost_count=0,
        lang="en",  # the boost has none: the original's
        hashtags=("solopr",),
        links=(TEMPLATE,),
    )


def test_mastodon_broken_records_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    first_page, second_page = fixture_lines(MASTODON / "mastodon-solopr.jsonl")
    status = second_page[2]
    no_uri = {key: value for key, value in status.items() if key != "uri"}
    lines: list[Any] = [
        first_page[:1],
        '[{"id": "1", "content": ',  # cut short
        {"error": "Record not found"},
        [status, "a string", no_uri, {**status, "created_at": "yesterday"}, {"id": "9"}],
        {**status, "account": {"id": "5"}},
        second_page[:1],
    ]
    path = write_jsonl(tmp_path / "mixed.jsonl", lines)
    _, records = read(path, "mastodon")
    assert rejections(records) == [
        ("line 2", "invalid JSON: Expecting value (column 25)"),
        ("line 3", "the server answered with an error: Record not found"),
        ("line 4 item 2", "not a Mastodon status (no id, account and content; a JSON string)"),
        ("line 4 item 3", "the status has no uri"),
        ("line 4 item 4", "unreadable created_at: 'yesterday'"),
        ("line 4 item 5", "not a Mastodon status (no id, account and content; has: id)"),
        ("line 5", "the status' account has no acct or username"),
    ]
    kept = [r.location for r in records if isinstance(r, ParsedRecord)]
    assert kept == ["line 1 item 1", "line 4 item 1", "line 6 item 1"]
    assert all(len(r.snippet) <= 200 for r in records if isinstance(r, Rejected))


def test_mastodon_json_array_of_pages_and_other_servers_markup(tmp_path: Path) -> None:
    first_page, _ = fixture_lines(MASTODON / "mastodon-solopr.jsonl")
    pleroma = {
        **first_page[0],
        "uri": "https://pleroma.example/objects/6f1c",
        "content": 'Q2 answer: <a class="hashtag" data-tag="solopr" href="https://pleroma.example/'
        'tag/solopr">#SoloPR</a> &amp; <span class="h-card"><a class="u-url mention" href="'
        'https://mastodon.social/@marenholtpr">@<span>marenholtpr</span></a></span><br/>'
        'see <a href="mailto:me@example.org">mail me</a>',
        "tags": [],
    }
    deleted = {**first_page[1], "text": "Late to #SoloPR #Q1 #1", "tags": []}
    del deleted["content"]
    bare = {**first_page[2], "content": "https://example.org/only-a-link", "tags": []}
    document = [[pleroma], {"ancestors": [], "descendants": [deleted]}, bare]
    path = tmp_path / "pages.json"
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # bs4 warns about markup that looks like an address
        _, records = read(path, "mastodon")
    assert locations(records) == ["item 1 item 1", "item 2 descendants item 1", "item 3"]
    first, second, third = messages(records)
    assert third.text == "https://example.org/only-a-link"
    assert first.text == "Q2 answer: #SoloPR & @marenholtpr\nsee mail me"
    assert (first.hashtags, first.links) == (("solopr",), ())
    # No tags given: they are read from the text; "#1" is no hashtag.
    assert (second.text, second.hashtags) == ("Late to #SoloPR #Q1 #1", ("solopr", "q1"))


def test_mastodon_fixture_generator_reproduces_the_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(MASTODON / "generate.py"), str(tmp_path)], check=True)
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["account-statuses.json", "context.json", "mastodon-solopr.jsonl"]
    for name in written:
        assert (tmp_path / name).read_bytes() == (MASTODON / name).read_bytes(), name


# --- bluesky ------------------------------------------------------------------------------------


def test_bluesky_search_pages() -> None:
    name, records = read(BLUESKY / "bluesky-search.jsonl")
    assert name == "bluesky"
    assert locations(records) == [f"line {line} item {n}" for line in (1, 2) for n in (1, 2, 3)]
    german, lena, quote, answer, question, welcome = messages(records)
    assert answer == Message(
        id=f"bluesky:{BSKY_A1}",
        platform="bluesky",
        native_id=BSKY_A1,
        author=PRIYA_BSKY,
        # The facet's byte range (after a 4-byte emoji) held "example.org/rates/2026-r...".
        text=f"A1: I price by project 🚀 and add 15% for rush work. Rate card: {RATE_CARD} #solopr",
        created_at=datetime(2026, 3, 4, 18, 4, 41, 5000, tzinfo=UTC),
        url="https://bsky.app/profile/priyanair.com/post/3mgaunqpoyc2b",
        in_reply_to_id=f"bluesky:{BSKY_Q1}",
        like_count=5,
        repost_count=1,
        lang="en",
        hashtags=("solopr",),
        links=(RATE_CARD,),
    )
    assert german.text == (
        "A1: Ich rechne pro Projekt ab. Grüße an alle! 👋 Übersicht: "
        "https://jonas-pr.de/preise-und-leistungen #solopr"
    )
    assert (german.lang, german.author.display_name) == ("de", "Jonas Müller")
    assert lena.author.display_name == "lena-pr.bsky.social"  # no displayName: the handle
    # Outline tags, then #words of the text that no facet marks.
    assert lena.hashtags == ("freelance", "solopr")
    assert lena.links == ("https://example.com/value-based-pricing",)
    assert lena.text.startswith("@marenholtpr.bsky.social A1: value-based pricing, always.")
    assert (quote.quoted_id, quote.hashtags) == (f"bluesky:{BSKY_Q1}", ("solopr", "prchat"))
    assert (question.id, question.like_count, question.repost_count) == (
        f"bluesky:{BSKY_Q1}",
        11,
        4,
    )
    assert welcome.created_at == datetime(2026, 3, 4, 18, 0, 20, 114000, tzinfo=UTC)


def test_bluesky_thread_in_reading_order() -> None:
    _, records = read(BLUESKY / "thread.json")
    # The deleted reply (notFoundPost, reply 2) is skipped.
    assert locations(records) == [
        "thread parent 1",
        "thread",
        "thread reply 1",
        "thread reply 1.1",
        "thread reply 3",
    ]
    parent, post, first, nested, third = messages(records)
    assert (parent.id, post.id) == (f"bluesky:{BSKY_Q1}", f"bluesky:{BSKY_A1}")
    assert nested.text == "Yes, always in writing ✍️"
    assert nested.in_reply_to_id == first.id
    assert third.in_reply_to_id == f"bluesky:{BSKY_A1}"
    assert third.author.handle == "theobarlow.bsky.social"


def test_bluesky_feed_with_a_repost() -> None:
    _, records = read(BLUESKY / "author-feed.json")
    assert locations(records) == ["item 1", "item 2", "item 3", "item 3 repost", "item 4"]
    pinned, reply, original, repost, quote = messages(records)
    assert pinned.created_at == datetime(2026, 1, 14, 15, tzinfo=UTC)
    assert reply.in_reply_to_id == f"bluesky:{BSKY_A1}"
    assert original.id == f"bluesky:{BSKY_A1}"
    native = f"repost:{THEO_DID}:{BSKY_A1}"
    assert repost == Message(
        id=f"bluesky:{native}",
        platform="bluesky",
        native_id=native,
        author=Author(
            f"bluesky:{THEO_DID}",
            "bluesky",
            "theobarlow.bsky.social",
            "Theo Barlow",
            "https://bsky.app/profile/theobarlow.bsky.social",
        ),
        text=f"RT @priyanair.com: {original.text}",
        created_at=datetime(2026, 3, 4, 18, 9, 58, 412000, tzinfo=UTC),
        repost_of_id=f"bluesky:{BSKY_A1}",
        lang="en",
        hashtags=("solopr",),
        links=(RATE_CARD,),
    )
    assert quote.quoted_id == f"bluesky:{BSKY_Q1}"
    record = records[3]
    assert isinstance(record, ParsedRecord)
    assert json.loads(record.raw)["reason"]["$type"] == "app.bsky.feed.defs#reasonRepost"


def test_same_bluesky_post_from_search_thread_and_feed_is_identical() -> None:
    copies = [
        by_id(read(BLUESKY / name)[1])[f"bluesky:{BSKY_A1}"]
        for name in ("bluesky-search.jsonl", "thread.json", "author-feed.json")
    ]
    assert copies[0] == copies[1] == copies[2]


def test_bluesky_broken_records_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    first_page, second_page = fixture_lines(BLUESKY / "bluesky-search.jsonl")
    good = second_page["posts"][0]
    no_did = {**good, "author": {"handle": "x.bsky.social"}}
    bad_time = {**good, "record": {**good["record"], "createdAt": "soon"}}
    lines: list[Any] = [
        {"posts": first_page["posts"][:1]},
        '{"posts": [{"uri": "at://',  # cut short
        {"error": "InvalidRequest", "message": "limit too high"},
        {"posts": [7, no_did, bad_time, {"uri": "at://x"}, good]},
        {"cursor": "3"},
        {"feed": [{"post": good, "reason": {"$type": "app.bsky.feed.defs#reasonRepost"}}]},
    ]
    _, records = read(write_jsonl(tmp_path / "mixed.jsonl", lines), "bluesky")
    assert rejections(records) == [
        ("line 2", "invalid JSON: Unterminated string starting at (column 20)"),
        ("line 3", "the server answered with an error: InvalidRequest: limit too high"),
        ("line 4 item 1", "not a Bluesky post view (no at:// uri and record; a JSON number)"),
        ("line 4 item 2", "the author has no did"),
        ("line 4 item 3", "unreadable createdAt: 'soon'"),
        ("line 4 item 4", "not a Bluesky post view (no at:// uri and record; has: uri)"),
        ("line 5", "not a Bluesky page or post (has: cursor)"),
        ("line 6 item 1 repost", "the author has no did"),
    ]
    kept = [r.location for r in records if isinstance(r, ParsedRecord)]
    assert kept == ["line 1 item 1", "line 4 item 5", "line 6 item 1"]


def _post_with_facets(text: str, facets: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uri": "at://did:plc:abc/app.bsky.feed.post/3kxyz",
        "author": {"did": "did:plc:abc", "handle": "handle.invalid"},
        "record": {"text": text, "createdAt": "2026-03-04T18:00:00Z", "facets": facets},
        "indexedAt": "2026-03-04T18:00:01Z",
    }


def _link_facet(start: int, end: int, uri: str) -> dict[str, Any]:
    feature = {"$type": "app.bsky.richtext.facet#link", "uri": uri}
    return {"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}


def test_bluesky_link_facets_that_do_not_show_their_address(tmp_path: Path) -> None:
    text = "read my guide — é a.example/x..."
    guide, short = "https://guide.example/pricing", "https://a.example/xyz"
    start = len("read my guide — é ".encode())
    facets = [
        _link_facet(5, 13, guide),  # "my guide": words, kept as written
        _link_facet(start, start + len(b"a.example/x..."), short),
        _link_facet(start + 2, start + 6, "https://overlap.example/"),  # overlaps: skipped
        _link_facet(17, 19, "https://cut.example/"),  # cuts "—" in two: skipped
        _link_facet(0, 999, "https://outside.example/"),  # beyond the text: link only
    ]
    path = write_jsonl(tmp_path / "one.jsonl", [_post_with_facets(text, facets)])
    _, records = read(path, "bluesky")
    (message,) = messages(records)
    assert message.text == f"read my guide — é {short}"
    assert message.links == (
        guide,
        "https://cut.example/",
        short,
        "https://overlap.example/",
        "https://outside.example/",
    )
    assert message.author.url == "https://bsky.app/profile/did:plc:abc"
    assert message.url == "https://bsky.app/profile/did:plc:abc/post/3kxyz"
    assert locations(records) == ["document"]


def test_bluesky_fixture_generator_reproduces_the_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(BLUESKY / "generate.py"), str(tmp_path)], check=True)
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == ["author-feed.json", "bluesky-search.jsonl", "thread.json"]
    for name in written:
        assert (tmp_path / name).read_bytes() == (BLUESKY / name).read_bytes(), name


def test_broken_documents_and_broken_first_lines(tmp_path: Path) -> None:
    # A pretty-printed document cut short cannot be read record by record.
    cut = tmp_path / "context.json"
    cut.write_text((MASTODON / "context.json").read_text(encoding="utf-8")[:1000], "utf-8")
    name, lazy = formats.parse(RawExport("context.json", cut, "", cut.name))
    assert name == "mastodon"
    with pytest.raises(FormatError) as caught:
        list(lazy)
    assert str(caught.value) == (
        "context.json: the file is not valid JSON: Unterminated string starting at "
        "at line 29 column 9"
    )
    # A file of one broken line, and JSON Lines whose first line is broken: Rejected lines.
    one_line = write_jsonl(tmp_path / "one.jsonl", ['[{"id": "1", "uri": '])
    assert read(one_line, "mastodon")[1] == [
        Rejected("line 1", "invalid JSON: Expecting value (column 21)", '[{"id": "1", "uri": ')
    ]
    search = (BLUESKY / "bluesky-search.jsonl").read_text(encoding="utf-8").splitlines()
    jsonl = write_jsonl(tmp_path / "search.jsonl", [search[0][:300], search[1]])
    _, records = read(jsonl, "bluesky")
    assert rejections(records) == [("line 1", "invalid JSON: Expecting ',' delimiter (column 301)")]
    assert locations(records)[1:] == ["line 2 item 1", "line 2 item 2", "line 2 item 3"]
