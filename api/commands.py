"""The question commands of ``cchc``: each a few lines over ``graph``'s query functions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click
from cchc_graph.graph.questions import audit as audit_mod
from cchc_graph.graph.questions import cascade as cascade_mod
from cchc_graph.graph.questions import planning
from cchc_graph.graph.questions.index import ROLE_LABELS, ROLES, Corpus, NotFound, section_label
from cchc_graph.graph.questions.refines import metric_label
from cchc_graph.graph.questions.trace import Inconsistency
from cchc_graph.library import Graph

from .options import (
    DEPTH_OPTION,
    DOCUMENT_OPTION,
    EXIT_EMPTY,
    EXIT_OK,
    JSON_OPTION,
    JURISDICTION_OPTION,
    STORE_OPTION,
    answering,
    done,
    emit_json,
    lazy,
)

render = lazy("cchc_graph.api.render")  # rich: only when a table is printed


@click.command("who-leads")
@click.argument("phrase")
@click.option("--agency", "by_agency", is_flag=True,
              help="PHRASE là tên cơ quan: liệt kê việc cơ quan đó chủ trì, phối hợp… / "
                   "PHRASE names an agency: list what it leads, cooperates on, stands for.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES),
              help="Chỉ các vai trò này (với --agency) / only these roles (with --agency).")
@JURISDICTION_OPTION
@DOCUMENT_OPTION
@STORE_OPTION
@JSON_OPTION
def who_leads(phrase: str, by_agency: bool, roles: tuple[str, ...], jurisdiction: str | None,
              document: str | None, store_dir: str, as_json: bool) -> None:
    """Ai chủ trì việc gì / who leads what, with the sentence that says so.

    PHRASE is a task phrase ("tuyên truyền", "ISO"): the tasks containing it, accents ignored,
    with their lead, cooperating and standing agencies. With --agency, PHRASE is an agency name
    or abbreviation ("UBND tỉnh", "Phong Noi vu"): the tasks it holds a role on.

    \b
    Example:
        cchc who-leads "tuyên truyền" --jurisdiction "Hậu Giang"
        cchc who-leads --agency "Phòng Nội vụ" --role lead
    """
    with asking(store_dir) as g:
        if by_agency:
            rows = g.agency_roles(phrase, jurisdiction, roles or ROLES, document)
            out = rows if as_json else render.agency_roles(rows, f"Vai trò của / roles of “{phrase}”")
        else:
            rows = g.who_leads(phrase, jurisdiction, document)
            out = rows if as_json else render.task_answers(rows, f"Ai chủ trì / who leads “{phrase}”")
            if not rows and _names_agency(g.corpus, phrase, jurisdiction):
                click.echo(f"“{phrase}” là tên cơ quan: thêm --agency để xem việc cơ quan đó làm / "
                           "names an agency: add --agency for what it does", err=True)
        _show(out, as_json)
        done(len(rows))


@click.command("agency")
@click.argument("name")
@JURISDICTION_OPTION
@STORE_OPTION
@JSON_OPTION
def agency(name: str, jurisdiction: str | None, store_dir: str, as_json: bool) -> None:
    """Hồ sơ cơ quan / agency profile: every role, document, reporting line and deadline.

    NAME is a name, alias or abbreviation, matched without accents, or an agency id.

    \b
    Example:
        cchc agency "Phòng Nội vụ" --jurisdiction "Vị Thanh"
    """
    with asking(store_dir) as g:
        profiles = g.agency(name, jurisdiction)
        if as_json:
            emit_json(profiles)
            done(len(profiles))
        con = render.console()
        for p in profiles:
            con.print(render.profile(p))
        done(len(profiles))


@click.command("cites")
@click.argument("document", required=False)
@DEPTH_OPTION
@click.option("--status", type=click.Choice(["resolved", "unresolved", "inconsistent"]),
              help="Không có DOCUMENT: các trích dẫn đã/chưa tìm thấy trong kho, hoặc mâu thuẫn / "
                   "without DOCUMENT: citations resolved or not in the corpus, or inconsistent.")
@STORE_OPTION
@JSON_OPTION
def cites(document: str | None, depth: int, status: str | None, store_dir: str, as_json: bool) -> None:
    """Văn bản trích dẫn những gì / what a document cites, transitively to --depth.

    DOCUMENT is a document id (or a unique start of it), its number or a phrase of its title.

    \b
    Example:
        cchc cites 03-NQ/TU --depth 2
        cchc cites --status inconsistent
    """
    with asking(store_dir) as g:
        if status == "inconsistent":
            rows = g.inconsistencies()
            out = rows if as_json else _inconsistencies(rows)
        elif document:
            rows = g.cites(document, depth)
            out = rows if as_json else render.hops(rows, f"{document} trích dẫn / cites")
        else:
            resolved = None if status is None else status == "resolved"
            rows = g.citations(resolved)
            out = rows if as_json else render.hops(rows, f"Trích dẫn / citations ({status or 'all'})")
        _show(out, as_json)
        done(len(rows))


def _inconsistencies(rows: Sequence[Inconsistency]) -> object:
    """The table of numbers cited with different details, each variant with its quote."""
    from rich.text import Text  # here: --json answers do not load rich

    return render.table(
        "Trích dẫn mâu thuẫn / inconsistent citations", ["Số hiệu", "Trường", "Các cách ghi"],
        [[x.number or x.ref, x.field, Text("\n").join(
            Text.assemble(f"{v.value!r} ", render.quote(v.provenance, 160)) for v in x.variants)]
         for x in rows])


@click.command("cited-by")
@click.argument("number")
@DEPTH_OPTION
@STORE_OPTION
@JSON_OPTION
def cited_by(number: str, depth: int, store_dir: str, as_json: bool) -> None:
    """Văn bản nào trích dẫn số hiệu này / who cites a number or a document (backward trace).

    \b
    Example:
        cchc cited-by 45/2020/NĐ-CP
    """
    with asking(store_dir) as g:
        rows = g.cited_by(number, depth)
        _show(rows if as_json else render.hops(rows, f"Trích dẫn / citing {number}"), as_json)
        done(len(rows))


@click.command("deps")
@click.argument("entity")
@DEPTH_OPTION
@STORE_OPTION
@JSON_OPTION
def deps(entity: str, depth: int, store_dir: str, as_json: bool) -> None:
    """Phụ thuộc / what an entity rests on and what rests on it.

    For a task: who leads it and who cooperates (with the sentence), then its document, what
    that implements and cites, its area; for a target: its document, its indicator and the
    parent target it refines. ENTITY is an id (see `cchc search`), a document number or an
    agency name.

    \b
    Example:
        cchc deps task:002_0387e2864a5773df:9 --depth 2
    """
    with asking(store_dir) as g:
        d = g.deps(entity, depth)
        task, up, down = d.task, d.depends_on, d.depended_on_by
        if as_json:
            emit_json({"task": task, "depends_on": up, "depended_on_by": down})
        else:
            if task:  # who answers for it comes first: leads, cooperating, standing agencies
                render.show(render.task_answers([task], f"Nhiệm vụ / task {d.entity}: {task.title}"))
            render.show(render.links(up, f"{entity} dựa trên / depends on"))
            render.show(render.links(down, f"Dựa trên {entity} / depended on by"))
        done(len(up) + len(down))


@click.command("path")
@click.argument("source")
@click.argument("target")
@click.option("--structural", is_flag=True,
              help="Đi cả qua địa bàn, lĩnh vực / also through jurisdictions and areas.")
@STORE_OPTION
@JSON_OPTION
def path(source: str, target: str, structural: bool, store_dir: str, as_json: bool) -> None:
    """Đường nối ngắn nhất / the shortest chain of facts between two entities.

    \b
    Example:
        cchc path ag:vn-hau-giang:ban-tuyen-giao-tinh-uy "Phòng Nội vụ"
    """
    with asking(store_dir) as g:
        rows = g.path(source, target, structural)
        _show(rows if as_json else render.links(rows, f"{source} → {target}"), as_json)
        done(len(rows))


@click.command("cascade")
@click.argument("child")
@click.option("--parent", help="Văn bản cấp trên (mặc định: văn bản CHILD thực hiện) / the parent "
                               "document (default: those CHILD implements).")
@STORE_OPTION
@JSON_OPTION
def cascade(child: str, parent: str | None, store_dir: str, as_json: bool) -> None:
    """So chỉ tiêu cấp dưới với cấp trên / a plan's targets against the document it implements.

    Each parent target is paired by metric with the child's: weaker, equal, stronger, missing in
    the child, not comparable (counts over different areas), or extra (only in the child).

    \b
    Example:
        cchc cascade 002_0387e2864a5773df
    """
    with asking(store_dir) as g:
        result = g.cascade(child, parent)
        if as_json:
            emit_json(result)
        else:
            for cas in result:
                render.console().print(render.cascade(cas))
        done(sum(len(x.rows) for x in result))


@click.command("compare")
@click.argument("metric", required=False)
@STORE_OPTION
@JSON_OPTION
def compare(metric: str | None, store_dir: str, as_json: bool) -> None:
    """So một chỉ tiêu giữa các địa bàn / one metric across jurisdictions and documents.

    Without METRIC, lists the metrics in the store. METRIC is a key or a phrase of its label.

    \b
    Example:
        cchc compare "trực tuyến"
    """
    with asking(store_dir) as g:
        if metric is None:
            ms = g.metrics()
            _show(ms if as_json else render.table("Chỉ tiêu / metrics", ["Tên", "Chỉ tiêu", "Văn bản",
                                                                      "Mã / key"],
                                                  [[m.label, m.targets, m.documents, m.key] for m in ms]),
                  as_json)
            done(len(ms))
        rows = g.compare(metric)
        _show(rows if as_json else render.table(
            f"So sánh / comparison: {metric}",
            ["Chỉ tiêu", "Địa bàn", "Văn bản", "Mức", "Năm", "Cấp trên", "Nguồn / source"],
            [[metric_label(r.metric, r.unit), r.jurisdiction_name or r.jurisdiction,
              render.doc(r.document), cascade_mod.fmt_value(r.value, r.comparator, r.unit), r.year or "",
              "" if r.parent_value is None else cascade_mod.fmt_value(r.parent_value, None, r.unit),
              render.quote(r.provenance, 200)] for r in rows]), as_json)
        done(len(rows))


AUDIT_LIMIT = 5  # findings per document in the table: the summary counts them all


@click.command("audit")
@click.option("--rule", "rules", multiple=True, type=click.Choice(audit_mod.RULE_NAMES),
              help="Chỉ các quy tắc này / only these rules.")
@click.option("--severity", type=click.Choice(audit_mod.SEVERITIES), default="info", show_default=True,
              help="Mức thấp nhất được báo / lowest severity reported.")
@DOCUMENT_OPTION
@click.option("--strict", is_flag=True, help="Thoát mã 1 nếu có vi phạm / exit 1 on any violation.")
@click.option("--limit", type=click.IntRange(0, 1_000_000),
              help="Số vi phạm hiện tối đa mỗi văn bản (mặc định 5 khi in bảng; 0 = tất cả) / most "
                   "findings shown per document (default 5 in tables, all in --json; 0 = all).")
@STORE_OPTION
@JSON_OPTION
def audit(rules: tuple[str, ...], severity: str, document: str | None, strict: bool, limit: int | None,
          store_dir: str, as_json: bool) -> None:
    """Kiểm tra / audit: tasks without one lead or a deadline, report cycles, weaker or missing
    child targets, targets nobody answers for, unresolved or inconsistent citations, bases that a
    loaded document replaced or repealed before (căn cứ đã bị thay thế / bãi bỏ), agencies of
    unknown kind.

    Prints a summary by rule and severity first, then the findings grouped by document (at most
    --limit each). Exit code: 0, or with --strict 1 when any violation is reported.

    \b
    Example:
        cchc audit --severity warning --strict
        cchc audit -d 002 --rule task_many_leads --limit 0
    """
    with asking(store_dir) as g:
        if as_json and not limit:
            found = g.audit(rules, severity, document)  # written as read, in the audit's order
            emit_json(found)
        else:
            counted = g.audit_counts(rules, severity, document)
            groups = g.audit_by_document(rules, severity, document, limit or 0 if as_json else
                                         AUDIT_LIMIT if limit is None else limit, counted)
            if as_json:
                emit_json([v for _, _, shown in groups for v in shown])
            else:
                _print_audit(g.corpus, counted, groups, AUDIT_LIMIT if limit is None else limit)
            found = counted.documents
        raise SystemExit(EXIT_EMPTY if strict and found else EXIT_OK)


def _print_audit(c: Corpus, counted: audit_mod.Counts,
                 groups: Iterable[tuple[str | None, int, Sequence[audit_mod.Violation]]], limit: int) -> None:
    """The summary, then each document's findings (``limit`` of them; 0 = all)."""
    from rich.text import Text

    con = render.console()
    render.show(render.audit_summary(counted.rules, counted.total, len(counted.documents)))
    cut = False
    for doc, n, shown in groups:
        head = f"{doc} · {c.label(doc)[:90]}" if doc else "(không thuộc văn bản / no document)"
        more = f" — hiện {len(shown)} / showing {len(shown)}" if len(shown) < n else ""
        cut = cut or len(shown) < n
        con.print(render.violations(shown, f"{head}: {n} vi phạm / findings{more}"))
    if cut:
        con.print(Text(f"Mỗi văn bản hiện tối đa {limit}; --limit 0 để xem tất cả, --rule/--severity "
                       "để lọc / at most this many per document: --limit 0 for all.", "dim"))


