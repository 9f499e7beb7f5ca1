"""The query embedder: the ONNX Runtime encoder gives sentence-transformers' vectors, concurrent callers share
forward passes, a lone caller does not wait for the batch window, failures reach every waiter."""
from __future__ import annotations

import json
import shutil
import threading
import time

import numpy as np
import pytest

from conftest import make_settings
from assistant.answering.embedder import OnnxEncoder, QueryEmbedder, load_encoder
from index.encoder import OnnxEncoder as IndexOnnxEncoder


TEXTS = ["Will Ukraine join NATO?", "nato", "", "Zelensky’s “guarantees” — é, ü, 漢字 and emoji 🙂",
         "What does the article say about the Coalition of the Willing and airspace policing over Poland or Romania?",
         "word " * 400]  # longer than max_seq_length: truncated the same way


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return make_settings(tmp_path_factory.mktemp("emb"))


@pytest.fixture(scope="module")
def st_model(settings):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(settings.index.resolved_model_path(), device="cpu")  # the reference implementation


def test_onnx_encoder_gives_sentence_transformers_vectors(settings, st_model):
    enc = load_encoder(settings)
    assert OnnxEncoder is IndexOnnxEncoder, "one implementation, in index/encoder.py"
    assert isinstance(enc, OnnxEncoder), "all-MiniLM-L6-v2 is a sentence-transformers model with mean pooling"
    ref = st_model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    got = enc.encode(TEXTS)  # batched together: short and long texts in one call
    assert got.shape == ref.shape == (len(TEXTS), 384)
    assert np.abs(got - ref).max() < 1e-5
    for t, r in zip(TEXTS, ref):  # and one at a time
        assert np.abs(enc.encode([t])[0] - r).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_other_model_layouts_fall_back_to_sentence_transformers(settings, tmp_path):
    src = settings.index.resolved_model_path()
    dst = tmp_path / "cls-pooling"
    shutil.copytree(src, dst)
    pool = dst / "1_Pooling" / "config.json"
    cfg = json.loads(pool.read_text())
    cfg.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pool.write_text(json.dumps(cfg))
    assert OnnxEncoder.load(dst, settings.index.model_cache) is None
    fallback = load_encoder(settings.with_(model_path=str(dst)))
    assert not isinstance(fallback, OnnxEncoder) and hasattr(fallback, "_model")
    assert OnnxEncoder.load(tmp_path / "missing", settings.index.model_cache) is None


def test_the_export_is_made_once_and_shared(settings, tmp_path):
    """A new cache gets the model exported once (a whole file, readable by other users); the next load reuses it."""
    from index.encoder import cached_onnx

    src = settings.index.resolved_model_path()
    first = cached_onnx(__import__("pathlib").Path(src), tmp_path / "cache")
    assert first.exists() and first.stat().st_size > 10_000_000 and first.stat().st_mode & 0o044
    mtime = first.stat().st_mtime_ns
    again = OnnxEncoder.load(src, tmp_path / "cache")
    assert isinstance(again, OnnxEncoder) and first.stat().st_mtime_ns == mtime
    assert not list((tmp_path / "cache").glob("*.part"))


class _Counting:
    """Wraps an encoder: records each forward pass's texts; optional delay or failure."""

    def __init__(self, inner, delay=0.0, fail=False):
        self.inner, self.delay, self.fail, self.calls = inner, delay, fail, []

    def encode(self, texts):
        self.calls.append(list(texts))
        time.sleep(self.delay)
        if self.fail:
            raise RuntimeError("model broke")
        return self.inner.encode(texts)


def _as_bert(wrapper):
    """QueryEmbedder uses .encode for OnnxEncoder instances: make the wrapper count as one."""
    wrapper.__class__ = type("CountingOnnx", (_Counting, OnnxEncoder), {})
    return wrapper


def test_concurrent_callers_share_forward_passes(settings):
    enc = load_encoder(settings)
    model = _as_bert(_Counting(enc, delay=0.02))
    emb = QueryEmbedder(model, window_ms=5, max_batch=32)
    questions = [f"Question {i} about troops on the ground?" for i in range(32)]
    out: dict[int, np.ndarray] = {}
    barrier = threading.Barrier(32)

    def ask(i):
        barrier.wait()
        out[i] = emb.embed_all([questions[i], "troops"])[0]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(out) == 32
    assert emb.batches == len(model.calls) <= 8, f"32 concurrent callers took {emb.batches} forward passes"
    assert max(len(c) for c in model.calls) > 4
    assert sum(c.count("troops") for c in model.calls) == 1, "a text shared by callers is embedded once per batch"
    ref = enc.encode(questions)
    for i in range(32):
        assert np.abs(out[i] - ref[i]).max() < 1e-5, "every caller gets its own text's vector"


def test_a_lone_caller_does_not_wait_for_the_window(settings):
    model = _as_bert(_Counting(load_encoder(settings)))
    emb = QueryEmbedder(model, window_ms=300, max_batch=32)
    t = time.perf_counter()
    for i in range(5):
        emb.embed(f"sequential question {i}")
    assert time.perf_counter() - t < 1.2, "5 sequential calls would take ≥ 1.5 s if each waited the 300 ms window"
    assert emb.waited < 0.05 and emb.batches == 5
    emb.embed("sequential question 0")
    assert emb.batches == 5, "a repeated text comes from the cache"


def test_a_failing_model_fails_every_waiter_and_the_embedder_recovers(settings):
    model = _as_bert(_Counting(load_encoder(settings), delay=0.05, fail=True))
    emb = QueryEmbedder(model, window_ms=5)
    errors = []

    def ask(i):
        try:
            emb.embed(f"q{i}")
        except RuntimeError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert errors == ["model broke"] * 6
    model.fail = False
    assert emb.embed("after the failure").shape == (384,)
