"""Render a recap through a Jinja2 template: the bundled one, or a schedule's own.

The only module that uses Jinja2. Autoescape is off because the output is Markdown, not HTML:
every participant-supplied string goes through the ``md`` filter instead, front-matter values
through ``yaml`` and link targets through ``mdurl``.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from chatarchive.errors import ChatArchiveError
from chatarchive.models import Recap

from .context import template_context
from .escape import md, md_url, yaml_scalar


@cache
def _environment() -> SandboxedEnvironment:
    # Sandboxed because a schedule may point at its own template; Markdown, so no autoescape.
    environment = SandboxedEnvironment(
        autoescape=False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(md=md, yaml=yaml_scalar, mdurl=md_url)
    return environment


def bundled_template() -> str:
    """Return the text of the bundled recap template."""
    return (files("chatarchive") / "templates" / "recap.md.j2").read_text(encoding="utf-8")


def render_markdown(recap: Recap, template: str | None = None) -> str:
    """Render a recap as Markdown, with the bundled template or the given template text."""
    source = bundled_template() if template is None else template
    try:
        return _environment().from_string(source).render(template_context(recap))
    except TemplateError as error:
        line = getattr(error, "lineno", None)
        where = f" (line {line})" if line else ""
        raise ChatArchiveError(
            f"recap template{where}: {error.message or error}; fix the template, or drop "
            "recap.template from the schedule to use the bundled one"
        ) from error
