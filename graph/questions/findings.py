"""The audit's findings kept in the store, found again by each build for what it changed.

A whole-corpus audit of 10,000 documents finds ~290,000 findings in ~16 s. A build keeps them
in the ``findings`` table, in the audit's order (``checks.FINDING_ORDER``), with their counts
by document (``finding_counts``), so that an audit is a read; all but the task rules' and the
unresolved citations' (~250,000 of them), which an audit reads from their records
(``checks.READ``): only counted here.
A build that starts from kept findings (the meta row ``findings`` names the data version
they are of) records what it changes (temporary triggers: the documents whose rows it writes
or patches, the merged agencies, the references and the replacing citations it touches) and
finds again, for each check, only the units those can move (``_plan``); any other build finds
them all. Either way in the build's transaction: readers see the findings of the data they read.
A new store's are found while its file is compacted and kept in the compacted copy before it
is put in place (``find``, ``keep_found``).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from cchc_graph.graph.questions.checks import (
    READ,
    READ_RULES,
    RESTS_ON,
    RULE_NAMES,
    RULES,
    SEVERITIES,
    SUPERSEDES,
    Violation,
    order_key,
)
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.questions.tables import IN_LIST, KEPT, json_list, words_list
from cchc_graph.graph.store import database as db

DDL = (
    # kind: the check (checks.RULES); unit: the document, reference or agency it was found for
    # (NULL: the corpus); tie: the unit, then the finding's place among the unit's
    "CREATE TABLE IF NOT EXISTS findings (rowid INTEGER PRIMARY KEY, kind TEXT NOT NULL, unit TEXT, "
    "sev INTEGER NOT NULL, rule INTEGER NOT NULL, document TEXT NOT NULL, start INTEGER NOT NULL, "
    "tie TEXT NOT NULL, rec BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS findings_order ON findings(sev, rule, document, start, tie)",
    "CREATE INDEX IF NOT EXISTS findings_document ON findings(document, sev, rule, start, tie)",
    "CREATE INDEX IF NOT EXISTS findings_unit ON findings(kind, unit)",
    # who reports to whom (the circles join each report_to line to its task's leads): ~3 % of
    # the rows; made here, so that a store built before it has it from its next build
    "CREATE INDEX IF NOT EXISTS responsibilities_report ON responsibilities(task, agency) "
    "WHERE role = 'report_to'",
    # what replaces or repeals a reference (a base superseded): a few rows among the thousands
    # citing a national reference; the audit's condition is this one, word for word
    "CREATE INDEX IF NOT EXISTS citations_superseding ON citations(ref) WHERE relation IN "
    + words_list(SUPERSEDES),
    # how many of each rule and severity each document has: an audit's summary and groups
    # count these (tens of thousands of rows, not hundreds of thousands)
    "CREATE TABLE IF NOT EXISTS finding_counts (document TEXT NOT NULL, sev INTEGER NOT NULL, "
    "rule INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (document, sev, rule)) WITHOUT ROWID",
    # ... and by severity and rule, in the audit's order: an audit's parts counted without a sort
    "CREATE INDEX IF NOT EXISTS finding_counts_order ON finding_counts(sev, rule, n)",
    # the records each rule read from them finds, in the audit's order
    *(f"CREATE INDEX IF NOT EXISTS {r.index} ON {r.table}({r.columns}) WHERE {r.where}"
      for r in {r.index: r for r in READ.values() if r.made}.values()),
)
# the checks whose findings are kept (the others' are read from their records)
STORED = tuple(name for name, check in RULES.items() if not set(check.rules) <= READ_RULES)
# the checks a store holds findings of, each found from the one before in the index on kind
# (``findings_unit``): the build looks at a few entries, where a scan of the findings (~70,000
# at 10,000 documents) was ~25 ms of every build
KINDS = ("WITH RECURSIVE k(kind) AS (SELECT min(kind) FROM findings UNION ALL "
         "SELECT (SELECT min(kind) FROM findings WHERE kind > k.kind) FROM k WHERE k.kind IS NOT NULL) "
         "SELECT kind FROM k WHERE kind IS NOT NULL")
SAMPLES = 2_000  # findings a new store's dictionary for them is made from


# what a build's writes tell, by table: (events, SQL of the row — OLD or NEW — giving (kind, key))
_DOCUMENT = ("SELECT 'document', {r}.doc",)
_CHANGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    **{t: (("INSERT", "DELETE", "UPDATE OF rec"), _DOCUMENT) for t in ("documents", "tasks")},
    # (a document's targets are what the documents implementing it are compared with)
    "targets": (("INSERT", "DELETE", "UPDATE OF rec"), (*_DOCUMENT, "SELECT 'targets', {r}.doc")),
    # (a reporting line joins a task's leads to the agencies it reports to: each such row, as
    # it was and as it is, tells whether the lines between agencies moved)
    "responsibilities": (("INSERT", "DELETE", "UPDATE OF rec"),
                         (*_DOCUMENT,
                          "SELECT {sign}, " + db.id_of("tasks", "{r}.task") + " || char(31) || {r}.role "
                          "|| char(31) || " + db.id_of(db.AGENCY_IDS, "{r}.agency") + " "
                          "WHERE {r}.role IN ('lead', 'report_to')")),
    # (a reference's citations are compared with each other: each row as it was and as it is
    # tells whether they moved; a document written again with the same citations moves none)
    "citations": (("INSERT", "DELETE", "UPDATE OF rec"),
                  (*_DOCUMENT, "SELECT {sign} || ' citation', {r}.ref || char(31) || hex({r}.rec)",
                   "SELECT 'superseding', {r}.ref WHERE {r}.relation IN " + words_list(SUPERSEDES))),
    "agencies": (("INSERT", "DELETE", "UPDATE OF rec"), ("SELECT 'agency', {r}.id",)),
}


def track(conn: sqlite3.Connection) -> bool:
    """At the start of a build's transaction: whether the kept findings are of the stored data;
    then what the build changes is recorded (on this connection only) for ``refresh``."""
    for stmt in DDL:
        conn.execute(stmt)
    if not conn.execute(KEPT).fetchone():
        return False
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS audit_changed (kind TEXT, key TEXT, UNIQUE (kind, key))")
    for table, (events, rows) in _CHANGES.items():
        for event in events:
            for r in ("OLD",) if event == "DELETE" else ("NEW",) if event == "INSERT" else ("OLD", "NEW"):
                name = f"audit_{table}_{event.split()[0].lower()}_{r.lower()}"
                sign = "'was'" if r == "OLD" else "'is'"  # the row as it was, or as it is
                body = " ".join(f"INSERT OR IGNORE INTO audit_changed {q.format(r=r, sign=sign)};"
                                for q in rows)
                conn.execute(f"CREATE TEMP TRIGGER IF NOT EXISTS {name} AFTER {event} ON main.{table} "
                             f"BEGIN {body} END")
    return True


def keep(conn: sqlite3.Connection, tracked: bool, version: str) -> str | None:
    """``refresh``, or (a check failing on some data) no findings kept: the build goes on and
    the audit finds them when asked; what went wrong, for the build's warnings."""
    conn.execute("SAVEPOINT findings")
    try:
        refresh(conn, tracked, version)
    except Exception as e:  # a derived table's fault must not stop the documents being stored
        conn.execute("ROLLBACK TO findings")
        conn.execute("RELEASE findings")
        conn.execute("DELETE FROM meta WHERE name = 'findings'")
        return _not_kept(e)
    conn.execute("RELEASE findings")
    return None


