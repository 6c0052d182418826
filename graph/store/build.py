"""The store (``.cchc/`` by default): one SQLite file, ``cchc.sqlite`` (``database.py``).

It holds the graph as the export's records (one table per list), what linking reads again
(``doc_keys``, ``links``), and the build's cache: each document's source file, its content
hash and its facts (``sources``). A build extracts new and changed files only (on every core),
replaces their rows, links again only what they touch and rewrites only the rows that linking
changed, all in one transaction: a build killed at any moment leaves the previous store,
readers go on reading during a build (WAL), and a lock file keeps two builds apart.

A store of the earlier file layout (``manifest.json``, ``facts/``, ``graphs/``) is imported by
``cchc rebuild`` (``rebuild``), which re-reads the source files its manifest lists; anything
else on such a store says so. ``docs/store.md`` describes the file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store.linking import Part, document_part, link, resolve_body
from cchc_graph.graph.store.parallel import extract_all
from cchc_graph.graph.store.relink import patch_unchanged, sync_linked
from cchc_graph.loaders.model import EXTRACTOR_VERSION, SCHEMA_VERSION, DocumentFacts, from_dict
from cchc_graph.loaders.pipeline import doc_id_for
from cchc_graph.loaders.read import REPORTED, SUPPORTED, LoadError, ReadOptions

DEFAULT_STORE = ".cchc"
LOCK_WAIT_S = 0.0  # builds from the CLI fail at once when another build holds the lock
DERIVED = "derived"  # files made from one version of the graph (its N-Triples), named by it
LEGACY = ("manifest.json", "facts", "graphs", "graph.json")  # the earlier file layout
# files that describe a folder rather than belong to the corpus
_NOT_DOCUMENTS = {"README", "LICENSE", "CHANGELOG", "CONTRIBUTING", "NOTICE"}
_EXTENSIONS = SUPPORTED.keys() | REPORTED


class StoreError(Exception):
    """The store is missing, locked, damaged, or of another schema version."""


@dataclass(slots=True)
class BuildReport:
    loaded: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    kept: list[str] = field(default_factory=list)  # failed now, previous version kept
    warnings: list[str] = field(default_factory=list)
    gaps: Counter[str] = field(default_factory=Counter)  # kind → what was not understood
    documents: int = 0
    written: bool = False  # False: nothing loaded, the store was left as it was


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a whole file that readers see complete or not at all."""
    with atomic_open(path) as f:
        f.write(data)


@contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A file to write in steps, renamed into place only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def iter_inputs(paths: list[str | Path]) -> Iterator[Path]:
    """Files named directly, and supported files found under folders (sorted as paths)."""
    for p in map(Path, paths):
        if not p.is_dir():
            yield p
            continue
        found = []
        for folder, _, names in os.walk(p, followlinks=True):
            for name in names:
                stem, ext = os.path.splitext(name)
                if (ext.lower() in _EXTENSIONS and not name.startswith(".")
                        and stem.upper() not in _NOT_DOCUMENTS):
                    found.append(os.path.join(folder, name))
        for f in sorted(found, key=lambda f: f.split(os.sep)):  # the order of Path comparison
            yield Path(f)


@dataclass(slots=True)
class Source:
    """A stored document's row of ``sources``, without its facts."""

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
    facts: bytes  # the facts as zlib-compressed JSON
    part: Part  # its records, keys and agencies (``linking.document_part``)


def keep(doc_id: str, path: Path, facts: DocumentFacts) -> Extracted:
    """What the build keeps of a document's facts (run where it was extracted)."""
    # orjson writes dataclasses field by field as to_dict does, without the copy
    return Extracted(facts.meta.sha256, facts.extractor_version, list(facts.warnings),
                     dict(Counter(g.kind for g in facts.gaps)), zlib.compress(orjson.dumps(facts), 6),
                     document_part(facts))


