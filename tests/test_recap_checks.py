"""Checks every recap must pass, run over the example chat (the real pipeline) and a hostile one.

The Markdown parses and holds no HTML; the front matter parses and holds only its own keys; every
quote is credited to the person whose archived post holds it word for word, links to that post
and sits under the question that post answers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from chatarchive import archive, jobs
from chatarchive.assemble import assemble_chat
from chatarchive.models import ANSWER, Chat, ChatWindow, Message, Recap
from chatarchive.render import render_markdown
from chatarchive.schedules import load_schedule
from chatarchive.summarize import summarize

from .conftest import FIXTURES, ROOT
from .factories import START, author, message

FRONT_MATTER_KEYS = {
    "title", "date", "tags", "chat_id", "hashtag", "topic", "posts", "participants", "questions",
    "answers", "reposts", "complete",
}
_QUESTION_HEADING = re.compile(r"^Q(\d+)(?::|$)")
_CREDIT = re.compile(
    r"^ \(@(?P<handle>[^,()]+)(?:, (?P<role>host|guest moderator))?\): (?P<quote>.+?) ?$"
)


@dataclass(frozen=True)
class CheckedQuote:
    """A quote as a reader sees it, and the post it was found in."""

    question: int
    name: str
    handle: str
    text: str
    post: Message


def split_front_matter(document: str) -> tuple[dict[str, object], str]:
    """The parsed front matter and the Markdown body; fails unless both are well formed."""
    assert document.startswith("---\n")
    end = document.index("\n---\n", 4)
    front = yaml.safe_load(document[4:end])
    assert isinstance(front, dict)
    return front, document[end + 5 :]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _visible(children: Sequence[Token]) -> str:
    return "".join(t.content if t.type in ("text", "code_inline") else " " for t in children
                   if t.type in ("text", "code_inline", "softbreak"))


def _find_post(chat: Chat, href: str | None, handle: str, text: str) -> Message:
    """The post a quote links to; a quote without a link: that person's post that holds it."""
    if href:
        found = [m for m in chat.messages if m.url and href in (m.url, _escaped_url(m.url))]
    else:
        found = [m for m in chat.messages
                 if m.author.handle == handle and _flat(text) in _flat(m.text)]
    assert len(found) == 1, (href, handle, text)
    return found[0]


def _escaped_url(url: str) -> str:
    return re.sub(r"[\x00-\x20()<>\\\x7f]", lambda m: f"%{ord(m.group()):02X}", url)


def _quote(paragraph: Sequence[Token], question: int, chat: Chat) -> CheckedQuote | None:
    """Read one paragraph of a question section as a quote: **Name** (@handle, role): text ↗."""
    paragraph = [t for t in paragraph if t.type != "text" or t.content]
    kinds = [t.type for t in paragraph]
    if kinds[:1] != ["strong_open"]:
        return None
    close = kinds.index("strong_close")
    end = kinds.index("link_open") if "link_open" in kinds else len(paragraph)
    credit = _CREDIT.match(_visible(paragraph[close + 1 : end]))
    assert credit is not None, _visible(paragraph)
    href = paragraph[end].attrGet("href") if end < len(paragraph) else None
    text = credit.group("quote")
    post = _find_post(chat, str(href) if href else None, credit.group("handle"), text)
    name = _visible(paragraph[1:close])
    return CheckedQuote(question, name, credit.group("handle"), text, post)


