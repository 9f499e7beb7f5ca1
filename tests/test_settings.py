"""index.settings: the one reader of ASSISTANT_* variables, and the README table generated from it."""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from index.errors import ConfigError
from index.settings import FIELDS, INGEST_STAGES, Settings, markdown_table

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_without_environment():
    s = Settings.from_env(environ={})
    assert s.data_dir == ROOT / "data"
    assert s.sources == (ROOT / "sources",)
    assert s.chroma_url == "" and s.chroma_location == str(ROOT / "data" / "chroma")
    assert s.top_k == 4 and s.ingest_pause == ""
    assert s.ingest_pause_spec() is None


def test_every_field_has_a_unique_documented_env_var():
    envs = [f.metadata.get("env") for f in fields(Settings)]
    assert all(e and e.startswith("ASSISTANT_") for e in envs)
    assert len(envs) == len(set(envs))
    assert all(f.metadata.get("doc") for f in fields(Settings))
    assert [e for e, *_ in FIELDS] == envs


def test_values_are_converted_by_type(tmp_path):
    s = Settings.from_env(environ={
        "ASSISTANT_DATA_DIR": str(tmp_path), "ASSISTANT_SOURCES": f"{tmp_path}/a:{tmp_path}/b.md",
        "ASSISTANT_TOP_K": "7", "ASSISTANT_CHROMA_TIMEOUT": "1.5", "ASSISTANT_BROWSER_HISTORY": "yes",
        "ASSISTANT_REFUSAL_THRESHOLD": "0.25", "ASSISTANT_EMBED_ORIGINS": "https://a.example, https://b.example",
        "ASSISTANT_STARTERS": "One?|Two, three?", "ASSISTANT_CHROMA_URL": " http://127.0.0.1:8000 ",
    })
    assert s.data_dir == tmp_path and s.chroma_path == tmp_path / "chroma"
    assert s.sources == (tmp_path / "a", tmp_path / "b.md")
    assert s.top_k == 7 and s.chroma_timeout == 1.5 and s.keep_history_in_browser is True
    assert s.refusal_threshold == 0.25
    assert s.embed_origins == ("https://a.example", "https://b.example")
    assert s.starters == ("One?", "Two, three?")
    assert s.chroma_url == "http://127.0.0.1:8000" and s.chroma_location == "http://127.0.0.1:8000"


def test_empty_value_means_default():
    assert Settings.from_env(environ={"ASSISTANT_TOP_K": ""}).top_k == 4


@pytest.mark.parametrize("env,value", [("ASSISTANT_TOP_K", "four"), ("ASSISTANT_CHROMA_TIMEOUT", "soon"),
                                       ("ASSISTANT_BROWSER_HISTORY", "maybe")])
def test_bad_value_names_the_variable(env, value):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(environ={env: value})
    assert env in str(err.value) and value in str(err.value)


def test_overrides_win_over_environment(tmp_path):
    s = Settings.from_env(environ={"ASSISTANT_TOP_K": "9"}, top_k=2, data_dir=tmp_path)
    assert s.top_k == 2 and s.data_dir == tmp_path


@pytest.mark.parametrize("stage", INGEST_STAGES)
def test_ingest_pause_spec(stage):
    s = Settings.from_env(environ={"ASSISTANT_INGEST_PAUSE": f"{stage}:2.5"})
    assert s.ingest_pause_spec() == (stage, 2.5)


@pytest.mark.parametrize("raw", ["copied", "copied:x", "nowhere:3", "embedded:-1", ":3"])
def test_ingest_pause_spec_rejects_bad_values(raw):
    s = Settings.from_env(environ={"ASSISTANT_INGEST_PAUSE": raw})
    with pytest.raises(ConfigError) as err:
        s.ingest_pause_spec()
    assert "ASSISTANT_INGEST_PAUSE" in str(err.value)


def test_readme_configuration_table_is_generated_from_fields():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README's configuration table is stale: run `.venv/bin/python -m index.settings --readme`"
    for env, *_ in FIELDS:
        assert f"`{env}`" in readme
