"""Our side of the import/ready comparison: a fresh process that loads the Assistant and answers one question.

Usage: python -X importtime benchmarks/ready.py QUESTION  (ASSISTANT_* environment names the index) → one JSON line.
"""
import time

T0 = time.perf_counter()
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant import Assistant  # noqa: E402

t = time.perf_counter()
a = Assistant.load()
load_s = time.perf_counter() - t
t = time.perf_counter()
ans = a.ask(sys.argv[1])
print(json.dumps({"load_s": load_s, "first_answer_s": time.perf_counter() - t, "ready_s": time.perf_counter() - T0,
                  "refused": ans.refused, "citations": len(ans.citations)}))
