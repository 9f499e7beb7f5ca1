"""JSON API beside the chat: ``POST /api/ask``, ``GET /api/passages/{id}``, ``GET /healthz`` (:mod:`ui.health`);
and ``GET /sources/{name}``, an article as a readable page with an anchor per passage (:mod:`ui.article`).

Errors are always ``{"error": {"code": str, "message": str}}`` (:mod:`ui.errors`) with a 4xx status; a 5xx only for
genuine server faults (a catch-all handler logs them and answers JSON). What a client may send is checked in
:mod:`ui.validation` (pydantic); ``/api/ask`` is rate limited per client (:mod:`ui.ratelimit`, 429 with
``Retry-After``). Unknown paths and wrong methods are answered before these routes (:mod:`ui.surface`).
"""
from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import AssistantError

from . import article, errors, health, ratelimit
from .feedback import FeedbackStore
from .ratelimit import RateLimiter
from .security import headers_for
from .validation import ApiError, parse_ask

__all__ = ["ApiError", "error", "install_errors", "parse_ask", "router"]

log = logging.getLogger(__name__)


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _limited(request: Request, limiter: RateLimiter) -> None:
    wait = limiter.take(ratelimit.client_key(request))
    if wait > 0:
        raise ApiError(429, "rate_limited", ratelimit.message(wait), {"Retry-After": str(ratelimit.retry_after(wait))})


def install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(AssistantError)
    async def _assistant_error(request: Request, exc: AssistantError):
        if exc.http_status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        return error(exc.http_status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return error(422, "invalid_request", "; ".join(str(e.get("msg", e)) for e in exc.errors()) or "Invalid request.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = errors.code_for(exc.status_code)
        return error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _server_fault(request: Request, exc: Exception):
        # Only genuine server faults get here (client mistakes are ApiError/BadQuestion above). Starlette runs this
        # handler outside the other middleware, so the security headers are added here too.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        settings = getattr(request.app.state, "settings", None)
        origins = tuple(settings.server.embed_origins) if settings is not None else ()
        return error(500, "internal_error", "Something went wrong on the server; please try again later.",
                     headers_for(request.url.path, origins))


def router(assistant, feedback: FeedbackStore, limiter: RateLimiter | None = None) -> APIRouter:
    """The JSON routes. ``limiter``: the per-client token buckets (default: the process's, shared with the chat)."""
    r = APIRouter()
    settings = assistant.settings
    limiter = ratelimit.shared(settings) if limiter is None else limiter  # (an empty limiter is falsy)

    @r.post("/api/ask")
    async def ask(request: Request):
        _limited(request, limiter)  # before reading the body: floods of garbage are limited too
        question, history = await parse_ask(request, settings)
        answer = await run_in_threadpool(assistant.ask, question, history)
        return JSONResponse(answer.to_dict())

    @r.get("/api/passages/{pid:path}")
    async def passage(pid: str):
        p = assistant.passage(pid)
        if p is None:
            raise ApiError(404, "passage_not_found", f"No passage {pid!r} in the index.")
        return {"id": p.id, "source": p.source, "title": p.title, "section": p.section, "kind": p.kind,
                "start": p.start, "end": p.end, "text": p.text, "question": p.question,
                "sentences": [{"text": s.text, "start": s.start, "end": s.end} for s in p.sentences]}

    @r.get("/sources/{name:path}")
    async def source_page(name: str, request: Request):
        checked = article.check_name(name)
        passages = assistant.article(checked) if checked else []
        if not passages:
            raise ApiError(404, "source_not_found", "No such article; its address is linked from the sources of an answer.")
        theme = "dark" if request.query_params.get("__theme") == "dark" else "light"
        return HTMLResponse(article.page(passages, theme), headers={"Content-Security-Policy": article.CSP,
                                                                    "Cache-Control": "no-cache"})

    @r.get("/healthz")
    async def healthz(request: Request):
        return await health.report(request, assistant, feedback, settings)

    return r
