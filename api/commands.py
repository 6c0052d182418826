"""The question commands of ``cchc``: each a few lines over ``graph``'s query functions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
from cchc_graph.graph.questions.index import ROLES, Corpus, NotFound

from .options import (
    DEPTH_OPTION,
    DOCUMENT_OPTION,
    JSON_OPTION,
    JURISDICTION_OPTION,
    STORE_OPTION,
    asking,
    done,
    emit_json,
    lazy,
    show,
)

if TYPE_CHECKING:
    from cchc_graph.graph.questions.trace import Inconsistency

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
        show(out, as_json)
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
        for p in profiles:
            for part in render.profile(p):
                render.show(part)
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
        show(out, as_json)
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
        show(rows if as_json else render.hops(rows, f"Trích dẫn / citing {number}"), as_json)
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
        show(rows if as_json else render.links(rows, f"{source} → {target}"), as_json)
        done(len(rows))


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
        show(hits if as_json else render.table(
            f"Kết quả / hits for “{query}”", ["Loại", "Mã / id", "Tên", "Trường", "Đoạn / snippet"],
            ([h.type, h.id, h.label[:80], h.field, h.snippet] for h in hits)), as_json)
        done(len(hits))


def _names_agency(c: Corpus, phrase: str, jurisdiction: str | None) -> bool:
    try:
        return bool(c.find_agencies(phrase, jurisdiction))
    except NotFound:
        return False


