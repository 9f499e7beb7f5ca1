"""From scored candidate sentences to the answer a reader would write from the text.

The best sentence (by the selection model) leads; a sentence that leans on the one before it gets that one; a
topic sentence, or a very short one, gets the sentence after it that explains it; a list is given whole with its
introduction (or its first items and "…" past the word budget); a second sentence joins only when the model rates it nearly
as high, and one it rates as high as the best joins even past the budget.
Leading connectives ("However,", "Moreover,") are dropped. Only the sources' own words, each with ``[n]``.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.models import Passage

from .features import SENTENCE_FEATURES, Candidate, list_asked
from .text import HASHTAGS_ONLY, LABEL_ONLY, NUMBER_TOKEN, stems

_OPENER = re.compile(r"^(?:however|moreover|furthermore|additionally|in addition|nevertheless|nonetheless|meanwhile|"
                     r"similarly|likewise|in contrast|by contrast|what's more|what’s more|"
                     r"also|besides|indeed|that said|on the other hand|in fact|and|but|so)\s*,?\s+|^(?:still|yet),\s*", re.I)
# "… military training, intelligence sharing, and logistical support": a sentence that is itself a list.
_ENUMERATION = re.compile(r",[^,;]+,[^,;]*\b(?:and|or)\b|\b(?:including|such as)\b[^.;:]*\b(?:and|or)\b", re.I)
# "What are X?", "What is an X?", "What does X mean?", "Define X": a short definition question and nothing more.
_TERM = r"[\w\-'’.]+(?: [\w\-'’.]+){0,3}"  # up to four words
_DEFINITION = re.compile(rf"^\W*(?:what (?:is|are) (?:an? |the )?({_TERM})|what does ({_TERM}) mean|define ({_TERM}))\W*$", re.I)
# "What does X do?", "What does the X do?": what a thing does, said in a sentence with it as its subject.
_WHAT_DOES_DO = re.compile(rf"^\W*what (?:does|do) (?:an? |the )?({_TERM}) do\W*$", re.I)
# A lead sentence this short ("This is natural.", "Don't worry.") rarely says enough alone: the sentence after it joins
# (leave one article out, same models: +2 rows, none lost; 6 words +1, 10 and 12 words ±0).
SHORT_LEAD = 8
_BARE = 3
_NUMBER = re.compile(NUMBER_TOKEN)
# Asking for an example (general English), and a sentence or label giving one.
_EXAMPLE_ASK = re.compile(r"\b(?:examples?|instances?|illustrat\w*)\b|\bfor instance\b", re.I)
_EXAMPLE_SAYS = re.compile(r"\bfor (?:example|instance)\b|\be\.g\.|\bexamples?\b", re.I)
# An answer's text may run this many words past the answer budget (a list given whole, a lean sentence's context).
RENDER_SLACK = 30
# Asked why, a further sentence comes with the reason that follows it ("This is because of …"). Leave one article out,
# fold models fixed: +1 row over the four golden sets, none lost, one answer changed (any leaning next sentence, not
# only a reason, for any question: −6).
_WHY = re.compile(r"\bwhy\b|\bhow come\b|\bwhat (?:is|was|are) the reasons?\b", re.I)
_REASON = re.compile(r"^\W*(?:(?:this|that|it)(?: is|'s|’s| was) (?:because|why|due)|because|the reasons?\b)", re.I)
# A further sentence the selection model rates as high as the best (log-odds within this margin: odds within a factor
# of e) joins even past the word budget, up to its slack: the model cannot tell which of the two answers, and the
# budget alone would drop one. Leave one article out, fold models held fixed, rows passed over the four golden sets:
# margin 0.5: net +3, 1.0: net +5 (six gained, one lost), 2.0: +9, 3.0: +11; answers' 90th percentile 63 → 69, 70, 75, 78
# words. Retrained at 1.0: +7 (1,031 → 1,038).
TIE_MARGIN = 1.0
DEFINES = SENTENCE_FEATURES.index("defines")
OPENS = SENTENCE_FEATURES.index("opens")
LEANS = SENTENCE_FEATURES.index("leans")
NEXT_LEANS = SENTENCE_FEATURES.index("next_leans")
FAQ, FAQ_QSIM, FIRST = (SENTENCE_FEATURES.index(n) for n in ("faq", "faq_qsim", "first"))
# A question this close (cosine) to an FAQ question of the sources asks that question in other words: the FAQ's
# answer leads. Leave one article out, fold models held fixed: +1 row over the four golden sets at 0.85 and 0.9,
# none lost; at 0.8 one lost, at 0.7 five.
SAME_QUESTION = 0.9


@dataclass(frozen=True)
class Pick:
    passage: int
    sentence: int


def sentence_text(snap, c: Pick | Candidate) -> str:
    """The source sentence a pick or candidate stands for."""
    return snap.passages[c.passage].sentences[c.sentence].text


def word_count(text: str) -> int:
    return len(text.split())


def choose(snap, question: str, cands: list[Candidate], probs, max_words: int, max_sentences: int,
           margin: float = 6.0, person: Callable[[str], bool] | None = None) -> list[Pick]:
    """The sentences answering ``question``: the best candidate (led by one of the close ones where the question's
    form asks for it) and the further ones the model rates close. ``person`` (given when the question asks for a
    person) tells whether a sentence names one."""
    order = sorted(range(len(cands)), key=lambda i: -probs[i])
    if person is not None:  # "Which leader … resisting …?": a sentence naming a person
        _lead_close(snap, cands, probs, order, person)
    if list_asked(question) and not _ENUMERATION.search(sentence_text(snap, cands[order[0]])):
        # a list asked for, and the best sentence lists nothing itself: the best list among the close candidates leads
        # ("Which services started in 2013?": not a list none of whose items says 2013, when the best sentence does)
        held = _numbers_said(question, sentence_text(snap, cands[order[0]]))
        listed = [i for i in order if snap.passages[cands[i].passage].kind == "list"
                  and _says(snap.passages[cands[i].passage].text, held)
                  and (person is None or person(snap.passages[cands[i].passage].text))]  # a person asked: a list naming one
        if listed and probs[listed[0]] >= 0.5 * probs[order[0]]:
            _lead_with(order, listed[0])
    if m := _DEFINITION.match(question):
        # a sentence defining the very words asked about ("X refers to …", opening on X; "a technique called X")
        # leads, among the close ones
        named = _naming(next(g for g in m.groups() if g))
        defining = [i for i in order[:5] if cands[i].x[DEFINES] and (
            cands[i].x[OPENS] >= 0.999 or named.search(sentence_text(snap, cands[i])))]
        if defining:
            _lead_with(order, defining[0])
    if m := _WHAT_DOES_DO.match(question):
        # "What does path.join do?": a sentence whose subject is that ("The path.join() method joins …")
        named = re.compile(rf"^\W*(?:\S+\s+){{0,2}}{re.escape(m.group(1))}\b", re.I)
        _lead_close(snap, cands, probs, order, lambda text: bool(named.match(text)))
    subject = _polar_subject(question)
    if subject:  # "Will the Guild send …?": a yes/no question about a name is answered by a sentence that names it
        _lead_close(snap, cands, probs, order, lambda text: bool(subject.search(text)))
    same = [i for i in order if cands[i].x[FAQ] and cands[i].x[FIRST] and cands[i].x[FAQ_QSIM] >= SAME_QUESTION]
    if same:  # the FAQ asked in other words: its answer's first sentence leads
        _lead_with(order, same[0])
    best = cands[order[0]]
    p = snap.passages[best.passage]
    if p.kind == "list" and not p.of_paragraphs() and (list_asked(question) or _intro_of_list(p, best.sentence)
                                                        or p.is_item(best.sentence) and _compact(p)
                                                        and _shown_whole(p, best.sentence, max_words + RENDER_SLACK)):
        return [Pick(best.passage, i) for i in range(len(p.sentences))]
    # "… a few factors. First, … Second, … Third, …": the sentences that count them, when a list is asked for or the
    # best sentence announces them
    counted = _enumeration(snap, best.passage, best.sentence)
    if counted and (list_asked(question) or _ordinal(sentence_text(snap, best)) is None):
        asked = _ORDINAL_ASKED.search(question)  # "What was the second factor?": that one
        if asked and not list_asked(question):
            word = asked.group(1).lower()
            one = counted[-1:] if word in ("last", "final") else [
                c for c in counted if _ordinal(sentence_text(snap, c)) == _ORDINALS.index(word)]
            return counted[:1] + [c for c in one if c != counted[0]] if one else counted
        return counted
    picks = [Pick(best.passage, best.sentence)]
    nested = _introduced_items(p, best.sentence)
    if nested:      # "… sets out strategies for:" and the items nested under it
        return picks + [Pick(best.passage, i) for i in nested]
    shown = _example_after(snap, best.passage) if _EXAMPLE_ASK.search(question) else None
    if shown is not None:  # "Can you give me an example?" of a passage ending "For example:": the list after it
        upto = [Pick(best.passage, i) for i in range(best.sentence, len(p.sentences))]
        if _words(snap, upto) <= max_words:
            return upto + [Pick(shown, i) for i in range(len(snap.passages[shown].sentences))]
    listed = _list_after(snap, best.passage, best.sentence)
    if listed is not None:  # "To serve the needs of your reader:" and the list that follows it
        return picks + [Pick(listed, i) for i in range(len(snap.passages[listed].sentences))]
    prob = {(c.passage, c.sentence): float(probs[i]) for i, c in enumerate(cands)}
    if best.x[LEANS] and best.sentence - 1 >= p.answer_start() and not _item_after_item(p, best.sentence):
        picks.insert(0, Pick(best.passage, best.sentence - 1))
    elif best.sentence + 1 < len(p.sentences) and (
            (best.x[NEXT_LEANS] or word_count(sentence_text(snap, best)) <= SHORT_LEAD) and not p.is_item(best.sentence + 1)
            or p.sentences[best.sentence + 1].cont):
        nxt = Pick(best.passage, best.sentence + 1)
        if prob.get((nxt.passage, nxt.sentence), 0.0) >= 0.25 * prob[(best.passage, best.sentence)]:
            picks.append(nxt)
    if _words(snap, picks) > max_words:
        picks = [Pick(best.passage, best.sentence)]
    logit = np.log(np.clip(probs, 1e-6, 1 - 1e-6) / np.clip(1 - probs, 1e-6, 1))
    top = float(logit[order[0]])
    # the numbers the question asks about, when the best sentence says them ("… in 2013?"): no further sentence misses them
    held = _numbers_said(question, sentence_text(snap, best))
    why = bool(_WHY.search(question))
    for i in order[1:]:
        c = cands[i]
        if len(picks) >= max_sentences or logit[i] < top - margin:
            break
        cp = snap.passages[c.passage]
        if any(x.passage == c.passage and x.sentence == c.sentence for x in picks) or (
                cp.kind == "list" and not cp.is_item(c.sentence)):  # a list's introduction alone says nothing
            continue
        if held and _misses_number(sentence_text(snap, c), held, c.passage == best.passage):
            continue
        if LABEL_ONLY.match(sentence_text(snap, c)):  # "See:" whose link was dropped, "Example:" before code
            continue
        if word_count(sentence_text(snap, c)) <= _BARE and not any(
                x.passage == c.passage and abs(x.sentence - c.sentence) == 1 for x in picks):
            continue  # "You're done!", "Hooray!" away from what they close: nothing to add
        extra = [Pick(c.passage, c.sentence)]
        if cp.sentences[c.sentence].cont:  # "Created by … in 2015." goes with its item's first sentence
            extra = [Pick(c.passage, i) for i in range(_item_head(cp, c.sentence), c.sentence + 1)
                     if Pick(c.passage, i) not in picks]
        elif why and c.sentence + 1 < len(cp.sentences) and not cp.is_item(c.sentence + 1) \
                and _REASON.match(cp.sentences[c.sentence + 1].text) and Pick(c.passage, c.sentence + 1) not in picks:
            extra.append(Pick(c.passage, c.sentence + 1))
        budget = max_words + RENDER_SLACK if logit[i] >= top - TIE_MARGIN else max_words
        if len(extra) > 1 and _words(snap, picks + extra) > budget:
            extra = extra[-1:]  # no room for the item: the sentence alone, as before
        if _redundant(snap, c, picks) or _words(snap, picks + extra) > budget:
            continue
        picks += extra
    return _short_lead_first(snap, picks, Pick(best.passage, best.sentence))


def _enumeration(snap, pi: int, si: int) -> list[Pick]:
    """The sentences of a count in prose that sentence (pi, si) announces or opens ("… a few factors.", "First, …",
    "Second, …", "Finally, …"), with the announcing sentence, as long as the count runs in order within its section;
    [] when there is none."""
    seq = _reading_order(snap, pi, si)
    opening = [_ordinal(sentence_text(snap, x)) for x in seq[:2]]  # it opens the count, or announces it
    if 0 not in opening:
        return []
    start = opening.index(0)
    counted = []
    for pick in seq[start:]:
        k = _ordinal(sentence_text(snap, pick))
        if k is None:
            continue
        if k != len(counted) and k != _LAST:
            break
        counted.append(pick)
        if k == _LAST:
            break
    return seq[:start] + counted if len(counted) >= 2 else []


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")
_ORDINAL_ASKED = re.compile(r"\b(" + "|".join(_ORDINALS + ("last", "final")) + r")\b", re.I)
_LAST = -1
_ORDINAL_OPEN = re.compile(r"^\W*(" + "|".join(_ORDINALS + ("finally", "lastly")) + r")(?:ly)?\b\s*,", re.I)


def _ordinal(sentence: str) -> int | None:
    """0 for a sentence opening on "First,", 1 on "Second," …; ``_LAST`` on "Finally,"/"Lastly,"; else None."""
    m = _ORDINAL_OPEN.match(sentence)
    if not m:
        return None
    word = m.group(1).lower()
    return _LAST if word in ("finally", "lastly") else _ORDINALS.index(word)


def _reading_order(snap, pi: int, si: int, limit: int = 40) -> list[Pick]:
    """Sentence (pi, si) and those after it in the same section, in reading order (at most ``limit``)."""
    first = snap.passages[pi]
    out = []
    for pj in range(pi, len(snap.passages)):
        p = snap.passages[pj]
        if p.source != first.source or p.section != first.section:
            break
        for sj in range(si if pj == pi else p.answer_start(), len(p.sentences)):
            out.append(Pick(pj, sj))
            if len(out) >= limit:
                return out
    return out


def _numbers_said(question: str, sentence: str) -> list[str]:
    """The question's numbers, when ``sentence`` says every one of them (of "… listed for 2016-2019 date from 2019?",
    a sentence saying 2016 alone does not tell which number the question is about): else none."""
    numbers = list(dict.fromkeys(_NUMBER.findall(question)))
    return numbers if numbers and _says(sentence, numbers) else []


def _says(text: str, numbers: list[str]) -> bool:
    """Whether ``text`` says every one of ``numbers`` (as a whole number: 2013 is not in 20134)."""
    return all(re.search(rf"(?<![\d.,]){re.escape(n)}(?![\d]|[.,]\d)", text) for n in numbers)


def _misses_number(sentence: str, numbers: list[str], beside: bool) -> bool:
    """Whether a sentence fails to say the ``numbers`` asked about: one from another passage must say them; one
    ``beside`` the best sentence (its passage) must not say another number of their shape ("In 2012, …")."""
    if not beside:
        return not _says(sentence, numbers)
    shapes = {re.sub(r"\d", "0", n) for n in numbers}
    said = set(_NUMBER.findall(sentence))
    return any(re.sub(r"\d", "0", m) in shapes for m in said - set(numbers))


def _short_lead_first(snap, picks: list[Pick], best: Pick) -> list[Pick]:
    """A short sentence the answer quotes right before its best one ("That is normal." before "Some people call it
    hooch.") is read first, as the text has it: it is the plain answer the best one goes on from."""
    before = Pick(best.passage, best.sentence - 1)
    if before not in picks or picks.index(before) < picks.index(best) or word_count(sentence_text(snap, before)) > SHORT_LEAD \
            or snap.passages[best.passage].is_item(before.sentence):  # (a list's items keep their own order)
        return picks
    rest = [x for x in picks if x != before]
    i = rest.index(best)
    return rest[:i] + [before] + rest[i:]


POLAR_SHARE = 0.8
_POLAR = re.compile(r"^\W*(?i:(?:and |so |but )?(?:will|would|does|do|did|is|are|was|were|can|could|should|has|have|had)\s+"
                    r"(?:the\s+)?)([A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)")


def _polar_subject(question: str):
    """For a yes/no question whose subject is a name ("Will the Guild …?", "Does Freedonia …?"): a pattern finding that
    name as a whole word; else None."""
    m = _POLAR.match(question)
    if not m or m.group(1) in ("I", "It"):
        return None
    return re.compile(rf"\b{re.escape(m.group(1))}\b")


def _naming(term: str) -> re.Pattern:
    """"… a technique called “feature flags” …", "… known as the release train …": a sentence giving ``term`` its
    name (singular or plural)."""
    words = r"\s+".join(re.escape(w) for w in re.sub(r"s$", "", term.strip(), flags=re.I).split())
    return re.compile(rf"\b(?:called|known as|termed|dubbed|named)\s+[\"“‘']?(?:an?\s+|the\s+)?{words}s?\b", re.I)


def _lead_close(snap, cands: list[Candidate], probs, order: list[int], holds: Callable[[str], bool]) -> None:
    """When the best sentence lacks what the question's form asks for (``holds``), the first of the five best that
    has it leads, if the model rates it close to the best (:data:`POLAR_SHARE`)."""
    if holds(sentence_text(snap, cands[order[0]])):
        return
    close = [i for i in order[:5] if holds(sentence_text(snap, cands[i])) and probs[i] >= POLAR_SHARE * probs[order[0]]]
    if close:
        _lead_with(order, close[0])


def _lead_with(order: list[int], i: int) -> None:
    """Candidate ``i`` moved to the front of ``order`` (the rest keep their order)."""
    order.remove(i)
    order.insert(0, i)


def body_first(picks: list[Pick], faq_body: dict[int, int]) -> list[Pick]:
    """When an FAQ answer and the body passage it summarises are both quoted, the body comes first."""
    bodies = {faq_body.get(c.passage) for c in picks} - {None}
    lead = [c for c in picks if c.passage in bodies]
    return lead + [c for c in picks if c not in lead] if lead else picks


def _shown_whole(p: Passage, si: int, budget: int) -> bool:
    """Whether sentence ``si`` of list ``p`` fits within ``budget`` words with the list's introduction and the items
    before it, as :func:`_render_list` counts them (so it would not stand behind "…"). Stricter than the renderer for
    a first item longer than the whole budget, which the renderer still shows."""
    words = sum(word_count(s.text) for i, s in enumerate(p.sentences) if not p.is_item(i))
    for i, s in enumerate(p.sentences):
        if p.is_item(i):
            words += word_count(s.text)
            if words > budget:
                return False
        if i == si:
            return True
    return True


def _compact(p: Passage) -> bool:
    """A list of short items, read as one answer (not a list of paragraphs)."""
    items = [s for s in p.sentences if s.item and not s.cont]
    return bool(items) and len(items) <= 12 and sum(len(s.text.split()) for s in p.sentences if s.item) / len(items) <= 15


def _introduced_items(p: Passage, si: int) -> list[int]:
    """The sentences of the items nested under list item ``si`` when it introduces them (it ends with a colon)."""
    s = p.sentences[si]
    if p.kind != "list" or not p.is_item(si) or not s.text.rstrip().endswith(":"):
        return []
    nested = []
    for i in range(si + 1, len(p.sentences)):
        t = p.sentences[i]
        if not (t.item or t.cont) or t.depth <= s.depth:
            break
        nested.append(i)
    return nested


# A sentence announcing what follows it: "… of your reader:", "… via the following methods.", "… as follows.", or a
# line without a full stop ("Here is the disclosure policy for Acme").
_ANNOUNCES = re.compile(r":\s*$|\b(?:the following(?: \w+){0,2}|as follows|below)\W*$|[\w)\]]\s*$", re.I)


def _list_after(snap, pi: int, si: int) -> int | None:
    """The list passage that sentence ``si`` of passage ``pi`` introduces: it is all its passage says, it announces
    what follows (:data:`_ANNOUNCES`), and the next passage of the document is a list of short items (an FAQ's
    answer "To serve the needs of your reader:" and the list under it)."""
    p = snap.passages[pi]
    if si != len(p.sentences) - 1 or si != p.answer_start() or not _ANNOUNCES.search(p.sentences[si].text):
        return None  # (a passage saying more than the colon's sentence: "… a statement like the following:" an example)
    return _list_next(snap, pi)


def _example_after(snap, pi: int) -> int | None:
    """The list passage right after passage ``pi`` when ``pi`` ends on a label announcing an example ("For example:")."""
    p = snap.passages[pi]
    last = p.sentences[-1].text if p.sentences else ""
    return _list_next(snap, pi) if LABEL_ONLY.match(last) and _EXAMPLE_SAYS.search(last) else None


def _list_next(snap, pi: int) -> int | None:
    """The passage after passage ``pi`` in its document, when it is a list of short items."""
    if pi + 1 >= len(snap.passages):
        return None
    p, nxt = snap.passages[pi], snap.passages[pi + 1]
    same = nxt.source == p.source and nxt.order == p.order + 1
    return pi + 1 if same and nxt.kind == "list" and not nxt.of_paragraphs() else None


def _item_after_item(p: Passage, si: int) -> bool:
    """Whether sentence ``si`` opens a list item that follows another: what it leans on is not the item before."""
    return p.is_item(si) and not p.sentences[si].cont and si > 0 and p.is_item(si - 1)


def _item_head(p: Passage, si: int) -> int:
    """The first sentence of the list item that sentence ``si`` goes on."""
    while si > 0 and p.sentences[si].cont:
        si -= 1
    return si


def _intro_of_list(p: Passage, si: int) -> bool:
    return p.kind == "list" and not p.is_item(si)


def _words(snap, picks: list[Pick]) -> int:
    return sum(word_count(sentence_text(snap, c)) for c in picks)


@functools.lru_cache(maxsize=1 << 16)
def _stems_of(sentence: str) -> frozenset[str]:
    """A source sentence's stems (the same few hundred sentences come back question after question)."""
    return frozenset(stems(sentence))


def _redundant(snap, c: Candidate, picks: list[Pick]) -> bool:
    a = _stems_of(sentence_text(snap, c))
    for x in picks:
        b = _stems_of(sentence_text(snap, x))
        if a and len(a & b) / len(a) > 0.6:
            return True
    return False


# Hashtags ending a sentence ("… for Ukraine? #Security #Geopolitics"): the text's tags, not what it says.
_TRAILING_TAGS = re.compile(r"(?<=\S)(?:\s+#\w+)+\s*$")


def tidy(sentence: str) -> str:
    """A sentence as the first of an answer: no leading connective, capitalised."""
    out = _OPENER.sub("", sentence, count=1)
    if out is sentence or not out:
        return sentence
    return out[0].upper() + out[1:]


def render(snap, picks: list[Pick], max_words: int = 90, numbering: list[int] | None = None,
           by_labels: bool = False) -> tuple[str, list[int]]:
    """Answer text with markers, and the passage index behind each marker number (1-based order).
    ``numbering`` continues the numbering of earlier parts (a multi-part answer); ``by_labels`` (the question asks
    for a list) names a list too long to give whole by its items' labels."""
    order: list[int] = list(numbering or [])
    parts: list[str] = []
    done_lists: set[int] = set()
    whole = {c.passage for c in picks if snap.passages[c.passage].kind == "list"
             and {x.sentence for x in picks if x.passage == c.passage} >= set(range(len(snap.passages[c.passage].sentences)))}
    prev: Pick | None = None
    introduced: set[int] = set()
    for c in picks:
        if c.passage not in whole and HASHTAGS_ONLY.match(snap.passages[c.passage].sentences[c.sentence].text):
            continue  # "#Security #Geopolitics": the text's tags say nothing
        if c.passage not in order:
            order.append(c.passage)
        n = order.index(c.passage) + 1
        p: Passage = snap.passages[c.passage]
        if c.passage in whole:
            if c.passage not in done_lists:
                done_lists.add(c.passage)
                parts.append(_render_list(p, max_words, by_labels) + f" [{n}]")
        else:
            text = _TRAILING_TAGS.sub("", p.sentences[c.sentence].text)
            if prev is not None and prev.passage == c.passage and prev.sentence == c.sentence - 1 and parts:
                now, before = p.sentences[c.sentence], parts[-1][: -len(f" [{n}]")]
                items = now.item and not now.cont and p.sentences[prev.sentence].item  # a new item after an item
                open_end = before[-1:].isalnum() or before[-1:] == ")"  # not "… to employees," or "… the memo, and"
                joined = items and open_end and before.rsplit(None, 1)[-1].lower() not in ("and", "or")
                parts[-1] = before + ("; " if joined else " ") + text + f" [{n}]"
            else:
                intro = _intro(p, c.sentence) if c.passage not in introduced else []
                if intro and not any(x.passage == c.passage and x.sentence in intro for x in picks):
                    introduced.add(c.passage)  # "Providing intelligence support" says little without what it lists
                    text = " ".join(p.sentences[j].text for j in intro) + " " + text
                parts.append(f"{tidy(text)} [{n}]")
            code = _announced_code(snap, c.passage, c.sentence)
            if code is not None and code not in order:  # "To install nightly, for example:" and the command itself
                order.append(code)
                parts.append(f"{'; '.join(_lines(snap.passages[code]))} [{len(order)}]")
        prev = c
    return " ".join(parts), order


# A code block this small (lines, characters) is shown after the sentence announcing it ("… for example:"): a command
# or a one-line example completes the sentence; a longer block (a grammar, a diagram) is left to its citation.
CODE_SHOWN_LINES = 3
CODE_SHOWN_CHARS = 160


def _lines(p: Passage) -> list[str]:
    return [line.strip() for line in p.text.splitlines() if line.strip()]


def _announced_code(snap, pi: int, si: int) -> int | None:
    """The small code block that sentence ``si`` of passage ``pi`` announces (it ends the passage with ":" and the
    block comes next in its document), or None."""
    p = snap.passages[pi]
    if si != len(p.sentences) - 1 or not p.sentences[si].text.rstrip().endswith(":"):
        return None
    nxt = next((j for j, q in enumerate(snap.passages) if q.source == p.source and q.order == p.order + 1), None)
    if nxt is None or snap.passages[nxt].kind != "code":
        return None
    code = snap.passages[nxt]
    return nxt if 0 < len(_lines(code)) <= CODE_SHOWN_LINES and len(code.text) <= CODE_SHOWN_CHARS else None


# A list item this short is a fragment ("Providing intelligence support") that needs its list's introduction.
FRAGMENT_WORDS = 8


def _intro(p: Passage, i: int) -> list[int]:
    """The introduction of the short list item ``i``: the sentence right before the list's items (a paragraph before
    it says more than the item needs: "… Similarly, travel meals will only be reimbursed on the following travel
    days:" introduces "On the day of the return flight" alone), or for a nested item the item it is under; [] for a
    sentence that stands alone."""
    s = p.sentences[i]
    if not s.item or s.cont or word_count(s.text) > FRAGMENT_WORDS:
        return []
    if s.depth:  # a nested item's introduction is the item it is under
        parent = next((j for j in range(i - 1, -1, -1) if p.sentences[j].item and not p.sentences[j].cont
                       and p.sentences[j].depth < s.depth), None)
        if parent is None:
            return []
        end = next((j for j in range(parent + 1, i + 1) if not p.sentences[j].cont), i)
        return list(range(parent, end))
    return [j for j in range(i) if not p.sentences[j].item][-1:]


# An item cut shorter than this says too little: past it, a list asked for is given by its first items and "…".
CLIPPED_ITEM_WORDS = 6
_LABEL = re.compile(r"^((?:[\w'’()./&-]+\s+){0,5}[\w'’()./&-]+):\s+\S")  # "Pre-Approval: All travel …", "Login.gov: a …"


def _clip(text: str, n: int) -> str:
    words = text.split()
    return text if len(words) <= n else " ".join(words[:n]).rstrip(",;:") + "…"


def _render_list(p: Passage, max_words: int, by_labels: bool = False) -> str:
    intro = [s.text for i, s in enumerate(p.sentences) if not p.is_item(i)]
    items: list[str] = []
    depths: list[int] = []
    for s in p.sentences:
        if s.cont and items:
            items[-1] += " " + s.text
        elif s.item:
            items.append(s.text)
            depths.append(s.depth)
    items = [it.rstrip(".;") for it in items]
    lead = tidy(" ".join(intro)) if intro else ""
    budget = max_words - word_count(lead)
    if by_labels and len(items) > 1 and sum(word_count(x) for x in items) > budget:
        labels = [m.group(1).strip() for m in map(_LABEL.match, items) if m]
        share = budget // len(items)
        if len(labels) == len(items):
            # Asked for, too long whole: every item named, each with the start of what it says when the budget
            # leaves room ("Medical: Mandatory immunizations required by …"), else by its label alone.
            items = [_clip(it, share) if share >= word_count(lab) + 3 else lab for it, lab in zip(items, labels)]
        elif share >= CLIPPED_ITEM_WORDS:  # no labels: every item by its first words, none left out
            items = [_clip(it, share) for it in items]
    shown: list[str] = []
    for it in items:
        if shown and sum(word_count(x) for x in shown) + word_count(it) > budget:
            shown.append("…")
            break
        shown.append(it)
    # an item that introduces the items nested under it ends in ":" and runs on into them ("… form: Full Name; …");
    # one whose nested part is not shown (a dropped link or code block) loses its colon ("… address; In Outlook …")
    runs_on = [i > 0 and shown[i - 1].endswith(":") and i < len(depths) and depths[i] > depths[i - 1]
               for i in range(len(shown))]
    shown = [it[:-1] if it.endswith(":") and i + 1 < len(shown) and not runs_on[i + 1] else it
             for i, it in enumerate(shown)]
    body = "".join(it if not i else (" " if runs_on[i] else "; ") + it for i, it in enumerate(shown))
    body += "" if body.endswith("…") else "."  # "…; Receipts: each expense needs…", not "needs…."
    if lead:
        return f"{lead} {body}" if lead.endswith(":") else f"{lead}: {body}"
    return body
