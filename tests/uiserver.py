"""Helpers for UI tests: a real `assistant serve` subprocess and a static host page on another origin."""
from __future__ import annotations

import contextlib
import functools
import http.server
import os
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
    port = free_port()
    log = Path(log_dir) / f"serve-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env_for(settings, **env), stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not up after {startup}s:\n{log.read_text(errors='replace')}")
            time.sleep(0.3)
        yield Server(base, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


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
