"""Markdown → a flat list of blocks, from markdown-it-py's token stream (CommonMark + tables).

Each block has its character range in the file (from the token's ``.map`` line range) and, for prose, its
*plain* text: the inline content with the Markdown syntax removed (links show their text, images are dropped,
emphasis / strong / code markers and inline HTML tags are removed, soft and hard line breaks become one space,
white space is collapsed). Every character of the plain text keeps the file offset it came from
(:class:`Plain`), so a sentence found in the plain text can be mapped back to its span in the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

_NEWLINE = re.compile(r"\r\n?|\n")  # what markdown-it counts as a line break
# Removed from prose even when Markdown leaves it as text: a URL in brackets right after a link's text (as a
# malformed link "[text]](https://x)" leaves it), kramdown attribute lists ({: .class}), unmatched runs of **
# (footnote-like markers, stray bold). A bare URL stays: it is what the sentence says ("register at https://x").
_NOISE = re.compile(r"""\((?:https?|ftp)://[^\s<>"()]*\)|\{:[^}\n]*\}|\*{2,}""")
_PUNCT_AFTER = ",.;:!?)"
URL = re.compile(r"(?:https?|ftp)://\S+")  # a web address as prose writes it
_BARE_URLS = re.compile(rf"^\s*(?:{URL.pattern}\s*)+$")  # text that is only addresses
_GAP = "\x00"  # marks, while rendering, where something was dropped
_TAG = re.compile(r"<!--.*?-->|<\?.*?\?>|<![A-Z][^>]*>|<!\[CDATA\[.*?\]\]>|</?[A-Za-z][^>]*>", re.S)
_SENTENCE_END = ".!?:;,"
PSEUDO_HEADING_LEVEL = 7  # a paragraph that is only a short bold phrase acts as a heading below every real one

_md = MarkdownIt("commonmark").enable("table")


@dataclass
class Plain:
    """Plain text with, for each of its characters, the offset in the file it was read from."""

    text: str
    offs: list[int]
    link: bool = False  # nothing but the text of links to other pages ("[See this video on …](https://…)")

    def span(self, a: int, b: int) -> tuple[int, int]:
        """File range of the plain characters ``a:b`` (``a < b``)."""
        return self.offs[a], self.offs[b - 1] + 1

    def __bool__(self) -> bool:
        return bool(self.text)

    @staticmethod
    def join(parts: list["Plain"], seps: list[str]) -> "Plain":
        """``parts`` joined; ``seps[i]`` goes before ``parts[i]`` (``seps[0]`` is ignored)."""
        text, offs = "", []
        for k, p in enumerate(parts):
            if not p:
                continue
            if text:
                sep = seps[k]
                if sep.strip() and text.endswith(tuple(_SENTENCE_END)):
                    sep = " "
                text += sep
                offs += [offs[-1]] * len(sep)
            text += p.text
            offs += p.offs
        return Plain(text, offs, bool(parts) and all(p.link for p in parts if p))


@dataclass
class Block:
    kind: str  # heading | para | item | code | table | hr
    start: int  # file range of the whole block
    end: int
    plain: Plain = field(default_factory=lambda: Plain("", []))  # heading / para / item text
    text: str = ""  # code and table text
    level: int = 0  # heading level (PSEUDO_HEADING_LEVEL for a bold-only paragraph)
    depth: int = 0  # list item nesting, 0 = top level
    list_id: int = -1  # items of one Markdown list share it
    number: str = ""  # an ordered list item's number
    toc: bool = False  # an item that is only a link to an anchor of this page (a table of contents)
    parts: list[tuple[Plain, bool]] = field(default_factory=list)  # an item's content: (text, is a heading)


class _Mapper:
    """Renders inline tokens to plain text, finding each piece in the raw block text to keep its offsets.

    The raw text is scanned left to right with a cursor: a piece of text is looked for from the cursor (markup
    before it is skipped that way); link targets and image syntax are skipped explicitly. When a piece is not
    in the raw text verbatim (entities, backslash escapes), its characters are matched one by one nearby.
    """

    def __init__(self, src: str, pos: int, limit: int, masked: frozenset[int] = frozenset()) -> None:
        self.src, self.cur, self.limit = src, pos, limit
        self.link_end = -1  # inside a link's text: where its "]" stands (a piece is not looked for past it)
        self.masked = masked  # offsets of HTML tags blanked out in ``src``: white space there is a gap
        self.chars: list[str] = []
        self.offs: list[int] = []

    def gap(self) -> None:
        """Something was dropped here (an image, a tag, an autolink): a space, unless punctuation follows."""
        self.chars.append(_GAP)
        self.offs.append(min(self.cur, max(self.limit - 1, 0)))

    # -- raw positions --------------------------------------------------------------------------------------
    def _locate(self, s: str) -> list[int]:
        # inside a link's text, not past its "]": "[a\\_b](#a_b)" has "a_b" verbatim only in the target
        i = self.src.find(s, self.cur, self.link_end if self.link_end >= self.cur else self.limit)
        if i >= 0:
            self.cur = i + len(s)
            return list(range(i, i + len(s)))
        out = []
        for ch in s:
            if ch.isspace():
                j = next((k for k in range(self.cur, min(self.limit, self.cur + 12)) if self.src[k].isspace()), -1)
            else:
                j = self.src.find(ch, self.cur, min(self.limit, self.cur + 12))
            if j >= 0:
                out.append(j)
                self.cur = j + 1
            else:
                out.append(min(self.cur, max(self.limit - 1, 0)))
        return out

    def _skip_target(self, j: int) -> int:
        """``j`` at the ``]`` closing a link text: the position after ``](…)``, ``][…]`` or ``]``."""
        src, limit = self.src, self.limit
        if j >= limit or src[j] != "]":
            return j
        j += 1
        if j < limit and src[j] == "(":
            depth = 0
            for k in range(j, limit):
                if src[k] == "\\":
                    continue
                if src[k] == "(":
                    depth += 1
                elif src[k] == ")":
                    depth -= 1
                    if depth == 0:
                        return k + 1
            return j
        if j < limit and src[j] == "[":
            k = src.find("]", j, limit)
            return k + 1 if k >= 0 else j
        return j

    # -- output ---------------------------------------------------------------------------------------------
    def put(self, s: str, clean: bool = True) -> None:
        offs = self._locate(s)
        keep = [True] * len(s)
        if clean:
            for m in _NOISE.finditer(s):
                a, b = m.span()
                for k in range(a, b):
                    keep[k] = False
                after, before = b, a - 1
                while after < len(s) and s[after].isspace():
                    after += 1
                while before >= 0 and s[before].isspace():
                    before -= 1
                if after == len(s) or s[after] in _PUNCT_AFTER:  # "see https://x." → "see." (not "see .")
                    if after < len(s) and s[after] in ",;:" and before >= 0 and s[before] in ",;:":
                        after += 1  # "Makers, https://x, licence" → "Makers, licence"
                    for k in range(before + 1, after):
                        keep[k] = False
        for ch, off, k in zip(s, offs, keep):
            if k:
                self.chars.append(_GAP if off in self.masked and ch.isspace() else ch)
                self.offs.append(off)

    def space(self) -> None:
        i = self.src.find("\n", self.cur, self.limit)
        i = self.cur if i < 0 else i
        self.chars.append(" ")
        self.offs.append(min(i, max(self.limit - 1, 0)))
        self.cur = i + 1 if i < self.limit else self.cur

    def render(self, children: list[Token]) -> None:
        in_autolink = False
        for c in children:
            t = c.type
            if t == "text":
                self.put(c.content, clean=not in_autolink)  # an autolink's text is its address: shown as written
            elif t == "code_inline":
                self.put(c.content, clean=False)
                while self.cur < self.limit and self.src[self.cur] == "`":
                    self.cur += 1
            elif t in ("softbreak", "hardbreak"):
                self.space()
            elif t == "link_open":
                in_autolink = c.markup == "autolink"
                self.link_end = -1 if in_autolink else self.src.find("](", self.cur, self.limit)
            elif t == "link_close":
                if in_autolink:
                    if self.cur < self.limit and self.src[self.cur] == ">":
                        self.cur += 1
                    in_autolink = False
                    self.gap()
                else:
                    j = self.src.find("]", self.cur, min(self.limit, self.cur + 40))
                    if j >= 0:
                        self.cur = self._skip_target(j)
                    self.link_end = -1
            elif t == "image":
                i = self.src.find("![", self.cur, self.limit)
                if i >= 0:
                    j = self.src.find("]", i + 2, self.limit)
                    self.cur = self._skip_target(j) if j >= 0 else i + 2
                self.gap()
            elif t == "html_inline":
                i = self.src.find(c.content, self.cur, self.limit)
                if i >= 0:
                    self.cur = i + len(c.content)
                self.gap()
            # em/strong open/close and anything else: markup only, no text

    def plain(self) -> Plain:
        """The collected text with white space runs collapsed to one space and the ends stripped; a run of white
        space next to something dropped disappears before punctuation ("or <https://x>." → "or.")."""
        text, offs = [], []
        pending, pending_off, gapped = False, 0, False
        for ch, off in zip(self.chars, self.offs):
            if ch == _GAP or ch.isspace():
                if not pending:
                    pending_off = off
                pending = True
                gapped = gapped or ch == _GAP
                continue
            if pending and text and not (gapped and ch in _PUNCT_AFTER):
                text.append(" ")
                offs.append(pending_off)
            pending, gapped = False, False
            text.append(ch)
            offs.append(off)
        return Plain("".join(text), offs)


def blocks(text: str, body_start: int = 0) -> list[Block]:
    """The blocks of the Markdown in ``text[body_start:]``, in order, with file offsets."""
    body = text[body_start:]
    line_starts = [body_start] + [body_start + m.end() for m in _NEWLINE.finditer(body)] + [len(text)]
    tokens = _md.parse(body)
    return _Walker(text, line_starts).walk(tokens)


class _Walker:
    def __init__(self, src: str, line_starts: list[int], depth: int = 0, next_list: int = 0,
                 masked: frozenset[int] = frozenset()) -> None:
        self.src, self.ls, self.masked = src, line_starts, masked
        self.depth = depth  # 1 inside an HTML block
        self.next_list = next_list  # the id of the next Markdown list
        self.out: list[Block] = []

    def _line(self, n: int) -> int:
        return self.ls[min(n, len(self.ls) - 1)]

    def range(self, line_map) -> tuple[int, int]:
        a, b = self._line(line_map[0]), self._line(line_map[1])
        seg = self.src[a:b]
        start = a + (len(seg) - len(seg.lstrip()))
        return start, max(start, a + len(seg.rstrip()))

    def inline(self, tok: Token) -> Plain:
        a, b = self._line(tok.map[0]), self._line(tok.map[1])
        m = _Mapper(self.src, a, b, self.masked)
        m.render(tok.children or [])
        plain = m.plain()
        plain.link = _links_only(tok.children or [])
        return plain

    def walk(self, tokens: list[Token]) -> list[Block]:
        stack: list[Token] = []
        items: list[Block] = []  # open list items, innermost last
        lists: list[Token] = []
        list_id = -1
        i = 0
        while i < len(tokens):
            t = tokens[i]
            typ = t.type
            if typ in ("bullet_list_open", "ordered_list_open"):
                if not lists:
                    list_id = self.next_list
                    self.next_list += 1
                lists.append(t)
            elif typ in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif typ == "list_item_open":
                s, e = self.range(t.map)
                blk = Block("item", s, s, depth=len(lists) - 1, list_id=list_id,
                            number=t.info if lists and lists[-1].type == "ordered_list_open" else "")
                self.out.append(blk)
                items.append(blk)
            elif typ == "list_item_close":
                blk = items.pop()
                blk.plain = Plain.join([p for p, _ in blk.parts],
                                       [""] + [": " if h else " " for _, h in blk.parts[:-1]])
            elif typ == "inline":
                parent = stack[-1] if stack else None
                plain = self.inline(t)
                s, e = self.range(t.map)
                if items:  # content of a list item: its paragraphs (and headings) joined
                    if plain:
                        blk = items[-1]
                        blk.parts.append((plain, parent is not None and parent.type == "heading_open"))
                        blk.end = max(blk.end, e)
                        blk.toc = (blk.toc or len(blk.parts) == 1) and _anchor_only(t.children or [])
                elif parent is not None and parent.type == "heading_open":
                    hs, he = self.range(parent.map)
                    self.out.append(Block("heading", hs, he, plain=plain, level=int(parent.tag[1])))
                elif parent is not None and parent.type == "paragraph_open" and plain:
                    if _pseudo_heading(t, plain) and not any(x.type == "blockquote_open" for x in stack):
                        self.out.append(Block("heading", s, e, plain=plain, level=PSEUDO_HEADING_LEVEL))
                    else:
                        self.out.append(Block("para", s, e, plain=plain))
            elif typ in ("fence", "code_block"):
                s, e = self.range(t.map)
                self.out.append(Block("code", s, e, text=t.content.rstrip("\n")))
            elif typ == "table_open":
                rows, row = [], None
                j = i + 1
                while j < len(tokens) and tokens[j].type != "table_close":
                    if tokens[j].type == "tr_open":
                        row = []
                    elif tokens[j].type == "inline" and row is not None:
                        row.append(self.inline(tokens[j]).text)
                    elif tokens[j].type == "tr_close" and row is not None:
                        while row and not row[-1]:
                            row.pop()
                        if row:
                            rows.append(" | ".join(row))
                        row = None
                    j += 1
                s, e = self.range(t.map)
                if rows:
                    self.out.append(Block("table", s, e, text="\n".join(rows).strip()))
                i = j + 1
                continue
            elif typ == "html_block":
                inner = self._html(t)
                if items:  # inside a list item: its words join the item's text
                    for b in inner:
                        if b.plain and b.kind != "heading":
                            items[-1].parts.append((b.plain, False))
                            items[-1].end = max(items[-1].end, b.end)
                else:
                    self.out.extend(inner)
            elif typ == "hr":
                s, e = self.range(t.map)
                self.out.append(Block("hr", s, e))
            if t.nesting == 1:
                stack.append(t)
            elif t.nesting == -1 and stack:
                stack.pop()
            i += 1
        return [b for b in self.out if b.kind not in ("item",) or b.plain]

    def _html(self, tok: Token) -> list[Block]:
        """The blocks inside an HTML block: its tags blanked out (offsets kept), the rest read as Markdown."""
        s, e = self._line(tok.map[0]), self._line(tok.map[1])
        raw = self.src[s:e]
        masked = _TAG.sub(lambda m: re.sub(r"[^\r\n]", " ", m.group(0)), raw)
        if self.depth > 0 or not masked.strip():
            return []
        src = self.src[:s] + masked + self.src[e:]
        blanked = frozenset(s + k for m in _TAG.finditer(raw) for k in range(m.start(), m.end()))
        starts = [s] + [s + m.end() for m in _NEWLINE.finditer(masked)]
        if starts[-1] != e:
            starts.append(e)
        lines = [src[a:b] for a, b in zip(starts, starts[1:])]
        sub = _Walker(src, starts + [e], self.depth + 1, self.next_list, blanked)
        out = sub.walk(_md.parse("".join(line.lstrip(" \t") for line in lines)))
        self.next_list = sub.next_list
        return out


def _only_links(children: list[Token], said=("text", "code_inline")) -> list[Token] | None:
    """The links (their opening tokens) of inline content that says nothing outside them: no token of a type in
    ``said`` with text of its own; None when it does."""
    in_link, links = False, []
    for c in children:
        if c.type == "link_open":
            in_link = True
            links.append(c)
        elif c.type == "link_close":
            in_link = False
        elif c.type in said and c.content.strip() and not in_link:
            return None
    return links


def _links_only(children: list[Token]) -> bool:
    """Whether the inline content is nothing but links to other pages (by their text, or their address: an autolink
    or a bare URL): a pointer elsewhere, not something said."""
    said = [c for c in children if not (c.type == "text" and _BARE_URLS.match(c.content))]
    links = _only_links(said, said=("text", "code_inline", "image"))
    return links is not None and bool(links or len(said) < len(children)) and not any(
        str(c.attrGet("href") or "").startswith("#") for c in links)


def _anchor_only(children: list[Token]) -> bool:
    """Whether the inline content is nothing but links to anchors of the same page (``[Intro](#intro)``)."""
    links = _only_links(children)
    return bool(links) and all(str(c.attrGet("href") or "").startswith("#") for c in links)


def _pseudo_heading(tok: Token, plain: Plain) -> bool:
    """A one-line paragraph that is only a short bold phrase (``**Optimize mobile experiences**``)."""
    kids = [c for c in tok.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(kids) < 3 or kids[0].type != "strong_open" or kids[-1].type != "strong_close":
        return False
    depth = 0
    for k, c in enumerate(kids):
        if c.type in ("link_open", "image", "softbreak", "hardbreak", "html_inline"):
            return False
        depth += (c.type == "strong_open") - (c.type == "strong_close")
        if depth == 0 and k < len(kids) - 1:  # "**a** and **b**": not one bold phrase
            return False
    return len(plain.text.split()) <= 10 and not plain.text.endswith(tuple(_SENTENCE_END))
