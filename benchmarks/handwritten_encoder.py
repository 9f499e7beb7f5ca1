"""RETIRED — kept only so `benchmarks/encoders.py` can compare it with what replaced it (index/encoder.py, ONNX
Runtime): the hand-written forward pass won neither query latency nor cold start there (issue 11).

A sentence-transformers BERT (Transformer → mean Pooling [→ Normalize]) run with torch alone.

Used at ingest (index/embed.py wraps it as a llama-index embedding) and for queries (assistant/embedder.py):
the same arithmetic as sentence-transformers (vectors equal within ~2e-7, tests/test_embedder.py), without
importing sentence-transformers/transformers, and with texts packed into sequences without padding.
:meth:`BertEncoder.load` returns None for any model folder it does not fully understand; callers then fall
back to sentence-transformers.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np



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
        from index.encoder import understood

        path = Path(path)
        info = understood(path)
        if info is None:
            return None
        try:
            config = json.loads((path / "config.json").read_text())
        except (OSError, ValueError):
            return None
        if (config.get("model_type") != "bert" or config.get("hidden_act") != "gelu"
                or config.get("position_embedding_type", "absolute") != "absolute"):
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
        tok.enable_truncation(max_length=info["max_len"])
        tok.no_padding()
        return cls(weights, config, tok, info["lower"])

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
