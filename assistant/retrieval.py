"""Hybrid retrieval over one index snapshot: dense (Chroma) + BM25 (bm25s via llama-index) + best
sentence, fused by weighted reciprocal rank, with FAQ matching. Built once per snapshot version."""
from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from index.reader import Snapshot
from index.settings import Settings

from .query import Query
from .text import content_terms, stem, stems, tokens


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
    def __init__(self, snapshot: Snapshot, settings: Settings):
        from llama_index.core.schema import TextNode
        from llama_index.retrievers.bm25 import BM25Retriever

        logging.getLogger("bm25s").setLevel(logging.WARNING)

        self.snap = snapshot
        self.settings = settings
        heading_rep = max(0, int(round(settings.heading_weight)))
        nodes = [TextNode(id_=str(i), text=" ".join([p.section] * heading_rep + [p.text])) for i, p in enumerate(snapshot.passages)]
        self.bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=min(settings.candidates, len(nodes)))
        self.sentence_row = {ref: row for row, ref in enumerate(snapshot.sentence_refs)}
        self.sentence_rows: dict[int, list[int]] = {}  # passage → its sentence rows
        for row, (pi, _) in enumerate(snapshot.sentence_refs):
            self.sentence_rows.setdefault(pi, []).append(row)
        self.sent_passage = np.array([pi for pi, _ in snapshot.sentence_refs], dtype=np.int64)
        self.faq_rows = {pi: row for row, (pi, si) in enumerate(snapshot.sentence_refs)
                         if si == 0 and snapshot.passages[pi].kind == "faq"}
        self.faq_body = self._faq_bodies()
        self.sentence_stems = [[stems(s.text) for s in p.sentences] for p in snapshot.passages]
        self.section_stems = [stems(p.section) for p in snapshot.passages]
        self.vocab = self._vocab()
        known = sorted(math.log(1 + (len(snapshot.passages) + 1) / (df + 0.5)) for df in self.vocab.values())
        self.typical_idf = known[len(known) // 2] if known else 1.0

    # -- built once --------------------------------------------------------------------------
    def _faq_bodies(self) -> dict[int, int]:
        """FAQ passage → the body passage whose sentences are closest to its answer."""
        out = {}
        refs = self.snap.sentence_refs
        body_rows = [r for r, (pi, _) in enumerate(refs) if self.snap.passages[pi].kind != "faq"]
        if not body_rows:
            return out
        body = self.snap.sentence_vecs[body_rows]
        for pi, qrow in self.faq_rows.items():
            ans_rows = [r for r, (p, si) in enumerate(refs) if p == pi and si > 0]
            if not ans_rows:
                continue
            sims = self.snap.sentence_vecs[ans_rows] @ body.T  # (answer sentences, body sentences)
            best = int(np.argmax(sims.max(axis=0)))
            out[pi] = refs[body_rows[best]][0]
        return out

    def _vocab(self) -> Counter:
        """Stem → number of passages containing it (document frequency), headings and FAQ questions included."""
        df: Counter = Counter()
        for p in self.snap.passages:
            df.update({stem(t) for t in content_terms(p.section + " " + p.text)})
        for d in self.snap.docs:
            df.update({stem(t) for t in content_terms(" ".join(str(v) for v in d.get("meta", {}).values()))})
            df.update({stem(t) for t in content_terms(d.get("title", ""))})
        return df

    def idf(self, s: str) -> float:
        """Inverse passage frequency; a word the sources never use gets a typical word's weight, not the
        maximum: how much it matters is unknown, and refusal already counts it as missing."""
        df = self.vocab.get(s, 0)
        if not df:
            return self.typical_idf
        return math.log(1 + (len(self.snap.passages) + 1) / (df + 0.5))

    def unmatched(self, q: Query) -> list[str]:
        """Question words neither in the sources (stem or prefix) nor covered by the lexicon, names excepted."""
        from .refusal import known

        name_words = {w.lower() for n in q.names for w in n.split()}
        return [t for t in q.terms if t not in name_words and not t.isdigit() and not known(self, t, q.expands.get(t, []))]

    def soft_expand(self, q: Query, vecs: dict[str, np.ndarray]) -> None:
        """Map each unmatched word to its nearest source word when close enough (embedded at ingest)."""
        if not len(self.snap.term_words):
            return
        for t, v in vecs.items():
            sims = self.snap.term_vecs @ v
            j = int(np.argmax(sims))
            if sims[j] >= self.settings.soft_match:
                word = self.snap.term_words[j]
                q.soft[t] = (word, float(sims[j]))
                q.expands.setdefault(t, []).append(word)
                if word not in q.expansions:
                    q.expansions.append(word)

    # -- per query ---------------------------------------------------------------------------
    def retrieve(self, q: Query, qvec: np.ndarray) -> Retrieval:
        st = self.settings
        n = len(self.snap.passages)
        k = min(st.candidates, n)
        sent_sims = self.snap.sentence_vecs @ qvec
        best_sent = np.full(n, -1.0)
        np.maximum.at(best_sent, self.sent_passage, sent_sims)

        dense = self.snap.dense(qvec, k)
        dense_rank = {pi: r for r, (pi, _) in enumerate(dense)}
        dense_score = dict(dense)
        bm25_text = " ".join([q.search] + q.expansions)
        bm25_hits = self._bm25(bm25_text)
        bm25_rank = {pi: r for r, (pi, _) in enumerate(bm25_hits)}
        bm25_score = dict(bm25_hits)
        sent_order = [int(i) for i in np.argsort(-best_sent)[:k]]
        sent_rank = {pi: r for r, pi in enumerate(sent_order)}

        faq_match = None
        faq_bonus: dict[int, float] = {}
        if self.faq_rows:
            pi, row = max(self.faq_rows.items(), key=lambda kv: sent_sims[kv[1]])
            sim = float(sent_sims[row])
            faq_match = (pi, sim)
            if sim >= st.faq_match:
                strength = st.weight_faq * (sim - st.faq_match) / max(1e-6, 1.0 - st.faq_match)
                faq_bonus[pi] = strength
                if pi in self.faq_body:
                    faq_bonus[self.faq_body[pi]] = faq_bonus.get(self.faq_body[pi], 0.0) + strength

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
            hits = self.bm25.retrieve(text)
        except Exception:  # bm25s rejects queries with no known token
            return []
        return [(int(h.node.node_id), float(h.score)) for h in hits if h.score > 0]
