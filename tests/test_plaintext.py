"""Plain text read by blocks (index/plaintext.py): hard-wrapped files, Q:/A: FAQs, numbered question lists, and text of
one paragraph per line read as before."""
from __future__ import annotations

from index.parse import parse_source


WRAPPED_FAQ = """
Ruritanian Rail FAQ
===================

Q:  What does the letter R on the
    tickets mean?

A:  Nothing. It is just a letter, which comes from the old
    ticket printer. It has no deeper meaning.

    The printer was replaced in 1998, but the letter stayed on
    every ticket since then.


Q:  How do I check a timetable?

A:  Run the lookup tool with the station code:

        rrail --station=FRE --today

    The tool prints every departure of the day.

Q:  Which cards are taken at the counter?

A:  These cards are taken:

    - a Freedonian travel card, valid for
      one year
    - a Ruritanian rail pass
"""


def test_hard_wrapped_plain_text_is_read_by_blocks():
    """A Q:/A: FAQ hard-wrapped at 70 columns: wrapped lines joined, labels dropped, questions of two lines, further
    answer paragraphs under their question, deeper-indented lines a code passage, list items joined per item."""
    doc = parse_source("rail.txt", "rail.txt", WRAPPED_FAQ)
    assert doc.title == "Ruritanian Rail FAQ"
    kinds = [(p.kind, p.section) for p in doc.passages]
    assert [p.question for p in doc.passages if p.kind == "faq"] == [
        "What does the letter R on the tickets mean?", "How do I check a timetable?",
        "Which cards are taken at the counter?"]
    first = doc.passages[0]
    assert first.sentences[1].text == "Nothing." and first.sentences[2].text == (
        "It is just a letter, which comes from the old ticket printer.")
    assert ("paragraph", "What does the letter R on the tickets mean?") in kinds  # the answer's second paragraph
    code = [p for p in doc.passages if p.kind == "code"]
    assert len(code) == 1 and code[0].text == "rrail --station=FRE --today" and not code[0].sentences
    listed = next(p for p in doc.passages if p.kind == "list")
    assert [s.text for s in listed.sentences if s.item] == ["a Freedonian travel card, valid for one year",
                                                            "a Ruritanian rail pass"]
    for p in doc.passages:  # the invariants: sentences in their passage's text, raw spans the same words
        assert p.start <= p.end
        for s in p.sentences:
            assert s.text in p.text and p.start <= s.start <= s.end <= p.end
            assert " ".join(WRAPPED_FAQ[s.start:s.end].split()) == s.text


def test_one_paragraph_per_line_text_is_still_read_by_lines():
    """Text of one long paragraph per line (the seed article's .txt form) is not taken for hard-wrapped text."""
    line = "Paragraph {} says something long enough to be a paragraph. " * 3
    text = "A Title\n" + "\n".join(line.format(i, i, i) for i in range(5))
    doc = parse_source("lines.txt", "lines.txt", text)
    assert doc.title == "A Title" and [p.kind for p in doc.passages] == ["paragraph"] * 5
    assert all(doc.text[p.start:p.end] == p.text for p in doc.passages)


def test_tab_indented_questions_and_numbered_questions_are_faq_pairs():
    """procps' and zlib's FAQ forms: a question line with a tab-indented answer, and "1. …?" list-style questions."""
    text = ("Questions about the Freedonian archive\n\n"
            "Why is the archive closed on Mondays?\n\n\tThe staff catalogue new material then, which takes\n"
            "\tthe whole day.\n\n"
            " 1. Can I borrow a map?\n\n    No. Maps stay in the reading room, where they\n    can be copied.\n\n"
            " 2. Who runs it?\n\n    A board of five, elected every second year by the\n    members.\n")
    doc = parse_source("archive.txt", "archive.txt", text)
    assert [p.question for p in doc.passages if p.kind == "faq"] == [
        "Why is the archive closed on Mondays?", "Can I borrow a map?", "Who runs it?"]  # most headings: questions
    assert doc.passages[0].sentences[1].text == "The staff catalogue new material then, which takes the whole day."


def test_a_numbered_question_list_takes_its_statements_as_questions_too():
    """zlib's FAQ form: numbered items alone before an indented answer; with three or more ending in "?", the ones
    stating a problem are questions too; a short line indented as the answers are ("… something like") is text."""
    text = ("\n                Questions about the Ruritanian rail library\n\n\n"
            " 1. Is the library free?\n\n    Yes. It costs nothing to use.\n\n"
            " 2. Where can I get a copy?\n\n    From the network's archive, where every\n    release is kept.\n\n"
            " 3. compress() returns an error.\n\n    Make sure the output buffer is big enough for\n    the data.\n\n"
            " 4. Why do I get a link error?\n\n    If the build prints something like\n\n"
            "       undefined reference to rr_open\n\n    remove the old copies, then build again.\n\n"
            " 5. Can it read old tickets?\n\n    No, sorry. The old format is gone.\n")
    doc = parse_source("rail.txt", "rail.txt", text)
    assert doc.title == "Questions about the Ruritanian rail library"
    assert [p.question for p in doc.passages if p.kind == "faq"] == [
        "Is the library free?", "Where can I get a copy?", "compress() returns an error.", "Why do I get a link error?",
        "Can it read old tickets?"]
    link = next(p for p in doc.passages if p.question == "Why do I get a link error?")
    assert link.sentences[1].text == "If the build prints something like"


def test_two_questions_sharing_an_answer_do_not_make_the_first_a_section():
    """base-files' FAQ form: "Q. …?" right before "Q. …?" and one "A. …" for both. The first question heads the
    passage it is answered in; the passages after it keep the document's section, not that question."""
    text = ("Frequently Asked Questions about the lending desk\n"
            "================================================\n\n"
            "Q. I moved to the east branch and my card says \"main\". Should it not\n"
            "say \"east\"?\n\n"
            "Q. I moved to the west branch and my card says \"main\". Should it not\n"
            "say \"west\"?\n\n"
            "A. That would be nice, but cards are printed once, at the main desk,\n"
            "for every branch.\n\n"
            "Q. How do I know which branch holds a book?\n\n"
            "A. The catalogue shows the branch next to each title.\n")
    doc = parse_source("desk.txt", "desk.txt", text)
    faqs = [p for p in doc.passages if p.kind == "faq"]
    assert [p.question[:22] for p in faqs] == ["I moved to the west br", "How do I know which br"]
    assert faqs[0].section.startswith("I moved to the east branch")  # the question asked with it
    assert faqs[1].section == "Frequently Asked Questions about the lending desk"
