"""The export's edges: most are read from the records they link, the rest are stored.

A document's edges repeat its records from the other side: each task gives ``has_task`` and
``in_area``, each responsibility its role's edge, each target ``sets_target`` (and
``measured_by``), each citation its relation's edge, the document ``in_jurisdiction`` and
``issued_by``, each with the record's provenance. Storing them was ~80 % of the edge rows and
~300 MB with their indexes at 10,000 documents, so they are not stored: each is read from its
record's row by one arm of ``ARMS`` (the view ``edges`` is all of them, for SQL by hand).
``edge_rows`` holds the others: a document's ``mentions``, the edges linking adds (``doc``
NULL), and every edge of a corpus written from a whole export (``doc`` '', as the in-memory
corpora of the Neo4j answers and of tests: their edges are taken as they come; their records'
rows have row ids below 1, so that no arm reads them).

An arm's ``ord`` keeps the export's order within a document: tasks' edges, then the
responsibilities', the targets', the stored ones, the citations', the document's own.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

STORED = "edge_rows"
COLUMNS = ("doc", "ord", "source", "target", "type", "citation", "arm", "rid", "rec")
_G = 1 << 32  # an arm's group in a document's order: far above any place in a list
# a document's edges that no record gives: stored in ``edge_rows``
STORED_TYPES = frozenset({"mentions"})


@dataclass(frozen=True, slots=True)
class Arm:
    """Where one kind of edge is read from: a table's rows (``where``), and the SQL of each of
    the edge's columns; ``prov``: how its provenance is its row's (``record``: the record's,
    ``issuer``: the document's issuer line, ``none``; ``edge``: the row is the edge)."""

    table: str
    source: str
    target: str
    type: str
    citation: str
    ord: str
    where: str
    prov: str
    # the SQL its rows are read from when not the table's own: a table naming another's rows by
    # their row ids (``database.Table.keys``) has their ids joined in, under its column's name
    via: str = ""

    @property
    def rows(self) -> str:
        """What the arm's SELECT reads ``FROM``."""
        return f"({self.via})" if self.via else self.table

    @property
    def kind(self) -> str | None:
        """The one type of this arm's edges (None: read from the row)."""
        return self.type.strip("'") if self.type.startswith("'") else None

    def column(self, name: str, number: int) -> str:
        """The SQL of one of ``COLUMNS`` (``number``: the arm's place in its tuple of arms)."""
        own = {"arm": str(number), "rid": "rowid", "doc": "doc", "rec": "rec"}
        return own.get(name) or getattr(self, name)


_DOC = "rowid > 0"  # a built store's rows (a whole export's are below 1: their edges are stored)
ARMS = (
    Arm(STORED, "source", "target", "type", "citation", f"{3 * _G} + ord", "", "edge"),
    Arm("tasks", "doc", "id", "'has_task'", "NULL", "ord * 2", _DOC, "record"),
    Arm("tasks", "id", "'area:' || area", "'in_area'", "NULL", "ord * 2 + 1", _DOC, "record"),
    # (a responsibility names its task and its agency by row ids, ``database.Table.keys``: their
    # ids joined in, so that a task's or an agency's, or a list's, are found through the index
    # of those row ids)
    Arm("responsibilities", "agency", "task", "role", "NULL", f"{_G} + ord", _DOC, "record",
        via="SELECT r.rowid AS rowid, r.doc AS doc, r.ord AS ord, a.id AS agency, r.role AS role, "
            "k.id AS task, r.rec AS rec FROM responsibilities r JOIN tasks k ON k.rowid = r.task "
            "JOIN agency_ids a ON a.rowid = r.agency"),
    Arm("targets", "doc", "id", "'sets_target'", "NULL", f"{2 * _G} + ord * 2", _DOC, "record"),
    Arm("targets", "id", "indicator", "'measured_by'", "NULL", f"{2 * _G} + ord * 2 + 1",
        f"{_DOC} AND indicator != ''", "record"),
    Arm("citations", "doc", "ref", "relation", "id", f"{4 * _G} + ord", _DOC, "record"),
    Arm("documents", "id", "jurisdiction", "'in_jurisdiction'", "NULL", f"{5 * _G}",
        f"{_DOC} AND jurisdiction != ''", "none"),
    Arm("documents", "id", "issuer_agency", "'issued_by'", "NULL", f"{5 * _G} + 1",
        f"{_DOC} AND issuer_agency != ''", "issuer"),
)
# indexes the arms are read through by an edge's end (the others' are the tables' own)
INDEXES = (f"CREATE INDEX IF NOT EXISTS tasks_area_node ON tasks({ARMS[2].target})",)


def select(columns: Sequence[str], where: str = "", kinds: Iterable[str] | None = None,
           kinds_param: str = "?2", arms: tuple[Arm, ...] | None = None) -> str:
    """SQL reading ``columns`` (of ``COLUMNS``) of the edges meeting ``where``, one SELECT per
    arm joined by UNION ALL, unordered. ``where`` names the columns in braces (``{source} =
    ?1``) and is put into each arm, so that each is read through its table's index (SQLite
    does not push an ``IN (SELECT …)`` into a view's arms). ``kinds``: only edges of these
    types or of a citation (an arm whose one type is none of them is left out; the others test
    their rows' types against the JSON list bound to ``kinds_param``). ``arms``: another
    layout's (``graph.store.upgrade``)."""
    wanted = None if kinds is None else frozenset(kinds)
    return _select(tuple(columns), where, wanted, kinds_param, arms or ARMS)


@functools.lru_cache(maxsize=256)  # (a walk asks the same few statements: ~1 ms each to make)
def _select(columns: tuple[str, ...], where: str, wanted: frozenset[str] | None, kinds_param: str,
            arms: tuple[Arm, ...]) -> str:
    parts = []
    for number, arm in enumerate(arms):
        if wanted is not None and arm.kind is not None and arm.kind not in wanted and arm.citation == "NULL":
            continue
        named = where.format(**{n: f"({arm.column(n, number)})" for n in COLUMNS})
        cond = [c for c in (arm.where, named) if c]
        if wanted is not None and arm.kind is None:
            cond.append(f"({arm.citation} IS NOT NULL OR {arm.type} IN "
                        f"(SELECT value FROM json_each({kinds_param})))")
        cols = ", ".join(f"{arm.column(c, number)} AS {c}" for c in columns)
        parts.append(f"SELECT {cols} FROM {arm.rows}" + (f" WHERE {' AND '.join(cond)}" if cond else ""))
    return " UNION ALL ".join(parts) or "SELECT " + ", ".join(f"NULL AS {c}" for c in columns) + " WHERE 0"


def view() -> str:
    """The view ``edges``: every edge, with the columns of ``COLUMNS``."""
    return f"CREATE VIEW IF NOT EXISTS edges AS {select(COLUMNS)}"


def record(arm: int, source: str, target: str, type_: str, citation: str | None,
           rec: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """An edge's record, as the export gives it, from its columns and its row's record
    (``rec()``: read only when the provenance is the record's)."""
    how = ARMS[arm].prov
    if how == "edge":
        return rec()
    prov = None if how == "none" else rec().get("provenance")
    if how == "issuer":
        prov = (prov or {}).get("issuer_line")
    e = {"source": source, "target": target, "type": type_, "provenance": prov}
    if citation is not None:
        e["citation"] = citation
    return e


def stored(rows: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Of a document's edges (``rows``: its lists as ``linking.resolve_body`` gives them), those
    stored; the rest must be those the arms read, which their number checks (a new kind of
    edge made by ``linking.document_part`` and not given an arm here would be lost)."""
    edges = rows["edges"]
    kept = [e for e in edges if e["type"] in STORED_TYPES]
    doc = rows["documents"][0]
    derived = (2 * len(rows["tasks"]) + len(rows["responsibilities"]) + len(rows["citations"])
               + sum(1 + bool(t.get("indicator")) for t in rows["targets"])
               + bool(doc.get("jurisdiction")) + bool(doc.get("issuer_agency")))
    if len(edges) - len(kept) != derived:
        raise ValueError(f"{doc['id']}: {len(edges) - len(kept)} edges from its records, "
                         f"{derived} read back: an edge kind has no arm in graph/store/edges.py")
    return kept


def _count(arm: Arm) -> str:
    """SQL counting an arm's edges: its table's rows meeting its own condition (through the
    table's count or a covering index), less those of a whole export (row ids below 1: a range
    of the table's key, none in a built store). Testing a column on each row read every row:
    ~80 ms of 90 at 10,000 documents, against ~5."""
    own = arm.where.removeprefix(_DOC).removeprefix(" AND ")
    total = f"(SELECT count(*) FROM {arm.table}" + (f" WHERE {own})" if own else ")")
    if not arm.where.startswith(_DOC):
        return total
    return f"{total} - (SELECT count(*) FROM {arm.table} WHERE rowid <= 0" + (f" AND {own})" if own else ")")


# how many edges there are, in one statement
COUNT = "SELECT " + " + ".join(map(_count, ARMS))


def by_row(arm: int) -> str:
    """SQL reading one edge of arm ``arm`` by its row id (``rid``): its source, target, type,
    citation and its row's ``rec`` (for ``record``)."""
    a = ARMS[arm]
    return f"SELECT {a.source}, {a.target}, {a.type}, {a.citation}, rec FROM {a.rows} WHERE rowid = ?"


def in_order(conn: sqlite3.Connection, decode: Callable[[bytes], dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every edge's record in the export's order."""
    sql = (f"SELECT arm, source, target, type, citation, rec FROM ({select(COLUMNS)}) "
           "ORDER BY doc IS NULL, doc, ord")
    for arm, s, t, kind, cit, blob in conn.execute(sql):
        yield record(arm, s, t, kind, cit, lambda b=blob: decode(b))
