"""Task tables: a header row names the columns (``data/table_columns.tsv``); each row under it
is a task with its lead and cooperating agencies, deadline and product.

Rows of flattened portal tables may lack the ordinal cell (a merged sub-row prints only its
task and lead) or print fewer trailing cells; a row naming no agency is a group heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from cchc_graph.keys import fold

from ..lexicon import TABLE_COLUMNS
from ..model import Block

_HEADER_ROWS = 3  # a table's header is among its first rows (a title row may come first)
_ORDINAL = re.compile(r"^\W*(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,6}|[a-zđ])\W*$")
Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One task row: spans of its cells in the normalized text, and the group row above it."""

    block: Block
    task: Span
    lead: Span | None
    cooperate: Span | None
    due: str | None
    product: str | None
    group: str


def column_of(header: str) -> str | None:
    """The column a header cell names (lead, cooperate, task, due, product, ordinal)."""
    h = " ".join(re.sub(r"[^\w,]+", " ", fold(header)).split())
    for column, match, words in TABLE_COLUMNS:
        for w in words:
            if (match == "whole" and h == w) or (match == "prefix" and re.match(rf"{w}\b", h)) \
                    or (match == "contains" and re.search(rf"\b{w}\b", h)):
                return column
    return None


def header_columns(text: str, row: Block) -> dict[str, int] | None:
    """Column index by name when ``row`` is a task table's header (it names a task and a lead)."""
    cols: dict[str, int] = {}
    for j, (s, e) in enumerate(row.cells):
        name = column_of(text[s:e])
        if name is not None and name not in cols:
            cols[name] = j
    return cols if "task" in cols and "lead" in cols else None


def task_rows(text: str, rows: list[Block]) -> Iterator[TaskRow]:
    """The task rows of one table (none when it has no task header)."""
    found = next(((i, cols) for i, row in enumerate(rows[:_HEADER_ROWS])
                  if (cols := header_columns(text, row)) is not None), None)
    if found is None:
        return
    i, cols = found
    width = len(rows[i].cells)
    group = ""
    above: TaskRow | None = None
    for row in rows[i + 1:]:
        cells = row.cells
        shift = 0
        first = text[cells[0][0]:cells[0][1]] if cells else ""
        if cols.get("ordinal") == 0 and len(cells) < width and not _ORDINAL.match(first):
            shift = 1  # a merged sub-row: no ordinal cell

        def span(name: str, cells: tuple[Span, ...] = cells, shift: int = shift) -> Span | None:
            j = cols.get(name, -1) - shift
            if 0 <= j < len(cells) and cells[j][1] > cells[j][0]:
                return cells[j]
            return None

        task, lead, coop = span("task"), span("lead"), span("cooperate")
        if task is None:
            continue
        if lead is None and coop is None:
            group = text[task[0]:task[1]]
            above = None
            continue
        due = _cell_text(text, span("due"))
        if shift and above is not None:  # rowspan: what the sub-row omits is the row above's
            coop = coop or above.cooperate
            due = due or above.due
        out = TaskRow(row, task, lead, coop, due, _cell_text(text, span("product")), group)
        if not shift:
            above = out
        yield out


def _cell_text(text: str, span: Span | None) -> str | None:
    return " ".join(text[span[0]:span[1]].split()) or None if span else None
