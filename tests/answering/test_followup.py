"""Follow-up resolution: pure, no model, no index. Conversations from several kinds of article (a news article
about a coalition of nations, a sourdough guide, a travel reimbursement policy, a software release-train doc, a
calendar how-to, an agency history)."""
from __future__ import annotations

import pytest

from assistant.answering.followup import Resolved, resolve


def conv(*turns: str) -> list[dict]:
    """Alternating user / assistant turns, user first."""
    return [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]


COALITION = conv("What is the Coalition of the Willing?",
                 "The Coalition of the Willing is an alliance of over 30 nations aimed at providing security support.")
NATO = conv("Will Ukraine join NATO?", "NATO membership remains out of reach for the foreseeable future.")
SOURDOUGH = conv("How often do I feed the starter?", "Feed it once a day at room temperature.")
EXPENSES = conv("Who approves the expenses?", "Expenses are approved by the finance team.")
BETA = conv("What is the beta channel?", "The beta channel is a preview of the next stable release.")


# --- questions that need no history -------------------------------------------------------------------------

def test_no_history_plain_question_is_kept():
    r = resolve("How many nations are in the Coalition of the Willing?", [])
    assert r == Resolved("How many nations are in the Coalition of the Willing?",
                         "How many nations are in the Coalition of the Willing?", "", False)


def test_new_question_with_its_own_name_is_left_alone():
    r = resolve("Who is Ben Wallace?", NATO)
    assert r.text == r.own == "Who is Ben Wallace?" and r.context == "" and not r.clarify


def test_new_question_with_three_content_words_is_left_alone():
    r = resolve("How long should dough rest before shaping?", SOURDOUGH)
    assert r.text == "How long should dough rest before shaping?" and r.context == ""


def test_question_is_cleaned():
    r = resolve("  Who   leads it? ", COALITION)
    assert r.own == "Who leads it?"


# --- pronouns ------------------------------------------------------------------------------------------------

def test_pronoun_resolved_to_name_of_previous_question():
    r = resolve("Who leads it?", COALITION)
    assert r.text == "Who leads the Coalition of the Willing?"
    assert r.context == "the Coalition of the Willing" and not r.clarify


def test_pronoun_resolved_to_noun_phrase_release_doc():
    r = resolve("How often is it released?", BETA)
    assert r.text == "How often is the beta channel released?"


@pytest.mark.parametrize("question,history", [
    ("How long does it take for the money to show up?", EXPENSES),
    ("How many days does it usually take to get a form approved?", EXPENSES),
    ("Is it okay to feed with tap water?", SOURDOUGH),
    ("Would it be possible for me to test the next release early?", BETA),
    ("Is it worth buying travel insurance?", EXPENSES),
    ("Does it matter if I feed in the evening?", SOURDOUGH),
])
def test_a_dummy_it_is_not_resolved(question, history):
    assert resolve(question, history).text == question


def test_a_referring_it_is_still_resolved_where_a_dummy_one_would_not_be():
    assert resolve("How long does it take?", BETA).text == "How long does the beta channel take?"
    assert resolve("Can I feed it to the dog?", SOURDOUGH).text != "Can I feed it to the dog?"


def test_possessive_pronoun():
    r = resolve("What are its main goals?", COALITION)
    assert r.text in ("What are the Coalition of the Willing's main goals?",
                      "What are the main goals of the Coalition of the Willing?")


def test_possessive_his_resolved_to_person():
    r = resolve("What are his official titles?",
                conv("Who will head up the plain language network?",
                     "Morley Winograd, Senior Policy Advisor to the Vice President, will lead it."))
    assert r.text == "What are Morley Winograd's official titles?"


def test_they_resolved_to_plural_or_group():
    r = resolve("When were they made official?",
                conv("What were the Federal Information Centers?", "A network of 26 centers."))
    assert r.text == "When were the Federal Information Centers made official?"


def test_adjective_is_not_chosen_as_antecedent():
    r = resolve("Who is quoted on it?", conv("Is the Russian offer serious?", "Analysts doubt it."))
    assert "Russian offer" in r.text
    assert r.text != "Who is quoted on Russian?" and not r.text.endswith("on Russian?")


def test_adjective_before_a_noun_stands_with_its_noun():
    r = resolve("Should I pour it off?", conv("My starter smells really vinegary, is that okay?", "That is normal."))
    assert r.text == "Should I pour my starter off?"
    assert "vinegary" not in r.text


