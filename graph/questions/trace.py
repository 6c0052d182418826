"""Where things come from: citation trace, cited-by, inconsistencies, dependencies, paths."""

from __future__ import annotations

import contextlib
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from cchc_graph.graph.questions.index import Corpus, DocRef, Lazy, NotFound, prov
from cchc_graph.keys import fold_key, number_key
from cchc_graph.loaders.model import CITATION_RELATIONS, Provenance

if TYPE_CHECKING:
    import networkx as nx
    from cchc_graph.graph.questions.adjacency import Adjacency

CITING = CITATION_RELATIONS


@dataclass(frozen=True, slots=True)
class CitationHop:
    """``source`` cites ``target`` (a corpus document or an outside reference) at ``depth``."""

    depth: int
    source: DocRef
    target: DocRef
    citation: str
    relation: str
    number: str | None
    date: str | None
    issuer: str | None
    title: str | None
    resolved: bool
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Variant:
    value: str | None
    citations: tuple[str, ...]
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Inconsistency:
    """One cited number written with different dates, issuers or titles."""

    ref: str
    number: str | None
    field: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """One edge of a dependency or path answer."""

    source: str
    source_label: str
    target: str
    target_label: str
    type: str
    provenance: Provenance | None


def _hop(c: Corpus, cit: dict, depth: int) -> CitationHop:
    # "ref" is the cited node: the corpus document when resolved, else the outside reference
    return CitationHop(depth, c.doc_ref(cit["document"]), c.doc_ref(cit["ref"]), cit["id"],
                       cit["relation"], cit.get("number"), cit.get("date"), cit.get("issuer"),
                       cit.get("title"), bool(cit["resolves_to"]), prov(cit["provenance"]))


def cites(c: Corpus, document: str, depth: int = 1) -> list[CitationHop]:
    """What a document cites, then what those corpus documents cite, down to ``depth``."""
    start = c.find_document(document)
    out: list[CitationHop] = []
    seen, queue = {start}, deque([(start, 1)])
    while queue:
        doc, d = queue.popleft()
        for cit in sorted(c.by_document[doc]["citations"], key=lambda x: x["provenance"]["start"]):
            hop = _hop(c, cit, d)
            out.append(hop)
            nxt = hop.target.id
            if hop.resolved and d < depth and nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, d + 1))
    return out


def cited_by(c: Corpus, number_or_document: str, depth: int = 1) -> Sequence[CitationHop]:
    """Who cites a number (``45/2020/NĐ-CP``) or a document, then who cites those, to ``depth``.

    A document in the corpus is also found through citations that name it by title only.
    """
    frontier = set(_refs_by_number(c).get(number_key(number_or_document), ()))
    with contextlib.suppress(NotFound):
        frontier.add(c.find_document(number_or_document))
    if not frontier:
        from cchc_graph.graph.questions.suggest import document_choices, hint, nearest

        raise NotFound(f"không văn bản nào trích dẫn / nothing cites {number_or_document!r}"
                       + hint(nearest(number_or_document, document_choices(c))))
    citing = _citing(c)
    levels: list[list[tuple[int, dict]]] = []
    seen = set(frontier)
    for _ in range(depth):
        refs = [citing[r] for r in frontier if r in citing]
        # one cited node (the usual first hop) is already in order; several are merged
        levels.append(refs[0][0] if len(refs) == 1 else sorted(x for rows, _ in refs for x in rows))
        frontier = set().union(*(docs for _, docs in refs)) - seen
        seen |= frontier
        if not frontier:
            break
    return Lazy.chained([(rows, lambda x, d=d: _hop(c, x[1], d)) for d, rows in enumerate(levels, 1)])


def prepare(c: Corpus) -> None:
    """Build what cited-by, dependencies and paths read (a server does it after loading)."""
    _citing(c)
    _refs_by_number(c)
    _undirected(c, False)  # reads the edges by node (Corpus.adjacency), which dependencies read


def _citing(c: Corpus) -> dict[str, tuple[list[tuple[int, dict]], set[str]]]:
    """Cited node → its citations with their place (by citing document, then place in it),
    and the citing documents (built once per corpus)."""
    def build() -> dict[str, tuple[list[tuple[int, dict]], set[str]]]:
        place = c.places("citations", c.citations.values,
                         lambda ci: (ci["document"], ci["provenance"]["start"]))
        return {ref: (sorted((place[id(ci)], ci) for ci in cis), {ci["document"] for ci in cis})
                for ref, cis in c.citations_by_ref.items()}
    return c.derived("citing", build, large=True)


def _refs_by_number(c: Corpus) -> dict[str, set[str]]:
    """Normalized cited number → the nodes its citations point to (built once per corpus)."""
    def build() -> dict[str, set[str]]:
        index: dict[str, set[str]] = defaultdict(set)
        for ci in c.citations.values():
            if ci.get("number"):
                index[number_key(ci["number"])].add(ci["ref"])
        return index
    return c.derived("refs_by_number", build)


