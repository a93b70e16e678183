"""Tests for render: the golden recap, front matter, Markdown structure and escaping."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from markdown_it import MarkdownIt

from chatarchive.errors import ChatArchiveError
from chatarchive.models import (
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
    Quote,
    Recap,
)
from chatarchive.render import (
    capture_notes,
    chat_topic,
    link_labels,
    long_date,
    md,
    md_url,
    render_markdown,
    time_range,
    top_contributors,
    yaml_scalar,
)

GOLDEN = Path(__file__).parent / "golden" / "render_small.md"
START = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)
KELLY = Author("twitter:1", "twitter", "kellyecrane", "Kelly Crane")
KAT = Author("twitter:2", "twitter", "katfrench", "Kat French")
ANN = Author("twitter:3", "twitter", "ann_pr", "Ann Lee")
BOB = Author("twitter:4", "twitter", "bob", "")
NASTY = "**x** <script>alert(1)</script> [link](http://evil) ---\ntitle: x {{ 7*7 }}\n# heading"


def small_recap(
    name: str = "Ann Lee", text: str = "Say no to scope_creep *early* - it's 100% worth it!"
) -> Recap:
    ann = replace(ANN, display_name=name)
    window = ChatWindow("solopr", START, START + timedelta(hours=1), "America/New_York",
                        "#solopr chat", "solopr", ("kellyecrane",), ("katfrench",))
    question = Question(1, "twitter:10", "Q1: What's your #1 tip for new freelancers? #solopr",
                        START + timedelta(minutes=5), KELLY.id)
    participants = (
        ChatParticipant(ANN if name == "Ann Lee" else ann, PARTICIPANT, 3, 1, True),
        ChatParticipant(BOB, PARTICIPANT, 1, 0, False),
        ChatParticipant(KAT, GUEST, 4, 1, False),
        ChatParticipant(KELLY, HOST, 4, 0, False),
    )
    chat = Chat("solopr-2026-03-04", window, (), (question,), {}, participants)
    quotes = (
        Quote("twitter:11", ann, PARTICIPANT, text, "https://twitter.com/ann_pr/status/11", 1, 0.5),
        Quote("twitter:12", KAT, GUEST, "Raise rates (gently) every January.", None, 1, 0.4),
    )
    return Recap(
        chat=chat,
        questions=(QuestionRecap(question, quotes, 5),),
        themes=("scope creep", "rates"),
        links=(LinkShare("https://example.com/a_(b)", "example.com", 2),
               LinkShare("https://www.example.org/", "example.org", 1)),
        next_chat=datetime(2026, 3, 11, 17, 0, tzinfo=UTC),
        stats={"posts": 12, "participants": 4, "answers": 5, "questions": 1, "reposts": 0},
    )


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def visible_text(markdown: str) -> str:
    parser = _Text()
    parser.feed(MarkdownIt().render(markdown))
    return "".join(parser.parts).strip()


def split_front_matter(document: str) -> tuple[dict[str, object], str]:
    assert document.startswith("---\n")
    end = document.index("\n---\n", 4)
    return yaml.safe_load(document[4:end]), document[end + 5 :]


def test_golden_small_recap() -> None:
    rendered = render_markdown(small_recap())
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        GOLDEN.write_text(rendered, encoding="utf-8")
        pytest.fail("golden file regenerated; review the diff and rerun without REGENERATE_GOLDEN")
    assert rendered == GOLDEN.read_text(encoding="utf-8")
    assert render_markdown(small_recap()) == rendered


def test_front_matter_parses() -> None:
    front, _ = split_front_matter(render_markdown(small_recap()))
    assert front == {
        "title": "#solopr chat recap: Wednesday 4 March 2026",
        "date": datetime(2026, 3, 4, 18, 0, tzinfo=UTC),
        "tags": ["solopr", "tweetchat"],
        "chat_id": "solopr-2026-03-04",
        "hashtag": "solopr",
        "posts": 12,
        "participants": 4,
        "questions": 1,
        "answers": 5,
        "reposts": 0,
    }


def test_markdown_structure() -> None:
    _, body = split_front_matter(render_markdown(small_recap()))
    tokens = MarkdownIt().parse(body)
    headings = [
        (tokens[i].tag, tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]
    assert headings == [
        ("h1", r"\#solopr chat recap: Wednesday 4 March 2026"),
        ("h2", "Q1: What's your #1 tip for new freelancers?"),
        ("h2", "Themes"),
        ("h2", "Links shared"),
        ("h2", "Who took part"),
        ("h2", "Top contributors"),
        ("h2", "Next chat"),
    ]
    links = [t.attrGet("href") for t in tokens if t.type == "inline" for t in t.children or []
             if t.type == "link_open"]
    assert links == [
        "https://twitter.com/ann_pr/status/11",
        "https://example.com/a_%28b%29",
        "https://www.example.org/",
    ]
    assert sum(1 for t in tokens if t.type == "bullet_list_open") == 3


def test_injection_is_escaped() -> None:
    recap = small_recap(name=NASTY, text=NASTY)
    window = replace(recap.chat.window, title='#solopr "chat"\n---\ntitle: x')
    recap = replace(recap, chat=replace(recap.chat, window=window), themes=(NASTY,))
    document = render_markdown(recap)
    front, body = split_front_matter(document)
    assert front["title"] == '#solopr "chat"\n---\ntitle: x recap: Wednesday 4 March 2026'
    assert "49" not in body
    html = MarkdownIt().render(body)
    assert "<script" not in html
    assert 'href="http://evil"' not in html
    assert "<strong>x</strong>" not in html
    assert "<h1>heading" not in html and "<hr" not in html
    flat = NASTY.replace("\n", " ")
    # Name and text of the quote, the theme, the roll call, the first-timers' welcome and the
    # top contributors.
    assert unescape(html).count(flat) == 6
    assert f"<strong>{flat.replace('<', '&lt;').replace('>', '&gt;')}</strong>" in html


@pytest.mark.parametrize(
    "text",
    [
        "**x** _y_ `code` ~~s~~ ==m==",
        "<script>alert(1)</script> <b>bold</b> <!-- c -->",
        "[link](http://evil) ![img](http://evil/x.png) <http://evil.example>",
        "[x]: http://evil",
        "---\ntitle: x",
        "{{ 7*7 }} {% if x %}",
        "# heading",
        "1. item",
        "2) item",
        "- item",
        "+ item",
        "> quote",
        "| a | b |\n|---|---|",
        "&amp; &copy; &#169;",
        "back\\slash \\* escaped\\",
        "    indented code",
        "setext\n===",
        "hard  \nbreak",
        "$x^2$ 50% off ~tilde~",
        "emoji 😀 ünïcödé — “quotes”",
        "a\r\nb\rc\u2028d",
        "_",
        "***",
    ],
)
def test_md_escaping_keeps_visible_text(text: str) -> None:
    escaped = md(text)
    assert "\n" not in escaped
    expected = " ".join(text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
                        .split("\n")).strip()
    assert visible_text(escaped) == expected
    assert visible_text(f"**{escaped}** (@{md('a_b')})") == f"{expected} (@a_b)"


def test_md_keeps_site_template_tags_closed() -> None:
    text = "{{ site.secret }} {% include x.html %} {{< shortcode >}} {{{x}}} { single } }}"
    escaped = md(text)
    assert "{{" not in escaped and "{%" not in escaped
    assert escaped == ("&#123;{ site.secret }} &#123;% include x.html %} "
                       "&#123;{\\< shortcode \\>}} &#123;&#123;{x}}} { single } }}")
    assert visible_text(escaped) == text
    assert md_url("https://example.com/{{x}}/{%y%}") == "https://example.com/%7B%7Bx%7D%7D/%7B%y%%7D"


def test_md_examples() -> None:
    assert md("**x**") == r"\*\*x\*\*"
    assert md("  a\nb  ") == "a b"
    assert md("A.B! a_b (c) #d") == "A.B! a_b (c) #d"
    assert md("_e_ # x") == r"\_e\_ # x"
    assert md("1. first") == r"1\. first"


@pytest.mark.parametrize(
    "text",
    ['say "hi"\n---\nkey: x', "tab\there", "\x7f\x85\u2028\ufeff", "😀 ünï", "back\\slash", ""],
)
def test_yaml_scalar_round_trips(text: str) -> None:
    assert yaml.safe_load(f"k: {yaml_scalar(text)}") == {"k": text}


def test_md_url() -> None:
    assert md_url("https://example.com/a (b)<c>") == "https://example.com/a%20%28b%29%3Cc%3E"
    assert md_url("javascript:alert(1)") == ""
    assert md_url("HTTP://EXAMPLE.COM") == "HTTP://EXAMPLE.COM"


def test_dates_and_times() -> None:
    new_york = datetime(2026, 3, 4, 18, 0, tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
    assert long_date(new_york) == "Wednesday 4 March 2026"
    assert time_range(new_york, new_york + timedelta(hours=1)) == "1:00–2:00 pm EST"
    assert time_range(new_york - timedelta(hours=2), new_york) == "11:00 am–1:00 pm EST"
    spring = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert time_range(spring.astimezone(new_york.tzinfo),
                      (spring + timedelta(hours=1)).astimezone(new_york.tzinfo)
                      ) == "1:30 am EST–3:30 am EDT"
    sao_paulo = datetime(2026, 3, 4, 15, 0, tzinfo=UTC).astimezone(ZoneInfo("America/Sao_Paulo"))
    assert time_range(sao_paulo, sao_paulo + timedelta(minutes=90)) == "12:00–1:30 pm UTC-03"


def test_empty_sections_are_omitted() -> None:
    recap = small_recap()
    chat = replace(recap.chat, participants=recap.chat.participants[1:2],
                   window=replace(recap.chat.window, timezone="UTC", title=""))
    bare = replace(recap, chat=chat, themes=(), links=(), next_chat=None,
                   stats={"posts": 1, "participants": 1, "questions": 0})
    _, body = split_front_matter(render_markdown(bare))
    assert body == (
        "\n# \\#solopr chat recap: Wednesday 4 March 2026\n\n"
        "\\#solopr met on Wednesday 4 March 2026, 6:00–7:00 pm UTC. 1 person shared 1 post.\n\n"
        "## Q1: What's your #1 tip for new freelancers?\n\n"
        "**Ann Lee** (@ann_pr): Say no to scope_creep \\*early\\* - it's 100% worth it! "
        "[↗](https://twitter.com/ann_pr/status/11)\n\n"
        "**Kat French** (@katfrench, guest moderator): Raise rates (gently) every "
        "January.\n\n"
        "## Who took part\n\n"
        "Thanks to everyone who took part: bob (@bob).\n"
    )


def test_custom_template_and_errors() -> None:
    recap = small_recap(name="A*B")
    custom = "{{ chat_id }}|{% for q in questions %}{{ q.quotes[0].name|md }}{% endfor %}\n"
    assert render_markdown(recap, custom) == "solopr-2026-03-04|A\\*B"  # trim_blocks
    with pytest.raises(ChatArchiveError, match=r"recap template \(line 2\)"):
        render_markdown(recap, "ok\n{% for %}")
    with pytest.raises(ChatArchiveError, match="no_such_name"):
        render_markdown(recap, "{{ no_such_name }}")
    with pytest.raises(ChatArchiveError, match="recap template"):
        render_markdown(recap, "{{ recap.__class__.__mro__ }}")


def participant(handle: str, role: str = PARTICIPANT, posts: int = 1, answers: int = 0,
                first_time: bool = True) -> ChatParticipant:
    return ChatParticipant(Author(f"twitter:u-{handle}", "twitter", handle, handle.title()), role,
                           posts, answers, first_time)


def with_people(*people: ChatParticipant) -> Recap:
    recap = small_recap()
    return replace(recap, chat=replace(recap.chat, participants=people))


def section(document: str, heading: str) -> str:
    """The text of one ``## heading`` section, without the heading."""
    after = document.split(f"\n## {heading}\n\n", 1)[1]
    return ("\n" + after).split("\n## ", 1)[0].strip()


