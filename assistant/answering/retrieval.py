"""Hybrid retrieval over one index snapshot: dense (Chroma) + BM25 (bm25s via llama-index) + best
sentence, fused by weighted reciprocal rank, with FAQ matching. Built once per snapshot version."""
from __future__ import annotations

from dataclasses import dataclass

import bm25s
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
    pair_sims: np.ndarray  # per sentence, the better cosine of it read with either neighbour (Snapshot.pair_sims)


class Retriever:
    """Per-question retrieval over a :class:`Corpus` (which holds everything built once per version)."""

    def __init__(self, corpus: Corpus, settings: Settings):
        self.corpus = corpus
        self.snap = corpus.snap
        self.settings = settings
        self._bm25_ids = [_node_index(d) for d in corpus.bm25.corpus]  # bm25s row → passage index
        # Best sentence per passage: sentence rows are grouped by passage (the snapshot sorts them), so one
        # ``maximum.reduceat`` over the groups replaces ``maximum.at`` (an unbuffered per-element loop) — the same
        # maxima, exactly.
        sp = corpus.sent_passage
        self._grouped = bool(len(sp)) and bool(np.all(sp[1:] >= sp[:-1]))
        if self._grouped:
            self._group_starts = np.flatnonzero(np.r_[True, sp[1:] != sp[:-1]])
            self._group_passages = sp[self._group_starts]
        self._faq_pis = list(corpus.faq_rows)
        self._faq_rows = np.array([corpus.faq_rows[pi] for pi in self._faq_pis], dtype=np.int64)

    # -- per query ---------------------------------------------------------------------------
    def retrieve(self, q: Query, qvec: np.ndarray) -> Retrieval:
        st = self.settings
        n = len(self.snap.passages)
        k = min(st.retrieval.candidates, n)
        sent_sims = self.snap.sentence_vecs @ qvec
        pair_sims = self.snap.pair_sims(sent_sims, qvec)
        read = (sent_sims + pair_sims) / 2  # a passage's best sentence, alone and read with a neighbour
        best_sent = np.full(n, -1.0)
        if self._grouped:
            best_sent[self._group_passages] = np.maximum(best_sent[self._group_passages],
                                                         np.maximum.reduceat(read, self._group_starts))
        else:
            np.maximum.at(best_sent, self.corpus.sent_passage, read)

        dense = self.snap.dense(qvec, k)
        dense_rank = {pi: r for r, (pi, _) in enumerate(dense)}
        dense_score = dict(dense)
        bm25_text = " ".join([q.search] + [w for t in q.terms for w in q.alternatives(t)])
        bm25_hits = self._bm25(bm25_text, k)
        bm25_rank = {pi: r for r, (pi, _) in enumerate(bm25_hits)}
        bm25_score = dict(bm25_hits)
        sent_order = [int(i) for i in np.argsort(-best_sent)[:k]]
        sent_rank = {pi: r for r, pi in enumerate(sent_order)}

        faq_match = None
        faq_bonus: dict[int, float] = {}
        if self.corpus.faq_rows:
            j = int(np.argmax(sent_sims[self._faq_rows]))  # the first best, as max() over the dict would pick
            pi, row = self._faq_pis[j], int(self._faq_rows[j])
            sim = float(sent_sims[row])
            faq_match = (pi, sim)
            if sim >= st.retrieval.faq_match:
                strength = st.retrieval.weight_faq * (sim - st.retrieval.faq_match) / max(1e-6, 1.0 - st.retrieval.faq_match)
                faq_bonus[pi] = strength
                if pi in self.corpus.faq_body:
                    faq_bonus[self.corpus.faq_body[pi]] = faq_bonus.get(self.corpus.faq_body[pi], 0.0) + strength

        cands = set(dense_rank) | set(bm25_rank) | set(sent_rank) | set(faq_bonus)
        kk = st.retrieval.rrf_k
        ranked = []
        for pi in cands:
            score = 0.0
            if pi in dense_rank:
                score += st.retrieval.weight_dense / (kk + dense_rank[pi] + 1)
            if pi in bm25_rank:
                score += st.retrieval.weight_bm25 / (kk + bm25_rank[pi] + 1)
            if pi in sent_rank:
                score += st.retrieval.weight_sentence / (kk + sent_rank[pi] + 1)
            score *= 1.0 + faq_bonus.get(pi, 0.0)
            ranked.append(Ranked(pi, score, dense_score.get(pi, float(self.snap.passage_vecs[pi] @ qvec)),
                                 float(best_sent[pi]), bm25_score.get(pi, 0.0), faq_bonus.get(pi, 0.0)))
        ranked.sort(key=lambda r: -r.score)
        return Retrieval(ranked=ranked, sentence_sims=sent_sims, faq_match=faq_match, pair_sims=pair_sims)

    def _bm25(self, text: str, k: int) -> list[tuple[int, float]]:
        """(passage index, BM25 score > 0), best first: llama-index's ``BM25Retriever._retrieve`` step for step
        (same tokenizer, stemmer, bm25s call and order), minus what it adds per question: a pydantic ``TextNode``
        rebuilt from JSON for every passage of the corpus (its ``similarity_top_k`` is the passage count) and the
        retriever's event/callback dispatch. That work grew with the corpus: 40% of a question's CPU at 8 articles.
        Only the ``k`` best are asked of bm25s (its top-k selection), not every passage ranked and then cut."""
        if not any(t.isalnum() for t in tokens(text)):
            return []
        r = self.corpus.bm25
        try:
            toks = bm25s.tokenize(text, stemmer=r.stemmer if not r.skip_stemming else None,
                                  token_pattern=r.token_pattern, show_progress=False)
            indexes, scores = r.bm25.retrieve(toks, k=k, show_progress=False,
                                              weight_mask=np.array(r.corpus_weight_mask) if r.corpus_weight_mask else None)
        except Exception:  # bm25s rejects queries with no known token
            return []
        ids = self._bm25_ids
        return [(_node_index(i) if isinstance(i, dict) else ids[int(i)], float(s))
                for i, s in zip(indexes[0], scores[0]) if float(s) > 0]


def _node_index(d: dict) -> int:
    """The passage index a BM25Retriever corpus entry (a node stored as metadata) names."""
    from llama_index.core.vector_stores.utils import metadata_dict_to_node

    return int(metadata_dict_to_node(d).node_id)
