"""What every report shares: figure labels, number formatting and the "hits/rows" counts behind each figure."""
from __future__ import annotations

from ..scoring import RowResult

FIGURE_LABELS = {
    "correct": "correct (answerable)", "citation_any": "citation (any)", "citation_first": "citation (first)",
    "refusal": "refusal accuracy", "false_refusal": "false refusals", "must_not_hits": "must_not hits (rows)",
    "hit_at_k": "retrieval hit@k", "mrr": "retrieval MRR", "words_mean": "answer words (mean)",
    "latency_p50": "latency p50 ms", "latency_p95": "latency p95 ms",
}

COUNTS = {  # figure → (rows it applies to, rows that count)
    "correct": (lambda r: r.answerable, lambda r: r.correct),
    "citation_any": (lambda r: r.citation_any is not None, lambda r: r.citation_any),
    "citation_first": (lambda r: r.citation_first is not None, lambda r: r.citation_first),
    "refusal": (lambda r: not r.answerable, lambda r: r.refused),
    "false_refusal": (lambda r: r.answerable, lambda r: r.refused),
}


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def count(results: list[RowResult], figure: str) -> str:
    """``"hits/rows"`` behind ``figure`` (a key of :data:`COUNTS`), or ``""`` when no row or no such count."""
    if figure not in COUNTS:
        return ""
    applies, counts = COUNTS[figure]
    den = [r for r in results if applies(r)]
    return f"{sum(1 for r in den if counts(r))}/{len(den)}" if den else ""
