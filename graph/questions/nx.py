"""The typed networkx graph, built from the JSON export (the store's ``graph.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
from cchc_graph.graph.questions.typed import NODE_TYPES


def to_networkx(export: Mapping[str, Any]) -> nx.MultiDiGraph:
    """Nodes carry ``type`` and their record; edges carry ``type`` and ``provenance``."""
    g = nx.MultiDiGraph()
    for key, ntype in NODE_TYPES.items():
        for rec in export.get(key) or []:
            attrs = dict(rec)
            attrs["type"] = ntype
            if key == "references":
                attrs["in_corpus"] = False
            elif key == "documents":
                attrs["in_corpus"] = True
            g.add_node(rec["id"], **attrs)
    for e in export.get("edges") or []:
        for end in (e["source"], e["target"]):
            if end not in g:
                g.add_node(end, type="unknown", id=end)
        attrs = {k: v for k, v in e.items() if k not in ("source", "target")}
        g.add_edge(e["source"], e["target"], key=e.get("citation") or e["type"], **attrs)
    return g
