"""The store's SQLite database (``<store>/cchc.sqlite``): the JSON export's records as rows.

Every list of the export (``docs/json-export.md``) is a table whose ``rec`` column holds the
record exactly as the export gives it (JSON), beside the columns the questions look it up by.
``doc`` is the document a row came from (NULL for rows made by linking the documents
together), ``ord`` its place in that document's list, or in the linked list: the export is
``ORDER BY doc IS NULL, doc, ord`` of each table, documents in id order as before.

A record is stored compressed (``encode``/``decode``, the one place that reads or writes
``rec``: ``codec.py``): zstd with a dictionary per table, trained on the first documents a new
store is built from and kept in ``dictionaries``, so that later builds and every reader use
the same one. No SQL reads inside ``rec``.

Rows of one document are replaced in one transaction (``delete_document`` then
``insert_encoded`` of ``encode_body``); linking writes the merged tables (``relink``). FTS5 tables index the
searchable texts of tasks, targets and citations accent-insensitively (``fts_text``); the
original stays in ``rec`` for display. The layout's version is ``PRAGMA user_version``
(``SCHEMA_VERSION``, with the tables, columns and indexes in ``schema.py``); ``docs/store.md``
documents it.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from cchc_graph.graph.store import edges

# (records and texts compressed: ``codec.py``; the names callers read through the database)
from cchc_graph.graph.store.codec import (  # noqa: F401
    _KNOWN,
    _Z,
    QUOTED,
    TEXTS,
    TRAIN_DOCUMENTS,
    Codec,
    _codecs,
    compress_stored,
    decode,
    elide,
    encode,
    forget,
    learn,
    make_dictionary,
    pack,
    pack_text,
    share,
    shared,
    spread,
    text_key,
    train,
    unpack,
    unpack_text,
    untrained,
)

# (the schema: ``schema.py``; the names callers read through the database)
from cchc_graph.graph.store.schema import (  # noqa: F401
    _DERIVED,
    _IN_DOCUMENT,
    AGENCY_IDS,
    CALENDAR,
    D_LETTERS,
    DB_NAME,
    DOCUMENT_TABLES,
    LED_FIRST,
    LINKED_TABLES,
    NAME_FIELDS,
    NAME_GROUPS,
    NAME_ORDER,
    NAMED,
    PERCENT,
    SCHEMA_VERSION,
    SOURCE_STAMP,
    TABLES,
    UPGRADABLE,
    Table,
    _ddl,
    _replaced,
    id_of,
    recurring_start,
    rows_of,
    secondary_indexes,
)

# a new file's page size: a store's b-trees hold rows of a few hundred bytes and keys of tens;
# with pages of 16 KiB instead of 4 the built store at 10,000 documents is ~2 % smaller (less
# of each page lost to headers and part-filled ends) and warm questions answer as fast
PAGE_SIZE = 16384


def connect(path: str | Path, readonly: bool = False, bulk: bool = False) -> sqlite3.Connection:
    """A connection in WAL mode (readers go on while one writer writes); the schema is created
    on a new file. ``readonly`` opens an existing file without the right to write; ``bulk``
    writes a new file no one reads yet, without journal (the caller switches it to WAL and
    renames it into place when it is whole)."""
    if readonly:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True,
                               check_same_thread=False, isolation_level=None)
    elif bulk:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # (a new file's: before anything is written)
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
    else:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # (a new file's: an existing one keeps its own)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: a crash loses no committed transaction's consistency
    conn.execute("PRAGMA busy_timeout=10000")
    if not readonly and conn.execute("PRAGMA user_version").fetchone()[0] == 0:
        with transaction(conn):
            for stmt in _ddl():
                conn.execute(stmt)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, committed when the block ends, rolled back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        forget(conn)
        raise
    conn.execute("COMMIT")


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One read transaction: every query in the block sees the same committed state, however
    many builds commit meanwhile."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")


# the records a table without a dictionary gets one from when ``_insert`` writes them: at least
# so many at once (rows written fewer at a time stay plain JSON: a dictionary made from one
# linked record would serve the table for good), at most so many (the trainer's time grows)
MIN_SAMPLES, MAX_SAMPLES = 32, 2_000


def fts_field(table: str, rec: dict[str, Any]) -> str:
    """What a table's FTS5 index holds of a record."""
    return fts_text(fts_source(table, rec))


