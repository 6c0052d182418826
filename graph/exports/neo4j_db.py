"""Neo4j through the official driver: push the graph, and read it back for the API.

A push is a sync: schema first, then every node and relationship merged in batches marked
with the graph version, then whatever an older push left (not marked) is deleted, then the
``CchcMeta`` node is written last — readers treat it as the commit point. Each batch runs in
a managed transaction, which the driver retries on transient errors and lost connections
(up to ``max_transaction_retry_time``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cchc_graph.graph.exports import cypher
from cchc_graph.graph.exports.neo4j_map import edge_context, from_rows, meta_of, node_rows, rel_rows

BATCH = 1000
RETRY_S = 60.0
Progress = Callable[[int, int | None], None]  # called with (rows written so far, rows in all if known)


@dataclass(frozen=True)
class Target:
    """Where to push or read: a Bolt/Neo4j URI, credentials, database (None: the default)."""

    uri: str
    user: str
    password: str
    database: str | None = None

    def driver(self) -> Any:
        import neo4j  # heavy; only commands that talk to Neo4j pay for it

        return neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password),
                                          max_transaction_retry_time=RETRY_S)


@dataclass(frozen=True)
class PushReport:
    nodes: int
    relationships: int
    deleted_nodes: int
    deleted_relationships: int
    skipped_edges: int
    version: str
    in_database: tuple[int, int]  # (nodes, relationships) counted after the push


def _write(driver: Any, db: str | None, query: str, **params: Any) -> Any:
    def work(tx: Any) -> Any:
        return tx.run(query, **params).data()

    with driver.session(database=db) as session:
        return session.execute_write(work)


def push(export: Mapping[str, Any], target: Target, version: str, batch: int = BATCH,
         progress: Progress | None = None) -> PushReport:
    """Write the export to Neo4j; pushing the same export twice leaves the same counts. The
    export's lists are mapped as they are merged, a batch at a time: a stored export
    (``Store.streamed_export``) is never held whole."""
    with target.driver() as driver:
        driver.verify_connectivity()
        for statement in cypher.SCHEMA:  # schema changes cannot share a transaction with writes
            driver.execute_query(statement, database_=target.database)
        merged = _merge(driver, target.database, export, version, batch, progress)
        deleted = [_delete_stale(driver, target.database, q, version, batch)
                   for q in (cypher.DELETE_STALE_RELS, cypher.DELETE_STALE_NODES)]
        _write(driver, target.database, cypher.MERGE_META, meta=merged.meta)
        counts = driver.execute_query(cypher.COUNTS, database_=target.database).records[0]
    return PushReport(merged.nodes, merged.rels, deleted[1], deleted[0], merged.skipped, version,
                      (counts["nodes"], counts["rels"]))


@dataclass
class _Merged:
    """What a push has merged so far, and the meta node once every list is read."""

    nodes: int = 0
    rels: int = 0
    skipped: int = 0
    meta: dict[str, Any] = field(default_factory=dict)


def _merge(driver: Any, db: str | None, export: Mapping[str, Any], version: str, batch: int,
           progress: Progress | None) -> _Merged:
    """Nodes first (relationships MATCH their ends), each label's rows in batches as they come;
    then the relationships, a batch of a type as soon as it is full."""
    merged, seen, ids = _Merged(), {}, set()

    def flush(query: str, rows: list[dict[str, Any]], node: bool) -> None:
        if not rows:
            return
        _write(driver, db, query, rows=rows)
        if node:
            merged.nodes += len(rows)
        else:
            merged.rels += len(rows)
        if progress:
            progress(merged.nodes + merged.rels, None)
        rows.clear()

    label, rows = "", []
    for lb, row in node_rows(export, version, seen):
        if rows and (lb != label or len(rows) >= batch):
            flush(cypher.merge_nodes(label), rows, True)
        label = lb
        rows.append(row)
        ids.add(row["id"])
    if rows:
        flush(cypher.merge_nodes(label), rows, True)
    ctx = edge_context(export, ids, seen)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for rtype, row in rel_rows(export, version, ctx, seen):
        if rtype is None:
            merged.skipped += 1
            continue
        pending = by_type.setdefault(rtype, [])
        pending.append(row)
        if len(pending) >= batch:
            flush(cypher.merge_rels(rtype), pending, False)
    for rtype, pending in by_type.items():
        flush(cypher.merge_rels(rtype), pending, False)
    merged.meta = meta_of(export, version, seen)
    return merged


def _delete_stale(driver: Any, db: str | None, query: str, version: str, batch: int) -> int:
    total = 0
    while n := _write(driver, db, query, v=version, batch=batch)[0]["n"]:
        total += n
    return total


class Reader:
    """Reads for the API's neo4j backend: the dimension tables (documents, agencies,
    jurisdictions …) cached per pushed version, the facts each question needs on demand."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._driver = target.driver()
        self._driver.verify_connectivity()  # fail now, not after a minute of retries
        self._meta: dict[str, Any] | None = None
        self._dimensions: tuple[list, list] | None = None

    def close(self) -> None:
        self._driver.close()

    def read(self, query: str, **params: Any) -> list[Any]:
        """The records of a read query (routed to a reader in a cluster; retried when transient)."""
        import neo4j

        return self._driver.execute_query(query, params, database_=self.target.database,
                                          routing_=neo4j.RoutingControl.READ).records

    def meta(self) -> dict[str, Any]:
        """The pushed graph's meta node; a new version drops the cached dimension tables."""
        recs = self.read(cypher.READ_META)
        if not recs:
            raise LookupError(f"no cchc-graph in {self.target.uri} (run `cchc neo4j push` first)")
        meta = dict(recs[0]["meta"])
        if self._meta is None or meta.get("v") != self._meta.get("v"):
            self._meta, self._dimensions = meta, None
        return meta

    def export(self, node_queries: Sequence[tuple[str, dict]] = (),
               rel_queries: Sequence[tuple[str, dict]] = ()) -> dict[str, Any]:
        """The dimension tables plus what the given queries return, as a (partial) export."""
        meta = self.meta()
        if self._dimensions is None:
            nodes = [(r["labels"], r["props"]) for r in self.read(cypher.READ_DIMENSIONS)]
            self._dimensions = (nodes, self.relationships(cypher.READ_STRUCTURE))
        nodes, rels = list(self._dimensions[0]), list(self._dimensions[1])
        for query, params in node_queries:
            for r in self.read(query, **params):
                nodes.append((r["labels"], r["props"]))
                rels.extend((t, s, e, p) for t, s, e, p in r.get("rels") or ())
        for query, params in rel_queries:
            rels.extend(self.relationships(query, **params))
        return from_rows(nodes, rels, meta)

    def relationships(self, query: str, **params: Any) -> list[tuple[str, str, str, dict]]:
        """(type, source id, target id, properties) of a query returning those columns."""
        return [(r["type"], r["source"], r["target"], r["props"]) for r in self.read(query, **params)]

    def ids(self, query: str, **params: Any) -> list[str]:
        return [r["id"] for r in self.read(query, **params)]

