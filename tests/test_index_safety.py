"""The index is never lost: serving writes nothing to it (not even the first question after an ingest); old generations
go once no process serves them, with their files; `ingest --rebuild` swaps atomically; a second ingest waits or
says why it cannot run; a damaged or missing index gives a one-line "run `assistant ingest`"; and an ingest stopped at
any stage (every one of index.settings.INGEST_STAGES, in process through the stage hook, plus one real `kill -9`)
leaves the index answering with citations, and the next ingest recovers."""
from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from conftest import cli_in_process, env_for, free_port, make_settings, texts_of
from uiserver import BIN, serve

pytestmark = pytest.mark.slow  # 10 s or more together: started first under `make test`

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
    shutil.copytree(src_settings.index.data_dir, dest, ignore=shutil.ignore_patterns("feedback.sqlite3*", "ingest.lock", "leases"))
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
    assert not s.index.feedback_path.resolve().is_relative_to(s.index.chroma_path.resolve())  # votes live outside the index
    active_dirs, _ = segment_dirs(s.index.chroma_path, report.collection)
    files_before = file_states(s.index.chroma_path)
    assert [k for k in files_before if k.split("/")[0] in active_dirs and k.endswith("length.bin")], files_before
    records_before = records_digest(s.index.chroma_path)
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
    files_after = file_states(s.index.chroma_path)
    changed = [k for k in files_before.keys() | files_after.keys() if files_before.get(k) != files_after.get(k)]
    assert changed == [], changed
    assert records_digest(s.index.chroma_path) == records_before  # no record changed over the whole serve session


# -- H: old generations go, with their files, once no process serves them -------------------------------------------------

@pytest.mark.server
def test_old_generations_are_deleted_once_no_process_uses_them(index_settings, tmp_path):
    from index.ingest import ingest

    s = copy_index(index_settings, tmp_path / "data")
    served, _ = chroma_state(s.index.chroma_path)
    with serve(s, tmp_path, ASSISTANT_REFRESH_SECONDS="3600") as srv:  # keeps serving the generation it loaded
        reports = [ingest(s) for _ in range(3)]
        active, gens = chroma_state(s.index.chroma_path)
        assert active == reports[-1].collection
        # Kept: the one a live server still uses, the one just replaced, the active one. Dropped: the rest.
        assert gens == sorted({served, reports[-2].collection, active}), gens
        used, orphans = segment_dirs(s.index.chroma_path)
        assert orphans == [], orphans  # (before: every dropped collection left its folder behind)
        answer = srv.post("/api/ask", json={"question": QUESTION}).json()
        assert answer["citations"] and not answer["refused"]
        assert srv.get("/healthz").json()["collection"] == served
    last = ingest(s)  # the server is gone: so is the generation it held
    active, gens = chroma_state(s.index.chroma_path)
    assert gens == sorted([reports[-1].collection, last.collection]), gens
    used, orphans = segment_dirs(s.index.chroma_path)
    assert orphans == [] and len(used) == len(segment_dirs(s.index.chroma_path)[0])
    assert len([p for p in s.index.chroma_path.iterdir() if p.is_dir()]) == 3  # the pointer's and two generations' HNSW files
    assert not list((s.index.data_dir / "leases").glob("*.lease"))  # the dead server's lease was cleared


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


