"""Articles no model was trained on: two plain-text FAQs, a Markdown specification and a staff handbook page, with
golden rows written before anything was measured on them (`tests/golden/unseen/`). Their rows are answered by the
shipped models, which were trained on the eight other articles only, so these are leave-one-article-out figures for
new articles of forms (.txt, a specification, a handbook page of nested lists) none of the eight has.

XZ Utils FAQ (Q:/A: pairs hard-wrapped at 72 columns, 69 rows), measured when its rows were written (2026-11-27):
rows right 47 of 69 (0.681), correct 0.78, out of scope refused 0.421, false refusals 0.06, first citation 0.694;
with the plain text read line by line as before, 24 of 69 (correct 0.32, false refusals 0.26, first citation 0.14).
Later, some of its failures were read and fixed by general changes (an abbreviation spelt out by "X stands for …";
an FAQ asked again leads with its answer): 52 of 69, no longer a clean figure, so its floors stay.

zlib FAQ (44 numbered questions, 65 rows), written and measured after those changes: rows right 49 of 65 (0.754),
correct 0.894, out of scope refused 0.389, false refusals 0.021, first citation 0.778; read line by line, 11 of 65
(correct 0.149).

Semantic Versioning 2.0.0 (a Markdown specification with an FAQ, 71 rows), written and measured 2026-11-27 (the
rows committed before the first run): rows right 51 of 71 (0.718), correct 0.765, out of scope refused 0.65, false
refusals 0.098, first citation 0.735. Its failures then led to general changes (a list whose items are paragraphs is
one passage per item; a value given "like 01.2.3" is an example; a licence from the section headed so; "Which one
…?" leans on the previous question): 56 of 71, correct 0.824, false refusals 0.039 — no longer clean.

TTS Handbook, Benefits (a staff handbook page in Markdown, nested lists, 74 rows), written and measured 2026-11-27
(the rows committed first): rows right 58 of 74 (0.784), correct 0.891, out of scope refused 0.579, false refusals
0.036, first citation 0.870. After the general changes its failures led to (a list asked for gives every item; a list
is given whole only when the item asked about shows; "how many short breaks" counts breaks; a number inside a code
such as "TSP-1" is no quantity; "what is the interest rate" asks for a number): 66 of 74, correct 0.964, out of scope
refused 0.789, no false refusal — no longer clean.

With the shipped models retrained after the last of those changes (answer threshold 0.284): XZ 52 of 69, zlib 49 of
65, semver 57 of 71 (correct 0.824, false refusals 0.039), benefits 65 of 74 (correct 0.945, false refusals 0.018).
Retrained five times since (answer threshold 0.357, the answer-or-refuse model regularised harder): XZ 52, zlib 49,
semver 55 (correct 0.804, false refusals 0.059), benefits 65 (correct 0.945, no false refusal).
After the next session (bare URLs shown; answer threshold 0.360): semver 54 (correct 0.784, false refusals 0.059),
benefits 65, XZ 52, zlib 49. After the session after that (a near-tied second sentence past the word budget, a person
asked for, yes/no questions; answer threshold 0.363): semver 56 (correct 0.824, false refusals 0.039), benefits 65,
XZ 53, zlib 47 (correct 0.851). After the next (dates count nothing, a demonstrative's unit of time is no span, a
title cited, three-letter typos; answer threshold 0.369): semver 56, benefits 66, XZ 53, zlib 47; retrained after the
questions about the document and its reporting were read more closely (answer threshold 0.377): benefits 65, the others
the same. After the session after that (typos beside a word the sources pair, subject pronouns, a person asked for,
a list after its introduction, summaries by section; answer threshold 0.367): semver 56, benefits 65, XZ 53, zlib 47.
After the next (numbers asked about, list items leaning back, examples asked for; answer threshold 0.353): the same.
After the next (a why-question's reason, the next paragraph after the last answer, a best sentence unrelated in
meaning, informal words, "how do I un-…", counts in prose; answer threshold 0.356): benefits 64, the others the same
(each change alone left all four unchanged with the shipped models of the session before; the row moved with the
retraining).

The floors sit about three rows under the measurements they were set at (semver's now three, zlib's one)."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT

UNSEEN = ROOT / "tests" / "golden" / "unseen"
FLOORS = {
    "xz-utils-faq": {"rows_right": 0.64, "correct": 0.72, "false_refusal": 0.12, "faqs": 18},
    "zlib-faq": {"rows_right": 0.70, "correct": 0.83, "false_refusal": 0.09, "faqs": 44},
    "semver-spec": {"rows_right": 0.74, "correct": 0.76, "false_refusal": 0.10, "faqs": 12},
    "tts-benefits-handbook": {"rows_right": 0.85, "correct": 0.92, "false_refusal": 0.05, "faqs": 0},
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_an_article_never_trained_on_is_answered_by_the_shipped_models(name, corpus_index, assistant):
    from assistant.evaluation import golden
    from assistant.evaluation.scoring import LocalRunner, evaluate
    from tests.answering.conftest import _load

    floors = FLOORS[name]
    a = _load(corpus_index(name), assistant)
    assert a.models.trained_on["golden"] and f"{name}.jsonl" not in a.models.trained_on["golden"]
    assert sum(p.kind == "faq" for p in a.snapshot.passages) == floors["faqs"]  # read by blocks, every Q&A pair
    path = UNSEEN / f"{name}.jsonl"
    ev = evaluate(golden.load(path), LocalRunner(a), files=[Path(path)])
    right = sum(r.passed for r in ev.results) / len(ev.results)
    figures = {"rows_right": right, "correct": ev.summary["correct"], "false_refusal": ev.summary["false_refusal"]}
    assert right >= floors["rows_right"] and figures["correct"] >= floors["correct"], figures
    assert figures["false_refusal"] <= floors["false_refusal"], figures
