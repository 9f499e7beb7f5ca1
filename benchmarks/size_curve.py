"""``make bench`` (size curve): how ingest, start-up, memory, latency and throughput grow from 1 to 100 articles.

For each size (default 1, 8, 30, 100 articles; corpora built reproducibly by ``corpora.py``), in a fresh temp dir:

* ingest, cold: ``assistant ingest --json`` into an empty data dir (wall seconds, words/s, passages, texts embedded);
* cold start: ``assistant serve`` (``benchmarks/serve.py``: the shipped server plus a read-only stats route)
  launched → first 200 from ``/healthz``; idle RSS after start, peak RSS under load;
* sequential latency over HTTP: one keep-alive client, unique questions, p50/p95;
* load: ``wrk`` (Debian package; one client thread) posting a unique question per request from a Lua script
  (``wrk_ask.lua``) at 8 and 32 connections for a fixed time: answers/s, p50/p99, errors, timeouts, cached
  answers seen (must be 0), server CPU per answer (from the stats route) and wrk's own CPU (its rusage). Without
  ``wrk`` on the PATH an asyncio/httpx client (run.py's) stands in, and the row says so.
* noise: the CPU the rest of the machine used meanwhile (``/proc/stat`` busy time minus server and client), in
  cores, for every load phase: figures taken while others use the cores are not the server's.

Writes the ``size_curve`` key of ``benchmarks/results.json`` (the other keys, written by ``run.py``, are kept)
and draws ``docs/size-curve.png``. Nothing here asserts a time: targets are printed as PASS/MISS.

Usage: python benchmarks/size_curve.py [--sizes 1,8,30,100] [--seconds 20] [--sequential 100]
                                       [--out benchmarks/results.json] [--plot docs/size-curve.png | --no-plot]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import run as bench  # noqa: E402  (benchmarks/run.py: Server, base_env, rss_tree, machine, load_phase …)
import corpora  # noqa: E402

import httpx  # noqa: E402

LUA = ROOT / "benchmarks" / "wrk_ask.lua"
SERVE = ROOT / "benchmarks" / "serve.py"
CONNECTIONS = (8, 32)
TARGETS = {  # size → [(key, label, target, lower is better)]
    1: [("c32_answers_s", "answers/s at 32 connections", 170.0, False), ("seq_p50_ms", "sequential p50 (ms)", 15.0, True)],
    8: [("c32_answers_s", "answers/s at 32 connections", 170.0, False), ("seq_p50_ms", "sequential p50 (ms)", 15.0, True)],
    100: [("c32_answers_s", "answers/s at 32 connections", 120.0, False), ("seq_p50_ms", "sequential p50 (ms)", 25.0, True),
          ("rss_peak_mb", "server RSS peak (MB)", 1536.0, True), ("ingest_words_s", "ingest words/s, cold", 2000.0, False)],
}


def cpu_busy_s() -> float:
    """Busy CPU seconds of the whole machine so far (all cores), from /proc/stat."""
    try:
        f = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        v = [int(x) for x in f]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def children_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def sequential(base: str, qs: list[str]) -> dict:
    lat, cached, errors = [], 0, 0
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as c:
        for q in qs:
            t = time.perf_counter()
            r = c.post("/api/ask", json={"question": q, "history": []})
            ms = (time.perf_counter() - t) * 1000
            if r.status_code != 200:
                errors += 1
                continue
            cached += "cached" in r.json().get("timings_ms", {})
            lat.append(ms)
    return {**bench.summary(lat), "errors": errors, "cached": cached}


def wrk_phase(base: str, bodies: Path, offset: int, connections: int, seconds: float) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "--latency",
           "-s", str(LUA), base, "--", str(bodies), str(offset), "1"]
    cpu0 = children_cpu_s()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, stdin=subprocess.DEVNULL)
    client_cpu = children_cpu_s() - cpu0
    line = next((ln for ln in r.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if r.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    w = json.loads(line[len("WRK_JSON "):])
    secs = w["duration_us"] / 1e6
    errors = w["connect_errors"] + w["read_errors"] + w["write_errors"] + w["status_errors"] + w["non200"]
    return {"client": "wrk", "connections": connections, "n": w["requests"], "seconds": secs,
            "answers_s": (w["requests"] - w["non200"]) / secs, "p50_ms": w["p50_us"] / 1000, "p90_ms": w["p90_us"] / 1000,
            "p99_ms": w["p99_us"] / 1000, "max_ms": w["max_us"] / 1000, "mean_ms": w["mean_us"] / 1000,
            "errors": errors, "timeouts": w["timeouts"], "cached": w["cached"], "refused": w["refused"],
            "client_cpu_s": client_cpu, "client_cpu_ms_per_answer": 1000 * client_cpu / max(1, w["requests"])}


def httpx_phase(base: str, qs: list[str], connections: int, seconds: float) -> dict:
    import asyncio

    cpu0 = time.process_time()
    ph = asyncio.run(bench.load_phase(base, qs, connections, seconds))
    client_cpu = time.process_time() - cpu0
    lat_p99 = None  # load_phase keeps p50/p95 only
    return {"client": "httpx (asyncio)", "connections": connections, "n": ph["n"], "seconds": ph["seconds"],
            "answers_s": ph["throughput"], "p50_ms": ph["p50_ms"], "p90_ms": None, "p99_ms": lat_p99 or ph["p95_ms"],
            "p99_is_p95": True, "max_ms": ph["max_ms"], "mean_ms": ph["mean_ms"], "errors": ph["errors"], "timeouts": 0,
            "cached": ph["cached"], "refused": ph["refused"], "client_cpu_s": client_cpu,
            "client_cpu_ms_per_answer": 1000 * client_cpu / max(1, ph["n"])}


def measure(size: int, tmp: Path, args, say) -> dict:
    corpus = tmp / f"corpus-{size}"
    files = corpora.build(size, corpus)
    words = corpora.words(files)
    data = tmp / f"data-{size}"
    env = bench.base_env(data, ASSISTANT_SOURCES=str(corpus))
    row: dict = {"articles": size, "words": words}

    say(f"{size} articles ({words} words): ingest, cold")
    wall, r = bench.run(bench.ASSISTANT + ["ingest", "--json"], env, timeout=7200)
    rep = json.loads(r.stdout)
    row["ingest"] = {"wall_s": wall, "report_s": rep["seconds"], "words_s": words / wall, "passages": rep["passages"],
                     "embedded": rep["embedded"], "by_kind": rep["by_kind"], "sources": len(rep["sources"])}
    say(f"  ingest {wall:.1f} s ({words / wall:.0f} words/s), {rep['passages']} passages, {rep['embedded']} texts embedded")

    per_phase = int(args.seconds * args.max_rate) + 50
    need = args.sequential + per_phase * len(CONNECTIONS)
    qs = corpora.questions(files, need, strict=False)
    bodies = corpora.write_bodies(qs, tmp / f"questions-{size}.jsonl")
    row["questions"] = {"distinct": len(qs), "needed": need}

    srv = bench.Server([sys.executable, str(SERVE)], env, tmp / f"serve-{size}.log", timeout=600)
    try:
        row["cold_start_s"] = srv.seconds
        row["rss_idle_mb"] = bench.rss_tree(srv.proc.pid) / 2**20
        with httpx.Client(base_url=srv.base, timeout=60, trust_env=False) as c:
            for i in range(5):  # warm-up, questions outside the measured set
                c.post("/api/ask", json={"question": f"Warm-up question number {i}?", "history": []})
        say(f"  cold start {srv.seconds:.1f} s, idle RSS {row['rss_idle_mb']:.0f} MB")
        row["sequential"] = sequential(srv.base, qs[: args.sequential])
        say(f"  sequential p50 {row['sequential']['p50_ms']:.1f} ms, p95 {row['sequential']['p95_ms']:.1f} ms")
        row["load"] = {}
        offset = args.sequential
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
        with srv.sample_rss():
            for conns in CONNECTIONS:
                before, busy0, t0 = bench.stats(srv.base), cpu_busy_s(), time.perf_counter()
                if use_wrk:
                    ph = wrk_phase(srv.base, bodies, offset, conns, args.seconds)
                else:
                    ph = httpx_phase(srv.base, qs[offset: offset + per_phase], conns, args.seconds)
                after, busy1, elapsed = bench.stats(srv.base), cpu_busy_s(), time.perf_counter() - t0
                server_cpu = after["cpu_s"] - before["cpu_s"]
                ph["server_cpu_ms_per_answer"] = 1000 * server_cpu / max(1, ph["n"])
                ph["server_cores"] = server_cpu / elapsed
                ph["other_cores"] = max(0.0, (busy1 - busy0 - server_cpu - ph["client_cpu_s"]) / elapsed)
                ph["texts_per_batch"] = (after["embedded"] - before["embedded"]) / max(1, after["batches"] - before["batches"])
                ph["questions_wrapped"] = ph["n"] > len(qs) - offset
                offset += per_phase
                row["load"][str(conns)] = ph
                say(f"  {conns:>2} connections: {ph['answers_s']:.1f} answers/s, p50 {ph['p50_ms']:.1f} p99 "
                    f"{ph['p99_ms']:.1f} ms, errors {ph['errors']}, cached {ph['cached']}; CPU/answer server "
                    f"{ph['server_cpu_ms_per_answer']:.1f} ms, {ph['client']} {ph['client_cpu_ms_per_answer']:.2f} ms; "
                    f"other processes {ph['other_cores']:.2f} cores")
        row["rss_peak_mb"] = srv.peak_rss / 2**20
    finally:
        srv.stop()
    row["figures"] = {"c32_answers_s": row["load"]["32"]["answers_s"], "seq_p50_ms": row["sequential"]["p50_ms"],
                      "rss_peak_mb": row["rss_peak_mb"], "ingest_words_s": row["ingest"]["words_s"]}
    row["targets"] = []
    for key, label, target, lower in TARGETS.get(size, []):
        v = row["figures"][key]
        row["targets"].append({"key": key, "label": label, "value": v, "target": target,
                               "pass": v <= target if lower else v >= target})
    return row


def table(rows: list[dict]) -> str:
    f = lambda v, d=1: "—" if v is None else f"{v:.{d}f}"  # noqa: E731
    head = ["articles", "words", "passages", "texts embedded", "ingest s", "words/s", "cold start s", "RSS idle/peak MB",
            "seq p50/p95 ms", "8c answers/s", "8c p50/p99 ms", "32c answers/s", "32c p50/p99 ms", "CPU ms/answer (32c)",
            "other procs (cores)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        l8, l32 = r["load"]["8"], r["load"]["32"]
        noise = max(l8["other_cores"], l32["other_cores"])
        lines.append("| " + " | ".join([
            str(r["articles"]), str(r["words"]), str(r["ingest"]["passages"]), str(r["ingest"]["embedded"]),
            f(r["ingest"]["wall_s"]), f(r["ingest"]["words_s"], 0), f(r["cold_start_s"]),
            f"{f(r['rss_idle_mb'], 0)} / {f(r['rss_peak_mb'], 0)}",
            f"{f(r['sequential']['p50_ms'])} / {f(r['sequential']['p95_ms'])}",
            f(l8["answers_s"]), f"{f(l8['p50_ms'])} / {f(l8['p99_ms'])}",
            f(l32["answers_s"]), f"{f(l32['p50_ms'])} / {f(l32['p99_ms'])}",
            f(l32["server_cpu_ms_per_answer"]), f(noise, 2)]) + " |")
    return "\n".join(lines)


def plot(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["articles"] for r in rows]
    fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
    a = ax[0]
    for c, style in (("8", "o--"), ("32", "o-")):
        a.plot(x, [r["load"][c]["answers_s"] for r in rows], style, label=f"{c} connections")
    a.axhline(170, color="tab:green", lw=0.8, ls=":", label="target ≤ 8 articles (170)")
    a.axhline(120, color="tab:red", lw=0.8, ls=":", label="target 100 articles (120)")
    a.set_title("answers/s (unique questions)")
    a = ax[1]
    a.plot(x, [r["sequential"]["p50_ms"] for r in rows], "o-", label="sequential p50")
    a.plot(x, [r["sequential"]["p95_ms"] for r in rows], "o--", label="sequential p95")
    a.plot(x, [r["load"]["32"]["p50_ms"] for r in rows], "s-", label="32 connections p50")
    a.plot(x, [r["load"]["32"]["p99_ms"] for r in rows], "s--", label="32 connections p99")
    a.set_yscale("log")
    a.set_title("latency (ms)")
    a = ax[2]
    a.plot(x, [r["rss_peak_mb"] for r in rows], "o-", label="server RSS peak (MB)")
    a.plot(x, [r["ingest"]["words_s"] for r in rows], "s-", label="ingest words/s (cold)")
    a.plot(x, [r["cold_start_s"] * 100 for r in rows], "^-", label="cold start (s × 100)")
    a.set_title("memory, ingest, start-up")
    for a in ax:
        a.set_xscale("log")
        a.set_xticks(x)
        a.set_xticklabels([str(v) for v in x])
        a.set_xlabel("articles")
        a.grid(alpha=0.3)
        a.legend(fontsize=7)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def save(res: dict, out: Path, t_run: float) -> None:
    """Write ``res`` as the ``size_curve`` key of ``out``, keeping the file's other keys (run.py's)."""
    res["load_avg_end"] = os.getloadavg()
    res["seconds"] = time.perf_counter() - t_run
    res["uncached_ok"] = all(r["sequential"]["cached"] == 0 and all(p["cached"] == 0 for p in r["load"].values())
                             for r in res["rows"])
    res["max_other_cores"] = max((p["other_cores"] for r in res["rows"] for p in r["load"].values()), default=0.0)
    existing = {}
    if out.exists():
        try:
            existing = json.loads(out.read_text(encoding="utf-8"))
        except ValueError:
            existing = {}
    existing["size_curve"] = res
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(existing, indent=2, default=float) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,8,30,100", help="comma-separated article counts")
    ap.add_argument("--seconds", type=float, default=20.0, help="duration of each load phase")
    ap.add_argument("--sequential", type=int, default=100, help="questions asked one after another")
    ap.add_argument("--max-rate", type=float, default=400.0, help="answers/s the question supply is sized for")
    ap.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    ap.add_argument("--plot", type=Path, default=ROOT / "docs" / "size-curve.png")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (corpora, indexes, server logs)")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    t_run = time.perf_counter()
    say = lambda msg: print(f"[{time.perf_counter() - t_run:6.1f}s] {msg}", file=sys.stderr, flush=True)  # noqa: E731
    tmp = Path(tempfile.mkdtemp(prefix="size-curve-"))
    m = bench.machine()
    res = {"started": dt.datetime.now().isoformat(timespec="seconds"), "load_avg_start": os.getloadavg(),
           "machine": m, "sizes": sizes, "seconds_per_phase": args.seconds, "sequential_questions": args.sequential,
           "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
           if shutil.which("wrk") else None, "rows": []}
    res["failed"] = []
    try:
        for n in sizes:
            try:
                res["rows"].append(measure(n, tmp, args, say))
            except (Exception, SystemExit) as exc:  # one size failing still leaves the others measured
                say(f"{n} articles FAILED: {str(exc)[:2000]}")
                res["failed"].append({"articles": n, "error": str(exc)[:4000]})
            save(res, args.out, t_run)  # after every size: a long run interrupted keeps what it measured
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    title = (f"{m['cpu_count']} CPU ({m.get('cpu_model')}), {res['started']}; other processes used up to "
             f"{res['max_other_cores']:.2f} cores during load phases")
    if not args.no_plot and res["rows"]:
        plot(res["rows"], args.plot, title)
    print(table(res["rows"]))
    print(f"\nMachine: {title}; load average {res['load_avg_start'][0]:.2f} → {res['load_avg_end'][0]:.2f}")
    print(f"Cached answers seen: {'none' if res['uncached_ok'] else 'SOME (figures invalid)'}; client: "
          f"{res['rows'][0]['load']['32']['client'] if res['rows'] else '—'}")
    print("Targets:")
    for r in res["rows"]:
        for t in r["targets"]:
            print(f"  {'PASS' if t['pass'] else 'MISS'}  {r['articles']:>3} articles: {t['label']:<30} {t['value']:9.1f}"
                  f"  target {'≥' if t['key'] in ('c32_answers_s', 'ingest_words_s') else '≤'} {t['target']:g}")
    for f in res["failed"]:
        print(f"  FAILED {f['articles']:>3} articles: {f['error'].splitlines()[0][:300] if f['error'] else '?'}")
    print(f"\nwrote the size_curve key of {args.out}" + ("" if args.no_plot else f" and {args.plot}")
          + f" ({res['seconds']:.0f} s)")
    if res["failed"]:
        sys.exit(1)
    return res


if __name__ == "__main__":
    main()
