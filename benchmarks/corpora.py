"""Reproducible corpora of 1, 8, 30, 100 … articles for the size curve, and unique questions over each.

- 1: the seed article (``sources/``);
- 8: the seed plus the seven articles of ``tests/data/corpus/`` (copies of public texts; attribution and licences in
  ``tests/data/corpus/README.md`` and ``tests/data/corpus/licenses/``);
- more: those eight, then rewritten copies of them under other source names (``NAME--rK.md``): in every section the
  sentences of its prose paragraphs are shuffled (``random.Random("NAME--rK")``, so the same bytes on every run) and
  dealt back into paragraphs of the same sizes; headings, lists, tables, code blocks and front matter are kept (the
  front matter gains a ``derived`` line). Every copy has its own passages, ids and vectors: the index really grows.

Usage: python benchmarks/corpora.py SIZE DIR   (writes the corpus into DIR, prints its word count)
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "sources"
CORPUS = ROOT / "tests" / "data" / "corpus"
GOLDEN = ROOT / "tests" / "golden" / "corpus"  # the corpus articles with golden rows

_FENCE = re.compile(r"^\s*(```|~~~)")
_NOT_PROSE = re.compile(r"^\s*([-*+]\s|\d+[.)]\s|\||>|!\[|<|#)|^ {4}")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def base_articles() -> list[Path]:
    seed = sorted(p for p in SEED.iterdir() if p.suffix in (".md", ".txt"))
    rest = sorted(p for p in CORPUS.glob("*.md") if (GOLDEN / f"{p.stem}.jsonl").exists())  # the seven, not the unseen
    return seed + rest


def rewrite(text: str, name: str) -> str:
    """``text`` with the sentences of each section's prose paragraphs shuffled (seeded by ``name``)."""
    rng = random.Random(name)
    front = ""
    body = text
    m = re.match(r"---\n.*?\n---\n", text, flags=re.S)
    if m:
        front = m.group(0)[:-4] + f'derived: "{name}: sentences shuffled within sections by benchmarks/corpora.py"\n---\n'
        body = text[m.end():]
    lines = body.split("\n")
    out: list[str] = []
    section: list[list[str] | str] = []  # prose paragraphs (lists of sentences) and kept text (str)

    def flush():
        prose = [b for b in section if isinstance(b, list)]
        pool = [s for b in prose for s in b]
        rng.shuffle(pool)
        i = 0
        for b in section:
            if isinstance(b, list):
                out.append(" ".join(pool[i: i + len(b)]))
                i += len(b)
            else:
                out.append(b)
        section.clear()

    block: list[str] = []
    fence = None

    def end_block():
        if not block:
            return
        if any(_NOT_PROSE.match(line) for line in block) or any(_FENCE.match(line) for line in block):
            section.append("\n".join(block))
        else:
            sents = [s for s in _SENT.split(" ".join(line.strip() for line in block)) if s]
            section.append(sents)
        block.clear()

    for line in lines:
        if fence is not None:
            block.append(line)
            if _FENCE.match(line) and line.strip().startswith(fence):
                fence = None
            continue
        fm = _FENCE.match(line)
        if fm:
            block.append(line)
            fence = fm.group(1)
            continue
        if line.lstrip().startswith("#"):
            end_block()
            flush()
            out.append(line)
            continue
        if not line.strip():
            end_block()
            section.append(line)
            continue
        block.append(line)
    end_block()
    flush()
    return front + "\n".join(out)


def build(size: int, dest: Path) -> list[Path]:
    """Write the corpus of ``size`` articles into ``dest`` (emptied of .md/.txt first); return the files."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        if old.suffix in (".md", ".txt"):
            old.unlink()
    bases = base_articles()
    files = []
    for p in bases[:size]:
        files.append(dest / p.name)
        files[-1].write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    k = 0
    while len(files) < size:
        k += 1
        for p in bases:
            if len(files) >= size:
                break
            name = f"{p.stem}--r{k}{p.suffix}"
            files.append(dest / name)
            files[-1].write_text(rewrite(p.read_text(encoding="utf-8"), name), encoding="utf-8")
    return files


def words(files: list[Path]) -> int:
    return sum(len(_WORD.findall(p.read_text(encoding="utf-8"))) for p in files)


TEMPLATES = (
    "What does the article say about {e}?", "How is {e} described?", "Why does {e} matter?",
    "Who is involved with {e}?", "What are the risks around {e}?", "What is {e}?", "When does {e} happen?",
    "How much does {e} cost?", "Summarise the point about {e}.", "What options involve {e}?",
    "Explain {e} in simple terms.", "What concerns exist about {e}?", "What could change about {e}?",
    "Give one fact about {e}.", "Where is {e} mentioned?", "How does {e} work?", "What is the history of {e}?",
    "What should I know about {e}?", "Is {e} recommended?", "What happens after {e}?",
)
PREFIXES = ("", "Briefly, ", "In short, ", "Please tell me: ")


def questions(files: list[Path], count: int, seed: int = 14, strict: bool = True) -> list[str]:
    """``count`` distinct questions (casefolded) about the entities and topics of ``files``, shuffled with ``seed``
    (``strict=False``: as many as there are, when fewer)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from questions import entities

    text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    seen: set[str] = set()
    out: list[str] = []
    for prefix in PREFIXES:
        for e in entities(text, n=600):
            for t in TEMPLATES:
                q = t.format(e=e)
                q = prefix + q[0].lower() + q[1:] if prefix else q
                if q.casefold() not in seen:
                    seen.add(q.casefold())
                    out.append(q)
    random.Random(seed).shuffle(out)
    if len(out) < count and strict:
        raise SystemExit(f"only {len(out)} distinct questions; asked for {count}")
    return out[:count]


def write_bodies(qs: list[str], path: Path) -> Path:
    """One ``POST /api/ask`` body per line (what wrk_ask.lua sends)."""
    path.write_text("".join(json.dumps({"question": q, "history": []}) + "\n" for q in qs), encoding="utf-8")
    return path


if __name__ == "__main__":
    files = build(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(files)} articles, {words(files)} words in {sys.argv[2]}")
