"""The feedback store: rows complete, counts right, nothing lost under concurrent writers."""
from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui.feedback import FeedbackStore


def test_record_and_count(tmp_path):
    store = FeedbackStore(tmp_path / "sub" / "feedback.sqlite3")
    assert store.counts() == {"up": 0, "down": 0, "total": 0}
    assert not store.path.exists()  # nothing written before the first vote
    rid = store.record("Will Ukraine join NATO?", "Unlikely. [1]", ["a--1", "a--2"], "up", query="q", surface="chat")
    store.record("Q2", "The article doesn't cover that.", [], "down", refused=True)
    assert rid == 1
    assert store.counts() == {"up": 1, "down": 1, "total": 2}
    rows = store.rows()
    assert rows[0]["question"] == "Will Ukraine join NATO?" and rows[0]["citation_ids"] == ["a--1", "a--2"]
    assert rows[0]["vote"] == "up" and rows[0]["created"].startswith("20") and rows[1]["refused"] == 1
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_rejects_unknown_vote(tmp_path):
    with pytest.raises(ValueError):
        FeedbackStore(tmp_path / "f.sqlite3").record("q", "a", [], "maybe")


def test_concurrent_writers_lose_no_row(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    stores = [FeedbackStore(path) for _ in range(3)]  # like three server processes sharing the file
    n_threads, per_thread = 12, 40
    barrier = threading.Barrier(n_threads)

    def work(t: int):
        barrier.wait()
        for i in range(per_thread):
            stores[t % 3].record(f"q{t}-{i}", "a", [f"p{i}"], "up" if i % 2 else "down")

    with ThreadPoolExecutor(n_threads) as pool:
        list(pool.map(work, range(n_threads)))
    total = n_threads * per_thread
    assert stores[0].counts() == {"up": total // 2, "down": total // 2, "total": total}
    assert len({r["question"] for r in stores[1].rows()}) == total
