""""What does PLAN stand for?": the sentence where the sources spell an abbreviation out ("… the Plain Language Action
Network (PLAN) …"). General English typography: an abbreviation in capitals, in brackets after the words whose
initials it takes. Nothing here knows an abbreviation; they all come from the question and the sources."""
from __future__ import annotations

import re

from .corpus import Corpus
from .selection import Pick

_ASKS = re.compile(r"\b(?:stands? for|short for|abbreviation (?:of|for)|acronym|initials|full (?:name|form) of|spelt out|"
                   r"spelled out)\b", re.I)
_ABBREVIATION = re.compile(r"\b[A-Z][A-Z0-9&]{1,9}\b")
_QUOTED = re.compile(r"""(?<!\w)['"‘“]([A-Za-z][A-Za-z0-9&]{0,7})['"’”](?!\w)""")  # "the 'rc' in 1.0.0-rc.1"


def _asked(question: str) -> list[str]:
    """The abbreviations a question names: in capitals, or quoted in any case ("What does the 'rc' stand for?")."""
    return list(dict.fromkeys(_ABBREVIATION.findall(question) + [q.upper() for q in _QUOTED.findall(question)]))
_SPELT = r"((?:[A-Z][\w’'&.-]*)(?:[ -]+(?:[A-Z][\w’'&.-]*|and|of|for|the|on|in|to|at|&)){{0,10}})\s*\(\s*{}s?\s*\)"
# "LZMA stands for …", "PLAN is short for …": the sources say it in words, whatever the initials
_SAYS = r"\b{}\s+(?:stands?|stood|is short|was short|is an abbreviation|is an acronym)\s+(?:for|of)\b"
_MEANING = re.compile(r"\bmean(?:s|ing)?\b|" + _ASKS.pattern, re.I)


# "What is DAP?", "What's the CDC?", "What does PLAN mean?": a question about one abbreviation and nothing else
_WHAT_IS = re.compile(r"^\W*(?i:what(?:['’]s|\s+(?:is|are|was|were|does|do))\s+(?:the\s+|an?\s+)?)[A-Z][A-Z0-9&]{1,9}s?"
                      r"(?i:\s+mean)?\s*[?.!]*\s*$")


# "What is CWE-295?": a code of letters and a number, which a heading may name in brackets ("Improper Certificate
# Validation (CWE-295)")
_WHAT_CODE = re.compile(r"^\W*(?i:what(?:['’]s|\s+(?:is|are|was|were))\s+(?:the\s+|an?\s+)?)([A-Z][A-Za-z]*-\d+)"
                        r"\s*[?.!]*\s*$")


def expansion(question: str, corpus: Corpus, last_answer: str = "") -> Pick | None:
    """The sentence spelling out the abbreviation the question asks about (or, for "What does that acronym stand
    for?", one the last answer used), or None when the question asks no such thing or the sources never spell it.
    A code a heading names in brackets ("What is CWE-295?") is answered by the first sentence under that heading."""
    if code := _WHAT_CODE.match(question):
        named = re.compile(r"\(\s*" + re.escape(code.group(1)) + r"\s*\)", re.I)
        return next((Pick(pi, p.answer_start()) for pi, p in enumerate(corpus.passages)
                     if named.search(p.section) and len(p.sentences) > p.answer_start() and p.kind != "code"), None)
    if not _ASKS.search(question) and not _WHAT_IS.match(question):
        return None
    asked = _asked(question) or _ABBREVIATION.findall(last_answer)
    for abbreviation in dict.fromkeys(asked):
        spelt = re.compile(_SPELT.format(re.escape(abbreviation)))
        says = re.compile(_SAYS.format(re.escape(abbreviation)))
        for pi, p in enumerate(corpus.passages):
            for si, s in enumerate(p.sentences):
                m = spelt.search(s.text)
                if m and _initials_fit(abbreviation, m.group(1)) or says.search(s.text):
                    return Pick(pi, si)
    return None


def never_spelt(question: str, corpus: Corpus) -> bool:
    """The question asks what an abbreviation of its own stands for, no run of capitalised words in the sources
    has its initials, no sentence says what it stands for, and no FAQ question of theirs asks what it means: the
    sources cannot say ("What does OMB stand for?" of a text that only uses "OMB"; not "What do the letters XYZ
    stand for?" of an FAQ asking "What do the letters XYZ mean?")."""
    asked = _asked(question) if _ASKS.search(question) else []
    return bool(asked) and not any(corpus.abbreviates(a) or _addressed(a, corpus) for a in asked)


def _addressed(abbreviation: str, corpus: Corpus) -> bool:
    """A sentence of the sources says what ``abbreviation`` stands for, or an FAQ question asks what it means."""
    says, named = re.compile(_SAYS.format(re.escape(abbreviation))), re.compile(rf"\b{re.escape(abbreviation)}\b")
    return any(says.search(s.text) for p in corpus.passages for s in p.sentences) or any(
        p.kind == "faq" and named.search(p.question) and _MEANING.search(p.question) for p in corpus.passages)


def _initials_fit(abbreviation: str, words: str) -> bool:
    """The abbreviation's letters are initials of the capitalised words before it, in order ("CDC": Centers for
    Disease Control …; "USPS": U.S. Postal Service)."""
    initials = "".join(w.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.)+", w) else w[0]  # "U.S." gives U and S
                       for w in re.split(r"[ -]+", words) if w[:1].isupper())
    letters = [c for c in abbreviation if c.isalpha()]
    it = iter(initials)
    return bool(letters) and all(c in it for c in letters)
