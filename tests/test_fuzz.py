"""Property-based fuzzing: whatever is asked, ``Assistant.ask`` returns an Answer or raises BadQuestion, and
``POST /api/ask`` answers 200 with the answer shape or 4xx with the error shape, never 5xx."""
from __future__ import annotations

import json
import re
from collections import Counter
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


EXAMPLES = 200
# Measured with the derandomized examples when set: 34 and 36 answers of 200 bodies in two runs (10 kinds of outcome),
# 50 of 100 question+history requests (4 kinds); the floors leave some margin (the engine is not fully repeatable).
BODY_ANSWERED = 28
HISTORY_ANSWERED = 40
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
ANSWER_KEYS = {"answer", "refused", "query", "citations", "timings_ms", "suggestions"}
WORDS = ["Will", "Ukraine", "join", "NATO", "?", "what", "security", "guarantees", "Coalition", "Willing", "why",
         "it", "they", "Russia", "the", "article", "<script>", "[1]", "$x$", "**", "\u202e", "😀", "\x00", "\n"]

# Text without lone surrogates (Python strings can hold them, but no client can send them as UTF-8).
text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
wordy = st.lists(st.sampled_from(WORDS), min_size=0, max_size=25).map(" ".join)
huge = st.builds(lambda s, n: s * n, st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=4),
                 st.integers(200, 4000))
question = st.one_of(text, wordy, wordy, huge, st.none(), st.integers(), st.floats(), st.lists(text, max_size=3),
                     st.dictionaries(text, text, max_size=2))
role = st.one_of(st.sampled_from(["user", "assistant"]), st.sampled_from(["system", "User", "", "tool"]), st.integers())
turn = st.one_of(st.fixed_dictionaries({"role": role, "content": st.one_of(text, wordy, huge, st.none())}),
                 st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]), "content": st.one_of(text, wordy)}),
                 st.dictionaries(text, text, max_size=3), st.none(), st.integers(), text)
valid_history = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant"]),
                                                "content": st.one_of(wordy, text)}), max_size=30)
history = st.one_of(st.none(), st.lists(turn, max_size=30), valid_history)


def check_answer_dict(d: dict) -> None:
    assert set(d) == ANSWER_KEYS, d.keys()
    assert isinstance(d["answer"], str) and d["answer"] and isinstance(d["refused"], bool)
    assert isinstance(d["query"], str) and isinstance(d["citations"], list) and isinstance(d["timings_ms"], dict)
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", re.sub(r"\s+", " ", d["answer"]))}
    if d["refused"]:
        assert d["citations"] == []
    for c in d["citations"]:
        assert {"id", "section", "text", "source"} <= set(c)
    # Every [n] marker in the answer points at a citation it has: an answer without citations has no marker (a quoted
    # "[1]" in a question never reaches the answer).
    assert all(1 <= m <= len(d["citations"]) for m in markers), (d["answer"], len(d["citations"]))


@FUZZ
@given(q=question, h=history)
def test_assistant_ask_answers_or_refuses_politely(assistant, q, h):
    from assistant.answering.types import Answer
    from index.errors import BadQuestion

    try:
        ans = assistant.ask(q, h)
    except BadQuestion as exc:
        assert exc.http_status == 422 and exc.code and exc.message
        return
    assert isinstance(ans, Answer)
    d = ans.to_dict()
    check_answer_dict(d)
    json.dumps(d, ensure_ascii=False).encode("utf-8")  # what the API sends must be encodable


# -- over HTTP -------------------------------------------------------------------------------------------------------

json_value = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
                          lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
                          max_leaves=15)
body_json = st.one_of(
    json_value,
    st.fixed_dictionaries({"question": question, "history": history}),
    st.fixed_dictionaries({"question": st.one_of(wordy, text)}, optional={"history": history, "extra": json_value}),
).map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8"))
body_bytes = st.one_of(
    st.binary(max_size=300),
    body_json.map(lambda b: b[: len(b) // 2]),  # truncated JSON
    st.builds(lambda b, i, junk: b[:i] + junk + b[i:], body_json, st.integers(0, 50), st.binary(min_size=1, max_size=4)),
    huge.map(lambda s: json.dumps({"question": s}).encode()),
)
content_type = st.sampled_from(["application/json", "application/json", "application/json; charset=utf-8",
                                "text/plain", "application/x-www-form-urlencoded", None])


@pytest.fixture(scope="module")
def server(plain_server):
    with httpx.Client(base_url=plain_server.base, timeout=30) as client:
        yield SimpleNamespace(base=plain_server.base, client=client)


def check_response(r: httpx.Response, sent: bytes, seen: Counter) -> None:
    assert r.status_code < 500, (r.status_code, sent[:200], r.text[:300])
    data = r.json()
    seen[str(r.status_code) if r.status_code == 200 else data.get("error", {}).get("code")] += 1
    if r.status_code == 200:
        check_answer_dict(data)
    else:
        assert 400 <= r.status_code < 500 and set(data) == {"error"}, (r.status_code, data)
        assert set(data["error"]) == {"code", "message"} and data["error"]["message"], data
    assert r.headers.get("x-content-type-options") == "nosniff"


# Each HTTP fuzz run counts its outcomes (200, or the error code) and then checks that it reached the paths it is
# meant to: derandomized, so the same examples run every time and the counts are reproducible.
HTTP_FUZZ = settings(FUZZ, derandomize=True)


@pytest.mark.server
def test_api_never_answers_5xx(server):
    seen: Counter = Counter()

    @HTTP_FUZZ
    @given(body=st.one_of(body_json, body_bytes), ctype=content_type)
    def post(body, ctype):
        headers = {"content-type": ctype} if ctype else {}
        check_response(server.client.post("/api/ask", content=body, headers=headers), body, seen)

    post()
    print(dict(seen))
    assert len(seen) >= 8 and seen["200"] >= BODY_ANSWERED, seen  # answers and most kinds of 4xx were reached


@pytest.mark.server
def test_api_questions_with_histories(server):
    seen: Counter = Counter()

    @settings(HTTP_FUZZ, max_examples=EXAMPLES // 2)
    @given(q=st.one_of(wordy, wordy, text, huge), h=st.one_of(valid_history, valid_history, history))
    def post(q, h):
        body = json.dumps({"question": q, "history": h}, ensure_ascii=False).encode("utf-8")
        check_response(server.client.post("/api/ask", content=body, headers={"content-type": "application/json"}),
                       body, seen)

    post()
    print(dict(seen))
    assert seen["200"] >= HISTORY_ANSWERED and len(seen) >= 3, seen  # answered, and refused for bad histories


@pytest.mark.server
def test_api_still_answers_after_fuzzing(server):
    r = server.client.post("/api/ask", json={"question": "Will Ukraine join NATO?"})
    assert r.status_code == 200 and r.json()["citations"] and not r.json()["refused"]
