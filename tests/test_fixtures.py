"""The synthetic #solopr chat in fixtures/solopr: deterministic, consistent across its exports."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "solopr"
OUTPUTS = (
    "solopr-2026-03-04.jsonl",
    "solopr-2026-03-04.twarc2.jsonl",
    "archive/data/tweets.js",
    "archive/data/account.js",
    "gold.json",
    "PROVENANCE.md",
)
TWITTER_EPOCH_MS = 1288834974657
HOST, GUEST = "marenholtpr", "theobarlowpr"


def v1_tweets() -> list[dict[str, Any]]:
    lines = (FIXTURES / "solopr-2026-03-04.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def v2_pages() -> list[dict[str, Any]]:
    lines = (FIXTURES / "solopr-2026-03-04.twarc2.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def ytd(name: str) -> list[dict[str, Any]]:
    text = (FIXTURES / "archive" / "data" / f"{name}.js").read_text(encoding="utf-8")
    prefix = f"window.YTD.{name}.part0 = "
    assert text.startswith(prefix)
    items: list[dict[str, Any]] = json.loads(text.removeprefix(prefix))
    return items


def gold() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "gold.json").read_text(encoding="utf-8"))
    return data


def v1_seconds(created_at: str) -> int:
    return int(datetime.strptime(created_at, "%a %b %d %H:%M:%S %z %Y").timestamp())


def id_seconds(native_id: int) -> int:
    return ((native_id >> 22) + TWITTER_EPOCH_MS) // 1000


def test_generator_rewrites_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), str(tmp_path)], check=True)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), name


def test_the_three_exports_hold_the_same_posts() -> None:
    v1_ids = [t["id_str"] for t in v1_tweets()]
    v2_ids = [t["id"] for page in v2_pages() for t in page["data"]]
    host_ids = [t["id_str"] for t in v1_tweets() if t["user"]["screen_name"] == HOST]
    archive_ids = [item["tweet"]["id_str"] for item in ytd("tweets")]
    assert len(v1_ids) == len(set(v1_ids)) == 202
    assert v2_ids == v1_ids  # both newest first
    assert [len(page["data"]) for page in v2_pages()] == [100, 100, 2]
    assert archive_ids == host_ids
    assert len(archive_ids) == 25


def test_texts_and_entities_agree_between_v1_and_v2() -> None:
    v2 = {t["id"]: t for page in v2_pages() for t in page["data"]}
    for tweet in v1_tweets():
        text = tweet["full_text"]
        assert v2[tweet["id_str"]]["text"] == text
        for tag in tweet["entities"]["hashtags"]:
            start, end = tag["indices"]
            assert text[start:end] == "#" + tag["text"]
        for url in tweet["entities"]["urls"]:
            start, end = url["indices"]
            assert text[start:end] == url["url"]
            assert url["expanded_url"].startswith("https://") and ".example." in url["expanded_url"]
        for tag in v2[tweet["id_str"]].get("entities", {}).get("hashtags", []):
            assert text[tag["start"] : tag["end"]] == "#" + tag["tag"]


def test_ids_exceed_2_53_and_agree_with_the_timestamps() -> None:
    for tweet in v1_tweets():
        for post in (tweet, tweet.get("retweeted_status"), tweet.get("quoted_status")):
            if post is not None:
                assert post["id"] > 2**53
                assert str(post["id"]) == post["id_str"]
                assert id_seconds(post["id"]) == v1_seconds(post["created_at"])
    for page in v2_pages():
        for post in page["data"] + page["includes"]["tweets"]:
            created = datetime.fromisoformat(post["created_at"])
            assert id_seconds(int(post["id"])) == int(created.timestamp())
    for item in ytd("tweets"):
        assert id_seconds(int(item["tweet"]["id"])) == v1_seconds(item["tweet"]["created_at"])


def test_gold_covers_every_post_and_matches_the_exports() -> None:
    truth = gold()
    tweets = {t["id_str"]: t for t in v1_tweets()}
    assert set(truth["posts"]) == set(tweets)
    assert truth["counts"] == {
        "question": 6, "answer": 90, "discussion": 29, "comment": 37, "repost": 40
    }
    assert truth["hosts"] == [HOST] and truth["guests"] == [GUEST]
    assert sorted(truth["questions"]) == ["1", "2", "3", "4", "5", "6"]
    for number, post_id in truth["questions"].items():
        assert truth["posts"][post_id] == {
            "kind": "question", "question": int(number),
            "author": GUEST if number == "4" else HOST, "in_window": True,
        }
    for post_id, post in truth["posts"].items():
        assert (post["kind"] == "repost") == ("retweeted_status" in tweets[post_id])
        numbered = post["kind"] in ("question", "answer", "discussion")
        assert (post["question"] in range(1, 7)) if numbered else post["question"] is None
    outside = sorted(p["kind"] for p in truth["posts"].values() if not p["in_window"])
    assert outside == ["answer", "comment", "comment", "comment"]


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5, 6])
def test_every_question_reads_as_a_question(number: int) -> None:
    truth = gold()
    text = {t["id_str"]: t["full_text"] for t in v1_tweets()}[truth["questions"][str(number)]]
    assert "?" in text
    assert "#solopr" in text.lower()
    assert f"Q{number}" in text


def test_the_chat_has_its_cast_and_every_post_its_hashtag() -> None:
    tweets = v1_tweets()
    authors = {t["user"]["screen_name"] for t in tweets}
    assert len(authors - {HOST, GUEST}) == 34
    for tweet in tweets:
        original = tweet.get("retweeted_status", tweet)
        assert "#solopr" in original["full_text"].lower()
    escaped = [t for t in tweets if "&amp;" in t["full_text"]]
    assert len(escaped) == 5
    assert sum("retweeted_status" in t for t in escaped) == 2
    assert not any("&" in t["full_text"].replace("&amp;", "") for t in tweets)


def test_account_js_names_the_host() -> None:
    (item,) = ytd("account")
    host_id = next(t["user"]["id_str"] for t in v1_tweets() if t["user"]["screen_name"] == HOST)
    assert item["account"]["username"] == HOST
    assert item["account"]["accountId"] == host_id == "15236871"
    assert item["account"]["accountDisplayName"] == "Maren Holt"


def test_the_window_is_wednesday_1pm_in_new_york() -> None:
    truth = gold()
    assert truth["starts_at"] == "2026-03-04T18:00:00Z"
    starts = datetime.fromisoformat(truth["starts_at"]).astimezone(UTC)
    assert starts.weekday() == 2
    inside = [p for p in truth["posts"].values() if p["in_window"]]
    assert len(inside) == 198
