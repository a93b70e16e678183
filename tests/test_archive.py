import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from chatarchive import archive
from chatarchive.errors import ArchiveError, NotFoundError
from chatarchive.models import (
    ANSWER,
    HOST,
    PARTICIPANT,
    QUESTION,
    Attribution,
    Chat,
    ChatParticipant,
    ChatWindow,
    Question,
    Rejected,
)

from .factories import START, author, message, raw_export, record

HOST_A = author("host", "Kelly Host")
ANN = author("ann", "Ann Answer")


def posts() -> list:
    q1 = message(101, HOST_A, "Q1: What is your rate? #solopr")
    a1 = message(102, ANN, "A1: Value based &amp; fair #solopr", 2, in_reply_to_id="twitter:101",
                 like_count=3)
    off = message(103, ANN, "unrelated post", 3, hashtags=())
    return [q1, a1, off]


def test_save_counts_new_duplicate_and_rejected(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    records = [record(m, i + 1) for i, m in enumerate(posts())]
    result = archive.save(db, raw_export(tmp_path / "x.jsonl", "a" * 64),
                          "twarc", [*records, records[0], Rejected("line 5", "bad JSON", "{")])
    assert (result.read, result.new, result.duplicate, result.rejected) == (4, 3, 1, 1)
    assert db["messages"].count == 3
    assert db["participants"].count == 2
    assert db["sightings"].count == 3
    assert [dict(r) for r in db.query("select location, reason, snippet from import_errors")] == [
        {"location": "line 5", "reason": "bad JSON", "snippet": "{"}]
    imp = next(db.query("select status, read, new, duplicate, rejected from imports"))
    assert imp == {"status": "archived", "read": 4, "new": 3, "duplicate": 1, "rejected": 1}
    assert set(result.spans) == {"solopr"}


def test_an_import_counts_its_posts_through_the_import_index(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    plan = db.execute("explain query plan select count(*) from messages"
                      " where first_import_id = ?", [1]).fetchall()
    assert "idx_messages_first_import_id" in str(plan)


def test_same_export_twice_changes_nothing(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    records = [record(m, i + 1) for i, m in enumerate(posts())]
    first = archive.save(db, raw_export(tmp_path / "x.jsonl", "a" * 64), "twarc", records)
    # Archived but its chats not yet assembled: the same import comes back, with its spans.
    again = archive.save(db, raw_export(tmp_path / "x.jsonl", "a" * 64), "twarc", records)
    assert (again.unchanged, again.import_id, again.new) == (False, first.import_id, 3)
    assert set(again.spans) == {"solopr"}
    archive.finish_import(db, first.import_id)
    assert archive.save(db, raw_export(tmp_path / "x.jsonl", "a" * 64), "twarc", records).unchanged
    assert db["imports"].count == 1
    # The same posts in another export are duplicates, with a second sighting each.
    other = archive.save(db, raw_export(tmp_path / "y.jsonl", "b" * 64), "twarc", records)
    assert (other.new, other.duplicate) == (0, 3)
    assert db["messages"].count == 3
    assert db["sightings"].count == 6


def test_later_sighting_completes_truncated_text_and_counts(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    short = message(201, ANN, "RT @host: Q1: What is your…", 1, like_count=1)
    full = message(201, ANN, "RT @host: Q1: What is your rate? #solopr", 1, like_count=5)
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc", [record(short, 1)])
    archive.save(db, raw_export(tmp_path / "y", "b" * 64), "twarc", [record(full, 1)])
    row = db["messages"].get("twitter:201")
    assert (row["text"], row["like_count"]) == ("RT @host: Q1: What is your rate? #solopr", 5)


def test_messages_between_follows_replies_without_the_hashtag(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    reply = message(104, HOST_A, "thanks!", 4, hashtags=(), in_reply_to_id="twitter:102")
    deeper = message(105, ANN, "you too", 5, hashtags=(), in_reply_to_id="twitter:104")
    tagged = message(106, ANN, "A1 again #solopr", 6, in_reply_to_id="twitter:101")
    late = message(107, ANN, "late thanks", 90, hashtags=(), in_reply_to_id="twitter:104")
    records = [record(m, i) for i, m in enumerate([*posts(), reply, deeper, tagged, late])]
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc", records)
    found = archive.messages_between(db, ["SoloPR"], START, START.replace(hour=19))
    # Replies without the hashtag, however deep, in the time asked; each post once.
    assert [m.id for m in found] == [
        "twitter:101", "twitter:102", "twitter:104", "twitter:105", "twitter:106"]
    assert found[1] == posts()[1]
    everyone = [HOST_A.id, ANN.id, "twitter:nobody"]
    assert archive.returning_authors(db, ["solopr"], START.replace(minute=1), everyone) == {
        HOST_A.id}
    assert archive.returning_authors(db, ["solopr"], START.replace(minute=3), everyone) == {
        HOST_A.id, ANN.id}


def test_first_posts_with_each_hashtag_are_kept_per_participant(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    before = START.replace(minute=10)
    late = message(301, ANN, "A1: late #solopr", 30)
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc", [record(late, 1)])
    assert archive.returning_authors(db, ["solopr"], before, [ANN.id]) == set()
    # An export read later holds an earlier post; a post comes first without its hashtag.
    early = message(302, ANN, "hello #solopr", 5)
    bare = message(303, HOST_A, "Q1 is coming up", 2, hashtags=())
    archive.save(db, raw_export(tmp_path / "y", "b" * 64), "twarc",
                 [record(early, 1), record(bare, 2)])
    assert archive.returning_authors(db, ["solopr", "edchat"], before, [ANN.id, HOST_A.id]) == {
        ANN.id}
    # A fuller sighting of that post carries the hashtag the first one lost.
    archive.save(db, raw_export(tmp_path / "z", "c" * 64), "twarc",
                 [record(replace(bare, hashtags=("edchat",)), 1)])
    assert archive.returning_authors(db, ["edchat"], before, [ANN.id, HOST_A.id]) == {HOST_A.id}
    assert sorted(db.execute("select * from participant_hashtags").fetchall()) == [
        (HOST_A.id, "edchat", archive.to_iso(START.replace(minute=2))),
        (ANN.id, "solopr", archive.to_iso(START.replace(minute=5))),
    ]


def test_an_archive_from_before_participant_hashtags_is_filled_in(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc",
                 [record(m, i) for i, m in enumerate(posts())])
    # As an archive written before the table existed: empty, and its migration not applied.
    db.execute("drop table participant_hashtags")
    db.execute("delete from _sqlite_migrations where name = 'm011_participant_hashtags'")
    db.conn.commit()
    db.close()
    db = archive.open_archive(tmp_path / "a.db")
    assert sorted(db.execute("select participant_id, hashtag from participant_hashtags")) == [
        (HOST_A.id, "solopr"), (ANN.id, "solopr")]
    assert archive.returning_authors(db, ["solopr"], START.replace(minute=3),
                                     [HOST_A.id, ANN.id]) == {HOST_A.id, ANN.id}
    indexes = {row[1] for row in db.execute("pragma index_list(messages)")}
    assert not any("author" in name for name in indexes)


def test_full_text_search(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc",
                 [record(m, i) for i, m in enumerate(posts())])
    assert [r["id"] for r in db["messages"].search("rate")] == ["twitter:101"]


def chat() -> Chat:
    q1, a1, _ = posts()
    window = ChatWindow("solopr", START, START.replace(hour=19), "America/New_York",
                        "#solopr chat", "solopr", ("host",))
    return Chat(
        id="solopr-2026-03-04", window=window, messages=(q1, a1),
        questions=(Question(1, q1.id, "What is your rate?", q1.created_at, HOST_A.id),),
        attributions={q1.id: Attribution(QUESTION, 1), a1.id: Attribution(ANSWER, 1, 0.9)},
        participants=(ChatParticipant(HOST_A, HOST, 1, 0, False),
                      ChatParticipant(ANN, PARTICIPANT, 1, 1, True)),
    )


def test_save_chat_replaces_derived_rows(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc",
                 [record(m, i) for i, m in enumerate(posts())])
    archive.save_chat(db, chat())
    archive.save_chat(db, chat())
    assert db["questions"].count == 1
    assert db["chat_participants"].count == 2
    row = db["messages"].get("twitter:102")
    assert (row["chat_id"], row["kind"], row["question_id"], row["confidence"]) == (
        "solopr-2026-03-04", "answer", "solopr-2026-03-04/q1", 0.9)
    assert archive.chat_window(db, "solopr-2026-03-04") == replace(
        chat().window, chat_id="solopr-2026-03-04")
    listed = archive.list_chats(db)
    assert [(c["id"], c["questions"], c["posts"], c["participants"]) for c in listed] == [
        ("solopr-2026-03-04", 1, 2, 2)]


def test_recaps_are_versioned_only_on_change(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc",
                 [record(m, i) for i, m in enumerate(posts())])
    archive.save_chat(db, chat())
    assert archive.save_recap(db, "solopr-2026-03-04", "# v1", "r.md") == (1, True)
    assert archive.save_recap(db, "solopr-2026-03-04", "# v1", "r.md") == (1, False)
    assert archive.save_recap(db, "solopr-2026-03-04", "# v2", "r.md") == (2, True)
    assert [r["markdown"] for r in db.query("select markdown from recaps order by version")] == [
        "# v1", "# v2"]


def test_unknown_chat_is_a_clear_error(tmp_path: Path) -> None:
    db = archive.open_archive(tmp_path / "a.db")
    with pytest.raises(NotFoundError, match="chatarchive chats"):
        archive.chat_window(db, "solopr-1999-01-01")


def test_not_an_archive(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("this is not sqlite" * 100)
    with pytest.raises(ArchiveError, match="not a chatarchive archive"):
        archive.open_archive(bogus)
    with pytest.raises(ArchiveError, match="is a folder"):
        archive.open_archive(tmp_path)


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    archive.open_archive(tmp_path / "a.db").close()
    db = archive.open_archive(tmp_path / "a.db")
    names = [r[0] for r in db.execute("select name from _sqlite_migrations")]
    assert len(names) == len(set(names)) >= 2
    assert sqlite3.connect(tmp_path / "a.db").execute("pragma integrity_check").fetchone() == (
        "ok",)


def table_rows(db: object) -> dict[str, list[tuple[object, ...]]]:
    tables = ["messages", "participants", "sightings", "message_hashtags", "import_errors"]
    rows = {t: sorted(db.execute(f"select * from {t}").fetchall()) for t in tables}  # type: ignore[attr-defined]
    rows["imports"] = db.execute(  # type: ignore[attr-defined]
        "select id, sha256, status, read, new, duplicate, rejected from imports").fetchall()
    rows["fts"] = db.execute(  # type: ignore[attr-defined]
        "select rowid, text from messages_fts order by rowid").fetchall()
    return rows


def test_an_interrupted_import_resumes_to_the_same_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatarchive.archive import imports

    records = [record(m, i + 1) for i, m in enumerate(posts())]
    records.append(Rejected("line 9", "bad JSON", "{"))
    clean = archive.open_archive(tmp_path / "clean.db")
    archive.save(clean, raw_export(tmp_path / "x", "a" * 64), "twarc", records)

    monkeypatch.setattr(imports, "BATCH", 1)

    def crashing() -> object:
        yield from records[:2]
        raise KeyboardInterrupt  # as if the process were killed mid-import

    db = archive.open_archive(tmp_path / "a.db")
    with pytest.raises(KeyboardInterrupt):
        archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc", crashing())  # type: ignore[arg-type]
    assert db.execute("select status from imports").fetchall() == [("running",)]
    resumed = archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc", records)
    assert (resumed.read, resumed.new, resumed.duplicate, resumed.rejected) == (3, 3, 0, 1)
    assert set(resumed.spans) == {"solopr"}
    assert table_rows(db) == table_rows(clean)


def test_between_picks_what_the_archive_read_would_find(tmp_path: Path) -> None:
    # Assembly slices a chat's posts out of the stretch read for detection: the slice must be
    # exactly what reading the chat's own window back would give, reply chains included.
    from datetime import timedelta

    from chatarchive.posts import between

    db = archive.open_archive(tmp_path / "a.db")
    chain = [message(300 + n, ANN if n % 2 else HOST_A, f"reply {n}", 10 + n, hashtags=(),
                     in_reply_to_id=f"twitter:{299 + n}" if n else "twitter:102")
             for n in range(4)]
    stray = message(400, ANN, "no tag, no reply", 12, hashtags=())
    late = message(401, ANN, "A1: late #SoloPR", 40)
    records = [record(m, i) for i, m in enumerate([*posts(), *chain, stray, late])]
    archive.save(db, raw_export(tmp_path / "x", "a" * 64), "twarc", records)
    wide = archive.messages_between(db, ["solopr"], START - timedelta(hours=1),
                                    START + timedelta(hours=1))
    assert len(wide) == 7  # Q1, A1, the reply chain and the late answer; not the stray post
    for first, last in [(0, 60), (2, 11), (2, 12), (3, 13), (11, 40), (0, 39)]:
        start, end = START + timedelta(minutes=first), START + timedelta(minutes=last)
        expected = archive.messages_between(db, ["SoloPR"], start, end)
        assert between(wide, ["SoloPR"], start, end) == expected, (first, last)
    cut = between(wide, ["solopr"], START + timedelta(minutes=2), START + timedelta(minutes=11))
    assert [m.id for m in cut] == ["twitter:102", "twitter:300", "twitter:301"]


def test_the_newest_posts_names_win_in_any_order(tmp_path: Path) -> None:
    old_name = replace(ANN, display_name="Ann Answer")
    new_name = replace(ANN, display_name="Ann Answer 🎄", handle="ann_new")
    early = message(501, old_name, "A1: early #solopr", 1)
    late = message(502, new_name, "A2: late #solopr", 30)
    # The same post captured twice, with the user as each capture saw them.
    again = message(502, replace(ANN, display_name="Ann A."), "A2: late #solopr", 30)
    orders = [[early, late, again], [again, late, early], [late, early, again]]
    names = []
    for number, order in enumerate(orders):
        db = archive.open_archive(tmp_path / f"{number}.db")
        for n, post in enumerate(order):
            archive.save(db, raw_export(tmp_path / f"{n}.jsonl", str(n) * 64), "twarc",
                         [record(post, 1)])
        names.append(db.execute("select handle, display_name, seen_at from participants"
                                " where id = ?", [ANN.id]).fetchone())
    # Two captures of the newest post disagree: the greater name wins, whatever came first.
    assert names == [("ann_new", "Ann Answer 🎄", "2026-03-04T18:30:00.000Z")] * 3
