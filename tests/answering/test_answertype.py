"""What kind of answer a question asks for, read from general English question syntax."""
from __future__ import annotations

import pytest

from assistant.answering.answertype import focus_words


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
