"""Measure chat assembly against hand-labelled gold chats: questions, answers, kinds, windows.

Run ``python benchmarks/assembly_eval.py``. For each gold chat and overall it prints:

- questions: precision, recall and F1; a predicted question is right when its number and its
  post both match the gold;
- answers: accuracy over the gold answers (predicted as an answer to the same number) and
  precision over the predicted answers (the gold says answer, same number);
- kinds: accuracy over every post of the gold chat (a post left out of the chat is wrong);
- window: gold posts the predicted chat leaves out, and posts it takes in that the gold puts
  outside the chat.

Gold chats (fixtures/gold/README.md): the synthetic #craftbiz stream with every hard case
(chats detected, no schedule), the real #cancerchat of 2014-06-19 (detected; skipped when
../shared/data is absent) and the synthetic #solopr chat (its schedule's window); then the
held-out #edchat and #hcsm chats (fixtures/gold/heldout.py, detected), which assembly was never
tuned on: their rows are named "held-out ..." and are not held to the targets.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chatarchive import formats  # noqa: E402
from chatarchive.assemble import assemble_chat, detect_sessions  # noqa: E402
from chatarchive.models import (  # noqa: E402
    ANSWER,
    DISCUSSION,
    Chat,
    ChatWindow,
    Message,
    ParsedRecord,
    RawExport,
)

GOLD = ROOT / "fixtures" / "gold"
SOLOPR = ROOT / "fixtures" / "solopr"
SHARED = ROOT.parent / "shared" / "data"
HELDOUT = ("edchat", "hcsm")  # fixtures/gold/heldout-<name>.jsonl and .json
TARGETS = {"question_f1": 0.98, "answer_accuracy": 0.92, "answer_precision": 0.95}


@dataclass(frozen=True)
class GoldCase:
    """One gold file: the posts, their labels, and how the chats are found."""

    name: str
    hashtag: str
    messages: tuple[Message, ...]
    labels: Mapping[str, Mapping[str, Any]]  # native id -> chat, kind, question
    questions: Mapping[str, Mapping[int, str]]  # gold chat -> number -> native id
    windows: tuple[ChatWindow, ...] = ()  # the schedule's windows; none: detect the chats


@dataclass
class Tally:
    """Counts behind the scores of one gold chat, or of several added up."""

    gold_questions: int = 0
    found_questions: int = 0
    right_questions: int = 0
    gold_answers: int = 0
    answers_found: int = 0  # gold answers predicted as answers to the same number
    predicted_answers: int = 0
    answers_confirmed: int = 0  # predicted answers the gold agrees with
    posts: int = 0
    right_kinds: int = 0
    missed: int = 0
    extra: int = 0
    errors: list[str] = field(default_factory=list)

    def __add__(self, other: Tally) -> Tally:
        added = Tally(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                         for f in fields(self) if f.name != "errors"})
        added.errors = self.errors + other.errors
        return added

    @property
    def question_precision(self) -> float:
        """Right questions among those found."""
        return _ratio(self.right_questions, self.found_questions)

    @property
    def question_recall(self) -> float:
        """Gold questions found."""
        return _ratio(self.right_questions, self.gold_questions)

    @property
    def question_f1(self) -> float:
        """Harmonic mean of question precision and recall."""
        p, r = self.question_precision, self.question_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def answer_accuracy(self) -> float:
        """Gold answers predicted as answers to the same question."""
        return _ratio(self.answers_found, self.gold_answers)

    @property
    def answer_precision(self) -> float:
        """Predicted answers the gold agrees with."""
        return _ratio(self.answers_confirmed, self.predicted_answers)

    @property
    def kind_accuracy(self) -> float:
        """Posts of the gold chat given the gold kind."""
        return _ratio(self.right_kinds, self.posts)

    def misses(self) -> dict[str, float]:
        """The targets this tally falls short of, with its score."""
        return {name: getattr(self, name) for name, target in TARGETS.items()
                if getattr(self, name) < target}


def cases(shared: Path | None = SHARED) -> list[GoldCase]:
    """Every gold case; the real #cancerchat only when the shared samples are there."""
    found = [hardcases()]
    if shared is not None and (shared / "cancerchat-topsy-2014").is_dir():
        found.append(cancerchat(shared))
    found += [solopr(), solopr(detect=True)]
    return found + [heldout(name) for name in HELDOUT]


