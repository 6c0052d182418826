"""Linking a small change as SQL over what it touches, not the whole corpus.

When a build replaces, adds or removes a few documents (``resolve.INCREMENTAL_MAX``), only
these are linked again: the citations that can change (those of the changed documents, those
that resolved to one, those a changed document could now match: by number through
``citations.number_key``, by title only among citations with no number unless a changed
document prints none), the numbers inferred for the documents those citations resolve or
resolved to, the references they name, the jurisdictions, indicators and areas the changed
documents name or named (``doc_named``) and the agencies they name or named
(``doc_agencies``). Each linked record is made from the rows that hold it, as
``linking.link`` makes it from every document, so the store ends as a full build leaves it
(``tests/test_incremental.py``).
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import edges
from cchc_graph.graph.store.linking import add_reference, area, indicator, linked_edges, merge_agencies
from cchc_graph.graph.store.relink import _sync, patch_citation, patch_inferred
from cchc_graph.graph.store.resolve import resolve_all

KINDS = ("jurisdictions", "indicators", "areas")  # what doc_named holds, by the keys' list


@dataclass(slots=True)
class Before:
    """What the changed documents held before the build replaced or removed them."""

    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # document → its linking keys
    targets: set[str] = field(default_factory=set)  # documents its citations resolved to
    shares: dict[str, Share] = field(default_factory=dict)  # document → what it gave the agencies

    def remember(self, conn: sqlite3.Connection, doc: str) -> None:
        """Read a document's share before its rows go."""
        row = conn.execute("SELECT keys FROM doc_keys WHERE doc = ?", (doc,)).fetchone()
        if row is not None:
            self.keys[doc] = db.decode(row[0], conn)
        self.targets |= {t for (t,) in conn.execute(
            "SELECT resolves_to FROM citations WHERE doc = ? AND resolves_to IS NOT NULL", (doc,))}
        self.shares[doc] = _share(conn, doc)


# agency → a document's records of it, in order: (aliases as stored, the packed record)
Share = dict[str, list[tuple[str | None, bytes]]]


def _share(conn: sqlite3.Connection, doc: str) -> Share:
    out: Share = {}
    for agency, aliases, rec in conn.execute(f"SELECT {db.id_of(db.AGENCY_IDS, 'agency')}, aliases, rec "
                                             "FROM doc_agencies WHERE doc = ? ORDER BY ord", (doc,)):
        out.setdefault(agency, []).append((aliases, rec))
    return out


def moved_agencies(conn: sqlite3.Connection, new: set[str], before: Before
                   ) -> tuple[set[str], dict[str, dict[str, bool]]]:
    """The agencies whose merged record the change can move (``linking.merge_agencies``: the
    first document's first record, every alias in document order, the documents): those a
    changed document names now and not before or the reverse, or names with other aliases, or
    names first of all documents with another first record; then, apart, those a changed
    document only starts or stops naming, with no alias of its own (agency → document →
    whether it starts). An edit leaving a document's agencies as they were merges none again,
    and a new document naming the government (named by most documents) puts itself in its
    list of documents without the others being read."""
    merge: set[str] = set()
    member: dict[str, dict[str, bool]] = {}
    for doc in new | before.shares.keys():
        was, now = before.shares.get(doc, {}), _share(conn, doc) if doc in new else {}
        for agency in was.keys() | now.keys():
            how = _how(conn, doc, agency, was.get(agency), now.get(agency))
            if how == "merge":
                merge.add(agency)
            elif how is not None:
                member.setdefault(agency, {})[doc] = how == "join"
    return merge, {a: docs for a, docs in member.items() if a not in merge}


def _how(conn: sqlite3.Connection, doc: str, agency: str, was: list[tuple[str | None, bytes]] | None,
         now: list[tuple[str | None, bytes]] | None) -> str | None:
    """How a document's records of an agency, as they were and are, change its merged record:
    not (None), only by the document joining or leaving its documents ("join", "leave"), or
    otherwise ("merge")."""
    if was is not None and now is not None:
        return "merge" if _gave_other(conn, doc, agency, was, now) else None
    if any(aliases for aliases, _ in (was or now or ())):
        return "merge"
    if now is not None and _first(conn, agency) == doc:  # its record becomes the agency's
        return "merge"
    return "join" if now is not None else "leave"


def _first(conn: sqlite3.Connection, agency: str) -> str | None:
    """The first document naming an agency, as the rows are now."""
    sql = f"SELECT min(doc) FROM doc_agencies WHERE agency = {db.rows_of(db.AGENCY_IDS, '= ?')}"
    return conn.execute(sql, (agency,)).fetchone()[0]