def check_recap(document: str, chat: Chat, recap: Recap | None = None) -> list[CheckedQuote]:
    """Run every check on a rendered recap; return its quotes as read back from the Markdown."""
    front, body = split_front_matter(document)
    assert set(front) <= FRONT_MATTER_KEYS and front["chat_id"] == chat.id
    assert isinstance(front["date"], datetime) and front["date"].tzinfo is not None
    assert isinstance(front["tags"], list) and all(isinstance(t, str) for t in front["tags"])
    assert all(isinstance(front[k], int) for k in ("posts", "participants", "questions"))
    tokens = MarkdownIt().parse(body)
    assert not [t for t in tokens if t.type == "html_block"]
    inline = [child for t in tokens if t.type == "inline" for child in t.children or []]
    assert not [t for t in inline if t.type in ("html_inline", "image")]
    assert [t.tag for t in tokens if t.type == "heading_open"].count("h1") == 1
    quotes, question = [], None
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            number = _QUESTION_HEADING.match(tokens[index + 1].content)
            question = int(number.group(1)) if token.tag == "h2" and number else None
        elif token.type == "inline" and question is not None and tokens[index - 1].type == (
            "paragraph_open"
        ):
            found = _quote(token.children or [], question, chat)
            quotes += [found] if found else []
    for quote in quotes:
        name = quote.post.author.display_name.strip() or quote.post.author.handle
        assert (quote.handle, quote.name) == (quote.post.author.handle, _flat(name))
        # Word for word: the recap puts a quote on one line, so line breaks read as spaces.
        assert _flat(quote.text) in _flat(quote.post.text)
        attribution = chat.attributions[quote.post.id]
        assert (attribution.kind, attribution.question_number) == (ANSWER, quote.question)
        assert quote.post.repost_of_id is None
    people = [(q.question, q.post.author.id) for q in quotes]
    assert len(people) == len(set(people))  # one quote per person per question
    if recap is not None:
        assert [q.post.id for q in quotes] == [q.message_id for qr in recap.questions
                                               for q in qr.quotes]
    return quotes


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Chat]:
    """The example chat through the real pipeline: archive, assemble, summarize, render."""
    schedule = load_schedule(ROOT / "schedules" / "solopr.toml")
    db = archive.open_archive(tmp_path_factory.mktemp("recap") / "archive.db")
    source = FIXTURES / "solopr" / "solopr-2026-03-04.twarc2.jsonl"
    _, _, chat_ids = jobs.import_sources(db, [str(source)], schedule=schedule)
    assert chat_ids == ["solopr-2026-03-04"]
    document = jobs.recap_markdown(db, chat_ids[0], schedule)
    chat = jobs.assemble_window(db, archive.chat_window(db, chat_ids[0]), schedule.aliases)
    assert chat is not None
    return document, chat


def test_example_recap_passes_every_check(example: tuple[str, Chat]) -> None:
    document, chat = example
    quotes = check_recap(document, chat)
    assert [q.question for q in quotes] == [n for n in range(1, 7) for _ in range(3)]
    assert len({q.post.author.id for q in quotes}) == 18  # spread: nobody is quoted twice
    assert document == (FIXTURES / "solopr" / "recap.golden.md").read_text(encoding="utf-8")


def test_the_checks_catch_a_misquote_a_wrong_section_and_a_wrong_name(
    example: tuple[str, Chat],
) -> None:
    document, chat = example
    lena = "I took my agency salary, added 30% for benefits and overhead"
    with pytest.raises(AssertionError):
        check_recap(document.replace(lena, lena.replace("30%", "40%")), chat)
    with pytest.raises(AssertionError):
        check_recap(document.replace("## Q2: Hourly", "## Q3: Hourly"), chat)
    with pytest.raises(AssertionError):
        check_recap(document.replace("**Lena Park** (@lenaparkcomms)", "**Lena Park** (@tomgrady)"),
                    chat)
    with pytest.raises(AssertionError):
        check_recap(document.replace("chat_id:", "layout: evil\nchat_id:"), chat)


HOST = author("kellyecrane", "Kelly <b>Crane</b>")
GUEST = author("katfrench", "Kat\u2028French\r\n---")
HOSTILE_PEOPLE = [
    ("yamlbreaker", "---\ntitle: pwned\n---",
     "A1: ---\ntitle: pwned\n--- front matter inside an answer is still text #solopr"),
    ("img_tag_", "**Bold** _it_ <img src=x onerror=alert(1)>",
     "A1: <script>alert('x')</script> **not bold** and [a link](javascript:alert(1)) inside"),
    ("__dunder__", "# Heading",
     "A1: line one\n\n## Fake heading\n- fake list item with words #solopr"),
    ("jinja", "{{ 7*7 }} {% raw %}",
     "A1: {{ recap.__class__ }} {% for x in y %} template text stays text #solopr"),
    ("pipes", "Pipe | Table", "A1: | col | col |\n|---|---|\n| a | b | tables stay text #solopr"),
    ("entity", "Ent &amp; ity", "A1: &amp; &lt;b&gt; &#169; entities stay literal text"),
    ("backslash", "Back\\slash", "A1: back\\slash \\*escaped\\* and `code` ~~strike~~ literal"),
    ("numbered", "1. Numbered", "A2: 1. Numbered start is not a list when escaped #solopr"),
    ("quoter", "> Quoter", "A2: > not a quote block, just words in a post #solopr"),
    ("plusone", "Plus One", "A2: +1 #solopr"),
    ("linker", "Linker ](x)", "A2: read https://evil.example/(x)<y> and more here #solopr"),
]


