"""One build's write: a single transaction over the store's file (``database.py``).

Documents are written as they come out of extraction (their rows made in the worker:
``keep``), citations unresolved; then the documents are linked (only what the change touches
when the store held others), and the rows linking moved are patched. On an existing store the
transaction is on the live file: readers go on reading the previous state (WAL), and a build
killed at any moment leaves it. A new store, or one of another schema, is written into
``<file>.new`` without journal and renamed into place once whole: its secondary indexes made on
a thread while linking computes, then compacted into a copy while the audit's findings are
found, which are kept in the copy. Otherwise, last, the audit's findings are found again for
what the build changed (``graph/questions/findings.py``: the audit's own checks keep their
answers, as the FTS tables keep the texts' words).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from cchc_graph.graph.questions import findings
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store import delta
from cchc_graph.graph.store.linking import document_part, link, resolve_body
from cchc_graph.graph.store.relink import patch_unchanged, sync_linked
from cchc_graph.graph.store.resolve import INCREMENTAL_MAX
from cchc_graph.keys import expand_query
from cchc_graph.loaders import admin
from cchc_graph.loaders.model import SCHEMA_VERSION, DocumentFacts

_UNLINKED = {"resolution": {}, "inferred": {}}
# the tables a document may have no rows of (a corpus may begin with decisions that assign no
# task): one the first documents gave no records is trained from the first that give it some
# (``Writer.late``)
_LATE = (*(t.name for t in db.DOCUMENT_TABLES), "doc_agencies")
_KEYS = {"doc_agencies": ("agency", "doc", "ord")}  # (a table without row ids: its primary key)
# the dictionaries the processes extracting compress with (``Keep``)
_SHARED = (*_LATE, db.TEXTS)
# the tables whose dictionaries are made from a new store's first documents (the keys are
# compressed by the build: it holds them as JSON for linking)
_TRAINED = (*_SHARED, "doc_keys")
MAX_PARAMS = 30_000  # SQLite's limit on an SQL statement's parameters is 32,766


@dataclass(slots=True)
class Source:
    """A stored document's row of ``sources``, without its text."""

    source_path: str
    sha256: str
    size: int
    mtime_ns: int
    extractor_version: str
    warnings: list[str]
    gaps: dict[str, int]


@dataclass(slots=True)
class Extracted:
    """What a build keeps of a newly extracted document (made in the worker, sent back)."""

    sha256: str
    extractor_version: str
    warnings: list[str]
    gaps: dict[str, int]  # kind → count
    text: str | bytes  # its normalized text (str), or as the store keeps it (bytes: ``Keep``)
    keys: bytes  # what linking reads (``document_part``'s keys), as JSON
    match: bytes  # of these, what citations are resolved by (its ``doc`` keys), as JSON
    named: list[tuple[str, str]]  # the jurisdictions, indicators and areas it names (kind, id)
    agencies: list[tuple[str, str | None, bytes]]  # the agencies it names: (id, aliases, record)
    rows: db.Encoded  # its rows, citations unresolved (records JSON, or compressed: ``Keep``)


def keep(doc_id: str, path: Path, facts: DocumentFacts) -> Extracted:
    """What the build keeps of a document's facts (run where it was extracted, so that the
    build itself only inserts)."""
    part = document_part(facts)
    return Extracted(facts.meta.sha256, facts.extractor_version, list(facts.warnings),
                     dict(Counter(g.kind for g in facts.gaps)), facts.text,
                     orjson.dumps(part["keys"]), orjson.dumps(part["keys"]["doc"]), delta.named(part["keys"]),
                     [(a["id"], orjson.dumps(a["aliases"]).decode() if a["aliases"] else None,
                       orjson.dumps(a)) for a in part["agencies"]],
                     db.encode_body(resolve_body(part["body"], _UNLINKED), facts.text))


