"""What a build writes after linking, beside the rows of the documents it replaced.

Linking a change can move a citation of a document the build did not touch (it resolves to a
document just added, or no longer to one just removed) and the number inferred for a
document; ``patch_unchanged`` rewrites those rows only. The tables linking makes (merged
agencies, references …) are written where they differ from what is stored (``sync_linked``),
so that a one-document change does not rewrite tens of thousands of rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import orjson
from cchc_graph.graph.store import edges
from cchc_graph.graph.store.database import (
    LINKED_TABLES,
    NAME_FIELDS,
    TABLES,
    Table,
    _field,
    _insert,
    decode,
    encode,
    forget_names,
    insert_names,
    pack,
    sync_linked_names,
    unpack,
)
from cchc_graph.graph.store.linking import Links


def _changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def patch_unchanged(conn: sqlite3.Connection, before: Links, links: Links, skip: set[str],
                    original_refs: Callable[[], dict[str, str]]) -> None:
    """Rewrite the citations (and their edges) whose resolution changed, and the documents whose
    inferred number changed, outside ``skip`` (the documents written whole or removed).
    ``original_refs()``: each citation's unresolved reference (``ref:…``)."""
    refs: dict[str, str] | None = None
    for cid in _changed(before["resolution"], links["resolution"]):
        refs = refs if refs is not None else original_refs()
        patch_citation(conn, cid, links["resolution"].get(cid), refs[cid], skip)
    for doc in _changed(before["inferred"], links["inferred"]):
        patch_inferred(conn, doc, links["inferred"].get(doc), skip)


def patch_citation(conn: sqlite3.Connection, cid: str, target: str | None, original: str,
                   skip: set[str] = frozenset()) -> None:  # type: ignore[assignment]
    """A citation's row (and so its edge) made to resolve to ``target`` (None: to its reference
    ``original``), unless its document is in ``skip``."""
    row = conn.execute("SELECT rowid, doc, rec FROM citations WHERE id = ?", (cid,)).fetchone()
    if row is None or row[1] in skip:
        return
    ref = target if target is not None else original
    c = decode(row[2], conn)
    c["resolves_to"], c["ref"] = target, ref
    # (its edge is read from this row: ``graph.store.edges``)
    conn.execute("UPDATE citations SET ref = ?, resolves_to = ?, rec = ? WHERE rowid = ?",
                 (ref, target, encode(conn, "citations", c), row[0]))


def patch_inferred(conn: sqlite3.Connection, doc: str, inf: dict[str, Any] | None,
                   skip: set[str] = frozenset()) -> bool:  # type: ignore[assignment]
    """A document's row given the number ``inf`` inferred for it (None: none), unless it is in
    ``skip`` or already holds it; whether it was rewritten."""
    row = conn.execute("SELECT rowid, doc, rec FROM documents WHERE id = ?", (doc,)).fetchone()
    if row is None or row[1] in skip:
        return False
    d = decode(row[2], conn)
    number, prov = (inf["number"], inf["provenance"]) if inf else (None, None)
    if (d["number_inferred"], d["number_inferred_provenance"]) == (number, prov):
        return False
    d["number_inferred"], d["number_inferred_provenance"] = number, prov
    conn.execute("UPDATE documents SET number_inferred = ?, inferred_fold = ?, rec = ? WHERE rowid = ?",
                 (d["number_inferred"], _field(d, "inferred_fold"), encode(conn, "documents", d), row[0]))
    # the names search reads of the document hold its inferred number
    forget_names(conn, "doc = ?", (doc,))
    insert_names(conn, "documents", doc, [d])
    return True


def _sync(conn: sqlite3.Connection, t: Table, recs: list[dict[str, Any]]) -> tuple[set[str], bool]:
    """Make the linked rows of ``t`` (``doc`` NULL) the records ``recs``, in order, touching
    only what differs: the rows between the common head and tail, rewritten in place when the
    count is the same, else replaced. Returns the ids of the records touched, and whether
    records after them moved (another count)."""
    new = [orjson.dumps(r) for r in recs]
    old = [(rowid, unpack(rec, conn)) for rowid, rec in  # compared as JSON
           conn.execute(f"SELECT rowid, rec FROM {t.name} WHERE doc IS NULL ORDER BY ord")]
    n = min(len(old), len(new))
    head = next((i for i in range(n) if old[i][1] != new[i]), n)
    tail = next((i for i in range(n - head) if old[-1 - i][1] != new[-1 - i]), n - head)
    keyed = t.columns[0] == "id"
    touched: set[str] = set()
    # rewritten in place when each row keeps its id (else a unique id may move to a row not
    # yet rewritten: replaced instead)
    changed = None
    if len(old) == len(new):
        changed = [i for i in range(head, len(new) - tail) if old[i][1] != new[i]]
    if changed is not None and keyed:
        ids = [(orjson.loads(old[i][1])["id"], recs[i]["id"]) for i in changed]
        if any(a != b for a, b in ids):
            changed = None
    if changed is not None:
        sets = ", ".join(f'"{c}" = ?' for c in t.columns)
        for i in changed:
            if keyed:
                touched.add(recs[i]["id"])
            conn.execute(f"UPDATE {t.name} SET {sets}, rec = ? WHERE rowid = ?",
                         (*(_field(recs[i], c) for c in t.columns), pack(conn, t.name, new[i]), old[i][0]))
        return touched, False
    gone = old[head:len(old) - tail]
    if keyed:
        touched |= {orjson.loads(rec)["id"] for _, rec in gone}
        touched |= {r["id"] for r in recs[head:len(recs) - tail]}
    conn.executemany(f"DELETE FROM {t.name} WHERE rowid = ?", ((rowid,) for rowid, _ in gone))
    conn.execute(f"UPDATE {t.name} SET ord = ord + ? WHERE doc IS NULL AND ord >= ?",
                 (len(new) - len(old), len(old) - tail))
    _insert(conn, t, None, recs[head:len(recs) - tail], head)
    return touched, len(old) != len(new)


def sync_linked(conn: sqlite3.Connection, links: Links, agency_keys: Callable[[dict], list[str]]) -> None:
    """Write the tables linking makes, and the name keys (``agency_keys(agency)``) of the
    agencies that changed."""
    touched: set[str] = set()
    for t in LINKED_TABLES:
        ids, moved = _sync(conn, t, links[t.export_key])
        if t.name == "agencies":
            touched = ids
        if t.export_key in NAME_FIELDS and (ids or moved):  # the names search reads of what changed
            sync_linked_names(conn, t.export_key, ids, moved)
    _sync(conn, TABLES[edges.STORED], links["edges"])
    if touched:
        by_id = {a["id"]: a for a in links["agencies"] if a["id"] in touched}
        conn.executemany("DELETE FROM agency_keys WHERE agency = ?", ((a,) for a in sorted(touched)))
        conn.executemany("INSERT INTO agency_keys (key, agency) VALUES (?, ?)",
                         ((k, a) for a in sorted(by_id) for k in sorted(set(agency_keys(by_id[a])))))