def hostile_chat() -> Chat:
    """A chat whose every name, text, link and title tries to break out of its place."""
    posts = [
        message(1, HOST, "Welcome to #solopr! Today's topic: <script>alert(1)</script> & "
                         "[links](javascript:alert(1))! Say hi", 0),
        message(2, HOST, "Q1: What **is** <b>your</b> [pitch](http://evil)? #solopr", 5),
        message(20, GUEST, "Q2: Second | question?\n---\n# heading #solopr", 30),
    ]
    for number, (handle, name, text) in enumerate(HOSTILE_PEOPLE, start=3):
        minute = 6 + number if text.startswith("A1") else 28 + number
        posts.append(message(number, author(handle, name), text, minute,
                             links=("https://evil.example/(x)<y>", "javascript:alert(1)")))
    posts[3] = replace(posts[3], url="https://twitter.com/yamlbreaker/status/3)(<x>")
    posts[4] = replace(posts[4], url="javascript:alert(1)")
    posts.append(message(40, author("reposter"), "RT @img_tag_: A1: <script>alert('x')…", 41,
                         repost_of_id=posts[4].id))
    window = ChatWindow("solopr", START, START + timedelta(hours=1), "America/New_York",
                        'x"\n---\ntitle: y', "solopr", ("kellyecrane",), ("katfrench",))
    return assemble_chat(posts, window)


def test_hostile_chat_recap_passes_every_check() -> None:
    chat = hostile_chat()
    recap = summarize(chat, quotes_per_question=10, do_not_quote=("jinja",))
    document = render_markdown(recap)
    quotes = check_recap(document, chat, recap)
    assert sorted(q.handle for q in quotes) == [
        "__dunder__", "backslash", "entity", "img_tag_", "linker", "numbered", "pipes", "quoter",
        "yamlbreaker",
    ]  # not jinja (do_not_quote), not plusone ("+1"), not the reposter
    front, body = split_front_matter(document)
    assert front["title"] == 'x"\n---\ntitle: y recap: Wednesday 4 March 2026'
    assert front["topic"] == "<script>alert(1)</script> & [links](javascript:alert(1))"
    html = MarkdownIt().render(body)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert "<h2>Fake heading" not in html and "<li>fake" not in html and "<table" not in html
    assert "<ol" not in html and "<blockquote>\n<p>not a quote" not in html
    # Jekyll (Liquid) and Hugo (shortcodes) run template tags in a page's body: none may open.
    assert "{{" not in body and "{%" not in body
    assert "{{ 7*7 }} {% raw %} (@jinja)" in unescape(html)
    by_handle = {q.handle: q for q in quotes}
    assert by_handle["img_tag_"].text == (
        "<script>alert('x')</script> **not bold** and [a link](javascript:alert(1)) inside"
    )
    assert by_handle["img_tag_"].name == "**Bold** _it_ <img src=x onerror=alert(1)>"
    assert by_handle["yamlbreaker"].name == "--- title: pwned ---"


def test_checks_hold_for_every_quote_count() -> None:
    chat = hostile_chat()
    for count in range(4):
        recap = summarize(chat, quotes_per_question=count)
        assert len(check_recap(render_markdown(recap), chat, recap)) == min(count, 5) + min(
            count, 3)


def test_template_override_is_checked_too(tmp_path: Path) -> None:
    chat = hostile_chat()
    recap = summarize(chat)
    custom = tmp_path / "recap.md.j2"
    source = (ROOT / "src" / "chatarchive" / "templates" / "recap.md.j2").read_text()
    custom.write_text(source.replace("## Themes", "## What came up"), encoding="utf-8")
    document = render_markdown(recap, custom.read_text(encoding="utf-8"))
    assert "## What came up" in document
    check_recap(document, chat, recap)
