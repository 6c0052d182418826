"""Where things come from: citation trace, cited-by, inconsistencies, dependencies, paths."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Any, TypeVar

from cchc_graph.graph.questions import typed
from cchc_graph.graph.questions.index import Corpus, DocRef, NotFound, prov
from cchc_graph.graph.questions.tables import (
    EXPORT_ORDER,
    IN_LIST,
    Answers,
    Windowed,
    export_ordered,
    findings_kept,
    json_list,
)
from cchc_graph.keys import number_key
from cchc_graph.loaders.schema import CITATION_RELATIONS, Provenance

K = TypeVar("K")  # the keys a citation hop is read by

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
    frontier = {r for (r,) in c.rows("SELECT DISTINCT ref FROM citations WHERE number_key = ?",
                                      (number_key(number_or_document),))}
    named = c.named_document(number_or_document)
    if named is not None:
        frontier.add(named)
    if not frontier:
        from cchc_graph.graph.questions.suggest import document_choices, hint, nearest

        raise NotFound(f"không văn bản nào trích dẫn / nothing cites {number_or_document!r}"
                       + hint(nearest(number_or_document, document_choices(c))))
    keys = Citing(c, frontier, depth, c.kept(("cited_by", frozenset(frontier), depth), dict))
    return _hops(c, keys, lambda k: k[1], lambda k: k[0])


class Citing(Windowed[tuple[int, int]]):
    """(depth, citation row) of the citations of the cited nodes (``frontier``), then of those
    citing them, to ``depth``, each level by citing document and place in it; read a window
    at a time. Each level is counted without its rows read in order: a number cited by
    thousands shows its first page without sorting them (the first level's order is the index
    ``citations_ref_doc_start``'s). A level's cited nodes are listed (the
    documents citing in the level before, less those met) only when a later level needs them;
    the last level's stay a subquery over the level before, so that its count is one read (the
    documents citing a number cited by thousands are not sent back and forth)."""

    RUN = 500  # rows read at once when iterated
    _ORDER = "ORDER BY doc, start, rowid"
    # the nodes cited in the level after one (its cited nodes listed), less those met (listed)
    _NEXT = f"SELECT doc FROM citations WHERE ref {IN_LIST} AND doc NOT {IN_LIST}"
    _LISTED = "SELECT value FROM json_each(?)"  # cited nodes listed

    def __init__(self, c: Corpus, frontier: set[str], depth: int, kept: dict[Any, Any]) -> None:
        super().__init__(kept)
        self._c, self._frontier, self._depth = c, frontier, depth

    def _levels(self) -> list[tuple[str, tuple[str, ...], int]]:
        """Each level: the SQL of its cited nodes, its parameters, how many citations it holds."""
        got = self._kept.get("levels")
        if got is None:
            levels: list[tuple[str, tuple[str, ...], int]] = []
            cited: tuple[str, tuple[str, ...]] = (self._LISTED, (json_list(self._frontier),))
            listed, seen = set(self._frontier), set(self._frontier)
            for d in range(self._depth):
                sql, params = cited
                n = int(self._c.rows(f"SELECT count(*) FROM citations WHERE ref IN ({sql})", params)[0][0])
                if not n:
                    break
                levels.append((sql, params, n))
                if d + 2 == self._depth:  # the next is the last: a subquery over this one
                    cited = (self._NEXT, (json_list(listed), json_list(seen)))
                elif d + 1 < self._depth:  # listed: a later level is made from it
                    listed = {doc for (doc,) in self._c.rows(
                        f"SELECT DISTINCT doc FROM citations WHERE ref IN ({sql})", params)} - seen
                    seen |= listed
                    if not listed:
                        break
                    cited = (self._LISTED, (json_list(listed),))
            got = self._kept["levels"] = levels  # (whole, at once: requests share it)
        return got  # type: ignore[no-any-return]

    def _count(self) -> int:
        return sum(n for _, _, n in self._levels())

    def _window(self, start: int, stop: int) -> list[Any]:
        out, at = [], 0
        for d, (sql, params, n) in enumerate(self._levels(), 1):
            if start < at + n and at < stop:  # the window falls in this level
                lo, hi = max(start - at, 0), min(stop - at, n)
                rows = self._c.rows(f"SELECT rowid FROM citations WHERE ref IN ({sql}) {self._ORDER} "
                                    "LIMIT ? OFFSET ?", (*params, hi - lo, lo))
                out += [(d, r) for (r,) in rows]
            at += n
        return out

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for d, (sql, params, _) in enumerate(self._levels(), 1):
            for run in self._c.runs(f"SELECT rowid FROM citations WHERE ref IN ({sql}) {self._ORDER}", params,
                                    self.RUN):
                yield from ((d, r) for (r,) in run)

    def __repr__(self) -> str:
        return f"Citing({sorted(self._frontier)!r}, {self._depth})"


def citation_status(c: Corpus, resolved: bool | None = None) -> Sequence[CitationHop]:
    """Every citation, or only those that resolve (True) / do not resolve (False) in the corpus."""
    where = {None: "1", True: "resolves_to <> ''", False: "coalesce(resolves_to, '') = ''"}[resolved]
    # (a window at a time: a client pages through tens of thousands, asked again after each upload)
    rowids = export_ordered(c, "citations", "rowid", where, (), c.kept(("citations", resolved), dict))
    return _hops(c, rowids, lambda r: r, lambda r: 1)


def _hops(c: Corpus, keys: Sequence[K], rowid: Callable[[K], int], depth: Callable[[K], int]
          ) -> Answers[CitationHop]:
    """The hops of citation rows (``rowid`` of each key, at ``depth``), a run of them read at
    once: their records, then the documents they name (a page in two reads, not two a hop)."""
    read: dict[int, dict[str, Any]] = {}

    def read_run(run: Sequence[K]) -> None:
        read.update((r, c.decode(rec)) for r, rec in c.rows(
            f"SELECT rowid, rec FROM citations WHERE rowid {IN_LIST}", (json_list(map(rowid, run)),)))
        c.read_refs([d for k in run if (cit := read.get(rowid(k))) for d in (cit["document"], cit["ref"])])

    def build(k: K) -> CitationHop:
        r = rowid(k)
        return _hop(c, read.pop(r, None) or c.by_rowid("citations", r), depth(k))
    return Answers(keys, build, read_run)


# what each field of a citation is compared by: the date as written, issuers and titles folded
_COMPARED = {"date": "date", "issuer": "issuer_fold", "title": "title_fold"}


def inconsistencies(c: Corpus, refs: Sequence[str] | None = None) -> Sequence[Inconsistency]:
    """Numbers cited with different dates, issuers or titles in different places (those of
    the references ``refs`` when given). Those of the whole corpus, when the store keeps the
    audit's findings of its data: which references have some, and how many, read there, and
    only those shown found (each upload's new data needs no whole-corpus pass, ~0.2 s at
    10,000 documents); else all found, kept for the data's version."""
    if refs is not None:
        return _inconsistencies(c, refs)
    if not findings_kept(c):
        return c.derived("inconsistencies", lambda: _inconsistencies(c, None))
    # (the check "inconsistent" makes one finding of each inconsistency, unit: its reference)
    keys = c.derived("inconsistent refs", lambda: [(ref, i) for ref, n in c.rows(
        "SELECT unit, count(*) FROM findings WHERE kind = 'inconsistent' GROUP BY unit ORDER BY unit")
        for i in range(n)])
    found: dict[str, list[Inconsistency]] = c.derived("inconsistencies by ref", dict)  # (as found)

    def read(run: Sequence[tuple[str, int]]) -> None:
        todo = sorted({ref for ref, _ in run} - found.keys())
        got: dict[str, list[Inconsistency]] = {ref: [] for ref in todo}
        for inc in _inconsistencies(c, todo) if todo else ():
            got[inc.ref].append(inc)
        found.update(got)  # (whole: another request may read them meanwhile)

    def build(key: tuple[str, int]) -> Inconsistency:
        read([key])
        return found[key[0]][key[1]]
    return Answers(keys, build, read)


