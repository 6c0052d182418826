"""The audit's checks: each finds the violations of its rules among some documents,
references or agencies (``RULES``), or reads them from the records they are of (``READ``).

The build keeps what they find (``findings.py``); ``audit.py`` reads it, or runs them when
nothing is kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any, Literal

from cchc_graph.graph.questions.index import Corpus, prov
from cchc_graph.graph.questions.tables import (
    AGENCY_IDS,
    EXPORT_ORDER,
    IN_LIST,
    id_of,
    json_list,
    words_list,
)
from cchc_graph.loaders.schema import Provenance

# The checks import what they read when they run: an audit of kept findings runs none (its
# command starts ~30 ms sooner).
SEVERITIES = ("error", "warning", "info")
MAX_CYCLE = 6
Units = Sequence[str] | None  # what a check looks at: these documents, references or agencies; None: all


@dataclass(frozen=True, slots=True)
class Evidence:
    """One of several facts a finding rests on: e.g. each lead of a task with many leads."""

    label: str
    provenance: Provenance | None


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    severity: str
    entity: str
    entity_label: str
    document: str | None
    message: str
    provenance: Provenance | None
    evidence: tuple[Evidence, ...] = ()




def _records(c: Corpus, table: str, docs: Units, where: str = "", params: tuple[str, ...] = ()
             ) -> Iterable[dict[str, Any]]:
    """A table's records (``where``: an SQL condition), of the documents ``docs`` when given,
    in the export's order; over the whole corpus one at a time."""
    if docs is None and not where:
        return c.each(table)
    conds = [w for w in (where, f"doc {IN_LIST}" if docs is not None else "") if w]
    return c.recs(table, " AND ".join(conds), (*params, json_list(docs)) if docs is not None else params)


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def _task_rules(c: Corpus, docs: Units) -> Iterator[Violation]:
    for t in _records(c, "tasks", docs):
        yield from task_violations(c, t)


def task_violations(c: Corpus, t: dict[str, Any]) -> Iterator[Violation]:
    """A task's findings (``READ`` says which tasks have each)."""
    tid, p = t["id"], prov(t["provenance"])
    leads = t.get("lead") or []
    if not leads:
        yield Violation("task_no_lead", "warning", tid, t["title"], t["document"],
                        "nhiệm vụ chưa có cơ quan chủ trì / task has no lead agency", p)
    elif len(leads) > 1:
        names = ", ".join(c.label(a) for a in leads)
        given = [r for r in c.resp_by_task.get(tid, ()) if r["role"] == "lead"]
        yield Violation("task_many_leads", "warning", tid, t["title"], t["document"],
                        f"nhiệm vụ có {len(leads)} cơ quan chủ trì / {len(leads)} lead agencies: "
                        f"{names}", p,
                        tuple(Evidence(c.label(r["agency"]), prov(r["provenance"])) for r in given))
    if not t.get("deadline") and not t.get("frequency"):
        yield Violation("task_no_deadline", "info", tid, t["title"], t["document"],
                        "nhiệm vụ không có thời hạn / task has no deadline", p)


@dataclass(frozen=True, slots=True)
class Read:
    """A rule's findings of one severity that are not kept (each would repeat its record): the
    records of ``table`` meeting ``where`` and ``also``, read in the audit's order (``columns``,
    then the row's) through the partial index ``index`` (``findings.DDL``: ``columns`` of the
    rows meeting ``where``) and made into findings as they are read."""

    table: str
    index: str
    where: str
    also: str = ""  # (SQL over the index's columns)
    columns: str = "doc, start"  # (document and place: the audit's order; then what ``also`` reads)
    made: bool = True  # (False: an index the store makes for another question, ``where`` its first column)

    @property
    def cond(self) -> str:
        return f"{self.where} AND {self.also}" if self.also else self.where


