"""What kind of answer a question asks for, read from general English question syntax."""
from __future__ import annotations

import pytest

from assistant.answering.answertype import focus_words, measured, type_mismatch, which_words


@pytest.mark.parametrize("question, words", [
    ("What is the population of the region?", ["population"]),
    ("What's the phone number for the team?", ["phone", "number"]),
    ("Who was the director of the agency?", ["director"]),
    ("How much funding did the programme get?", ["funding"]),
    ("What weapons has the country supplied?", ["weapons"]),
    ("What happens to an agency that is late?", []),  # a verb after "what": no noun is named
    ("What does the article say?", []),
    ("What is sourdough?", []),  # a definition names its subject, not what the answer is
    ("Why is the sky blue?", []),
])
def test_focus_words(question, words):
    assert focus_words(question) == words


def test_a_measurement_is_named_by_a_number():
    assert measured(["length"], "The front line stretches over 1,000 kilometres.")
    assert measured(["size"], "It grew by three hundred percent.")
    assert not measured(["length"], "The front line is long and hard to hold.")
    assert not measured(["director"], "Visits rose 254% in 2020.")  # not a measurement: a number names no director


@pytest.mark.parametrize("question, words", [
    ("Which city hosted the summit?", ["city", "hosted"]),
    ("Which kinds of devices does the report count?", ["devices"]),  # the kind named, not "kinds"
    ("Which types of rental insurance are covered?", ["rental", "insurance"]),
    ("What kind of help is offered?", ["help"]),
    ("How does it work?", []),
])
def test_which_words_name_what_is_asked_for(question, words):
    assert which_words(question) == words


@pytest.mark.parametrize("answer, lacking", [
    ("The summit took place in August 2025.", ""),
    ("A new version comes out every six weeks.", ""),
    ("It was formalized in 1978.", ""),
    ("Each night, a new build is produced.", ""),
    ("After the summit, the leaders met again.", "time"),  # "after" names no time
    ("Discussions are now underway between the allies.", "time"),
])
def test_a_when_question_needs_a_time_in_the_answer(answer, lacking):
    assert type_mismatch("When did it happen?", answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("At what temperature should the jar be stored?", "Keep the jar in the fridge.", "number"),
    ("At what temperature should the jar be stored?", "Keep the jar at 4 degrees.", ""),
    ("What ratio of flour to water is used?", "Use equal parts, 1 to 1.", ""),
    ("What ratio of flour to water is used?", "Use flour and water.", "number"),
    ("What area of policy does it cover?", "Foreign policy.", ""),  # "area" here is not a measurement
    ("What readability score should a document reach?", "Write short sentences.", "number"),  # one word qualifies it
    ("What oven temperature should I bake at?", "Bake at 230 degrees.", ""),
])
def test_a_measurement_named_after_what_needs_a_number(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


def test_the_lead_of_an_answer_is_what_its_first_cited_passage_says(sourdough):
    """The answer-type check on the lead: a number in a later passage of the answer does not answer "how many
    grams" when the passage the answer opens with has none."""
    from assistant.answering.pipeline import said
    from assistant.answering.selection import Pick

    corpus = sourdough._state.corpus
    first = next(i for i, p in enumerate(corpus.passages) if len(p.sentences) > 1)
    other = next(i for i, p in enumerate(corpus.passages) if i != first and p.sentences)
    text, _, lead = said(corpus, [Pick(first, 0), Pick(other, 0), Pick(first, 1)])
    sentence = lambda pi, si: corpus.passages[pi].sentences[si].text
    assert lead == sentence(first, 0) + " " + sentence(first, 1)
    assert sentence(other, 0) in text and sentence(other, 0) not in lead


@pytest.mark.parametrize("question, answer, lacking", [
    ("What's the phone number for the help desk?", "Ask the help desk for support.", "contact"),
    ("What's the phone number for the help desk?", "Call the help desk on 202-555-0100.", ""),
    ("What e-mail address should I use?", "Send it to finance@example.org.", ""),
    ("At what web address is the documentation hosted?", "The documentation is online.", "contact"),
    ("At what web address is the documentation hosted?", "See docs.example.com for the documentation.", ""),
    ("What is the deadline to apply?", "Apply early to be safe.", "time"),
    ("What is the deadline to apply?", "Apply by 1 March.", ""),
    ("On what dates were the bills passed?", "The bills passed quickly.", "time"),
])
def test_contact_details_and_deadlines_are_answer_types(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking
