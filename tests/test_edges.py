"""The edges read from the records they link (``graph.store.edges``), and the upgrade in place
of a store that stored them all (layout 6)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import edges, upgrade
from cchc_graph.graph.store.build import Store, StoreError
from cchc_graph.graph.store.linking import build_export, document_part, resolve_body
from cchc_graph.loaders.pipeline import load_document

from tests.conftest import EXAMPLES, FIXTURES
from tests.test_upgrade import as_layout_7, converted, sql_write, texts_of
from tests.test_upgrade import sql_rows as _sql

EDGE_COLUMNS = ("source", "target", "type", "citation")


def test_a_built_store_keeps_only_the_edges_no_record_gives(own_store: Path, own_corpus: Corpus) -> None:
    export = Store(own_store).load_export()
    kept = {t for (t,) in _sql(own_store, f"SELECT DISTINCT type FROM {edges.STORED} WHERE doc IS NOT NULL")}
    assert kept == set(edges.STORED_TYPES)
    assert own_corpus.rows(edges.COUNT)[0][0] == len(export["edges"]) > 100
    # every arm reads some edge of this corpus
    arms = {a for (a,) in own_corpus.rows(f"SELECT DISTINCT arm FROM ({edges.select(('arm',))})")}
    assert arms == set(range(len(edges.ARMS)))
    # the view (SQL by hand) is the same edges, in the export's order
    by_hand = own_corpus.rows("SELECT source, target, type, citation FROM edges ORDER BY doc IS NULL, doc, ord")
    assert by_hand == [tuple(e.get(k) for k in EDGE_COLUMNS) for e in export["edges"]]


def test_edges_are_counted_in_a_built_store_and_in_a_whole_export_alike(own_store: Path) -> None:
    """A corpus written from a whole export stores every edge (its records' rows have row ids
    below 1, which no arm reads): the count reads none twice, whether the edges are its
    records' or stored; each row is its record's document's, and the export reads back whole."""
    export = Store(own_store).load_export()
    whole = Corpus.from_export(export)
    assert whole.rows(edges.COUNT)[0][0] == len(export["edges"])
    assert whole.rows(f"SELECT count(*) FROM {edges.STORED}")[0][0] == len(export["edges"])
    assert whole.rows("SELECT count(*) FROM tasks WHERE rowid > 0")[0][0] == 0 < len(export["tasks"])
    assert [d for (d,) in whole.rows("SELECT doc FROM tasks ORDER BY rowid")] == [t["document"] for t in export["tasks"]]
    assert whole.export == export


def test_the_edges_read_back_are_those_linking_makes(own_store: Path) -> None:
    store = Store(own_store)
    docs = [load_document(p, d) for d, p in _sql(own_store, "SELECT doc, source_path FROM sources ORDER BY doc")]
    assert store.load_export()["edges"] == build_export(docs)["edges"]


@pytest.mark.parametrize("kinds", [(), ("has_task",), ("lead", "cooperate"), ("in_area", "measured_by"),
                                   ("in_jurisdiction", "issued_by", "mentions"), ("based_on",)])
def test_edges_of_some_kinds_are_those_of_all_kept_by_kind(own_corpus: Corpus, kinds: tuple[str, ...]) -> None:
    """An arm left out for its kind leaves out no edge asked for (citations' edges always come)."""
    cols = ("arm", "rid", "source", "target", "type", "citation")
    every = own_corpus.rows(edges.select(cols))
    some = own_corpus.rows(edges.select(cols, "", kinds), ('["x"]', f'{list(kinds)}'.replace("'", '"')))
    assert sorted(some) == sorted(r for r in every if r[4] in kinds or r[5] is not None)


@pytest.mark.parametrize("end", ["source", "target"])
def test_edges_found_by_an_end_are_those_with_that_end(own_corpus: Corpus, end: str) -> None:
    every = own_corpus.rows(edges.select(("source", "target", "type", "citation", "doc", "ord")))
    for node in {r[0 if end == "source" else 1] for r in every}:
        found = own_corpus.rows(edges.select(("source", "target", "type", "citation", "doc", "ord"),
                                             f"{{{end}}} = ?1"), (node,))
        assert sorted(found) == sorted(r for r in every if r[0 if end == "source" else 1] == node), node


