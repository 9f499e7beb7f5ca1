"""``Assistant``: question (+ history) → :class:`Answer`. The CLI, the HTTP API and the UI call this only."""
from __future__ import annotations

import dataclasses
import logging
import math
import threading
import time

import numpy as np
from cachetools import LRUCache

from index import store
from index.errors import ConfigError
from index.models import Passage
from index.reader import Snapshot, load_snapshot
from index.settings import Settings, apply_offline_env

from .. import validation
from . import pipeline, suggest
from .corpus import Corpus
from .learned import Models
from .retrieval import Retriever
from .types import Answer

log = logging.getLogger(__name__)


class State:
    """Everything derived from one index version."""

    def __init__(self, snap: Snapshot, settings: Settings):
        self.snap = snap
        self.corpus = Corpus(snap, max(0, int(round(settings.retrieval.heading_weight))))
        self.retriever = Retriever(self.corpus, settings)


class Assistant:
    def __init__(self, settings: Settings, client, state: State, embedder, generator=None, models: Models | None = None):
        self.settings = settings
        self._client = client
        self._state = state
        self.embedder = embedder
        self.generator = generator
        self._fixed_models = models  # given explicitly (evaluation): kept across index versions
        self.models = self._models_for(state)
        self._cache: LRUCache[tuple, Answer] = LRUCache(maxsize=max(1, settings.answer.cache_size))
        self._lock = threading.Lock()
        self._checked = time.monotonic()

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def load(cls, settings: Settings | None = None, models: Models | None = None) -> "Assistant":
        apply_offline_env()
        settings = settings or Settings.from_env()
        client = store.connect(settings)
        snap = load_snapshot_for(settings, client)
        from .embedder import QueryEmbedder, load_encoder

        embedder = QueryEmbedder(load_encoder(settings), settings.answer.batch_window_ms, settings.index.embed_batch_size)
        generator = None
        if settings.llm.backend:
            from .generate import Generator

            generator = Generator.from_settings(settings, embedder)
        return cls(settings, client, State(snap, settings), embedder, generator, models)

    # -- index following -----------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self._state.snap

    def refresh(self, force: bool = False) -> bool:
        """Follow the Chroma collection's version (an ingest made by any process or replica)."""
        now = time.monotonic()
        if not force and now - self._checked < self.settings.answer.refresh_seconds:
            return False
        self._checked = now
        current = store.active_version(self._client, self.settings)
        if current is None or current == (self._state.snap.collection, self._state.snap.version):
            return False
        with self._lock:
            if current == (self._state.snap.collection, self._state.snap.version):
                return False
            self._state = State(load_snapshot_for(self.settings, self._client), self.settings)
            self.models = self._models_for(self._state)
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
        if self.settings.answer.cache_size:
            with self._lock:
                hit = self._cache.get(key)  # a hit becomes the most recently used
                if hit is not None:
                    return dataclasses.replace(hit, citations=list(hit.citations), suggestions=list(hit.suggestions),
                                               timings_ms={"total": _ms(t0), "cached": 1.0})
        answer, _ = self._respond(question, history, t0)
        if self.settings.answer.cache_size:
            with self._lock:
                self._cache[key] = answer  # the least recently used goes when full
        return answer

    def retrieve(self, question: str, history: list[dict] | None = None) -> list[Passage]:
        """The fused passage ranking (best first) of the question's first part, for evaluation (hit@k, MRR)."""
        question, history = self._validate(question, history)
        _, parts = pipeline.answer(self._context(), question, history, {})
        if not parts or parts[0].retrieval is None:
            return []
        return [self._state.snap.passages[rk.index] for rk in parts[0].retrieval.ranked]

    def analyse(self, question: str, history: list[dict] | None = None) -> tuple[Answer, list[pipeline.Part]]:
        """The answer with the analysed parts behind it (candidates, features, probabilities): for training."""
        question, history = self._validate(question, history)
        return pipeline.answer(self._context(), question, history, {})

    def with_models(self, models: Models) -> "Assistant":
        """The same index and embedder answering with other models (leave-one-article-out evaluation)."""
        other = Assistant(self.settings.with_(cache_size=0), self._client, self._state, self.embedder, None, models)
        return other

    def _models_for(self, state: State) -> Models:
        models = self._fixed_models or Models.for_index(state.snap.attachments, self.settings)
        if self.settings.answer.refusal_threshold is not None:
            models = dataclasses.replace(models, threshold=self.settings.answer.refusal_threshold)
        return models

    def _context(self) -> pipeline.Context:
        return pipeline.Context(self._state.corpus, self._state.retriever, self.models, self.settings, self.embedder.embed_all)

    def _validate(self, question, history) -> tuple[str, list[dict]]:
        """The one validator of every way in (assistant/validation.py): cleaned question and history."""
        return validation.check(question, history, self.settings)

    def _respond(self, question: str, history: list[dict], t0: float) -> tuple[Answer, list]:
        timings: dict[str, float] = {}
        answer, parts = pipeline.answer(self._context(), question, history, timings)
        if self.generator is not None and not answer.refused and answer.citations and parts:
            t = time.perf_counter()
            generated = self._generate(parts)
            if generated is not None:
                answer.answer, answer.citations = generated
            timings["generate"] = _ms(t)
        timings["total"] = _ms(t0)
        answer.timings_ms = timings
        return answer, parts

    def _generate(self, parts):
        """The LLM's verified answer over the cited passages and the next best ones (or None)."""
        state = self._state
        part = next(p for p in parts if p.answered)
        cited = list(dict.fromkeys(c.passage for c in part.picks))
        pool = list(dict.fromkeys(cited + [rk.index for rk in part.retrieval.ranked[: self.settings.retrieval.top_k]]))
        snap = state.snap
        rows = state.corpus.sentence_rows
        vecs = [snap.sentence_vecs[rows[pi]] for pi in pool]
        scores = {rk.index: rk.score for rk in part.retrieval.ranked}
        return self.generator.rewrite(part.query.text, [snap.passages[pi] for pi in pool], vecs,
                                      [scores.get(pi, 0.0) for pi in pool])

    # -- helpers for the UI / API --------------------------------------------------------------
    def suggestions(self, n: int = 3) -> list[str]:
        return suggest.suggestions(self._context().corpus, None, n)

    def starters(self) -> list[str]:
        if self.settings.server.starters:
            return list(self.settings.server.starters)
        return [q for _, q in suggest.faq_questions(self._state.corpus)][:5] or self.suggestions(n=4)

    def passage(self, pid: str) -> Passage | None:
        i = self._state.snap.by_id.get(pid)
        return None if i is None else self._state.snap.passages[i]

    def article(self, source: str) -> list[Passage]:
        """Every passage of one source, in the order they stand in it (empty when no such source is indexed)."""
        return [p for p in self._state.snap.passages if p.source == source]  # (the snapshot keeps source order)

    def info(self) -> dict:
        snap = self._state.snap
        return {
            "passages": len(snap.passages),
            "sources": len({p.source for p in snap.passages}),
            "collection": snap.collection,
            "version": snap.version,
            "fingerprint": snap.fingerprint,
            "chroma": self.settings.index.chroma_location,
            "chroma_mode": "server" if self.settings.index.chroma_url else "embedded",
            "model": snap.model,
            "llm": self.settings.llm.backend.split(":", 1)[0] if self.settings.llm.backend else "",
            "refusal_threshold": self.models.threshold,
            "off_topic_threshold": self.models.topical_threshold if self.models.topical is not None else None,
        }


def load_snapshot_for(settings: Settings, client) -> Snapshot:
    """The active generation, read once per version. Dense queries are then answered from the passage vectors
    it holds (exact cosine, the same scores ChromaVectorStore gives) instead of a Chroma query per question:
    no per-question round trip to a shared Chroma server, and a replica keeps answering even once the
    generation it read has been dropped by later ingests."""
    snap = load_snapshot(settings, client)
    if settings.retrieval.dense_search == "memory":
        snap._vector_store = _LocalVectors(snap)
    elif settings.retrieval.dense_search != "chroma":
        raise ConfigError(f"ASSISTANT_DENSE_SEARCH={settings.retrieval.dense_search!r} must be 'memory' or 'chroma'.")
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
