"""``assistant ingest``: read the sources into the index."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.errors import AssistantError
from index.settings import Settings

from .boundary import Command
from .settings import settings_from_env


@click.command(cls=Command)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Build a fresh collection and swap it in when complete.")
@click.option("--if-missing", is_flag=True, help="Do nothing when an index already exists.")
@click.option("--wait", default=0.0, show_default=True, help="Seconds to wait for another ingest's lock.")
@click.option("--json", "as_json", is_flag=True, help="Print the ingest report as one JSON object on stdout (nothing else).")
def ingest(paths, rebuild, if_missing, wait, as_json):
    """Read .md/.txt sources (default: ASSISTANT_SOURCES) into the index.

    On a terminal, progress bars (reading, parsing, embedding: counts, rate, ETA) go to stderr; when stderr is
    not a terminal nothing but the report is printed."""
    from index.ingest import Progress, ingest as run_ingest

    s = settings_from_env()
    if if_missing and index_exists(s):
        if as_json:
            click.echo(json.dumps({"skipped": True, "reason": "index present", "location": str(s.index.chroma_location)}))
        else:
            click.echo(f"Index present at {s.index.chroma_location}; nothing to do.")
        return
    from assistant.answering.learned import model_file

    # The answer models are stored with the index, so every server reading it answers alike.
    attachments = {"answer_model": model_file(s).read_text(encoding="utf-8")}
    report = run_ingest(s, list(paths) or None, rebuild=rebuild, show_progress=Progress(stderr_is_tty()), wait=wait,
                        attachments=attachments)
    for line in report.errors:
        click.echo(f"Skipped {line}", err=True)
    if as_json:
        click.echo(json.dumps({"skipped": False, **report.as_dict()}))
        if report.errors:
            sys.exit(1)
        return
    click.echo(f"Sources read: {len(report.sources)} ({', '.join(report.sources) or 'none'})")
    click.echo(f"Passages: {report.added} added, {report.unchanged} unchanged, {report.removed} removed "
               f"({report.passages} in {report.collection}); texts embedded: {report.embedded}")
    click.echo(f"Took {report.seconds:.2f} s")
    if report.errors:
        sys.exit(1)


def stderr_is_tty() -> bool:
    """Whether progress bars are wanted: stderr is a terminal (tests force this one check)."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def index_exists(s: Settings) -> bool:
    from index import store

    try:
        return store.read_active(store.connect(s), s) is not None
    except AssistantError:
        return False
