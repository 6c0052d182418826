"""Audit: the rule these documents state for themselves — one task, exactly one lead agency,
with cooperating agencies and a deadline — and the checks an auditor runs across documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cchc_graph.graph.questions.cascade import cascade
from cchc_graph.graph.questions.index import Corpus, prov
from cchc_graph.graph.questions.queries import reporting_lines
from cchc_graph.graph.questions.refines import parents_of
from cchc_graph.graph.questions.tables import EXPORT_ORDER, Answers
from cchc_graph.graph.questions.trace import inconsistencies
from cchc_graph.loaders.kinds import METRICS
from cchc_graph.loaders.model import Provenance

SEVERITIES = ("error", "warning", "info")
METRIC_AREAS = {m.key: m.area for m in METRICS}
MAX_CYCLE = 6


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
    "agency_unknown_kind": "không rõ loại cơ quan / agency of unknown kind",
}


def _records(c: Corpus, table: str, doc: str | None, where: str = "", params: tuple[str, ...] = ()
             ) -> Iterable[dict[str, Any]]:
    """A table's records (``where``: an SQL condition), of one document when ``doc`` is given,
    in the export's order; over the whole corpus one at a time."""
    if doc is None and not where:
        return c.each(table)
    conds = [w for w in (where, "document = ?" if doc else "") if w]
    return c.recs(table, " AND ".join(conds), (*params, doc) if doc else params)


def _marks(values: tuple[str, ...]) -> str:
    return ", ".join("?" * len(values))


def _task_rules(c: Corpus, doc: str | None) -> Iterator[Violation]:
    for t in _records(c, "tasks", doc):
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


def _report_cycles(c: Corpus, doc: str | None) -> Iterator[Violation]:
    if doc and not c.rows("SELECT 1 FROM responsibilities WHERE document = ? AND role = 'report_to' LIMIT 1",
                          (doc,)):
        return  # a cycle is reported on a reporting line's document: this one has none
    import networkx as nx  # here: the CLI starts without it

    # who reports to whom, from the lookup columns alone: most corpora have no circle, and
    # then no line's record need be read (~1 s at 10,000 documents)
    pairs = c.rows("SELECT DISTINCT l.agency, r.agency FROM responsibilities r JOIN responsibilities l "
                   "ON l.task = r.task AND l.role = 'lead' "
                   "WHERE r.role = 'report_to' AND l.agency != r.agency")
    if nx.is_directed_acyclic_graph(nx.DiGraph(pairs)):
        return
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


def _cascade_rules(c: Corpus, only: str | None) -> Iterator[Violation]:
    for (doc,) in c.rows("SELECT id FROM documents WHERE id IN (SELECT document FROM citations WHERE "
                         f"resolves_to IS NOT NULL){' AND id = ?' if only else ''} ORDER BY {EXPORT_ORDER}",
                         (only,) if only else ()):  # the others have no parent
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


def _target_owner(c: Corpus, doc: str | None) -> Iterator[Violation]:
    """A target nobody answers for: no task of its document in the metric's reform area has a lead."""
    owned = set(c.rows("SELECT DISTINCT document, area FROM tasks WHERE leads > 0"
                       + (" AND document = ?" if doc else ""), (doc,) if doc else ()))
    for t in _records(c, "targets", doc):
        area = METRIC_AREAS.get(t["metric"].split(":")[0])
        if area is None:
            continue  # a metric of unknown area: nothing to check against
        if (t["document"], area) not in owned:
            tid = t["id"]
            yield Violation("target_no_agency", "info", tid, t["text"][:80], t["document"],
                            f"không nhiệm vụ nào thuộc lĩnh vực {c.label('area:' + area)!r} có cơ quan "
                            f"chủ trì / no task in the target's area ({area}) has a lead agency",
                            prov(t["provenance"]))


def _citation_rules(c: Corpus, doc: str | None) -> Iterator[Violation]:
    local = set(c.jurisdictions)
    for ci in _records(c, "citations", doc, "coalesce(resolves_to, '') = ''"):
        cid = ci["id"]
        in_reach = ci.get("scope") in local and ci.get("scope") is not None
        yield Violation("citation_unresolved", "warning" if in_reach else "info", cid,
                        ci.get("number") or ci.get("title") or cid, ci["document"],
                        "văn bản được trích dẫn không có trong kho / cited document not in the corpus"
                        + (f" (văn bản của địa bàn {ci['scope']})" if in_reach else ""),
                        prov(ci["provenance"]))
    for inc in inconsistencies(c):
        values = "; ".join(f"{v.value!r}" for v in inc.variants)
        first = inc.variants[0]
        yield Violation("citation_inconsistent", "warning", inc.ref, inc.number or inc.ref,
                        first.provenance.document, f"cùng số hiệu, khác {inc.field} / same number, "
                        f"different {inc.field}: {values}", first.provenance)


