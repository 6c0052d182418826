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


# the rows of a long list a page shows (an agency's roles of one kind, a metric's targets): at
# 10,000 documents as published a provincial centre holds 28,215 roles, a page of them all was
# 24 MB; the others are a page at a time
PAGE_ROWS = 100


@dataclass(frozen=True, slots=True)
class Pager:
    """One page of a long list: the rows it shows, and the links to the pages beside it."""

    page: int
    pages: int
    total: int
    href: str  # the list's own address (``page=`` is added to it)

    @property
    def rows(self) -> slice:
        return slice((self.page - 1) * PAGE_ROWS, self.page * PAGE_ROWS)

    def link(self, page: int) -> str:
        return f"{self.href}{'&' if '?' in self.href else '?'}page={page}"


def _pager(total: int, page: int, href: str) -> Pager:
    pages = max(1, -(-total // PAGE_ROWS))
    if not 1 <= page <= pages:
        raise NotFound(f"không có trang {page} / no page {page}: {pages} trang / pages")
    return Pager(page, pages, total, href)


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


def agency_page(c: Corpus, agency_id: str, role: str | None = None, page: int = 1) -> str:
    """The roles the agency holds, by kind, each with task, document, deadline and quote (the
    first ``PAGE_ROWS`` of a kind, or with ``role`` that kind's ``page``); whom it reports to."""
    if agency_id not in c.agencies:
        matches = c.find_agencies(agency_id)
        if len(matches) > 1:
            raise NotFound(f"{agency_id!r} khớp nhiều cơ quan / matches several agencies")
        agency_id = matches[0]
    p = queries.agency_profile(c, agency_id)
    if role is not None and role not in p.role_counts:
        raise NotFound(f"{p.agency.name} không giữ vai trò / holds no role {role!r}")
    if role is None and page != 1:
        raise NotFound("trang chỉ dùng với một vai trò / a page is of one role (role=…)")
    here = f"/pages/agencies/{quote(agency_id, safe='')}"
    roles = []
    for r in [role] if role else [r for r in ROLES if r in p.role_counts]:
        n = p.role_counts[r]
        pager = _pager(n, page, f"{here}?role={r}") if role else None
        rows = queries.roles_held(c, agency_id, r)[pager.rows if pager else slice(0, PAGE_ROWS)]
        roles.append({"role": r, "count": n, "rows": rows, "pager": pager,
                      "all": f"{here}?role={r}" if not role and n > len(rows) else None})
    docs = {x.document.id: _doc_link(c, x.document) for g in roles for x in g["rows"]}
    return _render("agency.html.j2", title=p.agency.name, id=agency_id, here=here if role else None,
                   page_rows=PAGE_ROWS,
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


def metric_page(c: Corpus, metric: str, page: int = 1) -> str:
    """One metric across jurisdictions: a chart, then the targets with their sentences, a page
    (``PAGE_ROWS``) at a time, the chart of the page's."""
    every = cascade_mod.compare(c, metric)
    pager = _pager(len(every), page, f"/pages/metrics/{quote(metric, safe='')}")
    rows = every[pager.rows]
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
    named = cascade_mod.find_metric(c, metric)  # (the title names them all, whichever the page shows)
    return _render("list.html.j2", title=", ".join(metric_label(k) for k in named),
                   header=["Địa bàn", "Văn bản", "Mức", "Năm", "Cấp trên", "Câu văn"], rows=table,
                   chart=charts, pager=pager)
