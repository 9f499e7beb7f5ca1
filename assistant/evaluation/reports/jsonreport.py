"""``report.json``: the whole run (:meth:`Evaluation.to_dict`), plus the ``--compare`` result when there is one.
Its schema (``assistant-eval/1``) is what ``--compare`` reads back."""
from __future__ import annotations

import json
from pathlib import Path

from ..scoring import Evaluation


def write_json(ev: Evaluation, path: Path, comparison: dict | None = None) -> Path:
    data = ev.to_dict()
    if comparison is not None:
        data["compare"] = comparison
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
