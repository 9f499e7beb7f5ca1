"""``Assistant``: question (+ history) → :class:`Answer`. The CLI, the HTTP API and the UI call this only."""
from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter, OrderedDict

import numpy as np

from index import store
from index.errors import BadQuestion, ConfigError
from index.models import Passage
from index.reader import Snapshot, load_snapshot
from index.settings import Settings, apply_offline_env

from . import metadata
from .extractive import render, select
from .followup import resolve
from .query import Query, prepare
from .refusal import Support, support, threshold
from .retrieval import Retriever
from .text import clean, names
from .types import Answer, Citation, refusal_text

log = logging.getLogger(__name__)


class _State:
    """Everything derived from one index version."""

    def __init__(self, snap: Snapshot, settings: Settings):
        self.snap = snap
        self.retriever = Retriever(snap, settings)
        self.topic = Counter(n for p in snap.passages for n in names(p.text))
        self.faq_questions = [(i, p.question) for i, p in enumerate(snap.passages) if p.kind == "faq" and p.question]


class Assistant:
    def __init__(self, settings: Settings, client, state: _State, embedder, generator=None):
        self.settings = settings
        self._client = client
        self._state = state
        self.embedder = embedder
        self.generator = generator
        self._threshold = threshold(settings.refusal_threshold)
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self._checked = time.monotonic()

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings | None = None) -> "Assistant":
        apply_offline_env()
        settings = settings or Settings.from_env()
        client = store.connect(settings)
        snap = _load(settings, client)
        from .embedder import QueryEmbedder, load_encoder

        embedder = QueryEmbedder(load_encoder(settings), settings.batch_window_ms, settings.embed_batch_size)
        generator = None
        if settings.llm:
            from .generate import Generator

            generator = Generator.from_settings(settings, embedder)
        return cls(settings, client, _State(snap, settings), embedder, generator)

    # -- index following -----------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self._state.snap

    def refresh(self, force: bool = False) -> bool:
        """Follow the Chroma collection's version (an ingest made by any process or replica)."""
        now = time.monotonic()
        if not force and now - self._checked < self.settings.refresh_seconds:
            return False
        self._checked = now
        current = store.active_version(self._client, self.settings)
        if current is None or current == (self._state.snap.collection, self._state.snap.version):
            return False
        with self._lock:
            if current == (self._state.snap.collection, self._state.snap.version):
                return False
            self._state = _State(_load(self.settings, self._client), self.settings)
            self._cache.clear()
            log.info("index now %s v%s", self._state.snap.collection, self._state.snap.version)
        return True

    # -- answering -----------------------------------------------------------------------------
    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        t0 = time.perf_counter()
        question, history = self._validate(question, history)
        try:
            self.refresh()
        except Exception as exc:  # keep serving the version we have
            log.warning("index refresh failed: %s", exc)
        # The version is part of the key: an answer computed on the previous version that finishes after a
        # refresh cleared the cache can never be served from it.
        snap = self._state.snap
        key = (snap.collection, snap.version, question.casefold(),
               tuple((h["role"], h["content"].casefold()) for h in history))
        if self.settings.cache_size:
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    return Answer(hit.answer, hit.refused, hit.query, list(hit.citations),
                                  {"total": round((time.perf_counter() - t0) * 1000, 3), "cached": 1.0})
        answer, _ = self._respond(question, history, t0)
        if self.settings.cache_size:
            with self._lock:
                self._cache[key] = answer
                while len(self._cache) > self.settings.cache_size:
                    self._cache.popitem(last=False)
        return answer

    def retrieve(self, question: str, history: list[dict] | None = None) -> list[Passage]:
        """The fused passage ranking (best first) that ``ask`` picks its answer from; ``[]`` when the
        question has no searchable terms. For evaluation (retrieval hit@k / MRR); not cached."""
        question, history = self._validate(question, history)
        state = self._state
        q = prepare(resolve(question, history, state.topic))
        qvec = self._embed_query(state, q)
        if qvec is None:
            return []
        return [state.snap.passages[rk.index] for rk in state.retriever.retrieve(q, qvec).ranked]

    def support_score(self, question: str, history: list[dict] | None = None) -> float | None:
        """The support score the refusal threshold is compared with (None: refused before scoring,
        e.g. nothing searchable was left). Used to calibrate the threshold on golden data."""
        question, history = self._validate(question, history)
        _, sup = self._respond(question, history, time.perf_counter())
        return None if sup is None else sup.score

    def _validate(self, question, history) -> tuple[str, list[dict]]:
        if not isinstance(question, str):
            raise BadQuestion("`question` must be a string.", "invalid_question")
        question = clean(question)
        if not question:
            raise BadQuestion("The question is empty; type a question about the article.", "empty_question")
        if len(question) > self.settings.max_question_chars:
            raise BadQuestion(f"The question is {len(question)} characters long; keep it under "
                              f"{self.settings.max_question_chars}.", "question_too_long")
        out = []
        for i, turn in enumerate(history or []):
            if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") or not isinstance(turn.get("content"), str):
                raise BadQuestion(f"history[{i}] must be {{\"role\": \"user\"|\"assistant\", \"content\": str}}.", "invalid_history")
            out.append({"role": turn["role"], "content": clean(turn["content"])[: self.settings.max_question_chars * 4]})
        return question, out[-self.settings.max_history_turns:] if self.settings.max_history_turns else []

    def _respond(self, question: str, history: list[dict], t0: float) -> tuple[Answer, Support | None]:
        """The answer, and the support evidence it was judged on (None when refused before scoring)."""
        state = self._state
        timings: dict[str, float] = {}
        resolved = resolve(question, history, state.topic)
        q = prepare(resolved)
        shown = q.text if resolved != question else prepare(question).text
        meta_kind = metadata.kind(q.text)
        if meta_kind:
            doc = self._doc_summary(state)
            text = metadata.answer(meta_kind, doc) if doc else None
            timings["total"] = _ms(t0)
            if text:
                return Answer(text, False, shown, [], timings), None
            if meta_kind == "author":
                return self._refusal(state, q, shown, None, timings), None
        t = time.perf_counter()
        qvec = self._embed_query(state, q)
        timings["embed"] = _ms(t)
        if qvec is None:
            timings["total"] = _ms(t0)
            return self._refusal(state, q, shown, None, timings), None
        t = time.perf_counter()
        r = state.retriever.retrieve(q, qvec)
        timings["retrieve"] = _ms(t)
        t = time.perf_counter()
        ex = select(state.retriever, q, r, self.settings)
        sup = support(state.retriever, q, ex.top_sim, ex.coverage, ex.text(state.snap))
        if not ex.picks or sup.score < self._threshold:
            timings["answer"] = _ms(t)
            timings["total"] = _ms(t0)
            return self._refusal(state, q, shown, qvec, timings, r), sup
        text, order = render(state.snap, ex.picks)
        scores = {rk.index: rk.score for rk in r.ranked}
        citations = [_citation(state.snap.passages[pi], scores.get(pi, 0.0)) for pi in order]
        timings["answer"] = _ms(t)
        if self.generator is not None:
            t = time.perf_counter()
            generated = self._generate(state, q, order, r)
            if generated is not None:
                text, citations = generated
            timings["generate"] = _ms(t)
        timings["total"] = _ms(t0)
        return Answer(text, False, shown, citations, timings), sup

    def _embed_query(self, state: _State, q: Query):
        """The question's vector (None when nothing searchable is left); words the sources never use are
        embedded in the same pass and mapped to their nearest source word (``q`` is updated)."""
        if not q.terms:
            return None
        loose = state.retriever.unmatched(q)
        vecs = self.embedder.embed_all([q.search] + loose)
        state.retriever.soft_expand(q, dict(zip(loose, vecs[1:])))
        return vecs[0]

    def _generate(self, state: _State, q: Query, cited: list[int], r):
        """The LLM's verified answer over the cited passages and the next best ones (or None)."""
        pool = list(dict.fromkeys(cited + [rk.index for rk in r.ranked[: self.settings.top_k]]))
        snap = state.snap
        rows = state.retriever.sentence_rows
        vecs = [snap.sentence_vecs[rows[pi]] for pi in pool]
        scores = {rk.index: rk.score for rk in r.ranked}
        return self.generator.rewrite(q.text, [snap.passages[pi] for pi in pool], vecs, [scores.get(pi, 0.0) for pi in pool])

    def _refusal(self, state: _State, q: Query, shown: str, qvec, timings, r=None) -> Answer:
        return Answer(refusal_text(self.suggestions(qvec, r)), True, shown, [], timings)

    # -- helpers for the UI / API --------------------------------------------------------------
    def suggestions(self, qvec=None, r=None, n: int = 3) -> list[str]:
        state = self._state
        faqs = state.faq_questions
        if r is not None and faqs:
            rows = state.retriever.faq_rows
            faqs = sorted(faqs, key=lambda iq: -float(r.sentence_sims[rows[iq[0]]]) if iq[0] in rows else 0.0)
        out = [qq for _, qq in faqs][:n]
        if len(out) < n:
            for p in state.snap.passages:
                s = f"What does the article say about {re.sub(r':.*$', '', p.section)}?"
                if p.kind != "faq" and s not in out:
                    out.append(s)
                if len(out) >= n:
                    break
        return out

    def starters(self) -> list[str]:
        if self.settings.starters:
            return list(self.settings.starters)
        return [q for _, q in self._state.faq_questions] or self.suggestions(n=4)

    def passage(self, pid: str) -> Passage | None:
        i = self._state.snap.by_id.get(pid)
        return None if i is None else self._state.snap.passages[i]

    def _doc_summary(self, state: _State) -> dict | None:
        docs = state.snap.docs
        if not docs:
            return None
        faq = {p.question for p in state.snap.passages if p.kind == "faq"}
        main = max(docs, key=lambda d: sum(1 for p in state.snap.passages if p.source == d["source"]))
        return dict(main, headings=[h for h in main.get("headings", []) if h not in faq])

    def info(self) -> dict:
        snap = self._state.snap
        return {
            "passages": len(snap.passages),
            "sources": len({p.source for p in snap.passages}),
            "collection": snap.collection,
            "version": snap.version,
            "fingerprint": snap.fingerprint,
            "chroma": self.settings.chroma_location,
            "chroma_mode": "server" if self.settings.chroma_url else "embedded",
            "model": snap.model,
            "llm": self.settings.llm.split(":", 1)[0] if self.settings.llm else "",
            "refusal_threshold": self._threshold,
        }


