"""A real `chroma run` server on loopback (from .venv/bin/chroma, temp --path, free port) used through
ASSISTANT_CHROMA_URL by the real `assistant` command; when it dies, a replica keeps answering and /healthz says so."""
from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import SOURCES, cli_in_process, env_for, free_port, make_settings

pytestmark = pytest.mark.server

BIN = Path(sys.executable).parent
ASSISTANT = [str(BIN / "assistant")] if (BIN / "assistant").exists() else [sys.executable, "-m", "assistant"]


def chroma_executable() -> str:
    exe = BIN / "chroma"
    if not exe.exists():
        pytest.fail(f"{exe} is missing: `make setup` installs chromadb, which provides it")
    return str(exe)


@contextlib.contextmanager
def chroma_server(path: Path):
    """``chroma run`` on a free loopback port with its data under ``path``; yields (url, process)."""
    port = free_port()
    log = open(path / "server.log", "w")
    proc = subprocess.Popen([chroma_executable(), "run", "--path", str(path / "db"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited ({proc.returncode}): {(path / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(url + "/api/v2/heartbeat", timeout=2, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run did not answer on {url} within 90 s")
            time.sleep(0.3)
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    """The module's `chroma run`: (url, process). The last test of the file kills it."""
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as (url, proc):
        yield url, proc


@pytest.fixture
def chroma_url(chroma):
    url, proc = chroma
    assert proc.poll() is None, "the module's chroma server is gone: the test that kills it must stay last"
    return url


def run(args, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run(ASSISTANT + list(args), env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_ingest_then_ask_through_the_server(chroma_url, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SOURCES / "article.md", src / "article.md")
    s = make_settings(tmp_path / "data", sources=(src,), chroma_url=chroma_url, collection_prefix="srv")
    env = env_for(s, ASSISTANT_COLLECTION="srv")

    r = run(["ingest"], env)
    assert r.returncode == 0, r.stderr
    assert "Passages: 22 added" in r.stdout and "(22 in srv_v1)" in r.stdout
    assert not (s.index.data_dir / "chroma").exists(), "the embedded store must not be used when a URL is set"

    r = cli_in_process(["ask", "--json", "Will Ukraine join NATO?"], env)  # (the real process: `ingest` above)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert not data["refused"] and "NATO" in data["answer"]
    assert data["citations"] and all(c["source"] == "article.md" for c in data["citations"])
    cited = " ".join(c["text"] for c in data["citations"])
    assert "remains out of reach" in cited or "NATO membership for Ukraine is unlikely" in cited

    # The docstore lives in the server too: a second ingest from anywhere embeds nothing.
    r = cli_in_process(["ingest"], env)
    assert r.returncode == 0, r.stderr
    assert "0 added, 22 unchanged, 0 removed (22 in srv_v2); texts embedded: 0" in r.stdout

    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    names = sorted(c if isinstance(c, str) else c.name for c in client.list_collections())
    assert [n for n in names if n.startswith("srv")] == ["srv__meta", "srv_v1", "srv_v2"]


def test_ask_with_nothing_ingested_on_the_server_says_run_ingest(chroma_url, tmp_path):
    s = make_settings(tmp_path / "data", chroma_url=chroma_url)
    r = cli_in_process(["ask", "Will Ukraine join NATO?"], env_for(s, ASSISTANT_COLLECTION="never_ingested"))
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "assistant ingest" in r.stderr and chroma_url in r.stderr


def test_healthz_degraded_while_the_chroma_server_is_down(chroma, tmp_path):
    """kill -9 of `chroma run`: the replica keeps answering from memory, and /healthz (still 200, so a load balancer
    keeps it) says it is degraded and why (before: "ok"). It kills the module's server: it stays last in the file."""
    from uiserver import serve

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(SOURCES / "article.md", src / "article.md")
    url, proc = chroma
    assert proc.poll() is None
    s = make_settings(tmp_path / "data", sources=(src,), chroma_url=url)
    env = env_for(s, ASSISTANT_COLLECTION="down")
    assert cli_in_process(["ingest"], env).returncode == 0
    with serve(s, tmp_path, ASSISTANT_COLLECTION="down", ASSISTANT_CHROMA_TIMEOUT="1") as srv:
        ok = srv.get("/healthz").json()
        assert ok["status"] == "ok" and not ok.get("reasons")
        proc.kill()  # SIGKILL
        proc.wait(10)
        h = srv.get("/healthz")
        assert h.status_code == 200 and h.json()["status"] == "degraded", h.text
        assert h.json()["reasons"] == ["chroma_unreachable"] and url not in h.text  # no address in public
        detail = srv.get("/healthz?detail=1").json()
        assert url in detail["details"]["chroma_unreachable"]
        r = srv.post("/api/ask", json={"question": "Will Ukraine join NATO?"})
        assert r.status_code == 200 and r.json()["citations"] and not r.json()["refused"]
        assert srv.get("/healthz").json()["status"] == "degraded"
        assert "Traceback" not in srv.log.read_text(errors="replace")
