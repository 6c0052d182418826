"""Responsibility matrix (agencies × tasks → CSV, Excel) and deadline calendar (→ iCalendar)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import ROLE_LABELS, AgencyRef, Corpus, DocRef, NotFound, prov
from cchc_graph.graph.questions.queries import TaskAnswer, task_answer
from cchc_graph.graph.questions.tables import EXPORT_ORDER, IN_LIST, Answers, Selected, json_list
from cchc_graph.graph.store.database import AGENCY_IDS, CALENDAR, recurring_start, rows_of
from cchc_graph.loaders.schema import Provenance


@dataclass(frozen=True, slots=True)
class MatrixRow:
    task: TaskAnswer
    cells: dict[str, tuple[str, ...]]  # agency id → roles


@dataclass(frozen=True, slots=True)
class Matrix:
    agencies: tuple[AgencyRef, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True, slots=True)
class Deadline:
    """A task's deadline: dated (``due_date``), recurring (``recurrence`` from ``start``) or only
    written (a frequency such as "thường xuyên", which names no day)."""

    task: str
    title: str
    document: DocRef
    deadline: str | None
    frequency: str | None
    due_date: str | None
    recurrence: str | None
    start: str | None
    until: str | None
    lead: tuple[AgencyRef, ...]
    provenance: Provenance

    @property
    def dated(self) -> bool:
        return bool(self.due_date or (self.recurrence and self.start))


def _tasks_in(c: Corpus, document: str | None, jurisdiction: str | None) -> list[str]:
    """The tasks of a document, of a jurisdiction's documents (its units' too), or of all, in
    the corpus's order."""
    where, params = _scope(c, document, jurisdiction, None, False)
    return [t for (t,) in c.rows(f"SELECT id FROM tasks WHERE {where} ORDER BY {EXPORT_ORDER}", params)]


def _scope(c: Corpus, document: str | None, jurisdiction: str | None, agencies: list[str] | None,
           calendar: bool) -> tuple[str, list[str]]:
    """The SQL condition on ``tasks`` (and its parameters) selecting the tasks of a scope:
    ``agencies``: only those some of them hold a role on; ``calendar``: only those with a
    deadline."""
    doc = c.find_document(document) if document else None
    if doc and doc not in c.documents:
        raise NotFound(f"{doc!r} không có trong kho / is cited but not in the corpus")
    scope = c.jurisdiction_scope(jurisdiction)
    where, params = ["due_order IS NOT NULL" if calendar else "1"], []
    if doc:
        where.append("doc = ?")
        params.append(doc)
    if scope is not None:
        where.append(f"doc IN (SELECT id FROM documents WHERE jurisdiction {IN_LIST})")
        params.append(json_list(scope))
    if agencies is not None:
        held = f"SELECT task FROM responsibilities WHERE agency IN {rows_of(AGENCY_IDS, IN_LIST)}"
        where.append(f"rowid IN ({held})")
        params.append(json_list(agencies))
    return " AND ".join(where), params


def scope_size(c: Corpus, document: str | None = None, jurisdiction: str | None = None) -> int:
    """How many tasks a matrix or a calendar of this scope reads (checked against a bound first)."""
    where, params = _scope(c, document, jurisdiction, None, False)
    return c.rows(f"SELECT count(*) FROM tasks WHERE {where}", params)[0][0]


def responsibility_matrix(c: Corpus, document: str | None = None,
                          jurisdiction: str | None = None) -> Matrix:
    """Tasks that give any agency a role, and for each agency its roles on each task."""
    rows, agencies = [], {}
    for tid in _tasks_in(c, document, jurisdiction):
        ans = task_answer(c, tid)
        if not ans.roles:
            continue
        cells: dict[str, tuple[str, ...]] = {}
        for r in ans.roles:
            agencies.setdefault(r.agency.id, r.agency)
            if r.role not in cells.get(r.agency.id, ()):
                cells[r.agency.id] = (*cells.get(r.agency.id, ()), r.role)
        rows.append(MatrixRow(ans, cells))
    # agencies that lead most first: the matrix reads from the busiest column (counted in one
    # pass: per agency over every row was hours for the whole 10,000-document corpus)
    weight = Counter(a for r in rows for a, roles in r.cells.items() if "lead" in roles)
    order = sorted(agencies.values(), key=lambda a: (-weight[a.id], a.name, a.id))
    return Matrix(tuple(order), tuple(rows))


def _headers(m: Matrix) -> list[str]:
    names = [a.name for a in m.agencies]
    return ["Văn bản / document", "Mục / section", "Nhiệm vụ / task", "Thời hạn / deadline", *[
        f"{a.name} ({a.jurisdiction})" if names.count(a.name) > 1 else a.name for a in m.agencies]]


def _cells(m: Matrix, row: MatrixRow) -> list[str]:
    t = row.task
    return [t.document.id, t.section, t.title, t.deadline or t.frequency or "",
            *["; ".join(ROLE_LABELS[r] for r in row.cells.get(a.id, ())) for a in m.agencies]]


def matrix_csv(m: Matrix) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(_headers(m))
    for row in m.rows:
        w.writerow(_cells(m, row))
    return buf.getvalue()


