"""Question and answer labels as they occur in real chats (DESIGN.md §1)."""

from __future__ import annotations

import pytest

from chatarchive.cues import (
    addressees,
    asks,
    continues,
    ends_open,
    has_first_person,
    has_words,
    introduced_guests,
    is_chatter,
    is_cut_off,
    is_reaction,
    is_sign_off,
    status_ids,
)
from chatarchive.labels import (
    answer_label,
    is_prose_question,
    is_retweet,
    mentions_label,
    question_label,
    question_text,
    strip_label,
)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Q1: How do you find clients? #solopr", 1),
        ("Q1. How do you find clients?", 1),
        ("Q1.What tools do you use?", 1),
        ("Q 1 What tools do you use?", 1),
        ("Q1) What tools do you use?", 1),
        ("Q.1 What tools do you use?", 1),
        ("Q#3 What tools do you use?", 3),
        ("q2: lower case works too?", 2),
        ("Question 1: What tools do you use?", 1),
        ("QUESTION #4 - pricing?", 4),
        ("Question two: how do you bill?", 2),
        ("T1: Billing by the hour", 1),
        ("Topic 2 - Retainers", 2),
        ("1️⃣ What is your favourite tool?", 1),
        ("🔟 Last one: favourite book?", 10),
        ("Q1️⃣ What is your favourite tool?", 1),
        ("Q12: The twelfth?", 12),
        ("Okay: Q1 What do you think of retainers?", 1),
        ("Two more Qs! Q5. How do you handle scope creep?", 5),
        ("Here's Q3: What is your biggest fear?", 3),
        ("Great answers to Q1! Q2: what next?", 2),
        ("Next up: Q4. What tools do you use?", 4),
        ("@kellyecrane Q2: What?", 2),
        (".@kellyecrane #solopr Q4 - what now?", 4),
        ("#solopr Q2: Who is your ideal client?", 2),
        ("#Q3 What is your niche?", 3),
        ("#T1D chat Q1: What is hardest?", 1),
        ("Q1: In a crisis, what do you do first?", 1),
        ("Q2: Next, tell us about your week", 2),
        ("Q3: Was there a moment you nearly quit?", 3),
    ],
)
def test_question_label_finds_the_number(text: str, number: int) -> None:
    assert question_label(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "forgot to tag Q2 #solopr",
        "Oops, forgot to tag Q2: it was about rates",
        "Q3 coming up in 2 minutes",
        "Q3: coming up in 2 minutes!",
        "Q3 coming up!",
        "Q4 in 5 minutes, stay tuned",
        "Q3 was inspired by this article https://example.org/a",
        "Q2 is next",
        "I loved Q2. It was fun",
        "Great answers to Q1",
        "I missed Q1: was it about rates?",
        "T1 diabetes is hard",
        "Q1 2024 results are in",
        "A1: my answer mentions Q1: which was hard",
        "RT @kellyecrane: Q1: How do you find clients?",
        "Welcome to #solopr, everyone!",
        "We moved to https://example.org/Q1",
        "@Q1bot hello",
        "",
    ],
)
def test_question_label_ignores_mentions_and_logistics(text: str) -> None:
    assert question_label(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1: Referrals, mostly.", (1, "A1:")),
        ("A1. Referrals", (1, "A1.")),
        ("a1 referrals", (1, "a1")),
        ("A1a the first part", (1, "A1a")),
        ("A1.1 the first part", (1, "A1.1")),
        ("A 1: spaced out", (1, "A 1:")),
        ("A2) with a paren", (2, "A2)")),
        ("1) Referrals", (1, "1)")),
        ("#A1 as a hashtag", (1, "#A1")),
        ("Answer 2: long form", (2, "Answer 2:")),
        ("A1️⃣ with a keycap", (1, "A1️⃣")),
        ("A10: double digits", (10, "A10:")),
        ("@kellyecrane A2: To you", (2, "A2:")),
        (".@kellyecrane A3 - dotted", (3, "A3 -")),
        ("@kelly A1 @bob both of you", (1, "A1")),
        ("So true! A2: referrals", (2, "A2:")),
        ("I agree a2: referrals", (2, "a2:")),
        ("Referrals, mostly #solopr A4", (4, "A4")),
        ("Referrals, mostly. A4 #solopr", (4, "A4")),
    ],
)
def test_answer_label_returns_number_and_exact_span(text: str, expected: tuple[int, str]) -> None:
    assert answer_label(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "A 1 hour meeting is too long",
        "I'd give it an A1 rating for sure",
        "Q5: Got a 1-person shop?",
        "A1foo",
        "RT @ann: A1: Referrals",
        "Referrals, mostly",
        "Ans 3 without a colon",
    ],
)
def test_answer_label_none(text: str) -> None:
    assert answer_label(text) is None


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("A1: Referrals, mostly. #solopr", "Referrals, mostly. #solopr"),
        ("@kellyecrane A2: To you #solopr", "@kellyecrane To you #solopr"),
        (".@kelly A3 - dotted", ".@kelly dotted"),
        ("1) Referrals", "Referrals"),
        ("Q1: I think referrals", "I think referrals"),
        ("Referrals, mostly #solopr A4", "Referrals, mostly #solopr"),
        ("So true! A2: referrals", "So true! A2: referrals"),
        ("No label at all &amp; more", "No label at all &amp; more"),
        ("A 1 hour meeting", "A 1 hour meeting"),
    ],
)
def test_strip_label_removes_only_the_label(text: str, stripped: str) -> None:
    assert strip_label(text) == stripped


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("First question - how did friends / family react? #cancerchat", True),
        (
            "Last qu (as I think everyone is watching the football!)... Did having cancer"
            " make you view disability differently in general? #cancerchat",
            True,
        ),
        ("Next question: what tools do you use?", True),
        ("Last question: share one tip.", True),
        ("On to the next question: what now?", True),
        ("Here's our first question: who are you?", True),
        ("Next question coming up in 2 minutes", False),
        ("Next question is coming", False),
        ("Thanks for answering the last question!", False),
        ("Speaking of reactions, what's the worst you had?", False),
        ("RT @host: First question - how did friends react?", False),
        ("Q1: What tools do you use?", False),
    ],
)
def test_is_prose_question(text: str, expected: bool) -> None:
    assert is_prose_question(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi all! #solopr", True),
        ("@kellyecrane Thanks for a great chat everyone #solopr", True),
        ("Good morning from Boston!", True),
        ("Sorry I'm late, had a call", True),
        ("Referrals, mostly. Word of mouth beats ads.", False),
        ("Here's what I think about rates", False),
        ("Thanks to remote work I can pick my clients, my hours, my rates and my desk too", False),
        ("#solopr", False),
        ("Merci tout le monde! Great chat. #solopr", True),
        ("^ that was A2, forgot the label! #solopr", True),
        ("I forgot the client's name once and it cost me", False),
        ("@host thank god for friends!! And for people who understand", False),
        ("@host @guest thanks Deb for being a lovely host! :-)))", True),
    ],
)
def test_is_chatter(text: str, expected: bool) -> None:
    assert is_chatter(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RT @kellyecrane: Q1: How do you find clients?", True),
        ("rt @ann: A1: Referrals", True),
        ("Q1: RT @ann if you agree", False),
        ("ART @ann", False),
    ],
)
def test_is_retweet(text: str, expected: bool) -> None:
    assert is_retweet(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.org/survey #solopr", False),
        ("+1 #solopr", False),
        ("@ann @bob", False),
        ("Referrals!", True),
        ("@ann 100% agree", True),
    ],
)
def test_has_words(text: str, expected: bool) -> None:
    assert has_words(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q1: How did you set rates? #solopr", "How did you set rates? #solopr"),
        ("Okay: Q5 Do you ever work for free?", "Do you ever work for free?"),
        ("Two more Qs! Q5. What next?", "What next?"),
        ("@bob Q2) Which model?", "@bob Which model?"),
        ("Question 1: What?", "What?"),
        ("Before we wrap up, a longer lead-in sentence: Q6 what tool?",
         "Before we wrap up, a longer lead-in sentence: what tool?"),
        ("no label here", "no label here"),
    ],
)
def test_question_text_drops_the_label_and_a_short_lead_in(text: str, expected: str) -> None:
    assert question_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@EverydayAbleism yes some treated me different", ("everydayableism",)),
        (".@debecca @EverydayAbleism what it means", ("debecca", "everydayableism")),
        ("@ann, @bob: both of you", ("ann", "bob")),
        ("#cancerchat 9-10pm @ann", ()),
        ("Thanks @ann", ()),
        ("", ()),
    ],
)
def test_addressees(text: str, expected: tuple[str, ...]) -> None:
    assert addressees(text) == expected


