"""What a client may send to ``POST /api/ask`` (and type into the chat), checked before the Assistant sees it.

The request body is a JSON object validated by the pydantic model :class:`AskRequest`::

    {"question": str, "history": [{"role": "user" | "assistant", "content": str}, ...]}

* ``question`` and ``history`` are checked by the one validator of every way in, :mod:`assistant.validation`
  (the same codes and messages in the API, the chat and the CLI): a string (no coercion: ``42`` or ``null`` is an
  error) with something visible left once control characters, lone surrogates and invisible characters are stripped
  (else ``empty_question``), at most ``ASSISTANT_MAX_QUESTION_CHARS``; ``history`` optional (missing or ``null`` = no
  history), only the last ``ASSISTANT_MAX_HISTORY`` turns kept, each turn's content cleaned the same way.
* **Unknown fields are ignored** (in the body and in history turns), so clients may send extra data such as ids or
  timestamps without breaking; the documented fields are still checked strictly.
* The body must be ``Content-Type: application/json`` (charset, if given, UTF-8), valid UTF-8, valid JSON, and at most
  ``ASSISTANT_MAX_BODY_BYTES`` bytes.

Every failure is an :class:`ApiError` / :class:`~index.errors.BadQuestion` with a 4xx status, a stable ``code`` and a
message that says what to fix. The chat shows the same messages as a bot reply.
"""
from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError
from starlette.requests import ClientDisconnect

from assistant import validation
from assistant.validation import EXAMPLE_QUESTION, TURN_SHAPE  # noqa: F401  (re-exported)
from index.errors import BadQuestion

EXAMPLE = json.dumps({"question": EXAMPLE_QUESTION, "history": []}, ensure_ascii=False)
# The chat (ui/chat.py) checks what is typed with these: the same validator as the API, the CLI and the Assistant.
check_question = validation.check_question
strip_unwanted = validation.clean_text


class ApiError(Exception):
    """A client error the API answers with ``{"error": {"code", "message"}}`` and ``status``."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: StrictStr


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: StrictStr
    history: list[Turn] | None = None


def _describe(err: dict) -> BadQuestion:
    """A pydantic error on the body → the shared message (assistant/validation.py) for that field."""
    loc, kind = tuple(err.get("loc", ())), err.get("type", "")
    if loc[:1] == ("question",):
        if kind == "missing":
            return BadQuestion('Add a "question" field with your question about the article, like ' + EXAMPLE + ".",
                               "missing_question")
        return validation.not_a_string()
    if loc[:1] == ("history",):
        if len(loc) == 1:
            return validation.bad_history()
        field = loc[2] if len(loc) > 2 else None
        return validation.bad_history(loc[1], field if field in ("role", "content") else None)
    return BadQuestion(f"The request body must look like {EXAMPLE}.", "invalid_body")


def parse_body(raw: bytes) -> AskRequest:
    """Bytes → :class:`AskRequest`, or an ApiError/BadQuestion saying what is wrong."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_encoding", "The request body must be UTF-8 encoded JSON.") from None
    try:
        body = json.loads(text)
    except RecursionError:
        raise ApiError(400, "invalid_json", "The JSON is nested too deeply; send " + EXAMPLE + ".") from None
    except ValueError as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ApiError(400, "invalid_json", f"The request body is not valid JSON{where}; send {EXAMPLE}.") from None
    if not isinstance(body, dict):
        raise BadQuestion(f"The request body must be a JSON object like {EXAMPLE}.", "invalid_body")
    try:
        return AskRequest.model_validate(body)
    except ValidationError as exc:
        raise _describe(exc.errors()[0]) from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "The JSON is nested too deeply; send " + EXAMPLE + ".") from None


def check_content_type(value: str | None) -> None:
    media, _, params = (value or "").partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        shown = f" (got {media!r})" if media else ""
        raise ApiError(415, "unsupported_media_type",
                       f'Send the body as JSON with the header "Content-Type: application/json"{shown}.')
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise ApiError(415, "unsupported_charset", "The JSON body must be UTF-8 (charset=utf-8).")


async def read_body(request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes (announced or actually sent) with 413."""
    too_big = ApiError(413, "body_too_large", f"The request body is larger than {limit} bytes; send a shorter "
                       "question and fewer history turns.")
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise too_big
        except ValueError:
            raise ApiError(400, "invalid_length", "The Content-Length header is not a number.") from None
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_big
            chunks.append(chunk)
    except ClientDisconnect:  # the client left (or was dropped as too slow): nobody reads the answer, nothing to log
        raise ApiError(400, "client_disconnected", "The request body was not received in full.") from None
    return b"".join(chunks)


async def parse_ask(request, settings) -> tuple[str, list[dict]]:
    """``(question, history)`` ready for :meth:`Assistant.ask`: cleaned, checked, history cut to the last N turns."""
    check_content_type(request.headers.get("content-type"))
    req = parse_body(await read_body(request, settings.server.max_body_bytes))
    return validation.check(req.question, [t.model_dump() for t in req.history or []], settings)
