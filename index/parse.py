"""Source text → :class:`SourceDoc` with structure-aware passages.

Markdown (``.md``, ``.markdown``) is parsed by markdown-it-py (CommonMark + tables, :mod:`index.markdown`), after an
optional YAML front matter. Blocks: headings, paragraphs (also inside block quotes), lists (nested items
flattened in order), fenced / indented code, tables, HTML blocks, breaks. A one-line paragraph that is only a short
bold phrase acts as a heading below every real heading.

- Title: the front matter's ``title``, else the first H1, else the file name. An H1 equal to the title is no section.
- Section: the text of the latest heading (plain); before any, the front matter's ``subtitle`` or the title.
  A break (``---``) after an FAQ answer returns to the section the question stands in.
- Paragraph → one ``paragraph`` passage. Inside an HTML block, the tags are dropped and the rest is read as
  Markdown (a ``<div>`` around paragraphs keeps them).
- List → one ``list`` passage, together with the paragraph introducing it (one ending in ``:`` right before it):
  the introduction's sentences, then one sentence per item (``Sentence.item``, ``Sentence.depth`` for nesting).
  Lists that follow each other directly are one list; a list right after an item ending in ``:`` is nested
  under it. A list of more than 25 items is split into passages of consecutive items, each repeating the
  introduction. A list whose items are only links to anchors of the page (a table of contents) is skipped.
- Code block → a ``code`` passage, table → a ``table`` passage (rows one per line, cells joined by `` | ``);
  both without sentences, so they are never answered from as prose.
- FAQ: under a heading named like FAQ / Frequently Asked Questions / Questions and answers, every heading of the
  level just below it is a question (with or without ``?``); deeper headings are sub-headings inside answers.
  On a page where most headings of one level (at least 3) end in ``?``, those headings are questions wherever
  they stand. A question followed by a paragraph → one ``faq`` passage: sentence 0 is the question, then the
  sentences of the first paragraph(s) of its answer (further paragraphs while the answer stays within ~150 words,
  never past a heading or a paragraph introducing a list); its section is the section the question stands in.
  The answer's further blocks are ordinary passages whose section is the question (or the answer's sub-heading).
  A question followed directly by a list, a code block or a heading is only a section heading.

Offsets and text — the invariants:

- ``passage.start:end`` is the character range in the file of the passage's blocks (from the first block's first
  non-blank character to the last block's last one); ``passage.text`` is the *plain rendering* of
  ``source_text[start:end]``: no Markdown syntax (links show their text, images and inline HTML are dropped,
  emphasis and code markers removed, bare URLs removed), wrapped lines joined with one space, blocks separated by
  a blank line, list items one per line as ``- item`` / ``3. item`` (two spaces of indent per nesting level).
  Exception: the later parts of a split long list start at the introduction they repeat.
- Every sentence's ``text`` occurs verbatim in its passage's ``text``, and
  ``passage.start <= sentence.start <= sentence.end <= passage.end``. ``source_text[s.start:s.end]`` is the
  sentence's raw span: equal to ``s.text`` when the sentence has no markup and no line break in the file, the
  same words with the markup / line breaks otherwise.

Plain text (``.txt``): :mod:`index.plaintext`.
"""
from __future__ import annotations

import dataclasses
import math

from . import markdown as md
from .markdown import Plain
from .models import Passage, Sentence, SourceDoc, paragraph_items
from .plaintext import parse_txt
from .sourcedoc import (FAQ_SECTION, front_matter, sentences_of, slugify, source_slug_for, title_from_name, title_span,
                        whole_sentence)

__all__ = ["parse_source", "slugify", "source_slug_for", "asks"]

_CLOSERS = " \t\"'”’»)*_"
MAXLIST_ITEMS = 25  # a longer list is split into several passages
FAQ_ANSWER_WORDS = 150  # the FAQ passage takes further answer paragraphs while they fit in this many words


