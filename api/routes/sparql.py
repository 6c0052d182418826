"""SPARQL, read-only: SELECT and ASK over the graph's RDF, in a worker process under a deadline,
a memory bound and a number of queries at once (``graph.sparql.Engine``)."""

from __future__ import annotations

from typing import Annotated

from cchc_graph.graph.exports import sparql as sq
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from ..deps import CorpusDep
from ..schemas import ErrorPublic

router = APIRouter(tags=["SPARQL"], responses={400: {"model": ErrorPublic}, 503: {"model": ErrorPublic},
                                               504: {"model": ErrorPublic}})
MEDIA = "application/sparql-results+json"


@router.get("/sparql", summary="Truy vấn SPARQL chỉ đọc / read-only SPARQL (SELECT, ASK)",
            description="Mỗi truy vấn có thời hạn và giới hạn bộ nhớ (`cchc serve --sparql-timeout`, "
                        "`--sparql-memory-mb`): quá hạn 504, quá bộ nhớ 400, quá số truy vấn cùng lúc 503 "
                        "với `Retry-After`. / Every query runs under a deadline and a memory bound: past "
                        "the deadline 504, past the memory 400, past the queries at once 503 with "
                        "`Retry-After`.",
            response_class=JSONResponse,
            responses={200: {"description": "SPARQL 1.1 Query Results JSON",
                             "content": {MEDIA: {"schema": {"type": "object"}}}}})
def sparql(request: Request, c: CorpusDep,
           query: Annotated[str, Query(min_length=1, max_length=sq.MAX_QUERY_CHARS,
                                       description="SELECT hoặc ASK; tiền tố cchc eli oa org prov skos "
                                                   "dcterms xsd có sẵn / prefixes predeclared")],
           limit: Annotated[int, Query(ge=1, le=10_000, description="Số dòng tối đa / most rows")] = 1000
           ) -> JSONResponse:
    engine = request.app.state.sparql.get(c)
    try:
        answer = engine.run(query, limit, load_wait=engine.limits.timeout_s)
    except sq.TooHeavy as e:
        raise HTTPException(504 if e.kind == "timeout" else 400, f"SPARQL: {e}") from e
    except sq.Unavailable as e:
        raise HTTPException(503, f"SPARQL: {e}", headers={"Retry-After": str(e.retry_after)}) from e
    except sq.SparqlError as e:
        raise HTTPException(400, f"SPARQL: {e}") from e
    return JSONResponse(sq.results_json(answer), media_type=MEDIA)
