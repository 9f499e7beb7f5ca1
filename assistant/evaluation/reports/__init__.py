"""What ``assistant eval`` shows and writes, one format per module: :mod:`.terminal` (the table and the
``--compare`` text), :mod:`.jsonreport` (``report.json``), :mod:`.junit` (``junit.xml``) and :mod:`.html`
(``report.html``, from the Jinja2 template ``report.html.j2``); :mod:`.common` holds what they share."""
from __future__ import annotations

from pathlib import Path

from ..scoring import Evaluation
from .html import html_report
from .jsonreport import write_json
from .junit import junit

__all__ = ["write_all"]


def write_all(ev: Evaluation, out_dir: Path, comparison: dict | None = None) -> list[Path]:
    """``report.json``, ``report.html`` and ``junit.xml`` in ``out_dir`` (created if needed); their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [write_json(ev, out_dir / "report.json", comparison)]
    (out_dir / "report.html").write_text(html_report(ev), encoding="utf-8")
    (out_dir / "junit.xml").write_text(junit(ev), encoding="utf-8")
    return paths + [out_dir / "report.html", out_dir / "junit.xml"]