def test_it_with_only_plural_candidates_attaches_the_previous_question():
    # "it" is the approving, not "the expenses": the previous question is kept whole.
    r = resolve("How long does it take?", EXPENSES)
    assert r.text.startswith("Who approves the expenses?") and r.text.endswith("How long does it take?")


def test_demonstrative_attaches_the_previous_proposition():
    r = resolve("How long does that usually take?", conv("How can I reset my starter?", "Mix 1 gram with flour."))
    assert r.text == "How can I reset my starter? How long does that usually take?"


def test_a_subject_pronoun_is_resolved_though_the_question_names_something_else():
    """"Did it protect Ukraine?" names Ukraine, but its subject is "it": the thing asked about before."""
    r = resolve("Did it protect Ukraine?", [{"role": "user", "content": "What was the Budapest Memorandum?"}])
    assert r.text == "Did the Budapest Memorandum protect Ukraine?"
    r = resolve("Will they launch in Canada?", [{"role": "user", "content": "What does the Guild of Bakers plan?"}])
    assert r.text == "Will the Guild of Bakers launch in Canada?"
    # an object pronoun beside a name of its own: the question stands as it is
    r = resolve("Does Freedonia support it?", [{"role": "user", "content": "What is the treaty about?"}])
    assert r.text == "Does Freedonia support it?"


def test_an_ordinal_noun_phrase_relies_on_the_previous_turn():
    """"What was the second factor?" after "Why did visits grow?" asks about the factors just given: the previous
    question is its context."""
    r = resolve("What was the second factor?", conv("Why did visits to the sites grow?", "It had a few causes."))
    assert r.text == "What was the second factor?" and r.context == "Why did visits to the sites grow?"
    r = resolve("What is the last step?", conv("How do I share my calendar?", "Open the settings first."))
    assert r.context == "How do I share my calendar?"


def test_pronoun_without_history_asks_to_clarify():
    r = resolve("Who leads it?", [])
    assert r.clarify and r.text == r.own == "Who leads it?" and r.context == ""


@pytest.mark.parametrize("question", ["Is this article about vaccines?", "Does this policy cover parking?",
                                      "Who wrote this guide?"])
def test_this_before_a_noun_naming_the_document_needs_no_history(question):
    r = resolve(question, [])
    assert not r.clarify and r.text == question
    assert resolve("Is that deadline strict?", []).clarify  # any other noun: something said before


@pytest.mark.parametrize("question", ["Does Freedonia even get a say in this?", "does the guild get a say in this lol",
                                      "How do the allies feel about that?"])
def test_this_closing_a_first_question_means_the_matter_at_hand(question):
    r = resolve(question, [])
    assert not r.clarify and r.text == question and r.context == ""
    assert resolve("Is that deadline strict?", []).clarify and resolve("Why is that a good thing?", []).clarify
    history = [{"role": "user", "content": "Who decides the fares?"}, {"role": "assistant", "content": "The council."}]
    assert resolve(question, history).context  # asked after a question, it may mean what was asked


@pytest.mark.parametrize("question", ["What does the author bake with his discard?",
                                      "How does the release team plan their own schedule?"])
def test_possessive_after_its_antecedent_needs_no_history(question):
    r = resolve(question, [])
    assert not r.clarify and r.text == question and r.context == ""
    assert resolve("What are its benefits?", []).clarify  # nothing before "its" to refer to


def test_pronoun_with_history_that_holds_nothing_to_refer_to():
    r = resolve("Who leads it?", [{"role": "assistant", "content": "Hello! How can I help?"}])
    assert r.clarify and r.text == "Who leads it?"


def test_multi_turn_chain_resolves_earlier_turns_first():
    history = COALITION + conv("Who leads it?", "Keir Starmer leads the coalition.")
    r = resolve("When did he start it?", history)
    assert r.text == "When did Keir Starmer start the Coalition of the Willing?"


def test_chain_of_swaps_uses_the_resolved_previous_question():
    history = NATO + conv("What about the US?", "The US would participate without troops.")
    r = resolve("How about Romania?", history)
    assert r.text == "Will Romania join NATO?"


# --- "What about X?" -----------------------------------------------------------------------------------------

def test_what_about_swaps_the_subject():
    r = resolve("What about the US?", NATO)
    assert r.text == "Will the US join NATO?"
    assert r.own == "What about the US?" and r.context == "Will Ukraine join NATO?"