class Store:
    def __init__(self, root: str | Path = DEFAULT_STORE) -> None:
        self.root = Path(root)

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self.root / db.DB_NAME

    def exists(self) -> bool:
        """Whether a store is here (of this layout or the earlier one)."""
        return self.path.exists() or (self.root / LEGACY[0]).exists()

    def _legacy(self) -> str | None:
        """What to do with a store of the earlier file layout, when this is one."""
        if self.path.exists() or not (self.root / LEGACY[0]).exists():
            return None
        return (f"{self.root}: a store of the earlier file layout (manifest.json); import it once "
                f"with 'cchc rebuild --store {self.root}' (re-reads the source files it lists)")

    def connect(self) -> sqlite3.Connection:
        """A read-only connection to the store, checked: its layout and graph schema are this
        cchc's. Read inside ``database.snapshot(conn)`` to see one build's state throughout."""
        if (message := self._legacy()) is not None:
            raise StoreError(message)
        if not self.path.exists():
            raise StoreError(f"{self.root}: no graph here yet; run 'cchc build PATH' first")
        try:
            conn = db.connect(self.path, readonly=True)
            self._check(conn)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: unreadable store ({e}); build it again into a new "
                             f"folder") from e
        return conn

    def _check(self, conn: sqlite3.Connection) -> None:
        """Refuse a store of another layout or graph schema, saying what to do."""
        layout = conn.execute("PRAGMA user_version").fetchone()[0]
        row = conn.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone() if layout else None
        found = (layout, int(row[0]) if row else 0)
        if found == (db.SCHEMA_VERSION, SCHEMA_VERSION):
            return
        if found > (db.SCHEMA_VERSION, SCHEMA_VERSION):
            raise StoreError(f"{self.root}: written by a newer cchc (store {found[0]}, graph schema "
                             f"{found[1]}); upgrade cchc-graph to read it")
        raise StoreError(f"{self.root}: store {found[0]}, graph schema {found[1]}, this cchc reads "
                         f"{db.SCHEMA_VERSION}, {SCHEMA_VERSION}; migrate it with 'cchc rebuild "
                         f"--store {self.root}' (re-reads its source files)")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        conn = self.connect()
        try:
            with db.snapshot(conn):
                yield conn
        finally:
            conn.close()

    def version(self) -> str | None:
        """An identifier of the committed graph, new with every build or upload that changes
        it (None: no store yet). Cheap: servers compare it to know when to read again."""
        if not self.path.exists():
            return None
        conn = db.connect(self.path, readonly=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        except sqlite3.DatabaseError:
            return None
        finally:
            conn.close()
        return row[0] if row else None

    @property
    def graph_version(self) -> str:
        """The graph's version (``version``): files derived from it carry it in their name."""
        v = self.version()
        if v is None:
            raise StoreError(self._legacy() or f"{self.root}: no graph here yet; run 'cchc build PATH' first")
        return v

    def derived_path(self, name: str) -> Path:
        """Where a file made from the current graph goes (``name`` starts with its version);
        the next build removes it."""
        return self.root / DERIVED / name

    def read_export(self) -> dict[str, Any]:
        """The stored graph in the JSON export schema."""
        with self._reading() as conn:
            return db.read_export(conn, SCHEMA_VERSION)

    load_export = read_export  # the name readers used before the SQLite store

    def sources(self) -> list[str]:
        """The source files of the stored documents (what ``rebuild`` re-reads)."""
        if self._legacy() is not None:
            manifest = orjson.loads((self.root / LEGACY[0]).read_bytes())
            return sorted(e["source_path"] for e in manifest["documents"].values())
        if not self.path.exists():
            return []
        conn = db.connect(self.path, readonly=True)
        try:
            return [r[0] for r in conn.execute("SELECT source_path FROM sources ORDER BY source_path")]
        finally:
            conn.close()

    def load_facts(self, doc_id: str) -> DocumentFacts:
        """A stored document's facts."""
        with self._reading() as conn:
            row = conn.execute("SELECT facts FROM sources WHERE doc = ?", (doc_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.root}: no document {doc_id!r} in the store")
        try:
            return from_dict(DocumentFacts, orjson.loads(zlib.decompress(row[0])))
        except (zlib.error, ValueError, TypeError, KeyError) as e:
            raise StoreError(f"{self.path}: stored facts of {doc_id} unreadable ({e}); run "
                             f"'cchc rebuild --store {self.root}'") from e

    @contextmanager
    def lock(self, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as f:
            deadline = time.monotonic() + wait_s
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as e:
                    if time.monotonic() >= deadline:
                        raise StoreError(f"{self.root}: another build is writing this store") from e
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def build(self, paths: list[str | Path], add: bool = False,
              options: ReadOptions | None = None, wait_s: float = LOCK_WAIT_S,
              migrate: bool = False, use_cache: bool = True,
              progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Load documents (reusing the facts of unchanged files) and update the graph.

        Without ``add`` the store holds exactly the documents of ``paths``; a file that fails
        now but was stored before keeps its stored version (reported in ``kept``). When no
        file loads at all, nothing is written. ``migrate`` accepts a store of an older schema
        or of the earlier file layout (written anew); ``use_cache=False`` extracts every file
        afresh. New and changed files are extracted on every core; ``progress(done, total)``
        follows. Only what the new and changed files touch is linked and written again.
        """
        with self.lock(wait_s):
            legacy = self._legacy()
            if legacy is not None and not migrate:
                raise StoreError(legacy)
            fresh = legacy is not None or self._stale(migrate)
            old = {} if fresh else self._read_sources()
            report, new, entries = self._extract(paths, old, use_cache, options, progress)
            if not report.loaded and not report.cached:
                report.documents = len(old)
                return report  # nothing new: leave the store exactly as it was
            docs = (old.keys() | entries.keys()) if add else entries.keys()
            if fresh:
                self._start_afresh()
            conn = db.connect(self.path)
            try:
                conn.execute("PRAGMA cache_size = -65536")  # 64 MB: the indexes of a large build
                with db.transaction(conn):
                    version = self._write(conn, old, entries, new, set(docs))
            finally:
                conn.close()
            report.documents = len(docs)
            report.written = True
            self._collect_garbage(version)
        return report

    def rebuild(self, options: ReadOptions | None = None,
                progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Extract every stored document afresh from its source file (after an upgrade of cchc,
        or to import a store of the earlier layout); a document whose source is gone keeps its
        stored version (not one of the earlier layout: it is reported skipped)."""
        return self.build(self.sources(), options=options, migrate=True, use_cache=False, progress=progress)

    def _stale(self, migrate: bool) -> bool:
        """Whether the store must be written anew (another schema: only ``migrate`` may)."""
        if not self.path.exists():
            return False
        try:
            conn = self.connect()
        except StoreError as e:
            if migrate and "newer cchc" not in str(e):
                return True
            raise
        conn.close()
        return False

    def _start_afresh(self) -> None:
        """Remove a store file of another schema before writing the new one."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _read_sources(self) -> dict[str, Source]:
        if not self.path.exists():
            return {}
        conn = db.connect(self.path, readonly=True)
        try:
            return {r[0]: Source(r[1], r[2], r[3], r[4], r[5], orjson.loads(r[6]), orjson.loads(r[7]))
                    for r in conn.execute("SELECT doc, source_path, sha256, size, mtime_ns, "
                                          "extractor_version, warnings, gaps FROM sources")}
        finally:
            conn.close()

    def _extract(self, paths: list[str | Path], old: dict[str, Source], use_cache: bool,
                 options: ReadOptions | None, progress: Callable[[int, int], None] | None
                 ) -> tuple[BuildReport, dict[str, Extracted], dict[str, Source]]:
        """Read the inputs: the report, what was extracted, every document's source row."""
        report = BuildReport()
        inputs = [(path, doc_id_for(path)) for path in iter_inputs(paths)]
        # (what was extracted, why not, the cached source row): cached ones first
        outcomes: dict[int, tuple[Extracted | None, str | None, Source | None]] = {}
        for i, (path, doc_id) in enumerate(inputs):
            try:
                entry = _cached(path, old.get(doc_id) if use_cache else None)
            except LoadError as e:
                outcomes[i] = (None, e.problem, None)
                continue
            if entry is not None:
                outcomes[i] = (None, None, entry)
        pending = [i for i in range(len(inputs)) if i not in outcomes]
        extracted = extract_all([inputs[i] for i in pending], options, keep)
        if progress:
            progress(len(outcomes), len(inputs))
        for i, (kept, reason) in zip(pending, extracted, strict=True):
            outcomes[i] = (kept, reason, None)
            if progress:
                progress(len(outcomes), len(inputs))
        new: dict[str, Extracted] = {}
        entries: dict[str, Source] = {}
        for i, (path, doc_id) in enumerate(inputs):
            got, reason, entry = outcomes[i]
            if entry is not None:
                entries[doc_id] = entry
                report.cached.append(str(path))
                report.warnings.extend(entry.warnings)
                report.gaps.update(entry.gaps)
            elif got is None:  # one bad file never stops the others
                if doc_id in old:
                    entries[doc_id] = old[doc_id]
                    report.kept.append(str(path))
                    reason = f"{reason}; the version already stored is kept"
                report.skipped.append((str(path), reason or ""))
            else:
                report.loaded.append(str(path))
                report.warnings.extend(got.warnings)
                report.gaps.update(got.gaps)
                st = path.stat()
                entries[doc_id] = Source(str(path), got.sha256, st.st_size, st.st_mtime_ns,
                                         got.extractor_version, got.warnings, got.gaps)
                new[doc_id] = got
        return report, new, entries

    def _write(self, conn: sqlite3.Connection, old: dict[str, Source], entries: dict[str, Source],
               new: dict[str, Extracted], docs: set[str]) -> str:
        """Replace the rows of new and removed documents, link, and write what linking changed;
        returns the new version. The caller holds the transaction."""
        removed = old.keys() - docs
        changed = new.keys() | removed
        for d in sorted(changed):
            db.delete_document(conn, d)
        conn.executemany("DELETE FROM sources WHERE doc = ?", ((d,) for d in sorted(changed)))
        conn.executemany("DELETE FROM doc_keys WHERE doc = ?", ((d,) for d in sorted(changed)))
        conn.executemany(
            "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((d, s.source_path, s.sha256, s.size, s.mtime_ns, s.extractor_version, orjson.dumps(s.warnings),
              orjson.dumps(s.gaps), new[d].facts) for d, s in sorted(entries.items()) if d in new))
        conn.executemany(  # unchanged files that moved or were touched: their new path and stamp
            "UPDATE sources SET source_path = ?, size = ?, mtime_ns = ? WHERE doc = ?",
            ((s.source_path, s.size, s.mtime_ns, d) for d, s in sorted(entries.items())
             if d not in new and s != old.get(d)))
        conn.executemany("INSERT INTO doc_keys VALUES (?, ?, ?)",
                         ((d, orjson.dumps(new[d].part["keys"]), orjson.dumps(new[d].part["agencies"]))
                          for d in sorted(new)))
        keys = [orjson.loads(k) for (k,) in conn.execute("SELECT keys FROM doc_keys ORDER BY doc")]
        whole = not (docs - new.keys())  # every document is new: link from nothing

        def agencies_of(d: str) -> list[dict]:
            if d in new:
                return new[d].part["agencies"]
            row = conn.execute("SELECT agencies FROM doc_keys WHERE doc = ?", (d,)).fetchone()
            return orjson.loads(row[0])

        before = None if whole else _previous(conn)
        links = link(keys, agencies_of, before, None if whole else changed)
        for d in sorted(new):
            db.insert_body(conn, resolve_body(new[d].part["body"], links))
        if before is not None:
            patch_unchanged(conn, before, links, changed,
                            lambda: {c["id"]: c["ref"] for k in keys for c in k["citations"]})
        sync_linked(conn, links, _agency_keys)
        version = secrets.token_hex(8)
        conn.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", [
            ("version", version), ("schema", str(SCHEMA_VERSION)),
            ("resolution", orjson.dumps(links["resolution"]).decode()),
            ("inferred", orjson.dumps(links["inferred"]).decode())])
        return version

    def _collect_garbage(self, version: str) -> None:
        """After a commit: files derived from older graphs, and the earlier layout's files."""
        folder = self.root / DERIVED
        for f in folder.iterdir() if folder.is_dir() else ():
            if not f.name.startswith(version):
                f.unlink(missing_ok=True)
        for name in LEGACY:
            p = self.root / name
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def _previous(conn: sqlite3.Connection) -> dict[str, Any]:
    """The links as stored: what an incremental ``link`` starts from."""
    meta = dict(conn.execute("SELECT name, value FROM meta WHERE name IN ('resolution', 'inferred')"))
    return {"resolution": orjson.loads(meta.get("resolution", "{}")),
            "inferred": orjson.loads(meta.get("inferred", "{}")),
            "agencies": db.records(conn, "agencies", "doc IS NULL")}


def _agency_keys(agency: dict[str, Any]) -> list[str]:
    """The folded names an agency is found by (its name and aliases)."""
    from cchc_graph.graph.questions.index import expand_query  # graph/questions imports the store

    return [expand_query(n) for n in [agency["name"], *agency["aliases"]]]


def _cached(path: Path, entry: Source | None) -> Source | None:
    """The stored source row (updated) when the file is unchanged (same bytes, path and
    extractor), else None.

    A file whose size and modification time (ns) are those stored is taken as unchanged
    without reading it, as make and git do; otherwise its bytes are hashed."""
    if not entry or entry.extractor_version != EXTRACTOR_VERSION or entry.source_path != str(path):
        return None
    try:
        st = path.stat()
        same = (entry.size, entry.mtime_ns) == (st.st_size, st.st_mtime_ns)
        sha = entry.sha256 if same else hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise LoadError(path, f"cannot read file ({e.strerror or e})") from e
    if sha != entry.sha256:
        return None
    return Source(str(path), sha, st.st_size, st.st_mtime_ns, entry.extractor_version, entry.warnings,
                  entry.gaps)
