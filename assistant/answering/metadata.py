"""Questions about the article itself rather than what it says: its title, author, date, category or licence
(from its front matter), what it sets out to do (its opening statement of purpose) and what it ends on.

The patterns are general English about documents; the values all come from the sources. With several
sources, a question about "the article" that does not say which one gets a question back naming them.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from .corpus import Corpus
from .selection import Pick
from .text import DOCUMENT_NOUNS, HASHTAGS_ONLY, SPELT_NUMBERS, content_terms, stem

_DOC = rf"(?:{DOCUMENT_NOUNS}|this|it)"
_FIELDS = [  # (field, question pattern, front-matter keys in order of preference; "title" = the document title)
    ("subtitle", re.compile(r"\b(?:sub-?title|sub-?heading|strapline|standfirst)\b", re.I), ("subtitle",)),
    ("title", re.compile(rf"\b(?:title|headline)\b.*\b{_DOC}\b|\b{_DOC}\b.*\b(?:title|headline|titled)\b|"
                         rf"\bwhat(?:'s| is) (?:the |this )?(?!it\b|this\b){_DOC} (?:called|titled)\b", re.I), ("title",)),
    # Who wrote it — not a question about what "the author" does or says in the text ("Why does the author …?").
    ("author", re.compile(r"\bwho(?:'s|’s| is| are| was| were)? (?:wrote|writes|written|authored|published|created|"
                          r"put (?:\w+ ){0,2}together|(?:the |its )?(?:authors?|writers?|publishers?)\b)|"
                          r"\b(?:credited|listed|named|given) as (?:the |its )?(?:authors?|writers?)\b|\bwritten by\b|\bby whom\b|"
                          r"\b(?:authors?|writers?)(?:'s|’s|s'|s’) names?\b|\bname of (?:the |its )?(?:authors?|writers?)\b|"
                          rf"\b(?:authors?|writers?|byline) of (?:the |this |that )?{_DOC}\b|^\W*(?:the )?(?:authors?|writers?|byline)\W*$",
                          re.I), ("author", "authors", "by", "publisher")),
    ("published", re.compile(rf"\b(?:when|what date|which date|what day|how old|how recent)\b.*\b(?:published|posted|written|"
                             rf"released|come out|came out|dated|issued)\b|\bpublication date\b|\bdate of (?:the |this )?{_DOC}\b", re.I),
     ("published", "date", "pubdate")),
    ("category", re.compile(r"\b(?:category|categories|filed under|section of the site)\b", re.I), ("category", "categories")),
    ("license", re.compile(r"\b(?:licen[cs]e[ds]?|copyright)\b", re.I), ("license", "licence", "copyright")),
    ("tags", re.compile(r"\b(?:hashtags?|tags|tagged|keywords)\b", re.I), ("tags", "hashtags", "keywords")),
]
_DOC_NOUN = _DOC.removesuffix("|this|it)") + ")"  # a word naming a document, not a pronoun
_DOES = (r"(?:about(?=\s*(?:[?.!,;]|$))|cover|covering|discuss|explore|set(?:ting)? out|aim|meant|intend|look(?:ing)? at|provide|explain|"
         r"trying to|teach(?:es)?|walk(?:s)? (?:you )?through|going to|help (?:the |its )?(?:readers?|you)|help with)")
_PURPOSE = re.compile(rf"\bwhat(?:'s| is| does)? (?:the |this )?{_DOC}\b.*\b{_DOES}\b|\bwhat(?:'s| is) (?:it|this) about\b|"
                      rf"\bwhat (?:\w+ ){{1,2}}(?:does|do|is|are|will) (?:the |this )?{_DOC_NOUN}\b.*\b{_DOES}\b|"
                      rf"\bpurpose of (?:the |this )?{_DOC}\b|\bwhat is the (?:topic|subject) of\b", re.I)
# What a document does, said of something ("… cover about lodging?", "… explain regarding fees?"): a question about it.
_ON_SOMETHING = re.compile(r"^\s*(?:about|regarding|concerning|on|of|as to|with regard to|in terms of)\b", re.I)
# A summary of the whole document asked for ("Summarise the article", "tl;dr", "What are the main points?"), not of
# something in it ("Sum up what it says about fees": a word beyond these makes it a question about the text).
_SUMMARY = re.compile(r"\b(?:summar(?:y|ies|ise|ize|ised|ized|ising|izing)|sum (?:it |this |that )?up|gist|tl;? ?dr|"
                      r"overview|in a nutshell|main (?:points?|ideas?|message|argument|takeaways?)|key (?:points?|"
                      r"takeaways?|messages?)|short version|recap)\b", re.I)
_SUMMARY_WORDS = re.compile(r"^(?:" + _DOC[3:-1] + r"|summar\w*|sum|gist|tl|dr|overview|nutshell|main|key|points?|"
                            r"ideas?|message|argument|takeaways?|short|brief|quick|version|recap|give|tell|say|says|"
                            r"whole|entire|please|can|could|you|me|"
                            # its length: "in two sentences", "in 50 words", "in three bullet points", "briefly"
                            r"\d+|one|two|three|four|five|six|seven|eight|nine|ten|few|couple|sentences?|words?|lines?|"
                            r"paragraphs?|bullets?|bullet-points?|briefly|shortly)$", re.I)
_ENDS = r"ends?|ending|finish(?:es)?|close[sd]?(?: with| on)?|conclude[sd]?|conclusion|takeaway|wrap(?:s|ped)? up"
_LAST = r"(?:final|last|closing) (?:thoughts?|questions?|points?|words?|lines?|paragraph|section|part)"
_ENDING = re.compile(rf"\b(?:{_ENDS}|{_LAST})\b.*\b{_DOC}\b|\b{_DOC}\b.*\b(?:{_ENDS})\b", re.I)
# What the document opens with: "What does its opening line say?", "How does the article begin?" (a document noun
# before "begin", so "When did it begin?" stays a question about what the text names).
_FIRST = r"(?:opening|first|introductory) (?:lines?|sentences?|words|paragraph)"
_OPENING = re.compile(rf"\b{_FIRST}\b.*\b{_DOC}\b|\b{_DOC}\b.*\b{_FIRST}\b|"
                      rf"\b{_DOC_NOUN}\b.*\b(?:begins?|beginning|starts?|opens?)\b", re.I)
# Asked what the document points its readers to: its closing pointer ("For more information, see …") answers.
_POINTS_TO = re.compile(r"\b(?:points?|refers?|direct(?:s|ed)?|send(?:s)?)\b(?: \w+){0,2} to\b|\blinks?\b", re.I)


# A sentence stating what the document does: "This appendix is about …", "This article will explore …",
# "Let's take a look at …", "We will explain …" (not "the page title", where the document word is no subject).
_STATES_PURPOSE = re.compile(
    rf"\b(?:this|the) {_DOC} (?:will|is about|(?:aims|sets out|seeks|tries) to|provides?|gives?|explores?|explains?|"
    r"describes?|covers?|looks? at|shows?|discusses|outlines?|summari[sz]es|introduces?)\b|"
    r"\b(?:we|i)(?: will|'ll|’ll| shall)? (?:explore|explain|look at|cover|discuss|describe|show|examine|outline|review)\b|"
    r"\blet(?:'|’)?s (?:take a )?(?:look|explore|examine|review|dive)\b|\btake a (?:closer )?look at\b|"
    # "This information will help you comply with …": what it is for, whatever the noun
    r"^this \w+ (?:will|is (?:meant|intended|designed) to|should|can) help (?:you|readers?|agencies|people)\b", re.I)
# A sentence dating the document itself: "This guidance was issued in July 1998 …" (not "the memo was issued",
# which may be another document the text names).
_STATES_DATE = re.compile(rf"\bthis {_DOC} (?:was|were|is|has been) (?:first |originally |last )?(?:issued|published|"
                          r"written|released|posted|dated|updated|revised)\b", re.I)
# A closing paragraph that only points elsewhere ("For more information, see …"): not what a document ends on.
_POINTER = re.compile(r"^\W*(?:for (?:more|further|additional) (?:information|details|reading)|see also|further reading|"
                      r"related (?:reading|links|resources)|learn more)\b", re.I)


@dataclass
class About:
    text: str = ""  # a front-matter answer
    title_of: dict | None = None  # the document whose title ``text`` quotes (cited where the file writes it)
    picks: list[Pick] | None = None  # or sentences to quote with citations
    refused: bool = False


def human_date(value: str) -> str:
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            d = datetime.strptime(value, fmt)
            return f"{d.day} {d.strftime('%B %Y')}"
        except ValueError:
            continue
    return value


# Words that can stand beside a document word in a question about who wrote it or when it came out ("When did this
# guidance first come out?", "Which group is credited as its author?"); any other content word makes the question
# about something the text names ("When did version 2 come out?", "Who created the design system?").
_OF_DOCUMENT = re.compile(r"^(?:" + _DOC[3:-1] + r"|published|posted|written|wrote|writes|released|come|came|out|dated|"
                          r"issued|publication|date|first|originally|put|together|day|old|recent|authored|created|made|"
                          r"authors?|writers?|publishers?|byline|credited|listed|named|given|names?|group|organi[sz]ation|"
                          r"person|people|team|body)$", re.I)
_CHECKED = ("author", "published")


def _of_document(question: str, match: re.Match, docs: list[dict]) -> bool:
    """Every content word of the clause asking (``match``) is about a document or names one ("… the article about
    baking …")."""
    start = max(question.rfind(c, 0, match.start()) for c in (",", ";", "?", "!", ". ")) + 1
    ends = [i for i in (question.find(c, match.end()) for c in (",", ";", "?", "!", ". ")) if i >= 0]
    clause = re.split(r"\band\b", question[start:min(ends, default=len(question))])
    clause = next((c for c in clause if match.group(0).split()[0].lower() in c.lower()), question)
    named = set().union(*map(_title_stems, docs))
    return all(_OF_DOCUMENT.match(t) or stem(t) in named for t in content_terms(clause))


def _title_stems(doc: dict) -> set[str]:
    """The stems of the words naming a document: its title and file name."""
    return {stem(t) for t in content_terms(doc.get("title", "") + " " + doc["source"])}


def about(question: str, corpus: Corpus, current: Callable[[], str] | None = None) -> About | None:
    """The answer to a question about the document itself, or None when it is not one. ``current()`` gives the
    source the conversation has been answered from ('' when none): "the article" means that one when the question
    names none (asked only then)."""
    field = next(((name, pat, keys) for name, pat, keys in _FIELDS if (m := pat.search(question))
                  and (name not in _CHECKED or _of_document(question, m, corpus.snap.docs))), None)
    purpose, ending, opening = _PURPOSE.search(question), _ENDING.search(question), _OPENING.search(question)
    if purpose and _ON_SOMETHING.match(question[purpose.end():]) and content_terms(question[purpose.end():]):
        purpose = None  # "What does the guide cover about lodging?": a question about lodging
    summary = bool(_SUMMARY.search(question)) and all(_SUMMARY_WORDS.match(t) for t in content_terms(question))
    if not (field or purpose or ending or opening or summary):
        return None
    docs = corpus.snap.docs
    doc = _which(question, docs)
    if doc is None and current is not None:
        source = current()
        doc = next((d for d in docs if source and d["source"] == source), None)
    if doc is None:
        titles = "; ".join(f"“{d.get('title') or d['source']}”" for d in docs)
        return About(text=f"There are {len(docs)} sources here: {titles}. Which one do you mean?")
    title = doc.get("title") or doc["source"]
    if field:
        name, pat, keys = field
        if name == "title":
            sub = doc.get("meta", {}).get("subtitle")
            return About(text=f"The title is “{title}”." + (f" Its subtitle is “{sub}”." if sub else ""), title_of=doc)
        value = next((str(doc.get("meta", {})[k]) for k in keys if doc.get("meta", {}).get(k)), "")
        if not value and name == "tags":  # hashtags written in the text itself
            value = ", ".join(dict.fromkeys(m for p in corpus.passages if p.source == doc["source"]
                                            for m in re.findall(r"(?<![\w&])#\w+", p.text)))
        if not value and name == "published":  # no date in the front matter: a sentence of the text may date it
            dating = next(((pi, si) for pi, p in enumerate(corpus.passages) if p.source == doc["source"]
                           for si, sn in enumerate(p.sentences) if _STATES_DATE.search(sn.text)), None)
            if dating:
                return About(picks=[Pick(*dating)])
        if not value:  # no front matter for it: a section of the text headed so ("License") answers
            headed = next((pi for pi, p in enumerate(corpus.passages) if p.source == doc["source"]
                           and p.kind in ("paragraph", "list") and pat.search(p.section)), None)
            if headed is not None:
                n = len(corpus.passages[headed].sentences)
                return About(picks=[Pick(headed, i) for i in range(min(2, n))])
            return About(refused=True) if name in ("author", "published", "license", "tags") and not (purpose or ending) else None
        if name == "published":
            when = human_date(value) + f" ({value})" if human_date(value) != value else value
            return About(text=f"“{title}” was published on {when}.")
        return About(text=f"{_label(name)} of “{title}”: {value}.")
    passages = [i for i, p in enumerate(corpus.passages) if p.source == doc["source"] and p.kind in ("paragraph", "list", "faq")]
    if not passages:
        return None
    pointed = bool(_POINTS_TO.search(question))
    last = next((pi for pi in reversed(passages) if pointed or not (_POINTER.match(corpus.passages[pi].text) or all(
        sn.link for sn in corpus.passages[pi].sentences))), passages[-1])  # nor a closing list of links
    n = len(corpus.passages[last].sentences)
    said = [i for i in range(corpus.passages[last].answer_start(), n)
            if not HASHTAGS_ONLY.match(corpus.passages[last].sentences[i].text)] or [n - 1]  # not its closing tags
    closing = [Pick(last, i) for i in said[-2:]]
    if ending and not summary:
        return About(picks=closing)
    if opening and not summary:
        lead = corpus.passages[passages[0]]
        start = lead.answer_start()
        return About(picks=[Pick(passages[0], i) for i in range(start, min(start + 2, len(lead.sentences)))])
    # The statement of purpose: among the opening passages, the sentence saying what the document does (else the
    # one sharing most with its title, else the first).
    opening = passages[:3]
    rows = [(corpus.sentence_row[(pi, si)], pi, si) for pi in opening for si in range(len(corpus.passages[pi].sentences))
            if (pi, si) in corpus.sentence_row]
    stated = _purpose(corpus, rows, doc.get("title", "")) if rows else None
    if summary:  # what it sets out to do, then what each section opens with, within the length asked for
        leads = _section_leads(corpus, passages, stated.picks if stated else [], *_length(question))
        if len(leads) > (len(stated.picks) if stated else 0):
            return About(picks=leads)
        return About(picks=(stated.picks if stated else []) + [c for c in closing if not stated or c not in stated.picks])
    return stated


# A summary runs to this many words unless the question asks for another length ("in 50 words", "in two sentences").
SUMMARY_WORDS = 90
# A section's opening sentence shorter than this ("Hooray!", "Day 1") says too little to stand for it: the next one.
_LEAD_WORDS = 6
_LENGTH = re.compile(r"\b(\d+|" + "|".join(SPELT_NUMBERS) + r"|a few|a couple of)\s+(sentences?|lines?|bullets?|"
                     r"bullet[- ]points?|points?|words?)\b", re.I)


def _length(question: str) -> tuple[int, int]:
    """The summary's length asked for: (words, sentences), the defaults when none is asked."""
    m = _LENGTH.search(question)
    if not m:
        return SUMMARY_WORDS, 99
    n = m.group(1).lower()
    count = int(n) if n.isdigit() else 3 if n in ("a few", "a couple of") else int(SPELT_NUMBERS[n])
    return (max(count, 10), 99) if m.group(2).lower().startswith("word") else (SUMMARY_WORDS * 2, max(count, 1))


def _section_leads(corpus: Corpus, passages: list[int], stated: list[Pick], words: int, sentences: int) -> list[Pick]:
    """The statement of purpose, then the opening sentence of each section in document order (its first paragraph's,
    or its list's first item; not an FAQ's, which repeats the body; no sentence announcing a list), while they fit in
    ``words`` and ``sentences``."""
    picks = list(stated)[:sentences]
    used = sum(len(corpus.passages[c.passage].sentences[c.sentence].text.split()) for c in picks)
    sections = {corpus.passages[c.passage].section for c in picks}
    for pi in passages:
        p = corpus.passages[pi]
        if p.kind not in ("paragraph", "list") or p.section in sections or len(picks) >= sentences:
            continue
        sections.add(p.section)
        si = next((i for i in range(p.answer_start(), len(p.sentences)) if len(p.sentences[i].text.split()) >= _LEAD_WORDS
                   and not p.sentences[i].pointer and not p.sentences[i].text.rstrip().endswith(":")), None)
        if si is None:
            continue
        n = len(p.sentences[si].text.split())
        if used + n > words:
            break
        picks.append(Pick(pi, si))
        used += n
    return picks


def _purpose(corpus: Corpus, rows, title_text: str) -> About:
    """The opening sentence that states what the document does ("This article will explore …")."""
    title = {stem(t) for t in content_terms(title_text)}

    def score(item):
        _, pi, si = item
        text = corpus.passages[pi].sentences[si].text
        own = {stem(t) for t in content_terms(text)}
        near_title = len(own & title) / len(own) ** 0.5 if own else 0.0  # a title on sharing calendars: "… sharing calendars is possible."
        return (bool(_STATES_PURPOSE.search(text)), near_title, -pi, -si)
    best = max(rows, key=score)
    if score(best)[0] or best == rows[0]:
        return About(picks=[Pick(best[1], best[2])])
    # nothing says it in so many words: the opening sentence (what a reader meets first: "If you're running a project
    # with a partner, gaining ready visibility into …") with the one nearest the title
    lead = rows[0]
    return About(picks=[Pick(lead[1], lead[2]), Pick(best[1], best[2])])


def _label(name: str) -> str:
    return {"author": "The author", "category": "The category", "license": "The licence",
            "tags": "The hashtags"}.get(
        name, name.capitalize())


def _which(question: str, docs: list[dict]) -> dict | None:
    if len(docs) == 1:
        return docs[0]
    asked = {stem(t) for t in content_terms(question)}
    scored = sorted(((len(asked & _title_stems(d)), i) for i, d in enumerate(docs)), reverse=True)
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return docs[scored[0][1]]
    return None
