"""The store's schema: its tables, the columns each record is looked up by, their indexes and
full-text tables, and the layout's version (``PRAGMA user_version``; ``docs/store.md``).

``database.py`` creates it on a new file (``_ddl``) and writes and reads the rows; its callers
read these names through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from cchc_graph.graph.store import edges
from cchc_graph.keys import fold_key, number_key

DB_NAME = "cchc.sqlite"
# 1-3 were the file layouts (graph.json, graphs/*.json, marshal packs); 4 had records uncompressed
# and no doc_match, doc_named; 5 no tasks.due_order nor citations.date/issuer_fold/title_fold;
# 6 stored every edge (7 reads most from their records: ``graph.store.edges``); 7 held each
# record's document twice in the document tables, and their indexes; 8 kept each document's
# facts whole in ``sources`` (9 keeps only its normalized text: the rest is in the tables); 9's
# FTS5 texts had no percent marks (``fts_text``); 10 kept each text as a zstd frame of its own
# (11 compresses them with the store's dictionary of texts, ``TEXTS``); 11 held each
# responsibility's task by its id (12: by its row's id, ``Table.keys``); 12 its agency by its id
# (13: by the id's row in ``agency_ids``); 13 ``doc_agencies``' agencies by their ids (14: so);
# 14 stored the ids of tasks, targets and citations (15 reads them from their rows: ``Table.form``);
# 15 kept the quotes of tasks, responsibilities and targets (16: their spans, ``codec.elide``);
# 16 kept the names' texts twice (in ``fts_names``: 17's is contentless, as the others) and an
# index of the citations' compared fields (17 reads them from the rows: ``questions.trace``)
SCHEMA_VERSION = 17
UPGRADABLE = (6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)  # the layouts the next build upgrades in place
# the letters fold() maps to d that Unicode does not decompose into d plus a mark
D_LETTERS = "đĐÐ"
# a stored file's row of ``sources`` but its text: what a build checks (index ``sources_stamp``)
SOURCE_STAMP = "doc, source_path, sha256, size, mtime_ns, extractor_version, warnings, gaps"
# FTS5 over folded text: words are runs of letters, digits and _, as \w is for the regex
TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N*' tokenchars '_'"
# no text's size in tokens (the ``docsize`` tables: ~3.9 MB at 10,000 documents), which only
# ranking by bm25 reads; searches list in their own order (a store made before keeps them)
FTS_OPTIONS = "columnsize=0, "
# a % that ends a word ("95%", "%" alone): the word before it, whole (\w*: a run the tokenizer
# keeps whole), and no word character after it
PERCENT = re.compile(r"(\w*)%(?!\w)")


@dataclass(frozen=True, slots=True)
class Table:
    """One list of the export: its table, and the record fields it is looked up by."""

    name: str
    export_key: str
    columns: tuple[str, ...]  # record fields copied into columns of the same name
    fts: str | None = None  # the record field the table's FTS5 index holds
    # columns holding, for the record's field (an id), the row id of that id's row in another
    # table: (column, table). ~2-4 bytes where the id took ~34-43, in the row and in each index
    # holding the column (a responsibility's task and agency: ~40 MB of 500 at 10,000
    # documents). A row of a document table is of the same document: a built document's row
    # names one (``encode_body``); a whole export's field naming none is NULL. A row of a table
    # of ``NAMED`` is made for each id when first written (``named``).
    keys: tuple[tuple[str, str], ...] = ()
    # the id extraction gives a record of a document's list: this, the document's id, ":" and
    # its place (from 1). Its ``id`` column is then read from the row (generated), and only an id
    # of another form is stored (``given_id``, NULL otherwise): ~11 MB at 10,000 documents
    form: str = ""

    @property
    def stored(self) -> tuple[str, ...]:
        """The columns a row is written with (``form``: its ``given_id``, not its ``id``)."""
        return tuple("given_id" if c == "id" and self.form else c for c in self.columns)

    def given(self, doc: str | None, ord_: int, rid: Any) -> Any:
        """What ``given_id`` holds of a record's id ``rid`` (None when its form gives it)."""
        return None if rid == f"{self.form}{doc}:{ord_ + 1}" else rid

    def formed(self, row: str = "") -> str:
        """SQL of the id the form gives a row (``row``: its alias and a dot, if any)."""
        return f"'{self.form}' || {row}doc || ':' || ({row}ord + 1)"


