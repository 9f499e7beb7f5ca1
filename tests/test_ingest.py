"""Incremental, copy-on-write ingest with the real model and a real embedded Chroma in temp dirs.

Embedding work is counted twice: by IngestReport.embedded, and by a spy on ``OnnxEncoder.encode`` (the real
model call underneath llama-index's pipeline, index/embed.py) that counts the texts encoded.
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import SOURCES, embed_texts, make_settings, texts_of
from index import store
from index.errors import IngestLocked
from index.ingest import ingest
from index.lock import ingest_lock
from index.nodes import passage_nodes
from index.parse import parse_source

pytestmark = pytest.mark.slow  # 10 s or more together: started first under `make test`

OTHER = """---
title: "Notes on Beekeeping"
---

## Hives

Bees live in hives made of wax. A strong hive holds tens of thousands of workers.

A beekeeper checks each hive every week. The queen must be laying eggs:

- Look for capped brood
- Look for fresh eggs

## Honey

Honey is harvested in late summer. Each frame is uncapped and spun.
"""


@pytest.fixture
def encoded(monkeypatch):
    """Texts actually passed to the embedding model (the ONNX Runtime encoder the ingest uses), per call."""
    from index.encoder import OnnxEncoder

    calls: list[int] = []
    real = OnnxEncoder.encode

    def spy(self, texts, *args, **kwargs):
        calls.append(len(texts))
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(OnnxEncoder, "encode", spy)
    return calls


def _two_sources(root: Path) -> tuple[Path, object]:
    src = root / "src"
    src.mkdir()
    shutil.copy(SOURCES / "article.md", src / "article.md")
    (src / "other.md").write_text(OTHER, encoding="utf-8")
    return src, make_settings(root / "data", sources=(src,))


@pytest.fixture
def two_sources(tmp_path) -> tuple[Path, object]:
    return _two_sources(tmp_path)


@pytest.fixture(scope="module")
def _first_ingest(tmp_path_factory):
    """The two sources ingested once for the module (what most tests would otherwise each ingest first)."""
    src, s = _two_sources(tmp_path_factory.mktemp("first-ingest"))
    return src, s, ingest(s)


@pytest.fixture
def ingested(_first_ingest, tmp_path):
    """(sources, settings, report of the first ingest): a private copy of the module's first ingest, as if this
    test had just run it (a source is known by its name under its folder, so the copied folder counts as the same)."""
    src0, s0, first = _first_ingest
    src = tmp_path / "src"
    shutil.copytree(src0, src)
    shutil.copytree(s0.index.data_dir, tmp_path / "data", ignore=shutil.ignore_patterns("ingest.lock", "leases"))
    return src, make_settings(tmp_path / "data", sources=(src,)), first


def of_source(records, source: str) -> dict:
    """The records a source produced (llama-index stores the source as ``document_id``)."""
    return {i: r for i, r in records.items() if r[1].get("document_id") == source}


def active_records(settings) -> dict[str, tuple[str, dict, np.ndarray]]:
    client = store.connect(settings)
    rec = store.read_active(client, settings)
    got = store.get_generation(client, rec.collection).get(include=["documents", "metadatas", "embeddings"])
    return {i: (d, m, np.asarray(e)) for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])}


def passage_ids(records, source=None) -> set[str]:
    return {i for i, (_, m, _) in records.items() if m.get("level") == "passage" and (source is None or m["source"] == source)}


def generations(settings) -> list[str]:
    return store.generations(store.connect(settings), settings)


def test_first_ingest_indexes_every_passage_and_sentence(two_sources, encoded):
    src, s = two_sources
    stages: list[str] = []
    r = ingest(s, on_stage=stages.append)
    expected = len(embed_texts(src / "article.md", "article.md") | embed_texts(src / "other.md", "other.md"))
    nodes = sum(len(passage_nodes(parse_source(n, str(src / n), (src / n).read_text(encoding="utf-8")), n))
                for n in ("article.md", "other.md"))
    assert expected < nodes, "texts two nodes share are embedded once"
    assert not r.errors and sorted(r.sources) == ["article.md", "other.md"]
    assert r.embedded == expected == sum(encoded)
    assert stages == ["created", "embedded", "swapped"]
    records = active_records(s)
    assert len(records) == nodes  # every node is stored, with its text's vector
    article = parse_source("article.md", "x", (src / "article.md").read_text(encoding="utf-8"))
    assert passage_ids(records, "article.md") == {p.id for p in article.passages}
    assert r.added == r.passages == len(passage_ids(records)) == 22 + 3
    for p in article.passages:
        text, meta, emb = records[p.id]
        assert text == p.text and meta["section"] == p.section and meta["kind"] == p.kind
        assert (meta["start"], meta["end"], meta["title"]) == (p.start, p.end, article.title)
        assert abs(np.linalg.norm(emb) - 1) < 1e-3 and emb.shape == (384,)
        for i, sent in enumerate(p.sentences):
            stext, smeta, _ = records[f"{p.id}#s{i}"]
            assert stext == sent.text and (smeta["start"], smeta["end"]) == (sent.start, sent.end)
        for i in range(len(p.sentences) - 1):  # each two neighbouring sentences, read together
            ptext, pmeta, _ = records[f"{p.id}#p{i}"]
            assert ptext == f"{p.sentences[i].text} {p.sentences[i + 1].text}" and pmeta["index"] == i
        assert f"{p.id}#p{len(p.sentences) - 1}" not in records
    assert generations(s) == [r.collection]


def test_the_snapshot_reads_each_sentence_with_its_neighbours(ingested):
    """Per sentence row: the pair it ends and the pair it starts (-1 at a passage's edges), and the better cosine of
    the two — a sentence leaning on the one before it ("This …") is matched read with that one."""
    from index.reader import load_snapshot

    _, s, _ = ingested
    snap = load_snapshot(s)
    assert len(snap.pair_before) == len(snap.pair_after) == len(snap.sentence_refs)
    assert len(snap.pair_vecs) == sum(len(p.sentences) - 1 for p in snap.passages)
    for row, (pi, si) in enumerate(snap.sentence_refs):
        n = len(snap.passages[pi].sentences)
        assert (snap.pair_before[row] >= 0) == (si > 0) and (snap.pair_after[row] >= 0) == (si + 1 < n)
        if si > 0:
            assert snap.pair_after[row - 1] == snap.pair_before[row]  # one pair: the end of one, the start of the next
    q = snap.sentence_vecs[0]
    sims = snap.sentence_vecs @ q
    paired = snap.pair_sims(sims, q)
    lone = (snap.pair_before < 0) & (snap.pair_after < 0)
    assert np.allclose(paired[lone], sims[lone])
    row = int(np.flatnonzero(snap.pair_after >= 0)[0])
    assert paired[row] >= float(snap.pair_vecs[snap.pair_after[row]] @ q) - 1e-6


def test_ingest_vectors_are_sentence_transformers_vectors(two_sources):
    """The ingest embeds with the ONNX Runtime encoder (through llama-index's pipeline): what it stores equals what
    sentence-transformers gives for the same embed texts."""
    from llama_index.core.schema import MetadataMode
    from sentence_transformers import SentenceTransformer

    from index.embed import OnnxEmbedding, embed_model

    src, s = two_sources
    assert isinstance(embed_model(s), OnnxEmbedding)
    ingest(s)
    records = active_records(s)
    doc = parse_source("other.md", "x", (src / "other.md").read_text(encoding="utf-8"))
    nodes = passage_nodes(doc, "other.md")
    picked = [n for n in nodes if n.metadata.get("level") != "sentence"][:3] + [n for n in nodes if n.metadata.get("level") == "sentence"][:3]
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in picked]
    assert len(set(texts)) == 6 and any(t.startswith("Hives") for t in texts)  # passages with their section heading
    st = SentenceTransformer(s.index.resolved_model_path(), device="cpu")
    ref = st.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    got = np.stack([records[n.node_id][2] for n in picked])
    assert np.abs(got - ref).max() < 1e-5
    assert np.abs(np.asarray(embed_model(s).get_query_embedding(texts[0])) - ref[0]).max() < 1e-5


def test_second_ingest_embeds_nothing_and_keeps_vectors(ingested, encoded):
    src, s, first = ingested
    before = active_records(s)
    encoded.clear()
    stages: list[str] = []
    r = ingest(s, on_stage=stages.append)
    assert r.embedded == 0 and sum(encoded) == 0
    assert (r.added, r.unchanged, r.removed) == (0, first.passages, 0)
    assert stages == ["created", "copied", "embedded", "swapped"]
    assert r.version == first.version + 1
    assert set(generations(s)) == {first.collection, r.collection}  # the replaced one stays for readers
    after = active_records(s)
    assert after.keys() == before.keys()
    assert all(np.allclose(after[i][2], before[i][2]) and after[i][:2] == before[i][:2] for i in before)


def test_an_edited_source_replaces_only_its_own_passages(ingested, encoded):
    src, s, _ = ingested
    before = active_records(s)
    edited = OTHER.replace("Honey is harvested in late summer.", "Honey is harvested in early autumn.")
    edited = edited.replace("- Look for fresh eggs\n", "- Look for fresh eggs\n- Look for queen cells\n")
    (src / "other.md").write_text(edited, encoding="utf-8")
    encoded.clear()
    r = ingest(s)
    other_texts = texts_of(src / "other.md", "other.md")
    assert r.embedded == other_texts == sum(encoded)
    assert (r.added, r.unchanged, r.removed) == (2, 23, 2)  # two passages changed text, one did not
    after = active_records(s)
    # The article's records are the very same (ids, text, metadata, vectors)...
    article_before, article_after = of_source(before, "article.md"), of_source(after, "article.md")
    assert article_before and article_after.keys() == article_before.keys()
    for i, (text, meta, emb) in article_before.items():
        assert np.allclose(article_after[i][2], emb) and article_after[i][:2] == (text, meta)
    # ...and the edited source's records are the new text only.
    other_docs = [d for d, _, _ in of_source(after, "other.md").values()]
    assert any("early autumn" in d for d in other_docs) and not any("late summer" in d for d in other_docs)
    assert "Look for queen cells" in other_docs
    assert len(after) == len(article_after) + other_texts


def test_a_removed_source_disappears(ingested, encoded):
    src, s, _ = ingested
    before = active_records(s)
    other_ids = set(of_source(before, "other.md"))
    assert other_ids and set(before) - other_ids == set(of_source(before, "article.md"))
    (src / "other.md").unlink()
    encoded.clear()
    r = ingest(s)
    assert r.embedded == 0 and sum(encoded) == 0
    assert (r.added, r.unchanged, r.removed, r.passages) == (0, 22, 3, 22)
    after = active_records(s)
    assert set(after) == set(before) - other_ids
    assert all(m["document_id"] == "article.md" for _, m, _ in after.values())
    rec = store.read_active(store.connect(s), s)
    assert [d["source"] for d in rec.docs] == ["article.md"]
    # It stays gone, and coming back embeds it again.
    assert ingest(s).embedded == 0
    (src / "other.md").write_text(OTHER, encoding="utf-8")
    encoded.clear()
    assert ingest(s).embedded == texts_of(src / "other.md", "other.md") == sum(encoded)


def test_rebuild_embeds_everything_into_a_fresh_generation(ingested, encoded):
    src, s, first = ingested
    before = active_records(s)
    encoded.clear()
    stages: list[str] = []
    r = ingest(s, rebuild=True, on_stage=stages.append)
    assert r.embedded == first.embedded == sum(encoded)
    assert stages == ["created", "embedded", "swapped"]
    assert r.collection != first.collection and set(generations(s)) == {first.collection, r.collection}
    after = active_records(s)
    assert after.keys() == before.keys()
    assert all(np.allclose(after[i][2], before[i][2], atol=1e-5) for i in before)  # same model, same vectors


def test_a_changed_embedding_model_forces_a_rebuild(ingested, encoded):
    src, s, first = ingested
    client = store.connect(s)
    rec = store.read_active(client, s)
    store.write_active(client, s, store.ActiveRecord(**{**rec.__dict__, "settings": {"model": "some-other-model"}}))
    encoded.clear()
    r = ingest(s)
    assert r.embedded == first.embedded == sum(encoded)


def test_bad_sources_are_reported_and_the_rest_ingested(ingested, encoded):
    src, s, _ = ingested
    (src / "empty.md").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\xff" * 100)
    (src / "latin1.md").write_bytes("Caf\xe9 cr\xe8me.".encode("latin-1"))
    # An indexed source that turns unreadable keeps its passages (it is broken, not gone).
    (src / "other.md").write_bytes(b"\x00binary now")
    missing = src.parent / "missing.md"
    encoded.clear()
    r = ingest(s, [src, missing])
    assert r.sources == ["article.md"]
    assert len(r.errors) == 5
    for bad in (src / "empty.md", src / "binary.txt", src / "latin1.md", src / "other.md", missing):
        assert sum(str(bad) in e for e in r.errors) == 1, bad
    assert all("\n" not in e for e in r.errors)
    assert r.embedded == 0 and sum(encoded) == 0
    assert len(passage_ids(active_records(s), "other.md")) == 3


def test_no_readable_source_leaves_the_index_untouched(ingested, tmp_path):
    src, s, first = ingested
    empty = tmp_path / "nothing"
    empty.mkdir()
    r = ingest(s, [empty])
    assert r.errors and str(empty) in r.errors[0] and r.version == 0
    r = ingest(s, [tmp_path / "does-not-exist"])
    assert len(r.errors) == 1 and "does-not-exist" in r.errors[0]
    rec = store.read_active(store.connect(s), s)
    assert rec.collection == first.collection and generations(s) == [first.collection]


def test_a_held_lock_refuses_a_second_ingest(two_sources):
    src, s = two_sources
    s.index.data_dir.mkdir(parents=True)
    with ingest_lock(s.index.lock_path):
        with pytest.raises(IngestLocked) as err:
            ingest(s, wait=0.5)
    assert "--wait" in str(err.value)


def test_a_leftover_generation_from_a_killed_ingest_is_dropped(ingested):
    src, s, first = ingested
    client = store.connect(s)
    client.create_collection(store.generation_name(s, first.version + 1), embedding_function=None)
    client.create_collection(store.generation_name(s, first.version + 7), embedding_function=None)
    r = ingest(s)
    assert set(generations(s)) == {first.collection, r.collection} and r.unchanged == first.passages
    assert r.version == first.version + 1


def test_a_reader_of_the_replaced_generation_keeps_working_until_the_next_ingest(two_sources):
    from index.embed import embed_model
    from index.reader import load_snapshot

    src, s = two_sources
    first = ingest(s)
    snap = load_snapshot(s)
    q = np.asarray(embed_model(s).get_query_embedding("Will Ukraine join NATO?"))
    hits = snap.dense(q, 3)
    (src / "other.md").unlink()
    second = ingest(s)
    assert snap.collection == first.collection != second.collection
    assert snap.dense(q, 3) == hits  # still served from the replaced generation
    third = ingest(s)
    assert set(generations(s)) == {second.collection, third.collection}


def test_moving_the_sources_folder_embeds_nothing(ingested, tmp_path, encoded):
    """A source is identified by its name under its folder, not its absolute path (clones, moves)."""
    src, s, _ = ingested
    moved = tmp_path / "elsewhere" / "sources"
    shutil.copytree(src, moved)
    encoded.clear()
    r = ingest(s.with_(sources=(moved,)))
    assert r.embedded == 0 and sum(encoded) == 0 and r.removed == 0 and r.added == 0


def test_ingesting_again_and_again_in_one_process_keeps_no_files_open(tmp_path):
    """Each ingest closes its Chroma client: `assistant train` and `eval --loao` ingest eight articles in one process,
    and the test run ingests hundreds of times (before, each ingest left its sqlite and index files open)."""
    import os

    src = tmp_path / "src"
    src.mkdir()
    (src / "other.md").write_text(OTHER, encoding="utf-8")
    def open_files() -> list[str]:
        """Files under this test's folder held open by this process (not the sockets and pipes other tests' threads
        in the same worker open and close meanwhile)."""
        out = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:  # closed between listing and reading
                continue
            if target.startswith(str(tmp_path)):
                out.append(target)
        return out

    ingest(make_settings(tmp_path / "warm", sources=(src,)))  # the encoder and libraries load once
    before = open_files()
    for i in range(4):
        (src / "other.md").write_text(OTHER + f"\n\nAnother line, number {i}.\n", encoding="utf-8")
        assert ingest(make_settings(tmp_path / f"data{i}", sources=(src,))).version == 1
    data = lambda: [f for f in open_files() if f.startswith(str(tmp_path / "data"))]  # noqa: E731
    for _ in range(100):  # the last ingest's store file may be let go a moment after it returns, not at once
        if not data():
            break
        time.sleep(0.05)
    assert data() == [] and len(open_files()) <= len(before), (before, open_files())