def _inconsistencies(c: Corpus, refs: Sequence[str] | None) -> list[Inconsistency]:
    having = " OR ".join(f"count(DISTINCT {col}) > 1" for col in _COMPARED.values())
    among = f"WHERE ref {IN_LIST} " if refs is not None else ""
    rows = c.rows(f"SELECT ref, rowid, id, number, {', '.join(_COMPARED.values())} FROM citations "
                  f"WHERE ref IN (SELECT ref FROM citations {among}GROUP BY ref HAVING {having}) "
                  f"ORDER BY ref, {EXPORT_ORDER}", (json_list(refs),) if refs is not None else ())
    found: list[tuple[str, str | None, str, list[list[tuple]]]] = []  # ref, number, field, its variants
    for ref, group in groupby(rows, key=lambda r: r[0]):
        cits = list(group)
        for n, field in enumerate(_COMPARED):
            groups: dict[str, list[tuple]] = {}
            for ci in cits:
                v = ci[4 + n]
                if v is not None and (v or field != "date"):  # an empty date is no date
                    groups.setdefault(v, []).append(ci)
            if len(groups) > 1 and not _one_contains_others(list(groups), field):
                found.append((ref, cits[0][3], field, list(groups.values())))
    # each variant's first citation, read at once (thousands at 10,000 documents)
    wanted = [g[0][1] for *_, variants in found for g in variants]
    firsts = {rowid: c.decode(rec) for rowid, rec in c.rows(
        f"SELECT rowid, rec FROM citations WHERE rowid {IN_LIST}", (json_list(wanted),))} if wanted else {}
    return [Inconsistency(ref, number, field, tuple(
        Variant(firsts[g[0][1]].get(field), tuple(x[2] for x in g), prov(firsts[g[0][1]]["provenance"]))
        for g in variants)) for ref, number, field, variants in found]


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
    if not c.has_node(nid):
        raise NotFound(f"không có thực thể / no entity with id {nid!r}")


