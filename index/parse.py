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

Plain text (``.txt``): the first line is the title; a short line without closing punctuation is a heading; lines
starting with ``- `` are list items; other lines are paragraphs. Passages as for Markdown (paragraphs, lists with
their introduction, ``?`` headings with their paragraph as FAQ pairs); there, ``text == source_text[start:end]``
holds for passages and sentences.

Hard-wrapped plain text (blank lines between blocks, nearly every line within ~80 columns, many blocks of several
lines: a README, a ``Q:``/``A:`` FAQ) is read by blocks instead of lines: a block's wrapped lines are one paragraph
(or one list item, from its marker to the next), a line underlined with ``===`` / ``---`` is a heading, a block
indented deeper than the text before it is a ``code`` passage, and a block labelled ``Q:`` (``Question:``) is a
question whatever its length, answered by the paragraphs after it (labelled ``A:`` or not; the labels are not part
of the text). As for Markdown, ``passage.text`` is then the joined text and sentences map back to their raw spans;
a title or heading naming an FAQ, or a page whose headings are mostly questions, makes every question heading an
FAQ pair, and further paragraphs of an answer take the question as their section.
"""
from __future__ import annotations

import hashlib
from collections import Counter
import math
import re
from dataclasses import dataclass

import yaml

from . import markdown as md
from .markdown import Plain
from .models import Passage, Sentence, SourceDoc
from .sentences import split_sentences

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FAQ_SECTION = re.compile(r"frequently asked|\bfaqs?\b|questions? (?:and|&) answers?", re.I)
_CLOSERS = " \t\"'”’»)*_"
MAX_LIST_ITEMS = 25  # a longer list is split into several passages
FAQ_ANSWER_WORDS = 150  # the FAQ passage takes further answer paragraphs while they fit in this many words


def slugify(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "x"


def source_slug_for(name: str) -> str:
    """The id prefix of a source's passages: its stem slugified, unique per source name.

    ``article.md`` → ``article``. Whenever the slug loses information (another suffix, a folder,
    characters or length dropped), a short hash of the full name is appended, so ``article.md`` and
    ``article.txt`` (or two long names sharing 24 characters) never share passage ids.
    """
    stem = name[:-3] if name.endswith(".md") else name
    slug = slugify(stem, 24)
    if slug == stem:
        return slug
    return f"{slug}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


def parse_source(name: str, path: str, text: str) -> SourceDoc:
    if path.endswith(".txt"):
        return _parse_txt(name, path, text)
    meta, body_start = _front_matter(text)
    blocks = [b for b in md.blocks(text, body_start) if b.kind != "heading" or b.plain]
    title = str(meta.get("title") or "")
    if not title:
        first_h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = first_h1.plain.text if first_h1 else _title_from_name(name)
    meta = {k: str(v) for k, v in meta.items()}
    blocks = [b for b in blocks if not (b.kind == "heading" and b.level == 1 and b.plain.text == title)]
    passages = _MdPassages(name, title, meta.get("subtitle") or title, blocks).build()
    headings = tuple(dict.fromkeys(b.plain.text for b in blocks if b.kind == "heading" and b.plain.text != title))
    return SourceDoc(source=name, path=path, text=text, title=title, meta=meta, headings=headings, passages=tuple(passages))


def _title_from_name(name: str) -> str:
    return name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ")


def _front_matter(text: str) -> tuple[dict, int]:
    m = re.match(r"\A---\s*\n(.*?\n)---\s*(?:\n|\Z)", text, re.S)
    if not m:
        return {}, 0
    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return {}, 0
    return (data if isinstance(data, dict) else {}), m.end()


def asks(heading: str) -> bool:
    """Whether a heading is phrased as a question (``?`` at the end, closing quotes or markup aside)."""
    return heading.rstrip(_CLOSERS).endswith("?")


def _sentences(plain: Plain) -> list[Sentence]:
    """``plain`` split into sentences, each with the file range of its raw span."""
    return [Sentence(s.text, *plain.span(s.start, s.end)) for s in split_sentences(plain.text)]


def _whole(plain: Plain, item: bool = False, depth: int = 0) -> Sentence:
    return Sentence(plain.text, *plain.span(0, len(plain.text)), item=item, depth=depth)


def _item(plain: Plain, depth: int) -> list[Sentence]:
    """A list item's sentences: the first marks the item, the others continue it."""
    sents = _sentences(plain) or [_whole(plain)]
    return [Sentence(x.text, x.start, x.end, item=True, depth=depth, cont=k > 0) for k, x in enumerate(sents)]


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
                self.add("paragraph", b.start, b.end, b.plain.text, _sentences(b.plain))
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
        sentences = [_whole(q.plain)] + [s for b in take for s in _sentences(b.plain)]
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
                self.add("paragraph", intro.start, intro.end, intro.plain.text, _sentences(intro.plain))
            return j
        low = min(d for _, d in items)
        items = [(it, d - low) for it, d in items]
        intro_sents = _sentences(intro.plain) if intro is not None else []
        for chunk in _chunks(items):
            lines = ["  " * d + (f"{it.number}." if it.number else "-") + " " + it.plain.text for it, d in chunk]
            text = "\n".join(lines) if intro is None else intro.plain.text + "\n\n" + "\n".join(lines)
            start = chunk[0][0].start if intro is None else intro.start
            self.add("list", start, max(it.end for it, _ in chunk), text,
                     intro_sents + [x for it, d in chunk for x in _item(it.plain, d)])
        return j


