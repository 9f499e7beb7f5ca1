"""``assistant train``: the selection and answerability models from golden files, one file per article.

Each golden file ``NAME.jsonl`` covers the source ``NAME.md`` (or ``.txt``) found in ``--sources`` folders; every
article is indexed alone in a temporary folder. The model file records the golden data it was trained on."""
from __future__ import annotations

import tempfile
from pathlib import Path

import click

from .boundary import USAGE_EXIT, Command
from .settings import settings_from_env

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = (ROOT / "sources", ROOT / "tests" / "data" / "corpus")


def sources_option(f):
    return click.option("--sources", "source_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path),
                        help="Folders holding the articles the golden files are named after (repeatable; default: "
                             "sources/ and tests/data/corpus/).")(f)


@click.command(cls=Command, error_exit_code=USAGE_EXIT)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@sources_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the model file (JSON). The packaged default is assistant/answering/model.json.")
def train(files, source_dirs, output):
    """Train the answer models on golden FILES (one per article, named after it)."""
    from assistant.evaluation import training

    with tempfile.TemporaryDirectory(prefix="assistant-train-") as work:
        sets = training.article_sets(files, list(source_dirs) or list(DEFAULT_SOURCES), settings_from_env(), Path(work))
        models = training.train_file(sets, sets[0].assistant.settings)
    output.write_text(models.to_json() + "\n")
    n = sum(len(s.rows) for s in sets)
    click.echo(f"Trained on {n} rows of {len(sets)} articles; answer threshold {models.threshold:.3f}, "
               f"off-topic threshold {models.topical_threshold:.3f}. Wrote {output}")
