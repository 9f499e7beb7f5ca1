"""``junit.xml``: one test case per golden row (grouped per golden file) and one per threshold, so a CI system
shows the failing rows with their reasons. Text the XML format cannot hold is replaced, never dropped silently."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..scoring import Evaluation, RowResult
from .common import fmt

_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text) -> str:
    return _XML_BAD.sub("\ufffd", str(text))


def junit(ev: Evaluation) -> str:
    root = ET.Element("testsuites", name="assistant eval", tests=str(len(ev.results) + len(ev.checks)),
                      failures=str(len(ev.failing) + sum(not c.passed for c in ev.checks)), time=f"{ev.seconds:.3f}")
    by_file: dict[str, list[RowResult]] = {}
    for r in ev.results:
        by_file.setdefault(r.file, []).append(r)
    for file, rows in by_file.items():
        suite_name = "golden." + Path(file).stem
        suite = ET.SubElement(root, "testsuite", name=_x(suite_name), tests=str(len(rows)),
                              failures=str(sum(not r.passed for r in rows)), errors="0", skipped="0",
                              time=f"{sum(r.latency_ms for r in rows) / 1000:.3f}", timestamp=ev.created)
        props = ET.SubElement(suite, "properties")
        for name, value in (("model", ev.configuration.get("model")), ("mode", ev.configuration.get("mode")),
                            ("fingerprint", ev.configuration.get("index", {}).get("fingerprint"))):
            ET.SubElement(props, "property", name=name, value=_x(value or ""))
        for r in rows:
            tc = ET.SubElement(suite, "testcase", classname=_x(suite_name), name=_x(r.key),
                               time=f"{r.latency_ms / 1000:.3f}", file=_x(r.file), line=str(r.line))
            detail = (f"question: {r.question}\nanswer: {r.answer}\nrefused: {r.refused}\n"
                      f"citations: {[c['id'] for c in r.citations]}\ntags: {', '.join(r.tags)}")
            if not r.passed:
                f = ET.SubElement(tc, "failure", message=_x("; ".join(r.reasons)), type="golden")
                f.text = _x(detail)
            else:
                ET.SubElement(tc, "system-out").text = _x(detail)
    th = ET.SubElement(root, "testsuite", name="thresholds", tests=str(len(ev.checks)),
                       failures=str(sum(not c.passed for c in ev.checks)), errors="0", skipped="0", time="0",
                       timestamp=ev.created)
    for c in ev.checks:
        tc = ET.SubElement(th, "testcase", classname="thresholds", name=_x(c.label), time="0")
        if not c.passed:
            ET.SubElement(tc, "failure", message=f"{c.label} {fmt(c.value)} {'<' if c.op == '>=' else '>'} {c.limit}",
                          type="threshold")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
