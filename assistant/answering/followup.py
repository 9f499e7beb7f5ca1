"""Resolve a follow-up question against the conversation into a standalone question.

The approach is general English syntax, never knowledge of an article:

* a question that names its own subject (a capitalised name, or three content words and no pronoun) is left alone;
* "What about X?" / "How about X?" / "What of X?" / "And X?" asks the previous question again of X: the previous
  question's phrase that X parallels (a shared word, an ordinal) or else its subject (first name, first noun phrase)
  is swapped for X; a prepositional X ("in the fridge", "if I need three bags") is added to the previous question;
* an ellipsis ("Why not?", "How?", "And then?", "Any exceptions?") and a demonstrative "that"/"this" (which points
  at the previous proposition) are attached to the previous question;
* other pronouns are replaced by the antecedent that fits best: candidates are names and noun phrases of the
  previous user question(s) and of the first sentence of the last answer, filtered by agreement (it / they / he,
  she); ``fit`` (how well the sources can answer a candidate rewrite) chooses among them, else the first one wins;
* a relation marker ("instead", "also", "the other", "that deadline") keeps the question's own words and puts the
  previous question in ``context``;
* nothing to refer to: ``clarify`` (the assistant asks what the question refers to).
Earlier user turns are resolved first, in order, so a chain of follow-ups works.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Callable

from index.sentences import split_sentences

from .text import CONNECTORS, DOCUMENT_NOUNS, INFORMAL_WORDS, NAME_LINK, STOP, clean

Fit = Callable[[list[str]], list[float]]

_IT = frozenset({"it", "its", "itself"})
_THEY = frozenset({"they", "them", "their", "theirs", "themselves", "these", "those"})
_PERSON = frozenset({"he", "him", "his", "himself", "she", "her", "hers", "herself"})
_DEMONSTRATIVE = {"this", "that"}
_POSSESSIVE = {"its", "their", "theirs", "his", "hers"}
_PRONOUN = re.compile(r"\b(" + "|".join(sorted(_IT | _THEY | _PERSON | _DEMONSTRATIVE, key=len, reverse=True))
                      + r")\b(?:['’]s\b)?", re.I)
# General English function words on top of text.STOP: determiners, pronouns, auxiliaries, prepositions,
# conjunctions, frequency adverbs, quantifiers, question words.
_FUNC = STOP | set("""a an the this that these those my your our his her its their whose some any no every each another
i me you we us he him she it they them mine yours ours hers theirs myself yourself itself themselves
do does did doing done is are was were be been being am have has had will would shall should can could may might must
get gets got getting go goes going about above across after against along among around at before behind below beside
between beyond by despite during except for from in inside into like near of off on onto out outside over past since
through till to toward towards under until up upon with within without via per and or but nor so yet if because
although though while whereas unless once when whenever where whether often usually always never sometimes ever still
already really actually just only even also too very quite rather then there here now instead else again soon later
not yes ok okay please thanks much many more most few less least all both either neither several lot lots
what who whom which why how""".split())
_AUX = set("do does did is are was were be been am have has had will would shall should can could may might must "
           "get gets got".split())
_MODAL = set("will would shall should can could may might must".split())
_DO_MODAL = _MODAL | {"do", "does", "did"}
_DET = {"the", "a", "an", "this", "that", "these", "those", "my", "your", "our", "his", "her", "its", "their",
        "some", "any", "each", "every", "another"}
_PREPOSITION = set("in on at for with without during after before if when while from to by under over since until "
                   "within outside inside into near around about of".split())
_VERB_AFTER = {"i", "you", "we", "they", "he", "she", "it", "to", "not", "who", "how", "never"} | _MODAL \
    | {f"{p}{a}{c}" for p, c in (("i", "m"), ("you", "re"), ("we", "re"), ("they", "re")) for a in "'’"}  # "I'm based"
_WH_DET = {"which", "what", "whose"}
_IRREGULAR_PLURALS = {"people", "children", "men", "women", "staff", "police", "feet", "teeth", "mice", "geese"}
# Irregular past participles (general English): "is written" is no noun phrase to swap or to refer back to.
_PARTICIPLES = set("""written done made given taken seen known shown paid sent built kept held left put set run
    brought bought caught taught thought found told sold spent lent meant read led fed met won lost hit cut shut
    begun drawn driven eaten fallen flown forgotten frozen gotten hidden ridden risen shaken spoken stolen sworn
    thrown woken worn broken chosen grown drunk sung sunk swum struck stuck hung dug spun split spread""".split())
_ORDINAL = set("first second third fourth fifth sixth seventh eighth ninth tenth next last previous final".split())
_MARKER = re.compile(r"\b(?:instead|then|also|too|else|other|same|another|otherwise|either|as well)\b|^so\b"
                     r"|\b(?:which|what|the|that|this|each|neither|every)\s+(?:\w+\s+)?ones?\b"  # "Which one …?"
                     r"|\b(?:that|this|these|those)\s+\w"
                     r"|\bthe\s+(?:first|second|third|fourth|fifth|next|last|final|previous)\s+\w", re.I)  # "the second factor"
# A request for an example and nothing more ("Could you show me an example?", "Any examples?"): of what was just asked.
_EXAMPLE_ONLY = re.compile(r"^\W*(?:and\s+|so\s+|ok(?:ay)?,?\s+)?(?:(?:can|could|would|will)\s+you\s+|please\s+)?"
                           r"(?:(?:give|show|provide|share|offer)(?:\s+(?:me|us))?\s+|(?:do\s+you\s+)?have\s+|is\s+there\s+)?"
                           r"(?:an?|any|some|another|one more)?\s*(?:examples?|instances?)(?:\s+(?:please|of\s+(?:it|that|this|those|them)))?\W*$",
                           re.I)
_WHY = re.compile(r"^\W*(?:and\s+|but\s+|so\s+)?(?:why|how\s+come|how\s+so)\b(?!\s+not\b)", re.I)
# A demonstrative closing the question as the object of a preposition ("… a say in this?", "… think about that?"):
# asked first, it means the matter at hand, the sources' subject.
_ABOUT_THIS = re.compile(r"\b(?:in|about|on|of|for|with|to|from|by|over)\s+(?:all\s+)?(?:this|that)"
                         r"(?:\W+(?:" + "|".join(map(re.escape, sorted(INFORMAL_WORDS))) + r"))*\W*$", re.I)  # "… in this lol"
_SWAP = re.compile(r"^\s*(?:(?:and|but|so|ok|okay|well|oh|hmm|right)[,\s]+)*(what about|how about|what of|and)\b"
                   r"[,\s]*(.*?)[\s?.!]*$", re.I)
_NOMINAL = re.compile(r"(?:tion|sion|ment|ness|ity|ance|ence|ing|er|or|ure|age|ism|ist|ship|ice|ee|ery|ogy|cy|s)$")
_ADJECTIVAL_NAME = re.compile(r"(?:ian|ean|ese|ish|can)$")   # morphology of adjectives made from names
_WORD = re.compile(r"[A-Za-z0-9](?:[\w'’\-.]*\w)?")
_CAPWORD = r"(?:[A-Z](?:\.[A-Z])+\.?|[A-Z][\w’'\-]*(?:\.[\w\-]+)*)"
_NAME = re.compile(_CAPWORD + r"(?:" + NAME_LINK + _CAPWORD + r")*"
                   r"(?:\s+\d+(?:\.\d+)*\b)?")     # a version or number after a name: "Widget 2.1"
_INITIAL = ".?!:\"“(—"
_OPENING_AUX = r"(?:(?:what|which|who|whom|whose|where|when|why|how)(?:\s+[\w'’\-]+){0,3}?\s+)?(?:" + "|".join(sorted(_AUX)) + r")"
# A question's subject: what follows its opening auxiliary ("What role does | the IMF play …"), or its first word.
_SUBJECT = re.compile(r"^\s*(" + _OPENING_AUX + r"(?:n['’]t)?\s+)?(\w.*)", re.I)


@dataclass(frozen=True)
class Resolved:
    text: str       # the standalone question to search and to show as `query` (== question when it needs no history)
    own: str        # the user's new question, cleaned (its own words are always kept in `text`)
    context: str    # the words taken from earlier turns ('' when none)
    clarify: bool   # it needs a referent and the history has none: the assistant will ask what it refers to


@dataclass(frozen=True)
class _Phrase:
    text: str       # as written in a rewrite ("the Guild of the Phoenix", "my bike")
    bare: str       # the words as they occur in the source ("Guild of the Phoenix")
    name: bool      # a name, or a noun phrase headed by one ("the Acme Mail link")
    plural: bool
    person: bool    # could be a person: a name without a determiner


def resolve(question: str, history: list[dict] | None, fit: Fit | None = None) -> Resolved:
    """The standalone form of ``question`` given the earlier turns (oldest first)."""
    fit = fit if callable(fit) else None
    earlier: list[dict] = []
    for turn in (history or [])[-8:]:
        content = clean(str(turn.get("content") or "")) if isinstance(turn, dict) else ""
        if content:
            if turn.get("role") == "user":
                content = _resolve_one(content, earlier, fit).text
            earlier.append({"role": turn.get("role"), "content": content})
    return _resolve_one(clean(question or ""), earlier, fit)


def _resolve_one(q: str, history: list[dict], fit: Fit | None) -> Resolved:
    users = [h["content"] for h in history if h["role"] == "user"]
    answers = [h["content"] for h in history if h["role"] == "assistant"]
    prev = users[-1] if users else ""
    if not q:
        return Resolved(q, q, "", False)
    content, own_names = _content(q), _names(q)
    m = _SWAP.match(q)
    lead = ""                       # "What about the experts - what do they need?": the experts come first
    if m and (m.group(1).lower() != "and" or m.group(2) and _opens_phrase(m.group(2).split()[0])):
        if _is_phrase(m.group(2)):
            return _swap(q, m.group(2), prev, fit)
        lead = re.split(r"[?—–;,]|\s-\s", m.group(2))[0]
    if _EXAMPLE_ONLY.match(q):
        return _attach(q, prev)     # "Could you show me an example?": of what was just asked
    if not content and not own_names:
        if _WHY.match(q) and answers:  # "Why?", "Why is that?": the reason for what was just said
            return _why(q, answers)
        return _attach(q, prev)     # "Why not?", "How many?", "And then?", "And?"
    pronouns = [p for p in _PRONOUN.finditer(q) if _is_pronoun(p, q)]
    demonstrative = [p for p in pronouns if p.group(1).lower() in _DEMONSTRATIVE]
    pronouns = [p for p in pronouns if p not in demonstrative]
    subject = users and any(_subject_pronoun(q, cls) for cls in (_IT, _THEY, _PERSON))  # "Did it protect Freedonia?"
    if not users and len(demonstrative) == 1 and not pronouns and content and _ABOUT_THIS.search(q):
        return Resolved(q, q, "", False)    # "Does Freedonia even get a say in this?": the matter the sources are about
    if own_names and not subject or len(content) >= 3 and not pronouns and not demonstrative:
        related = _MARKER.search(q) or pronouns or demonstrative
        return Resolved(q, q, prev if related else "", False)
    if demonstrative and _WHY.match(q) and answers:  # "Why is that a good thing?": what was just said
        return _why(q, answers)
    if demonstrative or not pronouns and len(content) <= 1:
        return _attach(q, prev, clarify=bool(demonstrative))    # "What would that mean?", "Any exceptions?"
    if not pronouns:
        return Resolved(q, q, prev if _MARKER.search(q) else "", False)
    if not users and all(_bound_within(p, q) for p in pronouns):
        return Resolved(q, q, "", False)    # "What does the author bake with his discard?": his = the author
    return _replace(q, pronouns, users + [lead] if lead else users, answers, fit)


def _why(q: str, answers: list[str]) -> Resolved:
    """"Why?" after an answer: asked of the statement the last answer opens with."""
    return _attach(q, _first_sentence(answers[-1]).rstrip(".!?"))


def _bound_within(p: re.Match, q: str) -> bool:
    """A possessive or reflexive pronoun after a content word of the same question refers back within it; so does an
    object pronoun after a thing of its number."""
    word = p.group(1).lower()
    before = q[:p.start()]
    if word in ("it", "them") and before.split() and before.split()[-1].lower() not in _AUX:
        # an object with a thing of its number named before it: "Can the author of a change approve it?"
        cls = _IT if word == "it" else _THEY
        return any(_agrees(ph, cls) and not ph.name for ph in _phrases(before, _caps([q])))
    return (word in _POSSESSIVE or word == "her" or word.endswith(("self", "selves"))) and bool(_content(before))


def _attach(q: str, prev: str, clarify: bool = True) -> Resolved:
    if not prev:
        return Resolved(q, q, "", clarify)
    return Resolved(f"{_strip(prev)}? {q}", q, prev, False)


def _swap(q: str, x: str, prev: str, fit: Fit | None) -> Resolved:
    """'What about X?': the previous question asked of X."""
    if not _content(x):                                      # "What about it?", "And that?"
        return _attach(q, prev)
    if not prev:
        return Resolved(q, q, "", False)
    base = _strip(prev)
    if x.split()[0].lower() in _PREPOSITION:                  # "What about in the fridge?"
        return Resolved(f"{base} {x}?", q, prev, False)
    xwords = {_singular(w) for w in _content(x)}
    if xwords & _ORDINAL and xwords <= _ORDINAL | {"one"}:   # "And the second?"
        old = next((w for w in _WORD.findall(base) if w.lower() in _ORDINAL), None)
        if old:
            new = re.sub(r"\b" + re.escape(old) + r"\b", min(xwords & _ORDINAL), base, count=1)
            return Resolved(f"{new}?", q, prev, False)
    phrases = _phrases(base, _caps([prev, q]), swap=True)
    # X of up to four words ("older documents like forms and letters") is swapped; one with a clause of its own ("a
    # trip that lasts three weeks") is a condition added to the previous question
    if len(xwords) > 4 or not phrases or re.search(r"\s(?:that|which|who|whose|where|when|if)\s", x, re.I):
        return Resolved(f"{base} — {x}?", q, prev, False)
    parallel = [p for p in phrases if xwords & {_singular(w) for w in _content(p.bare)}]
    subject = [p for p in phrases if p.name][:1] or phrases[:1]
    if not parallel and subject[0].name and any(n in x for n in _names(q)):
        # a name stands for a name ("What about Ruritania?" after "What role does Freedonia play …?"), never for
        # "role": otherwise ``fit`` favours the rewrite keeping the old name, whose sentences match best
        order = [p for p in phrases if p.name][:5]
    elif not parallel and not _names(x) and any(not p.name for p in phrases):
        # and a thing for a thing: "What about health?" after "How much did loan searches on Example.gov grow?"
        order = [p for p in phrases if not p.name][:5]
    else:
        order = list(dict.fromkeys(parallel + subject + [p for p in phrases if p.name] + phrases))[:5]
    rewrites = [r for r in dict.fromkeys(_put(base, p, x) for p in order) if r != base] or [f"{base} — {x}"]
    return Resolved(_choose(rewrites, fit) + "?", q, prev, False)


def _replace(q: str, pronouns: list[re.Match], users: list[str], answers: list[str], fit: Fit | None) -> Resolved:
    """Pronouns replaced, class by class (he/she, they, it), by the antecedent that fits best."""
    caps = _caps(users[-3:] + answers[-1:] + [q])
    sources = [_phrases(t, caps) for t in users[-1:]]
    sources += [_phrases(_first_sentence(answers[-1]), caps)] if answers else []
    sources += [_phrases(t, caps) for t in reversed(users[-3:-1])]
    text, used = q, []
    for cls in (_PERSON, _THEY, _IT):
        if not any(p.group(1).lower() in cls for p in pronouns):
            continue
        agree = [[p for p in src if _agrees(p, cls) and p.text not in used] for src in sources]
        if cls is _THEY and users:          # "they" may be a group ("the team") or one person ("a partner")
            agree[0] += [p for p in sources[0] if p not in agree[0] and p.text not in used]
        if cls is _IT and users and sources[0] and not agree[0]:
            return _attach(q, users[-1])    # "it" after "Who approves the expenses?": the approving
        cands = list(dict.fromkeys(p for src in agree for p in src))[:6 if fit else 1]
        if users and _subject_pronoun(q, cls):  # "Will they sign?" after "What role does the IMF play …?"
            cands = [p for p in agree[0] if _is_subject(p, users[-1])][:1] or cands
        if cls is _IT and users:    # "it" after "Which tool did the agency offer …?": the tool asked about
            cands = [_definite(p) for p in agree[0] if _is_focus(p, users[-1])][:1] or cands
        if users:                   # "from it" after "… seek from the US?": the phrase after the same preposition
            cands = [p for p in agree[0] if _parallel(p, users[-1], q, pronouns, cls)][:1] or cands
        if not cands:
            return _attach(q, users[-1] if users else "")
        rewrites = [_substitute(text, cls, c.text) for c in cands]
        best = _choose(rewrites, fit)
        used.append(cands[rewrites.index(best)].text)
        text = best
    return Resolved(text, q, "; ".join(used), False)


def _parallel(p: _Phrase, previous: str, q: str, pronouns: list[re.Match], cls: frozenset) -> bool:
    """A pronoun of ``cls`` in ``q`` follows a preposition that ``p`` follows in the previous question ("What do they
    want from it?" after "What do Ruritania and its allies seek from the Guild?": it = the Guild)."""
    for m in pronouns:
        before = q[:m.start()].split()
        if m.group(1).lower() in cls and before and before[-1].lower() in _PREPOSITION and re.search(
                r"\b" + re.escape(before[-1]) + r"\s+(?:(?:" + "|".join(_DET) + r")\s+)?" + re.escape(p.bare) + r"\b",
                previous, re.I):
            return True
    return False


def _subject_pronoun(q: str, cls: frozenset) -> bool:
    """A pronoun of ``cls`` is the question's subject: it opens the question or follows its opening auxiliary."""
    m = _SUBJECT.match(q)
    return bool(m and re.match(r"\w+", m.group(2)).group(0).lower() in cls)


def _is_subject(p: _Phrase, question: str) -> bool:
    """``p`` is the subject of ``question``: it stands right after the auxiliary that opens the question
    ("What role does the IMF play …", "Will Freedonia join …"). A subject pronoun keeps to the previous subject
    (parallel grammatical roles), whatever the other phrases would retrieve."""
    m = _SUBJECT.match(question)
    return bool(m and m.group(1) and re.match(r"(?:(?:" + "|".join(_DET) + r")\s+)?" + re.escape(p.bare) + r"\b",
                                              m.group(2), re.I))


# What a question asks about stands right after its question word (and an auxiliary, and a determiner): "Which
# tool …", "What's the liquid …", "How did Example.gov begin?" (not a pronoun: "How do I …").
_FOCUS = re.compile(r"^\W*(?:what|which|whose|how|when|where|why)(?:['’]s|\s+(?:is|are|was|were|does|do|did|can|could|"
                    r"should|will|would|has|have|had))?\s+(?:(?:the|a|an|this|that|your|my|our|their)\s+)?", re.I)


def _is_focus(p: _Phrase, question: str) -> bool:
    """``p`` is what ``question`` asks about (:data:`_FOCUS`): a singular "it" in the next question means it."""
    m = _FOCUS.match(question)
    return bool(m and re.match(re.escape(p.bare) + r"\b", question[m.end():], re.I))


def _definite(p: _Phrase) -> _Phrase:
    """"tool" (after "Which") as "the tool"; a name or a phrase with its own determiner as it is."""
    return p if p.name or p.text != p.bare else dataclasses.replace(p, text=f"the {p.bare}")


def _substitute(text: str, cls: frozenset, antecedent: str) -> str:
    def one(m: re.Match) -> str:
        word, rest = m.group(1).lower(), m.group(0)[len(m.group(1)):]
        if word in _POSSESSIVE or word == "her" and _next_is_content(text, m.end()):
            out = antecedent + ("'" if re.search(r"[a-z]s$", antecedent) else "'s")
        else:
            out = antecedent + (" is" if rest else "")        # "it's" → "X is"
        return out[0].upper() + out[1:] if m.start() == 0 else out
    done = []                   # only the first: "How popular was the site in its first year?"

    def sub(m: re.Match) -> str:
        if done or m.group(1).lower() not in cls or not _is_pronoun(m, text):
            return m.group(0)
        done.append(m)
        return one(m)
    return _PRONOUN.sub(sub, text)


def _choose(rewrites: list[str], fit: Fit | None) -> str:
    """The rewrite ``fit`` scores highest (the first on a tie); the first without ``fit``."""
    if fit is None or len(rewrites) < 2:
        return rewrites[0]
    scores = list(fit(list(rewrites)))
    return rewrites[max(range(len(rewrites)), key=lambda i: (scores[i], -i))]


def _put(base: str, p: _Phrase, x: str) -> str:
    """``base`` with the phrase ``p`` (and its determiner) replaced by ``x``."""
    pat = re.compile(r"(?:\b(?:" + "|".join(_DET) + r")\s+)?(?<![\w.])" + re.escape(p.bare) + r"(?![\w])(?:['’]s\b)?",
                     re.I)
    return pat.sub(lambda m: x + ("'s" if m.group(0)[-2:] in ("'s", "’s") else ""), base, count=1)


def _phrases(text: str, caps: set[str], swap: bool = False) -> list[_Phrase]:
    """Names and name-headed noun phrases, then other noun phrases (runs of 1-4 content words; a verb or adverb
    in front dropped), each in text order. A name that modifies a noun ("Nordic demands", "the Acme Mail
    link") stands only as the whole noun phrase, except for swaps (``swap``), where the name alone is swapped."""
    toks = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    taken, verb_next, named = set(), set(), []
    for span, start, end in _names(text, caps, spans=True):
        idx = [i for i, t in enumerate(toks) if t[1] >= start and t[2] <= end]
        if not idx:
            continue
        taken.update(idx)
        det = _det_before(toks, idx[0])
        before = toks[idx[0] - 1][0].lower() if idx[0] else ""
        mods = []
        for tok, s, _ in toks[idx[-1] + 1: idx[-1] + 3]:
            if tok[0].isupper() or _func(tok) or text[end:s].strip() or mods and (
                    tok.lower().endswith("ed") or re.search(r"[^s]s$", mods[-1])):
                break                       # "XYZ sites | grow", "… team | conducted"
            mods.append(tok)
            end = s + len(tok)
        # "about Nordic demands", "which Acme Mail link", "copy the … link": a modifier; "does the XYZ
        # play", "Will Freedonia join": a subject before its verb
        before_det = toks[idx[0] - 2][0].lower() if det and idx[0] > 1 else ""
        modifier = mods and (det and before_det not in _AUX or before in _PREPOSITION | _WH_DET
                             or _ADJECTIVAL_NAME.search(span)
                             # "did the XYZ sites get": after "do" or a modal the verb has no -s; "sites" is a noun
                             or det and before_det in _DO_MODAL and bool(re.search(r"[^s']s$", mods[0])))
        whole = _phrase(det or ("the" if before in _WH_DET else ""), " ".join([span] + mods), name=True)
        if modifier and not swap:
            taken.update(range(idx[-1] + 1, idx[-1] + 1 + len(mods)))
            named.append(whole)
            continue
        if mods and not modifier:
            verb_next.add(idx[-1] + 1)      # "Jane Roe leads …": the word after a subject name is a verb
        person = not det and not span.isupper() and not re.search(r"\s[a-z]", span)
        named.append(_Phrase(f"{det} {span}" if det else span, span, True, False, person))
        if modifier:                        # a swap may replace "XYZ" or "XYZ sites"
            taken.update(range(idx[-1] + 1, idx[-1] + 1 + len(mods)))
            named.append(whole)
    strong, weak = [], []
    i = 0
    while i < len(toks):
        if i in taken or _func(toks[i][0]):
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and j + 1 not in taken and not _func(toks[j + 1][0]) \
                and text[toks[j][2]:toks[j + 1][1]] == " " and not re.search(r"['’]s$", toks[j][0]):
            j += 1                          # a run ends after a possessive: "the club's | focus"
        run = [re.sub(r"['’]s$", "", t[0]) for t in toks[i:j + 1]]
        before = toks[i - 1][0] if i else ""
        if before.lower() in _VERB_AFTER or i in verb_next:
            run = run[1:]
        while run and run[0].lower().endswith("ly"):
            run = run[1:]
        if len(run) == 1 and before.lower() in _AUX and (run[0].lower().endswith("ed") or run[0].lower() in _PARTICIPLES) or \
                all(w.lower() in _ORDINAL for w in run):
            run = []                        # "get covered": a participle; "the second": no noun
        if run:
            det = _det_before(toks, i) if len(run) == j - i + 1 else ""
            group = strong if det or before.lower() in _PREPOSITION or re.search(r"['’]s$", before) else weak
            after = toks[j + 1][0].lower() if j + 1 < len(toks) and not text[toks[j][2]:toks[j + 1][1]].strip() else ""
            verb_last = det and len(run) > 1 and (i > 1 and toks[i - 2][0].lower() in _DO_MODAL
                                                  or run[-1].endswith("s") and after and after not in _PREPOSITION)
            if verb_last:                   # "did the office launch", "my starter smells really …"
                group.append(_phrase(det, " ".join(run[:-1][-4:])))
            group.append(_phrase(det, " ".join(run[-4:])))
        i = j + 1
    return named + strong + weak


def _phrase(det: str, bare: str, name: bool = False) -> _Phrase:
    last = bare.split()[-1]
    plural = not last.isupper() and (bool(re.search(r"[^su'’]s$", last.lower())) and not last.lower().endswith("is")
                                     or last.lower() in _IRREGULAR_PLURALS)
    return _Phrase(f"{det} {bare}" if det else bare, bare, name, plural, False)


def _det_before(toks, i: int) -> str:
    d = toks[i - 1][0].lower() if i else ""
    if d not in _DET:
        return ""
    return d if d in {"the", "my", "your", "our", "his", "her", "its", "their"} else "the"


def _names(text: str, caps: set[str] = frozenset(), spans: bool = False) -> list:
    """Capitalised spans ("Guild of the Phoenix", "A.B.", "Acme.io", "Widget 2.1"). A single capitalised word
    at a sentence start counts only when it is all capitals or is written with a capital elsewhere (``caps``)."""
    out = []
    for m in _NAME.finditer(text):
        span = m.group(0)
        words = span.split()
        before = text[:m.start()].rstrip()
        initial = not before or before[-1] in _INITIAL
        if _func(words[0]) or initial and len(words) == 1 and not span.isupper() and span not in caps:
            span = re.sub(r"^(?:(?:" + "|".join(CONNECTORS) + r")\s+)+", "", span[len(words[0]):].lstrip())
            if not span or not span[0].isupper() or _func(span.split()[0]):
                continue
        if not re.search(r"[A-Z]\.[A-Z]\.$", span):
            span = re.sub(r"['’]s$", "", span).rstrip(".")
        start = m.start() + m.group(0).index(span)
        out.append((span, start, start + len(span)))
    return out if spans else [s for s, _, _ in out]


def _caps(texts: list[str]) -> set[str]:
    """Words written with a capital where a capital proves something (not at a sentence start)."""
    found = set()
    for t in texts:
        for m in _NAME.finditer(t):
            before = t[:m.start()].rstrip()
            if before and before[-1] not in _INITIAL:
                found.add(m.group(0).split()[0])
    return found


# "it" standing for a clause that follows, not for anything said before. After a verb of taking, costing or mattering
# ("does it (usually) take (…) (for X) to …", "does it matter if …") always; otherwise after "is", "was", "would" …
# ("is it okay to …", "would it be possible for me to …", "is it true that …", "is it worth buying …").
_EXPLETIVE_IT = re.compile(r"^\s+(?:(?P<verb>(?:\w+ly\s+)?(?:take|takes|took|cost|costs)\b(?:\s+[\w'’$-]+){0,4}?\s+"
                           r"(?:for\s+.+?\s+)?to\s+\w|(?:matter|matters|mattered)\s+(?:if|whether|when|how|what)\b)"
                           r"|(?:be\s+)?\w+\s+(?:for\s+\S+(?:\s+\S+)?\s+)?(?:to\s+\w|that\b)|(?:\w+\s+)?worth\s+\w+ing\b)", re.I)
_EXPLETIVE_BEFORE = re.compile(r"\b(?:is|was|isn['’]t|wasn['’]t|would|will|could|might)\s*$", re.I)


def _expletive(m: re.Match, text: str) -> bool:
    """Whether this "it" is the dummy subject of a clause that follows (see ``_EXPLETIVE_IT``)."""
    e = _EXPLETIVE_IT.match(text[m.end():])
    return bool(e and (e.group("verb") or _EXPLETIVE_BEFORE.search(text[:m.start()])))


def _is_pronoun(m: re.Match, text: str) -> bool:
    """'that'/'this'/'these'/'those' before a noun are determiners ('that deadline'); after an auxiliary ('does
    that happen') the next word is taken as a verb unless it looks like a noun ('does that timing apply'). A dummy
    "it" ("how long does it take to …") is no pronoun."""
    word = m.group(1).lower()
    if word == "it" and m.group(0) == m.group(1) and _expletive(m, text):
        return False
    if word not in {"this", "that", "these", "those"} or m.group(0) != m.group(1):
        return True
    nxt = re.match(r"\s+([\w'’\-]+)", text[m.end():])
    if nxt and re.fullmatch(DOCUMENT_NOUNS, nxt.group(1), re.I):
        return False    # "Is this article about …?": the document, whatever was said before
    if not nxt or _func(nxt.group(1)):
        return True
    before = re.search(r"([\w'’]+)\s+$", text[:m.start()])
    return bool(before and before.group(1).lower() in _AUX and not _NOMINAL.search(nxt.group(1).lower())
                and not nxt.group(1)[0].isdigit())


def _next_is_content(text: str, end: int) -> bool:
    nxt = re.match(r"\s+([\w'’\-]+)", text[end:])
    return bool(nxt and not _func(nxt.group(1)))


def _agrees(p: _Phrase, cls: frozenset) -> bool:
    if cls is _PERSON:
        return p.person
    if cls is _THEY:
        return p.name or p.plural
    return not p.plural


def _is_phrase(x: str) -> bool:
    """A bare phrase (the X of 'What about X?'), not a clause with a question of its own."""
    return not re.search(r"[?—–;]|\s-\s|,\s*(?:what|who|which|when|where|why|how)\b", x, re.I)


def _opens_phrase(word: str) -> bool:
    """'And the second?' / 'And if …?' continue the previous question; 'And how …?' / 'And then?' do not."""
    w = word.lower()
    return not _func(word) or w in _DET or w in _PREPOSITION


def _func(tok: str) -> bool:
    """A function word ('IT' written in capitals is a name, not 'it')."""
    w = re.sub(r"n't$|'(?:s|m|re|ve|ll|d)$", "", tok.lower().replace("’", "'"))
    return (w in _FUNC or w in {"ca", "wo"}) and not (len(tok) > 1 and tok.isupper())


def _content(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "") if not _func(w)]


def _singular(w: str) -> str:
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


def _strip(text: str) -> str:
    return text.strip().rstrip("?.! ")


def _first_sentence(text: str) -> str:
    """The first sentence of three words or more ("Hello!" is skipped), by the one sentence splitter."""
    return next((s.text for s in split_sentences(text.strip()) if len(s.text.split()) >= 3), "")
