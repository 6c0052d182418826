"""The browser: the graph page at ``/`` (same filters as ``cchc viz``) and a page per document,
agency and metric. HTML for people, so kept out of the OpenAPI schema of the JSON API."""

from __future__ import annotations

from html import escape
from typing import Annotated, Literal

from cchc_graph.graph.questions.index import ROLES, Corpus, NotFound
from cchc_graph.visualizations import pages
from cchc_graph.visualizations.html import graph_html
from cchc_graph.visualizations.style import NODE
from cchc_graph.visualizations.view import MAX_NODES, ViewSpec, select
from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from ..deps import CorpusDep, Depth, OptText

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Kind = Literal[tuple(NODE)]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
Page = Annotated[int, Query(ge=1, description="Trang / page of a long list (pages.PAGE_ROWS rows)")]
CACHE = 16  # graph pages kept per corpus (a layout takes about a second on the seeds)
# a page's layout grows with the square of its nodes: at 10,000 documents a page of 2,000
# nodes around a hub takes 4.5 s to select and 14 s to lay out (4,000 nodes took 62 s, and
# 20,000, the bound before, minutes); one page is drawn at a time (api/app.py)
MAX_NODES_BOUND = MAX_NODES


def _page(render, *args: object) -> HTMLResponse:
    try:
        return HTMLResponse(render(*args))
    except NotFound as e:
        return HTMLResponse(f"<!DOCTYPE html><meta charset='utf-8'><link rel='icon' href='data:,'>"
                            f"<title>404</title><p>{escape(str(e))}</p>"
                            "<p><a href='/'>cchc-graph</a></p>", status_code=404)


def _graph(c: Corpus, spec: ViewSpec) -> str:
    cache = c.memo.setdefault("graph_pages", {})
    if spec not in cache:
        if len(cache) >= CACHE:
            cache.pop(next(iter(cache)))
        cache[spec] = graph_html(select(c, spec), page_base="/pages")
    return cache[spec]


@router.get("/")
def graph_page(c: CorpusDep, focus: OptText = None, depth: Depth = 1,
               type: Annotated[list[Kind] | None, Query()] = None,
               document: Annotated[list[str] | None, Query(max_length=20)] = None,
               jurisdiction: OptText = None, role: Annotated[list[Role] | None, Query()] = None,
               max_nodes: Annotated[int, Query(ge=10, le=MAX_NODES_BOUND)] = MAX_NODES,
               layout: Literal["auto", "force", "hierarchical"] = "auto") -> HTMLResponse:
    spec = ViewSpec(focus, depth, tuple(type) if type else None, tuple(document or ()), jurisdiction,
                    tuple(role) if role else None, max_nodes, layout)
    return _page(_graph, c, spec)


@router.get("/pages/documents")
def documents(c: CorpusDep) -> HTMLResponse:
    return _page(pages.documents_page, c)


@router.get("/pages/documents/{document_id:path}")
def document(c: CorpusDep, document_id: str) -> HTMLResponse:
    return _page(pages.document_page, c, document_id)


@router.get("/pages/agencies")
def agencies(c: CorpusDep) -> HTMLResponse:
    return _page(pages.agencies_page, c)


@router.get("/pages/agencies/{agency_id:path}")
def agency(c: CorpusDep, agency_id: str, role: Role | None = None, page: Page = 1) -> HTMLResponse:
    return _page(pages.agency_page, c, agency_id, role, page)


@router.get("/pages/metrics")
def metrics(c: CorpusDep) -> HTMLResponse:
    return _page(pages.metrics_page, c)


@router.get("/pages/metrics/{metric}")
def metric(c: CorpusDep, metric: str, page: Page = 1) -> HTMLResponse:
    return _page(pages.metric_page, c, metric, page)
