"""Our per-question quotes beside a LexRank summary of the whole chat, for the same chats.

    python benchmarks/recap_vs_lexrank.py              # the example chat and a 1k-post chat
    python benchmarks/recap_vs_lexrank.py --sizes 1k,2k --quiet

LexRank comes from sumy (``pip install sumy numpy``; not a chatarchive dependency). sumy's own
tokenizer needs NLTK's punkt data, which cannot be downloaded here, so it gets a tokenizer object
instead: one sentence per post, words from NLTK's TweetTokenizer. Without sumy (or numpy) the
script says so and uses the minimal LexRank below (TF-IDF cosine graph, threshold 0.1, power
iteration), so it never fails. LexRank picks as many posts as our recap quotes. For each chat it
prints both selections, what kind of post and which question each LexRank pick is, and timings.
See benchmarks/RECAP_COMPARISON.md for what the outputs show.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from nltk.tokenize import TweetTokenizer
from recap_speed import build_chat_messages

from chatarchive import archive, jobs
from chatarchive.assemble import assemble_chat
from chatarchive.models import REPOST, Chat, Message, Recap
from chatarchive.schedules import load_schedule
from chatarchive.summarize import summarize

ROOT = Path(__file__).resolve().parents[1]
_WORDS = TweetTokenizer(preserve_case=False, strip_handles=True, match_phone_numbers=False)

Picker = Callable[[Sequence[Message], int], list[Message]]


class PostTokenizer:
    """What sumy's PlaintextParser needs from a tokenizer, without NLTK data: a post is a
    sentence (posts come one per paragraph), its words are TweetTokenizer's."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        """The whole paragraph: one post."""
        return [paragraph] if paragraph.strip() else []

    def to_words(self, sentence: str) -> list[str]:
        """Word tokens of a post, without URLs, handles and punctuation."""
        return [t for t in _WORDS.tokenize(sentence) if any(c.isalnum() for c in t)
                and not t.startswith("http")]


def _flat(text: str) -> str:
    return " ".join(text.split())


def sumy_lexrank() -> Picker | None:
    """sumy's LexRankSummarizer over whole posts, or None when sumy or numpy is missing."""
    try:
        from sumy.nlp.stemmers import Stemmer  # optional: a benchmark-only dependency
        from sumy.parsers.plaintext import PlaintextParser
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.utils import get_stop_words

        LexRankSummarizer._ensure_dependencies_installed()  # raises without numpy
    except (ImportError, ValueError) as error:
        print(f"sumy LexRank is unavailable ({error}); `pip install sumy numpy` to use it. "
              "Using the minimal LexRank in this script instead.\n")
        return None

    def pick(posts: Sequence[Message], count: int) -> list[Message]:
        # Blank lines part paragraphs; lower case so no post reads as an all-caps heading.
        lowered: dict[str, Message] = {}
        for post in posts:
            lowered.setdefault(_flat(post.text).lower(), post)
        text = "\n\n".join(_flat(post.text).lower() for post in posts)
        summarizer = LexRankSummarizer(Stemmer("english"))
        summarizer.stop_words = get_stop_words("english")
        document = PlaintextParser.from_string(text, PostTokenizer()).document
        return [lowered[str(sentence)] for sentence in summarizer(document, count)]

    return pick


def minimal_lexrank(posts: Sequence[Message], count: int) -> list[Message]:
    """LexRank (Erkan & Radev 2004): degree-normalised cosine graph, PageRank-style scores."""
    words = [Counter(PostTokenizer().to_words(post.text)) for post in posts]
    df = Counter(term for bag in words for term in bag)
    idf = {term: math.log(len(posts) / (1 + n)) for term, n in df.items()}
    vectors = [{t: tf * idf[t] for t, tf in bag.items()} for bag in words]
    norms = [math.sqrt(sum(w * w for w in v.values())) or 1.0 for v in vectors]
    links = [
        [j for j, other in enumerate(vectors)
         if sum(w * other.get(t, 0.0) for t, w in v.items()) / (norms[i] * norms[j]) > 0.1]
        for i, v in enumerate(vectors)
    ]
    scores = [1.0 / len(posts)] * len(posts)
    for _ in range(100):
        new = [0.0] * len(posts)
        for i, neighbours in enumerate(links):
            for j in neighbours or [i]:
                new[j] += scores[i] / (len(neighbours) or 1)
        if sum(abs(a - b) for a, b in zip(new, scores, strict=True)) < 1e-6:
            break
        scores = new
    best = sorted(range(len(posts)), key=lambda i: (-scores[i], i))[:count]
    return [posts[i] for i in sorted(best)]


