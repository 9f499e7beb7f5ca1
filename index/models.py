"""Our own types. Third-party objects (llama-index nodes, Chroma records) are converted to these at the boundary."""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

_BULLET = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+$")


@dataclass(frozen=True)
class Sentence:
    text: str  # plain text (no Markdown syntax; wrapped lines joined with one space)
    start: int  # character offsets in the source file of the sentence's raw span
    end: int
    item: bool = False  # a list item (of a "list" passage)
    depth: int = 0  # the item's nesting in its list, 0 = top level
    cont: bool = False  # a further sentence of the same list item (an item of several sentences)
    link: bool = False  # only the text of a link to another page

    @property
    def pointer(self) -> bool:
        """A paragraph that only points elsewhere ("[See this video on …](https://…)"): never an answer. A list item
        that is a link still names something ("- [#help-desk](…)")."""
        return self.link and not self.item


# Items this long on average, of two sentences or more each, are paragraphs set out as a list (the numbered rules of
# a specification): each is a passage of its own, and a list of them is not given whole as an answer.
PARAGRAPH_ITEM_WORDS = 40


def paragraph_items(sentences) -> bool:
    """Whether the list items among ``sentences`` are paragraphs (see ``PARAGRAPH_ITEM_WORDS``)."""
    items = [s for s in sentences if s.item]
    heads = sum(1 for s in items if not s.cont)
    return bool(heads) and len(items) >= 2 * heads and sum(len(s.text.split()) for s in items) / heads > PARAGRAPH_ITEM_WORDS


@dataclass(frozen=True)
class Passage:
    id: str
    source: str  # path relative to the sources root, e.g. "article.md"
    title: str
    section: str
    kind: str  # "paragraph" | "list" | "faq" | "code" | "table"
    start: int  # character range of the passage's blocks in the source file
    end: int
    text: str  # the plain rendering of source_text[start:end] (see index.parse); every sentence's text occurs in it
    sentences: tuple[Sentence, ...]
    order: int  # position in its document
    question: str = ""  # the FAQ question, for kind == "faq"

    def is_item(self, i: int) -> bool:
        """Whether sentence ``i`` is a list item."""
        return self.sentences[i].item

    def answer_start(self) -> int:
        """The index of the passage's first answering sentence: an FAQ's first sentence is its question."""
        return 1 if self.kind == "faq" else 0

    def of_paragraphs(self) -> bool:
        """A list whose items are paragraphs (:func:`paragraph_items`)."""
        return self.kind == "list" and paragraph_items(self.sentences)

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
            "sentences": json.dumps([[s.text, s.start, s.end, s.item, s.depth, s.cont, s.link] for s in self.sentences],
                                    ensure_ascii=False),
        }

    @classmethod
    def from_metadata(cls, text: str, meta: dict) -> "Passage":
        """The passage back from :meth:`to_metadata`; also reads the older ``[text, start, end]`` sentences
        (an index built before the item flags), where a sentence is an item when a bullet precedes it on its
        line of the (then raw Markdown) passage text."""
        start = int(meta["start"])
        sentences = []
        for row in json.loads(meta["sentences"]):
            t, a, b = row[0], int(row[1]), int(row[2])
            if len(row) >= 5:
                sentences.append(Sentence(t, a, b, bool(row[3]), int(row[4]), *map(bool, row[5:7])))
            else:
                before = text[: a - start] if 0 <= a - start <= len(text) else ""
                sentences.append(Sentence(t, a, b, bool(_BULLET.match(before[before.rfind("\n") + 1:]))))
        return cls(
            id=meta["passage_id"], source=meta["source"], title=meta.get("title", ""), section=meta.get("section", ""),
            kind=meta["kind"], start=start, end=int(meta["end"]), text=text, sentences=tuple(sentences),
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
    title_span: tuple[int, int] = (0, 0)  # where the title is written in the file ((0, 0): taken from the file name)

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("text"), d.pop("passages")
        return d
