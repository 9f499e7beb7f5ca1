"""Helpers for UI tests: a real `assistant serve` subprocess and a static host page on another origin."""
from __future__ import annotations

import contextlib
import functools
import http.server
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from conftest import CHROMIUM_ARGS, env_for, free_port  # noqa: F401  (CHROMIUM_ARGS re-exported for the tests)

BIN = Path(sys.executable).parent / "assistant"


class Server:
    def __init__(self, base: str, proc: subprocess.Popen, log: Path):
        self.base, self.proc, self.log = base, proc, log

    def get(self, path: str, **kw) -> httpx.Response:
        return httpx.get(self.base + path, timeout=30, **kw)

    def post(self, path: str, **kw) -> httpx.Response:
        return httpx.post(self.base + path, timeout=30, **kw)


@contextlib.contextmanager
def serve(settings, log_dir: Path, startup: float = 120.0, **env: str):
    """Run `assistant serve` on a free port with the session index; yields a :class:`Server` once /healthz answers."""
    with serve_many([(settings, env)], log_dir, startup) as (srv,):
        yield srv


@contextlib.contextmanager
def serve_many(specs, log_dir: Path, startup: float = 120.0):
    """Start one `assistant serve` per ``(settings, env)`` at once (their start-ups overlap) and yield the
    :class:`Server` list once every /healthz answers; all are stopped on exit."""
    started: list[Server] = []
    try:
        for settings, env in specs:
            port = free_port()
            log = Path(log_dir) / f"serve-{port}.log"
            with open(log, "wb") as out:
                proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                        env=env_for(settings, **env), stdout=out, stderr=subprocess.STDOUT)
            started.append(Server(f"http://127.0.0.1:{port}", proc, log))
        deadline = time.monotonic() + startup
        for srv in started:
            _wait_up(srv, deadline, startup)
        yield started
    finally:
        for srv in started:
            srv.proc.terminate()
        for srv in started:
            try:
                srv.proc.wait(15)
            except subprocess.TimeoutExpired:
                srv.proc.kill()
                srv.proc.wait(5)


def _wait_up(srv: Server, deadline: float, startup: float) -> None:
    while True:
        if srv.proc.poll() is not None:
            raise RuntimeError(f"server exited with {srv.proc.returncode}:\n{srv.log.read_text(errors='replace')}")
        try:
            if httpx.get(srv.base + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"server not up after {startup}s:\n{srv.log.read_text(errors='replace')}")
        time.sleep(0.3)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def static_site(root: Path):
    """Serve ``root`` on a free port (127.0.0.1); yields the port."""
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def host_page(server_base: str, title: str = "Ask the article", position: str = "bottom-right") -> str:
    """An educator's page with the one-line snippet."""
    return ("<!doctype html><html><head><meta charset='utf-8'><title>Class notes</title></head>"
            "<body style='font-family:sans-serif;margin:40px'><h1>Class notes: security guarantees</h1>"
            "<p>Read the article, then ask the assistant.</p>\n"
            f'<script src="{server_base}/widget.js" data-title="{title}" data-position="{position}" async></script>\n'
            "</body></html>")


def ask(root, question: str) -> None:
    """Type ``question`` into the chat (a Playwright page or frame) and send it, once the chat is ready: in a fresh
    chat the starter questions are labelled as a group (ui/static/chat.js does it after Gradio has rendered), so
    typing cannot land in a box Gradio then replaces."""
    from playwright.sync_api import expect

    if not root.locator("#chat .message-row, #chat [data-testid='bot']").count():
        root.locator("#chat .examples[role='group']").wait_for()
    box = root.locator("#question textarea")
    box.fill(question)
    expect(box).to_have_value(question)
    box.press("Enter")


class GradioSession:
    """One chat session driven through Gradio's own HTTP protocol, as the page does it: non-queued events by
    ``POST gradio_api/run/predict``, queued ones by ``POST gradio_api/queue/join`` and their results read from the
    ``gradio_api/queue/data`` event stream. Event numbers (``fn_index``) are looked up by function name in ``/config``.
    """

    def __init__(self, base: str, mount: str = "", session: str | None = None):
        import secrets

        self.root = base + mount
        self.session = session or secrets.token_hex(6)
        self.chat: list = []
        config = httpx.get(self.root + "/config", timeout=30).json()
        self.fns = {}
        for i, dep in enumerate(config["dependencies"]):
            self.fns.setdefault(dep.get("api_name") or "", []).append(dep.get("id", i))

    def body(self, fn_index: int, data: list, event_data=None) -> dict:
        return {"fn_index": fn_index, "data": data, "session_hash": self.session, "event_data": event_data,
                "trigger_id": None}

    def predict(self, fn_index: int, data: list, event_data=None, **kw) -> httpx.Response:
        return httpx.post(self.root + "/gradio_api/run/predict", json=self.body(fn_index, data, event_data),
                          timeout=30, **kw)

    def join(self, fn_index: int, data: list, event_data=None, **kw) -> httpx.Response:
        return httpx.post(self.root + "/gradio_api/queue/join", json=self.body(fn_index, data, event_data),
                          timeout=30, **kw)

    def result(self, event_id: str, timeout: float = 60) -> dict:
        """The ``process_completed`` message of ``event_id`` (``success``, ``output``)."""
        import json as _json

        with httpx.stream("GET", self.root + "/gradio_api/queue/data", params={"session_hash": self.session},
                          timeout=timeout) as r:
            for line in r.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = _json.loads(line[5:])
                if msg.get("event_id") == event_id and msg.get("msg") == "process_completed":
                    return msg
        raise AssertionError(f"no result for event {event_id}")

    def run_queued(self, fn_index: int, data: list, event_data=None) -> dict:
        r = self.join(fn_index, data, event_data)
        assert r.status_code == 200, (r.status_code, r.text[:300])
        return self.result(r.json()["event_id"])

    def fn(self, name: str) -> int:
        return self.fns[name][0]

    def ask(self, question: str) -> tuple[str, dict | None]:
        """Type ``question`` and send it: admission, gate, answering. Returns (last bot message, the answering
        step's ``process_completed`` message or None when the question was not admitted)."""
        admit, gate, respond = self.fn("admit"), self.fn("gate"), self.fn("respond")
        r = self.predict(admit, [question, self.chat])
        assert r.status_code == 200, (r.status_code, r.text[:300])
        _box, self.chat, _ticket = r.json()["data"]
        g = self.predict(gate, [None])
        if g.status_code != 200 or g.json().get("error") is not None:
            return bot_text(self.chat), None
        done = self.run_queued(respond, [None, self.chat, None])
        if done["success"]:
            self.chat = done["output"]["data"][1]
            self.sources = done["output"]["data"][2]
        return bot_text(self.chat), done

    def like(self, message_index: int, liked: bool = True) -> dict:
        return self.run_queued(self.fn("on_like"), [None], {"index": message_index, "value": [], "liked": liked})


def bot_text(chat: list) -> str:
    if not chat:
        return ""
    content = chat[-1].get("content")
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return str(content)
