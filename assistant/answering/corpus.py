"""``Corpus``: everything the answering derives from one index version, built once per version.

Vocabulary and statistics (document frequency, IDF), the sentence and passage vectors, the BM25 index,
FAQ links, the names the sources use, and word repair for what users type: a misspelt word is matched to
the sources' vocabulary with rapidfuzz, and how rare a word is in English comes from ``wordfreq``. Nothing
here knows one article: every word it knows comes from the sources at ingest.
"""
from __future__ import annotations

import bisect
import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable

import numpy as np

from index.reader import Snapshot

from .text import NUMBER_TOKEN, SPELT_NUMBERS, STOP, URL, content_terms, initials, names, stem, stems, tokens

# English prefixes that make a new word of a known one ("un-install", "re-apply"): such a word is no misspelling.
# Zipf frequency (wordfreq) from which an English word is too common to be taken for a typo (a few times per million
# words and more: "right", "chanel" is below)
_COMMON = 4.0
_PREFIXES = ("un", "re", "dis", "de", "non", "mis", "pre", "anti", "over", "under", "sub", "co", "counter", "out")


class Corpus:
    def __init__(self, snapshot: Snapshot, heading_repeat: int = 1):
        from llama_index.core.schema import TextNode
        from llama_index.retrievers.bm25 import BM25Retriever

        logging.getLogger("bm25s").setLevel(logging.WARNING)
        self.snap = snapshot
        self._derived: dict = {}
        self.passages = snapshot.passages
        n = len(self.passages)
        nodes = [TextNode(id_=str(i), text=" ".join([p.section] * heading_repeat + [p.text]))
                 for i, p in enumerate(self.passages)]
        self.bm25 = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=n)
        self.sentence_row = {ref: row for row, ref in enumerate(snapshot.sentence_refs)}
        self.sentence_rows: dict[int, list[int]] = {}
        for row, (pi, _) in enumerate(snapshot.sentence_refs):
            self.sentence_rows.setdefault(pi, []).append(row)
        self.sent_passage = np.array([pi for pi, _ in snapshot.sentence_refs], dtype=np.int64)
        self.faq_rows = {pi: row for row, (pi, si) in enumerate(snapshot.sentence_refs)
                         if si == 0 and self.passages[pi].kind == "faq"}
        self.faq_body = self._faq_bodies()
        self.sentence_stems = [[stems(s.text) for s in p.sentences] for p in self.passages]
        self.section_stems = [stems(p.section) for p in self.passages]
        self.passage_stems = [stems(p.section + " " + p.text) for p in self.passages]
        self.df = self._document_frequency()
        self.words = self._surface_words()
        idfs = sorted(self.idf(s) for s in self.df)
        self.typical_idf = idfs[len(idfs) // 2] if idfs else 1.0
        self.names = Counter(nm for p in self.passages for s in p.sentences for nm in names(s.text))
        self.name_words = {w.lower() for nm in self.names for w in nm.split()}
        self.initials = {i for p in self.passages for t in [p.section, *(s.text for s in p.sentences)]
                         for i in initials(t)}
        self.sources = sorted({p.source for p in self.passages})
        self.numbers = {n for p in self.passages
                        for n in re.findall(NUMBER_TOKEN, URL.sub(" ", p.section + " " + p.text))}
        self.numbers |= {SPELT_NUMBERS[w] for p in self.passages for w in re.findall(r"[a-z]+", p.text.lower())
                         if w in SPELT_NUMBERS}
        # a version written whole ("42.0.0") also answers to its leading parts ("version 42", "42.0")
        self.numbers |= {n[:i] for n in self.numbers if re.fullmatch(r"\d+(?:\.\d+)+", n)
                         for i in (m.start() for m in re.finditer(r"\.", n))}
        self.term_row = {w: i for i, w in enumerate(snapshot.term_words)}
        self.sentence_words = [[self._word_rows(s.text) for s in p.sentences] for p in self.passages]
        self.passage_words = [self._word_rows(p.section + " " + p.text) for p in self.passages]

    def _word_rows(self, text: str) -> np.ndarray:
        """Rows in the embedded vocabulary (``term_vecs``) of a text's content words."""
        rows = {self.term_row[w] for w in (t.lower().replace("’", "'").removesuffix("'s") for t in tokens(text))
                if w in self.term_row}
        return np.array(sorted(rows), dtype=np.int64)

    def derived(self, key: str, build):
        """A value computed once from this corpus by ``build(corpus)`` and kept as long as the corpus (one index
        version): per-sentence facts that do not depend on the question are worked out once, not per question.
        Two threads may both build it the first time; the builds are equal."""
        value = self._derived.get(key)
        if value is None:
            value = self._derived[key] = build(self)
        return value

    def term_vector(self, word: str):
        i = self.term_row.get(word.lower())
        return None if i is None else self.snap.term_vecs[i]

    # -- built once ----------------------------------------------------------------------------
    def _faq_bodies(self) -> dict[int, int]:
        """FAQ passage → the body passage whose sentences are closest to its answer (not one of the answer's own
        further paragraphs)."""
        out: dict[int, int] = {}
        refs = self.snap.sentence_refs
        body_rows = [r for r, (pi, _) in enumerate(refs) if self.passages[pi].kind != "faq"]
        if not body_rows:
            return out
        body = self.snap.sentence_vecs[body_rows]
        for pi in self.faq_rows:
            ans_rows = [r for r in self.sentence_rows.get(pi, []) if refs[r][1] > 0]
            if not ans_rows:
                continue
            sims = (self.snap.sentence_vecs[ans_rows] @ body.T).max(axis=0)
            # the answer's own further paragraphs (under the question as their section) are no body it summarises
            own = np.array([self.passages[refs[r][0]].section == self.passages[pi].question for r in body_rows])
            if own.all():
                continue
            out[pi] = refs[body_rows[int(np.argmax(np.where(own, -np.inf, sims)))]][0]
        return out

    def _document_frequency(self) -> Counter:
        """Stem → number of passages holding it (headings, titles and front matter included)."""
        df: Counter = Counter()
        for p in self.passages:
            df.update({stem(t) for t in content_terms(p.section + " " + p.text)})
        for d in self.snap.docs:
            df.update({stem(t) for t in content_terms(" ".join(str(v) for v in d.get("meta", {}).values()))})
            df.update({stem(t) for t in content_terms(d.get("title", ""))})
        return df

    def _surface_words(self) -> dict[str, str]:
        """Lower-case word as written in the sources → its stem (the typo-repair vocabulary)."""
        out: dict[str, str] = {}
        for p in self.passages:
            for t in tokens(p.section + " " + p.text):
                w = t.lower()
                if len(w) >= 3 and w.isalpha():
                    out.setdefault(w, stem(w))
        return out

    # -- statistics -----------------------------------------------------------------------------
    def idf(self, s: str) -> float:
        """Inverse passage frequency of a stem; a word the sources never use weighs as a typical word."""
        df = self.df.get(s, 0)
        if not df:
            return getattr(self, "typical_idf", 1.0)
        return math.log(1 + (len(self.passages) + 1) / (df + 0.5))

    def abbreviates(self, word: str) -> bool:
        """An abbreviation in capitals ("FAQ") of words the sources spell out ("Frequently Asked Questions")."""
        return len(word) >= 2 and word.isupper() and word.lower() in self.initials

    def knows_stem(self, word: str) -> bool:
        """The word's own stem is in the sources (not only as the start of a longer one)."""
        return all(self.df.get(stem(w), 0) for w in word.split())

    def knows(self, word: str) -> bool:
        """The word's stem is in the sources, or it begins a longer source word (West → Western); words separated by
        spaces each."""
        if " " in word:
            return all(self.knows(w) for w in word.split())
        s = stem(word)
        if self.df.get(s, 0):
            return True
        if len(s) < 5:
            return False
        # Stems starting with s sit together in sorted order, right where s would go: one bisection instead of
        # a scan of the whole vocabulary per question word.
        longs = self._long_stems
        i = bisect.bisect_left(longs, s)
        return i < len(longs) and longs[i].startswith(s)

    @functools.cached_property
    def _long_stems(self) -> list[str]:
        return sorted(v for v in self.df if len(v) >= 6)

    @functools.lru_cache(maxsize=8192)
    def repair(self, word: str) -> str | None:
        """The source word a misspelt ``word`` most likely stands for, or None.

        Only for a word the sources lack and English rarely uses (``wordfreq``): "wiling" → "willing", while
        an ordinary word the article simply does not use ("bread" in a news article) is left alone."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein
        from wordfreq import zipf_frequency

        w = word.lower()
        # known exactly, not only as the start of a longer source word: "discusions" begins "discussions" but is
        # no word of the sources' (its stem matches none of theirs)
        if len(w) < 3 or not w.isalpha() or self.knows_stem(w) or zipf_frequency(w, "en") >= 3.0:
            return None
        if len(w) == 3:  # "tme": one edit from a content word of the sources, the one they use most
            return self._one_edit_from(w)
        if any(w.startswith(p) and len(w) - len(p) >= 4 and self.knows(w[len(p):]) for p in _PREFIXES):
            return None  # "uninstall", "reapply", "unshare": a word of theirs with a prefix that changes its meaning
        edits = 1 if len(w) <= 5 else 2  # a transposition counts as one edit
        for vocabulary in (self.words.keys(), _english()):
            hit = process.extractOne(w, vocabulary, scorer=DamerauLevenshtein.distance, score_cutoff=edits)
            if hit is not None:
                return hit[0]
        return None

    def repair_in_context(self, word: str, neighbours: tuple[str, ...]) -> str | None:
        """A word of English that the sources lack, one edit from one of their content words that they write next
        to the same neighbour (a content word of the question beside it): "beta chanel" → "beta channel". Without
        such a neighbour an ordinary word is left alone ("poker" is no "power")."""
        from wordfreq import zipf_frequency

        w = word.lower()
        if len(w) < 4 or not w.isalpha() or self.knows(w) or zipf_frequency(w, "en") >= _COMMON:
            return None  # "right now" is no typo of "night": a word this common is meant
        sides = [(stem(n.lower()), i) for i, n in enumerate(neighbours) if n and n.lower() not in STOP]
        if not sides:
            return None
        pairs = self._stem_pairs()
        return self._one_edit_from(w, lambda v: any(((n, stem(v)) if i == 0 else (stem(v), n)) in pairs for n, i in sides))

    def _one_edit_from(self, w: str, fits: Callable[[str], bool] | None = None) -> str | None:
        """The content word of the sources one edit from ``w`` (a transposition counts as one), among those ``fits``
        accepts, that they use most; None when there is none."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        content = self.derived("content_words", lambda c: [v for v in c.words if v not in STOP])
        near = [v for v, _, _ in process.extract(w, content, limit=None, scorer=DamerauLevenshtein.distance, score_cutoff=1)
                if fits is None or fits(v)]
        return max(near, key=lambda v: (self.df.get(self.words[v], 0), v)) if near else None

    def _stem_pairs(self) -> set[tuple[str, str]]:
        """Stems of the words the sources write side by side (worked out the first time a question needs them)."""
        return self.derived("stem_pairs", lambda c: {
            (stem(a), stem(b)) for p in c.passages for ws in [[t.lower() for t in tokens(p.section + " " + p.text)]]
            for a, b in zip(ws, ws[1:])})

    def split_compound(self, word: str) -> str | None:
        """A word the sources write as two ("website" for "web site", "checkbox" for "check box"): the two words,
        when the sources use them side by side; else None."""
        w = word.lower()
        if not w.isalpha() or self.knows(w):
            return None
        pairs = self._stem_pairs()
        for i in range(3, len(w) - 2):
            if (stem(w[:i]), stem(w[i:])) in pairs:
                return f"{w[:i]} {w[i:]}"
        return None

    def repair_name(self, name: str) -> dict[str, str]:
        """A name misspelt from one the sources use ("Jon Smyth" for "John Smith", "Jonsen"): its words → the
        source name's words that differ ({} when none is close). Each word of a name of several words may be one edit
        (a transposition counts as one) from the words of a run of a source name; a one-word name only when it is at
        least six letters long — "Bern" is not "Bonn"."""
        from rapidfuzz.distance import DamerauLevenshtein

        words = [w.lower() for w in name.split()]
        if all(self.knows(w) or w in self.name_words for w in words):
            return {}
        if len(words) == 1:
            options = [[w] for w in self.name_words] if len(words[0]) >= 6 else []
        else:
            n = len(words)  # any run of as many words of a source name ("Ada Lovelace" in "Countess Ada Lovelace")
            options = self.derived(f"name_runs:{n}", lambda c: [
                ws[i:i + n] for ws in (nm.lower().split() for nm in c.names) for i in range(len(ws) - n + 1)])
        best, best_cost = None, None
        for option in options:
            cost = [DamerauLevenshtein.distance(w, v, score_cutoff=1) for w, v in zip(words, option)]
            if all(c <= 1 for c in cost) and sum(cost) and (best_cost is None or sum(cost) < best_cost):
                best, best_cost = option, sum(cost)
        return {w: v for w, v in zip(words, best) if w != v} if best else {}


@functools.lru_cache(maxsize=1)
def _english() -> list[str]:
    """Common English words (wordfreq), for repairing a misspelt word the sources happen not to use."""
    from wordfreq import top_n_list

    return [w for w in top_n_list("en", 30000) if w.isalpha() and len(w) >= 3]


def rarity(word: str) -> float:
    """How unusual a word is in English, 0 (very common) … 1 (unknown), from ``wordfreq``'s Zipf scale."""
    from wordfreq import zipf_frequency

    return max(0.0, min(1.0, (7.0 - zipf_frequency(word.lower(), "en")) / 7.0))
