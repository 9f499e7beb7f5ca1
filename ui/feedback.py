"""Like/dislike feedback in SQLite under the data dir.

Safe under concurrency: WAL journal, a busy timeout, a new connection per call and a process-wide lock around
writes, so concurrent threads (and several server processes) never lose a row. The database is created on the
first vote, so serving alone writes nothing to the data dir.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

VOTES = ("up", "down", "cleared")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    question TEXT NOT NULL,
    query TEXT NOT NULL DEFAULT '',
    answer TEXT NOT NULL,
    citation_ids TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'cleared')),
    refused INTEGER NOT NULL DEFAULT 0,
    surface TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        con.execute("PRAGMA busy_timeout=30000")
        return con

    def _ensure(self) -> None:
        if self._ready:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)

        def create(con):
            con.execute("PRAGMA journal_mode=WAL")  # switching modes ignores the busy timeout: hence the retries
            con.execute(_SCHEMA)

        self._retrying(create)
        self._ready = True

    def _retrying(self, work):
        """``work(connection)`` on a fresh connection, retried while another process holds the database."""
        for attempt in range(5):
            con = self._connect()
            try:
                return work(con)
            except sqlite3.OperationalError as exc:  # "database is locked" beyond the busy timeout
                if "locked" not in str(exc) or attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
            finally:
                con.close()
        raise AssertionError("unreachable")

    def record(self, question: str, answer: str, citation_ids: list[str], vote: str, *, query: str = "",
               refused: bool = False, surface: str = "") -> int:
        """Store one vote; returns its row id."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        row = (datetime.now(timezone.utc).isoformat(timespec="milliseconds"), str(question), str(query), str(answer),
               json.dumps(list(citation_ids)), vote, int(bool(refused)), surface)
        with self._lock:
            self._ensure()
            return self._retrying(lambda con: int(con.execute(
                "INSERT INTO feedback (created, question, query, answer, citation_ids, vote, refused, surface) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row).lastrowid))

    def counts(self) -> dict[str, int]:
        out = {"up": 0, "down": 0, "total": 0}
        if not self.path.exists():
            return out
        con = self._connect()
        try:
            for vote, n in con.execute("SELECT vote, COUNT(*) FROM feedback GROUP BY vote"):
                if vote in out:
                    out[vote] = n
                out["total"] += n
        except sqlite3.OperationalError:  # table not created yet
            return out
        finally:
            con.close()
        return out

    def rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            return [dict(r, citation_ids=json.loads(r["citation_ids"])) for r in con.execute("SELECT * FROM feedback ORDER BY id")]
        finally:
            con.close()
