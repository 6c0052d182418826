"""The typed graph's edges by node, read from the export without building the graph.

Questions that follow a node's edges (dependencies) and that ask whether a node exists need
only these lists: the networkx graph (``Corpus.graph``) copies every record and edge and takes
~5 s at 10,000 documents, these lists well under a second. Edges come out as
``networkx.MultiDiGraph.out_edges`` and ``in_edges`` (with ``data=True``) give them: grouped by
the other end in the order it was first linked, one per key (the citation, else the type), a
repeated key's attributes updated by the later edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cached_property
from typing import Any

Edge = tuple[str, str, dict[str, Any]]
# the export's lists of nodes, and the type each list's nodes have in the typed graph
NODE_LISTS = {
    "documents": "document", "jurisdictions": "jurisdiction", "agencies": "agency",
    "tasks": "task", "targets": "target", "indicators": "indicator", "references": "document",
    "areas": "area",
}


class Adjacency:
    """``edges``: dicts with ``source``, ``target``, ``type`` (and ``citation``), in the order
    the typed graph adds them; ``nodes``: the ids of the records (edge ends are nodes too)."""

    def __init__(self, edges: list[dict[str, Any]], nodes: Iterable[str]) -> None:
        self._edges = edges
        self._out: dict[str, list[int]] = {}
        self._in: dict[str, list[int]] = {}
        # the typed graph's nodes in its order: the records, then edge ends not among them
        self.nodes: dict[str, None] = dict.fromkeys(nodes)
        add = self.nodes.setdefault
        for i, e in enumerate(edges):
            s, t = e["source"], e["target"]
            self._out.setdefault(s, []).append(i)
            self._in.setdefault(t, []).append(i)
            add(s)
            add(t)

    def __contains__(self, node: str) -> bool:
        return node in self.nodes

    def edges(self) -> Iterator[Edge]:
        """Every edge, in the order of the typed graph's ``edges(data=True)``."""
        for node in self.nodes:
            yield from self.out_edges(node)

    def out_edges(self, node: str) -> list[Edge]:
        return self._grouped(self._out.get(node, ()), "target")

    def in_edges(self, node: str) -> list[Edge]:
        return self._grouped(self._in.get(node, ()), "source")

    def _grouped(self, indices: Iterable[int], other: str) -> list[Edge]:
        groups: dict[str, dict[str, dict[str, Any]]] = {}
        for i in indices:
            e = self._edges[i]
            by_key = groups.setdefault(e[other], {})
            key = e.get("citation") or e["type"]
            by_key[key] = {**by_key[key], **e} if key in by_key else e
        return [(e["source"], e["target"], e) for by_key in groups.values() for e in by_key.values()]


class TypedGraph:
    """What the graph pages read of the typed graph, as networkx's ``MultiDiGraph`` answers it
    (``nodes``, ``nodes[n]``, ``n in g``, ``in_edges``/``out_edges``/``edges`` with data,
    ``degree``), made from the export's records and an ``Adjacency``: a page focused on a few
    nodes reads only theirs, and nothing the size of the corpus is copied. Edges always come
    with their data (``data`` is accepted as networkx takes it)."""

    def __init__(self, export: dict[str, Any], adjacency: Adjacency) -> None:
        self._export = export
        self._adj = adjacency
        self._attrs: dict[str, dict[str, Any]] = {}
        self.nodes = _NodeView(self)

    @cached_property
    def _records(self) -> dict[str, list[tuple[str, dict[str, Any]]]]:
        out: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for key in NODE_LISTS:
            for rec in self._export.get(key) or []:
                out.setdefault(rec["id"], []).append((key, rec))
        return out

    def attributes(self, node: str, keep: bool = True) -> dict[str, Any]:
        """The node's attributes as ``to_networkx`` sets them: its record(s), ``type`` and
        ``in_corpus``; an edge end with no record is ``unknown``. ``keep``: made once per node
        (iterating every node's does not keep them)."""
        a = self._attrs.get(node)
        if a is None:
            if node not in self._adj:
                raise KeyError(node)
            a = {}
            for key, rec in self._records.get(node, ()):  # a later list updates, as add_node does
                a.update(rec)
                a["type"] = NODE_LISTS[key]
                if key in ("references", "documents"):
                    a["in_corpus"] = key == "documents"
            if not a:
                a = {"type": "unknown", "id": node}
            if keep:
                self._attrs[node] = a
        return a

    def __contains__(self, node: object) -> bool:
        return node in self._adj

    def out_edges(self, node: str, data: bool = True) -> list[Edge]:
        return self._adj.out_edges(node)

    def in_edges(self, node: str, data: bool = True) -> list[Edge]:
        return self._adj.in_edges(node)

    def edges(self, data: bool = True) -> Iterator[Edge]:
        return self._adj.edges()

    def degree(self, node: str) -> int:
        return len(self._adj.out_edges(node)) + len(self._adj.in_edges(node))


class _NodeView:
    """``g.nodes``: iterated in the graph's order, indexed by id, called for ``(id, attrs)``."""

    def __init__(self, g: TypedGraph) -> None:
        self._g = g

    def __iter__(self) -> Iterator[str]:
        return iter(self._g._adj.nodes)

    def __len__(self) -> int:
        return len(self._g._adj.nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._g

    def __getitem__(self, node: str) -> dict[str, Any]:
        return self._g.attributes(node)

    def __call__(self, data: bool = False) -> Iterator[Any]:
        if not data:
            return iter(self)
        return ((n, self._g.attributes(n, keep=False)) for n in self)
