"""HTTP API against a real `assistant serve` on a free port, plus the pure rendering helpers of the chat."""
from __future__ import annotations

import re
import subprocess

import httpx
import pytest

from conftest import PLAIN_ORIGINS, env_for, free_port, make_settings
from uiserver import BIN

pytestmark = pytest.mark.server
QUESTION = "Will Ukraine join NATO?"
ALLOWED = PLAIN_ORIGINS[0]
EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def server(plain_server):
    return plain_server


def strip_timings(d: dict) -> dict:
    return {k: v for k, v in d.items() if k != "timings_ms"}


def test_healthz(server, index_settings):
    public = server.get("/healthz")
    assert public.status_code == 200
    assert public.json() == {"status": "ok", "reasons": [], "collection": public.json()["collection"],
                             "version": public.json()["version"]}
    r = server.get("/healthz?detail=1")  # (tests run on loopback: the full report)
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok"
    assert h["passages"] > 5 and h["sources"] == 1
    assert h["chroma"] == str(index_settings.index.chroma_path) and h["chroma_mode"] == "embedded"
    assert h["model"]
    assert set(h["feedback"]) == {"up", "down", "total"}
    assert "api_key" not in r.text


def test_ask_returns_the_cli_json(server, assistant):
    r = server.post("/api/ask", json={"question": QUESTION, "history": []})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    got = r.json()
    assert set(got) == set(assistant.ask(QUESTION, []).to_dict())  # the Answer's own fields, no more
    assert {"answer", "refused", "query", "citations", "timings_ms"} <= set(got)
    assert strip_timings(got) == strip_timings(assistant.ask(QUESTION, []).to_dict())
    assert not got["refused"] and got["citations"]
    assert "[1]" in got["answer"]
    assert any(c["section"] == "Frequently Asked Questions" for c in got["citations"])


def test_ask_with_history_resolves_follow_up(server):
    first = server.post("/api/ask", json={"question": QUESTION}).json()
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": first["answer"]}]
    r = server.post("/api/ask", json={"question": "Why?", "history": history})
    assert r.status_code == 200
    got = r.json()
    assert got["query"] != "Why?" and "NATO" in got["query"]  # resolved with the earlier turn
    assert got["citations"] and not got["refused"]
    alone = server.post("/api/ask", json={"question": "Why?"}).json()
    assert alone["query"] != got["query"]  # the history made the difference


def test_refusal_has_suggestions(server):
    got = server.post("/api/ask", json={"question": "What is the best recipe for apple pie?"}).json()
    assert got["refused"] is True and got["answer"].startswith("The article doesn't cover that.")
    from assistant import Answer

    assert got["citations"] == [] and 1 <= len(Answer.from_dict(got).suggestions) <= 3


