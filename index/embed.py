"""The embedding model for ingest, loaded once per process from a local path.

A llama-index ``BaseEmbedding`` either way, so the IngestionPipeline does the embedding: backed by ONNX Runtime
(:class:`~index.encoder.OnnxEncoder`) when the folder is a sentence-transformers model with mean pooling
(all-MiniLM-L6-v2 is: same vectors, without importing sentence-transformers), otherwise llama-index's
``HuggingFaceEmbedding`` (sentence-transformers).
"""
from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any, List

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import PrivateAttr

from .encoder import OnnxEncoder
from .errors import ModelError
from .settings import Settings, apply_offline_env

log = logging.getLogger(__name__)


class OnnxEmbedding(BaseEmbedding):
    """llama-index embedding over an :class:`OnnxEncoder` (unit vectors, as ``HuggingFaceEmbedding(normalize=True)``).

    No query or text instruction: the same texts reach the model as with ``HuggingFaceEmbedding``'s defaults."""

    _encoder: Any = PrivateAttr(default=None)

    def __init__(self, encoder: OnnxEncoder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._encoder = encoder

    @classmethod
    def class_name(cls) -> str:
        return "OnnxEmbedding"

    @property
    def encoder(self) -> OnnxEncoder:
        return self._encoder

    def _get_text_embeddings(self, texts: List[str]) -> List[Embedding]:
        return self._encoder.encode(list(texts)).tolist() if texts else []

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embedding(text)


@functools.lru_cache(maxsize=4)
def _load(path: str, batch_size: int, cache: Path, threads: int):
    apply_offline_env()
    if not Path(path).exists():
        raise ModelError(f"Embedding model not found at {path}. Set ASSISTANT_MODEL_PATH to a local sentence-transformers folder.")
    try:
        enc = OnnxEncoder.load(path, cache, threads)
    except Exception as exc:  # unreadable weights or tokenizer: sentence-transformers reports it below
        log.info("ONNX Runtime cannot load %s (%s): using sentence-transformers", path, exc)
        enc = None
    if enc is not None:
        return OnnxEmbedding(enc, model_name=path, embed_batch_size=batch_size)
    log.info("model at %s is not a sentence-transformers model with mean pooling: using sentence-transformers", path)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    try:
        return HuggingFaceEmbedding(model_name=path, device="cpu", embed_batch_size=batch_size, normalize=True)
    except Exception as exc:  # sentence-transformers raises many kinds
        raise ModelError(f"Cannot load the embedding model at {path}: {str(exc).splitlines()[0][:200]}") from None


def embed_model(settings: Settings):
    """llama-index ``BaseEmbedding`` for the settings' model (cached per process): :class:`OnnxEmbedding` when
    :meth:`OnnxEncoder.load` understands the folder, else ``HuggingFaceEmbedding``. Ingest runs one intra-op
    thread per core."""
    return _load(settings.index.resolved_model_path(), settings.index.embed_batch_size, settings.index.model_cache, os.cpu_count() or 1)



def embed_texts(settings: Settings, texts: list[str]) -> list[list[float]]:
    """Unit vectors for ``texts`` with the settings' model: in one encoder call when it is ours (it sorts and
    batches by length itself), else through llama-index's batched embedding."""
    model = embed_model(settings)
    if isinstance(model, OnnxEmbedding):
        return model.encoder.encode(list(texts)).tolist()
    return model.get_text_embedding_batch(list(texts))
