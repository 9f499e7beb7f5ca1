"""The embedding model for ingest, loaded once per process from a local path.

A llama-index ``BaseEmbedding`` either way, so the IngestionPipeline does the embedding: backed by the torch-only
:class:`~index.encoder.BertEncoder` when the folder is a plain sentence-transformers BERT with mean pooling
(all-MiniLM-L6-v2 is: same vectors, without importing sentence-transformers/transformers and without padding),
otherwise llama-index's ``HuggingFaceEmbedding`` (sentence-transformers).
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, List

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import PrivateAttr

from .encoder import BertEncoder
from .errors import ModelError
from .settings import Settings, apply_offline_env

log = logging.getLogger(__name__)


class BertEmbedding(BaseEmbedding):
    """llama-index embedding over a :class:`BertEncoder` (unit vectors, as ``HuggingFaceEmbedding(normalize=True)``).

    No query or text instruction: the same texts reach the model as with ``HuggingFaceEmbedding``'s defaults."""

    _encoder: Any = PrivateAttr(default=None)

    def __init__(self, encoder: BertEncoder, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._encoder = encoder

    @classmethod
    def class_name(cls) -> str:
        return "BertEmbedding"

    @property
    def encoder(self) -> BertEncoder:
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
def _load(path: str, batch_size: int):
    apply_offline_env()
    if not Path(path).exists():
        raise ModelError(f"Embedding model not found at {path}. Set ASSISTANT_MODEL_PATH to a local sentence-transformers folder.")
    try:
        enc = BertEncoder.load(path)
    except Exception as exc:  # unreadable weights or tokenizer: sentence-transformers reports it below
        log.info("torch-only BERT cannot load %s (%s): using sentence-transformers", path, exc)
        enc = None
    if enc is not None:
        return BertEmbedding(enc, model_name=path, embed_batch_size=batch_size)
    else:
        log.info("model at %s is not a plain BERT + mean pooling: using sentence-transformers", path)
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    try:
        return HuggingFaceEmbedding(model_name=path, device="cpu", embed_batch_size=batch_size, normalize=True)
    except Exception as exc:  # sentence-transformers raises many kinds
        raise ModelError(f"Cannot load the embedding model at {path}: {str(exc).splitlines()[0][:200]}") from None


def embed_model(settings: Settings):
    """llama-index ``BaseEmbedding`` for the settings' model (cached per process): :class:`BertEmbedding` when
    :meth:`BertEncoder.load` understands the folder, else ``HuggingFaceEmbedding``."""
    return _load(settings.resolved_model_path(), settings.embed_batch_size)