def _load(settings: Settings, client) -> Snapshot:
    """The active generation, read once per version. Dense queries are then answered from the passage vectors
    it holds (exact cosine, the same scores ChromaVectorStore gives) instead of a Chroma query per question:
    no per-question round trip to a shared Chroma server, and a replica keeps answering even once the
    generation it read has been dropped by later ingests."""
    snap = load_snapshot(settings, client)
    if settings.dense_search == "memory":
        snap._vector_store = _LocalVectors(snap)
    elif settings.dense_search != "chroma":
        raise ConfigError(f"ASSISTANT_DENSE_SEARCH={settings.dense_search!r} must be 'memory' or 'chroma'.")
    return snap


class _LocalVectors:
    """``ChromaVectorStore.query`` over a snapshot's passage vectors, exact (the index holds tens of passages).
    Same similarity as llama-index's Chroma store: exp(-cosine distance). tests/test_scaleout.py compares them."""

    def __init__(self, snap: Snapshot):
        self.vecs = snap.passage_vecs
        self.ids = [p.id for p in snap.passages]

    def query(self, q):
        from llama_index.core.vector_stores.types import VectorStoreQueryResult

        sims = self.vecs @ np.asarray(q.query_embedding, dtype=np.float32)
        top = np.argsort(-sims, kind="stable")[: q.similarity_top_k]
        return VectorStoreQueryResult(ids=[self.ids[i] for i in top],
                                      similarities=[math.exp(-(1.0 - float(sims[i]))) for i in top])


def _ms(t: float) -> float:
    return round((time.perf_counter() - t) * 1000, 3)


def _citation(p: Passage, score: float) -> Citation:
    return Citation(id=p.id, source=p.source, section=p.section, text=p.text, score=round(float(score), 6),
                    start=p.start, end=p.end)
