"""Chroma access: the client (embedded or server), the collections this index owns, and the
``active`` pointer that makes every ingest an atomic swap.

Layout in Chroma (same for a PersistentClient and a ``chroma run`` server):

* ``{prefix}_v{N}``: one generation of the index — passage nodes and sentence nodes.
* ``{prefix}__meta``: one record ``active`` whose document is JSON
  ``{"collection", "version", "docstore", "docs", "fingerprint", ...}``.

Readers resolve ``active`` and read that generation; an ingest writes a new generation and
only then moves the pointer, so a killed ingest leaves the previous one answering.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from urllib.parse import urlparse

from .errors import ChromaUnreachable, ConfigError, IndexMissing
from .settings import Settings, apply_offline_env

log = logging.getLogger(__name__)
ACTIVE_ID = "active"


def connect(settings: Settings, *, create: bool = False):
    """Return a chromadb client.

    Embedded index: ``create=True`` (the ingest) opens the folder itself, creating it if needed; readers
    (``create=False``) get a :class:`~index.readonly.ReadOnlyChroma` over a private copy, so serving never writes
    into the index folder, and an empty or missing folder is refused (:class:`IndexMissing`).
    """
    apply_offline_env()
    import chromadb

    if settings.index.chroma_url:
        host, port, ssl = _parse_url(settings.index.chroma_url)
        _heartbeat(settings.index.chroma_url, settings.index.chroma_timeout)
        try:
            return chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_chroma_settings())
        except Exception as exc:  # chromadb raises plain Exceptions/ValueErrors for connection trouble
            raise ChromaUnreachable(settings.index.chroma_url, str(exc).splitlines()[0][:200]) from None
    path = settings.index.chroma_path
    if not create and not (path / "chroma.sqlite3").exists():
        raise IndexMissing(str(path))
    try:
        if not create:
            from .readonly import ReadOnlyChroma

            client = ReadOnlyChroma(path, _chroma_settings)
            client.current  # noqa: B018 — copy now, so a damaged folder is reported here
            return client
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:
        raise IndexMissing(str(path), f"damaged: {str(exc).splitlines()[0][:160]}") from None


def _chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def reachable(settings: Settings, timeout: float = 2.0) -> str | None:
    """None when the index can still be read (and refreshed), else why not (for ``/healthz``)."""
    if settings.index.chroma_url:
        try:
            _heartbeat(settings.index.chroma_url, min(timeout, settings.index.chroma_timeout))
        except ChromaUnreachable as exc:
            return exc.message
        return None
    if not (settings.index.chroma_path / "chroma.sqlite3").is_file():
        return "the index folder is gone; run `assistant ingest`"
    return None


def remove_orphan_segments(settings: Settings) -> list[str]:
    """Embedded index: delete the segment folders (HNSW files) that no collection uses any more — Chroma leaves
    them behind when a collection is deleted. Only the ingest calls this, holding the ingest lock."""
    if settings.index.chroma_url:
        return []
    import shutil
    import sqlite3

    from .readonly import segment_dirs

    con = sqlite3.connect(f"file:{settings.index.chroma_path / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        used = {str(row[0]) for row in con.execute("SELECT id FROM segments")}
    finally:
        con.close()
    removed = []
    for d in segment_dirs(settings.index.chroma_path):
        if d.name not in used:
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d.name)
    return removed


def _parse_url(url: str) -> tuple[str, int, bool]:
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ConfigError(f"ASSISTANT_CHROMA_URL={url!r} must look like http://host:port")
    return u.hostname, u.port or (443 if u.scheme == "https" else 8000), u.scheme == "https"


def _heartbeat(url: str, timeout: float) -> None:
    import httpx

    beat = url.rstrip("/") + "/api/v2/heartbeat"
    try:
        r = httpx.get(beat, timeout=timeout, trust_env=False)
    except httpx.TimeoutException:
        raise ChromaUnreachable(url, f"no answer within {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise ChromaUnreachable(url, str(exc) or type(exc).__name__) from None
    if r.status_code != 200:
        raise ChromaUnreachable(url, f"HTTP {r.status_code} from {beat} (is it a Chroma 1.x server?)")


@dataclass(frozen=True)
class ActiveRecord:
    collection: str
    version: int
    docstore: dict
    docs: list
    fingerprint: str
    settings: dict

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)


def meta_name(settings: Settings) -> str:
    return f"{settings.index.collection_prefix}__meta"


def generation_name(settings: Settings, version: int) -> str:
    return f"{settings.index.collection_prefix}_v{version}"


def _meta_collection(client, settings: Settings, create: bool):
    if create:
        return client.get_or_create_collection(meta_name(settings), embedding_function=None)
    return client.get_collection(meta_name(settings), embedding_function=None)


def read_active(client, settings: Settings) -> ActiveRecord | None:
    try:
        got = _meta_collection(client, settings, create=False).get(ids=[ACTIVE_ID], include=["documents"])
    except Exception:
        return None
    docs = got.get("documents") or []
    if not docs or not docs[0]:
        return None
    try:
        return ActiveRecord(**json.loads(docs[0]))
    except (TypeError, ValueError):
        return None


def write_active(client, settings: Settings, record: ActiveRecord) -> None:
    meta = _meta_collection(client, settings, create=True)
    meta.upsert(ids=[ACTIVE_ID], documents=[record.to_json()], embeddings=[[0.0]],
                metadatas=[{"collection": record.collection, "version": record.version}])


def active_version(client, settings: Settings) -> tuple[str, int] | None:
    """Cheap check used by servers to follow ingests made elsewhere."""
    try:
        got = _meta_collection(client, settings, create=False).get(ids=[ACTIVE_ID], include=["metadatas"])
    except Exception:
        return None
    metas = got.get("metadatas") or []
    if not metas or not metas[0]:
        return None
    return str(metas[0]["collection"]), int(metas[0]["version"])


def generations(client, settings: Settings) -> list[str]:
    prefix = f"{settings.index.collection_prefix}_v"
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    return sorted(n for n in names if n.startswith(prefix) and n[len(prefix):].isdigit())


def get_generation(client, name: str):
    return client.get_collection(name, embedding_function=None)
