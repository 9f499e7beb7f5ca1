"""Resolve a short or pronoun follow-up against the conversation into a standalone question.

"Who leads it?" after "What is the Coalition of the Willing?" → "Who leads the Coalition of the Willing?".
A question that names its own subject is left alone, so a new topic is not polluted by the old one.
"""
from __future__ import annotations

import re
from collections import Counter

from .text import content_terms, names

_PRONOUN = re.compile(r"\b(it|its|they|them|their|theirs|he|him|his|she|her|this|that|these|those|there)\b", re.I)
_POSSESSIVE = {"its", "their", "theirs", "his", "her"}
_CONTINUE = re.compile(r"^\s*(?:and|but|also|so|what about|how about|and what about|what of)\b[\s,]*", re.I)
_WHY = re.compile(r"^\s*(?:and\s+|but\s+|so\s+)?(?:why|how so|how come|for what reason)\b[^?]*\??\s*$", re.I)
_VAGUE = {"that", "this", "it", "so", "is", "was", "the", "case", "why", "how", "come", "reason", "and", "but", "not", "then"}


def _subject_names(text: str, topic: Counter) -> list[str]:
    found = names(text)
    # The corpus-wide main subject (e.g. the country an article is about) is the weakest antecedent.
    return sorted(found, key=lambda n: (topic.get(n, 0) > 0 and topic.most_common(1)[0][0] == n, found.index(n)))


def _antecedent(history: list[dict], topic: Counter) -> tuple[str, str] | None:
    """(name, the previous user question) from the most recent turns that have one."""
    users = [h["content"] for h in history if h.get("role") == "user"]
    assistants = [h["content"] for h in history if h.get("role") == "assistant"]
    for text in reversed(users[-3:]):
        cands = _subject_names(text, topic)
        if cands:
            return _with_article(cands[0], text), users[-1]
    if assistants:
        first = re.split(r"(?<=[.!?])\s", assistants[-1].strip(), maxsplit=1)[0]
        cands = _subject_names(first, topic)
        if cands:
            return _with_article(cands[0], first), users[-1] if users else first
    return None


def _with_article(name: str, text: str) -> str:
    return f"the {name}" if re.search(r"\bthe\s+" + re.escape(name), text, re.I) else name


def resolve(question: str, history: list[dict] | None, topic: Counter | None = None) -> str:
    """The standalone form of ``question``; the question itself when it needs no history."""
    q = question.strip()
    if not history or not q:
        return q
    topic = topic or Counter()
    users = [h["content"] for h in history if h.get("role") == "user" and h.get("content", "").strip()]
    prev = users[-1].strip() if users else ""
    if _WHY.match(q) and set(w.lower() for w in re.findall(r"\w+", q)) <= _VAGUE and prev:
        return f"{prev.rstrip('?.! ')}? Why?"
    own_names = names(q)
    cont = _CONTINUE.match(q)
    if cont and own_names and prev:
        rest = q[cont.end():].strip().rstrip("?")
        # "What about Romania?" asks the previous question again of another subject: the previous
        # question's first name (its subject) is the one swapped.
        subject = names(prev)[:1]
        if subject and len(content_terms(rest)) <= 3:
            new = own_names[0]
            for old in (_with_article(subject[0], prev), subject[0]):
                if old in prev and old.removeprefix("the ") != new:
                    return prev.replace(old, _with_article(new, q), 1)
            return f"{prev.rstrip('?')} ({rest})?"
        return q[cont.end():].strip() or q
    pronouns = [m for m in _PRONOUN.finditer(q)]
    needs = bool(pronouns) and not own_names or (len(content_terms(q)) <= 1 and not own_names)
    if not needs:
        return q
    ante = _antecedent(history, topic)
    if not ante:
        return q
    name, prev_q = ante
    if pronouns:
        m = pronouns[0]
        word = m.group(1).lower()
        if word == "there":
            return q
        rep = f"{name}'s" if word in _POSSESSIVE else name
        out = q[: m.start()] + rep + q[m.end():]
        if cont:
            out = out[cont.end():] if out.lower().startswith(cont.group(0).lower()) else out
        return out[0].upper() + out[1:]
    return f"{q.rstrip('?')} ({name})?"
