"""Tests for summarize: which answers get quoted, exact quote texts, themes, links and counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chatarchive.models import (
    ANSWER,
    COMMENT,
    GUEST,
    HOST,
    PARTICIPANT,
    QUESTION,
    REPOST,
    Attribution,
    Author,
    Chat,
    ChatParticipant,
    ChatWindow,
    LinkShare,
    Message,
    Question,
    QuestionRecap,
)
from chatarchive.summarize import (
    archived_reposts,
    has_substance,
    links,
    quote_text,
    summarize,
    themes,
)
from chatarchive.summarize.vectors import centrality as _centrality
from chatarchive.summarize.vectors import cosine as _cosine
from chatarchive.summarize.vectors import vector as _vector

START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)


def author(handle: str, name: str) -> Author:
    return Author(id=f"twitter:u-{handle}", platform="twitter", handle=handle, display_name=name)


KELLY = author("KellyeCrane", "Kelly Crane")
KAT = author("katfrench", "Kat French")
ANN = author("ann_pr", "Ann Lee")
BOB = author("bobcomms", "Bob Ray")
CY = author("cy", "Cy Young")
DEE = author("dee", "Dee Dee")
EVE = author("EveNoQuote", "Eve Private")
FAY = author("fay", "Fay Everywhere")
GUS = author("gus", "Gus Reposter")
ROLES = {KELLY: HOST, KAT: GUEST}


def message(
    native_id: str,
    who: Author,
    minute: int,
    text: str,
    likes: int = 0,
    repost_of: str | None = None,
    links: tuple[str, ...] = (),
) -> Message:
    return Message(
        id=f"twitter:{native_id}",
        platform="twitter",
        native_id=native_id,
        author=who,
        text=text,
        created_at=START + timedelta(minutes=minute),
        url=f"https://twitter.com/{who.handle}/status/{native_id}",
        repost_of_id=repost_of,
        like_count=likes,
        repost_count=0,
        links=links,
    )


# (native id, author, minute, text, kind, question, likes)
POSTS: list[tuple[str, Author, int, str, str, int | None, int]] = [
    ("100", KELLY, 1, "Welcome to #solopr! Grab a coffee.", COMMENT, None, 0),
    ("101", KELLY, 5, "Q1: How do you keep your personal network apart from client work? #solopr",
     QUESTION, 1, 3),
    ("102", ANN, 6, "A1: I keep a separate list for clients and never mix my personal network "
     "with client pitches #solopr", ANSWER, 1, 4),
    ("103", BOB, 7, "A1: Clients get my business accounts; friends get my personal ones #solopr",
     ANSWER, 1, 1),
    ("104", CY, 8, "@KellyeCrane A1: I keep a separate list for clients and never mix my personal "
     "network with client pitches!", ANSWER, 1, 0),
    ("105", DEE, 8, "A1: +1 #solopr", ANSWER, 1, 9),
    ("106", EVE, 9, "A1: My personal network and my client list overlap, and I never pitch "
     "friends #solopr", ANSWER, 1, 5),
    ("107", FAY, 10, "A1: Personal network stays personal; client work happens on the business "
     "list #solopr", ANSWER, 1, 0),
    ("108", KAT, 11, "A1: Employers need to be clear if leveraging your personal network is an "
     "expectation of a new hire. #solopr", ANSWER, 1, 12),
    ("109", GUS, 12, "RT @ann_pr: A1: I keep a separate list for clients and never mix my personal "
     "network…", REPOST, None, 0),
    ("200", KELLY, 20, "Q2: What tools help you track client billing? #solopr", QUESTION, 2, 2),
    ("201", BOB, 21, "A2: A simple spreadsheet tracks billing hours for every client "
     "https://example.com/sheet #solopr", ANSWER, 2, 2),
    ("202", BOB, 22, "A2: Also time tracking apps remind me to log billing hours daily #solopr",
     ANSWER, 2, 0),
    ("203", FAY, 23, "A2: Invoicing software tracks billing hours and sends client reminders "
     "#solopr", ANSWER, 2, 1),
    ("204", ANN, 24, "A2: Great point! #solopr", ANSWER, 2, 0),
    ("205", DEE, 25, "A2: Spreadsheet for billing hours, invoicing software for client invoices "
     "#solopr", ANSWER, 2, 3),
    ("206", CY, 26, "A2. https://www.example.com/tools #solopr", ANSWER, 2, 0),
    ("300", KAT, 40, "Q3: How do you find new clients? #solopr", QUESTION, 3, 5),
    ("301", FAY, 41, "A3: Referrals from past clients bring most new clients to my business "
     "#solopr", ANSWER, 3, 2),
    ("302", ANN, 42, "A3: Referrals from past clients, plus speaking at local business events "
     "#solopr", ANSWER, 3, 6),
    ("303", CY, 43, "A3: Writing a newsletter keeps past clients sending referrals my way #solopr",
     ANSWER, 3, 1),
    ("304", KELLY, 44, "A3: Referrals from past clients and a newsletter for business contacts "
     "#solopr", ANSWER, 3, 0),
    ("305", EVE, 45, "A3: Referrals from past clients bring new clients to my business #solopr",
     ANSWER, 3, 30),
    ("306", DEE, 46, "A3 Agreed 👏👏", ANSWER, 3, 0),
    ("400", KELLY, 58, "Thanks all! Next #solopr chat next week. https://twitter.com/kellyecrane/"
     "status/1", COMMENT, None, 0),
]

LINKS = {
    "201": ("https://example.com/sheet",),
    "206": ("https://www.example.com/tools", "https://example.com/sheet"),
    "305": ("https://example.com/sheet", "https://example.com/sheet"),
    "400": ("https://twitter.com/kellyecrane/status/1", "https://x.com/a/status/2"),
    "109": ("https://example.com/repost-only",),
}


def build_chat(posts: Iterable[tuple[str, Author, int, str, str, int | None, int]] = POSTS) -> Chat:
    messages, attributions, questions = [], {}, []
    for native_id, who, minute, text, kind, number, likes in posts:
        repost_of = "twitter:102" if kind == REPOST else None
        item = message(native_id, who, minute, text, likes, repost_of, LINKS.get(native_id, ()))
        messages.append(item)
        attributions[item.id] = Attribution(kind, number, 0.9 if native_id == "201" else 1.0)
        if kind == QUESTION:
            assert number is not None
            questions.append(Question(number, item.id, text, item.created_at, who.id))
    people = dict.fromkeys(m.author for m in messages)
    participants = tuple(
        ChatParticipant(
            person,
            ROLES.get(person, PARTICIPANT),
            posts=sum(1 for m in messages if m.author == person),
            answers=sum(1 for m in messages if m.author == person
                        and attributions[m.id].kind == ANSWER),
            first_time=person in (CY, GUS),
        )
        for person in people
    )
    window = ChatWindow("solopr", START, START + timedelta(hours=1), "America/New_York",
                        "#solopr chat", "solopr", ("kellyecrane",), ("katfrench",))
    questions.sort(key=lambda question: question.number)
    return Chat("solopr-2026-03-04", window, tuple(messages), tuple(questions), attributions,
                participants)


def quoted(questions: Iterable[QuestionRecap]) -> list[list[str]]:
    return [[quote.message_id for quote in item.quotes] for item in questions]


@pytest.fixture(scope="module")
def recap():
    return summarize(build_chat(), quotes_per_question=3, do_not_quote=("evenoquote",))


def test_quotes_chosen_per_question(recap) -> None:
    assert quoted(recap.questions) == [
        ["twitter:102", "twitter:107", "twitter:108"],
        ["twitter:201", "twitter:205"],
        ["twitter:301", "twitter:303", "twitter:304"],
    ]
    assert [qr.answer_count for qr in recap.questions] == [7, 6, 6]


def test_quote_texts_are_exact_minus_label_and_hashtag(recap) -> None:
    texts = [q.text for qr in recap.questions for q in qr.quotes]
    assert texts == [
        "I keep a separate list for clients and never mix my personal network with client pitches",
        "Personal network stays personal; client work happens on the business list",
        "Employers need to be clear if leveraging your personal network is an expectation of a "
        "new hire.",
        "A simple spreadsheet tracks billing hours for every client https://example.com/sheet",
        "Spreadsheet for billing hours, invoicing software for client invoices",
        "Referrals from past clients bring most new clients to my business",
        "Writing a newsletter keeps past clients sending referrals my way",
        "Referrals from past clients and a newsletter for business contacts",
    ]


def test_quote_roles_urls_and_scores(recap) -> None:
    first = recap.questions[0].quotes
    assert [(q.author.handle, q.role) for q in first] == [
        ("ann_pr", PARTICIPANT), ("fay", PARTICIPANT), ("katfrench", GUEST)
    ]
    assert first[0].url == "https://twitter.com/ann_pr/status/102"
    assert [(q.author.handle, q.role) for q in recap.questions[2].quotes][2] == (
        "KellyeCrane", HOST
    )
    assert [round(q.score, 3) for q in first] == [0.518, 0.323, 0.269]
    assert all(q.question_number == qr.question.number for qr in recap.questions
               for q in qr.quotes)


def test_skipped_answers(recap) -> None:
    ids = {q.message_id for qr in recap.questions for q in qr.quotes}
    assert "twitter:104" not in ids  # Cy repeats Ann's answer word for word (cosine 1.0)
    assert "twitter:203" not in ids  # Fay's Q2 answer says what Dee's says (cosine 0.66)
    assert {"twitter:105", "twitter:204", "twitter:206", "twitter:306"}.isdisjoint(ids)
    assert {"twitter:106", "twitter:305"}.isdisjoint(ids)  # do_not_quote, any case
    assert "twitter:109" not in ids  # a repost


def test_one_quote_per_person_per_question(recap) -> None:
    for question in recap.questions:
        authors = [q.author.id for q in question.quotes]
        assert len(authors) == len(set(authors))
    assert "twitter:202" not in {q.message_id for q in recap.questions[1].quotes}


def test_spread_prefers_people_not_yet_quoted(recap) -> None:
    # Alone, Q3 quotes Ann (quoted on Q1 already); in the full recap Cy takes her place.
    chat = build_chat()
    alone = summarize(
        Chat(chat.id, chat.window, chat.messages, chat.questions[2:], chat.attributions,
             chat.participants),
        do_not_quote=("evenoquote",),
    )
    assert quoted(alone.questions) == [["twitter:301", "twitter:302", "twitter:304"]]
    assert quoted(recap.questions)[2] == ["twitter:301", "twitter:303", "twitter:304"]


def test_quotes_per_question_limit() -> None:
    chat = build_chat()
    one = summarize(chat, quotes_per_question=1, do_not_quote=("evenoquote",))
    # Fay was not quoted on Q1 here, so her Q2 answer (the best) wins; on Q3 she yields.
    assert quoted(one.questions) == [["twitter:102"], ["twitter:203"], ["twitter:304"]]
    none = summarize(chat, quotes_per_question=0)
    assert quoted(none.questions) == [[], [], []]


def test_do_not_quote_lifted_quotes_eve() -> None:
    recap = summarize(build_chat())
    assert "twitter:305" in {q.message_id for q in recap.questions[2].quotes}


def test_deterministic(recap) -> None:
    again = summarize(build_chat(), do_not_quote=("evenoquote",))
    shuffled = summarize(build_chat(reversed(POSTS)), do_not_quote=("EveNoQuote",))
    for other in (again, shuffled):
        assert [qr.quotes for qr in other.questions] == [qr.quotes for qr in recap.questions]
        assert (other.themes, other.links, other.stats) == (recap.themes, recap.links, recap.stats)


def test_stats_links_themes_next_chat(recap) -> None:
    assert dict(recap.stats) == {
        "posts": 25, "participants": 9, "answers": 19, "questions": 3, "reposts": 1, "links": 2
    }
    assert recap.links == (
        LinkShare("https://example.com/sheet", "example.com", 3),
        LinkShare("https://www.example.com/tools", "example.com", 1),
    )
    # Bigrams two or more people use; "separate list" counts Cy's copy of Ann's words (no reply).
    assert recap.themes == (
        "personal network", "billing hours", "past clients", "invoicing software", "separate list",
    )
    later = datetime(2026, 3, 11, 18, 0, tzinfo=UTC)
    assert summarize(build_chat(), next_chat=later).next_chat == later
    assert recap.next_chat is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1: Great answer here #solopr", "Great answer here"),
        (".@bob @carol A2. Something said #SoloPR  ", "Something said"),
        ("a1 lowercase label", "lowercase label"),
        ("A1a: sub answer", "sub answer"),
        ("A1.1 nested answer", "nested answer"),
        ("A1. 1 thing matters", "1 thing matters"),
        ("1) numbered answer", "numbered answer"),
        ("Q1: wrong label used", "wrong label used"),
        ("A10:no space", "no space"),
        ("A3 - dash label", "dash label"),
        ("@bob no label here #solopr", "@bob no label here"),
        ("A1: #solopr is great", "#solopr is great"),
        ("A1: ends with #soloprs", "ends with #soloprs"),
        ("A1: tag then more #solopr #pr", "tag then more #solopr #pr"),
        ("#solopr A1: tagged first", "tagged first"),
        ("@kelly #SoloPR, A2: both first", "both first"),
        ("Trailing label here #solopr A1", "Trailing label here"),
        ("Question 1: How do you plan? #solopr", "How do you plan?"),
        ("A1sauce is tasty", "A1sauce is tasty"),
        ("2020) was a year", "2020) was a year"),
        ("A1: line one\nline  two #solopr\n", "line one\nline  two"),
        ("  untouched  ", "  untouched  "),
    ],
)
def test_quote_text(text: str, expected: str) -> None:
    assert quote_text(text, "solopr") == expected


def test_quote_text_hashtag_with_hash_sign() -> None:
    assert quote_text("A1: done #SoloPR", "#solopr") == "done"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1", False),
        ("A1: +1 #solopr", False),
        ("Great point!", False),
        ("Agreed", False),
        ("https://example.com/a/long/path/here", False),
        ("A1: 👏👏👏 🙌", False),
        ("@bob @carol @dee yes", False),
        ("#pr #comms #tips #solopr", False),
        ("A1: so so true!", False),
        ("A1: I agree with this", True),
        ("@bob I agree with this https://x.co", True),
    ],
)
def test_has_substance(text: str, expected: bool) -> None:
    assert has_substance(text) is expected


def posts_by(*items: tuple[Author, str]) -> list[Message]:
    return [message(str(900 + i), who, i, text) for i, (who, text) in enumerate(items)]


def test_themes_are_collocations() -> None:
    texts = posts_by(
        (ANN, "Content marketing is hard. Content marketing pays"),
        (BOB, "I love content marketing and newsletters"),
        (CY, "Newsletters #solopr https://example.com/podcast @podcast podcast. Email newsletters"),
        (DEE, "A1: email newsletters"),
        (EVE, "Email. Newsletters. Hard content, marketing"),  # no phrase across a break
    )
    # Phrases only: "newsletters" alone is no theme, nor is "podcast" (URL and handle aside).
    assert themes(texts, "solopr") == ("content marketing", "email newsletters")
    assert themes(posts_by((ANN, "A1: RT amp #solopr"), (BOB, "a1 rt amp solopr")), "solopr") == ()


def test_themes_need_two_people_and_no_echo() -> None:
    alone = posts_by(
        (ANN, "Rate card first. Then the rate card again, the rate card always."),
        (BOB, "Scope creep."),
        (CY, "Scope creep is real"),
    )
    # Ann's rate card is hers alone, and no other word is used by two people.
    assert themes(alone, "solopr") == ("scope creep",)
    first = message("950", ANN, 1, "The word count.")
    echo = replace(message("951", KELLY, 2, "@ann_pr The word count!"), in_reply_to_id=first.id)
    again = replace(message("952", BOB, 3, "Word count, yes"), quoted_id=first.id)
    assert themes([first, echo, again], "solopr") == ()
    own = message("953", CY, 4, "A word count here too")
    assert themes([first, echo, again, own], "solopr") == ("word count",)


def test_themes_keep_domain_words_and_drop_light_ones() -> None:
    texts = posts_by(
        (ANN, "PR work pays. Great chat! Make sure to raise rates."),
        (BOB, "PR work is hard. Great chat, make sure you raise rates"),
        (CY, "My PR work: two years of raise rates. Great chat"),
    )
    # "pr" and "work" are in the stop-words package's long list, not in the short one used here.
    assert themes(texts, "solopr") == ("pr work", "raise rates")


def test_themes_at_most_six() -> None:
    pairs = ["media relations", "scope creep", "rate card", "pro bono", "crisis work",
             "press release", "day rate", "paid discovery"]
    texts = posts_by(*((who, f"{pair}.") for pair in pairs for who in (ANN, BOB)))
    # Equal scores go alphabetically; "rate" is in two phrases, which lowers both their scores.
    assert themes(texts, "solopr") == (
        "crisis work", "media relations", "paid discovery", "press release", "pro bono",
        "scope creep",
    )
    assert len(themes(texts, "solopr", limit=2)) == 2


def test_links_skip_status_and_odd_schemes() -> None:
    post = message("9", ANN, 1, "x", links=(
        "https://mobile.twitter.com/a/status/3", "javascript:alert(1)", "https://WWW.Example.org/",
        "https://twitter.com/ann_pr", "mailto:a@b.c",
    ))
    assert links([post]) == (
        LinkShare("https://twitter.com/ann_pr", "twitter.com", 1),
        LinkShare("https://www.example.org/", "example.org", 1),
    )


def test_archived_reposts_native_and_manual() -> None:
    chat = build_chat()
    manual = message("110", DEE, 13, "RT @Ann_PR: A1: I keep a separate list for clients and never "
                                      "mix my…")
    stray = message("111", DEE, 14, "RT @ann_pr: words Ann never wrote…")
    attributions = dict(chat.attributions) | {
        manual.id: Attribution(REPOST), stray.id: Attribution(REPOST)
    }
    chat = replace(chat, messages=(*chat.messages, manual, stray), attributions=attributions)
    # Gus's native repost and Dee's "RT @Ann_PR:" copy both point at Ann's A1; the stray: none.
    assert archived_reposts(chat) == {"twitter:102": 2}


def engagement_chat(reposts: int, repost_count: int | None) -> Chat:
    """Two equally central answers, only Bob's reposted; and Cy's, liked 4 times."""
    posts = [
        ("1", KELLY, 0, "Q1: What keeps your pipeline full? #solopr", QUESTION, 1, 0),
        ("2", ANN, 1, "A1: Referrals from past clients keep the pipeline full", ANSWER, 1, 0),
        ("3", BOB, 2, "A1: Referrals from happy clients keep my pipeline full", ANSWER, 1, 0),
        ("4", CY, 3, "A1: Speaking at local events, every single month #solopr", ANSWER, 1, 4),
    ]
    chat = build_chat(posts)
    bob = replace(chat.messages[2], repost_count=repost_count)
    copies = [replace(message(f"r{i}", GUS, 3 + i, "RT"), repost_of_id=bob.id)
              for i in range(reposts)]
    attributions = dict(chat.attributions) | {m.id: Attribution(REPOST) for m in copies}
    messages = (*chat.messages[:2], bob, chat.messages[3], *copies)
    return replace(chat, messages=messages, attributions=attributions)


@pytest.mark.parametrize(
    ("reposts", "repost_count", "first"),
    [(0, 0, "twitter:2"), (2, None, "twitter:3"), (2, 0, "twitter:3"), (0, 1, "twitter:3")],
)
def test_reposts_in_the_archive_count_as_engagement(
    reposts: int, repost_count: int | None, first: str
) -> None:
    recap = summarize(engagement_chat(reposts, repost_count))
    assert quoted(recap.questions)[0][:2] == sorted([first, "twitter:4"])


def test_engagement_takes_the_larger_of_platform_and_archive_counts() -> None:
    # The platform's 3 already include the 2 archived reposts: 3, not 5 (which would top Cy's 4).
    scores = [
        {q.author.handle: q.score for q in summarize(engagement_chat(*counts)).questions[0].quotes}
        for counts in ((2, 3), (0, 3), (4, 0))
    ]
    # Centrality 0.3557 + engagement 0.1 x log(1+3)/log(1+4) + confidence 0.05; Cy tops engagement.
    assert scores[0] == scores[1] == {"bobcomms": 0.491852506, "cy": 0.15}
    assert scores[2] == {"bobcomms": 0.505717195, "cy": 0.15}  # 4 archived reposts tie Cy's 4


def test_centrality_is_the_mean_pairwise_cosine() -> None:
    idf = {"a": 1.0, "b": 2.0, "c": 1.5, "d": 1.0}
    vectors = [_vector(terms, idf) for terms in (["a", "b"], ["b", "c", "c"], ["d"], [], ["a"])]
    pairwise_means = [
        sum(_cosine(v, u) for j, u in enumerate(vectors) if j != i) / (len(vectors) - 1)
        for i, v in enumerate(vectors)
    ]
    assert _centrality(vectors) == pytest.approx(pairwise_means, abs=1e-12)
    assert pairwise_means[3] == 0.0
    assert round(pairwise_means[0], 4) == 0.2358
    assert _centrality([vectors[0]]) == [0.0]


@pytest.mark.parametrize(
    ("text", "reply", "expected"),
    [
        ("A2 (catching up): project fees for writing #SoloPR", False, "project fees for writing"),
        ("A5 (sorry, slow typist): Nope. #solopr", False, "Nope."),
        ("A1: (Honestly) it depends #solopr", False, "(Honestly) it depends"),
        ("(Aside): not after a label", False, "(Aside): not after a label"),
        ("@marenholtpr I walk away more often. #solopr", True, "I walk away more often."),
        ("@a @b@mastodon.example .@c Same here", True, "Same here"),
        ("@marenholtpr is right about this", False, "@marenholtpr is right about this"),
    ],
)
def test_quote_text_asides_and_reply_handles(text: str, reply: bool, expected: str) -> None:
    assert quote_text(text, "solopr", reply) == expected


def test_reply_handles_are_dropped_from_quotes() -> None:
    posts = [
        ("1", KELLY, 0, "Q1: What keeps your pipeline full? #solopr", QUESTION, 1, 0),
        ("2", ANN, 1, "@KellyeCrane Referrals from past clients keep it full", ANSWER, 1, 0),
    ]
    chat = build_chat(posts)
    reply = replace(chat.messages[1], in_reply_to_id=chat.messages[0].id)
    chat = replace(chat, messages=(chat.messages[0], reply))
    assert [q.text for q in summarize(chat).questions[0].quotes] == [
        "Referrals from past clients keep it full"
    ]


def test_links_are_deduplicated() -> None:
    copies = [
        message("1", ANN, 1, "x", links=("https://Blog.example.com/post/?utm_source=tw#top",)),
        message("2", BOB, 2, "x", links=("http://www.blog.example.com/post",
                                         "https://blog.example.com/post?fbclid=abc")),
        message("3", CY, 3, "x", links=("https://blog.example.com/post?page=2",
                                         "https://blog.example.com:8443/post", "http://[::1")),
    ]
    # Once per post: Bob's two copies count once. Query keys that pick a page stay apart.
    assert links(copies) == (
        LinkShare("https://blog.example.com/post", "blog.example.com", 2),
        LinkShare("https://blog.example.com/post?page=2", "blog.example.com", 1),
        LinkShare("https://blog.example.com:8443/post", "blog.example.com", 1),
    )


def test_big_questions_score_only_their_most_engaging_answers(monkeypatch) -> None:
    posts = [
        ("1", KELLY, 0, "Q1: What keeps your pipeline full? #solopr", QUESTION, 1, 0),
        ("2", ANN, 1, "A1: Referrals from past clients keep the work coming", ANSWER, 1, 0),
        ("3", BOB, 2, "A1: Speaking at local events every month brings work", ANSWER, 1, 3),
        ("4", CY, 3, "A1: A weekly newsletter for former colleagues and partners", ANSWER, 1, 5),
        ("5", DEE, 4, "Scope creep. Rate card.", COMMENT, None, 1),
        ("6", EVE, 5, "Scope creep again", COMMENT, None, 0),
        ("7", FAY, 6, "Rate card, always", COMMENT, None, 2),
    ]
    chat = build_chat(posts)
    everything = summarize(chat)
    assert quoted(everything.questions) == [["twitter:2", "twitter:3", "twitter:4"]]
    assert everything.themes == ("rate card", "scope creep")
    monkeypatch.setattr("chatarchive.summarize.quotes.MAX_CANDIDATES", 2)
    monkeypatch.setattr("chatarchive.summarize.phrases.MAX_THEME_POSTS", 4)
    capped = summarize(chat)
    assert quoted(capped.questions) == [["twitter:3", "twitter:4"]]
    assert capped.questions[0].answer_count == 3
    # Themes from the 4 most engaging posts (Cy, Bob, Fay, Dee): Eve's "scope creep" is not read.
    assert capped.themes == ("rate card",)
