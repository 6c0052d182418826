"""Target cascade (a plan's targets against the document it implements) and comparisons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cchc_graph.graph.questions.index import EXPORT_ORDER, Answers, Corpus, DocRef, NotFound, prov
from cchc_graph.loaders.lexicon import METRICS
from cchc_graph.loaders.model import Provenance
from cchc_graph.loaders.text import fold_key

METRIC_LABELS = {m.key: m.label for m in METRICS}
PARENT_RELATIONS = ("implements", "based_on")


@dataclass(frozen=True, slots=True)
class TargetRef:
    id: str
    document: str
    jurisdiction: str | None
    comparator: str | None
    value: float | None
    unit: str | None
    year: int | None
    text: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class CascadeRow:
    """One parent target and its counterpart in the child plan.

    ``status``: ``weaker``, ``equal``, ``stronger`` (the child against the parent), ``missing``
    (no counterpart in the child), ``not_comparable`` (e.g. counts over different areas) or
    ``extra`` (a child target with no parent counterpart).
    """

    metric: str
    metric_label: str
    status: str
    reason: str
    parent: TargetRef | None
    child: TargetRef | None


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


UNIT_NAMES = {"%": "%", "rank": "hạng", "count": "số lượng"}  # a unit as named after a label
UNIT_AFTER = {"%": "%", "rank": " (hạng)", "count": ""}  # how a unit reads after a number


def metric_label(key: str, unit: str | None = None) -> str:
    """The metric's Vietnamese label (loaders/data/metrics.tsv), with its unit when given."""
    if key.startswith("rank:"):
        label = f"Thứ hạng {key[5:].upper()}"
    else:
        label = METRIC_LABELS.get(key) or key.split(":", 1)[-1].replace("-", " ").replace("_", " ")
    name = UNIT_NAMES.get(unit or "", unit)
    return f"{label} ({name})" if name and not (unit == "rank" and key.startswith("rank:")) else label


def fmt_value(value: float | None, comparator: str | None = None, unit: str | None = None) -> str:
    """"≥50%", "20 (hạng)", "—" for none."""
    if value is None:
        return "—"
    sign = {">=": "≥", "<=": "≤"}.get(comparator or "", comparator or "")
    return f"{sign}{value:g}{UNIT_AFTER.get(unit or '', f' {unit}' if unit else '')}"


def _tref(c: Corpus, t: dict) -> TargetRef:
    return TargetRef(t["id"], t["document"], c.jurisdiction_of(t["document"]),
                     t.get("comparator"), t.get("value"), t.get("unit"), t.get("year"), t["text"],
                     prov(t["provenance"]))


def _lower_is_better(t: TargetRef) -> bool:
    return t.unit == "rank" or (t.comparator or "").startswith("<")


def _bound(t: TargetRef) -> tuple[float, int]:
    strict = 1 if t.comparator in (">", "<") else 0
    v = t.value or 0.0
    return (-v, strict) if _lower_is_better(t) else (v, strict)


def compare_targets(parent: TargetRef, child: TargetRef) -> tuple[str, str]:
    """(status, reason) of a child target against the parent target it refines."""
    if parent.unit != child.unit or _lower_is_better(parent) != _lower_is_better(child):
        return "not_comparable", "khác đơn vị hoặc chiều / different unit or direction"
    if parent.unit == "count" and parent.jurisdiction != child.jurisdiction:
        return "not_comparable", "số lượng trên địa bàn khác nhau / counts over different areas"
    pb, cb = _bound(parent), _bound(child)
    if cb > pb:
        status = "stronger"
    elif cb < pb:
        status = "weaker"
    elif parent.year and child.year and child.year > parent.year:
        return "weaker", f"cùng mức nhưng muộn hơn / same level, later ({child.year} > {parent.year})"
    else:
        status = "equal"
    return status, f"{_show(child)} so với / vs {_show(parent)}"


def _show(t: TargetRef) -> str:
    v = t.value if t.value is None or t.value % 1 else int(t.value)
    unit = "%" if t.unit == "%" else ""
    return f"{t.comparator or ''}{v}{unit}" + (f" ({t.year})" if t.year else "")


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


def parents_of(c: Corpus, document: str) -> list[tuple[str, str]]:
    """(parent document, citation id) for the corpus documents ``document`` implements."""
    cits = [ci for ci in c.by_document[document]["citations"] if ci["resolves_to"]]
    chosen = [ci for ci in cits if ci["relation"] in PARENT_RELATIONS] or cits
    return list(dict.fromkeys((ci["resolves_to"], ci["id"]) for ci in chosen
                              if ci["resolves_to"] != document))


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
    return [Cascade(c.doc_ref(child_id), c.doc_ref(pid), via, cascade_rows(c, child_id, pid, via))
            for pid, via in pairs]


