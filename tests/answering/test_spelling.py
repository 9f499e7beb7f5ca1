"""Misspelt question words and apostrophe-less contractions (assistant.answering.spelling): pure, no index."""
from __future__ import annotations

import pytest

from assistant.answering.answertype import asked
from assistant.answering.spelling import respell


@pytest.mark.parametrize("typed, meant", [
    ("wich pane has the make public checkbox in google calender?", "which pane has the make public checkbox in google calender?"),
    ("How oftne do nightly bulids come out?", "How often do nightly bulids come out?"),
    ("whats the deadline to submit expenses?", "what's the deadline to submit expenses?"),
    ("wat happens with the nightlys while the beta is tested?", "what happens with the nightlys while the beta is tested?"),
    ("Wen is the starter ready?", "When is the starter ready?"),
    ("isnt it free?", "isn't it free?"),
])
def test_misspelt_question_words_are_put_right(typed, meant):
    assert respell(typed) == meant


@pytest.mark.parametrize("typed", [
    "Was it hot?",                      # a common word opening a question is meant as written
    "Wow, how does it work?",
    "Is the Wich Team named?",          # a capitalised word inside a question is a name
    "Hwo do I start?",                  # one edit from both "how" and "who": no guess
    "were was john foreman posted?",    # "were" is a word: not a misspelling this can tell
    "Who is Jon?",
])
def test_words_meant_as_written_are_kept(typed):
    assert respell(typed) == typed


def test_a_word_the_sources_use_is_kept():
    assert respell("wich pane is it?", known=lambda w: w == "wich") == "wich pane is it?"


def test_the_kind_asked_for_is_read_through_the_misspelling():
    assert [k for k, _, _ in asked(respell("How oftne do nightly builds come out?"))] == ["frequency"]
    assert [k for k, _, _ in asked(respell("Wen was the office set up?"))] == ["time"]