def _not_kept(e: Exception) -> str:
    return (f"kiểm tra không lưu sẵn / audit findings not kept ({type(e).__name__}: {e}); "
            "cchc audit finds them when asked")


Found = dict[str, list[tuple[Any, ...]]]  # each kept check's findings as rows (``_rows``)


def find(conn: sqlite3.Connection) -> Found | str:
    """Every kept check's findings on the data as committed, read only (a new store: found
    while its file is compacted, then kept in the compacted file by ``keep_found``), or what
    went wrong (``keep``)."""
    c = Corpus(conn)
    try:
        return {name: list(_rows(name, RULES[name].run(c, None))) for name in STORED}
    except Exception as e:  # (as ``keep``)
        return _not_kept(e)


def keep_found(conn: sqlite3.Connection, found: Found | str, version: str) -> str | None:
    """Keep what ``find`` found on the data of ``version`` (its own transaction, in a store
    holding none), as ``refresh`` keeps all; what went wrong, if anything did."""
    if isinstance(found, str):
        return found
    try:
        with db.transaction(conn):
            for name, rows in found.items():
                _insert(conn, name, iter(rows))
            _count(conn, None)
            conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('findings', ?)", (version,))
    except Exception as e:  # (rolled back: the audit finds them when asked)
        return _not_kept(e)
    return None


