"""A sentence-transformers model (Transformer → mean Pooling [→ Normalize]) run by ONNX Runtime.

Used at ingest (index/embed.py wraps it as a llama-index embedding) and for queries (assistant/answering/embedder.py).
The model is exported once from the local weights (``torch.onnx.export``; nothing is downloaded) into the model
cache (``ASSISTANT_MODEL_CACHE``), keyed by the weights file, and loaded from there by every later process:
tokenizers → ONNX Runtime → mean pooling → unit vectors, equal to sentence-transformers' within ~2e-7
(tests/test_embedder.py). ``make bench`` compares it with sentence-transformers itself (benchmarks/encoders.py).

sentence-transformers' own ``backend="onnx"`` would be the first choice, but its exporter (optimum-onnx) does not
import with the transformers sentence-transformers needs here; the export below is the same ONNX graph.
:meth:`OnnxEncoder.load` returns None for a folder it does not fully understand; callers then fall back to
sentence-transformers (llama-index's ``HuggingFaceEmbedding``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
EXPORT_VERSION = 1  # bump when the exported graph changes: old cache entries are then ignored


def understood(path: Path) -> dict | None:
    """The folder's sentence-transformers settings when it is Transformer → mean Pooling [→ Normalize] with a
    fast tokenizer and safetensors weights, else None."""
    try:
        modules = json.loads((path / "modules.json").read_text())
        kinds = [m["type"] for m in sorted(modules, key=lambda m: int(m["idx"]))]
        if kinds not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
            return None
        if any(m["type"] == _TRANSFORMER and m.get("path", "") not in ("", ".") for m in modules):
            return None
        pool_dir = next(m["path"] for m in modules if m["type"] == _POOLING)
        pool = json.loads((path / pool_dir / "config.json").read_text())
        if {k for k, v in pool.items() if k.startswith("pooling_mode") and v} != {"pooling_mode_mean_tokens"}:
            return None
        config = json.loads((path / "config.json").read_text())
        sbert = json.loads((path / "sentence_bert_config.json").read_text()) \
            if (path / "sentence_bert_config.json").exists() else {}
        if not (path / "model.safetensors").exists() or not (path / "tokenizer.json").exists():
            return None
        max_len = min(int(sbert.get("max_seq_length") or 512), int(config.get("max_position_embeddings", 512)))
        return {"max_len": max_len, "lower": bool(sbert.get("do_lower_case", False))}
    except (OSError, ValueError, KeyError, StopIteration, TypeError):
        return None


def cached_onnx(path: Path, cache: Path) -> Path:
    """The ONNX file for the model at ``path`` in ``cache``, exported first if missing (under a file lock, written
    whole or not at all, so concurrent processes export once)."""
    from filelock import FileLock

    weights = path / "model.safetensors"
    st = weights.stat()
    key = hashlib.sha256(f"{weights.resolve()}|{st.st_size}|{st.st_mtime_ns}|{EXPORT_VERSION}".encode()).hexdigest()[:16]
    out = cache / f"{path.resolve().name}-{key}.onnx"
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out) + ".lock", timeout=600):
        if not out.exists():
            fd, tmp = tempfile.mkstemp(dir=cache, suffix=".onnx.part")
            os.close(fd)
            try:
                export(path, Path(tmp))
                os.chmod(tmp, 0o644)
                os.replace(tmp, out)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    return out


def export(path: Path, dst: Path) -> None:
    """``torch.onnx.export`` of the model's transformer (inputs: ids and mask; output: the last hidden state)."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    log.info("exporting %s to ONNX (once per model): %s", path, dst)

    class Transformer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = AutoModel.from_pretrained(str(path), attn_implementation="eager").eval()

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[101, 7592, 2088, 102]], dtype=torch.long)
    dyn = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
           "last_hidden_state": {0: "batch", 1: "seq"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Transformer().eval(), (ids, torch.ones_like(ids)), str(dst),
                          input_names=["input_ids", "attention_mask"], output_names=["last_hidden_state"],
                          dynamic_axes=dyn, opset_version=17, dynamo=False)


class OnnxEncoder:
    """tokenizers → ONNX Runtime → mean pooling → unit vectors; ``threads`` intra-op threads."""

    BATCH_TOKENS = 2048  # texts sorted by length and batched to about this many (padded) tokens

    def __init__(self, onnx_file: Path, tokenizer_file: Path, max_len: int, lower: bool, threads: int):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(tokenizer_file))
        self.tok.enable_truncation(max_length=max_len)
        self.tok.no_padding()
        self.lower = lower
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, threads)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), opts, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[-1])

    @classmethod
    def load(cls, path: str | Path, cache: Path, threads: int = 1) -> "OnnxEncoder | None":
        """The encoder for the model folder ``path`` (exported into ``cache`` if needed), or None when the folder
        is not a model this class runs (the caller uses sentence-transformers then)."""
        path = Path(path)
        info = understood(path)
        if info is None:
            return None
        try:
            onnx_file = cached_onnx(path, cache)
        except Exception as exc:  # an export that fails (unusual architecture): sentence-transformers runs it
            log.warning("cannot export %s to ONNX (%s: %s); using sentence-transformers", path,
                        type(exc).__name__, str(exc).splitlines()[0][:200] if str(exc) else "")
            return None
        return cls(onnx_file, path / "tokenizer.json", info["max_len"], info["lower"], threads)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, one row per text. Texts go shortest first in batches of about ``BATCH_TOKENS`` padded
        tokens, so a short text is never padded up to a long one."""
        enc = self.tok.encode_batch([t.lower() if self.lower else t for t in texts])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(enc)), key=lambda i: len(enc[i].ids))
        start = 0
        while start < len(order):
            end = start + 1
            while end < len(order) and (end - start + 1) * len(enc[order[end]].ids) <= self.BATCH_TOKENS:
                end += 1
            idx = order[start:end]
            out[idx] = self._forward([enc[i].ids for i in idx])
            start = end
        return out

    def _forward(self, seqs: list[list[int]]) -> np.ndarray:
        width = max(len(s) for s in seqs)
        ids = np.zeros((len(seqs), width), dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for row, s in enumerate(seqs):
            ids[row, : len(s)] = s
            mask[row, : len(s)] = 1
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


if __name__ == "__main__":  # `make setup`: export the configured model once, so the first ingest or serve need not
    from .settings import Settings, apply_offline_env

    apply_offline_env()
    settings = Settings.from_env()
    enc = OnnxEncoder.load(settings.index.resolved_model_path(), settings.index.model_cache)
    print(f"embedding model ready: {'ONNX Runtime' if enc else 'sentence-transformers'} ({settings.index.model_label()})")
