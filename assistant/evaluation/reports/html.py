"""``report.html``: one self-contained file (inline CSS and a little inline JS, no external assets), readable
by someone who has never seen the tool: a summary, per-tag bars, and every row expandable, with filters
by tag and failures. The page is the Jinja2 template ``report.html.j2`` next to this module; this module
only prepares the figures and texts it shows. Every value the template prints is HTML-escaped."""
from __future__ import annotations

import functools
import json
from html import escape
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..scoring import Evaluation, RowResult
from .common import count, fmt

TEMPLATE = "report.html.j2"

EXPLAIN = {
    "correct": "Answerable questions answered with every key fact and nothing forbidden.",
    "citation_any": "Answerable questions whose cited passages contain the expected evidence.",
    "refusal": "Questions the article does not cover that the assistant correctly declined.",
    "false_refusal": "Answerable questions the assistant wrongly declined (lower is better).",
}
RANKING = {"retrieval": "fused retrieval ranking", "citations": "returned citations"}
CITATION_CHARS = 600


def pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _escaped(value) -> Markup:
    """Every ``{{ value }}`` of the template: None prints nothing, the rest is ``html.escape``d (quotes too)."""
    if isinstance(value, Markup):
        return value
    return Markup(escape("" if value is None or isinstance(value, jinja2.Undefined) else str(value), quote=True))


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                             finalize=_escaped, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.filters.update(pct=pct, fmt=fmt)
    return env.get_template(TEMPLATE)


def html_report(ev: Evaluation) -> str:
    s, cfg = ev.summary, ev.configuration
    idx = cfg.get("index", {})
    return _template().render(
        ev=ev, s=s, verdict="pass" if ev.passed else "fail",
        cfg={"url": cfg.get("url"), "mode": cfg.get("mode"), "model": cfg.get("model")},
        files=", ".join(f["path"] for f in ev.files) or "(rows)",
        tags_filter=", ".join(ev.tags_filter), fingerprint=str(idx.get("fingerprint") or "?")[:12],
        cards=[_card(ev, c) for c in ev.checks], other=_other(ev),
        tags=sorted({t for r in ev.results for t in r.tags}), rows=[_row(r) for r in ev.results],
        config_json=json.dumps(cfg, indent=2, ensure_ascii=False, default=str))


def _card(ev: Evaluation, c) -> dict:
    return {"cls": "pass" if c.passed else "fail", "status": "n/a" if c.value is None else ("PASS" if c.passed else "FAIL"),
            "label": c.label, "value": pct(c.value), "counts": count(ev.results, c.figure).replace("/", " of "),
            "need": f"{'at least' if c.op == '>=' else 'at most'} {pct(c.limit)}", "explain": EXPLAIN.get(c.figure, "")}


def _other(ev: Evaluation) -> list[tuple[str, str]]:
    s = ev.summary
    other = [
        ("Questions that passed every check", f"{s['passed']} of {s['rows']}"),
        ("First citation holds the evidence", pct(s["citation_first"])),
        ("Answers containing a forbidden phrase (must_not)", f"{s['must_not_hits']} of {s['must_not_rows']} rows that have one"),
        (f"Evidence among the top {ev.k} retrieved passages (hit@{ev.k})", pct(s["hit_at_k"])),
        ("Mean reciprocal rank of the evidence (MRR, 1 = always first)", fmt(s["mrr"])),
        ("Answer length, mean / longest (words)", f"{fmt(s['words_mean'], 1)} / {fmt(s['words_max'])}"),
        ("Time per question, median / 95th percentile", f"{fmt(s['latency_p50'], 1)} ms / {fmt(s['latency_p95'], 1)} ms"),
    ]
    if ev.configuration.get("mode") == "http":
        other.append(("Note", "Run over HTTP: retrieval figures come from the returned citations only."))
    return other


def _row(r: RowResult) -> dict:
    exp = r.expected
    cites = []
    for c in r.citations:
        text = " ".join(str(c.get("text", "")).split())
        cites.append({"section": c.get("section"), "source": c.get("source"), "start": c.get("start"),
                      "end": c.get("end"), "score": c.get("score"), "text": text[:CITATION_CHARS],
                      "cut": len(text) > CITATION_CHARS})
    return {
        "cls": "pass" if r.passed else "fail", "passed": r.passed, "mark": "✓" if r.passed else "✗",
        "key": r.key, "id": r.id, "file": r.file, "line": r.line, "question": r.question, "tags": r.tags,
        "tags_json": json.dumps(r.tags), "reasons": "; ".join(r.reasons),
        "history": [{"role": h.get("role"), "content": h.get("content")} for h in r.history],
        "kind": "answerable" if r.answerable else "not in the article: the assistant should decline",
        "searched": r.query if r.query and r.query != r.question else "",
        "error": r.error, "refused": r.refused, "answer": r.answer,
        "key_facts": [(g not in r.missing_facts, g) for g in exp.get("key_facts") or []],
        "must_not": [(m in r.must_not_hits, m) for m in exp.get("must_not") or []],
        "must_cite": exp.get("must_cite") or [], "cited": r.citation_any, "evidence_rank": r.evidence_rank,
        "ranking": RANKING.get(r.ranking_from, r.ranking_from),
        "citations": cites, "words": r.words, "latency_ms": r.latency_ms,
    }
