"""Like/dislike feedback in SQLite under the data dir.

Safe under concurrency: WAL journal, a busy timeout, a new connection per call and a process-wide lock around
writes, so concurrent threads (and several server processes) never lose a row. The database is created on the
first vote, so serving alone writes nothing to the data dir.

It survives its file going wrong while the server runs:

* **Deleted** (or replaced): the next vote notices the file is not the one it set up (``stat``) — or SQLite says
  "no such table" — and creates the table again before storing the vote.
* **Damaged** (not a database, or failing SQLite's ``quick_check``): the file is moved aside as
  ``feedback.sqlite3.corrupt-<UTC time>`` (one warning line in the log, under a lock file so two processes never
  both do it) and a fresh one is started.
* **One vote per answer**: a vote names its answer (``key``); voting again on it replaces the vote, and a dislike
  may carry a short "what was wrong?" text (:meth:`explain`). A database made before these columns gets them.
* :meth:`record` returns only once the vote is committed; any failure raises, so the chat can tell the visitor their
  vote was not saved. :meth:`health` says what is wrong, for ``/healthz``.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

log = logging.getLogger(__name__)
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
    surface TEXT NOT NULL DEFAULT '',
    answer_key TEXT,
    reason TEXT NOT NULL DEFAULT ''
)
"""
# Columns added since the first schema: a database made before them gets them at the next start (ALTER TABLE).
_ADDED = {"answer_key": "answer_key TEXT", "reason": "reason TEXT NOT NULL DEFAULT ''"}
_KEY_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS feedback_answer_key ON feedback(answer_key)"
MAX_REASON = 500  # characters of a "what was wrong?" text


def is_damage(exc: BaseException) -> bool:
    """Whether a SQLite error means the file is not a (sound) database, as opposed to busy, locked or read-only."""
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc).lower()
    return name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or "not a database" in text or "malformed" in text


class FeedbackStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file the table was made in

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        con.execute("PRAGMA busy_timeout=30000")
        return con

    def _current_identity(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return st.st_dev, st.st_ino

    def _ensure(self) -> None:
        """The table exists in the file now at ``path`` (see the module docstring). Call with ``_lock`` held."""
        if self._identity is not None and self._current_identity() == self._identity:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists() and self._create_new():
            self._identity = self._current_identity()
            return
        try:
            self._retrying(_create)
        except sqlite3.DatabaseError as exc:
            if not is_damage(exc):
                raise
            self._set_aside(exc)
            self._retrying(_create)
        self._identity = self._current_identity()

    def _create_new(self) -> bool:
        """Create the database where none is; False when another process created it first.

        A vanished database's journal must not be replayed into a new one. Removing it and creating the new file
        happen under the lock file: else another process could create the database in between and have its live
        journal removed under it (SQLite then fails with "disk I/O error")."""
        with FileLock(str(self.path) + ".lock", timeout=30):
            if self.path.exists():
                return False
            for suffix in ("-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            self._retrying(_create)
            return True

    def _set_aside(self, exc: BaseException) -> None:
        """Move a damaged database out of the way (unless another process already did)."""
        with FileLock(str(self.path) + ".lock", timeout=30):
            try:
                self._retrying(_create)  # another process may have replaced it meanwhile
                return
            except sqlite3.DatabaseError as again:
                if not is_damage(again):
                    raise
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                extra = Path(str(self.path) + suffix)
                if extra.exists():
                    os.replace(extra, Path(str(aside) + suffix))
            log.warning("feedback store %s is damaged (%s); moved it aside as %s and started a new one",
                        self.path.name, str(exc).splitlines()[0][:80], aside.name)

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
               refused: bool = False, surface: str = "", key: str | None = None) -> int:
        """Store one vote; returns its row id once committed (raises if it could not be stored).

        ``key`` names the answer voted on (one answer shown in one chat session): an answer has one vote, the last
        one given — voting again on the same key replaces the vote (Like then Dislike: up 0, down 1, total 1), and a
        vote other than "down" drops the "what was wrong?" text given with an earlier dislike."""
        if vote not in VOTES:
            raise ValueError(f"vote must be one of {VOTES}, not {vote!r}")
        row = (datetime.now(timezone.utc).isoformat(timespec="milliseconds"), str(question), str(query), str(answer),
               json.dumps(list(citation_ids)), vote, int(bool(refused)), surface, None if key is None else str(key))

        def insert(con) -> int:
            cur = con.execute(
                "INSERT INTO feedback (created, question, query, answer, citation_ids, vote, refused, surface, answer_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(answer_key) DO UPDATE SET created = excluded.created, "
                "vote = excluded.vote, reason = CASE WHEN excluded.vote = 'down' THEN reason ELSE '' END "
                "RETURNING id", row)
            return int(cur.fetchone()[0])

        return self._repairing(insert)

    def explain(self, key: str, reason: str) -> bool:
        """Keep ``reason`` (what was wrong, at most :data:`MAX_REASON` characters) with the dislike of answer ``key``;
        False when that answer has no dislike stored (raises if the store cannot be used)."""
        if not isinstance(reason, str) or len(reason) > MAX_REASON:
            raise ValueError(f"reason must be text of at most {MAX_REASON} characters")

        def update(con) -> bool:
            return con.execute("UPDATE feedback SET reason = ? WHERE answer_key = ? AND vote = 'down'",
                               (reason, str(key))).rowcount > 0

        return self._repairing(update)

    def _repairing(self, work):
        """``work(connection)`` once the table is there; when the file turns out to have vanished or been damaged
        meanwhile (its identity unchanged: written over in place), set up again and retry."""
        with self._lock:
            for attempt in range(3):
                self._ensure()
                try:
                    return self._retrying(work)
                except sqlite3.DatabaseError as exc:
                    if attempt == 2 or not ("no such table" in str(exc) or is_damage(exc)):
                        raise
                    self._identity = None
        raise AssertionError("unreachable")

    def counts(self) -> dict[str, int]:
        """Votes standing: likes, dislikes and their total (an answer's vote taken back is in none of them)."""
        out = {"up": 0, "down": 0, "total": 0}
        if not self.path.exists():
            return out
        for vote, n in self._repairing(lambda con: con.execute("SELECT vote, COUNT(*) FROM feedback GROUP BY vote").fetchall()):
            if vote in ("up", "down"):
                out[vote] = n
                out["total"] += n
        return out

    def health(self) -> str | None:
        """None when votes can be stored, else why not (one line)."""
        try:
            if not self.path.exists():
                folder = next((p for p in [self.path.parent, *self.path.parent.parents] if p.exists()), None)
                if folder is None or not os.access(folder, os.W_OK | os.X_OK):
                    return f"the feedback folder {self.path.parent} is not writable"
                return None
            self.counts()
        except (sqlite3.Error, OSError) as exc:
            return f"the feedback store cannot be used: {str(exc).splitlines()[0][:160]}"
        return None

    def rows(self) -> list[dict]:
        if not self.path.exists():
            return []
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            return [dict(r, citation_ids=json.loads(r["citation_ids"])) for r in con.execute("SELECT * FROM feedback ORDER BY id")]
        finally:
            con.close()


def _create(con: sqlite3.Connection) -> None:
    con.execute("PRAGMA journal_mode=WAL")  # switching modes ignores the busy timeout: hence the retries
    con.execute(_SCHEMA)
    have = {row[1] for row in con.execute("PRAGMA table_info(feedback)")}
    for name, column in _ADDED.items():
        if name not in have:
            try:
                con.execute(f"ALTER TABLE feedback ADD COLUMN {column}")
            except sqlite3.OperationalError as exc:  # another process added it meanwhile
                if "duplicate column" not in str(exc):
                    raise
    con.execute(_KEY_INDEX)
    problem = con.execute("PRAGMA quick_check").fetchone()[0]
    if problem != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed ({problem[:80]})")
