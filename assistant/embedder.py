"""Query embeddings: micro-batched across concurrent callers, with a small LRU cache.

Callers on any thread call :meth:`QueryEmbedder.embed_all`, which queues their texts and waits. One embedding
thread takes everything pending and runs one forward pass (at most ``max_batch`` texts); whoever arrives
meanwhile goes into the next pass, so under load batches form by themselves. Before a pass the thread may wait
up to ``window`` for more callers, but only for as many as recent passes had: a lone sequential caller never
waits, and concurrent clients fill their batch without sleeping the whole window.

The model: :class:`BertEncoder` when the model folder is a plain sentence-transformers BERT with mean pooling
(all-MiniLM-L6-v2 is) — the same arithmetic in torch alone, which spares `assistant serve` the import of
sentence-transformers/transformers and ~2 ms of per-call overhead; otherwise the llama-index
``HuggingFaceEmbedding`` the ingest uses. tests/test_embedder.py checks both give the same vectors.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


class BertEncoder:
    """A sentence-transformers BERT (Transformer → mean Pooling [→ Normalize]) run with torch only.

    :meth:`load` returns None for any folder it does not fully understand; the caller then uses
    sentence-transformers itself.
    """

    def __init__(self, weights: dict, config: dict, tokenizer, lowercase: bool):
        import torch

        self._torch = torch
        self.w = weights
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.hidden = int(config["hidden_size"])
        self.tok = tokenizer
        self.lowercase = lowercase
        self.dim = self.hidden

    @classmethod
    def load(cls, path: str | Path) -> "BertEncoder | None":
        path = Path(path)
        try:
            modules = json.loads((path / "modules.json").read_text())
            kinds = [m["type"] for m in sorted(modules, key=lambda m: int(m["idx"]))]
            if kinds not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
                return None
            if any(m["type"] == _TRANSFORMER and m.get("path", "") not in ("", ".") for m in modules):
                return None
            pool_dir = next(m["path"] for m in modules if m["type"] == _POOLING)
            pool = json.loads((path / pool_dir / "config.json").read_text())
            modes = {k for k, v in pool.items() if k.startswith("pooling_mode") and v}
            if modes != {"pooling_mode_mean_tokens"}:
                return None
            config = json.loads((path / "config.json").read_text())
            if (config.get("model_type") != "bert" or config.get("hidden_act") != "gelu"
                    or config.get("position_embedding_type", "absolute") != "absolute"):
                return None
            sbert = json.loads((path / "sentence_bert_config.json").read_text()) if (path / "sentence_bert_config.json").exists() else {}
            if not (path / "model.safetensors").exists() or not (path / "tokenizer.json").exists():
                return None
        except (OSError, ValueError, KeyError, StopIteration, TypeError):
            return None
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        weights = {k.removeprefix("bert."): v.to(torch.float32) for k, v in load_file(str(path / "model.safetensors")).items()}
        needed = ["embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                  "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight"]
        needed += [f"encoder.layer.{i}.output.LayerNorm.bias" for i in range(int(config["num_hidden_layers"]))]
        if any(k not in weights for k in needed):
            return None
        tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        max_len = min(int(sbert.get("max_seq_length") or 512), int(config.get("max_position_embeddings", 512)))
        tok.enable_truncation(max_length=max_len)
        tok.no_padding()
        return cls(weights, config, tok, bool(sbert.get("do_lower_case", False)))

    PACK_TOKENS = 256  # attention in a pack is quadratic in its length: keep packs short (measured best)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text. Texts are packed into sequences of about ``PACK_TOKENS`` tokens
        (attention kept within each text), so a batch costs its real token count: no padding of short texts
        up to the longest."""
        enc = self.tok.encode_batch([t.lower() if self.lowercase else t for t in texts])
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
        pack: list[int] = []
        size = 0
        for i in order + [None]:
            n = len(enc[i].ids) if i is not None else 0
            if pack and (i is None or size + n > self.PACK_TOKENS):
                out[pack] = self._forward([enc[j].ids for j in pack])
                pack, size = [], 0
            if i is not None:
                pack.append(i)
                size += n
        return out

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        torch = self._torch
        F = torch.nn.functional
        with torch.inference_mode():
            lens = [len(s) for s in seqs]
            ids = torch.tensor([i for s in seqs for i in s], dtype=torch.long)
            pos = torch.tensor([p for n in lens for p in range(n)], dtype=torch.long)
            seg = torch.repeat_interleave(torch.arange(len(lens)), torch.tensor(lens))
            w, n, h = self.w, ids.shape[0], self.hidden
            x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
                 + w["embeddings.token_type_embeddings.weight"][0])
            x = F.layer_norm(x, (h,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
            heads = self.heads
            d = h // heads
            bias = torch.where(seg[:, None] == seg[None, :], 0.0, torch.finfo(torch.float32).min)[None]
            for i in range(self.layers):
                p = f"encoder.layer.{i}."

                def lin(t, name):
                    return F.linear(t, w[p + name + ".weight"], w[p + name + ".bias"])

                q = lin(x, "attention.self.query").view(n, heads, d).transpose(0, 1)
                k = lin(x, "attention.self.key").view(n, heads, d).transpose(0, 1)
                v = lin(x, "attention.self.value").view(n, heads, d).transpose(0, 1)
                a = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(0, 1).reshape(n, h)
                x = F.layer_norm(lin(a, "attention.output.dense") + x, (h,), w[p + "attention.output.LayerNorm.weight"],
                                 w[p + "attention.output.LayerNorm.bias"], self.eps)
                y = lin(F.gelu(lin(x, "intermediate.dense")), "output.dense")
                x = F.layer_norm(y + x, (h,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
            pooled = torch.zeros(len(lens), h).index_add_(0, seg, x) / torch.tensor(lens, dtype=torch.float32)[:, None]
            return F.normalize(pooled, dim=-1).numpy().astype(np.float32, copy=False)


def load_encoder(settings):
    """The query-side model for ``settings``: a :class:`BertEncoder` when the folder allows, else the llama-index
    ``HuggingFaceEmbedding`` (sentence-transformers) used at ingest."""
    path = settings.resolved_model_path()
    enc = BertEncoder.load(path)
    if enc is not None:
        return enc
    log.info("model at %s is not a plain BERT + mean pooling: using sentence-transformers", path)
    from index.embed import embed_model

    return embed_model(settings)


class QueryEmbedder:
    def __init__(self, model, window_ms: float = 3.0, max_batch: int = 32, cache_size: int = 4096, threads: int = 1):
        self.model = model  # BertEncoder, or llama-index HuggingFaceEmbedding
        self.threads = threads  # torch intra-op threads of the embedding thread (thread-local in torch)
        self.window = window_ms / 1000.0
        self.max_batch = max_batch
        self._pending: list[tuple[str, Future, int]] = []  # (text, future, caller number)
        self._caller = 0
        self._recent = 1.0  # callers per pass, moving average: how many a pass waits for
        self._cond = threading.Condition()
        self._worker: threading.Thread | None = None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._inflight: dict[str, Future] = {}
        self._cache_size = cache_size
        self.batches = 0  # counters, for the benchmark and tests
        self.embedded = 0
        self.waited = 0.0  # seconds spent waiting for a fuller batch

    def _encode(self, texts: list[str]) -> np.ndarray:
        if isinstance(self.model, BertEncoder):
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
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
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

    def embed_many(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts)) if texts else np.zeros((0, 384), dtype=np.float32)

    def _run(self) -> None:
        """The embedding thread: one forward pass per batch of whatever is pending.

        One intra-op thread: the request threads need the other core (measured on 2 cores: 6 ms of server CPU
        per answer at 32 clients instead of 9–20 with torch's default of one thread per core, whose spinning
        workers also collapse when other processes share the cores)."""
        if self.threads:
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
                    self._cache[t] = v
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
            for t, f, _ in batch:
                f.set_result(vecs[t])
