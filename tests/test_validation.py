"""The one validator of every way in (assistant/validation.py), in process: its codes and messages, and that the
HTTP layer, the chat and the CLI use it (not copies)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from assistant import validation
from assistant.cli import main
from index.errors import BadQuestion
from index.settings import Settings

SETTINGS = Settings.from_env(environ={}, max_question_chars=50, max_history_turns=2)


@pytest.mark.parametrize("question, code", [
    (42, "invalid_question"), (None, "invalid_question"), (["q"], "invalid_question"),
    ("", "empty_question"), ("  \t\n ", "empty_question"), ("\x00\x7f\x9f", "empty_question"),
    ("\u200b\u200b\ufeff", "empty_question"), (" \u2060\u200e\u202e\u00ad ", "empty_question"),
    ("x" * 51, "question_too_long"),
])
def test_bad_questions(question, code):
    with pytest.raises(BadQuestion) as e:
        validation.check_question(question, SETTINGS)
    assert e.value.code == code and e.value.message


def test_questions_are_cleaned():
    assert validation.check_question("  What\x00 does\u200b it   say? ", SETTINGS) == "What does it say?"
    assert validation.check_question("x" * 50, SETTINGS) == "x" * 50


@pytest.mark.parametrize("history, where", [
    ("nope", '"history"'), ({"role": "user", "content": "x"}, '"history"'), ([1], "history[0]"),
    ([{"role": "system", "content": "x"}], "history[0].role"), ([{"role": "user"}], "history[0].content"),
    ([{"role": "user", "content": "ok"}, {"role": "user", "content": 5}], "history[1].content"),
])
def test_bad_histories(history, where):
    with pytest.raises(BadQuestion) as e:
        validation.check_history(history, SETTINGS)
    assert e.value.code == "invalid_history" and where in e.value.message


def test_history_kept_cleaned_and_cut():
    turns = [{"role": "user", "content": f"turn {i}\x00", "ts": i} for i in range(5)]
    assert validation.check_history(turns, SETTINGS) == [{"role": "user", "content": "turn 3"},
                                                         {"role": "user", "content": "turn 4"}]
    assert validation.check_history(None, SETTINGS) == []
    assert validation.check_history([{"role": "assistant", "content": "y" * 500}], SETTINGS)[0]["content"] == "y" * 200


def test_http_and_chat_use_the_shared_validator():
    from ui import validation as http

    assert http.check_question is validation.check_question and http.strip_unwanted is validation.clean_text
    err = http._describe({"loc": ("history", 0, "role"), "type": "literal_error"})
    assert err.code == "invalid_history" and err.message == validation.bad_history(0, "role").message
    err = http._describe({"loc": ("question",), "type": "string_type"})
    assert err.code == "invalid_question" and err.message == validation.not_a_string().message


def test_messages_name_no_article():
    """The example question is neutral: the sources are the educators' to choose."""
    from pathlib import Path

    from ui import validation as http

    sources = Path(__file__).resolve().parents[1] / "sources"
    titles = [line.partition(":")[2].strip().strip("\"'") for p in sources.glob("*.md")
              for line in p.read_text(encoding="utf-8").splitlines()[:10] if line.startswith("title:")]
    for text in (validation.EXAMPLE_QUESTION, http.EXAMPLE, validation.empty().message):
        assert "NATO" not in text and not any(t and t in text for t in titles)


def test_cli_history_is_checked_before_the_model_loads():
    r = CliRunner().invoke(main, ["ask", "What does it say?", "--history", '[{"role": "wizard", "content": "x"}]'])
    assert r.exit_code != 0 and 'history[0].role must be "user" or "assistant"' in r.output
    r = CliRunner().invoke(main, ["ask", "\u200b", "--history", "[]"])
    assert r.exit_code != 0 and "The question is empty" in r.output
