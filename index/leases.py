"""Which index generations live processes are serving, so an ingest never drops one of them.

A process that loads a generation holds a *lease*: a small file ``<data dir>/leases/<pid>-<id>.lease`` naming the
generation, kept under an exclusive ``flock`` for as long as the snapshot that uses it exists (released when the
snapshot is collected, and by the kernel when the process dies, even by ``kill -9``). An ingest lists the leases of
other processes whose lock is still held; a lease whose lock can be taken belongs to nobody and is deleted.

The leases live beside the index, never in it (the Chroma folder stays untouched by readers). A reader that cannot
write its lease (a read-only data dir) still reads; its generation is then only protected as "the previous one".
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import uuid
import weakref
from pathlib import Path

log = logging.getLogger(__name__)


def folder(settings) -> Path:
    return settings.index.data_dir / "leases"


def _release(fd: int, path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


class Lease:
    """Holds ``collection`` for as long as this object lives."""

    def __init__(self, settings, collection: str):
        self.collection = collection
        d = folder(settings)
        d.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        tmp = d / f".{name}.tmp"
        fd = os.open(tmp, os.O_CREAT | os.O_RDWR | os.O_TRUNC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, json.dumps({"collection": collection, "pid": os.getpid()}).encode())
            self.path = d / f"{name}.lease"
            os.rename(tmp, self.path)  # visible only once locked and written
        except BaseException:
            _release(fd, str(tmp))
            raise
        weakref.finalize(self, _release, fd, str(self.path))


def hold(settings, collection: str) -> Lease | None:
    """A lease on ``collection``, or None when the data dir is not writable (logged, never an error)."""
    try:
        return Lease(settings, collection)
    except OSError as exc:
        log.debug("no lease on %s: %s", collection, exc)
        return None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def in_use(settings) -> set[str]:
    """Generations held by other live processes; leases nobody holds any more are deleted on the way."""
    d = folder(settings)
    if not d.is_dir():
        return set()
    held: set[str] = set()
    me = f"{os.getpid()}-"
    for path in sorted(d.glob("*.lease")) + sorted(d.glob(".*.tmp")):
        if path.name.lstrip(".").startswith(me):
            continue  # this process's own snapshots read from their private copies or from memory
        if path.suffix == ".tmp" and _age(path) < 60:
            continue  # being written right now (locked an instant later)
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if path.suffix == ".lease":
                    try:
                        held.add(str(json.loads(os.pread(fd, 4096, 0))["collection"]))
                    except (ValueError, KeyError, TypeError, OSError):
                        pass
                continue
            path.unlink(missing_ok=True)  # its holder is gone
        finally:
            os.close(fd)
    return held
