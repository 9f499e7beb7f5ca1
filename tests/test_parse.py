"""Parsing sources/article.md, the real articles of tests/data/corpus/ and plain text into structure-aware passages,
and the source's fidelity to the original article (tests/data/article.txt, a byte-for-byte copy of the original,
its digest pinned below)."""
from __future__ import annotations

import hashlib
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
ORIGINAL = ROOT / "tests" / "data" / "article.txt"  # a checked-in copy, so a clone anywhere can run these
CORPUS = ROOT / "tests" / "data" / "corpus"  # seven real articles, checked in (see its README.md)
CORPUS_FILES = sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")

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


# SHA-256 of the checked-in copies, taken when they were verified byte for byte against ../shared/seed/article.txt
# and ../shared/corpus/ (the task's originals). Nothing here reads outside the repository: a changed copy fails.
COPIES = {
    "article.txt": "9f58beb8ce97a1bcec649979c8216d6260967d8e0b00650d43c0a38715dad5f3",
    "corpus/carpentries-travel-reimbursement.md": "7ff831b0ba0ec084ac369d0d23523e330d631ed34038a5e01754dae465c64ebe",
    "corpus/federal-web-covid.md": "058726d17501836830fc554b5c72b79e46a11d938c8e1aff6a3cb159faf7476f",
    "corpus/plain-language-memo-faq.md": "4993bed27be9f8f82d3253303891eb4422300c5720e67074ff8330e1bb47576c",
    "corpus/rust-release-trains.md": "e2ace5141a30c1dc427a3fe343948af72c441296ba4d06247e0c95fff4481b65",
    "corpus/sharing-calendars-howto.md": "991a2a3041865e03d4151e07e705bcbbf119eace39fa6eac5396101455ca9e72",
    "corpus/sourdough-starter.md": "78799009ff4e1fcf7e6cad1bd16c9b978f0638b3ad313e17ca8287cb8967c288",
    "corpus/tts-solutions-history.md": "d4c17be31a0a39dbbc9acd570305daba0ffde3307785755d41063f85c2045ab2",
    # added by the project, never trained on (tests/golden/unseen): semver.md of github.com/semver/semver
    "corpus/semver-spec.md": "9d6758d85ad5ac3d957ce25c8598a43e2296e67e7286e2917da13aa786174cce",
    # _pages/benefits.md of github.com/18F/handbook, also added by the project and never trained on
    "corpus/tts-benefits-handbook.md": "103177d06e3a822bcfdad65e1c1a860b40af553510661fa41e61ab1fed0b9629",
}


def test_the_checked_in_copies_are_the_originals():
    """tests/data/ holds byte-for-byte copies of the original article and the seven corpus articles, so that the
    tests never need anything outside this repository; their digests are pinned here."""
    data = ROOT / "tests" / "data"
    assert sorted(f"corpus/{p.name}" for p in CORPUS_FILES) == sorted(k for k in COPIES if k.startswith("corpus/"))
    for name, digest in COPIES.items():
        assert hashlib.sha256((data / name).read_bytes()).hexdigest() == digest, name


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
        assert p.text.startswith(p.question + "\n\n"), "the question without its ### marks, then the answer"
    nato = faqs[1]
    assert "NATO membership for Ukraine is unlikely" in nato.text


def test_nato_passage_is_its_own_paragraph(doc):
    [p] = [p for p in doc.passages if "remains out of reach" in p.text]
    assert p.kind == "paragraph" and p.section == "What Ukraine Wants: A Clear Picture"
    assert any(s.text == "However, one significant aspiration—NATO membership—remains out of reach for the foreseeable future."
               for s in p.sentences)


# --- offsets ---------------------------------------------------------------------------------------------------

def test_the_seed_article_gives_the_same_passages_as_before(doc):
    """22 passages (15 paragraphs, 2 lists, 5 FAQ pairs) and 61 sentences, as the hand-written parser gave."""
    assert len(doc.passages) == 22 and sum(len(p.sentences) for p in doc.passages) == 61
    assert [p.sentences[0].start for p in doc.passages if p.kind == "faq"] == [6240, 6490, 6689, 6943, 7206]


