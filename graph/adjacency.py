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
