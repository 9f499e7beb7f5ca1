"""What kind of answer a question asks for, read from general English question syntax."""
from __future__ import annotations

import pytest

from assistant.answering.answertype import (asks_for_person, asks_name, asks_yes_no, focus_words, measured, names_beyond,
                                           type_mismatch, which_words)


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
    ("Which options are named for covering the bowl?", []),  # "options" names no kind of thing
    ("In which situations might only part of a receipt get reimbursed?", []),  # nor do "situations", "cases" …
    ("In which cases is a release delayed?", []),
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
    ("What reading-ease score should documents aim for?", "Think about what your reader really needs.", "number"),
    ("What Flesch reading-ease score should documents aim for?", "Aim for a score of 60 or more.", ""),  # two words before
    ("What's the latest stable version right now?", "The project supports the most recent stable version.", "number"),
    ("What's the latest stable version right now?", "Version 1.5 is the newest stable release.", ""),
    ("What happens to the next version at that point?", "It branches off the main line.", ""),  # asks no version
    ("What is the Guild's annual budget?", "The Guild runs three programmes for its members.", "money"),
    ("What is the Guild's annual budget?", "Its budget is $4 million a year.", ""),
    ("What size should the jars be?", "Use large glass jars.", "number"),
    ("How long is the release cycle?", "There are three release channels.", "duration"),  # a count is no length
    ("How long should my sentences be?", "Your sentences should average 15–20 words.", ""),
    ("How long is the front line?", "It stretches over 600 miles.", ""),
])
def test_a_score_version_size_or_budget_asked_for_is_a_number(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("When is the vote expected to take place?", "The vote would settle the border question.", "time"),
    ("When are talks scheduled to resume?", "Talks will resume in March.", ""),
    ("When is the top end of that range appropriate?", "Use the top end if your flour is weak.", ""),  # a condition
])
def test_when_is_a_time_to_come_needs_a_time(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


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
    ("What's the phone number for the help desk?", "Ask the help desk for support.", "phone"),
    ("What's the phone number for the help desk?", "Call the help desk on 202-555-0100.", ""),
    ("What's the phone number for the team?", "Write to the team at team@example.org.", "phone"),  # not the means asked
    ("What e-mail address should I use?", "Send it to finance@example.org.", ""),
    ("What e-mail address should I use?", "Call +44 20 7946 0000.", "email"),
    ("Which email address should I sign up with?", "Sign up with your example.gov address.", ""),
    ("To which email address do I send it?", "Send it to finance@example.org.", ""),
    ("What's the mailing address for the check?", "Send the check to our fiscal sponsor.", "postal"),
    ("What's the mailing address for the check?", "Mail it to 1 Main Street, Springfield.", ""),
    ("At what web address is the documentation hosted?", "The documentation is online.", "web"),
    ("At what web address is the documentation hosted?", "See docs.example.com for the documentation.", ""),
    ("What is the deadline to apply?", "Apply early to be safe.", "time"),
    ("What is the deadline to apply?", "Apply by 1 March.", ""),
    ("On what dates were the bills passed?", "The bills passed quickly.", "time"),
    # the digits of a web address are no phone number, year or date; the address itself answers "what web address"
    ("What's the phone number for the help desk?", "See https://help.example.org/view?pageId=658899186.", "phone"),
    ("In what year was the service launched?", "Read https://example.org/2019/launch for more.", "time"),
    ("At what web address is the documentation hosted?", "See https://docs.example.com/ for it.", ""),
])
def test_contact_details_and_deadlines_are_answer_types(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("In what year was the service launched?", "It has over 200,000 users.", "time"),  # a number, but no year
    ("In what year was the service launched?", "It launched in 2008.", ""),
    ("Which year was the office created?", "It was created by 18F.", "time"),  # a name with digits is no year
    ("What is the date of the memo?", "The memorandum of June 1 asks for plans.", ""),
    ("When did it start?", "It has over 30 members.", "time"),  # a count of something else is no time
    ("When did it start?", "It started six weeks ago.", ""),
    ("When did it start?", "It started at 9 am on the 5th.", ""),
    ("When should I book?", "Book as soon as the trip is approved.", ""),  # a condition answers it too
])
def test_a_year_or_date_asked_for_needs_one(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("How much did it cost to order a booklet?", "The first edition came out in 1971.", "money"),
    ("How much did it cost to order a booklet?", "Each booklet cost $5.", ""),
    ("What is the annual budget of the office?", "The office has 300 staff.", "money"),
    ("How much are instructors paid?", "Instructors teach two-day workshops.", "money"),
    ("How much is the bank fee?", "The bank charges a 3% fee.", ""),  # a share of a sum
    ("How much does the tool cost?", "The tool is free for everyone.", ""),
    ("How much flour do I need?", "Use 1000 grams of flour.", ""),  # an amount, not money
])
def test_money_asked_for_needs_a_sum(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("How long does it take for a proposal to be accepted?", "The team reads the proposal and comments.", "duration"),
    ("How long does it take for a proposal to be accepted?", "It usually takes about two weeks.", ""),
    ("How long do they have to approve it?", "When you are done, click Done.", "duration"),  # "when" is no span
    ("How long is the front line?", "It stretches over 600 miles.", ""),  # a length answers "how long is"
    ("How long is the release cycle?", "Releases are made regularly.", "duration"),
    ("How long should my sentences be?", "They should average 15–20 words.", ""),  # "… be?": a length too
    ("How long will the meeting be?", "The meeting runs for 90 minutes.", ""),
    ("How long should my sentences be?", "Write short sentences.", "duration"),
    # "… be?" ends its sentence, another question after it ("Any examples?" attached to it as a follow-up)
    ("How long should my sentences be? Any examples?", "They should average 15–20 words.", ""),
    ("How long will it be before the line opens?", "The line opens in 40 words.", "duration"),
    ("How long should I wait?", "Wait until it doubles in size.", "duration"),  # not "… be?": a span of time
    # a unit a demonstrative points at says when, not how long
    ("How long was the counter broken for?", "In the days following the payments, it broke the counter.", "duration"),
    ("How long did the office stay open?", "That year the office moved to a new building.", "duration"),
    ("How long did the office stay open?", "It stayed open for the whole year.", ""),
    # so is one that says how often
    ("How long does the discard keep?", "Once per week I like to bake a bread out of it.", "duration"),
    ("How long does the build stay available?", "A new build is produced every night.", "duration"),
    ("How long does the discard keep?", "It keeps for a week in the fridge.", ""),
])
def test_how_long_needs_a_span_of_time(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("Should I learn this language first?", "Most users use the stable release most of the time.", "advice"),
    ("Should I apply for a job there?", "The office was founded in 2014.", "advice"),
    ("Should I pour it off?", "That is normal. Just stir it back in your dough.", ""),  # the imperative advises
    ("Should a document explain its layout?", "Explain how you've organized the document.", ""),
    ("Should I buy a starter?", "You don’t need to buy one.", ""),
    ("Should the group have a say, according to commentators?", "Commentators suggest it should not.", ""),
    ("Should I pour it off?", "Visits to the sites rose sharply.", "advice"),  # a plural noun is no imperative
    # an imperative after a clause saying when
    ("Should I use packrat parsing?", "When writing recursive parsers, immediately enable packrat parsing.", ""),
    ("Should I keep feeding it?", "If it does not, just keep feeding your starter.", ""),
    ("Should I keep the receipt?", "When the trip is over, the team reviews every claim.", "advice"),  # a subject
    ("Should I keep the receipt?", "Once confirmed, a list of affected versions is determined.", "advice"),
])
def test_a_should_question_needs_advice_in_the_answer(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


def test_advice_is_checked_in_the_answer_but_does_not_choose_its_sentences():
    """Preferring sentences that say "should" would pass over imperative ones: advice is a check only."""
    from assistant.answering.answertype import asked, kinds_in

    assert asked("Should I pour it off?") == []
    assert [k for k, _, _ in asked("Should I pour it off?", checks=True)] == ["advice"]
    assert "advice" not in kinds_in("You should stir it back in.")


def test_what_is_counted_may_go_by_another_name_in_the_sources(assistant, federal):
    """"How many countries …" is answered by "over 30 nations": a source word whose vector is close to the counted
    word names the same thing; a merely related word ("members") does not."""
    from assistant.answering.features import _synonyms
    from assistant.answering.text import stem

    _, parts = assistant.analyse("How many countries have joined?")
    near = _synonyms(assistant._state.corpus, parts[0].query, "countries")
    assert stem("nations") in near and stem("members") not in near
    _, parts = federal.analyse("How many websites took part?")
    assert stem("sites") in _synonyms(federal._state.corpus, parts[0].query, "websites")


@pytest.mark.parametrize("question, answer, lacking", [
    ("How often does the group meet?", "The group was formed in 1998 by the agencies.", "frequency"),
    ("How often does it refresh the calendar?", "Paste the link and click Done.", "frequency"),
    ("How often does a new release come out?", "Rust releases every six weeks, like clockwork.", ""),
    ("How frequently are builds produced?", "Each night, a new build is produced.", ""),
    ("How often was the handbook released?", "It was released biannually since 1979.", ""),
    ("How often does the network meet?", "By June 1, each agency must name an official.", "frequency"),  # no "each day"
    ("How often do they meet?", "They meet every other week.", ""),
    ("How often is it fed?", "Feed it twice per day.", ""),
])
def test_how_often_needs_a_frequency(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, answer, lacking", [
    ("Who was the director of the agency?", "The agency's visits rose by half.", True),  # no name at all
    ("Who was the director of the agency?", "Its director, Jane Roe, spoke first.", False),
    ("Where was Smith born?", "Smith later moved to the coast.", True),  # only the name asked about
    ("Where was Smith born?", "Smith was born in Leeds.", False),
    ("In which city is the office?", "The office is in Denver.", False),
    ("Who reviews the proposals?", "They are reviewed by the team.", False),  # not asked for a name
    ("Who is the first section addressed to?", "The first section gives instructions to agency heads.", False),
    ("Where is there a live tally of visits?", "A real-time counter shows the visits.", False),  # "live": no dwelling
    ("Where does the author live?", "The author writes from the coast.", True),
])
def test_a_name_asked_for_needs_a_name_the_question_does_not_say(question, answer, lacking):
    assert (asks_name(question) and not names_beyond(question, answer)) == lacking


