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
    GUEST,
    HOST,
    PARTICIPANT,
    Author,
    Chat,
    ChatParticipant,
    ChatWindow,
    LinkShare,
    Question,
    QuestionRecap,
    Quote,
    Recap,
)
from chatarchive.render import long_date, md, md_url, render_markdown, time_range, yaml_scalar

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
        ("h2", "Next chat"),
    ]
    links = [t.attrGet("href") for t in tokens if t.type == "inline" for t in t.children or []
             if t.type == "link_open"]
    assert links == [
        "https://twitter.com/ann_pr/status/11",
        "https://example.com/a_%28b%29",
        "https://www.example.org/",
    ]
    assert sum(1 for t in tokens if t.type == "bullet_list_open") == 2


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
    # Name and text of the quote, the theme, the roll call and the first-timers' welcome.
    assert unescape(html).count(flat) == 5
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
