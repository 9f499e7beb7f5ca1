"""Scale-out: two stateless `assistant serve` replicas (separate data dirs) share one real `chroma run` server
through ASSISTANT_CHROMA_URL. An ingest made by a third process is followed by both without a restart: the
BM25 side, the passage vectors and the answer cache follow the collection's version, not a local file."""
from __future__ import annotations

import shutil
import threading
import time

import httpx
import pytest

from conftest import SOURCES, make_settings
from test_chroma_server import chroma, chroma_url  # noqa: F401  (a real `chroma run` on loopback, this module's own)
from uiserver import serve_many

pytestmark = pytest.mark.server

PREFIX = "scaleout"
NATO = "Will Ukraine join NATO?"
GRAIN = "Who renewed the Black Sea grain corridor agreement?"
EXTRA_V1 = ("---\ntitle: \"Shipping notes\"\n---\n\n## The grain corridor\n\n"
            "The Black Sea grain corridor agreement was renewed by Turkey in March 2026, after talks in Istanbul.\n")
EXTRA_V2 = EXTRA_V1.replace("renewed by Turkey", "renewed by Bulgaria").replace("talks in Istanbul", "talks in Varna")


def ingest(settings) -> tuple[int, int]:
    """Ingest from this (the test's) process: a third process besides the two replicas. → (passages, version)."""
    from index.ingest import ingest as ingest_in_process

    report = ingest_in_process(settings.with_(collection_prefix=PREFIX))
    return report.passages, report.version


def ask(server, question: str) -> dict:
    r = server.post("/api/ask", json={"question": question, "history": []})
    assert r.status_code == 200, r.text
    return r.json()


def wait_for(servers, check, seconds: float = 20.0) -> float:
    """Seconds until ``check(answer_json)`` holds on every server (polling); fails with the last answers."""
    t0 = time.monotonic()
    last = {}
    while time.monotonic() - t0 < seconds:
        last = {s.base: ask(s, GRAIN) for s in servers}
        if all(check(a) for a in last.values()):
            return time.monotonic() - t0
        time.sleep(0.25)
    pytest.fail(f"replicas did not follow the ingest within {seconds}s: {last}")


def test_two_replicas_follow_ingests_made_elsewhere(chroma_url, tmp_path):  # noqa: F811
    src = tmp_path / "sources"
    src.mkdir()
    shutil.copy(SOURCES / "article.md", src / "article.md")
    ingester = make_settings(tmp_path / "ingester", sources=(src,), chroma_url=chroma_url)
    assert ingest(ingester) == (22, 1)

    replicas = [make_settings(tmp_path / f"replica{i}", sources=(src,), chroma_url=chroma_url) for i in (1, 2)]
    with serve_many([(r, {"ASSISTANT_COLLECTION": PREFIX}) for r in replicas], tmp_path) as servers:
        pids = [s.proc.pid for s in servers]
        for s in servers:
            h = s.get("/healthz?detail=1").json()  # (counts and locations: the detail, served to loopback)
            assert h["chroma"] == chroma_url and h["chroma_mode"] == "server", h
            assert (h["collection"], h["version"], h["sources"]) == ("scaleout_v1", 1, 1), h
            d = ask(s, NATO)
            assert not d["refused"] and "NATO" in d["answer"], d
            assert d["citations"] and all(c["source"] == "article.md" for c in d["citations"])
            cited = " ".join(c["text"] for c in d["citations"])
            assert "remains out of reach" in cited or "NATO membership for Ukraine is unlikely" in cited
            before = ask(s, GRAIN)  # not in the sources yet; also leaves this question in the answer cache
            assert not any(c["source"] == "extra.md" for c in before["citations"]) and "Turkey" not in before["answer"]

        # Keep both replicas busy while other processes ingest: no request may fail during a swap.
        statuses: list[int] = []
        stop = threading.Event()

        def hammer():
            with httpx.Client(timeout=30) as c:
                while not stop.is_set():
                    for s in servers:
                        statuses.append(c.post(s.base + "/api/ask", json={"question": NATO}).status_code)
                    stop.wait(0.05)  # steady traffic, not a flood: the ingests share these cores

        t = threading.Thread(target=hammer, daemon=True)
        t.start()
        try:
            # 1. a second source, added by another process (its own data dir): both replicas answer from it
            (src / "extra.md").write_text(EXTRA_V1, encoding="utf-8")
            assert ingest(ingester) == (23, 2)
            took_add = wait_for(servers, lambda d: not d["refused"] and "Turkey" in d["answer"]
                                and any(c["source"] == "extra.md" for c in d["citations"]))
            # 2. the source changes: v3 replaces v2 and drops v1, which the replicas first loaded
            (src / "extra.md").write_text(EXTRA_V2, encoding="utf-8")
            assert ingest(ingester) == (23, 3)
            took_change = wait_for(servers, lambda d: "Bulgaria" in d["answer"] and "Turkey" not in d["answer"])
        finally:
            stop.set()
            t.join(30)

        for s in servers:
            h = s.get("/healthz?detail=1").json()  # (counts and locations: the detail, served to loopback)
            assert (h["collection"], h["version"], h["sources"]) == ("scaleout_v3", 3, 2), h
            d = ask(s, NATO)
            assert not d["refused"] and all(c["source"] == "article.md" for c in d["citations"])
        assert [s.proc.pid for s in servers] == pids and all(s.proc.poll() is None for s in servers), "no restart"
        assert statuses and set(statuses) == {200}, f"requests failed while ingests swapped generations: {set(statuses)}"
        assert took_add < 15 and took_change < 15
    for r in replicas + [ingester]:
        assert not (r.index.data_dir / "chroma").exists(), "nothing may use an embedded store when a URL is set"
    print(f"replicas followed the added source in {took_add:.1f}s and the changed one in {took_change:.1f}s; "
          f"{len(statuses)} requests during the ingests, all 200")


def test_an_answer_finished_after_a_refresh_is_not_cached_for_the_new_version(tmp_path):
    """The race a busy replica meets: a question answered on version 1 completes after another request has
    moved the Assistant to version 2 (and cleared the cache); that stale answer must not be served later."""
    from assistant import Assistant
    from index.ingest import ingest as ingest_in_process

    src = tmp_path / "sources"
    src.mkdir()
    shutil.copy(SOURCES / "article.md", src / "article.md")
    s = make_settings(tmp_path / "data", sources=(src,), refresh_seconds=3600.0)
    ingest_in_process(s)
    a = Assistant.load(s)
    (src / "extra.md").write_text(EXTRA_V1, encoding="utf-8")
    assert ingest_in_process(s).version == 2

    respond = a._respond

    def respond_then_refresh(*args):
        out = respond(*args)  # computed on version 1 …
        assert a.refresh(force=True)  # … while another request moves the Assistant to version 2
        return out

    a._respond = respond_then_refresh
    stale = a.ask(GRAIN)
    assert "Turkey" not in stale.answer and a.snapshot.version == 2
    a._respond = respond
    fresh = a.ask(GRAIN)
    assert "cached" not in fresh.timings_ms, "the version-1 answer was served from the cache"
    assert "Turkey" in fresh.answer and any(c.source == "extra.md" for c in fresh.citations)
    assert "cached" in a.ask(GRAIN).timings_ms  # and the cache still works for the current version
