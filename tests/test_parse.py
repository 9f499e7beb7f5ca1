"""Parsing sources/article.md (and plain text) into structure-aware passages, and the source's fidelity
to the original article (tests/data/article.txt, a byte-for-byte copy of ../shared/seed/article.txt)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from index.models import Passage
from index.parse import parse_source, source_slug_for
from index.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_MD = ROOT / "sources" / "article.md"
SHARED_ORIGINAL = ROOT.parent / "shared" / "seed" / "article.txt"
ORIGINAL = ROOT / "tests" / "data" / "article.txt"  # a checked-in copy, so a clone anywhere can run these

SECTIONS = [
    "What Ukraine Wants: A Clear Picture",
    "The Coalition of the Willing: A New Alliance",
    "Challenges on the Ground: The Land Situation",
    "Russia's Stance: A Key Factor",
    "US Involvement: The Critical Element",
    "The Paradox of Security Guarantees",
    "The Future of Ukraine's Security: What Lies Ahead?",
    "Frequently Asked Questions",
]
FAQ_QUESTIONS = [
    "What are security guarantees in the context of Ukraine?",
    "Will Ukraine become a NATO member soon?",
    "What role does the US play in Ukraine's security guarantees?",
    "How might Russia respond to security guarantees for Ukraine?",
    "What is the Coalition of the Willing?",
]
LIST_ITEMS = {
    "What Ukraine Wants: A Clear Picture": [
        "International monitoring of ceasefire agreements", "Airspace policing to prevent potential aggressions",
        "Support in military training and intelligence sharing", "Logistical assistance for rebuilding its armed forces",
        "Ongoing supplies of weapons and ammunition"],
    "Challenges on the Ground: The Land Situation": [
        "Training Ukrainian forces", "Providing intelligence support", "Logistical assistance for military operations",
        "Continuous supply of arms and munitions"],
}


@pytest.fixture(scope="module")
def text() -> str:
    return ARTICLE_MD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def doc(text):
    return parse_source("article.md", str(ARTICLE_MD), text)


def original_text() -> str:
    return ORIGINAL.read_text(encoding="utf-8")


def test_the_checked_in_original_is_the_shared_one():
    if not SHARED_ORIGINAL.exists():
        pytest.skip(f"no shared/ beside this clone ({SHARED_ORIGINAL}); the checked-in copy is used")
    assert ORIGINAL.read_bytes() == SHARED_ORIGINAL.read_bytes()


# --- front matter and structure -------------------------------------------------------------------------------

def test_front_matter(doc):
    assert doc.title == "What Do Security Guarantees for Ukraine Really Mean?"
    assert doc.meta["subtitle"] == "Understanding Security Guarantees for Ukraine: Implications and Realities"
    assert doc.meta["published"] == "2025-08-19 23:00:45"
    assert doc.meta["category"] == "technology"


def test_every_section_is_found_in_order(doc):
    assert list(doc.headings) == SECTIONS + FAQ_QUESTIONS
    seen = list(dict.fromkeys(p.section for p in doc.passages))
    assert seen == [doc.meta["subtitle"]] + SECTIONS  # the lead paragraphs sit under the subtitle


def test_passages_per_kind(doc):
    assert Counter(p.kind for p in doc.passages) == {"paragraph": 15, "list": 2, "faq": 5}
    per_section = Counter(p.section for p in doc.passages if p.kind == "paragraph")
    assert all(per_section[s] == 2 for s in SECTIONS[1:] if s not in LIST_ITEMS and s != "Frequently Asked Questions")


def test_lists_keep_their_introducing_sentence(doc):
    lists = [p for p in doc.passages if p.kind == "list"]
    assert [p.section for p in lists] == list(LIST_ITEMS)
    for p in lists:
        texts = [s.text for s in p.sentences]
        n_items = len(LIST_ITEMS[p.section])
        intro, items = texts[:-n_items], texts[-n_items:]
        assert intro and intro[-1].endswith(":"), "the sentence introducing the list is in the passage"
        assert items == LIST_ITEMS[p.section]
        assert p.text.startswith(intro[0]) and p.text.endswith(items[-1])


def test_faq_pairs(doc):
    faqs = [p for p in doc.passages if p.kind == "faq"]
    assert [p.question for p in faqs] == FAQ_QUESTIONS
    for p in faqs:
        assert p.section == "Frequently Asked Questions"
        assert p.sentences[0].text == p.question
        assert len(p.sentences) >= 2, "the answer belongs to the question's passage"
        assert p.text.startswith("### " + p.question)
    nato = faqs[1]
    assert "NATO membership for Ukraine is unlikely" in nato.text


def test_nato_passage_is_its_own_paragraph(doc):
    [p] = [p for p in doc.passages if "remains out of reach" in p.text]
    assert p.kind == "paragraph" and p.section == "What Ukraine Wants: A Clear Picture"
    assert any(s.text == "However, one significant aspiration—NATO membership—remains out of reach for the foreseeable future."
               for s in p.sentences)


# --- offsets ---------------------------------------------------------------------------------------------------

def test_every_passage_and_sentence_is_an_exact_slice(doc, text):
    assert doc.text == text
    for p in doc.passages:
        assert text[p.start:p.end] == p.text, p.id
        assert p.text.strip() == p.text and p.text
        for s in p.sentences:
            assert text[s.start:s.end] == s.text, (p.id, s)
            assert p.start <= s.start < s.end <= p.end


def test_sentences_cover_their_passage(doc):
    """No words are lost between sentences: outside the sentences only white space and markup remain."""
    for p in doc.passages:
        rest = p.text
        for s in sorted(p.sentences, key=lambda s: s.start, reverse=True):
            a, b = s.start - p.start, s.end - p.start
            rest = rest[:a] + rest[b:]
        assert re.fullmatch(r"[\s#\-*]*", rest), (p.id, rest)


def test_passages_are_in_order_and_disjoint(doc):
    assert [p.order for p in doc.passages] == list(range(len(doc.passages)))
    for a, b in zip(doc.passages, doc.passages[1:]):
        assert a.end < b.start


def test_metadata_round_trip(doc):
    for p in doc.passages:
        meta = p.to_metadata()
        assert all(isinstance(v, (str, int, float)) for v in meta.values())
        assert Passage.from_metadata(p.text, meta) == p


# --- ids --------------------------------------------------------------------------------------------------------

def test_ids_are_unique_readable_and_stable(doc, text):
    ids = [p.id for p in doc.passages]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"article--[a-z0-9-]+--\d+", i) for i in ids)
    assert "article--what-ukraine-wants-a-clear-picture--1" in ids
    assert [p.id for p in parse_source("article.md", "/elsewhere/article.md", text).passages] == ids


def test_ids_are_the_same_in_a_fresh_process(doc):
    code = ("import json; from index.parse import parse_source; "
            f"t = open({str(ARTICLE_MD)!r}, encoding='utf-8').read(); "
            "print(json.dumps([p.id for p in parse_source('article.md', 'x', t).passages]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"})
    assert json.loads(out.stdout) == [p.id for p in doc.passages]


def test_editing_one_section_keeps_other_ids(text, doc):
    edited = text.replace("## US Involvement: The Critical Element\n\n",
                          "## US Involvement: The Critical Element\n\nA new first paragraph.\n\n")
    new = parse_source("article.md", "x", edited)
    old_ids = {p.id: p.text for p in doc.passages}
    new_ids = {p.id: p.text for p in new.passages}
    changed = {i for i in old_ids.keys() & new_ids.keys() if old_ids[i] != new_ids[i]}
    assert changed and all(i.startswith("article--us-involvement") for i in changed)


def test_source_names_never_share_ids():
    names = ["article.md", "article.txt", "sub/article.md", "Article.md", "a-very-long-article-name-number-one.md",
             "a-very-long-article-name-number-two.md"]
    slugs = [source_slug_for(n) for n in names]
    assert slugs[0] == "article"
    assert len(set(slugs)) == len(slugs)


# --- fidelity to the original -------------------------------------------------------------------------------

def _original_lines() -> list[str]:
    return [line.strip() for line in original_text().splitlines() if line.strip()]


def test_every_sentence_of_the_original_is_verbatim_in_the_source(text):
    lines = _original_lines()
    assert lines[-1] == "Published: 2025-08-19 23:00:45 | Category: technology"
    missing = [s.text for line in lines[:-1] for s in split_sentences(line) if s.text not in text]
    assert not missing
    # Whole lines too (headings, list items, FAQ questions), markup aside.
    assert [line for line in lines[:-1] if line not in text] == []


def test_the_publication_line_became_front_matter(doc):
    m = re.fullmatch(r"Published: (.+) \| Category: (.+)", _original_lines()[-1])
    assert (doc.meta["published"], doc.meta["category"]) == m.groups()
    assert doc.title == _original_lines()[0] and doc.meta["subtitle"] == _original_lines()[1]


def test_the_source_adds_no_sentences(doc):
    original = " ".join(_original_lines())
    for p in doc.passages:
        for s in p.sentences:
            assert s.text in original, s.text


# --- plain text and generic markdown -----------------------------------------------------------------------

def test_the_original_plain_text_parses_with_the_same_structure(doc):
    txt = parse_source("article.txt", str(ORIGINAL), original_text())
    assert txt.title == doc.title
    assert Counter(p.kind for p in txt.passages) == Counter(p.kind for p in doc.passages)
    assert [p.question for p in txt.passages if p.kind == "faq"] == FAQ_QUESTIONS
    assert [p.section for p in txt.passages] == [p.section for p in doc.passages]
    for p in txt.passages:
        assert txt.text[p.start:p.end] == p.text
        assert all(txt.text[s.start:s.end] == s.text for s in p.sentences)
    assert not {p.id for p in txt.passages} & {p.id for p in doc.passages}


def test_markdown_without_front_matter_takes_the_first_h1_as_title():
    src = "# My Title\n\nFirst para. Second sentence.\n\n## Part\n\n* one\n* two\n\nClosing words.\n"
    d = parse_source("notes.md", "notes.md", src)
    assert d.title == "My Title"
    assert [(p.kind, p.section) for p in d.passages] == [("paragraph", "My Title"), ("list", "Part"),
                                                          ("paragraph", "Part")]
    assert [s.text for s in d.passages[0].sentences] == ["First para.", "Second sentence."]


def test_sentence_splitter_keeps_abbreviations_and_quotes_together():
    assert [s.text for s in split_sentences('Mr. Smith met Dr. Jones in the U.S. capital. He said "Stop." Then left.')] \
        == ["Mr. Smith met Dr. Jones in the U.S. capital.", 'He said "Stop."', "Then left."]
    assert [s.text for s in split_sentences("Version 1.5 is out. Is it? Yes!")] == ["Version 1.5 is out.", "Is it?", "Yes!"]
    sents = split_sentences("  Ab cd. Ef gh.", offset=100)
    assert [(s.start, s.end) for s in sents] == [(102, 108), (109, 115)]


_word = st.text(alphabet="abcdefgh XYZ,.?!:'", min_size=1, max_size=30).filter(lambda w: w.strip())
_block = st.one_of(
    _word.map(lambda w: w.strip()),
    _word.map(lambda w: "## " + w.strip()),
    _word.map(lambda w: "### " + w.strip().rstrip("?") + "?"),
    st.lists(_word.map(lambda w: "- " + w.strip()), min_size=1, max_size=3).map("\n".join),
    st.just("---"),
)


@hsettings(max_examples=150, deadline=None)
@given(st.lists(_block, min_size=1, max_size=12), st.sampled_from(["\n\n", "\n", "\n\n\n"]))
def test_offsets_hold_for_any_markdown(blocks, sep):
    src = sep.join(blocks) + "\n"
    d = parse_source("x.md", "x.md", src)
    for p in d.passages:
        assert src[p.start:p.end] == p.text
        for s in p.sentences:
            assert src[s.start:s.end] == s.text
    assert len({p.id for p in d.passages}) == len(d.passages)
