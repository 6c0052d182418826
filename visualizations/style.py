"""How each kind of node and edge looks: one table each, read by the graph page and its legend."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NodeStyle:
    kind: str
    label: str  # Vietnamese, shown in the legend and filters
    english: str
    color: str
    shape: str
    size: int


@dataclass(frozen=True, slots=True)
class EdgeStyle:
    type: str
    label: str  # drawn on the edge when ``shown``, always in the tooltip and the filters
    color: str
    dashes: bool
    shown: bool
    reverse: bool  # drawn against the stored direction so the arrow reads as the label says
    role: bool  # an agency's role on a task (filterable as a role)


# A colour-blind-safe palette (Okabe–Ito) with distinct shapes, so colour is never the only cue.
NODE_STYLES: tuple[NodeStyle, ...] = (
    NodeStyle("document", "Văn bản", "document in the corpus", "#0072B2", "box", 28),
    NodeStyle("reference", "Văn bản được dẫn", "cited document (not loaded)", "#56B4E9", "box", 18),
    NodeStyle("agency", "Cơ quan", "agency", "#E69F00", "dot", 14),
    NodeStyle("task", "Nhiệm vụ", "task", "#009E73", "square", 9),
    NodeStyle("target", "Chỉ tiêu", "target", "#CC79A7", "triangle", 10),
    NodeStyle("indicator", "Chỉ số", "governance indicator", "#D55E00", "star", 18),
    NodeStyle("jurisdiction", "Địa bàn", "jurisdiction", "#999999", "ellipse", 14),
    NodeStyle("area", "Lĩnh vực", "reform area", "#F0E442", "diamond", 12),
    NodeStyle("unknown", "Khác", "other", "#BBBBBB", "dot", 8),
)
NODE = {s.kind: s for s in NODE_STYLES}
DEFAULT_KINDS = ("document", "reference", "agency", "task", "target", "indicator")

EDGE_STYLES: tuple[EdgeStyle, ...] = (
    EdgeStyle("lead", "chủ trì", "#C0392B", False, True, False, True),
    EdgeStyle("cooperate", "phối hợp", "#E69F00", True, True, False, True),
    EdgeStyle("standing", "thường trực", "#8E44AD", False, True, False, True),
    EdgeStyle("supervise", "giám sát", "#7F8C8D", True, True, False, True),
    EdgeStyle("advise", "tham mưu", "#16A085", True, True, False, True),
    EdgeStyle("report_to", "báo cáo", "#34495E", True, True, True, True),
    EdgeStyle("based_on", "căn cứ", "#0072B2", False, True, False, False),
    EdgeStyle("implements", "thực hiện", "#0072B2", False, True, False, False),
    EdgeStyle("guides", "hướng dẫn", "#0072B2", True, True, False, False),
    EdgeStyle("amends", "sửa đổi", "#D55E00", False, True, False, False),
    EdgeStyle("replaces", "thay thế", "#D55E00", True, True, False, False),
    EdgeStyle("repeals", "bãi bỏ", "#7F1D1D", True, True, False, False),
    EdgeStyle("cites", "dẫn chiếu", "#56B4E9", True, False, False, False),
    EdgeStyle("refines", "cụ thể hóa", "#CC79A7", False, True, False, False),
    EdgeStyle("has_task", "nhiệm vụ", "#B7D8CC", False, False, False, False),
    EdgeStyle("sets_target", "chỉ tiêu", "#E8C4DA", False, False, False, False),
    EdgeStyle("measured_by", "đo bằng", "#D55E00", True, False, False, False),
    EdgeStyle("mentions", "nhắc đến", "#F2B48C", True, False, False, False),
    EdgeStyle("issued_by", "ban hành", "#0072B2", True, False, True, False),
    EdgeStyle("in_jurisdiction", "thuộc địa bàn", "#CCCCCC", True, False, False, False),
    EdgeStyle("in_area", "lĩnh vực", "#EEE3A0", True, False, False, False),
    EdgeStyle("part_of", "trực thuộc", "#AAAAAA", False, False, False, False),
    EdgeStyle("succeeded_by", "sáp nhập vào", "#AAAAAA", True, True, False, False),
    EdgeStyle("appears_in", "có tên trong", "#E5C07B", True, False, False, False),
    EdgeStyle("aggregate", "vai trò", "#C0392B", False, True, False, False),
)
EDGE = {s.type: s for s in EDGE_STYLES}
FALLBACK_EDGE = EdgeStyle("other", "liên quan", "#BBBBBB", True, False, False, False)
