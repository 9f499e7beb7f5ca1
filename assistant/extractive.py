"""The default answerer: the one to three source sentences that best answer the question, each
followed by a ``[n]`` marker mapping to the cited passage. Nothing but the source's own words."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.models import Passage
from index.settings import Settings

from .answertype import asked, has_kind
from .query import Query
from .retrieval import Retrieval, Retriever
from .text import stem, stems

_ANAPHOR = re.compile(r"^(?:\W*\w+\W+){0,9}?(?:this|these|those|their|they|them|it|its|he|his|she|her|such)\b", re.I)
LIST_KINDS = {"list"}


@dataclass
class Pick:
    passage: int
    sentence: int
    score: float
    sim: float
    coverage: float


@dataclass
class Extract:
    picks: list[Pick]  # in answer order
    coverage: float  # share of the question's weighted terms found in the cited passages
    top_sim: float

    def text(self, snap) -> str:
        """The chosen sentences, plain (for checks on what the answer says)."""
        return " ".join(snap.passages[c.passage].sentences[c.sentence].text for c in self.picks)


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


def _coverage(retriever: Retriever, q: Query, text_stems: set[str], prior: float = 0.0) -> float:
    """IDF-weighted share of the question's words the answer holds (a synonym counts 0.6); ``prior``
    typical words are added to the total, so that one matched word is thinner evidence than five."""
    total, got = prior * retriever.typical_idf, 0.0
    for t in q.terms:
        if t in q.excluded:
            continue
        s = stem(t)
        w = retriever.idf(s)
        total += w
        if s in text_stems:
            got += w
        elif any(stem(x) in text_stems for e in q.expands.get(t, []) for x in e.split()):
            got += 0.6 * w
    return got / total if total else 0.0


def select(retriever: Retriever, q: Query, r: Retrieval, settings: Settings) -> Extract:
    snap = retriever.snap
    top = r.ranked[: settings.sentence_pool]
    if not top:
        return Extract([], 0.0, 0.0)
    best_fused = top[0].score or 1.0
    sought = [t for t in q.terms if t not in q.excluded]
    qterms = sought + [w for t in sought for e in q.expands.get(t, []) for w in e.split()]
    qstems = {stem(t) for t in qterms}
    weights = {stem(t): retriever.idf(stem(t)) * (1.0 if t in sought else 0.5) for t in qterms}
    wsum = sum(weights[stem(t)] for t in sought) or 1.0
    typed = bool(asked(q.text))
    cands: list[Pick] = []
    for rk in top:
        p = snap.passages[rk.index]
        section_stems = retriever.section_stems[rk.index]
        for si, sent in enumerate(p.sentences):
            row = _row(retriever, rk.index, si)
            sim = float(r.sentence_sims[row]) if row is not None else 0.0
            if p.kind == "faq" and si == 0:
                continue  # the FAQ question itself is not an answer
            ss = retriever.sentence_stems[rk.index][si]
            lex = sum(weights[s] for s in qstems if s in ss) / wsum
            head = sum(weights[s] for s in qstems if s in section_stems and s not in ss) / wsum
            score = (sim + settings.sentence_lexical * min(lex, 1.0) + settings.sentence_heading * min(head, 1.0)
                     + settings.sentence_passage * (rk.score / best_fused)
                     + (settings.sentence_answer_type if typed and has_kind(q.text, sent.text) else 0.0))
            cands.append(Pick(rk.index, si, score, sim, lex))
    cands.sort(key=lambda c: -c.score)
    chosen: list[Pick] = [cands[0]]
    for c in cands[1:]:
        if len(chosen) >= settings.max_sentences:
            break
        if c.score < chosen[0].score - settings.sentence_margin:
            break
        if any(c.passage == x.passage and c.sentence == x.sentence for x in chosen):
            continue
        if _redundant(snap, c, chosen):
            continue
        trial = chosen + [c]
        if _words(snap, trial) > settings.max_answer_words:
            continue
        chosen = trial
    chosen = _add_faq_body(snap, retriever, chosen, cands, settings)
    chosen = _with_context(snap, chosen, settings)
    chosen = _body_before_faq(snap, retriever, chosen)
    cited_stems: set[str] = set()  # what the answer says: its sentences and their section headings
    for c in chosen:
        cited_stems |= retriever.sentence_stems[c.passage][c.sentence] | retriever.section_stems[c.passage]
    return Extract(chosen, _coverage(retriever, q, cited_stems, settings.coverage_prior), max(c.sim for c in chosen))


def _row(retriever: Retriever, pi: int, si: int):
    return retriever.sentence_row.get((pi, si))


def _words(snap, picks: list[Pick]) -> int:
    seen = set()
    n = 0
    for c in picks:
        p = snap.passages[c.passage]
        if p.kind in LIST_KINDS:
            if c.passage in seen:
                continue
            seen.add(c.passage)
            n += sum(word_count(s.text) for s in p.sentences) // 2  # lists are rendered compactly; count half
        else:
            n += word_count(p.sentences[c.sentence].text)
    return n


def _redundant(snap, c: Pick, chosen: list[Pick]) -> bool:
    a = stems(snap.passages[c.passage].sentences[c.sentence].text)
    for x in chosen:
        if snap.passages[x.passage].kind in LIST_KINDS and x.passage == c.passage:
            return True  # the whole list is rendered already
        b = stems(snap.passages[x.passage].sentences[x.sentence].text)
        if a and len(a & b) / len(a) > 0.7:
            return True
    return False


def _with_context(snap, chosen: list[Pick], settings: Settings) -> list[Pick]:
    """A sentence opening with a pronoun or connective gets the sentence before it, when the budget allows."""
    out: list[Pick] = []
    for c in chosen:
        p = snap.passages[c.passage]
        s = p.sentences[c.sentence]
        prev = c.sentence - 1
        if (p.kind not in LIST_KINDS and prev >= 0 and _needs_context(s.text) and not (p.kind == "faq" and prev == 0)
                and not any(x.passage == c.passage and x.sentence == prev for x in chosen + out)):
            ctx = Pick(c.passage, prev, c.score, c.sim, c.coverage)
            if _words(snap, out + [ctx, c] + [x for x in chosen if x not in out and x is not c]) <= settings.max_answer_words:
                out.append(ctx)
        out.append(c)
    return out


def _add_faq_body(snap, retriever: Retriever, chosen: list[Pick], cands: list[Pick], settings: Settings) -> list[Pick]:
    """An FAQ answer leads: bring in the best sentence of the body passage it summarises (cited first)."""
    lead = chosen[0]
    body = retriever.faq_body.get(lead.passage)
    if snap.passages[lead.passage].kind != "faq" or body is None or any(c.passage == body for c in chosen):
        return chosen
    options = [c for c in cands if c.passage == body and c.score >= lead.score - 0.3]
    if not options:
        return chosen
    # Among close candidates, the body sentence that best answers the FAQ's own question.
    qrow = retriever.faq_rows.get(lead.passage)
    if qrow is not None:
        fq = snap.sentence_vecs[qrow]
        options.sort(key=lambda c: -(c.score + float(snap.sentence_vecs[retriever.sentence_row[(c.passage, c.sentence)]] @ fq)))
    trial = [options[0]] + chosen
    while _words(snap, trial) > settings.max_answer_words and len(trial) > 2:
        trial.pop()
    return trial if _words(snap, trial) <= settings.max_answer_words else chosen


def _needs_context(text: str) -> bool:
    """A pronoun among the first words with no name before it ("Their apprehension…", "…, he indicated")."""
    m = _ANAPHOR.match(text)
    if not m:
        return False
    before = text[: m.end()].split()[1:-1]
    return not any(w[:1].isupper() for w in before)


def _body_before_faq(snap, retriever: Retriever, chosen: list[Pick]) -> list[Pick]:
    """When an FAQ answer and the body passage it summarises are both cited, the body comes first."""
    faq = [c for c in chosen if snap.passages[c.passage].kind == "faq"]
    if not faq:
        return chosen
    bodies = {retriever.faq_body.get(c.passage) for c in faq}
    first_body = [c for c in chosen if c.passage in bodies]
    if not first_body:
        return chosen
    return first_body + [c for c in chosen if c not in first_body]


def render(snap, picks: list[Pick]) -> tuple[str, list[int]]:
    """Answer text with markers, and the passage index of each marker number (1-based order)."""
    order: list[int] = []
    parts: list[str] = []
    rendered_lists: set[int] = set()
    for c in picks:
        if c.passage not in order:
            order.append(c.passage)
        n = order.index(c.passage) + 1
        p: Passage = snap.passages[c.passage]
        if p.kind in LIST_KINDS:
            if c.passage in rendered_lists:
                continue
            rendered_lists.add(c.passage)
            parts.append(_render_list(p) + f" [{n}]")
        else:
            text = p.sentences[c.sentence].text
            if parts and parts[-1].endswith(f"[{n}]") and _same_passage_run(picks, c):
                parts[-1] = parts[-1][: -len(f" [{n}]")] + " " + text + f" [{n}]"
            else:
                parts.append(f"{text} [{n}]")
    return " ".join(parts), order


def _same_passage_run(picks: list[Pick], c: Pick) -> bool:
    i = picks.index(c)
    return i > 0 and picks[i - 1].passage == c.passage and picks[i - 1].sentence == c.sentence - 1


def _render_list(p: Passage) -> str:
    intro = [s.text for i, s in enumerate(p.sentences) if not p.is_item(i)]
    items = [s.text.rstrip(".;") for i, s in enumerate(p.sentences) if p.is_item(i)]
    lead = " ".join(intro)
    body = "; ".join(items)
    if lead:
        return f"{lead} {body}." if lead.endswith(":") else f"{lead}: {body}."
    return body + "."
