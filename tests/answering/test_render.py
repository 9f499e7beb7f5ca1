"""How an answer's list is written: whole with its introduction, or — too long for the word budget — by its item
labels (each with the start of what it says, when there is room) or, without labels, by each item's first words
when a list is asked for; else its first items and "…". Real passages from the Markdown parser; no model."""
from __future__ import annotations

import pytest

from assistant.answering.selection import _render_list
from index.parse import parse_source

LABELLED = """Intro paragraph.

The policy sets these rules for every claim:

- **Purpose:** every claim must serve the work of the group and be described in enough detail to check it later on.
- **Approval:** a claim above the usual limits needs the written approval of a manager before the money is spent.
- **Receipts:** each expense needs an itemised receipt showing the date, the amount and the name of the seller.
"""

PLAIN = LABELLED.replace("**Purpose:** ", "").replace("**Approval:** ", "").replace("**Receipts:** ", "")


def _list_passage(text: str):
    doc = parse_source("rules.md", "rules.md", text)
    return next(p for p in doc.passages if p.kind == "list")


def test_a_list_that_fits_is_given_whole():
    out = _render_list(_list_passage(LABELLED), max_words=200)
    assert out.startswith("The policy sets these rules for every claim:") and "name of the seller" in out


def test_a_list_asked_for_and_too_long_whole_names_every_item():
    # each item gets an equal share of the budget: its label and the start of what it says
    out = _render_list(_list_passage(LABELLED), max_words=40, by_labels=True)
    assert out == ("The policy sets these rules for every claim: Purpose: every claim must serve the work of the "
                   "group…; Approval: a claim above the usual limits needs the written…; Receipts: each expense needs "
                   "an itemised receipt showing the date…"), out
    # too little room for any of that: the labels alone
    out = _render_list(_list_passage(LABELLED), max_words=16, by_labels=True)
    assert out == "The policy sets these rules for every claim: Purpose; Approval; Receipts."
    # not asked for as a list (a question about one of its items): the items themselves, the first ones whole
    assert "every claim must serve" in _render_list(_list_passage(LABELLED), max_words=40)


def test_labels_may_be_domain_names_or_initials():
    linked = """We took over these services:

- [Mapper.gov](https://mapper.gov/): a shared map service for agencies that want to publish their data on the web.
- [U.S. Forms Kit](https://forms.example/): a set of guidelines and code for building accessible forms quickly.
- [Sign.in](https://sign.in/): a login service that gives people one account for many programs across agencies.
"""
    out = _render_list(_list_passage(linked), max_words=14, by_labels=True)
    assert out == "We took over these services: Mapper.gov; U.S. Forms Kit; Sign.in.", out


def test_a_list_asked_for_and_too_long_without_labels_gives_every_item_by_its_first_words():
    out = _render_list(_list_passage(PLAIN), max_words=40, by_labels=True)
    assert out == ("The policy sets these rules for every claim: every claim must serve the work of the group and…; "
                   "a claim above the usual limits needs the written approval…; each expense needs an itemised "
                   "receipt showing the date, the…"), out  # (40 − 8 words of introduction) ÷ 3 items: 10 words each
    # too little room for six words an item: its first items whole, and "…"
    out = _render_list(_list_passage(PLAIN), max_words=24, by_labels=True)
    assert out.startswith("The policy sets these rules for every claim: every claim must serve") and out.endswith("; …")
    # not asked for as a list: its first items whole
    assert _render_list(_list_passage(PLAIN), max_words=40).endswith("; …")


