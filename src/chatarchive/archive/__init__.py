"""The archive: the only part of chatarchive that knows SQL (through sqlite-utils).

It keeps every post losslessly (with each sighting's original record), without duplicates, and
the derived chat structure that assembly rebuilds on every run.
"""

from ._sqlite import Database as Archive
from .chats import (
    chat_ids_on,
    chat_window,
    chats_overlapping,
    list_chats,
    question_id,
    save_chat,
    save_recap,
)
from .imports import (
    ImportResult,
    add_part,
    already_imported,
    end_import,
    finish_import,
    imported_result,
    save,
    save_records,
    start_import,
)
from .state import fetch_validators, last_run, record_run, remember_fetch, run_status
from .store import (
    bursts,
    from_iso,
    hashtag_span,
    messages_between,
    open_archive,
    returning_authors,
    to_iso,
)

__all__ = [
    "Archive",
    "ImportResult",
    "add_part",
    "already_imported",
    "bursts",
    "chat_ids_on",
    "chat_window",
    "chats_overlapping",
    "end_import",
    "fetch_validators",
    "finish_import",
    "from_iso",
    "hashtag_span",
    "imported_result",
    "last_run",
    "list_chats",
    "messages_between",
    "open_archive",
    "question_id",
    "record_run",
    "remember_fetch",
    "returning_authors",
    "run_status",
    "save",
    "save_chat",
    "save_recap",
    "save_records",
    "start_import",
    "to_iso",
]
