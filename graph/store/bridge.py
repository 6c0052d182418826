"""TEMPORARY: fill ``<store>/cchc.sqlite`` from a store of the file layout, until ``Store.build``
writes the database itself (branch ``store``); then this module goes."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import linking
from cchc_graph.keys import expand_query


def write_database(store: Any) -> Path:
    """The database of ``store`` (a ``build.Store``), written whole under a temporary name,
    then renamed into place."""
    entries = store.manifest()["documents"]
    parts = {d: linking.document_part(store.load_facts(d, e)) for d, e in sorted(entries.items())}
    links = linking.link([p["keys"] for p in parts.values()], lambda d: parts[d]["agencies"])
    target = Path(store.root) / db.DB_NAME
    tmp = target.with_name(f".{db.DB_NAME}.tmp")
    for stale in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        stale.unlink(missing_ok=True)
    conn = db.connect(tmp)
    with db.transaction(conn):
        for p in parts.values():
            db.insert_body(conn, linking.resolve_body(p["body"], links))
        keys = {a["id"]: [expand_query(n) for n in [a["name"], *a["aliases"]]] for a in links["agencies"]}
        db.write_linked(conn, links, keys)
        # what the store's build writes: a new version with every build that changes the graph
        conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('version', ?)",
                     (secrets.token_hex(8),))
    conn.execute("PRAGMA journal_mode=DELETE")  # one file, renamed into place whole
    conn.close()
    os.replace(tmp, target)
    return target
