"""What the user typed → what we search for: cleaned, instructions stripped, names canonicalised, words expanded."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lexicon import ALIASES, CASE_SENSITIVE_ALIASES, SYNONYMS
from .text import clean, content_terms, names, stem

_MARKUP = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>|<[^>]{0,200}>", re.I | re.S)
# Instructions aimed at the assistant. They are removed from what is searched and never obeyed.
_INJECTION = re.compile(
    r"(?:\b(?:please\s+)?(?:ignore|disregard|forget|override|bypass)\b[^.?!]*?\b(?:instructions?|prompts?|rules?|"
    r"guidelines|above|context|system)\b[^.?!]*?(?:[.?!]|\band\b|$)"
    r"|\byou are now\b[^.?!]*[.?!]?|\bact as\b[^.?!]*[.?!]?|\bpretend (?:to be|you)\b[^.?!]*[.?!]?"
    r"|\b(?:system|developer)\s*prompt\b[^.?!]*[.?!]?|\bjailbreak\b[^.?!]*[.?!]?)",
    re.I,
)
_EXCLUDING = re.compile(r"\b(?:instead of|rather than|other than|apart from|aside from|besides|except(?: for)?|beyond)\s+([^?.,;!]+)", re.I)
_ALIAS_RE = re.compile(r"(?<![\w.])(" + "|".join(sorted((re.escape(k) for k in ALIASES), key=len, reverse=True)) + r")(?![\w])", re.I)


@dataclass
class Query:
    typed: str  # as typed, cleaned
    text: str  # what is shown as the searched query (follow-ups resolved)
    search: str  # canonical text used for embedding and BM25
    terms: list[str] = field(default_factory=list)  # content words of `search`
    expansions: list[str] = field(default_factory=list)  # extra article words from SYNONYMS
    expands: dict[str, list[str]] = field(default_factory=dict)  # term → its SYNONYMS words
    names: list[str] = field(default_factory=list)  # capitalised names in `text` (after aliasing)
    soft: dict[str, tuple[str, float]] = field(default_factory=dict)  # word → (nearest source word, cosine)
    excluded: list[str] = field(default_factory=list)  # words after "instead of", "other than", …: not sought


def strip_markup(text: str) -> str:
    return _MARKUP.sub(" ", text)


# A sentence that only tells the assistant how to behave ("Answer in French.", "From now on you are …").
_STYLE = re.compile(r"^\s*(?:please\s+)?(?:(?:answer|respond|reply|write|speak|talk)\b.*\b(?:in|as|like|using|only)\b"
                    r"|(?:translate|output|print|repeat|say|role-?play)\b|from now on\b|you (?:are|must|will|should)\b"
                    r"|(?:new|system|developer) (?:instructions?|prompt|rules?)\b)", re.I)


def strip_instructions(text: str) -> str:
    """The question without instructions aimed at the assistant (they are never obeyed)."""
    kept = [s for s in re.split(r"(?<=[.!?])\s+", clean(_INJECTION.sub(" ", text))) if s]
    return clean(" ".join(s for s in kept if not _STYLE.match(s)))


def canonicalise(text: str) -> str:
    def repl(m: re.Match) -> str:
        key = m.group(1).lower()
        if key in CASE_SENSITIVE_ALIASES and not m.group(1)[0].isupper():
            return m.group(1)
        return ALIASES[key]

    return _ALIAS_RE.sub(repl, text)


def expand(terms: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in terms:
        words: list[str] = []
        for cand in (t, stem(t)):
            for extra in SYNONYMS.get(cand, ()):
                if extra not in words and extra not in terms:
                    words.append(extra)
        if words:
            out[t] = words
    return out


def prepare(text: str, shown: str | None = None) -> Query:
    """Build the search query for ``text`` (already resolved against history); ``shown`` defaults to it."""
    typed = clean(text)
    body = strip_instructions(strip_markup(typed))
    search = canonicalise(body)
    terms = content_terms(search)
    excluded = [t for m in _EXCLUDING.finditer(search) for t in content_terms(m.group(1))]
    excluded = [t for t in excluded if t in terms and len(excluded) < len(terms)]
    expands = expand(terms)
    flat = list(dict.fromkeys(w for ws in expands.values() for w in ws))
    return Query(typed=typed, text=clean(shown) if shown else body, search=search, terms=terms,
                 expansions=flat, expands=expands, names=names(search, strict_initial=True), excluded=excluded)
