"""Shared fixtures: a real index built once per session from sources/ with the real model and a real
embedded Chroma in a temp dir, and an Assistant over it."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from index.settings import Settings, apply_offline_env

apply_offline_env()
ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
GOLDEN_DIR = ROOT / "tests" / "golden"
CORPUS = ROOT / "tests" / "data" / "corpus"


def pytest_collection_modifyitems(config, items):
    """Files run longest first: those marked slow (10 s or more together), then those with tests that start a
    server or a browser, then the rest, each file's tests in their own order. Under `make test` (pytest-xdist, one
    file per worker at a time, ``--no-loadscope-reorder``) the long files start early and the many short ones fill
    in at the end, instead of one long file finishing the run alone."""
    rank: dict = {}
    for item in items:
        heavy = item.get_closest_marker("server") or item.get_closest_marker("browser")
        r = 0 if item.get_closest_marker("slow") else 1 if heavy else 2
        rank[item.path] = min(r, rank.get(item.path, 2))
    items.sort(key=lambda item: rank[item.path])  # stable


CHROMIUM = "/usr/bin/chromium"  # Debian's package (.ci/run installs it); never `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def make_settings(data_dir: Path, **overrides) -> Settings:
    """Settings isolated from the developer's environment (rate limits off for loopback tests)."""
    base = dict(data_dir=Path(data_dir), sources=(SOURCES,), rate_limit=0.0)
    base.update(overrides)
    return Settings.from_env(environ={}, **base)


def env_for(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment for a subprocess (`assistant …`) that uses the same index."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update({"ASSISTANT_DATA_DIR": str(settings.index.data_dir), "ASSISTANT_SOURCES": ":".join(map(str, settings.index.sources)),
                "ASSISTANT_RATE_LIMIT": str(settings.server.rate_limit)})
    if settings.index.chroma_url:
        env["ASSISTANT_CHROMA_URL"] = settings.index.chroma_url
    env.update(extra)
    return env


def cli_in_process(args, env: dict[str, str], *, input: str | None = None) -> subprocess.CompletedProcess:
    """`assistant ARGS` run in this process by click's CliRunner: the command's exit code, stdout and stderr, as a
    subprocess would give them, without a new interpreter's start-up. Only ``env``'s ``ASSISTANT_*`` variables
    (``env_for``) apply; any other ``ASSISTANT_*`` of the developer's environment is unset meanwhile."""
    from click.testing import CliRunner

    from assistant.cli import main

    environ: dict[str, str | None] = {k: None for k in os.environ if k.startswith("ASSISTANT_")}
    environ.update({k: v for k, v in env.items() if k.startswith("ASSISTANT_")})
    r = CliRunner().invoke(main, [str(a) for a in args], env=environ, input=input, catch_exceptions=False)
    return subprocess.CompletedProcess(["assistant", *map(str, args)], r.exit_code, r.stdout, r.stderr)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory) -> Settings:
    from index.ingest import ingest

    s = make_settings(tmp_path_factory.mktemp("index"))
    ingest(s)
    return s


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory):
    """``corpus_index(NAME)``: the Settings of an index of tests/data/corpus/NAME.md alone (real model, embedded
    Chroma), built on first use and shared by the whole session (answering tests and the training gate read the
    same ones; tests that write copy them first)."""
    from index.ingest import ingest

    built: dict[str, Settings] = {}

    def get(name: str) -> Settings:
        if name not in built:
            s = make_settings(tmp_path_factory.mktemp(f"corpus-{name}"), sources=(CORPUS / f"{name}.md",), cache_size=0)
            ingest(s)
            built[name] = s
        return built[name]
    return get


@pytest.fixture(scope="session")
def assistant(index_settings):
    from assistant import Assistant

    return Assistant.load(index_settings)


PLAIN_ORIGINS = ("http://allowed.example:8000", "http://other.example")  # may frame /embed on the plain server


@pytest.fixture(scope="session")
def plain_server(index_settings, tmp_path_factory):
    """One real `assistant serve` on the session index, shared by the files that need nothing special of it (API,
    fuzz, burst, eval --url): /embed may be framed by :data:`PLAIN_ORIGINS`, and there is no per-client connection
    cap (the burst's 200 connections come from one address; the cap has its own server in test_security.py)."""
    from uiserver import serve

    with serve(index_settings, tmp_path_factory.mktemp("plain-log"), ASSISTANT_EMBED_ORIGINS=", ".join(PLAIN_ORIGINS),
               ASSISTANT_MAX_CONNECTIONS="0") as srv:
        yield srv


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A static "course page" folder served on its own port: another origin than the assistant's server."""
    from uiserver import static_site

    root = tmp_path_factory.mktemp("host-site")
    with static_site(root) as port:
        yield root, port


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright, one per test module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def embed_texts(path: Path, name: str) -> set[str]:
    """The distinct texts one source gives the embedding model (passages, sentences, vocabulary words: the nodes
    index.nodes makes of it; a text two nodes share is embedded once)."""
    from llama_index.core.schema import MetadataMode

    from index.nodes import passage_nodes
    from index.parse import parse_source

    doc = parse_source(name, str(path), path.read_text(encoding="utf-8"))
    nodes = passage_nodes(doc, name)
    assert len(nodes) >= len(doc.passages) + sum(len(p.sentences) for p in doc.passages)
    return {n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes}


def texts_of(path: Path, name: str) -> int:
    return len(embed_texts(path, name))
