"""Where the questions' facts come from: the embedded store, or Neo4j.

Every question is one Python function over a :class:`~graph.index.Corpus` (``who_leads``,
``cites`` …), so both backends give the same answers. The embedded backend hands every
question of a request one snapshot of the store's database. The Neo4j backend hands each
question a corpus holding the
dimension tables (documents, references, agencies, jurisdictions, indicators, areas — read
once per pushed version) and only the facts it needs, read by Cypher for that request: the
tasks whose text has the phrase's words, the roles of the named agencies, the citation
chains to the asked depth. Questions that need the whole graph (audits, paths, cascades,
search across every quote) are answered by the embedded backend only.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from cchc_graph.graph.exports import cypher
from cchc_graph.graph.questions.index import Corpus, Database, NotFound
from cchc_graph.keys import fold_key, number_key


class NotAvailable(RuntimeError):
    """A question this backend does not answer."""


class Backend(Protocol):
    name: str

    def session(self) -> contextlib.AbstractContextManager[Backend]: ...
    def full(self) -> Corpus: ...
    def dimensions(self) -> Corpus: ...
    def for_phrase(self, phrase: str) -> Corpus: ...
    def for_agencies(self, agency_ids: list[str]) -> Corpus: ...
    def for_documents(self, doc_ids: list[str]) -> Corpus: ...
    def for_citations(self, query: str, depth: int, inwards: bool) -> Corpus: ...


class Embedded:
    """The store's database: each session (a request) reads one snapshot for every question."""

    name = "embedded"

    def __init__(self, database: Database, corpus: Corpus | None = None) -> None:
        self.database, self._corpus = database, corpus

    @contextmanager
    def session(self) -> Iterator[Embedded]:
        with self.database.snapshot() as c:
            yield Embedded(self.database, c)

    def full(self) -> Corpus:
        if self._corpus is None:
            raise RuntimeError("Embedded.full() outside a session()")
        return self._corpus

    def dimensions(self) -> Corpus:
        return self.full()

    def for_phrase(self, phrase: str) -> Corpus:
        return self.full()

    def for_agencies(self, agency_ids: list[str]) -> Corpus:
        return self.full()

    def for_documents(self, doc_ids: list[str]) -> Corpus:
        return self.full()

    def for_citations(self, query: str, depth: int, inwards: bool) -> Corpus:
        return self.full()


class Neo4j:
    """Facts read from Neo4j per question (see the module docstring)."""

    name = "neo4j"

    def __init__(self, reader: Any) -> None:  # graph.neo4j_db.Reader
        self.reader = reader
        self._dims: tuple[str, Corpus] | None = None
        self._lock = threading.Lock()

    @contextmanager
    def session(self) -> Iterator[Neo4j]:
        yield self

    def full(self) -> Corpus:
        raise NotAvailable("câu hỏi này chỉ có với kho nhúng / this question needs the embedded "
                           "backend (cchc serve without --backend neo4j)")

    def dimensions(self) -> Corpus:
        with self._lock:
            version = self.reader.meta().get("v")
            if self._dims is None or self._dims[0] != version:
                self._dims = (version, Corpus.from_export(self.reader.export()))
            return self._dims[1]

    def _tasks(self, task_ids: list[str]) -> Corpus:
        return Corpus.from_export(self.reader.export(node_queries=[(cypher.READ_TASKS, {"tasks": task_ids})]))

    def for_phrase(self, phrase: str) -> Corpus:
        words = fold_key(phrase).split()
        if not words:
            raise NotFound("cụm từ trống / empty phrase")
        return self._tasks(self.reader.ids(cypher.READ_TASKS_WITH_WORDS, words=words))

    def for_agencies(self, agency_ids: list[str]) -> Corpus:
        return self._tasks(self.reader.ids(cypher.READ_TASKS_OF_AGENCIES, agencies=agency_ids))

    def for_documents(self, doc_ids: list[str]) -> Corpus:
        return Corpus.from_export(self.reader.export(
            node_queries=[(cypher.READ_DOCUMENT_FACTS, {"documents": doc_ids})],
            rel_queries=[(cypher.READ_CITATIONS_OF, {"documents": doc_ids})]))

    def for_citations(self, query: str, depth: int, inwards: bool) -> Corpus:
        """Citation chains from a document (``inwards``: to a document or a cited number)."""
        dims = self.dimensions()
        named = dims.named_document(query)
        sources: set[str] = {named} if named else set()
        if inwards:
            sources.update(self.reader.ids(cypher.READ_CITED_NUMBER, key=number_key(query)))
        if not sources:
            return dims
        return Corpus.from_export(self.reader.export(
            rel_queries=[(cypher.read_citations(inwards, depth), {"sources": sorted(sources)})]))
