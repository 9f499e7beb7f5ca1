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
@click.option("--if-missing", is_flag=True,
              help="Do nothing when an index this version built already exists (one from another version is updated).")
@click.option("--wait", default=0.0, show_default=True, help="Seconds to wait for another ingest's lock.")
@click.option("--json", "as_json", is_flag=True, help="Print the ingest report as one JSON object on stdout (nothing else).")
def ingest(paths, rebuild, if_missing, wait, as_json):
    """Read .md/.txt sources (default: ASSISTANT_SOURCES) into the index.

    On a terminal, progress bars (reading, parsing, embedding: counts, rate, ETA) go to stderr; when stderr is
    not a terminal nothing but the report is printed."""
    from index.ingest import Progress, ingest as run_ingest

    from assistant.answering.learned import model_file

    s = settings_from_env()
    # The answer models are stored with the index, so every server reading it answers alike.
    attachments = {"answer_model": model_file(s).read_text(encoding="utf-8")}
    stale = out_of_date(s, attachments) if if_missing else None
    if stale == "":
        if as_json:
            click.echo(json.dumps({"skipped": True, "reason": "index present", "location": str(s.index.chroma_location)}))
        else:
            click.echo(f"Index present at {s.index.chroma_location}; nothing to do.")
        return
    if stale and not as_json:
        click.echo(f"Index at {s.index.chroma_location} {stale}: updating it (unchanged passages are kept).")
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


def out_of_date(s: Settings, attachments: dict) -> str | None:
    """Why the active index is not what this version would build from the same sources (another embedding model or
    passage pipeline built it, or other answer models are stored with it); '' when it is; None when there is no
    index."""
    from index import store
    from index.ingest import built_otherwise

    try:
        active = store.read_active(store.connect(s), s)
    except AssistantError:
        return None
    if active is None:
        return None
    if built_otherwise(active, s):
        return "was built by another embedding model or passage pipeline"
    if (active.settings.get("attachments") or {}).get("answer_model") != attachments["answer_model"]:
        return "holds other answer models than this version's"
    return ""
