"""SPARQL over a store's graph, answered by Oxigraph (``pyoxigraph``), read-only.

rdflib builds the RDF (``graph/rdf.py``); its own store is too slow for a national corpus
(measured here at 1M triples: 24 s to load, 1.8 s for a 2-hop query), so queries go to an
in-memory Oxigraph store (2.5 s, 0.2 ms). The N-Triples of each graph version are cached next
to it in the store (``graphs/<sha>.rdf<N>.nt``, N the mapping version), so only the first
query after a build pays for them.

Queries run in a worker process (``graph/sparql_worker.py``) under a wall-clock deadline and a
memory bound, a few at once (``Limits``); ``Engine`` is its client, shared by the server's
threads and used once by ``cchc sparql``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import subprocess
import sys
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc_graph.graph.exports.rdf import DEFAULT_BASE, MAPPING_VERSION, PREFIXES, write_ntriples
from cchc_graph.graph.exports.sparql_limits import Limits
from cchc_graph.graph.store.build import Store, StoreError, atomic_open

MAX_QUERY_CHARS = 20_000
MAX_ANSWER_BYTES = 50 * 2**20  # an answer crosses the worker and the server whole
PREFIX_MAP = {p: str(ns) for p, ns in PREFIXES.items()}


class SparqlError(Exception):
    """A query that does not parse or cannot run; the message says why."""


class TooHeavy(SparqlError):
    """A query stopped at a limit: ``kind`` is ``timeout``, ``memory`` or ``size``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class Unavailable(SparqlError):
    """No query can start now (all slots busy, the graph still loading, the worker gone);
    ``retry_after`` says when to try again, in seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Answer:
    """A SELECT's variables and rows (values as strings, None when unbound), or an ASK's bool."""

    variables: list[str]
    rows: list[list[str | None]]
    boolean: bool | None = None


def ntriples_path(store: Store, base: str = DEFAULT_BASE) -> Path:
    """The cached N-Triples of the store's current graph (written on first use)."""
    suffix = "" if base == DEFAULT_BASE else "-" + hashlib.sha256(base.encode()).hexdigest()[:8]
    path = store.derived_path(f"{store.graph_version}.rdf{MAPPING_VERSION}{suffix}.nt")
    if not path.exists():
        with store.streamed_export() as export, atomic_open(path) as out:
            write_ntriples(export, out, base)
    return path


def open_store(store: Store, base: str = DEFAULT_BASE) -> Any:
    """An in-memory Oxigraph store loaded with the store's graph."""
    import pyoxigraph as ox

    ox_store = ox.Store()
    ox_store.bulk_load(path=str(ntriples_path(store, base)), format=ox.RdfFormat.N_TRIPLES)
    return ox_store


def check(query: str) -> None:
    """Refuse what is never run: over-long queries and updates."""
    if len(query) > MAX_QUERY_CHARS:
        raise SparqlError(f"query longer than {MAX_QUERY_CHARS} characters")
    if _is_update(query):
        raise SparqlError("read-only: SPARQL Update is not accepted")


def run(ox_store: Any, query: str, limit: int | None = None) -> Answer:
    """Run a SELECT or ASK query (the project's prefixes are predeclared), unbounded: in this
    process only for trusted queries; ``Engine`` runs the others."""
    check(query)
    try:
        result = ox_store.query(query, prefixes=PREFIX_MAP)
    except (SyntaxError, ValueError, OSError) as e:
        raise SparqlError(str(e).splitlines()[0] if str(e) else type(e).__name__) from e
    # Oxigraph's result objects must not outlive this call (they may not cross threads), so
    # they are read here and dropped before anything is raised.
    answer = _read(result, limit)
    del result
    if answer is None:
        raise SparqlError("only SELECT and ASK queries are answered (use 'cchc export' for triples)")
    return answer


def _read(result: Any, limit: int | None) -> Answer | None:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return Answer([], [], bool(result))
    if not isinstance(result, ox.QuerySolutions):
        return None
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append([None if solution[n] is None else solution[n].value for n in names])
        if limit is not None and len(rows) >= limit:
            break
    return Answer(names, rows)


