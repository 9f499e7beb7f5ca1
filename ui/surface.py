"""Every address the server answers, and with which methods; anything else is a JSON 404 (or 405 with ``Allow``).

Our own routes (:data:`OURS`): the JSON API, ``/healthz``, ``/widget.js``, ``/embed`` and ``/sources/{name}``.
Gradio's app brings many more routes than the chat uses (uploads, file serving, ``/call`` and ``/run`` APIs, proxies,
monitoring, …). Only what the chat's own page calls is let through, under ``/`` and ``/embed``: the page, its assets
and theme, the event routes (``gradio_api/queue/join`` for queued events, ``gradio_api/run/predict`` for the others,
both checked further by :mod:`ui.gradio_gate`), the event stream and the heartbeat. ``gradio_api/file=`` serves only
the app's own static files (:data:`STATIC`); there is no upload route. ``HEAD`` is answered wherever ``GET`` is (as
the ``GET``, without its body), except on the event stream and the heartbeat.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from starlette.types import ASGIApp, Receive, Scope, Send

from . import errors

STATIC = Path(__file__).resolve().parent / "static"
READ = ("GET", "HEAD")
MOUNTS = ("", "/embed")

OURS = [  # (pattern, methods) of the FastAPI routes
    (r"/api/ask", ("POST",)),
    (r"/api/passages/.+", READ),
    (r"/sources/.+", READ),  # an article's readable page (ui.article; the name is checked there)
    (r"/healthz", READ),
    (r"/widget\.js", READ),
    (r"/embed", READ),
]
GRADIO = [  # (pattern under a mount, methods) that the chat page uses
    (r"/", READ),
    (r"/config/?", READ),
    (r"/theme\.css", READ),
    (r"/favicon\.ico", READ),
    (r"/assets/[^?#]+", READ),
    (r"/static/[^?#]+", READ),
    (r"/gradio_api/queue/join", ("POST",)),
    (r"/gradio_api/run/predict/?", ("POST",)),
    (r"/gradio_api/queue/data", ("GET",)),
    (r"/gradio_api/heartbeat/[A-Za-z0-9_-]{1,100}", ("GET",)),
    (r"/gradio_api/file=.+", READ),
]


HINTS = {"/api/ask": 'Use POST /api/ask with a JSON body {"question": "…", "history": []}.'}


def _compile() -> list[tuple[re.Pattern, tuple[str, ...]]]:
    table = [(p, m) for p, m in OURS]
    for mount in MOUNTS:
        table += [(re.escape(mount) + p, m) for p, m in GRADIO]
    return [(re.compile(p + r"\Z"), m) for p, m in table]


TABLE = _compile()


def allowed_methods(path: str) -> tuple[str, ...] | None:
    """The methods ``path`` answers, or None when nothing is there."""
    for pattern, methods in TABLE:
        if pattern.match(path):
            return methods
    if path.startswith("/api/"):
        return ()  # our API's namespace: a JSON 404 for unknown endpoints, whatever the method
    return None


def static_file(path: str) -> Path | None:
    """The file a ``…/gradio_api/file=PATH`` request names, if it is one of the app's static files."""
    name = unquote(path.split("/gradio_api/file=", 1)[1])
    try:
        target = Path(name).resolve()
    except (OSError, ValueError):
        return None
    return target if target.is_file() and target.is_relative_to(STATIC) else None


class Surface:
    """ASGI middleware enforcing :data:`TABLE` (see the module docstring)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self.app(scope, receive, send)
            return  # no websockets
        path, method = scope["path"], scope["method"]
        methods = allowed_methods(path)
        if not methods:
            await errors.reply(send, 404, "not_found", _not_found(path))
            return
        if method not in methods:  # (CORS preflights were answered before this, by the CORS middleware)
            allow = ", ".join(methods)
            hint = HINTS.get(path, f"{path} accepts {allow} only.")
            await errors.reply(send, 405, "method_not_allowed", hint, {"allow": allow})
            return
        if "/gradio_api/file=" in path and static_file(path) is None:
            await errors.reply(send, 404, "not_found", "No such file.")
            return
        if method == "HEAD":  # routed as the GET it asks about; the server sends no body for a HEAD request
            scope = dict(scope, method="GET")
        await self.app(scope, receive, send)


def _not_found(path: str) -> str:
    if path.startswith("/api/"):
        return "No such API endpoint. Try POST /api/ask or GET /api/passages/{id}."
    return "There is nothing at this address."

