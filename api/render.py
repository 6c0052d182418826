"""Terminal rendering of answers with rich: tables for lists, the quote under every fact."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import Any

from cchc_graph.graph.questions.cascade import row_labels
from cchc_graph.graph.questions.index import ROLE_LABELS, AgencyRef, DocRef, section_label, source_place
from cchc_graph.loaders.schema import Provenance
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"weaker": "bold red", "missing": "yellow", "not_comparable": "dim",
                "equal": "green", "stronger": "bold green", "extra": "cyan"}
STATUS_LABEL = {"weaker": "thấp hơn / weaker", "missing": "thiếu / missing",
                "not_comparable": "không so được / not comparable", "equal": "bằng / equal",
                "stronger": "cao hơn / stronger", "extra": "chỉ cấp dưới / extra"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}


def console() -> Console:
    # Wide when piped, so quotes are not folded into narrow columns.
    return Console(width=None if sys.stdout.isatty() else 160, highlight=False)


def agency(a: AgencyRef) -> str:
    return a.name + (" [nhóm]" if a.is_group else "")


def doc(d: DocRef) -> str:
    head = d.number or d.id
    return f"{head}" + ("" if d.in_corpus else " (ngoài kho)")


def quote(p: Provenance | None, width: int = 400) -> Text:
    if p is None:
        return Text("")
    q = " ".join(p.quote.split())
    q = q if len(q) <= width else q[:width] + " …"
    place = source_place(p)  # where to look in the file; [start:end] indexes the normalized text
    return Text.assemble((f"{p.document} §{section_label(p.section) or '-'} [{p.start}:{p.end}]\n", "dim"),
                         (f"{place}\n", "bold") if place else "", (f"“{q}”", "italic"))


def show(obj: Any) -> None:
    """Print an answer; a table without rows is its title and "không có / none", no frame; a
    table longer than a page a page at a time, each printed once its rows are read."""
    if isinstance(obj, Table) and not obj.row_count:
        console().print(Text.assemble(str(obj.title or ""), (": không có / none", "dim")))
    elif isinstance(obj, Paged):
        con = console()
        for page in obj.pages():
            con.print(page)
    else:
        console().print(obj)


# the rows of a table printed at a time: one page of answers (``questions.Answers`` reads them
# a window at a time), so that a broad answer's first rows show at once. rich lays a table out
# whole before printing it: 28,215 roles of an agency took 36 s to show their first row.
PAGE = 50


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Table | Paged:
    """A table of ``rows`` (read here up to one more than a page): laid out whole when they fit
    on a page, else ``Paged``."""
    it = iter(rows)
    first = list(islice(it, PAGE + 1))
    if len(first) <= PAGE:
        return _table(title, columns, first)
    return Paged(title, tuple(columns), first, it)


def _table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Any]],
           widths: Sequence[int] | None = None) -> Table:
    """A rich table; ``widths``: each column's (``Paged.widths``), else laid out by rich."""
    t = Table(title=title, show_lines=True, title_justify="left", show_header=title is not None,
              expand=widths is not None)
    for i, col in enumerate(columns):
        w = widths[i] if widths else None  # (a narrow column as wide as its widest cell, the others shared)
        t.add_column(col, overflow="fold", width=w if w and w <= _NARROW else None,
                     ratio=min(w, _SHARE) if w and w > _NARROW else None)
    for r in rows:
        t.add_row(*[_cell(x) for x in r])
    return t


_NARROW, _SHARE = 24, 80  # a column's widest cell: printed whole up to this; its share of the rest at most


def _cell(x: Any) -> Text:
    return x if isinstance(x, Text) else Text(str(x) if x is not None else "")


@dataclass
class Paged:
    """A table longer than a page: its first page of rows read, the others read as it is
    printed, a page at a time (``show``). Every page has the same columns' widths, shared out
    by the widest cell of each in the first page, and the title and header once."""

    title: str
    columns: tuple[str, ...]
    first: list[Sequence[Any]]
    rest: Iterator[Sequence[Any]]

    def widths(self) -> list[int]:
        """Each column's widest line in the first page (its header's included)."""
        return [max(cell_len(line) for x in (col, *(r[i] for r in self.first))
                    for line in _cell(x).plain.split("\n")) or 1 for i, col in enumerate(self.columns)]

    def pages(self) -> Iterator[Table]:
        widths, rows = self.widths(), chain(self.first, self.rest)
        title: str | None = self.title
        while page := list(islice(rows, PAGE)):
            yield _table(title, self.columns, page, widths)
            title = None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.pages()  # (printed in one piece where a caller prints it itself)


def task_answers(answers: Sequence[Any], title: str) -> Table | Paged:
    return table(title, ["Văn bản", "Mục", "Cơ quan / agencies", "Thời hạn", "Nguồn / source"],
                 (_task_row(a) for a in answers))


