"""Stores of an earlier layout made the present one in place, where no source need be read.

Layout 6 stored every edge in ``edges``; layout 7 reads most of them from the records they
link (``graph.store.edges``), stores the rest in ``edge_rows``, and compresses the facts of
``sources`` with a dictionary as records are (layout 6's zlib ones are read as they are). The
upgrade keeps the edges no record gives, checks that the records give back every other edge
stored, in order, and drops the table (one transaction: a kill leaves the store of layout 6
or of layout 7).
"""

from __future__ import annotations

import itertools
import sqlite3
import zlib

from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import edges


class UpgradeError(Exception):
    """The store's records do not give back the edges it stored: it is left as it was."""


def upgrade(conn: sqlite3.Connection) -> bool:
    """Make a store of layout ``database.UPGRADABLE`` the present one (whether it was one;
    older ones are rebuilt from their sources)."""
    if conn.execute("PRAGMA user_version").fetchone()[0] != db.UPGRADABLE:
        return False
    with db.transaction(conn):
        conn.execute("ALTER TABLE documents ADD COLUMN issuer_agency")
        conn.executemany("UPDATE documents SET issuer_agency = ? WHERE rowid = ?",
                         ((db.decode(rec, conn).get("issuer_agency"), rowid)
                          for rowid, rec in conn.execute("SELECT rowid, rec FROM documents").fetchall()))
        kinds = ", ".join(f"'{k}'" for k in sorted(edges.STORED_TYPES))
        for stmt in db._ddl():  # the tables, indexes and view the store lacks ("IF NOT EXISTS")
            if not stmt.startswith("CREATE VIEW"):
                conn.execute(stmt)
        # a document's stored edges numbered anew among themselves; the linked ones and a whole
        # export's ('') are all stored, in the same order
        conn.execute(f"INSERT INTO {edges.STORED} (doc, ord, source, target, type, citation, rec) "
                     "SELECT doc, CASE WHEN doc IS NULL OR doc = '' THEN ord ELSE row_number() OVER "
                     "(PARTITION BY doc ORDER BY ord) - 1 END, source, target, type, citation, rec "
                     f"FROM edges WHERE doc IS NULL OR doc = '' OR type IN ({kinds}) ORDER BY doc, ord")
        _check(conn)
        conn.execute("DROP TABLE edges")
        conn.execute(edges.view())
        # the stored edges keep the dictionary their records were compressed with; the facts
        # of the documents written from now on get theirs (the stored ones stay zlib's)
        conn.execute(f"UPDATE dictionaries SET name = '{edges.STORED}' WHERE name = 'edges'")
        db.train(conn, "facts", [zlib.decompress(f) for (f,) in conn.execute(
            f"SELECT facts FROM sources ORDER BY doc LIMIT {db.TRAIN_DOCUMENTS}")])
        conn.execute(f"PRAGMA user_version={db.SCHEMA_VERSION}")
    db.forget(conn)
    return True


def _check(conn: sqlite3.Connection) -> None:
    """Raise UpgradeError unless the records give back every edge of ``edges``, in order."""
    cols, order = "doc, source, target, type, citation", "ORDER BY doc IS NULL, doc, ord"
    was = conn.execute(f"SELECT {cols} FROM edges {order}")
    now = conn.cursor().execute(f"SELECT {cols} FROM ({edges.select(edges.COLUMNS)}) {order}")
    for n, (a, b) in enumerate(itertools.zip_longest(was, now)):
        if a != b:
            raise UpgradeError(f"edge {n}: stored {a}, read from the records {b}")