@dataclass(frozen=True, slots=True)
class Keep:
    """``keep`` for a build's workers: once the build has shared its store's dictionaries
    (``Writer.shared``), a document's records, agencies and text are sent compressed with them,
    which the build's process then only inserts (zstd there, between the workers' turns on the
    cores, took ~2.5x the CPU it takes beside the extraction)."""

    shared: Path | None = None

    def __call__(self, doc_id: str, path: Path, facts: DocumentFacts) -> Extracted:
        got = keep(doc_id, path, facts)
        codecs = db.shared(self.shared) if self.shared else None
        return _compressed(got, codecs) if codecs else got


def _compressed(got: Extracted, codecs: dict[str, db.Codec]) -> Extracted:
    """``got`` with its records, agencies and text compressed as the store keeps them."""
    for t in db.DOCUMENT_TABLES:
        rows, texts = got.rows[t.name]
        codec = codecs.get(t.name)
        if codec and rows:
            got.rows[t.name] = (codec.pack_rows(rows), texts)
    agencies = codecs.get("doc_agencies")
    if agencies:
        got.agencies = [(a, aliases, agencies.pack(rec)) for a, aliases, rec in got.agencies]
    text = codecs.get(db.TEXTS)
    if text:
        got.text = text.pack(got.text.encode())  # (bytes: compressed; ``_write``)
    return got


