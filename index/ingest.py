"""Sources → passages → embeddings → a new Chroma generation, swapped in only when complete.

Every ingest is copy-on-write: the active generation's records (with their embeddings) are copied
into a new collection, llama-index's ``IngestionPipeline`` (docstore strategy *upserts*) re-embeds only
changed or new sources there, passages of removed sources are deleted, and then the ``active``
pointer moves. A run killed at any moment leaves the previous generation answering. The generation
just replaced is kept until the next ingest, so readers that have not yet followed the pointer keep
working, and so is any generation a live process on this machine still serves (:mod:`index.leases`);
older ones and leftovers of killed runs are dropped, with their files (:func:`store.remove_orphan_segments`).
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SourceError
from .lock import ingest_lock
from .models import SourceDoc
from .nodes import PIPELINE_VERSION
from .settings import Settings, apply_offline_env
from .sources import discover, read_source
from . import leases, store

log = logging.getLogger(__name__)
COPY_BATCH = 256
_WORDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


@dataclass
class IngestReport:
    sources: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    added: int = 0
    unchanged: int = 0
    removed: int = 0
    embedded: int = 0  # distinct texts sent to the embedding model (passages, sentences, vocabulary words)
    passages: int = 0
    collection: str = ""
    version: int = 0
    seconds: float = 0.0
    by_kind: dict = field(default_factory=dict)  # passages per kind in the new generation
    words: int = 0  # words in the sources read (what words/s of an ingest counts)

    def as_dict(self) -> dict:
        """The report as ``assistant ingest --json`` prints it (every field above, nothing private)."""
        from dataclasses import asdict

        return asdict(self)


def read_sources(paths, progress=None) -> tuple[list[SourceDoc], list[str], list[str]]:
    """(good docs, error lines, names of every source found — bad ones included).

    A path that does not exist is an error line too (named after the path), never an exception,
    so the other sources are still ingested. ``progress``: a :class:`Progress` (one step per file read).
    """
    docs, errors, names = [], [], []
    seen: dict[str, Path] = {}
    found_all = []
    for root in paths:
        try:
            found_all.append(discover([root]))
        except SourceError as exc:
            errors.append(str(exc))
            names.append(Path(root).name)
    bar = (progress or Progress(False)).bar("Reading", sum(map(len, found_all)), "file")
    for found in found_all:
        for sf in found:
            bar.update(1)
            if sf.name in seen:
                if seen[sf.name] != sf.path:  # two different files would share one source name (and ids)
                    errors.append(str(SourceError(sf.path, f"has the same source name {sf.name!r} as {seen[sf.name]}; "
                                                           "rename one of them")))
                continue  # otherwise the same file reached through two of the given paths
            seen[sf.name] = sf.path
            names.append(sf.name)
            try:
                docs.append(read_source(sf))
            except SourceError as exc:
                errors.append(str(exc))
    bar.close()
    return docs, errors, names


class Progress:
    """Progress bars on stderr (tqdm: count, rate, ETA) for reading, parsing and embedding, or nothing at all.

    ``enabled`` is decided by the caller (the CLI: stderr is a terminal); disabled bars cost nothing and print
    nothing, so scripts and logs stay clean."""

    def __init__(self, enabled: bool, file=None):
        self.enabled = enabled
        self.file = file

    def bar(self, desc: str, total: int, unit: str):
        from tqdm import tqdm

        file = self.file or sys.stderr
        if not self.enabled:
            return tqdm(total=total, disable=True)  # tqdm's own no-op bar
        return tqdm(total=total, desc=f"{desc:<9}", unit=f" {unit}", file=file, leave=True, ncols=_columns(file),
                    nrows=20, mininterval=0.2, smoothing=0.1)  # explicit sizes: a pseudo-terminal may report 0×0


def _columns(file) -> int:
    """The terminal's width (a pseudo-terminal may report 0 columns: then 100)."""
    try:
        return min(120, os.get_terminal_size(file.fileno()).columns) or 100
    except (AttributeError, OSError, ValueError):
        return 100


def ingest(settings: Settings, paths=None, *, rebuild: bool = False, show_progress: "bool | Progress" = False,
           wait: float = 0.0, on_stage=None, attachments: dict[str, str] | None = None) -> IngestReport:
    """Bring the index in line with the sources; see the module docstring.

    ``on_stage(name)`` is called after each of :data:`~index.settings.INGEST_STAGES` that happens
    (``copied`` only when starting from the previous generation). ``ASSISTANT_INGEST_PAUSE`` hooks in here too.
    When no source can be read at all, the index is left exactly as it was and the report only has errors.
    """
    apply_offline_env()
    t0 = time.perf_counter()
    stage = _stage_hook(settings, on_stage)
    progress = show_progress if isinstance(show_progress, Progress) else Progress(bool(show_progress))
    paths = [Path(p) for p in (paths or settings.index.sources)]
    docs, errors, names = read_sources(paths, progress)
    report = IngestReport(sources=[d.source for d in docs], errors=errors,
                          words=sum(len(_WORDS.findall(d.text)) for d in docs))
    if not docs:
        if not errors:
            report.errors.append(f"{':'.join(map(str, paths))}: no .md or .txt sources found; nothing was changed")
        report.seconds = time.perf_counter() - t0
        return report
    # A path that is missing altogether hides which sources it held: delete nothing this time.
    may_delete = all(p.exists() for p in paths)
    settings.index.data_dir.mkdir(parents=True, exist_ok=True)
    with ingest_lock(settings.index.lock_path, wait):
        client = store.connect(settings, create=True)
        try:
            _ingest_into(client, settings, docs, names, progress, report, rebuild, may_delete, attachments, stage)
        finally:
            client.close()  # its sqlite and index files: a process that ingests again and again would run out
    report.seconds = time.perf_counter() - t0
    return report


