"""Hybrid retrieval over one index snapshot: dense (Chroma) + BM25 (bm25s via llama-index) + best
sentence, fused by weighted reciprocal rank, with FAQ matching. Built once per snapshot version."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.settings import Settings

from .corpus import Corpus
from .query import Query
from .text import tokens


@dataclass
class Ranked:
    index: int  # passage index in the snapshot
    score: float  # fused score
    dense: float  # cosine of the passage
    best_sentence: float  # best sentence cosine inside it
    bm25: float
    faq: float  # FAQ-question similarity bonus applied (0 when none)


@dataclass
class Retrieval:
    ranked: list[Ranked]
    sentence_sims: np.ndarray  # cosine of the query with every sentence of the snapshot
    faq_match: tuple[int, float] | None  # (FAQ passage index, similarity of its question)


class Retriever:
    """Per-question retrieval over a :class:`Corpus` (which holds everything built once per version)."""

    def __init__(self, corpus: Corpus, settings: Settings):
        self.corpus = corpus
        self.snap = corpus.snap
        self.settings = settings

    # -- per query ---------------------------------------------------------------------------
    def retrieve(self, q: Query, qvec: np.ndarray) -> Retrieval:
        st = self.settings
        n = len(self.snap.passages)
        k = min(st.candidates, n)
        sent_sims = self.snap.sentence_vecs @ qvec
        best_sent = np.full(n, -1.0)
        np.maximum.at(best_sent, self.corpus.sent_passage, sent_sims)

        dense = self.snap.dense(qvec, k)
        dense_rank = {pi: r for r, (pi, _) in enumerate(dense)}
        dense_score = dict(dense)
        bm25_text = " ".join([q.search] + [w for t in q.terms for w in q.alternatives(t)])
        bm25_hits = self._bm25(bm25_text)[:k]
        bm25_rank = {pi: r for r, (pi, _) in enumerate(bm25_hits)}
        bm25_score = dict(bm25_hits)
        sent_order = [int(i) for i in np.argsort(-best_sent)[:k]]
        sent_rank = {pi: r for r, pi in enumerate(sent_order)}

        faq_match = None
        faq_bonus: dict[int, float] = {}
        if self.corpus.faq_rows:
            pi, row = max(self.corpus.faq_rows.items(), key=lambda kv: sent_sims[kv[1]])
            sim = float(sent_sims[row])
            faq_match = (pi, sim)
            if sim >= st.faq_match:
                strength = st.weight_faq * (sim - st.faq_match) / max(1e-6, 1.0 - st.faq_match)
                faq_bonus[pi] = strength
                if pi in self.corpus.faq_body:
                    faq_bonus[self.corpus.faq_body[pi]] = faq_bonus.get(self.corpus.faq_body[pi], 0.0) + strength

        cands = set(dense_rank) | set(bm25_rank) | set(sent_rank) | set(faq_bonus)
        kk = st.rrf_k
        ranked = []
        for pi in cands:
            score = 0.0
            if pi in dense_rank:
                score += st.weight_dense / (kk + dense_rank[pi] + 1)
            if pi in bm25_rank:
                score += st.weight_bm25 / (kk + bm25_rank[pi] + 1)
            if pi in sent_rank:
                score += st.weight_sentence / (kk + sent_rank[pi] + 1)
            score *= 1.0 + faq_bonus.get(pi, 0.0)
            ranked.append(Ranked(pi, score, dense_score.get(pi, float(self.snap.passage_vecs[pi] @ qvec)),
                                 float(best_sent[pi]), bm25_score.get(pi, 0.0), faq_bonus.get(pi, 0.0)))
        ranked.sort(key=lambda r: -r.score)
        return Retrieval(ranked=ranked, sentence_sims=sent_sims, faq_match=faq_match)

    def _bm25(self, text: str) -> list[tuple[int, float]]:
        if not any(t.isalnum() for t in tokens(text)):
            return []
        try:
            hits = self.corpus.bm25.retrieve(text)
        except Exception:  # bm25s rejects queries with no known token
            return []
        return [(int(h.node.node_id), float(h.score)) for h in hits if h.score > 0]