def hardcases() -> GoldCase:
    """The synthetic #craftbiz stream: three chats and the posts around them."""
    spec = importlib.util.spec_from_file_location("hardcases", GOLD / "hardcases.py")
    if spec is None or spec.loader is None:
        raise ImportError("cannot load fixtures/gold/hardcases.py")
    module = importlib.util.module_from_spec(spec)
    # Registered first: dataclasses look their module up while the class is being made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    gold = json.loads((GOLD / "hardcases.json").read_text(encoding="utf-8"))
    return _case("craftbiz (synthetic)", gold, module.messages())


def cancerchat(shared: Path = SHARED) -> GoldCase:
    """The real #cancerchat of 19 June 2014, read with the team's Topsy format."""
    gold = json.loads((GOLD / "cancerchat-2014-06-19.json").read_text(encoding="utf-8"))
    path = shared / "cancerchat-topsy-2014" / "Tweets_CancerChat_full.csv"
    return _case("cancerchat 2014-06-19", gold, _parse(path, "topsy"))


def solopr(detect: bool = False) -> GoldCase:
    """The synthetic #solopr chat: in its schedule's window (18:00-19:00 UTC, 2 h look-back), or
    detected in the whole export, where the chat is its hour and its late answers."""
    gold = json.loads((SOLOPR / "gold.json").read_text(encoding="utf-8"))
    start = datetime.fromisoformat(gold["starts_at"].replace("Z", "+00:00"))
    window = ChatWindow(
        hashtag=gold["hashtag"], starts_at=start,
        ends_at=datetime.fromisoformat(gold["ends_at"].replace("Z", "+00:00")),
        timezone=gold["timezone"], hosts=tuple(gold["hosts"]), guests=tuple(gold["guests"]),
        lookback=timedelta(hours=2),
    )
    messages = _parse(SOLOPR / "solopr-2026-03-04.jsonl", "auto")
    chosen = {m.native_id for m in _select(messages, gold["hashtag"], window)}
    if detect:
        chosen = {native for native, post in gold["posts"].items()
                  if post["in_window"] or post["kind"] in (ANSWER, DISCUSSION)}
    labels = {native: {**post, "chat": gold["chat_id"] if native in chosen else None}
              for native, post in gold["posts"].items()}
    questions = {gold["chat_id"]: {int(n): i for n, i in gold["questions"].items()}}
    name = "solopr 2026-03-04 " + ("(detected)" if detect else "(schedule)")
    return GoldCase(name, gold["hashtag"], tuple(messages), labels, questions,
                    () if detect else (window,))


def heldout(name: str) -> GoldCase:
    """A held-out chat (fixtures/gold/heldout.py), never used to tune assembly; detected."""
    gold = json.loads((GOLD / f"heldout-{name}.json").read_text(encoding="utf-8"))
    messages = _parse(GOLD / f"heldout-{name}.jsonl", "auto")
    return _case(f"held-out {name} (detected)", gold, messages)


def predict(case: GoldCase) -> list[Chat]:
    """Assemble the case's chats as the jobs do: detected or scheduled windows."""
    windows = case.windows or tuple(detect_sessions(case.messages, case.hashtag))
    return [assemble_chat(_select(case.messages, case.hashtag, w), w) for w in windows]


def evaluate(case: GoldCase) -> dict[str, Tally]:
    """Score the predicted chats of a case against each of its gold chats."""
    chats = predict(case)
    return {name: _score(case, name, _match(case, name, chats)) for name in case.questions}


def main() -> None:
    """Print the score table of every gold case, and of all of them together."""
    rows: list[tuple[str, Tally]] = []
    total = Tally()
    for case in cases():
        tallies = evaluate(case)
        rows += [(f"{case.name} / {name}", tally) for name, tally in tallies.items()]
        if len(tallies) > 1:
            rows.append((f"{case.name} / all", sum(tallies.values(), Tally())))
        total = sum(tallies.values(), total)
    rows.append(("overall", total))
    print(_table(rows))
    for name, tally in rows:
        for error in tally.errors if name != "overall" else ():
            print(f"  {name}: {error}")


