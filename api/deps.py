"""FastAPI dependencies: the live corpus (reloaded when the store changes) and paging."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Annotated

from cchc_graph.graph.exports.sparql import Engine, Limits
from cchc_graph.graph.questions.backend import Backend, prepare
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store.build import Store
from fastapi import Depends, Query, Request

MAX_PAGE = 500


@dataclass
class LiveCorpus:
    """The store's corpus, re-read when the store's version changes (a build or an upload).

    Each corpus read is prepared in the background (its phrase indexes and answer orders
    built), so the first question of each kind does not wait seconds for them."""

    store: Store
    _corpus: Corpus | None = None
    _version: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    preparing: threading.Thread | None = None

    def get(self) -> Corpus:
        version = self.store.version()  # new with every committed build or upload
        with self._lock:
            if self._corpus is None or version != self._version:
                self._corpus = Corpus(self.store.load_export())
                self._version = version
                self.preparing = threading.Thread(target=prepare, args=(self._corpus,), daemon=True,
                                                  name="cchc-prepare")
                self.preparing.start()
            return self._corpus


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


def get_backend(request: Request) -> Backend:
    return request.app.state.backend


def get_corpus(request: Request) -> Corpus:
    """The whole corpus (embedded backend only: the Neo4j backend answers 501)."""
    return request.app.state.backend.full()


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
BackendDep = Annotated[Backend, Depends(get_backend)]
PagingDep = Annotated[Paging, Depends(get_paging)]
Text = Annotated[str, Query(min_length=1, max_length=200)]
OptText = Annotated[str | None, Query(min_length=1, max_length=200)]
Depth = Annotated[int, Query(ge=1, le=10, description="Số bậc / hops")]
