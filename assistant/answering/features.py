"""General features of a question and its candidate answer sentences, for the learned models.

Nothing here names what an article talks about: every feature is a similarity (embedding cosines), a
statistic of the sources (IDF-weighted coverage, BM25), the shape of the text (a number where one is asked
for, a sentence that continues the one before it, a list) or how rare a word is in English.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .answertype import (asked, asks_for_person, asks_name, asks_yes_no, counted_word, counted_words, focus_words,
                         kinds_in, measured, names_beyond, type_mismatch, which_words)
from .corpus import Corpus, rarity
from .inventory import asks_person, names_person
from .query import Query
from .retrieval import Retrieval
from .text import HASHTAGS_ONLY, LABEL_ONLY, names, stem, stems, tokens

# A sentence leaning on the one before it: a pronoun or connective among its first words.
_LEANS = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:this|these|those|that|such|it|its|they|their|them|he|his|she|her|"
                    r"however|but|instead|also|moreover|furthermore|additionally|therefore|thus|by|here)\b", re.I)
# Words naming a body of people (general English): "Which team …?" asks who, and is answered by a name.
_BODIES = r"group|team|organi[sz]ation|agency|company|body"
_WHO = re.compile(rf"^\W*(?:\w+\W+){{0,3}}?(?:who|whom|whose|which (?:person|people|{_BODIES}))\b", re.I)
# … with their plurals and a few more: what "Which agencies …?" asks for, answered by names (not the word itself)
_BODY_WORD = re.compile(rf"^(?:{_BODIES}|groups|teams|organi[sz]ations|agencies|companies|bodies|departments?|offices?|"
                        r"firms?|bureaus?|ministr(?:y|ies))$", re.I)
_DEFINE_ASK = re.compile(r"\bwhat (?:\w+ly )?(?:is|are|was|were|does|do)\b(?:(?!\b(?:how|why|when)\b).)*?(?:\bmean|\bstand for|\?|$)|\bdefin", re.I)
_DEFINES = re.compile(r"\b(?:is|are|was|were) (?:a|an|the)\b|\brefers? to\b|\bmeans?\b|\bstands? for\b|\bdefined as\b|\bknown as\b|\bcalled\b", re.I)
_LIST_ASK = re.compile(r"\b(?:list\b|enumerate|name (?:all|every|the)|what (?:are|were) (?:the|some|all)|which\b.*\b(?:are|were)\b"
                       r"|which (?:[\w\-]+ ){0,2}[a-z][\w\-]*[^s\W]s (?:and [\w\-]+s )?(?:did|do|does|have|has|had|will|would|can|could)\b"
                       r"|steps|ways|kinds|types|options|examples|alternatives|(?:all|every) (?:the )?\w+s\b)", re.I)

_OPENING = re.compile(r"[\w'’\-]+")
_OPENING_WORDS = 5

SENTENCE_FEATURES = (
    "sim", "sim_gap", "sim_rank", "psim", "fused", "prank", "bm25", "lex", "lex_gap", "lex_rank", "head",
    "passage_lex", "asks_type", "has_type", "leans", "next_leans", "first", "faq", "faq_qsim", "item",
    "list_ask_list", "log_words", "names", "neighbour_sim", "intro", "novel", "who_name", "defines", "opens",
    "align", "align_min", "align_gap", "pair_sim", "pair_gap", "after_last",
)
QUESTION_FEATURES = (
    "p_best", "p_second_gap", "sim", "lex", "passage_lex", "answer_lex", "miss_max", "oov", "oov_rare", "soft",
    "unknown_names", "mismatch", "which_mismatch", "faq_qsim", "log_terms", "psim", "bm25_any", "p_align_min",
    "p_align_mean", "worst_term", "unknown_numbers", "concept_gap", "focus_mismatch", "lead_mismatch",
    "name_mismatch", "polar", "polar_lex",
)


@dataclass(frozen=True)
class SentenceFacts:
    """What the features need of one sentence that does not depend on the question (worked out once per corpus)."""
    leans: bool  # leans on the sentence before it ("This involves …")
    defines: bool  # reads as a definition ("… refers to …")
    lower: str
    names: tuple[str, ...]  # its capitalised names, lower-cased
    log_words: float
    kinds: frozenset[str]  # kinds of answer it holds (answertype)
    opening: frozenset[str]  # stems of its first words: what it is about ("Security guarantees refer to …")


def sentence_facts(corpus: Corpus) -> list[list[SentenceFacts]]:
    return corpus.derived("sentence_facts", lambda c: [
        [SentenceFacts(bool(_LEANS.match(s.text)), bool(_DEFINES.search(s.text)), s.text.lower(),
                       tuple(n.lower() for n in names(s.text, strict_initial=True)), math.log1p(len(s.text.split())),
                       kinds_in(s.text), frozenset(stems(" ".join(_OPENING.findall(s.text)[:_OPENING_WORDS]))))
         for s in p.sentences] for p in c.snap.passages])


@dataclass
class Candidate:
    passage: int
    sentence: int
    x: np.ndarray  # SENTENCE_FEATURES
    sim: float
    lex: float


def list_asked(text: str) -> bool:
    return bool(_LIST_ASK.search(text))


def _weights(corpus: Corpus, q: Query) -> dict[str, tuple[float, set[str]]]:
    """Each sought term → (IDF weight, the stems that count as it: its own, a repair, its nearest source word)."""
    out = {}
    for t in q.terms:
        if t in q.excluded:
            continue
        forms = {stem(t)} | {stem(w) for alt in q.alternatives(t) for w in alt.split()}
        w = max(corpus.idf(s) for s in forms)
        out[t] = (w * (1.0 if t in q.own else 0.5), forms)
    return out


def coverage(weights: dict, have: set[str]) -> float:
    total = sum(w for w, _ in weights.values())
    if not total:
        return 0.0
    return sum(w for w, forms in weights.values() if not forms.isdisjoint(have)) / total


def candidates(corpus: Corpus, q: Query, r: Retrieval, pool: int) -> list[Candidate]:
    """Every answer sentence of the ``pool`` best passages, with its features."""
    snap = corpus.snap
    top = r.ranked[:pool]
    if not top:
        return []
    weights = _weights(corpus, q)
    best_fused = top[0].score or 1.0
    best_bm25 = max((rk.bm25 for rk in top), default=0.0) or 1.0
    types = asked(q.text)
    listy = list_asked(q.text)
    qnames = [re.compile(rf"\b{re.escape(n.lower())}\b") for n in q.names]  # whole words: "IT" is not in "edit"
    qlower = q.text.lower()
    qstems = {stem(t) for t in q.terms} | {stem(a) for t in q.terms for a in q.alternatives(t)}
    who = bool(_WHO.search(q.text))
    define = bool(_DEFINE_ASK.search(q.text))
    faq_pi, faq_sim = r.faq_match if r.faq_match else (-1, 0.0)
    facts = sentence_facts(corpus)
    align = _aligner(corpus, q, weights, [rk.index for rk in top])
    rows = []
    for rank, rk in enumerate(top):
        p = snap.passages[rk.index]
        head = coverage(weights, corpus.section_stems[rk.index])
        plex = coverage(weights, corpus.passage_stems[rk.index])
        sims, paired = _per_sentence(corpus, rk.index, r.sentence_sims), _per_sentence(corpus, rk.index, r.pair_sims)
        own = facts[rk.index]
        if _points_elsewhere(p):
            continue  # "See:" and a list of links
        for si in range(p.answer_start(), len(p.sentences)):  # an FAQ's question itself is no answer
            text = p.sentences[si].text
            if (p.sentences[si].pointer or si == len(p.sentences) - 1 and LABEL_ONLY.match(text)
                    or HASHTAGS_ONLY.match(text)):
                continue  # "See this video on …", a closing "For example:" (its example dropped), "#Tag #Tag"
            fs = own[si]
            lex = coverage(weights, corpus.sentence_stems[rk.index][si])
            first = si == p.answer_start()
            has_type = any(kind in fs.kinds for kind, _, _ in types)
            new_name = any(n not in qlower for n in fs.names)
            holds = (has_type or not types) and (not who or new_name)  # the kind of answer asked for ("who": a name)
            rows.append((rk.index, si, sims[si], lex, [
                head, plex, float(bool(types)), float(has_type), float(fs.leans and not first),
                float(si + 1 < len(own) and own[si + 1].leans), float(first), float(p.kind == "faq"),
                faq_sim if rk.index == faq_pi else 0.0, float(p.is_item(si)), float(listy and p.kind == "list"),
                fs.log_words,
                (sum(1 for n in qnames if n.search(fs.lower)) / len(qnames)) if qnames else 0.0,
                max([sims[j] for j in (si - 1, si + 1) if 0 <= j < len(sims)], default=0.0),
                float(p.kind == "list" and not p.is_item(si)),
                _novel(corpus.sentence_stems[rk.index][si], qstems),
                float(who and new_name),
                float(define and fs.defines),
                coverage(weights, fs.opening),
            ], align(rk.index, si), paired[si], _after(q.previous, rk.index, si, snap) if holds else 0.0, rank, rk))
    if not rows:
        return []
    sim_order = {id(x): i for i, x in enumerate(sorted(rows, key=lambda x: -x[2]))}
    lex_order = {id(x): i for i, x in enumerate(sorted(rows, key=lambda x: -x[3]))}
    top_sim = max(x[2] for x in rows)
    top_lex = max(x[3] for x in rows)
    top_align = max(x[5][0] for x in rows)
    top_pair = max(x[6] for x in rows)
    table = []
    for row in rows:
        pi, si, sim, lex, rest, (aligned, aligned_min), pair, after, rank, rk = row
        head, plex, *tail = rest
        table.append([sim, sim - top_sim, 1.0 / (1 + sim_order[id(row)]), rk.dense, rk.score / best_fused, 1.0 / (1 + rank),
                      rk.bm25 / best_bm25, lex, lex - top_lex, 1.0 / (1 + lex_order[id(row)]), head, plex, *tail,
                      aligned, aligned_min, aligned - top_align, pair, pair - top_pair, after])
    xs = np.array(table, dtype=np.float64)  # one array for the pool; each candidate holds its row
    return [Candidate(row[0], row[1], x, row[2], row[3]) for row, x in zip(rows, xs)]


def _after(previous: frozenset, pi: int, si: int, snap) -> float:
    """1 for the sentence right after one the last answer quoted (½ for the one after that), not itself quoted; the
    first sentence of the next paragraph of the same section counts as right after the last of its paragraph:
    where "Why?" or "What did they find?" is answered. (Counted only for a sentence holding the kind of answer
    asked for: "Who leads it?" is not answered by the next sentence when that names no one.)"""
    if not previous or (pi, si) in previous:
        return 0.0
    if si == 0 and pi > 0:  # the first of a paragraph, after the last sentence of the one before it in its section
        before, p = snap.passages[pi - 1], snap.passages[pi]
        if before.source == p.source and before.section == p.section and (pi - 1, len(before.sentences) - 1) in previous:
            return 1.0
    return 1.0 if (pi, si - 1) in previous else 0.5 if (pi, si - 2) in previous else 0.0


def _per_sentence(corpus: Corpus, pi: int, values: np.ndarray) -> list[float]:
    """The entries of ``values`` (one per sentence row of the snapshot) for passage ``pi``'s sentences, 0.0 where a
    sentence has no row."""
    rows = corpus.sentence_row
    return [float(values[rows[(pi, si)]]) if (pi, si) in rows else 0.0 for si in range(len(corpus.snap.passages[pi].sentences))]


def _aligner(corpus: Corpus, q: Query, weights: dict, pool: list[int]):
    """Soft word alignment: for each question word, its closest word in a sentence (cosine of the embedded words),
    averaged by IDF weight — matching "okay" to "approve" where exact words differ. Returns f(pi, si) → (mean, min),
    worked out for every sentence of the pool at once."""
    terms = [t for t in weights if t in q.vectors]
    if not terms or not len(corpus.snap.term_vecs):
        return lambda pi, si: (0.0, 0.0)
    refs = [(pi, si) for pi in pool for si in range(len(corpus.sentence_words[pi]))]
    words = [corpus.sentence_words[pi][si] for pi, si in refs]
    lens = np.array([len(w) for w in words], dtype=np.int64)
    if not lens.sum():
        return lambda pi, si: (0.0, 0.0)
    rows, cols = np.unique(np.concatenate(words), return_inverse=True)
    sims = np.vstack([q.vectors[t] for t in terms]) @ corpus.snap.term_vecs[rows].T  # (terms, words in the pool)
    w = np.array([weights[t][0] for t in terms])
    w = w / w.sum()
    has = lens > 0
    starts = (np.cumsum(lens) - lens)[has]
    best = np.maximum.reduceat(sims[:, cols], starts, axis=1)  # (terms, sentences with words): each term's best
    means, mins = w @ best, best.min(axis=0)
    out = dict.fromkeys(refs, (0.0, 0.0))
    for j, ref in enumerate(ref for ref, h in zip(refs, has) if h):
        out[ref] = (float(means[j]), float(mins[j]))
    return lambda pi, si: out[(pi, si)]


def _points_elsewhere(p) -> bool:
    """A list of links introduced by a label only ("See:", "Further reading:"): it points elsewhere, says nothing.
    A list of links under a sentence ("Join these channels:"), or under its heading alone, still names something."""
    items, rest = [s for s in p.sentences if s.item], [s for s in p.sentences if not s.item]
    return (p.kind == "list" and bool(items) and bool(rest) and all(s.link for s in items)
            and all(LABEL_ONLY.match(s.text) for s in rest))


def _novel(sentence_stems: set[str], question_stems: set[str]) -> float:
    """Share of the sentence's words the question does not already say (an echo of the question says nothing)."""
    return len(sentence_stems - question_stems) / len(sentence_stems) if sentence_stems else 0.0