def _ingest_into(client, settings: Settings, docs, names, progress, report: IngestReport, rebuild: bool,
                 may_delete: bool, attachments, stage) -> None:
    """A new generation of the index from ``docs`` (and the previous one's unchanged passages), made active."""
    old = store.read_active(client, settings)
    model = _model_name(settings)
    if old and built_otherwise(old, settings):
        log.info("embedding model or passage pipeline changed (%s -> %s): rebuilding", old.settings, model)
        rebuild = True
    _drop_stale(client, settings, keep={old.collection} if old else set())
    version = (old.version if old else 0) + 1
    new_name = store.generation_name(settings, version)
    target = client.create_collection(new_name, embedding_function=None, metadata={"hnsw:space": "cosine"})
    stage("created")
    old_passages: dict[str, dict[str, str]] = {}
    docstore_dict = None
    if old and not rebuild:
        old_passages = _copy(client.get_collection(old.collection, embedding_function=None), target)
        docstore_dict = old.docstore
        stage("copied")
    elif old:
        old_passages = _passages_by_source(client.get_collection(old.collection, embedding_function=None))
    keep = None if may_delete else set(old_passages)
    embedded_nodes = _run_pipeline(settings, target, docs, docstore_dict, names, progress, report, keep,
                                   max_batch=_max_batch(client))
    stage("embedded")
    new_passages = _passages_by_source(target)
    _count(report, old_passages, new_passages, embedded_nodes)
    report.by_kind = _kinds(target)
    current = {d.source for d in docs}
    record = store.ActiveRecord(
        collection=new_name, version=version, docstore=report._docstore,  # type: ignore[attr-defined]
        docs=[d.summary() for d in docs] + [s for s in (old.docs if old else [])
                                           if s["source"] not in current and s["source"] in new_passages],
        fingerprint=fingerprint(settings, target), settings={"model": model, "pipeline": PIPELINE_VERSION,
                                                          "attachments": dict(attachments or {})},
    )
    store.write_active(client, settings, record)
    stage("swapped")
    # The previous generation stays until the next ingest: servers still reading it (they follow the
    # `active` pointer every ASSISTANT_REFRESH_SECONDS) keep answering in between.
    _drop_stale(client, settings, keep={new_name} | ({old.collection} if old else set()))
    report.collection, report.version = new_name, version


def _stage_hook(settings: Settings, on_stage):
    """``on_stage`` plus the ``ASSISTANT_INGEST_PAUSE`` debug pause (announced on stderr, then a sleep)."""
    pause = settings.index.ingest_pause_spec()

    def stage(name: str) -> None:
        if on_stage is not None:
            on_stage(name)
        if pause and pause[0] == name:
            print(f"ingest: paused after stage {name} for {pause[1]:g} s (pid {os.getpid()})", file=sys.stderr, flush=True)
            time.sleep(pause[1])
    return stage


def _model_name(settings: Settings) -> str:
    return settings.index.model_label()


def built_otherwise(record: store.ActiveRecord, settings: Settings) -> bool:
    """Whether the index ``record`` describes was embedded by another model or cut into passages by another pipeline
    than ``settings`` and this version use: the next ingest rebuilds it."""
    return (record.settings.get("model"), record.settings.get("pipeline")) != (_model_name(settings), PIPELINE_VERSION)