def cascade_rows(c: Corpus, child_id: str, parent_id: str, via: str | None) -> tuple[CascadeRow, ...]:
    """The child's targets paired with the parent's (kept for the corpus's generation)."""
    return c.derived(("cascade", child_id, parent_id, via), lambda: _pairs(c, child_id, parent_id))


def _pairs(c: Corpus, child_id: str, parent_id: str) -> tuple[CascadeRow, ...]:
    by_metric: dict[tuple[str, str | None], tuple[list[TargetRef], list[TargetRef]]] = defaultdict(
        lambda: ([], []))
    for side, doc in ((0, parent_id), (1, child_id)):
        for t in c.by_document[doc]["targets"]:
            by_metric[(t["metric"], t.get("unit"))][side].append(_tref(c, t))
    rows: list[CascadeRow] = []
    for (metric, unit), (ps, cs) in by_metric.items():
        label = metric_label(metric, unit)
        free = list(cs)
        for p in ps:
            if not free:
                rows.append(CascadeRow(metric, label, "missing", "không có trong văn bản cấp dưới / "
                                       "no counterpart in the child", p, None))
                continue
            # the closest counterpart: same year first, then nearest value
            ch = min(free, key=lambda x: (x.year != p.year, abs((x.value or 0) - (p.value or 0))))
            free.remove(ch)
            rows.append(CascadeRow(metric, label, *compare_targets(p, ch), p, ch))
        rows += [CascadeRow(metric, label, "extra", "chỉ có ở văn bản cấp dưới / only in the child",
                            None, ch) for ch in free]
    order = {"weaker": 0, "missing": 1, "not_comparable": 2, "equal": 3, "stronger": 4, "extra": 5}
    rows.sort(key=lambda r: (order[r.status], r.metric))
    return tuple(rows)


def target_links(c: Corpus) -> list[CascadeRow]:
    """Every paired child/parent target across the corpus (the ``refines`` edges): each
    document citing one of the corpus, against each of its parents."""
    out = []
    for (doc,) in c.rows("SELECT id FROM documents WHERE id IN (SELECT document FROM citations WHERE "
                         f"resolves_to IS NOT NULL) ORDER BY {EXPORT_ORDER}"):
        for pid, via in parents_of(c, doc):
            out += [r for r in cascade_rows(c, doc, pid, via) if r.parent and r.child]
    return out


def refinement_of(c: Corpus, target: str) -> CascadeRow | None:
    """The pair in which a child target refines its parent's (the last parent's, if several)."""
    t = c.targets.get(target)
    found = None
    for pid, via in parents_of(c, t["document"]) if t else ():
        found = next((r for r in cascade_rows(c, t["document"], pid, via)
                      if r.child and r.parent and r.child.id == target), found)
    return found


def metrics(c: Corpus) -> list[MetricInfo]:
    """The metrics targets are measured by, most used first."""
    def build() -> list[MetricInfo]:
        counts = c.rows("SELECT metric, count(*), count(DISTINCT document) FROM targets GROUP BY metric")
        return sorted((MetricInfo(k, metric_label(k), n, docs) for k, n, docs in counts),
                      key=lambda m: (-m.documents, -m.targets, m.key))
    return c.derived("metrics", build)


def find_metric(c: Corpus, query: str) -> list[str]:
    """Metric keys named by a key, a phrase of their label ("trực tuyến") or its words."""
    known = {m.key for m in metrics(c)}
    if query in known:
        return [query]
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
    keys = find_metric(c, metric)  # sorted
    ids = c.kept(("compare", *keys), lambda: [i for k in keys for (i,) in c.rows(
        "SELECT t.id FROM targets t LEFT JOIN documents d ON d.id = t.document WHERE t.metric = ? "
        "ORDER BY coalesce(d.jurisdiction, ''), t.document, t.start, t.doc IS NULL, t.doc, t.ord", (k,))])
    return Answers(ids, lambda t: _comparison(c, c.targets[t]))


def _comparison(c: Corpus, t: dict) -> ComparisonRow:
    jur = c.jurisdiction_of(t["document"])
    row = refinement_of(c, t["id"])
    p = row.parent if row else None
    return ComparisonRow(t["metric"], jur, c.jurisdictions.get(jur or "", {}).get("name"),
                         c.doc_ref(t["document"]), t.get("comparator"), t.get("value"),
                         t.get("unit"), t.get("year"), p.value if p else None,
                         p.document if p else None, t["id"], prov(t["provenance"]))
