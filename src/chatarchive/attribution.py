"""Attribute every message of a chat: which question it answers or discusses, if any.

Every message gets one models.Attribution (DESIGN.md §4 kinds) by a single pass in time order,
where each decision may look up earlier decisions. The first rule that applies decides:

1. A repost; a question post (first posting, posted again, or the second part of a question).
2. A label: "A1:", "a1", "A1.1", "1)", or a participant's "Q1:" meaning an answer.
3. A thread: a reply to a question post or a quote of it (also as a bare status link) answers
   it; a reply to one's own answer continues it; a reply to an answer or discussion is
   discussion of that question.
4. An address, for posts without reply data (older captures): "@host ..." answers the open
   question, or is discussion when it only reacts ("yes true, ..."); "@participant ..." is
   discussion of that person's question; a long post cut off mid-sentence goes on in the same
   author's next post.
5. The open question: an unlabelled post answers the question open at that moment. A question is
   open from a minute after it is asked (nobody answers faster, so a post sooner is a late answer
   to the one before) until the host's sign-off. A moderator's own first-person statement is their
   answer in chats whose questions are not numbered.

Whatever cannot be attributed is a comment with no question. An answer labelled with a number
the capture holds no question for stays an answer to that number, with low confidence, and
completeness counts it.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from . import cues, labels
from .models import (
    ANSWER,
    COMMENT,
    DISCUSSION,
    QUESTION,
    REPOST,
    Attribution,
    Message,
    Question,
)
from .posts import handle, is_repost
from .sessions import sign_off_time

# Confidence of each way of telling that a post answers a question (DESIGN.md §1).
LABELLED = 1.0  # "A1: ..."
QUESTION_LABEL = 0.9  # a participant's "Q1: ..." meaning an answer
REPLY_TO_QUESTION = 0.9
QUOTE_OF_QUESTION = 0.85
THREAD_CONTINUATION = 0.85  # a reply to one's own answer, or the rest of a cut-off post
REPLY_TO_ANSWER = 0.8  # discussion
ADDRESSED_TO_PERSON = 0.7  # "@ann ..." without reply data: discussion with ann
ADDRESSED_TO_HOST = 0.6  # "@host ..." without reply data: an answer to the open question
UNKNOWN_QUESTION = 0.6  # a label for a question the capture does not hold
OPEN_QUESTION = 0.5  # an unlabelled post while a question is open
REACTION = 0.5  # "@host yes true, ..." without reply data: discussion

REACTION_TIME = timedelta(minutes=1)  # the least time anyone takes to answer a new question
SPLIT_POST_TIME = timedelta(minutes=2)  # the rest of a cut-off post follows this soon
MIN_OWN_ANSWER_WORDS = 8


class Attributor:
    """Decides each message's kind in time order, remembering earlier decisions."""

    def __init__(
        self, messages: Sequence[Message], questions: Sequence[Question],
        question_posts: Mapping[str, int], team: frozenset[str],
    ) -> None:
        self.numbers = frozenset(q.number for q in questions)
        self.question_posts = question_posts
        self.team = team
        by_time = sorted(questions, key=lambda q: (q.asked_at, q.number))
        self.asked_times = [q.asked_at for q in by_time]
        self.asked_numbers = [q.number for q in by_time]
        texts = {m.id: m.text for m in messages}
        self.numbered = any(labels.question_label(texts[q.message_id]) is not None
                            for q in questions)
        last_asked = max(self.asked_times, default=None)
        self.closed_at = sign_off_time(messages, team, last_asked) if last_asked else None
        self.decided: dict[str, Attribution] = {}
        self.author_of: dict[str, str] = {}
        self.last_post: dict[str, Message] = {}  # by author id, reposts left out
        self.topic_of: dict[str, int] = {}  # by handle: the question of their latest post
        self.known: set[str] = set(team)  # handles seen posting or reposted so far

    def attribute(self, message: Message) -> Attribution:
        """Decide one message, given every earlier message of the chat."""
        decision = (
            self._fixed(message)
            or self._labelled(message)
            or self._threaded(message)
            or self._addressed(message)
            or self._unlabelled(message)
            or Attribution(COMMENT)
        )
        self._remember(message, decision)
        return decision

    def _remember(self, message: Message, decision: Attribution) -> None:
        self.decided[message.id] = decision
        self.author_of[message.id] = message.author.id
        who = handle(message.author)
        self.known.add(who)
        if is_repost(message):
            words = message.text.split()
            if len(words) > 1 and words[1].startswith("@"):
                self.known.add(words[1].strip("@:").lower())
            return
        self.last_post[message.author.id] = message
        if decision.question_number is not None:
            self.topic_of[who] = decision.question_number

    def _fixed(self, message: Message) -> Attribution | None:
        if is_repost(message):
            return Attribution(REPOST)
        if message.id in self.question_posts:
            return Attribution(QUESTION, self.question_posts[message.id])
        return None

    def _labelled(self, message: Message) -> Attribution | None:
        label = labels.answer_label(message.text)
        if label is not None:
            return self._answer(label[0], LABELLED)
        if not self._is_moderator(message):
            number = labels.question_label(message.text)
            if number is not None:
                return self._answer(number, QUESTION_LABEL)
        return None

    def _threaded(self, message: Message) -> Attribution | None:
        parent_id = message.in_reply_to_id or ""
        asked = self.question_posts.get(parent_id)
        if asked is not None:
            if self._is_moderator(message):
                return None  # a host adding to their own question, not answering it
            return self._answer(asked, REPLY_TO_QUESTION)
        quoted_ids = _quoted_ids(message)
        for quoted_id in quoted_ids:
            quoted = self.question_posts.get(quoted_id)
            if quoted is not None:
                return self._answer(quoted, QUOTE_OF_QUESTION)
        for quoted_id in quoted_ids:
            decided = self.decided.get(quoted_id)
            if decided is not None and decided.kind in (ANSWER, DISCUSSION):
                return Attribution(DISCUSSION, decided.question_number, REPLY_TO_ANSWER)
        parent = self.decided.get(parent_id)
        if parent is None or parent.kind not in (ANSWER, DISCUSSION):
            return None
        if parent.kind == ANSWER and self.author_of[parent_id] == message.author.id:
            if cues.is_chatter(message.text):
                return None  # "^ that was A2, forgot the label!"
            return Attribution(ANSWER, parent.question_number, THREAD_CONTINUATION)
        return Attribution(DISCUSSION, parent.question_number, REPLY_TO_ANSWER)

    def _addressed(self, message: Message) -> Attribution | None:
        """Posts without reply data: who a post opens by addressing says what it replies to."""
        if message.in_reply_to_id is not None:
            return None
        names = cues.addressees(message.text)
        rest = self._rest_of(message, names)
        if rest is not None:
            return rest
        if not names or cues.is_chatter(message.text):
            return None
        moderator = self._is_moderator(message)
        if names[0] in self.team:
            number = None if moderator else self._open_question(message.created_at, True)
            if number is None:
                return None
            if cues.is_reaction(message.text):
                return Attribution(DISCUSSION, number, REACTION)
            return Attribution(ANSWER, number, ADDRESSED_TO_HOST)
        if names[0] in self.known:
            number = self.topic_of.get(names[0])
            if number is None:
                number = self._open_question(message.created_at, not moderator)
            return None if number is None else Attribution(DISCUSSION, number, ADDRESSED_TO_PERSON)
        return None

    def _rest_of(self, message: Message, names: tuple[str, ...]) -> Attribution | None:
        """The second part of the author's previous post, cut off at the length limit."""
        previous = self.last_post.get(message.author.id)
        if (previous is None or previous.in_reply_to_id is not None
                or message.created_at - previous.created_at > SPLIT_POST_TIME
                or cues.addressees(previous.text) != names
                or not cues.is_cut_off(previous.text) or not cues.continues(message.text)):
            return None
        decided = self.decided[previous.id]
        if decided.kind not in (ANSWER, DISCUSSION):
            return None
        return Attribution(decided.kind, decided.question_number, THREAD_CONTINUATION)

    def _unlabelled(self, message: Message) -> Attribution | None:
        text = message.text
        if cues.is_chatter(text) or not cues.has_words(text):
            return None
        parent_id = message.in_reply_to_id
        if parent_id is not None and self.author_of.get(parent_id) != message.author.id:
            return None  # a reply to someone else, or to a post outside the chat
        if self._is_moderator(message):
            return self._own_answer(message)
        number = self._open_question(message.created_at, True)
        return None if number is None else Attribution(ANSWER, number, OPEN_QUESTION)

    def _own_answer(self, message: Message) -> Attribution | None:
        """A moderator sharing their own experience, in a chat without numbered questions."""
        text = message.text
        if (self.numbered or message.in_reply_to_id is not None or cues.addressees(text)
                or cues.asks(text) or labels.mentions_label(text)
                or not cues.has_first_person(text)
                or len(text.split()) < MIN_OWN_ANSWER_WORDS):
            return None
        number = self._open_question(message.created_at, False)
        return None if number is None else Attribution(ANSWER, number, OPEN_QUESTION)

    def _open_question(self, at: datetime, reaction_time: bool) -> int | None:
        """The question open at a moment: none before the first or after the sign-off."""
        if self.closed_at is not None and at >= self.closed_at:
            return None
        position = bisect.bisect_right(self.asked_times, at)
        if position == 0:
            return None
        if reaction_time and position > 1 and at - self.asked_times[position - 1] < REACTION_TIME:
            position -= 1
        return self.asked_numbers[position - 1]

    def _answer(self, number: int, confidence: float) -> Attribution:
        if number not in self.numbers:
            confidence = min(confidence, UNKNOWN_QUESTION)
        return Attribution(ANSWER, number, confidence)

    def _is_moderator(self, message: Message) -> bool:
        return handle(message.author) in self.team


def _quoted_ids(message: Message) -> list[str]:
    """The posts a message quotes: natively, or by a status link in its text ("/status/123")."""
    found = [message.quoted_id] if message.quoted_id else []
    links = " ".join((message.text, *message.links))
    found += [f"{message.platform}:{native}" for native in cues.status_ids(links)
              if native != message.native_id]
    return found
