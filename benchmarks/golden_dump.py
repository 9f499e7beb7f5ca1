"""Answers to every golden question, dumped for a byte-for-byte comparison before/after a performance change.

Usage: python benchmarks/golden_dump.py OUT.jsonl [--data DIR]
Index: the seed ``sources/`` plus the seven articles of ``tests/data/corpus/`` (8 sources), built in DIR
(default: a fresh folder under /tmp) if it has none. One JSON line per (file, row): answer, refused, citations.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def eight_sources() -> list[Path]:
    # the seven corpus articles with golden rows (tests/golden/corpus/); not the articles kept unseen
    return [ROOT / "sources"] + sorted(p for p in (ROOT / "tests" / "data" / "corpus").glob("*.md")
                                       if (ROOT / "tests" / "golden" / "corpus" / f"{p.stem}.jsonl").exists())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--data", type=Path, default=None)
    args = ap.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="golden-dump-"))
    os.environ["ASSISTANT_DATA_DIR"] = str(data)
    os.environ["ASSISTANT_SOURCES"] = ":".join(map(str, eight_sources()))
    os.environ["ASSISTANT_CACHE_SIZE"] = "0"
    from index.settings import Settings, apply_offline_env

    apply_offline_env()
    from index.ingest import ingest
    from assistant.answering.learned import model_file
    from assistant import Assistant

    s = Settings.from_env()
    ingest(s, attachments={"answer_model": model_file(s).read_text(encoding="utf-8")})
    a = Assistant.load(s)
    files = [ROOT / "tests/golden/public.jsonl"] + sorted((ROOT / "tests/golden/corpus").glob("*.jsonl"))
    n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for f in files:
            for i, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
                if not line.strip():
                    continue
                row = json.loads(line)
                ans = a.ask(row["question"], history=row.get("history") or [])
                out.write(json.dumps({"file": f.name, "line": i + 1, "answer": ans.answer, "refused": ans.refused,
                                      "citations": [[c.id, c.source, c.section, c.text, c.start, c.end, c.score]
                                                    for c in ans.citations]}, ensure_ascii=False) + "\n")
                n += 1
    print(f"{n} answers → {args.out} (index in {data})", file=sys.stderr)


if __name__ == "__main__":
    main()
