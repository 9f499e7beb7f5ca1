"""The optional LLM's verifier: a generated sentence is kept only when the passage it cites supports it."""
from __future__ import annotations

from assistant.answering.generate import Generator


def test_verifier_accepts_paraphrase_and_rejects_invention(assistant):
    gen = Generator(llm=None, embedder=assistant.embedder)
    snap = assistant.snapshot
    pi = next(i for i, p in enumerate(snap.passages) if "Keir Starmer" in p.text)
    vecs = snap.sentence_vecs[[r for r, (p, _) in enumerate(snap.sentence_refs) if p == pi]]
    ok = gen.verify("Sir Keir Starmer's initiative formed the Coalition of the Willing to unify nations", snap.passages[pi], vecs)
    bad = gen.verify("The coalition was founded in 1999 in Paris with its own navy", snap.passages[pi], vecs)
    assert ok.supported and ok.similarity >= 0.6 and ok.overlap >= 0.6
    assert not bad.supported
    assert not gen.verify("Anything at all", None, None).supported
