"""Shared fixtures: a real index built once per session from sources/ with the real model and a real
embedded Chroma in a temp dir, and an Assistant over it."""
from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from index.settings import Settings, apply_offline_env

apply_offline_env()
ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
GOLDEN_DIR = ROOT / "tests" / "golden"


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
    env.update({"ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_SOURCES": ":".join(map(str, settings.sources)),
                "ASSISTANT_RATE_LIMIT": str(settings.rate_limit)})
    if settings.chroma_url:
        env["ASSISTANT_CHROMA_URL"] = settings.chroma_url
    env.update(extra)
    return env


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
def assistant(index_settings):
    from assistant import Assistant

    return Assistant.load(index_settings)


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
