"""Smoke test: `benchmarks/size_curve.py --sizes 1` runs end to end and writes its row of the size curve.
Asserts nothing about time: only that every figure is there, measured on uncached answers without errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.server


def test_size_curve_machinery_one_article(tmp_path):
    """`benchmarks/size_curve.py --sizes 1` with a few seconds of load: every figure of the row is there, measured
    on uncached answers without errors, the other keys of the results file are kept and the chart is drawn."""
    out, png = tmp_path / "results.json", tmp_path / "curve.png"
    out.write_text(json.dumps({"quick": True, "http": {"32": {}}}))
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "size_curve.py"), "--sizes", "1", "--seconds", "1",
                        "--sequential", "5", "--out", str(out), "--plot", str(png)],
                       capture_output=True, text=True, timeout=400, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    res = json.loads(out.read_text())
    assert res["quick"] is True and "http" in res  # what run.py wrote stays
    curve = res["size_curve"]
    assert curve["sizes"] == [1] and curve["uncached_ok"] is True and png.stat().st_size > 10_000
    row = curve["rows"][0]
    assert row["articles"] == 1 and row["words"] > 500
    assert row["ingest"]["passages"] > 0 and row["ingest"]["embedded"] > row["ingest"]["passages"]
    assert row["ingest"]["words_s"] > 0 and row["cold_start_s"] > 0 and 50 < row["rss_idle_mb"] <= row["rss_peak_mb"]
    assert row["sequential"]["n"] == 5 and row["sequential"]["errors"] == 0
    for c in ("8", "32"):
        p = row["load"][c]
        assert p["connections"] == int(c) and p["n"] > 0 and p["errors"] == 0 and p["cached"] == 0, p
        assert p["answers_s"] > 0 and p["p99_ms"] >= p["p50_ms"] > 0 and p["client_cpu_s"] >= 0
        assert p["server_cpu_ms_per_answer"] > 0 and p["other_cores"] >= 0
    assert {t["key"] for t in row["targets"]} == {"c32_answers_s", "seq_p50_ms"}
    assert "| articles |" in r.stdout and "Targets:" in r.stdout
