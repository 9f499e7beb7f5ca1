"""``assistant eval --compare``: an earlier run's ``report.json`` against this run — per-figure deltas (overall
and per tag) and the rows whose pass/fail flipped. Works on the reports' JSON form, so any two runs compare."""
from __future__ import annotations

import json
from pathlib import Path

from .scoring import SCHEMA, EvalError

COMPARED = ("correct", "citation_any", "citation_first", "refusal", "false_refusal", "must_not_hits", "hit_at_k",
            "mrr", "words_mean", "latency_p50", "latency_p95")


def load_report(path) -> dict:
    """An earlier run's ``report.json`` (or the one in the folder ``path``), checked to be one."""
    p = Path(path)
    if p.is_dir():
        p = p / "report.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvalError(f"{p}: cannot be read ({exc.strerror}); give the report.json of an earlier run.") from None
    except ValueError as exc:
        raise EvalError(f"{p}: not a JSON report ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or not isinstance(data.get("rows"), list):
        raise EvalError(f"{p}: not an `assistant eval` report.json (schema {SCHEMA} expected)")
    return data


def compare(old: dict, new: dict) -> dict:
    """Per-figure deltas (overall and per tag) and the rows whose pass/fail flipped."""
    def deltas(a: dict, b: dict) -> list[dict]:
        out = []
        for name in COMPARED:
            va, vb = a.get(name), b.get(name)
            d = None if va is None or vb is None else round(vb - va, 6)
            out.append({"figure": name, "old": va, "new": vb, "delta": d})
        return out

    old_rows = {r["key"]: r for r in old["rows"]}
    new_rows = {r["key"]: r for r in new["rows"]}
    flipped = []
    for key, r in new_rows.items():
        o = old_rows.get(key)
        if o is not None and bool(o.get("passed")) != bool(r.get("passed")):
            flipped.append({"key": key, "old": "pass" if o.get("passed") else "fail",
                            "new": "pass" if r.get("passed") else "fail",
                            "reasons": r.get("reasons") if not r.get("passed") else o.get("reasons")})
    tags = sorted(set(old.get("per_tag", {})) & set(new.get("per_tag", {})))
    return {"overall": deltas(old.get("summary", {}), new.get("summary", {})),
            "per_tag": {t: deltas(old["per_tag"][t], new["per_tag"][t]) for t in tags},
            "flipped": flipped,
            "added": sorted(set(new_rows) - set(old_rows)),
            "removed": sorted(set(old_rows) - set(new_rows)),
            "common": len(set(old_rows) & set(new_rows)),
            "old_created": old.get("created", ""),
            "fingerprint": [old.get("configuration", {}).get("index", {}).get("fingerprint"),
                            new.get("configuration", {}).get("index", {}).get("fingerprint")]}
