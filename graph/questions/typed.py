"""The typed graph as the database holds it: nodes, their attributes, each node's edges.

The nodes are the export's records (``NODE_TABLES``, in that order; a record's ``type`` is its
list's) and the ends of edges that have none (``unknown``). A node's edges come from the
``edges`` table, plus ``refines`` edges from each paired child target to its parent's (the
cascade's pairs, computed for the targets asked about), and read as networkx's
``MultiDiGraph.out_edges``/``in_edges`` (``data=True``) give them: grouped by the other end
in the order it was first linked, one per key (the citation, else the type), a repeated key's
attributes updated by the later edge. Questions and graph pages read only the nodes they
visit; ``networkx`` graphs are built from the subgraphs they fetch (``graph.exports`` builds
the whole one from the export).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from cchc_graph.graph.questions.index import NODE_TABLES, Corpus
from cchc_graph.graph.questions.refines import pair, parents_of
from cchc_graph.graph.questions.tables import EXPORT_ORDER, json_list
from cchc_graph.graph.store import edges as stored_edges
from cchc_graph.loaders.schema import to_dict

Edge = tuple[str, str, dict[str, Any]]
NODE_TYPES = {"documents": "document", "jurisdictions": "jurisdiction", "agencies": "agency",
              "tasks": "task", "targets": "target", "indicators": "indicator", "references": "document",
              "areas": "area"}


def attributes(c: Corpus, node: str) -> dict[str, Any]:
    """The node's attributes as the typed graph has them: its record(s) (a later list's
    updating an earlier one's), ``type`` and ``in_corpus``; an edge end with no record is
    ``unknown``; KeyError for no node."""
    a: dict[str, Any] = {}
    for name in NODE_TABLES:
        table = getattr(c, name)
        if node in table:
            a.update(table[node])
            a["type"] = NODE_TYPES[name]
            if name in ("references", "documents"):
                a["in_corpus"] = name == "documents"
    if not a:
        if not c.has_node(node):
            raise KeyError(node)
        a = {"type": "unknown", "id": node}
    return a


def kinds(c: Corpus) -> dict[str, str]:
    """Every node's kind (a page's kinds: ``reference`` for a document outside the corpus), in
    the graph's order."""
    out: dict[str, str] = {}
    for name, table in NODE_TABLES.items():
        kind = "reference" if name == "references" else NODE_TYPES[name]
        for (i,) in c.rows(f"SELECT id FROM {table} ORDER BY {EXPORT_ORDER}"):
            out[i] = kind  # a later list's record updates the node: its type too
    for s, t in c.rows(f"SELECT source, target FROM edges ORDER BY {EXPORT_ORDER}"):
        out.setdefault(s, "unknown")
        out.setdefault(t, "unknown")
    return out


def positions(c: Corpus, nodes: Iterable[str]) -> dict[str, tuple[Any, ...]]:
    """Each node's place in the graph's order: the node lists in turn, each in the export's
    order; an edge end with no record after them all, where an edge first names it."""
    left, out = set(nodes), {}
    for k, table in enumerate(NODE_TABLES.values()):
        if not left:
            break
        for i, null, doc, ord_ in c.rows(f"SELECT id, doc IS NULL, doc, ord FROM {table} WHERE id IN "
                                         "(SELECT value FROM json_each(?))", (json_list(left),)):
            out[i] = (k, null, doc or "", ord_, 0)
        left -= out.keys()
    if left:
        where = "{{{}}} IN (SELECT value FROM json_each(?1))"
        sides = (f"SELECT {end}, {k}, doc IS NULL, doc, ord FROM ("
                 + stored_edges.select((end, "doc", "ord"), where.format(end)) + ")"
                 for k, end in enumerate(("source", "target")))
        for i, side, null, doc, ord_ in c.rows(" UNION ALL ".join(sides), (json_list(left),)):
            place = (len(NODE_TABLES), null, doc or "", ord_, side)
            out[i] = min(out.get(i, place), place)
    return out


ROWS = "_rows"  # an edge read without its record: the rows it was merged from (arm, rid), in order


def _grouped(edges: Iterable[dict[str, Any]], other: str) -> list[Edge]:
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for e in edges:
        by_key = groups.setdefault(e[other], {})
        key = e.get("citation") or e["type"]
        if key in by_key:
            was = by_key[key]
            e = {**was, **e, ROWS: was[ROWS] + e[ROWS]} if ROWS in e and ROWS in was else {**was, **e}
        by_key[key] = e
    return [(e["source"], e["target"], e) for by_key in groups.values() for e in by_key.values()]


def edges_of(c: Corpus, nodes: Sequence[str], out: bool, records: bool = True,
             kinds: Iterable[str] | None = None) -> dict[str, list[Edge]]:
    """Each node's out-edges (``out``) or in-edges, as the typed graph gives them. Without
    ``records`` a stored edge holds only its ends, type and citation, and the rows it is made of
    (``full`` reads it whole): a walk over hundreds of thousands of edges reads their columns.
    ``kinds``: only the edges of these types, and those of a citation (one of which may end up
    of another type when a later edge of the citation updates it)."""
    end, other = ("source", "target") if out else ("target", "source")
    raw: dict[str, list[dict[str, Any]]] = defaultdict(list)
    params = [json_list(set(nodes))] + ([] if kinds is None else [json_list(set(kinds))])
    union = stored_edges.select((end, "arm", "rid", "source", "target", "type", "citation", "doc", "ord")
                                + (("rec",) if records else ()),
                                f"{{{end}}} IN (SELECT value FROM json_each(?1))", kinds)
    rows = c.rows(f"SELECT * FROM ({union}) ORDER BY {EXPORT_ORDER}", params)
    if records:
        for n, arm, _, s, t, kind, citation, _, _, rec in rows:
            raw[n].append(_record(c, arm, s, t, kind, citation, rec))
    else:
        for n, arm, rid, s, t, kind, citation, _, _ in rows:
            raw[n].append({"source": s, "target": t, "type": kind, "citation": citation, ROWS: ((arm, rid),)})
    for n, e in _refines(c, nodes, out):
        raw[n].append(e)
    return {n: _grouped(raw.get(n, ()), other) for n in nodes}