def matrix_xlsx(m: Matrix) -> bytes:
    """A workbook: the matrix (frozen headers, role colours) and a sheet of source quotes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    fills = {"chủ trì": "F4B183", "phối hợp": "BDD7EE", "thường trực": "C5E0B4",
             "nhận báo cáo": "FFE699"}
    wb = Workbook()
    ws = wb.active
    ws.title = "Ma trận"
    ws.append(_headers(m))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fills = {label: PatternFill("solid", fgColor=colour) for label, colour in fills.items()}
    for i, row in enumerate(m.rows, start=2):
        values = _cells(m, row)
        ws.append(values)
        # only the filled cells are touched: reading ws.max_row and whole rows was quadratic
        # (a province's 1,900 tasks × 400 agencies took 90 s)
        for j, value in enumerate(values[4:], start=5):
            if value in fills:
                ws.cell(row=i, column=j).fill = fills[value]
    for i, width in enumerate([24, 10, 60, 22] + [16] * len(m.agencies), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "E2"
    src = wb.create_sheet("Nguồn")
    src.append(["Nhiệm vụ / task", "Cơ quan / agency", "Vai trò / role", "Văn bản / document",
                "Mục / section", "Vị trí / span", "Trích dẫn / quote"])
    for cell in src[1]:
        cell.font = Font(bold=True)
    for row in m.rows:
        for r in row.task.roles:
            p = r.provenance
            src.append([row.task.task, r.agency.name, ROLE_LABELS.get(r.role, r.role), p.document,
                        p.section, f"{p.start}-{p.end}", p.quote])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --- calendar ----------------------------------------------------------------------------------


_FREQ_WORDS = {"YEARLY": "hằng năm", "MONTHLY": "hằng tháng", "WEEKLY": "hằng tuần", "DAILY": "hằng ngày"}


def recurrence_text(rrule: str | None) -> str:
    """An iCalendar RRULE as people say it: ``FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=30`` →
    "hằng năm, ngày 30/10"; a rule it cannot read is returned as it is."""
    if not rrule:
        return ""
    try:
        parts = dict(p.split("=", 1) for p in rrule.split(";"))
    except ValueError:
        return rrule
    words = _FREQ_WORDS.get(parts.get("FREQ", ""))
    if words is None:
        return rrule
    interval = parts.get("INTERVAL")
    if interval and interval != "1":
        words = f"{interval} {words.split()[-1]} một lần"  # "3 tháng một lần"
    day, month = parts.get("BYMONTHDAY"), parts.get("BYMONTH")
    if day and month:
        return f"{words}, ngày {day}/{month}"
    if day:
        return f"{words}, ngày {day}"
    return words


def deadlines(c: Corpus, document: str | None = None, jurisdiction: str | None = None,
              agency: str | None = None) -> Answers[Deadline]:
    """Every task deadline, one-off and recurring, dated ones first in date order (then by
    document and place in it); read in the order of the tasks' calendar index and built when
    read (the whole 10,000-document corpus has 150,000)."""
    agencies = c.find_agencies(agency) if agency else None
    where, params = _scope(c, document, jurisdiction, agencies, calendar=True)
    # a window at a time, counted apart (the whole corpus's 150,000 ids are ~0.1 s to list
    # again after each upload); the windows read kept for the data's version
    key = ("deadlines", document, jurisdiction, None if agencies is None else tuple(agencies))
    ids = Selected(c, f"SELECT id FROM tasks WHERE {where} ORDER BY {CALENDAR}", params, lambda r: r[0],
                   f"SELECT count(*) FROM tasks WHERE {where}", c.kept(key, dict))
    return Answers(ids, lambda tid: _deadline(c, tid), lambda run: _read_deadlines(c, run))


def _read_deadlines(c: Corpus, tids: Sequence[str]) -> None:
    """Read at once what the deadlines of many tasks read: the tasks, their leads and
    documents (a page's: one query each, not one per task)."""
    c.read_tasks(tids, roles=False)
    c.documents.where(f"id {IN_LIST}", (json_list({c.tasks[t]["document"] for t in tids}),))


def _deadline(c: Corpus, tid: str) -> Deadline:
    t = c.tasks[tid]
    rec = t.get("recurrence")
    doc = c.documents[t["document"]]
    start = recurring_start(rec, doc.get("date"), doc.get("period_start")) if rec else None
    end = doc.get("period_end")
    return Deadline(tid, c.task_title(tid), c.doc_ref(t["document"]), t.get("deadline"), t.get("frequency"),
                    t.get("due_date"), rec, start, f"{end}-12-31" if rec and end else None,
                    tuple(c.agency_ref(a) for a in t.get("lead") or ()), prov(t["provenance"]))


def to_ics(items: Sequence[Deadline], name: str = "cchc-graph", stamp: datetime | None = None) -> bytes:
    """An iCalendar file of the dated deadlines: all-day events, yearly ones with an RRULE."""
    from icalendar import Calendar, Event, vRecur

    cal = Calendar()
    cal.add("prodid", "-//cchc-graph//thoi han nhiem vu CCHC//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = stamp or datetime.now(UTC)
    for d in items:
        first = d.due_date or d.start
        if not first:
            continue
        day = date.fromisoformat(first)
        ev = Event()
        ev.add("uid", f"{d.task}@cchc-graph")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + timedelta(days=1))
        ev.add("summary", f"Hạn / due: {short(d.provenance.quote)}")
        leads = ", ".join(a.name for a in d.lead) or "chưa giao / no lead"
        ev.add("description", f"Chủ trì / lead: {leads}\nThời hạn / deadline: {d.deadline}\n"
                              f"Văn bản / document: {d.document.id} ({d.provenance.section})\n"
                              f"Trích / quote: {d.provenance.quote}")
        if d.recurrence:
            rule = d.recurrence + (f";UNTIL={d.until.replace('-', '')}" if d.until else "")
            ev.add("rrule", vRecur.from_ical(rule))
        cal.add_component(ev)
    return cal.to_ical()


__all__ = ["Deadline", "Matrix", "MatrixRow", "deadlines", "matrix_csv", "matrix_xlsx",
           "responsibility_matrix", "to_ics"]
