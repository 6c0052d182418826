"""``cchc audit``: the findings a build keeps (``graph/questions/audit.py``), summed up first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click
from cchc_graph.graph.questions import audit as audit_mod
from cchc_graph.graph.questions.index import Corpus

from .options import DOCUMENT_OPTION, EXIT_EMPTY, EXIT_OK, JSON_OPTION, STORE_OPTION, asking, emit_json, lazy

render = lazy("cchc_graph.api.render")  # rich: only when a table is printed
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
        if as_json:  # all, written as read in the audit's order, or the first --limit of each document
            found = g.audit(rules, severity, document) if not limit else [
                v for _, _, vs in g.audit_by_document(rules, severity, document, limit) for v in vs]
            emit_json(found)
        else:
            counted = g.audit_counts(rules, severity, document)
            render.show(render.audit_summary(counted.rules, counted.total, counted.documents))
            shown = AUDIT_LIMIT if limit is None else limit
            _print_groups(g.corpus, g.audit_by_document(rules, severity, document, shown), shown)
            found = counted.total
        raise SystemExit(EXIT_EMPTY if strict and found else EXIT_OK)


def _print_groups(c: Corpus, groups: Iterable[tuple[str | None, int, Sequence[audit_mod.Violation]]],
                  limit: int) -> None:
    """Each document's findings (``limit`` of them; 0 = all), after the summary."""
    from rich.text import Text

    cut = False
    for doc, n, shown in groups:
        head = f"{doc} · {c.label(doc)[:90]}" if doc else "(không thuộc văn bản / no document)"
        more = f" — hiện {len(shown)} / showing {len(shown)}" if len(shown) < n else ""
        cut = cut or len(shown) < n
        render.show(render.violations(shown, f"{head}: {n} vi phạm / findings{more}"))
    if cut:
        render.show(Text(f"Mỗi văn bản hiện tối đa {limit}; --limit 0 để xem tất cả, --rule/--severity "
                         "để lọc / at most this many per document: --limit 0 for all.", "dim"))