def _chunks(items: list) -> list[list]:
    """Consecutive items in groups of at most MAX_LIST_ITEMS, of similar size, split before top-level items."""
    if len(items) <= MAX_LIST_ITEMS:
        return [items]
    size = math.ceil(len(items) / math.ceil(len(items) / MAX_LIST_ITEMS))
    out: list[list] = [[]]
    for it, d in items:
        if out[-1] and (len(out[-1]) >= MAX_LIST_ITEMS or (len(out[-1]) >= size and d == 0)):
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
        elif _FAQ_SECTION.search(text):
            faq_level, question_level = level, None
    return out


# --- plain text ---------------------------------------------------------------------------------------------

@dataclass
class _Block:
    kind: str  # heading | para | item | code
    start: int
    end: int
    level: int = 0
    inner_start: int = 0  # start of the text without markup
    plain: Plain | None = None  # hard-wrapped text: the block's lines joined, with their offsets in the file
    question: bool = False  # labelled as a question ("Q: …")

    def text(self, src: str) -> str:
        return self.plain.text if self.plain is not None else src[self.inner_start:self.end]

    def sentences(self, src: str, **kw) -> list[Sentence]:
        if self.plain is None:
            return split_sentences(self.text(src), self.inner_start)
        return [Sentence(x.text, *self.plain.span(x.start, x.end), **kw) for x in split_sentences(self.plain.text)]

    def whole(self, src: str, **kw) -> Sentence:
        if self.plain is None:
            return Sentence(self.text(src), self.inner_start, self.end, **kw)
        return Sentence(self.plain.text, *self.plain.span(0, len(self.plain.text)), **kw)


def _parse_txt(name: str, path: str, text: str) -> SourceDoc:
    meta, _ = _front_matter(text)
    blocks = _wrapped_blocks(text) if _hard_wrapped(text) else _txt_blocks(text)
    title = str(meta.get("title") or "")
    if blocks and blocks[0].kind == "heading":
        title = title or blocks[0].text(text)
        blocks = blocks[1:]
    if not title:
        first_h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = first_h1.text(text) if first_h1 else _title_from_name(name)
    meta = {k: str(v) for k, v in meta.items()}
    default_section = meta.get("subtitle") or title
    passages = _txt_passages(name, title, default_section, text, blocks)
    headings = tuple(dict.fromkeys(b.text(text) for b in blocks if b.kind == "heading" and b.text(text) != title))
    return SourceDoc(source=name, path=path, text=text, title=title, meta=meta, headings=headings, passages=tuple(passages))


def _lines(text: str, pos: int):
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        yield pos, end
        pos = end + 1


def _txt_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    first = True
    for a, b in _lines(text, 0):
        line = text[a:b]
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        s, e = a + lead, a + len(line.rstrip())
        item = _LIST_ITEM.match(line)
        if item:
            blocks.append(_Block("item", s, e, inner_start=a + item.end()))
        elif first or (len(stripped) < 90 and not re.search(r"""[.:;,!"'”’]$""", stripped)) or (
                len(stripped) < 90 and stripped.endswith("?") and len(split_sentences(stripped)) == 1
                and blocks and blocks[-1].kind != "heading" and _next_is_para(text, b)):
            blocks.append(_Block("heading", s, e, 1 if first else 2, s))
        else:
            blocks.append(_Block("para", s, e, inner_start=s))
        first = False
    return blocks


WRAP_COLUMNS = 80  # hard-wrapped text keeps (nearly) every line within this many characters
_UNDERLINE = re.compile(r"^\s*(?:=+|-+)\s*$")  # a line of "=" or "-" under a heading
_LABEL = re.compile(r"^(?:(?P<q>q|question)|a|answer)\s*[:.)]\s+", re.I)  # "Q:  …", "A:  …" (FAQ convention)


def _runs(text: str) -> list[list[tuple[int, int]]]:
    """The blank-line separated runs of lines: each a list of (start, end) line spans."""
    runs, run = [], []
    for a, b in _lines(text, 0):
        if text[a:b].strip():
            run.append((a, b))
        elif run:
            runs.append(run)
            run = []
    return runs + [run] if run else runs