def question_features(corpus: Corpus, q: Query, r: Retrieval, probs: list[float], best: Candidate,
                      answer_text: str, answer_sections: str, lead_text: str) -> np.ndarray:
    """Features of the question and its best answer (``pipeline.said``: its sentences, their headings, and its lead,
    the sentences of the passage it opens with), for the answerability model."""
    weights = _weights(corpus, q)
    total = sum(w for w, _ in weights.values()) or 1.0
    spelt_out = {w.lower() for w in tokens(q.text) if corpus.abbreviates(w)}  # "FAQ": Frequently Asked Questions
    unknown = [t for t in weights if not corpus.knows(q.repaired.get(t, t)) and t not in spelt_out]
    oov = sum(weights[t][0] * (0.5 if t in q.soft else 1.0) for t in unknown) / total
    oov_rare = max((rarity(q.repaired.get(t, t)) for t in unknown if t not in q.soft), default=0.0)
    soft = sum(weights[t][0] for t in unknown if t in q.soft) / total
    unknown_names = sum(1 for n in q.names if not all(
        corpus.knows(w) or corpus.abbreviates(w) or w.lower() in corpus.name_words or q.repaired.get(w.lower()) or w.lower() in q.soft
        for w in re.split(r"[\s-]+", n) if len(w) > 2))
    said = stems(answer_text + " " + answer_sections)
    answer_lex = coverage(weights, said)
    own = {t: v for t, v in weights.items() if t in q.own} or weights
    top_w = max((w for w, _ in own.values()), default=1.0) or 1.0
    miss_max = max((w / top_w for w, forms in own.values() if not forms & said), default=0.0)
    ordered = sorted(probs, reverse=True)
    gap = ordered[0] - ordered[1] if len(ordered) > 1 else ordered[0]
    word = counted_word(q.text)
    counted = ({stem(word)} | {stem(a) for a in q.alternatives(word)} | _synonyms(corpus, q, word)) if word else None
    mismatch = _mismatch(corpus, q, word, answer_text, counted)
    lead_mismatch = _mismatch(corpus, q, word, lead_text, counted)
    which = which_words(q.text)
    which_mismatch = _lacks(q, which, stems(lead_text + " " + answer_sections))
    if which_mismatch and asks_person(which):  # "Which Freedonian politician …?" is answered by a name, not the word
        which_mismatch = float(not names_person(corpus, lead_text, q.text))
    elif which_mismatch and any(_BODY_WORD.match(w) for w in which):  # "Which agency …?": by a body's name
        which_mismatch = float(not names_beyond(q.text, lead_text))
    focus = focus_words(q.text)
    focus_mismatch = 0.0 if measured(focus, answer_text) else _lacks(q, focus, said)
    faq_sim = r.faq_match[1] if r.faq_match else 0.0
    polar = float(asks_yes_no(q.text))
    top = r.ranked[0] if r.ranked else None
    p_min, p_mean, worst = _passage_alignment(corpus, q, own, best.passage)
    return np.array([ordered[0], gap, best.sim, best.lex, float(best.x[SENTENCE_FEATURES.index("passage_lex")]),
                     answer_lex, miss_max, oov, oov_rare, soft, float(unknown_names), mismatch, which_mismatch, faq_sim,
                     math.log1p(len(weights)), top.dense if top else 0.0, float(any(rk.bm25 > 0 for rk in r.ranked[:3])),
                     p_min, p_mean, worst, float(len(q.unknown_numbers)),
                     max(((1.0 - q.nearest.get(t, 0.0)) * rarity(q.repaired.get(t, t)) for t in unknown if t in own), default=0.0),
                     focus_mismatch, lead_mismatch,
                     float(not names_person(corpus, answer_text, q.text) if asks_for_person(q.text)
                           else asks_name(q.text) and not names_beyond(q.text, answer_text)),
                     polar, polar * answer_lex],
                    dtype=np.float64)