def test_every_sentence_of_the_seed_is_an_exact_slice_and_passages_its_plain_rendering(doc, text):
    """The seed article has no inline markup and no wrapped lines: every sentence is exactly its slice of the
    file. A passage's text is the plain rendering of its slice: the slice itself, FAQ headings without ###."""
    assert doc.text == text
    for p in doc.passages:
        raw = text[p.start:p.end]
        assert p.text == (raw.replace("### ", "", 1) if p.kind == "faq" else raw), p.id
        assert p.text.strip() == p.text and p.text
        for s in p.sentences:
            assert text[s.start:s.end] == s.text, (p.id, s)
            assert p.start <= s.start < s.end <= p.end
            assert s.text in p.text


def test_sentences_cover_their_passage(doc, text):
    """No words are lost between sentences: outside the sentences only white space and markup remain."""
    for p in doc.passages:
        rest = text[p.start:p.end]
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
    nested = parse_source("n.md", "n.md", "Steps:\n\n- one\n  - one a\n- two\n")
    [p] = nested.passages
    assert json.loads(p.to_metadata()["sentences"])[2] == ["one a", 18, 23, True, 1, False, False]
    assert Passage.from_metadata(p.text, p.to_metadata()) == p


def test_metadata_of_an_older_index_still_reads(doc, text):
    """An index built before the item flags stored ``[text, start, end]`` and the raw Markdown as passage text;
    its list items are recognised by the bullet before them."""
    [lst, *_] = [p for p in doc.passages if p.kind == "list"]
    meta = lst.to_metadata() | {"sentences": json.dumps([[s.text, s.start, s.end] for s in lst.sentences])}
    old = Passage.from_metadata(text[lst.start:lst.end], meta)
    assert [old.is_item(i) for i in range(len(old.sentences))] == [s.item for s in lst.sentences]
    assert [s.text for s in old.sentences] == [s.text for s in lst.sentences]


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
    """Text without inline markup: each sentence's raw span is its text, up to line breaks joined into spaces."""
    src = sep.join(blocks) + "\n"
    d = parse_source("x.md", "x.md", src)
    for p in d.passages:
        assert 0 <= p.start <= p.end <= len(src) and p.text == p.text.strip() and p.text
        for s in p.sentences:
            assert p.start <= s.start <= s.end <= p.end
            assert " ".join(src[s.start:s.end].split()) == s.text
            assert s.text in p.text
    assert len({p.id for p in d.passages}) == len(d.passages)


# --- Markdown parsed by a real parser (markdown-it-py) ----------------------------------------------------------

def _md(src: str):
    return parse_source("t.md", "t.md", src)


def _check_invariants(d) -> None:
    """What holds for any Markdown: sentences inside their passage (offsets and text), no Markdown left."""
    for p in d.passages:
        assert 0 <= p.start <= p.end <= len(d.text) and p.text == p.text.strip() and p.text, p.id
        for s in p.sentences:
            assert p.start <= s.start <= s.end <= p.end, (p.id, s)
            assert s.text and s.text in p.text, (p.id, s.text)
            assert "](" not in s.text and "```" not in s.text, (p.id, s.text)
            for url in re.findall(r"(?:https?|ftp)://[^\s<>]*[^\s<>.,;:!?)]", s.text):  # shown as the source writes it
                assert any(d.text[max(0, m.start() - 1)] not in "(" for m in re.finditer(re.escape(url), d.text)), url
    assert len({p.id for p in d.passages}) == len(d.passages)


def test_hard_wrapped_paragraphs_and_list_items_are_joined():
    src = ("# Notes\n\nIndividuals are expected to travel in the most\ncost-effective manner. A second\n"
           "sentence follows here.\n\n- An item that is wrapped over\n  two lines in the most cost-effective\n"
           "  manner.\n- Another item\n")
    d = _md(src)
    _check_invariants(d)
    para, lst = d.passages
    assert [s.text for s in para.sentences] == [
        "Individuals are expected to travel in the most cost-effective manner.", "A second sentence follows here."]
    assert para.text == "Individuals are expected to travel in the most cost-effective manner. A second sentence follows here."
    first = para.sentences[0]
    assert src[first.start:first.end] == "Individuals are expected to travel in the most\ncost-effective manner."
    assert lst.kind == "list" and [s.text for s in lst.sentences] == [
        "An item that is wrapped over two lines in the most cost-effective manner.", "Another item"]
    assert all(lst.is_item(i) for i in range(2))
    assert lst.text == "- An item that is wrapped over two lines in the most cost-effective manner.\n- Another item"
    assert not any(s.text == "manner." for p in d.passages for s in p.sentences)


