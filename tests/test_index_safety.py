"""The index is never lost: serving writes nothing to it (not even the first question after an ingest); old generations
go once no process serves them, with their files; `ingest --rebuild` swaps atomically; a second ingest waits or
says why it cannot run; a damaged or missing index gives a one-line "run `assistant ingest`"; and `kill -9` of an
ingest at any moment leaves `assistant ask --json` answering with citations."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conftest import env_for, free_port, make_settings
from uiserver import BIN, serve

QUESTION = "Will Ukraine join NATO?"
SMALL = """---
title: "Notes on Beekeeping"
---

## Hives

Bees live in hives made of wax. A strong hive holds tens of thousands of workers.

## Honey

Honey is harvested in late summer. Each frame is uncapped and spun.
"""


def copy_index(src_settings, dest: Path, **overrides):
    """A private copy of the session index (so a test may break or rebuild it)."""
    shutil.copytree(src_settings.data_dir, dest, ignore=shutil.ignore_patterns("feedback.sqlite3*", "ingest.lock", "leases"))
    return make_settings(dest, **overrides)


def file_states(root: Path) -> dict[str, tuple[int, int, str]]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[str(path.relative_to(root))] = (st.st_mtime_ns, st.st_size, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def records_digest(chroma_dir: Path) -> dict[str, str]:
    """Every table of Chroma's database, read-only (``acquire_write`` is Chroma's own lock bookkeeping, not data)."""
    con = sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        out = {}
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'acquire_write'"):
            h = hashlib.sha256()
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                h.update(repr(row).encode())
            out[name] = h.hexdigest()
        return out
    finally:
        con.close()


def chroma_state(chroma_dir: Path) -> tuple[str, list[str]]:
    """(active generation, generations present), read straight from Chroma's database, read-only, no Chroma client."""
    con = sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        active = con.execute("SELECT c.string_value FROM embedding_metadata c JOIN embedding_metadata v ON v.id = c.id "
                             "WHERE c.key = 'collection' AND v.key = 'version' ORDER BY v.int_value DESC LIMIT 1").fetchone()
        gens = sorted(n for (n,) in con.execute("SELECT name FROM collections") if not n.endswith("__meta"))
        return active[0], gens
    finally:
        con.close()


# -- G: serving is read-only -----------------------------------------------------------------------------------------

def segment_dirs(chroma_dir: Path, collection: str | None = None) -> tuple[list[str], list[str]]:
    """(segment folders a collection uses — all collections when None —, folders no collection uses), read-only."""
    con = sqlite3.connect(f"file:{chroma_dir / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT s.id, c.name FROM segments s JOIN collections c ON c.id = s.collection").fetchall()
    finally:
        con.close()
    used = {str(i) for i, name in rows if collection is None or name == collection}
    every = {str(i) for i, _ in rows}
    folders = [p.name for p in chroma_dir.iterdir() if p.is_dir()]
    return sorted(f for f in folders if f in used), sorted(f for f in folders if f not in every)


