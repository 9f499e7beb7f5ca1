"""`assistant ingest` that people can watch and scripts can read: progress bars (reading, parsing, embedding)
on a terminal only, and `--json` printing the report as one JSON object on stdout, nothing else."""
from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import cli_in_process, env_for, make_settings

pytestmark = pytest.mark.server

BIN = Path(sys.executable).parent / "assistant"
ASSISTANT = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "assistant"]
REPORT_KEYS = {"skipped", "sources", "errors", "added", "unchanged", "removed", "embedded", "passages", "collection",
               "version", "seconds", "by_kind", "words"}
TEXT = """---
title: Lighthouses
---

# Lighthouses

## Keepers

A keeper lived at the lighthouse all year. The lamp was lit every evening at dusk.

## Lamps

Early lamps burned whale oil. Later lamps used kerosene and then electricity.
"""
BAR_MARKS = ("Reading", "Parsing", "Embedding")


def sources(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "lighthouses.md").write_text(TEXT, encoding="utf-8")
    return src


def test_json_report_alone_on_stdout_and_no_progress_without_a_tty(tmp_path):
    s = make_settings(tmp_path / "data", sources=(sources(tmp_path),))
    r = subprocess.run(ASSISTANT + ["ingest", "--json"], env=env_for(s), capture_output=True, text=True, timeout=180,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)  # the whole of stdout is one JSON document
    assert set(report) == REPORT_KEYS
    assert report["skipped"] is False and report["sources"] == ["lighthouses.md"] and report["errors"] == []
    assert report["added"] == report["passages"] == 2 and report["unchanged"] == report["removed"] == 0
    assert report["embedded"] > report["passages"]  # passages + sentences + vocabulary
    assert report["words"] > 20 and report["seconds"] > 0 and report["version"] == 1
    assert sum(report["by_kind"].values()) == 2
    for mark in BAR_MARKS + ("%|", "\r"):
        assert mark not in r.stderr, r.stderr  # not a terminal: no bars

    again = cli_in_process(["ingest", "--json"], env_for(s))
    second = json.loads(again.stdout)
    assert second["embedded"] == 0 and second["unchanged"] == 2 and second["version"] == 2

    present = cli_in_process(["ingest", "--json", "--if-missing"], env_for(s))
    assert present.returncode == 0 and json.loads(present.stdout)["skipped"] is True


def test_bad_source_json_still_parses_and_exit_code_is_one(tmp_path):
    src = sources(tmp_path)
    (src / "empty.md").write_text("", encoding="utf-8")
    s = make_settings(tmp_path / "data", sources=(src,))
    r = cli_in_process(["ingest", "--json"], env_for(s))
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["sources"] == ["lighthouses.md"] and len(report["errors"]) == 1 and "empty.md" in report["errors"][0]
    assert "Skipped" in r.stderr and "empty.md" in r.stderr


def test_progress_bars_on_a_terminal(tmp_path):
    """stderr is a pseudo-terminal (80×24): the three bars with counts, rate and ETA; stdout stays pure JSON."""
    s = make_settings(tmp_path / "data", sources=(sources(tmp_path),))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(ASSISTANT + ["ingest", "--json"], env=env_for(s), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 180
    poller = select.poll()  # not select.select: a pytest worker may already hold descriptors numbered past 1023
    poller.register(master, select.POLLIN)
    while time.monotonic() < deadline:
        ready = poller.poll(500)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed its end
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    assert proc.returncode == 0, seen.decode(errors="replace")
    report = json.loads(out)
    err = seen.decode(errors="replace")
    for mark in BAR_MARKS:
        assert mark in err, err
    n = report["embedded"]
    assert "1/1" in err and f"{n}/{n}" in err, err  # counts: files, documents, texts
    assert "<" in err and "/s" in err, err  # elapsed<ETA and a rate


def test_records_reach_chroma_in_batches_it_accepts(tmp_path, monkeypatch):
    """llama-index hands Chroma up to 41,665 records per call, the embedded client takes 5,461: an ingest of more
    texts (30 articles: 16,203) failed. The vector store now adds in batches of Chroma's own limit (here forced to 5)."""
    from index import ingest as ingest_mod

    s = make_settings(tmp_path / "data", sources=(sources(tmp_path),))
    monkeypatch.setattr(ingest_mod, "_max_batch", lambda client: 5)
    base = ingest_mod._batched_chroma_class().__mro__[1]  # llama-index's ChromaVectorStore
    sizes: list[int] = []
    original = base.add

    def spy(self, nodes, **kwargs):
        sizes.append(len(nodes))
        return original(self, nodes, **kwargs)

    monkeypatch.setattr(base, "add", spy)
    report = ingest_mod.ingest(s)
    assert not report.errors and report.embedded > 5
    from index import store

    client = store.connect(s)
    stored = store.get_generation(client, store.read_active(client, s).collection).count()
    assert max(sizes) <= 5 and sum(sizes) == stored >= report.embedded