def _hard_wrapped(text: str) -> bool:
    """Whether plain text is hard-wrapped: blank lines between blocks, nearly every line within ``WRAP_COLUMNS``,
    and a line broken mid-sentence (one without closing punctuation followed by more of its block), unlike text
    of one paragraph per line."""
    runs = _runs(text)
    lines = [text[a:b].rstrip() for run in runs for a, b in run]
    broken = any(not re.search(r"""[.:;!?"'”’)]$""", text[a:b].rstrip()) for run in runs for a, b in run[:-1])
    return len(runs) >= 2 and broken and sum(len(x) <= WRAP_COLUMNS for x in lines) >= 0.9 * len(lines)


def _indent(line: str) -> int:
    """The characters of white space a line starts with (for offsets)."""
    return len(line) - len(line.lstrip())


def _column(line: str) -> int:
    """The column a line's text starts at, a tab reaching the next multiple of 8."""
    lead = line[:_indent(line)].expandtabs(8)
    return len(lead)


def _joined(text: str, spans: list[tuple[int, int]], skip: int = 0) -> Plain:
    """The lines ``spans`` (the first from ``skip`` characters past its indent) joined with one space."""
    parts = []
    for k, (a, b) in enumerate(spans):
        line = text[a:b]
        lo = a + _indent(line) + (skip if k == 0 else 0)
        hi = a + len(line.rstrip())
        parts.append(Plain(text[lo:hi], list(range(lo, hi))))
    return Plain.join(parts, [" "] * len(parts))


def _text_column(text: str, run: list[tuple[int, int]]) -> int:
    """Where a run's text starts: its least indent, the first line's counted after a list marker or a label."""
    cols = []
    for k, (a, b) in enumerate(run):
        line = text[a:b]
        m = (_LIST_ITEM.match(line.strip()) or _LABEL.match(line.strip())) if k == 0 else None
        cols.append(_column(line) + (m.end() if m else 0))
    return min(cols)


def _prose_column(text: str, runs: list[list[tuple[int, int]]]) -> int:
    """The column most wrapped paragraphs start at (their text, after any label): code stands deeper."""
    cols = Counter(_text_column(text, run) for run in runs
                   if len(run) > 1 and not _LIST_ITEM.match(text[run[0][0]:run[0][1]].strip()))
    return cols.most_common(1)[0][0] if cols else 0


def _prose(text: str) -> bool:
    """Sentences, not code: closing punctuation and mostly words of letters (an indented quote, not a command)."""
    words = text.split()
    return (len(words) >= 6 and bool(re.search(r"""[.!?]["'”’)]?$""", text))
            and sum(w.strip(".,;:!?()\"'”’“‘").isalpha() for w in words) >= 0.8 * len(words))


def _wrapped_blocks(text: str) -> list[_Block]:
    """Blocks of hard-wrapped plain text (see the module docstring)."""
    blocks: list[_Block] = []
    runs = _runs(text)
    prose = _prose_column(text, runs)
    context = prose  # the column of the text just read (an item's text, a paragraph's): code stands deeper
    lone: set[int] = set()  # items alone in their run (a numbered question: "1. Is it …?")
    for run in runs:
        first = text[run[0][0]:run[0][1]]
        if len(run) == 2 and _UNDERLINE.match(text[run[1][0]:run[1][1]]):
            a, b = run[0]
            lvl = 1 if text[run[1][0]:run[1][1]].strip().startswith("=") else 2
            blocks.append(_Block("heading", a + _indent(first), b, lvl, a + _indent(first),
                                 plain=_joined(text, run[:1])))
            continue
        col = _text_column(text, run)
        if blocks and col >= max(prose, context) + 4 and not _LABEL.match(first.strip()) and not _prose(
                _joined(text, run).text):
            start = run[0][0] + _indent(first)
            blocks.append(_Block("code", start, run[-1][0] + len(text[run[-1][0]:run[-1][1]].rstrip()), inner_start=start))
            continue
        segments: list[list[tuple[int, int]]] = []
        for a, b in run:  # a list marker or a Q/A label starts a new segment; other lines continue the last one
            line = text[a:b].strip()
            if not segments or _LIST_ITEM.match(line) or _LABEL.match(line):
                segments.append([])
            segments[-1].append((a, b))
        for seg in segments:
            line = text[seg[0][0]:seg[0][1]]
            item, label = _LIST_ITEM.match(line.strip()), _LABEL.match(line.strip())
            skip = item.end() if item else label.end() if label else 0
            plain = _joined(text, seg, skip)
            start, end = seg[0][0] + _indent(line), seg[-1][0] + len(text[seg[-1][0]:seg[-1][1]].rstrip())
            inner = plain.offs[0] if plain.offs else start
            short = len(segments) == 1 and len(plain.text) < 90 and not label
            if item:
                if len(segments) == 1:
                    lone.add(len(blocks))
                blocks.append(_Block("item", start, end, inner_start=inner, plain=plain))
                context = _column(line) + item.end()
            elif label and label.group("q") or short and plain.text.endswith("?") and len(split_sentences(plain.text)) == 1:
                blocks.append(_Block("heading", start, end, 2, inner, plain=plain, question=True))
            elif not blocks and len(run) == 1 or short and not re.search(r"""[.:;,!"'”’]$""", plain.text) and not (
                    0 < prose <= col):  # a short line indented as the text is is text ("If it prints something like")
                blocks.append(_Block("heading", start, end, 1 if not blocks else 2, inner, plain=plain))
            else:
                blocks.append(_Block("para", start, end, inner_start=inner, plain=plain))
                context = col
    # "1. Is it …?" alone, then its answer: a question; in a numbered Q&A list (three such or more), every numbered
    # item alone before its answer is one ("4. compress() returns an error.", "8. I found a bug.")
    answered = [i for i in sorted(lone) if i + 1 < len(blocks) and blocks[i + 1].kind == "para"]
    asking = [i for i in answered if blocks[i].text(text).endswith("?")]
    for i in answered if len(asking) >= 3 else asking:
        b = blocks[i]
        blocks[i] = _Block("heading", b.start, b.end, 2, b.inner_start, plain=b.plain, question=True)
    return blocks


