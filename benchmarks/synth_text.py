"""Words for the simulated chats: names, profiles, questions, answers, labels and chatter.

Sentences are put together from phrase banks, so texts vary (full-text search has real work to
do) while staying on the topics of PR, marketing and small-business chats. Some texts carry
characters exports escape or encode: '&', '<', curly quotes, an em dash, an emoji.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from typing import Any

FIRST_NAMES = (
    "Kat", "Kelly", "Heather", "Sarah", "Deirdre", "Shonali", "Karen", "Michelle", "Jen",
    "Lisa", "Amanda", "Rachel", "Emily", "Maria", "Aisha", "Priya", "Mei", "Yuki", "Sofia",
    "Elena", "Hannah", "Grace", "Chloe", "Zoe", "Nina", "Olivia", "Ana", "Fatima", "Leah",
    "Mark", "Dave", "John", "Michael", "Chris", "Brian", "Kevin", "Jason", "Matt", "Ryan",
    "Tom", "Ben", "Sam", "Alex", "Jordan", "Taylor", "Luis", "Carlos", "Omar", "Raj", "Wei",
    "Kenji", "Lars", "Pieter", "Tariq", "Diego", "Andre", "Felix", "Noah", "Eli", "Gus",
)
LAST_NAMES = (
    "French", "Crane", "Smith", "Breakenridge", "Burns", "Freberg", "Garcia", "Nguyen",
    "Patel", "Kim", "Chen", "Müller", "Rossi", "Silva", "Okafor", "Haddad", "Cohen", "Walsh",
    "Murphy", "O'Brien", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Lopez",
    "Wilson", "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White",
    "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell", "Mitchell", "Roberts",
)
CITIES = (
    "New York, NY", "Chicago", "Austin, TX", "Seattle, WA", "Toronto", "London", "Dublin",
    "Boston", "Denver, CO", "Atlanta", "San Francisco, CA", "Raleigh, NC", "Portland, OR",
    "Sydney", "Berlin", "", "", "Earth", "Minneapolis", "Phoenix, AZ", "Nashville",
)
SOURCES = ("Twitter Web App", "Twitter for iPhone", "Twitter for Android", "TweetDeck",
           "Hootsuite Inc.", "Buffer", "Twitter for iPad", "Tweetchat")
SOURCE_URLS = {
    "Twitter Web App": "https://mobile.twitter.com", "Twitter for iPhone":
    "http://twitter.com/download/iphone", "Twitter for Android":
    "http://twitter.com/download/android", "TweetDeck": "https://tweetdeck.twitter.com",
    "Hootsuite Inc.": "https://www.hootsuite.com", "Buffer": "https://buffer.com",
    "Twitter for iPad": "http://twitter.com/#!/download/ipad", "Tweetchat":
    "http://tweetchat.com",
}
_ROLES = ("PR pro", "solo consultant", "marketer", "comms lead", "agency owner", "writer",
          "teacher", "nurse", "small biz owner", "journalist", "student", "content strategist")
_LIKES = ("coffee", "dogs", "running", "books", "good data", "bad puns", "hiking", "jazz")
_TOPICS = (
    "pricing your services", "pitching journalists", "measuring PR results", "saying no to "
    "clients", "crisis communication", "building a content calendar", "working alone",
    "personal vs professional social media", "writing a better press release", "AI tools",
    "finding new clients", "retainers & project fees", "burnout", "newsletters",
)
_OPENERS = ("How do you", "What's the best way to", "Why is it so hard to", "When should you",
            "What tools help you", "Who taught you to", "Where do you start when you")
_VERBS = ("measure", "pitch", "price", "plan", "explain", "protect", "grow", "automate",
          "delegate", "manage", "document", "share", "say no to", "follow up on", "test")
_OBJECTS = ("a crisis plan", "media relations", "your retainer", "client expectations",
            "a content calendar", "your personal brand", "the budget", "social listening",
            "press releases", "analytics", "your newsletter", "scope creep", "thought leadership",
            "a pitch deck", "brand voice", "employee advocacy", "community", "your rates")
_TAILS = ("this year", "with a small team", "when clients push back", "on a tight budget",
          "without burning out", "in a recession", "for B2B clients", "across time zones",
          "before the next launch", "when the news cycle moves fast", "as a solo pro")
_CLAIMS = (
    "I always start with", "Honestly, it comes down to", "For me it's about", "We learned to value",
    "Best advice I got:", "Never underestimate", "It helps to have", "Our rule of thumb is",
    "Start small with", "Don't forget", "The trick is", "Clients respond well to",
    "What works for me:", "Consistency beats", "Nothing replaces", "Try", "Always use",
)
_DETAILS = (
    "a clear scope & a written agreement", "listening before pitching", "setting expectations "
    "early", "weekly check-ins", "tracking outcomes, not outputs", "a shared calendar",
    "saying no politely", "a short, honest email", "data the client already trusts",
    "templates for the boring parts", "blocking focus time", "one metric that matters",
    "relationships with reporters", "a plan B for every launch", "asking what success looks "
    "like", "batching the admin work", "raising rates every year", "a simple dashboard",
    "the 80/20 rule", "reading the outlet first", "a smaller list of better targets",
)
_ENDINGS = ("", "", "", " It works.", " Took me years to learn that.", " 💯", " — every time.",
            " Happy to share my template.", " YMMV!", " Still figuring it out tbh.",
            " That’s the whole secret.", " <3", " Great question!")
_REACTIONS = ("Agreed!", "So true.", "Love this.", "Yes!!", "Interesting —", "Same here.",
              "Great point.", "Hmm, not sure.", "This 👆", "Exactly.", "Ha! Truth.", "+1")
_HELLOS = ("Hi all! {name} here, {role} from {city}.", "Hello #{tag}! Lurking today.",
           "Hey everyone, {name} jumping in. {role}, love {like}.",
           "Good morning/afternoon/evening! {name}, {role}.", "Made it! Hi all 👋")
_BYES = ("Thanks for a great chat! See you next week", "Great chat today, thanks all!",
         "Have to run — thanks everyone!", "Loved the answers today. Bye for now",
         "Thanks for hosting! Lots to think about")
_COMMENTS = ("Missed the last one, catching up now", "Anyone else running late today?",
             "Hi all! Late as usual", "Great energy in here today",
             "So many good answers, my notes are a mess", "Brb, coffee",
             "Is there a recap after? Asking for a friend")
_DOMAINS = ("prdaily.com", "hbr.org", "medium.com", "blog.hubspot.com", "nytimes.com",
            "muckrack.com", "prweek.com", "linkedin.com", "youtube.com", "substack.com",
            "contentmarketinginstitute.com", "spinsucks.com", "example.org")


def handle(rng: random.Random, first: str, last: str) -> str:
    """A handle made from a name, the way people pick them."""
    last = "".join(c for c in last if c.isascii() and c.isalpha())
    shape = rng.randrange(5)
    base = (first + last, first[0] + last, first + "_" + last[0], last + "PR",
            first + rng.choice(("writes", "comms", "media", "says")))[shape]
    return (base + str(rng.randint(1, 999)))[:15] if rng.random() < 0.6 else base[:15]


def display_name(rng: random.Random, first: str, last: str) -> str:
    """A display name, sometimes with a title or an emoji as people add them."""
    name = f"{first} {last}"
    roll = rng.random()
    if roll < 0.1:
        return f"{name} | {rng.choice(_ROLES)}"
    if roll < 0.15:
        return f"{name} 🌻"
    if roll < 0.2:
        return f"Dr. {name}"
    return name


def bio(rng: random.Random) -> str:
    """A profile description."""
    return (f"{rng.choice(_ROLES).capitalize()}. {rng.choice(_LIKES).capitalize()} & "
            f"{rng.choice(_LIKES)}. Views my own.")


def question_label(rng: random.Random, number: int) -> str:
    """How hosts label question N, mostly 'QN:'."""
    forms = ("Q{n}:", "Q{n}:", "Q{n}:", "Q{n}:", "Q{n}.", "Q{n})", "Q {n}:", "Question {n}:")
    return rng.choice(forms).format(n=number)


def answer_label(rng: random.Random, number: int) -> str:
    """How participants label an answer to question N."""
    forms = ("A{n}:", "A{n}:", "A{n}:", "A{n}:", "A{n}.", "a{n}:", "a{n}", "A{n} -", "A{n})",
             "A{n}a:", "A{n}.1")
    return rng.choice(forms).format(n=number)


def question(rng: random.Random) -> str:
    """The text of a question."""
    return f"{rng.choice(_OPENERS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} " \
           f"{rng.choice(_TAILS)}?"


def answer(rng: random.Random) -> str:
    """The text of an answer, one or two sentences."""
    first = f"{rng.choice(_CLAIMS)} {rng.choice(_DETAILS)}."
    if rng.random() < 0.45:
        first += f" {rng.choice(_CLAIMS)} {rng.choice(_DETAILS)} {rng.choice(_TAILS)}."
    return first + rng.choice(_ENDINGS)


def reaction(rng: random.Random) -> str:
    """The start of a reply to someone's answer."""
    return rng.choice(_REACTIONS)


