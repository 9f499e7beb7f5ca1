"""Abbreviations and names in questions: what an abbreviation stands for is answered from the sentence that spells it
out, found by typography alone; an abbreviation or pronoun is not taken for a name the sources lack."""
from __future__ import annotations

from assistant.answering.acronym import _initials_fit, expansion
from assistant.answering.text import initials


def test_initials_fit_in_order():
    assert _initials_fit("CDC", "Centers for Disease Control and Prevention")
    assert _initials_fit("PLAN", "Plain Language Action Network")
    assert not _initials_fit("NPR", "Plain Language Action Network")
    assert _initials_fit("USPS", "U.S. Postal Service")
    assert not _initials_fit("DC", "Control Data")  # out of order


def _text(assistant, pick):
    return assistant.snapshot.passages[pick.passage].sentences[pick.sentence].text


def test_the_sentence_spelling_out_an_abbreviation_answers_what_it_stands_for(federal):
    corpus = federal._state.corpus
    for q in ("What does CDC stand for?", "what is IRS short for", "Give me the full name of the USPS."):
        pick = expansion(q, corpus)
        assert pick is not None, q
        assert "(" + next(w for w in q.replace("?", "").replace(".", "").split() if w.isupper()) + ")" in _text(federal, pick)
    assert expansion("What does ZQX stand for?", corpus) is None  # never spelt out: the usual pipeline decides
    assert expansion("How many visits did the CDC get?", corpus) is None  # not a question about the abbreviation
    # "What does that acronym stand for?": the abbreviation of the last answer
    pick = expansion("What does that acronym stand for?", corpus, "Visits to CDC sites increased 254%.")
    assert pick is not None and "Centers for Disease Control" in _text(federal, pick)


def test_an_abbreviation_question_is_answered_with_its_citation(federal):
    ans = federal.ask("What does DAP stand for?")
    assert not ans.refused and "Digital Analytics Program (DAP)" in ans.answer and ans.citations


def test_a_question_about_an_abbreviation_alone_is_answered_where_the_sources_spell_it_out(federal, tts):
    """"What is DAP?" asks what the letters are: the sentence spelling them out answers it."""
    for q, spelt in (("What is DAP?", "Digital Analytics Program (DAP)"), ("What's the CDC?", "Centers for Disease Control"),
                     ("What does USPS mean?", "U.S. Postal Service (USPS)")):
        pick = expansion(q, federal._state.corpus)
        assert pick is not None and spelt in _text(federal, pick), q
    assert expansion("What is the DAP data?", federal._state.corpus) is None  # more than the abbreviation
    assert expansion("What is OPP?", tts._state.corpus) is not None
    ans = tts.ask("What is OPP?")
    assert not ans.refused and "Office of Products and Programs (OPP)" in ans.answer and ans.citations


def test_a_code_a_heading_names_in_brackets_is_answered_under_that_heading():
    """"What is CWE-295?" of a page whose heading reads "Improper Certificate Validation (CWE-295)": the first
    sentence under it; a code no heading names is left to the usual answering."""
    from types import SimpleNamespace

    from index.parse import parse_source

    doc = parse_source("sec.md", "sec.md", "# Threats\n\n## Weak Ticket Checks (TK-295)\n\nThe gate accepts tickets "
                       "without checking their date.\n\n## Replayed Stamps (TK-444)\n\nA stamp can be used twice.\n")
    corpus = SimpleNamespace(passages=doc.passages)
    pick = expansion("What is TK-295?", corpus)
    assert pick is not None and doc.passages[pick.passage].sentences[pick.sentence].text.startswith("The gate accepts")
    assert expansion("What's TK-444?", corpus) is not None
    assert expansion("What is TK-999?", corpus) is None


def test_initials_of_capitalised_runs():
    assert initials("Answers under Frequently Asked Questions, from the Digital Analytics Program.") == {"faq", "dap"}
    assert initials("One Capital only.") == {"oc"} and initials("no capitals here") == set()


def test_an_abbreviation_of_words_the_sources_spell_out_is_known(assistant, federal):
    """"FAQ" in a question is not an unknown name when a heading reads "Frequently Asked Questions"; the same
    for any run of capitalised words, in any article."""
    assert assistant._state.corpus.abbreviates("FAQ")
    assert federal._state.corpus.abbreviates("DAP")
    assert not assistant._state.corpus.abbreviates("faq")  # only a word written in capitals is an abbreviation
    assert not federal._state.corpus.abbreviates("ZQX")


def test_the_pronoun_i_is_no_name():
    """"And if I'd rather rent a car?" names nothing the sources lack: "I'd", "I’ll", "I'm" are the pronoun."""
    from assistant.answering.text import names

    assert names("Can I claim it if I'd rather rent a car? I’ll ask Ivy Lane, I'm sure.", strict_initial=True) == ["Ivy Lane"]


def test_an_abbreviation_the_sources_never_spell_out_is_refused(federal):
    """"What does ZQX stand for?": no run of capitalised words in the sources has those initials, so they cannot say."""
    from assistant.answering.acronym import never_spelt

    corpus = federal._state.corpus
    assert never_spelt("What does ZQX stand for?", corpus)
    assert not never_spelt("What does DAP stand for?", corpus)  # spelt out
    assert not never_spelt("How many visits did ZQX get?", corpus)  # not asking what it stands for
    ans = federal.ask("What does ZQX stand for?")
    assert ans.refused and not ans.citations
    # quoted in lower case, it is asked about all the same
    assert never_spelt("What does the 'zqx' in the file name stand for?", corpus)
    assert not never_spelt("What does the 'dap' stand for?", corpus)


def test_an_abbreviation_the_sources_explain_in_words_is_not_refused():
    """"RRX stands for …" spells it out whatever the initials; an FAQ question asking what "RRQ" means addresses
    it too (its answer may be "Nothing, just letters"): neither is refused as never spelt out."""
    from types import SimpleNamespace

    from assistant.answering.acronym import never_spelt
    from index.parse import parse_source

    text = ("Ruritanian Rail FAQ\n===================\n\n"
            "Q:  What do the letters RRQ mean?\n\nA:  Nothing. They are just three letters from the old\n"
            "    ticket printer.\n\n"
            "Q:  What is the RRX format?\n\nA:  RRX stands for Ruritanian Rail eXchange, a timetable\n"
            "    format of the old network.\n\n"
            "Q:  Who runs the network?\n\nA:  The board, since the 1998 reform of the\n    railways.\n")
    doc = parse_source("rail.txt", "rail.txt", text)
    corpus = SimpleNamespace(passages=doc.passages, abbreviates=lambda a: False)  # no capitalised run has the initials
    assert not never_spelt("What does RRX stand for?", corpus)
    pick = expansion("What is RRX short for?", corpus)
    assert pick is not None and doc.passages[pick.passage].sentences[pick.sentence].text.startswith("RRX stands for")
    assert not never_spelt("What do the letters RRQ stand for?", corpus)  # the FAQ asks it: the text answers
    assert expansion("What do the letters RRQ stand for?", corpus) is None  # … as usual, not as a spelling
    assert never_spelt("What does ZQX stand for?", corpus)