def _copy(src, dst) -> dict[str, set[str]]:
    total = src.count()
    for offset in range(0, total, COPY_BATCH):
        got = src.get(limit=COPY_BATCH, offset=offset, include=["embeddings", "documents", "metadatas"])
        if got["ids"]:
            dst.add(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"])
    return _passages_by_source(src)


def _passages_by_source(col) -> dict[str, dict[str, str]]:
    """source → {passage id: passage text} in one generation."""
    got = col.get(where={"level": "passage"}, include=["metadatas", "documents"])
    out: dict[str, dict[str, str]] = {}
    for meta, text in zip(got["metadatas"], got["documents"]):
        out.setdefault(meta["source"], {})[meta["passage_id"]] = text or ""
    return out


def _max_batch(client) -> int:
    """The most records Chroma takes in one ``add`` (5,461 for the embedded client: SQLite's variable limit)."""
    try:
        return max(1, int(client.get_max_batch_size()))
    except Exception:  # an old client or server without the call
        return 5000


def _run_pipeline(settings, target, docs, docstore_dict, names, progress, report, keep=None, max_batch=5000) -> list:
    """Run llama-index's IngestionPipeline (docstore strategy UPSERTS) into ``target``.

    Sources whose document hash is unchanged are skipped by the pipeline; changed ones have their old
    nodes deleted (by ``document_id``) and are re-embedded; sources no longer present (``names`` lists every
    source found, unreadable ones included, which keep their old passages) are deleted here.
    ``keep``: if given, the only sources that may be deleted are those not in it (None = no restriction).
    """
    from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
    from llama_index.core.storage.docstore import SimpleDocumentStore
    from .nodes import LazyEmbedding, PassageParser, to_document

    _BatchedChroma = _batched_chroma_class()

    docstore = SimpleDocumentStore.from_dict(docstore_dict) if docstore_dict else SimpleDocumentStore()
    vector_store = _BatchedChroma(chroma_collection=target)
    vector_store._max_batch = max_batch
    # The pipeline stores one hash per source document (ids are source names); ref-doc info stays empty
    # because sources are Documents, so the hashes are the list of what is indexed.
    indexed = set(docstore.get_all_document_hashes().values())
    for gone in sorted(indexed - set(names) - (keep or set())):
        docstore.delete_document(gone, raise_error=False)
        vector_store.delete(gone)
    embedder = LazyEmbedding(settings, progress=progress)
    pipeline = IngestionPipeline(
        transformations=[PassageParser(progress=progress), embedder],
        vector_store=vector_store, docstore=docstore, docstore_strategy=DocstoreStrategy.UPSERTS,
        disable_cache=True,  # an in-memory cache would hide real embedding work and grow in long-lived processes
    )
    # Our own bars (Progress), not llama-index's: theirs would print even when stderr is not a terminal.
    nodes = pipeline.run(documents=[to_document(d) for d in docs], show_progress=False, store_doc_text=False)
    report._docstore = docstore.to_dict()  # type: ignore[attr-defined]
    report.embedded = embedder.embedded  # distinct texts the model was given
    return nodes


@functools.lru_cache(maxsize=1)
def _batched_chroma_class():
    from llama_index.core.bridge.pydantic import PrivateAttr
    from llama_index.vector_stores.chroma import ChromaVectorStore

    class BatchedChroma(ChromaVectorStore):
        """``ChromaVectorStore`` whose ``add`` respects Chroma's batch limit. llama-index sends up to 41,665
        records per call; the embedded client takes 5,461, so any ingest of more texts (≈ 16k words of sources:
        passages, sentences and vocabulary) failed with "Batch size … is greater than max batch size"."""

        _max_batch: int = PrivateAttr(default=5000)

        def add(self, nodes, **add_kwargs):
            ids: list[str] = []
            for i in range(0, len(nodes), self._max_batch):
                ids.extend(super().add(list(nodes[i: i + self._max_batch]), **add_kwargs))
            return ids

    return BatchedChroma


def _kinds(col) -> dict[str, int]:
    """Passages per kind (paragraph / list / faq) in one generation."""
    out: dict[str, int] = {}
    for meta in col.get(where={"level": "passage"}, include=["metadatas"])["metadatas"]:
        out[meta["kind"]] = out.get(meta["kind"], 0) + 1
    return dict(sorted(out.items()))


def _count(report: IngestReport, old: dict[str, dict[str, str]], new: dict[str, dict[str, str]], embedded_nodes) -> None:
    """Passage-level diff of the two generations: a passage whose text changed counts as one removed and
    one added; ``report.embedded`` (set by the pipeline) says how much was actually re-embedded."""
    old_all = {(pid, text) for by_id in old.values() for pid, text in by_id.items()}
    new_all = {(pid, text) for by_id in new.values() for pid, text in by_id.items()}
    report.added = len(new_all - old_all)
    report.unchanged = len(new_all & old_all)
    report.removed = len(old_all - new_all)
    report.passages = len(new_all)


def _drop_stale(client, settings: Settings, keep: set[str]) -> None:
    """Drop every generation of this prefix except ``keep`` and those other live processes hold a lease on
    (leftovers of killed ingests included), then the files Chroma leaves behind for dropped collections."""
    keep = set(keep) | leases.in_use(settings)
    for name in store.generations(client, settings):
        if name not in keep:
            try:
                client.delete_collection(name)
            except Exception as exc:  # already gone (another cleaner) is fine
                log.debug("could not drop %s: %s", name, exc)
    try:
        store.remove_orphan_segments(settings)
    except Exception as exc:  # never fail an ingest over housekeeping; the next one retries
        log.warning("could not remove unused index files: %s", exc)


def fingerprint(settings: Settings, col) -> str:
    got = col.get(where={"level": "passage"}, include=["documents"])
    h = hashlib.sha256(_model_name(settings).encode())
    for pid, text in sorted(zip(got["ids"], got["documents"])):
        h.update(pid.encode() + b"\0" + (text or "").encode() + b"\0")
    return h.hexdigest()[:16]
