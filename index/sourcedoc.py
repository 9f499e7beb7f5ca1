"""What reading Markdown (:mod:`index.parse`) and plain text (:mod:`index.plaintext`) share: passage ids, front
matter, a title from the file name, the patterns of a list item and of a heading naming an FAQ, and the sentences of
a :class:`~index.markdown.Plain` text with their raw spans in the file."""
from __future__ import annotations

import hashlib
import re

import yaml

from .markdown import Plain
from .models import Sentence
from .sentences import split_sentences

LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
FAQ_SECTION = re.compile(r"frequently asked|\bfaqs?\b|questions? (?:and|&) answers?", re.I)


def slugify(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "x"


def source_slug_for(name: str) -> str:
    """The id prefix of a source's passages: its stem slugified, unique per source name.

    ``article.md`` → ``article``. Whenever the slug loses information (another suffix, a folder,
    characters or length dropped), a short hash of the full name is appended, so ``article.md`` and
    ``article.txt`` (or two long names sharing 24 characters) never share passage ids.
    """
    stem = name[:-3] if name.endswith(".md") else name
    slug = slugify(stem, 24)
    if slug == stem:
        return slug
    return f"{slug}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:6]}"


def title_from_name(name: str) -> str:
    return name.rsplit(".", 1)[0].replace("_", " ").replace("-", " ")


def front_matter(text: str) -> tuple[dict, int]:
    """The YAML front matter at the top of ``text`` ({} when none or malformed) and where the body starts."""
    m = re.match(r"\A---\s*\n(.*?\n)---\s*(?:\n|\Z)", text, re.S)
    if not m:
        return {}, 0
    try:
        data = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError:
        return {}, 0
    return (data if isinstance(data, dict) else {}), m.end()


def title_span(text: str, title: str, body_start: int) -> tuple[int, int]:
    """The file range where ``title`` is written: in the body (its heading) if it is there, else in the front matter;
    (0, 0) when the file never writes it (a title made from the file name)."""
    at = text.find(title, body_start) if title else -1
    at = at if at >= 0 or not title else text.find(title)
    return (at, at + len(title)) if at >= 0 else (0, 0)


def sentences_of(plain: Plain) -> list[Sentence]:
    """``plain`` split into sentences, each with the file range of its raw span."""
    return [Sentence(s.text, *plain.span(s.start, s.end), link=plain.link) for s in split_sentences(plain.text)]


def whole_sentence(plain: Plain, item: bool = False, depth: int = 0) -> Sentence:
    """``plain`` as one sentence, with the file range of its raw span."""
    return Sentence(plain.text, *plain.span(0, len(plain.text)), item=item, depth=depth, link=plain.link)
