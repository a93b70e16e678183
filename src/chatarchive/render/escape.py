"""Escape participants' text for Markdown, YAML front matter and Markdown link targets."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

# Escaping is minimal so the recap's Markdown source stays readable for people who paste it:
# only characters that can open inline markup anywhere (code, emphasis, links, HTML, entities,
# strikethrough, table cells) are escaped; "_" only where it could open emphasis (not inside
# words such as handles), and the block markers only where the text starts (headings, lists,
# quotes, front matter).
_MD_INLINE = re.compile(r"([\\`*\[\]<>~|])|&(?=#?\w+;)|(?<![^\W_])_|_(?![^\W_])")
_MD_BLOCK_START = re.compile(r"^(#|[-+=>]|\d+(?=[.)]))")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")
# Characters YAML will not take raw inside a double-quoted scalar (or folds as a line break).
_YAML_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# Site generators run template tags in a page's body: Jekyll's Liquid ("{{ x }}", "{% x %}") and
# Hugo's shortcodes ("{{< x >}}"). An entity for the "{" that opens one shows the same text.
_TEMPLATE_OPEN = re.compile(r"\{(?=[{%])")
# Characters that would end or break a Markdown link destination, or open a template tag.
_URL_UNSAFE = re.compile(r"[\x00-\x20()<>\\\x7f{}]")


def md(value: object) -> str:
    """Escape text so Markdown shows it literally, on one line, without surrounding blanks."""
    text = _LINE_BREAK.sub(" ", str(value)).strip()
    text = _MD_INLINE.sub(lambda m: "\\" + m.group(), text)
    text = _TEMPLATE_OPEN.sub("&#123;", text)
    return _MD_BLOCK_START.sub(lambda m: m.group() + "\\" if m.group()[0].isdigit()
                               else "\\" + m.group(), text)


def yaml_scalar(value: object) -> str:
    """Quote a value as a YAML double-quoted scalar (a JSON string, made safe for YAML)."""
    quoted = json.dumps(str(value), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def md_url(value: object) -> str:
    """Make a URL safe as a Markdown link target; anything but http(s) becomes empty."""
    url = str(value)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    return _URL_UNSAFE.sub(lambda match: f"%{ord(match.group()):02X}", url)
