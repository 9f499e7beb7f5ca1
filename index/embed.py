"""The sentence-transformers embedding model, loaded once per process from a local path."""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from .errors import ModelError
from .settings import Settings, apply_offline_env

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _load(path: str, batch_size: int):
    apply_offline_env()
    if not Path(path).exists():
        raise ModelError(f"Embedding model not found at {path}. Set ASSISTANT_MODEL_PATH to a local sentence-transformers folder.")
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()

    try:
        return HuggingFaceEmbedding(model_name=path, device="cpu", embed_batch_size=batch_size, normalize=True)
    except Exception as exc:  # sentence-transformers raises many kinds
        raise ModelError(f"Cannot load the embedding model at {path}: {str(exc).splitlines()[0][:200]}") from None


def embed_model(settings: Settings):
    """llama-index ``BaseEmbedding`` over sentence-transformers (cached per process)."""
    return _load(settings.resolved_model_path(), settings.embed_batch_size)


def model_name(settings: Settings) -> str:
    return Path(settings.resolved_model_path()).name