@pytest.mark.parametrize(
    ("returning", "welcome"),
    [
        ({"ann"}, "Welcome to our first-timers: Bob (@bob) and Kat (@kat)!"),
        (set(), None),  # nobody returning: the archive's first chat, first_time means nothing
        ({"host", "guest"}, None),  # only the moderators, whose reminders came before the chat
        ({"ann", "bob", "kat", "host", "guest"}, None),  # nobody new
    ],
)
def test_first_timers_are_welcomed_only_when_someone_returns(
    returning: set[str], welcome: str | None
) -> None:
    people = [participant("host", HOST), participant("guest", GUEST)]
    people += [participant(name) for name in ("ann", "bob", "kat")]
    document = render_markdown(with_people(*(
        replace(p, first_time=p.author.handle not in returning) for p in people
    )))
    lines = section(document, "Who took part").split("\n\n")
    assert lines[0].startswith("Thanks to everyone who took part: Host (@host), Guest (@guest), ")
    assert lines[1:] == ([welcome] if welcome else [])


def test_top_contributors() -> None:
    people = [
        participant("host", HOST, posts=30, answers=9),  # hosts are thanked, not ranked
        participant("guest", GUEST, posts=9, answers=5),
        participant("zed", posts=7, answers=5),
        participant("amy", posts=6, answers=3),
        participant("bo", posts=9, answers=3),
        participant("cy", posts=9, answers=3),
        participant("di", posts=2, answers=3),
        participant("lurker", posts=4, answers=0),
    ]
    ranked = ["guest", "zed", "bo", "cy", "amy"]  # di: fewest posts of those with 3 answers
    assert [p.author.handle for p in top_contributors(people)] == ranked
    assert [p.author.handle for p in top_contributors(people[:5])] == ["guest", "zed", "bo", "amy"]
    assert [p.author.handle for p in top_contributors(people[:4])] == ["guest", "zed", "amy"]
    assert [p.author.handle for p in top_contributors([people[0], people[3], people[7]])] == [
        "amy"
    ]
    listing = section(render_markdown(with_people(*people[:4])), "Top contributors")
    assert listing == (
        "- **Guest** (@guest, guest moderator): 5 answers\n"
        "- **Zed** (@zed): 5 answers\n"
        "- **Amy** (@amy): 3 answers"
    )
    assert "## Top contributors" not in render_markdown(with_people(people[0], people[7]))


