"""The knowledge tables the questions read as well as the extractors: document types and
metrics, without the compiled grammars of ``lexicon`` (which re-exports them), so that a question
loads only these."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data"


def table_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [{k: (v or "").strip() for k, v in row.items()} for row in reader]


def alternatives(cell: str) -> list[str]:
    return [a.strip() for a in cell.split("|") if a.strip()]


@dataclass(frozen=True, slots=True)
class DocType:
    type: str
    names: tuple[str, ...]  # as written, lower case
    codes: tuple[str, ...]  # number codes: NQ, QĐ …


DOC_TYPES: tuple[DocType, ...] = tuple(
    DocType(r["type"], tuple(alternatives(r["names"])), tuple(alternatives(r["codes"])))
    for r in table_rows("doc_types.tsv"))


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    label: str
    require: tuple[str, ...]  # patterns: every one must match the folded text (``lexicon`` compiles them)
    area: str  # the reform area whose tasks deliver it


METRICS: tuple[Metric, ...] = tuple(
    Metric(r["key"], r["label"], tuple(r"\b(?:" + g + r")\b" for g in r["require"].split(";") if g),
           r["area"])
    for r in table_rows("metrics.tsv"))
