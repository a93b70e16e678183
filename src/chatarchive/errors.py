"""The one error tree of chatarchive. Every message says what went wrong and how to fix it.

    ChatArchiveError            a user-facing problem; the CLI prints it and exits 1
    ├── ScheduleError           a schedule file is wrong (names the file and the key)
    ├── SourceError             a source cannot be read or fetched (names the source)
    ├── FormatError             an export's format is unknown or unreadable as a whole
    ├── ArchiveError            the archive file is not a chatarchive archive, or is newer
    └── NotFoundError           a chat or recap that was asked for does not exist
"""

from __future__ import annotations


class ChatArchiveError(Exception):
    """A problem the user can fix; ``str(error)`` says what and how."""


class ScheduleError(ChatArchiveError):
    """A schedule file is invalid."""

    def __init__(self, path: object, key: str | None, problem: str) -> None:
        self.path = str(path)
        self.key = key
        self.problem = problem
        where = f"{self.path}: key '{key}'" if key else self.path
        super().__init__(f"{where}: {problem}")


class SourceError(ChatArchiveError):
    """A source could not be read or fetched."""

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


class FormatError(ChatArchiveError):
    """An export could not be read as any (or the requested) format."""

    def __init__(self, origin: str, problem: str) -> None:
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


class ArchiveError(ChatArchiveError):
    """The archive file cannot be used."""


class NotFoundError(ChatArchiveError):
    """Something asked for by name does not exist."""