def test_a_list_asked_for_leads_with_the_best_sentence_when_it_is_itself_a_list():
    """"List the checks …": a sentence naming the items inline ("A, B, and C") answers it; a list passage rated a
    little lower leads only when the best sentence lists nothing."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("rules.md", "rules.md", "Every claim goes through checks on purpose, approval, and receipts.\n\n"
                       "Claims are paid monthly.\n\n" + LABELLED.split("\n\n", 1)[1])
    snap = SimpleNamespace(passages=doc.passages)
    prose = next(i for i, p in enumerate(doc.passages) if "checks on purpose" in p.text)
    plain = next(i for i, p in enumerate(doc.passages) if "paid monthly" in p.text)
    listed = next(i for i, p in enumerate(doc.passages) if p.kind == "list")
    zero = np.zeros(len(SENTENCE_FEATURES))
    for top, leads in ((prose, prose), (plain, listed)):
        cands = [Candidate(top, 0, zero, 0.5, 0.5), Candidate(listed, 1, zero, 0.5, 0.5)]
        picks = choose(snap, "List the checks on every claim.", cands, np.array([0.9, 0.8]), 200, 3)
        assert picks[0] == Pick(leads, 0 if leads == top else picks[0].sentence)


def test_a_sentence_rated_as_high_as_the_best_joins_past_the_word_budget():
    """Two long sentences the model cannot tell apart are both given, up to the budget's slack; a clearly weaker one
    is not, when it does not fit."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    first = ("In the year before the outbreak, desktop computers and laptops brought slightly more of the visits to "
             "the agency's public websites than phones did, while tablets brought a small and steady remainder of "
             "every visit counted.")
    second = ("Once the outbreak was declared, mobile devices became the dominant way people reached those sites, "
              "taking over half of all traffic, and the share of tablet visits fell to nearly three percent of the "
              "yearly total.")
    doc = parse_source("two.md", "two.md", f"{first}\n\n{second}")
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(0, 0, zero, 0.5, 0.5), Candidate(1, 0, zero, 0.5, 0.5)]
    assert choose(snap, "What ends?", cands, np.array([0.99, 0.985]), 60, 3) == [Pick(0, 0), Pick(1, 0)]
    assert choose(snap, "What ends?", cands, np.array([0.99, 0.9]), 60, 3) == [Pick(0, 0)]
    assert choose(snap, "What ends?", cands, np.array([0.99, 0.9]), 100, 3) == [Pick(0, 0), Pick(1, 0)]


def test_a_sentence_that_is_itself_a_list():
    from assistant.answering.selection import _ENUMERATION

    for listing in ("It focuses on military training, intelligence sharing, and logistical support.",
                    "Use it in all new documents, including direct final and interim final rules, published after May."):
        assert _ENUMERATION.search(listing), listing
    for prose in ("In fact, the team and the agency met once.", "Claims are paid monthly, and receipts are kept."):
        assert not _ENUMERATION.search(prose), prose


NESTED = """## Steps

1. Each office names one senior contact by the first of June, who answers for the plan, reports on its progress to the committee every quarter and keeps the
   records of every change the office makes to its documents.
2. By September, each office must write a plan, which sets out strategies for:
   - telling staff what is expected,
   - giving staff the tools they need, and
   - keeping the change going.
3. Send the plan to the committee with the name of its contact, the date on which the office approved it, the
   list of documents it covers and the names of the staff who will carry it out over the year.
"""

NESTED_HOWTO = """## Feeding

- Every morning, discard half of the starter into a separate jar, which you can keep in the fridge for baking
  pancakes, crackers or a quick loaf later in the week when you have a little more time to spare.
- Then add the following to what is left:
  - 50 grams of flour,
  - 50 grams of water.
- Stir well until no dry flour is left, cover the jar loosely with a lid or a cloth and leave it somewhere warm,
  away from draughts and direct sunlight, until the next feeding the following morning.
"""


def test_a_list_given_whole_runs_an_item_ending_in_a_colon_into_its_nested_items_only():
    out = _render_list(_list_passage(NESTED), max_words=200)
    assert "strategies for: telling staff what is expected" in out and ":;" not in out, out
    # an item whose colon announces something not shown (a link, a code block) is no introduction of the next item
    dropped = """Steps:

- Register for an account using your work email address:
- Open the settings page and click Publish.
"""
    assert _render_list(_list_passage(dropped), max_words=200) == (
        "Steps: Register for an account using your work email address; Open the settings page and click Publish."), \
        _render_list(_list_passage(dropped), max_words=200)


