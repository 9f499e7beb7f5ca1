"""The answer shape shared by ``assistant ask --json``, ``POST /api/ask`` and the Python API."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Citation:
    id: str
    source: str
    section: str
    text: str
    score: float
    start: int
    end: int


@dataclass
class Answer:
    answer: str
    refused: bool
    query: str
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Questions the sources can answer: after a refusal, what to ask instead; after an answer, follow-ups.
    suggestions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        cites = [Citation(**c) for c in data.get("citations", [])]
        return cls(answer=data["answer"], refused=bool(data["refused"]), query=data.get("query", ""),
                   citations=cites, timings_ms=dict(data.get("timings_ms", {})),
                   suggestions=list(data.get("suggestions", [])))

    @property
    def message(self) -> str:
        return self.answer


REFUSAL_TEXT = "The article doesn't cover that."
CLARIFY_TEXT = "What would you like to know more about? Your question refers to something earlier, but there is no earlier question in this conversation."
OPINION_TEXT = "The article doesn't give an opinion on that, and I only answer from what it says."
GREETING_TEXT = "Hello! Ask me about what the article says, and I'll answer from its own sentences, citing them."
THANKS_TEXT = "You're welcome! Ask another question whenever you like."
