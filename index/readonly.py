"""Reading an embedded Chroma index without ever writing to it.

Chroma's PersistentClient writes into its folder as soon as it opens it (``chroma.sqlite3``) and whenever it loads a
collection's HNSW index (``length.bin``, ``header.bin``, …), so a server opening the index folder directly would
rewrite the files of the active generation. Readers get a :class:`ReadOnlyChroma` instead: a chromadb client over a
**private, consistent copy** of the folder (SQLite's backup API from a ``mode=ro`` connection, plus the segment
folders, taken again if anything changed while copying). The copy is refreshed when the folder changes (an ingest),
checked by ``stat`` only, and deleted when no snapshot uses it any more (and at exit; copies left by killed processes
are removed by the next reader).

Collection-level writes made through this client would only change the copy: writers use
``store.connect(settings, create=True)``. ``create_collection``, ``get_or_create_collection`` and
``delete_collection`` are passed to a client on the folder itself (tools and tests use them).
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import weakref
from pathlib import Path

log = logging.getLogger(__name__)
DB = "chroma.sqlite3"
PREFIX = "assistant-index-"
_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WRITES = ("create_collection", "get_or_create_collection", "delete_collection")


def segment_dirs(folder: Path) -> list[Path]:
    """The per-segment folders (HNSW files) of an embedded Chroma folder."""
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and _SEGMENT_DIR.match(p.name))
    except OSError:
        return []


def signature(folder: Path) -> tuple:
    """What changes whenever anything writes to the folder: size and mtime of the database and of every file in the
    segment folders (``stat`` only, nothing is read)."""
    out = []
    for path in [folder / DB, folder / (DB + "-journal"), folder / (DB + "-wal")]:
        try:
            st = path.stat()
            out.append((path.name, st.st_size, st.st_mtime_ns, st.st_ino))
        except FileNotFoundError:
            pass
    for d in segment_dirs(folder):
        try:
            for f in sorted(d.iterdir()):
                st = f.stat()
                out.append((d.name, f.name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((d.name, "?"))
    return tuple(out)


def _copy_once(src: Path, dst: Path) -> None:
    source = sqlite3.connect(f"file:{src / DB}?mode=ro", uri=True, timeout=10)
    try:
        target = sqlite3.connect(dst / DB)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    for d in segment_dirs(src):
        shutil.copytree(d, dst / d.name)


def consistent_copy(src: Path, dst: Path, attempts: int = 20) -> tuple:
    """Copy the folder ``src`` into the empty folder ``dst``; retried while a writer changes it meanwhile. Returns the
    signature of the state copied."""
    for attempt in range(attempts):
        before = signature(src)
        try:
            _copy_once(src, dst)
        except (OSError, sqlite3.Error) as exc:  # a segment folder dropped meanwhile, a busy database
            if (isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
                    and signature(src) == before):  # "file is not a database" on bytes nobody changed: damaged
                raise OSError(f"{src / DB}: {exc}") from None
            log.debug("copy of %s failed (%s); retrying", src, exc)
        else:
            if signature(src) == before:
                return before
        for p in list(dst.iterdir()):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        time.sleep(min(0.5, 0.05 * (attempt + 1)))
    raise OSError(f"{src} kept changing while being read; try again when the ingest has finished")


def _remove_stale_copies(root: Path) -> None:
    """Copies left behind by processes that no longer run."""
    for p in root.glob(PREFIX + "*"):
        try:
            pid = int(p.name[len(PREFIX):].split("-", 1)[0])
        except ValueError:
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _discard(client, folder: str) -> None:
    try:
        client.close()
    except Exception as exc:  # noqa: BLE001 — best effort at exit or collection
        log.debug("closing the client of %s: %s", folder, exc)
    shutil.rmtree(folder, ignore_errors=True)


class Copy:
    """One private copy and the chromadb client over it; the folder goes when this object is collected."""

    def __init__(self, source: Path, chroma_settings):
        """``chroma_settings``: a function returning a fresh chromadb ``Settings`` (chromadb changes the one it gets)."""
        import chromadb

        root = Path(tempfile.gettempdir())
        _remove_stale_copies(root)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=root))
        try:
            self.signature = consistent_copy(source, self.folder)
            self.client = chromadb.PersistentClient(path=str(self.folder), settings=chroma_settings())
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        weakref.finalize(self, _discard, self.client, str(self.folder))


class ReadOnlyChroma:
    """A chromadb client for readers of an embedded index folder (see the module docstring)."""

    def __init__(self, folder: Path, chroma_settings):
        """``chroma_settings``: a function returning a fresh chromadb ``Settings``."""
        self.folder = Path(folder)
        self._settings = chroma_settings
        self._lock = threading.Lock()
        self._copy: Copy | None = None
        self._writer = None

    @property
    def current(self) -> Copy:
        """The copy matching the folder now (taken again when the folder changed since)."""
        with self._lock:
            if self._copy is None or self._copy.signature != signature(self.folder):
                self._copy = Copy(self.folder, self._settings)
            return self._copy

    def _writable(self):
        import chromadb

        with self._lock:
            if self._writer is None:
                self._writer = chromadb.PersistentClient(path=str(self.folder), settings=self._settings())
            return self._writer

    def __getattr__(self, name: str):
        if name in WRITES:
            return getattr(self._writable(), name)
        return getattr(self.current.client, name)