def test_an_item_that_introduces_nested_items_comes_with_them():
    """An item ending in a colon is answered with the items nested under it, not alone or with other sentences;
    in a numbered memo list and in a how-to's bullet list (lists of long items, which are not given whole)."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import choose, sentence_text

    zero = np.zeros(len(SENTENCE_FEATURES))
    for text, intro, nested, after in ((NESTED, "strategies for:", ["telling staff", "giving staff", "keeping the change"],
                                        "Send the plan"),
                                       (NESTED_HOWTO, "the following", ["50 grams of flour", "50 grams of water"],
                                        "Stir well")):
        doc = parse_source("memo.md", "memo.md", text)
        snap = SimpleNamespace(passages=doc.passages)
        pi, p = next((i, p) for i, p in enumerate(doc.passages) if p.kind == "list")
        si = next(i for i, s in enumerate(p.sentences) if intro in s.text)
        later = next(i for i, s in enumerate(p.sentences) if after in s.text)
        cands = [Candidate(pi, si, zero, 0.5, 0.5), Candidate(pi, later, zero, 0.5, 0.5)]
        picks = choose(snap, "What does it set out?", cands, np.array([0.9, 0.85]), 200, 3)
        said = [sentence_text(snap, c) for c in picks]
        assert intro in said[0] and [any(n in s for s in said[1:]) for n in nested] == [True] * len(nested), said
        assert not any(after in s for s in said), said  # the items after the nested ones are not part of it


def test_which_with_a_plural_asks_for_a_list():
    """"Which products and programs did OPP build …?", "Which buttons do I click …?" ask for every one of them;
    "Which team did he lead?" and "Which process does it use?" ask for one."""
    from assistant.answering.features import list_asked

    for q in ("Which products and programs did OPP build or grow between 2016 and 2019?",
              "Which buttons do I click, in order, to add a teammate's calendar?",
              "Which format elements does the sample statement name?", "Which countries does the article name?"):
        assert list_asked(q), q
    for q in ("Which team did he lead?", "Which process does the release team use?", "Which link do I need to copy?",
              "Under which heading is my default calendar listed?"):  # "listed" is no request for a list
        assert not list_asked(q), q


SHORT_ITEMS = """## Support

Military support from the group is more likely to focus on:

- Training the army
- Sharing intelligence
- Logistical help for operations
- A steady supply of arms
"""


def test_short_items_picked_alone_come_with_their_introduction_and_are_separated():
    """"Sharing intelligence Logistical help for operations" says little and runs two items together: short items
    picked without their list's introduction get it, and neighbouring items are separated by semicolons; in a flat
    list and under a nested item (whose introduction is the item it is under)."""
    from types import SimpleNamespace

    from assistant.answering.selection import Pick, render

    for text, picked, expected in (
            (SHORT_ITEMS, ("Sharing intelligence", "Logistical help"),
             "Military support from the group is more likely to focus on: Sharing intelligence; Logistical help for "
             "operations [1]"),
            (NESTED, ("giving staff",), "By September, each office must write a plan, which sets out strategies for: "
                                        "giving staff the tools they need, and [1]")):
        doc = parse_source("memo.md", "memo.md", text)
        pi, p = next((i, p) for i, p in enumerate(doc.passages) if p.kind == "list")
        picks = [Pick(pi, next(i for i, s in enumerate(p.sentences) if s.text.startswith(w))) for w in picked]
        out, order = render(SimpleNamespace(passages=doc.passages), picks, 200)
        assert out == expected and order == [pi], out
    # a long item stands alone, and items that end in a comma or "and" are not given a semicolon as well
    doc = parse_source("memo.md", "memo.md", NESTED)
    pi, p = next((i, p) for i, p in enumerate(doc.passages) if p.kind == "list")
    first = next(i for i, s in enumerate(p.sentences) if s.text.startswith("Each office"))
    out, _ = render(SimpleNamespace(passages=doc.passages), [Pick(pi, first)], 200)
    assert out.startswith("Each office names one senior contact"), out
    nested = [i for i, s in enumerate(p.sentences) if s.depth]
    out, _ = render(SimpleNamespace(passages=doc.passages), [Pick(pi, i) for i in nested], 200)
    assert "expected, giving staff" in out and "and keeping" in out and ";" not in out, out


def test_a_short_item_gets_only_the_sentence_that_introduces_its_list():
    """A paragraph ending in the list's lead-in ("… on the following days:") says more than one item needs: the item
    answered alone comes with that sentence only."""
    from types import SimpleNamespace

    from assistant.answering.selection import Pick, render

    text = """Intro paragraph.