@pytest.mark.server
def test_serving_never_writes_to_the_index(index_settings, tmp_path):
    """After an ingest, a fresh server answering questions (the first ones included), passages, /healthz and votes
    leaves every file of the index folder as it was: not one byte or mtime of the active collection's HNSW files."""
    from index.ingest import ingest

    s = copy_index(index_settings, tmp_path / "data")
    report = ingest(s)  # a new generation, as after `assistant ingest` (nothing re-embedded)
    assert not s.feedback_path.resolve().is_relative_to(s.chroma_path.resolve())  # votes live outside the index
    active_dirs, _ = segment_dirs(s.chroma_path, report.collection)
    files_before = file_states(s.chroma_path)
    assert [k for k in files_before if k.split("/")[0] in active_dirs and k.endswith("length.bin")], files_before
    records_before = records_digest(s.chroma_path)
    with serve(s, tmp_path, ASSISTANT_REFRESH_SECONDS="0.2") as srv:
        questions = [QUESTION, "What is the Coalition of the Willing?", "apple pie?", "Why?", "Who wrote the article?"]

        def hit(i: int) -> int:
            r = httpx.post(srv.base + "/api/ask", json={"question": questions[i % 5] + " " * (i % 3)}, timeout=60)
            if i % 10 == 0:
                cite = r.json()["citations"][:1]
                for c in cite:
                    assert httpx.get(srv.base + f"/api/passages/{c['id']}", timeout=30).status_code == 200
                httpx.get(srv.base + "/healthz?detail=1", timeout=30)
            return r.status_code

        with ThreadPoolExecutor(16) as pool:
            codes = list(pool.map(hit, range(80)))
        from uiserver import GradioSession

        chat = GradioSession(srv.base)
        assert chat.ask(QUESTION)[1]["success"] and chat.like(1)["success"]
        time.sleep(0.6)  # the index-version check runs every 0.2 s: let it run a few times more
        assert set(codes) == {200}
        assert srv.get("/healthz?detail=1").json()["collection"] == report.collection
    files_after = file_states(s.chroma_path)
    changed = [k for k in files_before.keys() | files_after.keys() if files_before.get(k) != files_after.get(k)]
    assert changed == [], changed
    assert records_digest(s.chroma_path) == records_before  # no record changed over the whole serve session


# -- H: old generations go, with their files, once no process serves them -------------------------------------------------

@pytest.mark.server
def test_old_generations_are_deleted_once_no_process_uses_them(index_settings, tmp_path):
    from index.ingest import ingest

    s = copy_index(index_settings, tmp_path / "data")
    served, _ = chroma_state(s.chroma_path)
    with serve(s, tmp_path, ASSISTANT_REFRESH_SECONDS="3600") as srv:  # keeps serving the generation it loaded
        reports = [ingest(s) for _ in range(3)]
        active, gens = chroma_state(s.chroma_path)
        assert active == reports[-1].collection
        # Kept: the one a live server still uses, the one just replaced, the active one. Dropped: the rest.
        assert gens == sorted({served, reports[-2].collection, active}), gens
        used, orphans = segment_dirs(s.chroma_path)
        assert orphans == [], orphans  # (before: every dropped collection left its folder behind)
        answer = srv.post("/api/ask", json={"question": QUESTION}).json()
        assert answer["citations"] and not answer["refused"]
        assert srv.get("/healthz").json()["collection"] == served
    last = ingest(s)  # the server is gone: so is the generation it held
    active, gens = chroma_state(s.chroma_path)
    assert gens == sorted([reports[-1].collection, last.collection]), gens
    used, orphans = segment_dirs(s.chroma_path)
    assert orphans == [] and len(used) == len(segment_dirs(s.chroma_path)[0])
    assert len([p for p in s.chroma_path.iterdir() if p.is_dir()]) == 3  # the pointer's and two generations' HNSW files
    assert not list((s.data_dir / "leases").glob("*.lease"))  # the dead server's lease was cleared


# -- atomic rebuild (in process, small source) ------------------------------------------------------------------------

def test_rebuild_swaps_atomically(tmp_path):
    from index import store
    from index.ingest import ingest

    src = tmp_path / "src"
    src.mkdir()
    (src / "bees.md").write_text(SMALL, encoding="utf-8")
    s = make_settings(tmp_path / "data", sources=(src,))
    first = ingest(s)
    client = store.connect(s)
    seen = {}

    def on_stage(name: str) -> None:
        active = store.read_active(client, s)
        seen[name] = (active.collection, store.generations(client, s),
                      store.get_generation(client, active.collection).count())

    report = ingest(s, rebuild=True, on_stage=on_stage)
    old, new = first.collection, report.collection
    assert old != new
    full = store.get_generation(client, new).count()
    # Until the swap, readers get the old generation, complete; the new one is built beside it.
    assert seen["created"][0] == old and seen["created"][1] == sorted([old, new])
    assert seen["embedded"][0] == old and seen["embedded"][2] == full
    assert "copied" not in seen  # a rebuild copies nothing: everything is embedded afresh
    assert seen["swapped"][0] == new  # the swap is the one write that moves readers
    # The replaced generation is kept until the next ingest (servers that have not refreshed yet keep answering),
    # then dropped: never more than the active one and the one before.
    assert store.read_active(client, s).collection == new and store.generations(client, s) == sorted([old, new])
    newer = ingest(s).collection
    assert store.generations(client, s) == sorted([new, newer])