@click.command("search")
@click.argument("query")
@click.option("--type", "types", multiple=True,
              type=click.Choice(["agency", "document", "indicator", "task", "target", "citation"]),
              help="Chỉ loại này / only these kinds.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
@STORE_OPTION
@JSON_OPTION
def search(query: str, types: tuple[str, ...], limit: int, store_dir: str, as_json: bool) -> None:
    """Tìm kiếm không dấu / search names, titles, numbers and quotes, accents ignored.

    \b
    Example:
        cchc search "mot cua" --type task
    """
    with asking(store_dir) as g:
        hits = g.search(query, types)[:limit]
        _show(hits if as_json else render.table(
            f"Kết quả / hits for “{query}”", ["Loại", "Mã / id", "Tên", "Trường", "Đoạn / snippet"],
            [[h.type, h.id, h.label[:80], h.field, h.snippet] for h in hits]), as_json)
        done(len(hits))


@click.command("matrix")
@DOCUMENT_OPTION
@JURISDICTION_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "xlsx"]), default="table",
              show_default=True, help="Định dạng / output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Tệp đích / output file.")
@STORE_OPTION
@JSON_OPTION
def matrix(document: str | None, jurisdiction: str | None, fmt: str, output: str | None,
           store_dir: str, as_json: bool) -> None:
    """Ma trận trách nhiệm / agencies × tasks (chủ trì, phối hợp, thường trực, nhận báo cáo).

    \b
    Example:
        cchc matrix --document 002 --format xlsx -o ma-tran.xlsx
    """
    with asking(store_dir) as g:
        m = g.matrix(document, jurisdiction)
        if as_json:
            emit_json(m)
        elif fmt == "xlsx":
            if not output:
                raise click.UsageError("--format xlsx cần / needs -o FILE.xlsx")
            Path(output).write_bytes(planning.matrix_xlsx(m))
        elif fmt == "csv":
            _write_text(planning.matrix_csv(m), output)
        else:
            render.console().print(render.table(
                f"Ma trận trách nhiệm / responsibility matrix ({len(m.rows)} × {len(m.agencies)})",
                ["Nhiệm vụ", "Thời hạn", "Cơ quan và vai trò"],
                [[f"{r.task.document.id} §{section_label(r.task.section)}\n{r.task.title}",
                  r.task.deadline or r.task.frequency or "",
                  "\n".join(f"{ROLE_LABELS[x]}: {a.name}" for a in m.agencies for x in r.cells.get(a.id, ()))]
                 for r in m.rows]))
        done(len(m.rows))