UNRESOLVED = "coalesce(resolves_to, '') = ''"
# the references of a loaded jurisdiction: a citation's scope is part of its reference's key
# (``ref:<scope>:<number>``), so an unresolved citation's scope is its reference's
LOCAL_REFS = "(SELECT f.id FROM refs f JOIN jurisdictions j ON j.id = f.scope)"
# Most of a corpus's findings (at 10,000 documents ~250,000 of ~290,000) are read from their
# records: (rule, severity) → where
READ = {
    # (who-leads' order puts the tasks without a lead last, each part by document and place)
    ("task_no_lead", "warning"): Read("tasks", "tasks_led_first", "(leads = 0) = 1", made=False),
    ("task_many_leads", "warning"): Read("tasks", "tasks_task_many_leads", "leads > 1"),
    ("task_no_deadline", "info"): Read("tasks", "tasks_task_no_deadline", "due_order IS NULL"),
    ("citation_unresolved", "warning"): Read("citations", "citations_unresolved", UNRESOLVED,
                                             f"ref IN {LOCAL_REFS}", "doc, start, ref"),
    ("citation_unresolved", "info"): Read("citations", "citations_unresolved", UNRESOLVED,
                                          f"ref NOT IN {LOCAL_REFS}", "doc, start, ref"),
}
READ_RULES = frozenset(rule for rule, _ in READ)


def _report_cycles(c: Corpus, docs: Units) -> Iterator[Violation]:
    """Circles over the whole corpus (``docs``: only those can be wanted, and a cycle is
    reported on a reporting line's document: none when they have no line)."""
    if docs is not None and not c.rows(f"SELECT 1 FROM responsibilities WHERE doc {IN_LIST} AND "
                                       "role = 'report_to' LIMIT 1", (json_list(docs),)):
        return
    # who reports to whom, from the lookup columns alone: most corpora have no circle, and
    # then no line's record need be read (~1 s at 10,000 documents), nor networkx imported
    # (~0.1 s of a one-document rebuild from the CLI)
    # (the lines first: they are few, and indexed)
    pairs = c.rows(f"SELECT {id_of(AGENCY_IDS, 'x')}, {id_of(AGENCY_IDS, 'y')} "
                   "FROM (SELECT DISTINCT l.agency AS x, r.agency AS y FROM responsibilities r "
                   "CROSS JOIN responsibilities l ON l.task = r.task AND l.role = 'lead' "
                   "WHERE r.role = 'report_to' AND l.agency != r.agency)")
    if _acyclic(pairs):
        return
    import networkx as nx
    from cchc_graph.graph.questions.queries import reporting_lines

    g = nx.DiGraph()
    lines = {}
    for r in reporting_lines(c):
        g.add_edge(r.reporter.id, r.receiver.id)
        lines[(r.reporter.id, r.receiver.id)] = r
    # Bounded: a national corpus has many reporting lines, and circles of more agencies
    # than this are not how these documents go wrong.
    for cycle in nx.simple_cycles(g, length_bound=MAX_CYCLE):
        first = lines[(cycle[0], cycle[1 % len(cycle)])]
        names = " → ".join(c.label(a) for a in [*cycle, cycle[0]])
        yield Violation("report_cycle", "error", cycle[0], c.label(cycle[0]), first.document,
                        f"báo cáo vòng tròn / agencies report to each other: {names}", first.provenance)


def _acyclic(pairs: Iterable[tuple[str, str]]) -> bool:
    """Whether the directed pairs make no circle."""
    order: TopologicalSorter[str] = TopologicalSorter()
    for a, b in pairs:
        order.add(b, a)
    try:
        order.prepare()
    except CycleError:
        return False
    return True


def _cascade_rules(c: Corpus, docs: Units) -> Iterator[Violation]:
    from cchc_graph.graph.questions.cascade import cascade
    from cchc_graph.graph.questions.refines import parents_of

    among = f"id {IN_LIST} AND " if docs is not None else ""
    # (EXISTS: a few documents are looked up, not every resolved citation listed first)
    for (doc,) in c.rows(f"SELECT id FROM documents WHERE {among}EXISTS (SELECT 1 FROM citations WHERE "
                         f"doc = documents.id AND resolves_to IS NOT NULL) ORDER BY {EXPORT_ORDER}",
                         (json_list(docs),) if docs is not None else ()):  # the others have no parent
        if not parents_of(c, doc):
            continue
        for cas in cascade(c, doc):
            for row in cas.rows:
                if row.status == "weaker" and row.child is not None:
                    yield Violation("target_weaker", "warning", row.child.id, row.metric_label, doc,
                                    f"chỉ tiêu thấp hơn cấp trên / weaker than the parent target "
                                    f"({cas.parent.id}): {row.reason}", row.child.provenance)
                elif row.status == "missing" and row.parent is not None:
                    yield Violation("target_missing", "info", row.parent.id, row.metric_label, doc,
                                    f"chỉ tiêu của {cas.parent.id} không có trong {doc} / parent target "
                                    f"missing in the child", row.parent.provenance)


