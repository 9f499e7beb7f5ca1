"""The feedback store: rows complete, counts right, nothing lost under concurrent writers; it survives its file being
deleted (J) or damaged (K) while serving, and a vote it could not store is an error the visitor sees (in process, and
through a real server's chat protocol)."""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from uiserver import GradioSession, serve
from ui.feedback import FeedbackStore

QUESTION = "Will Ukraine join NATO?"


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


# -- one vote per answer, changeable; "what was wrong?" kept with a dislike --------------------------------------------

def test_one_vote_per_answer_the_last_one_counts(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    first = store.record(QUESTION, "Unlikely. [1]", ["a--1"], "up", key="chat:answer-1")
    again = store.record(QUESTION, "Unlikely. [1]", ["a--1"], "down", key="chat:answer-1")  # Like → Dislike
    assert again == first
    assert store.counts() == {"up": 0, "down": 1, "total": 1}  # (before: up 1, down 1, total 2)
    store.record("Other", "b", [], "up", key="chat:answer-2")
    store.record("No key", "c", [], "down")  # votes without a key (older callers) stay one row each
    store.record("No key", "c", [], "down")
    assert store.counts() == {"up": 1, "down": 3, "total": 4}
    store.record(QUESTION, "Unlikely. [1]", ["a--1"], "cleared", key="chat:answer-1")  # taken back: not counted
    assert store.counts() == {"up": 1, "down": 2, "total": 3}
    assert [r["vote"] for r in store.rows() if r["answer_key"] == "chat:answer-1"] == ["cleared"]


def test_what_was_wrong_is_kept_with_the_dislike(tmp_path):
    from ui.feedback import MAX_REASON

    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    assert not store.explain("chat:x", "nothing to attach to")  # no vote yet: nothing stored
    store.record(QUESTION, "Unlikely. [1]", ["a--1"], "up", key="chat:x")
    assert not store.explain("chat:x", "a like takes no reason")
    store.record(QUESTION, "Unlikely. [1]", ["a--1"], "down", key="chat:x")
    assert store.explain("chat:x", "It missed the date <b>and</b> the name.")
    (row,) = store.rows()
    assert row["vote"] == "down" and row["reason"] == "It missed the date <b>and</b> the name."  # stored as typed
    with pytest.raises(ValueError):
        store.explain("chat:x", "x" * (MAX_REASON + 1))
    with pytest.raises(ValueError):
        store.explain("chat:x", 42)
    store.record(QUESTION, "Unlikely. [1]", ["a--1"], "down", key="chat:x")  # the same dislike again keeps it
    assert store.rows()[0]["reason"].startswith("It missed")
    store.record(QUESTION, "Unlikely. [1]", ["a--1"], "up", key="chat:x")  # changed to a like: the reason goes
    assert store.rows()[0]["reason"] == "" and store.counts() == {"up": 1, "down": 0, "total": 1}


def test_a_database_of_the_first_schema_gets_the_new_columns(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    con = sqlite3.connect(path)
    con.execute("""CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,
        question TEXT NOT NULL, query TEXT NOT NULL DEFAULT '', answer TEXT NOT NULL, citation_ids TEXT NOT NULL,
        vote TEXT NOT NULL CHECK (vote IN ('up', 'down', 'cleared')), refused INTEGER NOT NULL DEFAULT 0,
        surface TEXT NOT NULL DEFAULT '')""")
    con.execute("INSERT INTO feedback (created, question, answer, citation_ids, vote) VALUES ('2026', 'old', 'a', '[]', 'up')")
    con.commit()
    con.close()
    stores = [FeedbackStore(path) for _ in range(4)]  # several processes starting at once: each adds or finds them
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda st: st.record("new", "a", [], "down", key=f"k{id(st)}"), stores))
    stores[0].record("new", "a", [], "up", key=f"k{id(stores[0])}")
    assert stores[0].counts() == {"up": 2, "down": 3, "total": 5}
    assert {r["question"] for r in stores[0].rows()} == {"old", "new"} and len(stores[0].rows()) == 5


# -- J, K: the file deleted or damaged under a running store ----------------------------------------------------------

def remove_db(path):
    for suffix in ("", "-wal", "-shm"):
        try:
            os.unlink(str(path) + suffix)
        except FileNotFoundError:
            pass


def test_a_deleted_file_gets_its_table_back(tmp_path):
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.record("q1", "a", [], "up")
    remove_db(store.path)
    assert store.record("q2", "a", [], "down") >= 1  # (before: "no such table", a 0-byte file, the vote lost)
    assert [r["question"] for r in store.rows()] == ["q2"]
    assert store.counts() == {"up": 0, "down": 1, "total": 1} and store.health() is None
    # Deleted between two votes of another store on the same file (another server process) too.
    other = FeedbackStore(store.path)
    remove_db(store.path)
    other.record("q3", "a", [], "up")
    store.record("q4", "a", [], "up")
    assert [r["question"] for r in store.rows()] == ["q3", "q4"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "zeroed-header"])
