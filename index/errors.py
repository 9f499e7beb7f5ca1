"""Exception tree. Every error a user can cause or meet is an :class:`AssistantError`
whose message says what to do; the CLI and the HTTP API print ``str(error)`` and never a traceback.

    AssistantError
    ├── ConfigError            a setting has a bad value
    ├── SourceError            a source file is empty, binary or not UTF-8
    ├── IndexError_            the index is missing, damaged or busy
    │   ├── IndexMissing       no index yet: run `assistant ingest`
    │   └── IngestLocked       another ingest holds the lock
    ├── ChromaUnreachable      ASSISTANT_CHROMA_URL does not answer
    ├── ModelError             the embedding model cannot be loaded
    ├── BadQuestion            a question or history the assistant cannot take (→ HTTP 4xx)
    └── GoldenFileError        a golden file is malformed (→ exit 2)
"""
from __future__ import annotations


def _one_line(text: str, limit: int = 200) -> str:
    """Third-party error text squeezed onto one line (the CLI prints messages as one line)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class AssistantError(Exception):
    code = "error"
    http_status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(AssistantError):
    code = "bad_config"


class SourceError(AssistantError):
    code = "bad_source"

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexError_(AssistantError):
    code = "index_unavailable"
    http_status = 503


class IndexMissing(IndexError_):
    code = "index_missing"

    def __init__(self, where: str, detail: str = ""):
        detail = _one_line(detail)
        extra = f" ({detail})" if detail else ""
        super().__init__(f"No usable index at {where}{extra}. Run `assistant ingest` to build it.")


class IngestLocked(IndexError_):
    code = "ingest_locked"


class ChromaUnreachable(AssistantError):
    code = "chroma_unreachable"
    http_status = 503

    def __init__(self, url: str, detail: str = ""):
        detail = _one_line(detail)
        extra = f": {detail}" if detail else ""
        super().__init__(f"Chroma server {url} is unreachable{extra}. Start it (`chroma run`) or fix ASSISTANT_CHROMA_URL.")
        self.url = url


class ModelError(AssistantError):
    code = "model_unavailable"


class BadQuestion(AssistantError):
    code = "bad_request"
    http_status = 422

    def __init__(self, message: str, code: str = "bad_request"):
        super().__init__(message)
        self.code = code


class GoldenFileError(AssistantError):
    code = "bad_golden_file"
