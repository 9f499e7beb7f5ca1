"""Our own types. Third-party objects (llama-index nodes, Chroma records) are converted to these at the boundary."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

_BULLET = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+$")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int  # character offsets in the source file
    end: int


@dataclass(frozen=True)
class Passage:
    id: str
    source: str  # path relative to the sources root, e.g. "article.md"
    title: str
    section: str
    kind: str  # "paragraph" | "list" | "faq"
    start: int
    end: int
    text: str  # exactly source_text[start:end]
    sentences: tuple[Sentence, ...]
    order: int  # position in its document
    question: str = ""  # the FAQ question, for kind == "faq"

    def is_item(self, i: int) -> bool:
        """Whether sentence ``i`` is a list item (the text before it on its line is a bullet)."""
        before = self.text[: self.sentences[i].start - self.start]
        return bool(_BULLET.match(before[before.rfind("\n") + 1:]))

    def to_metadata(self) -> dict:
        """Flat metadata for a vector store (scalars only)."""
        return {
            "level": "passage",
            "passage_id": self.id,
            "source": self.source,
            "title": self.title,
            "section": self.section,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "order": self.order,
            "question": self.question,
            "sentences": json.dumps([[s.text, s.start, s.end] for s in self.sentences], ensure_ascii=False),
        }

    @classmethod
    def from_metadata(cls, text: str, meta: dict) -> "Passage":
        return cls(
            id=meta["passage_id"], source=meta["source"], title=meta.get("title", ""), section=meta.get("section", ""),
            kind=meta["kind"], start=int(meta["start"]), end=int(meta["end"]), text=text,
            sentences=tuple(Sentence(t, int(a), int(b)) for t, a, b in json.loads(meta["sentences"])),
            order=int(meta.get("order", 0)), question=meta.get("question", "") or "",
        )


@dataclass(frozen=True)
class SourceDoc:
    source: str  # relative name
    path: str  # absolute path
    text: str  # the full file text
    title: str
    meta: dict = field(default_factory=dict)  # front matter: subtitle, published, category, ...
    headings: tuple[str, ...] = ()
    passages: tuple[Passage, ...] = ()

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("text"), d.pop("passages")
        return d
