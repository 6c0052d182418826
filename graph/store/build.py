"""The store (``.cchc/`` by default): one SQLite file, ``cchc.sqlite`` (``database.py``).

It holds the graph as the export's records (one table per list), what linking reads again
(``doc_keys``, ``links``), and the build's cache: each document's source file, its content
hash and its normalized text (``sources``). A build extracts new and changed files only (on every core),
replaces their rows, links again only what they touch and rewrites only the rows that linking
changed, all in one transaction: a build killed at any moment leaves the previous store,
readers go on reading during a build (WAL), and a lock file keeps two builds apart.

A store of the earlier file layout (``manifest.json``, ``facts/``, ``graphs/``) is imported by
``cchc rebuild`` (``rebuild``), which re-reads the source files its manifest lists; anything
else on such a store says so. ``docs/store.md`` describes the file.
"""

from __future__ import annotations

import fcntl
import gc
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson
from cchc_graph.graph.store import database as db
from cchc_graph.loaders.schema import EXTRACTOR_VERSION, SCHEMA_VERSION

# The writer, the readers and the extractors are imported where a build uses them: a question
# opens the store (``Store.connect``) without loading them.
if TYPE_CHECKING:
    from cchc_graph.graph.store.warm import WarmExtractor
    from cchc_graph.graph.store.write import Source, Writer
    from cchc_graph.loaders.read import ReadOptions

