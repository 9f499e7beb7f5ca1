"""Multi-part questions: pure, no model, no index."""
from __future__ import annotations

import pytest

from assistant.answering.parts import split_parts

SPLIT = [
    ("How many countries are in it, and what is one job in the air?",
     ["How many countries are in it?", "What is one job in the air?"]),
    ("When was it founded? Who led it?", ["When was it founded?", "Who led it?"]),
    ("What is the fee and when is it due?", ["What is the fee?", "When is it due?"]),
    ("When was the coalition formed and who leads it?", ["When was the coalition formed?", "Who leads it?"]),
    ("How long is the front, and which leader objects to foreign troops?",
     ["How long is the front?", "Which leader objects to foreign troops?"]),
    ("What is the beta channel; how often is it released?", ["What is the beta channel?", "How often is it released?"]),
    ("Do you reimburse taxis, and is there a limit?", ["Do you reimburse taxis?", "Is there a limit?"]),
    ("How much flour do I add and how long does the starter rest?",
     ["How much flour do I add?", "How long does the starter rest?"]),
    ("What's the fee and what's the deadline?", ["What's the fee?", "What's the deadline?"]),
    ("What is the fee, when is it due?", ["What is the fee?", "When is it due?"]),
    ("Is nightly free or does it cost money?", ["Is nightly free?", "Does it cost money?"]),
    ("Which countries are named and which people are quoted?",
     ["Which countries are named?", "Which people are quoted?"]),
    ("so what is the beta channel and who uses it", ["So what is the beta channel?", "Who uses it?"]),
    # a question word after a preposition opens a clause too
    ("How many people use MAX, and across how many federal agencies?",
     ["How many people use MAX?", "Across how many federal agencies?"]),
    ("How long do I have to return the funds, and in what form should I send them?",
     ["How long do I have to return the funds?", "In what form should I send them?"]),
    # a "which" phrase long enough to hold its own verb, before ", and …"
    ("Which single site drew the most visits in the pandemic year, and how many visits did it get?",
     ["Which single site drew the most visits in the pandemic year?", "How many visits did it get?"]),
    ("Which release channel gets new features first, and how often is it built?",
     ["Which release channel gets new features first?", "How often is it built?"]),
    # an adverb before "how"
    ("Roughly how many visits did the sites get, and how many did the CDC get?",
     ["Roughly how many visits did the sites get?", "How many did the CDC get?"]),
    ("Exactly how much flour do I add, and when do I feed it?", ["Exactly how much flour do I add?", "When do I feed it?"]),
    # a preposition before the question word that opens the question
    ("Under which heading is my default calendar listed, and what do I click next?",
     ["Under which heading is my default calendar listed?", "What do I click next?"]),
    ("In which year did the starter die, and who fed it?", ["In which year did the starter die?", "Who fed it?"]),
]

WHOLE = [
    "What are the pros and cons?",
    "Who are Smith and Jones?",
    "Is it cheap and easy?",
    "Explain how X and Y relate",
    "Explain how the beta and nightly channels relate.",
    'What does "security guarantees" mean and who gives them?',
    "What does the 'beta' label mean and when is it used?",
    "What do Kyiv and its partners want from Washington?",
    "What is the difference between beta and nightly?",
    "What happens if I bake and do not feed the starter?",
    "Tell me what the fee is and when it is due",
    "What is a starter and why it matters?",
    "Which countries and which people are named?",
    "Which countries, and which people are named?",  # a short "which" phrase has no verb of its own, comma or not
    "Who approves travel and hotel expenses?",
    "And when one turns up, where does the fix go?",  # a time clause, then the one question
    "Where the road ends, what do hikers do?",
    "Why?",
    "In what way and why?",  # a bare question word with no clause before it to ask it of
    "Explain how the train model works and in what order releases come.",  # indirect, after a preposition
    "",
]


@pytest.mark.parametrize("question,parts", SPLIT)
def test_split(question, parts):
    assert split_parts(question) == parts


@pytest.mark.parametrize("question", WHOLE)
def test_not_split(question):
    assert split_parts(question) == [question]


def test_at_most_three_parts_in_order():
    q = "What is the fee? When is it due? Who approves it? How is it paid?"
    parts = split_parts(q)
    assert len(parts) == 3
    assert parts[:2] == ["What is the fee?", "When is it due?"]
    assert "Who approves it?" in parts[2] and "How is it paid?" in parts[2]


def test_a_fragment_stays_with_the_question_after_it():
    assert split_parts("What about Login.gov? When did that launch?") == ["What about Login.gov? When did that launch?"]


def test_a_contentless_sentence_is_not_a_part():
    assert split_parts("Really? What is the fee?") == ["Really? What is the fee?"]


def test_an_ellipsis_stays_with_the_question_before_it():
    assert split_parts("Will the beta ship soon? Why not?") == ["Will the beta ship soon? Why not?"]


@pytest.mark.parametrize("question,parts", [
    ("Who has to approve items needed for international travel, and by when?",
     ["Who has to approve items needed for international travel?",
      "By when has to approve items needed for international travel?"]),
    ("Is a receipt required for a taxi, and why?", ["Is a receipt required for a taxi?", "Why is a receipt required for a taxi?"]),
    ("When was the guild founded, and by whom?", ["When was the guild founded?", "By whom was the guild founded?"]),
])
def test_a_bare_question_word_asks_it_of_the_part_before(question, parts):
    assert split_parts(question) == parts


def test_parts_keep_every_word():
    q = "Will the US put troops in Ukraine, and what do the allies want from it instead?"
    parts = split_parts(q)
    assert parts == ["Will the US put troops in Ukraine?", "What do the allies want from it instead?"]
    words = " ".join(parts).lower().replace("?", "").split()
    assert words == q.lower().replace(",", "").replace(" and", "").replace("?", "").split()