def test_a_name_holding_a_word_of_the_question_is_no_name_beyond_it():
    assert not names_beyond("Where was Roe born?", "As President Jane Roe has said, talks are under way.")
    assert names_beyond("Where was Roe born?", "Jane Roe was born in Springfield.")
    assert names_beyond("Who founded the Guild?", "Sir Jon Smyth founded the Guild in 1901.")


@pytest.mark.parametrize("question, counted", [
    ("How many short breaks do I get each day?", "breaks"),       # the noun, not the adjective before it
    ("How many checked bags will they cover?", "bags"),
    ("How many Freedonian states use it?", "states"),
    ("How many countries are in it?", "countries"),
    ("How many people does it take?", "people"),                  # no plural in -s: the first word
    ("How many more grams of flour does it need?", "grams"),
    ("What is it?", ""),
])
def test_what_a_how_many_question_counts(question, counted):
    from assistant.answering.answertype import counted_word

    assert counted_word(question) == counted


def test_a_number_inside_a_name_or_code_is_no_quantity():
    from assistant.answering.answertype import NUMBER

    for text in ("Fill out Form TSP-1.", "A 401k or a 403b plan.", "The 18F team.", "During COVID-19 it grew."):
        assert not NUMBER.search(text), text
    for text in ("two 15-minute breaks", "1.89 billion visits", "at 4:30 p.m.", "a 5% fee", "version 1.0.0"):
        assert NUMBER.search(text), text


