"""Answer → HTML for the chat and its sources panel.

Every piece of text that comes from a user, the article or the assistant goes through :func:`esc` before it is
placed in markup; the only tags in the output are the ones written here. Pure functions of plain data (the
``Answer.to_dict()`` shape), so they are easy to test and shared by the full page and the embed.
"""
from __future__ import annotations

import re

from . import article

MARKER = re.compile(r"\[(\d+)\]")
_MARKER_RUN = re.compile(r"(?:\s*\[\d+\])+")
_HEADING = re.compile(r"(?m)^#{1,6}[ \t]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])\s+")
_WS = re.compile(r"\s+")

# Characters that HTML, Markdown or Gradio's LaTeX support would interpret; as entities they stay literal text.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "*": "&#42;", "_": "&#95;",
             "`": "&#96;", "[": "&#91;", "]": "&#93;", "#": "&#35;", "~": "&#126;", "|": "&#124;", "$": "&#36;",
             "\\": "&#92;", "!": "&#33;", "(": "&#40;", ")": "&#41;", "{": "&#123;", "}": "&#125;"}
_ENTITY_RE = re.compile("[" + re.escape("".join(_ENTITIES)) + "]")

SUGGEST_LEAD = "You could ask:"
FOLLOWUPS = 3  # suggested follow-up questions shown under an answer


def esc(text: str) -> str:
    """HTML-escape ``text`` and neutralise Markdown/LaTeX syntax, so it displays exactly as typed."""
    return _ENTITY_RE.sub(lambda m: _ENTITIES[m.group(0)], str(text))


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip().casefold()


def query_differs(question: str, query: str) -> bool:
    """True when the resolved search query is worth showing (not just the question re-spaced or re-cased)."""
    strip = lambda s: _norm(s).rstrip("?.! ")  # noqa: E731
    return bool(query) and strip(question) != strip(query)


def cited_phrases(answer: str) -> dict[int, list[str]]:
    """Marker number → the answer text it follows (the sentences citing that passage)."""
    out: dict[int, list[str]] = {}
    pos = 0
    for m in _MARKER_RUN.finditer(answer):
        seg = MARKER.sub("", answer[pos:m.start()]).strip()
        pos = m.end()
        if not seg:
            continue
        for k in (int(x) for x in MARKER.findall(m.group(0))):
            out.setdefault(k, []).append(seg)
    return out


