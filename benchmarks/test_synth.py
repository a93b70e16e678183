"""Tests of the synthetic chat generator and the ceiling loader (not part of ``make test``).

    .venv/bin/pytest benchmarks/test_synth.py

pytest puts this folder on sys.path (it has no __init__.py), so the scripts import by name.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from pathlib import Path

import ceiling
import pytest
import synth
from synth_chats import posts

from chatarchive import formats
from chatarchive.assemble import detect_sessions
from chatarchive.models import ParsedRecord, RawExport, Rejected

COUNT = 1500


def _export(path: Path) -> RawExport:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return RawExport(origin=str(path), path=path, sha256=digest, name=path.name)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("synth")
    paths = {}
    for fmt in synth.FILE_NAMES:
        path = folder / fmt / synth.FILE_NAMES[fmt]
        assert synth.write(fmt, path, COUNT, seed=3) == COUNT
        paths[fmt] = path
    return paths


def test_same_seed_same_posts_other_seed_other_posts() -> None:
    first = [(p.id, p.user.handle, p.text) for p in posts(400, seed=5)]
    again = [(p.id, p.user.handle, p.text) for p in posts(400, seed=5)]
    other = [(p.id, p.user.handle, p.text) for p in posts(400, seed=6)]
    assert first == again
    assert first != other


def test_ids_are_unique_and_above_2_to_the_53() -> None:
    ids = [int(p.id) for p in posts(3000, seed=1)]
    assert len(set(ids)) == 3000
    assert min(ids) > 2**53


def test_posts_hold_the_mix_of_a_chat() -> None:
    sample = list(posts(3000, seed=1))
    kinds = Counter(
        "retweet" if p.retweeted else "reply" if p.reply_to else "quote" if p.quoted else "post"
        for p in sample
    )
    assert kinds == {"post": 1713, "reply": 756, "retweet": 436, "quote": 95}
    assert sum(1 for p in sample if p.text.startswith(("Q1:", "Q1.", "Q1)", "Q 1:"))) == 3
    assert sum(1 for p in sample if p.links) == 238
    assert len({p.user.id for p in sample}) == 253


@pytest.mark.parametrize("fmt", ["twarc", "twarc2", "tweets-js"])
def test_chatarchive_detects_and_reads_every_post(written: dict[str, Path], fmt: str) -> None:
    name, records = formats.parse(_export(written[fmt]))
    read = list(records)
    assert name == fmt
    assert sum(isinstance(r, Rejected) for r in read) == 0
    assert sum(isinstance(r, ParsedRecord) for r in read) == COUNT


@pytest.mark.parametrize("fmt", ["twarc", "twarc2", "tweets-js"])
def test_every_format_gives_the_same_messages(written: dict[str, Path], fmt: str) -> None:
    _, records = formats.parse(_export(written[fmt]))
    messages = sorted((r.message for r in records if isinstance(r, ParsedRecord)),
                      key=lambda m: m.id)
    _, reference = formats.parse(_export(written["twarc"]))
    expected = sorted((r.message for r in reference if isinstance(r, ParsedRecord)),
                      key=lambda m: m.id)
    assert [(m.id, m.author.id, m.created_at, m.in_reply_to_id) for m in messages] == [
        (m.id, m.author.id, m.created_at, m.in_reply_to_id) for m in expected
    ]
    # Long retweets differ by design: tweets.js keeps the cut text, as real archives do.
    same_text = sum(a.text == b.text for a, b in zip(messages, expected, strict=True))
    assert same_text == (COUNT if fmt != "tweets-js" else COUNT - 54)


def test_chats_are_found_in_the_posts(written: dict[str, Path]) -> None:
    _, records = formats.parse(_export(written["twarc"]))
    messages = [r.message for r in records if isinstance(r, ParsedRecord)]
    found = {tag: len(detect_sessions(messages, tag)) for tag in ("contentchat", "journchat")}
    assert found == {"contentchat": 1, "journchat": 1}


def test_tweets_js_starts_with_a_reply(written: dict[str, Path]) -> None:
    text = written["tweets-js"].read_text(encoding="utf-8")
    assert text.startswith("window.YTD.tweets.part0 = [ {")
    first = json.loads(text[len("window.YTD.tweets.part0 = ") :])[0]["tweet"]
    assert first["in_reply_to_status_id"] == first["in_reply_to_status_id_str"]
    assert isinstance(first["favorite_count"], str)


def test_owner_archive_writes_account_js(tmp_path: Path) -> None:
    path = tmp_path / "tweets.js"
    synth.write("tweets-js", path, 50, seed=2, with_user=False)
    account = (tmp_path / "account.js").read_text(encoding="utf-8")
    assert account.startswith("window.YTD.account.part0 = [ {")
    assert '"user"' not in path.read_text(encoding="utf-8")


def test_twarc2_pages_hold_100_tweets_with_includes(written: dict[str, Path]) -> None:
    pages = [json.loads(line) for line in written["twarc2"].read_text().splitlines()]
    assert [len(p["data"]) for p in pages] == [100] * 15
    first = pages[0]
    authors = {t["author_id"] for t in first["data"]}
    assert authors <= {u["id"] for u in first["includes"]["users"]}
    assert first["meta"]["result_count"] == 100


@pytest.mark.parametrize("fmt", ["twarc", "twarc2", "tweets-js"])
def test_ceiling_loads_every_post(written: dict[str, Path], fmt: str, tmp_path: Path) -> None:
    db = tmp_path / "ceiling.db"
    assert ceiling.load(fmt, written[fmt], db) == COUNT
    with sqlite3.connect(db) as conn:
        authors = conn.execute("select count(distinct author_id) from messages").fetchone()[0]
    assert authors == 179
