"""Names in questions (assistant.answering.text.names): general English typography, questions from several articles."""
from __future__ import annotations

import re

import pytest

from assistant.answering.text import content_terms, names


@pytest.mark.parametrize("question, expected", [
    ("Will the US send ground troops to Ukraine?", ["US", "Ukraine"]),
    ("Does the Business Team approve my trip?", ["Business Team"]),
    ("Is the Coalition of the Willing led by Britain?", ["Coalition of the Willing", "Britain"]),
    ("Can the IT team reset my MAX.gov password?", ["IT", "MAX"]),
])
def test_a_name_after_an_opening_auxiliary_and_the_is_kept(question, expected):
    """"Will the US …": the capitalised run "Will the US" loses its first word and then its "the", not the name."""
    assert names(question, strict_initial=True)[:len(expected)] == expected


def test_a_stop_word_in_capitals_is_a_name_and_in_lower_case_is_not():
    assert names("Tell us what the US does, and what IT does.", strict_initial=True) == ["US", "IT"]
    assert names("Does it help us?", strict_initial=True) == []


def test_the_names_feature_matches_whole_words(assistant, federal):
    """"US" is not found inside "Russian" or "thus": a sentence names the question's name only as a word."""
    from assistant.answering.features import SENTENCE_FEATURES

    at = SENTENCE_FEATURES.index("names")
    for a, question in [(assistant, "Will the US send ground troops to Ukraine?"),
                        (federal, "Did the US government see more visits to health sites?")]:
        _, parts = a.analyse(question)
        snap = a._state.corpus.snap
        inside = [c for c in parts[0].cands
                  if "us" in (t := snap.passages[c.passage].sentences[c.sentence].text).lower()
                  and not re.search(r"\bUS\b", t, re.I)]
        assert inside, question  # sentences with "us" only inside a word ("Russian", "thus") are among the candidates
        assert all(c.x[at] < 1.0 for c in inside)


def test_a_name_does_not_run_on_onto_the_pronoun_i():
    """"… the United States and I'm not …": the name is "United States", not "United States and I'm"."""
    assert names("I'm based outside the United States and I'm not employed via Velocity Global. How do I get paid?",
                 strict_initial=True) == ["United States", "Velocity Global"]
    assert names("Can Ivy and I share the Business Team calendar?", strict_initial=True) == ["Ivy", "Business Team"]


def test_informal_function_words_and_contracted_ones_are_no_content_terms():
    assert content_terms("why'd the council freeze ticket prices tho") == ["council", "freeze", "ticket", "prices"]
    assert content_terms("is it gonna rain or nah lol") == ["rain"]
    assert content_terms("you'll see it'd work, I'd say") == ["see", "work"]
    assert content_terms("the band's new single") == ["band", "new", "single"]  # a possessive is no contraction
