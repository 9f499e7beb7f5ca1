"""Deterministic, distinct benchmark questions: templates × entities and topics taken from the sources.

Every question differs as text (casefolded), so neither the answer cache nor the query-embedding cache can
answer one from another; the order is shuffled with a fixed seed so consecutive questions hit different sections.
"""
from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

TEMPLATES = (
    "What does the article say about {e}?",
    "What role does {e} play in security guarantees for Ukraine?",
    "How is {e} described in the article?",
    "Why does {e} matter for Ukraine's security?",
    "What is the link between {e} and NATO?",
    "Who is involved with {e}?",
    "What are the risks around {e}?",
    "How could {e} affect a ceasefire?",
    "What did the article report on {e} after the Alaska summit?",
    "Is {e} part of the Coalition of the Willing's plans?",
    "What would {e} mean for Russia?",
    "Summarise the point about {e}.",
    "What options involve {e}?",
    "Does the article mention {e} in connection with troops?",
    "What is the US position regarding {e}?",
    "Explain {e} in simple terms.",
    "What concerns exist about {e}?",
    "How does {e} relate to airspace policing?",
    "What could change about {e} in future?",
    "Give one fact about {e} from the article.",
)
_SKIP = {"The", "This", "These", "That", "However", "Instead", "While", "With", "For", "Many", "One", "Former",
         "Therefore", "Their", "Its", "It", "In", "As", "By", "At", "Up", "Any", "What", "How", "Why", "Who", "Is",
         "Are", "Can", "Could", "Would", "Will", "Does", "Do", "If", "A", "An", "To", "Sir", "US", "Understanding"}
_STOP = {"ukraine", "ukraine's", "security", "article", "should", "would", "could", "which", "their", "there", "these",
         "about", "while", "without", "within", "because", "further", "really", "including"}


def entities(text: str, n: int = 70) -> list[str]:
    """Named things (capitalised phrases) first, then frequent longer words, most frequent first."""
    body = re.sub(r"^---.*?---", " ", text, flags=re.S)
    names = Counter()
    for m in re.finditer(r"\b[A-Z][a-zA-Z'’-]+(?: (?:of the |of )?[A-Z][a-zA-Z'’-]+)*", body):
        words = m.group(0).split()
        while words and words[0] in _SKIP:
            words = words[1:]
        phrase = " ".join(words).strip("'’")
        if len(phrase) > 2 and phrase.casefold() not in _STOP:
            names[phrase] += 1
    topics = Counter(w for w in re.findall(r"\b[a-z][a-z-]{5,}\b", body) if w not in _STOP)
    out: list[str] = []
    for word, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0])) + sorted(topics.items(), key=lambda kv: (-kv[1], kv[0])):
        if word.casefold() not in {o.casefold() for o in out}:
            out.append(word)
        if len(out) >= n:
            break
    return out


def questions(sources: list[Path], count: int, seed: int = 6) -> list[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    seen: set[str] = set()
    out: list[str] = []
    for e in entities(text):
        for t in TEMPLATES:
            q = t.format(e=e)
            if q.casefold() not in seen:
                seen.add(q.casefold())
                out.append(q)
    random.Random(seed).shuffle(out)
    if len(out) < count:
        raise SystemExit(f"only {len(out)} distinct questions can be generated; asked for {count}")
    return out[:count]


if __name__ == "__main__":
    import sys

    root = Path(__file__).resolve().parents[1]
    qs = questions(sorted((root / "sources").glob("*.md")), int(sys.argv[1]) if len(sys.argv) > 1 else 20)
    print("\n".join(qs))
    print(entities("\n".join(p.read_text() for p in sorted((root / "sources").glob("*.md")))), file=sys.stderr)
