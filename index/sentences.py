"""Sentence splitting with character offsets (no model, no download)."""
from __future__ import annotations

import re

from .models import Sentence

# Words after which a period does not end a sentence.
_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "gen", "col", "lt", "sgt", "capt", "rep", "sen", "gov",
    "pres", "vs", "etc", "e.g", "i.e", "no", "fig", "inc", "ltd", "co", "corp", "u.s", "u.k", "u.n", "e.u", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est",
}
# After these, a period ends the sentence anyway when a usual sentence opener follows ("… in the U.S. If you …").
_ABBREV_AT_END = {"u.s", "u.k", "u.n", "e.u", "etc"}
_OPENERS = {
    "a", "an", "and", "as", "but", "for", "he", "her", "his", "if", "in", "it", "its", "many", "most", "on", "our",
    "she", "some", "that", "the", "their", "there", "these", "they", "this", "those", "to", "we", "when", "while",
    "you", "your",
}
_END = re.compile(r"""[.!?]+["'’”)\]]*(?=\s+|$)""")


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split ``text`` into sentences; offsets are ``offset`` + position in ``text``.

    A sentence ends at ``.``, ``!`` or ``?`` (with closing quotes) followed by white space and a
    capital, digit, quote or end of text, unless the word before the period is a known abbreviation
    or a single initial (but "U.S." or "etc." followed by a usual sentence opener such as "If" or "The"
    does end a sentence).
    """
    out: list[Sentence] = []
    start = _skip_space(text, 0)
    for m in _END.finditer(text):
        end = m.end()
        nxt = _skip_space(text, end)
        if nxt < len(text) and not (text[nxt].isupper() or text[nxt].isdigit() or text[nxt] in "\"'“‘(#"):
            continue
        if text[m.start()] == ".":
            word = re.search(r"([\w.]+)$", text[start:m.start()])
            w = word.group(1).lower() if word else ""
            opener = re.match(r"[A-Za-z]+", text[nxt:])
            if w in _ABBREV_AT_END and opener and opener.group(0).lower() in _OPENERS and opener.group(0)[0].isupper():
                pass
            elif w in _ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        if end > start:
            out.append(Sentence(text[start:end], offset + start, offset + end))
        start = nxt
    tail = text[start:].rstrip()
    if tail:
        out.append(Sentence(tail, offset + start, offset + start + len(tail)))
    return out


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i
