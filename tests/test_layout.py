"""The package layout stays one-way: no import circles among the modules of assistant/ and index/ (imports inside
functions count too), and no module imports another module's private names (``from .x import _helper``)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WALKED = ("assistant", "index")  # the packages whose import graph is checked
OURS = ("assistant", "index", "ui")  # a name starting with "_" may not be imported from any of these


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in WALKED for p in sorted((ROOT / pkg).rglob("*.py"))}


def imports(name: str, path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of the module (anywhere in it): (imported module, names taken from it, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, [alias.name for alias in node.names], node.lineno))
    return out


def graph() -> dict[str, set[str]]:
    """module → the modules of WALKED it imports (``from pkg import mod`` counts as importing ``pkg.mod``)."""
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for target, names, _ in imports(name, path):
            hits = {f"{target}.{n}" for n in names if f"{target}.{n}" in mods}
            if len(hits) < len(names) or not names:  # some names are attributes of `target` itself
                hits |= {target} if target in mods else set()
            edges[name] |= hits - {name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def describe(comp: list[str], edges: dict[str, set[str]]) -> str:
    inside = set(comp)
    return "; ".join(f"{m} → {', '.join(sorted(edges[m] & inside))}" for m in comp)


def test_the_walk_finds_the_sub_packages():
    mods = modules()
    for name in ("assistant", "assistant.cli", "assistant.evaluation", "assistant.evaluation.reports",
                 "assistant.evaluation.scoring", "assistant.cli.boundary"):
        assert name in mods, name


def test_the_graph_sees_relative_and_function_local_imports():
    edges = graph()
    assert "assistant.evaluation.golden" in edges["assistant.evaluation.scoring"]  # `from . import golden`
    assert "assistant.evaluation.draft" in edges["assistant.cli.golden"]  # imported inside the command
    assert "assistant.evaluation.reports.common" in edges["assistant.evaluation.reports.html"]  # `from .common import`


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    edges = graph()
    found = cycles(edges)
    assert not found, "import circles:\n" + "\n".join(describe(c, edges) for c in found)


@pytest.mark.parametrize("pkg", ["assistant.cli", "assistant.evaluation"])
def test_no_import_cycles_touch_the_sub_package(pkg):
    """The same check, reported per sub-package (so a circle elsewhere does not hide these)."""
    edges = graph()
    found = [c for c in cycles(edges) if any(m == pkg or m.startswith(pkg + ".") for m in c)]
    assert not found, "import circles:\n" + "\n".join(describe(c, edges) for c in found)


def test_no_private_names_imported_from_our_modules():
    bad = []
    for name, path in modules().items():
        for target, names, line in imports(name, path):
            if target.split(".")[0] not in OURS:
                continue
            private = [n for n in names + target.split(".") if n.startswith("_") and not n.endswith("__")]
            if private:
                bad.append(f"{path.relative_to(ROOT)}:{line}: {', '.join(private)} from {target}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)
