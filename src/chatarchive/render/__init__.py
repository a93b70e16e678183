"""Render a recap as Markdown with YAML front matter, escaping what participants wrote.

Pure and deterministic: times come from the recap, never from the clock. ``template`` renders
(the only Jinja2 user), ``context`` builds what the template sees, ``escape`` makes text safe for
Markdown and YAML, ``times`` and ``notes`` word dates and gaps in the capture.
"""

from .context import chat_topic, link_labels, top_contributors
from .escape import md, md_url, yaml_scalar
from .notes import capture_notes
from .template import bundled_template, render_markdown
from .times import long_date, time_range

__all__ = [
    "bundled_template",
    "capture_notes",
    "chat_topic",
    "link_labels",
    "long_date",
    "md",
    "md_url",
    "render_markdown",
    "time_range",
    "top_contributors",
    "yaml_scalar",
]
