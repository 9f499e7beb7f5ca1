"""Golden-answer files (format: tests/golden/README.md): strict loading and the matching rules.

Matching is case-insensitive substring matching after folding typographic quotes and dashes and
collapsing white space. A row is *correct* when it is answerable, not refused, every ``key_facts``
group matches and no ``must_not`` string appears; an unanswerable row is correct when refused.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from index.errors import GoldenFileError

from ..answering.text import fold  # the answering package's text folding, so both sides match alike

FIELDS = {"id": str, "question": str, "history": list, "answerable": bool, "key_facts": list, "must_cite": list,
          "must_not": list, "tags": list}
REQUIRED = ("id", "question", "answerable")


@dataclass(frozen=True)
class GoldenRow:
    id: str
    question: str
    answerable: bool
    history: list = field(default_factory=list)
    key_facts: list = field(default_factory=list)
    must_cite: list = field(default_factory=list)
    must_not: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    file: str = ""
    line: int = 0


def _err(path, line, msg) -> GoldenFileError:
    return GoldenFileError(f"{path}:{line}: {msg}")


MAX_ERRORS = 20


def load(path: str | Path) -> list[GoldenRow]:
    """All rows of one file, or :class:`GoldenFileError` listing every problem (up to :data:`MAX_ERRORS`),
    one ``FILE:LINE: what is wrong`` per line of the message, the first problem first."""
    rows, errors = _read(Path(path))
    if errors:
        raise GoldenFileError("\n".join(errors))
    return rows


def load_many(paths) -> list[GoldenRow]:
    """Every row of every file, validated before anything runs; the errors of all files in one exception."""
    rows: list[GoldenRow] = []
    errors: list[str] = []
    for path in paths:
        got, errs = _read(Path(path))
        rows += got
        errors += errs
    if errors:
        more = f"\n… and more" if len(errors) > MAX_ERRORS else ""
        raise GoldenFileError("\n".join(errors[:MAX_ERRORS]) + more)
    return rows


def _read(path: Path) -> tuple[list[GoldenRow], list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [], [f"{path}: cannot be read ({exc.strerror})"]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{path}: not UTF-8 (byte {exc.start})"]
    rows: list[GoldenRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    # split on \n only: JSON strings may hold U+2028 etc., which str.splitlines() would count as line ends
    for n, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{n}: not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        try:
            rows.append(_row(obj, path, n, seen))
        except GoldenFileError as exc:
            errors.append(exc.message)
        if len(errors) > MAX_ERRORS:
            break
    if not rows and not errors:
        errors.append(f"{path}: no rows (one JSON object per line expected)")
    return rows, errors


def _row(obj, path, n, seen) -> GoldenRow:
    if not isinstance(obj, dict):
        raise _err(path, n, "each line must be a JSON object")
    unknown = sorted(set(obj) - set(FIELDS))
    if unknown:
        raise _err(path, n, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(FIELDS)}")
    for name in REQUIRED:
        if name not in obj:
            raise _err(path, n, f"missing field {name!r}")
    for name, typ in FIELDS.items():
        if name in obj and not isinstance(obj[name], typ):
            raise _err(path, n, f"field {name!r} must be a {typ.__name__}, not {type(obj[name]).__name__}")
    if not obj["id"].strip():
        raise _err(path, n, "field 'id' is empty")
    if obj["id"] in seen:
        raise _err(path, n, f"duplicate id {obj['id']!r} (first on line {seen[obj['id']]})")
    seen[obj["id"]] = n
    if not obj["question"].strip():
        raise _err(path, n, "field 'question' is empty")
    for i, turn in enumerate(obj.get("history", [])):
        if not isinstance(turn, dict) or turn.get("role") not in ("user", "assistant") or not isinstance(turn.get("content"), str) or set(turn) - {"role", "content"}:
            raise _err(path, n, f"history[{i}] must be {{\"role\": \"user\"|\"assistant\", \"content\": str}}")
    for i, group in enumerate(obj.get("key_facts", [])):
        if not isinstance(group, list) or not group or not all(isinstance(x, str) and x.strip() for x in group):
            raise _err(path, n, f"key_facts[{i}] must be a non-empty list of non-empty strings")
    for name in ("must_cite", "must_not", "tags"):
        if not all(isinstance(x, str) and x.strip() for x in obj.get(name, [])):
            raise _err(path, n, f"field {name!r} must be a list of non-empty strings")
    if not obj["answerable"] and obj.get("key_facts"):
        raise _err(path, n, "an unanswerable row cannot have key_facts")
    return GoldenRow(**{k: obj[k] for k in obj}, file=str(path), line=n)


# -- matching ------------------------------------------------------------------------------------

def contains(haystack: str, needle: str) -> bool:
    return fold(needle) in fold(haystack)


def missing_facts(row: GoldenRow, answer: str) -> list[list[str]]:
    return [g for g in row.key_facts if not any(contains(answer, alt) for alt in g)]


def matched_facts(row: GoldenRow, answer: str) -> list[str]:
    """For each matched ``key_facts`` group, the first alternative found in the answer."""
    out = []
    for g in row.key_facts:
        hit = next((alt for alt in g if contains(answer, alt)), None)
        if hit is not None:
            out.append(hit)
    return out


def must_not_hits(row: GoldenRow, answer: str) -> list[str]:
    return [m for m in row.must_not if contains(answer, m)]


def citation_hit(row: GoldenRow, texts: list[str]) -> tuple[bool, bool]:
    """(some citation contains evidence, the first one does); both True when nothing is required."""
    if not row.must_cite:
        return True, True
    hits = [any(contains(t, m) for m in row.must_cite) for t in texts]
    return any(hits), bool(hits and hits[0])


def evidence_rank(row: GoldenRow, ranked_texts: list[str]) -> int | None:
    """1-based rank of the first passage holding evidence, or None."""
    for i, t in enumerate(ranked_texts, 1):
        if any(contains(t, m) for m in row.must_cite):
            return i
    return None


def is_correct(row: GoldenRow, answer: str, refused: bool) -> bool:
    if not row.answerable:
        return refused
    return not refused and not missing_facts(row, answer) and not must_not_hits(row, answer)