def test_link_labels() -> None:
    shares = [
        LinkShare("https://soloprhub.example.com/blog/retainer-vs-project", "soloprhub.example.com",
                  2),
        LinkShare("https://www.soloprhub.example.com/recaps/", "soloprhub.example.com", 1),
        LinkShare("https://example.org/", "example.org", 1),
        LinkShare("https://example.org/a/b/c/d/page%20one.html", "example.org", 1),
        LinkShare("https://video.example.net/watch?v=abc", "video.example.net", 1),
        LinkShare("https://video.example.net/watch?v=xyz", "video.example.net", 1),
        LinkShare("https://long.example.com/" + "x" * 80, "long.example.com", 1),
        LinkShare("https://blog.example.com/post", "blog.example.com", 1),
        LinkShare("https://blog.example.com:8443/post/", "blog.example.com", 1),
    ]
    assert link_labels(shares) == [
        "soloprhub.example.com/blog/retainer-vs-project",
        "soloprhub.example.com/recaps",
        "example.org",
        "example.org/a/b/…/page one.html",
        "video.example.net/watch?v=abc",  # the same label twice: both show their query
        "video.example.net/watch?v=xyz",
        "long.example.com/" + "x" * 42 + "…",
        "blog.example.com/post",
        "blog.example.com:8443/post",
    ]
    links = section(render_markdown(replace(small_recap(), links=tuple(shares[:2]))),
                    "Links shared")
    assert links == (
        "- [soloprhub.example.com/blog/retainer-vs-project]"
        "(https://soloprhub.example.com/blog/retainer-vs-project) (shared 2 times)\n"
        "- [soloprhub.example.com/recaps](https://www.soloprhub.example.com/recaps/) (shared once)"
    )


NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("completeness", "notes"),
    [
        ({}, []),
        ({"complete": True, "truncated": 2}, []),  # assembly judged 2 cut texts acceptable
        ({"complete": False}, ["some posts seem to be missing"]),
        ({"missing_questions": [3]}, ["Q3 is missing"]),  # "complete" unknown: what is said counts
        (
            {
                "complete": False, "missing_questions": [5, 2, 3], "answers_without_question": 4,
                "replies_to_missing": 1, "truncated": 1,
                "gaps": [{"from": "2026-03-04T18:20:00+00:00", "to": "2026-03-04T18:32:30+00:00",
                          "minutes": 12.5}],
            },
            ["Q2, Q3 and Q5 are missing", "4 answers name a question not captured",
             "1 post replies to posts not captured", "1 post is cut short",
             "no posts for 12 minutes from 1:20 pm EST"],
        ),
        (
            {"complete": False, "missing_questions": "3", "answers_without_question": ["a", "b"],
             "replies_to_missing": None, "truncated": True,
             "gaps": [{"from": "soon", "minutes": 3}, "x", {"from": "2026-03-04T18:05:00",
                                                           "minutes": 1}]},
            ["2 answers name a question not captured", "no posts for 1 minute from 1:05 pm EST"],
        ),
    ],
)
def test_capture_notes(completeness: dict[str, object], notes: list[str]) -> None:
    assert capture_notes(completeness, NEW_YORK) == notes


