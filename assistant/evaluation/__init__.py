"""Golden-answer evaluation, one job per module:

- :mod:`.golden` — golden files: strict loading/validation and the matching rules;
- :mod:`.scoring` — running rows (in process or over HTTP), scoring them, the figures and thresholds;
- :mod:`.compare` — comparing a run with an earlier ``report.json``;
- :mod:`.draft` — candidate golden rows from the sources (``assistant golden draft``);
- :mod:`.calibration` — the refusal threshold from golden rows (``assistant calibrate``);
- :mod:`.reports` — what a run shows and writes: terminal, JSON, JUnit and HTML.

Nothing is imported here, so importing one module does not load the others.
"""
