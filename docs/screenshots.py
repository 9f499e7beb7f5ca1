"""Refresh the screenshots in docs/: `.venv/bin/python docs/screenshots.py [--out DIR]`.

Starts `assistant serve` the way the tests do (tests/uiserver.py: an index of sources/ built in a temporary folder with
the real model, a static "course page" on another origin for the widget) and drives headless Chromium
(/usr/bin/chromium, never `playwright install`):

* chat-desktop.png       the chat at 1280×900 after a question, a cited passage open in the sources panel
* chat-phone.png         the chat at 390×844 after a question (the "Sources" hint above the question box)
* chat-phone-source.png  the same phone after tapping [1]: the passage in the drawer, "Back to chat" at the top
* embed-screenshot.png   the widget open on a course page (1280×800)
* source-view.png        "Read in the article": the article's page with the cited passage highlighted
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

QUESTION = "Will Ukraine join NATO?"


def answered(root) -> None:
    root.locator("#chat a.cite").first.wait_for()
    root.locator("#sources details.src").first.wait_for()
    root.locator("#chat button.option").first.wait_for()


def ask(root, question: str) -> None:
    box = root.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from conftest import CHROMIUM, CHROMIUM_ARGS, make_settings
    from index.ingest import ingest
    from playwright.sync_api import sync_playwright
    from uiserver import host_page, serve, static_site

    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        tmp = Path(tmp)
        settings = make_settings(tmp / "data")
        ingest(settings)
        (tmp / "site").mkdir()
        with static_site(tmp / "site") as port, serve(
                settings, tmp, ASSISTANT_EMBED_ORIGINS=f"http://localhost:{port}",
                ASSISTANT_WIDGET_TITLE="Ask about Ukraine's security guarantees") as srv, sync_playwright() as p:
            page_html = host_page(srv.base, title="Ask the article").replace("<html>", '<html lang="en">', 1)
            (tmp / "site" / "index.html").write_text(page_html, encoding="utf-8")
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

            # Desktop chat.
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            pg = ctx.new_page()
            pg.goto(srv.base + "/")
            ask(pg, QUESTION)
            answered(pg)
            pg.locator("#chat a.cite").first.click()
            time.sleep(0.6)
            pg.screenshot(path=str(args.out / "chat-desktop.png"))
            href = pg.locator("#sources details.src[open] a.read-article").first.get_attribute("href")
            ctx.close()

            # The article's page, at the cited passage.
            ctx = browser.new_context(viewport={"width": 1280, "height": 900})
            pg = ctx.new_page()
            pg.goto(srv.base + href)
            time.sleep(0.3)
            pg.screenshot(path=str(args.out / "source-view.png"))
            ctx.close()

            # Phone: after an answer, then after tapping [1].
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      device_scale_factor=2)
            pg = ctx.new_page()
            pg.goto(srv.base + "/")
            ask(pg, QUESTION)
            answered(pg)
            time.sleep(0.6)
            pg.screenshot(path=str(args.out / "chat-phone.png"))
            pg.locator("#chat a.cite").first.click()
            pg.wait_for_function("() => document.body.classList.contains('sources-drawer-open')")
            time.sleep(0.6)
            pg.screenshot(path=str(args.out / "chat-phone-source.png"))
            ctx.close()

            # The widget on a course page of another origin.
            ctx = browser.new_context(viewport={"width": 1280, "height": 800})
            pg = ctx.new_page()
            pg.goto(f"http://localhost:{port}/index.html")
            pg.locator("#assistant-widget button.launcher").click()
            frame = pg.frame_locator("#assistant-widget iframe")
            ask(frame, QUESTION)
            answered(frame)
            time.sleep(0.6)
            frame.locator("#chat [data-testid='bot']").last.evaluate(  # the answer in view, not only the follow-ups
                "b => { const w = b.closest('.bubble-wrap'); w.scrollTop = b.offsetTop - 12; }")
            time.sleep(0.3)
            pg.screenshot(path=str(args.out / "embed-screenshot.png"))
            ctx.close()
            browser.close()
    for name in ("chat-desktop.png", "chat-phone.png", "chat-phone-source.png", "embed-screenshot.png", "source-view.png"):
        print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