def example_chat() -> Chat:
    """The example #solopr chat, through the real pipeline (a throwaway archive)."""
    schedule = load_schedule(ROOT / "schedules" / "solopr.toml")
    with tempfile.TemporaryDirectory() as folder:
        db = archive.open_archive(Path(folder) / "archive.db")
        source = ROOT / "fixtures" / "solopr" / "solopr-2026-03-04.twarc2.jsonl"
        _, _, chat_ids = jobs.import_sources(db, [str(source)], schedule=schedule)
        chat = jobs.assemble_window(db, archive.chat_window(db, chat_ids[0]), schedule.aliases)
        db.close()
    if chat is None:
        raise SystemExit("the example chat has no posts; is fixtures/solopr intact?")
    return chat


def _where(chat: Chat, post: Message) -> str:
    attribution = chat.attributions.get(post.id)
    if attribution is None:
        return "?"
    number = f" Q{attribution.question_number}" if attribution.question_number else ""
    return f"{attribution.kind}{number}"


def _line(text: str, width: int = 110) -> str:
    text = _flat(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def compare(name: str, chat: Chat, lexrank: Picker, quiet: bool) -> None:
    """Print both selections for one chat, and how LexRank's picks spread."""
    started = time.perf_counter()
    recap: Recap = summarize(chat, 3)
    ours_seconds = time.perf_counter() - started
    count = sum(len(item.quotes) for item in recap.questions)
    posts = [m for m in chat.messages if m.repost_of_id is None
             and getattr(chat.attributions.get(m.id), "kind", "") != REPOST]
    started = time.perf_counter()
    picks = lexrank(posts, count)
    lexrank_seconds = time.perf_counter() - started
    print(f"=== {name}: {len(chat.messages):,} posts ({len(posts):,} not reposts), "
          f"{len(chat.questions)} questions; {count} quotes vs {len(picks)} LexRank picks")
    print(f"    time: ours {ours_seconds:.2f} s (the whole recap), LexRank {lexrank_seconds:.2f} s")
    if not quiet:
        for item in recap.questions:
            print(f"\n  Q{item.question.number}: {_line(item.question.text, 100)}")
            for quote in item.quotes:
                print(f"    ours  @{quote.author.handle}: {_line(quote.text, 96)}")
        print("\n  LexRank, whole chat:")
        for post in picks:
            print(f"    [{_where(chat, post)}] @{post.author.handle}: {_line(post.text, 90)}")
    kinds = Counter(_where(chat, post).split()[0] for post in picks)
    covered = {chat.attributions[p.id].question_number for p in picks
               if chat.attributions[p.id].question_number is not None}
    people = Counter(post.author.handle for post in picks)
    print(f"\n  LexRank picks by kind: {dict(sorted(kinds.items()))}; questions covered: "
          f"{len(covered)} of {len(chat.questions)}; people: {len(people)} "
          f"(most picks for one person: {max(people.values(), default=0)})")
    quoted = {q.author.id for item in recap.questions for q in item.quotes}
    both = {q.message_id for item in recap.questions for q in item.quotes} & {p.id for p in picks}
    print(f"  ours: {count} answers, every question covered by its own answers; "
          f"{len(quoted)} people; {len(both)} of them also picked by LexRank\n")


def _size(text: str) -> int:
    text = text.strip().lower()
    return int(float(text.rstrip("k")) * (1000 if text.endswith("k") else 1))


def main() -> None:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k",
                        help="synthetic chat sizes (LexRank is quadratic: keep them small)")
    parser.add_argument("--quiet", action="store_true", help="only the figures, not the texts")
    args = parser.parse_args()
    lexrank = sumy_lexrank() or minimal_lexrank
    print(f"LexRank: {'sumy' if lexrank is not minimal_lexrank else 'minimal (this script)'}\n")
    compare("example #solopr chat", example_chat(), lexrank, args.quiet)
    for size in (_size(s) for s in args.sizes.split(",")):
        messages, window = build_chat_messages(size)
        compare(f"synthetic chat of {size:,} posts", assemble_chat(messages, window), lexrank,
                args.quiet)


if __name__ == "__main__":
    main()