def test_incomplete_capture_warning() -> None:
    recap = small_recap()
    incomplete = replace(recap, chat=replace(recap.chat, completeness={
        "complete": False, "missing_questions": [2], "gaps": []}))
    front, body = split_front_matter(render_markdown(incomplete))
    assert front["complete"] is False
    paragraphs = body.split("\n\n")
    assert paragraphs[2] == (
        "> **Note:** the capture of this chat looks incomplete (Q2 is missing), so some answers "
        "may be missing from this recap."
    )
    assert paragraphs[1].startswith("\\#solopr met on") and paragraphs[3].startswith("## Q1:")
    complete = replace(recap, chat=replace(recap.chat, completeness={"complete": True}))
    front, body = split_front_matter(render_markdown(complete))
    assert front["complete"] is True and "**Note:**" not in body
    assert "complete" not in split_front_matter(render_markdown(recap))[0]


def topic_recap(*posts: tuple[Author, str, str]) -> Recap:
    recap = small_recap()
    messages = tuple(
        Message(f"twitter:{i}", "twitter", str(i), who, text, START + timedelta(minutes=i))
        for i, (who, text, _) in enumerate(posts)
    )
    kinds = [kind for _, _, kind in posts]
    attributions = {m.id: Attribution(kind) for m, kind in zip(messages, kinds, strict=True)}
    return replace(recap, chat=replace(recap.chat, messages=messages, attributions=attributions))


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Welcome to #solopr! Today we're talking pricing your services with guest moderator "
         "@theobarlowpr. Say hi!", "pricing your services"),
        ("Tonight's topic: Separating the Personal & Professional in Social Media #solopr",
         "Separating the Personal & Professional in Social Media"),
        ('Hi all, we are discussing "burnout, boundaries & rest" today!',
         "burnout, boundaries & rest"),
        ("Welcome! Grab a coffee. #solopr", ""),
        ("We're talking about everything and anything that comes up in the weeks ahead of the big "
         "launch this spring.", ""),
    ],
)
def test_chat_topic(text: str, topic: str) -> None:
    recap = topic_recap((ANN, "We're talking pricing, right? #solopr", COMMENT),
                        (KELLY, text, COMMENT))
    assert chat_topic(recap.chat) == topic


def test_chat_topic_from_moderators_comments_only() -> None:
    recap = topic_recap(
        (ANN, "Today's topic: my new puppy #solopr", COMMENT),
        (KELLY, "Q1: The topic is hard: how do you price? #solopr", QUESTION),
        (KAT, "RT @kellyecrane: Topic is pricing", REPOST),
        (KAT, "Topic is client onboarding. #solopr", COMMENT),
    )
    assert chat_topic(recap.chat) == "client onboarding"
    document = render_markdown(recap)
    front, body = split_front_matter(document)
    assert front["topic"] == "client onboarding"
    assert "(@katfrench). The topic: client onboarding. 4 people shared 12 posts, with 5 answers " \
           "to 1 question." in body


def test_topic_is_escaped() -> None:
    recap = topic_recap((KELLY, "Today's topic: **bold** <b>x</b> [a](http://evil)", COMMENT))
    front, body = split_front_matter(render_markdown(recap))
    assert front["topic"] == "**bold** <b>x</b> [a](http://evil)"
    html = MarkdownIt().render(body)
    assert "<b>" not in html and "<strong>bold" not in html and "evil\"" not in html
    assert "The topic: **bold** <b>x</b> [a](http://evil)." in unescape(html)


def test_question_without_answers() -> None:
    recap = small_recap()
    bare = replace(recap, questions=(replace(recap.questions[0], quotes=(), answer_count=0),))
    assert section(render_markdown(bare), "Q1: What's your #1 tip for new freelancers?") == (
        "No answers to this question were captured."
    )
    unquoted = replace(recap, questions=(replace(recap.questions[0], quotes=()),))
    assert section(render_markdown(unquoted), "Q1: What's your #1 tip for new freelancers?") == ""
