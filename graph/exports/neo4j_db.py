"""Neo4j through the official driver: push the graph, and read it back for the API.

A push is a sync: schema first, then every node and relationship merged in batches marked
with the graph version, then whatever an older push left (not marked) is deleted, then the
``CchcMeta`` node is written last — readers treat it as the commit point. Each batch runs in
a managed transaction, which the driver retries on transient errors and lost connections
(up to ``max_transaction_retry_time``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cchc_graph.graph.exports import cypher
from cchc_graph.graph.exports.neo4j_map import Rows, batches, from_rows, to_rows

BATCH = 1000
RETRY_S = 60.0
Progress = Callable[[int, int], None]  # called with (rows written so far, rows in all)


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


def push(export: dict[str, Any], target: Target, version: str, batch: int = BATCH,
         progress: Progress | None = None) -> PushReport:
    """Write the export to Neo4j; pushing the same export twice leaves the same counts."""
    rows = to_rows(export, version)
    with target.driver() as driver:
        driver.verify_connectivity()
        for statement in cypher.SCHEMA:  # schema changes cannot share a transaction with writes
            driver.execute_query(statement, database_=target.database)
        _merge(driver, target.database, rows, batch, progress)
        deleted = [_delete_stale(driver, target.database, q, version, batch)
                   for q in (cypher.DELETE_STALE_RELS, cypher.DELETE_STALE_NODES)]
        _write(driver, target.database, cypher.MERGE_META, meta=rows.meta)
        counts = driver.execute_query(cypher.COUNTS, database_=target.database).records[0]
    n, r = rows.counts()
    return PushReport(n, r, deleted[1], deleted[0], len(rows.skipped), version,
                      (counts["nodes"], counts["rels"]))


def _merge(driver: Any, db: str | None, rows: Rows, batch: int, progress: Progress | None) -> None:
    work = [(cypher.merge_nodes(label), rs) for label, rs in rows.nodes.items()]
    work += [(cypher.merge_rels(rtype), rs) for rtype, rs in rows.rels.items()]
    done, total = 0, sum(rows.counts())
    for query, rs in work:  # nodes first: relationships MATCH their ends
        for chunk in batches(rs, batch):
            _write(driver, db, query, rows=chunk)
            done += len(chunk)
            if progress:
                progress(done, total)


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

