"""``assistant eval --loao``: the per-article table of leave-one-article-out scores (the figure that counts)."""
from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path

import click

from .settings import settings_from_env

COLUMNS = (("correct", "correct"), ("refusal", "oos-refused"), ("false_refusal", "false-ref"),
           ("citation_first", "cite-1st"))


def table(results) -> tuple[list[str], dict, float, bool]:
    """The per-article lines and the mean line; each figure's mean over the articles; the share of all rows
    right (answered right, or rightly refused); whether every article met every threshold."""
    lines = [f"{'article (left out)':<36}{'rows':>6}" + "".join(f"{label:>13}" for _, label in COLUMNS)
             + f"{'rows-right':>13}   result"]
    passed = True
    for name, ev in results:
        s = ev.summary
        passed &= ev.passed
        cells = "".join(f"{_cell(s.get(k)):>13}" for k, _ in COLUMNS)
        share = s["passed"] / s["rows"] if s["rows"] else None
        lines.append(f"{name:<36}{s['rows']:>6}{cells}{_cell(share):>13}   {'PASS' if ev.passed else 'FAIL'}")
    means = {k: _mean(ev.summary.get(k) for _, ev in results) for k, _ in COLUMNS}
    rows = sum(ev.summary["rows"] for _, ev in results)
    right = sum(ev.summary["passed"] for _, ev in results) / rows if rows else 0.0
    lines.append(f"{'mean':<36}{rows:>6}" + "".join(f"{_cell(means[k]):>13}" for k, _ in COLUMNS) + f"{right:>13.3f}")
    return lines, means, right, passed


def _mean(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 4) if present else None


def _cell(value) -> str:
    return "-" if value is None else format(value, ".3f")


def leave_one_article_out(files, source_dirs, thresholds, report_dir, only=(), held_out_dir: Path | None = None,
                          together: bool = False, fold_models: Path | None = None, replay: bool = False) -> int:
    """Print the table; 0 when every scored article meets every threshold, else 1. With ``held_out_dir``, each
    article is scored on its golden files in that folder (rows never trained on) instead of FILES' rows; with
    ``together``, every article is answered from one index holding them all."""
    from assistant.answering.learned import Models
    from assistant.evaluation import golden, training

    held_out = None
    if held_out_dir is not None:
        held_out = training.by_article(sorted(held_out_dir.glob("*.jsonl")))
        covered = set(training.by_article(files))
        if not held_out.keys() & covered:
            raise click.BadParameter(f"{held_out_dir} has no NAME.jsonl for any article of FILES "
                                     f"({', '.join(sorted(covered))})", param_hint="--held-out")
        for paths in held_out.values():
            golden.load_many(paths)  # every held-out row validated before anything is indexed
    for saved in sorted(fold_models.glob("*.json")) if fold_models is not None else []:
        try:  # every saved fold checked before anything is indexed
            Models.load(saved)
        except (ValueError, KeyError, TypeError) as e:
            raise click.BadParameter(f"{saved}: {e}; delete {fold_models} to train the folds again",
                                     param_hint="--fold-models") from None
    with tempfile.TemporaryDirectory(prefix="assistant-loao-") as work:
        sets = training.article_sets(files, source_dirs, settings_from_env(), Path(work))
        unknown = set(only) - {s.name for s in sets}
        if unknown:
            raise click.BadParameter(f"no golden file for {', '.join(sorted(unknown))}", param_hint="--only")
        shared = training.together(sets, Path(work)) if together else None
        results = training.leave_one_article_out(sets, sets[0].assistant.settings, thresholds=thresholds,
                                                   only=set(only), held_out=held_out, together=shared,
                                                   fold_models=fold_models, replay=replay)
    if held_out_dir is not None:
        click.echo(f"Rows scored: the held-out files in {held_out_dir} (the models train on FILES of the other articles)")
    if together:
        click.echo(f"Answered from one index holding all {len(sets)} articles (as when several are in sources/)")
    if replay:
        click.echo("Conversations replayed: each row's earlier questions asked first, their answers as its history")
    lines, means, right, passed = table(results)
    for line in lines:
        click.echo(line)
    mean = means["correct"] or 0.0
    if report_dir:
        report_dir.mkdir(parents=True, exist_ok=True)
        out = report_dir / "loao.json"
        out.write_text(json.dumps({"mean_correct": round(mean, 4), "mean": means,
                                   "rows_right": round(right, 4), "thresholds": thresholds.__dict__,
                                   "held_out": str(held_out_dir) if held_out_dir is not None else None,
                                   "together": together,
                                   "articles": {name: ev.summary for name, ev in results}}, indent=1))
        click.echo(f"\nReport: {out}")
    return 0 if passed else 1