AGENCY_IDS = "agency_ids"  # each agency id a responsibility or a document names, numbered (``NAMED``)
# documents' own lists (replaced per document), then the lists linking makes
DOCUMENT_TABLES = (
    Table("documents", "documents", ("id", "type", "number", "number_inferred", "jurisdiction", "date",
                                     "title", "period_start", "period_end", "id_fold", "number_fold",
                                     "inferred_fold", "title_fold", "issuer_agency")),
    # (a record's document is its row's ``doc``: no column of its own)
    Table("tasks", "tasks", ("id", "section", "area", "start", "leads", "due_order"), fts="text",
          form="task:"),
    Table("responsibilities", "responsibilities", ("agency", "role", "task", "start"),
          keys=(("task", "tasks"), ("agency", AGENCY_IDS))),
    Table("targets", "targets", ("id", "metric", "indicator", "year", "start"), fts="text", form="tgt:"),
    Table("citations", "citations", ("id", "ref", "relation", "number", "resolves_to", "start",
                                     "number_key", "date", "issuer_fold", "title_fold"), fts="quote",
          form="cit:"),
    # the edges no record gives (``graph.store.edges``: the others are read from their records)
    Table(edges.STORED, "edges", ("source", "target", "type", "citation")),
)
LINKED_TABLES = (
    Table("jurisdictions", "jurisdictions", ("id", "parent", "name", "short", "name_fold", "short_fold")),
    Table("agencies", "agencies", ("id", "name", "jurisdiction", "kind", "is_group")),
    Table("indicators", "indicators", ("id", "name")),
    Table("refs", "references", ("id", "number", "type", "title", "scope", "date", "number_fold",
                                 "inferred_fold")),
    Table("areas", "areas", ("id", "label")),
)
TABLES = {t.name: t for t in (*DOCUMENT_TABLES, *LINKED_TABLES)}
# tables numbering ids that rows name (``Table.keys``): an id's row, once made, stays (a
# rebuild makes them anew), so that a row naming it need not change when others do
NAMED = (AGENCY_IDS,)


def id_of(ref: str, column: str) -> str:
    """SQL reading a key column (``Table.keys``) as the id it names in ``ref``."""
    return f"(SELECT id FROM {ref} WHERE rowid = {column})"


def rows_of(ref: str, ids: str) -> str:
    """SQL of the row ids in ``ref`` of the ids ``ids`` says (``= ?``, ``IN (…)``): what a key
    column is compared with."""
    return f"(SELECT rowid FROM {ref} WHERE id {ids})"


def _replaced(rows: list[tuple[Any, ...]], at: int, value: Callable[[Any], Any]) -> list[tuple[Any, ...]]:
    """The rows with the value at ``at`` made ``value(it)`` (a key column's id made a number)."""
    return [(*r[:at], value(r[at]), *r[at + 1:]) for r in rows]
