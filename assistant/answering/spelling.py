"""Misspelt question words and contractions typed without an apostrophe, put right before anything reads the
question ("wich pane …", "How oftne do …", "whats the deadline …").

General English only: the question words, the function words a question's kind depends on, and common contractions.
Content words are repaired against the sources' vocabulary elsewhere (``Corpus.repair``); a word the sources use is
never changed here.
"""
from __future__ import annotations

import functools
import re
from typing import Callable

_WH = ("what", "which", "where", "when", "who", "whose", "why", "how")
# Function words whose misspelling hides what a question asks ("how oftne", "how meny", "shoud I").
_FUNCTION = _WH + ("often", "many", "much", "long", "there", "their", "does", "should", "would", "could", "about",
                   "after", "before", "until")
_CONTRACTED = {"whats": "what's", "whos": "who's", "wheres": "where's", "hows": "how's", "whens": "when's",
               "isnt": "isn't", "arent": "aren't", "wasnt": "wasn't", "dont": "don't", "doesnt": "doesn't",
               "didnt": "didn't", "cant": "can't", "couldnt": "couldn't", "shouldnt": "shouldn't", "wont": "won't",
               "wouldnt": "wouldn't", "thats": "that's", "theres": "there's", "im": "I'm", "ive": "I've"}
_OPENER = re.compile(r"^\W*(?:(?:and|so|but|ok|okay|also)\W+)?([A-Za-z]+)")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
# Below this Zipf frequency a word is too rare in English to be meant as itself ("oftne" 0.0, "wich" 2.8).
_RARE = 3.0


def respell(text: str, known: Callable[[str], bool] = lambda w: False) -> str:
    """``text`` with misspelt question and function words and apostrophe-less contractions put right; a word
    ``known`` (to the sources) is kept as written."""
    opener = _OPENER.match(text)
    first = opener.start(1) if opener else -1

    def fix(m: re.Match) -> str:
        word = m.group(0)
        low = word.lower()
        if known(low) or "'" in low or "’" in low or m.start() != first and word[0].isupper():
            return word         # a word of the sources, a contraction, a name ("the Wich Team")
        if low in _CONTRACTED:
            return _cased(_CONTRACTED[low], word)
        right = _nearest(low, _WH if m.start() == first else _FUNCTION, rare_only=m.start() != first)
        return _cased(right, word) if right else word
    return _WORD.sub(fix, text)


@functools.lru_cache(maxsize=4096)
def _nearest(word: str, vocabulary: tuple[str, ...], rare_only: bool) -> str | None:
    """The one word of ``vocabulary`` a single edit (a transposition counts as one) away from ``word``; None when
    there is none, or two (a guess), or ``word`` is itself a function word or (``rare_only``) a common word."""
    from rapidfuzz.distance import DamerauLevenshtein
    from wordfreq import zipf_frequency

    if len(word) < 3 or word in _FUNCTION or word in _CONTRACTED.values():
        return None
    if rare_only and (len(word) < 4 or zipf_frequency(word, "en") >= _RARE):
        return None
    if not rare_only and zipf_frequency(word, "en") >= 4.0:
        return None             # "Wow, …", "Hot …": a common word opening a question is meant
    near = [v for v in vocabulary if DamerauLevenshtein.distance(word, v) == 1]
    return near[0] if len(near) == 1 else None


def _cased(right: str, typed: str) -> str:
    return right[0].upper() + right[1:] if typed[0].isupper() else right
