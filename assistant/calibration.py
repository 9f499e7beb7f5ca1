"""`assistant calibrate`: the refusal threshold, computed from golden rows (answerable vs not) by a
deterministic rule (see :func:`assistant.refusal.calibrate`) and stored in ``calibration.json``."""
from __future__ import annotations

import json
from pathlib import Path

from .golden import load
from .refusal import CALIBRATION_FILE, calibrate


def scores(assistant, files: list[Path]) -> list[tuple[float, bool, str]]:
    out = []
    for f in files:
        for row in load(f):
            s = assistant.support_score(row.question, row.history)
            if s is not None:  # None: decided before scoring (metadata answers, nothing searchable left)
                out.append((round(s, 6), row.answerable, row.id))
    return out


def run(assistant, files: list[Path], write: Path | None = CALIBRATION_FILE) -> dict:
    pts = scores(assistant, files)
    result = calibrate([(s, y) for s, y, _ in pts])
    result["files"] = [Path(f).name for f in files]
    result["index_fingerprint"] = assistant.info()["fingerprint"]
    # The closest rows on each side: where the next golden rows would most likely move the threshold.
    result["closest_answerable"] = sorted((s, i) for s, y, i in pts if y)[:3]
    result["closest_unanswerable"] = sorted(((s, i) for s, y, i in pts if not y), reverse=True)[:3]
    if write is not None:
        Path(write).write_text(json.dumps(result, indent=2) + "\n")
    return result
