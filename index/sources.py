"""Find and read source files: every ``.md`` and ``.txt`` under the given folders (or the files given)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import SourceError
from .models import SourceDoc
from .parse import parse_source

SUFFIXES = (".md", ".markdown", ".txt")


@dataclass(frozen=True)
class SourceFile:
    name: str  # stable id of the source: path relative to its root folder
    path: Path


def discover(paths: tuple[Path, ...] | list[Path]) -> list[SourceFile]:
    found: dict[str, SourceFile] = {}
    for root in paths:
        root = Path(root)
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file() and p.suffix.lower() in SUFFIXES and not any(part.startswith(".") for part in p.relative_to(root).parts):
                    name = p.relative_to(root).as_posix()
                    found[name] = SourceFile(name, p.resolve())
        elif root.is_file():
            found[root.name] = SourceFile(root.name, root.resolve())
        else:
            raise SourceError(root, "no such file or folder; give a path to a .md/.txt file or a folder of them")
    return list(found.values())


def read_source(sf: SourceFile) -> SourceDoc:
    """Read and parse one source; raise :class:`SourceError` naming the file if it is unusable."""
    try:
        data = sf.path.read_bytes()
    except OSError as exc:
        raise SourceError(sf.path, f"cannot be read ({exc.strerror})") from None
    if b"\x00" in data[:8192]:
        raise SourceError(sf.path, "looks binary (NUL bytes); sources must be UTF-8 text (.md or .txt)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(sf.path, f"is not UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
    if not text.strip():
        raise SourceError(sf.path, "is empty; add text or remove the file")
    doc = parse_source(sf.name, str(sf.path), text)
    if not doc.passages:
        raise SourceError(sf.path, "has no paragraphs to index")
    return doc