def test_code_blocks_are_kept_whole_without_sentences():
    src = ("# Code\n\nRun this:\n\n```console\n$ cargo build\n$ cargo run. Then more\n\n$ done\n```\n\n"
           "An indented one:\n\n    let x = 1;\n    let y = 2;\n\nAfter the code.\n")
    d = _md(src)
    _check_invariants(d)
    assert [p.kind for p in d.passages] == ["paragraph", "code", "paragraph", "code", "paragraph"]
    fenced, indented = [p for p in d.passages if p.kind == "code"]
    assert fenced.text == "$ cargo build\n$ cargo run. Then more\n\n$ done" and fenced.sentences == ()
    assert src[fenced.start:fenced.end].startswith("```console") and src[fenced.start:fenced.end].endswith("```")
    assert indented.text == "let x = 1;\nlet y = 2;" and indented.sentences == ()


def test_a_table_is_one_passage_of_rows():
    src = "# Prices\n\n| Item | Price |\n|---|---:|\n| **Bread** | 3 [EUR](https://x.eu) |\n| Milk | 1 |\n\nThat is all.\n"
    d = _md(src)
    _check_invariants(d)
    table = d.passages[0]
    assert table.kind == "table" and table.sentences == ()
    assert table.text == "Item | Price\nBread | 3 EUR\nMilk | 1"
    assert src[table.start:table.end].startswith("| Item") and src[table.start:table.end].endswith("| Milk | 1 |")


def test_links_emphasis_images_code_and_html_are_stripped_with_offsets_in_the_file():
    src = ("# T\n\nSee [the *release* notes](https://example.org/notes \"Notes\") for **all** details "
           "![a chart](chart.png) and `cargo build` <b>now</b>. Visit https://example.org/x, or <https://auto.link>.\n")
    d = _md(src)
    _check_invariants(d)
    [p] = d.passages
    first, second = p.sentences
    assert first.text == "See the release notes for all details and cargo build now."
    assert second.text == "Visit https://example.org/x, or https://auto.link."  # a bare URL or an autolink: its address
    assert src[first.start:first.end].startswith("See [the *release* notes](https://example.org/notes")
    assert src[first.start:first.end].endswith("<b>now</b>.")
    assert p.start <= first.start < first.end <= second.start < second.end <= p.end == len(src) - 1


def test_nested_lists_are_flattened_with_their_depth():
    src = ("# Trip\n\nReimbursement requests should include:\n"
           "- Completed form:\n  - Full Name\n  - Purpose of Travel\n    1. first\n- Receipts for all expenses\n")
    d = _md(src)
    _check_invariants(d)
    [p] = d.passages
    assert p.kind == "list"
    assert [(s.text, s.item, s.depth) for s in p.sentences] == [
        ("Reimbursement requests should include:", False, 0), ("Completed form:", True, 0), ("Full Name", True, 1),
        ("Purpose of Travel", True, 1), ("first", True, 2), ("Receipts for all expenses", True, 0)]
    assert p.text == ("Reimbursement requests should include:\n\n- Completed form:\n  - Full Name\n"
                      "  - Purpose of Travel\n    1. first\n- Receipts for all expenses")


def test_lists_following_each_other_are_one_list_and_a_very_long_list_is_split():
    steps = _md("# How\n\nDo this:\n\n1. one\n2. share it:\n\n- with Google\n- with Outlook\n\n3. done\n")
    [p] = steps.passages
    assert [(s.text, s.depth) for s in p.sentences if s.item] == [
        ("one", 0), ("share it:", 0), ("with Google", 1), ("with Outlook", 1), ("done", 0)]
    long = _md("# Many\n\nThe items:\n\n" + "".join(f"- item number {i}\n" for i in range(60)))
    _check_invariants(long)
    parts = long.passages
    assert len(parts) == 3 and all(p.kind == "list" and p.sentences[0].text == "The items:" for p in parts)
    assert [s.text for p in parts for s in p.sentences if s.item] == [f"item number {i}" for i in range(60)]
    assert all(sum(s.item for s in p.sentences) <= 25 for p in parts)


