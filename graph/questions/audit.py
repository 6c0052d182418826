"""Audit: the rule these documents state for themselves — one task, exactly one lead agency,
with cooperating agencies and a deadline — and the checks an auditor runs across documents.

Each build keeps the findings in the store's ``findings`` table (``findings.py``: only those of
what it changed are found again), so that an audit reads them in its order by SQL; a corpus
without them (held in memory, or a store whose findings are of another build) is audited as
asked."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any, Literal

import orjson
from cchc_graph.graph.questions.index import Corpus, prov
from cchc_graph.graph.questions.tables import (
    AGENCY_IDS,
    EXPORT_ORDER,
    IN_LIST,
    Answers,
    Chain,
    Selected,
    has_index,
    id_of,
    json_list,
    words_list,
)
from cchc_graph.graph.questions.tables import KEPT as KEPT  # (re-exported: the build's findings)
from cchc_graph.graph.questions.tables import findings_kept as kept
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


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule: str
    severity: str
    count: int
    documents: int
    description: str


# what each rule checks, for the audit's summary (Vietnamese / English)
RULE_TEXT = {
    "task_no_lead": "nhiệm vụ chưa có cơ quan chủ trì / task without a lead agency",
    "task_many_leads": "nhiệm vụ có nhiều cơ quan chủ trì / task with several lead agencies",
    "task_no_deadline": "nhiệm vụ không có thời hạn / task without a deadline",
    "report_cycle": "báo cáo vòng tròn / agencies reporting to each other",
    "target_weaker": "chỉ tiêu thấp hơn cấp trên / target weaker than the parent's",
    "target_missing": "chỉ tiêu cấp trên không có ở cấp dưới / parent target missing in the child",
    "target_no_agency": "chỉ tiêu không ai chịu trách nhiệm / target nobody answers for",
    "citation_unresolved": "văn bản được dẫn không có trong kho / cited document not loaded",
    "citation_inconsistent": "cùng số hiệu, khác thông tin / one number, different details",
    "citation_superseded": "căn cứ đã bị thay thế hoặc bãi bỏ trước khi ban hành / basis replaced or "
                           "repealed before the document was issued",
    "agency_unknown_kind": "không rõ loại cơ quan / agency of unknown kind",
}


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




def _where(rules: tuple[str, ...], limit: int, doc: str | None) -> tuple[str, tuple[Any, ...]]:
    conds, params = ["sev <= ?"], [limit]
    if rules:
        conds.append(f"rule {IN_LIST}")
        params.append(orjson.dumps([RULE_NAMES.index(r) for r in rules]).decode())
    if doc is not None:
        conds.append("document = ?")
        params.append(doc)
    return " WHERE " + " AND ".join(conds), tuple(params)


def audit(c: Corpus, rules: tuple[str, ...] = (), min_severity: str = "info",
          document: str | None = None) -> Sequence[Violation]:
    """Every violation found, most severe first; filter by rule names, severity and document.

    Kept findings are read in their order as asked (a national corpus has hundreds of
    thousands). Otherwise they are found now and kept for the data's version as JSON beside
    the fields they are filtered by (as objects the garbage collector would walk them at every
    full collection), and built when read."""
    doc = c.find_document(document) if document else None
    limit = SEVERITIES.index(min_severity)
    if kept(c):
        return _kept_findings(c, rules, limit, doc)
    checks = tuple(k for k, check in RULES.items() if not rules or not set(check.rules).isdisjoint(rules))
    # one document's or some rules' findings are found by their checks alone, unless the whole
    # audit is already kept
    whole = ("audit", None, tuple(RULES))
    key = whole if whole in c.memo else ("audit", doc, checks)
    found = c.derived(key, lambda: [(v.rule, SEVERITIES.index(v.severity), v.document, orjson.dumps(v))
                                    for v in _all_violations(c, key[1], key[2])])
    return Answers([blob for rule, severity, d, blob in found
                    if (not rules or rule in rules) and severity <= limit and (doc is None or d == doc)],
                   lambda blob: _violation(orjson.loads(blob)))


def _kept_findings(c: Corpus, rules: tuple[str, ...], limit: int, doc: str | None) -> Chain[Violation]:
    """The kept findings meeting the filters in the audit's order, read a window at a time:
    one part per severity and rule that has some (counted by ``finding_counts``), each in the
    order of its document and place, from the ``findings`` table or from the records the
    findings are of (``READ``)."""
    where, params = _where(rules, limit, doc)
    of_doc = " AND document = ?" if doc is not None else ""
    parts: list[Selected[Violation]] = []
    for sev, rule, n in c.rows(f"SELECT sev, rule, sum(n) FROM finding_counts{where} GROUP BY sev, rule "
                               "ORDER BY sev, rule", params):
        name, at = RULE_NAMES[rule], (doc,) if doc is not None else ()
        read = READ.get((name, SEVERITIES[sev]))
        if read is not None:
            # (named: SQLite would read the tasks without a deadline through the calendar's
            # index, sorting each document's, ~2x slower at a deep page)
            # (a store built before the index has none)
            by = f" INDEXED BY {read.index}" if has_index(c, read.index) else ""
            of = " AND doc = ?" if doc is not None else ""  # (a record's document is its row's)
            sql = f"SELECT rec FROM {read.table}{by} WHERE {read.cond}{of} ORDER BY {read.columns}, rowid"
            parts.append(Selected(c, sql, at, lambda row, key=(name, sev): _read_finding(c, row[0], *key),
                                  kept={"count": n}))
        else:
            sql = f"SELECT rec FROM findings WHERE sev = ? AND rule = ?{of_doc} ORDER BY {FINDING_ORDER}"
            parts.append(Selected(c, sql, (sev, rule, *at), lambda row: _violation(c.decode(row[0])),
                                  kept={"count": n}))
    return Chain(parts)


def _read_finding(c: Corpus, row: bytes, rule: str, sev: int) -> Violation:
    """The finding of ``rule`` a record read for it has (``READ``)."""
    rec = c.decode(row)
    if rule == "citation_unresolved":
        return unresolved_violation(rec, SEVERITIES[sev] == "warning")
    return next(v for v in task_violations(c, rec) if v.rule == rule)


def _violation(v: dict[str, Any]) -> Violation:
    return Violation(v["rule"], v["severity"], v["entity"], v["entity_label"], v["document"], v["message"],
                     prov(v["provenance"]),
                     tuple(Evidence(e["label"], prov(e["provenance"])) for e in v["evidence"]))


@dataclass(frozen=True, slots=True)
class Counts:
    """What an audit found, counted: by rule and severity (the audit's order), in all, and the
    documents they are of."""

    rules: list[RuleCount]
    total: int
    documents: int


def counts(c: Corpus, rules: tuple[str, ...] = (), min_severity: str = "info",
           document: str | None = None) -> Counts:
    """The findings ``audit`` gives for the same filters, counted (kept ones by SQL)."""
    if not kept(c):
        found = audit(c, rules, min_severity, document)
        return Counts(summary(found), len(found), len({v.document for v in found}))
    doc = c.find_document(document) if document else None
    where, params = _where(rules, SEVERITIES.index(min_severity), doc)
    # (a row of finding_counts per document, rule and severity)
    by_rule = c.rows(f"SELECT rule, sev, sum(n), count(*) FROM finding_counts{where} "
                     "GROUP BY sev, rule ORDER BY sev, rule", params)
    (docs,) = c.rows(f"SELECT count(DISTINCT document) FROM finding_counts{where}", params)[0]
    return Counts([RuleCount(RULE_NAMES[r], SEVERITIES[s], n, d, RULE_TEXT.get(RULE_NAMES[r], RULE_NAMES[r]))
                   for r, s, n, d in by_rule], sum(n for _, _, n, _ in by_rule), docs)


def grouped(c: Corpus, rules: tuple[str, ...] = (), min_severity: str = "info", document: str | None = None,
            limit: int = 0) -> Iterator[tuple[str | None, int, Sequence[Violation]]]:
    """The findings by document, the documents with the most severe findings first (then the
    most findings; None: of no document): each document, its number of findings and the
    first ``limit`` of them (0: all)."""
    if not kept(c):
        for d, vs in by_document(list(audit(c, rules, min_severity, document))).items():
            yield d, len(vs), vs[:limit] if limit else vs
        return
    doc = c.find_document(document) if document else None
    where, params = _where(rules, SEVERITIES.index(min_severity), doc)
    for d, n in c.rows(f"SELECT document, sum(n) FROM finding_counts{where} GROUP BY document "
                       "ORDER BY min(sev), sum(n) DESC, document", params):
        found = _kept_findings(c, rules, SEVERITIES.index(min_severity), d)
        yield d or None, n, found[:limit] if limit else found


def summary(found: Sequence[Violation]) -> list[RuleCount]:
    """Findings counted by rule and severity, in the audit's order (most severe first)."""
    counted: dict[tuple[str, str], list[Violation]] = {}
    for v in found:
        counted.setdefault((v.rule, v.severity), []).append(v)
    return [RuleCount(rule, sev, len(vs), len({v.document for v in vs}), RULE_TEXT.get(rule, rule))
            for (rule, sev), vs in sorted(counted.items(), key=lambda kv: (SEVERITIES.index(kv[0][1]),
                                                                           RULE_NAMES.index(kv[0][0])))]


def by_document(found: list[Violation]) -> dict[str | None, list[Violation]]:
    """Findings per document, documents with the most severe findings first."""
    groups: dict[str | None, list[Violation]] = {}
    for v in found:
        groups.setdefault(v.document, []).append(v)
    return dict(sorted(groups.items(), key=lambda kv: (min(SEVERITIES.index(v.severity) for v in kv[1]),
                                                       -len(kv[1]), kv[0] or "")))


def _all_violations(c: Corpus, doc: str | None = None, checks: tuple[str, ...] = tuple(RULES)
                    ) -> list[Violation]:
    """The findings of ``checks`` (names of ``RULES``), in the audit's order: over the whole
    corpus, or those that can be of document ``doc`` (the caller keeps only that document's)."""
    def units(check: Check) -> Units:
        return (doc,) if doc is not None and check.unit in ("document", "corpus") else None
    return sorted((v for name in checks for v in RULES[name].run(c, units(RULES[name]))), key=order_key)
