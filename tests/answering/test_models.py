"""The answer models travel with the index: `assistant ingest` stores them, every server reading the index loads
them; an index whose stored models no longer fit the code falls back to the packaged ones."""
from __future__ import annotations

import dataclasses
import json

from assistant.answering.learned import DEFAULT_MODEL, Models
from tests.conftest import SOURCES, make_settings


def _index_with(tmp_path, text: str):
    from index.ingest import ingest

    s = make_settings(tmp_path, sources=(SOURCES / "article.md",), cache_size=0)
    ingest(s, attachments={"answer_model": text})
    return s


def test_models_stored_with_the_index_are_the_ones_used(tmp_path, assistant):
    from assistant import Assistant

    packaged = Models.load(DEFAULT_MODEL)
    stored = dataclasses.replace(packaged, threshold=0.999)  # refuses nearly everything
    s = _index_with(tmp_path, stored.to_json())
    a = Assistant.load(s)
    assert a.models.threshold == 0.999 and a.snapshot.attachments["answer_model"]
    assert a.ask("Will Ukraine join NATO?").refused
    assert Assistant.load(s.with_(refusal_threshold=0.0)).models.threshold == 0.0  # the setting still overrides


def test_stored_models_that_do_not_fit_fall_back_to_the_packaged_ones(tmp_path, caplog):
    from assistant import Assistant

    broken = json.loads(Models.load(DEFAULT_MODEL).to_json())
    broken["selection"]["features"] = broken["selection"]["features"][:-1]
    s = _index_with(tmp_path, json.dumps(broken))
    a = Assistant.load(s)
    assert a.models.threshold == Models.load(DEFAULT_MODEL).threshold
    assert "do not fit" in caplog.text


def test_cli_ingest_stores_the_configured_model_file(tmp_path):
    import subprocess
    import sys

    from tests.conftest import env_for

    model = tmp_path / "m.json"
    model.write_text(dataclasses.replace(Models.load(DEFAULT_MODEL), threshold=0.42).to_json())
    s = make_settings(tmp_path / "data", sources=(SOURCES / "article.md",))
    env = env_for(s, ASSISTANT_ANSWER_MODEL=str(model))
    out = subprocess.run([sys.executable, "-m", "assistant", "ingest"], env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    from index.reader import load_snapshot

    snap = load_snapshot(s)
    assert json.loads(snap.attachments["answer_model"])["threshold"] == 0.42
