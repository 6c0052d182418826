"""Target cascade (a plan's targets against the document it implements) and comparisons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cchc_graph.graph.questions.index import Corpus, DocRef, NotFound, prov
from cchc_graph.graph.questions.refines import CascadeRow, metric_label, pair, parents_of, refinement_of
from cchc_graph.graph.questions.tables import IN_LIST, Answers, Selected, has_index, json_list
from cchc_graph.keys import fold_key
from cchc_graph.loaders.schema import Provenance


@dataclass(frozen=True, slots=True)
class Cascade:
    child: DocRef
    parent: DocRef
    via: str | None  # the citation that links them
    rows: tuple[CascadeRow, ...]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.rows)


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    metric: str
    jurisdiction: str | None
    jurisdiction_name: str | None
    document: DocRef
    comparator: str | None
    value: float | None
    unit: str | None
    year: int | None
    parent_value: float | None
    parent_document: str | None
    target: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class MetricInfo:
    key: str
    label: str
    targets: int
    documents: int


UNIT_AFTER = {"%": "%", "rank": " (hạng)", "count": ""}  # how a unit reads after a number


def fmt_value(value: float | None, comparator: str | None = None, unit: str | None = None) -> str:
    """"≥50%", "20 (hạng)", "—" for none."""
    if value is None:
        return "—"
    sign = {">=": "≥", "<=": "≤"}.get(comparator or "", comparator or "")
    return f"{sign}{value:g}{UNIT_AFTER.get(unit or '', f' {unit}' if unit else '')}"


def row_labels(rows: Sequence[CascadeRow]) -> list[str]:
    """Each row's metric label, told apart where several rows share one: by the year, then by
    the parent's (or child's) value, then by a count ("(lần 2)")."""
    def year(r: CascadeRow) -> str:
        t = r.parent or r.child
        return str(t.year) if t and t.year else ""

    def value(r: CascadeRow) -> str:
        t = r.parent or r.child
        return fmt_value(t.value, t.comparator, t.unit) if t else ""

    labels = [r.metric_label for r in rows]
    for extra in (year, value):
        seen: dict[str, int] = defaultdict(int)
        for x in labels:
            seen[x] += 1
        labels = [f"{x} · {extra(r)}" if seen[x] > 1 and extra(r) else x
                  for x, r in zip(labels, rows, strict=True)]
    count: dict[str, int] = defaultdict(int)
    out = []
    for x in labels:
        count[x] += 1
        out.append(x if count[x] == 1 else f"{x} (lần {count[x]})")
    return out


def cascade(c: Corpus, child: str, parent: str | None = None) -> list[Cascade]:
    """Pair the child's targets with each parent's by metric and say how they compare."""
    child_id = c.find_document(child)
    if parent:
        pid = c.find_document(parent)
        via = next((ci for p, ci in parents_of(c, child_id) if p == pid), None)
        pairs = [(pid, via)]
    else:
        pairs = parents_of(c, child_id)
        if not pairs:
            raise NotFound(f"{child_id!r} không thực hiện văn bản nào trong kho / implements no "
                           "document in the corpus; chỉ rõ văn bản cấp trên / name the parent with "
                           "--parent DOCUMENT")
    return [_cascade(c, child_id, pid, via) for pid, via in pairs]


def _cascade(c: Corpus, child_id: str, parent_id: str, via: str | None) -> Cascade:
    return Cascade(c.doc_ref(child_id), c.doc_ref(parent_id), via, pair(c, child_id, parent_id))


def metrics(c: Corpus) -> list[MetricInfo]:
    """The metrics targets are measured by, most used first."""
    def build() -> list[MetricInfo]:
        counts = c.rows("SELECT metric, count(*), count(DISTINCT doc) FROM targets GROUP BY metric")
        return sorted((MetricInfo(k, metric_label(k), n, docs) for k, n, docs in counts),
                      key=lambda m: (-m.documents, -m.targets, m.key))
    return c.derived("metrics", build)


def find_metric(c: Corpus, query: str) -> list[str]:
    """Metric keys named by a key, a phrase of their label ("trực tuyến") or its words."""
    if c.rows("SELECT 1 FROM targets WHERE metric = ? LIMIT 1", (query,)):
        return [query]  # a key (the metrics are not all counted: ~10 ms after each upload at 10k)
    known = {m.key for m in metrics(c)}
    q = fold_key(query)
    words = set(q.split())

    def named(k: str) -> bool:  # the phrase, or all its words in any order ("hồ sơ trực tuyến")
        label = fold_key(metric_label(k))
        return q in label or q in fold_key(k) or words <= set(label.split())
    hits = [k for k in sorted(known) if q and named(k)]
    if not hits:
        from cchc_graph.graph.questions.suggest import hint, nearest

        labels = {fold_key(metric_label(k)): metric_label(k) for k in known}
        raise NotFound(f"không có chỉ tiêu / no metric matches {query!r}" + hint(nearest(query, labels)))
    return hits


def compare(c: Corpus, metric: str) -> Sequence[ComparisonRow]:
    """One metric across every jurisdiction and document, with the parent's value when known:
    by metric, jurisdiction, document and place in it."""
    keys = json_list(find_metric(c, metric))  # sorted
    # a window at a time, counted apart (each upload's new data: ~15 ms to list a metric's
    # 6,000 targets at 10,000 documents); the documents' jurisdictions from their covering index
    docs = "documents d INDEXED BY documents_id_jurisdiction" if has_index(c, "documents_id_jurisdiction") \
        else "documents d"
    ids = Selected(c, f"SELECT t.id FROM targets t LEFT JOIN {docs} ON d.id = t.doc WHERE t.metric "
                   f"{IN_LIST} ORDER BY t.metric, coalesce(d.jurisdiction, ''), t.doc, t.start, t.rowid",
                   (keys,), lambda r: r[0],
                   f"SELECT count(*) FROM targets WHERE metric {IN_LIST}", c.kept(("compare", keys), dict))
    return Answers(ids, lambda t: _comparison(c, c.targets[t]), lambda run: c.read_refs(
        t["document"] for t in c.targets.where(f"id {IN_LIST}", (json_list(run),))))  # (a page's at once)


def _comparison(c: Corpus, t: dict) -> ComparisonRow:
    jur = c.jurisdiction_of(t["document"])
    row = refinement_of(c, t["id"])
    p = row.parent if row else None
    return ComparisonRow(t["metric"], jur, c.jurisdictions.get(jur or "", {}).get("name"),
                         c.doc_ref(t["document"]), t.get("comparator"), t.get("value"),
                         t.get("unit"), t.get("year"), p.value if p else None,
                         p.document if p else None, t["id"], prov(t["provenance"]))