def _ranges(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    """Character ranges of ``phrases`` (or of their sentences) found verbatim in ``text``; merged and sorted."""
    found: list[tuple[int, int]] = []
    for phrase in phrases:
        parts = [phrase] + [p for p in _SENTENCE_SPLIT.split(phrase) if p != phrase]
        for part in parts:
            part = part.strip()
            if len(part) < 3:
                continue
            i = text.find(part)
            if i >= 0:
                found.append((i, i + len(part)))
                if part == phrase:
                    break
    found.sort()
    merged: list[tuple[int, int]] = []
    for a, b in found:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def passage_text(raw: str) -> str:
    """The passage as shown to readers: Markdown heading marks removed."""
    return _HEADING.sub("", raw).strip()


def highlight(raw: str, phrases: list[str]) -> tuple[str, int]:
    """Escaped passage text with the cited ``phrases`` wrapped in ``<mark>``; also the number of marks."""
    text = passage_text(raw)
    spans = _ranges(text, phrases)
    out, pos = [], 0
    for a, b in spans:
        out.append(esc(text[pos:a]))
        out.append(f"<mark>{esc(text[a:b])}</mark>")
        pos = b
    out.append(esc(text[pos:]))
    return "".join(out), len(spans)


def answer_body(text: str, turn: int, citations: list[dict]) -> str:
    """The answer text escaped, with ``[n]`` markers turned into links to source ``n`` of this turn."""
    out, pos = [], 0
    for m in MARKER.finditer(text):
        out.append(esc(text[pos:m.start()]))
        k = int(m.group(1))
        if 1 <= k <= len(citations):
            section = esc(citations[k - 1].get("section", ""))
            # Gradio's sanitiser drops aria-label; chat.js copies the title into it ("Citation 1: Section").
            out.append(f'<a class="cite" href="#src-{turn}-{k}" title="Citation {k}: {section}">[{k}]</a>')
        else:
            out.append(esc(m.group(0)))
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def answer_message(ans: dict, question: str, turn: int, shown_words: int | None = None) -> str:
    """The chat bubble of one answer (``shown_words`` < all while streaming)."""
    parts = []
    if query_differs(question, ans.get("query", "")):
        parts.append(f'<div class="searched">Searched for: <q>{esc(ans["query"])}</q></div>')
    if ans.get("refused"):
        # The answer says it once ("The article doesn't cover that."); the UI adds nothing to it.
        parts.append(f'<p class="refusal">{esc(ans.get("answer") or ans.get("message", ""))}</p>')
        if ans.get("suggestions") and shown_words is None:
            parts.append(f'<p class="suggest-lead">{esc(SUGGEST_LEAD)}</p>')
        return "".join(parts)
    words = ans.get("answer", "").split(" ")
    text = ans.get("answer", "") if shown_words is None else " ".join(words[:shown_words])
    cursor = '<span class="cursor" aria-hidden="true">▍</span>' if shown_words is not None else ""
    parts.append(f'<p class="answer">{answer_body(text, turn, ans.get("citations", []))}{cursor}</p>')
    return "".join(parts)


def suggestion_options(ans: dict) -> list[dict]:
    """Clickable questions under a bubble: what to ask instead after a refusal, 2–3 follow-ups after an answer."""
    picks = [s for s in ans.get("suggestions") or [] if isinstance(s, str) and s.strip()]
    if not ans.get("refused"):
        picks = picks[:FOLLOWUPS]
    return [{"value": q, "label": q} for q in picks]


def word_count(ans: dict) -> int:
    return len(ans.get("answer", "").split(" "))


def error_message(message: str) -> str:
    return f'<p class="error">{esc(message)}</p>'


def user_message(question: str) -> str:
    return esc(question)


def sources_turn(ans: dict, question: str, turn: int, open_: bool = True) -> str:
    """One turn's sources: each cited passage with its section, the cited sentences highlighted."""
    cites = ans.get("citations") or []
    if not cites:
        return ""
    phrases = cited_phrases(ans.get("answer", ""))
    items = []
    for k, c in enumerate(cites, 1):
        body, _ = highlight(c.get("text", ""), phrases.get(k, []))
        quote = " … ".join(esc(p) for p in phrases.get(k, []))
        items.append(
            f'<details class="src" id="src-{turn}-{k}" data-passage="{esc(c.get("id", ""))}">'
            f'<summary><span class="num">[{k}]</span> <span class="section">{esc(c.get("section", ""))}</span>'
            f'<span class="where">{esc(c.get("title") or c.get("source", ""))}</span>'
            + (f'<span class="quote">{quote}</span>' if quote else "")
            + f'</summary><div class="passage">{body}</div>{read_link(c)}</details>')
    return (f'<details class="turn" id="turn-{turn}"{" open" if open_ else ""}>'
            f'<summary class="turn-q">{esc(question)}</summary>{"".join(items)}</details>')


READ_LINK = "Read in the article"


def read_link(c: dict) -> str:
    """A link to the whole article, opened at this passage (highlighted there); a new tab, so the chat stays."""
    if not c.get("source") or not c.get("id"):
        return ""
    where = esc(c.get("title") or c.get("source", ""))
    return (f'<a class="read-article" href="{esc(article.href(c["source"], c["id"]))}" target="_blank" '
            f'rel="noopener" title="{READ_LINK}: {where} (opens in a new tab)">{READ_LINK} '
            '<span aria-hidden="true">\u2197</span></a>')


SOURCES_EMPTY = ('<div class="sources-empty">Answers quote the article. Their sources appear here: click a '
                 '<span class="cite-demo">[1]</span> marker to read the passage, with the cited sentences highlighted.</div>')


def sources_panel(turns: list[dict]) -> str:
    """All answered turns' sources, newest first; only the newest is expanded."""
    # The newest turn with sources is expanded (a refusal after it, which has none, changes nothing).
    cited = [t for t in reversed(turns) if (t["answer"].get("citations") or [])]
    blocks = [sources_turn(t["answer"], t["question"], t["turn"], open_=(i == 0)) for i, t in enumerate(cited)]
    inner = "".join(blocks) if blocks else SOURCES_EMPTY
    return f'<div class="sources" role="region" aria-label="Sources">{inner}</div>'