_INDEXED: dict[str, tuple[str | tuple[str, ...], ...]] = {  # table → indexed columns (ids are unique keys)
    "documents": ("type", "number", "number_inferred", "jurisdiction", "id_fold", "number_fold",
                  "inferred_fold", ("id", "jurisdiction"), "issuer_agency"),
    # (an index that begins another is left out: responsibilities by agency or task, targets by
    # metric and citations by ref are found through the longer ones below; a document's rows
    # through ``<table>_doc``)
    "responsibilities": (("task", "role"),),
    "targets": ("indicator",),
    "citations": ("number", "resolves_to", ("number_key", "ref")),  # (cited-by: a number's refs)
    edges.STORED: ("source", "target"), "jurisdictions": ("parent",), "agencies": ("name", "jurisdiction"),
    "refs": ("number", "number_fold", "inferred_fold"),
}
# indexes holding what a question orders its rows by, so that it reads no row (each row holds
# its record): an agency's roles, a reference's citations, a metric's targets. Rows of one
# document are numbered in order (``ord``) and given row ids in that order (``insert_encoded``,
# ``write_export``), so the row id every index ends with orders them as ``doc, ord`` would.
_INDEXED["responsibilities"] += (("agency", "role", "doc", "start"),)
# (the numbers cited differently, ``questions.trace.inconsistencies``, are found through the
# first: an index of their compared fields cost ~22 MB of 644 at 10,000 realistic documents, for
# ~0.35 s of a new store's build)
_INDEXED["citations"] += (("ref", "doc", "start"),)
_INDEXED["targets"] += (("metric", "doc", "start", "id"),)  # (a comparison lists the ids)
_INDEXED["documents"] += ("title_fold",)  # the titles equal to a search's query, listed first
# who-leads' order: tasks with a lead first, then by document and place in it (an index of
# these expressions, so that a common phrase's first tasks are read by walking it, not by
# sorting its tens of thousands: ``questions.match.Ranked``)
LED_FIRST = "leads = 0, doc, start, rowid"
# the calendar's order (dated deadlines first, by date; then by document and place in it, as
# who-leads), of the tasks with a deadline only
CALENDAR = "due_order, doc, start, rowid"
NAME_ORDER = "grp, doc IS NULL, doc, ord, fno"  # search's order of the names


def _fold(value: str | None) -> str | None:
    return fold_key(value) if value else None


def _short(rec: dict[str, Any]) -> str | None:
    """A unit's name without its level word ("Hậu Giang"), from the administrative map."""
    from cchc_graph.loaders import admin  # 0.4 s to read: only builds pay it

    unit = admin.units().get(rec["id"])
    return unit.short if unit else None


# columns that are no field of the record: the keys questions look records up by
_DERIVED: dict[str, Any] = {
    "quote": lambda r: (r.get("provenance") or {}).get("quote"),
    "start": lambda r: (r.get("provenance") or {}).get("start"),  # place in the document
    "leads": lambda r: len(r.get("lead") or ()),  # a task's lead agencies
    "id_fold": lambda r: fold_key(r["id"]),  # a document by a start of its id
    "number_fold": lambda r: _fold(r.get("number")),  # ... by its number, printed or inferred
    "inferred_fold": lambda r: _fold(r.get("number_inferred")),
    "title_fold": lambda r: _fold(r.get("title")),  # ... by whole words of its title
    "number_key": lambda r: number_key(r["number"]) if r.get("number") else None,  # cited numbers
    "short": _short,  # a jurisdiction by its short name
    "name_fold": lambda r: fold_key(r.get("name") or ""),
    "issuer_fold": lambda r: _fold(r.get("issuer")),  # a cited document's issuer, compared
    "short_fold": lambda r: _fold(_short(r)),
}


def recurring_start(rrule: str, issued: str | None, period_start: int | None) -> str | None:
    """The first occurrence of a yearly deadline (``rrule``) on or after the day its document
    was issued (else in the first year of its period)."""
    year = int(issued[:4]) if issued else period_start
    parts = dict(p.split("=", 1) for p in rrule.split(";"))
    if year is None or parts.get("FREQ") != "YEARLY":
        return None
    month, day = int(parts["BYMONTH"]), int(parts["BYMONTHDAY"])
    for y in (year, year + 1):
        try:
            first = date(y, month, day)
        except ValueError:
            return None
        if issued is None or first >= date.fromisoformat(issued):
            return first.isoformat()
    return None


