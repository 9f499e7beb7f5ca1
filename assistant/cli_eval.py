"""``assistant eval`` and ``assistant golden draft``.

Exit codes of ``eval``: 0 every threshold met, 1 a threshold missed, 2 bad input or usage (a malformed golden
file, an unreadable --compare report, no rows for --tag, a missing index, an unreachable --url server)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from index.errors import AssistantError

from .cli_errors import friendly


# Every error before the verdict is exit 2, so CI never reads it as a missed threshold (exit 1).
_usage_errors = friendly(exit_code=2)


def _fraction(name: str):
    from .evaluation import DEFAULT_THRESHOLDS

    return click.option(name, type=click.FloatRange(0.0, 1.0), show_default=True,
                        default=getattr(DEFAULT_THRESHOLDS, name.lstrip("-").replace("-", "_")))


@click.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write report.json, report.html and junit.xml into this folder.")
@click.option("--url", help="Ask a running server (POST URL/api/ask) instead of answering in this process.")
@_fraction("--min-correct")
@_fraction("--min-citation")
@_fraction("--min-refusal")
@_fraction("--max-false-refusal")
@click.option("--tag", "tags", multiple=True, help="Only rows with this tag (repeatable: any of them).")
@click.option("--compare", "compare_path", type=click.Path(path_type=Path),
              help="An earlier report.json (or its folder): print per-figure deltas and the rows that flipped.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per HTTP request with --url.")
@_usage_errors
def eval_cmd(files, report_dir, url, min_correct, min_citation, min_refusal, max_false_refusal, tags, compare_path,
             timeout):
    """Score golden-answer FILES (JSONL, see tests/golden/README.md) against the assistant.

    Every row of every file is validated before anything runs. Deterministic: no judge model."""
    from . import golden
    from .cli import settings_from_env
    from .evaluation import (EvalError, HttpRunner, LocalRunner, Thresholds, _stderr_progress, compare, evaluate,
                             load_report, select)
    from .reports import compare_text, terminal, write_all

    thresholds = Thresholds(min_correct, min_citation, min_refusal, max_false_refusal)
    rows = golden.load_many(files)
    chosen = select(rows, tags)
    if not chosen:
        have = sorted({t for r in rows for t in r.tags})
        raise EvalError(f"no rows tagged {', '.join(tags)}; tags in these files: {', '.join(have) or 'none'}")
    old = load_report(compare_path) if compare_path else None
    if url and not url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--url")
    settings = settings_from_env()
    if url:
        runner = HttpRunner(url, timeout=timeout, k=settings.top_k)
    else:
        from .core import Assistant

        # no answer cache: every row is answered (and timed) for real, even a repeated question
        runner = LocalRunner(Assistant.load(settings.with_(cache_size=0)))
    progress = _stderr_progress if sys.stderr.isatty() else None
    ev = evaluate(chosen, runner, thresholds=thresholds, files=files, tags=tags, progress=progress)
    click.echo(terminal(ev))
    comparison = None
    if old is not None:
        comparison = compare(old, ev.to_dict())
        click.echo()
        click.echo(compare_text(comparison, str(compare_path)))
    if report_dir:
        paths = write_all(ev, report_dir, comparison)
        click.echo(f"\nReports: {', '.join(str(p) for p in paths)}")
    sys.exit(0 if ev.passed else 1)


@click.group("golden")
def golden_group():
    """Golden-answer files (format: tests/golden/README.md)."""


@golden_group.command("draft")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the rows to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@_usage_errors
def draft_cmd(sources, output, force):
    """Candidate rows from the FAQ pairs and section headings of SOURCES (default: ASSISTANT_SOURCES).

    Each row has the question and must_cite phrases from the passage; key_facts are left empty for you to
    fill in. Review every row before adding it to a golden file."""
    from .cli import settings_from_env
    from .draft import draft_from_paths

    paths = list(sources) or list(settings_from_env().sources)
    rows = draft_from_paths(paths)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if output:
        if output.exists() and not force:
            click.echo(f"Error: {output} exists; use --force to overwrite it (your filled-in key facts would be lost).", err=True)
            sys.exit(2)
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(rows)} candidate rows to {output}; fill in key_facts, check must_cite, add "
                   f"unanswerable rows.", err=True)
    else:
        click.echo(text, nl=False)
