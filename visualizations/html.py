"""The graph page: a ``View`` drawn with pyvis into one self-contained, offline HTML file.

pyvis builds the vis-network nodes, edges and options and ships the vis-network code; the page
around it (legend, filters, search, side panel) is our template, because pyvis's own template
loads Bootstrap from a CDN even with ``cdn_resources="in_line"``.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from cchc_graph.graph.questions.index import ROLE_LABELS, section_label, source_place
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from .layout import force_positions, grid_positions
from .model import Quote, View, VNode
from .overview import place_id
from .style import EDGE, EDGE_STYLES, FALLBACK_EDGE, NODE, NODE_STYLES

TEMPLATES = Path(__file__).parent / "templates"
# Documents, cited documents and indicators read at the zoom that fits a few hundred nodes (about
# 0.3); agencies, tasks and targets once zoomed in (labels under LABEL_MIN_PX are not drawn).
FONT_SIZES = {"document": 30, "reference": 26, "agency": 16, "indicator": 26, "task": 11, "target": 11,
              "jurisdiction": 26}
# Labels smaller than this on screen (pixels) are not drawn: zoom in to read them. Tooltips and the
# side panel still name every node.
LABEL_MIN_PX = 8
LABEL_RADIUS = {"document": 100, "reference": 80, "agency": 38, "indicator": 26, "task": 13, "target": 13}
LARGE = 800  # nodes above which edges are drawn straight and hidden while dragging


@cache
def environment() -> Environment:
    """Our templates first, then pyvis's (for the bundled vis-network code)."""
    import pyvis

    pyvis_templates = Path(pyvis.__file__).parent / "templates"
    env = Environment(loader=ChoiceLoader([FileSystemLoader(TEMPLATES), FileSystemLoader(pyvis_templates)]),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["section"] = section_label
    env.filters["place"] = source_place
    # tojson stays HTML-safe (<, >, & and ' escaped) but writes Vietnamese as UTF-8, not \uXXXX:
    # a national overview's table is a third smaller
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}
    return env


def _node_size(n: VNode) -> int:
    base = NODE[n.kind].size
    return base + min(16, n.degree) if n.kind in ("agency", "indicator", "reference") else base


def _vis_node(n: VNode) -> dict[str, Any]:
    style = NODE[n.kind]
    font = {"color": "#ffffff" if n.kind == "document" else "#222222", "size": FONT_SIZES.get(n.kind, 14)}
    return {"id": n.id, "label": n.label, "shape": style.shape, "color": style.color, "title": n.tooltip,
            "size": _node_size(n), "kind": n.kind, "docs": list(n.docs), "font": font}


