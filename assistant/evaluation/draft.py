"""``assistant golden draft``: candidate golden rows from a parsed source, so a tester starts from something.

One row per FAQ pair (its question) and one per body section (a question built from the heading). ``must_cite``
holds short phrases taken from the passages themselves (checked to match them under the golden-file rules);
``key_facts`` is left empty for the tester to fill in (an answerable row with no key facts is valid, and only
checks that the assistant answers and cites)."""
from __future__ import annotations

import re
from pathlib import Path

from index.models import Passage, SourceDoc
from index.parse import slugify
from index.sources import discover, read_source

from .golden import contains

LOWER_FIRST = {"the", "a", "an", "what", "how", "why", "when", "where", "who", "which", "our", "its", "their"}
PHRASE_WORDS = 8


def draft_from_paths(paths) -> list[dict]:
    """Rows for every .md/.txt source under ``paths`` (parsed as ingest parses them)."""
    docs = [read_source(sf) for sf in discover(tuple(Path(p) for p in paths))]
    return draft_rows(docs)


def draft_rows(docs: list[SourceDoc]) -> list[dict]:
    rows: list[dict] = []
    seen: set[str] = set()
    for doc in docs:
        faq = [p for p in doc.passages if p.kind == "faq" and p.question]
        for p in faq:
            phrase = evidence_phrase(p, skip_first=True)
            rows.append(_row(seen, "faq-" + slugify(p.question), p.question, [phrase] if phrase else [], ["draft", "faq"]))
        faq_sections = {p.section for p in faq}
        sections: dict[str, list[Passage]] = {}
        for p in doc.passages:
            if p.kind != "faq" and p.section not in faq_sections:
                sections.setdefault(p.section, []).append(p)
        for heading, passages in sections.items():
            topic = heading_topic(heading)
            if not topic:
                continue
            phrases = [ph for ph in (evidence_phrase(p) for p in passages) if ph]
            rows.append(_row(seen, "section-" + slugify(topic), f"What does the article say about {topic}?",
                             phrases, ["draft", "section"]))
    return rows


def _row(seen: set[str], base: str, question: str, must_cite: list[str], tags: list[str]) -> dict:
    rid, n = base, 2
    while rid in seen:
        rid, n = f"{base}-{n}", n + 1
    seen.add(rid)
    return {"id": rid, "question": question, "history": [], "answerable": True, "key_facts": [],
            "must_cite": must_cite, "must_not": [], "tags": tags}


def heading_topic(heading: str) -> str:
    """'The Guild of Makers: A New Alliance' → 'the Guild of Makers'."""
    topic = re.split(r"[:?!]", heading, maxsplit=1)[0].strip().rstrip(".")
    words = topic.split()
    if not words:
        return ""
    if words[0].lower() in LOWER_FIRST:
        words[0] = words[0].lower()
    return " ".join(words)


def evidence_phrase(p: Passage, skip_first: bool = False) -> str:
    """The first words of the passage's first usable sentence, checked to be found in the passage text."""
    sentences = list(p.sentences)[1:] if skip_first else list(p.sentences)
    for s in sentences:
        text = re.sub(r"^[#>*\-\s\d.]+", "", s.text)  # markdown heading / list / quote markers
        text = re.sub(r"[*_`]", "", text)
        words = text.split()
        if len(words) < 4:
            continue
        for n in (PHRASE_WORDS, 6, 4):
            phrase = " ".join(words[:n]).rstrip(",;:.")
            if contains(p.text, phrase):
                return phrase
    return ""