def test_status_ids() -> None:
    text = ("Same here https://twitter.com/host/status/479715564693499905 and "
            "http://x.com/ann/statuses/12 but not https://example.org/status/3")
    assert status_ids(text) == ("479715564693499905", "12")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@host yes true, you just know that person has gone through hell!", True),
        (".@host aww absolutely, I totally understand that.. Husbands family were absent", True),
        ("@host oh that's cringeworthy... Don't really like being called brave", True),
        ("@host thank god for friends!! And for people who understand x", True),
        ("@host absolutely, I totally agree. I have one friend who texted me daily", False),
        ("@host no way!!! That's awful! I can't say I've had a reaction like that..", False),
        ("@host yes some treated me different, some fell by the wayside", False),
        ("@host I know I see people with a wig as 'another person with cancer'", False),
        ("@host it's the ones you don't expect who do", False),
    ],
)
def test_is_reaction(text: str, expected: bool) -> None:
    assert is_reaction(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My experience is that friends rallied", True),
        ("We moved to retainers", True),
        ("I'm just me", True),
        ("People definitely treated cancer with more respect", False),
        ("@Mine and #my are not words here", False),
    ],
)
def test_has_first_person(text: str, expected: bool) -> None:
    assert has_first_person(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Speaking of reactions, what's the worst you had? Mine? Awful.", True),
        ("So, what was the strangest reaction you had? #cancerchat", True),
        ("Mine? Awful.", False),
        ("No questions here.", False),
    ],
)
def test_asks(text: str, expected: bool) -> None:
    assert asks(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OK, this is @debecca signing out. Thanks to all who joined #cancerchat", True),
        ("That's a wrap! Huge thanks to our guest", True),
        ("Thanks everyone for joining! See you next week", True),
        ("Thanks all for taking part", True),
        ("Thanks @ann, great answer", False),
        ("Signing in for tonight's chat", False),
    ],
)
def test_is_sign_off(text: str, expected: bool) -> None:
    assert is_sign_off(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Welcome to #cancerchat. I'm @debecca, I have Bipolar Disorder", ("debecca",)),
        ("OK, this is @debecca signing out", ("debecca",)),
        ("I'm @x, your guest host tonight", ("x",)),
        ("Please welcome our guest @Lena_Makes!", ("lena_makes",)),
        ("Today: pricing, with guest moderator @theo. Our guest tonight is @theo", ("theo",)),
        ("@cat is our guest tonight", ("cat",)),
        ("Thanks @ann for that answer", ()),
        ("Wow, this is @ann's best answer yet", ()),
    ],
)
def test_introduced_guests(text: str, expected: tuple[str, ...]) -> None:
    assert introduced_guests(text) == expected


