"""In-memory indexes over the JSON export, built once per load and read by every question."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, islice, takewhile
from typing import TYPE_CHECKING, Any, TypeVar, overload

from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.phrases import TextTable
from cchc_graph.graph.questions.refines import target_links
from cchc_graph.graph.questions.suggest import (
    agency_choices,
    document_choices,
    hint,
    jurisdiction_choices,
    nearest,
)
from cchc_graph.graph.store.memory import no_gc
from cchc_graph.keys import expand_query, fold, fold_key
from cchc_graph.loaders import admin
from cchc_graph.loaders.lexicon import DOC_TYPES
from cchc_graph.loaders.model import Provenance, to_dict

ROLES = ("lead", "cooperate", "standing", "report_to", "supervise", "advise")
ROLE_LABELS = {"lead": "chủ trì", "cooperate": "phối hợp", "standing": "thường trực",
               "report_to": "nhận báo cáo", "supervise": "giám sát", "advise": "tham mưu"}
TYPE_NAMES = {t.type: (n := min(t.names, key=len))[:1].upper() + n[1:] for t in DOC_TYPES}  # the plain name

if TYPE_CHECKING:  # networkx is imported where a graph is built: the CLI starts without it
    import networkx as nx
    from cchc_graph.graph.questions.adjacency import Adjacency, TypedGraph


class NotFound(LookupError):
    """A name or id that matches nothing in the corpus; the message says what was asked."""

    def __str__(self) -> str:  # LookupError would quote the message like a dict key
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class AgencyRef:
    id: str
    name: str
    jurisdiction: str | None
    kind: str | None
    is_group: bool


@dataclass(frozen=True, slots=True)
class DocRef:
    id: str
    type: str | None
    number: str | None
    title: str | None
    jurisdiction: str | None
    in_corpus: bool


def prov(p: dict[str, Any] | None) -> Provenance | None:
    return Provenance(**p) if p else None


def source_place(p: Provenance | dict[str, Any] | None) -> str:
    """Where a quote is in the source file, as people look for it: "dòng 12–13, cột 5" (a text
    file: lines 12 to 13, from column 5), "trang 3, dòng 12, cột 5" (a PDF), "đoạn 12, ký tự
    40" (.docx, .html); "" if unknown."""
    if p is None:
        return ""
    get = p.get if isinstance(p, dict) else lambda k: getattr(p, k, None)
    line, column, end_line = get("line"), get("column"), get("end_line")
    if get("paragraph"):
        return f"đoạn {get('paragraph')}" + (f", ký tự {column}" if column else "")
    if not line:
        return ""
    out = (f"trang {get('page')}, " if get("page") else "") + f"dòng {line}"
    out += f"–{end_line}" if end_line and end_line != line else ""
    return out + (f", cột {column}" if column else "")


def section_label(path: str | None) -> str:
    """An outline path as people read it: a repeated number (stored with primes, ``VI'``) is
    "VI (lần 2)"; ``VI'.5`` is "VI (lần 2).5"."""
    if not path:
        return ""
    parts = []
    for part in path.split("."):
        base = part.rstrip("'")
        primes = len(part) - len(base)
        parts.append(f"{base} (lần {primes + 1})" if primes else part)
    return ".".join(parts)


def _match_score(key: str, query: str) -> int:
    """3 exact, 2 prefix, 1 whole words inside, 0 none."""
    if key == query:
        return 3
    if key.startswith(query + " "):
        return 2
    return 1 if f" {query} " in f" {key} " else 0


T = TypeVar("T")
# the text each large table is searched by
_TEXT_FIELD: dict[str, Callable[[dict[str, Any]], str]] = {
    "tasks": lambda r: r["text"], "targets": lambda r: r["text"],
    "citations": lambda r: r["provenance"]["quote"]}


class Lazy(Sequence[T]):
    """Answers built when read: a broad question matches thousands of records, of which a page
    shows fifty, so the order is decided on the raw records (``keys``) and ``build`` makes
    only the answers asked for."""

    def __init__(self, keys: Sequence[Any], build: Callable[[Any], T]) -> None:
        self._keys, self._build = keys, build

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._build(k) for k in self._keys[i]]
        return self._build(self._keys[i])

    def __iter__(self) -> Iterator[T]:
        return map(self._build, self._keys)

    def __repr__(self) -> str:
        return f"Lazy({len(self)} answers)"

    @classmethod
    def chained(cls, parts: Sequence[tuple[Sequence[Any], Callable[[Any], T]]]) -> Lazy[T]:
        """The answers of each part in turn, each part's keys built by its own function (no
        list of every key is made: a part may be thousands of record positions)."""
        ends = list(accumulate(len(keys) for keys, _ in parts))

        def build(i: int) -> T:
            j = bisect.bisect_right(ends, i)
            keys, make = parts[j]
            return make(keys[i - (ends[j - 1] if j else 0)])
        return cls(range(ends[-1] if ends else 0), build)


