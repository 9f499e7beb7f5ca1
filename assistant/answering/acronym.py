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
_SPELT = r"((?:[A-Z][\w’'&.-]*)(?:[ -]+(?:[A-Z][\w’'&.-]*|and|of|for|the|on|in|to|at|&)){{0,10}})\s*\(\s*{}s?\s*\)"


def expansion(question: str, corpus: Corpus, last_answer: str = "") -> Pick | None:
    """The sentence spelling out the abbreviation the question asks about (or, for "What does that acronym stand
    for?", one the last answer used), or None when the question asks no such thing or the sources never spell it."""
    if not _ASKS.search(question):
        return None
    asked = _ABBREVIATION.findall(question) or _ABBREVIATION.findall(last_answer)
    for abbreviation in dict.fromkeys(asked):
        spelt = re.compile(_SPELT.format(re.escape(abbreviation)))
        for pi, p in enumerate(corpus.passages):
            for si, s in enumerate(p.sentences):
                m = spelt.search(s.text)
                if m and _initials_fit(abbreviation, m.group(1)):
                    return Pick(pi, si)
    return None


def never_spelt(question: str, corpus: Corpus) -> bool:
    """The question asks what an abbreviation of its own stands for, and no run of capitalised words in the sources
    has its initials: the sources cannot say ("What does OMB stand for?" of a text that only uses "OMB")."""
    asked = _ABBREVIATION.findall(question) if _ASKS.search(question) else []
    return bool(asked) and not any(corpus.abbreviates(a) for a in asked)


def _initials_fit(abbreviation: str, words: str) -> bool:
    """The abbreviation's letters are initials of the capitalised words before it, in order ("CDC": Centers for
    Disease Control …; "USPS": U.S. Postal Service)."""
    initials = "".join(w.replace(".", "") if re.fullmatch(r"(?:[A-Z]\.)+", w) else w[0]  # "U.S." gives U and S
                       for w in re.split(r"[ -]+", words) if w[:1].isupper())
    letters = [c for c in abbreviation if c.isalpha()]
    it = iter(initials)
    return bool(letters) and all(c in it for c in letters)
