"""The import graph of cchc_graph's modules has no cycle: data flows one way, and a module
never waits on one that waits on it. Imports inside functions count too; those under
``if TYPE_CHECKING:`` do not (Python never runs them: they name types for annotations)."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
from conftest import ROOT


def modules() -> dict[str, Path]:
    """Every module of the installed package, by name, read from pyproject's package-dir."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    out = {}
    for package, folder in config["package-dir"].items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((package, *parts))
            out[name.removesuffix(".__init__")] = path
    return out


def _run(node: ast.AST) -> Iterator[ast.AST]:
    """Every node Python may run: all but the bodies of ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                yield other
                yield from _run(other)
            continue
        yield child
        yield from _run(child)


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules ``name`` imports anywhere it may run, inside functions too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in _run(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            # `from package import module` imports the module
            out |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
    return {m for m in out if m in known and m != name}


def import_graph() -> nx.DiGraph:
    mods = modules()
    g = nx.DiGraph()
    g.add_nodes_from(mods)
    for name, path in mods.items():
        g.add_edges_from((name, m) for m in imported(name, path, set(mods)))
    return g


def test_the_walk_sees_the_package() -> None:
    g = import_graph()
    assert {"cchc_graph.keys", "cchc_graph.loaders.pipeline", "cchc_graph.graph.questions.index",
            "cchc_graph.api.cli"} <= set(g)
    assert ("cchc_graph.loaders.lexicon", "cchc_graph.keys") in g.edges  # an absolute import
    assert ("cchc_graph.loaders.extract.citations", "cchc_graph.loaders.extract.grammar") in g.edges  # relative
    assert ("cchc_graph.loaders.extract.citations", "cchc_graph.loaders.admin") in g.edges  # from .. import m
    assert ("cchc_graph.graph.exports.formats", "cchc_graph.graph.exports.rdf") in g.edges  # in a function
    # only for annotations: refines names the Corpus that reads it
    assert ("cchc_graph.graph.questions.refines", "cchc_graph.graph.questions.index") not in g.edges


def test_no_import_cycle() -> None:
    cycles = [" → ".join([*c, c[0]]) for c in nx.simple_cycles(import_graph())]
    assert not cycles, "\n".join(sorted(cycles))