def dependencies(c: Corpus, entity: str, depth: int = 1) -> tuple[Answers[Link], Answers[Link]]:
    """(what ``entity`` depends on, what depends on it), following DEPENDS to ``depth``; the
    links are built when read (a hub at depth 10 has hundreds of thousands)."""
    _check(c, entity)

    def built(e: tuple[str, str, dict]) -> Link:
        return _link(c, e[0], e[1], typed.full(c, e[2]))

    return (Answers(_walk(c, entity, depth, upstream=True), built),
            Answers(_walk(c, entity, depth, upstream=False), built))


def _walk(c: Corpus, start: str, depth: int, upstream: bool) -> list[tuple]:
    # Upstream: follow "out" edges forward and "in" edges backward; downstream the reverse.
    fwd, back = ("out", "in") if upstream else ("in", "out")
    out, seen, frontier = [], {start}, [start]
    for _ in range(depth):
        if not frontier:
            break
        # the edges' columns only (their records are read for the links shown), of the types
        # followed; an edge of another type without a citation is a group of its own, never followed
        outs = typed.edges_of(c, frontier, True, False, {t for t, d in DEPENDS if d == fwd})
        ins = typed.edges_of(c, frontier, False, False, {t for t, d in DEPENDS if d == back})
        nxt = []
        for n in frontier:
            steps = [(t, s, t, d) for s, t, d in outs[n] if (d["type"], fwd) in DEPENDS]
            steps += [(s, s, t, d) for s, t, d in ins[n] if (d["type"], back) in DEPENDS]
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
    The search is networkx's bidirectional breadth-first one over the undirected typed graph,
    each node's neighbours read from the database in that graph's order, a level's first nodes
    first (``_levelwise``: the search ends at the first meeting, and reading a level of
    thousands of edges whole took most of its time).
    """
    _check(c, source)
    _check(c, target)
    if source == target:
        return []
    pred: dict[str, str | None] = {source: None}
    succ: dict[str, str | None] = {target: None}
    forward, reverse = [source], [target]
    pairs: dict[frozenset[str], Edge] = {}
    meet = None
    while forward and reverse and meet is None:
        grow_forward = len(forward) <= len(reverse)
        level = forward if grow_forward else reverse
        mine, theirs = (pred, succ) if grow_forward else (succ, pred)
        fringe: list[str] = []
        for v, near in _levelwise(c, level, structural):
            for w, edge in near:
                pairs[frozenset((v, w))] = edge
                if w not in mine:
                    fringe.append(w)
                    mine[w] = v
                if w in theirs:
                    meet = w
                    break
            if meet is not None:
                break
        forward, reverse = (fringe, reverse) if grow_forward else (forward, fringe)
    if meet is None:
        return []
    nodes = _chain(pred, meet)[::-1] + _chain(succ, meet)[1:]
    out = []
    for a, b in pairwise(nodes):
        s, t, data = pairs[frozenset((a, b))]
        out.append(_link(c, s, t, typed.full(c, data)))
    return out


Edge = tuple[str, str, dict]
FIRST_READ = 8  # a level's first nodes read together; each later read four times as many


def _levelwise(c: Corpus, level: list[str], structural: bool) -> Iterator[tuple[str, list[tuple[str, Edge]]]]:
    """Each node of the level with its neighbours, in the level's order, read a part at a time:
    the search stops at the first meeting, often early in a level of thousands of edges."""
    start, size = 0, FIRST_READ
    while start < len(level):
        part = level[start:start + size]
        near = _neighbours(c, part, structural)
        yield from ((v, near[v]) for v in part)
        start, size = start + size, size * 4


def _chain(links: dict[str, str | None], node: str) -> list[str]:
    out: list[str] = [node]
    while (node := links[node]) is not None:  # type: ignore[assignment]
        out.append(node)
    return out


def _neighbours(c: Corpus, nodes: list[str], structural: bool) -> dict[str, list[tuple[str, Edge]]]:
    """Each node's neighbours in the undirected typed graph, in that graph's order, with the
    edge it keeps for the pair.

    That graph is built node by node in the graph's order, adding each node's out-edges: a
    neighbour comes first where it is first linked — in the node's own turn (in its out-edges'
    order) or in the neighbour's (the neighbour's place) — and the pair keeps the last edge
    added, the later turn's last one."""
    # (the edges' columns: only those of the chain found are read whole)
    outs, ins = typed.edges_of(c, nodes, True, records=False), typed.edges_of(c, nodes, False, records=False)
    keep = (lambda d: True) if structural else (lambda d: d["type"] not in STRUCTURAL)
    # (the places of the nodes and of their in-edges' sources: an out-edge's turn is its node's)
    place = typed.positions(c, {*nodes, *(s for n in nodes for s, _, d in ins[n] if keep(d))})
    out = {}
    for n in nodes:
        first: dict[str, tuple] = {}
        last: dict[str, tuple[tuple, Edge]] = {}
        for i, (s, t, d) in enumerate(e for e in outs[n] if keep(e[2])):
            first.setdefault(t, (place[n], i))
            last[t] = ((place[n], i), (s, t, d))
        for s, t, d in (e for e in ins[n] if keep(e[2])):
            turn = (place[s], 0)
            first[s] = min(first.get(s, turn), turn)
            if s not in last or last[s][0] <= turn:
                last[s] = (turn, (s, t, d))
        out[n] = [(m, last[m][1]) for m in sorted(first, key=first.__getitem__)]
    return out