DEFAULT_STORE = ".cchc"
LOCK_WAIT_S = 0.0  # builds from the CLI fail at once when another build holds the lock
DERIVED = "derived"  # files made from one version of the graph (its N-Triples), named by it
LEGACY = ("manifest.json", "facts", "graphs", "graph.json")  # the earlier file layout
# each stored file's row, without its text: read through the index holding these columns
# (``sources_stamp``), not the table, where each row's text fills a page
SOURCES = f"SELECT {db.SOURCE_STAMP} FROM sources"
# files that describe a folder rather than belong to the corpus
_NOT_DOCUMENTS = {"README", "LICENSE", "CHANGELOG", "CONTRIBUTING", "NOTICE"}


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
    written: bool = False  # False: nothing loaded or changed, the store was left as it was


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for a block that makes many objects and no cycles: each
    of its full passes would walk all of them again (and the modules, patterns and tables a
    process holds)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a whole file that readers see complete or not at all."""
    with atomic_open(path) as f:
        f.write(data)


@contextmanager
def atomic_open(path: Path) -> Iterator[BinaryIO]:
    """A file to write in steps, renamed into place only when the block ends without error."""
    import tempfile  # (here: a question's command never writes, and pays no import for it)

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


def input_files(paths: list[str | Path]) -> list[tuple[str, os.stat_result | None]]:
    """Files named directly, and supported files found under folders (sorted as paths), each
    spelled as ``Path`` spells it, with the status of each file found under a folder (None:
    named directly, or unreadable): a build checks 10,000 files without making a ``Path`` of
    each or looking each up again by its path."""
    from cchc_graph.loaders.read import REPORTED, SUPPORTED

    extensions = SUPPORTED.keys() | REPORTED
    out: list[tuple[str, os.stat_result | None]] = []
    for p in map(Path, paths):
        if p.is_dir():
            _walk(str(p), extensions, out)
        else:
            out.append((str(p), None))
    return out


def _walk(folder: str, extensions: set[str], out: list[tuple[str, os.stat_result | None]]) -> None:
    """The supported files under a folder in the order of their paths: a folder's entries by
    name, a subfolder's files where its name sorts (symbolic links followed, as ``os.walk``
    with ``followlinks``; an unreadable folder skipped, as it skips one)."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        # as a Path spells it: no leading "./"
        path = e.name if folder == "." else e.path
        if e.is_dir():
            _walk(path, extensions, out)
            continue
        stem, dot, ext = e.name.rpartition(".")
        if (dot and f".{ext.lower()}" in extensions and not e.name.startswith(".")
                and stem.upper() not in _NOT_DOCUMENTS):
            try:
                out.append((path, e.stat()))
            except OSError:
                out.append((path, None))  # (reading it says why)


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
        if found[0] in db.UPGRADABLE and found[1] == SCHEMA_VERSION:
            raise StoreError(f"{self.root}: store {found[0]}, this cchc reads {db.SCHEMA_VERSION}; the next "
                             f"'cchc build' into it upgrades it in place (no source file is read again)")
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
        # millions of new records, no cycle among them: the collector would rescan them
        with collector_paused(), self._reading() as conn:
            return db.read_export(conn, SCHEMA_VERSION)

    load_export = read_export  # the name readers used before the SQLite store

    @contextmanager
    def streamed_export(self) -> Iterator[db.StoredExport]:
        """The export with its lists read as they are iterated, all in one read transaction
        (``db.StoredExport``): for writing a large store's export without holding it."""
        with self._reading() as conn:
            yield db.StoredExport(conn, SCHEMA_VERSION)

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
        file loads at all, or the files are those stored, unchanged, nothing is written (the
        store keeps its version: servers keep what they derived from it). ``migrate`` accepts
        a store of an older schema or of the earlier file layout (written anew);
        ``use_cache=False`` extracts every file afresh. New and changed files are extracted on
        every core; ``progress(done, total)`` follows. Only what the new and changed files
        touch is linked and written again.
        """
        from cchc_graph.graph.store.warm import WarmExtractor
        from cchc_graph.graph.store.write import Writer

        # (the stored sources and links, a change's rows: 10,000 documents' worth of records
        # read and made, no cycle among them; paused, a one-document rebuild at 10,000 ~15% sooner)
        with WarmExtractor.started() as warm, self.lock(wait_s), collector_paused():
            legacy = self._legacy()
            if legacy is not None and not migrate:
                raise StoreError(legacy)
            try:
                upgraded, not_upgraded = legacy is None and self._upgrade(), None
            except StoreError as e:
                if not migrate:
                    raise
                upgraded, not_upgraded = False, e  # (``rebuild`` writes it anew from its files)
            fresh = legacy is not None or not self.path.exists() or self._stale(migrate)
            old = {} if fresh else self._read_sources()
            writer = Writer(self.path, fresh)
            try:
                report, entries = self._extract(paths, old, use_cache, options, progress, writer, warm)
                if upgraded:
                    report.warnings.append(f"{self.root}: upgraded in place (store {db.SCHEMA_VERSION})")
                if not_upgraded is not None:  # (the reason: the upgrade's own, or the database's)
                    reason = not_upgraded.__cause__ or not_upgraded
                    report.warnings.append(f"{self.root}: not upgraded in place ({reason}); written anew "
                                           "from its source files")
                if not report.loaded and not report.cached:
                    writer.abort()
                    report.documents = len(old)
                    return report  # nothing new: leave the store exactly as it was
                docs = (old.keys() | entries.keys()) if add else entries.keys()
                if not report.loaded and docs == old.keys() and all(entries[d] == old[d] for d in entries):
                    writer.abort()  # the same files, unchanged: the same store, and its version
                    report.documents = len(docs)
                    return report
                version = writer.finish(old, entries, set(docs))
                if writer.problem:
                    report.warnings.append(writer.problem)
            except BaseException:
                writer.abort()
                raise
            report.documents = len(docs)
            report.written = True
            self._collect_garbage(version)
        return report

    def rebuild(self, options: ReadOptions | None = None,
                progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Extract every stored document afresh from its source file (after an upgrade of cchc,
        or to import a store of the earlier layout); a document whose source is gone keeps its
        stored version (not one of another schema or layout: it is reported skipped)."""
        return self.build(self.sources(), options=options, migrate=True, use_cache=False, progress=progress)

    def _upgrade(self) -> bool:
        """Upgrade a store of the layout before this one in place (``graph.store.upgrade``);
        whether it was one."""
        if not self.path.exists():
            return False
        from cchc_graph.graph.store.upgrade import UpgradeError, upgrade

        conn = db.connect(self.path)
        try:
            return upgrade(conn)
        except UpgradeError as e:
            raise StoreError(f"{self.root}: cannot upgrade in place ({e}); 'cchc rebuild --store "
                             f"{self.root}' re-reads its source files") from e
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: unreadable store ({e}); build it again into a new folder") from e
        finally:
            conn.close()

    def _stale(self, migrate: bool) -> bool:
        """Whether the store must be written anew (another schema: only ``migrate`` may)."""
        try:
            conn = self.connect()
        except StoreError as e:
            if migrate and "newer cchc" not in str(e):
                return True
            raise
        conn.close()
        return False

    def _read_sources(self) -> dict[str, Source]:
        from cchc_graph.graph.store.write import Source

        conn = db.connect(self.path, readonly=True)
        try:
            return {r[0]: Source(r[1], r[2], r[3], r[4], r[5], orjson.loads(r[6]), orjson.loads(r[7]))
                    for r in conn.execute(SOURCES)}
        finally:
            conn.close()

    def _extract(self, paths: list[str | Path], old: dict[str, Source], use_cache: bool,
                 options: ReadOptions | None, progress: Callable[[int, int], None] | None,
                 writer: Writer, warm: WarmExtractor | None) -> tuple[BuildReport, dict[str, Source]]:
        """Read the inputs, writing each extracted document as it comes: the report, and every
        document's source row (the few new or changed ones extracted by ``warm`` if given)."""
        from cchc_graph.graph.store.parallel import extract_all
        from cchc_graph.graph.store.write import Keep, Source
        from cchc_graph.keys import doc_id_for
        from cchc_graph.loaders.read import LoadError

        report = BuildReport()
        # a stored file's id is the one it was stored under (doc_id_for of its path, by the same
        # extractor): an unchanged corpus is checked without making the ids again
        known = {s.source_path: doc for doc, s in old.items() if s.extractor_version == EXTRACTOR_VERSION}
        inputs = [(path, known.get(path) or doc_id_for(path), st) for path, st in input_files(paths)]
        entries: dict[str, Source] = {}
        pending = []
        for path, doc_id, st in inputs:  # cached ones first
            try:
                entry = _cached(path, st, old.get(doc_id) if use_cache else None)
            except LoadError as e:
                self._failed(report, path, doc_id, e.problem, old, entries)
                continue
            if entry is None:
                pending.append((path, doc_id))
                continue
            entries[doc_id] = entry
            report.cached.append(path)
            report.warnings.extend(entry.warnings)
            report.gaps.update(entry.gaps)
        done = len(inputs) - len(pending)
        if progress:
            progress(done, len(inputs))
        if writer.fresh:  # (a new store's dictionaries are made from the first it reads: spread over all)
            pending = [pending[i] for i in db.spread(len(pending))]
        work = [(Path(path), doc_id) for path, doc_id in pending]
        outcomes = extract_all(work, options, Keep(writer.shared), warm)
        writer.prepare(len(work))  # (while they are extracted elsewhere, when they are)
        for (path, doc_id), (got, reason) in zip(pending, outcomes, strict=True):
            if got is None:  # one bad file never stops the others
                self._failed(report, path, doc_id, reason or "", old, entries)
            else:
                report.loaded.append(path)
                report.warnings.extend(got.warnings)
                report.gaps.update(got.gaps)
                st = os.stat(path)
                entries[doc_id] = Source(path, got.sha256, st.st_size, st.st_mtime_ns,
                                         got.extractor_version, got.warnings, got.gaps)
                writer.document(doc_id, got, entries[doc_id], doc_id in old)
            done += 1
            if progress:
                progress(done, len(inputs))
        # reported in input order, as the files were named
        order = {p: i for i, (p, _, _) in enumerate(inputs)}
        for found in (report.loaded, report.kept):
            found.sort(key=order.__getitem__)
        report.skipped.sort(key=lambda s: order[s[0]])
        return report, entries

    @staticmethod
    def _failed(report: BuildReport, path: str, doc_id: str, reason: str, old: dict[str, Source],
                entries: dict[str, Source]) -> None:
        if doc_id in old:
            entries[doc_id] = old[doc_id]
            report.kept.append(path)
            reason = f"{reason}; the version already stored is kept"
        report.skipped.append((path, reason))

    def _collect_garbage(self, version: str) -> None:
        """After a commit: files derived from older graphs, and the earlier layout's files."""
        import shutil

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


def _cached(path: str, st: os.stat_result | None, entry: Source | None) -> Source | None:
    """The stored source row (updated) when the file is unchanged (same bytes, path and
    extractor), else None (``st``: its status, when already read).

    A file whose size and modification time (ns) are those stored is taken as unchanged
    without reading it, as make and git do; otherwise its bytes are hashed."""
    if not entry or entry.extractor_version != EXTRACTOR_VERSION or entry.source_path != path:
        return None
    if st is not None and (entry.size, entry.mtime_ns) == (st.st_size, st.st_mtime_ns):
        return entry  # (most files of a build: checked without an import, ~1 µs each)
    import hashlib

    from cchc_graph.graph.store.write import Source
    from cchc_graph.loaders.read import LoadError

    try:
        st = st or os.stat(path)
        if (entry.size, entry.mtime_ns) == (st.st_size, st.st_mtime_ns):
            return entry
        sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError as e:
        raise LoadError(path, f"cannot read file ({e.strerror or e})") from e
    if sha != entry.sha256:
        return None
    return Source(path, sha, st.st_size, st.st_mtime_ns, entry.extractor_version, entry.warnings,
                  entry.gaps)
