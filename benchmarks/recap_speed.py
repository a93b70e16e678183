"""How long a recap takes against chat size: assemble, summarize and render, apart and in total.

    python benchmarks/recap_speed.py                  # 1k, 10k and 50k posts
    python benchmarks/recap_speed.py --sizes 1k,200k  # other sizes
    python benchmarks/recap_speed.py --profile 10k    # where the time goes

Chats are built in memory as Messages (no archive, no export), from one seeded random.Random,
so a size always gives the same chat: 6-10 questions, people whose activity follows a Zipf law,
labelled and unlabelled answers of realistic length, side threads, comments, reposts, likes and
links. The target (the issue "Recaps worth publishing unedited"): a 10,000-post chat in under 2 s,
growing about linearly. Rows also go to benchmarks/out/recap_speed.json for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TypeVar

from chatarchive import summarize as summarize_module
from chatarchive.assemble import assemble_chat
from chatarchive.models import Author, Chat, ChatWindow, Message, Recap
from chatarchive.render import render_markdown
from chatarchive.summarize import summarize

SIZES = (1_000, 10_000, 50_000)
TARGET_POSTS, TARGET_SECONDS = 10_000, 2.0
START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
HASHTAG = "solopr"

_T = TypeVar("_T")

_SUBJECTS = (
    ("rates", "pricing", "day rate", "retainer", "project fee", "value", "discount"),
    ("clients", "scope creep", "contract", "proposal", "change order", "kickoff call"),
    ("media relations", "pitching", "press release", "journalists", "coverage", "embargo"),
    ("time tracking", "invoicing", "cash flow", "payment terms", "late payers", "deposits"),
    ("referrals", "newsletter", "speaking", "LinkedIn", "case study", "testimonials"),
    ("burnout", "boundaries", "holidays", "weekends", "focus time", "saying no"),
    ("tools", "templates", "task board", "shared folder", "status email", "checklists"),
    ("crisis work", "on-call", "holding statement", "spokesperson", "media training", "drills"),
    ("niche", "positioning", "specialty", "industry", "portfolio", "website"),
    ("partners", "subcontractors", "agencies", "collaborators", "white label", "overflow"),
)
_OPENERS = ("I", "We", "Honestly, I", "These days I", "Early on I", "My rule:", "Lesson learned:")
_VERBS = ("start with", "always ask about", "never skip", "learned to protect", "set up",
          "track", "write down", "explain", "budget for", "build in", "push back on")
_LINKS = ("https://soloprhub.example.com/blog/{}", "https://toolkit.example.org/templates/{}",
          "https://www.example.com/{}?utm_source=twitter", "https://news.example.net/{}/")
_ENDINGS = ("", " It works.", " Took me years to learn that.", " Clients respect it.",
            " Best decision I made.", " Worth every minute.", " No regrets.")


@dataclass(frozen=True, slots=True)
class Timing:
    """Seconds per stage for one chat size (the median of a few runs)."""

    posts: int
    assemble: float
    summarize: float
    render: float

    @property
    def total(self) -> float:
        """All three stages."""
        return self.assemble + self.summarize + self.render


def _people(rng: random.Random, count: int) -> list[Author]:
    return [
        Author(f"twitter:{100_000 + i}", "twitter", f"person{i}_{rng.choice('abcxyz')}",
               f"Person {i}")
        for i in range(count)
    ]


def _answer_text(rng: random.Random, subject: tuple[str, ...]) -> str:
    """One to three sentences about a question's subject: 60 to 270 characters."""
    sentences = []
    for _ in range(rng.choice((1, 2, 2, 3))):
        first, second = rng.sample(subject, 2)
        sentences.append(f"{rng.choice(_OPENERS)} {rng.choice(_VERBS)} {first} before {second}.")
    return " ".join(sentences) + rng.choice(_ENDINGS)