def intro(rng: random.Random, tag: str, hosts: Sequence[Any]) -> str:
    """The host's welcome."""
    names = " & ".join(f"@{h.handle}" for h in hosts)
    return (f"Welcome to #{tag}! Today we're talking about {rng.choice(_TOPICS)}. Hosted by "
            f"{names}. Introduce yourselves, and label answers A1, A2... so we can follow along")


def wrap(rng: random.Random, tag: str, short_url: str) -> str:
    """The host's sign-off with the recap link."""
    return (f"That's a wrap! Thanks everyone for joining #{tag}. Next week: "
            f"{rng.choice(_TOPICS)}. Recap: {short_url}")


def chatter(rng: random.Random, kind: str, tag: str) -> str:
    """A greeting, a goodbye or a comment."""
    bank = {"hello": _HELLOS, "bye": _BYES}.get(kind, _COMMENTS)
    line = rng.choice(bank).format(
        name=rng.choice(FIRST_NAMES), role=rng.choice(_ROLES).capitalize(),
        city=rng.choice(CITIES[:15]), like=rng.choice(_LIKES), tag=tag,
    )
    return line if f"#{tag}" in line else f"{line} #{tag}"


def link(rng: random.Random, recap: bool = False) -> tuple[str, str, str]:
    """A t.co link to an article (or to the chat's recap): short, expanded and display URL."""
    short = "https://t.co/" + "".join(rng.choices(string.ascii_letters + string.digits, k=10))
    domain = "example.org" if recap else rng.choice(_DOMAINS)
    path = "/recaps/" + str(rng.randint(1, 9999)) if recap else "/" + "-".join(
        rng.choice(_VERBS + _OBJECTS).replace(" ", "-") for _ in range(3))
    expanded = f"https://{domain}{path}"
    display = (domain + path)[:26] + ("…" if len(domain + path) > 26 else "")
    return short, expanded, display
