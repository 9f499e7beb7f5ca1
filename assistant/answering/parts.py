"""Split a question that asks two or more things into its parts.

The approach is general English syntax: a question is cut where a new interrogative clause starts — after "?",
or at "and" / ", and" / "or" / ";" / "," followed by a question word or an auxiliary verb that opens a clause
("…, and what is …", "… and when is it due") — and only when the question itself is a direct question (it opens
with a question word or an auxiliary). "and" joining nouns or adjectives ("the pros and cons", "cheap and easy"),
an indirect question ("Explain how X and Y relate", "… and why it matters") and a question with a quoted part are
left whole. Parts keep their words and their order (a later "it" is resolved against the earlier part by the
caller); each ends with "?"; a part without content words ("Why not?", "Really?") stays with its neighbour; at
most three.
"""
from __future__ import annotations

import re

from .text import content_terms

MAX_PARTS = 3
_WH = r"(?:what|what's|who|who's|whom|whose|which|when|where|why|how)"
_AUX = r"(?:is|are|was|were|do|does|did|will|would|can|could|should|has|have|had|may|might|must|shall)"
_SUBJECT_PRONOUN = r"(?:i|you|we|they|he|she|it|this|that|there|these|those)"
_SUBJECT = rf"(?:{_SUBJECT_PRONOUN}|the|a|an|my|your|our|their|its|his|her|any|(?-i:[A-Z0-9]))"
# A new clause: a question word (after a preposition, if any: "and in what form …", "and across how many …") not
# opening an indirect question ("why it matters"), or an auxiliary before its subject ("and is it due", not "and do
# not feed it").
_PREPOSITION = r"(?:in|on|at|by|for|from|to|across|with|under|into|within|after|before|during|through|over|since|until)"
_CLAUSE = rf"(?:(?:{_PREPOSITION}\s+)?{_WH}\b(?!\s+{_SUBJECT_PRONOUN}\b)|{_AUX}\s+{_SUBJECT}(?=\S*\s))"
_JOIN = re.compile(rf"\s*(?:,\s*(?:and|or|but)\s+|;\s*(?:and\s+)?|\s(?:and|or)\s+)(?={_CLAUSE})"
                   rf"|\s*,\s+(?=(?:what|when|where|why|how)\s+(?:{_AUX}|many|much|long|often)\b)", re.I)
_DIRECT = re.compile(rf"^\s*(?:(?:and|so|but|ok|okay|also)[,\s]+)?(?:\w+ly\s+(?=how\b))?(?:{_PREPOSITION}\s+(?={_WH}\b))?(?:{_WH}|{_AUX}|isn't|aren't|doesn't|don't|didn't|"
                     rf"can't|won't)\b", re.I)
_QUOTED = re.compile(r"\"[^\"]+\"|“[^”]+”|(?<!\w)'[^']+'(?!\w)|‘[^’]+’")
# "Which countries" before "and which people are named": a question phrase without a verb of its own.
_WH_PHRASE = re.compile(rf"^\s*(?:which|whose)\b(?:(?!\b{_AUX}\b).)*$", re.I)
# Past this many words, a "which" phrase before ", and …" has a verb of its own ("Which single site drew the most
# visits, and how many did it get?"), however it is inflected.
_WH_PHRASE_WORDS = 4
# "And when one turns up, where does the fix go?": a time or place clause without an auxiliary is not a question.
_SUBORDINATE = re.compile(rf"^\s*(?:(?:and|so|but)\s+)?(?:when|where|whenever|wherever)\s+(?!{_AUX}\b|n't\b)(?:(?!\b{_AUX}\b)[^,])*$",
                          re.I)
# A question word alone, asking it of the part before: "…, and by when?", "…, and why?", "…, and where?".
_ELLIPSIS = re.compile(rf"^\s*(?:{_PREPOSITION}\s+)?{_WH}\s*\?$", re.I)
# Not a question on its own: "What about X?" / "And X?" (it is asked with the next sentence), "Really?".
_FRAGMENT = re.compile(rf"^\s*(?:(?:and|so|but|also)\s+)?(?:what|how)\s+about\b|^\s*and\b(?!\s+(?:{_WH}|{_AUX})\b)",
                       re.I)


def split_parts(question: str) -> list[str]:
    """The parts of a question asking several things, in order; ``[question]`` when it asks one."""
    q = question.strip()
    if not q or _QUOTED.search(q):
        return [question]
    parts: list[str] = []
    for sentence in re.findall(r"[^?]+\??", q):
        sentence = sentence.strip()
        if not sentence:
            continue
        for piece in map(_tidy, _clauses(sentence)):
            if parts and piece and _ELLIPSIS.match(piece) and content_terms(parts[-1]):
                piece = _complete(piece, parts[-1])
            if parts and (not content_terms(parts[-1]) or _FRAGMENT.match(parts[-1])):
                parts[-1] = f"{parts[-1]} {piece}"
            elif piece:
                parts.append(piece)
    if len(parts) > 1 and not content_terms(parts[-1]):
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]     # "Will it rain? Why not?": the ellipsis asks about the first
    if len(parts) <= 1:
        return [question]
    if len(parts) > MAX_PARTS:
        parts = parts[:MAX_PARTS - 1] + [" ".join(parts[MAX_PARTS - 1:])]
    return parts


def _complete(ellipsis: str, before: str) -> str:
    """"By when?" after "Who has to approve the trip?": "By when has to approve the trip?" (its question word, the
    clause of the part before without that part's own question word)."""
    rest = re.sub(rf"^\s*(?:{_PREPOSITION}\s+)?{_WH}\b(?:\s+(?:many|much|long|often|\w+(?=\s+(?:{_AUX})\b)))?\s*", "",
                  before, flags=re.I)
    rest = re.sub(rf"^{_AUX}\b", lambda m: m.group(0).lower(), rest.rstrip("?"), flags=re.I)
    if len(rest.split()) < 2:
        return ellipsis     # "In what way and why?": no clause to ask it of; the ellipsis stays with its part
    return f"{ellipsis.rstrip('?')} {rest}?"


def _clauses(sentence: str) -> list[str]:
    """A direct question cut at each join that opens a new clause."""
    if not _DIRECT.match(sentence):
        return [sentence]
    out, start = [], 0
    for m in _JOIN.finditer(sentence):
        before = sentence[start:m.start()]
        if _WH_PHRASE.match(before) and ("," not in m.group(0) or len(before.split()) <= _WH_PHRASE_WORDS) or \
                _SUBORDINATE.match(before):
            continue                        # "Which countries and which people are named?": one predicate
        out.append(sentence[start:m.start()])
        start = m.end()
    return out + [sentence[start:]]


def _tidy(piece: str) -> str:
    piece = piece.strip().strip(",;").strip()
    if not piece:
        return ""
    piece = piece.rstrip("?.! ") + "?"
    return piece[0].upper() + piece[1:]
