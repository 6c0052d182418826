"""Stores of an earlier layout made the present one in place, where no source need be read.

Each step makes one layout the next, in one transaction (a kill leaves the store of either):

- 6 → 7: layout 6 stored every edge in ``edges``; layout 7 reads most of them from the records
  they link (``graph.store.edges``), stores the rest in ``edge_rows``. The step keeps the edges
  no record gives, checks that the records give back every other edge stored, in order, and
  drops the table.
- 7 → 8: layout 7 held each record's document twice in the document tables (``doc`` and a
  ``document`` column, each indexed), the tasks' titles in a column, indexes ending with
  ``doc, ord`` where the row id orders a document's rows alike, and ``doc_agencies`` and
  ``doc_named`` beside indexes repeating them. The step checks that every row's two
  documents agree, drops the columns, the indexes no longer made and those made differently,
  keeps those two tables in the order of their lookups, and makes the indexes anew.
- 8 → 9: layout 8 kept each document's facts whole in ``sources`` (JSON compressed with the
  dictionary ``facts``, or zlib's as layout 6 wrote them); all of it but the normalized text is
  in the tables. The step keeps the text alone (``database.pack_text``) and drops the dictionary;
  a document whose facts cannot be read stops it.
- 9 → 10: layout 9's FTS5 texts had no mark of a % ending a word (``database.fts_text``). The
  step gives the rows whose searched text has a % their texts anew (a contentless index forgets
  a row told the text it was given: ``database.plain_d``, layout 9's); a record that cannot be
  read stops it.
- 10 → 11: layout 10 kept each document's text as a zstd frame of its own. The step makes the
  store's dictionary of texts (``database.TEXTS``) from its first documents' texts and
  compresses every text with it (a text that cannot be read stops it).
- 11 → 12: layout 11 held each responsibility's task by its id; layout 12 by the task's row id
  (``database.Table.keys``). The step checks that each names a task of its document (a row
  that does not stops it) and puts the row ids in place.
- 12 → 13: layout 12 held each responsibility's agency by its id; layout 13 by the id's row in
  ``agency_ids`` (made from the agencies the responsibilities name, in id order).
- 13 → 14: layout 13 held the agency of each row of ``doc_agencies`` by its id; layout 14 by
  the id's row in ``agency_ids`` (the agencies not yet there numbered after the others).
- 14 → 15: layout 14 stored the id of each task, target and citation; layout 15 reads an id of
  the form extraction gives (``database.Table.form``) from its row, and stores only another;
  the audit reads the tasks without a lead through who-leads' index (not one of their own),
  and the unresolved citations' findings from the citations (their kept rows are deleted).
- 15 → 16: layout 15 kept the quote of each task, responsibility and target in its record;
  layout 16 keeps it as the span of the document's stored text it is (``database.elide``). The
  step writes each such record anew (a record or a text that cannot be read stops it).
- 16 → 17: layout 16 kept the names' texts twice (``fts_names`` with its content) and an index
  of the citations' compared fields; layout 17's ``fts_names`` is contentless, and the records
  it writes are zstd frames without magic number (those written before are read as they are).
  The step drops the index and makes ``fts_names`` anew from ``names``.

The file is then vacuumed: the pages the step freed go back to the file system.
"""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import orjson
import zstandard
from cchc_graph.graph.questions import findings
from cchc_graph.graph.questions.tables import words_list
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import edges


class UpgradeError(Exception):
    """The store's rows do not hold what the step needs: it is left as it was."""


