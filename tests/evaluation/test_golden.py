"""Every golden file in tests/golden/ through the same evaluation code as `assistant eval`, against the seed index.

These rows are in the shipped model's training data (tests/golden/corpus/article.*.jsonl link to them), so the
figures are in-sample: a regression gate at the level measured when the learned models replaced the hand-tuned
rules (README, "How good are the answers"), not a result. The figure that counts is `assistant eval --loao`.
The floors keep one row of margin on the 49 answerable rows of project.jsonl: a retraining that moves one borderline
row across the refusal threshold (p 0.299 against 0.306) is noise, not a regression."""
from __future__ import annotations

import pytest

from conftest import GOLDEN_DIR

from assistant.evaluation import golden
from assistant.evaluation.reports.terminal import terminal
from assistant.evaluation.scoring import LocalRunner, Thresholds, evaluate

GATE = Thresholds(min_correct=0.86, min_citation=0.87, min_refusal=0.6, max_false_refusal=0.12)

FILES = sorted(GOLDEN_DIR.glob("*.jsonl"))


def test_there_are_golden_files():
    assert any(p.name == "public.jsonl" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_golden_file(path, assistant):
    rows = golden.load(path)  # a malformed file fails here, naming FILE:LINE
    ev = evaluate(rows, LocalRunner(assistant), thresholds=GATE, files=[path])
    table = terminal(ev)
    print(table)
    if not ev.passed:  # the table, not the Evaluation repr
        pytest.fail("\n" + table, pytrace=False)
