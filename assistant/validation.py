"""What a question and its history must be: the one validator, and the one set of messages, of every way in.

``Assistant.ask``/``analyse``/``retrieve``, the CLI (``assistant ask --history``), the HTTP API and the web chat
(``ui/validation.py`` adds only the HTTP body's concerns: JSON, body shape, sizes) all call :func:`check_question`
and :func:`check_history`. A failure is a :class:`~index.errors.BadQuestion` with a stable code:

* ``invalid_question``: the question is not a string;
* ``empty_question``: nothing visible is left once control characters, lone surrogates and invisible characters
  (zero-width space, byte-order mark, direction marks, …) are stripped and white space collapsed;
* ``question_too_long``: more than ``settings.answer.max_question_chars`` characters (after cleaning);
* ``invalid_history``: the history is not a list of ``{"role": "user"|"assistant", "content": str}`` objects.

History turns are cleaned the same way; an over-long turn is cut (to four questions' length), not refused, and only
the last ``settings.answer.max_history_turns`` turns are kept (more is not an error). Messages say what to fix and name no
article: the sources are the educators' to choose.
"""
from __future__ import annotations

import re
import unicodedata

from index.errors import BadQuestion

from .answering.text import clean

EXAMPLE_QUESTION = "What does the article say about …?"
TURN_SHAPE = '{"role": "user"|"assistant", "content": "…"}'
ROLES = ("user", "assistant")
# C0/C1 control characters, DEL and lone UTF-16 surrogates (JSON "\ud800" decodes to one): never useful in a question.
_UNWANTED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Invisible characters that only hide or reorder text: zero-width space, word joiner, byte-order mark, soft hyphen,
# Mongolian vowel separator, direction marks and embeddings. (Zero-width (non-)joiners stay: some scripts need them.)
_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def clean_text(text: str) -> str:
    """Control characters, lone surrogates and invisible characters out, then NFC and white space collapsed."""
    return clean(_INVISIBLE.sub("", _UNWANTED.sub(" ", text)))


# -- the messages ----------------------------------------------------------------------------------------------------
def not_a_string() -> BadQuestion:
    return BadQuestion(f'The question must be a string, like "{EXAMPLE_QUESTION}".', "invalid_question")


def empty() -> BadQuestion:
    return BadQuestion("The question is empty; type a question about the article.", "empty_question")


def too_long(length: int, limit: int) -> BadQuestion:
    return BadQuestion(f"The question is {length} characters long; keep it under {limit} characters.",
                       "question_too_long")


def bad_history(index: int | None = None, field: str | None = None) -> BadQuestion:
    """The history (``index`` None), one of its turns, or one field of a turn (``role``/``content``) is wrong."""
    if index is None:
        message = f'"history" must be a list of {TURN_SHAPE} objects (or left out).'
    elif field == "role":
        message = f'history[{index}].role must be "user" or "assistant".'
    elif field == "content":
        message = f"history[{index}].content must be a string."
    else:
        message = f"history[{index}] must be an object {TURN_SHAPE}."
    return BadQuestion(message, "invalid_history")


# -- the checks ------------------------------------------------------------------------------------------------------
def check_question(question, settings) -> str:
    """The cleaned question, or :class:`BadQuestion`."""
    if not isinstance(question, str):
        raise not_a_string()
    q = clean_text(question)
    if not q or all(unicodedata.category(c) in ("Cf", "Zs") for c in q):  # nothing visible left
        raise empty()
    if len(q) > settings.answer.max_question_chars:
        raise too_long(len(q), settings.answer.max_question_chars)
    return q


def check_history(history, settings) -> list[dict]:
    """The last ``max_history_turns`` turns as ``{"role", "content"}`` (contents cleaned and cut), or
    :class:`BadQuestion`. ``None`` is no history; unknown keys of a turn are dropped."""
    if history is None:
        return []
    if not isinstance(history, (list, tuple)):
        raise bad_history()
    limit = settings.answer.max_question_chars * 4
    out = []
    for i, turn in enumerate(history):
        if not isinstance(turn, dict):
            raise bad_history(i)
        if turn.get("role") not in ROLES:
            raise bad_history(i, "role")
        if not isinstance(turn.get("content"), str):
            raise bad_history(i, "content")
        out.append({"role": turn["role"], "content": clean_text(turn["content"])[:limit]})
    n = settings.answer.max_history_turns
    return out[-n:] if n > 0 else []


def check(question, history, settings) -> tuple[str, list[dict]]:
    """``(question, history)`` cleaned and checked: :func:`check_question` and :func:`check_history`."""
    return check_question(question, settings), check_history(history, settings)