def test_a_list_whose_items_are_paragraphs_is_one_passage_per_item():
    rule = ("Each rule of this specification MUST be read in full by every implementer. It explains what a version "
            "number is and how it changes over the life of a package, from its first release to its last one. "
            "Tools SHOULD check it.")
    spec = _md("# Spec\n\n" + "".join(f"1. Rule {i}. {rule}\nwrapped here.\n\n" for i in range(3))
               + "# Short\n\n- one\n- two\n")
    _check_invariants(spec)
    rules = [p for p in spec.passages if p.section == "Spec"]
    assert len(rules) == 3 and all(p.kind == "list" and p.of_paragraphs() for p in rules)
    assert [p.sentences[0].text for p in rules] == ["Rule 0.", "Rule 1.", "Rule 2."]
    [short] = [p for p in spec.passages if p.section == "Short"]
    assert len(short.sentences) == 2 and not short.of_paragraphs()  # a list of short items stays one passage


def test_a_paragraph_that_is_only_a_link_is_a_pointer():
    d = _md("# Bake\n\nFeed it daily. It doubles in [six hours](https://x.org/a).\n\n"
            "[See this video on baking with discard](https://x.org/v)\n\n[Back to the top](#bake)\n\n"
            "Ask in:\n\n- [#bakers-help](https://chat.x.org/help)\n- the front desk\n")
    _check_invariants(d)
    by_text = {s.text: s for p in d.passages for s in p.sentences}
    video = by_text["See this video on baking with discard"]
    assert video.link and video.pointer
    assert not by_text["It doubles in six hours."].link  # a link inside a sentence is part of what it says
    assert not by_text["Back to the top"].link  # a link to this page's own anchor points nowhere else
    channel = by_text["#bakers-help"]
    assert channel.link and channel.item and not channel.pointer  # an item that is a link names something
    for p in d.passages:
        assert Passage.from_metadata(p.text, p.to_metadata()) == p
    # an address alone (a bare URL, an autolink) points elsewhere too; one in a sentence is part of what it says
    d = _md("# Help\n\nRegister at https://x.org/join first.\n\nhttps://x.org/faq\n\n<https://x.org/forum>\n\n"
            "- https://x.org/a\n")
    by_text = {s.text: s for p in d.passages for s in p.sentences}
    assert not by_text["Register at https://x.org/join first."].link
    assert by_text["https://x.org/faq"].pointer and by_text["https://x.org/forum"].pointer
    assert by_text["https://x.org/a"].link and not by_text["https://x.org/a"].pointer


def test_faq_statement_headings_under_an_faq_heading():
    src = ("# Bread\n\nIntro text here.\n\n# FAQ\n\n## My sourdough smells gross\n\nThe vinegary taste comes from "
           "bacteria. This is\nnormal.\n\n### A deeper sub-heading\n\nMore about the smell.\n\n"
           "## Do I keep it warm?\n\nYes, keep it warm.\n\n## Other topics\n\nNot a question.\n\n# After\n\n## Not a question\n\nText.\n")
    d = _md(src)
    _check_invariants(d)
    faqs = [p for p in d.passages if p.kind == "faq"]
    assert [p.question for p in faqs] == ["My sourdough smells gross", "Do I keep it warm?", "Other topics"]
    smell = faqs[0]
    assert smell.section == "FAQ" and smell.sentences[0].text == "My sourdough smells gross"
    assert [s.text for s in smell.sentences[1:]] == ["The vinegary taste comes from bacteria.", "This is normal."]
    assert smell.text == "My sourdough smells gross\n\nThe vinegary taste comes from bacteria. This is normal."
    sub = next(p for p in d.passages if "More about the smell." in p.text)
    assert sub.kind == "paragraph" and sub.section == "A deeper sub-heading"
    assert [(p.kind, p.section) for p in d.passages if p.text == "Text."] == [("paragraph", "Not a question")]


def test_faq_answer_takes_paragraphs_up_to_about_150_words_and_later_blocks_keep_the_question():
    para = " ".join(["word"] * 60) + "."
    d = _md(f"# Bread\n\n# FAQ\n\n## How long?\n\n{para}\n\n{para}\n\n{para}\n\n- a list\n")
    [faq, rest, lst] = d.passages
    assert faq.kind == "faq" and len(faq.sentences) == 3
    assert (rest.kind, rest.section) == ("paragraph", "How long?") and (lst.kind, lst.section) == ("list", "How long?")


