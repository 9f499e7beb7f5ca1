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


def _article(fixture: str, article: str):
    """The session fixture ``fixture``: the assistant over the corpus article ``article``, indexed alone."""
    @pytest.fixture(scope="session", name=fixture)
    def assistant_over(corpus_index, assistant):
        return _load(corpus_index(article), assistant)
    return assistant_over


sourdough = _article("sourdough", "sourdough-starter")
rust = _article("rust", "rust-release-trains")
federal = _article("federal", "federal-web-covid")
calendars = _article("calendars", "sharing-calendars-howto")
tts = _article("tts", "tts-solutions-history")
xz = _article("xz", "xz-utils-faq")  # plain text, never trained on (tests/golden/unseen)
plain = _article("plain", "plain-language-memo-faq")
carpentries = _article("carpentries", "carpentries-travel-reimbursement")
semver = _article("semver", "semver-spec")  # Markdown specification, never trained on (tests/golden/unseen)


@pytest.fixture(scope="session")
def two_sources(tmp_path_factory, assistant):
    """The seed article and the sourdough guide in one index."""
    return _load(_index(tmp_path_factory, ROOT / "sources" / "article.md", CORPUS / "sourdough-starter.md"), assistant)


@pytest.fixture(scope="session")
def tramways(tmp_path_factory, assistant):
    """An invented history (tests/data/invented): years in prose and in a list, for the rules no article's rows test."""
    return _load(_index(tmp_path_factory, ROOT / "tests" / "data" / "invented" / "freedonia-tramways.md"), assistant)
