"""SPARQL over a store's graph, answered by Oxigraph (``pyoxigraph``), read-only.

rdflib builds the RDF (``graph/rdf.py``); its own store is too slow for a national corpus
(measured here at 1M triples: 24 s to load, 1.8 s for a 2-hop query), so queries go to an
in-memory Oxigraph store (2.5 s, 0.2 ms). The N-Triples of each graph version are cached next
to it in the store (``graphs/<sha>.rdf<N>.nt``, N the mapping version), so only the first
query after a build pays for them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .rdf import DEFAULT_BASE, MAPPING_VERSION, PREFIXES, to_rdf
from .store import Store, atomic_write

MAX_QUERY_CHARS = 20_000
PREFIX_MAP = {p: str(ns) for p, ns in PREFIXES.items()}


class SparqlError(Exception):
    """A query that does not parse or cannot run; the message says why."""


@dataclass(frozen=True)
class Answer:
    """A SELECT's variables and rows (values as strings, None when unbound), or an ASK's bool."""

    variables: list[str]
    rows: list[list[str | None]]
    boolean: bool | None = None


def ntriples_path(store: Store, base: str = DEFAULT_BASE) -> Path:
    """The cached N-Triples of the store's current graph (written on first use)."""
    suffix = "" if base == DEFAULT_BASE else "-" + hashlib.sha256(base.encode()).hexdigest()[:8]
    path = store.root / "graphs" / f"{store.graph_version}.rdf{MAPPING_VERSION}{suffix}.nt"
    if not path.exists():
        atomic_write(path, to_rdf(store.load_export(), base).serialize(format="nt"))
    return path


def open_store(store: Store, base: str = DEFAULT_BASE) -> Any:
    """An in-memory Oxigraph store loaded with the store's graph."""
    import pyoxigraph as ox

    ox_store = ox.Store()
    ox_store.bulk_load(path=str(ntriples_path(store, base)), format=ox.RdfFormat.N_TRIPLES)
    return ox_store


def run(ox_store: Any, query: str, limit: int | None = None) -> Answer:
    """Run a SELECT or ASK query (the project's prefixes are predeclared)."""

    if len(query) > MAX_QUERY_CHARS:
        raise SparqlError(f"query longer than {MAX_QUERY_CHARS} characters")
    if _is_update(query):
        raise SparqlError("read-only: SPARQL Update is not accepted")
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