# -- one ingest at a time ------------------------------------------------------------------------------------------------

class Ingest:
    """`assistant ingest …` in the background, its stderr read line by line."""

    def __init__(self, settings, *args: str, pause: str = ""):
        extra = {"ASSISTANT_INGEST_PAUSE": pause} if pause else {}
        self.started = time.monotonic()
        self.proc = subprocess.Popen([str(BIN), "ingest", *args], env=env_for(settings, **extra), text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: list[str] = []
        self.out = ""
        self._err = threading.Thread(target=self._read, daemon=True)
        self._err.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in ln for ln in self.lines):
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"never saw {text!r}; rc={self.proc.poll()} stderr={''.join(self.lines)[-2000:]}")

    def finish(self, timeout: float = 180) -> int:
        self.out = self.proc.stdout.read()
        rc = self.proc.wait(timeout)
        self._err.join(5)
        return rc

    @property
    def stderr(self) -> str:
        return "".join(self.lines)


def ask_json(settings) -> tuple[int, dict | None, str]:
    p = subprocess.run([str(BIN), "ask", "--json", QUESTION], env=env_for(settings), capture_output=True, text=True,
                       timeout=180)
    try:
        data = json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError:
        data = None
    return p.returncode, data, p.stderr


def assert_answers(settings, when: str) -> None:
    rc, data, err = ask_json(settings)
    assert rc == 0 and data, f"{when}: rc={rc} {err[-1500:]}"
    assert not data["refused"] and data["citations"] and "NATO" in data["answer"], (when, data)