def fts_source(table: str, rec: dict[str, Any]) -> str:
    """The text of a record a table's FTS5 index holds (``fts_field``: with ``đ`` made ``d``)."""
    return _field(rec, TABLES[table].fts or "") or ""


def fts_text(text: str | None) -> str:
    """What an FTS5 table holds of a text: ``đ`` made ``d`` (``plain_d``), then a mark of each %
    that ends a word (``percent_mark``)."""
    text = plain_d(text or "")
    marks = [percent_mark(m[1]) for m in PERCENT.finditer(text)] if "%" in text else None
    # the tokenizer drops %: each is told by a token of its own after the text, where no phrase
    # of plain words reaches (their words hold no _)
    return f"{text} {' '.join(marks)}" if marks else text


def plain_d(text: str) -> str:
    """``đ`` made ``d``, which Unicode does not decompose into d plus a mark (the tokenizer
    strips the others). (``str.replace`` is ~50× faster than ``str.translate``, which looks
    every non-ASCII character up: ~9 s of a 10k build.)"""
    for letter in D_LETTERS:
        text = text.replace(letter, "d")
    return text


def percent_mark(word: str) -> str:
    """The token that tells "``word``%" in an FTS5 text, ``word`` folded or not (empty: a %
    after no word character), ending a word: "_" and the word. No word of a query (letters and
    digits) is one, so only a query for it finds it."""
    return "_" + word


def _field(rec: dict[str, Any], name: str, documents: dict[str, dict[str, Any]] | None = None) -> Any:
    """A column's value for a record; ``documents``: the records' documents by id."""
    if name in _IN_DOCUMENT:
        return _IN_DOCUMENT[name](rec, (documents or {}).get(rec.get("document") or ""))
    get = _DERIVED.get(name)
    return get(rec) if get else rec.get(name)


def _insert(conn: sqlite3.Connection, t: Table, doc: str | None, records: Iterable[dict[str, Any]],
            start: int = 0, documents: dict[str, dict[str, Any]] | None = None, whole: bool = False) -> None:
    """Insert records as rows of ``t`` (``doc``: the document they came from, None when linking
    made them), numbered from ``start``. ``whole``: the records of a whole export, each row the
    record's document's, with row ids below 1 (``edges._DOC``), rising in the export's order."""
    records = list(records)
    if t.name not in _codecs(conn) and len(records) >= MIN_SAMPLES:
        train(conn, t.name, [orjson.dumps(r) for r in records[:MAX_SAMPLES]])
    first = -len(records) if whole else (conn.execute(f"SELECT max(rowid) FROM {t.name}").fetchone()[0]
                                          or 0) + 1
    key = "id" if t.name == "documents" else "document"
    rows = [(first + n, (rec.get(key) or "") if whole else doc, i,
             *(_field(rec, c, documents) for c in t.columns),
             encode(conn, t.name, rec))
            for n, (i, rec) in enumerate(enumerate(records, start))]
    for col, ref in t.keys:  # (the ids' rows are written first: ``DOCUMENT_TABLES``' order)
        at = 3 + t.columns.index(col)
        ids = [r[at] for r in rows]
        number = named(conn, ref, ids) if ref in NAMED else dict(conn.execute(
            f"SELECT id, rowid FROM {ref} WHERE id IN (SELECT value FROM json_each(?))",
            (orjson.dumps(ids).decode(),)))
        rows = _replaced(rows, at, number.get)
    _insert_rows(conn, t, rows)
    if t.fts:
        conn.executemany(f"INSERT INTO fts_{t.name} (rowid, text) VALUES (?, ?)",
                         ((row[0], fts_field(t.name, rec)) for row, rec in zip(rows, records, strict=True)))