When a holiday is added to a work trip, any extra cost must be shown. Costs above a direct trip are not paid back.
Meals are paid only on these days:

- The day you leave
- The day you come back
"""
    doc = parse_source("policy.md", "policy.md", text)
    pi, p = next((i, p) for i, p in enumerate(doc.passages) if p.kind == "list")
    item = next(i for i, s in enumerate(p.sentences) if s.text.startswith("The day you come back"))
    out, _ = render(SimpleNamespace(passages=doc.passages), [Pick(pi, item)], 200)
    assert out == "Meals are paid only on these days: The day you come back [1]", out


def test_an_item_past_the_budget_of_its_list_is_not_shown_by_giving_the_list_whole():
    from assistant.answering.selection import _shown_whole

    p = _list_passage(PLAIN)  # an introduction of 8 words, then items of 19, 18 and 18 words
    last = max(i for i, s in enumerate(p.sentences) if s.item)
    assert _shown_whole(p, last, budget=200) and _shown_whole(p, 1, budget=40)
    assert not _shown_whole(p, last, budget=40)  # it would stand behind "…": the item is answered alone instead


def test_the_subject_of_a_yes_no_question_about_a_name():
    from assistant.answering.selection import _polar_subject

    assert _polar_subject("Will the Freedonian Navy send ships?").pattern == r"\bFreedonian\ Navy\b"
    assert _polar_subject("Does Ruritania want it?").search("Ruritania said no.")
    assert _polar_subject("and is The Carpentries paying?").pattern == r"\bCarpentries\b"
    for question in ("Is it safe?", "Can I use it?", "Will they come?", "What is Ruritania?", "Who leads Ruritania?"):
        assert _polar_subject(question) is None, question


def test_a_sentence_that_is_only_a_label_is_no_further_answer_sentence():
    from assistant.answering.text import LABEL_ONLY

    for text in ("See:", "For example:", "Note:"):
        assert LABEL_ONLY.match(text), text  # a link or code block after it was dropped: it says nothing
    for text in ("Examples: 1.0.0-alpha, 1.0.0-beta.", "The steps are as follows:", "Yes."):
        assert not LABEL_ONLY.match(text), text


def test_a_sentence_announcing_a_small_code_block_is_followed_by_it():
    """"To install the tool, for example:" says nothing without the command after it: a small code block announced
    by the sentence that ends its paragraph follows it, with its own citation; a long block (a grammar, a big
    diagram) is left to the citation."""
    from types import SimpleNamespace

    from assistant.answering.selection import Pick, render

    text = """# Setup

To install the tool, for example:

```
$ tool install --latest
```

The grammar is:

