"""TEMPORARY: fill ``<store>/cchc.sqlite`` from a store of the file layout, until ``Store.build``
writes the database itself (branch ``store``); then this module goes.

    python -m cchc_graph.graph.store.bridge STORE
"""

from __future__ import annotations

import os
import re
import secrets
import sys
from pathlib import Path

from cchc_graph.graph.questions.index import expand_query
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import linking
from cchc_graph.graph.store.build import Store
from cchc_graph.loaders.model import SCHEMA_VERSION


def write_database(root: str | Path) -> Path:
    """The database of the store at ``root``, written whole under a temporary name, then renamed."""
    store = Store(root)
    entries = store.manifest()["documents"]
    parts = {d: linking.document_part(store.load_facts(d, e)) for d, e in sorted(entries.items())}
    links = linking.link([p["keys"] for p in parts.values()], lambda d: parts[d]["agencies"])
    target = store.root / db.DB_NAME
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


def check_manifest(root: str | Path) -> None:
    """The file store's schema check (``Store.manifest``), from the head of its manifest only."""
    path = Path(root) / "manifest.json"
    if not path.is_file():
        return
    with open(path, "rb") as f:
        found = re.search(rb'"schema_version":\s*(\d+)', f.read(4096))
    if found is None or int(found[1]) != SCHEMA_VERSION:
        Store(root).manifest()  # says what is wrong


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(write_database(arg))
