"""Questions asking which people or places the sources name (issue 10, kinds 3 and 5: "Which people are named?",
"Which countries does the article name?"), answered from the sources' names on several articles."""
from __future__ import annotations

import re

import pytest

from assistant.answering.inventory import Asked, asked


def listed(ans) -> dict[str, str]:
    """Each name the answer lists → the text of the passage its marker cites."""
    assert not ans.refused, ans.answer
    pairs = re.findall(r"([A-Z][\w .’'-]+?) \[(\d+)\]", ans.answer.split(":", 1)[1])
    return {name.strip(): ans.citations[int(n) - 1].text for name, n in pairs}


@pytest.mark.parametrize("question, expected", [
    ("Which people are named?", Asked("person", ())),
    ("Who is mentioned in the article?", Asked("person", ())),
    ("What people does the article mention?", Asked("person", ())),
    ("List the people in the article.", Asked("person", ())),
    ("Which countries does the article name?", Asked("country", ())),
    ("What cities are mentioned in the text?", Asked("place", ())),
    ("Which former British officials are named in the article?", Asked("person", ("former", "british"))),
    ("Who is quoted in the article?", Asked("person", (), quoted=True)),
    ("Which experts does the article cite?", Asked("person", (), quoted=True)),
    ("Who are the people mentioned in the article?", Asked("person", ())),
    ("What are the names of the people in the article?", Asked("person", ())),
    ("Which countries does this mention?", Asked("country", ())),
    ("Who is mentioned in the recipe?", Asked("person", ())),  # a document named by what it is
    ("Which cities does the tutorial name?", Asked("place", ())),
    ("Is anyone quoted?", Asked("person", (), quoted=True)),
    ("Who are the members of the coalition?", None),
    # asking for more than the names: the usual answering
    ("Which countries are named as possible bases for aircraft?", None),
    ("Which people are in the coalition?", None),
    ("Who leads the coalition?", None),
    ("Which countries does the coalition include?", None),
    ("Which websites are mentioned?", Asked("website", ())),
    ("Which sites does the post name?", Asked("website", ())),
    ("Which sites saw the most traffic?", None),
])
def test_which_questions_ask_for_names(question, expected):
    assert asked(question) == expected


def test_the_people_an_article_names_each_cited_where_named(assistant, tts):
    people = listed(assistant.ask("Which people are named?"))
    assert {"Keir Starmer", "John Foreman", "Ben Wallace", "Volodymyr Zelensky", "Vladimir Putin", "Donald Trump"} == set(people)
    for name, text in people.items():
        assert name.split()[-1] in text  # each marker cites a passage naming that person
    assert listed(assistant.ask("Who is mentioned in the article?")) == people
    others = listed(tts.ask("Who is mentioned in the article?"))
    assert "Eric Brewer" in others and any("Nixon" in n for n in others) and any("Clinton" in n for n in others)
    assert not any(w in n for n in others for w in ("Digital", "Office", "Executive", "Program"))


def test_the_websites_an_article_names_are_its_dotted_names(tts, federal, assistant):
    """"Which websites are mentioned?": each name ending in a common top-level domain, as written, cited where first
    named; not an e-mail address, not a link's path; none named is a refusal."""
    def sites_of(ans) -> dict[str, str]:
        assert not ans.refused, ans.answer
        pairs = re.findall(r"([\w.-]+) \[(\d+)\]", ans.answer.split(":", 1)[1])
        return {name: ans.citations[int(n) - 1].text for name, n in pairs}

    sites = sites_of(federal.ask("Which websites are mentioned?"))
    assert {"Search.gov", "IRS.gov", "tools.usps.com", "USA.gov"} <= set(sites), sites
    for name, text in sites.items():
        assert name in text
    history = sites_of(tts.ask("Which sites does the article name?"))
    assert {"Pueblo.gsa.gov", "FirstGov.gov", "Data.gov"} <= set(history) and len(history) >= 10
    assert assistant.ask("Which websites are mentioned?").refused
    from assistant.answering.inventory import _DOMAIN

    assert [m.group(1) for m in _DOMAIN.finditer("Write to help@example.org or see https://a.example.com/x.org, "
                                                   "or visit Example.gov; e.g. version 1.2 of Node.js.")] == ["Example.gov"]


def test_words_before_the_kind_keep_the_names_said_with_them(assistant):
    assert set(listed(assistant.ask("Which former British officials are named in the article?"))) == {
        "John Foreman", "Ben Wallace"}


def test_countries_and_places_from_general_geography(assistant, federal, calendars):
    countries = listed(assistant.ask("Which countries does the article name?"))
    assert {"Poland", "Romania", "Slovakia", "Russia", "Ukraine", "US"} == set(countries)  # "US" read as a country
    assert set(listed(federal.ask("Which countries does the article mention?"))) == {"U.S."}
    assert calendars.ask("Which countries are named in the guide?").refused  # its "IT policy" is no Italy
    assert "Moscow" not in countries and "Alaska" not in countries
    places = listed(assistant.ask("Which places are mentioned in the article?"))
    assert {"Moscow", "Alaska", "Poland"} <= set(places)


def test_an_article_naming_nobody_of_the_kind_refuses_and_a_longer_question_is_answered_as_usual(sourdough, rust, assistant):
    assert sourdough.ask("Which people are named in the article?").refused  # its author is in the front matter only
    assert rust.ask("Which countries does the article mention?").refused
    bases = assistant.ask("Which countries are named as possible bases for aircraft?")
    assert "Poland" in bases.answer and not bases.answer.startswith("The article names")


def test_who_is_quoted_keeps_the_people_reported_saying_something(assistant, tts):
    """A reporting verb after the name ("… points out", "… notes", "has indicated"), each cited where it is said."""
    quoted = assistant.ask("Who is quoted in the article?")
    assert quoted.answer.startswith("The article quotes")
    people = listed(quoted)
    assert set(people) == {"Volodymyr Zelensky", "Donald Trump", "John Foreman", "Ben Wallace"}  # not Starmer, Putin
    assert "points out" in people["John Foreman"] and "notes" in people["Ben Wallace"]
    assert set(listed(tts.ask("Who is quoted?"))) < set(listed(tts.ask("Who is mentioned?")))


@pytest.mark.parametrize("text, person", [
    ("Freedonian Ambassador Zarkovan Quellin said so.", ["Zarkovan", "Quellin"]),  # a title, then rare words
    ("A memo from Commissioner Quellin followed.", ["Commissioner", "Quellin"]),  # a title and a surname
    ("The Financial Services Administration said so.", None),  # descriptive "titles" before common words
    ("The Ruritanian Executive Board met.", None),              # "Board" is a Census surname, but a common word
    ("Most Quellin users agree.", None),                        # a function word is no title
    ("Senior Policy Advisor Jane Roe spoke.", ["Jane", "Roe"]),
])
def test_titles_come_from_nameparser_and_what_follows_must_look_like_a_name(text, person):
    from assistant.answering.inventory import _persons

    found = [p for _, _, p in _persons(text, set())]
    assert (found[0] if found else None) == person