def test_a_page_of_question_headings_is_a_qa_page():
    src = ("# Guide\n\n## General\n\n### What is it?\n\nIt is a thing.\n\n### Who made it?\n\nPeople did.\n\n"
           '### What does it mean by "the public?"\n\nEveryone.\n\n### Where do we start? Now?\n\nHere.\n\n'
           "### Summary\n\nA summary.\n")
    d = _md(src)
    _check_invariants(d)
    faqs = [p for p in d.passages if p.kind == "faq"]
    assert [p.question for p in faqs] == ["What is it?", "Who made it?", 'What does it mean by "the public?"',
                                          "Where do we start? Now?"]
    assert all(p.section == "General" for p in faqs)
    assert [(p.kind, p.section) for p in d.passages][-1] == ("paragraph", "Summary")
    few = _md("# Doc\n\n## Intro\n\n### Why?\n\nBecause.\n\n### How\n\nSo.\n")
    assert not [p for p in few.passages if p.kind == "faq"], "one ? heading out of two is no Q&A page"


@pytest.mark.parametrize("name, src, written", [
    ("t.md", "---\ntitle: My Title\n---\n\n# My Title\n\nFirst words.\n", "# My Title"),  # the heading, not the front matter
    ("t.md", "---\ntitle: My Title\n---\n\nFirst words.\n", "title: My Title"),        # only the front matter
    ("t.txt", "My Title\n\nFirst words of the text, long enough to be a paragraph of its own here.\n", "My Title"),
    ("my-notes.md", "First words.\n", ""),                                               # from the file name: nowhere
])
def test_where_the_title_is_written(name, src, written):
    d = parse_source(name, name, src)
    start, end = d.title_span
    if not written:
        assert (start, end) == (0, 0)
        return
    assert src[start:end] == d.title and start == src.index(written) + written.index(d.title)


def test_title_from_the_first_h1_and_an_h1_equal_to_the_title_is_no_section():
    d = _md("---\ntitle: My Title\n---\n\n# My Title\n\nFirst words.\n\n# Other\n\nMore words.\n")
    assert d.title == "My Title" and [p.section for p in d.passages] == ["My Title", "Other"]
    assert d.headings == ("Other",)
    assert _md("Some *words*.\n\n# A *styled* [title](x)\n\nText.\n").title == "A styled title"


def test_html_blocks_blockquotes_and_bold_lines():
    src = ("# T\n\n<div class=\"box\">\n<p>Inside <em>HTML</em>, some words.</p>\n</div>\n\n"
           "> A quoted paragraph. It is prose.\n> &mdash; Someone\n\n**A bold line**\n\nText under it.\n\n<!-- a comment -->\n")
    d = _md(src)
    _check_invariants(d)
    assert [(p.kind, p.section, p.text) for p in d.passages] == [
        ("paragraph", "T", "Inside HTML, some words."),
        ("paragraph", "T", "A quoted paragraph. It is prose. — Someone"),
        ("paragraph", "A bold line", "Text under it.")]
    assert "A bold line" in d.headings


# --- the real articles of tests/data/corpus/ ----------------------------------------------------------------------

CORPUS_KINDS = {
    "carpentries-travel-reimbursement.md": {"paragraph": 25, "list": 22},  # its lists of paragraphs: a passage per item
    "federal-web-covid.md": {"paragraph": 18},
    "plain-language-memo-faq.md": {"paragraph": 7, "list": 9, "faq": 17},
    "rust-release-trains.md": {"paragraph": 25, "list": 1, "code": 9},
    "sharing-calendars-howto.md": {"paragraph": 8, "list": 5},  # its help links: bare URLs, shown as written,
    "sourdough-starter.md": {"paragraph": 16, "list": 1, "faq": 10},
    "tts-solutions-history.md": {"paragraph": 25, "list": 2},
    "semver-spec.md": {"paragraph": 15, "list": 12, "code": 3, "faq": 12},  # 11 numbered rules, 12 FAQ headings
    "tts-benefits-handbook.md": {"paragraph": 41, "list": 10},
}


