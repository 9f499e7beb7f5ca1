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


# Files that share a session server or index (conftest fixtures): under `make test` one worker runs each group
# whole, so it starts (or is built) once.
SHARED = {
    "widget": ("tests/test_browser.py", "tests/ui/test_chat_ux.py"),  # widget_server
    "plain": ("tests/evaluation/test_eval.py", "tests/test_api.py", "tests/test_burst.py", "tests/test_fuzz.py"),  # plain_server
    # corpus_index: the articles each indexed alone
    "corpus": ("tests/evaluation/test_training.py", "tests/answering/test_answers.py", "tests/answering/test_retrieval.py"),
}
_GROUP = {f: g for g, files in SHARED.items() for f in files}


def scope_of(nodeid: str) -> str:
    """A test's unit of work for the workers: its group in :data:`SHARED`, else its file."""
    path = nodeid.split("::", 1)[0]
    return _GROUP.get(path, path)


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` with the groups of :data:`SHARED` kept together. (pytest-xdist's own ``loadgroup`` cannot
    do it here: it renames ``item._nodeid``, which pytest 9 no longer reads.) ``_split_scope`` is the method
    pytest-xdist's schedulers override to say what stays together; this is the only use of it."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedServerScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

    return SharedServerScheduling(config, log)


def pytest_collection_modifyitems(config, items):
    """Units of work (:func:`scope_of`) run longest first: those with a test marked slow (10 s or more together),
    then those that start a server or a browser, then the rest; a group's files stay together, each file's tests in
    their own order. Under `make test` (``--no-loadscope-reorder``) the long units start early and the many short
    ones fill in at the end, instead of one long file finishing the run alone."""
    scope = {item: scope_of(item.nodeid) for item in items}
    rank: dict = {}
    for item in items:
        heavy = item.get_closest_marker("server") or item.get_closest_marker("browser")
        r = 0 if item.get_closest_marker("slow") else 1 if heavy else 2
        rank[scope[item]] = min(r, rank.get(scope[item], 2))
    first = {g: i for i, g in reversed(list(enumerate(scope[item] for item in items)))}
    items.sort(key=lambda item: (rank[scope[item]], first[scope[item]]))


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
    """``corpus_index(NAME)``: the Settings of an index of tests/data/corpus/NAME.md (or .txt) alone (real model, embedded
    Chroma), built on first use and shared by the whole session (answering tests and the training gate read the
    same ones; tests that write copy them first)."""
    from index.ingest import ingest

    built: dict[str, Settings] = {}

    def get(name: str) -> Settings:
        if name not in built:
            src = next(p for p in (CORPUS / f"{name}.md", CORPUS / f"{name}.txt") if p.exists())
            s = make_settings(tmp_path_factory.mktemp(f"corpus-{name}"), sources=(src,), cache_size=0)
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


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright, one per worker (each test opens its own context)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


WIDGET_TITLE = "Ask about Ukraine's security guarantees"  # the chat's heading (ASSISTANT_WIDGET_TITLE)


@pytest.fixture(scope="session")
def widget_server(index_settings, tmp_path_factory):
    """One real `assistant serve` for the browser files (group "widget" of :data:`SHARED`), with
    an educator's page on another origin that embeds it (``.site``: its folder and port; only
    ``http://localhost:PORT`` may frame /embed, ``http://127.0.0.1:PORT`` is another origin)."""
    from uiserver import host_page, serve, static_site

    root = tmp_path_factory.mktemp("widget-site")
    with static_site(root) as port, serve(index_settings, tmp_path_factory.mktemp("widget-log"),
                                          ASSISTANT_EMBED_ORIGINS=f"http://localhost:{port}",
                                          ASSISTANT_WIDGET_TITLE=WIDGET_TITLE) as srv:
        # The educator's page, with a language (axe checks the host page as a whole).
        page = host_page(srv.base, title="Ask the article").replace("<html>", '<html lang="en">', 1).replace(
            "<head>", '<head><meta name="viewport" content="width=device-width, initial-scale=1">', 1)
        (root / "index.html").write_text(page, encoding="utf-8")
        srv.site = (root, port)
        yield srv


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