def test_a_damaged_file_is_moved_aside_and_a_new_one_started(tmp_path, caplog, damage):
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    for i in range(200):
        store.record(f"q{i}", "answer " * 50, ["p"], "up")
    if damage == "garbage":
        path.write_bytes(os.urandom(20000))
    elif damage == "truncated":
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 3)
    else:
        with open(path, "r+b") as f:
            f.write(b"\0" * 100)
    caplog.set_level(logging.WARNING, logger="ui.feedback")
    assert store.health() is None  # (before: a 500 from /healthz)
    store.record("after", "a", [], "down")
    aside = sorted(tmp_path.glob("feedback.sqlite3.corrupt-*"))
    assert [p.name for p in aside if not p.name.endswith(("-wal", "-shm"))], list(tmp_path.iterdir())
    assert [r["question"] for r in store.rows()] == ["after"]
    lines = [r for r in caplog.records if "moved it aside" in r.getMessage()]
    assert len(lines) == 1 and "\n" not in lines[0].getMessage()
    # A second store (another process) finds the new file sound: nothing more moved aside.
    FeedbackStore(path).record("again", "a", [], "up")
    assert len(sorted(tmp_path.glob("feedback.sqlite3.corrupt-*"))) == len(aside)


def test_a_vote_that_cannot_be_stored_raises(tmp_path):
    path = tmp_path / "feedback.sqlite3"
    path.mkdir()  # a folder where the database should be: nothing can be stored
    store = FeedbackStore(path)
    with pytest.raises(sqlite3.Error):
        store.record("q", "a", [], "up")
    assert store.health() and "feedback" in store.health()


# -- over HTTP, through the chat -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(index_settings, tmp_path_factory):
    from conftest import make_settings

    data = tmp_path_factory.mktemp("fb-data")
    os.symlink(index_settings.index.chroma_path, data / "chroma")  # the session index, this module's own feedback file
    with serve(make_settings(data), tmp_path_factory.mktemp("fb-log")) as srv:
        srv.db = data / "feedback.sqlite3"
        yield srv


def detail(srv) -> dict:
    return srv.get("/healthz?detail=1").json()


@pytest.mark.server
def test_votes_survive_the_file_deleted_or_damaged_while_serving(server):
    gs = GradioSession(server.base)
    text, done = gs.ask(QUESTION)
    assert done and done["success"]
    assert gs.like(1)["success"]
    assert detail(server)["feedback"]["total"] == 1

    # J: deleted while serving: the next vote is stored all the same, and counted.
    remove_db(server.db)
    vote = gs.like(1, liked=False)
    assert vote["success"], vote
    h = detail(server)
    assert h["status"] == "ok" and h["feedback"] == {"up": 0, "down": 1, "total": 1}
    assert [r["vote"] for r in FeedbackStore(server.db).rows()] == ["down"]

    # K: damaged while serving: /healthz still answers 200, the file is moved aside, the vote is stored.
    before = server.log.read_text(errors="replace")
    server.db.write_bytes(os.urandom(8192))
    h = server.get("/healthz?detail=1")
    assert h.status_code == 200, h.text
    gs2 = GradioSession(server.base)
    text, done = gs2.ask(QUESTION)
    assert done and done["success"]
    assert gs2.like(1)["success"]
    assert list(server.db.parent.glob("feedback.sqlite3.corrupt-*"))
    assert [r["vote"] for r in FeedbackStore(server.db).rows()] == ["up"]
    log = server.log.read_text(errors="replace")[len(before):]
    assert log.count("moved it aside") == 1 and "Traceback" not in log, log[-2000:]


@pytest.mark.server
def test_a_vote_that_cannot_be_stored_is_shown_as_an_error(server):
    gs = GradioSession(server.base)
    text, done = gs.ask(QUESTION)
    assert done and done["success"]
    remove_db(server.db)
    server.db.mkdir()  # nothing can be stored now
    try:
        vote = gs.like(1)
        assert not vote["success"] and vote["output"]["visible"] is not False
        assert "could not be saved" in vote["output"]["error"]
        h = server.get("/healthz")
        assert h.status_code == 200 and h.json()["status"] == "degraded"
        assert h.json()["reasons"] == ["feedback_unavailable"]
        assert "feedback_unavailable" in detail(server)["details"]
    finally:
        server.db.rmdir()
    assert gs.like(1)["success"]  # the store is back: the vote can be given again
    assert server.get("/healthz").json()["status"] == "ok"
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-2000:]


@pytest.mark.server
def test_switching_like_to_dislike_is_one_vote_and_the_reason_is_kept(server):
    """Through the chat's own protocol: Like then Dislike on one answer is one vote (the dislike); the "what was
    wrong?" text is kept with it, checked (empty, too long) and only after a dislike of this session."""
    before = detail(server)["feedback"] or {"up": 0, "down": 0, "total": 0}
    gs = GradioSession(server.base)
    why = gs.fn("on_why")
    early = gs.run_queued(why, ["nothing disliked yet"])
    assert not early["success"] and "Dislike" in early["output"]["error"]
    text, done = gs.ask(QUESTION)
    assert done and done["success"]
    liked = gs.like(1)
    assert liked["success"] and liked["output"]["data"][0]["visible"] is False  # no "what was wrong?" box for a like
    disliked = gs.like(1, liked=False)
    assert disliked["success"] and disliked["output"]["data"][0]["visible"] is True  # the box opens
    after = detail(server)["feedback"]
    assert {k: after[k] - before[k] for k in after} == {"up": 0, "down": 1, "total": 1}
    for bad, message in (("  \u200b ", "Type what was wrong"), ("x" * 501, "under 500")):
        r = gs.run_queued(why, [bad])
        assert not r["success"] and message in r["output"]["error"], r
    r = gs.run_queued(why, ["  It quoted   the FAQ, not the section.\x07 "])
    assert r["success"] and "saved" in r["output"]["data"][2], r
    row = [r for r in FeedbackStore(server.db).rows() if r["question"] == QUESTION][-1]
    assert row["vote"] == "down" and row["reason"] == "It quoted the FAQ, not the section."
    assert row["answer_key"].startswith("chat:")
    log = server.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-2000:]