@pytest.mark.server
def test_a_second_ingest_exits_with_one_line_or_waits(index_settings, tmp_path):
    s = copy_index(index_settings, tmp_path / "data")
    first = Ingest(s, pause="created:8")
    first.wait_for("paused after stage created")
    # Without --wait: refused at once, one line naming the holder and the fix.
    t0 = time.monotonic()
    second = subprocess.run([str(BIN), "ingest"], env=env_for(s), capture_output=True, text=True, timeout=120)
    assert second.returncode != 0 and "Traceback" not in second.stderr + second.stdout
    lines = [ln for ln in second.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Another ingest" in lines[0] and "--wait" in lines[0], second.stderr
    assert str(first.proc.pid) in lines[0]
    # With --wait: it waits for the first to finish, then runs.
    waiter = Ingest(s, "--wait", "120")
    assert first.finish() == 0, first.stderr
    first_done = time.monotonic()
    assert waiter.finish() == 0, waiter.stderr
    assert time.monotonic() >= first_done and "Passages:" in waiter.out
    assert time.monotonic() - t0 < 150
    assert_answers(s, "after two ingests in a row")


# -- damaged or missing data directory --------------------------------------------------------------------------------

def _missing(d: Path): pass                                                          # noqa: E704
def _empty(d: Path): d.mkdir()                                                       # noqa: E704
def _empty_chroma(d: Path): (d / "chroma").mkdir(parents=True)                       # noqa: E704


def _garbage(d: Path):
    (d / "chroma").mkdir(parents=True)
    (d / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(8192))


def _truncated(d: Path, src=None):
    shutil.copytree(src, d, ignore=shutil.ignore_patterns("feedback.sqlite3*", "ingest.lock"))
    db = d / "chroma" / "chroma.sqlite3"
    with open(db, "r+b") as f:
        f.truncate(db.stat().st_size // 3)


def _zero_bytes(d: Path):
    (d / "chroma").mkdir(parents=True)
    (d / "chroma" / "chroma.sqlite3").write_bytes(b"")


def _file_not_dir(d: Path):
    d.mkdir()
    (d / "chroma").write_text("not a directory")


DAMAGE = {"missing": _missing, "empty": _empty, "empty-chroma": _empty_chroma, "garbage": _garbage,
          "truncated": _truncated, "zero-bytes": _zero_bytes, "chroma-is-a-file": _file_not_dir}


@pytest.mark.server
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_or_missing_index_says_run_ingest(index_settings, tmp_path, damage):
    d = tmp_path / "data"
    if damage == "truncated":
        _truncated(d, index_settings.data_dir)
    else:
        DAMAGE[damage](d)
    s = make_settings(d)
    commands = {"ask": [str(BIN), "ask", "--json", QUESTION],
                "serve": [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(free_port())]}

    def run(cmd):
        try:
            return subprocess.run(cmd, env=env_for(s), capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:  # serve started on a damaged index: a failure, not a hang
            raise AssertionError(f"{cmd[1]} did not stop on a {damage} index") from exc

    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(commands, pool.map(run, commands.values())))
    for name, p in results.items():
        assert p.returncode != 0, (name, p.stdout[-500:])
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, (name, damage, p.stderr[-3000:])
        assert "assistant ingest" in lines[0] and "Traceback" not in p.stderr + p.stdout, (name, lines)
        assert p.stdout.strip() == "", (name, p.stdout[:300])


# -- kill -9 during `ingest --rebuild` ---------------------------------------------------------------------------------

KILLS = {  # name → (ingest arguments, pause stage or None, seconds to wait after the cue before killing)
    "after-created": (["--rebuild"], "created", 0.0),
    "after-copied": ([], "copied", 0.0),  # (a rebuild copies nothing; a plain ingest passes this stage)
    "mid-embedding": (["--rebuild"], "created-go", 0.5),  # model loading or embedding (about 2 s after "created")
    "after-embedded": (["--rebuild"], "embedded", 0.0),
    "after-swapped": (["--rebuild"], "swapped", 0.0),
    "early-timed": (["--rebuild"], None, 1.5),
}


@pytest.mark.server
@pytest.mark.parametrize("kill_at", list(KILLS))
def test_kill_9_during_ingest_leaves_an_answering_index(index_settings, tmp_path, kill_at):
    args, stage, delay = KILLS[kill_at]
    s = copy_index(index_settings, tmp_path / "data")
    if stage == "created-go":  # announce "created" without stopping, then kill while embedding
        job = Ingest(s, *args, pause="created:0")
        job.wait_for("paused after stage created")
    elif stage:
        job = Ingest(s, *args, pause=f"{stage}:120")
        job.wait_for(f"paused after stage {stage}")
    else:
        job = Ingest(s, *args)
    time.sleep(delay)
    assert job.proc.poll() is None, f"ingest ended before the kill: {job.stderr[-1000:]}"
    job.proc.kill()  # SIGKILL: no cleanup of any kind
    assert job.finish(30) == -9

    assert_answers(s, f"after kill -9 {kill_at}")
    active, gens = chroma_state(s.chroma_path)
    expected = max(gens) if kill_at == "after-swapped" else min(gens)  # the pointer moves only at the swap
    assert active == expected, (kill_at, active, gens)
    # The next ingest takes the lock the dead one held and drops the dead run's leftovers: afterwards only the new
    # generation and the one it replaced (kept for servers not yet refreshed) remain.
    p = subprocess.run([str(BIN), "ingest"], env=env_for(s), capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    now, gens_now = chroma_state(s.chroma_path)
    assert gens_now == sorted([active, now]) and now != active, (active, gens, now, gens_now)
    assert segment_dirs(s.chroma_path)[1] == []  # and the files of what it dropped
