"""SPARQL, read-only: SELECT and ASK over the graph's RDF (Oxigraph, loaded once per corpus)."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from graph import sparql as sq

from ..deps import CorpusDep
from ..schemas import ErrorPublic

router = APIRouter(tags=["SPARQL"], responses={400: {"model": ErrorPublic}})
_LOADING = threading.Lock()
MEDIA = "application/sparql-results+json"


def _oxigraph(request: Request, c: CorpusDep) -> Any:
    with _LOADING:  # one load per corpus version, even under concurrent first queries
        if "oxigraph" not in c.memo:
            c.memo["oxigraph"] = sq.open_store(request.app.state.live.store)
        return c.memo["oxigraph"]


@router.get("/sparql", summary="Truy vấn SPARQL chỉ đọc / read-only SPARQL (SELECT, ASK)",
            response_class=JSONResponse,
            responses={200: {"description": "SPARQL 1.1 Query Results JSON",
                             "content": {MEDIA: {"schema": {"type": "object"}}}}})
def sparql(request: Request, c: CorpusDep,
           query: Annotated[str, Query(min_length=1, max_length=sq.MAX_QUERY_CHARS,
                                       description="SELECT hoặc ASK; tiền tố cchc eli oa org prov skos "
                                                   "dcterms xsd có sẵn / prefixes predeclared")],
           limit: Annotated[int, Query(ge=1, le=10_000, description="Số dòng tối đa / most rows")] = 1000
           ) -> JSONResponse:
    try:
        answer = sq.run(_oxigraph(request, c), query, limit)
    except sq.SparqlError as e:
        raise HTTPException(400, f"SPARQL: {e}") from e
    return JSONResponse(sq.results_json(answer), media_type=MEDIA)
