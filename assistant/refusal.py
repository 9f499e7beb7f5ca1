"""Does the article answer this? One support score, compared with a threshold calibrated on golden
data by ``assistant calibrate`` (stored in ``calibration.json`` beside this module)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .answertype import counted_word, type_mismatch, which_words
from .query import Query
from .retrieval import Retriever
from .text import stem, stems

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
DEFAULT_THRESHOLD = 0.55
MISMATCH_PENALTY = 0.5


@dataclass
class Support:
    score: float
    top_sim: float
    coverage: float
    oov: float
    unknown_names: list[str]
    type_mismatch: str = ""  # the kind of answer the question asks for and the cited sentences lack


def unknown_names(retriever: Retriever, q: Query) -> list[str]:
    out = []
    for name in q.names:
        words = [w for w in name.replace("-", " ").split() if w.lower() not in {"of", "the", "and", "for", "de"}]
        if words and not all(known(retriever, w) for w in words):
            out.append(name)
    return out


def known(retriever: Retriever, word: str, extra: list[str] = ()) -> bool:
    """In the sources: the word's stem, one of its synonyms, or a longer word it begins (West → Western)."""
    s = stem(word)
    if retriever.vocab.get(s, 0) or any(retriever.vocab.get(stem(w), 0) for e in extra for w in e.split()):
        return True
    return len(s) >= 4 and any(v.startswith(s) or len(v) >= 5 and s.startswith(v) for v in retriever.vocab)


def oov_share(retriever: Retriever, q: Query) -> float:
    """IDF-weighted share of the question's words the sources lack; a word matched only by embedding
    (``q.soft``) counts half missing."""
    total = missing = 0.0
    for t in q.terms:
        if t in q.excluded:
            continue
        w = retriever.idf(stem(t))
        total += w
        if t in q.soft:
            missing += 0.5 * w
        elif not known(retriever, t, q.expands.get(t, [])):
            missing += w
    return missing / total if total else 1.0


def _which_mismatch(q: Query, answer_text: str) -> str:
    """"Which city …?" answered by a sentence naming no city (nor a synonym) is no answer."""
    words = which_words(q.text)
    if not words:
        return ""
    said = stems(answer_text)
    for w in words:
        options = {stem(w)} | {stem(x) for t, ws in q.expands.items() if stem(t) == stem(w) for e in ws for x in e.split()}
        if options & said:
            return ""
    return "which"


def _counted(q: Query) -> set[str]:
    word = counted_word(q.text)
    if not word:
        return set()
    return {stem(word)} | {stem(w) for t, ws in q.expands.items() if stem(t) == stem(word) for e in ws for w in e.split()}


def support(retriever: Retriever, q: Query, top_sim: float, coverage: float, answer_text: str = "") -> Support:
    names = unknown_names(retriever, q)
    oov = oov_share(retriever, q)
    mismatch = type_mismatch(q.text, answer_text, _counted(q)) or _which_mismatch(q, answer_text)
    score = top_sim + 0.5 * coverage - 0.4 * oov - (0.6 if names else 0.0) - (MISMATCH_PENALTY if mismatch else 0.0)
    if not q.terms:
        score -= 1.0
    return Support(score, top_sim, coverage, oov, names, mismatch)


def threshold(override: float | None = None) -> float:
    if override is not None:
        return override
    try:
        return float(json.loads(CALIBRATION_FILE.read_text())["threshold"])
    except (OSError, ValueError, KeyError):
        return DEFAULT_THRESHOLD


def calibrate(scores: list[tuple[float, bool]]) -> dict:
    """Threshold that makes the most correct decisions over the golden rows (answer the answerable,
    refuse the rest) — plain accuracy, so a false refusal weighs as much as a wrong answer and the
    class sizes reflect what users ask; among equals the middle of the widest gap. Deterministic."""
    pts = sorted(scores)
    if not pts:
        raise ValueError("no rows to calibrate on")
    cands = [pts[0][0] - 0.01] + [(a[0] + b[0]) / 2 for a, b in zip(pts, pts[1:])] + [pts[-1][0] + 0.01]
    pos = sum(1 for _, y in pts if y) or 1
    neg = sum(1 for _, y in pts if not y) or 1
    best = None
    for t in cands:
        tp = sum(1 for s, y in pts if y and s >= t)
        tn = sum(1 for s, y in pts if not y and s < t)
        lo = max([s for s, _ in pts if s < t], default=t)
        hi = min([s for s, _ in pts if s >= t], default=t)
        key = (tp + tn, hi - lo)
        if best is None or key > best[0]:
            best = (key, t, tp, tn)
    (_, gap), t, tp, tn = best
    return {"threshold": round(t, 4), "accuracy": round((tp + tn) / len(pts), 4),
            "balanced_accuracy": round((tp / pos + tn / neg) / 2, 4), "margin": round(gap, 4),
            "answerable": pos, "unanswerable": neg, "answerable_kept": tp, "unanswerable_refused": tn}
