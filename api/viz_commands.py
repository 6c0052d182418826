"""``cchc viz`` and ``cchc chart``: the graph page and the charts as files, over ``visualizations``."""

from __future__ import annotations

from pathlib import Path

import click
from cchc_graph.graph.questions import cascade as cascade_mod
from cchc_graph.graph.questions.index import ROLES, NotFound
from cchc_graph.graph.questions.labels import document_labels
from cchc_graph.visualizations.style import NODE
from cchc_graph.visualizations.view import MAX_NODES, ViewSpec

from .options import DEPTH_OPTION, EXIT_USAGE, JURISDICTION_OPTION, STORE_OPTION, answering, fail


def _write(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
    click.echo(f"Đã ghi / wrote {path} ({len(text.encode()) / 1e6:.1f} MB)", err=True)


@click.command()
@click.option("-o", "--output", default="graph.html", show_default=True, type=click.Path(dir_okay=False),
              help="Tệp HTML / HTML file to write.")
@click.option("--focus", help="Chỉ quanh một nút (văn bản, cơ quan, mã nút) / only around this node.")
@DEPTH_OPTION
@click.option("--type", "kinds", multiple=True, type=click.Choice(list(NODE)),
              help="Chỉ các loại nút này / only these node types (repeatable).")
@click.option("--document", "-d", "documents", multiple=True,
              help="Chỉ các văn bản này (mã, số hiệu) / only these documents (repeatable).")
@JURISDICTION_OPTION
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES),
              help="Chỉ các vai trò này / only these roles (repeatable).")
@click.option("--max-nodes", default=MAX_NODES, show_default=True, type=click.IntRange(10, 100_000),
              help="Quá số này thì gộp (văn bản, cơ quan; bấm đúp để mở rộng) / "
                   "above this, an aggregated view.")
@click.option("--layout", default="auto", show_default=True,
              type=click.Choice(["auto", "force", "hierarchical"]),
              help="Bố cục / layout (auto: hierarchical for citation chains).")
@STORE_OPTION
def viz(output: str, focus: str | None, depth: int, kinds: tuple[str, ...], documents: tuple[str, ...],
        jurisdiction: str | None, roles: tuple[str, ...], max_nodes: int, layout: str,
        store_dir: str) -> None:
    """Vẽ đồ thị ra một tệp HTML / write the interactive graph as one offline HTML file.

    The file needs no network: the drawing code is inside it. Click a node for its details and
    the sentences it comes from; double-click to expand hidden neighbours; filter by type,
    edge, jurisdiction and document in the left panel; search at the top.

    \b
    Example:
        cchc viz -o seeds.html
        cchc viz --focus "03-NQ/TU" --depth 2 -o nq03.html
        cchc viz --type document --type reference -o citations.html
    """
    from cchc_graph.visualizations.html import graph_html
    from cchc_graph.visualizations.view import select

    spec = ViewSpec(focus, depth, kinds or None, documents, jurisdiction, roles or None, max_nodes, layout)
    with answering(store_dir) as c:
        view = select(c, spec)
        _write(output, graph_html(view))
        shown = sum(n.kind in view.visible_kinds for n in view.nodes)
        click.echo(f"{shown} nút hiện / nodes shown, {len(view.edges)} cạnh / edges"
                   + "".join(f"\n{note}" for note in view.notes), err=True)


@click.command()
@click.argument("kind", type=click.Choice(["compare", "cascade"]))
@click.argument("name")
@click.option("--parent", help="Với cascade: văn bản cấp trên / with cascade: the parent document.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Tệp .svg hoặc .html (mặc định: in SVG) / .svg or .html file (default: SVG to stdout).")
@STORE_OPTION
def chart(kind: str, name: str, parent: str | None, output: str | None, store_dir: str) -> None:
    """Biểu đồ chỉ tiêu / target charts as SVG (or an HTML page holding them).

    compare METRIC: one metric's targets per jurisdiction, the parent plan's value marked.
    cascade DOCUMENT: a plan's targets against its parent's, coloured weaker / equal / stronger.

    \b
    Example:
        cchc chart compare "hồ sơ trực tuyến" -o online.svg
        cchc chart cascade 002 -o cascade.html
    """
    from cchc_graph.visualizations.charts import cascade_svg, comparison_svg

    with answering(store_dir) as c:
        if kind == "compare":
            rows = cascade_mod.compare(c, name)
            keys = sorted({r.metric for r in rows})
            labels = document_labels(c)
            svgs = [comparison_svg([r for r in rows if r.metric == k], labels=labels) for k in keys]
        else:
            svgs = [cascade_svg(cas, document_labels(c)) for cas in cascade_mod.cascade(c, name, parent)]
        if not svgs:
            raise NotFound(f"không có chỉ tiêu để vẽ / nothing to draw for {name!r}")
    if output and output.endswith(".html"):
        text = ("<!DOCTYPE html><html lang='vi'><meta charset='utf-8'><title>cchc-graph</title>"
                "<body style='font-family:system-ui,sans-serif'>" + "".join(svgs) + "</body></html>")
    elif len(svgs) > 1:
        fail(f"{len(svgs)} biểu đồ: ghi ra tệp .html / {len(svgs)} charts: use -o FILE.html", EXIT_USAGE)
    else:
        text = svgs[0]
    if output:
        _write(output, text)
    else:
        click.echo(text)
