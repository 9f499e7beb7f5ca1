"""An exclusive file lock so two ingests never write at once (``filelock``: an OS lock, released by the kernel
when the holder dies, even by ``kill -9``). The holder writes its pid into the file, so a refused ingest can say
who holds it."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import IngestLocked


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)


def _holder(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()[:32] or "another process"
    except OSError:
        return "another process"


@contextlib.contextmanager
def ingest_lock(path: Path, wait: float = 0.0):
    """Hold the lock at ``path`` for the block; wait up to ``wait`` seconds for another holder, then raise
    :class:`IngestLocked` (one line naming the lock file and the holder's pid)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # preserve_lock_file: the file stays after release, so every ingest locks the same inode;
    # on_acquired: the holder's pid goes into the file while it holds the lock.
    lock = FileLock(path, timeout=max(0.0, wait), poll_interval=0.2, preserve_lock_file=True, on_acquired=_write_pid)
    try:
        lock.acquire()
    except Timeout:
        raise IngestLocked(f"Another ingest (pid {_holder(path)}) holds the lock {path}; "
                           "wait for it to finish or pass --wait SECONDS.") from None
    try:
        yield
    finally:
        lock.release()
