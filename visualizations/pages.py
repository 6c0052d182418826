"""Server-rendered pages: one per document, one per agency, per metric, and the lists of each.

Each function takes the corpus and an id (or name) and returns HTML; ``NotFound`` propagates so
the server answers 404. The pages use the same query functions as the CLI and the JSON API.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cchc_graph.graph.questions import cascade as cascade_mod
from cchc_graph.graph.questions import queries, trace
from cchc_graph.graph.questions.index import (
    ROLE_LABELS,
    ROLES,
    TYPE_NAMES,
    Corpus,
    DocRef,
    NotFound,
    source_place,
)
from cchc_graph.graph.questions.labels import document_labels
from cchc_graph.graph.questions.refines import metric_label, parents_of, refinement_of
from cchc_graph.graph.questions.tables import AGENCY_IDS, EXPORT_ORDER, id_of
from cchc_graph.loaders.schema import Provenance

from .charts import STATUS, cascade_svg, comparison_svg, fmt_value
from .html import environment
from .view import PROPS, Labeller


@dataclass(frozen=True, slots=True)
class DocLink:
    id: str
    label: str
    in_corpus: bool


def _render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(role_labels=ROLE_LABELS, **context)


def _doc_link(c: Corpus, d: DocRef | str) -> DocLink:
    did = d if isinstance(d, str) else d.id
    return DocLink(did, Labeller(c).doc_label(did), did in c.documents)


def _facts(c: Corpus, kind: str, rec: dict[str, Any]) -> list[tuple[str, str]]:
    b = Labeller(c)
    return [(label, b.value(f, rec[f])) for f, label in PROPS[kind]
            if rec.get(f) not in (None, "", []) and f not in ("title", "name")]


def document_page(c: Corpus, query: str) -> str:
    """Tasks grouped by lead agency, targets with their parent's, citations, cascade charts."""
    did = c.find_document(query)
    in_corpus = did in c.documents
    rec = c.documents.get(did) or c.references[did]
    tasks = [queries.task_answer(c, t["id"]) for t in c.by_document[did]["tasks"]]
    groups: dict[str | None, list[queries.TaskAnswer]] = defaultdict(list)
    for t in tasks:
        for lead in t.holders("lead") or (None,):
            groups[lead.id if lead else None].append(t)
    task_groups = [{"agency": c.agency_ref(a) if a else None, "tasks": ts}
                   for a, ts in sorted(groups.items(), key=lambda kv: (kv[0] is None, -len(kv[1])))]
    targets = []
    for t in sorted(c.by_document[did]["targets"], key=lambda t: t["provenance"]["start"]):
        row = refinement_of(c, t["id"])
        parent = row.parent if row else None
        targets.append({
            "section": t["provenance"].get("section"),
            "metric": metric_label(t["metric"], t.get("unit")),
            "value": fmt_value(t.get("value"), t.get("comparator"), t.get("unit")),
            "year": t.get("year"), "provenance": t["provenance"],
            "status": row.status if row else None,
            "status_label": STATUS[row.status][0] if row else None,
            "parent_value": (f"(cấp trên {fmt_value(parent.value, parent.comparator, parent.unit)})"
                             if parent else ""),
        })
    hops = trace.cites(c, did, 1) if in_corpus else []
    citations = [{"relation": h.relation, "target": _doc_link(c, h.target), "date": h.date,
                  "provenance": h.provenance} for h in hops]
    cited_by = [{"relation": h.relation, "source": _doc_link(c, h.source)} for h in trace.cited_by(c, did, 1)]
    cascades = []
    if in_corpus and parents_of(c, did):
        cascades = [{"parent": _doc_link(c, cas.parent), "svg": cascade_svg(cas, document_labels(c))}
                    for cas in cascade_mod.cascade(c, did)]
    kind = TYPE_NAMES.get(rec.get("type") or "", "Văn bản") + ("" if in_corpus else " (được dẫn, ngoài kho)")
    title = Labeller(c).doc_label(did, full=True)
    return _render("document.html.j2", title=title, id=did, kind=kind, in_corpus=in_corpus,
        facts=_facts(c, "document" if in_corpus else "reference", rec), task_groups=task_groups,
        task_count=len(tasks), targets=targets, citations=citations, cited_by=cited_by,
        cascades=cascades)


