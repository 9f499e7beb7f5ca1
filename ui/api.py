"""JSON API beside the chat: ``POST /api/ask``, ``GET /api/passages/{id}``, ``GET /healthz``.

Errors are always ``{"error": {"code": str, "message": str}}`` with a 4xx status (5xx only for server faults).
Request parsing lives in :func:`parse_ask` so stricter validation can replace it without touching the routes.
"""
from __future__ import annotations

import json
import logging

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import AssistantError, BadQuestion

from .feedback import FeedbackStore

log = logging.getLogger(__name__)


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


async def parse_ask(request: Request) -> tuple[object, object]:
    """``(question, history)`` from the request body; the Assistant validates their content."""
    raw = await request.body()
    try:
        body = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "The request body must be UTF-8 encoded JSON.") from None
    except ValueError:
        raise ApiError(400, "invalid_json", 'The request body must be JSON like {"question": "…", "history": []}.') from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_body", 'The request body must be a JSON object like {"question": "…"}.')
    if "question" not in body:
        raise ApiError(422, "missing_question", 'Add a "question" field with your question about the article.')
    history = body.get("history") or []
    if not isinstance(history, list):
        raise BadQuestion('"history" must be a list of {"role": "user"|"assistant", "content": str}.', "invalid_history")
    return body["question"], history


def install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error(exc.status, exc.code, exc.message)

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
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))


def router(assistant, feedback: FeedbackStore) -> APIRouter:
    r = APIRouter()

    @r.post("/api/ask")
    async def ask(request: Request):
        question, history = await parse_ask(request)
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

    @r.get("/healthz")
    async def healthz():
        info = assistant.info()
        keep = ("passages", "sources", "collection", "version", "chroma", "chroma_mode", "model", "llm")
        return {"status": "ok", **{k: info.get(k) for k in keep},
                "feedback": await run_in_threadpool(feedback.counts)}

    @r.api_route("/api/ask", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def ask_wrong_method(request: Request):
        return error(405, "method_not_allowed", 'Use POST /api/ask with a JSON body {"question": "…", "history": []}.',
                     {"Allow": "POST"})

    @r.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    async def api_not_found(rest: str):
        # Without this, unknown /api/ paths would fall through to the chat mounted at "/".
        return error(404, "not_found", f"No API endpoint /api/{rest}. Try POST /api/ask or GET /api/passages/{{id}}.")

    return r