# a document "rests on" what it is based on, implements or guides
RESTS_ON = ("based_on", "implements", "guides")
SUPERSEDES = ("replaces", "repeals")


def _superseded_bases(c: Corpus, doc: str | None) -> Iterator[Violation]:
    """A document resting on one that a loaded document replaced or repealed before it was
    issued (both dates known; the cited document by its resolved id or its reference)."""
    ended: dict[str, list[tuple[str, dict]]] = {}
    dates = dict(c.rows("SELECT id, date FROM documents"))
    for ci in c.recs("citations", f"relation IN ({_marks(SUPERSEDES)})", SUPERSEDES):
        day = dates.get(ci["document"])
        if day:
            ended.setdefault(ci.get("resolves_to") or ci["ref"], []).append((day, ci))
    for ci in _records(c, "citations", doc, f"relation IN ({_marks(RESTS_ON)})", RESTS_ON):
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


def _agency_rules(c: Corpus, doc: str | None) -> Iterator[Violation]:
    for a in c.each("agencies"):
        aid = a["id"]
        if not a.get("kind") or a["kind"] == "unknown":
            yield Violation("agency_unknown_kind", "info", aid, a["name"], (a.get("documents") or [None])[0],
                            "không rõ loại cơ quan / agency of unknown kind", prov(a.get("provenance")))


# each check with the rules it reports: a question about some rules runs only their checks
RULES: dict[str, tuple[Callable[[Corpus, str | None], Iterator[Violation]], tuple[str, ...]]] = {
    "tasks": (_task_rules, ("task_no_lead", "task_many_leads", "task_no_deadline")),
    "report_cycles": (_report_cycles, ("report_cycle",)),
    "cascade": (_cascade_rules, ("target_weaker", "target_missing")),
    "target_owner": (_target_owner, ("target_no_agency",)),
    "citations": (_citation_rules, ("citation_unresolved", "citation_inconsistent")),
    "superseded": (_superseded_bases, ("citation_superseded",)),
    "agencies": (_agency_rules, ("agency_unknown_kind",)),
}
RULE_NAMES = tuple(rule for _, gives in RULES.values() for rule in gives)  # the audit's order


def audit(c: Corpus, rules: tuple[str, ...] = (), min_severity: str = "info",
          document: str | None = None) -> Sequence[Violation]:
    """Every violation found, most severe first; filter by rule names, severity and document.

    The findings are kept for the data's version as JSON beside the fields they are filtered
    by (a national corpus has hundreds of thousands: as objects the garbage collector would
    walk them at every full collection), and built when read."""
    doc = c.find_document(document) if document else None
    limit = SEVERITIES.index(min_severity)
    checks = tuple(k for k, (_, gives) in RULES.items() if not rules or not set(gives).isdisjoint(rules))
    # one document's or some rules' findings are found by their checks alone, unless the whole
    # audit is already kept
    whole = ("audit", None, tuple(RULES))
    key = whole if whole in c.memo else ("audit", doc, checks)
    found = c.derived(key, lambda: [(v.rule, SEVERITIES.index(v.severity), v.document, orjson.dumps(v))
                                    for v in _all_violations(c, key[1], key[2])])
    return Answers([blob for rule, severity, d, blob in found
                    if (not rules or rule in rules) and severity <= limit and (doc is None or d == doc)],
                   _violation)


def _violation(blob: bytes) -> Violation:
    v = orjson.loads(blob)
    return Violation(v["rule"], v["severity"], v["entity"], v["entity_label"], v["document"], v["message"],
                     prov(v["provenance"]),
                     tuple(Evidence(e["label"], prov(e["provenance"])) for e in v["evidence"]))


def summary(found: Sequence[Violation]) -> list[RuleCount]:
    """Findings counted by rule and severity, in the audit's order (most severe first)."""
    counts: dict[tuple[str, str], list[Violation]] = {}
    for v in found:
        counts.setdefault((v.rule, v.severity), []).append(v)
    return [RuleCount(rule, sev, len(vs), len({v.document for v in vs}), RULE_TEXT.get(rule, rule))
            for (rule, sev), vs in sorted(counts.items(), key=lambda kv: (SEVERITIES.index(kv[0][1]),
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
    return sorted((v for name in checks for v in RULES[name][0](c, doc)),
                  key=lambda v: (SEVERITIES.index(v.severity), RULE_NAMES.index(v.rule),
                                 v.document or "", v.provenance.start if v.provenance else 0))