class Writer:
    """The build's one transaction, begun when the first document is written."""

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path, self.fresh = path, fresh
        self.conn: sqlite3.Connection | None = None
        self.rowids: dict[str, int] = {}
        self.numbered: dict[str, int] = {}  # the agency ids numbered so far (``agency_ids``' row ids)
        self.new: set[str] = set()
        self.before = delta.Before()  # what the documents replaced or removed held
        # the first documents, held until the tables' dictionaries are made from them (a new store)
        self.pending: list[tuple[str, Extracted, Source, bool]] | None = None
        # the records of the tables still without a dictionary once the first documents made
        # theirs (``_LATE``), gathered from the documents that have some until there are
        # ``TRAIN_DOCUMENTS`` such documents (the build's end if it comes first); the number of them
        self.late: dict[str, tuple[list[bytes], int]] = {}
        self.tracked = False  # whether the audit's kept findings are found again for what changes only
        self.problem: str | None = None  # why the audit's findings could not be kept, if they could not
        # every stored document's match keys, when read ahead (``prepare``), kept as doc_match is
        self.match: dict[str, dict[str, Any]] | None = None
        # a new store's documents' keys and agencies (id, aliases, record) as written, which
        # linking reads: held rather than read back and decompressed when the build ends, while
        # one core waits (~45 MB held at 10,000 documents)
        self.held: dict[str, tuple[bytes, list[tuple[str, str | None, bytes]]]] | None = {} if fresh else None
        self.indexing: _Background | None = None  # a new file's secondary indexes, being made
        # where the store's dictionaries are written for the build's workers once it has them all
        # (``Keep``): a name of this build's own, which no worker of another build reads
        self.shared = path.with_name(f"{path.name}.dicts-{secrets.token_hex(8)}")

    @property
    def _target(self) -> Path:
        return self.path.with_name(self.path.name + ".new") if self.fresh else self.path

    def _open(self) -> sqlite3.Connection:
        if self.conn is None:
            for left in (".new", ".compact"):  # a killed new store's files (builds take turns)
                self.path.with_name(self.path.name + left).unlink(missing_ok=True)
            for left in self.path.parent.glob(f"{self.path.name}.dicts-*"):  # a killed build's
                if left.name != self.shared.name:
                    left.unlink(missing_ok=True)
            conn = db.connect(self._target, bulk=self.fresh)
            conn.execute("PRAGMA cache_size = -65536")  # 64 MB: the indexes of a large build
            conn.execute("BEGIN IMMEDIATE")
            for name, stmt in db.secondary_indexes():
                # a new file: made once the rows are in (finish); a store made before an index
                # was added to the schema gets it
                conn.execute(f"DROP INDEX {name}" if self.fresh else stmt)
            if not set(_TRAINED) <= db.learn(conn).keys():
                self.pending = []
            else:
                db.share(conn, self.shared, _SHARED)
            self.tracked = findings.track(conn)
            self.conn = conn
        return self.conn

    def prepare(self, documents: int) -> None:
        """Read now what writing ``documents`` new or changed documents and linking them will
        read, while they are extracted in other processes. For a small change of a stored
        corpus (linked over what it touches): the administrative map its citations' places are
        matched with, and every document's match keys (~30 ms at 10,000 documents)."""
        if self.fresh or not documents or documents > INCREMENTAL_MAX:
            return
        admin.units()  # (``resolve.same_place`` reads it)
        self.match = {d: orjson.loads(m) for d, m in self._open().execute("SELECT doc, match FROM doc_match")}

    def document(self, doc: str, got: Extracted, src: Source, stored: bool) -> None:
        """Replace a document's rows by those just extracted (``stored``: it has rows)."""
        conn = self._open()
        if self.pending is not None:
            self.pending.append((doc, got, src, stored))
            if len(self.pending) >= db.TRAIN_DOCUMENTS:
                self._train()
            return
        self._write(conn, doc, got, src, stored)

    def _train(self) -> None:
        """Make the dictionaries a table has not from the documents held, then write them."""
        conn, pending, self.pending = self._open(), self.pending or [], None
        untrained = db.untrained(conn, _LATE)
        db.train_documents(conn, [got.rows for _, got, _, _ in pending])
        db.train(conn, "doc_agencies", [rec for _, got, _, _ in pending for _, _, rec in got.agencies])
        db.train(conn, "doc_keys", [got.keys for _, got, _, _ in pending])
        # (the documents held came before the dictionaries were shared: their texts are str)
        db.train(conn, db.TEXTS, [got.text.encode() for _, got, _, _ in pending])  # type: ignore[union-attr]
        db.share(conn, self.shared, _SHARED)
        _compress_stored(conn, untrained)  # (in a new store: none written yet)
        # (a table none of them has rows of: trained once documents with some come, ``_sample``)
        self.late = {t: ([], 0) for t in db.untrained(conn, _LATE)}
        for args in pending:
            self._write(conn, *args)

    def _write(self, conn: sqlite3.Connection, doc: str, got: Extracted, src: Source, stored: bool) -> None:
        if stored and not self.fresh and doc not in self.new:
            self.before.remember(conn, doc)
        if stored or doc in self.new:
            _delete(conn, doc)
        conn.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (doc, src.source_path, src.sha256, src.size, src.mtime_ns, src.extractor_version,
                      orjson.dumps(src.warnings), orjson.dumps(src.gaps),
                      got.text if isinstance(got.text, bytes) else db.pack_text(got.text, conn)))
        conn.execute("INSERT INTO doc_keys VALUES (?, ?)", (doc, db.pack(conn, "doc_keys", got.keys)))
        conn.execute("INSERT INTO doc_match VALUES (?, ?)", (doc, got.match))
        if self.match is not None:
            self.match[doc] = orjson.loads(got.match)
        if self.held is not None:
            self.held[doc] = (got.keys, got.agencies)
        conn.executemany("INSERT INTO doc_named (doc, kind, id) VALUES (?, ?, ?)",
                         ((doc, k, i) for k, i in got.named))
        # (an agency's number stays its own: ``agency_ids`` rows are only ever added)
        new = {a for a, _, _ in got.agencies if a not in self.numbered}
        if new:
            self.numbered.update(db.named(conn, db.AGENCY_IDS, new))
        number = self.numbered
        conn.executemany("INSERT INTO doc_agencies (doc, ord, agency, aliases, rec) VALUES (?, ?, ?, ?, ?)",
                         ((doc, i, number[a], aliases, db.pack(conn, "doc_agencies", rec))
                          for i, (a, aliases, rec) in enumerate(got.agencies)))
        # (the agencies its responsibilities name are among those it names: numbered once)
        db.insert_encoded(conn, doc, got.rows, self.rowids, {db.AGENCY_IDS: number})
        self.new.add(doc)
        if self.late:
            self._sample(conn, got)

    def _sample(self, conn: sqlite3.Connection, got: Extracted) -> None:
        """Gather a document's records of the tables still without a dictionary, and make
        those that have enough (their records written so far compressed then, and the
        dictionaries shared again)."""
        for table, (samples, documents) in list(self.late.items()):
            recs = [rec for _, _, rec in got.agencies] if table == "doc_agencies" else \
                [row[-1] for row in got.rows[table][0]]
            if recs:
                samples.extend(recs)
                self.late[table] = (samples, documents + 1)
                if documents + 1 >= db.TRAIN_DOCUMENTS:
                    self._train_late(conn, table)
                    db.share(conn, self.shared, _SHARED)

    def _train_late(self, conn: sqlite3.Connection, table: str) -> None:
        samples, _ = self.late.pop(table)
        db.train(conn, table, samples)
        _compress_stored(conn, [table])

    def finish(self, old: dict[str, Source], entries: dict[str, Source], docs: set[str]) -> str:
        """Remove the documents no longer stored, link, patch, keep the audit's findings, commit
        (a new store: put in place); returns the new version."""
        conn = self._open()
        if self.pending is not None:
            self._train()
        for table, (samples, _) in list(self.late.items()):  # (from what there is)
            if samples:
                self._train_late(conn, table)
        self.late = {}
        self.shared.unlink(missing_ok=True)  # (every document is extracted by now)
        removed = old.keys() - docs
        for d in sorted(removed):
            self.before.remember(conn, d)
            _delete(conn, d)
            if self.match is not None:
                self.match.pop(d, None)
        # unchanged files touched since: their new stamp (an entry found unchanged is the old one)
        touched = sorted(d for d, s in entries.items()
                         if s is not old.get(d) and d not in self.new and d in old and s != old[d])
        conn.executemany("UPDATE sources SET size = ?, mtime_ns = ? WHERE doc = ?",
                         ((entries[d].size, entries[d].mtime_ns, d) for d in touched))
        if self.fresh:  # (made while linking computes: ~1.3 s at 10,000 documents)
            self.indexing = _indexes(conn)
        version = self._link(conn, removed)
        self._indexed()
        if self.fresh:  # (its findings kept in the compacted file)
            conn.execute("COMMIT")
            self.conn = None
            self._put_in_place(conn, version)
            return version
        self.problem = findings.keep(conn, self.tracked, version)
        conn.execute("COMMIT")
        conn.close()
        self.conn = None
        return version

    def _link(self, conn: sqlite3.Connection, removed: set[str]) -> str:
        changed = self.new | removed
        whole = self.fresh or not conn.execute(f"SELECT 1 FROM doc_keys WHERE doc NOT {delta.IN} LIMIT 1",
                                               (orjson.dumps(sorted(self.new)).decode(),)).fetchone()
        held, self.match = self.match, None  # (freed with the linking's own)
        if not whole and len(changed) <= INCREMENTAL_MAX:  # a small change: only what it touches
            match = None if held is None else [held[d] for d in sorted(held)]
            delta.relink(conn, self.new, removed, self.before, _agency_keys, match)
        else:
            self._link_all(conn, removed, whole)
        version = secrets.token_hex(8)
        conn.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", [
            ("version", version), ("schema", str(SCHEMA_VERSION))])
        return version

    def _link_all(self, conn: sqlite3.Connection, removed: set[str], whole: bool) -> None:
        """Link every document (a new store, or a large change)."""
        stored = _UNLINKED if whole else _stored_links(conn)
        if self.held is not None:  # (a new store: every document is one just written)
            keys, agencies_of = _held(self.held)
            self.held = None
        else:
            keys = [db.decode(k, conn) for (k,) in conn.execute("SELECT keys FROM doc_keys ORDER BY doc")]
            agencies_of = _agencies(conn, None if whole else stored["agencies"], self.new | removed)
        # the rows as they are now: the new documents' citations unresolved, no number inferred
        links = link(keys, agencies_of, None if whole else stored, None if whole else self.new | removed)
        self._indexed()  # (linking's writes read through them)
        patch_unchanged(conn, stored, links, removed,
                        lambda: {c["id"]: c["ref"] for k in keys for c in k["citations"]})
        sync_linked(conn, links, _agency_keys)

    def _indexed(self) -> None:
        """Wait for the secondary indexes being made, if they are (their error raised here)."""
        indexing, self.indexing = self.indexing, None
        if indexing is not None:
            indexing.wait()

    def _compacting(self) -> _Background:
        """The new store file written again compacted beside it, on a thread, on a connection of
        its own (its b-trees, filled in the order the documents came, leave pages part-empty:
        ~3 % of the file at 10,000 documents; ~1 s there). Gives the compacted file, or, when it
        cannot be written (no room for a second file), the file as it is."""
        compact = self.path.with_name(self.path.name + ".compact")

        def compacted() -> Path:
            conn = db.connect(self._target, bulk=True)
            try:
                # (into the store's folder: a plain VACUUM would copy the file through the
                # temporary folder, then back)
                conn.execute("VACUUM INTO ?", (str(compact),))
            except sqlite3.Error:
                compact.unlink(missing_ok=True)
                return self._target
            finally:
                conn.close()
            return compact
        return _Background("cchc-compact", compacted)

    def _put_in_place(self, conn: sqlite3.Connection, version: str) -> None:
        """A new store file, whole (its data committed on ``conn``, closed here): compacted while
        the audit's findings are found on the other core, the findings kept, switched to WAL,
        on disk, and renamed over the one it replaces."""
        compacting = self._compacting()
        try:
            found = findings.find(conn)
        finally:
            written = compacting.wait()
            conn.close()
        if written != self._target:
            self._target.unlink()
        conn = db.connect(written, bulk=True)  # (not in place yet: written without journal)
        try:
            self.problem = findings.keep_found(conn, found, version)
            conn.execute("PRAGMA journal_mode=WAL")
        finally:
            conn.close()
        _synced(written)  # (written without syncs: on disk before the rename)
        if self.path.exists():  # another schema's file: its journal goes with it
            with contextlib.suppress(sqlite3.DatabaseError):
                old = sqlite3.connect(self.path)
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                old.close()
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        os.replace(written, self.path)
        _synced(self.path.parent)

    def abort(self) -> None:
        """Roll back (a new file is removed)."""
        self.shared.unlink(missing_ok=True)
        if self.indexing is not None:  # (its statement ends before the transaction does)
            self.indexing.thread.join()
            self.indexing = None
        if self.conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None
        if self.fresh:  # (and its compacted copy, if one was being written)
            self._target.unlink(missing_ok=True)
            self.path.with_name(self.path.name + ".compact").unlink(missing_ok=True)


