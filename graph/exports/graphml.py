"""GraphML and GEXF: the typed graph with flat attributes, for Gephi, Cytoscape and networkx.

Both formats take only scalar attributes, so lists are joined with `` | `` and each fact's
provenance becomes ``prov_document``, ``prov_section``, ``prov_start``, ``prov_end`` and
``prov_quote``, and where the source has them ``prov_line``, ``prov_column``, ``prov_end_line``,
``prov_page``, ``prov_paragraph``. Every node has ``type`` and ``label``; every edge
``relation`` (the role for responsibilities: lead, cooperate, standing, report_to …) and
``label`` in Vietnamese. GraphML edges also carry it as ``type``; GEXF reserves that name for
directed/undirected.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
from cchc_graph.graph.questions.nx import to_networkx

LIST_SEP = " | "
EDGE_LABELS = {
    "lead": "chủ trì", "cooperate": "phối hợp", "standing": "thường trực", "report_to": "báo cáo",
    "advise": "tham mưu", "supervise": "giám sát", "has_task": "có nhiệm vụ", "sets_target": "đặt chỉ tiêu",
    "measured_by": "đo bằng", "mentions": "nhắc đến", "cites": "viện dẫn", "based_on": "căn cứ",
    "implements": "triển khai", "guides": "hướng dẫn", "amends": "sửa đổi, bổ sung",
    "replaces": "thay thế", "repeals": "bãi bỏ", "issued_by": "ban hành bởi",
    "in_jurisdiction": "thuộc địa bàn",
    "part_of": "trực thuộc", "succeeded_by": "sáp nhập vào", "in_area": "lĩnh vực",
}


def _label(attrs: dict[str, Any]) -> str:
    for key in ("name", "number", "title", "label", "text"):
        if attrs.get(key):
            return str(attrs[key])[:120]
    return str(attrs.get("id", ""))


def _flat(attrs: dict[str, Any]) -> dict[str, str | int | float | bool]:
    out: dict[str, str | int | float | bool] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if key == "provenance" and isinstance(value, dict) and "quote" in value:
            out.update((f"prov_{k}", v) for k, v in value.items() if v is not None)
        elif isinstance(value, list | tuple):
            if value and all(isinstance(v, str | int | float) for v in value):
                out[key] = LIST_SEP.join(map(str, value))
        elif isinstance(value, dict):
            continue  # nested records (per-field provenance, sections) stay in the JSON export
        elif isinstance(value, str | int | float | bool):
            out[key] = value
    return out


def flat_graph(export: Mapping[str, Any], edge_type: bool = True) -> nx.MultiDiGraph:
    """The typed graph with only scalar attributes (what GraphML and GEXF can hold): built from
    the export's lists as they are iterated (a stored export's are read as they come), then
    each node's and edge's attributes flattened in place, not copied into a second graph."""
    g = to_networkx(export)
    for _, attrs in g.nodes(data=True):
        flat = {**_flat(attrs), "label": _label(attrs)}
        attrs.clear()
        attrs.update(flat)
    for _, _, attrs in g.edges(data=True):
        rel = attrs["type"]
        flat = {**_flat(attrs), "relation": rel, "label": EDGE_LABELS.get(rel, rel)}
        if not edge_type:
            del flat["type"]
        attrs.clear()
        attrs.update(flat)
    return g


def write_graphml(export: Mapping[str, Any], path: str | Path | BinaryIO) -> None:
    nx.write_graphml(flat_graph(export), path, encoding="utf-8", named_key_ids=True)


def write_gexf(export: Mapping[str, Any], path: str | Path | BinaryIO) -> None:
    nx.write_gexf(flat_graph(export, edge_type=False), path, encoding="utf-8")