@click.command("calendar")
@DOCUMENT_OPTION
@JURISDICTION_OPTION
@click.option("--agency", help="Chỉ việc của cơ quan này / only tasks this agency holds a role on.")
@click.option("--format", "fmt", type=click.Choice(["table", "ics"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Tệp .ics / output file.")
@STORE_OPTION
@JSON_OPTION
def calendar(document: str | None, jurisdiction: str | None, agency: str | None, fmt: str,
             output: str | None, store_dir: str, as_json: bool) -> None:
    """Lịch thời hạn / every deadline, one-off and recurring, as a table or iCalendar (.ics).

    Deadlines that name a day become all-day events ("trước ngày 30/6/2023"); yearly ones repeat
    ("trước ngày 30 tháng 10 hằng năm") until the end of the document's period. Frequencies
    without a day ("thường xuyên") are listed but not put in the calendar.

    \b
    Example:
        cchc calendar --jurisdiction "Hậu Giang" -o thoi-han.ics
    """
    with asking(store_dir) as g:
        items = g.calendar(document, jurisdiction, agency)
        if as_json:
            emit_json(items)
        elif fmt == "ics" or (output and output.endswith(".ics")):
            data = planning.to_ics(items, name=f"CCHC {document or jurisdiction or agency or ''}".strip())
            if output:
                Path(output).write_bytes(data)
                click.echo(f"Đã ghi / wrote {sum(d.dated for d in items)} sự kiện / events to {output}")
            else:
                click.echo(data.decode("utf-8"), nl=False)
        else:
            render.console().print(render.table(
                "Thời hạn / deadlines", ["Ngày / date", "Lặp / repeats", "Nhiệm vụ", "Chủ trì", "Nguồn"],
                [[d.due_date or d.start or "(không có ngày)",
                  planning.recurrence_text(d.recurrence) or d.frequency or "",
                  d.title, ", ".join(a.name for a in d.lead), render.quote(d.provenance, 200)]
                 for d in items]))
        done(len(items))


@contextmanager
def asking(store_dir: str) -> Iterator[Graph]:
    """The store's graph (``cchc_graph.library``); a name that matches nothing exits 2."""
    with answering(store_dir) as c:
        yield Graph(c)


def _names_agency(c: Corpus, phrase: str, jurisdiction: str | None) -> bool:
    try:
        return bool(c.find_agencies(phrase, jurisdiction))
    except NotFound:
        return False


def _show(obj: object, as_json: bool) -> None:
    """JSON, or the rendered answer; an empty table is one line saying so, not a frame."""
    if as_json:
        emit_json(obj)
    else:
        render.show(obj)


def _write_text(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)

