"""``make bench``: ingest, cold start, answer latency (in process and over HTTP), throughput at 1/8/32 concurrent
clients, server RSS, and the stock llama-index starter on the same questions, with ratios (ours / stock).

Everything runs on loopback in a fresh temp dir; the project's own data/ is never touched. Questions are distinct
(templates × entities of the sources, see ``questions.py``) and every HTTP answer is checked to be uncached
(``timings_ms`` without ``cached``). The server runs with ``ASSISTANT_RATE_LIMIT=0``: all benchmark clients share
one loopback address, which the per-client token bucket would otherwise (rightly) throttle.

Usage: python benchmarks/run.py [--quick] [--out PATH]   (default PATH: benchmarks/results.json)
Nothing here asserts a time: targets are printed as PASS/MISS with their margin.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.metadata as md
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from index.settings import Settings, apply_offline_env  # noqa: E402

apply_offline_env()

import httpx  # noqa: E402
import psutil  # noqa: E402

from questions import questions  # noqa: E402
from assistant.evaluation.scoring import percentile  # noqa: E402

BIN = Path(sys.executable).parent
ASSISTANT = [str(BIN / "assistant")] if (BIN / "assistant").exists() else [sys.executable, "-m", "assistant"]
NATO = "Will Ukraine join NATO?"
PACKAGES = ("llama-index-core", "llama-index-vector-stores-chroma", "llama-index-embeddings-huggingface",
            "llama-index-retrievers-bm25", "chromadb", "sentence-transformers", "transformers", "torch", "tokenizers",
            "gradio", "fastapi", "uvicorn", "httpx", "bm25s", "numpy")
TARGETS = (  # key, label, target, direction (True: lower is better)
    ("http_p50_ms", "HTTP p50, sequential (ms)", 20.0, True),
    ("throughput_32", "answers/s at 32 clients", 150.0, False),
    ("cold_start_s", "cold start to /healthz 200 (s)", 8.0, True),
    ("rss_mb", "server RSS peak (MB)", 1536.0, True),
    ("ingest_cold_s", "article ingest, cold (s)", 5.0, True),
)
SIZES = {  # in-process / stock, HTTP c=1, c=8, c=32, cold starts
    "full": dict(inproc=200, c1=200, c8=400, c32=800, starts=3, phase_seconds=60.0, idle_seconds=5.0),
    # quick: no cold starts of their own, the load server's start stands in
    "quick": dict(inproc=30, c1=30, c8=48, c32=96, starts=0, phase_seconds=15.0, idle_seconds=1.0),
}


# -- helpers ------------------------------------------------------------------------------------
pct = percentile  # the nearest-rank percentile `assistant eval` reports, so the figures agree


def summary(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": pct(ms, 50), "p95_ms": pct(ms, 95), "mean_ms": statistics.fmean(ms) if ms else None,
            "max_ms": max(ms) if ms else None}


def machine() -> dict:
    info = {"cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", cpu, re.M)
        info["cpu_model"] = m.group(1).strip() if m else platform.processor()
    except OSError:
        info["cpu_model"] = platform.processor()
    info["ram_gb"] = round(psutil.virtual_memory().total / 2**30, 2)
    try:
        info["affinity"] = len(os.sched_getaffinity(0))
    except AttributeError:
        pass
    import torch

    info["torch_threads"] = torch.get_num_threads()
    info["packages"] = {}
    for p in PACKAGES:
        try:
            info["packages"][p] = md.version(p)
        except md.PackageNotFoundError:
            info["packages"][p] = None
    return info


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_DATA_DIR": str(data), "ASSISTANT_SOURCES": str(ROOT / "sources"),
                "ASSISTANT_RATE_LIMIT": "0", "PYTHONPATH": str(ROOT)})
    env.update(extra)
    return env


def run(cmd: list[str], env: dict, timeout: float = 600) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    secs = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
    return secs, r


def import_seconds(stderr: str) -> float:
    """Sum of the top-level entries of ``python -X importtime`` (every import the process made, lazy ones too)."""
    total = 0
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$", line)
        if m:  # a name without leading spaces: not nested in another import
            total += int(m.group(1))
    return total / 1e6


def rss_tree(pid: int) -> int:
    try:
        p = psutil.Process(pid)
        return p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
    except psutil.Error:
        return 0


def idle_cpu_pct(pid: int, seconds: float) -> float:
    """Share of one core the process uses over ``seconds`` while nobody asks it anything (its own polling)."""
    p = psutil.Process(pid)
    t0 = sum(p.cpu_times()[:2])
    time.sleep(seconds)
    return 100 * (sum(p.cpu_times()[:2]) - t0) / seconds


class Server:
    """A server subprocess on a free loopback port; ``seconds``: launch → first 200 from /healthz."""

    def __init__(self, cmd: list[str], env: dict, log: Path, timeout: float = 240):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            t = time.perf_counter()
            self.proc = subprocess.Popen(cmd + ["--host", "127.0.0.1", "--port", str(self.port)], env=env,
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited ({self.proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(self.base + "/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() - t > timeout:
                self.stop()
                raise SystemExit(f"server not up after {timeout}s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.02)
        self.seconds = time.perf_counter() - t
        self.peak_rss = rss_tree(self.proc.pid)
        self._sampling = False

    def sample_rss(self):
        """Context manager: poll RSS every 0.1 s, keeping the peak."""
        server = self

        class _S:
            def __enter__(self):
                server._sampling = True
                self.t = threading.Thread(target=self.loop, daemon=True)
                self.t.start()

            def loop(self):
                while server._sampling:
                    server.peak_rss = max(server.peak_rss, rss_tree(server.proc.pid))
                    time.sleep(0.1)

            def __exit__(self, *exc):
                server._sampling = False
                self.t.join()

        return _S()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


async def load_phase(base: str, qs: list[str], clients: int, max_seconds: float) -> dict:
    """``clients`` concurrent HTTP clients (keep-alive connections) asking each question of ``qs`` once."""
    lat: list[float] = []
    errors: list[str] = []
    cached = refused = 0
    it = iter(qs)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits, trust_env=False) as c:
        deadline = time.perf_counter() + max_seconds

        async def worker():
            nonlocal cached, refused
            for q in it:
                if time.perf_counter() > deadline:
                    return
                t = time.perf_counter()
                r = await c.post("/api/ask", json={"question": q, "history": []})
                ms = (time.perf_counter() - t) * 1000
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {r.text[:120]}")
                    continue
                d = r.json()
                cached += "cached" in d.get("timings_ms", {})
                refused += bool(d.get("refused"))
                lat.append(ms)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - t0
    return {"clients": clients, **summary(lat), "seconds": elapsed, "throughput": len(lat) / elapsed,
            "errors": len(errors), "error_samples": errors[:3], "cached": cached, "refused": refused}


def stats(base: str) -> dict:
    return httpx.get(base + "/_bench/stats", timeout=10, trust_env=False).json()


# -- the run ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke test), one cold start")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (server logs)")
    args = ap.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    t_run = time.perf_counter()
    res: dict = {"quick": args.quick, "started": dt.datetime.now().isoformat(timespec="seconds"),
                 "load_avg_start": os.getloadavg(), "machine": machine(), "sizes": size}
    n_http = size["c1"] + size["c8"] + size["c32"]
    qs = questions(sorted((ROOT / "sources").glob("*.md")) + sorted((ROOT / "sources").glob("*.txt")),
                   max(n_http, size["inproc"]))
    res["questions"] = {"distinct": len(set(q.casefold() for q in qs)), "sample": qs[:3]}
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    say = lambda msg: print(f"[{time.perf_counter() - t_run:6.1f}s] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    # 1. ingest (the CLI, as a user runs it): cold in an empty data dir, then a no-op re-ingest
    say("ingest (cold)")
    colds = []
    for i in range(max(1, size["starts"])):  # each in an empty data dir; the last one is kept
        data = tmp / f"data{i}"
        env = base_env(data)
        secs, r = run(ASSISTANT + ["ingest"], env)
        colds.append(secs)
    noop, r2 = run(ASSISTANT + ["ingest"], env)
    cold = statistics.median(colds)
    res["ingest"] = {"cold_s": cold, "cold_runs_s": colds, "noop_s": noop, "cold_out": r.stdout.strip().splitlines()[-3:],
                     "noop_out": r2.stdout.strip().splitlines()[-3:]}
    say(f"ingest cold {colds} (median {cold:.2f}s), no-op {noop:.2f}s")

    # 2. cold start of the real `assistant serve` (median of N), idle RSS
    starts, idle, idle_cpu = [], [], []
    for i in range(size["starts"]):
        s = Server(ASSISTANT + ["serve"], env, tmp / f"cold-{i}.log")
        starts.append(s.seconds)
        idle.append(rss_tree(s.proc.pid))
        idle_cpu.append(idle_cpu_pct(s.proc.pid, size["idle_seconds"]))
        s.stop()
    if starts:
        res["cold_start"] = {"runs_s": starts, "median_s": statistics.median(starts), "idle_rss_mb": max(idle) / 2**20,
                             "idle_cpu_pct": statistics.median(idle_cpu), "command": "assistant serve"}
        say(f"cold start {starts}")

    # 3. in process: Assistant.ask sequentially on unique questions
    from assistant import Assistant

    a = Assistant.load(Settings.from_env(environ=env))
    for i in range(3):
        a.ask(f"Warm-up question number {i} on the coalition?")
    lat, cached = [], 0
    b0, e0 = a.embedder.batches, a.embedder.embedded
    inproc_qs = qs[: size["inproc"]]
    for q in inproc_qs:
        t = time.perf_counter()
        ans = a.ask(q)
        lat.append((time.perf_counter() - t) * 1000)
        cached += "cached" in ans.timings_ms
    nato = a.ask(NATO)
    res["in_process"] = {**summary(lat), "cached": cached, "embed_batches": a.embedder.batches - b0,
                         "texts_embedded": a.embedder.embedded - e0,
                         "nato": {"refused": nato.refused, "citations": [c.section for c in nato.citations]}}
    res["in_process"]["stages_ms_last"] = ans.timings_ms
    del a
    say(f"in process p50 {res['in_process']['p50_ms']:.1f} ms")

    # 4. HTTP: the shipped server (+ a read-only stats route), 1 / 8 / 32 concurrent clients, disjoint questions
    srv = Server([sys.executable, str(ROOT / "benchmarks" / "serve.py")], env, tmp / "load.log")
    if not starts:  # --quick: the load server's own start (the same command plus the stats route)
        res["cold_start"] = {"runs_s": [srv.seconds], "median_s": srv.seconds,
                             "idle_rss_mb": rss_tree(srv.proc.pid) / 2**20,
                             "idle_cpu_pct": idle_cpu_pct(srv.proc.pid, size["idle_seconds"]),
                             "command": "benchmarks/serve.py"}
    res["http"] = {}
    try:
        for i in range(5):
            httpx.post(srv.base + "/api/ask", json={"question": f"Warm-up number {i} on airspace?"}, timeout=60,
                       trust_env=False)
        start = 0
        with srv.sample_rss():
            for clients, key in ((1, "c1"), (8, "c8"), (32, "c32")):
                chunk = qs[start: start + size[key]]
                start += size[key]
                before, cpu0 = stats(srv.base), time.process_time()
                ph = asyncio.run(load_phase(srv.base, chunk, clients, size["phase_seconds"]))
                after, cpu1 = stats(srv.base), time.process_time()
                ph["client_cpu_ms_per_answer"] = 1000 * (cpu1 - cpu0) / max(1, ph["n"])
                ph["embed_batches"] = after["batches"] - before["batches"]
                ph["texts_embedded"] = after["embedded"] - before["embedded"]
                ph["texts_per_batch"] = ph["texts_embedded"] / max(1, ph["embed_batches"])
                ph["batch_wait_ms"] = 1000 * (after["waited"] - before["waited"])
                ph["server_cpu_ms_per_answer"] = 1000 * (after["cpu_s"] - before["cpu_s"]) / max(1, ph["n"])
                ph["server_threads"] = after["threads"]
                res["http"][str(clients)] = ph
                say(f"{clients:>2} clients: {ph['throughput']:.1f}/s p50 {ph['p50_ms']:.1f} p95 {ph['p95_ms']:.1f} ms, "
                    f"{ph['embed_batches']} batches ({ph['texts_per_batch']:.1f} texts each), "
                    f"CPU ms/answer server {ph['server_cpu_ms_per_answer']:.1f} client {ph['client_cpu_ms_per_answer']:.1f}, "
                    f"errors {ph['errors']}")
        res["rss"] = {"peak_mb": srv.peak_rss / 2**20, "after_load_mb": rss_tree(srv.proc.pid) / 2**20}
    finally:
        srv.stop()

    # 5. stock llama-index starter and our fresh-process ready time, each with -X importtime
    qfile = tmp / "questions.txt"
    qfile.write_text("\n".join(inproc_qs) + "\n", encoding="utf-8")
    say("stock llama-index starter")
    stock_cmd = [sys.executable, "-X", "importtime", str(ROOT / "benchmarks" / "stock.py"), str(ROOT / "sources"),
                 str(qfile), str(tmp / "stock-chroma")]
    ready_cmd = [sys.executable, "-X", "importtime", str(ROOT / "benchmarks" / "ready.py"), NATO]
    with ThreadPoolExecutor(2 if args.quick else 1) as pool:  # --quick: both at once (a smoke, figures not comparable)
        stock_run, ready_run = pool.submit(run, stock_cmd, env), pool.submit(run, ready_cmd, env)
        (wall, r), (_, r_ready) = stock_run.result(), ready_run.result()
    stock = json.loads(r.stdout.strip().splitlines()[-1])
    stock_lat = stock.pop("latency_ms")
    stock.update(summary(stock_lat), wall_s=wall, imports_s=import_seconds(r.stderr))
    stock["ingest_cold_s"] = stock["ready_s"] - stock["first_retrieval_s"]  # imports + model + read + index
    res["stock"] = stock
    ours_ready = json.loads(r_ready.stdout.strip().splitlines()[-1])
    ours_ready["imports_s"] = import_seconds(r_ready.stderr)
    res["ours_ready"] = ours_ready

    # 6. ratios (ours / stock) and targets
    ip, st = res["in_process"], res["stock"]
    res["ratios"] = {
        "import": ours_ready["imports_s"] / st["imports_s"],
        "ready_to_first_answer": ours_ready["ready_s"] / (st["ready_s"]),
        "ingest_cold": res["ingest"]["cold_s"] / st["ingest_cold_s"],
        "latency_p50": ip["p50_ms"] / st["p50_ms"],
        "latency_p95": ip["p95_ms"] / st["p95_ms"],
    }
    figures = {"http_p50_ms": res["http"]["1"]["p50_ms"], "throughput_32": res["http"]["32"]["throughput"],
               "cold_start_s": res["cold_start"]["median_s"], "rss_mb": res["rss"]["peak_mb"],
               "ingest_cold_s": res["ingest"]["cold_s"]}
    res["targets"] = []
    for key, label, target, lower in TARGETS:
        v = figures[key]
        ok = v <= target if lower else v >= target
        margin = (target - v) / target if lower else (v - target) / target
        res["targets"].append({"key": key, "label": label, "value": v, "target": target, "pass": ok,
                               "margin_pct": round(100 * margin, 1)})
    res["load_avg_end"] = os.getloadavg()
    res["seconds"] = time.perf_counter() - t_run
    res["uncached_ok"] = ip["cached"] == 0 and all(p["cached"] == 0 for p in res["http"].values())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    try:  # benchmarks/size_curve.py writes its own key into the same file: keep it
        res["size_curve"] = json.loads(args.out.read_text(encoding="utf-8"))["size_curve"]
    except (OSError, ValueError, KeyError):
        pass
    args.out.write_text(json.dumps(res, indent=2, default=float) + "\n", encoding="utf-8")
    print(table(res))
    print(f"\nwrote {args.out}  ({res['seconds']:.0f} s; load average {res['load_avg_start'][0]:.2f} → "
          f"{res['load_avg_end'][0]:.2f} on {res['machine']['cpu_count']} CPUs)")
    if not args.keep:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        print(f"kept {tmp}")
    return res


def table(res: dict) -> str:
    m = res["machine"]
    st, ip, h, ready = res["stock"], res["in_process"], res["http"], res["ours_ready"]
    f = lambda v, d=1: "—" if v is None else f"{v:.{d}f}"  # noqa: E731
    rows = [
        ("ingest, cold (CLI, median, s)", f(res["ingest"]["cold_s"], 2), f(st["ingest_cold_s"], 2), f(res["ratios"]["ingest_cold"], 2)),
        ("ingest, no-op re-ingest (s)", f(res["ingest"]["noop_s"], 2), "", ""),
        ("imports, fresh process (s)", f(ready["imports_s"], 2), f(st["imports_s"], 2), f(res["ratios"]["import"], 2)),
        ("fresh process → first answer (s) [stock builds]", f(ready["ready_s"], 2), f(st["ready_s"], 2), f(res["ratios"]["ready_to_first_answer"], 2)),
        ("cold start serve → /healthz 200 (median, s)", f(res["cold_start"]["median_s"], 2), "", ""),
        ("in-process p50 (ms)", f(ip["p50_ms"]), f(st["p50_ms"]), f(res["ratios"]["latency_p50"], 2)),
        ("in-process p95 (ms)", f(ip["p95_ms"]), f(st["p95_ms"]), f(res["ratios"]["latency_p95"], 2)),
    ]
    for c in ("1", "8", "32"):
        p = h[c]
        rows.append((f"HTTP {c:>2} clients: answers/s", f(p["throughput"]), "", ""))
        rows.append((f"HTTP {c:>2} clients: p50 / p95 (ms)", f"{f(p['p50_ms'])} / {f(p['p95_ms'])}", "", ""))
        rows.append((f"HTTP {c:>2} clients: texts per embed batch", f(p["texts_per_batch"], 2), "", ""))
        rows.append((f"HTTP {c:>2} clients: CPU per answer, server / client (ms)",
                     f"{f(p['server_cpu_ms_per_answer'])} / {f(p['client_cpu_ms_per_answer'])}", "", ""))
    rows.append(("server RSS idle / peak (MB)", f"{f(res['cold_start']['idle_rss_mb'], 0)} / {f(res['rss']['peak_mb'], 0)}", "", ""))
    rows.append(("server CPU while idle (% of a core)", f(res["cold_start"]["idle_cpu_pct"]), "", ""))
    w = max(len(r[0]) for r in rows)
    out = [f"Machine: {m['cpu_count']} CPU ({m.get('cpu_model')}), {m['ram_gb']} GB RAM, Python {m['python']}, "
           f"torch {m['packages'].get('torch')}, llama-index-core {m['packages'].get('llama-index-core')}, "
           f"chromadb {m['packages'].get('chromadb')}; load average at start {res['load_avg_start'][0]:.2f}"
           + (" (QUICK sizes)" if res["quick"] else ""),
           f"Questions: {res['questions']['distinct']} distinct; cached answers seen: "
           f"{'none' if res['uncached_ok'] else 'SOME (figures invalid)'}; stock = llama-index starter, top-2 retrieval only",
           "", f"{'figure':<{w}}  {'ours':>14}  {'stock':>8}  {'ours/stock':>10}", "-" * (w + 38)]
    out += [f"{a:<{w}}  {b:>14}  {c:>8}  {d:>10}" for a, b, c, d in rows]
    out += ["", "Targets:"]
    for t in res["targets"]:
        out.append(f"  {'PASS' if t['pass'] else 'MISS'}  {t['label']:<34} {t['value']:9.1f}  target "
                   f"{'≤' if t['key'] not in ('throughput_32',) else '≥'} {t['target']:g}  margin {t['margin_pct']:+.1f}%")
    return "\n".join(out)


if __name__ == "__main__":
    main()