def test_an_edge_kind_no_arm_reads_is_refused_not_lost() -> None:
    """A kind of edge added to a document's part without an arm would vanish from the store."""
    facts = load_document(sorted(EXAMPLES.glob("*.md"))[0])
    rows = resolve_body(document_part(facts)["body"], {"resolution": {}, "inferred": {}})
    assert [e["type"] for e in edges.stored(rows)] == [e["type"] for e in rows["edges"] if e["type"] == "mentions"]
    doc = rows["documents"][0]["id"]
    rows["edges"].append({"source": doc, "target": "ag:x", "type": "signed_by", "provenance": None})
    with pytest.raises(ValueError, match="no arm"):
        edges.stored(rows)


def test_a_responsibility_names_its_task_and_agency_by_row_ids(own_store: Path) -> None:
    """The columns hold the row id of the task (of the same document) the record names, and
    that of the agency's id in ``agency_ids``."""
    named = _sql(own_store, "SELECT t.id, t.doc = r.doc, a.id FROM responsibilities r LEFT JOIN tasks t "
                            "ON t.rowid = r.task LEFT JOIN agency_ids a ON a.rowid = r.agency ORDER BY r.doc, r.ord")
    export = Store(own_store).load_export()
    assert named == [(r["task"], 1, r["agency"]) for r in export["responsibilities"]] and len(named) > 20
    # and the agencies each document names, as their records say
    conn = db.connect(own_store / db.DB_NAME)
    try:
        rows = conn.execute("SELECT a.id, r.rec FROM doc_agencies r LEFT JOIN agency_ids a ON a.rowid = r.agency"
                            ).fetchall()
        assert rows and all(i == db.decode(rec, conn)["id"] for i, rec in rows)
    finally:
        conn.close()


def test_a_responsibility_naming_a_task_not_of_its_document_is_refused_before_the_store() -> None:
    parts = (document_part(load_document(path))["body"] for path in sorted(EXAMPLES.glob("*.md")))
    rows = next(r for r in (resolve_body(p, {"resolution": {}, "inferred": {}}) for p in parts)
                if r["responsibilities"])
    assert db.encode_body(rows)["responsibilities"][0]
    rows["responsibilities"][-1] = {**rows["responsibilities"][-1], "task": "task:elsewhere:1"}
    with pytest.raises(ValueError, match="names task 'task:elsewhere:1', none of the document's tasks"):
        db.encode_body(rows)


def test_a_responsibilitys_agency_numbered_by_the_writer_or_else_here(tmp_path: Path) -> None:
    """The agencies a document names are numbered once, for its ``doc_agencies`` rows, and
    given to ``insert_encoded``; an agency of a responsibility not among them is numbered
    there: each row names its record's agency either way."""
    parts = (document_part(load_document(path))["body"] for path in sorted(EXAMPLES.glob("*.md")))
    rows = next(r for r in (resolve_body(p, {"resolution": {}, "inferred": {}}) for p in parts)
                if len({x["agency"] for x in r["responsibilities"]}) > 1)
    doc, agencies = rows["documents"][0]["id"], sorted({x["agency"] for x in rows["responsibilities"]})
    conn = db.connect(tmp_path / db.DB_NAME)
    try:
        with db.transaction(conn):
            given = db.named(conn, db.AGENCY_IDS, agencies[1:])  # (one left out: numbered here)
            db.insert_encoded(conn, doc, db.encode_body(rows), {}, {db.AGENCY_IDS: given})
        named = conn.execute("SELECT a.id, r.rec FROM responsibilities r JOIN agency_ids a ON a.rowid = r.agency "
                             "ORDER BY r.ord").fetchall()
        assert [i for i, _ in named] == [db.decode(rec, conn)["agency"] for _, rec in named]
        assert [i for i, _ in named] == [x["agency"] for x in rows["responsibilities"]]
        assert conn.execute("SELECT count(*) FROM agency_ids").fetchone() == (len(agencies),)
    finally:
        conn.close()


# --- the upgrade of a layout-6 store ------------------------------------------------------------