def parse_source(name: str, path: str, text: str) -> SourceDoc:
    if path.endswith(".txt"):
        return parse_txt(name, path, text)
    meta, body_start = front_matter(text)
    blocks = [b for b in md.blocks(text, body_start) if b.kind != "heading" or b.plain]
    title = str(meta.get("title") or "")
    if not title:
        first_h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = first_h1.plain.text if first_h1 else title_from_name(name)
    meta = {k: str(v) for k, v in meta.items()}
    blocks = [b for b in blocks if not (b.kind == "heading" and b.level == 1 and b.plain.text == title)]
    passages = _MdPassages(name, title, meta.get("subtitle") or title, blocks).build()
    headings = tuple(dict.fromkeys(b.plain.text for b in blocks if b.kind == "heading" and b.plain.text != title))
    return SourceDoc(source=name, path=path, text=text, title=title, meta=meta, headings=headings, passages=tuple(passages),
                     title_span=title_span(text, title, body_start))


def asks(heading: str) -> bool:
    """Whether a heading is phrased as a question (``?`` at the end, closing quotes or markup aside)."""
    return heading.rstrip(_CLOSERS).endswith("?")


def _item(plain: Plain, depth: int) -> list[Sentence]:
    """A list item's sentences: the first marks the item, the others continue it."""
    sents = sentences_of(plain) or [whole_sentence(plain)]
    return [dataclasses.replace(x, item=True, depth=depth, cont=k > 0) for k, x in enumerate(sents)]


def _words(plain: Plain) -> int:
    return len(plain.text.split())


# --- Markdown ----------------------------------------------------------------------------------------------

class _MdPassages:
    def __init__(self, name: str, title: str, default_section: str, blocks: list[md.Block]) -> None:
        self.name, self.title, self.default_section, self.blocks = name, title, default_section, blocks
        self.source_slug = source_slug_for(name)
        self.out: list[Passage] = []
        self.counters: dict[str, int] = {}
        self.section = default_section
        self.questions = _question_headings(blocks)

    def add(self, kind: str, start: int, end: int, text: str, sentences: list[Sentence], question: str = "",
            section: str | None = None) -> None:
        section = self.section if section is None else section
        sec_slug = slugify(section)
        n = self.counters.get(sec_slug, 0) + 1
        self.counters[sec_slug] = n
        self.out.append(Passage(
            id=f"{self.source_slug}--{sec_slug}--{n}", source=self.name, title=self.title, section=section, kind=kind,
            start=start, end=end, text=text, sentences=tuple(sentences), order=len(self.out), question=question,
        ))

    def _prose(self, i: int) -> bool:
        return i < len(self.blocks) and self.blocks[i].kind == "para"

    def _intro(self, i: int) -> bool:
        """Whether block ``i`` is a paragraph introducing the list right after it."""
        b = self.blocks
        return (b[i].kind == "para" and b[i].plain.text.endswith(":") and i + 1 < len(b)
                and b[i + 1].kind == "item")

    def build(self) -> list[Passage]:
        blocks = self.blocks
        stack: list[tuple[int, str, bool]] = []  # enclosing headings: (level, text, is a question)
        i = 0
        while i < len(blocks):
            b = blocks[i]
            if b.kind == "heading":
                while stack and stack[-1][0] >= b.level:
                    stack.pop()
                parent = stack[-1][1] if stack else self.default_section
                stack.append((b.level, b.plain.text, i in self.questions))
                self.section = b.plain.text
                if i in self.questions and self._prose(i + 1):
                    i = self._faq(i, parent)
                else:
                    i += 1
            elif b.kind == "hr":  # a break ends the answer to a question: what follows is back in the FAQ section
                if stack and stack[-1][2]:
                    stack.pop()
                    self.section = stack[-1][1] if stack else self.default_section
                i += 1
            elif b.kind in ("code", "table"):
                self.add(b.kind, b.start, b.end, b.text, [])
                i += 1
            elif b.kind == "item" or self._intro(i):
                i = self._list(i)
            else:
                self.add("paragraph", b.start, b.end, b.plain.text, sentences_of(b.plain))
                i += 1
        return self.out

    def _faq(self, i: int, parent: str) -> int:
        """The question heading ``i`` with the first paragraph(s) of its answer, as one passage."""
        q = self.blocks[i]
        take = [self.blocks[i + 1]]
        words = _words(take[0].plain)
        k = i + 2
        while self._prose(k) and not self._intro(k) and words + _words(self.blocks[k].plain) <= FAQ_ANSWER_WORDS:
            take.append(self.blocks[k])
            words += _words(self.blocks[k].plain)
            k += 1
        sentences = [whole_sentence(q.plain)] + [s for b in take for s in sentences_of(b.plain)]
        text = "\n\n".join([q.plain.text] + [b.plain.text for b in take])
        self.add("faq", q.start, take[-1].end, text, sentences, question=q.plain.text, section=parent)
        return k

    def _list(self, i: int) -> int:
        """A list (with the paragraph introducing it, when there is one) from block ``i``: one or more passages."""
        blocks = self.blocks
        intro = None if blocks[i].kind == "item" else blocks[i]
        j = i if intro is None else i + 1
        items: list[tuple[md.Block, int]] = []
        shift = 0
        while j < len(blocks) and blocks[j].kind == "item":
            it = blocks[j]
            if items and it.list_id != items[-1][0].list_id:  # another list right after this one
                prev, prev_depth = items[-1]
                shift = prev_depth + 1 if it.depth == 0 and prev.plain.text.endswith(":") else 0
            items.append((it, it.depth + shift))
            j += 1
        if all(it.toc for it, _ in items):  # a table of contents: the headings themselves say it all
            if intro is not None:
                self.add("paragraph", intro.start, intro.end, intro.plain.text, sentences_of(intro.plain))
            return j
        low = min(d for _, d in items)
        items = [(it, d - low) for it, d in items]
        intro_sents = sentences_of(intro.plain) if intro is not None else []
        # items that are paragraphs: one passage each (with what is nested under it), like paragraphs
        chunks = _each_top(items) if paragraph_items([x for it, d in items for x in _item(it.plain, d)]) else _chunks(items)
        for chunk in chunks:
            lines = ["  " * d + (f"{it.number}." if it.number else "-") + " " + it.plain.text for it, d in chunk]
            text = "\n".join(lines) if intro is None else intro.plain.text + "\n\n" + "\n".join(lines)
            start = chunk[0][0].start if intro is None else intro.start
            self.add("list", start, max(it.end for it, _ in chunk), text,
                     intro_sents + [x for it, d in chunk for x in _item(it.plain, d)])
        return j


