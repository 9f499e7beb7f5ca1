"""An exclusive file lock so two ingests never write at once."""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

from .errors import IngestLocked


@contextlib.contextmanager
def ingest_lock(path: Path, wait: float = 0.0):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
                    raise IngestLocked(f"Another ingest (pid {holder}) is running on {path.parent}; "
                                       "wait for it to finish or pass --wait SECONDS.") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
