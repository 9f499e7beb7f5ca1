"""Assistants over single corpus articles (each indexed alone, once per session: ``corpus_index``), sharing one embedder."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, make_settings

CORPUS = ROOT / "tests" / "data" / "corpus"


def _index(tmp_path_factory, *sources: Path):
    from index.ingest import ingest

    s = make_settings(tmp_path_factory.mktemp("idx"), sources=tuple(sources), cache_size=0)
    ingest(s)
    return s


def _load(settings, shared):
    from assistant import Assistant
    from assistant.answering.core import State, load_snapshot_for
    from index import store

    client = store.connect(settings)
    return Assistant(settings, client, State(load_snapshot_for(settings, client), settings), shared.embedder)


@pytest.fixture(scope="session")
def sourdough(corpus_index, assistant):
    return _load(corpus_index("sourdough-starter"), assistant)


@pytest.fixture(scope="session")
def rust(corpus_index, assistant):
    return _load(corpus_index("rust-release-trains"), assistant)


@pytest.fixture(scope="session")
def federal(corpus_index, assistant):
    return _load(corpus_index("federal-web-covid"), assistant)


@pytest.fixture(scope="session")
def calendars(corpus_index, assistant):
    return _load(corpus_index("sharing-calendars-howto"), assistant)


@pytest.fixture(scope="session")
def two_sources(tmp_path_factory, assistant):
    """The seed article and the sourdough guide in one index."""
    return _load(_index(tmp_path_factory, ROOT / "sources" / "article.md", CORPUS / "sourdough-starter.md"), assistant)
