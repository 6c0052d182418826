"""The HTTP API: the same questions as the CLI, read-only unless started with an upload token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cchc_graph.graph.exports.neo4j_db import Target
from cchc_graph.graph.exports.sparql import Limits
from cchc_graph.graph.questions.backend import Embedded, Neo4j, NotAvailable
from cchc_graph.graph.questions.index import NotFound
from cchc_graph.graph.store.build import Store, StoreError
from cchc_graph.library import open_store
from cchc_graph.loaders.schema import SCHEMA_VERSION
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from .admission import Admission
from .deps import BackendDep, SparqlEngines
from .routes import agencies, browser, citations, documents, planning, questions, sparql, targets, upload
from .schemas import HealthPublic

DESCRIPTION = """Hỏi đáp trên đồ thị văn bản cải cách hành chính: ai chủ trì việc gì, văn bản dựa
trên đâu, chỉ tiêu cấp dưới so với cấp trên, kiểm tra. Mọi câu trả lời kèm câu văn làm căn cứ.

Questions over the administrative-reform graph; every answer carries the sentence it rests on.
Lists are paged with `limit` and `offset` and return `{data, count}`."""


# the unfocused graph page of 10,000 documents takes 30 s of CPU to draw (then it is cached)
GRAPH_PAGES_AT_ONCE = 1


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A served app loads the SPARQL worker at start and stops it (and its queries) at the end."""
    engines: SparqlEngines | None = getattr(app.state, "sparql", None)
    if engines is not None:
        with app.state.backend.session() as b:
            engines.get(b.full())
    yield
    if engines is not None:
        engines.close()
    uploads: UploadConfig | None = getattr(app.state, "upload", None)
    if uploads is not None:
        uploads.builder.close()


@dataclass(frozen=True)
class UploadConfig:
    token: str
    max_bytes: int
    builder: upload.Builder = field(default_factory=lambda: upload.Builder())


def create_app(store_dir: str | Path, upload_token: str | None = None,
               max_upload_bytes: int = 20 * 1024 * 1024,
               cors_origins: Sequence[str] = (), neo4j: Target | None = None,
               sparql_limits: Limits | None = None, max_requests: int = 64) -> FastAPI:
    """The app over one store; ``upload_token`` mounts ``POST /documents``.

    SPARQL queries run in a worker process within ``sparql_limits``; at most ``max_requests``
    requests are in progress at once (past it: 503 with ``Retry-After``; ``/health`` always).

    With ``neo4j``, the questions are answered from that database instead (no store needed;
    whole-graph questions, SPARQL and uploads are then unavailable).

    Cross-origin requests are refused unless ``cors_origins`` names the sites allowed to read
    the API (``*`` for any); the API docs are served from the installed package (no CDN).
    """
    store = Store(store_dir)
    if neo4j is None and not store.exists():
        raise StoreError(f"{store.root}: no graph store here; run `cchc build` first")
    # ReDoc's bundle fetches its logo from a CDN, so only Swagger UI is served (from the package)
    app = FastAPIOffline(title="cchc-graph", version="0.1.0", description=DESCRIPTION, redoc_url=None,
                         lifespan=_lifespan)
    app.add_middleware(Admission, limit=max_requests, per_path={"/": GRAPH_PAGES_AT_ONCE})
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET"] + (["POST"] if upload_token else []),
                           allow_headers=["Authorization"] if upload_token else [])
    if neo4j is None:
        app.state.store = store
        app.state.backend = Embedded(open_store(store.root))
        app.state.sparql = SparqlEngines(store, sparql_limits or Limits())
    else:
        from cchc_graph.graph.exports.neo4j_db import Reader

        app.state.backend = Neo4j(Reader(neo4j))
    with app.state.backend.session() as b:
        b.dimensions()  # fail at start, not on the first request

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(NotAvailable)
    async def not_available(_: Request, exc: NotAvailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=501)

    @app.exception_handler(Exception)
    async def internal(_: Request, exc: Exception) -> JSONResponse:
        # No stack trace leaves the server; the log keeps it.
        return JSONResponse({"detail": "lỗi máy chủ / internal error"}, status_code=500)

    @app.get("/health", response_model=HealthPublic, tags=["hệ thống / system"],
             summary="Tình trạng / health and corpus size")
    def health(b: BackendDep) -> HealthPublic:
        return HealthPublic(status="ok", documents=len(b.dimensions().documents),
                            schema_version=SCHEMA_VERSION, upload_enabled=upload_token is not None,
                            backend=b.name)

    for r in (documents, agencies, questions, citations, targets, planning, browser):
        app.include_router(r.router)
    if neo4j is None:  # SPARQL and uploads work on the store
        app.include_router(sparql.router)
    if upload_token and neo4j is None:
        app.state.upload = UploadConfig(upload_token, max_upload_bytes)
        app.include_router(upload.router)
    return app