def _each_top(items: list) -> list[list]:
    """Each top-level item with the items nested under it."""
    out: list[list] = []
    for it, d in items:
        if d == 0 or not out:
            out.append([])
        out[-1].append((it, d))
    return out


def _chunks(items: list) -> list[list]:
    """Consecutive items in groups of at most MAXLIST_ITEMS, of similar size, split before top-level items."""
    if len(items) <= MAXLIST_ITEMS:
        return [items]
    size = math.ceil(len(items) / math.ceil(len(items) / MAXLIST_ITEMS))
    out: list[list] = [[]]
    for it, d in items:
        if out[-1] and (len(out[-1]) >= MAXLIST_ITEMS or (len(out[-1]) >= size and d == 0)):
            out.append([])
        out[-1].append((it, d))
    return out


def _question_headings(blocks: list[md.Block]) -> set[int]:
    """Indexes of the headings that are FAQ questions (see the module docstring)."""
    heads = [(i, b.level, b.plain.text) for i, b in enumerate(blocks) if b.kind == "heading"]
    per_level: dict[int, list[str]] = {}
    for _, level, text in heads:
        per_level.setdefault(level, []).append(text)
    qa_levels = {level for level, texts in per_level.items()
                 if sum(map(asks, texts)) >= 3 and 2 * sum(map(asks, texts)) > len(texts)}
    out = {i for i, level, text in heads if level in qa_levels and asks(text)}
    faq_level = question_level = None
    for i, level, text in heads:
        if faq_level is not None and level <= faq_level:
            faq_level = None
        if faq_level is not None:
            question_level = question_level or level
            if level == question_level:
                out.add(i)
        elif FAQ_SECTION.search(text):
            faq_level, question_level = level, None
    return out


# --- plain text ---------------------------------------------------------------------------------------------