def citation_status(c: Corpus, resolved: bool | None = None) -> list[CitationHop]:
    """Every citation, or only those that resolve (True) / do not resolve (False) in the corpus."""
    return [_hop(c, ci, 1) for ci in c.citations.values()
            if resolved is None or bool(ci["resolves_to"]) == resolved]


def _norm(field: str, value: str | None) -> str | None:
    if not value:
        return None
    return value if field == "date" else fold_key(value)


def inconsistencies(c: Corpus) -> list[Inconsistency]:
    """Numbers cited with different dates, issuers or titles in different places."""
    out = []
    for ref, cits in sorted(c.citations_by_ref.items()):
        if len(cits) < 2:
            continue
        for field in ("date", "issuer", "title"):
            groups: dict[str, list[dict]] = defaultdict(list)
            for ci in cits:
                if (v := _norm(field, ci.get(field))) is not None:
                    groups[v].append(ci)
            if len(groups) > 1 and not _one_contains_others(list(groups), field):
                out.append(Inconsistency(ref, cits[0].get("number"), field, tuple(
                    Variant(g[0].get(field), tuple(x["id"] for x in g), prov(g[0]["provenance"]))
                    for g in groups.values())))
    return out


def _one_contains_others(values: list[str], field: str) -> bool:
    """A shortened title or issuer ("Chính phủ" / "Chính phủ nước CHXHCN Việt Nam") is no conflict."""
    if field == "date":
        return False
    longest = max(values, key=len)
    return all(f" {v} " in f" {longest} " for v in values)


# --- dependencies and paths ------------------------------------------------------------------

# (edge type, direction) meaning "the node depends on the other end": a task depends on its
# document, a document on what it implements or rests on, a target on its indicator.
DEPENDS = {("has_task", "in"), ("sets_target", "in"), ("measured_by", "out"), ("in_area", "out"),
           ("refines", "out"), *((r, "out") for r in CITATION_RELATIONS)}
STRUCTURAL = {"in_jurisdiction", "part_of", "succeeded_by", "in_area"}


def _link(c: Corpus, s: str, t: str, data: dict) -> Link:
    return Link(s, c.label(s), t, c.label(t), data["type"], prov(data.get("provenance")))


def _check(c: Corpus, nid: str) -> None:
    if nid not in c.adjacency:
        raise NotFound(f"không có thực thể / no entity with id {nid!r}")


def dependencies(c: Corpus, entity: str, depth: int = 1) -> tuple[Lazy[Link], Lazy[Link]]:
    """(what ``entity`` depends on, what depends on it), following DEPENDS to ``depth``; the
    links are built when read (a hub at depth 10 has hundreds of thousands)."""
    _check(c, entity)
    g = c.adjacency  # the node's edges as the typed graph has them, without building it
    return (Lazy(_walk(g, entity, depth, upstream=True), lambda e: _link(c, *e)),
            Lazy(_walk(g, entity, depth, upstream=False), lambda e: _link(c, *e)))


def _walk(g: Adjacency, start: str, depth: int, upstream: bool) -> list[tuple]:
    # Upstream: follow "out" edges forward and "in" edges backward; downstream the reverse.
    fwd, back = ("out", "in") if upstream else ("in", "out")
    out, seen, frontier = [], {start}, [start]
    for _ in range(depth):
        nxt = []
        for n in frontier:
            steps = [(t, s, t, d) for s, t, d in g.out_edges(n) if (d["type"], fwd) in DEPENDS]
            steps += [(s, s, t, d) for s, t, d in g.in_edges(n) if (d["type"], back) in DEPENDS]
            for other, s, t, d in steps:
                out.append((s, t, d))
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    return out


def path(c: Corpus, source: str, target: str, structural: bool = False) -> list[Link]:
    """The shortest chain of facts linking two entities, edges in either direction.

    Jurisdiction, area and succession edges join almost everything; they are skipped unless
    ``structural`` is set, so the answer is a chain of facts rather than "both are in Vietnam".
    """
    _check(c, source)
    _check(c, target)
    import networkx as nx

    ug = _undirected(c, structural)
    try:
        nodes = nx.shortest_path(ug, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []
    out = []
    for a, b in pairwise(nodes):
        s, t, data = ug.edges[a, b]["edge"]
        out.append(_link(c, s, t, data))
    return out


def _undirected(c: Corpus, structural: bool) -> nx.Graph:
    return c.derived(("undirected", structural), lambda: _build_undirected(c, structural), large=True)


def _build_undirected(c: Corpus, structural: bool) -> nx.Graph:
    import networkx as nx

    ug = nx.Graph()
    adj = c.adjacency  # the typed graph's nodes and edges in its order, without building it
    ug.add_nodes_from(adj.nodes)
    for s, t, data in adj.edges():
        if structural or data["type"] not in STRUCTURAL:
            ug.add_edge(s, t, edge=(s, t, data))
    return ug