def upgrade(conn: sqlite3.Connection) -> bool:
    """Make a store of a layout in ``database.UPGRADABLE`` the present one (whether it was one;
    older ones are rebuilt from their sources)."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version not in db.UPGRADABLE:
        return False
    for step in _STEPS[db.UPGRADABLE.index(version):]:
        with db.transaction(conn):
            step(conn)
        db.forget(conn)
    with suppress(sqlite3.OperationalError):  # (no room for the copy: upgraded, the file as large)
        conn.execute("VACUUM")
    return True


def _from_6(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE documents ADD COLUMN issuer_agency")
    conn.executemany("UPDATE documents SET issuer_agency = ? WHERE rowid = ?",
                     ((_record(conn, "documents", rowid, rec).get("issuer_agency"), rowid)
                      for rowid, rec in conn.execute("SELECT rowid, rec FROM documents").fetchall()))
    conn.execute(_table(edges.STORED))
    kinds = ", ".join(f"'{k}'" for k in sorted(edges.STORED_TYPES))
    # a document's stored edges numbered anew among themselves; the linked ones and a whole
    # export's ('') are all stored, in the same order
    conn.execute(f"INSERT INTO {edges.STORED} (doc, ord, source, target, type, citation, rec) "
                 "SELECT doc, CASE WHEN doc IS NULL OR doc = '' THEN ord ELSE row_number() OVER "
                 "(PARTITION BY doc ORDER BY ord) - 1 END, source, target, type, citation, rec "
                 f"FROM edges WHERE doc IS NULL OR doc = '' OR type IN ({kinds}) ORDER BY doc, ord")
    _check(conn)
    conn.execute("DROP TABLE edges")
    # the stored edges keep the dictionary their records were compressed with (the facts of
    # ``sources`` stay zlib's until the step from 8 keeps their text)
    conn.execute(f"UPDATE dictionaries SET name = '{edges.STORED}' WHERE name = 'edges'")
    conn.execute("PRAGMA user_version=7")


def _check(conn: sqlite3.Connection) -> None:
    """Raise UpgradeError unless the records give back every edge of ``edges``, in order."""
    cols, order = "doc, source, target, type, citation", "ORDER BY doc IS NULL, doc, ord"
    was = conn.execute(f"SELECT {cols} FROM edges {order}")
    now = conn.cursor().execute(f"SELECT {cols} FROM ({edges.select(edges.COLUMNS, arms=ARMS_11)}) {order}")
    for n, (a, b) in enumerate(itertools.zip_longest(was, now)):
        if a != b:
            raise UpgradeError(f"edge {n}: stored {a}, read from the records {b}")


# the arms as layouts 7-11 read them: each responsibility's task in its column, by id
ARMS_11 = tuple(dataclasses.replace(arm, via="") for arm in edges.ARMS)
_DOCUMENT_COLUMN = ("tasks", "responsibilities", "targets", "citations")  # layout 7's ``document``
_CLUSTERED = ("doc_agencies", "doc_named")  # tables layout 8 keeps in the order of their key


def _from_7(conn: sqlite3.Connection) -> None:
    for t in _DOCUMENT_COLUMN:
        row = conn.execute(f"SELECT rowid, doc, document FROM {t} WHERE doc IS NOT document LIMIT 1"
                           ).fetchone()
        if row is not None:
            raise UpgradeError(f"{t} row {row[0]} of document {row[2]!r} is stored as {row[1]!r}'s")
    conn.execute("DROP VIEW IF EXISTS edges")
    wanted = dict(_indexes())
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                  "AND sql IS NOT NULL").fetchall():
        if wanted.get(name) != _plain(sql):
            conn.execute(f'DROP INDEX "{name}"')
    conn.execute("ALTER TABLE tasks DROP COLUMN title")
    for t in _DOCUMENT_COLUMN:
        conn.execute(f"ALTER TABLE {t} DROP COLUMN document")
    for t in _CLUSTERED:
        conn.execute(f"ALTER TABLE {t} RENAME TO {t}_7")  # (its indexes go with it)
        conn.execute(_table(t))
        columns = ", ".join(r[1] for r in conn.execute(f"PRAGMA table_info({t}_7)"))
        conn.execute(f"INSERT INTO {t} ({columns}) SELECT {columns} FROM {t}_7")
        conn.execute(f"DROP TABLE {t}_7")
    for stmt in (*db._ddl(), *findings.DDL):  # what the store now lacks ("IF NOT EXISTS")
        conn.execute(stmt)
    conn.execute("PRAGMA user_version=8")


def _from_8(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE sources RENAME TO sources_8")  # (its index goes with it)
    conn.execute(_table("sources"))
    rows = conn.cursor().execute(f"SELECT {db.SOURCE_STAMP}, facts FROM sources_8 ORDER BY doc")
    conn.executemany(f"INSERT INTO sources ({db.SOURCE_STAMP}, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     ((*row[:-1], db.pack_text(_text(conn, row[0], row[-1]))) for row in rows))
    conn.execute("DROP TABLE sources_8")
    conn.execute("DELETE FROM dictionaries WHERE name = 'facts'")
    for stmt in db._ddl():  # the index of the stamps
        conn.execute(stmt)
    conn.execute("PRAGMA user_version=9")


def _from_9(conn: sqlite3.Connection) -> None:
    for t in db.TABLES.values():
        if not t.fts:
            continue
        texts = ((rowid, db.fts_source(t.name, _record(conn, t.name, rowid, rec)))
                 for rowid, rec in conn.execute(f"SELECT rowid, rec FROM {t.name}").fetchall())
        marked = [(rowid, text) for rowid, text in texts if "%" in text]
        conn.executemany(f"INSERT INTO fts_{t.name} (fts_{t.name}, rowid, text) VALUES ('delete', ?, ?)",
                         ((rowid, db.plain_d(text)) for rowid, text in marked))  # layout 9's text
        conn.executemany(f"INSERT INTO fts_{t.name} (rowid, text) VALUES (?, ?)",
                         ((rowid, db.fts_text(text)) for rowid, text in marked))
    marked = conn.execute("SELECT rowid, text FROM names WHERE instr(text, '%')").fetchall()
    conn.executemany("DELETE FROM fts_names WHERE rowid = ?", ((rowid,) for rowid, _ in marked))
    conn.executemany("INSERT INTO fts_names (rowid, text) VALUES (?, ?)",
                     ((rowid, db.fts_text(text)) for rowid, text in marked))
    conn.execute("PRAGMA user_version=10")


def _from_10(conn: sqlite3.Connection) -> None:
    docs = [doc for (doc,) in conn.execute("SELECT doc FROM sources ORDER BY doc")]
    sample = db.spread(len(docs))[:db.TRAIN_DOCUMENTS]
    db.train(conn, db.TEXTS, [_stored_text(conn, docs[i]).encode() for i in sample])
    for doc in docs:  # (one text held at a time: 10,000 documents are ~200 MB of text)
        text = db.pack_text(_stored_text(conn, doc), conn)
        conn.execute("UPDATE sources SET text = ? WHERE doc = ?", (text, doc))
    conn.execute("PRAGMA user_version=11")


def _from_11(conn: sqlite3.Connection) -> None:
    # (a built row's task is one of its document's; a whole export's may be none: NULL)
    stray = conn.execute("SELECT rowid, doc, task FROM responsibilities r WHERE rowid > 0 AND task IS NOT "
                         "NULL AND NOT EXISTS (SELECT 1 FROM tasks k WHERE k.id = r.task AND k.doc IS r.doc) "
                         "LIMIT 1").fetchone()
    if stray:
        raise UpgradeError(f"responsibilities row {stray[0]} of document {stray[1]!r} names task "
                           f"{stray[2]!r}, none of the document's tasks")
    _rewrite(conn, "responsibilities", {"task": "(SELECT rowid FROM tasks k WHERE k.id = r.task)"})
    conn.execute("PRAGMA user_version=12")


# an agency id's row in ``agency_ids``: compared as text (a store upgraded from before 12 has the
# column INTEGER already, ``_rewrite``, and compared as a number the ids' index would not
# serve: ~150 s at 10,000 documents, not ~5)
_AGENCY_ROW = "(SELECT rowid FROM agency_ids a WHERE a.id = CAST(r.agency AS TEXT))"


def _from_12(conn: sqlite3.Connection) -> None:
    conn.execute(_table(db.AGENCY_IDS))
    conn.execute("INSERT INTO agency_ids (id) SELECT DISTINCT agency FROM responsibilities WHERE agency IS "
                 "NOT NULL ORDER BY agency")
    _rewrite(conn, "responsibilities", {"agency": _AGENCY_ROW})
    conn.execute("PRAGMA user_version=13")


def _from_13(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR IGNORE INTO agency_ids (id) SELECT DISTINCT CAST(agency AS TEXT) FROM "
                 "doc_agencies ORDER BY 1")
    _rewrite(conn, "doc_agencies", {"agency": _AGENCY_ROW})
    conn.execute("PRAGMA user_version=14")


def _from_14(conn: sqlite3.Connection) -> None:
    for t in db.DOCUMENT_TABLES:
        if t.form:
            given = f"CASE WHEN r.id IS {t.formed('r.')} THEN NULL ELSE r.id END"
            _rewrite(conn, t.name, {"given_id": given})
    conn.execute("DROP INDEX IF EXISTS tasks_task_no_lead")  # (who-leads' index serves the rule)
    # the unresolved citations' findings are read from the citations now (``checks.READ``): as
    # a build would, the rows kept of the checks no longer kept go (their counts stay)
    conn.execute(f"DELETE FROM findings WHERE kind NOT IN {words_list(findings.STORED)}")
    conn.execute("PRAGMA user_version=15")


def _from_15(conn: sqlite3.Connection) -> None:
    texts = {d for (d,) in conn.execute("SELECT doc FROM sources")}
    for table in db.QUOTED:
        rows = conn.execute(f"SELECT rowid, doc, rec FROM {table} ORDER BY doc").fetchall()
        for doc, part in itertools.groupby(rows, key=lambda r: r[1]):
            if doc not in texts:  # (a whole export's records: no text to quote)
                continue
            text = _stored_text(conn, doc)
            key = db.text_key(text.encode())
            conn.executemany(f"UPDATE {table} SET rec = ? WHERE rowid = ?", (
                (db.encode(conn, table, db.elide(_record(conn, table, rowid, rec), doc, text, key)), rowid)
                for rowid, _, rec in part))
    conn.execute("PRAGMA user_version=16")


def _from_16(conn: sqlite3.Connection) -> None:
    conn.execute("DROP INDEX IF EXISTS citations_ref_date_issuer_fold_title_fold")
    conn.execute("DROP TABLE fts_names")
    conn.execute(next(stmt for stmt in db._ddl() if "fts_names USING" in stmt))
    names = conn.execute("SELECT rowid, text FROM names").fetchall()
    conn.executemany("INSERT INTO fts_names (rowid, text) VALUES (?, ?)",
                     ((rowid, db.fts_text(text)) for rowid, text in names))
    conn.execute("PRAGMA user_version=17")


def _rewrite(conn: sqlite3.Connection, table: str, values: dict[str, str]) -> None:
    """Write a table anew as the present layout makes it (its key columns INTEGER, so that
    their indexes serve comparisons with row ids), each column in ``values`` the SQL given
    (over its row as it was, ``r``), the others as they were (a row table's row ids kept);
    then its indexes, and the view, as the present layout makes them."""
    conn.execute("DROP VIEW IF EXISTS edges")
    conn.execute(f"ALTER TABLE {table} RENAME TO {table}_was")  # (its indexes go with it)
    conn.execute(_table(table))
    # (the columns written: a generated one is not, and table_info does not list it)
    columns = [f'"{name}"' for _, name, *_ in conn.execute(f"PRAGMA table_info({table})")]
    read = [values.get(c.strip('"'), f"r.{c}") for c in columns]
    conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(read)} FROM {table}_was r")
    conn.execute(f"DROP TABLE {table}_was")
    for stmt in (*db._ddl(), *findings.DDL):
        conn.execute(stmt)


def _stored_text(conn: sqlite3.Connection, doc: str) -> str:
    """A document's stored text, or UpgradeError naming the document whose text cannot be read."""
    try:
        blob = conn.execute("SELECT text FROM sources WHERE doc = ?", (doc,)).fetchone()[0]
        return db.unpack_text(blob, conn)
    except (LookupError, zstandard.ZstdError, UnicodeDecodeError) as e:
        raise UpgradeError(f"the stored text of {doc} is unreadable ({e!r})") from e


def _record(conn: sqlite3.Connection, table: str, rowid: int, rec: bytes) -> dict[str, Any]:
    """A row's record, or UpgradeError naming the row whose record cannot be read."""
    try:
        return db.decode(rec, conn)
    except (LookupError, zstandard.ZstdError, ValueError, TypeError) as e:
        raise UpgradeError(f"{table} row {rowid}: its record is unreadable ({e!r})") from e


def _text(conn: sqlite3.Connection, doc: str, facts: bytes) -> str:
    """The normalized text of a document's facts as layouts 6-8 kept them."""
    try:
        raw = db.unpack(facts, conn)
        return orjson.loads(raw if raw[:1] == b"{" else zlib.decompress(raw))["text"]
    except (LookupError, zstandard.ZstdError, zlib.error, ValueError, TypeError) as e:
        raise UpgradeError(f"the stored facts of {doc} are unreadable ({e!r})") from e


def _table(name: str) -> str:
    """The present layout's CREATE statement of a table."""
    return next(stmt for stmt in db._ddl() if stmt.startswith(f"CREATE TABLE IF NOT EXISTS {name} ("))


def _indexes() -> Iterator[tuple[str, str]]:
    """(name, statement as SQLite keeps it) of every index the present layout makes."""
    kept = [(stmt.split()[5], stmt) for stmt in findings.DDL if stmt.startswith("CREATE INDEX")]
    for name, stmt in (*db.secondary_indexes(), *kept):
        yield name, _plain(stmt)


def _plain(sql: str) -> str:
    return " ".join(sql.replace("IF NOT EXISTS ", "").split())


# the step from each layout of ``database.UPGRADABLE``
_STEPS = (_from_6, _from_7, _from_8, _from_9, _from_10, _from_11, _from_12, _from_13, _from_14, _from_15,
          _from_16)
