"""The upgrade in place to the present layout of a store of layout 9 (no marks of % in its
full-text index), of layout 8 (also each document's facts kept whole in ``sources``) and of
layout 7 (also each record's document twice in the document tables, the tasks' titles in a
column, the indexes of those)."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import cchc_graph
import orjson
import pytest
from cchc_graph.api.cli import cli
from cchc_graph.graph.questions import audit, findings
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import edges, upgrade
from cchc_graph.graph.store.build import Store, StoreError
from cchc_graph.graph.store.schema import TOKENIZER
from cchc_graph.loaders.pipeline import load_document
from click.testing import CliRunner

from tests.conftest import EXAMPLES, FIXTURES

# what layout 7 had that layout 8 has not (its statements, as it made them)
_LAYOUT_7_INDEXES = (
    'CREATE INDEX tasks_document ON tasks("document")',
    'CREATE INDEX tasks_due_order_document_id ON tasks("due_order", "document", "id")',
    "CREATE INDEX tasks_led_first ON tasks(leads = 0, document, start, doc IS NULL, doc, ord)",
    "CREATE INDEX tasks_task_no_lead ON tasks(document, start, ord) WHERE leads = 0",
    "CREATE INDEX tasks_task_many_leads ON tasks(document, start, ord) WHERE leads > 1",
    "CREATE INDEX tasks_task_no_deadline ON tasks(document, start, ord) WHERE due_order IS NULL",
    'CREATE INDEX responsibilities_document ON responsibilities("document")',
    'CREATE INDEX responsibilities_agency_role_document_start_doc_ord ON responsibilities("agency", "role", '
    '"document", "start", "doc", "ord")',
    'CREATE INDEX targets_document ON targets("document")',
    'CREATE INDEX targets_metric_document_start_doc_ord_id ON targets("metric", "document", "start", "doc", '
    '"ord", "id")',
    'CREATE INDEX citations_document ON citations("document")',
    'CREATE INDEX citations_ref_document_start_doc_ord ON citations("ref", "document", "start", "doc", "ord")',
    "CREATE INDEX doc_agencies_doc ON doc_agencies(doc, ord)",
    "CREATE INDEX doc_agencies_agency ON doc_agencies(agency, doc, ord, aliases)",
    "CREATE INDEX doc_named_doc ON doc_named(doc)",
    "CREATE INDEX doc_named_id ON doc_named(kind, id, doc)",
)
_LAYOUT_8_ONLY = ("tasks_calendar", "responsibilities_agency_role_doc_start", "targets_metric_doc_start_id",
                  "citations_ref_doc_start", "tasks_led_first", "tasks_task_no_lead", "tasks_task_many_leads",
                  "tasks_task_no_deadline", "doc_agencies_doc", "doc_named_doc")


def _table_as(conn: sqlite3.Connection, table: str, create: str, read: str) -> None:
    """``table`` made anew by ``create`` (an earlier layout's statement), its rows ``read``
    (the columns' SQL, in order) over its present rows ``r``."""
    conn.execute(f"ALTER TABLE {table} RENAME TO {table}_now")
    conn.execute(create)
    conn.execute(f"INSERT INTO {table} SELECT {read} FROM {table}_now r")
    conn.execute(f"DROP TABLE {table}_now")


def _responsibilities_as(path: Path, version: int, task: str, agency: str, arms: tuple[edges.Arm, ...]) -> None:
    """Make a built store's ``responsibilities`` what layout ``version`` wrote: its ``task`` and
    ``agency`` columns declared and filled as given (SQL over its present row ``r``), its
    indexes, and the view ``edges`` read with ``arms``."""
    conn = db.connect(path)
    with db.transaction(conn):
        conn.execute("DROP VIEW edges")
        _table_as(conn, "responsibilities", "CREATE TABLE responsibilities (rowid INTEGER PRIMARY KEY, doc "
                  f'TEXT, ord INTEGER NOT NULL, "agency", "role", "task"{" INTEGER" if task == "r.task" else ""}, '
                  '"start", rec BLOB NOT NULL)', f"r.rowid, r.doc, r.ord, {agency}, r.role, {task}, r.start, r.rec")
        conn.execute("DROP TABLE IF EXISTS agency_ids")
        for stmt in (*db._ddl(), *findings.DDL):
            if stmt.startswith("CREATE INDEX"):
                conn.execute(stmt)
        conn.execute(f"CREATE VIEW edges AS {edges.select(edges.COLUMNS, arms=arms)}")
        conn.execute(f"PRAGMA user_version={version}")
    conn.close()


# layout 12's arms: a responsibility's task joined in, its agency in its column
_ARMS_12 = tuple(dataclasses.replace(a, via="SELECT r.rowid AS rowid, r.doc AS doc, r.ord AS ord, r.agency AS "
                                            "agency, r.role AS role, k.id AS task, r.rec AS rec FROM "
                                            "responsibilities r JOIN tasks k ON k.rowid = r.task") if a.via else a
                 for a in edges.ARMS)


def _as_16(conn: sqlite3.Connection) -> None:
    """What layout 16 wrote of a built store: ``fts_names`` with its content, an index of the
    citations' compared fields, every compressed record's zstd frame with its magic number."""
    names = conn.execute("SELECT rowid, text FROM names").fetchall()
    conn.execute("DROP TABLE fts_names")
    conn.execute(f'CREATE VIRTUAL TABLE fts_names USING fts5(text, columnsize=0, tokenize="{TOKENIZER}")')
    conn.executemany("INSERT INTO fts_names (rowid, text) VALUES (?, ?)", ((r, db.fts_text(t)) for r, t in names))
    conn.execute('CREATE INDEX citations_ref_date_issuer_fold_title_fold ON citations("ref", "date", '
                 '"issuer_fold", "title_fold")')
    columns = [(t, c) for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
               for _, c, kind, *_ in conn.execute(f"PRAGMA table_info({t})") if kind.startswith("BLOB")]
    assert {("tasks", "rec"), ("doc_keys", "keys"), ("sources", "text")} <= set(columns)
    for table, col in columns:  # (a frame is its magic number, then what layout 17 keeps of it)
        blobs = {b for (b,) in conn.execute(f"SELECT {col} FROM {table} WHERE substr({col}, 1, 1) = X'01'")}
        conn.executemany(f"UPDATE {table} SET {col} = ? WHERE {col} = ?",
                         ((b[:5] + b"\x28\xb5\x2f\xfd" + b[5:], b) for b in blobs))


def as_layout_16(path: Path) -> None:
    """Make a built store what layout 16 wrote (``_as_16``)."""
    conn = db.connect(path)
    with db.transaction(conn):
        _as_16(conn)
        conn.execute("PRAGMA user_version=16")
    conn.execute("VACUUM")
    conn.close()


def as_layout_15(path: Path) -> None:
    """Make a built store what layout 15 wrote: each task, responsibility and target record
    with its quote (and a task's text) in full."""
    conn = db.connect(path)
    with db.transaction(conn):
        for table in db.QUOTED:
            rows = conn.execute(f"SELECT rowid, rec FROM {table}").fetchall()
            conn.executemany(f"UPDATE {table} SET rec = ? WHERE rowid = ?",
                             ((db.encode(conn, table, db.decode(rec, conn)), rowid) for rowid, rec in rows))
        _as_16(conn)
        conn.execute("PRAGMA user_version=15")
    conn.execute("VACUUM")  # (as a build leaves a new store: its pages filled)
    conn.close()


def quotes_kept_whole(store: Path) -> dict[str, tuple[int, int]]:
    """Of each table of ``database.QUOTED``: how many records keep a quote whole, how many as
    the span of their document's text."""
    conn = db.connect(store / db.DB_NAME)
    try:
        out = {}
        for table in db.QUOTED:
            raw = [orjson.loads(db.unpack(rec, conn)) for (rec,) in conn.execute(f"SELECT rec FROM {table}")]
            out[table] = (sum(isinstance(r["provenance"]["quote"], str) for r in raw),
                          sum(r["provenance"]["quote"] == 0 and "~" in r for r in raw))
        return out
    finally:
        conn.close()


def as_layout_14(path: Path) -> None:
    """Make a built store what layout 14 wrote: every id of a task, target and citation stored
    in its ``id`` column, an index of the tasks without a lead, the unresolved citations'
    findings kept as rows."""
    as_layout_15(path)
    conn = db.connect(path)
    with db.transaction(conn):
        conn.execute("DROP VIEW edges")
        for t in (t for t in db.DOCUMENT_TABLES if t.form):
            cols = ", ".join(f'"{c}"' + (" UNIQUE" if c == "id" else "") for c in t.columns)
            _table_as(conn, t.name, f"CREATE TABLE {t.name} (rowid INTEGER PRIMARY KEY, doc TEXT, ord INTEGER "
                      f"NOT NULL, {cols}, rec BLOB NOT NULL)",
                      ", ".join(f'r."{c}"' for c in ("rowid", "doc", "ord", *t.columns, "rec")))
        for stmt in (*db._ddl(), *findings.DDL):
            if stmt.startswith(("CREATE INDEX", "CREATE VIEW")):
                conn.execute(stmt)
        conn.execute("CREATE INDEX tasks_task_no_lead ON tasks(doc, start) WHERE leads = 0")  # (dropped at 15)
        conn.execute("DROP INDEX citations_unresolved")  # (the unresolved citations' findings kept as rows)
        findings._write(conn, "unresolved", audit.RULES["unresolved"].run(Corpus(conn), None))
        conn.execute("PRAGMA user_version=14")
    conn.close()


def as_layout_13(path: Path) -> None:
    """Make a built store what layout 13 wrote: each row of ``doc_agencies`` naming its agency by
    its id, ``agency_ids`` numbering only the agencies of responsibilities."""
    as_layout_14(path)
    conn = db.connect(path)
    with db.transaction(conn):
        _table_as(conn, "doc_agencies", "CREATE TABLE doc_agencies (agency TEXT NOT NULL, doc TEXT NOT NULL, "
                  "ord INTEGER NOT NULL, aliases TEXT, rec BLOB NOT NULL, PRIMARY KEY (agency, doc, ord)) "
                  "WITHOUT ROWID", "(SELECT id FROM agency_ids WHERE rowid = r.agency), r.doc, r.ord, r.aliases, r.rec")
        conn.execute("CREATE INDEX doc_agencies_doc ON doc_agencies(doc, ord)")
        conn.execute("DELETE FROM agency_ids WHERE rowid NOT IN (SELECT agency FROM responsibilities)")
        conn.execute("PRAGMA user_version=13")
    conn.close()


def as_layout_12(path: Path) -> None:
    """Make a built store what layout 12 wrote: also each responsibility's agency held by its
    id, no ``agency_ids``."""
    as_layout_13(path)
    _responsibilities_as(path, 12, "r.task", "(SELECT id FROM agency_ids WHERE rowid = r.agency)", _ARMS_12)


def as_layout_11(path: Path) -> None:
    """Make a built store what layout 11 wrote: also each responsibility's task held by its
    id, in a column of no type."""
    as_layout_12(path)
    _responsibilities_as(path, 11, "(SELECT id FROM tasks WHERE rowid = r.task)", "r.agency", upgrade.ARMS_11)


def as_layout_8(path: Path) -> None:
    """Make a built store what layout 8 wrote: each document's facts in ``sources`` (those its
    file gives when read again), as JSON compressed with the dictionary ``facts``."""
    as_layout_11(path)
    conn = db.connect(path)
    with db.transaction(conn):
        stamps = conn.execute(f"SELECT {db.SOURCE_STAMP} FROM sources ORDER BY doc").fetchall()
        facts = [orjson.dumps(load_document(row[1], row[0])) for row in stamps]
        db.train(conn, "facts", facts)
        conn.execute("DROP TABLE sources")
        conn.execute(f"CREATE TABLE sources ({_STAMP_8}, facts BLOB NOT NULL)")
        conn.executemany("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         ((*row, db.pack(conn, "facts", f)) for row, f in zip(stamps, facts, strict=True)))
        conn.execute(f"CREATE INDEX sources_stamp ON sources({db.SOURCE_STAMP})")
        conn.execute("PRAGMA user_version=8")
    conn.close()


_STAMP_8 = ("doc TEXT PRIMARY KEY, source_path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL, "
            "mtime_ns INTEGER NOT NULL, extractor_version TEXT NOT NULL, warnings TEXT NOT NULL, gaps TEXT NOT NULL")


def as_layout_9(path: Path) -> int:
    """Make a built store what layout 9 wrote: FTS5 texts without the marks of % (``plain_d``
    alone); how many texts had marks."""
    as_layout_11(path)
    conn = db.connect(path)
    marked = 0
    with db.transaction(conn):
        for t in db.TABLES.values():
            if not t.fts:
                continue
            for rowid, rec in conn.execute(f"SELECT rowid, rec FROM {t.name}").fetchall():
                text = db.fts_source(t.name, db.decode(rec, conn))
                if db.fts_text(text) != db.plain_d(text):
                    conn.execute(f"INSERT INTO fts_{t.name} (fts_{t.name}, rowid, text) VALUES ('delete', ?, ?)",
                                 (rowid, db.fts_text(text)))
                    conn.execute(f"INSERT INTO fts_{t.name} (rowid, text) VALUES (?, ?)", (rowid, db.plain_d(text)))
                    marked += 1
        for rowid, text in conn.execute("SELECT rowid, text FROM names").fetchall():
            if db.fts_text(text) != db.plain_d(text):
                conn.execute("UPDATE fts_names SET text = ? WHERE rowid = ?", (db.plain_d(text), rowid))
                marked += 1
        conn.execute("PRAGMA user_version=9")
    conn.close()
    return marked


def as_layout_10(path: Path) -> None:
    """Make a built store what layout 10 wrote: each text a zstd frame of its own, no
    dictionary of texts."""
    as_layout_11(path)
    conn = db.connect(path)
    with db.transaction(conn):
        texts = [(doc, db.unpack_text(blob, conn)) for doc, blob in conn.execute("SELECT doc, text FROM sources")]
        conn.executemany("UPDATE sources SET text = ? WHERE doc = ?", ((db.pack_text(t), d) for d, t in texts))
        conn.execute("DELETE FROM dictionaries WHERE name = ?", (db.TEXTS,))
        conn.execute("PRAGMA user_version=10")
    conn.close()


def fts_entries(store: Path) -> list[tuple]:
    """Every FTS5 table's tokens, each with its row and place (``fts5vocab``)."""
    conn = db.connect(store / db.DB_NAME)
    out = []
    for name in ("fts_tasks", "fts_targets", "fts_citations", "fts_names"):
        conn.execute(f"CREATE VIRTUAL TABLE temp.v_{name} USING fts5vocab(main, {name}, 'instance')")
        out += [(name, *row) for row in conn.execute(f"SELECT term, doc, offset FROM temp.v_{name} "
                                                     "ORDER BY term, doc, offset")]
    conn.close()
    return out


def as_layout_7(path: Path) -> None:
    """Make a built store what layout 7 wrote: layout 8's facts, ``document`` columns beside
    ``doc``, the tasks' titles, its indexes and view, ``doc_agencies`` and ``doc_named`` as
    rowid tables."""
    as_layout_8(path)
    conn = db.connect(path)
    with db.transaction(conn):
        conn.execute("DROP VIEW edges")
        for name in _LAYOUT_8_ONLY:
            conn.execute(f"DROP INDEX {name}")
        conn.execute('ALTER TABLE tasks ADD COLUMN "title"')
        conn.executemany("UPDATE tasks SET title = ? WHERE rowid = ?", (
            (db.decode(rec, conn)["title"], rowid) for rowid, rec in conn.execute("SELECT rowid, rec FROM tasks").fetchall()))
        for t in ("tasks", "responsibilities", "targets", "citations"):
            conn.execute(f'ALTER TABLE {t} ADD COLUMN "document"')
            conn.execute(f"UPDATE {t} SET document = doc")
        for t, cols in (("doc_agencies", "doc TEXT NOT NULL, ord INTEGER NOT NULL, agency TEXT NOT NULL, "
                                         "aliases TEXT, rec BLOB NOT NULL"),
                        ("doc_named", "doc TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL")):
            names = ", ".join(c.split()[0] for c in cols.split(", "))
            conn.execute(f"CREATE TABLE {t}_7 ({cols})")
            conn.execute(f"INSERT INTO {t}_7 ({names}) SELECT {names} FROM {t}")
            conn.execute(f"DROP TABLE {t}")
            conn.execute(f"ALTER TABLE {t}_7 RENAME TO {t}")
        for stmt in _LAYOUT_7_INDEXES:
            conn.execute(stmt)
        # its view read a record's document from the column, a whole export's rows by doc ''
        conn.execute(f"CREATE VIEW edges AS {edges.select(edges.COLUMNS, arms=upgrade.ARMS_11)}"
                     .replace("doc AS source", "document AS source").replace("rowid > 0", "doc != ''"))
        conn.execute("PRAGMA user_version=7")
    conn.close()


ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"  # a zstd frame's first bytes


def converted(built: Path, tmp_path: Path, convert: Callable[[Path], None]) -> Path:
    """A copy of a built store made what an earlier layout wrote by ``convert``."""
    store = tmp_path / "store"
    shutil.copytree(built, store)
    convert(store / db.DB_NAME)
    return store


def sql_write(store: Path, sql: str) -> None:
    conn = sqlite3.connect(store / db.DB_NAME)
    with conn:
        conn.execute(sql)
    conn.close()


def sql_rows(store: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(store / db.DB_NAME)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def layout_7(own_store: Path, tmp_path: Path) -> Path:
    return converted(own_store, tmp_path, as_layout_7)


@pytest.fixture
def layout_8(own_store: Path, tmp_path: Path) -> Path:
    return converted(own_store, tmp_path, as_layout_8)


def _schema(store: Path) -> list[tuple]:
    return sql_rows(store, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                           "ORDER BY type, name")


def upgraded_by_the_next_build(old: Path, own_store: Path, smaller: bool = True) -> None:
    """A store of an earlier layout (``old``, a copy of ``own_store`` made so) is refused by
    readers, then upgraded in place by the next build to what a build writes now (``smaller``:
    in fewer pages)."""
    with pytest.raises(StoreError, match="next 'cchc build' into it upgrades it in place"):
        Store(old).load_export()
    version, size = Store(own_store).version(), (old / db.DB_NAME).stat().st_size
    report = Store(old).build([EXAMPLES, FIXTURES / "queries"])
    assert any("upgraded in place" in w for w in report.warnings)
    assert not report.loaded and not report.written  # nothing else changed: not written again
    assert Store(old).load_export() == Store(own_store).load_export()
    assert Store(old).version() == version  # the same graph: what servers derived holds
    # the tables, indexes and view of a store built now, each made the same way
    assert _schema(old) == _schema(own_store)
    if smaller:
        assert (old / db.DB_NAME).stat().st_size < size  # (vacuumed: the pages freed are given back)


def refused_by_the_next_build(store: Path, reason: str) -> None:
    """The next build into ``store`` says it cannot upgrade it in place, why (``reason``, a
    pattern), and to rebuild it."""
    with pytest.raises(StoreError, match=rf"cannot upgrade in place \({reason}.*cchc rebuild"):
        Store(store).build([EXAMPLES, FIXTURES / "queries"])


def test_a_layout_7_store_is_upgraded_in_place_by_the_next_build(layout_7: Path, own_store: Path) -> None:
    upgraded_by_the_next_build(layout_7, own_store)


def texts_of(store: Path) -> list[str]:
    """Every stored document's normalized text, in id order."""
    with cchc_graph.open(store) as g:
        return [g.text(doc).text for (doc,) in sql_rows(store, "SELECT doc FROM sources ORDER BY doc")]


def test_a_layout_8_store_keeps_the_text_of_its_facts(layout_8: Path, own_store: Path) -> None:
    upgraded_by_the_next_build(layout_8, own_store)
    assert sql_rows(layout_8, f"SELECT {db.SOURCE_STAMP} FROM sources ORDER BY doc") == sql_rows(
        own_store, f"SELECT {db.SOURCE_STAMP} FROM sources ORDER BY doc")
    texts = texts_of(own_store)
    assert texts_of(layout_8) == texts and len(texts) == len(Store(own_store).load_export()["documents"])
    assert all(texts)
    assert sql_rows(layout_8, "SELECT name FROM dictionaries WHERE name = 'facts'") == []


def test_a_layout_8_store_with_unreadable_facts_is_left_as_it_was_until_rebuilt(layout_8: Path,
                                                                               own_store: Path) -> None:
    sql_write(layout_8, "UPDATE sources SET facts = x'01deadbeef00' WHERE doc = (SELECT max(doc) FROM sources)")
    before = sql_rows(layout_8, "SELECT * FROM sources ORDER BY doc")
    refused_by_the_next_build(layout_8, r"the stored facts of \S+ are unreadable")
    assert sql_rows(layout_8, "SELECT * FROM sources ORDER BY doc") == before  # nothing stored is lost
    assert sql_rows(layout_8, "PRAGMA user_version") == [(8,)]
    # the rebuild the message names reads the files again and writes the store anew
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(layout_8)])
    assert r.exit_code == 0, r.output
    assert "not upgraded in place (the stored facts of" in r.output and "written anew from its source files" in r.output
    assert sql_rows(layout_8, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]
    assert Store(layout_8).load_export() == Store(own_store).load_export()


def test_a_layout_9_store_gets_the_marks_of_percent_in_its_full_text_index(own_store: Path,
                                                                           tmp_path: Path) -> None:
    marked: list[int] = []
    layout_9 = converted(own_store, tmp_path, lambda p: marked.append(as_layout_9(p)))
    assert marked[0] > 0 and fts_entries(layout_9) != fts_entries(own_store)
    upgraded_by_the_next_build(layout_9, own_store)
    assert fts_entries(layout_9) == fts_entries(own_store)  # every token, of every row, in its place


def test_a_layout_9_store_with_an_unreadable_record_is_left_as_it_was_until_rebuilt(own_store: Path,
                                                                                    tmp_path: Path) -> None:
    layout_9 = converted(own_store, tmp_path, as_layout_9)
    sql_write(layout_9, "UPDATE targets SET rec = x'01deadbeef00' WHERE rowid = (SELECT max(rowid) FROM targets "
                        "WHERE doc IS NOT NULL)")
    before = fts_entries(layout_9)
    refused_by_the_next_build(layout_9, r"targets row \d+: its record is unreadable")
    assert sql_rows(layout_9, "PRAGMA user_version") == [(9,)] and fts_entries(layout_9) == before
    r = CliRunner().invoke(cli, ["rebuild", "--store", str(layout_9)])
    assert r.exit_code == 0, r.output
    assert "not upgraded in place (targets row" in r.output
    assert fts_entries(layout_9) == fts_entries(own_store)
    assert Store(layout_9).load_export() == Store(own_store).load_export()


def test_a_layout_10_store_gets_its_texts_compressed_with_a_dictionary(own_store: Path, tmp_path: Path) -> None:
    layout_10 = converted(own_store, tmp_path, as_layout_10)
    frames = sql_rows(layout_10, "SELECT doc, text FROM sources ORDER BY doc")
    assert frames and all(blob[:4] == ZSTD_MAGIC for _, blob in frames)
    upgraded_by_the_next_build(layout_10, own_store)
    assert texts_of(layout_10) == texts_of(own_store)
    now = sql_rows(layout_10, "SELECT doc, text FROM sources ORDER BY doc")
    assert [doc for doc, _ in now] == [doc for doc, _ in frames]
    # each text compressed with the store's dictionary (a dictionary's record: 0x01, its key)
    assert all(blob[:1] == b"\x01" for _, blob in now)
    assert sum(len(b) for _, b in now) < sum(len(b) for _, b in frames)


def test_a_layout_10_store_with_an_unreadable_text_is_left_as_it_was_until_rebuilt(own_store: Path,
                                                                                  tmp_path: Path) -> None:
    layout_10 = converted(own_store, tmp_path, as_layout_10)
    sql_write(layout_10, "UPDATE sources SET text = x'28b52ffd00' WHERE doc = (SELECT max(doc) FROM sources)")
    before = sql_rows(layout_10, "SELECT * FROM sources ORDER BY doc")
    refused_by_the_next_build(layout_10, r"the stored text of \S+ is unreadable")
    assert sql_rows(layout_10, "SELECT * FROM sources ORDER BY doc") == before  # nothing stored is lost
    assert sql_rows(layout_10, "PRAGMA user_version") == [(10,)]
    assert sql_rows(layout_10, f"SELECT 1 FROM dictionaries WHERE name = '{db.TEXTS}'") == []


def upgraded_to_row_ids(old: Path, own_store: Path, table: str, column: str, as_id: str,
                       order: str = "rowid") -> list[tuple]:
    """A store whose ``table.column`` holds ids (``old``), upgraded by the next build: each row
    names the same, now by a row id (``as_id``: SQL reading it as the id, over the row ``r``).
    The rows' (``order``, id) as they were."""
    read = f"SELECT {order}, {{}} FROM {table} r ORDER BY {order}"
    before = sql_rows(old, read.format(column))
    assert before and sql_rows(old, f"SELECT DISTINCT typeof({column}) FROM {table}") == [("text",)]
    upgraded_by_the_next_build(old, own_store)
    assert sql_rows(old, read.format(as_id)) == before
    assert sql_rows(old, f"SELECT DISTINCT typeof({column}) FROM {table}") == [("integer",)]
    return before


def test_a_layout_11_store_gets_its_responsibilities_tasks_by_row_id(own_store: Path, tmp_path: Path) -> None:
    layout_11 = converted(own_store, tmp_path, as_layout_11)
    upgraded_to_row_ids(layout_11, own_store, "responsibilities", "task", "(SELECT id FROM tasks WHERE rowid = r.task)")
    # a row id of its own document's task
    assert sql_rows(layout_11, "SELECT count(*) FROM responsibilities r JOIN tasks t ON t.rowid = r.task "
                               "WHERE t.doc IS NOT r.doc") == [(0,)]


def test_a_layout_11_store_naming_a_task_not_of_its_document_is_left_as_it_was(own_store: Path,
                                                                               tmp_path: Path) -> None:
    layout_11 = converted(own_store, tmp_path, as_layout_11)
    sql_write(layout_11, "UPDATE responsibilities SET task = (SELECT max(id) FROM tasks t WHERE t.doc != "
                         "responsibilities.doc) WHERE rowid = (SELECT min(rowid) FROM responsibilities)")
    before = sql_rows(layout_11, "SELECT * FROM responsibilities ORDER BY rowid")
    refused_by_the_next_build(layout_11, r"responsibilities row 1 of document '\w+' names task 'task:\w+:\d+', "
                                         "none of the document's tasks")
    assert sql_rows(layout_11, "SELECT * FROM responsibilities ORDER BY rowid") == before  # nothing is lost
    assert sql_rows(layout_11, "PRAGMA user_version") == [(11,)]


def test_a_layout_12_store_gets_its_responsibilities_agencies_by_row_id(own_store: Path, tmp_path: Path) -> None:
    layout_12 = converted(own_store, tmp_path, as_layout_12)
    before = upgraded_to_row_ids(layout_12, own_store, "responsibilities", "agency",
                                 "(SELECT id FROM agency_ids WHERE rowid = r.agency)")
    # one row an agency: the responsibilities' in id order, then those only documents name
    ids = sql_rows(layout_12, "SELECT id FROM agency_ids ORDER BY rowid")
    named = sorted({(a,) for _, a in before})
    assert ids[:len(named)] == named and len(ids) == len(set(ids)) > len(named)


def test_a_layout_13_store_gets_the_agencies_documents_name_by_row_id(own_store: Path, tmp_path: Path) -> None:
    layout_13 = converted(own_store, tmp_path, as_layout_13)
    only_named = sql_rows(layout_13, "SELECT count(DISTINCT agency) FROM doc_agencies WHERE agency NOT IN "
                                     "(SELECT id FROM agency_ids)")[0][0]
    assert only_named > 0  # (agencies no responsibility names: numbered by the upgrade)
    upgraded_to_row_ids(layout_13, own_store, "doc_agencies", "agency",
                        "(SELECT id FROM agency_ids WHERE rowid = r.agency)", order="doc, ord")


def test_a_layout_14_store_reads_the_ids_of_the_extractions_form_from_its_rows(own_store: Path,
                                                                             tmp_path: Path) -> None:
    """The ids of tasks, targets and citations as layout 14 stored them: after the upgrade each
    row reads the same id, of the form extraction gives, from its row (none stored)."""
    layout_14 = converted(own_store, tmp_path, as_layout_14)
    read = {t.name: f"SELECT rowid, doc, ord, id FROM {t.name} ORDER BY rowid" for t in db.DOCUMENT_TABLES if t.form}
    before = {table: sql_rows(layout_14, sql) for table, sql in read.items()}
    assert all(len(rows) >= 3 for rows in before.values()), {t: len(rows) for t, rows in before.items()}
    kept = "SELECT count(*) FROM findings WHERE kind = 'unresolved'"
    assert sql_rows(layout_14, kept)[0][0] > 0
    upgraded_by_the_next_build(layout_14, own_store)
    assert {table: sql_rows(layout_14, sql) for table, sql in read.items()} == before
    assert sql_rows(layout_14, kept) == [(0,)]
    for table in read:
        assert sql_rows(layout_14, f"SELECT count(*) FROM {table} WHERE given_id IS NOT NULL") == [(0,)]


def test_a_layout_15_store_keeps_its_quotes_as_spans_of_its_texts(own_store: Path, tmp_path: Path) -> None:
    """Layout 15's records quote their sentences whole: after the upgrade each keeps its quote
    as the span of its document's text, as a build writes it, and reads the same."""
    layout_15 = converted(own_store, tmp_path, as_layout_15)
    built = quotes_kept_whole(own_store)
    assert all(whole == 0 and spans > 0 for whole, spans in built.values()), built
    assert quotes_kept_whole(layout_15) == {t: (spans, 0) for t, (_, spans) in built.items()}
    # (the seeds' records, shorter, fill as many pages: ``test_quotes`` measures a larger store)
    upgraded_by_the_next_build(layout_15, own_store, smaller=False)
    assert quotes_kept_whole(layout_15) == built


def test_a_layout_16_store_keeps_its_names_once_and_reads_its_records_as_framed(own_store: Path,
                                                                                tmp_path: Path) -> None:
    """Layout 16's names searched are kept twice (in ``fts_names``, with its content) and its
    records framed with zstd's magic number: after the upgrade the index is contentless and
    finds the same names, the records written before read as they are, those written after
    without the magic number."""
    layout_16 = converted(own_store, tmp_path, as_layout_16)
    content = "SELECT count(*) FROM sqlite_master WHERE name = 'fts_names_content'"
    framed = "SELECT count(*) FROM tasks WHERE substr(rec, 6, 4) = X'28B52FFD'"
    assert sql_rows(layout_16, content) == [(1,)] and sql_rows(own_store, content) == [(0,)]
    tasks = sql_rows(own_store, "SELECT count(*) FROM tasks")
    assert sql_rows(layout_16, framed) == tasks and sql_rows(own_store, framed) == [(0,)]
    searched = "SELECT rowid FROM fts_names WHERE fts_names MATCH 'noi vu' ORDER BY rowid"
    assert sql_rows(own_store, searched)
    upgraded_by_the_next_build(layout_16, own_store)
    assert sql_rows(layout_16, content) == [(0,)] and sql_rows(layout_16, framed) == tasks
    assert sql_rows(layout_16, searched) == sql_rows(own_store, searched)
    victim = tmp_path / "changed.md"
    victim.write_text((EXAMPLES / "ke-hoach-cchc-duc-trong.md").read_text(encoding="utf-8"), encoding="utf-8")
    Store(layout_16).build([EXAMPLES, FIXTURES / "queries", victim])
    doc = sql_rows(layout_16, f"SELECT doc FROM sources WHERE source_path = '{victim}'")[0][0]
    assert sql_rows(layout_16, f"SELECT count(*) FROM tasks WHERE doc = '{doc}' AND substr(rec, 6, 4) = "
                               "X'28B52FFD'") == [(0,)]
    assert sql_rows(layout_16, framed) == tasks  # (the others' rows as they were)


def test_a_layout_14_id_of_another_form_is_kept(own_store: Path, tmp_path: Path) -> None:
    """An id not of the extraction's form (a whole export's record may have one) is stored as
    it was, read back and looked up by the ids' index."""
    layout_14 = converted(own_store, tmp_path, as_layout_14)
    sql_write(layout_14, "UPDATE targets SET id = 'tgt:given' WHERE rowid = (SELECT min(rowid) FROM targets)")
    ids = sql_rows(layout_14, "SELECT rowid, id FROM targets ORDER BY rowid")
    Store(layout_14).build([EXAMPLES, FIXTURES / "queries"])
    assert sql_rows(layout_14, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]
    assert sql_rows(layout_14, "SELECT rowid, id FROM targets ORDER BY rowid") == ids
    assert sql_rows(layout_14, "SELECT given_id FROM targets WHERE given_id IS NOT NULL") == [("tgt:given",)]
    plan = str(sql_rows(layout_14, "EXPLAIN QUERY PLAN SELECT rec FROM targets WHERE id = 'tgt:given'"))
    assert "sqlite_autoindex_targets_1" in plan, plan


def test_a_layout_7_store_whose_rows_disagree_is_left_as_it_was(layout_7: Path) -> None:
    sql_write(layout_7, "UPDATE responsibilities SET document = 'elsewhere' WHERE rowid = (SELECT min(rowid) "
                        "FROM responsibilities)")
    before = _schema(layout_7)
    refused_by_the_next_build(layout_7, r"responsibilities row \d+ of document 'elsewhere'")
    assert _schema(layout_7) == before  # nothing stored is lost
    assert sql_rows(layout_7, "PRAGMA user_version") == [(7,)]
