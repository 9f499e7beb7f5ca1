"""Smoke test: `benchmarks/run.py --quick` runs end to end and writes a complete results.json.
Asserts nothing about time: only that every figure is there, measured on uncached, correct answers."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.server, pytest.mark.slow]


def test_quick_benchmark_writes_valid_results(tmp_path):
    out = tmp_path / "results.json"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
                       capture_output=True, text=True, timeout=400, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    res = json.loads(out.read_text())
    m = res["machine"]
    assert m["cpu_count"] >= 1 and m["ram_gb"] > 0 and m["python"] and m["packages"]["llama-index-core"]
    assert res["ingest"]["cold_s"] > 0 and res["ingest"]["noop_s"] > 0
    assert res["cold_start"]["median_s"] > 0 and res["rss"]["peak_mb"] > 50 and res["cold_start"]["idle_cpu_pct"] >= 0
    sizes = res["sizes"]
    assert res["questions"]["distinct"] >= sizes["c1"] + sizes["c8"] + sizes["c32"]
    assert res["in_process"]["n"] == sizes["inproc"] and res["in_process"]["cached"] == 0
    assert not res["in_process"]["nato"]["refused"] and res["in_process"]["nato"]["citations"]
    for clients in ("1", "8", "32"):
        p = res["http"][clients]
        assert p["errors"] == 0 and p["cached"] == 0, p
        assert p["n"] == sizes[f"c{clients}"] and p["throughput"] > 0 and p["p95_ms"] >= p["p50_ms"] > 0
        assert p["embed_batches"] >= 1
    assert res["http"]["32"]["texts_per_batch"] > res["http"]["1"]["texts_per_batch"], "no batching under load"
    st = res["stock"]
    assert st["nodes"] > 0 and st["n"] == sizes["inproc"] and st["imports_s"] > 0
    assert set(res["ratios"]) == {"import", "ready_to_first_answer", "ingest_cold", "latency_p50", "latency_p95"}
    assert all(v > 0 for v in res["ratios"].values())
    assert [t["key"] for t in res["targets"]] == ["http_p50_ms", "throughput_32", "cold_start_s", "rss_mb", "ingest_cold_s"]
    assert all(isinstance(t["pass"], bool) for t in res["targets"])
    assert res["uncached_ok"] is True
    for line in ("Targets:", "HTTP 32 clients: answers/s", "ours/stock", "server CPU while idle"):
        assert line in r.stdout