def _due_order(task: dict[str, Any], document: dict[str, Any] | None) -> str | None:
    """A task's place in the deadline calendar: "0" and its first date when it has one (its due
    date, else the first occurrence of a yearly deadline), "1" when its deadline has no date,
    NULL when it has no deadline; so that the calendar is read in the order of an index."""
    if not (task.get("deadline") or task.get("frequency")):
        return None
    rule, document = task.get("recurrence"), document or {}
    first = task.get("due_date") or (rule and recurring_start(rule, document.get("date"),
                                                               document.get("period_start")))
    return "0" + first if first else "1"


# columns computed from a record and the document it belongs to
_IN_DOCUMENT = {"due_order": _due_order}
# searched names (``names``, ``fts_names``): each node list with the fields search reads, in order
NAME_FIELDS = {"agencies": ("name", "aliases"), "documents": ("number", "number_inferred", "title"),
               "references": ("number", "number_inferred", "title"), "indicators": ("name", "aliases")}
NAME_GROUPS = tuple(NAME_FIELDS)  # the order search lists them in


def _ddl() -> Iterator[str]:
    for name in NAMED:  # (first: the view reads them)
        yield f"CREATE TABLE IF NOT EXISTS {name} (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)"
    for t in TABLES.values():
        # (a key column INTEGER: compared with row ids, so that its index serves the comparison)
        cols = ", ".join(_column(t, c) for c in t.columns)
        yield (f"CREATE TABLE IF NOT EXISTS {t.name} (rowid INTEGER PRIMARY KEY, doc TEXT, ord INTEGER "
               f"NOT NULL, {cols}, rec BLOB NOT NULL)")
        yield f"CREATE INDEX IF NOT EXISTS {t.name}_doc ON {t.name}(doc, ord)"
        for c in _INDEXED.get(t.name, ()):
            cols = (c,) if isinstance(c, str) else c
            yield (f'CREATE INDEX IF NOT EXISTS {t.name}_{"_".join(cols)} ON {t.name}('
                   + ", ".join(f'"{x}"' for x in cols) + ")")
        if t.fts:
            # contentless: the text is the record's (``fts_field``), not stored twice
            yield (f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_{t.name} USING fts5(text, content='', "
                   f"{FTS_OPTIONS}tokenize=\"{TOKENIZER}\")")
    yield f"CREATE INDEX IF NOT EXISTS tasks_led_first ON tasks({LED_FIRST.removesuffix(', rowid')})"
    yield (f"CREATE INDEX IF NOT EXISTS tasks_calendar ON tasks({CALENDAR.removesuffix(', rowid')}) "
           "WHERE due_order IS NOT NULL")
    yield from edges.INDEXES
    yield edges.view()
    # what linking reads again when documents change, and the agencies' name keys
    yield "CREATE TABLE IF NOT EXISTS doc_keys (doc TEXT PRIMARY KEY, keys BLOB NOT NULL)"
    # the agencies each document names, one row each: a change re-merges the agencies it
    # touches from only those rows of the documents that name them (kept in agency order:
    # merging reads an agency named by thousands, its first record and the others' aliases);
    # the agency by the row of its id in ``agency_ids``, as a responsibility names it
    yield ("CREATE TABLE IF NOT EXISTS doc_agencies (agency INTEGER NOT NULL, doc TEXT NOT NULL, "
           "ord INTEGER NOT NULL, aliases TEXT, rec BLOB NOT NULL, PRIMARY KEY (agency, doc, ord)) "
           "WITHOUT ROWID")
    yield "CREATE INDEX IF NOT EXISTS doc_agencies_doc ON doc_agencies(doc, ord)"
    # each document's own resolution keys (``resolve.doc_keys``: all of them are read to resolve
    # a citation), and the jurisdictions, indicators and areas it names (kind, id), by id
    yield "CREATE TABLE IF NOT EXISTS doc_match (doc TEXT PRIMARY KEY, match BLOB NOT NULL)"
    yield ("CREATE TABLE IF NOT EXISTS doc_named (kind TEXT NOT NULL, id TEXT NOT NULL, doc TEXT NOT NULL, "
           "PRIMARY KEY (kind, id, doc)) WITHOUT ROWID")
    yield "CREATE INDEX IF NOT EXISTS doc_named_doc ON doc_named(doc)"
    yield "CREATE TABLE IF NOT EXISTS links (name TEXT PRIMARY KEY, value BLOB NOT NULL)"
    yield "CREATE TABLE IF NOT EXISTS agency_keys (key TEXT NOT NULL, agency TEXT NOT NULL)"
    yield "CREATE INDEX IF NOT EXISTS agency_keys_key ON agency_keys(key)"
    yield "CREATE INDEX IF NOT EXISTS agency_keys_agency ON agency_keys(agency)"
    yield "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)"
    # each table's zstd dictionary for its records (``encode``), made once per store
    yield "CREATE TABLE IF NOT EXISTS dictionaries (name TEXT PRIMARY KEY, data BLOB NOT NULL)"
    # the build's cache: each document's source file, what it was read as, and its normalized
    # text (``pack_text``), which every quote and span of its records points into
    yield ("CREATE TABLE IF NOT EXISTS sources (doc TEXT PRIMARY KEY, source_path TEXT NOT NULL, "
           "sha256 TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, "
           "extractor_version TEXT NOT NULL, warnings TEXT NOT NULL, gaps TEXT NOT NULL, "
           "text BLOB NOT NULL)")
    # what a build checks of every stored file, read without the pages of its text (a row
    # each): its stamp, and the warnings and gaps it reports (~2 MB at 10,000 documents)
    yield f"CREATE INDEX IF NOT EXISTS sources_stamp ON sources({SOURCE_STAMP})"
    # every name, alias, number and title search reads, in its order (grp, doc IS NULL, doc, ord, fno)
    yield ("CREATE TABLE IF NOT EXISTS names (rowid INTEGER PRIMARY KEY, grp INTEGER NOT NULL, doc TEXT, "
           "ord INTEGER NOT NULL, fno INTEGER NOT NULL, node TEXT NOT NULL, field TEXT NOT NULL, "
           "text TEXT NOT NULL)")
    yield "CREATE INDEX IF NOT EXISTS names_doc ON names(doc)"
    # search's order of the names (``questions.named``): a common phrase's first names are read
    # by walking it, not by sorting the thousands holding it (without their nodes: holding them,
    # it was chosen over names_linked to find the linked names a build rewrites)
    yield f"CREATE INDEX IF NOT EXISTS names_order ON names({NAME_ORDER})"
    # the linked records' names, rewritten when a record changes (not by a scan of every one)
    yield "CREATE INDEX IF NOT EXISTS names_linked ON names(grp, node) WHERE doc IS NULL"
    # (contentless, as the others: the names' texts are in ``names``; a row leaves it told the
    # text it was given, ``database.forget_names``)
    yield (f"CREATE VIRTUAL TABLE IF NOT EXISTS fts_names USING fts5(text, content='', {FTS_OPTIONS}"
           f"tokenize=\"{TOKENIZER}\")")


def _column(t: Table, c: str) -> str:
    """A column's declaration in ``t``'s CREATE statement."""
    if c == "id" and t.form:
        return f'"given_id" TEXT, "id" TEXT GENERATED ALWAYS AS (coalesce(given_id, {t.formed()})) ' \
            "VIRTUAL UNIQUE"
    # (a key column INTEGER: compared with row ids, so that its index serves the comparison)
    return f'"{c}"' + (" UNIQUE" if c == "id" else " INTEGER" if c in dict(t.keys) else "")


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, CREATE statement) of each index beside the tables' keys: a new file is faster
    filled without them, then indexed."""
    return [(stmt.split()[5], stmt) for stmt in _ddl() if stmt.startswith("CREATE INDEX")]
