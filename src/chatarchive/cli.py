"""The command line: a thin click layer over jobs. The archive path comes first.

Errors from the error tree become a message on stderr and exit status 1, never a traceback.
Heavy modules are imported inside the commands so that ``--help`` starts fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .errors import ChatArchiveError

if TYPE_CHECKING:
    from .archive import ImportResult
    from .jobs import Skipped

log = logging.getLogger("chatarchive")


class _Group(click.Group):
    """Turns every ChatArchiveError into a clean message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ChatArchiveError as error:
            raise click.ClickException(str(error)) from error


def _setup_logging(verbose: int, log_file: str | None = None) -> None:
    level = logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING
    handler: logging.Handler = (
        logging.FileHandler(log_file, encoding="utf-8") if log_file
        else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


@click.group(cls=_Group)
@click.version_option(package_name="chatarchive")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def cli(verbose: int) -> None:
    """Archive hashtag chats from exports and write a recap after each chat."""
    _setup_logging(verbose)


def _archive(path: str) -> Any:
    from .archive import open_archive

    return open_archive(path)


def _import(archive_path: str, sources: tuple[str, ...], fmt: str, columns: tuple[str, ...],
            schedule_file: str | None) -> tuple[list[ImportResult], list[Skipped], list[str]]:
    from . import jobs
    from .schedules import load_schedule

    schedule = load_schedule(schedule_file) if schedule_file else None
    options = _column_options(columns)
    if schedule is not None and not options:
        options = dict(schedule.source.options)
    db = _archive(archive_path)
    return jobs.import_sources(db, sources, fmt, schedule, _echo_result, options)


def _echo_result(result: ImportResult) -> None:
    if result.unchanged:
        click.echo(f"{result.origin}: already imported, nothing new", err=True)
        return
    click.echo(
        f"{result.origin}: {result.format}: {result.read} read, {result.new} new,"
        f" {result.duplicate} duplicate, {result.rejected} rejected", err=True,
    )
    for error in result.errors:
        click.echo(f"  {result.origin}, {error.location}: {error.reason}", err=True)
    if result.rejected > len(result.errors):
        click.echo(f"  ... and {result.rejected - len(result.errors)} more; see the"
                   f" import_errors table (import_id {result.import_id})", err=True)


@cli.command(name="import")
@click.argument("archive_path", metavar="ARCHIVE")
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True)
@click.option("--format", "fmt", default="auto", show_default=True,
              help="Export format; see 'chatarchive formats'.")
@click.option("--column", "columns", multiple=True, metavar="KEY=COLUMN",
              help="Map a CSV column, e.g. --column text=content --column author=nick"
              " (keys: text, id, author, author_id, display_name, created_at, date, url, ...).")
@click.option("--schedule", "schedule_file", type=click.Path(dir_okay=False),
              help="A schedule file: assemble chats in its windows instead of detecting them.")
def import_(archive_path: str, sources: tuple[str, ...], fmt: str, columns: tuple[str, ...],
            schedule_file: str | None) -> None:
    """Archive every post of SOURCE (file, folder, glob, URL or - for stdin).

    Importing is idempotent. The chats the new posts touch are (re)assembled.
    """
    from . import lanes

    # A worker for half of a large export starts now, loading while this process does.
    with lanes.keeping(warm=any(map(lanes.large_file, sources))):
        results, skipped, chats = _import(archive_path, sources, fmt, columns, schedule_file)
    for skip in skipped:
        click.echo(f"{skip.origin}: skipped, {skip.reason}", err=True)
    totals = [sum(getattr(r, k) for r in results) for k in ("read", "new", "duplicate",
                                                             "rejected")]
    click.echo(f"Total: {totals[0]} read, {totals[1]} new, {totals[2]} duplicate,"
               f" {totals[3]} rejected; {len(chats)} chat(s) assembled"
               + (f": {', '.join(chats[:10])}" if chats else "")
               + (f" and {len(chats) - 10} more (chatarchive chats)" if len(chats) > 10 else ""),
               err=True)


