"""Query embeddings: micro-batched across concurrent callers, with a small LRU cache.

Callers on any thread call :meth:`QueryEmbedder.embed_all`, which queues their texts and waits. One embedding
thread takes everything pending and runs one forward pass (at most ``max_batch`` texts); whoever arrives
meanwhile goes into the next pass, so under load batches form by themselves. Before a pass the thread may wait
up to ``window`` for more callers, but only for as many as recent passes had: a lone sequential caller never
waits, and concurrent clients fill their batch without sleeping the whole window.

The model: :class:`~index.encoder.OnnxEncoder` (ONNX Runtime, one intra-op thread) when the model folder is a
sentence-transformers model with mean pooling (all-MiniLM-L6-v2 is), as at ingest — which spares `assistant serve`
the import of sentence-transformers/transformers/torch; otherwise the llama-index ``HuggingFaceEmbedding`` the
ingest uses. tests/test_embedder.py checks both give the same vectors.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future

import numpy as np
from cachetools import LRUCache

from index.encoder import OnnxEncoder

log = logging.getLogger(__name__)


def load_encoder(settings):
    """The query-side model for ``settings``: an :class:`OnnxEncoder` with one intra-op thread when the folder
    allows (as at ingest), else the llama-index ``HuggingFaceEmbedding`` (sentence-transformers) the ingest then
    falls back to as well."""
    path = settings.index.resolved_model_path()
    enc = OnnxEncoder.load(path, settings.index.model_cache, threads=1)
    if enc is not None:
        return enc
    log.info("model at %s is not a sentence-transformers model with mean pooling: using sentence-transformers", path)
    from index.embed import embed_model

    return embed_model(settings)


class QueryEmbedder:
    def __init__(self, model, window_ms: float = 3.0, max_batch: int = 32, cache_size: int = 4096, threads: int = 1):
        self.model = model  # OnnxEncoder (its own intra-op threads), or llama-index HuggingFaceEmbedding
        self.threads = threads  # torch intra-op threads of the embedding thread, for the sentence-transformers path
        self.window = window_ms / 1000.0
        self.max_batch = max_batch
        self._pending: list[tuple[str, Future, int]] = []  # (text, future, caller number)
        self._caller = 0
        self._recent = 1.0  # callers per pass, moving average: how many a pass waits for
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=max(1, cache_size))  # guarded by _cond
        self._inflight: dict[str, Future] = {}
        self.batches = 0  # counters, for the benchmark and tests
        self.embedded = 0
        self.waited = 0.0  # seconds spent waiting for a fuller batch

    def _encode(self, texts: list[str]) -> np.ndarray:
        if isinstance(self.model, OnnxEncoder):
            vecs = self.model.encode(texts)
        elif getattr(self.model, "_model", None) is not None:  # SentenceTransformer: one call, normalised, numpy
            vecs = self.model._model.encode(texts, batch_size=self.max_batch, normalize_embeddings=True,
                                            convert_to_numpy=True, show_progress_bar=False)
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
        with self._cond:
            self._caller += 1
            for i, text in enumerate(texts):
                hit = self._cache.get(text)  # a hit becomes the most recently used
                if hit is not None:
                    results[i] = hit
                elif text in self._inflight:  # queued or being embedded for another caller
                    futures.append((i, self._inflight[text]))
                else:
                    fut: Future = Future()
                    self._inflight[text] = fut
                    self._pending.append((text, fut, self._caller))
                    futures.append((i, fut))
            if futures:
                if self._worker is None or not self._worker.is_alive():
                    self._worker = threading.Thread(target=self._run, name="query-embedder", daemon=True)
                    self._worker.start()
                self._cond.notify()
        for i, fut in futures:
            results[i] = fut.result()
        return results

    def _run(self) -> None:
        """The embedding thread: one forward pass per batch of whatever is pending.

        One intra-op thread: the request threads need the other core (measured on 2 cores: 6 ms of server CPU
        per answer at 32 clients instead of 9–20 with torch's default of one thread per core, whose spinning
        workers also collapse when other processes share the cores). The ONNX encoder has its own setting."""
        if self.threads and not isinstance(self.model, OnnxEncoder):
            import torch

            torch.set_num_threads(self.threads)
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                # Wait (at most the window) only for as many callers as recent passes had: none when sequential.
                want = min(self.max_batch, int(self._recent + 0.5))
                if want > 1 and self.window > 0:
                    t0 = time.monotonic()
                    deadline = t0 + self.window
                    while (len(self._pending) < self.max_batch and len({c for *_, c in self._pending}) < want
                           and (left := deadline - time.monotonic()) > 0):
                        self._cond.wait(left)
                    self.waited += time.monotonic() - t0
                batch, self._pending = self._pending[: self.max_batch], self._pending[self.max_batch:]
                self._recent = 0.7 * self._recent + 0.3 * len({c for *_, c in batch})
            try:
                uniq = [t for t, *_ in batch]  # distinct: a text is queued once
                vecs = dict(zip(uniq, self._encode(uniq)))
            except Exception as exc:  # every waiter learns of the failure
                with self._cond:
                    for t, *_ in batch:
                        self._inflight.pop(t, None)
                for _, f, _ in batch:
                    f.set_exception(exc)
                continue
            with self._cond:
                for t, v in vecs.items():
                    self._inflight.pop(t, None)
                    self._cache[t] = v  # the least recently used goes when full
            for t, f, _ in batch:
                f.set_result(vecs[t])
