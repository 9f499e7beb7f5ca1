"""Questions to offer: after a refusal (or before any question) the questions the sources can answer, and after an
answer the FAQ questions near it. What can be offered is worked out once per corpus; per question only the
ordering by closeness is done (numpy), so the cost hardly grows with the sources."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .corpus import Corpus
from .retrieval import Retrieval


@dataclass
class _Offer:
    """Every question the sources can be asked (FAQ questions, then sections)."""
    texts: list[str]
    ranks: np.ndarray  # 0 for an FAQ question, 1 for a section
    rows: np.ndarray  # the passage's first sentence row (-1: none), for closeness to a question
    lanes: list[list[str]]  # per source, FAQ questions first (the offer before any question)


def _offer(corpus: Corpus) -> _Offer:
    texts, ranks, rows, sources = [], [], [], []
    seen: set[str] = set()
    for pi, p in enumerate(corpus.passages):
        if p.kind == "faq" and p.question:
            text, rank = f"{p.question.rstrip('?. ')}?", 0
        else:
            sec = re.sub(r":.*$", "", p.section).strip()
            if not sec or sec == p.title:
                continue
            text, rank = f"What does it say about {sec[0].lower() + sec[1:] if sec[:2].istitle() and not sec.isupper() else sec}?", 1
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
        ranks.append(rank)
        rows.append(corpus.sentence_rows.get(pi, [-1])[0])
        sources.append(p.source)
    lanes: dict[str, list[tuple[int, int, str]]] = {}
    for i, (text, rank, source) in enumerate(zip(texts, ranks, sources)):
        lanes.setdefault(source, []).append((rank, i, text))
    return _Offer(texts, np.array(ranks, dtype=np.float64), np.array(rows, dtype=np.int64),
                  [[t for *_, t in sorted(lane)] for lane in lanes.values()])


def suggestions(corpus: Corpus, r: Retrieval | None = None, n: int = 3) -> list[str]:
    """Questions the sources answer: for each source its FAQ questions, then its sections. After a question, the
    ones closest to it first; otherwise every source in turn, so that several sources are all offered."""
    offer = corpus.derived("offer", _offer)
    if r is not None:
        if not offer.texts:
            return []
        has = offer.rows >= 0
        closeness = np.where(has, r.sentence_sims[np.where(has, offer.rows, 0)].astype(np.float64), 0.0)
        order = np.lexsort((np.arange(len(offer.texts)), offer.ranks - closeness))  # FAQ first, closest first
        return [offer.texts[i] for i in order[:n]]
    lanes = offer.lanes
    return [lane[k] for k in range(max(map(len, lanes), default=0)) for lane in lanes if k < len(lane)][:n]


def faq_questions(corpus: Corpus) -> list[tuple[int, str]]:
    """(passage index, question) of every FAQ passage with a question, in the sources' order."""
    return corpus.derived("faq_questions", lambda c: [(pi, p.question) for pi, p in enumerate(c.passages)
                                                      if p.kind == "faq" and p.question])


def follow_ups(corpus: Corpus, cited: set[int], r: Retrieval | None, n: int = 3) -> list[str]:
    """After an answer citing the passages ``cited``: FAQ questions near it that were not just answered."""
    pis, questions, rows = corpus.derived("faq_rows", _faq_rows)
    order = range(len(pis))
    if r is not None and len(pis):  # closest first; equally close ones in the sources' order
        order = np.lexsort((np.arange(len(pis)), -r.sentence_sims[rows]))
    out = []
    for i in order:
        if pis[i] not in cited:
            out.append(questions[i])
            if len(out) == n:
                break
    return out


def _faq_rows(corpus: Corpus) -> tuple[list[int], list[str], np.ndarray]:
    """The FAQ questions with an embedded question sentence: (passage indexes, questions, sentence rows)."""
    pairs = [(pi, q) for pi, q in faq_questions(corpus) if pi in corpus.faq_rows]
    return [pi for pi, _ in pairs], [q for _, q in pairs], np.array([corpus.faq_rows[pi] for pi, _ in pairs], dtype=np.int64)
