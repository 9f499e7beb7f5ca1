"""The optional generator against a fake OpenAI-compatible server on loopback: supported sentences
are kept with their citations, invented ones dropped, and anything else falls back to extractive."""
from __future__ import annotations

import logging

import pytest

from assistant import Assistant
from assistant.answering.generate import parse_spec
from index.errors import ConfigError
from tests.conftest import free_port
from tests.fake_llm import FakeLLM, passage_number

SUPPORTED = "Sir Keir Starmer's initiative formed the Coalition of the Willing to unify nations providing security support to Ukraine"
INVENTED = "The coalition was founded in 1999 in Paris and commands its own nuclear submarine fleet"


def _one_true_one_false(prompt: str) -> str:
    n = passage_number(prompt, "Keir Starmer")
    return f"{SUPPORTED} [{n}]. {INVENTED} [{n}]."


@pytest.fixture
def with_llm(index_settings):
    def make(reply):
        fake = FakeLLM(reply).__enter__()
        a = Assistant.load(index_settings.with_(backend=fake.spec, cache_size=0, timeout=5.0))
        return fake, a
    made = []

    def factory(reply):
        fake, a = make(reply)
        made.append(fake)
        return fake, a
    yield factory
    for fake in made:
        fake.__exit__(None, None, None)


def test_supported_sentence_kept_and_invented_dropped(with_llm):
    fake, a = with_llm(_one_true_one_false)
    ans = a.ask("Who started the Coalition of the Willing?")
    assert fake.prompts, "the LLM was not called"
    assert not ans.refused
    assert SUPPORTED in ans.answer
    assert "1999" not in ans.answer and "Paris" not in ans.answer
    assert ans.answer.endswith("[1]")
    assert len(ans.citations) == 1 and "Keir Starmer" in ans.citations[0].text
    assert "generate" in ans.timings_ms


def test_only_invented_falls_back_to_extractive(with_llm, assistant):
    fake, a = with_llm(lambda prompt: f"{INVENTED} [1].")
    ans = a.ask("Who started the Coalition of the Willing?")
    extractive = assistant.ask("Who started the Coalition of the Willing?")
    assert fake.prompts
    assert ans.answer == extractive.answer
    assert "Starmer" in ans.answer


def test_uncited_sentence_is_dropped(with_llm):
    fake, a = with_llm(lambda prompt: f"{SUPPORTED}. {SUPPORTED} [{passage_number(prompt, 'Keir Starmer')}].")
    ans = a.ask("Who started the Coalition of the Willing?")
    assert ans.answer.count(SUPPORTED) == 1


def test_prompt_holds_question_and_numbered_passages(with_llm):
    fake, a = with_llm(_one_true_one_false)
    a.ask("Who started the Coalition of the Willing?")
    prompt = fake.prompts[-1]
    assert "Question: Who started the Coalition of the Willing?" in prompt
    assert "[1] (" in prompt and "Keir Starmer" in prompt


def test_refusals_do_not_call_the_llm(with_llm):
    fake, a = with_llm(_one_true_one_false)
    ans = a.ask("Give me a recipe for borscht.")
    assert ans.refused and not fake.prompts


def test_unreachable_llm_falls_back_with_warning(index_settings, assistant, caplog):
    port = free_port()  # nothing listens here
    a = Assistant.load(index_settings.with_(backend=f"openai:http://127.0.0.1:{port}/v1:none", cache_size=0, timeout=2.0))
    with caplog.at_level(logging.WARNING, logger="assistant.answering.generate"):
        ans = a.ask("Will Ukraine join NATO?")
    assert ans.answer == assistant.ask("Will Ukraine join NATO?").answer
    assert any("LLM unavailable" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("spec,expected", [
    ("openai:http://127.0.0.1:8000/v1:my-model", ("openai", "http://127.0.0.1:8000/v1", "my-model")),
    ("ollama:llama3", ("ollama", "", "llama3")),
])
def test_parse_spec(spec, expected):
    assert parse_spec(spec) == expected


@pytest.mark.parametrize("spec", ["gpt-4", "openai:no-url", "ollama:", "openai:ftp://x:1/v1:m"])
def test_bad_spec_is_a_clear_error(spec):
    with pytest.raises(ConfigError, match="ASSISTANT_LLM"):
        parse_spec(spec)