def test_it_means_what_the_previous_question_asked_about():
    # "Which tool …", "What's the liquid …": the thing asked about, not the question's subject or a later noun,
    # whatever the sources match best
    fit = lambda texts: [float("agency" in t or "jar" in t) for t in texts]  # noqa: E731
    r = resolve("When was it launched?", conv("Which tool did the agency offer for tracking refunds?", "Track It."), fit)
    assert r.text == "When was the tool launched?"
    r = resolve("Is there anything good in it?", conv("What's the liquid on top of the jar?", "It is hooch."), fit)
    assert r.text == "Is there anything good in the liquid?"
    # "people" is plural: not what "it" means
    r = resolve("How long until it arrives?", conv("How do people in other countries get paid?", "By wire."), fit)
    assert "until people" not in r.text and "until the people" not in r.text, r.text


def test_a_name_swaps_a_name_whatever_fits_best():
    # the sources match the old name best, so a rewrite keeping it ("What Ruritania does Freedonia play …") would
    # win on fit; a name stands only for a name
    fit = lambda texts: [float("Freedonia" in t) for t in texts]  # noqa: E731
    r = resolve("What about Ruritania?", conv("What role does Freedonia play in the talks?", "A leading one."), fit)
    assert r.text == "What role does Ruritania play in the talks?"
    r = resolve("What about Sourdough Co?", conv("How much starter does the guide use per loaf?", "20%."), fit)
    assert "Sourdough Co" in r.text  # no name before: the question's phrases as ever


def test_a_thing_swaps_a_thing_not_a_name():
    # "health stuff" is no name: it stands for one of the previous question's things, not for "Example.gov"
    fit = lambda texts: [float("loan" in t) for t in texts]  # noqa: E731
    r = resolve("what about health stuff?", conv("How much did loan searches on Example.gov grow?", "500% more."), fit)
    assert "Example.gov" in r.text and "loan" not in r.text and "health stuff" in r.text, r.text
    r = resolve("What about the fridge?", conv("How long does the starter keep on the Acme Shelf?", "A week."), fit)
    assert "Acme Shelf" in r.text and "fridge" in r.text, r.text


def test_and_x_swaps_a_parallel_phrase():
    r = resolve("What about the next day?", conv("What do I do on the first day?", "Mix flour and water."))
    assert r.text == "What do I do on the next day?"


def test_and_ordinal_swaps_the_ordinal():
    r = resolve("And the second?", conv("What was the first reason for the jump in visits?", "New content."))
    assert r.text == "What was the second reason for the jump in visits?"


def test_what_about_prepositional_phrase_is_added():
    r = resolve("What about in the fridge?", SOURDOUGH)
    assert r.text == "How often do I feed the starter in the fridge?"


def test_and_if_condition_is_added_to_the_previous_question():
    r = resolve("And if I need three bags?", conv("Do you reimburse fees for checked bags?", "One bag is covered."))
    assert r.text == "Do you reimburse fees for checked bags if I need three bags?"


def test_what_about_without_a_subject_to_swap_keeps_both():
    r = resolve("What about a trip that lasts three weeks?",
                conv("Do you reimburse fees for checked bags?", "One bag is covered."))
    assert "Do you reimburse fees for checked bags" in r.text and "a trip that lasts three weeks" in r.text


def test_what_about_it_without_history_asks_to_clarify():
    assert resolve("What about it?", []).clarify
    assert resolve("And?", None).clarify


def test_what_about_x_without_history_is_a_question_about_x():
    r = resolve("What about the fees?", [])
    assert r.text == "What about the fees?" and not r.clarify


# --- ellipsis -------------------------------------------------------------------------------------------------

def test_why_not_attaches_the_previous_question():
    r = resolve("Why not?", NATO)
    assert r.text == "Will Ukraine join NATO? Why not?" and r.context == "Will Ukraine join NATO?"


@pytest.mark.parametrize("question,history,said", [
    ("Why?", BETA, "The beta channel is a preview of the next stable release"),
    ("How so?", SOURDOUGH, "Feed it once a day at room temperature"),
    ("Why is that a good thing?", EXPENSES, "Expenses are approved by the finance team"),
])
def test_why_asks_the_reason_for_what_the_last_answer_said(question, history, said):
    r = resolve(question, history)
    assert r.context == said and r.text == f"{said}? {question}" and r.own == question