class Corpus:
    """The resolved corpus with lookups by id, by agency, task, document and reference."""

    def __init__(self, export: dict[str, Any]) -> None:
        with no_gc(freeze=True):
            self._index(export)

    def _index(self, export: dict[str, Any]) -> None:
        self.export = export
        self.documents = {d["id"]: d for d in export.get("documents") or []}
        self.references = {r["id"]: r for r in export.get("references") or []}
        self.agencies = {a["id"]: a for a in export.get("agencies") or []}
        self.tasks = {t["id"]: t for t in export.get("tasks") or []}
        self.targets = {t["id"]: t for t in export.get("targets") or []}
        self.indicators = {i["id"]: i for i in export.get("indicators") or []}
        self.citations = {c["id"]: c for c in export.get("citations") or []}
        self.jurisdictions = {j["id"]: j for j in export.get("jurisdictions") or []}
        self.areas = {a["id"]: a for a in export.get("areas") or []}
        self.responsibilities: list[dict[str, Any]] = export.get("responsibilities") or []
        self.resp_by_agency: dict[str, list[dict]] = defaultdict(list)
        self.resp_by_task: dict[str | None, list[dict]] = defaultdict(list)
        for r in self.responsibilities:
            self.resp_by_agency[r["agency"]].append(r)
            self.resp_by_task[r["task"]].append(r)
        self.by_document: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        for kind, table in (("tasks", self.tasks), ("targets", self.targets),
                            ("citations", self.citations)):
            for rec in table.values():
                self.by_document[rec["document"]][kind].append(rec)
        self.citations_by_ref: dict[str, list[dict]] = defaultdict(list)
        for c in self.citations.values():
            self.citations_by_ref[c["ref"]].append(c)
        self.memo: dict[Any, Any] = {}  # derived structures, built on first use
        self._folded: dict[str, str] = {}
        self._agency_keys = [(a["id"], {expand_query(n) for n in [a["name"], *a.get("aliases", [])]})
                             for a in self.agencies.values()]
        self._agency_names = set().union(*(keys for _, keys in self._agency_keys))

    def folded(self, text: str) -> str:
        """``fold(text)``, computed once per distinct text (queries scan the same texts)."""
        f = self._folded.get(text)
        if f is None:
            f = self._folded[text] = fold(text)
        return f

    def derived(self, key: Any, build: Callable[[], T], large: bool = False) -> T:
        """A structure derived from the corpus, built on first use and kept (``memo``);
        ``large`` ones (the size of the corpus) are built out of the garbage collector's way."""
        if key not in self.memo:
            if large:
                with no_gc(freeze=True):
                    self.memo[key] = build()
            else:
                self.memo[key] = build()
        return self.memo[key]

    def prepare(self) -> None:
        """Build the lookups by name and number now rather than on the first question."""
        self._document_keys()
        self._agencies_by_key()
        self.refinement_of  # noqa: B018 (a cached property: reading it builds it)

    def places(self, name: str, records: Callable[[], Iterable[dict]],
               order: Callable[[dict], Any]) -> dict[int, int]:
        """Each record's place in ``order``, by identity (the records live as long as the
        corpus): a question sorts its hits by these ints, built once, not by a key per hit."""
        def build() -> dict[int, int]:
            return {id(r): i for i, r in enumerate(sorted(records(), key=order))}
        return self.derived(("places", name), build, large=True)

    def text_table(self, table: str) -> tuple[TextTable, list[str]]:
        """The searchable texts of ``tasks``, ``targets`` or ``citations``, with their ids."""
        def build() -> tuple[TextTable, list[str]]:
            recs, field = getattr(self, table), _TEXT_FIELD[table]
            return TextTable([field(r) or "" for r in recs.values()]), list(recs)
        return self.derived(("texts", table), build, large=True)

    def matched(self, table: str, rxs: tuple[re.Pattern[str], ...]) -> list[int]:
        """Positions, in table order, of the records whose folded text one of ``rxs`` matches."""
        return self.text_table(table)[0].matched(rxs)

    def matching(self, table: str, rxs: tuple[re.Pattern[str], ...]) -> list[dict[str, Any]]:
        """The ``table`` records, in table order, whose folded text one of ``rxs`` matches."""
        ids, recs = self.text_table(table)[1], getattr(self, table)
        return [recs[ids[i]] for i in self.matched(table, rxs)]

    # --- references to nodes ---------------------------------------------------------------

    def agency_ref(self, aid: str) -> AgencyRef:
        a = self.agencies.get(aid) or {"id": aid, "name": aid}
        return AgencyRef(aid, a["name"], a.get("jurisdiction"), a.get("kind"), bool(a.get("is_group")))

    def doc_ref(self, did: str) -> DocRef:
        d = self.documents.get(did) or self.references.get(did)
        if d is None:
            return DocRef(did, None, None, None, None, False)
        return DocRef(did, d.get("type"), d.get("number") or d.get("number_inferred"), d.get("title"),
                      d.get("jurisdiction") or d.get("scope"), did in self.documents)

    def label(self, nid: str) -> str:
        """A short human name for any node id."""
        rec = next((t[nid] for t in (self.documents, self.references, self.agencies, self.tasks,
                                     self.targets, self.indicators, self.jurisdictions, self.areas)
                    if nid in t), {})
        if nid in self.documents or nid in self.references:
            head = " ".join(x for x in (TYPE_NAMES.get(rec.get("type") or "", ""),
                                        rec.get("number") or rec.get("number_inferred") or "") if x)
            return f"{head}: {rec.get('title') or ''}".strip(": ") or nid
        if nid in self.targets:
            return rec.get("text", nid)[:120]
        return rec.get("name") or rec.get("title") or rec.get("label") or nid

    def task_title(self, tid: str) -> str:
        """A task's title, or the start of its text when the title only names an agency (duties
        listed under an agency's heading)."""
        t = self.tasks[tid]
        return short(t["text"]) if expand_query(t["title"]) in self._agency_names else t["title"]

    # --- lookups by name -------------------------------------------------------------------

    def jurisdiction_scope(self, query: str | None) -> set[str] | None:
        """Ids of the jurisdictions a name or id stands for, with the units inside them."""
        if not query:
            return None
        q = expand_query(query)
        units = admin.units()
        hits = {j for j, rec in self.jurisdictions.items()
                if j == query or q in {fold_key(rec.get("name") or ""),
                                       fold_key(units[j].short) if j in units else None}}
        if not hits:
            raise NotFound(f"không có địa bàn / no jurisdiction matches {query!r}"
                           + hint(nearest(query, jurisdiction_choices(self))))
        out, changed = set(hits), True
        while changed:
            extra = {j for j, rec in self.jurisdictions.items() if rec.get("parent") in out} - out
            out |= extra
            changed = bool(extra)
        return out

    def _agencies_by_key(self) -> dict[str, list[str]]:
        def build() -> dict[str, list[str]]:
            index: dict[str, list[str]] = defaultdict(list)
            for aid, keys in self._agency_keys:
                for k in keys:
                    index[k].append(aid)
            return index
        return self.derived("agency_keys", build)

    def find_agencies(self, query: str, jurisdiction: str | None = None) -> list[str]:
        """Agency ids matching a name or alias, diacritics-insensitively; the best tier only."""
        q = expand_query(query)
        if not q:
            raise NotFound("tên cơ quan trống / empty agency name")
        scope = self.jurisdiction_scope(jurisdiction)
        exact = [a for a in self._agencies_by_key().get(q, ())  # the best tier, when present
                 if scope is None or self.agencies[a].get("jurisdiction") in scope]
        if exact:
            return sorted(exact, key=lambda a: (self.agencies[a]["name"], a))
        scored: dict[int, list[str]] = defaultdict(list)
        for aid, keys in self._agency_keys:
            if scope is not None and self.agencies[aid].get("jurisdiction") not in scope:
                continue
            best = max(_match_score(k, q) for k in keys)
            if best:
                scored[best].append(aid)
        if not scored:
            raise NotFound(f"không có cơ quan / no agency matches {query!r}"
                           + (f" in {jurisdiction!r}" if jurisdiction else "")
                           + hint(nearest(query, agency_choices(self))))
        return sorted(scored[max(scored)], key=lambda a: (self.agencies[a]["name"], a))

    def find_document(self, query: str) -> str:
        """A document id from its id, a unique id prefix, its number or inferred number, or
        whole words of its title; several matches or none raise ``NotFound`` saying which."""
        if query in self.documents or query in self.references:
            return query
        q = fold_key(query)
        ids, numbers, titles = self._document_keys()
        after = islice(ids, bisect.bisect_left(ids, (q,)), None)
        hits, why = ([d for _, d in takewhile(lambda x: x[0].startswith(q), after)] if q else []), "mã / id"
        if not hits:
            hits, why = (list(dict.fromkeys(numbers.get(q, ()))) if q else []), "số hiệu / number"
        if not hits:
            hits, why = [d for t, d in titles if q and f" {q} " in f" {t} "], "trích yếu / title"
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise NotFound(f"không có văn bản / no document matches {query!r}"
                           + hint(nearest(query, document_choices(self))))
        raise NotFound(f"{query!r} khớp {why} của {len(hits)} văn bản / matches the {why.split('/ ')[-1]} "
                       f"of {len(hits)} documents; nêu rõ hơn / be more specific: "
                       + "; ".join(f"{d} ({short(self.label(d), 70)})" for d in sorted(hits)[:10])
                       + (" …" if len(hits) > 10 else ""))

    def _document_keys(self) -> tuple[list[tuple[str, str]], dict[str, list[str]], list[tuple[str, str]]]:
        """Keys of every document id (sorted, for prefixes), number and title (built once)."""
        def build() -> tuple[list[tuple[str, str]], dict[str, list[str]], list[tuple[str, str]]]:
            numbers: dict[str, list[str]] = defaultdict(list)
            for d, rec in {**self.references, **self.documents}.items():
                for k in {fold_key(rec.get("number") or ""), fold_key(rec.get("number_inferred") or "")}:
                    if k:
                        numbers[k].append(d)
            return (sorted((fold_key(d), d) for d in self.documents), numbers,
                    [(fold_key(rec.get("title") or ""), d) for d, rec in self.documents.items()])
        return self.derived("document_keys", build)

    def resolve_entity(self, query: str) -> str:
        """Any node id as given, else a document (id, number, title), else one agency by name."""
        if query in self.adjacency:
            return query
        try:
            return self.find_document(query)
        except NotFound:
            pass
        try:
            agencies = self.find_agencies(query)
        except NotFound:
            names = [*nearest(query, document_choices(self), 3), *nearest(query, agency_choices(self), 3)]
            raise NotFound(f"không có văn bản, cơ quan hay mã nút / no document, agency or node id "
                           f"matches {query!r}" + hint(names)) from None
        if len(agencies) > 1:
            raise NotFound(f"{query!r} khớp {len(agencies)} cơ quan / matches {len(agencies)} agencies; "
                           "dùng mã / use an id: "
                           + "; ".join(f"{a} ({self.agencies[a]['name']})" for a in agencies[:10]))
        return agencies[0]

    # --- the graph ---------------------------------------------------------------------------

    @cached_property
    def refinements(self) -> list[Any]:
        """Every child target paired with the parent target it refines (``CascadeRow``s)."""
        return target_links(self)

    @cached_property
    def refinement_of(self) -> dict[str, Any]:
        """Each paired child target's id → its ``CascadeRow`` (child and parent targets)."""
        return {r.child.id: r for r in self.refinements if r.child and r.parent}

    @cached_property
    def refines_edges(self) -> list[dict[str, Any]]:
        """A ``refines`` edge from each child target to its parent's (the graph adds them)."""
        return [{"source": row.child.id, "target": row.parent.id, "type": "refines",
                 "status": row.status, "provenance": to_dict(row.child.provenance)}
                for row in self.refinements]

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The typed graph, plus ``refines`` edges from each child target to its parent's."""
        from cchc_graph.graph.questions.nx import to_networkx

        with no_gc(freeze=True):  # as large as the corpus, and as long-lived
            g = to_networkx(self.export)
            for e in self.refines_edges:
                g.add_edge(e["source"], e["target"], key="refines",
                           **{k: v for k, v in e.items() if k not in ("source", "target")})
        return g

    @cached_property
    def typed(self) -> TypedGraph:
        """The typed graph for reading (the graph pages): the networkx graph's nodes,
        attributes and edges, read from the export and ``adjacency`` without building it."""
        from cchc_graph.graph.questions.adjacency import TypedGraph

        return TypedGraph(self.export, self.adjacency)

    @cached_property
    def adjacency(self) -> Adjacency:
        """The typed graph's nodes and each node's edges, without building the graph."""
        from cchc_graph.graph.questions.adjacency import NODE_LISTS, Adjacency

        with no_gc(freeze=True):
            return Adjacency([*(self.export.get("edges") or []), *self.refines_edges],
                             (r["id"] for key in NODE_LISTS for r in self.export.get(key) or []))