```
a
b
c
d
```
"""
    doc = parse_source("setup.md", "setup.md", text)
    snap = SimpleNamespace(passages=doc.passages)
    install, grammar = (next(i for i, p in enumerate(doc.passages) if p.text.startswith(w))
                        for w in ("To install", "The grammar"))
    code = next(i for i, p in enumerate(doc.passages) if p.kind == "code")
    out, order = render(snap, [Pick(install, 0)], 200)
    assert out == "To install the tool, for example: [1] $ tool install --latest [2]" and order == [install, code], out
    out, order = render(snap, [Pick(grammar, 0)], 200)
    assert out == "The grammar is: [1]" and order == [grammar], out  # four lines: more than an answer shows


@pytest.mark.parametrize("sentence, shown", [
    ("However, the plan needs rules.", "The plan needs rules."),
    ("Similarly, travel meals are paid on the last day.", "Travel meals are paid on the last day."),
    ("Likewise the fee is waived.", "The fee is waived."),
    ("Therefore, support is likely.", "Therefore, support is likely."),  # the reason it gives is kept
    ("Still water runs deep.", "Still water runs deep."),  # no comma and no sentence after: a word of the sentence
])
def test_an_answer_sentence_drops_its_leading_connective(sentence, shown):
    from assistant.answering.selection import tidy

    assert tidy(sentence) == shown


def test_a_further_sentence_of_a_list_item_joins_with_the_item_it_goes_on_from():
    """"Created by the lab in 2015." names nothing itself: added to an answer about another item, it comes with its
    own item's first sentence, so it is not read as said of the answer's subject."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("tools.md", "tools.md", "Our tools:\n\n"
                       "- Skyhook: a hosting platform built for public work by a small team who wanted it simple to run. "
                       "Created by the lab in 2015.\n"
                       "- Signpost: a shared login service for public programs that lets people use one account on many "
                       "sites. Launched by the lab in 2017.\n")
    p = next(i for i, x in enumerate(doc.passages) if x.kind == "list")
    sents = [s.text for s in doc.passages[p].sentences]
    skyhook, created = next(i for i, t in enumerate(sents) if t.startswith("Skyhook")), sents.index("Created by the lab in 2015.")
    signpost = next(i for i, t in enumerate(sents) if t.startswith("Signpost"))
    assert doc.passages[p].sentences[created].cont
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(p, signpost, zero, 0.5, 0.5), Candidate(p, created, zero, 0.5, 0.5)]
    picks = choose(snap, "What is Signpost?", cands, np.array([0.9, 0.3]), 200, 4)
    assert Pick(p, created) in picks and picks.index(Pick(p, skyhook)) == picks.index(Pick(p, created)) - 1
    # no room for the item: the further sentence alone, as any other
    picks = choose(snap, "What is Signpost?", cands, np.array([0.9, 0.3]), 31, 4)
    assert picks[-1] == Pick(p, created) and Pick(p, skyhook) not in picks


def test_a_bare_sentence_is_no_addition_away_from_what_it_closes():
    """"You're done!" adds nothing to an answer from elsewhere in the text; next to the sentence it closes it may."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("steps.md", "steps.md", "To add a colleague, open the shared list and pick their name from it.\n\n"
                       "Wait for the reply from the server before you close the window. You’re done!\n")
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(0, 0, zero, 0.5, 0.5), Candidate(1, 1, zero, 0.5, 0.5)]
    assert choose(snap, "How do I add a colleague?", cands, np.array([0.9, 0.85]), 60, 3) == [Pick(0, 0)]
    cands = [Candidate(1, 0, zero, 0.5, 0.5), Candidate(1, 1, zero, 0.5, 0.5)]
    assert Pick(1, 1) in choose(snap, "How do I finish?", cands, np.array([0.9, 0.85]), 60, 3)


def test_a_passage_that_only_introduces_the_list_after_it_is_answered_with_that_list(plain):
    """An FAQ answer "To serve the needs of your reader:" is the list below it, given whole; a sentence announcing
    an example at the end of a passage that says more ("… a statement like the following …:") is not."""
    from assistant.answering.selection import _list_after

    snap = plain.snapshot
    serve = next((pi, si) for pi, p in enumerate(snap.passages) for si, s in enumerate(p.sentences)
                 if s.text == "To serve the needs of your reader:")
    listed = _list_after(snap, *serve)
    assert listed is not None and "chronological order" in snap.passages[listed].text
    following = next((pi, si) for pi, p in enumerate(snap.passages) for si, s in enumerate(p.sentences)
                     if s.text.startswith("Another option is to include a statement like the following"))
    assert _list_after(snap, *following) is None
    # an announcement in other words, and the list after it
    doc = parse_source("sec.md", "sec.md", "## Updates\n\nNotices will be sent out via the following channels.\n\n"
                       "* <https://lists.example.org/security>\n* <https://example.org/blog>\n\n"
                       "## Other\n\nWe fixed it. Then we wrote it up.\n\n* a note\n* a post\n")
    from types import SimpleNamespace

    sn = SimpleNamespace(passages=doc.passages)
    intro = next(pi for pi, p in enumerate(doc.passages) if p.text.startswith("Notices"))
    assert _list_after(sn, intro, 0) == intro + 1
    other = next(pi for pi, p in enumerate(doc.passages) if p.text.startswith("We fixed"))
    assert _list_after(sn, other, 1) is None  # not all the passage says
    ans = plain.ask("How do I organise my document around what my reader needs?")
    assert all(w in ans.answer for w in ("descriptive headings", "chronological order")), ans.answer


def test_a_question_asking_for_a_person_is_led_by_a_close_sentence_naming_one():
    """"Which leader …?": when the best sentence names no one, a close one naming a person leads; a far one does
    not, nor does the rule apply to a question not asking for a person."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("club.md", "club.md", "Joining the league is unlikely because key members resist it.\n\n"
                       "Mayor Jane Roe has resisted the idea, and the town of Elm shares her concerns.\n")
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(0, 0, zero, 0.5, 0.5), Candidate(1, 0, zero, 0.5, 0.5)]
    named = lambda text: "Roe" in text  # noqa: E731
    assert choose(snap, "Which leader resists it?", cands, np.array([0.95, 0.9]), 60, 3, person=named)[0] == Pick(1, 0)
    assert choose(snap, "Which leader resists it?", cands, np.array([0.95, 0.5]), 60, 3, person=named)[0] == Pick(0, 0)
    assert choose(snap, "Why is it unlikely?", cands, np.array([0.95, 0.9]), 60, 3)[0] == Pick(0, 0)