def _record(c: Corpus, arm: int, source: str, target: str, kind: str, citation: str | None,
            rec: bytes) -> dict[str, Any]:
    """An edge's record from its arm's columns and its row's ``rec`` (decoded only if needed)."""
    return stored_edges.record(arm, source, target, kind, citation, lambda: c.decode(rec))


def edges_where(c: Corpus, where: str, params: Sequence[Any]) -> Iterator[dict[str, Any]]:
    """The records of the edges meeting ``where`` (its columns named in braces, its parameters
    numbered: ``graph.store.edges.select``), unordered."""
    union = stored_edges.select(("arm", "source", "target", "type", "citation", "rec"), where)
    for arm, s, t, kind, citation, rec in c.rows(union, params):
        yield _record(c, arm, s, t, kind, citation, rec)


def full(c: Corpus, edge: dict[str, Any]) -> dict[str, Any]:
    """An edge's attributes as ``edges_of`` gives them with its records (the rows it was merged
    from, read and merged in the same order)."""
    if ROWS not in edge:
        return edge
    merged: dict[str, Any] = {}
    for arm, rid in edge[ROWS]:
        s, t, kind, citation, rec = c.rows(stored_edges.by_row(arm), (rid,))[0]
        merged.update(_record(c, arm, s, t, kind, citation, rec))
    return merged


def out_edges(c: Corpus, node: str) -> list[Edge]:
    return edges_of(c, [node], True)[node]


def in_edges(c: Corpus, node: str) -> list[Edge]:
    return edges_of(c, [node], False)[node]


def degree(c: Corpus, node: str) -> int:
    return len(out_edges(c, node)) + len(in_edges(c, node))


def refines_edge(row: Any) -> dict[str, Any]:
    """The ``refines`` edge of a paired ``CascadeRow``: from the child target to its parent's."""
    return {"source": row.child.id, "target": row.parent.id, "type": "refines", "status": row.status,
            "provenance": to_dict(row.child.provenance)}


def _refines(c: Corpus, nodes: Sequence[str], out: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    """The ``refines`` edges of the targets among ``nodes``, as (node, edge), in the order the
    corpus's pairs come (documents in order, each against its parents in turn)."""
    targets = c.rows("SELECT id, doc FROM targets WHERE id IN (SELECT value FROM json_each(?))",
                     (json_list(set(nodes)),))
    if not targets:
        return
    wanted = {t for t, _ in targets}
    if out:  # a child target: its own document against each parent
        docs = json_list({d for _, d in targets})
    else:  # a parent target: the documents citing its document, each against its parents
        docs = json_list(d for (d,) in c.rows(
            "SELECT DISTINCT doc FROM citations WHERE resolves_to IN (SELECT value FROM json_each(?))",
            (json_list({d for _, d in targets}),)))
    for (doc,) in c.rows(f"SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?)) "
                         f"ORDER BY {EXPORT_ORDER}", (docs,)):
        for pid, _ in parents_of(c, doc):
            for row in pair(c, doc, pid):
                if row.child and row.parent:
                    node = row.child.id if out else row.parent.id
                    if node in wanted:
                        yield node, refines_edge(row)


def node_kinds(c: Corpus, nodes: Iterable[str]) -> dict[str, str]:
    """The kinds of ``nodes`` (as ``kinds``); nodes of the graph only."""
    wanted, out = set(nodes), {}
    p = json_list(wanted)
    for name, table in NODE_TABLES.items():
        kind = "reference" if name == "references" else NODE_TYPES[name]
        for (i,) in c.rows(f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))", (p,)):
            out[i] = kind
    out.update((n, "unknown") for n in wanted - out.keys() if c.has_node(n))
    return out


def in_graph_order(c: Corpus, nodes: Iterable[str]) -> list[str]:
    """``nodes`` in the graph's order."""
    place = positions(c, nodes)
    return sorted(place, key=place.__getitem__)


def degrees(c: Corpus, nodes: Iterable[str]) -> dict[str, int]:
    """Each node's edges, in and out (as ``degree``)."""
    nodes = list(set(nodes))
    out = dict.fromkeys(nodes, 0)
    for end, other in (("source", "target"), ("target", "source")):
        union = stored_edges.select((end, other, "type", "citation"),
                                    f"{{{end}}} IN (SELECT value FROM json_each(?1))")
        for n, k in c.rows(f"SELECT {end}, count(*) FROM (SELECT DISTINCT {end}, {other}, "
                           f"coalesce(nullif(citation, ''), type) FROM ({union})) GROUP BY {end}",
                           (json_list(nodes),)):
            out[n] += k
    for direction in (True, False):
        pairs = {(n, e["target"] if direction else e["source"]) for n, e in _refines(c, nodes, direction)}
        for n, _ in pairs:
            out[n] += 1
    return out