class _Background:
    """Work on a thread of its own beside the build's Python: SQLite work, which lets go of the
    GIL while it steps, so that the two share the cores (a new store's indexes made while
    linking computes, its file compacted while the audit's findings are found)."""

    def __init__(self, name: str, work: Callable[[], Any]) -> None:
        self.error: BaseException | None = None
        self.result: Any = None
        self.thread = threading.Thread(target=self._run, args=(work,), name=name, daemon=True)
        self.thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self.result = work()
        except BaseException as e:  # (raised where the build waits for it)
            self.error = e

    def wait(self) -> Any:
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def _compress_stored(conn: sqlite3.Connection, tables: list[str]) -> None:
    """Compress the records written before their dictionary of those of ``tables`` that now
    have one."""
    made = set(tables) - set(db.untrained(conn, tuple(tables)))
    for table in sorted(made):
        db.compress_stored(conn, table, _KEYS.get(table, ("rowid",)))


def _indexes(conn: sqlite3.Connection) -> _Background:
    """A new file's secondary indexes, made on a thread (nothing else uses ``conn`` meanwhile)."""
    def made() -> None:
        for _, stmt in db.secondary_indexes():
            conn.execute(stmt)
    return _Background("cchc-indexes", made)


def _synced(path: Path) -> None:
    """Flush a file's (or a folder's entries') writes to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _delete(conn: sqlite3.Connection, doc: str) -> None:
    db.delete_document(conn, doc)
    for table in ("sources", "doc_keys", "doc_agencies", "doc_match", "doc_named"):
        conn.execute(f"DELETE FROM {table} WHERE doc = ?", (doc,))


def _held(held: dict[str, tuple[bytes, list[tuple[str, str | None, bytes]]]]
          ) -> tuple[list[dict], Callable[[str], list[dict]]]:
    """What ``link`` reads of a new store's documents held as written (``Writer.held``): their
    keys in document order (as ``doc_keys`` reads them) and each one's agencies, for merging in
    that order: an agency's record where it is first named, after that only its id and aliases,
    all merging reads of it (of 144,065 agency records at 10,000 documents, 14,390 decoded)."""
    order = sorted(held)
    keys = [orjson.loads(held[d][0]) for d in order]
    named: dict[str, list[dict]] = {}
    seen: set[str] = set()
    for d in order:
        out = named[d] = []
        for a, aliases, rec in held[d][1]:
            if a in seen:
                out.append({"id": a, "aliases": orjson.loads(aliases) if aliases else []})
            else:
                seen.add(a)
                out.append(db.decode(rec))  # (compressed by a worker, or JSON)
    return keys, lambda d: named.get(d, [])


def _agencies(conn: sqlite3.Connection, previous: list[dict] | None, changed: set[str]
              ) -> Callable[[str], list[dict]]:
    """What ``link`` reads as each document's agencies. Re-linking (``previous``: the merged
    agencies before) merges again only the agencies the changed documents name or named, so
    of the other documents only those agencies are read (linking skips the others)."""
    named: dict[str, list[dict]] = {}
    sql, params = "SELECT doc, rec FROM doc_agencies ORDER BY doc, ord", ()
    if previous is not None and len(changed) < MAX_PARAMS:
        now = ", ".join("?" * len(changed))
        touched = {a for (a,) in conn.execute(f"SELECT {db.id_of(db.AGENCY_IDS, 'agency')} FROM doc_agencies "
                                              f"WHERE doc IN ({now})", sorted(changed))}
        touched |= {a["id"] for a in previous if not changed.isdisjoint(a["documents"])}
        if len(touched) + len(changed) < MAX_PARAMS:
            among = db.rows_of(db.AGENCY_IDS, f"IN ({', '.join('?' * len(touched))})")
            sql = (f"SELECT doc, rec FROM doc_agencies WHERE agency IN {among} OR doc IN ({now}) "
                   "ORDER BY doc, ord")
            params = (*sorted(touched), *sorted(changed))
    for doc, rec in conn.execute(sql, params):
        named.setdefault(doc, []).append(db.decode(rec, conn))
    return lambda d: named.get(d, [])


def _stored_links(conn: sqlite3.Connection) -> dict[str, Any]:
    """The links as the rows hold them (the new documents' citations unresolved, no number
    inferred for them): what an incremental ``link`` starts from."""
    inferred = {}
    for doc, rec in conn.execute("SELECT id, rec FROM documents WHERE number_inferred IS NOT NULL"):
        d = db.decode(rec, conn)
        inferred[doc] = {"number": d["number_inferred"], "provenance": d["number_inferred_provenance"]}
    resolution = dict(conn.execute("SELECT id, resolves_to FROM citations WHERE resolves_to IS NOT NULL"))
    return {"resolution": resolution,
            "inferred": inferred, "agencies": db.records(conn, "agencies", "doc IS NULL")}


def _agency_keys(agency: dict[str, Any]) -> list[str]:
    """The folded names an agency is found by (its name and aliases)."""
    return [expand_query(n) for n in [agency["name"], *agency["aliases"]]]
