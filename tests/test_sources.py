"""Finding and reading source files: what is picked up, and one clear message per bad file."""
from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import SourceError
from index.ingest import read_sources
from index.sources import SourceFile, discover, read_source

GOOD = "# Notes\n\nA paragraph that says something. And a second sentence.\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a.md").write_text(GOOD)
    (tmp_path / "b.txt").write_text("Title line\nA plain text paragraph that is long enough to be a paragraph, ending with a period.\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.markdown").write_text(GOOD)
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "notes.rst").write_text(GOOD)
    (tmp_path / ".hidden.md").write_text(GOOD)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.md").write_text(GOOD)
    return tmp_path


def test_discover_finds_md_and_txt_recursively_and_skips_hidden(tree):
    found = discover([tree])
    assert [f.name for f in found] == ["a.md", "b.txt", "sub/c.markdown"]
    assert all(f.path.is_absolute() and f.path.exists() for f in found)


def test_discover_a_single_file_is_named_by_its_file_name(tree):
    assert discover([tree / "sub" / "c.markdown"]) == [SourceFile("c.markdown", (tree / "sub" / "c.markdown").resolve())]


def test_discover_a_missing_path_names_it(tmp_path):
    with pytest.raises(SourceError) as err:
        discover([tmp_path / "nope"])
    assert str(tmp_path / "nope") in str(err.value) and "\n" not in str(err.value)


def test_utf8_with_bom_is_fine(tmp_path):
    p = tmp_path / "bom.md"
    p.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    doc = read_source(SourceFile("bom.md", p))
    assert doc.title == "Notes" and doc.text == GOOD


@pytest.mark.parametrize("name,content,reason", [
    ("empty.md", b"", "is empty"),
    ("blank.txt", b"  \n\n\t\n", "is empty"),
    ("binary.md", b"\x00\x01\x02PK\x03\x04" * 20, "binary"),
    ("latin1.txt", "Caf\xe9 au lait, d\xe9j\xe0 vu.\n".encode("latin-1"), "not UTF-8"),
    ("headings-only.md", b"# Just a title\n\n## And a heading\n", "no paragraphs"),
    ("images-and-contents-only.md", b"# Title\n\n![a chart](chart.png)\n\n- [Part one](#part-one)\n- [Part two](#part-two)\n",
     "no paragraphs"),
])
def test_bad_sources_raise_one_line_naming_the_file(tmp_path, name, content, reason):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(SourceError) as err:
        read_source(SourceFile(name, p))
    msg = str(err.value)
    assert msg.startswith(f"{p}: ") and reason in msg and "\n" not in msg


def test_read_sources_keeps_going_past_bad_files(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00" * 50)
    (tmp_path / "latin1.md").write_bytes("r\xe9sum\xe9".encode("latin-1"))
    docs, errors, names = read_sources([tmp_path, tmp_path / "missing.md"])
    assert [d.source for d in docs] == ["good.md"]
    assert sorted(names) == ["binary.txt", "empty.md", "good.md", "latin1.md", "missing.md"]
    assert len(errors) == 4
    for bad in ("empty.md", "binary.txt", "latin1.md", "missing.md"):
        [line] = [e for e in errors if str(tmp_path / bad) in e]
        assert "\n" not in line


def test_the_same_file_given_twice_is_read_once(tmp_path):
    (tmp_path / "good.md").write_text(GOOD)
    docs, errors, names = read_sources([tmp_path, tmp_path / "good.md"])
    assert [d.source for d in docs] == ["good.md"] and not errors and names == ["good.md"]


def test_two_different_files_with_one_source_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "notes.md").write_text(GOOD)
    (tmp_path / "b" / "notes.md").write_text(GOOD.replace("something", "something else"))
    docs, errors, names = read_sources([tmp_path / "a", tmp_path / "b"])
    assert [d.path for d in docs] == [str((tmp_path / "a" / "notes.md").resolve())]
    assert len(errors) == 1 and str((tmp_path / "b" / "notes.md").resolve()) in errors[0] and "rename" in errors[0]