def _gave_other(conn: sqlite3.Connection, doc: str, agency: str, was: list[tuple[str | None, bytes]],
                now: list[tuple[str | None, bytes]]) -> bool:
    """Whether a document's records of an agency, as they were and are, merge otherwise."""
    if [x for x, _ in was] != [x for x, _ in now]:
        return True
    if was[0][1] == now[0][1] or db.decode(was[0][1], conn) == db.decode(now[0][1], conn):
        return False
    # the first record differs: it counts only when the document is the first naming the agency
    return _first(conn, agency) == doc


def _members(conn: sqlite3.Connection, member: dict[str, dict[str, bool]]
             ) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The merged records of agencies that documents only joined or left (``moved_agencies``):
    the stored record with those documents put in or taken out of its list (it stays in
    document order); and the agencies to merge again after all (new, gone, or left by their
    first document)."""
    stored = dict(conn.execute(f"SELECT id, rec FROM agencies WHERE +doc IS NULL AND id {IN}",
                               (_json(member),)))
    out: dict[str, dict[str, Any]] = {}
    again: set[str] = set()
    for agency, docs in member.items():
        rec = db.decode(stored[agency], conn) if agency in stored else None
        if rec is None or any(not joins and rec["documents"][0] == d for d, joins in docs.items()):
            again.add(agency)
            continue
        documents = [d for d in rec["documents"] if d not in docs]
        for d in sorted(d for d, joins in docs.items() if joins):
            bisect.insort(documents, d)
        if not documents:
            again.add(agency)
            continue
        out[agency] = {**rec, "documents": documents}
    return out, again


def named(keys: dict[str, Any]) -> list[tuple[str, str]]:
    """A document's rows of ``doc_named`` (kind, id), from its linking keys."""
    return [(k, x["id"] if k == "jurisdictions" else x) for k in KINDS for x in keys[k]]


def _json(values: Iterable[str]) -> str:
    return orjson.dumps(sorted(values)).decode()


IN = "IN (SELECT value FROM json_each(?))"


def relink(conn: sqlite3.Connection, new: set[str], removed: set[str], before: Before,
           agency_keys: Callable[[dict], list[str]], match: list[dict[str, Any]] | None = None) -> None:
    """Link again what the documents ``new`` (written anew) and ``removed`` touch (``match``:
    every stored document's match keys in document order, when the caller holds them)."""
    changed = new | removed
    if match is None:
        match = [orjson.loads(m) for (m,) in conn.execute("SELECT match FROM doc_match ORDER BY doc")]
    now = {d: db.decode(k, conn) for d, k in conn.execute(f"SELECT doc, keys FROM doc_keys WHERE doc {IN}",
                                                       (_json(new),))}
    moved = _resolve(conn, match, new, changed, now)
    numbered = {m["id"] for m in match if m["numbered"]}
    present = {m["id"] for m in match}
    for doc in sorted((changed | before.targets | moved["targets"]) & present):
        patch_inferred(conn, doc, None if doc in numbered else _inferred(conn, doc))
    refs = moved["refs"] | _cited_otherwise(before.keys, now, changed)
    touched = {"references": _apply(conn, db.TABLES["refs"], {r: _reference(conn, r) for r in refs})}
    for kind in KINDS:
        ids = {i for k in (*before.keys.values(), *now.values()) for kk, i in named(k) if kk == kind}
        row_id = (lambda i: area(i)["id"]) if kind == "areas" else (lambda i: i)
        touched[kind] = _apply(conn, db.TABLES[kind], {row_id(i): _named(conn, kind, i) for i in ids})
    merge, member = moved_agencies(conn, new, before)
    joined, again = _members(conn, member)
    recs = {**joined, **_agencies(conn, merge | again)}
    placed = dict(conn.execute(f"SELECT id, jurisdiction FROM agencies WHERE +doc IS NULL AND id {IN}",
                               (_json(recs),)))
    touched["agencies"] = _apply(conn, db.TABLES["agencies"], recs)
    for key in ("agencies", "references", "indicators"):
        ids, shifted = touched[key]
        if ids or shifted:
            db.sync_linked_names(conn, key, ids, shifted)
    # the linked edges are the agencies' places and the places' parents and successors (an
    # agency's id carries its place, so edges move when agencies come or go; the places are
    # compared as well, not to rest on how ids are made)
    if touched["agencies"][1] or touched["jurisdictions"][0] or any(
            rec is None or rec["jurisdiction"] != placed.get(i) for i, rec in recs.items()):
        _sync(conn, db.TABLES[edges.STORED], _edges(conn))
    ids = touched["agencies"][0]
    conn.execute(f"DELETE FROM agency_keys WHERE agency {IN}", (_json(ids),))
    recs = [db.decode(r, conn) for (r,) in conn.execute(
        f"SELECT rec FROM agencies WHERE +doc IS NULL AND id {IN} ORDER BY id", (_json(ids),))]
    conn.executemany("INSERT INTO agency_keys (key, agency) VALUES (?, ?)",
                     ((k, a["id"]) for a in recs for k in sorted(set(agency_keys(a)))))