def _insert_rows(conn: sqlite3.Connection, t: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of ``t`` (row id, doc, ord, each column, rec): an id of the table's form is
    not stored (``Table.given``)."""
    if t.form:
        at = 3 + t.columns.index("id")
        rows = [(*r[:at], t.given(r[1], r[2], r[at]), *r[at + 1:]) for r in rows]
    cols = ", ".join(f'"{c}"' for c in t.stored)
    conn.executemany(f"INSERT INTO {t.name} (rowid, doc, ord, {cols}, rec) VALUES "
                     f"({', '.join('?' * (len(t.columns) + 4))})", rows)


def name_rows(key: str, records: Iterable[dict[str, Any]], ords: Iterable[int] | None = None
              ) -> list[tuple[tuple[Any, ...], str]]:
    """The names search reads of one export list's records (``NAME_FIELDS``): rows of ``names``
    (grp, ord, fno, node, field, text) with their FTS texts; ``ords``: each record's place in
    its list (else their order here)."""
    grp, fields = NAME_GROUPS.index(key), NAME_FIELDS[key]
    out = []
    for i, rec in zip(ords if ords is not None else itertools.count(), records, strict=False):
        values = [(f, v) for f in fields for v in (rec.get(f) or [] if f == "aliases" else [rec.get(f)])]
        out += [((grp, i, fno, rec["id"], "alias" if f == "aliases" else f, v), fts_text(v))
                for fno, (f, v) in enumerate(values) if v]
    return out


def forget_names(conn: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> None:
    """Delete the ``names`` rows ``where`` selects, and their entries of ``fts_names`` (a
    contentless index forgets a row told the very text it was given: ``fts_text`` of its own)."""
    gone = conn.execute(f"SELECT rowid, text FROM names WHERE {where}", params).fetchall()
    conn.executemany("INSERT INTO fts_names (fts_names, rowid, text) VALUES ('delete', ?, ?)",
                     ((rowid, fts_text(text)) for rowid, text in gone))
    conn.execute(f"DELETE FROM names WHERE {where}", params)


def insert_names(conn: sqlite3.Connection, key: str, doc: str | None, records: Iterable[dict[str, Any]],
                 ords: Iterable[int] | None = None) -> None:
    """Insert the names of one export list's records (``name_rows``), with their FTS (the
    row ids SQLite would give, given here: one statement per table, not two per name)."""
    rows = name_rows(key, records, ords)
    if not rows:
        return
    first = (conn.execute("SELECT max(rowid) FROM names").fetchone()[0] or 0) + 1
    conn.executemany("INSERT INTO names (rowid, doc, grp, ord, fno, node, field, text) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?)", ((first + n, doc, *row) for n, (row, _) in enumerate(rows)))
    conn.executemany("INSERT INTO fts_names (rowid, text) VALUES (?, ?)",
                     ((first + n, text) for n, (_, text) in enumerate(rows)))


Encoded = dict[str, tuple[list[tuple[Any, ...]], list[str]]]  # table → (rows, FTS texts)


def encode_body(rows: dict[str, list[dict[str, Any]]], text: str | None = None) -> Encoded:
    """A document's rows ready to insert (``insert_encoded``): each record's columns and JSON
    (where ``QUOTED``, quoting ``text``, the document's normalized text that ``sources`` keeps:
    ``elide``), and the texts its FTS table holds. Made where the document was extracted, so
    that the build only inserts."""
    out: Encoded = {}
    documents = {d["id"]: d for d in rows["documents"]}
    doc, key = rows["documents"][0]["id"], text_key(text.encode()) if text is not None else 0
    for t in DOCUMENT_TABLES:
        recs = edges.stored(rows) if t.name == edges.STORED else rows[t.export_key]
        quoted = text is not None and t.name in QUOTED
        body = [(i, *(_field(r, c, documents) for c in t.columns),
                 orjson.dumps(elide(r, doc, text, key) if quoted else r))
                for i, r in enumerate(recs)]
        out[t.name] = (_placed(t, rows, body), [fts_field(t.name, r) for r in recs] if t.fts else [])
    names = name_rows("documents", rows["documents"])
    out["names"] = ([row for row, _ in names], [text for _, text in names])
    return out


def _placed(t: Table, rows: dict[str, list[dict[str, Any]]], body: list[tuple[Any, ...]]
            ) -> list[tuple[Any, ...]]:
    """A document's encoded rows of ``t`` with each key column's id made its place in the
    document's list of the table it names (``insert_encoded`` adds that list's first row id)."""
    for col, ref in ((c, r) for c, r in t.keys if r not in NAMED):
        at = 1 + t.columns.index(col)
        place = {r["id"]: i for i, r in enumerate(rows[TABLES[ref].export_key])}
        missing = [r[at] for r in body if r[at] not in place]
        if missing:  # (extraction makes none: a new extractor's mistake, stopped before the store)
            raise ValueError(f"{rows['documents'][0]['id']}: a row of {t.name} names {col} "
                             f"{missing[0]!r}, none of the document's {ref}")
        body = _replaced(body, at, place.__getitem__)
    return body


def train_documents(conn: sqlite3.Connection, encoded: list[Encoded]) -> None:
    """The dictionaries of the document tables that have none, from these documents' rows."""
    for t in DOCUMENT_TABLES:
        train(conn, t.name, [row[-1] for e in encoded for row in e[t.name][0]])


