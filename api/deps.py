"""FastAPI dependencies: one snapshot of the store's database per request, and paging."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from cchc_graph.graph.exports.sparql import Engine, Limits
from cchc_graph.graph.questions.backend import Backend
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store.build import Store
from fastapi import Depends, Query, Request

MAX_PAGE = 500


@dataclass
class SparqlEngines:
    """The SPARQL worker of the current corpus: a new corpus (a build, an upload) or a worker
    that died gets a new one, and the old one is stopped."""

    store: Store
    limits: Limits
    _engine: Engine | None = None
    _token: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, c: Corpus) -> Engine:
        token = c.memo.setdefault("sparql_token", object())
        with self._lock:
            old = self._engine
            if old is not None and old.alive and token is self._token:
                return old
            self._engine, self._token = Engine(self.store.root, self.limits), token
        if old is not None:
            old.close()
        return self._engine

    def close(self) -> None:
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()


def get_backend(request: Request) -> Iterator[Backend]:
    """The backend for one request: with the store, one snapshot read by all its questions
    (a build committing meanwhile is seen by the next request), ended before the response is
    sent (``BackendDep``: scope "function"), as the request's other bounds are."""
    with request.app.state.backend.session() as b:
        yield b


BackendDep = Annotated[Backend, Depends(get_backend, scope="function")]


def get_corpus(b: BackendDep) -> Corpus:
    """The whole corpus (embedded backend only: the Neo4j backend answers 501)."""
    return b.full()


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int

    def __call__(self, rows: list) -> dict:
        return {"data": self.window(rows), "count": len(rows)}

    def window(self, rows: list) -> list:
        return rows[self.offset:self.offset + self.limit]


def get_paging(limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Số dòng / page size")] = 50,
               offset: Annotated[int, Query(ge=0, le=10_000_000, description="Bỏ qua / skip")] = 0
               ) -> Paging:
    return Paging(limit, offset)


CorpusDep = Annotated[Corpus, Depends(get_corpus)]
PagingDep = Annotated[Paging, Depends(get_paging)]
Text = Annotated[str, Query(min_length=1, max_length=200)]
OptText = Annotated[str | None, Query(min_length=1, max_length=200)]
Depth = Annotated[int, Query(ge=1, le=10, description="Số bậc / hops")]
