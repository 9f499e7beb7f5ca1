"""Plain text (``.txt``) → :class:`SourceDoc` with the same kinds of passages as Markdown (:mod:`index.parse`, which
hands ``.txt`` files here).

Text of one paragraph per line: the first line is the title; a short line without closing punctuation is a heading;
lines starting with ``- `` are list items; other lines are paragraphs. Passages as for Markdown (paragraphs, lists
with their introduction, ``?`` headings with their paragraph as FAQ pairs); there, ``text == source_text[start:end]``
holds for passages and sentences.

Hard-wrapped plain text (blank lines between blocks, nearly every line within ~80 columns, lines broken mid-sentence:
a README, a ``Q:``/``A:`` FAQ) is read by blocks instead of lines: a block's wrapped lines are one paragraph (or one
list item, from its marker to the next), a line underlined with ``===`` / ``---`` is a heading, a block indented
deeper than the text around it that is not sentences is a ``code`` passage, and a block labelled ``Q:``
(``Question:``) is a question whatever its length, answered by the paragraphs after it (labelled ``A:`` or not; the
labels are not part of the text), as is a numbered item alone before its answer ending in ``?`` — or any such item,
in a list of three or more of them ("4. compress() returns an error."). As for Markdown, ``passage.text`` is then the
joined text and sentences map back to their raw spans; a title or heading naming an FAQ, or a page whose headings
are mostly questions, makes every question heading an FAQ pair, and further paragraphs of an answer take the
question as their section.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .markdown import Plain
from .models import Passage, Sentence, SourceDoc
from .sourcedoc import (FAQ_SECTION, LIST_ITEM, front_matter, sentences_of, slugify, source_slug_for,
                        title_from_name, title_span, whole_sentence)
from .sentences import split_sentences


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

    def sentences(self, src: str) -> list[Sentence]:
        return split_sentences(self.text(src), self.inner_start) if self.plain is None else sentences_of(self.plain)

    def whole(self, src: str, item: bool = False) -> Sentence:
        if self.plain is None:
            return Sentence(self.text(src), self.inner_start, self.end, item=item)
        return whole_sentence(self.plain, item=item)


def parse_txt(name: str, path: str, text: str) -> SourceDoc:
    meta, body_start = front_matter(text)
    blocks = _wrapped_blocks(text) if _hard_wrapped(text) else _txt_blocks(text)
    title = str(meta.get("title") or "")
    if blocks and blocks[0].kind == "heading":
        title = title or blocks[0].text(text)
        blocks = blocks[1:]
    if not title:
        first_h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = first_h1.text(text) if first_h1 else title_from_name(name)
    meta = {k: str(v) for k, v in meta.items()}
    default_section = meta.get("subtitle") or title
    passages = _txt_passages(name, title, default_section, text, blocks)
    headings = tuple(dict.fromkeys(b.text(text) for b in blocks if b.kind == "heading" and b.text(text) != title))
    return SourceDoc(source=name, path=path, text=text, title=title, meta=meta, headings=headings, passages=tuple(passages),
                     title_span=title_span(text, title, body_start))


SHORT_LINE = 90  # a line shorter than this may be a heading or a question; a paragraph is at least this long


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
        item = LIST_ITEM.match(line)
        if item:
            blocks.append(_Block("item", s, e, inner_start=a + item.end()))
        elif first or (len(stripped) < SHORT_LINE and not re.search(r"""[.:;,!"'”’]$""", stripped)) or (
                len(stripped) < SHORT_LINE and stripped.endswith("?") and len(split_sentences(stripped)) == 1
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


def _span(text: str, lines: list[tuple[int, int]]) -> tuple[int, int]:
    """The file range of ``lines`` from the first one's first character to the last one's last."""
    (a, _), (c, d) = lines[0], lines[-1]
    return a + _indent(text[a:lines[0][1]]), c + len(text[c:d].rstrip())


def _text_column(text: str, run: list[tuple[int, int]]) -> int:
    """Where a run's text starts: its least indent, the first line's counted after a list marker or a label."""
    cols = []
    for k, (a, b) in enumerate(run):
        line = text[a:b]
        m = (LIST_ITEM.match(line.strip()) or _LABEL.match(line.strip())) if k == 0 else None
        cols.append(_column(line) + (m.end() if m else 0))
    return min(cols)


def _prose_column(text: str, runs: list[list[tuple[int, int]]]) -> int:
    """The column most wrapped paragraphs start at (their text, after any label): code stands deeper."""
    cols = Counter(_text_column(text, run) for run in runs
                   if len(run) > 1 and not LIST_ITEM.match(text[run[0][0]:run[0][1]].strip()))
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
            start, end = _span(text, run[:1])
            lvl = 1 if text[run[1][0]:run[1][1]].strip().startswith("=") else 2
            blocks.append(_Block("heading", start, end, lvl, start, plain=_joined(text, run[:1])))
            continue
        col = _text_column(text, run)
        if blocks and col >= max(prose, context) + 4 and not _LABEL.match(first.strip()) and not _prose(
                _joined(text, run).text):
            start, end = _span(text, run)
            blocks.append(_Block("code", start, end, inner_start=start))
            continue
        segments: list[list[tuple[int, int]]] = []
        for a, b in run:  # a list marker or a Q/A label starts a new segment; other lines continue the last one
            line = text[a:b].strip()
            if not segments or LIST_ITEM.match(line) or _LABEL.match(line):
                segments.append([])
            segments[-1].append((a, b))
        for seg in segments:
            line = text[seg[0][0]:seg[0][1]]
            item, label = LIST_ITEM.match(line.strip()), _LABEL.match(line.strip())
            skip = item.end() if item else label.end() if label else 0
            plain = _joined(text, seg, skip)
            start, end = _span(text, seg)
            inner = plain.offs[0] if plain.offs else start
            short = len(segments) == 1 and len(plain.text) < SHORT_LINE and not label
            if item:
                if len(segments) == 1:
                    lone.add(len(blocks))
                blocks.append(_Block("item", start, end, inner_start=inner, plain=plain))
                context = _column(line) + item.end()
            elif label and label.group("q") or (short and plain.text.endswith("?")
                                                and len(split_sentences(plain.text)) == 1):
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
    return bool(line) and not LIST_ITEM.match(line) and len(line) >= SHORT_LINE


def _txt_passages(name: str, title: str, default_section: str, text: str, blocks: list[_Block]) -> list[Passage]:
    source_slug = source_slug_for(name)
    out: list[Passage] = []
    section = default_section
    section_level = 0
    def asks(b: _Block | None) -> bool:  # a heading asking a question ("Q: …", "… ?")
        return b is not None and b.kind == "heading" and (b.question or b.text(text).endswith("?"))

    asked = [b for b in blocks if asks(b)]
    headings = [b for b in blocks if b.kind == "heading"]
    # an FAQ page: its title says so, or most of its headings (at least 3) are questions
    faq_page = bool(FAQ_SECTION.search(title)) or len(asked) >= 3 and 2 * len(asked) > len(headings)
    in_faq = faq_page
    answer_of = ""  # the question whose answer the paragraphs now read continue (hard-wrapped text)
    shared = ""  # a question asked right before another, sharing its answer ("Q. … testing …? Q. … unstable …? A. …")
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
            is_question = asks(blk) and nxt is not None and nxt.kind == "para"
            if asks(blk) and in_faq and asks(nxt):
                shared = htext  # not a section of its own: it heads the passage of the question answered with it
                i += 1
                continue
            if is_question and (in_faq or blk.level > section_level > 0):
                answer_of = shared
                add("faq", [blk, nxt], [blk.whole(text)] + nxt.sentences(text), question=htext)
                answer_of, shared = (htext if blk.plain is not None else ""), ""
                i += 2
                continue
            shared = ""
            answer_of = ""
            if htext == title and blk.level == 1:
                i += 1
                continue
            section, section_level = htext, blk.level
            in_faq = faq_page or bool(FAQ_SECTION.search(htext))
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