def insert_encoded(conn: sqlite3.Connection, doc: str, encoded: Encoded, rowids: dict[str, int],
                   numbered: Mapping[str, Mapping[str, int]] | None = None) -> None:
    """Insert a document's encoded rows; ``rowids``: each table's next free row id (advanced);
    ``numbered``: ids the caller has numbered already in tables of ``NAMED`` (``named``). The
    caller holds the transaction and deleted the old rows first."""
    codecs = _codecs(conn)
    for t in DOCUMENT_TABLES:
        rows, texts = encoded[t.name]
        codec = codecs.get(t.name)
        if codec and rows and rows[0][-1][:1] != _Z:  # (else compressed by the worker: ``shared``)
            rows = codec.pack_rows(rows)
        if t.name not in rowids:
            rowids[t.name] = (conn.execute(f"SELECT max(rowid) FROM {t.name}").fetchone()[0] or 0) + 1
        start = rowids[t.name]
        for col, ref in t.keys:  # an id → its row in ``ref`` (``NAMED``), or a place in the
            at = 1 + t.columns.index(col)  # document's list of ``ref`` → that row's id
            if ref in NAMED:
                ids, known = [r[at] for r in rows], (numbered or {}).get(ref, {})
                number = known if known.keys() >= {i for i in ids if i is not None} else named(conn, ref, ids)
                rows = _replaced(rows, at, number.get)
            else:
                first = rowids[ref] - len(encoded[ref][0])
                rows = _replaced(rows, at, lambda place, first=first: first + place)
        _insert_rows(conn, t, [(start + n, doc, *row) for n, row in enumerate(rows)])
        if texts:
            conn.executemany(f"INSERT INTO fts_{t.name} (rowid, text) VALUES (?, ?)",
                             ((start + n, text) for n, text in enumerate(texts)))
        rowids[t.name] = start + len(rows)
    rows, texts = encoded["names"]  # the document's names search reads
    if "names" not in rowids:
        rowids["names"] = (conn.execute("SELECT max(rowid) FROM names").fetchone()[0] or 0) + 1
    start = rowids["names"]
    conn.executemany("INSERT INTO names (rowid, doc, grp, ord, fno, node, field, text) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?)", ((start + n, doc, *row) for n, row in enumerate(rows)))
    conn.executemany("INSERT INTO fts_names (rowid, text) VALUES (?, ?)",
                     ((start + n, text) for n, text in enumerate(texts)))
    rowids["names"] = start + len(rows)