def test_the_leader_asked_for_leads_the_answer(assistant):
    ans = assistant.ask("Which leader and which country are named as resisting Ukraine's NATO bid?")
    assert not ans.refused and ans.answer.startswith("US President Donald Trump"), ans.answer


def test_a_short_sentence_right_before_the_best_is_read_first():
    """"That is normal." quoted with the sentence after it comes first, as the text has it; a long one does not."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("jar.md", "jar.md", "That is normal. Some people like to call the liquid on top of the jar hooch "
                       "and stir it back in.\n\nA layer of liquid on top of the jar is what many bakers see after a week "
                       "of feeding. Some people like to call the liquid on top of the jar hooch and pour it off.\n")
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    for pi, first in ((0, [Pick(0, 0), Pick(0, 1)]), (1, [Pick(1, 1), Pick(1, 0)])):
        cands = [Candidate(pi, 1, zero, 0.5, 0.5), Candidate(pi, 0, zero, 0.5, 0.5)]
        assert choose(snap, "What is the liquid?", cands, np.array([0.9, 0.85]), 60, 3)[:2] == first


def test_what_a_thing_does_is_led_by_a_close_sentence_with_it_as_subject():
    """"What does path.join do?": among the close sentences, the one opening on the thing ("The path.join() method
    joins …") leads, not one that only uses its words ("If the joined path …"); a far one does not."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("api.md", "api.md", "If the joined path string is empty then a dot is returned for the current "
                       "directory.\n\nThe path.join() method joins all given path segments together with the separator.\n")
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(0, 0, zero, 0.5, 0.5), Candidate(1, 0, zero, 0.5, 0.5)]
    assert choose(snap, "What does path.join do?", cands, np.array([0.95, 0.9]), 60, 3)[0] == Pick(1, 0)
    assert choose(snap, "What does path.join do?", cands, np.array([0.95, 0.4]), 60, 3)[0] == Pick(0, 0)
    assert choose(snap, "Why is a dot returned?", cands, np.array([0.95, 0.9]), 60, 3)[0] == Pick(0, 0)


def test_what_rustup_does_opens_on_rustup(rust):
    assert rust.ask("What does rustup do?").answer.startswith("Rustup makes it easy to change between")


