"""Small text tools: tokens, stems, content terms, names, and normalisation of what users type."""
from __future__ import annotations

import functools
import re
import unicodedata

from bm25s.stopwords import STOPWORDS_EN

from index import markdown as _markdown

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")
QUESTION_WORDS = {"what", "who", "whom", "whose", "which", "when", "where", "why", "how", "does", "do", "did", "is",
                  "are", "was", "were", "will", "would", "could", "can", "should", "might", "may", "must", "shall",
                  "tell", "me", "please", "explain", "describe", "about", "article", "say", "says", "said", "mention",
                  "mentioned", "according", "text", "piece", "author", "i", "you", "your", "know",
                  "anything", "something", "there", "kind", "sort", "give", "list", "name", "named", "much", "many", "has",
                  "have", "had", "been", "being", "get", "got", "really", "exactly", "currently", "now", "also", "far", "else",
                  "besides", "yet", "still", "ever", "actually", "one", "ones", "thing", "things"}
FUNCTION_WORDS = {"over", "under", "into", "onto", "upon", "within", "without", "between", "among", "through", "during",
                  "before", "after", "above", "below", "again", "further", "once", "here", "very", "too", "more", "most",
                  "less", "least", "own", "same", "so", "than", "just", "only", "even", "ever", "any", "some", "each",
                  "every", "all", "both", "either", "neither", "other", "others", "another", "such", "what's", "who's",
                  "it's", "there's", "let's", "its", "our", "ours", "their", "theirs", "his", "her", "hers", "him",
                  "them", "they", "we", "from", "off", "out", "up", "down", "via", "per", "whether", "if", "while"}
# Informal function words and fillers of typed questions (general English): "is it gonna rain or nah", "why'd … tho".
INFORMAL_WORDS = {"gonna", "wanna", "gotta", "hafta", "kinda", "sorta", "nah", "yeah", "yep", "yup", "nope", "tho", "u",
                  "ur", "ya", "yo", "pls", "plz", "ok", "okay", "hey", "hi", "lol", "ugh", "um", "uh", "hmm", "btw", "idk",
                  "imo", "tbh", "anyway", "anyways", "lemme", "gimme", "dunno", "cuz", "abt", "ppl", "em", "y'all"}
STOP = set(STOPWORDS_EN) | QUESTION_WORDS | FUNCTION_WORDS | INFORMAL_WORDS
_CONTRACTED = re.compile(r"^(\w+)'(?:d|ll|ve|re|m)$")  # "why'd", "you'll": a function word contracted
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str) -> str:
    """NFC, no control characters, typographic quotes/dashes folded, white space collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip()


def fold(text: str) -> str:
    """Lower-case matching form (as the golden-file rules): ’ → ', dashes → -, white space collapsed."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text).strip().lower()


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of a word (possessive and quotes removed)."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'-")
    return _stemmer().stemWord(w)


# Nouns naming a document (general English): "Summarize this recipe", "Who is named in the report?"
DOCUMENT_NOUNS = (r"article|piece|story|text|post|report|page|document|guide|guidance|policy|appendix|handbook|memo|"
                  r"essay|chapter|entry|recipe|tutorial|manual|walkthrough|how-to|faq|paper|write-?up|blog|source|"
                  r"sources")


def tokens(text: str) -> list[str]:
    return [t.replace("’", "'") for t in _TOKEN.findall(text)]


def content_terms(text: str) -> list[str]:
    """Lower-case content words (no stop or question words), in order, with duplicates removed."""
    out = []
    for t in tokens(text):
        lw = t.lower()
        base = lw[:-2] if lw.endswith("'s") else lw
        contracted = _CONTRACTED.match(base)
        if base in STOP or len(base) < 2 and not base.isdigit() or contracted and contracted.group(1) in STOP:
            continue
        if base not in out:
            out.append(base)
    return out


def stems(text: str) -> set[str]:
    return {stem(t) for t in content_terms(text)}


LABEL_ONLY = re.compile(r"^\W*(?:\w+\W+){0,1}\w+\s*:\s*$")  # a sentence of one or two words ending in a colon ("See:")
HASHTAGS_ONLY = re.compile(r"^\s*(?:#\w+[\s,;.]*)+$")  # "#Baking #Sourdough": the text's tags, no statement
# A web address (index.markdown.URL): its digits are no number, date or time the text states ("…?pageId=658899186").
URL = _markdown.URL
# A number as the sources and questions write it ("42", "1.2.3", "2,000").
NUMBER_TOKEN = r"\b\d[\d.,]*\d\b|\b\d\b"
# Numbers written as words, by their digits: "three release channels" uses the number a question writes "3".
SPELT_NUMBERS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())} | {w: str(10 * i) for i, w in enumerate(
        "thirty forty fifty sixty seventy eighty ninety".split(), start=3)}

CONNECTORS = ("of", "the", "de", "von", "van", "for", "and")  # lower-case words inside a name ("Guild of the Phoenix")
# Between two capitalised words of one name: up to two connectors, and never onto the pronoun "I" ("… Iowa and I'm …").
NAME_LINK = r"\s+(?:(?:" + "|".join(CONNECTORS) + r")\s+){0,2}(?!I\b|I['’])"
_NAME = re.compile(r"\b[A-Z][\w’'\-]*(?:" + NAME_LINK + r"[A-Z][\w’'\-]*)*")


def initials(text: str) -> set[str]:
    """Initials of each run of capitalised words, lower-cased ("Frequently Asked Questions" gives "faq"): the
    abbreviations a reader may use for what the text spells out."""
    out = set()
    for m in _NAME.finditer(text):
        capitals = [w for w in m.group(0).split() if w[:1].isupper()]
        if len(capitals) >= 2:
            out.add("".join(w[0] for w in capitals).lower())
    return out


_I = re.compile(r"^I(?:['’](?:d|m|ll|ve))?$")


def _function_word(word: str) -> bool:
    """A stop word or article, unless written in capitals: "IT" and "HR" are names, "it" is not."""
    return word.lower() in STOP | {"the", "a", "an"} and not (len(word) > 1 and word.isupper())


def names(text: str, common: frozenset[str] | set[str] = frozenset(), strict_initial: bool = False) -> list[str]:
    """Capitalised spans (e.g. 'Guild of the Phoenix', 'UN'). The first word of a sentence is dropped when
    it is a stop word or a ``common`` (lower-case elsewhere) word; with ``strict_initial`` whenever it is not
    all capitals, since a capital there proves nothing."""
    out = []
    for m in _NAME.finditer(text):
        span = m.group(0).strip()
        start = m.start()
        before = text[:start].rstrip()
        sentence_initial = not before or before[-1] in ".?!:\"“(" or before.endswith("—")
        words = span.split()
        if _function_word(words[0]) or sentence_initial and (
                words[0].lower() in common or strict_initial and not words[0].isupper()):
            words = words[1:]
            while words and words[0] in CONNECTORS:  # "Does the IT team": "IT team"
                words = words[1:]
            if not words or (len(words) == 1 and _function_word(words[0])):
                continue
            span = " ".join(words)
            if not span[0].isupper():
                continue
        span = re.sub(r"['’]s$", "", span)
        if _I.match(span):  # "I'd", "I’ll": the pronoun, not a name
            continue
        if span and span not in out:
            out.append(span)
    return out
