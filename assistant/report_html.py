"""``report.html``: one self-contained file (inline CSS and a little inline JS, no external assets), readable
by someone who has never seen the tool: a summary, per-tag bars, and every row expandable, with filters
by tag and failures. Every piece of text from the golden file or the assistant is HTML-escaped."""
from __future__ import annotations

import json
from html import escape

from .evaluation import Evaluation, RowResult
from .reports import _count, fmt

COUNTS = {  # figure → (rows it applies to, rows that count)
    "correct": (lambda r: r.answerable, lambda r: r.correct),
    "citation_any": (lambda r: r.citation_any is not None, lambda r: r.citation_any),
    "refusal": (lambda r: not r.answerable, lambda r: r.refused),
    "false_refusal": (lambda r: r.answerable, lambda r: r.refused),
}


def e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


def _pct(value) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


EXPLAIN = {
    "correct": "Answerable questions answered with every key fact and nothing forbidden.",
    "citation_any": "Answerable questions whose cited passages contain the expected evidence.",
    "refusal": "Questions the article does not cover that the assistant correctly declined.",
    "false_refusal": "Answerable questions the assistant wrongly declined (lower is better).",
}

CSS = """
:root{--ok:#1b7f3b;--ok-bg:#e7f5ec;--bad:#b3261e;--bad-bg:#fbeaea;--mut:#5f6368;--line:#dadce0;--acc:#1a56db}
*{box-sizing:border-box}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#202124;background:#f8f9fa}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:1.6rem;margin:0 0 4px}h2{font-size:1.2rem;margin:28px 0 10px}
.sub{color:var(--mut);font-size:.9rem}
.verdict{display:inline-block;padding:4px 14px;border-radius:999px;font-weight:700;font-size:1rem;margin-left:8px;vertical-align:middle}
.verdict.pass{background:var(--ok-bg);color:var(--ok)}.verdict.fail{background:var(--bad-bg);color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(220px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid var(--mut);border-radius:8px;padding:12px 14px}
.card.pass{border-left-color:var(--ok)}.card.fail{border-left-color:var(--bad)}
.card .v{font-size:1.9rem;font-weight:700}.card .l{font-weight:600}.card .t{color:var(--mut);font-size:.85rem}
.card .st{float:right;font-weight:700}.card.pass .st{color:var(--ok)}.card.fail .st{color:var(--bad)}
table{border-collapse:collapse;background:#fff;border:1px solid var(--line);width:100%}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f1f3f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bars{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.bar{display:grid;grid-template-columns:160px 1fr 110px;gap:10px;align-items:center;margin:6px 0}
.bar .track{background:var(--bad-bg);height:18px;border-radius:4px;overflow:hidden}
.bar .fill{background:var(--ok);height:100%}
.bar .name{font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.bar .cnt{color:var(--mut);font-size:.9rem}
.filters{display:flex;flex-wrap:wrap;gap:16px;align-items:center;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin-bottom:10px}
.filters select{font:inherit;padding:2px 6px}
details.row{background:#fff;border:1px solid var(--line);border-left:6px solid var(--ok);border-radius:6px;margin:6px 0}
details.row.fail{border-left-color:var(--bad)}
details.row>summary{cursor:pointer;padding:8px 12px;list-style-position:inside}
details.row>summary .mark{font-weight:700;margin-right:6px}
details.row.pass>summary .mark{color:var(--ok)}details.row.fail>summary .mark{color:var(--bad)}
details.row>summary .id{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem;color:var(--mut);margin-right:6px}
details.row>summary .why{color:var(--bad);font-size:.9rem;display:block;margin-left:1.6em}
.body{padding:4px 16px 14px;border-top:1px solid var(--line)}
.body dt{font-weight:600;margin-top:8px}.body dd{margin:2px 0 0 0}
.answer{background:#f1f3f4;border-radius:6px;padding:8px 10px;white-space:pre-wrap}
.tag{display:inline-block;background:#e8f0fe;color:var(--acc);border-radius:4px;padding:0 6px;margin-right:4px;font-size:.8rem}
.ok{color:var(--ok)}.bad{color:var(--bad)}
ol.cites li{margin-bottom:6px}.cite-sec{font-weight:600}.ev{outline:2px solid var(--ok);border-radius:3px}
.hidden{display:none}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
@media print{.filters{display:none}details.row{break-inside:avoid}}
"""

JS = """
(function(){
  var tagSel=document.getElementById('f-tag'), failOnly=document.getElementById('f-fail'),
      count=document.getElementById('f-count'), rows=[].slice.call(document.querySelectorAll('details.row'));
  function apply(){
    var tag=tagSel.value, shown=0;
    rows.forEach(function(r){
      var tags=JSON.parse(r.getAttribute('data-tags'));
      var ok=(!tag||tags.indexOf(tag)>=0)&&(!failOnly.checked||r.getAttribute('data-pass')==='0');
      r.classList.toggle('hidden',!ok); if(ok) shown++;
    });
    count.textContent='Showing '+shown+' of '+rows.length+' questions';
  }
  tagSel.addEventListener('change',apply); failOnly.addEventListener('change',apply);
  document.getElementById('f-open').addEventListener('click',function(){rows.forEach(function(r){if(!r.classList.contains('hidden'))r.open=true;});});
  document.getElementById('f-close').addEventListener('click',function(){rows.forEach(function(r){r.open=false;});});
  apply();
})();
"""