@pytest.mark.server
def test_a_second_ingest_exits_with_one_line_or_waits(index_settings, assistant, tmp_path):
    """A real `assistant ingest` holds the lock (paused after `created`); the second ingest is the click command in
    this process (its behaviour is the command's, the holder is another process)."""
    s = copy_index(index_settings, tmp_path / "data")
    first = Ingest(s, pause="created:3")
    first.wait_for("paused after stage created")
    # Without --wait: refused at once, one line naming the holder and the fix.
    t0 = time.monotonic()
    second = cli_in_process(["ingest"], env_for(s))
    assert second.returncode != 0 and "Traceback" not in second.stderr + second.stdout
    lines = [ln for ln in second.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Another ingest" in lines[0] and "--wait" in lines[0], second.stderr
    assert str(first.proc.pid) in lines[0]
    assert first.proc.poll() is None  # refused while the first was still running
    # With --wait: it waits for the first to finish, then runs.
    waiter = cli_in_process(["ingest", "--wait", "120"], env_for(s))
    assert first.finish() == 0, first.stderr
    assert waiter.returncode == 0, waiter.stderr
    made = [re.search(r"\(\d+ in (\w+)_v(\d+)\)", out) for out in (first.out, waiter.stdout)]
    assert all(made), (first.out, waiter.stdout)
    assert int(made[1][2]) == int(made[0][2]) + 1  # the waiter's generation is built on the first's: it ran after
    assert time.monotonic() - t0 < 150
    assert_answers_in_process(s, assistant, "after two ingests in a row")


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


def damaged(index_settings, tmp_path: Path, damage: str):
    d = tmp_path / "data"
    if damage == "truncated":
        _truncated(d, index_settings.index.data_dir)
    else:
        DAMAGE[damage](d)
    return make_settings(d)


def assert_one_line_run_ingest(name: str, damage: str, code: int, out: str, err: str) -> None:
    assert code != 0, (name, out[-500:])
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, (name, damage, err[-3000:])
    assert "assistant ingest" in lines[0] and "Traceback" not in err + out, (name, lines)
    assert out.strip() == "", (name, out[:300])


@pytest.mark.parametrize("damage", [d for d in DAMAGE if d != "truncated"])
def test_damaged_or_missing_index_says_run_ingest(index_settings, tmp_path, monkeypatch, damage):
    """`ask --json` and `serve` in process (click's CliRunner): one line naming `assistant ingest`, nothing served."""
    import uvicorn

    def no_serving(*args, **kwargs):
        raise AssertionError(f"serve started on a {damage} index")

    monkeypatch.setattr(uvicorn, "run", no_serving)
    s = damaged(index_settings, tmp_path, damage)
    for name, args in {"ask": ["ask", "--json", QUESTION],
                       "serve": ["serve", "--host", "127.0.0.1", "--port", str(free_port())]}.items():
        r = cli_in_process(args, env_for(s))
        assert_one_line_run_ingest(name, damage, r.returncode, r.stdout, r.stderr)


@pytest.mark.server
def test_truncated_index_real_commands_say_run_ingest(index_settings, tmp_path):
    """The real `assistant ask` and `assistant serve` processes on a truncated index (the damage a full disk or a
    killed copy leaves): exit non-zero with one line, and serve never starts."""
    s = damaged(index_settings, tmp_path, "truncated")
    commands = {"ask": [str(BIN), "ask", "--json", QUESTION],
                "serve": [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(free_port())]}

    def run(cmd):
        try:
            return subprocess.run(cmd, env=env_for(s), capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as exc:  # serve started on a damaged index: a failure, not a hang
            raise AssertionError(f"{cmd[1]} did not stop on a truncated index") from exc

    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(commands, pool.map(run, commands.values())))
    for name, p in results.items():
        assert_one_line_run_ingest(name, "truncated", p.returncode, p.stdout, p.stderr)


# -- one kill matrix: every ingest stage stopped in process through the stage hook, plus one real kill -9 ---------------

ZEBRA = "## Zebra Crossings\n\nZebra crossings in Kyiv were repainted in purple and gold last spring.\n"
ZEBRA_FACT = "Zebra crossings in Kyiv"


class Stopped(Exception):
    """Raised by the stage hook (or the model): the ingest stops right there, as a crash at that point would."""


def stages_of(rebuild: bool) -> list[str]:
    from index.settings import INGEST_STAGES

    return [st for st in INGEST_STAGES if not (rebuild and st == "copied")]  # a rebuild copies nothing


MATRIX = [(rebuild, stage) for rebuild in (False, True) for stage in stages_of(rebuild)] + [(True, "mid-embedding")]


def private_index(index_settings, tmp_path: Path):
    """A copy of the session index over its own sources folder (article.md), plus zebra.md: what the next ingest adds."""
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(Path(index_settings.index.sources[0]) / "article.md", src / "article.md")
    s = copy_index(index_settings, tmp_path / "data", sources=(src,))
    (src / "zebra.md").write_text(ZEBRA, encoding="utf-8")
    return s


def texts_of_zebra(s) -> int:
    """The texts zebra.md alone gives the model (its passage, its sentences, whatever else index.nodes adds)."""
    return texts_of(s.index.sources[0] / "zebra.md", "zebra.md")


def index_facts(s) -> tuple[str, list[str], bool]:
    """(active generation, generations present, whether the active one holds the zebra passage), as a reader sees them."""
    from index import store

    client = store.connect(s)
    active = store.read_active(client, s).collection
    docs = store.get_generation(client, active).get(include=["documents"])["documents"]
    return active, store.generations(client, s), any(ZEBRA_FACT in (d or "") for d in docs)


def assert_answers_in_process(s, shared, when: str) -> None:
    """A fresh Assistant over the index (the session's embedder) answers with citations; its lease goes with it."""
    from assistant import Assistant
    from assistant.answering.core import State, load_snapshot_for
    from index import store

    client = store.connect(s)
    a = Assistant(s, client, State(load_snapshot_for(s, client), s), shared.embedder)
    ans = a.ask(QUESTION)
    assert not ans.refused and ans.citations and "NATO" in ans.answer, (when, ans.answer)
    assert any("NATO" in c.text for c in ans.citations), when
    del a, client
    gc.collect()  # release the reader's lease now, as its process ending would


def assert_next_ingest_recovers(s, active: str, zebra_was_indexed: bool) -> None:
    """The next ingest takes the lock, drops the stopped run's leftovers and completes: afterwards only the new
    generation and the one it replaced (kept for servers not yet refreshed) remain, with no orphaned files."""
    from index.ingest import ingest

    report = ingest(s)
    assert report.errors == [] and report.removed == 0
    if zebra_was_indexed:  # the stopped run had already swapped: nothing left to do but a new generation
        assert (report.added, report.unchanged, report.embedded) == (0, 23, 0), report
    else:  # zebra.md is added, and only its texts are embedded: article.md's come from the old generation
        assert (report.added, report.unchanged, report.embedded) == (1, 22, texts_of_zebra(s)), report
    now, gens, zebra = index_facts(s)
    assert now == report.collection != active and gens == sorted([active, now]) and zebra, (active, now, gens)
    assert segment_dirs(s.index.chroma_path)[1] == []  # and the files of what it dropped


@pytest.mark.parametrize("rebuild,stage", MATRIX, ids=[f"{'rebuild' if r else 'ingest'}-{st}" for r, st in MATRIX])
def test_an_ingest_stopped_at_any_stage_leaves_an_answering_index(index_settings, assistant, tmp_path, monkeypatch,
                                                                   rebuild, stage):
    """In process: the stage hook raises right after STAGE (or the model raises mid-embedding); the previous
    generation stays active and answering until the swap, the new one after it, and the next ingest recovers."""
    from index.ingest import ingest

    s = private_index(index_settings, tmp_path)
    old, gens_before, _ = index_facts(s)
    assert gens_before == [old]
    seen: list[str] = []

    def hook(name: str) -> None:
        seen.append(name)
        if name == stage:
            raise Stopped(name)

    if stage == "mid-embedding":  # the model embeds a first few texts for real, then the run stops
        import index.embed

        real = index.embed.embed_texts

        def embed_then_stop(settings, texts):
            real(settings, list(texts)[:8])
            raise Stopped("mid-embedding")

        monkeypatch.setattr(index.embed, "embed_texts", embed_then_stop)
    with pytest.raises(Stopped):
        ingest(s, rebuild=rebuild, on_stage=hook)
    monkeypatch.undo()
    expected = stages_of(rebuild)
    assert seen == (["created"] if stage == "mid-embedding" else expected[: expected.index(stage) + 1])

    swapped = stage == "swapped"
    active, gens, zebra = index_facts(s)
    assert active == (max(gens) if swapped else old), (stage, active, gens)  # the pointer moves only at the swap
    assert zebra == swapped
    assert len(gens) == 2 and old in gens  # the half-made (or new) generation is still there, until the next ingest
    assert_answers_in_process(s, assistant, f"stopped at {stage}")
    assert_next_ingest_recovers(s, active, zebra)


@pytest.mark.server
def test_kill_9_of_a_real_ingest_leaves_the_old_index_answering(index_settings, assistant, tmp_path):
    """The one real SIGKILL (no finally, no cleanup, the lock file left behind), after the new generation is
    fully embedded but before the swap: the stage the in-process matrix cannot make crash for real."""
    s = private_index(index_settings, tmp_path)
    old, _, _ = index_facts(s)
    job = Ingest(s, pause="embedded:120")
    job.wait_for("paused after stage embedded")
    assert job.proc.poll() is None, f"ingest ended before the kill: {job.stderr[-1000:]}"
    job.proc.kill()  # SIGKILL: no cleanup of any kind
    assert job.finish(30) == -9

    active, gens, zebra = index_facts(s)
    assert active == old and not zebra and len(gens) == 2, (active, gens)
    assert_answers_in_process(s, assistant, "after kill -9 at embedded")
    assert_next_ingest_recovers(s, active, False)