def _is_update(query: str) -> bool:
    body = re.sub(r"(?m)#.*$", "", query)
    body = re.sub(r"(?is)^\s*(?:(?:PREFIX\s+\S*\s*<[^>]*>|BASE\s+<[^>]*>)\s*)*", "", body)
    return bool(re.match(r"(?i)(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", body))


GRACE_S = 5.0  # beyond the deadline, for an answer to cross the pipe


class Engine:
    """A SPARQL worker over one graph, asked from any thread, ``limits.queries`` at once.

    It starts in the background: the worker writes the store's N-Triples if they are not
    cached yet, then loads them. ``close`` stops it and every query it runs."""

    def __init__(self, store_root: Path, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._slots = threading.BoundedSemaphore(self.limits.queries)
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._pending: dict[int, Future] = {}
        self._next = 1
        self._proc: subprocess.Popen | None = None
        self._failure: str | None = None
        self._closed = False
        threading.Thread(target=self._serve, args=(Path(store_root),), daemon=True,
                         name="cchc-sparql").start()

    @property
    def alive(self) -> bool:
        return self._failure is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def run(self, query: str, limit: int | None = None, load_wait: float | None = None) -> Answer:
        """Answer a query within the limits; ``load_wait`` bounds the wait for the graph to load
        (None: as long as it takes). Raises SparqlError, TooHeavy or Unavailable."""
        check(query)
        if not self._slots.acquire(blocking=False):
            raise Unavailable(f"{self.limits.queries} truy vấn đang chạy / {self.limits.queries} "
                              "SPARQL queries already running; retry later", math.ceil(self.limits.timeout_s))
        try:
            if not self._ready.wait(load_wait):
                raise Unavailable("đang nạp đồ thị / the graph is still loading for SPARQL; retry later", 10)
            future = self._submit({"query": query, "limit": limit})
            try:
                payload = future.result(self.limits.timeout_s + GRACE_S)
            except FutureTimeout:
                payload = {"error": "timeout"}
        finally:
            self._slots.release()
        return self._answer(payload)

    def close(self) -> None:
        """Stop the worker: its running queries are killed and answered as unavailable."""
        with self._lock:
            self._closed = True
            proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(OSError):
            proc.stdin.close()  # the worker kills its children and ends at end of input
        try:
            proc.wait(2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def _submit(self, request: dict) -> Future:
        future: Future = Future()
        with self._lock:
            if self._failure:
                raise Unavailable(self._failure, 5)
            request["id"] = self._next
            self._next += 1
            self._pending[request["id"]] = future
            try:
                self._proc.stdin.write(json.dumps(request, ensure_ascii=False).encode() + b"\n")
                self._proc.stdin.flush()
            except (OSError, ValueError) as e:
                del self._pending[request["id"]]
                raise Unavailable(f"SPARQL worker stopped ({e})", 5) from e
        return future

    def _answer(self, payload: dict) -> Answer:
        if "ok" in payload:
            return Answer(**payload["ok"])
        kind, message = payload["error"], payload.get("message", "")
        if kind == "timeout":
            raise TooHeavy(kind, f"vượt thời hạn / query stopped at the {self.limits.timeout_s:g} s "
                                 "deadline (LIMIT does not bound ORDER BY, DISTINCT or GROUP BY)")
        if kind == "size":
            raise TooHeavy(kind, f"câu trả lời quá lớn / answer larger than {MAX_ANSWER_BYTES // 2**20} MB "
                                 f"({message}); ask for fewer or shorter values")
        if kind == "memory":
            raise TooHeavy(kind, f"vượt bộ nhớ / query stopped at the {self.limits.memory_mb} MB "
                                 "memory limit")
        raise SparqlError(message if kind == "sparql" else f"query failed ({kind}: {message})")

    def _serve(self, store_root: Path) -> None:
        """Start the worker, then hand each answer to the query waiting for it."""
        try:
            with self._lock:
                if self._closed:
                    raise EOFError
                self._proc = subprocess.Popen(
                    [sys.executable, "-m", "cchc_graph.graph.exports.sparql_worker", str(store_root),
                     str(self.limits.memory_mb), str(self.limits.timeout_s)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True)
            _, first = self._message()
            if "ready" not in first:
                raise SparqlError(first.get("message", "SPARQL worker failed to start"))
            self._ready.set()
            while True:
                request_id, payload = self._message()
                with self._lock:
                    future = self._pending.pop(request_id, None)
                if future:
                    future.set_result(payload)
        except EOFError:
            failure = ""
        except (SparqlError, StoreError) as e:
            failure = str(e)
        except Exception as e:  # the queries waiting are told; the server goes on
            failure = f"SPARQL worker failed ({type(e).__name__}: {e})"
        with self._lock:
            self._failure = failure or "SPARQL đã dừng / SPARQL worker stopped"
            pending, self._pending = self._pending, {}
        self._ready.set()
        for future in pending.values():
            future.set_exception(Unavailable(self._failure, 5))

    def _message(self) -> tuple[int, dict]:
        header = self._proc.stdout.readline()
        if not header:
            raise EOFError
        head = json.loads(header)
        body = self._proc.stdout.read(head["size"])
        if len(body) < head["size"]:
            raise EOFError
        return head["id"], json.loads(body)


def results_json(answer: Answer) -> dict[str, Any]:
    """SPARQL 1.1 Query Results JSON (values as plain literals or IRIs)."""
    if answer.boolean is not None:
        return {"head": {}, "boolean": answer.boolean}
    bindings = []
    for row in answer.rows:
        bindings.append({v: {"type": "uri" if val.startswith(("http://", "https://", "urn:")) else "literal",
                             "value": val} for v, val in zip(answer.variables, row, strict=True)
                         if val is not None})
    return {"head": {"vars": answer.variables}, "results": {"bindings": bindings}}


# The main questions as SPARQL (shown in docs/rdf.md and run in the tests against the Python
# answers). ``$name`` placeholders take a quoted literal: see ``example``.
EXAMPLES: dict[str, tuple[str, str]] = {
    "who-leads": ("Việc một cơ quan chủ trì / the tasks an agency leads, with their document", """\
SELECT ?task ?text ?document WHERE {
  ?agency skos:prefLabel ?name ; cchc:lead ?t .
  FILTER (STR(?name) = $agency)
  ?t cchc:localId ?task ; cchc:text ?text ; dcterms:isPartOf/cchc:localId ?document .
}
ORDER BY ?task"""),
    "cooperating": ("Cơ quan phối hợp trong từng việc / who cooperates on each task of a document", """\
SELECT ?task ?lead ?partner WHERE {
  ?t dcterms:isPartOf/cchc:localId $document ; cchc:localId ?task .
  ?l cchc:lead ?t ; skos:prefLabel ?lead .
  ?p cchc:cooperate ?t ; skos:prefLabel ?partner .
}
ORDER BY ?task ?lead ?partner"""),
    "citation-trace": ("Văn bản dựa trên đâu / what a document cites, and whether it is in the corpus", """\
SELECT ?number ?relation ?inCorpus ?quote WHERE {
  ?doc cchc:localId $document .
  ?c cchc:citing ?doc ; cchc:cited ?cited ; cchc:relation ?relation ;
     prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote .
  OPTIONAL { ?c eli:id_local ?number }
  ?cited cchc:inCorpus ?inCorpus .
}
ORDER BY ?number"""),
    "rests-on": ("Chuỗi căn cứ trong kho / documents a document rests on, at any depth", """\
SELECT DISTINCT ?ancestor WHERE {
  ?doc cchc:localId $document ; (eli:based_on|eli:implements)+ ?a .
  ?a cchc:inCorpus true ; cchc:localId ?ancestor .
}
ORDER BY ?ancestor"""),
}


def example(name: str, **values: str) -> str:
    """An example query with its placeholders filled by quoted literals."""
    from string import Template

    quoted = {k: '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for k, v in values.items()}
    return Template(EXAMPLES[name][1]).substitute(quoted)
