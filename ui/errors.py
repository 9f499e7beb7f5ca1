"""The one error shape of every non-2xx response: ``{"error": {"code": str, "message": str}}``.

Our own routes build it directly (:func:`body`); :class:`ErrorShape` rewrites the errors of everything else the app
serves (Gradio's routes answer ``{"detail": …}``, Starlette's plain text) into it, and :mod:`ui.protocol` sends it for
the errors found before a request reaches the app (bad request line, headers too large, too slow).
"""
from __future__ import annotations

import json
import logging

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         408: "request_timeout", 409: "conflict", 411: "length_required", 413: "body_too_large",
         415: "unsupported_media_type", 422: "invalid_request", 429: "rate_limited",
         431: "headers_too_large", 500: "internal_error", 503: "unavailable"}
MESSAGES = {400: "The request is malformed.", 401: "Authentication is required.", 403: "This is not allowed.",
            404: "There is nothing at this address.", 405: "This address does not accept that method.",
            408: "The request was not sent in time.", 413: "The request body is too large.",
            422: "The request could not be processed.", 429: "Too many requests; wait a moment and try again.",
            431: "The request headers are too large.",
            500: "Something went wrong on the server; please try again later.",
            503: "The server is busy; please try again in a few seconds."}
MAX_REWRITTEN = 65536  # error bodies larger than this are not Gradio's or Starlette's short ones: passed unchanged


def code_for(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "http_error")


def body(status: int, code: str | None = None, message: str | None = None) -> bytes:
    message = message or MESSAGES.get(status) or f"HTTP {status}."
    return json.dumps({"error": {"code": code or code_for(status), "message": message}}).encode()


async def reply(send, status: int, code: str, message: str, headers: dict | None = None) -> None:
    """Send a whole error response from ASGI middleware."""
    payload = body(status, code, message)
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})


def _message_from(raw: bytes, status: int) -> str:
    """A short human message out of another framework's error body (``{"detail": …}`` or text)."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        text = data["detail"]
    elif isinstance(data, dict) and "error" in data and isinstance(data["error"], str):
        text = data["error"]
    elif data is not None:
        text = ""
    if not text or text.startswith("<") or len(text) > 300 or text in ("Not Found", "Method Not Allowed"):
        return MESSAGES.get(status) or f"HTTP {status}."
    return text


def is_shaped(raw: bytes) -> bool:
    try:
        data = json.loads(raw)
    except ValueError:
        return False
    return (isinstance(data, dict) and set(data) == {"error"} and isinstance(data["error"], dict)
            and {"code", "message"} <= set(data["error"]))


class ErrorShape:
    """ASGI middleware: every 4xx/5xx response leaves in the one shape (see the module docstring)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def shaped_send(message: Message) -> None:
            nonlocal start, size, passing
            if message["type"] == "http.response.start":
                if message["status"] < 400:
                    passing = True
                    await send(message)
                else:
                    start = message
                return
            if passing or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_REWRITTEN:  # not a short framework error: send it as it is
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": b"".join(chunks),
                            "more_body": message.get("more_body", False)})
                return
            if message.get("more_body"):
                return
            raw = b"".join(chunks)
            status = start["status"]
            out = raw if is_shaped(raw) else body(status, message=_message_from(raw, status))
            headers = MutableHeaders(scope=start)
            headers["content-type"] = "application/json"
            headers["content-length"] = str(len(out))
            await send(start)
            await send({"type": "http.response.body", "body": out})  # (the server drops it for HEAD)

        await self.app(scope, receive, shaped_send)