def test_why_not_without_history_asks_to_clarify():
    r = resolve("Why not?", [])
    assert r == Resolved("Why not?", "Why not?", "", True)


def test_short_ellipses_attach_in_another_article():
    history = conv("How do I hook my Google calendar up to MAX?", "Go to your default calendar.")
    for q in ("And then?", "How?", "Who?", "How many?", "When?"):
        assert resolve(q, history).text == f"How do I hook my Google calendar up to MAX? {q}"


def test_one_word_follow_up_attaches():
    r = resolve("Any exceptions?", conv("Do we have to rewrite our old documents?", "Yes."))
    assert r.text == "Do we have to rewrite our old documents? Any exceptions?"


# --- relation markers keep the new question's words -----------------------------------------------------------

def test_instead_keeps_the_new_question():
    r = resolve("So what would the Americans contribute instead?",
                conv("Will the coalition send ground troops?", "No member is willing to send troops."))
    assert r.text == "So what would the Americans contribute instead?"
    assert r.context == "Will the coalition send ground troops?" and not r.clarify


def test_marker_with_pronoun_keeps_words_and_gains_antecedent():
    r = resolve("What else do they offer instead?",
                conv("Which benefits does the travel policy cover?", "Flights and hotels are covered."))
    assert r.text.startswith("What else do ") and r.text.endswith(" offer instead?")
    assert "they" not in r.text.split() and r.context


def test_demonstrative_determiner_keeps_the_question_with_context():
    r = resolve("What if I miss that deadline?", conv("How long do I have to submit expenses?", "90 days."))
    assert "What if I miss that deadline?" in r.text
    assert "submit expenses" in r.text + " " + r.context


# --- fit chooses among candidates ------------------------------------------------------------------------------

def test_fit_chooses_the_antecedent():
    history = conv("Who studied how the design system could help in emergencies?",
                   "In 2020, the U.S. Web Design System team conducted research with federal partners.")
    seen = []

    def fit(candidates):
        seen.append(list(candidates))
        return [1.0 if "team" in c else 0.1 for c in candidates]

    r = resolve("What did they find?", history, fit)
    assert r.text == "What did the U.S. Web Design System team find?"
    assert len(seen[-1]) > 1 and all(c.startswith("What did ") for c in seen[-1])
    candidates = seen[-1]
    assert resolve("What did they find?", history).text == candidates[0]   # without fit: the first candidate


def test_fit_chooses_which_phrase_is_swapped():
    history = conv("How much did visits to CDC sites grow in 2020?", "Visits rose 254%.")
    r = resolve("What about the IRS?", history, lambda cs: [float("the IRS grow" in c) for c in cs])
    assert r.text == "How much did visits to the IRS grow in 2020?"


def test_without_fit_the_first_name_is_the_subject():
    r = resolve("What about the IRS?", conv("How much did visits to CDC sites grow in 2020?", "Visits rose 254%."))
    assert "IRS" in r.text and "CDC" not in r.text and r.text.startswith("How much did visits to")


def test_fit_is_not_called_when_the_question_needs_no_history():
    def fit(candidates):
        raise AssertionError("called")
    assert resolve("Who is Ben Wallace?", NATO, fit).text == "Who is Ben Wallace?"


def test_non_callable_fit_is_ignored():
    assert resolve("Who leads it?", COALITION, fit=object()).text == "Who leads the Coalition of the Willing?"


def test_a_subject_pronoun_keeps_to_the_previous_subject_whatever_fit_prefers():
    # Parallel roles: "they" as the subject refers to the previous question's subject, not to what retrieves best.
    history = conv("What role does the US play in the security guarantees?",
                   "The US is seen as a critical player in providing security guarantees.")
    assert resolve("Will they send troops?", history,
                   lambda cs: [0.0 if "US" in c else 1.0 for c in cs]).text == "Will the US send troops?"
    history = conv("How often does the release team publish a beta?", "Every six weeks.")
    assert resolve("Do they test it first?", history,
                   lambda cs: [0.0 if "release team" in c else 1.0 for c in cs]).text.startswith("Do the release team test")


def test_an_object_pronoun_is_still_chosen_by_fit():
    history = conv("Does the finance team approve the receipts?", "Yes, within ten days.")
    assert resolve("Who signs them?", history,
                   lambda cs: [1.0 if "receipts" in c else 0.0 for c in cs]).text == "Who signs the receipts?"


