"""``assistant golden draft``: candidate golden rows from the sources."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .boundary import USAGE_EXIT, Command
from .settings import settings_from_env


@click.group("golden")
def golden_group():
    """Golden-answer files (format: tests/golden/README.md)."""


@golden_group.command("draft", cls=Command, error_exit_code=USAGE_EXIT)
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rows to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
def draft_cmd(sources, output, force):
    """Candidate rows from the FAQ pairs and section headings of SOURCES (default: ASSISTANT_SOURCES).

    Each row has the question and must_cite phrases from the passage; key_facts are left empty for you to
    fill in. Review every row before adding it to a golden file."""
    from assistant.evaluation.draft import draft_from_paths

    paths = list(sources) or list(settings_from_env().index.sources)
    rows = draft_from_paths(paths)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if output:
        if output.exists() and not force:
            click.echo(f"Error: {output} exists; use --force to overwrite it (your filled-in key facts would be lost).", err=True)
            sys.exit(USAGE_EXIT)
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(rows)} candidate rows to {output}; fill in key_facts, check must_cite, add "
                   f"unanswerable rows.", err=True)
    else:
        click.echo(text, nl=False)