def _as_layout_6(path: Path) -> None:
    """Make a built store what layout 6 wrote (from what layout 7 wrote): every edge stored in ``edges`` (its document's
    rows numbered 0, 1 … in order, the linked ones as linking numbered them), no
    ``issuer_agency`` column, the stored edges' dictionary named ``edges``, the facts in zlib."""
    as_layout_7(path)
    conn = db.connect(path)
    rows = conn.execute("SELECT doc, source, target, type, citation, arm, rec FROM "
                        f"({edges.select(edges.COLUMNS, arms=upgrade.ARMS_11)}) "
                        "ORDER BY doc IS NULL, doc, ord").fetchall()
    with db.transaction(conn):
        conn.execute("DROP VIEW edges")
        conn.execute('CREATE TABLE edges (rowid INTEGER PRIMARY KEY, doc TEXT, ord INTEGER NOT NULL, "source", '
                     '"target", "type", "citation", rec BLOB NOT NULL)')
        for doc, facts in conn.execute("SELECT doc, facts FROM sources").fetchall():
            conn.execute("UPDATE sources SET facts = ? WHERE doc = ?", (zlib.compress(db.unpack(facts, conn)), doc))
        places: dict[str | None, int] = {}
        for doc, s, t, kind, cit, arm, rec in rows:
            e = edges.record(arm, s, t, kind, cit, lambda rec=rec: db.decode(rec, conn))
            ord_ = places[doc] = places.get(doc, -1) + 1
            blob = rec if doc is None else db.encode(conn, edges.STORED, e)
            conn.execute("INSERT INTO edges (doc, ord, source, target, type, citation, rec) VALUES "
                         "(?, ?, ?, ?, ?, ?, ?)", (doc, ord_, s, t, kind, cit, blob))
        for stmt in ("CREATE INDEX edges_doc ON edges(doc, ord)", "CREATE INDEX edges_source ON edges(source)",
                     "CREATE INDEX edges_target ON edges(target)", f"DROP TABLE {edges.STORED}",
                     "DROP INDEX documents_issuer_agency", "DROP INDEX tasks_area_node",
                     "ALTER TABLE documents DROP COLUMN issuer_agency",
                     f"UPDATE dictionaries SET name = 'edges' WHERE name = '{edges.STORED}'",
                     "DELETE FROM dictionaries WHERE name = 'facts'", "PRAGMA user_version=6"):
            conn.execute(stmt)
    conn.close()


@pytest.fixture
def layout_6(own_store: Path, tmp_path: Path) -> Path:
    return converted(own_store, tmp_path, _as_layout_6)


def test_a_layout_6_store_is_upgraded_in_place_by_the_next_build(layout_6: Path, own_store: Path) -> None:
    with pytest.raises(StoreError, match="next 'cchc build' into it upgrades it in place"):
        Store(layout_6).load_export()
    version = Store(own_store).version()
    report = Store(layout_6).build([EXAMPLES, FIXTURES / "queries"])
    assert any("upgraded in place" in w for w in report.warnings)
    assert not report.loaded and not report.written  # nothing else changed: not written again
    assert Store(layout_6).load_export() == Store(own_store).load_export()
    assert Store(layout_6).version() == version  # the same graph: what servers derived holds
    assert _sql(layout_6, "PRAGMA user_version") == [(db.SCHEMA_VERSION,)]
    assert _sql(layout_6, "SELECT name FROM dictionaries WHERE name = 'edges'") == []
    # of the facts layout 6 kept (zlib's), the text
    assert _sql(layout_6, "SELECT count(*) FROM dictionaries WHERE name = 'facts'") == [(0,)]
    assert texts_of(layout_6) == texts_of(own_store)


def test_a_layout_6_store_whose_records_do_not_give_its_edges_is_left_as_it_was(layout_6: Path) -> None:
    sql_write(layout_6, "UPDATE edges SET target = 'area:elsewhere' WHERE rowid = "
                        "(SELECT min(rowid) FROM edges WHERE type = 'in_area')")
    before = _sql(layout_6, "SELECT * FROM edges ORDER BY rowid")
    with pytest.raises(StoreError, match=r"cannot upgrade in place.*area:elsewhere.*cchc rebuild"):
        Store(layout_6).build([EXAMPLES, FIXTURES / "queries"])
    assert _sql(layout_6, "PRAGMA user_version") == [(6,)]
    assert _sql(layout_6, "SELECT * FROM edges ORDER BY rowid") == before  # nothing stored is lost
