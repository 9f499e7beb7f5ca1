"""``GET /sources/{name}``: a readable view of one whole article, each passage an anchor (``#p-<passage id>``).

The page is built from the passages the index holds (through :meth:`Assistant.article`), never from the file
system: a name is looked up among the indexed sources, so no path can reach anything else. The name is checked
first (:func:`check_name`: short, printable, no ``..``, ``\\`` or leading ``/``) and an unknown one is a 404 in the
server's one error shape. Every piece of text is HTML-escaped; the page has no script, and its own
Content-Security-Policy allows none (inline styles only). The passage the link names is highlighted by CSS alone
(``:target``), so a cited passage is marked wherever the visitor came from.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

MAX_NAME = 300
_BAD_NAME = re.compile(r"[\x00-\x1f\x7f\\]")
_BULLET = re.compile(r"^(\s*)(?:[-*+]|\d{1,3}[.)])\s+")
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'self'")


def check_name(name: str) -> str | None:
    """``name`` when it may name a source, else None (the route answers 404 either way: nothing is said about why)."""
    if not name or len(name) > MAX_NAME or _BAD_NAME.search(name) or name.startswith("/"):
        return None
    if any(part in ("", ".", "..") for part in name.split("/")):
        return None
    return name


def anchor(passage_id: str) -> str:
    """The fragment (without ``#``) of a passage on its article's page."""
    return "p-" + passage_id


def href(source: str, passage_id: str = "") -> str:
    """The address of a source's page, at a passage when given (relative to the server's root)."""
    url = "/sources/" + quote(source, safe="/")
    return url + ("#" + quote(anchor(passage_id), safe="") if passage_id else "")


def _e(text: str) -> str:
    return html.escape(str(text), quote=True)


def _blocks(text: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def _block_html(block: str) -> str:
    lines = [ln for ln in block.splitlines() if ln.strip()]
    if lines and all(_BULLET.match(ln) or (i and ln.startswith((" ", "\t"))) for i, ln in enumerate(lines)) \
            and _BULLET.match(lines[0]):
        items: list[str] = []
        for ln in lines:
            m = _BULLET.match(ln)
            if m:
                depth = min(3, len(m.group(1).expandtabs(4)) // 2)
                items.append(f'<li class="d{depth}">{_e(ln[m.end():].strip())}')
            elif items:  # a wrapped continuation of the item before
                items[-1] += " " + _e(ln.strip())
        return "<ul>" + "".join(i + "</li>" for i in items) + "</ul>"
    return f"<p>{_e(' '.join(ln.strip() for ln in lines))}</p>"


def passage_html(p) -> str:
    """One passage as readable HTML, in an element whose id is its anchor."""
    blocks = _blocks(p.text)
    inner: list[str] = []
    if p.kind in ("code", "table"):
        inner.append(f"<pre>{_e(p.text)}</pre>")
    else:
        if p.kind == "faq" and p.question and blocks and blocks[0].strip().rstrip("?") == p.question.strip().rstrip("?"):
            inner.append(f'<h3 class="faq-q">{_e(blocks.pop(0))}</h3>')
        inner += [_block_html(b) for b in blocks]
    return f'<div class="passage {_e(p.kind)}" id="{_e(anchor(p.id))}">{"".join(inner)}</div>'


STYLE = """
:root { color-scheme: light; --bg: #ffffff; --fg: #1e293b; --muted: #475569; --line: #e2e8f0; --link: #1d4ed8;
        --hit: #fef3c7; --hit-line: #b45309; }
body.dark { color-scheme: dark; --bg: #0f172a; --fg: #e2e8f0; --muted: #cbd5e1; --line: #334155; --link: #93c5fd;
            --hit: #422006; --hit-line: #fbbf24; }
* { box-sizing: border-box; }
html { scroll-padding-top: 1.5rem; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 17px/1.65 system-ui, -apple-system, "Segoe UI",
       Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 46rem; margin: 0 auto; padding: 1.2rem 1.1rem 4rem; }
.top { font-size: 0.92rem; color: var(--muted); margin: 0 0 1rem; }
a { color: var(--link); }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0.2rem 0 0.4rem; }
.note { display: none; color: var(--muted); font-size: 0.95rem; margin: 0 0 1.6rem; }
main:has(.passage:target) .note { display: block; }
h2 { font-size: 1.25rem; line-height: 1.3; margin: 2rem 0 0.6rem; }
h3.faq-q { font-size: 1.05rem; margin: 0 0 0.3rem; }
.passage { margin: 0 -0.7rem 0.9rem; padding: 0.35rem 0.7rem; border-left: 4px solid transparent; border-radius: 4px; }
.passage p { margin: 0 0 0.6rem; }
.passage p:last-child, .passage ul:last-child { margin-bottom: 0; }
.passage ul { margin: 0.2rem 0 0.6rem; padding-left: 1.4rem; }
.passage li.d1 { margin-left: 1.2rem; } .passage li.d2 { margin-left: 2.4rem; } .passage li.d3 { margin-left: 3.6rem; }
.passage pre { white-space: pre-wrap; overflow-x: auto; font-size: 0.9rem; background: transparent; margin: 0; }
.passage:target { background: var(--hit); border-left-color: var(--hit-line); }
.passage:target::before { content: "Cited passage"; display: block; font-size: 0.8rem; font-weight: 700;
                          letter-spacing: .02em; text-transform: uppercase; color: var(--fg); margin-bottom: 0.2rem; }
"""


def page(passages: list, theme: str = "light") -> str:
    """The whole article (its passages, in order) as one HTML page."""
    title = next((p.title for p in passages if p.title), "") or passages[0].source
    out: list[str] = []
    section = None
    for p in passages:
        if p.section != section:
            if section is not None:
                out.append("</section>")
            section = p.section
            out.append("<section>" + (f"<h2>{_e(section)}</h2>" if section and section != title else ""))
        out.append(passage_html(p))
    if section is not None:
        out.append("</section>")
    dark = ' class="dark"' if theme == "dark" else ""
    back = "/" + ("?__theme=dark" if theme == "dark" else "")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<meta name=\"referrer\" content=\"no-referrer\"><title>{_e(title)}</title><style>{STYLE}</style></head>"
            f"<body{dark}><main><p class=\"top\"><a href=\"{_e(back)}\">Ask the assistant about this article</a></p>"
            f"<article><h1>{_e(title)}</h1>"
            "<p class=\"note\">The passage the assistant cited is highlighted below.</p>"
            + "".join(out) + "</article></main></body></html>")
