"""The domain types that flow through the pipeline, stage to stage.

Every datetime here is timezone-aware UTC. Ids of posts and people are text, prefixed with their
platform (``twitter:1234``), so they never collide across platforms and never get rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, dataclass_transform

# Kinds of message within a chat (DESIGN.md §4).
QUESTION = "question"
ANSWER = "answer"
DISCUSSION = "discussion"
COMMENT = "comment"
REPOST = "repost"
KINDS = (QUESTION, ANSWER, DISCUSSION, COMMENT, REPOST)

# Roles of a person within a chat.
HOST = "host"
GUEST = "guest"
PARTICIPANT = "participant"


def platform_id(platform: str, native_id: str) -> str:
    """Return the archive id of a post or person: ``<platform>:<native id>``."""
    return f"{platform}:{native_id}"


_Type = TypeVar("_Type", bound=type)


@dataclass_transform(frozen_default=True)
def many(cls: _Type) -> _Type:
    """A frozen dataclass for the values made once or more per post (messages, attributions).

    Type checkers hold its fields frozen. At run time they are not guarded: a frozen dataclass
    sets each field through ``object.__setattr__``, which makes building one four times slower,
    and an import builds two messages per post (read, then read back to assemble its chat).
    """
    return dataclass(slots=True, unsafe_hash=True)(cls)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Author:
    """A person or account that posts."""

    id: str  # "twitter:783214"
    platform: str
    handle: str  # without the leading "@"
    display_name: str
    url: str | None = None


@many
class Message:
    """One post, normalized: full text with entities decoded and links expanded."""

    id: str  # "twitter:1234"
    platform: str
    native_id: str
    author: Author
    text: str
    created_at: datetime
    url: str | None = None
    in_reply_to_id: str | None = None  # archive id of the post replied to
    quoted_id: str | None = None
    repost_of_id: str | None = None
    like_count: int | None = None
    repost_count: int | None = None
    lang: str | None = None
    hashtags: tuple[str, ...] = ()  # lower case, without "#"
    links: tuple[str, ...] = ()  # expanded URLs the post shares


@many
class ParsedRecord:
    """A message as a format parsed it, with the original record kept for the archive."""

    message: Message
    raw: str  # the original record, as JSON text
    location: str  # where in the export: "line 12", "row 4", "tweets.js item 3"


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record a format could not read; the records around it are still read."""

    location: str
    reason: str
    snippet: str


@dataclass(frozen=True, slots=True)
class RawExport:
    """One export as fetched: a local file (stdin and downloads are spooled to disk)."""

    origin: str  # path or URL, as the user gave it
    path: Path
    sha256: str
    name: str  # file name, used as a hint for format detection
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """Where a schedule's posts come from."""

    kind: str  # "path", "url", "inbox", "mastodon" or "bluesky"
    value: str  # a path relative to the schedule file's folder, or a URL (may hold {date})
    format: str = "auto"
    options: tuple[tuple[str, str], ...] = ()  # format options, e.g. a CSV column mapping


@dataclass(frozen=True, slots=True)
class RecapSpec:
    """How and where a schedule's recaps are written."""

    dir: str
    quotes_per_question: int = 3
    template: str | None = None


@dataclass(frozen=True, slots=True)
class ChatSchedule:
    """One recurring chat, as declared in ``schedules/<name>.toml``."""

    name: str
    path: Path
    hashtag: str  # lower case, without "#"
    title: str
    timezone: str
    cron: str
    duration: timedelta
    lookback: timedelta
    source: SourceSpec
    recap: RecapSpec
    aliases: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()  # handles, lower case
    guests: tuple[str, ...] = ()
    do_not_quote: tuple[str, ...] = ()
    since: date | None = None  # first occurrence to catch up, if given


@dataclass(frozen=True, slots=True)
class ChatWindow:
    """The time span and people of one chat occurrence."""

    hashtag: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "UTC"
    title: str = ""
    schedule: str | None = None  # schedule name, when the chat came from one
    hosts: tuple[str, ...] = ()
    guests: tuple[str, ...] = ()
    lookback: timedelta = timedelta(0)
    chat_id: str | None = None  # set when the chat is already known by an id in the archive


@many
class Question:
    """A question posed in a chat."""

    number: int
    message_id: str
    text: str
    asked_at: datetime
    author_id: str


@many
class Attribution:
    """What assembly decided about one message of a chat."""

    kind: str
    question_number: int | None = None
    confidence: float = 1.0


@many
class ChatParticipant:
    """A person's part in one chat."""

    author: Author
    role: str
    posts: int
    answers: int
    first_time: bool


@dataclass(frozen=True)
class Chat:
    """One assembled chat: its questions, every message's attribution, and its people."""

    id: str  # "<hashtag>-<YYYY-MM-DD>", local date
    window: ChatWindow
    messages: tuple[Message, ...]  # in time order
    questions: tuple[Question, ...]
    attributions: Mapping[str, Attribution]  # by message id
    participants: tuple[ChatParticipant, ...]
    # What the capture seems to miss: gaps in the question numbering, answers to no question,
    # replies to posts not captured, truncated texts, silent stretches (see assemble).
    completeness: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Quote:
    """An answer chosen for the recap, quoted exactly."""

    message_id: str
    author: Author
    role: str
    text: str  # the archived text, only the answer label and trailing chat hashtag trimmed
    url: str | None
    question_number: int
    score: float


@dataclass(frozen=True, slots=True)
class QuestionRecap:
    """One question of the recap with the answers chosen for it."""

    question: Question
    quotes: tuple[Quote, ...]
    answer_count: int


@dataclass(frozen=True, slots=True)
class LinkShare:
    """A link shared in the chat."""

    url: str
    domain: str
    count: int


@dataclass(frozen=True)
class Recap:
    """Everything a recap says, ready to render."""

    chat: Chat
    questions: tuple[QuestionRecap, ...]
    themes: tuple[str, ...] = ()
    links: tuple[LinkShare, ...] = ()
    next_chat: datetime | None = None
    stats: Mapping[str, int] = field(default_factory=dict)
