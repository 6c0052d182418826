"""The planning commands of ``cchc``: targets compared down the hierarchy (cascade, compare),
the responsibility matrix and the deadline calendar."""

from __future__ import annotations

from pathlib import Path

import click
from cchc_graph.graph.questions import cascade as cascade_mod
from cchc_graph.graph.questions import planning
from cchc_graph.graph.questions.index import ROLE_LABELS, section_label
from cchc_graph.graph.questions.refines import metric_label

from .options import (
    DOCUMENT_OPTION,
    JSON_OPTION,
    JURISDICTION_OPTION,
    STORE_OPTION,
    asking,
    done,
    emit_json,
    lazy,
    show,
    write_text,
)

render = lazy("cchc_graph.api.render")  # rich: only when a table is printed


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
            show(ms if as_json else render.table("Chỉ tiêu / metrics", ["Tên", "Chỉ tiêu", "Văn bản",
                                                                      "Mã / key"],
                                                  [[m.label, m.targets, m.documents, m.key] for m in ms]),
                  as_json)
            done(len(ms))
        rows = g.compare(metric)
        show(rows if as_json else render.table(
            f"So sánh / comparison: {metric}",
            ["Chỉ tiêu", "Địa bàn", "Văn bản", "Mức", "Năm", "Cấp trên", "Nguồn / source"],
            [[metric_label(r.metric, r.unit), r.jurisdiction_name or r.jurisdiction,
              render.doc(r.document), cascade_mod.fmt_value(r.value, r.comparator, r.unit), r.year or "",
              "" if r.parent_value is None else cascade_mod.fmt_value(r.parent_value, None, r.unit),
              render.quote(r.provenance, 200)] for r in rows]), as_json)
        done(len(rows))


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
            write_text(planning.matrix_csv(m), output)
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