# what a reference's record takes from a citation naming it (``linking.add_reference``)
_REFERENCE_FIELDS = ("raw_number", "type", "title", "issuer", "date", "scope")


def _cited_otherwise(before: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]], changed: set[str]
                     ) -> set[str]:
    """The references the changed documents cite otherwise than before: named by one now and
    not before or the reverse, or with other fields (in their order). A document written again
    with the same citations leaves the references as they were (a national decree is cited by
    thousands: its record is not made again for each)."""
    def cited(keys: dict[str, Any] | None) -> dict[str, list[tuple]]:
        out: dict[str, list[tuple]] = {}
        for c in keys["citations"] if keys else ():
            out.setdefault(c["ref"], []).append(tuple(c[f] for f in _REFERENCE_FIELDS))
        return out

    refs: set[str] = set()
    for doc in changed:
        was, now_ = cited(before.get(doc)), cited(now.get(doc))
        refs |= {r for r in was.keys() | now_.keys() if was.get(r) != now_.get(r)}
    return refs


def _resolve(conn: sqlite3.Connection, match: list[dict[str, Any]], new: set[str], changed: set[str],
             now: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    """Resolve again the citations the change can move, patch those that moved; the documents
    they resolve or resolved to, and the references they name (``targets``, ``refs``)."""
    fresh = [m for m in match if m["id"] in changed]
    conds = [f"resolves_to {IN}"]
    params: list[Any] = [_json(changed)]
    numbers = {m["number"] for m in fresh if m["numbered"]}
    if numbers:
        conds.append(f"number_key {IN}")
        params.append(_json(numbers))
    if any(not m["numbered"] for m in fresh):
        conds.append("1")  # matched by title, whatever number it cites
    elif fresh:
        conds.append("number_key IS NULL")
    docs = {d for (d,) in conn.execute(
        f"SELECT DISTINCT doc FROM citations WHERE ({' OR '.join(conds)}) AND doc NOT {IN}",
        (*params, _json(new)))}
    held = conn.execute(f"SELECT doc, keys FROM doc_keys WHERE doc {IN}", (_json(docs),))
    keys = {**{d: db.decode(k, conn) for d, k in held}, **now}
    previous = dict(conn.execute(f"SELECT id, resolves_to FROM citations WHERE doc {IN} AND doc NOT {IN} "
                                 "AND resolves_to IS NOT NULL", (_json(docs), _json(new))))
    resolution = resolve_all(match, ((d, keys[d]["citations"]) for d in sorted(keys)), previous, changed)
    out: dict[str, set[str]] = {"targets": set(), "refs": set()}
    for d in sorted(keys):
        for c in keys[d]["citations"]:
            old, target = previous.get(c["id"]), resolution.get(c["id"])
            if old != target:  # (a new document's rows were written unresolved)
                patch_citation(conn, c["id"], target, c["ref"])
                out["targets"] |= {t for t in (old, target) if t}
                out["refs"].add(c["ref"])
    return out


def _inferred(conn: sqlite3.Connection, doc: str) -> dict[str, Any] | None:
    """The number inferred for an unnumbered document: that of the last citation (in corpus
    order) resolving to it that prints one."""
    row = conn.execute("SELECT number, rec FROM citations WHERE resolves_to = ? AND number IS NOT NULL AND "
                       "number != '' ORDER BY doc DESC, ord DESC LIMIT 1", (doc,)).fetchone()
    return {"number": row[0], "provenance": db.decode(row[1], conn)["provenance"]} if row else None


def _reference(conn: sqlite3.Connection, ref: str) -> dict[str, Any] | None:
    """A reference from the unresolved citations naming it (theirs keep ``ref``), or None: the
    first one's fields, each empty one from the first citation giving it, their documents (a
    much-cited reference is read from an index, and one record)."""
    rows = conn.execute("SELECT doc, rowid FROM citations WHERE ref = ? ORDER BY doc, ord", (ref,)).fetchall()
    if not rows:
        return None
    found: dict[str, dict] = {}
    c = db_record(conn, "citations", rows[0][1])
    add_reference(found, {**c, "raw_number": c["number"]}, rows[0][0])
    out = found[ref]
    for f, column in (("title", "title_fold"), ("issuer", "issuer_fold"), ("date", "date")):
        if not out[f]:  # the first citation giving it (its column is NULL when it gives none)
            giving = conn.execute(f"SELECT rowid FROM citations WHERE ref = ? AND {column} IS NOT NULL "
                                  "ORDER BY doc, ord", (ref,))
            given = (db_record(conn, "citations", rowid).get(f) for (rowid,) in giving)
            out[f] = next((v for v in given if v), out[f])
    out["cited_by"] = [doc for doc, _ in rows]
    return out


def db_record(conn: sqlite3.Connection, table: str, rowid: int) -> dict[str, Any]:
    blob = conn.execute(f"SELECT rec FROM {table} WHERE rowid = ?", (rowid,)).fetchone()[0]
    return db.decode(blob, conn)


def _named(conn: sqlite3.Connection, kind: str, i: str) -> dict[str, Any] | None:
    """A jurisdiction, indicator or area as the first document naming it gives it, or None."""
    row = conn.execute("SELECT doc FROM doc_named WHERE kind = ? AND id = ? ORDER BY doc LIMIT 1",
                       (kind, i)).fetchone()
    if row is None:
        return None
    if kind == "indicators":
        return indicator(i)
    if kind == "areas":
        return area(i)
    keys = db.decode(conn.execute("SELECT keys FROM doc_keys WHERE doc = ?", (row[0],)).fetchone()[0], conn)
    return next(j for j in keys["jurisdictions"] if j["id"] == i)


def _agencies(conn: sqlite3.Connection, ids: set[str]) -> dict[str, dict[str, Any] | None]:
    """The agencies ``ids`` merged again from the documents naming them (None: named no more).
    Of an agency named by thousands, only the first record is decoded, and the documents and
    aliases of the others (the table is kept in agency order: their rows are read together)."""
    rows = conn.execute(f"SELECT doc, {db.id_of(db.AGENCY_IDS, 'agency')}, rec, aliases FROM doc_agencies "
                        f"WHERE agency IN {db.rows_of(db.AGENCY_IDS, IN)} "
                        "ORDER BY doc, ord", (_json(ids),)).fetchall()
    by_doc: dict[str, list[dict]] = {}
    first: set[str] = set()
    parsed: dict[str | None, list[str]] = {None: []}  # many documents give the same aliases
    for doc, agency, blob, aliases in rows:
        if aliases not in parsed:
            parsed[aliases] = orjson.loads(aliases)
        rec = ({"id": agency, "aliases": parsed[aliases]} if agency in first
               else db.decode(blob, conn))
        first.add(agency)
        by_doc.setdefault(doc, []).append(rec)
    merged = {a["id"]: a for a in merge_agencies(by_doc.items(), ids)}
    return {i: merged.get(i) for i in ids}


def _apply(conn: sqlite3.Connection, t: db.Table, recs: dict[str, dict[str, Any] | None]
           ) -> tuple[set[str], bool]:
    """Make the linked rows of ``t`` with the ids of ``recs`` those records (None: none),
    keeping the table in id order; the ids whose rows changed, and whether rows came or went
    (then every row's ``ord`` is its place again)."""
    rows = {i: (rowid, rec) for i, rowid, rec in conn.execute(
        f"SELECT id, rowid, rec FROM {t.name} WHERE +doc IS NULL AND id {IN}", (_json(recs),))}  # by id
    changed, moved = set(), False
    sets = ", ".join(f'"{c}" = ?' for c in t.columns)
    for i, rec in sorted(recs.items()):
        old = rows.get(i)
        if rec is None and old is not None:
            conn.execute(f"DELETE FROM {t.name} WHERE rowid = ?", (old[0],))
            changed.add(i)
            moved = True
        elif rec is not None and old is None:
            db._insert(conn, t, None, [rec], -1)  # placed below
            changed.add(i)
            moved = True
        elif rec is not None and old is not None and orjson.dumps(rec) != db.unpack(old[1], conn):
            conn.execute(f"UPDATE {t.name} SET {sets}, rec = ? WHERE rowid = ?",
                         (*(db._field(rec, c) for c in t.columns), db.encode(conn, t.name, rec), old[0]))
            changed.add(i)
    if moved:
        conn.execute(f"UPDATE {t.name} SET ord = r.o FROM (SELECT rowid AS rid, row_number() OVER "
                     f"(ORDER BY id) - 1 AS o FROM {t.name} WHERE doc IS NULL) r "
                     f"WHERE {t.name}.rowid = r.rid AND {t.name}.ord != r.o")
    return changed, moved


def _edges(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The edges linking adds, from the linked agencies and jurisdictions as stored."""
    agencies = [{"id": i, "jurisdiction": j} for i, j in conn.execute(
        "SELECT id, jurisdiction FROM agencies WHERE doc IS NULL ORDER BY ord")]
    places = [db.decode(r, conn) for (r,) in conn.execute(
        "SELECT rec FROM jurisdictions WHERE doc IS NULL ORDER BY ord")]
    return linked_edges(agencies, places)