def _next_is_para(text: str, pos: int) -> bool:
    rest = text[pos:].lstrip("\n")
    line = rest.split("\n", 1)[0].strip()
    return bool(line) and not _LIST_ITEM.match(line) and len(line) >= 90


def _txt_passages(name: str, title: str, default_section: str, text: str, blocks: list[_Block]) -> list[Passage]:
    source_slug = source_slug_for(name)
    out: list[Passage] = []
    section = default_section
    section_level = 0
    asked = [b for b in blocks if b.kind == "heading" and (b.question or b.text(text).endswith("?"))]
    headings = [b for b in blocks if b.kind == "heading"]
    # an FAQ page: its title says so, or most of its headings (at least 3) are questions
    faq_page = bool(_FAQ_SECTION.search(title)) or len(asked) >= 3 and 2 * len(asked) > len(headings)
    in_faq = faq_page
    answer_of = ""  # the question whose answer the paragraphs now read continue (hard-wrapped text)
    counters: dict[str, int] = {}
    i = 0

    def add(kind: str, parts: list[_Block], sentences: list[Sentence], question: str = "") -> None:
        sec = answer_of or section
        sec_slug = slugify(sec)
        n = counters.get(sec_slug, 0) + 1
        counters[sec_slug] = n
        start, end = parts[0].start, parts[-1].end
        if parts[0].plain is None:
            body = text[start:end]
        else:  # joined text: items one per line as "- item", other blocks separated by a blank line
            body = ""
            for b in parts:
                piece = "- " + b.text(text) if b.kind == "item" else b.text(text)
                body += ("" if not body else "\n" if b.kind == "item" else "\n\n") + piece
        out.append(Passage(
            id=f"{source_slug}--{sec_slug}--{n}", source=name, title=title, section=sec, kind=kind,
            start=start, end=end, text=body, sentences=tuple(sentences), order=len(out), question=question,
        ))

    while i < len(blocks):
        blk = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if blk.kind == "heading":
            htext = blk.text(text)
            is_question = (blk.question or htext.endswith("?")) and nxt is not None and nxt.kind == "para"
            if is_question and (in_faq or blk.level > section_level > 0):
                answer_of = ""
                add("faq", [blk, nxt], [blk.whole(text)] + nxt.sentences(text), question=htext)
                answer_of = htext if blk.plain is not None else ""
                i += 2
                continue
            answer_of = ""
            if htext == title and blk.level == 1:
                i += 1
                continue
            section, section_level = htext, blk.level
            in_faq = faq_page or bool(_FAQ_SECTION.search(htext))
            i += 1
            continue
        if blk.kind == "code":
            add("code", [blk], [])
            i += 1
            continue
        intro = blk.kind == "para" and nxt is not None and nxt.kind == "item" and blk.text(text).rstrip().endswith(":")
        if intro or blk.kind == "item":
            # A list, with the paragraph introducing it when there is one: intro sentences, then one per item.
            sents = blk.sentences(text) if intro else []
            j = i + 1 if intro else i
            while j < len(blocks) and blocks[j].kind == "item":
                sents.append(blocks[j].whole(text, item=True))
                j += 1
            add("list", blocks[i:j], sents)
            i = j
            continue
        add("paragraph", [blk], blk.sentences(text))
        i += 1
    return out