# Cosine above which a source word names the same thing as a question's word ("countries" for "nations", "sites" for
# "websites"), not merely a related one ("members", "troops"): all-MiniLM-L6-v2 word vectors.
_SAME_THING = 0.7


def _mismatch(corpus: Corpus, q: Query, word: str, text: str, counted: set[str] | None) -> float:
    """1.0 when ``text`` lacks the kind of answer asked for; when it lacks only a count of the thing counted ("How
    many members …?" of "over 30 nations"), how far the nearest word counted in it is from that thing (1 − cosine)."""
    if not type_mismatch(q.text, text, counted):
        return 0.0
    v = q.vectors.get(word) if word else None
    if v is None or type_mismatch(q.text, text):
        return 1.0
    near = [x for x in map(corpus.term_vector, counted_words(text)) if x is not None]
    return float(1.0 - max(0.0, max(float(x @ v) for x in near))) if near else 1.0


def _synonyms(corpus: Corpus, q: Query, word: str) -> set[str]:
    """Stems of the source words naming what ``word`` names (by word vectors)."""
    v = q.vectors.get(word)
    if v is None or not len(corpus.snap.term_words):
        return set()
    return {stem(corpus.snap.term_words[j]) for j in np.flatnonzero(corpus.snap.term_vecs @ v >= _SAME_THING)}


def _lacks(q: Query, words: list[str], said: set[str]) -> float:
    """1.0 when the question names what it asks for (``words``) and the answer says none of them (or their repairs)."""
    return float(bool(words) and not any(({stem(w)} | {stem(a) for a in q.alternatives(w)}) & said for w in words))


def _passage_alignment(corpus: Corpus, q: Query, own: dict, pi: int) -> tuple[float, float, float]:
    """How well the answer's passage covers each of the user's words: (the worst word's best cosine to a passage
    word, the weighted mean, and the rarest poorly covered word's English rarity × how poorly it is covered)."""
    terms = [t for t in own if t in q.vectors]
    words = corpus.passage_words[pi]
    if not terms or not len(words):
        return 0.0, 0.0, 1.0
    best = (np.vstack([q.vectors[t] for t in terms]) @ corpus.snap.term_vecs[words].T).max(axis=1)
    stems_here = corpus.passage_stems[pi]
    best = np.array([1.0 if own[t][1] & stems_here else float(b) for t, b in zip(terms, best)])
    w = np.array([own[t][0] for t in terms])
    worst = max(rarity(q.repaired.get(t, t)) * (1.0 - b) for t, b in zip(terms, best))
    return float(best.min()), float(best @ w / w.sum()), float(worst)
