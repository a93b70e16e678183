"""Choose the answers a recap quotes, and find a chat's themes, links and counts.

Pure and deterministic. ``text`` is the only module here that uses NLTK and stop-words;
``quotes`` scores and picks answers, ``phrases`` finds themes, ``urls`` counts links, ``reposts``
counts reposts and engagement, ``vectors`` is the TF-IDF arithmetic and ``recap`` puts it
together.
"""

from .phrases import themes
from .quotes import has_substance, quote_text
from .recap import summarize
from .reposts import archived_reposts
from .text import clear_caches
from .urls import links

__all__ = [
    "archived_reposts",
    "clear_caches",
    "has_substance",
    "links",
    "quote_text",
    "summarize",
    "themes",
]
