"""The answer models travel with the index: `assistant ingest` stores them, every server reading the index loads
them; an index whose stored models no longer fit the code falls back to the packaged ones."""
from __future__ import annotations

import dataclasses
import json
import shutil

from assistant.answering.learned import DEFAULT_MODEL, Models
from tests.conftest import SOURCES, make_settings


def _copy_of(index_settings, tmp_path, **overrides):
    """A private copy of the session index (nothing re-embedded by the ingests that follow: the sources are the same)."""
    shutil.copytree(index_settings.index.data_dir, tmp_path / "data",
                    ignore=shutil.ignore_patterns("feedback.sqlite3*", "ingest.lock", "leases"))
    return make_settings(tmp_path / "data", sources=(SOURCES / "article.md",), **overrides)


def _index_with(index_settings, tmp_path, text: str):
    from index.ingest import ingest

    s = _copy_of(index_settings, tmp_path, cache_size=0)
    report = ingest(s, attachments={"answer_model": text})
    assert report.embedded == 0 and report.version == 2  # a new generation carrying the models, nothing re-embedded
    return s


def test_models_stored_with_the_index_are_the_ones_used(index_settings, tmp_path, assistant):
    from assistant import Assistant

    packaged = Models.load(DEFAULT_MODEL)
    stored = dataclasses.replace(packaged, threshold=0.999)  # refuses nearly everything
    s = _index_with(index_settings, tmp_path, stored.to_json())
    a = Assistant.load(s)
    assert a.models.threshold == 0.999 and a.snapshot.attachments["answer_model"]
    assert a.ask("Will Ukraine join NATO?").refused
    assert Assistant.load(s.with_(refusal_threshold=0.0)).models.threshold == 0.0  # the setting still overrides


def test_stored_models_that_do_not_fit_fall_back_to_the_packaged_ones(index_settings, tmp_path, caplog):
    from assistant import Assistant

    broken = json.loads(Models.load(DEFAULT_MODEL).to_json())
    broken["selection"]["features"] = broken["selection"]["features"][:-1]
    s = _index_with(index_settings, tmp_path, json.dumps(broken))
    a = Assistant.load(s)
    assert a.models.threshold == Models.load(DEFAULT_MODEL).threshold
    assert "do not fit" in caplog.text


def test_cli_ingest_stores_the_configured_model_file(index_settings, tmp_path):
    """`assistant ingest` (the click command, in this process) stores ASSISTANT_ANSWER_MODEL's file with the index."""
    from index.reader import load_snapshot
    from tests.conftest import cli_in_process, env_for

    model = tmp_path / "m.json"
    model.write_text(dataclasses.replace(Models.load(DEFAULT_MODEL), threshold=0.42).to_json())
    s = _copy_of(index_settings, tmp_path)
    assert "answer_model" not in load_snapshot(s).attachments  # the session index was made without one
    out = cli_in_process(["ingest"], env_for(s, ASSISTANT_ANSWER_MODEL=str(model)))
    assert out.returncode == 0, out.stderr
    snap = load_snapshot(s)
    assert json.loads(snap.attachments["answer_model"])["threshold"] == 0.42
