"""Checks every chat event before Gradio sees it: ``POST …/gradio_api/queue/join`` and ``…/gradio_api/run/predict``.

Gradio answers an unknown ``fn_index`` with a 500 and a ``KeyError`` traceback, and logs a pydantic traceback for a
malformed chat payload. Here each event body is read (at most :func:`body_limit` bytes), parsed and checked against
the event it names: a known ``fn_index`` of that page, sent to the route matching how the event runs (queued or not),
``data`` with one value per input of the right kind (text, chat messages as Gradio's own ``Chatbot`` model accepts
them), and the ``event_data`` a like or a selection needs. A refused event is a JSON 4xx in the app's error shape,
costs the client one token of its rate budget (so floods of garbage are limited too) and one warning line in the log.
A well-formed event goes on to Gradio with only the fields the page sends.

A non-queued event that stops its chain on purpose (the chat's gate for a question that was not admitted raises
``gr.Error(visible=False)``, which Gradio answers with a 500) is answered 409 ``not_admitted`` instead: not a server
fault, and the page treats any non-200 the same way.
"""
from __future__ import annotations

import json
import logging
import re
import typing

import gradio as gr
from pydantic import ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Receive, Scope, Send

from . import errors, ratelimit

log = logging.getLogger("ui.events")
SESSION = re.compile(r"[A-Za-z0-9_-]{1,100}\Z")
ROUTES = {"/gradio_api/queue/join": True, "/gradio_api/run/predict": False, "/gradio_api/run/predict/": False}


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def body_limit(settings) -> int:
    """Largest event body: sixteen API bodies (a chat's messages travel with each event)."""
    return 16 * int(settings.server.max_body_bytes)


def _event_data_kind(fn) -> str | None:
    """'like' / 'select' when the function takes Gradio event data of that kind."""
    try:
        hints = typing.get_type_hints(fn)
    except Exception:  # noqa: BLE001 — no usable annotations: no event data
        return None
    for hint in hints.values():
        if isinstance(hint, type) and issubclass(hint, gr.LikeData):
            return "like"
        if isinstance(hint, type) and issubclass(hint, gr.SelectData):
            return "select"
    return None


def _check_value(block, value, where: str) -> None:
    if isinstance(block, (gr.State, gr.BrowserState)):
        return  # state comes from the server session (State) or the visitor's own storage (BrowserState)
    if isinstance(block, gr.Textbox):
        if value is not None and not isinstance(value, str):
            raise Refused(422, "invalid_event", f"{where} must be text.")
        return
    if isinstance(block, gr.Chatbot):
        if value is None:
            return
        if not isinstance(value, list):
            raise Refused(422, "invalid_event", f"{where} must be a list of chat messages.")
        try:
            block.data_model.model_validate(value)
        except (ValidationError, ValueError, TypeError) as exc:
            first = exc.errors()[0] if isinstance(exc, ValidationError) and exc.errors() else {}
            at = ".".join(str(x) for x in first.get("loc", ())[:3])
            raise Refused(422, "invalid_event", f"{where} is not a list of chat messages"
                          + (f" (at {at})" if at else "") + ".") from None
        return
    raise Refused(422, "invalid_event", f"{where} is not accepted.")  # a component the chat has no event for


def _check_event_data(kind: str | None, data) -> None:
    if kind is None:
        return
    if not isinstance(data, dict) or "index" not in data or "value" not in data:
        raise Refused(422, "invalid_event", 'event_data must be an object with "index" and "value".')
    index = data["index"]
    ints = isinstance(index, int) or (isinstance(index, list) and 0 < len(index) <= 2
                                      and all(isinstance(i, int) for i in index))
    if not ints or isinstance(index, bool):
        raise Refused(422, "invalid_event", "event_data.index must be a message number.")
    if kind == "like" and not isinstance(data.get("liked", True), (bool, str, type(None))):
        raise Refused(422, "invalid_event", "event_data.liked must be true, false or null.")