def _case(name: str, gold: Mapping[str, Any], messages: Sequence[Message]) -> GoldCase:
    questions = {chat: {int(n): native for n, native in info["questions"].items()}
                 for chat, info in gold["chats"].items()}
    return GoldCase(name, gold["hashtag"], tuple(messages), gold["posts"], questions)


def _parse(path: Path, format_name: str) -> list[Message]:
    raw = RawExport(origin=str(path), path=path, name=path.name,
                    sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    _, records = formats.parse(raw, format_name)
    return [r.message for r in records if isinstance(r, ParsedRecord)]


def _select(messages: Iterable[Message], tag: str, window: ChatWindow) -> list[Message]:
    """What archive.messages_between gives: tagged posts in the span, and replies to them."""
    end = window.ends_at + window.lookback
    span = [m for m in messages if window.starts_at <= m.created_at <= end]
    chosen = {m.id: m for m in span if tag in m.hashtags}
    grown = True
    while grown:
        more = {m.id: m for m in span if m.id not in chosen and m.in_reply_to_id in chosen}
        chosen.update(more)
        grown = bool(more)
    return list(chosen.values())


def _match(case: GoldCase, name: str, chats: Sequence[Chat]) -> Chat | None:
    """The predicted chat holding most of the gold chat's posts."""
    gold = {native for native, post in case.labels.items() if post["chat"] == name}
    overlaps = [(len(gold & {m.native_id for m in chat.messages}), -i, chat)
                for i, chat in enumerate(chats)]
    best = max(overlaps, default=None, key=lambda o: o[:2])
    return best[2] if best is not None and best[0] else None


def _score(case: GoldCase, name: str, chat: Chat | None) -> Tally:
    tally = Tally()
    gold_q = {(n, native) for n, native in case.questions[name].items()}
    found_q = {(q.number, q.message_id.split(":", 1)[1]) for q in chat.questions} if chat else set()
    tally.gold_questions, tally.found_questions = len(gold_q), len(found_q)
    tally.right_questions = len(gold_q & found_q)
    tally.errors += [f"question {n} at {i} not found" for n, i in sorted(gold_q - found_q)]
    tally.errors += [f"question {n} at {i} is not one" for n, i in sorted(found_q - gold_q)]
    predicted = {m.native_id: chat.attributions[m.id] for m in chat.messages} if chat else {}
    for native, post in case.labels.items():
        if post["chat"] != name:
            continue
        guess = predicted.get(native)
        kind = guess.kind if guess else "outside"
        number = guess.question_number if guess else None
        tally.posts += 1
        tally.right_kinds += kind == post["kind"]
        tally.missed += guess is None
        if post["kind"] == ANSWER:
            tally.gold_answers += 1
            tally.answers_found += kind == ANSWER and number == post["question"]
        if (kind, number) != (post["kind"], post["question"]):
            tally.errors.append(f"{native} gold {post['kind']} {post['question']}, "
                                f"predicted {kind} {number}")
    for native, guess in predicted.items():
        post = case.labels.get(native, {"chat": None, "kind": "outside", "question": None})
        tally.extra += post["chat"] != name
        if guess.kind == ANSWER:
            tally.predicted_answers += 1
            tally.answers_confirmed += (post["chat"] == name and post["kind"] == ANSWER
                                        and post["question"] == guess.question_number)
    return tally


def _table(rows: Sequence[tuple[str, Tally]]) -> str:
    head = (f"{'gold chat':<50} {'posts':>5} {'Q prec':>6} {'Q rec':>6} {'Q F1':>6} "
            f"{'A acc':>6} {'A prec':>6} {'kinds':>6} {'missed':>6} {'extra':>6}")
    lines = [head, "-" * len(head)]
    for name, t in rows:
        lines.append(
            f"{name:<50} {t.posts:>5} {t.question_precision:>6.3f} {t.question_recall:>6.3f} "
            f"{t.question_f1:>6.3f} {t.answer_accuracy:>6.3f} {t.answer_precision:>6.3f} "
            f"{t.kind_accuracy:>6.3f} {t.missed:>6} {t.extra:>6}"
        )
    return "\n".join(lines)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


if __name__ == "__main__":
    main()
