"""What a graph page draws, as plain data: nodes, edges and the quotes behind them (``view.py``
chooses them, ``overview.py`` groups a large store's, ``html.py`` draws them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Quote:
    document: str
    document_label: str
    section: str | None
    start: int | None
    end: int | None
    quote: str
    place: str = ""  # where the quote is in the source file ("dòng 12, cột 5")


@dataclass(slots=True)
class VNode:
    id: str
    kind: str
    label: str
    tooltip: str
    docs: tuple[str, ...]
    props: tuple[tuple[str, str], ...]
    quotes: tuple[Quote, ...]
    degree: int
    page: str | None  # "documents" or "agencies" when the server has a page for it


@dataclass(slots=True)
class VEdge:
    source: str
    target: str
    type: str
    label: str
    tooltip: str
    quote: Quote | None
    weight: int = 1


@dataclass(slots=True)
class View:
    title: str
    nodes: list[VNode]
    edges: list[VEdge]
    visible_kinds: tuple[str, ...]
    layout: str
    notes: list[str] = field(default_factory=list)
    reserve_nodes: list[VNode] = field(default_factory=list)
    reserve_edges: list[VEdge] = field(default_factory=list)
    focus: str | None = None
    documents: list[tuple[str, str]] = field(default_factory=list)  # (id, label) for the filter
    jurisdictions: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)  # id, name, docs
    overview: Any = None  # overview.Overview: a large store's places and documents (see overview.py)