def test_cut_off_posts_and_their_continuations() -> None:
    cut = ("@EverydayAbleism I've found with the charity bike ride I'm doing, I'm surprised to "
           "find people who I thought didn't even like me #cancerchat")
    whole = cut.replace("like me #cancerchat", "like me! #cancerchat")
    assert (is_cut_off(cut), is_cut_off(whole), is_cut_off("short and open")) == (
        True, False, False)
    assert ends_open("Where do you sell: markets, or... #solopr")
    assert ends_open("Two questions in one (1/2)")
    assert not ends_open("Where do you sell?")
    assert [continues(t) for t in ("@host have sponsored me", "...part two", "(2/2) the rest",
                                   "@host I know", "Part two")] == [True, True, True, False, False]
    assert not continues("@host have sponsored me", lower_case=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Q3 coming up in 2 minutes", True),
        ("Label answers with A2 please", True),
        ("The next question is a good one", True),
        ("I love this chat", False),
    ],
)
def test_mentions_label(text: str, expected: bool) -> None:
    assert mentions_label(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1️⃣ What surprised you most this year?", 1),
     ("1️⃣ At the pharmacy counter I hear it every day", None),
     ("Tips: 1️⃣ batch it 2️⃣ team accounts 3️⃣ plain words", None)],
)
def test_keycap_digits_are_a_question_only_when_the_post_asks(
    text: str, expected: int | None
) -> None:
    assert question_label(text) == expected