def agency_page(c: Corpus, agency_id: str) -> str:
    """Every role the agency holds, with task, document, deadline and quote; whom it reports to."""
    if agency_id not in c.agencies:
        matches = c.find_agencies(agency_id)
        if len(matches) > 1:
            raise NotFound(f"{agency_id!r} khớp nhiều cơ quan / matches several agencies")
        agency_id = matches[0]
    p = queries.agency_profile(c, agency_id)
    held = list(p.roles)  # (built as read: once for both uses)
    by_role: dict[str, list[queries.AgencyRole]] = defaultdict(list)
    for r in held:
        by_role[r.role].append(r)
    roles = [(role, by_role[role]) for role in ROLES if by_role.get(role)]
    docs = {r.document.id: _doc_link(c, r.document) for r in held}
    return _render("agency.html.j2", title=p.agency.name, id=agency_id,
                   facts=_facts(c, "agency", c.agencies[agency_id]), roles=roles, docs=docs,
                   reports_to=p.reports_to, reported_by=p.reported_by)


def _with_place(p: Provenance) -> str:
    place = source_place(p)
    return f"{p.quote} ({place})" if place else p.quote


def _link(href: str, text: str) -> dict[str, str]:
    return {"href": href, "text": text}


def documents_page(c: Corpus) -> str:
    rows = []
    count = {(table, d): n for table in ("tasks", "targets", "citations")
             for d, n in c.rows(f"SELECT doc, count(*) FROM {table} GROUP BY doc")}
    places = dict(c.rows("SELECT id, name FROM jurisdictions"))
    b = Labeller(c)
    docs = c.rows(f"SELECT id, title, date, jurisdiction FROM documents ORDER BY {EXPORT_ORDER}")
    for did, title, day, where in sorted(docs, key=lambda d: d[2] or ""):
        rows.append([_link(f"/pages/documents/{quote(did, safe='')}", b.doc_label(did)),
                     title or "", day or "", places.get(where or "") or "",
                     count.get(("tasks", did), 0), count.get(("targets", did), 0),
                     count.get(("citations", did), 0)])
    return _render("list.html.j2", title=f"Văn bản trong kho / documents ({len(rows)})",
                   header=["Văn bản", "Trích yếu", "Ngày", "Địa bàn", "Nhiệm vụ", "Chỉ tiêu", "Dẫn chiếu"],
                   rows=rows, chart=None)


def agencies_page(c: Corpus) -> str:
    rows = []
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for aid, role, n in c.rows(f"SELECT {id_of(AGENCY_IDS, 'agency')}, role, count(*) FROM responsibilities "
                               "GROUP BY agency, role"):
        counts[aid][role] = n
    places = dict(c.rows("SELECT id, name FROM jurisdictions"))
    for aid, a in sorted(c.agencies.items(), key=lambda kv: (kv[1].get("jurisdiction") or "", kv[1]["name"])):
        rows.append([_link(f"/pages/agencies/{quote(aid, safe='')}", a["name"]),
                     places.get(a.get("jurisdiction") or "") or "",
                     counts[aid]["lead"], counts[aid]["cooperate"], counts[aid]["standing"],
                     len(a.get("documents") or [])])
    return _render("list.html.j2", title=f"Cơ quan / agencies ({len(rows)})",
                   header=["Cơ quan", "Địa bàn", "Chủ trì", "Phối hợp", "Thường trực", "Văn bản"],
                   rows=rows, chart=None)


def metrics_page(c: Corpus) -> str:
    rows = [[_link(f"/pages/metrics/{quote(m.key, safe='')}", m.label), m.key, m.targets, m.documents]
            for m in cascade_mod.metrics(c)]
    return _render("list.html.j2", title=f"Chỉ tiêu đo / metrics ({len(rows)})",
                   header=["Chỉ tiêu", "Mã", "Số chỉ tiêu", "Số văn bản"], rows=rows, chart=None)


def metric_page(c: Corpus, metric: str) -> str:
    """One metric across jurisdictions: the chart, then every target with its sentence."""
    rows = cascade_mod.compare(c, metric)
    keys = sorted({r.metric for r in rows})
    b = Labeller(c)
    labels = document_labels(c)
    charts = "".join(comparison_svg([r for r in rows if r.metric == k], labels=labels) for k in keys)
    table = [[r.jurisdiction_name or r.jurisdiction or "",
              _link(f"/pages/documents/{quote(r.document.id, safe='')}", b.doc_label(r.document.id)),
              fmt_value(r.value, r.comparator, r.unit), r.year or "",
              "" if r.parent_value is None else fmt_value(r.parent_value, None, r.unit),
              _with_place(r.provenance)]
             for r in rows]
    return _render("list.html.j2", title=", ".join(metric_label(k) for k in keys),
                   header=["Địa bàn", "Văn bản", "Mức", "Năm", "Cấp trên", "Câu văn"], rows=table,
                   chart=charts)
