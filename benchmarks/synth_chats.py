"""Simulated hashtag chats: people, weekly chats per hashtag, and each chat's posts in order.

A chat runs an hour: the host welcomes people, poses Q1..Qn about every 5-11 minutes, people
introduce themselves, answer with labels (A1:, a1, A1., A1 -, ...), answer by replying to or
quoting the question, talk to each other in replies (which often drop the hashtag), retweet the
questions and good answers, share t.co links, and the host signs off. Several hashtags chat
weekly, each at its own time, so an export holds many chats per hashtag across weeks. Activity
follows a Zipf law, so the same regulars come back week after week. Everything is drawn from
one seeded ``random.Random``: the same seed gives the same posts.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import synth_text as text

SNOWFLAKE_EPOCH_MS = 1288834974657
FIRST_CHAT = datetime(2019, 1, 7, tzinfo=UTC)  # a Monday
# (hashtag as written, weekday 0=Monday, hour UTC): real chats, at made-up times.
CHATS = (
    ("SoloPR", 2, 17), ("journchat", 0, 23), ("hcsm", 6, 1), ("edchat", 1, 16),
    ("blogchat", 6, 0), ("smallbizchat", 2, 0), ("contentchat", 0, 19), ("PR20chat", 3, 19),
)
# A whole hashtag: one cut short by truncation ("#Sol…") is no hashtag.
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)(?![\w…])")
SIDE_TAGS = ("pr", "marketing", "smallbiz", "socialmedia", "comms", "contentmarketing")


@dataclass(frozen=True, slots=True)
class User:
    """An account, with the profile fields exports carry."""

    id: str
    handle: str
    name: str
    created_at: datetime
    followers: int
    following: int
    statuses: int
    bio: str
    location: str
    verified: bool


@dataclass(frozen=True, slots=True)
class Link:
    """A t.co link in a post and where it leads."""

    short: str
    expanded: str
    display: str


@dataclass(frozen=True, slots=True)
class Post:
    """One post as the platform would report it (text unescaped, with its t.co links)."""

    id: str
    user: User
    created_at: datetime
    text: str
    hashtags: tuple[str, ...] = ()  # as written, without '#'
    links: tuple[Link, ...] = ()
    mentions: tuple[User, ...] = ()
    reply_to: Post | None = None
    quoted: Post | None = None
    retweeted: Post | None = None
    likes: int = 0
    retweets: int = 0
    source: str = "Twitter Web App"


class Ids:
    """Snowflake ids from post times: above 2**53, increasing with time, never repeated."""

    def __init__(self) -> None:
        self._counter = itertools.count()

    def at(self, moment: datetime) -> str:
        """A fresh id for a post made at ``moment``."""
        millis = int(moment.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
        return str((millis << 22) | (next(self._counter) % (1 << 22)))


class Population:
    """Everyone who might post, with Zipf-distributed activity."""

    def __init__(self, rng: random.Random, size: int) -> None:
        self.users: list[User] = []
        taken: set[str] = set()
        while len(self.users) < size:
            user = _user(rng)
            if user.id not in taken:
                taken.add(user.id)
                self.users.append(user)
        weights = [1.0 / (rank + 1) ** 0.9 for rank in range(size)]
        self._cumulative = list(itertools.accumulate(weights))

    def sample(self, rng: random.Random, count: int, exclude: Sequence[User] = ()) -> list[User]:
        """Draw ``count`` distinct people, the active ones more often."""
        chosen: dict[str, User] = {u.id: u for u in exclude}
        while len(chosen) < min(count + len(exclude), len(self.users)):
            for user in rng.choices(self.users, cum_weights=self._cumulative, k=count):
                chosen.setdefault(user.id, user)
        return list(chosen.values())[len(exclude) : len(exclude) + count]


def _user(rng: random.Random) -> User:
    first, last = rng.choice(text.FIRST_NAMES), rng.choice(text.LAST_NAMES)
    created = datetime(2008, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 3600))
    # Old accounts have short ids; accounts made after 2013 have snowflake-sized ones.
    native = (rng.randint(10**6, 3 * 10**9) if created.year < 2014
              else rng.randint(7 * 10**17, 11 * 10**17))
    return User(
        id=str(native),
        handle=text.handle(rng, first, last),
        name=text.display_name(rng, first, last),
        created_at=created,
        followers=int(rng.paretovariate(1.2) * 150),
        following=rng.randint(50, 5000),
        statuses=rng.randint(100, 90_000),
        bio=text.bio(rng),
        location=rng.choice(text.CITIES),
        verified=rng.random() < 0.03,
    )


def chat_starts() -> Iterator[tuple[str, datetime]]:
    """Every chat in time order: (hashtag as written, start), week after week."""
    for week in itertools.count():
        monday = FIRST_CHAT + timedelta(weeks=week)
        starts = [(tag, monday + timedelta(days=day, hours=hour)) for tag, day, hour in CHATS]
        yield from sorted(starts, key=lambda pair: pair[1])


def posts(count: int, seed: int = 1) -> Iterator[Post]:
    """Exactly ``count`` posts of successive chats, in time order within each chat."""
    rng = random.Random(seed)
    population = Population(rng, max(300, min(50_000, count // 15)))
    hosts = {tag: population.sample(rng, rng.choice((1, 1, 2)))
             for tag, _, _ in CHATS}
    ids = Ids()
    emitted = 0
    for tag, start in chat_starts():
        if emitted >= count:
            return
        size = min(count - emitted, max(150, min(4000, int(rng.lognormvariate(6.6, 0.5)))))
        people = population.sample(rng, max(20, min(600, size // 6)), exclude=hosts[tag])
        chat = Chat(rng, ids, tag, hosts[tag], people, start)
        yield from chat.run(size)
        emitted += size


# What participants post while a question is open, and how often.
_KINDS = ("answer", "reply_answer", "quote_answer", "discussion", "retweet", "comment")
_KIND_WEIGHTS = (46, 8, 3, 20, 16, 7)


class Chat:
    """One chat occurrence, simulated post by post."""

    def __init__(self, rng: random.Random, ids: Ids, tag: str, hosts: Sequence[User],
                 people: Sequence[User], start: datetime) -> None:
        self.rng, self.ids, self.tag, self.hosts, self.start = rng, ids, tag, hosts, start
        self.people = list(people)
        self._weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(len(people))))
        self.questions: dict[int, Post] = {}
        self.answers: list[Post] = []

    def run(self, size: int) -> list[Post]:
        """The chat's first ``size`` posts, in time order."""
        plan = self._plan(size)
        made: list[Post] = []
        for moment, kind, number in sorted(plan)[:size]:
            made.append(self._post(moment, kind, number))
        return made

    def _plan(self, size: int) -> list[tuple[datetime, str, int]]:
        rng = self.rng
        count = rng.randint(5, 10) if size >= 120 else max(2, size // 25)
        interval = timedelta(minutes=55 / (count + 0.5))
        plan = [(self.start, "intro", 0), (self.start + timedelta(minutes=59), "wrap", count)]
        open_at = [self.start + timedelta(minutes=2) + interval * k for k in range(count)]
        plan += [(at + timedelta(seconds=rng.randint(0, 40)), "question", k + 1)
                 for k, at in enumerate(open_at)]
        rest = max(0, size - len(plan))
        hello, bye = rest * 6 // 100, rest * 3 // 100
        plan += [(self._at(0, 150), "hello", 0) for _ in range(hello)]
        plan += [(self._at(3480, 4200), "bye", count) for _ in range(bye)]
        for index in range(rest - hello - bye):
            k = index % count
            delay = timedelta(seconds=50 + rng.random() ** 1.6 * interval.total_seconds() * 1.4)
            kind = rng.choices(_KINDS, weights=_KIND_WEIGHTS)[0]
            plan.append((open_at[k] + delay, kind, k + 1))
        return plan

    def _at(self, low: int, high: int) -> datetime:
        return self.start + timedelta(seconds=self.rng.randint(low, high))

    def _person(self) -> User:
        return self.rng.choices(self.people, cum_weights=self._weights)[0]

    def _host(self, number: int) -> User:
        return self.hosts[number % len(self.hosts)]

    def _post(self, moment: datetime, kind: str, number: int) -> Post:
        if kind in ("intro", "wrap", "question"):
            return self._host_post(moment, kind, number)
        question = self.questions.get(number)
        if kind in ("answer", "reply_answer", "quote_answer") and question is None:
            kind = "comment"  # posted just before its question: chatter
        if kind == "discussion" and not self.answers:
            kind = "comment"
        if kind == "retweet":
            return self._retweet(moment, question)
        return self._person_post(moment, kind, number, question)

    def _host_post(self, moment: datetime, kind: str, number: int) -> Post:
        rng, host = self.rng, self._host(number)
        links: tuple[Link, ...] = ()
        if kind == "intro":
            body = text.intro(rng, self.tag, [self._host(n) for n in range(len(self.hosts))])
        elif kind == "wrap":
            links = (Link(*text.link(rng, recap=True)),)
            body = text.wrap(rng, self.tag, links[0].short)
        else:
            body = f"{text.question_label(rng, number)} {text.question(rng)} #{self.tag}"
        post = self._make(moment, host, body, likes=rng.randint(3, 60), links=links)
        if kind == "question":
            self.questions[number] = post
        return post

    def _person_post(self, moment: datetime, kind: str, number: int,
                     question: Post | None) -> Post:
        rng, person = self.rng, self._person()
        tag_it = f" #{self.tag}"
        links = (Link(*text.link(rng)),) if rng.random() < 0.12 else ()
        url = f" {links[0].short}" if links else ""
        side = f" #{rng.choice(SIDE_TAGS)}" if rng.random() < 0.12 else ""
        answer = text.answer(rng)
        if kind == "answer":
            body = f"{text.answer_label(rng, number)} {answer}{url}{tag_it}{side}"
            post = self._make(moment, person, body, links=links)
        elif kind == "reply_answer" and question is not None:
            body = f"@{question.user.handle} {answer}{url}{tag_it}"
            post = self._make(moment, person, body, links=links, reply_to=question)
        elif kind == "quote_answer" and question is not None:
            body = f"A{number}: {answer}{tag_it}"
            post = self._make(moment, person, body, quoted=question)
        elif kind == "discussion":
            target = rng.choice(self.answers[-40:])
            tag_it = tag_it if rng.random() < 0.55 else ""  # replies often drop the hashtag
            body = f"@{target.user.handle} {text.reaction(rng)} {answer}{url}{tag_it}"
            return self._make(moment, person, body, links=links, reply_to=target)
        else:
            body = text.chatter(rng, kind, self.tag)
            return self._make(moment, person, body)
        self.answers.append(post)
        return post

    def _retweet(self, moment: datetime, question: Post | None) -> Post:
        rng = self.rng
        pool = self.answers[-30:]
        original = question if question is not None and (rng.random() < 0.5 or not pool) \
            else (rng.choice(pool) if pool else None)
        if original is None:
            return self._make(moment, self._person(), text.chatter(rng, "comment", self.tag))
        body = f"RT @{original.user.handle}: {original.text}"
        if len(body) > 140:
            body = body[:139].rstrip() + "…"
        return self._make(moment, self._person(), body, retweeted=original)

    def _make(self, moment: datetime, user: User, body: str, *, likes: int | None = None,
              links: tuple[Link, ...] = (), reply_to: Post | None = None,
              quoted: Post | None = None, retweeted: Post | None = None) -> Post:
        rng = self.rng
        tags = tuple(dict.fromkeys(_HASHTAG.findall(body)))
        mentioned = [u for u in (reply_to.user if reply_to else None,
                                 retweeted.user if retweeted else None) if u is not None]
        return Post(
            id=self.ids.at(moment), user=user, created_at=moment, text=body, hashtags=tags,
            links=links if retweeted is None else (), mentions=tuple(mentioned),
            reply_to=reply_to, quoted=quoted, retweeted=retweeted,
            likes=0 if retweeted else (likes if likes is not None else int(rng.expovariate(0.4))),
            retweets=0 if retweeted else int(rng.expovariate(1.5)),
            source=rng.choice(text.SOURCES),
        )