@pytest.mark.parametrize("body, status, code", [
    ({"question": ""}, 422, "empty_question"),
    ({"question": "   "}, 422, "empty_question"),
    ({"question": 42}, 422, "invalid_question"),
    ({}, 422, "missing_question"),
    ([QUESTION], 422, "invalid_body"),
    ({"question": QUESTION, "history": [{"role": "wizard", "content": "x"}]}, 422, "invalid_history"),
    ({"question": QUESTION, "history": "nope"}, 422, "invalid_history"),
    ({"question": "x" * 5000}, 422, "question_too_long"),
])
def test_ask_errors(server, body, status, code):
    r = server.post("/api/ask", json=body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and err["message"]


def test_ask_invalid_json_and_encoding(server):
    r = server.post("/api/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    r = server.post("/api/ask", content=b'{"question": "\xff\xfe"}', headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_encoding"
    r = server.get("/api/ask")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = server.get("/api/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_passage_endpoint(server):
    cite = server.post("/api/ask", json={"question": QUESTION}).json()["citations"][0]
    r = server.get(f"/api/passages/{cite['id']}")
    assert r.status_code == 200
    p = r.json()
    assert (p["id"], p["text"], p["section"], p["start"], p["end"]) == (cite["id"], cite["text"], cite["section"], cite["start"], cite["end"])
    assert p["sentences"] and all(s["text"] in p["text"] for s in p["sentences"])
    r = server.get("/api/passages/no-such-passage")
    assert r.status_code == 404 and r.json()["error"]["code"] == "passage_not_found"


def test_cors_only_for_allowed_origins(server):
    ok = server.post("/api/ask", json={"question": QUESTION}, headers={"Origin": ALLOWED})
    assert ok.headers.get("access-control-allow-origin") == ALLOWED
    bad = server.post("/api/ask", json={"question": QUESTION}, headers={"Origin": EVIL})
    assert bad.status_code == 200 and "access-control-allow-origin" not in bad.headers
    pre = httpx.options(server.base + "/api/ask", headers={"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
                                                           "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers.get("access-control-allow-origin") == ALLOWED
    pre = httpx.options(server.base + "/api/ask", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    # Gradio's own routes follow the same allowlist (Gradio alone would reflect any origin).
    cfg = server.get("/config", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in cfg.headers


def test_frame_ancestors(server):
    embed = server.get("/embed", follow_redirects=True)
    assert embed.status_code == 200 and str(embed.url).endswith("/embed/")
    csp = embed.headers["content-security-policy"]
    assert csp == f"frame-ancestors 'self' {ALLOWED} http://other.example"
    home = server.get("/")
    assert home.status_code == 200 and home.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert server.get("/embed?__theme=dark").headers["location"] == "/embed/?__theme=dark"


def test_widget_js_is_self_contained(server):
    r = server.get("/widget.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    js = r.text
    assert not re.search(r"https?://", js.split("*/", 1)[1]), "widget.js must not reference other hosts"
    assert "document.currentScript" in js and "/embed/" in js and "data-title" in js
    assert '"Ask about the article"' in js  # server default title, JSON-quoted
    assert "__DEFAULT_TITLE__" not in js


def test_pages_have_title_and_no_external_assets(server):
    for path in ("/", "/embed/"):
        html = server.get(path).text
        assert "Ask about the article" in html
        assert not re.search(r"""(src|href)=["']https?://(?!127\.0\.0\.1)""", html)
        # ASSISTANT_THEME default (the page's ?__theme= overrides it), sent in the app's <head> config
        assert 'window.ASSISTANT_THEME = \\"light\\"' in server.get(path.rstrip("/") + "/config").text


def test_serve_without_index_says_run_ingest(tmp_path):
    s = make_settings(tmp_path / "empty")
    port = free_port()
    p = subprocess.run([str(BIN), "serve", "--port", str(port)], env=env_for(s), capture_output=True, text=True, timeout=120)
    assert p.returncode != 0
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    assert "assistant ingest" in lines[0] and "Traceback" not in p.stderr + p.stdout


def test_serve_reports_busy_port(index_settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = subprocess.run([str(BIN), "serve", "--port", str(port)], env=env_for(index_settings),
                           capture_output=True, text=True, timeout=120)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert str(port) in p.stderr and len(p.stderr.strip().splitlines()) == 1


# -- in-process: queue settings and rendering -------------------------------------------------------------------------

def test_queue_is_concurrent_and_bounded(assistant, tmp_path):
    from ui.chat import build_chat
    from ui.feedback import FeedbackStore

    s = make_settings(tmp_path, concurrency=5, queue_size=17)
    demo = build_chat(assistant, s, FeedbackStore(tmp_path / "f.sqlite3"))
    assert demo._queue.max_size == 17
    assert demo._queue.default_concurrency_limit == 5


def test_render_escapes_everything():
    from ui import render

    evil = "<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3)) $x$ **b**"
    for out in (render.user_message(evil), render.esc(evil), render.error_message(evil)):
        assert "<img" not in out and "<script" not in out and "](" not in out and "$" not in out and "**" not in out
    ans = {"answer": evil + " [1]", "refused": False, "query": evil, "suggestions": [],
           "citations": [{"id": "p<1>", "section": "<b>S</b>", "source": "a.md", "text": evil + " tail"}]}
    html = render.answer_message(ans, "other question", 1) + render.sources_panel([{"turn": 1, "question": evil, "answer": ans}])
    assert "<img" not in html and "<script" not in html and "<b>S" not in html
    assert html.count('<a class="cite"') == 1 and 'href="#src-1-1"' in html
    # Each source links to its article's page at the passage (escaped, in a new tab).
    assert html.count('<a class="read-article" href="/sources/a.md&#35;p-p%3C1%3E" target="_blank" rel="noopener"') == 1


def test_render_highlights_cited_sentences():
    from ui import render

    text = "### Heading?\n\nFirst sentence here. Second one follows. Third is last."
    ans = {"answer": "Second one follows. [1] Unrelated claim. [2]", "refused": False, "query": "q", "suggestions": [],
           "citations": [{"id": "a", "section": "S", "source": "a.md", "text": text},
                         {"id": "b", "section": "T", "source": "a.md", "text": "Nothing matches."}]}
    panel = render.sources_panel([{"turn": 3, "question": "q", "answer": ans}])
    assert "<mark>Second one follows.</mark>" in panel
    assert 'id="src-3-1"' in panel and 'id="src-3-2"' in panel
    assert "###" not in panel
    assert render.cited_phrases(ans["answer"]) == {1: ["Second one follows."], 2: ["Unrelated claim."]}
    assert render.query_differs("will ukraine join nato", "Will Ukraine join NATO?") is False
    assert render.query_differs("Why?", "Will Ukraine join NATO? Why?") is True
    # While streaming, markers appear only as whole links and the text grows.
    partial = render.answer_message(ans, "q", 3, shown_words=2)
    assert "Second one" in partial and "follows" not in partial and "cite" not in partial


def test_browser_storage_only_when_configured(assistant, tmp_path):
    import gradio as gr

    from ui.chat import build_chat
    from ui.feedback import FeedbackStore

    fb = FeedbackStore(tmp_path / "f.sqlite3")
    off = build_chat(assistant, make_settings(tmp_path), fb)
    on = build_chat(assistant, make_settings(tmp_path, keep_history_in_browser=True), fb)
    kinds = lambda demo: {type(b) for b in demo.blocks.values()}  # noqa: E731
    assert gr.BrowserState not in kinds(off)
    assert gr.BrowserState in kinds(on)