def _column_options(columns: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for item in columns:
        key, sep, column = item.partition("=")
        if not sep or not key.strip() or not column.strip():
            raise click.BadParameter(f"'{item}' should read KEY=COLUMN, e.g. text=content",
                                     param_hint="--column")
        options[key.strip()] = column.strip()
    return options


@cli.command()
@click.argument("archive_path", metavar="ARCHIVE")
@click.option("--hashtag", help="Only chats of this hashtag.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def chats(archive_path: str, hashtag: str | None, as_json: bool) -> None:
    """List the chats in the archive, newest first."""
    from .archive import list_chats

    rows = list_chats(_archive(archive_path), hashtag)
    for row in rows:
        row["completeness"] = json.loads(row["completeness"] or "{}")
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No chats yet: import an export with 'chatarchive import'.", err=True)
        return
    click.echo(f"{'id':<28} {'hashtag':<12} {'start (UTC)':<17} {'questions':>9} {'posts':>6}"
               f" {'participants':>12}  capture")
    for row in rows:
        start = row["starts_at"][:16].replace("T", " ")
        click.echo(f"{row['id']:<28} {row['hashtag']:<12} {start:<17} {row['questions']:>9}"
                   f" {row['posts']:>6} {row['participants']:>12}  "
                   + _capture_note(row["completeness"]))


def _capture_note(completeness: dict[str, Any]) -> str:
    """A few words on what a chat's capture seems to miss: 'complete' when nothing."""
    notes = []
    if missing := completeness.get("missing_questions"):
        notes.append("missing " + ", ".join(f"Q{n}" for n in missing))
    if orphans := completeness.get("answers_without_question"):
        notes.append(f"{orphans} answers to no question")
    if gaps := completeness.get("gaps"):
        notes.append(f"{len(gaps)} silent gap{'s' if len(gaps) > 1 else ''}")
    if replies := completeness.get("replies_to_missing"):
        notes.append(f"{replies} replies to posts not captured")
    return "; ".join(notes) if notes else "complete"


@cli.command()
@click.argument("archive_path", metavar="ARCHIVE")
@click.argument("chat_id")
@click.option("-o", "--output", default="-", show_default=True,
              help="Write the recap to this file; - for stdout.")
@click.option("--schedules", "schedules_dir", default="schedules", show_default=True,
              type=click.Path(file_okay=False),
              help="Where to find the chat's schedule (for do_not_quote, template, next chat).")
def recap(archive_path: str, chat_id: str, output: str, schedules_dir: str) -> None:
    """Write the Markdown recap of one chat."""
    from . import jobs
    from .archive import save_recap

    db = _archive(archive_path)
    schedule = jobs.schedule_of(db, chat_id, Path(schedules_dir))
    markdown = jobs.recap_markdown(db, chat_id, schedule)
    if output == "-":
        click.echo(markdown, nl=False)
        save_recap(db, chat_id, markdown, None)
        return
    jobs.write_atomically(Path(output), markdown)
    save_recap(db, chat_id, markdown, output)
    click.echo(f"Wrote {output}", err=True)


@cli.command()
@click.argument("archive_path", metavar="ARCHIVE")
@click.option("--schedules", "schedules_dir", default="schedules", show_default=True,
              type=click.Path(file_okay=False), help="Folder of schedule files (*.toml).")
@click.option("--recaps", "recaps_dir", default="recaps", show_default=True,
              type=click.Path(file_okay=False), help="Base folder for recap files.")
@click.option("--once", is_flag=True,
              help="Catch up every occurrence that is due, print each recap written, then exit.")
@click.option("--log-file", type=click.Path(dir_okay=False),
              help="Log to this file instead of stderr (reopened after logrotate).")
@click.option("-v", "--verbose", count=True,
              help="More log output, -vv for debug ('chatarchive -v run' works too).")
@click.option("--reload-every", default=30, show_default=True, type=click.IntRange(min=1),
              help="Seconds between looks for added, changed or removed schedule files"
              " (SIGHUP: at once).")
@click.pass_context
def run(ctx: click.Context, archive_path: str, schedules_dir: str, recaps_dir: str, once: bool,
        log_file: str | None, verbose: int, reload_every: int) -> None:
    """Run the background job: fetch, archive, assemble and recap each chat when it ends.

    Every occurrence missed while it was not running is caught up at start. SIGTERM or SIGINT
    stops it after the current step; SIGHUP reloads the schedules folder. Logs go to stderr
    (INFO; with --once only warnings) or to --log-file.
    """
    from datetime import timedelta

    from .daemon import DaemonConfig, run_daemon, run_once, setup_logging

    group_verbose = ctx.parent.params.get("verbose", 0) if ctx.parent else 0
    setup_logging(verbose + (group_verbose or 0), log_file, daemon=not once)
    config = DaemonConfig(archive_path=Path(archive_path), schedules_dir=Path(schedules_dir),
                          recaps_dir=Path(recaps_dir),
                          reload_every=timedelta(seconds=reload_every))
    if once:
        run_once(config, lambda path: click.echo(str(path)))
    else:
        run_daemon(config)


@cli.command()
@click.argument("archive_path", metavar="ARCHIVE")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
def serve(archive_path: str, host: str, port: int) -> None:
    """Browse the archive in Datasette (read-only) with the bundled metadata."""
    from .serve import serve as run_datasette

    if Path(archive_path).is_file():
        _archive(archive_path).close()  # bring an older archive's schema up to date first
    click.echo(f"Serving {archive_path} at http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    run_datasette(Path(archive_path), host, port)


@cli.command(name="formats")
def formats_() -> None:
    """List the export formats chatarchive reads, and where such files come from."""
    from . import formats

    known = formats.available()
    width = max(len(fmt.name) for fmt in known)
    for fmt in known:
        click.echo(f"{fmt.name:<{width}}  {fmt.description}")
        click.echo(f"{'':<{width}}  from: {fmt.origin_hint}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="chatarchive")