def test_a_swapped_name_does_not_take_the_pronoun_i_with_it():
    history = conv("I'm based in the United States and I travel a lot. Who books my flights?", "The Business Team does.")
    assert resolve("What about Canada?", history).text == "I'm based in Canada and I travel a lot. Who books my flights?"


def test_the_word_after_i_am_is_no_antecedent():
    """"I'm based in …": "based" is a participle, not a thing "it" can stand for."""
    history = conv("I'm based in the United States and I travel a lot. Who books my flights?", "The Business Team does.")
    assert "based pay" not in resolve("Does it pay for them?", history).text
    history = conv("We're running a workshop next month. What can we claim?", "Meals and lodging.")
    assert resolve("Is it covered?", history).text == "Is the workshop next month covered?"


def test_a_pronoun_after_a_preposition_means_what_followed_it_before():
    # "from it" after "… seek from the Guild?": the Guild, even when another phrase of the answer fits the sources best
    history = conv("What do Ruritania and its allies seek from the Guild?", "A firm commitment should Freedonia attack.")
    fit = lambda texts: [float("Freedonia" in t) for t in texts]  # noqa: E731
    r = resolve("What do they want from it in particular?", history, fit)
    assert "from the Guild in particular" in r.text, r.text


def test_an_irregular_participle_is_no_phrase_to_swap():
    # "is written" is a verb: "What about X?" swaps "my rule", whatever fits the sources best
    fit = lambda texts: [float("forms and letters in" in t) for t in texts]  # noqa: E731
    r = resolve("What about other documents like forms and letters?",
                conv("How can I tell if my rule is written in plain language?", "Ask for input."), fit)
    assert r.text == "How can I tell if other documents like forms and letters is written in plain language?", r.text


def test_what_about_a_phrase_of_four_words_swaps_it():
    r = resolve("What about older documents like forms and letters?",
                conv("Do I have to redo all our existing rules in plain language?", "No."))
    assert "older documents like forms and letters" in r.text and "existing rules" not in r.text and "—" not in r.text, r.text


def test_a_name_before_a_plural_after_do_support_modifies_it():
    # "did the Acme sites get": after "did" the verb has no -s, so "sites" is the noun the name modifies
    r = resolve("Are they still in use today?", conv("What new names did the Acme sites get in 2007?", "New ones."))
    assert r.text == "Are the Acme sites still in use today?", r.text
    assert resolve("Will they sign?", conv("What role does the IMF play in the talks?", "A leading one.")).text == \
        "Will the IMF sign?"  # "play" is the verb: the IMF alone


def test_which_one_keeps_its_words_and_leans_on_the_previous_question():
    # "Which one …?" names a thing of its own ("JavaScript") but picks among what was asked before
    tools = conv("Is there a ready-made script to convert the archives?", "There are two: one for Linux and one for Windows.")
    r = resolve("Which one works on Windows?", tools)
    assert r.text == "Which one works on Windows?" and r.context == "Is there a ready-made script to convert the archives?"
    assert resolve("Which ones does the Freedonian team use?", tools).context
    assert not resolve("Does anyone use the Windows script?", tools).context  # no "one" referring back


@pytest.mark.parametrize("question, clarify", [
    ("Can the author of a change approve it?", False),          # it = the change
    ("If I buy a rail pass, can I refund it later?", False),    # it = the rail pass
    ("Can I freeze the dough and thaw it the next day?", False),
    ("Does the alliance include them?", True),                  # them: no plural thing before it
    ("Who leads it?", True),
    ("What does it cost?", True),
])
def test_an_object_pronoun_after_a_thing_of_its_number_needs_no_history(question, clarify):
    assert resolve(question, []).clarify is clarify


@pytest.mark.parametrize("question", ["Could you show me an example?", "Any examples?", "Do you have an example?",
                                      "Can you give me an example of that?", "example please"])
def test_a_request_for_an_example_and_nothing_more_is_of_what_was_just_asked(question):
    history = [{"role": "user", "content": "How long should a tram stop be?"},
               {"role": "assistant", "content": "A stop should be 30 metres long."}]
    r = resolve(question, history)
    assert r.text.startswith("How long should a tram stop be?") and not r.clarify
    assert resolve(question, []).clarify  # nothing asked before: what is it an example of?
    # one naming what it is an example of stands alone
    assert resolve("Can you give an example of a short sentence?", history).text == "Can you give an example of a short sentence?"
