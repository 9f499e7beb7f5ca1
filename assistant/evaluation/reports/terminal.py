"""What ``assistant eval`` prints: the figures against the thresholds, per tag, the failing rows with their
reasons, and (``--compare``) the deltas from an earlier run."""
from __future__ import annotations

import json

from ..scoring import Evaluation
from .common import FIGURE_LABELS, count, fmt


def terminal(ev: Evaluation) -> str:
    s, res, cfg = ev.summary, ev.results, ev.configuration
    idx = cfg.get("index", {})
    where = cfg.get("url") or cfg.get("mode", "")
    files = ", ".join(f["path"] for f in ev.files) or "(rows)"
    head = (f"Golden evaluation: {s['rows']} rows from {files}"
            + (f" (tags: {', '.join(ev.tags_filter)})" if ev.tags_filter else "")
            + f"\n  {where} · model {cfg.get('model') or '?'} · index {str(idx.get('fingerprint') or '?')[:12]}"
            + (f" ({idx.get('collection')} v{idx.get('version')})" if idx.get("collection") else ""))
    lines = [head, "", f"  {'figure':<24} {'value':>8}  {'threshold':<10} {'result':<6} {'rows'}"]
    for c in ev.checks:
        verdict = "PASS" if c.passed else "FAIL"
        if c.value is None:
            verdict = "n/a"
        lines.append(f"  {c.label:<24} {fmt(c.value):>8}  {f'{c.op} {c.limit:g}':<10} {verdict:<6} {count(res, c.figure)}")
    cite_first = count(res, "citation_first")
    lines += [
        f"  {'citation (first)':<24} {fmt(s['citation_first']):>8}  {'':<10} {'':<6} {cite_first}",
        f"  {'must_not hits':<24} {s['must_not_hits']:>8}  {'':<10} {'':<6} of {s['must_not_rows']} rows with must_not",
        f"  {f'retrieval hit@{ev.k} / MRR':<24} {fmt(s['hit_at_k']):>8}  / {fmt(s['mrr'])}"
        + ("   (from citations)" if cfg.get("mode") == "http" else "   (fused ranking)"),
        f"  {'answer words mean / max':<24} {fmt(s['words_mean'], 1):>8}  / {fmt(s['words_max'])}",
        f"  {'latency p50 / p95 ms':<24} {fmt(s['latency_p50'], 1):>8}  / {fmt(s['latency_p95'], 1)}",
    ]
    if s.get("errors"):
        lines.append(f"  {'rows answered with an error':<24} {s['errors']:>8}")
    if ev.per_tag:
        lines += ["", f"  {'tag':<16} {'rows':>4} {'correct':>8} {'cite-any':>9} {'cite-1st':>9} {'refusal':>8} "
                      f"{'false-ref':>9} {f'hit@{ev.k}':>6} {'MRR':>6} {'failing':>7}"]
        for tag, f in ev.per_tag.items():
            lines.append(f"  {tag[:16]:<16} {f['rows']:>4} {fmt(f['correct']):>8} {fmt(f['citation_any']):>9} "
                         f"{fmt(f['citation_first']):>9} {fmt(f['refusal']):>8} {fmt(f['false_refusal']):>9} "
                         f"{fmt(f['hit_at_k'], 2):>6} {fmt(f['mrr'], 2):>6} {f['rows'] - f['passed']:>7}")
    failing = ev.failing
    lines += ["", f"  Failing rows ({len(failing)}):" if failing else "  Failing rows: none"]
    for r in failing:
        lines.append(f"    {r.key}  ({r.file}:{r.line})  {json.dumps(r.question, ensure_ascii=False)[:90]}")
        lines += [f"      - {reason}" for reason in r.reasons]
        if r.answer and not r.refused and (r.missing_facts or r.must_not_hits):
            lines.append(f"        answer: {_short(r.answer, 160)}")
    missed = [c for c in ev.checks if not c.passed]
    lines.append("")
    if missed:
        lines.append(f"Result: FAIL ({len(missed)} of {len(ev.checks)} thresholds missed: "
                     + "; ".join(f"{c.label} {fmt(c.value)} {'<' if c.op == '>=' else '>'} {c.limit}" for c in missed) + ")")
    else:
        lines.append(f"Result: PASS (all {len(ev.checks)} thresholds met; {len(failing)} rows failing)")
    return "\n".join(lines)


def _some(keys: list[str], n: int = 12) -> str:
    return ", ".join(keys[:n]) + (f", … ({len(keys) - n} more)" if len(keys) > n else "")


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def compare_text(cmp: dict, old_path: str) -> str:
    lines = [f"Compared with {old_path}" + (f" ({cmp['old_created']})" if cmp.get("old_created") else "")]
    fp_old, fp_new = cmp.get("fingerprint", [None, None])
    if fp_old and fp_new and fp_old != fp_new:
        lines.append(f"  note: the index changed ({str(fp_old)[:12]} → {str(fp_new)[:12]})")
    lines.append(f"  {'figure':<24} {'old':>8} {'new':>8} {'delta':>9}")
    for d in cmp["overall"]:
        delta = "n/a" if d["delta"] is None else f"{d['delta']:+.3f}"
        if d["delta"] == 0:
            delta = "="
        lines.append(f"  {FIGURE_LABELS.get(d['figure'], d['figure']):<24} {fmt(d['old']):>8} {fmt(d['new']):>8} {delta:>9}")
    changed_tags = []
    for tag, ds in cmp["per_tag"].items():
        moved = [d for d in ds if d["delta"] not in (None, 0) and d["figure"] not in ("latency_p50", "latency_p95", "words_mean")]
        if moved:
            changed_tags.append(f"    {tag}: " + ", ".join(f"{d['figure']} {d['delta']:+.3f}" for d in moved))
    if changed_tags:
        lines += ["  per tag (changed figures; words and latency aside):"] + changed_tags
    flipped = cmp["flipped"]
    lines.append(f"  Flipped rows ({len(flipped)}):" if flipped else "  Flipped rows: none")
    for f in flipped:
        why = "; ".join(f.get("reasons") or [])
        lines.append(f"    {f['key']}: {f['old']} → {f['new']}" + (f"  ({why})" if why else ""))
    if cmp["added"]:
        lines.append(f"  New rows ({len(cmp['added'])}): {_some(cmp['added'])}")
    if cmp["removed"]:
        lines.append(f"  Rows no longer present ({len(cmp['removed'])}): {_some(cmp['removed'])}")
    if cmp.get("common", 1) == 0:
        lines.append("  note: no row in common: the two runs used different golden files, so the deltas compare different questions")
    elif cmp["added"] or cmp["removed"]:
        lines.append(f"  note: {cmp['common']} rows in common; the figures cover different row sets")
    return "\n".join(lines)
