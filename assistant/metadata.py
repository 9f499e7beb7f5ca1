"""Questions about the article itself (when published, category, title, what it covers), answered
from its front matter and structure rather than from passages."""
from __future__ import annotations

import re
from datetime import datetime

_ABOUT_DOC = r"(?:the |this |that )?(?:article|piece|story|text|post|report|page|source|document)"
_PUBLISHED = re.compile(rf"\b(?:when|what date|which date|what day|how old|how recent)\b.*\b(?:published|written|posted|released|come out|came out|dated|date)\b|\bpublic?ation date\b|\bdate of {_ABOUT_DOC}|\b{_ABOUT_DOC}\b.*\b(?:published|dated)\b.*\?|\bwhen\b.*\b{_ABOUT_DOC}\b", re.I)
_CATEGORY = re.compile(rf"\b(?:category|categor[iy]zed|section of the site|filed under|what kind of {_ABOUT_DOC}|genre)\b", re.I)
_TITLE = re.compile(rf"\b(?:title|headline|titled|called|named)\b.*\b{_ABOUT_DOC}\b|\b{_ABOUT_DOC}\b.*\b(?:title|headline|titled|called)\b|^what is the (?:title|headline)\b", re.I)
_COVERS = re.compile(rf"\bwhat (?:is|does) {_ABOUT_DOC} (?:about|cover|discuss|explore|deal with)|\b(?:summar(?:y|ise|ize)|main (?:points|topics|idea))\b.*\b{_ABOUT_DOC}\b|\bwhat(?:'s| is) (?:it|this) about\b|\bwhat topics\b|\bsections?\b.*\b{_ABOUT_DOC}\b|\b{_ABOUT_DOC}\b.*\bsections?\b", re.I)
_AUTHOR = re.compile(rf"\b(?:who (?:wrote|is the author of|authored|published)|author of|written by|writer of)\b", re.I)


def kind(question: str) -> str | None:
    q = question.strip()
    if _AUTHOR.search(q):
        return "author"
    if _PUBLISHED.search(q):
        return "published"
    if _CATEGORY.search(q):
        return "category"
    if _TITLE.search(q):
        return "title"
    if _COVERS.search(q):
        return "covers"
    return None


def human_date(value: str) -> str:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            d = datetime.strptime(value, fmt)
            return f"{d.day} {d.strftime('%B %Y')}"
        except ValueError:
            continue
    return value


def answer(k: str, doc: dict) -> str | None:
    """Text of the answer for metadata kind ``k`` from a document summary, or None when it is not known."""
    meta = doc.get("meta", {})
    title = doc.get("title", "")
    if k == "published" and meta.get("published"):
        return f"The article “{title}” was published on {human_date(meta['published'])} ({meta['published']})."
    if k == "category" and meta.get("category"):
        return f"The article “{title}” is published in the category “{meta['category']}”."
    if k == "title" and title:
        sub = f" Its subtitle is “{meta['subtitle']}”." if meta.get("subtitle") else ""
        return f"The article is titled “{title}”.{sub}"
    if k == "author" and meta.get("author"):
        return f"The article “{title}” was written by {meta['author']}."
    if k == "covers" and doc.get("headings"):
        heads = [h for h in doc["headings"] if not h.endswith("?") or h == doc["headings"][-1]][:8]
        return f"The article “{title}” covers: " + "; ".join(heads) + "."
    return None
