"""End-to-end tests of the chat and the embeddable widget in headless Chromium (Playwright, system chromium).

The server is conftest's `widget_server`, shared with ui/test_chat_ux.py (conftest.SHARED: one worker runs both,
so it starts once); the widget's host page is served by a tiny http.server on another origin.
A failing test leaves a screenshot (and the server log path) in its tmp dir.
"""
from __future__ import annotations

import json
import re
import sqlite3
import time

import pytest

from conftest import WIDGET_TITLE
from uiserver import CHROMIUM_ARGS, ask

pytestmark = [pytest.mark.browser, pytest.mark.server]
QUESTION = "Will Ukraine join NATO?"
LOCAL = re.compile(r"^(https?://(127\.0\.0\.1|localhost)(:\d+)?/|data:|blob:|about:)")



@pytest.fixture(scope="module")
def server(widget_server):
    return widget_server


@pytest.fixture(scope="module")
def site(widget_server):
    return widget_server.site


@pytest.fixture
def page(browser, request, tmp_path, server):
    """A fresh page; records requests, console and page errors; screenshots on failure."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    pg.requests, pg.console, pg.errors = [], [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("console", lambda m: pg.console.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    failed_before = request.session.testsfailed
    yield pg
    if request.session.testsfailed > failed_before:
        shot = tmp_path / f"{request.node.name}.png"
        try:
            pg.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot: {shot}\nserver log: {server.log}")
        except Exception as exc:  # the page may be gone
            print(f"\nno screenshot: {exc}")
    context.close()


def last_bot(root):
    return root.locator("#chat .message-row.bot-row, #chat [data-testid='bot']").last


def storage_dump(pg) -> str:
    return pg.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")


def test_chat_answers_with_cited_section(page, server):
    page.goto(server.base + "/")
    # A first-time visitor sees the title and the FAQ starter questions.
    page.get_by_role("heading", name=WIDGET_TITLE).wait_for()
    starters = server.get("/healthz")  # server is up; starters come from the FAQ
    assert starters.status_code == 200
    page.get_by_text("Will Ukraine become a NATO member soon?").first.wait_for()

    ask(page, QUESTION)
    answer = page.locator("#chat a.cite").first
    answer.wait_for()
    page.wait_for_selector("#sources details.src")
    chat_text = page.locator("#chat").inner_text()
    assert "NATO membership for Ukraine is unlikely" in chat_text
    assert "[1]" in chat_text
    api = server.post("/api/ask", json={"question": QUESTION}).json()
    sections = page.locator("#sources details.src .section").all_inner_texts()
    assert sections == [c["section"] for c in api["citations"]]
    assert "Frequently Asked Questions" in sections
    # Nothing of the conversation is kept in the browser's storage (ASSISTANT_BROWSER_HISTORY is off).
    assert "NATO" not in storage_dump(page)
    # Nothing fetched from outside the server.
    assert [u for u in page.requests if not LOCAL.match(u)] == []
    assert page.errors == []


def test_answer_streams_progressively(page, server):
    page.goto(server.base + "/")
    page.locator("#question textarea").wait_for()
    ask(page, "What is the Coalition of the Willing?")
    seen = set()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        txt = page.locator("#chat").inner_text()
        seen.add(len(txt))
        if page.locator("#sources details.src").count():
            break
        time.sleep(0.02)
    assert page.locator("#sources details.src").count() >= 1
    assert len(seen) >= 3, f"answer text appeared in {len(seen)} steps"


def test_click_citation_shows_passage(page, server):
    page.goto(server.base + "/")
    ask(page, QUESTION)
    marker = page.locator("#chat a.cite").last
    marker.wait_for()
    page.wait_for_selector("#sources details.src")
    n = marker.inner_text().strip("[]")
    marker.click()
    src = page.locator(f"#sources details.src[id$='-{n}']").first
    assert src.get_attribute("open") is not None
    passage = src.locator(".passage")
    passage.wait_for(state="visible")
    mark = passage.locator("mark").first
    mark.wait_for(state="visible")
    api = server.post("/api/ask", json={"question": QUESTION}).json()
    cite = api["citations"][int(n) - 1]
    # The marked sentence is verbatim in the passage and in the answer.
    assert mark.inner_text().strip() in cite["text"]
    assert mark.inner_text().strip() in api["answer"]
    full = server.get(f"/api/passages/{cite['id']}").json()
    assert passage.inner_text().split()[-3:] == full["text"].split()[-3:]
    assert page.url.rstrip("/") == server.base  # no navigation away from the chat


def test_like_is_stored(page, server, index_settings):
    db = index_settings.index.feedback_path
    before = server.get("/healthz?detail=1").json()["feedback"]
    page.goto(server.base + "/")
    ask(page, QUESTION)
    page.locator("#chat a.cite").first.wait_for()
    page.wait_for_selector("#sources details.src")
    page.locator("#chat button[aria-label='Like']").last.click()
    deadline = time.monotonic() + 15
    rows = []
    while time.monotonic() < deadline:
        if db.exists():
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                rows = con.execute("SELECT question, answer, citation_ids, vote, created FROM feedback "
                                   "WHERE question = ? AND vote = 'up'", (QUESTION,)).fetchall()
            except sqlite3.OperationalError:  # created but table not there yet
                rows = []
            finally:
                con.close()
            if rows:
                break
        time.sleep(0.2)
    assert rows, "no feedback row stored"
    question, answer, cids, vote, created = rows[-1]
    api = server.post("/api/ask", json={"question": QUESTION}).json()
    assert answer == api["answer"]
    assert json.loads(cids) == [c["id"] for c in api["citations"]]
    assert created[:2] == "20"
    after = server.get("/healthz?detail=1").json()["feedback"]
    assert after["up"] == before["up"] + 1 and after["total"] == before["total"] + 1


def test_refusal_offers_clickable_suggestions(page, server):
    page.goto(server.base + "/")
    ask(page, "What is the best recipe for apple pie?")
    page.get_by_text("The article doesn't cover that.").wait_for()
    options = page.locator("#chat button.option")
    options.first.wait_for()
    # The refusal says one thing, once; the questions to ask instead are the options, not more text.
    bot = last_bot(page).inner_text()
    assert bot.count("The article doesn't cover that.") == 1 and "Sorry" not in bot
    suggestion = options.first.inner_text().strip()
    assert suggestion
    options.first.click()
    page.locator("#chat a.cite").first.wait_for()
    assert suggestion in page.locator("#chat").inner_text()


def test_widget_on_other_origin_answers_with_citations(page, server, site):
    _, port = site
    page.goto(f"http://localhost:{port}/index.html")
    launcher = page.locator("#assistant-widget button.launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-label") == "Ask the article"
    launcher.click()
    page.locator("#assistant-widget .panel.open").wait_for()
    frame = page.frame_locator("#assistant-widget iframe")
    frame.locator("#question textarea").wait_for()
    ask(frame, QUESTION)
    frame.locator("#chat a.cite").first.wait_for()
    frame.locator("#sources details.src").first.wait_for()
    assert "NATO" in frame.locator("#chat").inner_text()
    assert "Frequently Asked Questions" in frame.locator("#sources").inner_text()
    assert not any("frame-ancestors" in m for m in page.console)
    box = page.locator("#assistant-widget .panel").bounding_box()
    assert box["width"] <= 400 and box["height"] <= 600


def test_widget_frame_refused_for_origin_not_allowed(page, server, site):
    _, port = site
    # Same page, but from http://127.0.0.1:PORT, which is not in ASSISTANT_EMBED_ORIGINS.
    blocked = []
    page.on("response", lambda r: "/embed/" in r.url and blocked.append(r.headers.get("content-security-policy", "")))
    page.goto(f"http://127.0.0.1:{port}/index.html")
    page.locator("#assistant-widget button.launcher").click()
    page.locator("#assistant-widget iframe").wait_for(state="attached")
    deadline = time.monotonic() + 20
    frame = None
    while time.monotonic() < deadline:
        frame = page.locator("#assistant-widget iframe").element_handle().content_frame()
        refused = any("frame-ancestors" in m for m in page.console)
        if refused and frame is not None and frame.url.startswith("chrome-error:"):
            break
        time.sleep(0.2)
    print(page.console, frame and frame.url, blocked)
    # The server answered /embed/ with a policy that leaves this origin out, and Chromium refused to show it.
    assert blocked and all(f"http://127.0.0.1:{port}" not in csp and "frame-ancestors" in csp for csp in blocked)
    assert any("frame-ancestors" in m and ("blocked" in m or "Refused" in m) for m in page.console), page.console
    assert frame is not None and frame.url.startswith("chrome-error:"), frame and frame.url
    assert frame.locator("#chat").count() == 0
