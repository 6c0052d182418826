"""Audit: the rule these documents state for themselves — one task, exactly one lead agency,
with cooperating agencies and a deadline — and the checks an auditor runs across documents.

Each build keeps the findings in the store's ``findings`` table (``findings.py``: only those of
what it changed are found again), so that an audit reads them in its order by SQL; a corpus
without them (held in memory, or a store whose findings are of another build) is audited as
asked."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cchc_graph.graph.questions.checks import (  # noqa: F401  (the audit's names, as its callers read them)
    FINDING_ORDER,
    READ,
    READ_RULES,
    RULE_NAMES,
    RULES,
    SEVERITIES,
    Check,
    Evidence,
    Units,
    Violation,
    _all_violations,
    order_key,
    task_violations,
    unresolved_violation,
)
from cchc_graph.graph.questions.index import Corpus, prov
from cchc_graph.graph.questions.tables import IN_LIST, Answers, Chain, Selected, has_index
from cchc_graph.graph.questions.tables import KEPT as KEPT  # (re-exported: the build's findings)
from cchc_graph.graph.questions.tables import findings_kept as kept


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
