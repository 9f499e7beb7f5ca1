"""``assistant eval``: score golden-answer files against the assistant.

Exit codes: 0 every threshold met, 1 a threshold missed, 2 bad input or usage (a malformed golden file, an
unreadable --compare report, no rows for --tag, a missing index, an unreachable --url server)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from assistant.evaluation.scoring import DEFAULT_THRESHOLDS

from .boundary import USAGE_EXIT, Command
from .settings import settings_from_env
from .train import DEFAULT_SOURCES, sources_option


def fraction_option(name: str):
    return click.option(name, type=click.FloatRange(0.0, 1.0), show_default=True,
                        default=getattr(DEFAULT_THRESHOLDS, name.lstrip("-").replace("-", "_")))


# Every error before the verdict is exit 2, so CI never reads it as a missed threshold (exit 1).
@click.command("eval", cls=Command, error_exit_code=USAGE_EXIT)
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write report.json, report.html and junit.xml into this folder.")
@click.option("--url", help="Ask a running server (POST URL/api/ask) instead of answering in this process.")
@fraction_option("--min-correct")
@fraction_option("--min-citation")
@fraction_option("--min-refusal")
@fraction_option("--max-false-refusal")
@click.option("--tag", "tags", multiple=True, help="Only rows with this tag (repeatable: any of them).")
@click.option("--compare", "compare_path", type=click.Path(path_type=Path),
              help="An earlier report.json (or its folder): print per-figure deltas and the rows that flipped.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds per HTTP request with --url.")
@click.option("--loao", is_flag=True, help="Leave one article out: FILES are one golden file per article (named after "
              "it); for each article, train the answer models on the others and score its rows.")
@sources_option
@click.option("--only", "only", multiple=True, help="With --loao: score only these articles (all still train the others).")
@click.option("--held-out", "held_out_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="With --loao: score each article on its golden files in this folder (NAME.jsonl, rows the models "
              "never train on) instead of FILES' rows; FILES still train.")
@click.option("--together", is_flag=True, help="With --loao: answer every article from one index holding all of them "
              "(as when several articles are in sources/) instead of each article's own index.")
@click.option("--fold-models", "fold_models", type=click.Path(file_okay=False, path_type=Path),
              help="With --loao: read each article's models from NAME.json in this folder, or train and save them there "
              "when missing. Rerunning changed code with the same models shows exactly what the change flips.")
@click.option("--replay-history", "replay", is_flag=True, help="Ask each row's earlier questions first and use the "
              "answers given as its history, instead of the file's (often shortened) assistant turns: follow-ups "
              "scored as the product meets them.")
def eval_cmd(files, report_dir, url, min_correct, min_citation, min_refusal, max_false_refusal, tags, compare_path,
             timeout, loao, source_dirs, only, held_out_dir, together, fold_models, replay):
    """Score golden-answer FILES (JSONL, see tests/golden/README.md) against the assistant.

    Every row of every file is validated before anything runs. Deterministic: no judge model."""
    from assistant.evaluation import golden
    from assistant.evaluation.compare import compare, load_report
    from assistant.evaluation.reports import write_all
    from assistant.evaluation.reports.terminal import compare_text, terminal
    from assistant.evaluation.scoring import (EvalError, HttpRunner, LocalRunner, ReplayRunner, Thresholds, evaluate,
                                              select, stderr_progress)

    thresholds = Thresholds(min_correct, min_citation, min_refusal, max_false_refusal)
    rows = golden.load_many(files)
    if held_out_dir is not None and not loao:
        raise click.UsageError("--held-out goes with --loao (models trained on the other articles score the held-out rows)")
    if together and not loao:
        raise click.UsageError("--together goes with --loao (each article's rows answered from one index of all the articles)")
    if fold_models is not None and not loao:
        raise click.UsageError("--fold-models goes with --loao (the models of each left-out article's fold)")
    if loao:
        from .loao import leave_one_article_out

        sys.exit(leave_one_article_out(files, list(source_dirs) or list(DEFAULT_SOURCES), thresholds, report_dir, only,
                                       held_out_dir, together, fold_models, replay))
    chosen = select(rows, tags)
    if not chosen:
        have = sorted({t for r in rows for t in r.tags})
        raise EvalError(f"no rows tagged {', '.join(tags)}; tags in these files: {', '.join(have) or 'none'}")
    old = load_report(compare_path) if compare_path else None
    if url and not url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--url")
    settings = settings_from_env()
    if url:
        runner = HttpRunner(url, timeout=timeout, k=settings.retrieval.top_k)
    else:
        from assistant import Assistant

        # no answer cache: every row is answered (and timed) for real, even a repeated question
        runner = LocalRunner(Assistant.load(settings.with_(cache_size=0)))
    if replay:
        runner = ReplayRunner(runner)
    progress = stderr_progress if sys.stderr.isatty() else None
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
