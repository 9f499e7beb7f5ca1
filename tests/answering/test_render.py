"""How an answer's list is written: whole with its introduction, or — too long for the word budget — by its item
labels (each with the start of what it says, when there is room) when a list is asked for, else its first items
and "…". Real passages from the Markdown parser; no model."""
from __future__ import annotations

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


def test_a_list_too_long_without_labels_gives_its_first_items():
    out = _render_list(_list_passage(PLAIN), max_words=40, by_labels=True)
    assert out.startswith("The policy sets these rules for every claim: every claim must serve") and out.endswith("; …")