def html_report(ev: Evaluation) -> str:
    s, cfg = ev.summary, ev.configuration
    verdict = "pass" if ev.passed else "fail"
    idx = cfg.get("index", {})
    files = ", ".join(f["path"] for f in ev.files) or "(rows)"
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width,initial-scale=1">',
           f"<title>Golden evaluation: {verdict.upper()} – {e(files)}</title>", f"<style>{CSS}</style></head><body><main>"]
    out.append(f'<header><h1>Golden-answer evaluation <span class="verdict {verdict}" id="verdict">'
               f'{"PASS" if ev.passed else "FAIL"}</span></h1>'
               f'<div class="sub">{e(s["rows"])} questions from {e(files)}'
               + (f" · tags: {e(', '.join(ev.tags_filter))}" if ev.tags_filter else "")
               + f' · {e(ev.created)} · {e(cfg.get("url") or cfg.get("mode"))} · model {e(cfg.get("model") or "?")}'
               f' · index {e(str(idx.get("fingerprint") or "?")[:12])}</div></header>')

    # summary -----------------------------------------------------------------------------------
    out.append('<section id="summary"><h2>Summary</h2><div class="cards">')
    for c in ev.checks:
        cls = "pass" if c.passed else "fail"
        st = "n/a" if c.value is None else ("PASS" if c.passed else "FAIL")
        need = f"{'at least' if c.op == '>=' else 'at most'} {_pct(c.limit)}"
        out.append(f'<div class="card {cls}"><span class="st">{st}</span><div class="l">{e(c.label)}</div>'
                   f'<div class="v">{_pct(c.value)}</div><div class="t">{e(_count(ev.results, *COUNTS[c.figure]).replace("/", " of "))} questions<br>required: {need}<br>{e(EXPLAIN.get(c.figure, ""))}</div></div>')
    out.append("</div>")
    out.append('<h2>Other figures</h2><table><tbody>')
    other = [
        ("Questions that passed every check", f"{s['passed']} of {s['rows']}"),
        ("First citation holds the evidence", _pct(s["citation_first"])),
        ("Answers containing a forbidden phrase (must_not)", f"{s['must_not_hits']} of {s['must_not_rows']} rows that have one"),
        (f"Evidence among the top {ev.k} retrieved passages (hit@{ev.k})", _pct(s["hit_at_k"])),
        ("Mean reciprocal rank of the evidence (MRR, 1 = always first)", fmt(s["mrr"])),
        ("Answer length, mean / longest (words)", f"{fmt(s['words_mean'], 1)} / {fmt(s['words_max'])}"),
        ("Time per question, median / 95th percentile", f"{fmt(s['latency_p50'], 1)} ms / {fmt(s['latency_p95'], 1)} ms"),
    ]
    if cfg.get("mode") == "http":
        other.append(("Note", "Run over HTTP: retrieval figures come from the returned citations only."))
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in other]
    out.append("</tbody></table></section>")

    # per tag -----------------------------------------------------------------------------------
    if ev.per_tag:
        out.append('<section id="tags"><h2>By tag</h2><div class="bars">')
        for tag, f in ev.per_tag.items():
            frac = f["passed"] / f["rows"] if f["rows"] else 0
            out.append(f'<div class="bar" title="{e(tag)}: {f["passed"]} of {f["rows"]} questions pass">'
                       f'<span class="name">{e(tag)}</span><span class="track"><span class="fill" style="display:block;width:{frac * 100:.1f}%"></span></span>'
                       f'<span class="cnt">{f["passed"]}/{f["rows"]} pass</span></div>')
        out.append("</div>")
        out.append('<table style="margin-top:10px"><thead><tr><th>tag</th><th>questions</th><th>correct</th><th>citation</th>'
                   f'<th>refusal</th><th>false refusals</th><th>hit@{ev.k}</th><th>MRR</th></tr></thead><tbody>')
        for tag, f in ev.per_tag.items():
            out.append(f"<tr><td>{e(tag)}</td><td class=n>{f['rows']}</td><td class=n>{_pct(f['correct'])}</td>"
                       f"<td class=n>{_pct(f['citation_any'])}</td><td class=n>{_pct(f['refusal'])}</td>"
                       f"<td class=n>{_pct(f['false_refusal'])}</td><td class=n>{_pct(f['hit_at_k'])}</td>"
                       f"<td class=n>{fmt(f['mrr'])}</td></tr>")
        out.append("</tbody></table></section>")

    # rows --------------------------------------------------------------------------------------
    tags = sorted({t for r in ev.results for t in r.tags})
    out.append('<section id="rows"><h2>Every question</h2><div class="filters">'
               '<label>Tag <select id="f-tag"><option value="">all tags</option>'
               + "".join(f'<option value="{e(t)}">{e(t)}</option>' for t in tags)
               + '</select></label><label><input type="checkbox" id="f-fail"> failures only</label>'
               '<button type="button" id="f-open">expand all</button><button type="button" id="f-close">collapse all</button>'
               '<span id="f-count" class="sub"></span></div>')
    out += [_row(r) for r in ev.results]
    out.append("</section>")

    # configuration -----------------------------------------------------------------------------
    out.append('<section id="config"><h2>Configuration</h2><details><summary>Model, index, passage settings, '
               'package versions</summary><pre><code>' + e(json.dumps(cfg, indent=2, ensure_ascii=False, default=str))
               + "</code></pre></details></section>")
    out.append(f"</main><script>{JS}</script></body></html>")
    return "\n".join(out)