class QuoteTable:
    """Each distinct quote once in the page; nodes and edges refer to it by index (a task's
    sentence is also its lead's, its cooperating agencies' and its edges')."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self._index: dict[Quote, int] = {}

    def __call__(self, q: Quote) -> int:
        i = self._index.get(q)
        if i is None:
            i = self._index[q] = len(self.rows)
            self.rows.append(asdict(q))
        return i


def _vis_edge(i: str, e: Any, quotes: QuoteTable) -> dict[str, Any]:
    style = EDGE.get(e.type, FALLBACK_EDGE)
    width = 1 + min(4, e.weight - 1) if e.weight > 1 else (1.6 if style.role else 1)
    out = {"id": i, "from": e.source, "to": e.target, "label": e.label, "title": e.tooltip,
           "color": style.color, "dashes": style.dashes, "type": e.type, "width": width}
    if e.quote:
        out["quote"] = quotes(e.quote)
    return out


def _info(n: VNode, page_base: str | None, quotes: QuoteTable) -> dict[str, Any]:
    return {"kind": n.kind, "kindLabel": NODE[n.kind].label, "label": n.label.replace("\n", " "),
            "props": [list(p) for p in n.props], "quotes": [quotes(q) for q in n.quotes],
            "page": f"{page_base}/{n.page}/{n.id}" if page_base and n.page else None}


def _options(view: View) -> dict[str, Any]:
    large = len(view.nodes) > LARGE
    opts: dict[str, Any] = {
        "physics": {"enabled": False, "solver": "forceAtlas2Based",
                    "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 100},
                    "stabilization": {"enabled": False}},
        "interaction": {"hover": not large, "tooltipDelay": 200, "hideEdgesOnDrag": large,
                        "keyboard": {"enabled": True, "bindToWindow": False}, "multiselect": False},
        "edges": {"smooth": False if large else {"type": "continuous"},
                  "font": {"size": 10, "color": "#444444", "strokeWidth": 3, "align": "middle"},
                  "scaling": {"label": {"drawThreshold": LABEL_MIN_PX}},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "nodes": {"font": {"face": "system-ui, 'Segoe UI', Roboto, sans-serif"}, "borderWidth": 1,
                  "scaling": {"label": {"drawThreshold": LABEL_MIN_PX}}},
    }
    if view.layout == "hierarchical":
        opts["layout"] = {"hierarchical": {"enabled": True, "direction": "LR", "sortMethod": "directed",
                                           "levelSeparation": 260, "nodeSpacing": 70}}
    return opts


def graph_data(view: View, page_base: str | None = None) -> dict[str, Any]:
    """Everything the page's script reads, built through pyvis."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    pos = {}
    if view.overview is not None:
        pos = grid_positions([n.id for n in view.nodes if n.kind == "jurisdiction"],
                             [n.id for n in view.nodes if n.kind != "jurisdiction"])
    elif view.layout == "force":
        visible = set(view.visible_kinds)
        laid = [n.id for n in view.nodes if n.kind in visible]
        ids = set(laid)
        pos = force_positions(laid, [(e.source, e.target) for e in view.edges
                                     if e.source in ids and e.target in ids],
                              {n.id: LABEL_RADIUS.get(n.kind, 14) for n in view.nodes})
    for n in view.nodes:
        extra = {"x": pos[n.id][0], "y": pos[n.id][1]} if n.id in pos else {}
        vis = _vis_node(n)
        net.add_node(vis.pop("id"), label=vis.pop("label"), shape=vis.pop("shape"), **vis, **extra)
    quotes = QuoteTable()
    for i, e in enumerate(view.edges):
        vis = _vis_edge(f"e{i}", e, quotes)
        net.add_edge(vis.pop("from"), vis.pop("to"), **vis)
    net.options = _options(view)
    nodes, edges, *_ = net.get_network_data()
    kinds_present = {n.kind for n in view.nodes} | {n.kind for n in view.reserve_nodes}
    types_present = {e.type for e in view.edges} | {e.type for e in view.reserve_edges}
    if view.overview is not None:
        return {**_overview_data(view, page_base), "nodes": nodes, "edges": edges, "options": net.options,
                "quotes": quotes.rows}
    return {
        "nodes": nodes, "edges": edges, "options": net.options,
        "visibleKinds": list(view.visible_kinds),
        "kinds": [{"kind": s.kind, "label": s.label, "english": s.english, "color": s.color,
                   "shape": s.shape, "count": sum(n.kind == s.kind for n in view.nodes)}
                  for s in NODE_STYLES if s.kind in kinds_present],
        "edgeTypes": [{"type": s.type, "label": s.label, "color": s.color, "dashes": s.dashes,
                       "role": s.role} for s in EDGE_STYLES if s.type in types_present],
        "documents": [list(d) for d in view.documents],
        "jurisdictions": [[j, name, list(docs)] for j, name, docs in view.jurisdictions],
        "info": {n.id: _info(n, page_base, quotes) for n in (*view.nodes, *view.reserve_nodes)},
        "reserve": {"nodes": [_vis_node(n) for n in view.reserve_nodes],
                    "edges": [_vis_edge(f"r{i}", e, quotes) for i, e in enumerate(view.reserve_edges)]},
        "quotes": quotes.rows,
        "focus": view.focus,
    }


def _overview_data(view: View, page_base: str | None) -> dict[str, Any]:
    """The overview's page data: places and cited documents drawn, each document one row of a
    table that overview.js turns into nodes (with their style) when its place is opened."""
    ov = view.overview
    types = {e.type for e in view.edges} | {c[2] for c in ov.citations} | {"in_jurisdiction"}
    if page_base:  # served: a document's agencies come on demand, their roles as counted lines
        types.add("aggregate")
    doc, agency = NODE["document"], NODE["agency"]
    counts = {"jurisdiction": len(ov.places), "document": len(ov.documents), "reference": len(ov.references)}
    return {
        "visibleKinds": [*view.visible_kinds, "agency"],
        "kinds": [{"kind": s.kind, "label": s.label, "english": s.english, "color": s.color, "shape": s.shape,
                   "count": counts[s.kind]} for s in NODE_STYLES if counts.get(s.kind)],
        "edgeTypes": [{"type": s.type, "label": s.label, "color": s.color, "dashes": s.dashes, "role": s.role}
                      for s in EDGE_STYLES if s.type in types],
        "documents": [], "jurisdictions": [],
        "info": {n.id: _info(n, page_base, QuoteTable()) for n in view.nodes},
        "reserve": {"nodes": [], "edges": []},
        "focus": None,
        "overview": {
            "places": [place_id(p["id"]) for p in ov.places],
            "placeNames": [p["name"] for p in ov.places],
            "placeIds": [p["id"] for p in ov.places],
            "documents": ov.documents, "citations": ov.citations,
            "pageBase": page_base,
            "doc": {"shape": doc.shape, "color": doc.color, "size": doc.size, "kindLabel": doc.label,
                    "font": {"color": "#ffffff", "size": FONT_SIZES["document"]}},
            "agency": {"shape": agency.shape, "color": agency.color, "size": agency.size + 6,
                       "kindLabel": agency.label, "font": {"color": "#222222", "size": FONT_SIZES["agency"]}},
            "roleLabels": ROLE_LABELS,
            "edges": {s.type: {"color": s.color, "dashes": s.dashes, "label": s.label if s.shown else ""}
                      for s in EDGE_STYLES if s.type in types},
        },
    }


def graph_html(view: View, page_base: str | None = None) -> str:
    """One HTML page with the vis-network code inlined: it makes no request of its own."""
    data = graph_data(view, page_base)
    return environment().get_template("graph.html.j2").render(data=data, title=view.title, notes=view.notes,
                                                              served=bool(page_base),
                                                              overview=view.overview is not None)
