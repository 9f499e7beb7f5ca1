"""Source text → :class:`SourceDoc` with structure-aware passages.

Markdown (``.md``): optional YAML front matter; ``#`` headings; ``-``/``*``/``1.`` lists; ``---`` breaks;
in a section, a ``###`` heading ending in ``?`` followed by a paragraph is an FAQ pair.
Plain text (``.txt``): the first line is the title; a short line without closing punctuation is a
heading; lines starting with ``- `` are list items; other lines (or blank-line separated blocks) are paragraphs.

Passages: one per paragraph; a list together with the paragraph that introduces it (one ending in ``:``);
each FAQ question with its answer. ``text == source_text[start:end]`` always holds.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import yaml

from .models import Passage, Sentence, SourceDoc
from .sentences import split_sentences

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FAQ_SECTION = re.compile(r"frequently asked|\bfaqs?\b|questions? (?:and|&) answers?", re.I)


@dataclass
class _Block:
    kind: str  # heading | para | item | break
    start: int
    end: int
    level: int = 0
    inner_start: int = 0  # start of the text without markup

    def text(self, src: str) -> str:
        return src[self.inner_start:self.end]


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
    meta, body_start = _front_matter(text)
    blocks = _md_blocks(text, body_start) if not path.endswith(".txt") else _txt_blocks(text)
    title = str(meta.get("title") or "")
    if path.endswith(".txt") and blocks and blocks[0].kind == "heading":
        title = title or blocks[0].text(text)
        blocks = blocks[1:]
    if not title:
        first_h1 = next((b for b in blocks if b.kind == "heading" and b.level == 1), None)
        title = first_h1.text(text) if first_h1 else name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ")
    meta = {k: str(v) for k, v in meta.items()}
    default_section = meta.get("subtitle") or title
    passages = _passages(name, title, default_section, text, blocks)
    headings = tuple(dict.fromkeys(b.text(text) for b in blocks if b.kind == "heading" and b.text(text) != title))
    return SourceDoc(source=name, path=path, text=text, title=title, meta=meta, headings=headings, passages=tuple(passages))


def _front_matter(text: str) -> tuple[dict, int]:
    m = re.match(r"\A---\s*\n(.*?\n)---\s*(?:\n|\Z)", text, re.S)
    if not m:
        return {}, 0
    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return {}, 0
    return (data if isinstance(data, dict) else {}), m.end()


def _lines(text: str, pos: int):
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        yield pos, end
        pos = end + 1


def _md_blocks(text: str, pos: int) -> list[_Block]:
    blocks: list[_Block] = []
    para: _Block | None = None
    for a, b in _lines(text, pos):
        line = text[a:b]
        stripped = line.strip()
        if not stripped:
            para = None
            continue
        h = _HEADING.match(line)
        if h:
            para = None
            inner = a + line.index(h.group(2)) if h.group(2) else b
            blocks.append(_Block("heading", a, a + len(line.rstrip()), len(h.group(1)), inner))
            continue
        if re.fullmatch(r"(?:-{3,}|\*{3,}|_{3,})", stripped):
            para = None
            blocks.append(_Block("break", a, b))
            continue
        item = _LIST_ITEM.match(line)
        if item:
            para = None
            blocks.append(_Block("item", a, a + len(line.rstrip()), inner_start=a + item.end()))
            continue
        if para is not None:
            para.end = a + len(line.rstrip())
        else:
            lead = len(line) - len(line.lstrip())
            para = _Block("para", a + lead, a + len(line.rstrip()), inner_start=a + lead)
            blocks.append(para)
    return blocks


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


def _next_is_para(text: str, pos: int) -> bool:
    rest = text[pos:].lstrip("\n")
    line = rest.split("\n", 1)[0].strip()
    return bool(line) and not _LIST_ITEM.match(line) and len(line) >= 90


def _passages(name: str, title: str, default_section: str, text: str, blocks: list[_Block]) -> list[Passage]:
    source_slug = source_slug_for(name)
    out: list[Passage] = []
    section = default_section
    section_level = 0
    in_faq = False
    counters: dict[str, int] = {}
    i = 0

    def add(kind: str, start: int, end: int, sentences: list[Sentence], question: str = "") -> None:
        sec_slug = slugify(section)
        n = counters.get(sec_slug, 0) + 1
        counters[sec_slug] = n
        out.append(Passage(
            id=f"{source_slug}--{sec_slug}--{n}", source=name, title=title, section=section, kind=kind,
            start=start, end=end, text=text[start:end], sentences=tuple(sentences), order=len(out), question=question,
        ))

    while i < len(blocks):
        blk = blocks[i]
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if blk.kind == "heading":
            htext = blk.text(text)
            is_question = htext.endswith("?") and nxt is not None and nxt.kind == "para"
            if is_question and (in_faq or blk.level > section_level > 0 or section_level == 0 and in_faq):
                add("faq", blk.start, nxt.end, [Sentence(htext, blk.inner_start, blk.end)] + split_sentences(
                    nxt.text(text), nxt.inner_start), question=htext)
                i += 2
                continue
            if htext == title and blk.level == 1:
                i += 1
                continue
            section, section_level = htext, blk.level
            in_faq = bool(_FAQ_SECTION.search(htext))
            i += 1
            continue
        if blk.kind == "break":
            i += 1
            continue
        intro = blk.kind == "para" and nxt is not None and nxt.kind == "item" and blk.text(text).rstrip().endswith(":")
        if intro or blk.kind == "item":
            # A list, with the paragraph introducing it when there is one: intro sentences, then one per item.
            sents = split_sentences(blk.text(text), blk.inner_start) if intro else []
            j = i + 1 if intro else i
            while j < len(blocks) and blocks[j].kind == "item":
                sents.append(Sentence(blocks[j].text(text), blocks[j].inner_start, blocks[j].end))
                j += 1
            add("list", blk.start, blocks[j - 1].end, sents)
            i = j
            continue
        add("paragraph", blk.start, blk.end, split_sentences(blk.text(text), blk.inner_start))
        i += 1
    return out