def refresh(conn: sqlite3.Connection, tracked: bool, version: str) -> None:
    """Make the findings those of the data as written (the build's ``version``): again for
    what changed when ``tracked``, else all; then their counts by document."""
    c = Corpus(conn)
    # (a store kept the task rules' findings before they were read from the tasks)
    for (kind,) in conn.execute(KINDS).fetchall():
        if kind not in STORED:
            conn.execute("DELETE FROM findings WHERE kind = ?", (kind,))
    if tracked:
        changed = _changes(conn)
        plan = _plan(c, changed)
        touched: set[str] | None = set(changed.get("document", ()))  # (their tasks: counted again)
    else:
        conn.execute("DELETE FROM findings")
        plan, touched = dict.fromkeys(STORED), None
    for name, units in plan.items():
        if units is not None and not units:
            continue
        where, params = ("kind = ?", (name,)) if units is None else (f"kind = ? AND unit {IN_LIST}",
                                                                     (name, json_list(units)))
        if touched is not None:  # the documents whose findings go
            touched |= {d for (d,) in conn.execute(f"SELECT DISTINCT document FROM findings WHERE {where}",
                                                   params)}
        conn.execute(f"DELETE FROM findings WHERE {where}", params)
        written = _write(conn, name, RULES[name].run(c, None if units is None else sorted(units)))
        if touched is not None:
            touched |= written
    _count(conn, touched)
    conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('findings', ?)", (version,))


def _changes(conn: sqlite3.Connection) -> dict[str, set[str]]:
    """What the build's writes recorded (``track``), by kind; the recording ends."""
    changed: dict[str, set[str]] = {}
    for kind, key in conn.execute("SELECT kind, key FROM temp.audit_changed"):
        changed.setdefault(kind, set()).add(key)
    for (name,) in conn.execute("SELECT name FROM sqlite_temp_master WHERE type = 'trigger' "
                                "AND name LIKE 'audit_%'").fetchall():
        conn.execute(f"DROP TRIGGER temp.{name}")
    conn.execute("DROP TABLE temp.audit_changed")
    return changed


def _count(conn: sqlite3.Connection, documents: set[str] | None) -> None:
    """The findings counted by document, rule and severity again: of ``documents`` (None: all)."""
    among, params = (f" WHERE document {IN_LIST}", (json_list(sorted(documents)),)) if documents is not None \
        else ("", ())
    conn.execute(f"DELETE FROM finding_counts{among}", params)
    conn.execute("INSERT INTO finding_counts (document, sev, rule, n) SELECT document, sev, rule, count(*) "
                 f"FROM findings{among} GROUP BY document, sev, rule", params)
    of_docs = f" AND doc {IN_LIST}" if documents is not None else ""
    for (rule, severity), read in READ.items():
        conn.execute("INSERT INTO finding_counts (document, sev, rule, n) SELECT doc, ?, ?, count(*) "
                     f"FROM {read.table} WHERE {read.cond}{of_docs} GROUP BY doc",
                     (SEVERITIES.index(severity), RULE_NAMES.index(rule), *params))


def _unit(name: str, v: Violation) -> str | None:
    unit = RULES[name].unit
    return v.document if unit == "document" else v.entity if unit in ("ref", "agency") else None


def _rows(name: str, found: Iterable[Violation]) -> Iterator[tuple[Any, ...]]:
    """A check's findings as rows, each unit's in the order the check found them."""
    seen: dict[str | None, int] = {}
    for v in found:
        unit = _unit(name, v)
        n = seen[unit] = seen.get(unit, -1) + 1
        yield (name, unit, *order_key(v), f"{unit or ''}\x1f{n:08d}", orjson.dumps(v))