@pytest.mark.parametrize("question, answer, lacking", [
    ("How many cloud products has the program authorized?", "In 2011, the program began providing a standard approach.",
     "number"),                                                       # a year dates, it counts nothing
    ("How many agencies turned in action plans?", "By September 4, 1998, each agency must design a plan.", "number"),
    ("How many agencies turned in action plans?", "Forty agencies sent theirs by 4 September.", ""),
    ("How many years did it take?", "It took 1500 years to finish.", ""),  # a year-like number that counts
    ("How many visits did the site get?", "It had 2.05 billion visits in 2021.", ""),
])
def test_the_numbers_of_a_date_count_nothing(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, kinds", [
    ("What is the interest rate at the credit union?", ["number"]),       # "the <adjective> rate"
    ("What's the maximum amount I can put in?", ["number"]),
    ("What is the annual contribution limit in dollars?", ["number", "money"]),  # "in dollars": a sum of money
    ("What's the phone number for the team?", ["phone"]),                 # a phone number is no quantity
    ("What is the salary of a team member?", ["money"]),
])
def test_what_is_the_measure_asks_for_a_number(question, kinds):
    from assistant.answering.answertype import asked

    assert sorted(k for k, _, _ in asked(question, checks=True)) == sorted(kinds)


@pytest.mark.parametrize("question, answer, lacking", [
    ("At what oven temperature should I bake the loaf?", "Take it out of the fridge 1 day before baking.", "temperature"),
    ("What temperature should the water be?", "Between 20° and 30° Celsius.", ""),
    ("What hydration percentage should the dough have?", "I go as low as 10%.", ""),
    ("How heavy is a full crate?", "A crate holds 3 large jars.", "weight"),
    ("How deep is the lake?", "It is 30 metres deep.", ""),
    ("How far in advance should I book?", "Book 14 days ahead.", ""),  # "how far in advance" is no distance
])
def test_a_measurement_is_named_by_its_unit(question, answer, lacking):
    assert type_mismatch(question, answer) == lacking


@pytest.mark.parametrize("question, person", [
    ("Who was the first director of the agency?", True),
    ("Who leads it?", True),
    ("Who was the ambassador to the court?", True),  # a title nameparser knows
    ("Who is the plain language contact at the bureau?", True),
    ("Who runs the site?", False),  # often an office
    ("Who is the author of this policy?", False),  # often an organisation
    ("Who is the memo addressed to?", False),
])
def test_a_person_asked_for(question, person):
    assert asks_for_person(question) == person


@pytest.mark.parametrize("question, yes_no", [
    ("Can I freeze my starter?", True),
    ("and does it work with Outlook?", True),
    ("Isn't that too late?", True),
    ("How long does it take?", False),
    ("Which channel is the default?", False),
])
def test_a_yes_no_question(question, yes_no):
    assert asks_yes_no(question) == yes_no