@pytest.fixture(scope="module")
def corpus() -> dict:
    return {p.name: parse_source(p.name, str(p), p.read_text(encoding="utf-8")) for p in CORPUS_FILES}


def test_every_corpus_article_parses_into_clean_passages(corpus):
    assert sorted(corpus) == sorted(CORPUS_KINDS)
    for name, d in corpus.items():
        _check_invariants(d)
        assert dict(Counter(p.kind for p in d.passages)) == CORPUS_KINDS[name], name
        for p in d.passages:
            for s in p.sentences:
                assert not (s.text[0].islower() and not s.item), (name, p.id, s.text)  # no wrap fragment
                assert not re.search(r"\*\*|__|\{:|<[a-z/]|!\[", s.text), (name, s.text)
            if p.kind in ("paragraph", "faq"):
                assert "\n" not in p.text.replace("\n\n", ""), (name, p.id)  # wrapped lines joined


def test_corpus_code_blocks_stay_whole(corpus):
    rust = corpus["rust-release-trains.md"]
    code = [p for p in rust.passages if p.kind == "code"]
    assert code[0].text == "nightly: * - - * - - *" and all(p.sentences == () for p in code)
    assert any(p.text.startswith("> rustup toolchain list\nstable-x86_64") for p in code)
    assert not any("- - *" in s.text for p in rust.passages for s in p.sentences)
    wrapped = next(p for p in rust.passages if p.text.startswith("As a language, Rust cares"))
    assert wrapped.sentences[0].text == "As a language, Rust cares a lot about the stability of your code."


def test_corpus_faq_with_statement_headings(corpus):
    faqs = [p for p in corpus["sourdough-starter.md"].passages if p.kind == "faq"]
    assert len(faqs) == 10 and all(p.section == "FAQ" for p in faqs)
    smells = next(p for p in faqs if p.question == "My sourdough smells gross")
    assert smells.sentences[1].text == "The vinegary taste comes over time from bacteria creating lactic and acetic."


def test_corpus_question_page(corpus):
    d = corpus["plain-language-memo-faq.md"]
    faqs = [p for p in d.passages if p.kind == "faq"]
    assert len(faqs) == 17
    assert faqs[0].question == 'What does the presidential memo mean by "the public?"'
    assert {p.section for p in faqs} == {"General information", "Rulemaking documents", "Other documents"}
    before_after = next(p for p in d.passages if p.section == "What are common, everyday words?" and p.kind == "list")
    assert before_after.sentences[0].text.startswith("Before: When the process of freeing a vehicle")
    assert not any("example-side-by-side" in p.text for p in d.passages)


def test_corpus_nested_lists_and_interrupted_steps(corpus):
    trip = corpus["carpentries-travel-reimbursement.md"]
    submit = next(p for p in trip.passages if p.section == "Submitting Reimbursements" and p.kind == "list")
    assert [(s.text, s.depth) for s in submit.sentences if s.item][:3] == [
        ("Completed Expense Reimbursement Request form:", 0), ("Full Name", 1), ("Purpose of Travel", 1)]
    assert not any(p.section == "Contents" for p in trip.passages), "the table of contents is no passage"
    steps = next(p for p in corpus["sharing-calendars-howto.md"].passages if p.kind == "list")
    items = [s for s in steps.sentences if s.item and not s.cont]  # an item of several sentences is one item
    assert len(items) == 9 and items[-1].text.startswith("Finally, import the partner calendar")
    assert [s.depth for s in items] == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert "\n7. Finally" in steps.text



def test_an_escaped_link_text_keeps_its_offsets_out_of_the_link_target():
    """"[target\\_conditions](#target_conditions)": the link text holds "target_conditions" verbatim only in its
    target; the sentence's span used to jump there and end one character past its own text."""
    text = ("# T\n\nAs a workaround, place a [conditions](#conditions) or\n[target\\_conditions](#target_conditions) "
            "section within the\n[variables](#variables) section.\n")
    p = parse_source("t.md", "t.md", text).passages[0]
    s = p.sentences[-1]
    assert s.text.endswith("target_conditions section within the variables section.")
    assert text[s.start:s.end].endswith("(#variables) section.") and s.end <= p.end
    assert text[s.start:s.end].startswith("As a workaround")
