"""The corpus the questions read: the store's SQLite database, one snapshot per question.

A :class:`Database` opens the store's ``cchc.sqlite`` read-only; each question (a CLI command,
an HTTP request) reads one :class:`Corpus`, a read transaction, so a build committing meanwhile
is never seen half-way. The corpus looks records up by id (``c.tasks[tid]``: one indexed
SELECT), by agency, task, document and reference, in the export's order
(``database.EXPORT_ORDER``); nothing is loaded or prepared before the first question.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from cchc_graph.graph.questions.display import TYPE_NAMES as TYPE_NAMES  # (re-exported)
from cchc_graph.graph.questions.display import document_label, short
from cchc_graph.graph.questions.display import section_label as section_label  # (re-exported)
from cchc_graph.graph.questions.display import source_place as source_place  # (re-exported)
from cchc_graph.graph.questions.suggest import (
    agency_choices,
    document_choices,
    hint,
    jurisdiction_choices,
    nearest,
)
from cchc_graph.graph.questions.tables import (
    EXPORT_ORDER,
    IN_LIST,
    ByDocument,
    Grouped,
    Records,
    Selected,
    json_list,
)
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import edges
from cchc_graph.keys import expand_query, fold, fold_key
from cchc_graph.loaders.schema import SCHEMA_VERSION, Provenance

ROLES = ("lead", "cooperate", "standing", "report_to", "supervise", "advise")
ROLE_LABELS = {"lead": "chủ trì", "cooperate": "phối hợp", "standing": "thường trực",
               "report_to": "nhận báo cáo", "supervise": "giám sát", "advise": "tham mưu"}


# the export's node lists (the typed graph's nodes, in its order) and their tables
NODE_TABLES = {"documents": "documents", "jurisdictions": "jurisdictions", "agencies": "agencies",
               "tasks": "tasks", "targets": "targets", "indicators": "indicators", "references": "refs",
               "areas": "areas"}
# answers' keys kept by a server (Corpus.kept): a broad answer's thousands of ids (the largest,
# a phrase's tasks, the calendar, the citations, keep only the windows read)
ANSWERS_KEPT = 64
MMAP_BYTES = 1 << 32  # a reader maps up to this much of the database (address space, not memory)
COUNTERS = 2  # counts read apart at once by an open store (``Corpus.count_apart``)
T = TypeVar("T")
_LABEL_FIELDS = ("type", "number", "number_inferred", "date", "period_start", "period_end", "title",
                 "jurisdiction", "scope")
# what names a node of each other table, in the order looked in: a column, else a field of the
# record (a target: the start of its text)
_LABELS = (("agencies", "name"), ("tasks", "title"), ("targets", "text"), ("indicators", "name"),
           ("jurisdictions", "name"), ("areas", "label"))
_IN_RECORD = {"tasks", "targets"}  # (their records' fields)


class NotFound(LookupError):
    """A name or id that matches nothing in the corpus; the message says what was asked."""

    def __str__(self) -> str:  # LookupError would quote the message like a dict key
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class AgencyRef:
    id: str
    name: str
    jurisdiction: str | None
    kind: str | None
    is_group: bool


@dataclass(frozen=True, slots=True)
class DocRef:
    id: str
    type: str | None
    number: str | None
    title: str | None
    jurisdiction: str | None
    in_corpus: bool


def prov(p: dict[str, Any] | None) -> Provenance | None:
    return Provenance(**p) if p else None


def agency_keys(agencies: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """Each agency's name keys (its name and aliases, ``expand_query``): the store's ``agency_keys``."""
    return {a["id"]: [expand_query(n) for n in [a["name"], *(a.get("aliases") or [])]] for a in agencies}


class Database:
    """A store's database, opened for questions: each reads a snapshot (``snapshot()``), and
    what questions derive from one generation of the data (``Corpus.derived``) is kept until
    a build commits the next (the store's ``meta`` row ``version``, new with each build)."""

    IDLE = 8  # connections kept open between questions

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(self.path)
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._memo: tuple[str | None, dict[Any, Any]] = ("", {})
        self._inode = self.path.stat().st_ino
        self._counting = threading.BoundedSemaphore(COUNTERS)
        self._asked = self._asking = 0  # snapshots taken, and open now (``_apart``)

    def _take(self) -> sqlite3.Connection:
        inode = self.path.stat().st_ino  # a database replaced whole (renamed into place)
        with self._lock:
            if inode != self._inode:
                for conn in self._idle:
                    conn.close()
                self._idle, self._inode, self._memo = [], inode, ("", {})
            if self._idle:
                return self._idle.pop()
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                               isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        # pages read where the OS keeps them, not copied into each connection's cache: answers
        # touch rows all over the tables (a phrase's tasks in every document)
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        return conn

    def _give(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if len(self._idle) < self.IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def _memo_of(self, generation: str | None) -> dict[Any, Any]:
        with self._lock:  # (a database without a version is kept as long as its file)
            if self._memo[0] != generation:
                self._memo = (generation, {"version": (self._inode, generation)})
            return self._memo[1]

    @contextmanager
    def snapshot(self) -> Iterator[Corpus]:
        """The corpus as one read transaction sees it."""
        conn, c = self._take(), None
        with self._lock:
            self._asked, self._asking = self._asked + 1, self._asking + 1
        try:
            conn.execute("BEGIN")
            generation = self._generation(conn)
            apart = None if generation is None else partial(self._apart, generation)
            c = Corpus(conn, self._memo_of(generation), apart)
            yield c
        finally:
            if c is not None:
                c.release()
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._give(conn)
            with self._lock:
                self._asking -= 1

    @staticmethod
    def _generation(conn: sqlite3.Connection) -> str | None:
        """The data's version as this read transaction sees it (each build commits a new one)."""
        row = conn.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        return None if row is None else str(row[0])

    def _apart(self, generation: str, sql: str, params: Sequence[Any]) -> Apart | None:
        """A count started on a thread and a connection of its own (``_count_in``); None, and
        the question counts itself, for the store's first question (a one-shot command: a new
        connection reads the schema first, ~5 ms, what the count apart would save) and while
        other questions are being answered (a busy server: no core is idle to count on)."""
        with self._lock:
            busy = self._asked < 2 or self._asking > 1
        if busy or not self._counting.acquire(blocking=False):
            return None

        def run() -> int | None:
            try:
                return self._count_in(generation, sql, tuple(params))
            finally:
                self._counting.release()
        return Apart(run)

    def _count_in(self, generation: str, sql: str, params: tuple[Any, ...]) -> int | None:
        """A count read by a read transaction of its own, if it sees the data of ``generation``
        (else None: a build committed since, and the snapshot asking counts it itself)."""
        conn = self._take()
        try:
            conn.execute("BEGIN")
            if self._generation(conn) != generation:
                return None
            return int(conn.execute(sql, params).fetchone()[0])
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._give(conn)

    def close(self) -> None:
        for _ in range(COUNTERS):  # (the counts being read end first: their connections come back)
            self._counting.acquire()
        with self._lock:
            for conn in self._idle:
                conn.close()
            self._idle = []
        for _ in range(COUNTERS):
            self._counting.release()


class Apart:
    """A count read on a thread of its own (``Database._apart``); ``result`` waits for it.
    (A plain thread, not ``concurrent.futures``: importing that costs a one-shot command ~10 ms.)"""

    def __init__(self, run: Callable[[], int | None]) -> None:
        self._got: int | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(run,), name="cchc-count", daemon=True)
        self._thread.start()

    def _run(self, run: Callable[[], int | None]) -> None:
        try:
            self._got = run()
        except BaseException as e:  # (raised where the count is awaited)
            self._error = e

    def result(self) -> int | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._got


class Corpus:
    """The resolved corpus with lookups by id, by agency, task, document and reference."""

    def __init__(self, conn: sqlite3.Connection, memo: dict[Any, Any] | None = None,
                 apart: Callable[[str, Sequence[Any]], Apart | None] | None = None) -> None:
        self._conn, self._apart = conn, apart
        self._lock = threading.Lock()  # one connection: its statements one at a time
        self.memo: dict[Any, Any] = {} if memo is None else memo  # derived structures
        for name, table in NODE_TABLES.items():
            setattr(self, name, Records(self, table))
        self.citations = Records(self, "citations")
        self.resp_by_agency = Grouped(self, "responsibilities", "agency")
        self.resp_by_task = Grouped(self, "responsibilities", "task")
        self.citations_by_ref = Grouped(self, "citations", "ref")
        self.by_document = ByDocument(self)
        self._of_document: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._refs: dict[tuple[str, str], Any] = {}
        self._folded: dict[str, str] = {}

    def release(self) -> None:
        """Forget what the question read (its snapshot has ended): the records and references
        go at once. (Its views refer back to it: left to the cyclic garbage collector, a server's
        requests' reads were freed in pauses of 20–130 ms at 10,000 documents, every thread
        waiting.)"""
        for name in [k for k, v in vars(self).items() if isinstance(v, (Records, Grouped, ByDocument))]:
            delattr(self, name)
        self._of_document, self._refs, self._folded = {}, {}, {}

    documents: Records
    references: Records
    agencies: Records
    tasks: Records
    targets: Records
    indicators: Records
    jurisdictions: Records
    areas: Records

    @classmethod
    def from_export(cls, export: dict[str, Any]) -> Corpus:
        """A corpus of an export held in memory (the Neo4j backend's answers, tests)."""
        conn = db.connect(":memory:")
        with db.transaction(conn):
            db.write_export(conn, export, agency_keys(export.get("agencies") or []))
        conn.isolation_level = None
        return cls(conn)

    @property
    def export(self) -> dict[str, Any]:
        """The whole JSON export, as this snapshot holds it (the exports read it)."""
        with self._lock:
            return db.read_export(self._conn, SCHEMA_VERSION)

    @contextmanager
    def streamed_export(self) -> Iterator[db.StoredExport]:
        """``export`` with its lists read as they are iterated (``db.StoredExport``): written
        without being held. The corpus is busy meanwhile."""
        with self._lock:
            yield db.StoredExport(self._conn, SCHEMA_VERSION)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The rows of one SQL statement."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def count_apart(self, sql: str, params: Sequence[Any] = ()) -> Callable[[], int] | None:
        """A count (an SQL statement giving one number) started now on another connection that
        reads the same data, so that it runs while this one reads a page of answers (SQLite
        leaves Python's lock while it steps); the function returned gives it. None when it is
        not started: a corpus in memory, the store's first question, other questions being
        answered (``Database._apart``). Counted on this connection after all if a build
        committed since this snapshot began."""
        apart = self._apart(sql, params) if self._apart is not None else None
        if apart is None:
            return None

        def result() -> int:
            got = apart.result()
            return got if got is not None else int(self.rows(sql, params)[0][0])
        return result

    def runs(self, sql: str, params: Sequence[Any], size: int) -> Iterator[list[Any]]:
        """The rows of one SQL statement, ``size`` at a time as iterated (one snapshot, however
        long the reader takes: the corpus's)."""
        with self._lock:
            cursor = self._conn.execute(sql, params)
        while True:
            with self._lock:
                run = cursor.fetchmany(size)
            if not run:
                return
            yield run

    def decode(self, blob: bytes) -> dict[str, Any]:
        """A stored record (``database.decode``)."""
        return self._unpacked(db.decode, blob)

    def text(self, blob: bytes) -> str:
        """A stored document text (``database.unpack_text``)."""
        return self._unpacked(db.unpack_text, blob)

    def _unpacked(self, read: Callable[..., T], blob: bytes) -> T:
        """``read(blob)``, the dictionary it was compressed with read on this connection when
        this process first meets it."""
        try:
            return read(blob)
        except LookupError:
            with self._lock:
                return read(blob, self._conn)

    def recs(self, table: str, where: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """A table's records meeting an SQL condition, in the export's order."""
        sql = f"SELECT rec FROM {table}" + (f" WHERE {where}" if where else "")
        return [self.decode(r) for (r,) in self.rows(f"{sql} ORDER BY {EXPORT_ORDER}", params)]

    def each(self, table: str) -> Iterator[dict[str, Any]]:
        """Every record of a table, in the export's order, read as iterated: a question over the
        whole corpus holds a run of them at a time."""
        for run in self.runs(f"SELECT rec FROM {table} ORDER BY {EXPORT_ORDER}", (), 500):
            for (r,) in run:
                yield self.decode(r)

    def by_rowid(self, table: str, rowid: int) -> dict[str, Any]:
        """The record of one row (questions order rows by SQL, then read those shown)."""
        return self.decode(self.rows(f"SELECT rec FROM {table} WHERE rowid = ?", (rowid,))[0][0])

    def of_document(self, kind: str, doc: str) -> list[dict[str, Any]]:
        """A document's ``tasks``, ``targets`` or ``citations``, in its order."""
        got = self._of_document.get((kind, doc))
        if got is None:
            got = self._of_document[(kind, doc)] = getattr(self, kind).where("doc = ?", (doc,))
        return got

    def jurisdiction_of(self, doc: str) -> str | None:
        """A corpus document's jurisdiction (None for none, or no such document)."""
        if ("where", doc) not in self._refs:
            rows = self.rows("SELECT jurisdiction FROM documents WHERE id = ?", (doc,))
            self._refs[("where", doc)] = rows[0][0] if rows else None
        return self._refs[("where", doc)]

    def folded(self, text: str) -> str:
        """``fold(text)``, computed once per distinct text (queries scan the same texts)."""
        f = self._folded.get(text)
        if f is None:
            f = self._folded[text] = fold(text)
        return f

    def kept(self, key: Any, build: Callable[[], T]) -> T:
        """The keys of an answer (their order decided by SQL), kept for the data's generation
        with the ANSWERS_KEPT latest: a client paging through an answer asks it again."""
        with self.memo.setdefault("answers lock", threading.Lock()):
            kept = self.memo.setdefault("answers", OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
        value = build()
        with self.memo["answers lock"]:
            kept[key] = value
            while len(kept) > ANSWERS_KEPT:
                kept.popitem(last=False)
        return value

    def derived(self, key: Any, build: Callable[[], T]) -> T:
        """A structure derived from the corpus, built on first use and kept as long as the
        data it was built from (``memo``: the database's generation)."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    def label_records(self) -> dict[str, dict[str, Any]]:
        """What document labels read of every cited document and document (a document's over
        its reference's), in that order."""
        recs: dict[str, dict[str, Any]] = {}
        for table, fields in (("refs", "type, number, NULL, date, NULL, NULL, title, NULL, scope"),
                              ("documents", "type, number, number_inferred, date, period_start, period_end, "
                                            "title, jurisdiction, NULL")):
            for did, *values in self.rows(f"SELECT id, {fields} FROM {table} ORDER BY {EXPORT_ORDER}"):
                recs[did] = dict(zip(_LABEL_FIELDS, values, strict=True))
        return recs

    def has_node(self, nid: str) -> bool:
        """Whether ``nid`` is a node of the typed graph: a record, or an edge's end."""
        return any(nid in getattr(self, name) for name in NODE_TABLES) or bool(
            self.rows(f"SELECT 1 FROM ({edges.select(('doc',), '{source} = ?1')} UNION ALL "
                      f"{edges.select(('doc',), '{target} = ?1')}) LIMIT 1", (nid,)))

    # --- references to nodes ---------------------------------------------------------------

    def agency_ref(self, aid: str) -> AgencyRef:
        if ("agency", aid) not in self._refs:
            self.read_refs(agencies=(aid,))
        return self._refs[("agency", aid)]

    def doc_ref(self, did: str) -> DocRef:
        if ("document", did) not in self._refs:
            self.read_refs(documents=(did,))
        return self._refs[("document", did)]

    def read_refs(self, documents: Iterable[str] = (), agencies: Iterable[str] = ()) -> None:
        """Read at once the references to many documents (corpus documents, else cited ones)
        and agencies: those a page of answers names."""
        docs = sorted({d for d in documents if ("document", d) not in self._refs})
        got: dict[str, DocRef] = {}
        for did, kind, number, inferred, title, where, in_corpus in self.rows(
                f"SELECT id, type, number, number_inferred, title, jurisdiction, 1 FROM documents WHERE id "
                f"{IN_LIST} UNION ALL SELECT id, type, number, NULL, title, scope, 0 FROM refs WHERE id "
                f"{IN_LIST}", (json_list(docs),) * 2) if docs else ():
            if in_corpus or did not in got:
                got[did] = DocRef(did, kind, number or inferred, title, where, bool(in_corpus))
        none = DocRef("", None, None, None, None, False)
        self._refs.update((("document", d), got.get(d) or replace(none, id=d)) for d in docs)
        ids = sorted({a for a in agencies if ("agency", a) not in self._refs})
        rows = self.rows(f"SELECT id, name, jurisdiction, kind, is_group FROM agencies WHERE id {IN_LIST}",
                         (json_list(ids),)) if ids else []
        found = {aid: AgencyRef(aid, name, jur, kind, bool(group)) for aid, name, jur, kind, group in rows}
        self._refs.update((("agency", a), found.get(a) or AgencyRef(a, a, None, None, False)) for a in ids)

    def label(self, nid: str) -> str:
        """A short human name for any node id."""
        doc = self.rows("SELECT type, number, number_inferred, title FROM documents WHERE id = ?1 UNION ALL "
                        "SELECT type, number, NULL, title FROM refs WHERE id = ?1", (nid,))
        if doc:
            return document_label(nid, *doc[0])
        for table, field in _LABELS:
            column = "rec" if table in _IN_RECORD else field
            rows = self.rows(f"SELECT {column} FROM {table} WHERE id = ?", (nid,))
            if rows and table in _IN_RECORD:
                value = self.decode(rows[0][0]).get(field) or nid
                return value[:120] if table == "targets" else value
            if rows:
                return rows[0][0] or nid
        return nid

    def task_title(self, tid: str) -> str:
        """A task's title, or the start of its text when the title only names an agency (duties
        listed under an agency's heading)."""
        t = self.tasks[tid]
        key = expand_query(t["title"])
        if ("name", key) not in self._refs:
            self._refs[("name", key)] = bool(self.rows("SELECT 1 FROM agency_keys WHERE key = ? LIMIT 1",
                                                       (key,)))
        return short(t["text"]) if self._refs[("name", key)] else t["title"]

    def read_tasks(self, tids: Sequence[str], roles: bool = True) -> None:
        """Read at once what answering about many tasks reads: the tasks, their roles (else
        their leads' agencies only), their documents and agencies, whether their titles name
        agencies."""
        tasks = self.tasks.where(f"id {IN_LIST}", (json_list(tids),))
        if roles:
            self.resp_by_task.read(tids)
        agencies = [r["agency"] for t in tids for r in self.resp_by_task[t]] if roles else [
            a for t in tasks for a in t.get("lead") or ()]
        self.read_refs([t["document"] for t in tasks], agencies)
        keys = {expand_query(t["title"]) for t in tasks}
        named = {k for (k,) in self.rows(f"SELECT DISTINCT key FROM agency_keys WHERE key {IN_LIST}",
                                         (json_list(keys),))}
        self._refs.update((("name", k), k in named) for k in keys)

    # --- lookups by name -------------------------------------------------------------------

    def jurisdiction_scope(self, query: str | None) -> set[str] | None:
        """Ids of the jurisdictions a name or id stands for, with the units inside them."""
        if not query:
            return None
        q = expand_query(query)
        hits = [j for (j,) in self.rows("SELECT id FROM jurisdictions WHERE id = ?1 OR name_fold = ?2 "
                                        "OR short_fold = ?2", (query, q))]
        if not hits:
            raise NotFound(f"không có địa bàn / no jurisdiction matches {query!r}"
                           + hint(nearest(query, jurisdiction_choices(self))))
        return {j for (j,) in self.rows(
            "WITH RECURSIVE inside(id) AS (SELECT value FROM json_each(?) UNION "
            "SELECT j.id FROM jurisdictions j JOIN inside ON j.parent = inside.id) SELECT id FROM inside",
            (json_list(hits),))}

    def ids_in(self, table: str, jurisdiction: str | None) -> Sequence[str]:
        """The ids of a table's rows (documents, agencies) in a jurisdiction's scope (None:
        all), sorted: a window at a time in the order of the ids' index, counted apart (the
        windows read kept for the data's version: a client pages through thousands)."""
        scope = self.jurisdiction_scope(jurisdiction)
        where = "1" if scope is None else f"jurisdiction {IN_LIST}"
        params = () if scope is None else (json_list(sorted(scope)),)
        return Selected(self, f"SELECT id FROM {table} WHERE {where} ORDER BY id", params, lambda r: r[0],
                        f"SELECT count(*) FROM {table} WHERE {where}", self.kept((table, jurisdiction), dict))

    def find_agencies(self, query: str, jurisdiction: str | None = None) -> list[str]:
        """Agency ids matching a name or alias, diacritics-insensitively; the best tier only:
        a name equal to the query, else one it starts, else one holding its words."""
        q = expand_query(query)
        if not q:
            raise NotFound("tên cơ quan trống / empty agency name")
        # (kept for the data's version: a common name is thousands of agencies, ~3 ms to list)
        found = self.kept(("agencies named", q, jurisdiction), lambda: self._agencies_named(q, jurisdiction))
        if not found:
            raise NotFound(f"không có cơ quan / no agency matches {query!r}"
                           + (f" in {jurisdiction!r}" if jurisdiction else "")
                           + hint(nearest(query, agency_choices(self))))
        return list(found)

    def _agencies_named(self, q: str, jurisdiction: str | None) -> list[str]:
        scope = self.jurisdiction_scope(jurisdiction)
        within = "" if scope is None else " AND a.jurisdiction IN (SELECT value FROM json_each(?2))"
        params = (q,) if scope is None else (q, json_list(scope))
        found = self.rows("SELECT DISTINCT a.id, a.name FROM agency_keys k JOIN agencies a "
                          f"ON a.id = k.agency WHERE k.key = ?1{within}", params)
        if not found:  # no name equal to it: names it starts, else names holding its words
            tier = ("CASE WHEN substr(k.key, 1, length(?1) + 1) = ?1 || ' ' THEN 2 "
                    "WHEN instr(' ' || k.key || ' ', ' ' || ?1 || ' ') THEN 1 ELSE 0 END")
            scored = self.rows(f"SELECT a.id, a.name, max({tier}) AS s FROM agency_keys k JOIN agencies a "
                               f"ON a.id = k.agency WHERE 1{within} GROUP BY a.id HAVING s > 0", params)
            best = max((s for _, _, s in scored), default=0)
            found = [(a, name) for a, name, s in scored if s == best]
        return [a for a, _ in sorted(found, key=lambda x: (x[1], x[0]))]

    def _document_hits(self, query: str) -> tuple[list[str], str]:
        """The documents a query names, and by what: a start of their id, their number (cited
        documents too), whole words of their title; the first kind that names any."""
        q = fold_key(query)
        if not q:
            return [], ""
        by_id = self.rows("SELECT id FROM documents WHERE id_fold >= ?1 AND id_fold < ?1 || char(127)", (q,))
        if by_id:
            return [d for (d,) in by_id], "mã / id"
        by_number = self.rows("SELECT id FROM documents WHERE number_fold = ?1 OR inferred_fold = ?1 UNION "
                              "SELECT id FROM refs WHERE number_fold = ?1 OR inferred_fold = ?1", (q,))
        if by_number:
            return [d for (d,) in by_number], "số hiệu / number"
        by_title = self.rows("SELECT id FROM documents WHERE "
                             "instr(' ' || title_fold || ' ', ' ' || ? || ' ')", (q,))
        return [d for (d,) in by_title], "trích yếu / title"

    def find_document(self, query: str) -> str:
        """A document id from its id, a unique id prefix, its number or inferred number, or
        whole words of its title; several matches or none raise ``NotFound`` saying which."""
        if query in self.documents or query in self.references:
            return query
        hits, why = self._document_hits(query)
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise NotFound(f"không có văn bản / no document matches {query!r}"
                           + hint(nearest(query, document_choices(self))))
        raise NotFound(f"{query!r} khớp {why} của {len(hits)} văn bản / matches the {why.split('/ ')[-1]} "
                       f"of {len(hits)} documents; nêu rõ hơn / be more specific: "
                       + "; ".join(f"{d} ({short(self.label(d), 70)})" for d in sorted(hits)[:10])
                       + (" …" if len(hits) > 10 else ""))

    def named_document(self, query: str) -> str | None:
        """The one document or cited document a query names (as ``find_document``), else None."""
        if query in self.documents or query in self.references:
            return query
        hits, _ = self._document_hits(query)
        return hits[0] if len(hits) == 1 else None

    def resolve_entity(self, query: str) -> str:
        """Any node id as given, else a document (id, number, title), else one agency by name."""
        if self.has_node(query):
            return query
        hits, _ = self._document_hits(query)
        if len(hits) == 1:
            return hits[0]
        try:
            agencies = self.find_agencies(query)
        except NotFound:
            names = [*nearest(query, document_choices(self), 3), *nearest(query, agency_choices(self), 3)]
            raise NotFound(f"không có văn bản, cơ quan hay mã nút / no document, agency or node id "
                           f"matches {query!r}" + hint(names)) from None
        if len(agencies) > 1:
            raise NotFound(f"{query!r} khớp {len(agencies)} cơ quan / matches {len(agencies)} agencies; "
                           "dùng mã / use an id: "
                           + "; ".join(f"{a} ({self.agency_ref(a).name})" for a in agencies[:10]))
        return agencies[0]
