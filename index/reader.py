"""Read the active generation into our own types, once per version (the boundary on the way out)."""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

import numpy as np

from .errors import IndexMissing
from .models import Passage, SourceDoc
from .settings import Settings
from . import leases, store

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    collection: str
    version: int
    fingerprint: str
    passages: list[Passage]
    passage_vecs: np.ndarray  # (n_passages, dim), unit length
    sentence_vecs: np.ndarray  # (n_sentences, dim), unit length
    sentence_refs: list[tuple[int, int]]  # row → (passage index, sentence index)
    docs: list[dict]
    model: str
    attachments: dict = field(default_factory=dict)  # opaque data stored with the index (the answer models)
    term_words: list[str] = field(default_factory=list)  # the sources' vocabulary …
    term_vecs: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))  # … embedded
    # Neighbouring sentences read together (index.nodes.sentence_pairs), and for each sentence row the pair it ends
    # (read with the sentence before it) and the pair it starts (with the one after it); -1 where there is none.
    pair_vecs: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), dtype=np.float32))
    pair_before: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_after: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _vector_store: object = field(default=None, repr=False)
    _holds: tuple = field(default=(), repr=False)  # the private index copy it was read from, its lease

    def pair_sims(self, sentence_sims: np.ndarray, query_vec: np.ndarray) -> np.ndarray:
        """Per sentence, the better cosine of it read with either neighbour (its own where it has none)."""
        if len(self.pair_before) != len(sentence_sims) or not len(self.pair_vecs):
            return sentence_sims
        ps = self.pair_vecs @ query_vec
        before = np.where(self.pair_before >= 0, ps[np.maximum(self.pair_before, 0)], sentence_sims)
        after = np.where(self.pair_after >= 0, ps[np.maximum(self.pair_after, 0)], sentence_sims)
        return np.maximum(before, after)

    @functools.cached_property
    def by_id(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.passages)}

    def dense(self, query_vec: np.ndarray, k: int) -> list[tuple[int, float]]:
        """Top-k passages by cosine similarity, queried from Chroma through llama-index."""
        from llama_index.core.vector_stores.types import (FilterOperator, MetadataFilter, MetadataFilters,
                                                          VectorStoreQuery)

        q = VectorStoreQuery(query_embedding=[float(x) for x in query_vec], similarity_top_k=k,
                             filters=MetadataFilters(filters=[MetadataFilter(key="level", value="passage",
                                                                             operator=FilterOperator.EQ)]))
        res = self._vector_store.query(q)
        index = self.by_id
        return [(index[i], float(s)) for i, s in zip(res.ids or [], res.similarities or []) if i in index]


def load_snapshot(settings: Settings, client=None) -> Snapshot:
    """The active generation, read through ``client`` (a reader's client: never writes to an embedded index, see
    :mod:`index.readonly`). The snapshot holds a lease on its generation (:mod:`index.leases`) while it exists."""
    client = client or store.connect(settings)
    copy = getattr(client, "current", None)  # one consistent copy for the pointer and the generation it names
    reader = copy.client if copy is not None else client
    record = store.read_active(reader, settings)
    if record is None:
        raise IndexMissing(settings.index.chroma_location, "no active collection")
    lease = leases.hold(settings, record.collection)
    try:
        col = store.get_generation(reader, record.collection)
        got = _get_all(col)
    except Exception as exc:
        raise IndexMissing(settings.index.chroma_location, f"collection {record.collection} unreadable: {str(exc)[:120]}") from None
    from llama_index.vector_stores.chroma import ChromaVectorStore

    passages, pvecs, sent_rows, terms, pairs = [], [], [], {}, {}
    for text, meta, emb in zip(got["documents"], got["metadatas"], got["embeddings"]):
        if meta.get("level") == "passage":
            passages.append((Passage.from_metadata(text, meta), emb))
        elif meta.get("level") == "sentence":
            sent_rows.append((meta["passage_id"], int(meta["index"]), emb))
        elif meta.get("level") == "term":
            terms[meta["word"]] = emb
        elif meta.get("level") == "pair":
            pairs[(meta["passage_id"], int(meta["index"]))] = emb
    if not passages:
        raise IndexMissing(settings.index.chroma_location, "the index has no passages")
    passages.sort(key=lambda pe: (pe[0].source, pe[0].order))
    plist = [p for p, _ in passages]
    pvecs = _unit(np.array([e for _, e in passages], dtype=np.float32))
    index = {p.id: i for i, p in enumerate(plist)}
    sent_rows = sorted((index[pid], si, emb) for pid, si, emb in sent_rows if pid in index)
    svecs = _unit(np.array([e for _, _, e in sent_rows], dtype=np.float32))
    pair_keys = sorted(k for k in pairs if k[0] in index)
    pair_row = {k: j for j, k in enumerate(pair_keys)}
    refs = [(plist[pi].id, si) for pi, si, _ in sent_rows]
    pair_before = np.array([pair_row.get((pid, si - 1), -1) for pid, si in refs], dtype=np.int64)
    pair_after = np.array([pair_row.get((pid, si), -1) for pid, si in refs], dtype=np.int64)
    return Snapshot(
        collection=record.collection, version=record.version, fingerprint=record.fingerprint,
        passages=plist, passage_vecs=pvecs, sentence_vecs=svecs,
        sentence_refs=[(pi, si) for pi, si, _ in sent_rows], docs=record.docs,
        model=record.settings.get("model", ""), attachments=dict(record.settings.get("attachments") or {}),
        term_words=sorted(terms),
        term_vecs=_unit(np.array([terms[w] for w in sorted(terms)], dtype=np.float32)),
        pair_vecs=_unit(np.array([pairs[k] for k in pair_keys], dtype=np.float32)), pair_before=pair_before,
        pair_after=pair_after, _vector_store=ChromaVectorStore(chroma_collection=col),
        _holds=(copy, lease),
    )


READ_PAGE = 5000


def _get_all(col) -> dict:
    """Every record of a generation, in pages: one ``get`` of a large index (100 articles: 54,370 passages,
    sentences and words) fails in Chroma's embedded SQLite with "too many SQL variables"."""
    include = ["embeddings", "documents", "metadatas"]
    total = col.count()
    if total <= READ_PAGE:
        return col.get(include=include)
    out: dict = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
    for offset in range(0, total, READ_PAGE):
        page = col.get(include=include, limit=READ_PAGE, offset=offset)
        for key in out:
            out[key].extend(page[key])
    return out


def _unit(m: np.ndarray) -> np.ndarray:
    if m.size == 0:
        return m.reshape(0, 384)
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.maximum(n, 1e-9)
