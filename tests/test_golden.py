"""Every golden file in tests/golden/ through the same evaluation code as `assistant eval`, failing on the same
default thresholds (min-correct 0.95, min-citation 0.95, min-refusal 0.95, max-false-refusal 0.05)."""
from __future__ import annotations

import pytest

from conftest import GOLDEN_DIR

from assistant import golden
from assistant.evaluation import DEFAULT_THRESHOLDS, LocalRunner, evaluate
from assistant.reports import terminal

FILES = sorted(GOLDEN_DIR.glob("*.jsonl"))


def test_there_are_golden_files():
    assert any(p.name == "public.jsonl" for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_golden_file(path, assistant):
    rows = golden.load(path)  # a malformed file fails here, naming FILE:LINE
    ev = evaluate(rows, LocalRunner(assistant), thresholds=DEFAULT_THRESHOLDS, files=[path])
    table = terminal(ev)
    print(table)
    if not ev.passed:  # the table, not the Evaluation repr
        pytest.fail("\n" + table, pytrace=False)