def test_a_why_question_gets_the_reason_that_follows_a_further_sentence():
    """Asked why, a further sentence whose next one gives its reason ("This is because …") comes with that reason;
    asked anything else, it comes alone."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("trams.md", "trams.md", "Riders often ask about the old trams and their seats.\n\n"
                       "The wooden seats of the old trams were kept when the cabins were closed in. "
                       "This is because riders found them cooler in summer.\n")
    snap = SimpleNamespace(passages=doc.passages)
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(0, 0, zero, 0.5, 0.5), Candidate(1, 0, zero, 0.5, 0.5)]
    why = choose(snap, "Why were the wooden seats kept?", cands, np.array([0.9, 0.85]), 60, 3)
    assert why == [Pick(0, 0), Pick(1, 0), Pick(1, 1)]
    assert choose(snap, "Were the wooden seats kept?", cands, np.array([0.9, 0.85]), 60, 3) == [Pick(0, 0), Pick(1, 0)]


ENUMERATED = ("# Notes\n\n## Growth\n\nRidership grew for three reasons. First, fares were cut. The cut was large.\n\n"
              "Second, new lines opened. Finally, trams became faster.\n\n## Other\n\nFirst, a stray sentence.\n")


@pytest.mark.parametrize("question, shown", [
    ("Why did ridership grow?", ["three reasons", "First, fares", "Second, new", "Finally, trams"]),
    ("List the reasons ridership grew.", ["three reasons", "First, fares", "Second, new", "Finally, trams"]),
    ("What was the second reason ridership grew?", ["three reasons", "Second, new"]),
])
def test_a_count_in_prose_is_given_by_the_sentences_that_count(question, shown):
    """"… three reasons. First, … Second, … Finally, …" across paragraphs of a section: the announcing sentence and
    each counting one (not what goes on about an item, nor a "First," under another heading); one asked by its
    ordinal alone."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import choose, sentence_text

    doc = parse_source("growth.md", "growth.md", ENUMERATED)
    snap = SimpleNamespace(passages=doc.passages)
    pi = next(i for i, p in enumerate(doc.passages) if p.text.startswith("Ridership"))
    zero = np.zeros(len(SENTENCE_FEATURES))
    picks = choose(snap, question, [Candidate(pi, 0, zero, 0.5, 0.5)], np.array([0.9]), 60, 3)
    said = [sentence_text(snap, c) for c in picks]
    assert all(any(x in s for s in said) for x in shown) and len(said) == len(shown), said
    assert not any("stray" in s or "large" in s for s in said)


def test_an_item_of_a_count_asked_about_alone_is_not_given_the_others():
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate
    from assistant.answering.selection import Pick, choose

    doc = parse_source("growth.md", "growth.md", ENUMERATED)
    snap = SimpleNamespace(passages=doc.passages)
    pi = next(i for i, p in enumerate(doc.passages) if p.text.startswith("Ridership"))
    zero = np.zeros(len(SENTENCE_FEATURES))
    # the best sentence is the first item itself, and no list is asked for: it answers alone (with what follows it)
    picks = choose(snap, "Were fares cut?", [Candidate(pi, 1, zero, 0.5, 0.5)], np.array([0.9]), 60, 3)
    assert Pick(pi + 1, 0) not in picks and Pick(pi, 1) in picks


def test_a_list_naming_no_one_does_not_lead_an_answer_asking_for_people():
    """"Which leaders are named as resisting it?": a list asked for, but a close list naming no one does not take the
    lead from the sentence naming a person."""
    from types import SimpleNamespace

    import numpy as np

    from assistant.answering.features import SENTENCE_FEATURES, Candidate, list_asked
    from assistant.answering.selection import Pick, choose

    doc = parse_source("club.md", "club.md", "Joining the league is unlikely because key members resist it.\n\n"
                       "Mayor Jane Roe has resisted the idea, and the town of Elm shares her concerns.\n\n"
                       "The league would offer:\n\n- training for players\n- shared pitches\n")
    snap = SimpleNamespace(passages=doc.passages)
    li = next(i for i, p in enumerate(doc.passages) if p.kind == "list")
    item = next(i for i, x in enumerate(doc.passages[li].sentences) if x.text.startswith("training"))
    zero = np.zeros(len(SENTENCE_FEATURES))
    cands = [Candidate(0, 0, zero, 0.5, 0.5), Candidate(1, 0, zero, 0.5, 0.5), Candidate(li, item, zero, 0.5, 0.5)]
    question = "Which leaders are named as resisting it?"
    assert list_asked(question)
    named = lambda text: "Roe" in text  # noqa: E731
    assert choose(snap, question, cands, np.array([0.95, 0.9, 0.6]), 60, 3, person=named)[0] == Pick(1, 0)
    assert choose(snap, question, cands, np.array([0.95, 0.9, 0.6]), 60, 3)[0].passage == li  # no person asked: the list