def _target_owner(c: Corpus, docs: Units) -> Iterator[Violation]:
    """A target nobody answers for: no task of its document in the metric's reform area has a lead."""
    from cchc_graph.graph.store.linking import area as area_record
    from cchc_graph.loaders.kinds import METRICS

    areas = {m.key: m.area for m in METRICS}
    owned = set(c.rows("SELECT DISTINCT doc, area FROM tasks WHERE leads > 0"
                       + (f" AND doc {IN_LIST}" if docs is not None else ""),
                       (json_list(docs),) if docs is not None else ()))
    for t in _records(c, "targets", docs):
        area = areas.get(t["metric"].split(":")[0])
        if area is None:
            continue  # a metric of unknown area: nothing to check against
        if (t["document"], area) not in owned:  # (the area named as linking names it, in or not)
            tid = t["id"]
            yield Violation("target_no_agency", "info", tid, t["text"][:80], t["document"],
                            f"không nhiệm vụ nào thuộc lĩnh vực {area_record(area)['label']!r} có cơ quan "
                            f"chủ trì / no task in the target's area ({area}) has a lead agency",
                            prov(t["provenance"]))


def _unresolved(c: Corpus, docs: Units) -> Iterator[Violation]:
    local = {r for (r,) in c.rows(f"SELECT id FROM {LOCAL_REFS}")}
    # (the citations of one place, if ever several, by reference: as ``READ`` reads them)
    for ci in sorted(_records(c, "citations", docs, UNRESOLVED), key=lambda ci: ci["ref"]):
        yield unresolved_violation(ci, ci["ref"] in local)


def unresolved_violation(ci: dict[str, Any], local: bool) -> Violation:
    """An unresolved citation's finding: a warning when it cites a document of a loaded
    jurisdiction (``local``), which the corpus could hold."""
    cid = ci["id"]
    return Violation("citation_unresolved", "warning" if local else "info", cid,
                     ci.get("number") or ci.get("title") or cid, ci["document"],
                     "văn bản được trích dẫn không có trong kho / cited document not in the corpus"
                     + (f" (văn bản của địa bàn {ci['scope']})" if local else ""),
                     prov(ci["provenance"]))


def _inconsistent(c: Corpus, refs: Units) -> Iterator[Violation]:
    from cchc_graph.graph.questions.trace import inconsistencies

    for inc in inconsistencies(c, refs):
        values = "; ".join(f"{v.value!r}" for v in inc.variants)
        first = inc.variants[0]
        yield Violation("citation_inconsistent", "warning", inc.ref, inc.number or inc.ref,
                        first.provenance.document, f"cùng số hiệu, khác {inc.field} / same number, "
                        f"different {inc.field}: {values}", first.provenance)


# a document "rests on" what it is based on, implements or guides
RESTS_ON = ("based_on", "implements", "guides")
SUPERSEDES = ("replaces", "repeals")