def check_event(blocks, queued_route: bool, body) -> dict:
    """The event body to pass on, or :class:`Refused`."""
    if not isinstance(body, dict):
        raise Refused(422, "invalid_event", "The event must be a JSON object.")
    fn_index = body.get("fn_index")
    if not isinstance(fn_index, int) or isinstance(fn_index, bool):
        raise Refused(422, "invalid_event", '"fn_index" must be a number.')
    fn = blocks.fns.get(fn_index)
    if fn is None or bool(fn.queue) != queued_route:
        raise Refused(404, "unknown_event", f"This page has no event {fn_index} on this route.")
    session = body.get("session_hash")
    if not isinstance(session, str) or not SESSION.match(session):
        raise Refused(422, "invalid_event", '"session_hash" must be a short string of letters, digits, - or _.')
    data = body.get("data")
    if not isinstance(data, list) or len(data) != len(fn.inputs):
        raise Refused(422, "invalid_event", f'"data" must be a list of {len(fn.inputs)} values for this event.')
    for i, (block, value) in enumerate(zip(fn.inputs, data)):
        _check_value(block, value, f"data[{i}]")
    kind = _event_data_kind(fn.fn)
    _check_event_data(kind, body.get("event_data"))
    trigger = body.get("trigger_id")
    if trigger is not None and (not isinstance(trigger, int) or isinstance(trigger, bool)):
        raise Refused(422, "invalid_event", '"trigger_id" must be a number or null.')
    return {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": body.get("event_data"),
            "trigger_id": trigger}


class GradioGate:
    """ASGI middleware; ``mounts``: path prefix → the Blocks mounted there."""

    def __init__(self, app: ASGIApp, mounts: dict, settings, limiter):
        self.app = app
        self.mounts = sorted(mounts.items(), key=lambda kv: -len(kv[0]))
        self.limit = body_limit(settings)
        self.limiter = limiter

    def _route(self, path: str):
        for prefix, blocks in self.mounts:
            rest = path[len(prefix):] if path.startswith(prefix) else None
            if rest in ROUTES:
                return blocks, ROUTES[rest]
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._route(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        blocks, queued = found
        request = Request(scope, receive)
        try:
            body = check_event(blocks, queued, await self._read(request))
        except Refused as exc:
            client = ratelimit.client_key(request)
            self.limiter.take(client)
            log.warning("refused a chat event from %s on %s: %s", client, scope["path"], exc.message)
            await errors.reply(send, exc.status, exc.code, exc.message)
            return
        except ClientDisconnect:
            log.info("a client left while sending a chat event")
            return
        raw = json.dumps(body).encode()
        scope = dict(scope, headers=[(k, v) for k, v in scope["headers"] if k != b"content-length"]
                     + [(b"content-length", str(len(raw)).encode())])
        sent = False

        async def replay() -> dict:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()  # (a disconnect, while the response streams)

        await self.app(scope, replay, send if queued else _quiet_stops(send))

    async def _read(self, request: Request):
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            raise Refused(415, "unsupported_media_type", 'Send the event as JSON ("Content-Type: application/json").')
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.limit:
                raise Refused(413, "body_too_large", f"The event is larger than {self.limit} bytes.")
            chunks.append(chunk)
        try:
            return json.loads(b"".join(chunks))
        except (ValueError, RecursionError):
            raise Refused(400, "invalid_json", "The event is not valid JSON.") from None



def _quiet_stops(send: Send) -> Send:
    """``send`` turning Gradio's 500 for a ``gr.Error(visible=False)`` into 409 ``not_admitted``."""
    held: list = []

    async def wrapped(message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 500:
            held.append(message)
            return
        if not held:
            await send(message)
            return
        held.append(message)
        if message.get("more_body"):
            return
        raw = b"".join(m.get("body", b"") for m in held[1:])
        try:
            quiet = json.loads(raw).get("visible") is False
        except (ValueError, AttributeError):
            quiet = False
        if not quiet:
            for m in held:
                await send(m)
            return
        await errors.reply(send, 409, "not_admitted", "The question was not admitted; the chat says why.")
    return wrapped
