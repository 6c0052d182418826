"""Which target refines which: a plan's targets paired by metric with those of the document it
implements (the ``refines`` links of the graph; the cascade question reads them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cchc_graph.graph.questions.tables import EXPORT_ORDER
from cchc_graph.loaders.kinds import METRICS
from cchc_graph.loaders.schema import Provenance

if TYPE_CHECKING:
    from cchc_graph.graph.questions.index import Corpus

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


UNIT_NAMES = {"%": "%", "rank": "hạng", "count": "số lượng"}  # a unit as named after a label


def metric_label(key: str, unit: str | None = None) -> str:
    """The metric's Vietnamese label (loaders/data/metrics.tsv), with its unit when given."""
    if key.startswith("rank:"):
        label = f"Thứ hạng {key[5:].upper()}"
    else:
        label = METRIC_LABELS.get(key) or key.split(":", 1)[-1].replace("-", " ").replace("_", " ")
    name = UNIT_NAMES.get(unit or "", unit)
    return f"{label} ({name})" if name and not (unit == "rank" and key.startswith("rank:")) else label


def _tref(c: Corpus, t: dict) -> TargetRef:
    return TargetRef(t["id"], t["document"], c.jurisdiction_of(t["document"]),
                     t.get("comparator"), t.get("value"), t.get("unit"), t.get("year"), t["text"],
                     Provenance(**t["provenance"]) if t["provenance"] else None)


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


def parents_of(c: Corpus, document: str) -> list[tuple[str, str]]:
    """(parent document, citation id) for the corpus documents ``document`` implements (kept
    for the data's version: a comparison's page asks it for each of its documents)."""
    return c.derived(("parents", document), lambda: _parents_of(c, document))


def _parents_of(c: Corpus, document: str) -> list[tuple[str, str]]:
    # (read from the columns: the audit asks it of every citing document, whose citations'
    # records it would otherwise decode, most of them unresolved)
    cits = c.rows("SELECT resolves_to, id, relation FROM citations WHERE doc = ? AND resolves_to IS NOT "
                  f"NULL ORDER BY {EXPORT_ORDER}", (document,))
    chosen = [ci for ci in cits if ci[2] in PARENT_RELATIONS] or cits
    return list(dict.fromkeys((to, cid) for to, cid, _ in chosen if to != document))


def pair(c: Corpus, child_id: str, parent_id: str) -> tuple[CascadeRow, ...]:
    """The parent's targets paired by metric with the child's, weakest first (kept for the
    data's version)."""
    return c.derived(("pair", child_id, parent_id), lambda: _pair(c, child_id, parent_id))


def _targets_of(c: Corpus, document: str) -> list[tuple[tuple[str, str | None], TargetRef]]:
    """A document's targets as compared, each with its (metric, unit) (kept for the data's
    version: a parent is compared with each document implementing it, thousands for a national
    one)."""
    return c.derived(("targets of", document),
                     lambda: [((t["metric"], t.get("unit")), _tref(c, t))
                              for t in c.by_document[document]["targets"]])


def _pair(c: Corpus, child_id: str, parent_id: str) -> tuple[CascadeRow, ...]:
    by_metric: dict[tuple[str, str | None], tuple[list[TargetRef], list[TargetRef]]] = defaultdict(
        lambda: ([], []))
    for side, doc in ((0, parent_id), (1, child_id)):
        for metric, t in _targets_of(c, doc):
            by_metric[metric][side].append(t)
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
    for (doc,) in c.rows("SELECT id FROM documents WHERE id IN (SELECT doc FROM citations WHERE "
                         "resolves_to IS NOT NULL) ORDER BY doc IS NULL, doc, ord"):
        for pid, _ in parents_of(c, doc):
            out += [r for r in pair(c, doc, pid) if r.parent and r.child]
    return out


def refinement_of(c: Corpus, target: str) -> CascadeRow | None:
    """The pair in which a child target refines its parent's (the last parent's, if several)."""
    t = c.targets.get(target)
    found = None
    for pid, _ in parents_of(c, t["document"]) if t else ():
        found = next((r for r in pair(c, t["document"], pid)
                      if r.child and r.parent and r.child.id == target), found)
    return found
