"""index.settings: the one reader of ASSISTANT_* variables (pydantic-settings, five groups), validated at start
with one error naming every bad variable, and the README table generated from it."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import ConfigError
from index.settings import FIELDS, GROUPS, INGEST_STAGES, Settings, markdown_table

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_without_environment():
    s = Settings.from_env(environ={})
    assert s.index.data_dir == ROOT / "data"
    assert s.index.sources == (ROOT / "sources",)
    assert s.index.chroma_url == "" and s.index.chroma_location == str(ROOT / "data" / "chroma")
    assert s.retrieval.top_k == 4 and s.index.ingest_pause == ""
    assert s.index.ingest_pause_spec() is None


def test_every_field_has_a_unique_documented_env_var():
    infos = [(g, name, info) for g, cls in GROUPS.items() for name, info in cls.model_fields.items()]
    envs = [info.validation_alias for *_, info in infos]
    assert all(e and e.startswith("ASSISTANT_") for e in envs)
    assert len(envs) == len(set(envs))
    assert len({name for _, name, _ in infos}) == len(infos), "field names are unique across groups (with_ uses them)"
    assert all(info.description for *_, info in infos)
    assert [e for e, *_ in FIELDS] == envs
    assert set(GROUPS) == {"index", "retrieval", "answer", "llm", "server"}


def test_values_are_converted_by_type(tmp_path):
    s = Settings.from_env(environ={
        "ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_SOURCES": f"{tmp_path}/a:{tmp_path}/b.md",
        "ASSISTANT_TOP_K": "7", "ASSISTANT_CHROMA_TIMEOUT": "1.5", "ASSISTANT_BROWSER_HISTORY": "yes",
        "ASSISTANT_REFUSAL_THRESHOLD": "0.25", "ASSISTANT_EMBED_ORIGINS": "https://a.example, https://b.example",
        "ASSISTANT_STARTERS": "One?|Two, three?", "ASSISTANT_CHROMA_URL": " http://127.0.0.1:8000 ",
    })
    assert s.index.data_dir == tmp_path and s.index.chroma_path == tmp_path / "chroma"
    assert s.index.sources == (tmp_path / "a", tmp_path / "b.md")
    assert s.retrieval.top_k == 7 and s.index.chroma_timeout == 1.5 and s.server.keep_history_in_browser is True
    assert s.answer.refusal_threshold == 0.25
    assert s.server.embed_origins == ("https://a.example", "https://b.example")
    assert s.server.starters == ("One?", "Two, three?")
    assert s.index.chroma_url == "http://127.0.0.1:8000" and s.index.chroma_location == "http://127.0.0.1:8000"


def test_empty_value_means_default():
    assert Settings.from_env(environ={"ASSISTANT_TOP_K": ""}).retrieval.top_k == 4


@pytest.mark.parametrize("env,value,says", [
    ("ASSISTANT_TOP_K", "four", "integer"), ("ASSISTANT_CHROMA_TIMEOUT", "soon", "number"),
    ("ASSISTANT_BROWSER_HISTORY", "maybe", "boolean"), ("ASSISTANT_THEME", "blue", "'light' or 'dark'"),
    ("ASSISTANT_DENSE_SEARCH", "faiss", "'memory' or 'chroma'"), ("ASSISTANT_TOP_K", "0", "greater than or equal to 1"),
    ("ASSISTANT_REFUSAL_THRESHOLD", "1.5", "less than or equal to 1"), ("ASSISTANT_PORT", "70000", "65535"),
    ("ASSISTANT_LLM", "gpt4", "should match"), ("ASSISTANT_COLLECTION", "a b", "should match"),
    ("ASSISTANT_INGEST_PAUSE", "nowhere:3", "STAGE:SECONDS")])
def test_bad_value_names_the_variable(env, value, says):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(environ={env: value})
    assert env in str(err.value) and repr(value) in str(err.value) and says in str(err.value)
    assert "fix or unset it" in str(err.value)


def test_every_bad_variable_is_reported_at_once():
    with pytest.raises(ConfigError) as err:
        Settings.from_env(environ={"ASSISTANT_TOP_K": "four", "ASSISTANT_THEME": "blue", "ASSISTANT_PORT": "-1"})
    lines = str(err.value).splitlines()
    assert lines[0] == "Invalid settings:" and len(lines) == 4
    assert {"ASSISTANT_TOP_K", "ASSISTANT_THEME", "ASSISTANT_PORT"} == {l.split()[1].split("=")[0] for l in lines[1:]}


def test_with_validates_and_keeps_the_other_groups(tmp_path):
    s = Settings.from_env(environ={"ASSISTANT_THEME": "dark"})
    t = s.with_(top_k=3, data_dir=tmp_path)
    assert t.retrieval.top_k == 3 and t.index.data_dir == tmp_path and t.server.theme == "dark"
    assert s.retrieval.top_k == 4, "settings are immutable: with_ makes a copy"
    with pytest.raises(ConfigError, match="ASSISTANT_TOP_K"):
        s.with_(top_k=-2)
    with pytest.raises(TypeError, match="no_such"):
        s.with_(no_such=1)


def test_overrides_win_over_environment(tmp_path):
    s = Settings.from_env(environ={"ASSISTANT_TOP_K": "9"}, top_k=2, data_dir=tmp_path)
    assert s.retrieval.top_k == 2 and s.index.data_dir == tmp_path


@pytest.mark.parametrize("stage", INGEST_STAGES)
def test_ingest_pause_spec(stage):
    s = Settings.from_env(environ={"ASSISTANT_INGEST_PAUSE": f"{stage}:2.5"})
    assert s.index.ingest_pause_spec() == (stage, 2.5)


@pytest.mark.parametrize("raw", ["copied", "copied:x", "nowhere:3", "embedded:-1", ":3"])
def test_ingest_pause_spec_rejects_bad_values_at_start(raw):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(environ={"ASSISTANT_INGEST_PAUSE": raw})
    assert "ASSISTANT_INGEST_PAUSE" in str(err.value)


def test_readme_configuration_table_is_generated_from_fields():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README's configuration table is stale: run `.venv/bin/python -m index.settings --readme`"
    for env, *_ in FIELDS:
        assert f"`{env}`" in readme


@pytest.mark.parametrize("command", [["ask", "Will it work?"], ["serve"], ["ingest"]])
def test_commands_stop_at_start_with_one_clear_message(command, tmp_path):
    from conftest import cli_in_process

    r = cli_in_process(command, {"ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_THEME": "blue",
                                 "ASSISTANT_TOP_K": "many"})
    assert r.returncode == 2
    assert "ASSISTANT_THEME='blue'" in r.stderr and "ASSISTANT_TOP_K='many'" in r.stderr
    assert "Traceback" not in r.stderr + r.stdout and not (tmp_path / "chroma").exists()
