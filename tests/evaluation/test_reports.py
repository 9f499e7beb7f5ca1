"""The report files: HTML (self-contained, escaped, filters work, summary visible in headless Chromium),
JUnit (well-formed whatever the text), the terminal table and --compare text."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import GOLDEN_DIR

from assistant import Answer, Citation
from assistant.evaluation import golden
from assistant.evaluation.compare import compare
from assistant.evaluation.reports import write_all
from assistant.evaluation.reports.html import html_report
from assistant.evaluation.reports.junit import junit
from assistant.evaluation.reports.terminal import compare_text, terminal
from assistant.evaluation.scoring import Evaluation, LocalRunner, Thresholds, evaluate, figures_with_hits, score_row

HOSTILE = '<img src=x onerror="alert(1)"> & </details></summary><script>alert(2)</script>'


def synthetic(answer_text: str = "Over 30 nations. " + HOSTILE) -> Evaluation:
    """A small evaluation scored by the real scoring code from hand-made answers (no model)."""
    rows = [
        golden.GoldenRow(id="ok", question="How many?", answerable=True, key_facts=[["30"]], must_cite=["30 nations"],
                         tags=["faq", HOSTILE], file="g.jsonl", line=1),
        golden.GoldenRow(id="bad\x01" + HOSTILE, question=HOSTILE, answerable=True, key_facts=[["Starmer"]],
                         must_cite=["30 nations"], must_not=["alert"], tags=["faq"], file="g.jsonl", line=2,
                         history=[{"role": "user", "content": HOSTILE}]),
        golden.GoldenRow(id="oos", question="Capital of Australia?", answerable=False, tags=["out-of-scope"],
                         file="g.jsonl", line=3),
    ]
    cite = Citation("p1", "a.md", HOSTILE, "an alliance of over 30 nations " + HOSTILE, 0.4, 0, 9)
    answers = [Answer("Over 30 nations.", False, "q", [cite]), Answer(answer_text, False, "q", [cite]),
               Answer("The article doesn't cover that.", True, "q", [])]
    results = [score_row(r, r.id, a, "", None, 10.0 * i) for i, (r, a) in enumerate(zip(rows, answers), 1)]
    ev = Evaluation(files=[{"path": "g.jsonl", "rows": 3, "sha256": ""}], tags_filter=[], configuration={"mode": "in-process", "model": HOSTILE},
                    thresholds=Thresholds(), k=4, results=results, created="2025-01-01T00:00:00+00:00")
    ev.summary = figures_with_hits(results, 4)
    ev.per_tag = {t: figures_with_hits([r for r in results if t in r.tags], 4) for t in sorted({t for r in results for t in r.tags})}
    return ev


def test_synthetic_figures_and_terminal():
    ev = synthetic()
    s = ev.summary
    assert (s["rows"], s["answerable"], s["correct"], s["refusal"], s["false_refusal"]) == (3, 2, 0.5, 1.0, 0.0)
    assert s["must_not_hits"] == 1 and s["citation_any"] == 1.0 and s["latency_p50"] == 20.0
    text = terminal(ev)
    assert "correct (answerable)" in text and "FAIL" in text and "1/2" in text
    assert "Result: FAIL (1 of 4 thresholds missed: correct (answerable) 0.500 < 0.95)" in text
    assert "missing fact: 'Starmer'" in text and "must_not: 'alert'" in text
    assert not ev.passed


def test_html_escapes_everything_and_is_self_contained():
    html = html_report(synthetic())
    assert HOSTILE not in html and "<img" not in html
    assert html.count("<script>") == 1 and html.count("</script>") == 1  # only our inline script
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<link" not in html and "http://" not in html and "https://" not in html and "@import" not in html
    assert html.count('<details class="row') == 3


def test_junit_is_well_formed_with_hostile_text():
    ev = synthetic()
    root = ET.fromstring(junit(ev))
    cases = root.findall("./testsuite[@name='golden.g']/testcase")
    assert len(cases) == 3
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == 1 and "missing fact: 'Starmer'" in failures[0].find("failure").get("message")
    assert HOSTILE in failures[0].find("failure").text  # kept, escaped by the XML writer
    thresholds = root.findall("./testsuite[@name='thresholds']/testcase")
    assert [c.find("failure") is not None for c in thresholds] == [True, False, False, False]


def test_compare_text_lists_flips(tmp_path):
    old = synthetic().to_dict()
    new = synthetic(answer_text="Starmer leads over 30 nations.").to_dict()
    text = compare_text(compare(old, new), "old/report.json")
    assert "Flipped rows (1):" in text and "fail → pass" in text
    assert "correct (answerable)" in text and "+0.500" in text


def test_write_all_writes_three_files(tmp_path):
    paths = write_all(synthetic(), tmp_path / "out")
    assert sorted(p.name for p in paths) == ["junit.xml", "report.html", "report.json"]
    assert json.loads((tmp_path / "out" / "report.json").read_text())["rows"][1]["must_not_hits"] == ["alert"]


@pytest.mark.browser
def test_html_report_in_headless_chromium(assistant, tmp_path, browser):
    path = GOLDEN_DIR / "public.jsonl"
    ev = evaluate(golden.load(path), LocalRunner(assistant), files=[path])
    write_all(ev, tmp_path)
    url = (tmp_path / "report.html").as_uri()
    requests = []
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    summary = page.locator("#summary")
    assert summary.is_visible()
    assert page.locator("#verdict").inner_text() == ("PASS" if ev.passed else "FAIL")
    assert page.locator("#summary .card").count() == 4
    assert "correct (answerable)" in summary.inner_text()
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    n = len(ev.results)
    assert page.locator("#f-count").inner_text() == f"Showing {n} of {n} questions"
    page.check("#f-fail")
    assert page.locator("details.row:not(.hidden)").count() == len(ev.failing)
    page.uncheck("#f-fail")
    page.select_option("#f-tag", "out-of-scope")
    oos = sum("out-of-scope" in r.tags for r in ev.results)
    assert page.locator("details.row:not(.hidden)").count() == oos > 0
    first = page.locator("details.row:not(.hidden)").first
    assert not first.locator(".body").is_visible()
    first.locator("summary").click()
    assert first.locator(".body").is_visible() and "Question" in first.locator(".body").inner_text()
    assert errors == []
    assert requests == [url]  # nothing but the file itself: no external assets