def _task_row(a: Any) -> list[Any]:
    holders = Text()
    for r in a.roles:
        holders.append(f"{ROLE_LABELS.get(r.role, r.role)}: ", "bold")
        holders.append(agency(r.agency) + "\n")
    if not a.roles:
        holders.append("(chưa giao cơ quan / no agency)", "yellow")
    return [doc(a.document), section_label(a.section), holders, a.deadline or a.frequency or "",
            quote(a.provenance)]


def agency_roles(roles: Sequence[Any], title: str) -> Table | Paged:
    return table(title, ["Cơ quan", "Vai trò", "Nhiệm vụ", "Văn bản", "Thời hạn", "Nguồn / source"],
                 ([agency(r.agency), ROLE_LABELS.get(r.role, r.role), r.task_title or "", doc(r.document),
                   r.deadline or "", quote(r.provenance)] for r in roles))


def hops(items: Sequence[Any], title: str) -> Table | Paged:
    return table(title, ["Bậc", "Văn bản", "Quan hệ", "Được trích", "Ngày", "Trong kho", "Nguồn / source"],
                 ([h.depth, doc(h.source), h.relation, h.number or h.title or h.target.id, h.date or "",
                   "có" if h.resolved else "không", quote(h.provenance, 200)] for h in items))


def links(items: Sequence[Any], title: str) -> Table | Paged:
    return table(title, ["Từ / from", "Quan hệ / edge", "Đến / to", "Nguồn / source"],
                 ([f"{x.source_label}\n[{x.source}]", x.type, f"{x.target_label}\n[{x.target}]",
                   quote(x.provenance, 200)] for x in items))


def cascade(cas: Any) -> Table | Paged:
    rows = []
    for r, label in zip(cas.rows, row_labels(cas.rows), strict=True):
        rows.append([label, Text(STATUS_LABEL[r.status], STATUS_STYLE[r.status]),
                     quote(r.parent.provenance, 200) if r.parent else "",
                     quote(r.child.provenance, 200) if r.child else "", r.reason])
    title = f"Chỉ tiêu / targets: {doc(cas.child)} so với / against {doc(cas.parent)}"
    return table(title, ["Chỉ tiêu / metric", "Kết quả", "Cấp trên / parent", "Cấp dưới / child",
                         "Lý do / reason"], rows)


def audit_summary(counts: Sequence[Any], total: int, documents: int) -> Table | Paged:
    return table(f"Kiểm tra / audit: {total} vi phạm / findings trong {documents} văn bản / documents",
                 ["Mức / severity", "Quy tắc / rule", "Số / count", "Văn bản", "Nghĩa là / meaning"],
                 [[Text(r.severity, SEVERITY_STYLE[r.severity]), r.rule, r.count, r.documents, r.description]
                  for r in counts])


def violations(items: Sequence[Any], title: str) -> Table | Paged:
    """One document's findings; a finding resting on several facts lists each with its sentence."""
    return table(title, ["Mức", "Quy tắc / rule", "Đối tượng", "Mô tả", "Nguồn / source"],
                 ([Text(v.severity, SEVERITY_STYLE[v.severity]), v.rule, v.entity_label,
                   _with_evidence(v), quote(v.provenance, 120)] for v in items))


def _with_evidence(v: Any) -> Text:
    out = Text(v.message)
    for e in v.evidence:
        same = e.provenance is None or (v.provenance is not None and e.provenance.quote == v.provenance.quote)
        out.append(f"\n• {e.label}: ", "bold")
        out.append("(cùng câu / same sentence)" if same else "")
        if not same:
            out.append_text(quote(e.provenance, 160))
    return out


def profile(p: Any) -> list[Any]:
    """An agency profile, its parts printed in turn (``show``): a header line, its roles, and
    its reporting lines both ways."""
    counts = ", ".join(f"{ROLE_LABELS[r]} {n}" for r, n in p.role_counts.items())
    parts: list[Any] = [
        Text.assemble((agency(p.agency), "bold"), f"  [{p.agency.id}]\n",
                      f"loại / kind: {p.agency.kind}; địa bàn: {p.agency.jurisdiction}; "
                      f"văn bản: {len(p.documents)}; {counts}"),
        agency_roles(p.roles, "Vai trò / roles")]
    for title, lines, who in (("Báo cáo cho / reports to", p.reports_to, "receiver"),
                              ("Nhận báo cáo từ / reported to by", p.reported_by, "reporter")):
        if lines:
            parts.append(table(title, ["Cơ quan", "Nhiệm vụ", "Thời hạn", "Nguồn"], [
                [agency(getattr(x, who)), x.task_title, x.deadline or "", quote(x.provenance, 200)]
                for x in lines]))
    return parts
