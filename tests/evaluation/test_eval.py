"""`assistant eval` end to end with the real model, index and Chroma: validation before anything runs (exit 2
naming FILE:LINE), exit 1 on a wrong key fact naming the row, the three report files, determinism,
--tag, --compare, --url (over a real HTTP server), and `assistant golden draft`."""
from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import GOLDEN_DIR, ROOT, cli_in_process, env_for, free_port, make_settings

from assistant.evaluation import golden
from assistant.evaluation.compare import compare
from assistant.evaluation.scoring import (HttpRunner, LocalRunner, ReplayRunner, Thresholds, evaluate, percentile,
                                          score_row, select)
from index.errors import GoldenFileError

pytestmark = pytest.mark.slow  # 10 s or more together: started first under `make test`

DATA = ROOT / "tests" / "data"
PUBLIC = GOLDEN_DIR / "public.jsonl"
LENIENT = ["--min-correct", "0", "--min-citation", "0", "--min-refusal", "0", "--max-false-refusal", "1"]
EXE = str(ROOT / ".venv" / "bin" / "assistant")


def run_cli(args, settings) -> subprocess.CompletedProcess:
    """`assistant ARGS` in this process (click's CliRunner): the command's exit codes, output and reports without
    an interpreter's start-up; `run_exe` is the real entry point, kept for the exit code CI reads."""
    return cli_in_process(args, env_for(settings))


