"""``cchc stats``, ``cchc gaps`` and ``cchc text``: what the store holds, what extraction saw but
did not understand, and the text every quote is cut from, for review."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click
from cchc_graph.graph.questions.coverage import GAP_KINDS, coverage, each_coverage, record_counts
from cchc_graph.graph.questions.index import source_place
from cchc_graph.library import Graph

from .options import (
    DOCUMENT_OPTION,
    EXIT_USAGE,
    JSON_OPTION,
    STORE_OPTION,
    answering,
    done,
    emit_json,
    fail,
    lazy,
)

render = lazy("cchc_graph.api.render")  # rich: only when a table is printed

_KIND_LABELS = {"duty": "câu giao việc chưa hiểu / duty not understood",
                "figure": "số liệu chưa thành chỉ tiêu / figure with no target",
                "metadata": "thiếu thông tin văn bản / missing document field"}


@click.command()
@STORE_OPTION
@click.option("--documents", "per_document", is_flag=True,
              help="Độ phủ từng văn bản / coverage per document: responsibilities, targets and "
                   "what was not understood (cchc gaps).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng JSON / JSON output.")
def stats(store_dir: str, per_document: bool, as_json: bool) -> None:
    """Thống kê kho / counts of what the store holds.

    With --documents, one row per document: responsibilities and targets found, and the gaps
    left (duty, figure, metadata; listed by `cchc gaps`).

    Example:

        cchc stats --documents
    """
    with answering(store_dir) as c:
        counts = record_counts(c)
        # the counts while the documents are read (10,000: half a second)
        if as_json:
            emit_json({**counts, "coverage": each_coverage(c)} if per_document else counts)
            return
        for k, v in counts.items():
            click.echo(f"{k:18s} {v}")
        rows = coverage(c) if per_document else []
    if rows:
        render.show(render.table("Độ phủ / coverage (gaps: cchc gaps)",
                                 ["Văn bản", "Trách nhiệm", "Chỉ tiêu", "Gaps: duty", "figure", "metadata"],
                                 [[r["document"], r["responsibilities"], r["targets"], r["duty"],
                                   r["figure"], r["metadata"]] for r in rows]))


@click.command("gaps")
@DOCUMENT_OPTION
@click.option("--kind", "kinds", multiple=True, type=click.Choice(GAP_KINDS),
              help="Chỉ loại này / only these kinds (duty, figure, metadata).")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Số dòng tối đa / most rows shown.")
@STORE_OPTION
@JSON_OPTION
def gaps(document: str | None, kinds: tuple[str, ...], limit: int, store_dir: str, as_json: bool) -> None:
    """Những gì chưa hiểu / what extraction did not understand.

    \b
    duty      a sentence or table row with an assignment cue (chủ trì, phối hợp với, giao,
              có trách nhiệm, thường trực, báo cáo về, đề nghị, yêu cầu) that gave no
              responsibility;
    figure    a figure in a goals section that gave no target;
    metadata  a document whose type, number, date or jurisdiction was not found.

    Each with its file, section and sentence, so no duty is lost silently. Exit 0 with rows,
    1 with none.

    Example:

        cchc gaps --kind duty -d 002
    """
    with answering(store_dir) as c:
        found = Graph(c).gaps(document, kinds)
        shown = found[:limit]
        if as_json:
            emit_json(shown)
        else:
            title = "Chưa hiểu / not understood" + (f": {len(found)}" if found else "")
            render.show(render.table(
                title, ["Tệp / file", "Mục", "Loại / kind", "Dấu hiệu / cue", "Câu / sentence"],
                [[_where(g), g["provenance"]["section"], _KIND_LABELS[g["kind"]].split(" / ")[0],
                  g["cue"], g["provenance"]["quote"][:300]] for g in shown]))
        done(len(found))


def _where(gap: dict[str, Any]) -> str:
    """The file, and where in it the sentence is."""
    place = source_place(gap["provenance"])
    return f"{gap['file']}\n{place}" if place else gap["file"]


@click.command("text")
@click.argument("document")
@click.option("--start", default=0, show_default=True, type=click.IntRange(0),
              help="Từ ký tự / from this character (a provenance's start).")
@click.option("--end", type=click.IntRange(0),
              help="Đến ký tự / up to this character (a provenance's end); default: the end.")
@STORE_OPTION
@JSON_OPTION
def text(document: str, start: int, end: int | None, store_dir: str, as_json: bool) -> None:
    """Văn bản đã chuẩn hóa / a document's normalized text, or a part of it.

    The text the store keeps of DOCUMENT (an id, a unique start of one, a number or words of
    the title): every fact's provenance points into it, its quote being the text from its
    start to its end (--json gives them; see docs/json-export.md). --json also gives the
    document's id and the whole text's length.

    Example:

        cchc text 002 --start 1200 --end 1400
    """
    with answering(store_dir) as c:
        try:
            part = Graph(c).text(document, start, end)
        except ValueError as e:
            fail(str(e), EXIT_USAGE)
    if as_json:
        emit_json(asdict(part))
    else:
        click.echo(part.text)