_RANKING = {"retrieval": "fused retrieval ranking", "citations": "returned citations"}


def _row(r: RowResult) -> str:
    cls = "pass" if r.passed else "fail"
    mark = "✓" if r.passed else "✗"
    why = f'<span class="why">{e("; ".join(r.reasons))}</span>' if r.reasons else ""
    tags = "".join(f'<span class="tag">{e(t)}</span>' for t in r.tags)
    body = ["<dl>"]
    if r.history:
        body.append("<dt>Earlier turns</dt><dd><ol>" + "".join(
            f"<li><b>{e(h.get('role'))}:</b> {e(h.get('content'))}</li>" for h in r.history) + "</ol></dd>")
    kind = "answerable" if r.answerable else "not in the article: the assistant should decline"
    body.append(f"<dt>Question</dt><dd>{e(r.question)} <span class='sub'>({e(kind)})</span></dd>")
    if r.query and r.query != r.question:
        body.append(f"<dt>Searched as</dt><dd>{e(r.query)}</dd>")
    if r.error:
        body.append(f"<dt>Error</dt><dd class='bad'>{e(r.error)}</dd>")
    else:
        label = "Answer (declined)" if r.refused else "Answer"
        body.append(f"<dt>{label}</dt><dd><div class='answer'>{e(r.answer)}</div></dd>")
    exp = r.expected
    if exp.get("key_facts"):
        items = []
        for g in exp["key_facts"]:
            ok = g not in r.missing_facts
            items.append(f"<li class='{'ok' if ok else 'bad'}'>{'✓' if ok else '✗'} "
                         + " <i>or</i> ".join(f"“{e(a)}”" for a in g) + "</li>")
        body.append("<dt>Key facts</dt><dd><ul>" + "".join(items) + "</ul></dd>")
    if exp.get("must_not"):
        body.append("<dt>Must not say</dt><dd><ul>" + "".join(
            f"<li class='{'bad' if m in r.must_not_hits else 'ok'}'>{'✗ said' if m in r.must_not_hits else '✓ not said'}: “{e(m)}”</li>"
            for m in exp["must_not"]) + "</ul></dd>")
    if exp.get("must_cite"):
        verdict = {True: "<span class='ok'>✓ cited</span>", False: "<span class='bad'>✗ not cited</span>", None: ""}[r.citation_any]
        rank = f" · evidence at rank {r.evidence_rank} of the {e(_RANKING.get(r.ranking_from, r.ranking_from))}" if r.evidence_rank else \
            f" · evidence not found in the {e(_RANKING.get(r.ranking_from, r.ranking_from))}"
        body.append("<dt>Expected evidence</dt><dd>" + " <i>or</i> ".join(f"“{e(m)}”" for m in exp["must_cite"])
                    + f" — {verdict}<span class='sub'>{rank}</span></dd>")
    if r.citations:
        lis = []
        for c in r.citations:
            text = " ".join(str(c.get("text", "")).split())
            lis.append(f"<li><span class='cite-sec'>{e(c.get('section'))}</span> <span class='sub'>"
                       f"{e(c.get('source'))}:{e(c.get('start'))}–{e(c.get('end'))} · score {e(c.get('score'))}</span>"
                       f"<br>{e(text[:600])}{'…' if len(text) > 600 else ''}</li>")
        body.append("<dt>Citations</dt><dd><ol class='cites'>" + "".join(lis) + "</ol></dd>")
    body.append(f"<dt>Details</dt><dd class='sub'>id <code>{e(r.id)}</code> · {e(r.file)}:{r.line} · "
                f"{r.words} words · {r.latency_ms:.1f} ms</dd></dl>")
    return (f'<details class="row {cls}" data-pass="{int(r.passed)}" data-tags="{e(json.dumps(r.tags))}">'
            f'<summary><span class="mark">{mark}</span><span class="id">{e(r.key)}</span>{e(r.question)} {tags}{why}</summary>'
            f'<div class="body">{"".join(body)}</div></details>')