def run_exe(args, settings, timeout=300) -> subprocess.CompletedProcess:
    exe = EXE if Path(EXE).exists() else None
    cmd = [exe] if exe else [sys.executable, "-m", "assistant"]
    return subprocess.run(cmd + [str(a) for a in args], env=env_for(settings), capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


# -- validation: nothing runs on a broken file -------------------------------------------------------

GOOD = {"id": "ok", "question": "Will Ukraine join NATO?", "history": [], "answerable": True,
        "key_facts": [["unlikely"]], "must_cite": [], "must_not": [], "tags": []}


def _line(**changes) -> str:
    row = dict(GOOD, **changes)
    for k in [k for k, v in changes.items() if v is ...]:
        row.pop(k)
    return json.dumps(row)


MALFORMED = {
    "bad-json": ('{"id": "x", "question": "Will Ukraine join NATO?", "answerable": true', 2, "not valid JSON"),
    "missing-field": (_line(id="x", answerable=...), 2, "missing field 'answerable'"),
    "wrong-type": (_line(id="x", answerable="yes"), 2, "field 'answerable' must be a bool"),
    "key-facts-not-groups": (_line(id="x", key_facts=["unlikely"]), 2, "key_facts[0] must be a non-empty list"),
    "bad-history-role": (_line(id="x", history=[{"role": "system", "content": "hi"}]), 2, "history[0] must be"),
    "duplicate-id": (_line(), 2, "duplicate id 'ok' (first on line 1)"),
    "unknown-field": (_line(id="x", expected="y"), 2, "unknown field(s) expected"),
    "not-an-object": ('["a", "b"]', 2, "must be a JSON object"),
    "facts-on-unanswerable": (_line(id="x", answerable=False), 2, "unanswerable row cannot have key_facts"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_loader_names_file_and_line(tmp_path, case):
    bad, line, what = MALFORMED[case]
    path = tmp_path / f"{case}.jsonl"
    path.write_text(_line() + "\n" + bad + "\n", encoding="utf-8")
    with pytest.raises(GoldenFileError) as err:
        golden.load(path)
    first = str(err.value).splitlines()[0]
    assert first.startswith(f"{path}:{line}: "), first
    assert what in first


def test_loader_reports_every_bad_line_and_counts_lines_like_an_editor(tmp_path):
    path = tmp_path / "two.jsonl"
    # a U+2028 inside a JSON string is valid JSON but str.splitlines() would split the line there
    path.write_text(json.dumps(dict(GOOD, question="Will Ukraine\u2028join NATO?"), ensure_ascii=False) + "\n\n" + _line(id=3) + "\n"
                    + _line(id="z", tags="faq") + "\n", encoding="utf-8")
    with pytest.raises(GoldenFileError) as err:
        golden.load(path)
    lines = str(err.value).splitlines()
    assert [ln.split(": ")[0] for ln in lines] == [f"{path}:3", f"{path}:4"]


def test_answerable_row_without_key_facts_is_valid(tmp_path):
    path = tmp_path / "draft.jsonl"
    path.write_text(_line(key_facts=[], must_cite=["out of reach"]) + "\n", encoding="utf-8")
    assert golden.load(path)[0].key_facts == []


@pytest.mark.parametrize("case", ["bad-json", "missing-field", "wrong-type", "bad-history-role", "duplicate-id"])
def test_cli_exits_2_on_malformed_file_before_running_anything(tmp_path, index_settings, case):
    bad, line, what = MALFORMED[case]
    path = tmp_path / f"{case}.jsonl"
    path.write_text(_line() + "\n" + bad + "\n", encoding="utf-8")
    # the good public file first: the broken second file must still stop the run before any question
    r = run_cli(["eval", PUBLIC, path, "--report", tmp_path / "out"], index_settings)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{path}:{line}: " in r.stderr and what in r.stderr
    assert "Golden evaluation" not in r.stdout and not (tmp_path / "out").exists()


def test_cli_usage_errors_exit_2(tmp_path, index_settings):
    r = run_cli(["eval", tmp_path / "nope.jsonl"], index_settings)
    assert r.returncode == 2 and "nope.jsonl: cannot be read" in r.stderr
    r = run_cli(["eval", PUBLIC, "--min-correct", "1.5"], index_settings)
    assert r.returncode == 2 and "--min-correct" in r.stderr
    r = run_cli(["eval", PUBLIC, "--tag", "no-such-tag"], index_settings)
    assert r.returncode == 2 and "no rows tagged no-such-tag" in r.stderr and "out-of-scope" in r.stderr
    (tmp_path / "old.json").write_text("{}")
    r = run_cli(["eval", PUBLIC, "--compare", tmp_path / "old.json"], index_settings)
    assert r.returncode == 2 and "not an `assistant eval` report.json" in r.stderr
    assert "Golden evaluation" not in r.stdout
    r = run_cli(["eval", PUBLIC, "--url", "ftp://x"], index_settings)
    assert r.returncode == 2 and "--url" in r.stderr


# -- exit codes and reports ----------------------------------------------------------------------

def test_wrong_key_fact_exits_1_and_names_the_row(tmp_path, index_settings):
    r = run_exe(["eval", DATA / "wrong_fact.jsonl"], index_settings)  # the real entry point: exit 1, CI's "missed"
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    failing = r.stdout.split("Failing rows", 1)[1]
    assert "coalition-size-wrong-fact" in failing and "missing fact: '45 nations'" in failing
    assert f"{DATA / 'wrong_fact.jsonl'}:2" in failing
    # the control row (same question, the true fact) passes: the failure is the key fact, nothing else
    assert "coalition-size " not in failing and "coalition-size  (" not in failing
    assert "correct (answerable)" in r.stdout and "FAIL" in r.stdout and "Result: FAIL" in r.stdout
    # the same file with the broken row filtered out passes every threshold
    r = run_cli(["eval", DATA / "wrong_fact.jsonl", "--tag", "control", "--tag", "out-of-scope"], index_settings)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Result: PASS" in r.stdout


@pytest.fixture(scope="module")
def public_run(tmp_path_factory, index_settings):
    out = tmp_path_factory.mktemp("eval") / "out"
    r = run_cli(["eval", PUBLIC, "--report", out, *LENIENT], index_settings)
    return r, out


def test_public_set_writes_the_three_reports(public_run):
    r, out = public_run
    assert r.returncode == 0, r.stdout + r.stderr  # lenient thresholds: exit 0 whatever the answer quality
    for line in ("correct (answerable)", "citation (any)", "refusal accuracy", "false refusals", "citation (first)",
                 "must_not hits", "retrieval hit@4 / MRR", "answer words", "latency p50 / p95"):
        assert line in r.stdout
    assert "Result: PASS" in r.stdout
    assert sorted(p.name for p in out.iterdir()) == ["junit.xml", "report.html", "report.json"]

    rep = json.loads((out / "report.json").read_text())
    cfg = rep["configuration"]
    assert cfg["mode"] == "in-process" and cfg["model"] and cfg["index"]["fingerprint"]
    assert cfg["passage_settings"]["top_k"] == 4 and "refusal_threshold" in cfg["passage_settings"]
    assert cfg["packages"]["chromadb"] and cfg["packages"]["python"]
    rows = {row["id"]: row for row in rep["rows"]}
    assert len(rows) == len(golden.load(PUBLIC)) == rep["summary"]["rows"]
    nato = rows["nato-join"]
    assert set(nato) >= {"answer", "citations", "matched_facts", "missing_facts", "reasons", "latency_ms"}
    assert not nato["refused"] and nato["passed"], nato  # "Will Ukraine join NATO?" is answered, and correctly
    assert nato["citations"] and {"id", "section", "text", "score"} <= set(nato["citations"][0])
    for row in rows.values():  # matched + missing always account for every key-fact group
        if row["answerable"] and not row["refused"] and not row["error"]:
            assert len(row["matched_facts"]) + len(row["missing_facts"]) == len(row["expected"]["key_facts"])
    assert set(rep["per_tag"]) >= {"faq", "out-of-scope", "follow-up", "(untagged)"}
    assert rep["per_tag"]["out-of-scope"]["answerable"] == 0 and rep["per_tag"]["out-of-scope"]["correct"] is None
    assert [c["figure"] for c in rep["checks"]] == ["correct", "citation_any", "refusal", "false_refusal"]

    suites = ET.parse(out / "junit.xml").getroot()
    cases = suites.findall("./testsuite[@name='golden.public']/testcase")
    assert len(cases) == len(rows)
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert failed == {k for k, v in rows.items() if not v["passed"]}
    assert len(suites.findall("./testsuite[@name='thresholds']/testcase")) == 4

    html = (out / "report.html").read_text()
    assert html.count("<details class=\"row") == len(rows)
    assert "<link" not in html and " src=" not in html and "http://" not in html and "https://" not in html
    assert html.count("<script>") == 1  # ours; the question's <script> is escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_two_runs_give_identical_rows(index_settings, public_run):
    """Two fresh assistants (no answer cache) over the same index: the same per-row results, latency aside;
    and the CLI's run (its own Assistant, loaded by `assistant eval`) agrees with them."""
    from assistant import Assistant

    rows = golden.load(PUBLIC)
    runs = []
    for _ in range(2):
        a = Assistant.load(make_settings(index_settings.index.data_dir, cache_size=0))
        runs.append(evaluate(rows, LocalRunner(a), files=[PUBLIC]))
    first, second = ([r.comparable() for r in ev.results] for ev in runs)
    assert first == second
    s1, s2 = ({k: v for k, v in ev.summary.items() if not k.startswith("latency")} for ev in runs)
    assert s1 == s2
    _, out = public_run
    cli_rows = json.loads((out / "report.json").read_text())["rows"]
    for row in cli_rows:
        row.pop("latency_ms")
    assert cli_rows == first


def test_compare_prints_deltas_and_flipped_rows(tmp_path, index_settings):
    old = tmp_path / "old"
    r = run_cli(["eval", DATA / "compare_old.jsonl", "--report", old], index_settings)
    assert r.returncode == 1 and "coalition-size" in r.stdout  # the wrong fact in the old file
    r = run_cli(["eval", DATA / "compare_new.jsonl", "--report", tmp_path / "new", "--compare", old / "report.json"],
                index_settings)
    assert r.returncode == 0, r.stdout + r.stderr
    cmp_text = r.stdout.split("Compared with", 1)[1]
    assert "correct (answerable)" in cmp_text and "0.500" in cmp_text and "1.000" in cmp_text and "+0.500" in cmp_text
    assert "Flipped rows (1):" in cmp_text and "coalition-size: fail → pass" in cmp_text
    assert "front-length" not in cmp_text  # passed in both
    saved = json.loads((tmp_path / "new" / "report.json").read_text())["compare"]
    assert [f["key"] for f in saved["flipped"]] == ["coalition-size"]


def test_compare_function_reports_added_removed_and_direction():
    def rep(rows, correct):
        return {"summary": {"correct": correct}, "per_tag": {}, "rows": rows}
    old = rep([{"key": "a", "passed": True}, {"key": "b", "passed": True}, {"key": "gone", "passed": True}], 1.0)
    new = rep([{"key": "a", "passed": True}, {"key": "b", "passed": False, "reasons": ["false refusal"]},
               {"key": "new", "passed": False}], 0.5)
    c = compare(old, new)
    assert c["flipped"] == [{"key": "b", "old": "pass", "new": "fail", "reasons": ["false refusal"]}]
    assert c["added"] == ["new"] and c["removed"] == ["gone"]
    assert next(d for d in c["overall"] if d["figure"] == "correct")["delta"] == -0.5


def test_tag_filter_runs_only_those_rows(tmp_path, index_settings):
    r = run_cli(["eval", PUBLIC, "--tag", "out-of-scope", "--report", tmp_path], index_settings)
    rep = json.loads((tmp_path / "report.json").read_text())
    assert rep["rows"] and all("out-of-scope" in row["tags"] for row in rep["rows"])
    assert rep["summary"]["rows"] == sum("out-of-scope" in row.tags for row in golden.load(PUBLIC))
    assert rep["summary"]["correct"] is None  # no answerable rows: the threshold is n/a, not a failure
    assert r.returncode == (0 if rep["summary"]["refusal"] >= 0.95 else 1)
    assert select(golden.load(PUBLIC), ["faq"]) == [row for row in golden.load(PUBLIC) if "faq" in row.tags]


# -- scoring units ---------------------------------------------------------------------------------

def test_score_row_reasons():
    from assistant import Answer, Citation

    row = golden.GoldenRow(id="r", question="q", answerable=True, key_facts=[["thirty", "30"], ["Starmer"]],
                           must_cite=["over 30 nations"], must_not=["NATO troops"])
    cite = Citation("p1", "a.md", "S", "an alliance of over 30  nations", 0.5, 0, 10)
    good = score_row(row, "r", Answer("Over 30 countries, led by Starmer.", False, "q", [cite]), "", ["x", cite.text], 5)
    assert good.passed and good.correct and good.matched_facts == ["30", "Starmer"] and good.evidence_rank == 2
    bad = score_row(row, "r", Answer("It sends NATO troops.", False, "q", []), "", None, 5)
    assert not bad.correct and bad.reasons == ["missing fact: 'thirty' | '30'", "missing fact: 'Starmer'",
                                               "wrong citation: none cites 'over 30 nations'", "must_not: 'NATO troops'"]
    refused = score_row(row, "r", Answer("The article doesn't cover that.", True, "q", []), "", [], 5)
    assert refused.reasons == ["false refusal"] and refused.citation_any is False
    oos = golden.GoldenRow(id="o", question="q", answerable=False)
    assert score_row(oos, "o", Answer("Canberra.", False, "q", []), "", None, 1).reasons == ["not refused"]
    assert score_row(oos, "o", None, "HTTP 422 question_too_long", None, 1).reasons == ["error: HTTP 422 question_too_long"]


def test_percentile_is_nearest_rank():
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([7.0], 95) == 7.0 and percentile([], 50) is None


def test_thresholds_are_inclusive_and_na_passes(assistant):
    rows = [r for r in golden.load(PUBLIC) if "out-of-scope" in r.tags]
    ev = evaluate(rows, LocalRunner(assistant), thresholds=Thresholds(min_refusal=1.0))
    checks = {c.figure: c for c in ev.checks}
    assert checks["correct"].value is None and checks["correct"].passed
    assert checks["refusal"].passed == (ev.summary["refusal"] == 1.0)


def test_replayed_history_holds_the_assistants_own_answers(assistant, index_settings):
    """--replay-history: a follow-up row is asked after the assistant's own answer to the earlier question, not after
    the file's shortened one; rows without history are asked as they are."""
    seen = []

    class Recording(LocalRunner):
        def ask(self, question, history):
            seen.append((question, history))
            return super().ask(question, history)

    rows = [r for r in golden.load(PUBLIC) if r.history][:1] + [r for r in golden.load(PUBLIC) if not r.history][:1]
    first = rows[0].history[0]["content"]
    ev = evaluate(rows, ReplayRunner(Recording(assistant)), files=[PUBLIC])
    assert ev.configuration["mode"] == "in-process, history replayed"
    own = assistant.ask(first, []).answer
    assert seen[0] == (first, [])  # the earlier question, asked first
    assert seen[1] == (rows[0].question, [{"role": "user", "content": first}, {"role": "assistant", "content": own}])
    assert own != rows[0].history[1]["content"]
    assert seen[2] == (rows[1].question, [])
    out = run_cli(["eval", "--replay-history", "--tag", "follow-up", *LENIENT, PUBLIC], index_settings)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Result: PASS" in out.stdout


# -- over HTTP ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server_url(plain_server):
    """The real `assistant serve` (the session's plain server)."""
    return plain_server.base, "assistant serve"


def test_url_mode_matches_in_process(server_url, assistant, tmp_path):
    url, _ = server_url
    rows = golden.load(PUBLIC)
    over_http = evaluate(rows, HttpRunner(url), files=[PUBLIC])
    local = evaluate(rows, LocalRunner(assistant), files=[PUBLIC])
    assert over_http.configuration["mode"] == "http"
    for h, loc in zip(over_http.results, local.results):
        assert (h.answer, h.refused, h.correct, h.citation_any, h.reasons) == (loc.answer, loc.refused, loc.correct,
                                                                                loc.citation_any, loc.reasons), h.key
        if h.ranking_from:
            assert h.ranking_from == "citations" and loc.ranking_from == "retrieval"


def test_url_cli_and_row_errors(server_url, index_settings, tmp_path):
    url, _ = server_url
    path = tmp_path / "long.jsonl"
    path.write_text(_line(id="too-long", question="Will Ukraine join NATO? " * 100) + "\n"
                    + _line(id="ok2", key_facts=[]) + "\n", encoding="utf-8")
    r = run_cli(["eval", path, "--url", url, "--report", tmp_path / "out"], index_settings)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "too-long" in r.stdout and "error: HTTP 422" in r.stdout
    rep = json.loads((tmp_path / "out" / "report.json").read_text())
    assert rep["configuration"]["url"] == url and rep["summary"]["errors"] == 1
    r = run_cli(["eval", path, "--url", f"http://127.0.0.1:{free_port()}"], index_settings)
    assert r.returncode == 2 and "unreachable" in r.stderr


# -- golden draft ------------------------------------------------------------------------------------

def test_golden_draft_output_validates(tmp_path, index_settings):
    from index.sources import discover, read_source

    r = run_cli(["golden", "draft"], index_settings)
    assert r.returncode == 0, r.stderr
    path = tmp_path / "draft.jsonl"
    path.write_text(r.stdout, encoding="utf-8")
    rows = golden.load(path)
    docs = [read_source(sf) for sf in discover(index_settings.index.sources)]
    faqs = [p.question for d in docs for p in d.passages if p.kind == "faq"]
    assert faqs and [row.question for row in rows if "faq" in row.tags] == faqs
    assert any("section" in row.tags for row in rows)
    texts = [p.text for d in docs for p in d.passages]
    for row in rows:
        assert row.answerable and row.key_facts == [] and row.must_cite
        assert all(any(golden.contains(t, m) for t in texts) for m in row.must_cite), row.id

    out = tmp_path / "o.jsonl"
    r = run_cli(["golden", "draft", ROOT / "sources", "-o", out], index_settings)
    assert r.returncode == 0 and golden.load(out)
    r = run_cli(["golden", "draft", "-o", out], index_settings)
    assert r.returncode == 2 and "--force" in r.stderr
    r = run_cli(["golden", "draft", tmp_path / "missing"], index_settings)
    assert r.returncode == 2 and "no such file" in r.stderr