def _superseded_bases(c: Corpus, docs: Units) -> Iterator[Violation]:
    """A document resting on one that a loaded document replaced or repealed before it was
    issued (both dates known; the cited document by its resolved id or its reference)."""
    rests = f"relation IN ({_marks(RESTS_ON)})"
    ending = f"relation IN {words_list(SUPERSEDES)}"  # (findings' citations_superseding index)
    # (a resolved citation's ref is what it resolves to: a basis and what ends it share a ref)
    if docs is not None:  # the bases of these documents, then what ends them
        resting = list(_records(c, "citations", docs, rests, RESTS_ON))
        by = c.recs("citations", f"{ending} AND ref {IN_LIST}", (json_list({ci["ref"] for ci in resting}),))
    else:  # what ends a reference (few), then only the bases it ends (most citations are bases)
        by = c.recs("citations", ending)
        resting = c.recs("citations", f"{rests} AND ref {IN_LIST}",
                         (*RESTS_ON, json_list({ci["ref"] for ci in by})))
    ended: dict[str, list[tuple[str, dict]]] = {}
    on = f" WHERE id {IN_LIST}" if docs is not None else ""
    dates = dict(c.rows(f"SELECT id, date FROM documents{on}", (json_list(
        {ci["document"] for ci in (*by, *resting)}),) if docs is not None else ()))
    for ci in by:
        day = dates.get(ci["document"])
        if day:
            ended.setdefault(ci.get("resolves_to") or ci["ref"], []).append((day, ci))
    for ci in resting:
        cid, day = ci["id"], dates.get(ci["document"])
        if not day:
            continue
        for when, by in sorted(ended.get(ci.get("resolves_to") or ci["ref"], []), key=lambda x: x[0]):
            if when < day and by["document"] != ci["document"]:
                verb = "thay thế / replaced" if by["relation"] == "replaces" else "bãi bỏ / repealed"
                label = ci.get("number") or ci.get("title") or cid
                message = (f"văn bản làm căn cứ đã bị {verb} bởi {c.label(by['document'])} ngày / on "
                           f"{when}, trước khi văn bản này ban hành ngày / before this one was issued "
                           f"on {day}")
                yield Violation("citation_superseded", "warning", cid, label, ci["document"], message,
                                prov(ci["provenance"]))
                break


def _agency_rules(c: Corpus, ids: Units) -> Iterator[Violation]:
    found = c.each("agencies") if ids is None else c.recs("agencies", f"id {IN_LIST}", (json_list(ids),))
    for a in found:
        aid = a["id"]
        if not a.get("kind") or a["kind"] == "unknown":
            yield Violation("agency_unknown_kind", "info", aid, a["name"], (a.get("documents") or [None])[0],
                            "không rõ loại cơ quan / agency of unknown kind", prov(a.get("provenance")))


@dataclass(frozen=True, slots=True)
class Check:
    """One check: ``run(corpus, units)`` finds its violations of the rules ``rules`` among the
    units (None: all) of kind ``unit``: a finding about a document, a cited reference or an
    agency is found again from that one alone; one of the ``corpus`` only from all."""

    run: Callable[[Corpus, Units], Iterator[Violation]]
    rules: tuple[str, ...]
    unit: Literal["document", "ref", "agency", "corpus"]


# the checks, each with the rules it reports: a question about some rules runs only their checks
RULES: dict[str, Check] = {
    "tasks": Check(_task_rules, ("task_no_lead", "task_many_leads", "task_no_deadline"), "document"),
    "report_cycles": Check(_report_cycles, ("report_cycle",), "corpus"),
    "cascade": Check(_cascade_rules, ("target_weaker", "target_missing"), "document"),
    "target_owner": Check(_target_owner, ("target_no_agency",), "document"),
    "unresolved": Check(_unresolved, ("citation_unresolved",), "document"),
    "inconsistent": Check(_inconsistent, ("citation_inconsistent",), "ref"),
    "superseded": Check(_superseded_bases, ("citation_superseded",), "document"),
    "agencies": Check(_agency_rules, ("agency_unknown_kind",), "agency"),
}
RULE_NAMES = tuple(rule for check in RULES.values() for rule in check.rules)  # the audit's order
# the order of kept findings: the audit's (``order_key``), then as their check found them
FINDING_ORDER = "sev, rule, document, start, tie"


def order_key(v: Violation) -> tuple[int, int, str, int]:
    """Where a finding goes in the audit: most severe first, by rule, document and place."""
    return (SEVERITIES.index(v.severity), RULE_NAMES.index(v.rule), v.document or "",
            v.provenance.start if v.provenance else 0)






def _all_violations(c: Corpus, doc: str | None = None, checks: tuple[str, ...] = tuple(RULES)
                    ) -> list[Violation]:
    """The findings of ``checks`` (names of ``RULES``), in the audit's order: over the whole
    corpus, or those that can be of document ``doc`` (the caller keeps only that document's)."""
    def units(check: Check) -> Units:
        return (doc,) if doc is not None and check.unit in ("document", "corpus") else None
    return sorted((v for name in checks for v in RULES[name].run(c, units(RULES[name]))), key=order_key)
