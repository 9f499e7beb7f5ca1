"""The `assistant` command: ingest, ask --json, chat and error messages. The real entry point runs in subprocesses
where the process itself is what is tested (a cold ingest, `ask --json` on stdout, exit codes and one-line errors, a
hung Chroma server reported in seconds from start-up); the rest runs the click commands in this process
(`cli_in_process`). (Stopping an ingest at each stage, and the one real kill -9, are in tests/test_index_safety.py.)"""
from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SOURCES, cli_in_process, env_for, free_port, make_settings
from index import store

pytestmark = pytest.mark.server

BIN = Path(sys.executable).parent / "assistant"
ASSISTANT = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "assistant"]
NATO_Q = "Will Ukraine join NATO?"
NATO_SENTENCE = "remains out of reach"


def run(args, env, *, input=None, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(ASSISTANT + list(args), env=env, input=input, capture_output=True, text=True,
                          timeout=timeout, stdin=None if input is not None else subprocess.DEVNULL)


def run_here(args, env, *, input=None) -> subprocess.CompletedProcess:
    """The same command in this process (click's CliRunner)."""
    return cli_in_process(args, env, input=input)


def error_lines(stderr: str) -> list[str]:
    """stderr minus the warning other layers may print while their plugin is missing."""
    return [line for line in stderr.splitlines() if line.strip() and not line.startswith("command serve unavailable")]


def ask_json(env, question=NATO_Q) -> dict:
    r = run(["ask", "--json", question], env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index made by `assistant ingest` in a subprocess (so it is fully on disk; tests copy it)."""
    root = tmp_path_factory.mktemp("cli")
    src = root / "src"
    src.mkdir()
    shutil.copy(SOURCES / "article.md", src / "article.md")
    s = make_settings(root / "data", sources=(src,))
    t0 = time.perf_counter()
    r = run(["ingest"], env_for(s))
    cold = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    return s, r.stdout, cold


def copy_of(built, tmp_path):
    """A private copy of the built index and its sources."""
    s, *_ = built
    shutil.copytree(s.index.data_dir, tmp_path / "data")
    shutil.copytree(s.index.sources[0], tmp_path / "src")
    return make_settings(tmp_path / "data", sources=(tmp_path / "src",))


# --- ingest -------------------------------------------------------------------------------------------------

def test_ingest_prints_sources_counts_and_time(built):
    s, out, cold = built
    assert "Sources read: 1 (article.md)" in out
    assert re.search(r"Passages: 22 added, 0 unchanged, 0 removed \(22 in article_v1\); texts embedded: \d+", out)
    assert re.search(r"Took \d+\.\d\d s", out)
    print(f"cold ingest (CLI, wall): {cold:.2f} s")


def test_second_ingest_embeds_nothing(built, tmp_path):
    s = copy_of(built, tmp_path)
    t0 = time.perf_counter()
    r = run_here(["ingest"], env_for(s))
    noop = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert "Passages: 0 added, 22 unchanged, 0 removed (22 in article_v2); texts embedded: 0" in r.stdout
    print(f"no-op ingest (in process): {noop:.2f} s")


def test_if_missing_does_nothing_when_an_index_exists(built, tmp_path):
    s = copy_of(built, tmp_path)
    r = run_here(["ingest", "--if-missing"], env_for(s))
    assert r.returncode == 0 and "nothing to do" in r.stdout
    assert store.read_active(store.connect(s), s).version == 1


def test_if_missing_updates_an_index_holding_other_answer_models(built, tmp_path):
    """`make run` after an upgrade: the index is brought in line with this version (the answer models stored with it
    replaced, nothing embedded again), then left alone."""
    from assistant.answering.learned import DEFAULT_MODEL

    s = copy_of(built, tmp_path)
    other = tmp_path / "model.json"
    other.write_text(json.dumps({**json.loads(DEFAULT_MODEL.read_text()), "threshold": 0.5}), encoding="utf-8")
    env = env_for(s, ASSISTANT_ANSWER_MODEL=str(other))
    r = run_here(["ingest", "--if-missing"], env)
    assert r.returncode == 0 and "holds other answer models than this version's: updating it" in r.stdout, r.stdout
    assert "texts embedded: 0" in r.stdout
    active = store.read_active(store.connect(s), s)
    assert active.version == 2 and active.settings["attachments"]["answer_model"] == other.read_text(encoding="utf-8")
    again = run_here(["ingest", "--if-missing"], env)
    assert "nothing to do" in again.stdout and store.read_active(store.connect(s), s).version == 2


def test_if_missing_updates_an_index_another_pipeline_built(built, tmp_path):
    """The same check ingest rebuilds on (index.ingest.built_otherwise): another passage pipeline or embedding model."""
    import dataclasses

    s = copy_of(built, tmp_path)
    client = store.connect(s)
    active = store.read_active(client, s)
    store.write_active(client, s, dataclasses.replace(active, settings={**active.settings, "pipeline": -1}))
    r = run_here(["ingest", "--if-missing"], env_for(s))
    assert r.returncode == 0 and "was built by another embedding model or passage pipeline: updating it" in r.stdout
    assert store.read_active(store.connect(s), s).version == 2


def test_bad_sources_one_line_each_others_ingested_exit_nonzero(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.md").write_text("# Good\n\nThis file is fine. It has two sentences.\n")
    (src / "empty.md").write_bytes(b"")
    (src / "binary.md").write_bytes(b"\x00\x01\x02" * 40)
    (src / "latin1.txt").write_bytes("Caf\xe9 cr\xe8me br\xfbl\xe9e.".encode("latin-1"))
    missing = tmp_path / "missing.md"
    s = make_settings(tmp_path / "data", sources=(src,))
    r = run_here(["ingest", str(src), str(missing)], env_for(s))
    assert r.returncode != 0
    assert "Sources read: 1 (good.md)" in r.stdout and "1 added" in r.stdout
    lines = error_lines(r.stderr)
    assert "Traceback" not in r.stderr
    assert len(lines) == 4, lines
    for bad in ("empty.md", "binary.md", "latin1.txt"):
        assert sum(str(src / bad) in line for line in lines) == 1
    assert sum(str(missing) in line for line in lines) == 1


# --- ask ----------------------------------------------------------------------------------------------------

def test_ask_json_shape(built):
    s, *_ = built
    data = ask_json(env_for(s))
    assert set(data) == {"answer", "refused", "query", "citations", "timings_ms", "suggestions"}  # the API's shape
    assert isinstance(data["answer"], str) and data["answer"] and data["refused"] is False
    assert data["query"] == NATO_Q and isinstance(data["timings_ms"], dict)
    assert data["citations"]
    text = (s.index.sources[0] / "article.md").read_text(encoding="utf-8")
    for c in data["citations"]:
        assert set(c) == {"id", "source", "section", "text", "score", "start", "end"}
        assert c["source"] == "article.md" and isinstance(c["score"], (int, float))
        raw = text[c["start"]:c["end"]]  # the cited text is the plain rendering of that slice of the file
        assert all(line.lstrip("- ") in raw for line in c["text"].splitlines() if line.strip())


def test_done_criterion_first_citation_is_out_of_reach_passage(built):
    """Issue 2's done-criterion: the first citation says NATO membership "remains out of reach"."""
    s, *_ = built
    r = run_here(["ask", "--json", NATO_Q], env_for(s))
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)["citations"][0]
    assert NATO_SENTENCE in first["text"], first
    assert first["section"] == "What Ukraine Wants: A Clear Picture"


def test_ask_without_index_says_run_ingest(tmp_path):
    s = make_settings(tmp_path / "empty")
    r = run(["ask", NATO_Q], env_for(s))
    assert r.returncode != 0 and r.stdout == ""
    lines = error_lines(r.stderr)
    assert len(lines) == 1 and "assistant ingest" in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_chat_keeps_history_and_lists_citations(built):
    s, *_ = built
    r = run_here(["chat"], env_for(s), input=f"{NATO_Q}\nWhat does the coalition plan for airspace?\nexit\n")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Traceback" not in r.stderr and not error_lines(r.stderr)
    answers = out.split("> ")[1:]
    assert len(answers) == 3  # two answers, then the prompt that read "exit"
    for a in answers[:2]:
        assert re.search(r"^\s+\[1\] .+ \(article\.md:\d+-\d+\): ", a, re.M), a
    assert "NATO" in answers[0]
    assert re.search(r"airspace|Poland|Romania", answers[1], re.I)


def test_chat_ends_on_end_of_input(built):
    s, *_ = built
    r = run_here(["chat"], env_for(s), input="")
    assert r.returncode == 0 and "Traceback" not in r.stderr


# --- an unreachable Chroma server fails fast -------------------------------------------------------------------

@pytest.fixture
def silent_server():
    """A TCP port that accepts connections and never answers (a hung server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


@pytest.mark.parametrize("kind", ["refused", "silent"])
@pytest.mark.parametrize("command", [["ingest"], ["ask", NATO_Q]])
def test_unreachable_chroma_fails_within_seconds_naming_it(tmp_path, kind, command, request):
    url = f"http://127.0.0.1:{free_port()}" if kind == "refused" else request.getfixturevalue("silent_server")
    s = make_settings(tmp_path / "data", chroma_url=url)
    real = kind == "silent" and command[0] == "ask"  # the real process, start-up included, for the hung server
    t0 = time.perf_counter()
    r = run(command, env_for(s), timeout=60) if real else run_here(command, env_for(s))
    took = time.perf_counter() - t0
    assert r.returncode != 0
    lines = error_lines(r.stderr)
    assert len(lines) == 1 and url in lines[0] and "unreachable" in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert took < 10, f"{command[0]} took {took:.1f} s to report {url}"
