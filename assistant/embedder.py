"""Query embeddings: micro-batched across concurrent callers, with a small LRU cache.

Callers on any thread call :meth:`QueryEmbedder.embed`; the first caller of a batch waits up to
``window`` seconds for others, then one forward pass embeds them all (bounded by ``max_batch``).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from concurrent.futures import Future

import numpy as np


class QueryEmbedder:
    def __init__(self, model, window_ms: float = 3.0, max_batch: int = 32, cache_size: int = 4096):
        self.model = model  # llama-index HuggingFaceEmbedding
        self.window = window_ms / 1000.0
        self.max_batch = max_batch
        self._pending: list[tuple[str, Future]] = []
        self._lock = threading.Lock()
        self._leader = False
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self.batches = 0  # counters, for /healthz and tests
        self.embedded = 0

    def _encode(self, texts: list[str]) -> np.ndarray:
        st = getattr(self.model, "_model", None)
        if st is not None:  # SentenceTransformer: one call, normalised, numpy
            vecs = st.encode(texts, batch_size=self.max_batch, normalize_embeddings=True, convert_to_numpy=True,
                             show_progress_bar=False)
        else:
            vecs = np.asarray(self.model.get_text_embedding_batch(texts), dtype=np.float32)
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-9)
        self.batches += 1
        self.embedded += len(texts)
        return np.asarray(vecs, dtype=np.float32)

    def embed(self, text: str) -> np.ndarray:
        return self.embed_all([text])[0]

    def embed_all(self, texts: list[str]) -> list[np.ndarray]:
        """Unit vectors for ``texts``, sharing one micro-batch with whatever else is waiting."""
        results: list = [None] * len(texts)
        futures: list[tuple[int, Future]] = []
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                    results[i] = hit
                else:
                    fut: Future = Future()
                    self._pending.append((text, fut))
                    futures.append((i, fut))
            lead = bool(futures) and not self._leader
            if lead:
                self._leader = True
        if lead:
            self._run_batches()
        for i, fut in futures:
            results[i] = fut.result()
        return results

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts)) if texts else np.zeros((0, 384), dtype=np.float32)

    def _run_batches(self) -> None:
        deadline = time.monotonic() + self.window
        while True:
            with self._lock:
                full = len(self._pending) >= self.max_batch
            if full or time.monotonic() >= deadline:
                break
            time.sleep(min(0.0005, max(0.0, deadline - time.monotonic())))
        while True:
            with self._lock:
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch:]
                if not batch:
                    self._leader = False
                    return
            try:
                uniq = list(dict.fromkeys(t for t, _ in batch))
                vecs = dict(zip(uniq, self._encode(uniq)))
            except Exception as exc:  # every waiter learns of the failure
                for _, f in batch:
                    f.set_exception(exc)
                continue
            with self._lock:
                for t, v in vecs.items():
                    self._cache[t] = v
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
            for t, f in batch:
                f.set_result(vecs[t])