def named(conn: sqlite3.Connection, table: str, ids: Iterable[str | None]) -> dict[str, int]:
    """The row id in ``table`` (of ``NAMED``) of each id, its row made when it has none."""
    wanted = orjson.dumps(sorted({i for i in ids if i is not None})).decode()
    conn.execute(f"INSERT OR IGNORE INTO {table} (id) SELECT value FROM json_each(?)", (wanted,))
    return dict(conn.execute(f"SELECT id, rowid FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                             (wanted,)))


def write_linked_names(conn: sqlite3.Connection, links: dict[str, Any]) -> None:
    """The names search reads of the linked lists (agencies, references, indicators), anew."""
    forget_names(conn, "doc IS NULL")
    for key in ("agencies", "references", "indicators"):
        insert_names(conn, key, None, links[key])


def sync_linked_names(conn: sqlite3.Connection, key: str, ids: set[str], moved: bool) -> None:
    """The names of the linked list ``key`` after its records ``ids`` changed in their table:
    theirs written anew, and, when records came or went (``moved``), the others' places made
    their records' places again."""
    t = next(t for t in LINKED_TABLES if t.export_key == key)
    grp = NAME_GROUPS.index(key)
    where = "grp = ? AND doc IS NULL AND node IN (SELECT value FROM json_each(?))"  # names_linked
    params = (grp, orjson.dumps(sorted(ids)).decode())
    forget_names(conn, where, params)
    # (+doc: found by id, not among every linked row by the doc index)
    now = conn.execute(f"SELECT ord, rec FROM {t.name} WHERE +doc IS NULL AND id IN "
                       "(SELECT value FROM json_each(?)) ORDER BY ord", params[1:]).fetchall()
    insert_names(conn, key, None, (decode(rec, conn) for _, rec in now), (o for o, _ in now))
    if moved:
        conn.execute(f"UPDATE names SET ord = x.ord FROM {t.name} x WHERE names.grp = ? AND "
                     "names.doc IS NULL AND x.doc IS NULL AND x.id = names.node AND names.ord != x.ord",
                     (grp,))


def delete_document(conn: sqlite3.Connection, doc: str) -> None:
    """Remove a document's rows (and their FTS entries) from every table: a row naming
    another's row id (``Table.keys``) before that one, so that what is told of a row going
    (``questions.findings``' triggers) can read the row it names."""
    for t in reversed(DOCUMENT_TABLES):
        if t.fts:  # a contentless index forgets a row told the very text it was given
            gone = conn.execute(f"SELECT rowid, rec FROM {t.name} WHERE doc = ?", (doc,)).fetchall()
            conn.executemany(f"INSERT INTO fts_{t.name} (fts_{t.name}, rowid, text) VALUES ('delete', ?, ?)",
                             ((rowid, fts_field(t.name, decode(rec, conn))) for rowid, rec in gone))
        conn.execute(f"DELETE FROM {t.name} WHERE doc = ?", (doc,))
    forget_names(conn, "doc = ?", (doc,))


def write_linked(conn: sqlite3.Connection, links: dict[str, Any], agency_keys: dict[str, list[str]]) -> None:
    """Replace the tables linking makes (``linking.link``: merged agencies, references … and
    the edges it adds, ``edges`` rows with no ``doc``); ``agency_keys``: each agency's name
    keys (``expand_query`` of its name and aliases)."""
    for t in LINKED_TABLES:
        conn.execute(f"DELETE FROM {t.name}")
        _insert(conn, t, None, links[t.export_key])
    conn.execute(f"DELETE FROM {edges.STORED} WHERE doc IS NULL")
    _insert(conn, TABLES[edges.STORED], None, links["edges"])
    write_linked_names(conn, links)
    conn.execute("DELETE FROM agency_keys")
    conn.executemany("INSERT INTO agency_keys (key, agency) VALUES (?, ?)",
                     ((k, a) for a, keys in agency_keys.items() for k in sorted(set(keys))))


def write_export(conn: sqlite3.Connection, export: dict[str, Any], agency_keys: dict[str, list[str]]) -> None:
    """A whole export into an empty database, in its order (``_insert``'s ``whole``; its edges
    with ``doc`` ''): the in-memory corpora of the Neo4j backend's answers and of tests."""
    documents = {d["id"]: d for d in export.get("documents") or []}
    for t in DOCUMENT_TABLES:
        # (each table's dictionary made from its records; the edges all stored, as they come)
        _insert(conn, t, "", export.get(t.export_key) or [], documents=documents,
                whole=t.name != edges.STORED)
    insert_names(conn, "documents", "", export.get("documents") or [])
    write_linked(conn, {**{t.export_key: export.get(t.export_key) or [] for t in LINKED_TABLES}, "edges": []},
                 agency_keys)


def records(conn: sqlite3.Connection, table: str, where: str = "", params: tuple[Any, ...] = ()
            ) -> list[dict[str, Any]]:
    """A table's records in export order, optionally narrowed (``where``: an SQL condition)."""
    return list(each_record(conn, table, where, params))


def each_record(conn: sqlite3.Connection, table: str, where: str = "", params: tuple[Any, ...] = ()
                ) -> Iterator[dict[str, Any]]:
    """``records``, read as they are consumed."""
    # documents' rows, then linked ones: each part read in the order of the (doc, ord) index
    # (one ORDER BY "doc IS NULL, doc, ord" would sort every row, records and all)
    cond = f"({where}) AND " if where else ""
    for q in (f"SELECT rec FROM {table} WHERE {cond}doc IS NOT NULL ORDER BY doc, ord",
              f"SELECT rec FROM {table} WHERE {cond}doc IS NULL ORDER BY doc, ord"):
        for (blob,) in conn.execute(q, params):
            yield decode(blob, conn)


# the export's lists, in its order (docs/json-export.md), and the table each is read from
EXPORT_LISTS = ("documents", "jurisdictions", "agencies", "tasks", "responsibilities", "targets",
                "indicators", "citations", "references", "areas", "edges")
TABLE_OF = {t.export_key: t.name for t in TABLES.values()}


class StoredExport(Mapping[str, Any]):
    """The export as a database holds it, read within the caller's read transaction: its
    ``schema_version``, and each list an iterable that reads the records from their table
    each time it is iterated. Every export format, and the Neo4j push, only iterate the lists:
    they write an export of any size without holding it (10,000 documents: ~11 GB as one dict)."""

    def __init__(self, conn: sqlite3.Connection, schema_version: int) -> None:
        self._conn, self._version = conn, schema_version

    def __getitem__(self, key: str) -> Any:
        if key == "schema_version":
            return self._version
        if key == "edges":
            return _Reread(lambda: edges.in_order(self._conn, lambda blob: decode(blob, self._conn)))
        table = TABLE_OF[key]
        return _Reread(lambda: each_record(self._conn, table))

    def __iter__(self) -> Iterator[str]:
        return iter(("schema_version", *EXPORT_LISTS))

    def __len__(self) -> int:
        return 1 + len(EXPORT_LISTS)


class _Reread(Iterable[dict[str, Any]]):
    """Records read afresh by each iteration."""

    def __init__(self, read: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self._read = read

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self._read()


def read_export(conn: sqlite3.Connection, schema_version: int) -> dict[str, Any]:
    """The whole export, as ``linking.assemble`` makes it."""
    return {k: v if k == "schema_version" else list(v) for k, v in StoredExport(conn, schema_version).items()}
