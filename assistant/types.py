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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        cites = [Citation(**c) for c in data.get("citations", [])]
        return cls(answer=data["answer"], refused=bool(data["refused"]), query=data.get("query", ""),
                   citations=cites, timings_ms=dict(data.get("timings_ms", {})))

    # A refusal's text is the fixed sentence, then the questions the article can answer, one per line:
    #   The article doesn't cover that. You could ask:
    #   - What is the Coalition of the Willing?
    # so the JSON keeps exactly its five fields and every client still gets the suggestions.
    @property
    def suggestions(self) -> list[str]:
        if not self.refused or SUGGEST_LEAD not in self.answer:
            return []
        tail = self.answer.split(SUGGEST_LEAD, 1)[1]
        return [line[2:].strip() for line in tail.splitlines() if line.startswith("- ") and line[2:].strip()]

    @property
    def message(self) -> str:
        """The answer without the suggestion list."""
        return self.answer.split(SUGGEST_LEAD, 1)[0].strip() if self.refused else self.answer


REFUSAL_TEXT = "The article doesn't cover that."
SUGGEST_LEAD = "You could ask:"


def refusal_text(suggestions: list[str]) -> str:
    if not suggestions:
        return REFUSAL_TEXT
    return f"{REFUSAL_TEXT} {SUGGEST_LEAD}\n" + "\n".join(f"- {s}" for s in suggestions)