def dictionary_of(check: str) -> str:
    """The name of the dictionary a check's findings are compressed with: one a check, as each
    check's findings share their own long strings (one dictionary for all, trained on the first
    check's, left the others' 2.6x as large: 12.6 → 4.8 MB at 10,000 documents). A store whose
    findings were written with one dictionary (``findings``) reads them: each record names its
    dictionary."""
    return f"findings.{check}"


def _write(conn: sqlite3.Connection, name: str, found: Iterable[Violation]) -> set[str]:
    """Insert a check's findings; the documents they are of."""
    return _insert(conn, name, _rows(name, found))


def _insert(conn: sqlite3.Connection, name: str, rows: Iterator[tuple[Any, ...]]) -> set[str]:
    """Insert a check's findings' rows (``_rows``); the documents they are of."""
    dictionary = dictionary_of(name)
    head = [r for _, r in zip(range(SAMPLES), rows, strict=False)]
    db.train(conn, dictionary, [r[-1] for r in head])  # (a store has one: kept)
    documents: set[str] = set()

    def packed(r: tuple[Any, ...]) -> tuple[Any, ...]:
        documents.add(r[4])
        return (*r[:-1], db.pack(conn, dictionary, r[-1]))
    conn.executemany("INSERT INTO findings (kind, unit, sev, rule, document, start, tie, rec) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", map(packed, itertools.chain(head, rows)))
    return documents


def _plan(c: Corpus, changed: dict[str, set[str]]) -> dict[str, set[str] | None]:
    """For each check, the units whose findings the changes can move (None: all of them)."""
    docs, agencies = changed.get("document", set()), changed.get("agency", set())
    d = json_list(sorted(docs))

    def of(sql: str, *params: Any) -> set[str]:
        return {x for (x,) in c.rows(sql, params)}

    # a cascade reads its parents' targets (a parent whose number or resolution alone changed
    # compares the same); a basis is superseded by what replaces or repeals the reference it
    # cites (their documents' dates). (The rules read from records are counted again for the
    # documents written: an unresolved citation is a warning when its scope is a loaded
    # jurisdiction, one of its own document's, which names the scopes it cites.)
    children = of(f"SELECT DISTINCT doc FROM citations WHERE resolves_to {IN_LIST}",
                  json_list(sorted(changed.get("targets", ()))))
    ended = changed.get("superseding", set()) | of(
        f"SELECT ref FROM citations WHERE doc {IN_LIST} AND relation IN {words_list(SUPERSEDES)}", d)
    resting = of(f"SELECT DISTINCT doc FROM citations WHERE ref {IN_LIST} AND relation IN "
                 f"{words_list(RESTS_ON)}", json_list(sorted(ended))) if ended else set()
    # a circle can appear only where the lines between agencies moved; one found can change
    # with any line of it (its first line's place) or an agency's name
    was, now = changed.get("was", set()), changed.get("is", set())
    lines = any(row.split("\x1f")[1] == "report_to" for row in was | now)  # any written
    found = c.rows("SELECT 1 FROM findings WHERE kind = 'report_cycles' LIMIT 1")
    circles = _lines(was) != _lines(now) or (found and (lines or agencies))
    return {"report_cycles": None if circles else set(),
            "cascade": docs | children,
            "target_owner": docs,
            "inconsistent": _refs(changed.get("was citation", set()) ^ changed.get("is citation", set())),
            "superseded": docs | resting,
            "agencies": agencies}


def _refs(rows: Iterable[str]) -> set[str]:
    """The references of some citation rows (ref, record)."""
    return {row.split("\x1f")[0] for row in rows}


def _lines(rows: Iterable[str]) -> set[tuple[str, str]]:
    """The (lead, receiver) agency pairs of some tasks' ``lead`` and ``report_to`` rows
    (task, role, agency), as the audit's circles join them."""
    tasks: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        task, role, agency = row.split("\x1f")
        tasks.setdefault(task, {}).setdefault(role, set()).add(agency)
    return {(lead, to) for roles in tasks.values() for lead in roles.get("lead", ())
            for to in roles.get("report_to", ()) if lead != to}