def build_chat_messages(posts: int, seed: int = 7) -> tuple[list[Message], ChatWindow]:
    """A chat of ``posts`` posts, the same every time for a size and seed."""
    rng = random.Random(seed * 1_000_003 + posts)
    questions = rng.randint(6, 10)
    host, guest, *people = _people(rng, max(12, posts // 6))
    weights = [1 / (rank + 1) for rank in range(len(people))]  # Zipf: a few people post most
    subjects = rng.sample(_SUBJECTS, questions)
    spacing = 55 / questions
    messages: list[Message] = []
    answers: list[Message] = []

    def add(who: Author, text: str, minute: float, **fields: object) -> Message:
        native = str(2_000_000_000 + len(messages))
        item = Message(
            id=f"twitter:{native}", platform="twitter", native_id=native, author=who, text=text,
            created_at=START + timedelta(minutes=minute),
            url=f"https://twitter.com/{who.handle}/status/{native}", hashtags=(HASHTAG,),
            like_count=int(rng.paretovariate(1.5)) - 1, repost_count=0, **fields,  # type: ignore[arg-type]
        )
        messages.append(item)
        return item

    asked = []
    for number in range(1, questions + 1):
        poser = guest if number == 4 else host
        asked.append(add(poser, f"Q{number}: What is your approach to {subjects[number - 1][0]}? "
                                f"#{HASHTAG}", 2 + (number - 1) * spacing))
    for index in range(posts - questions):
        minute = 2 + 57 * index / (posts - questions)
        number = min(questions, 1 + int((minute - 2) / spacing))
        who = rng.choices(people, weights)[0]
        _post(rng, add, who, number, subjects[number - 1], asked, answers, minute)
    return messages, ChatWindow(HASHTAG, START, START + timedelta(hours=1), "America/New_York",
                                "#solopr chat", "solopr", (host.handle,), (guest.handle,))


def _post(
    rng: random.Random, add: Callable[..., Message], who: Author, number: int,
    subject: tuple[str, ...], asked: list[Message], answers: list[Message], minute: float,
) -> None:
    """One participant post: an answer (mostly), a reply, a repost or a comment."""
    roll = rng.random()
    if roll < 0.50 or not answers:
        link = rng.choice(_LINKS).format(rng.choice(subject).replace(" ", "-"))
        text = f"A{number}: {_answer_text(rng, subject)}"
        text += f" {link}" if rng.random() < 0.05 else ""
        answers.append(add(who, f"{text} #{HASHTAG}", minute,
                           links=(link,) if link in text else ()))
    elif roll < 0.58:
        add(who, f"{_answer_text(rng, subject)} #{HASHTAG}", minute,
            in_reply_to_id=asked[number - 1].id)
    elif roll < 0.75:
        parent = rng.choice(answers[-50:])
        add(who, f"@{parent.author.handle} {rng.choice(('So true!', 'Stealing this.', 'Same'))} "
                 f"{_answer_text(rng, subject)}", minute, in_reply_to_id=parent.id)
    elif roll < 0.93:
        original = rng.choice(answers[-80:])
        add(who, f"RT @{original.author.handle}: {original.text[:100]}…", minute,
            repost_of_id=original.id)
    else:
        add(who, rng.choice(("Hi all, joining late!", "Great chat today #solopr", "+1")), minute)


def _timed(function: Callable[[], _T]) -> tuple[_T, float]:
    gc.collect()
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def _cold() -> None:
    """Forget what the summarizer remembers across recaps, so each run is a first one."""
    summarize_module.clear_caches()


def measure(posts: int, runs: int) -> Timing:
    """Median seconds of each stage over ``runs`` cold runs (the summarizer's caches cleared)."""
    messages, window = build_chat_messages(posts)
    samples: list[tuple[float, float, float]] = []
    for _ in range(runs):
        _cold()
        chat, assembling = _timed(partial(assemble_chat, messages, window))
        recap, summarizing = _timed(partial(summarize, chat, 3))
        _, rendering = _timed(partial(render_markdown, recap))
        samples.append((assembling, summarizing, rendering))
    medians = [statistics.median(stage) for stage in zip(*samples, strict=True)]
    return Timing(posts, *medians)


def recap_of(posts: int) -> tuple[Chat, Recap]:
    """The chat and recap of a synthetic chat of ``posts`` posts (for the comparison)."""
    messages, window = build_chat_messages(posts)
    chat = assemble_chat(messages, window)
    return chat, summarize(chat, 3)


def table(timings: list[Timing]) -> str:
    """The timings as a plain-text table."""
    header = ("posts", "assemble s", "summarize s", "render s", "total s", "s per 1k posts")
    rows = [header] + [
        (f"{t.posts:,}", f"{t.assemble:.3f}", f"{t.summarize:.3f}", f"{t.render:.3f}",
         f"{t.total:.3f}", f"{t.total / t.posts * 1000:.4f}")
        for t in timings
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _save(timings: list[Timing]) -> None:
    """Hand the rows to benchmarks/run.py through common.py, when it is there."""
    try:
        from common import Result, save_results
    except ImportError:
        return
    rows = []
    for t in timings:
        target = t.posts == TARGET_POSTS
        rows.append(Result("recap", f"{t.posts:,} posts", "total", t.total, "s",
                           f"< {TARGET_SECONDS:g} s" if target else "",
                           (t.total < TARGET_SECONDS) if target else None,
                           f"assemble {t.assemble:.2f} + summarize {t.summarize:.2f} + render "
                           f"{t.render:.2f}; {t.total / t.posts * 1000:.3f} s per 1k posts"))
    path = save_results("recap_speed", rows)
    print(f"\nresults saved to {path}")


def _size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", help="comma-separated post counts, e.g. 1k,10k,50k")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (the median counts)")
    parser.add_argument("--profile", help="profile one size instead, e.g. 10k")
    args = parser.parse_args()
    if args.profile:
        messages, window = build_chat_messages(_size(args.profile))
        with cProfile.Profile() as profile:
            render_markdown(summarize(assemble_chat(messages, window)))
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        return
    sizes = tuple(_size(s) for s in args.sizes.split(",")) if args.sizes else SIZES
    timings = [measure(size, args.runs if size <= 10_000 else 1) for size in sizes]
    print(table(timings))
    ten_k = next((t for t in timings if t.posts == TARGET_POSTS), None)
    if ten_k is not None:
        verdict = "met" if ten_k.total < TARGET_SECONDS else "NOT met"
        print(f"\ntarget: {TARGET_POSTS:,} posts in < {TARGET_SECONDS:g} s: {verdict} "
              f"({ten_k.total:.2f} s)")
    _save(timings)


if __name__ == "__main__":
    main()
