"""The embedded file store (``.cchc/`` by default): per-document facts and the built graph.

Layout (store version 3)::

    .cchc/manifest.json                  versions, the graph files, documents and their hashes
    .cchc/facts/<doc_id>-<key>-v<N>.json one document's facts (a cache keyed by content hash,
                                         source path and extractor version; never rewritten)
    .cchc/graphs/pack-<bb>-<hash>.<fmt>  the graph in pieces (``graph/packs.py``): documents'
    .cchc/graphs/keys-<hash>.<fmt>       records in 64 packs, what linking reads, and the links
    .cchc/graphs/links-<hash>.<fmt>      (citations resolved, merged tables)

A build extracts new and changed files only, then links again only what they touch and
rewrites only their packs, so changing one document of ten thousand costs about a second.

The manifest is the one commit point: every other file is written first under a new name
(temporary file + rename), then the manifest is replaced atomically, then files it no longer
names are removed. A build killed at any moment leaves the previous manifest and everything
it names intact. A lock file keeps two builds apart. Stores of versions 1 and 2 (one JSON
graph: ``graph.json`` or ``graphs/<sha>.json``) are read as they are and rewritten in the
new layout by the next build; graph files another Python wrote, or damaged ones, are rebuilt
from the facts.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import marshal
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson
from cchc_graph.graph.store import packs
from cchc_graph.graph.store.linking import build_export, document_part, link
from cchc_graph.graph.store.memory import no_gc
from cchc_graph.graph.store.parallel import extract_all
from cchc_graph.loaders.model import EXTRACTOR_VERSION, SCHEMA_VERSION, DocumentFacts, from_dict
from cchc_graph.loaders.pipeline import doc_id_for
from cchc_graph.loaders.read import REPORTED, SUPPORTED, LoadError, ReadOptions

DEFAULT_STORE = ".cchc"
STORE_VERSION = 3
LOCK_WAIT_S = 0.0  # builds from the CLI fail at once when another build holds the lock
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


def atomic_write(path: Path, data: str) -> None:
    atomic_write_bytes(path, data.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temporary file in the same folder, flush it to disk (unless the caller syncs
    later: ``durable=False``), rename it into place."""
    with atomic_open(path, durable) as f:
        f.write(data)


@contextmanager
def atomic_open(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """A file to write in steps, renamed into place only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            if durable:
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


class Store:
    def __init__(self, root: str | Path = DEFAULT_STORE) -> None:
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def graph_version(self) -> str:
        """An identifier of the current graph: files derived from it carry it in their name."""
        g = self._read_manifest().get("graph", "graph.json")
        return Path(g).stem if isinstance(g, str) else g["version"]

    def exists(self) -> bool:
        if not self.manifest_path.exists():
            return False
        try:
            g = self._read_manifest().get("graph", "graph.json")
        except StoreError:
            return True  # damaged: exists, and loading says what is wrong
        return (self.root / (g if isinstance(g, str) else g["links"])).exists()

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

    def _read_manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            return {"schema_version": SCHEMA_VERSION, "store_version": STORE_VERSION, "documents": {}}
        try:
            data = orjson.loads(self.manifest_path.read_bytes())
        except (OSError, ValueError) as e:
            raise StoreError(f"{self.manifest_path}: unreadable manifest ({e}); build the store "
                             f"again into a new folder") from e
        if not isinstance(data, dict) or not isinstance(data.get("documents"), dict):
            raise StoreError(f"{self.manifest_path}: not a cchc manifest")
        return data

    def manifest(self, allow_older: bool = False) -> dict[str, Any]:
        """The manifest, checked: a store of another schema says how to migrate it."""
        data = self._read_manifest()
        found = data.get("schema_version")
        if found == SCHEMA_VERSION:
            return data
        if isinstance(found, int) and found > SCHEMA_VERSION:
            raise StoreError(f"{self.root}: written by a newer cchc (graph schema {found}, this "
                             f"one reads {SCHEMA_VERSION}); upgrade cchc-graph to read it")
        if allow_older:
            return data
        raise StoreError(f"{self.root}: graph schema {found}, this cchc reads {SCHEMA_VERSION}; "
                         f"migrate it with 'cchc rebuild --store {self.root}' (re-reads the "
                         f"{len(data['documents'])} source files it lists)")

    def sources(self) -> list[str]:
        """The source files of the stored documents (what ``rebuild`` re-reads)."""
        return sorted(e["source_path"] for e in self._read_manifest()["documents"].values())

    def build(self, paths: list[str | Path], add: bool = False,
              options: ReadOptions | None = None, wait_s: float = LOCK_WAIT_S,
              migrate: bool = False, use_cache: bool = True,
              progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Load documents (reusing cached facts of unchanged files) and rebuild the graph.

        Without ``add`` the store holds exactly the documents of ``paths``; a file that fails
        now but was stored before keeps its stored version (reported in ``kept``). When no
        file loads at all, nothing is written. ``migrate`` accepts a store of an older schema
        (whose facts are then not reused); ``use_cache=False`` extracts every file afresh.
        New and changed files are extracted on every core; ``progress(done, total)`` follows.
        Only what the new and changed files touch is linked and written again.
        """
        report = BuildReport()
        with self.lock(wait_s):
            manifest = self.manifest(allow_older=migrate)
            found = self._facts_files()
            current = manifest.get("schema_version") == SCHEMA_VERSION
            old: dict[str, dict] = manifest["documents"] if current else {}
            entries: dict[str, dict] = dict(old) if add else {}
            inputs = [(path, doc_id_for(path)) for path in iter_inputs(paths)]
            # (what the build keeps, why not, the cached manifest entry): cached ones first
            outcomes: dict[int, tuple[Extracted | None, str | None, dict | None]] = {}
            for i, (path, doc_id) in enumerate(inputs):
                try:
                    entry = self._cached(path, doc_id, old.get(doc_id) if use_cache else None, found)
                except LoadError as e:
                    outcomes[i] = (None, e.problem, None)
                    continue
                if entry is not None:
                    outcomes[i] = (None, None, entry)
            pending = [i for i in range(len(inputs)) if i not in outcomes]
            extracted = extract_all([inputs[i] for i in pending], options, self._keep)
            if progress:
                progress(len(outcomes), len(inputs))
            for i, (kept, reason) in zip(pending, extracted, strict=True):
                outcomes[i] = (kept, reason, None)
                if progress:
                    progress(len(outcomes), len(inputs))
            parts: dict[str, packs.EncodedPart] = {}
            for i, (path, doc_id) in enumerate(inputs):
                new, reason, entry = outcomes[i]
                if entry is not None:
                    entries[doc_id] = entry
                    report.cached.append(str(path))
                    report.warnings.extend(entry.get("warnings", ()))
                    report.gaps.update(entry.get("gaps") or {})
                    continue
                if new is None:  # one bad file never stops the others
                    if doc_id in old and _facts_file(doc_id, old[doc_id]) in found:
                        entries[doc_id] = old[doc_id]
                        report.kept.append(str(path))
                        reason = f"{reason}; the version already stored is kept"
                    report.skipped.append((str(path), reason or ""))
                    continue
                report.loaded.append(str(path))
                report.warnings.extend(new.warnings)
                report.gaps.update(new.gaps)
                st = path.stat()
                entries[doc_id] = {"source_path": str(path), "sha256": new.sha256,
                                   "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                   "extractor_version": new.extractor_version, "facts": new.facts,
                                   "warnings": new.warnings, "gaps": new.gaps}
                parts[doc_id] = new.part
            if not report.loaded and not report.cached:
                report.documents = len(manifest["documents"])
                return report  # nothing new: leave the store exactly as it was
            with no_gc():  # millions of small objects: the collector would rescan them all
                files = self._write_graph(manifest if current else None, entries, parts)
            os.sync()  # every file the manifest will name is on disk before it names them
            atomic_write_bytes(self.manifest_path, orjson.dumps(
                {"schema_version": SCHEMA_VERSION, "store_version": STORE_VERSION,
                 "extractor_version": EXTRACTOR_VERSION, "graph": files.to_manifest(),
                 "documents": {i: {**e, "facts": e.get("facts") or f"{i}.json"}
                               for i, e in sorted(entries.items())}},
                option=orjson.OPT_INDENT_2))
            report.documents = len(entries)
            report.written = True
            self._collect_garbage()
            from cchc_graph.graph.store.bridge import write_database  # TEMPORARY: until the store branch

            write_database(self)
        return report

    def _write_graph(self, manifest: dict[str, Any] | None, entries: dict[str, dict],
                     parts: dict[str, packs.EncodedPart]) -> packs.GraphFiles:
        """Link and write the graph of ``entries``; ``parts``: those of the documents just
        extracted. With the previous graph readable, only what the documents that changed
        touch is linked and written again; otherwise everything, from the stored facts."""
        g = manifest.get("graph") if manifest else None
        old_files = packs.GraphFiles.from_manifest(g) if isinstance(g, dict) else None
        if old_files is not None and entries.keys() - parts.keys():  # else all is new: write it whole
            old = manifest["documents"]  # type: ignore[index]
            changed = {d for d, e in entries.items()
                       if d in parts or old.get(d, {}).get("facts") != e["facts"]}
            gone = changed | (old.keys() - entries.keys())
            try:
                keys = packs.read(self.root, old_files.keys)
                previous = packs.read(self.root, old_files.links)
                for d in gone:
                    keys.pop(d, None)
                for d in changed - parts.keys():
                    parts[d] = self._stored_part(d, entries[d])
                keys.update((d, (parts[d].keys, parts[d].agencies)) for d in changed)
                if keys.keys() != entries.keys():
                    raise KeyError("the keys file does not match the manifest")
                keys = dict(sorted(keys.items()))
                with ThreadPoolExecutor(1) as pool:  # files written while linking: see below
                    written = pool.submit(packs.save, self.root, old_files,
                                          {d: parts[d].body for d in changed}, gone, keys, self._write_bytes)
                    # agencies are read only for the documents that name one a change touches
                    links = link([marshal.loads(k) for k, _ in keys.values()],
                                 lambda d: marshal.loads(keys[d][1]), previous, gone)
                return written.result()(links)
            except (FileNotFoundError, *packs.DAMAGED):
                pass  # the previous graph is unusable: write it whole
        for d in sorted(entries.keys() - parts.keys()):
            parts[d] = self._stored_part(d, entries[d])
        keys = {d: (parts[d].keys, parts[d].agencies) for d in sorted(parts)}
        # the packs are written on a thread while the links are made: writing and hashing
        # release the GIL, so the build's second core works (10k documents: 3.3 -> 2.5 s)
        with ThreadPoolExecutor(1) as pool:
            written = pool.submit(packs.save, self.root, None, {d: parts[d].body for d in sorted(parts)},
                                  set(), keys, self._write_bytes)
            links = link([marshal.loads(parts[d].keys) for d in sorted(parts)],
                         lambda d: marshal.loads(parts[d].agencies))
        return written.result()(links)

    def rebuild(self, options: ReadOptions | None = None,
                progress: Callable[[int, int], None] | None = None) -> BuildReport:
        """Extract every stored document afresh from its source file (after an upgrade of cchc);
        a document whose source is gone keeps its stored version when that is readable."""
        return self.build(self.sources(), options=options, migrate=True, use_cache=False, progress=progress)

    def _cached(self, path: Path, doc_id: str, entry: dict | None, found: set[str]) -> dict | None:
        """The stored entry (updated) when the file is unchanged (same bytes, path, extractor),
        else None.

        A file whose size and modification time (ns) are those stored is taken as unchanged
        without reading it, as make and git do; otherwise its bytes are hashed."""
        if (not entry or entry.get("extractor_version") != EXTRACTOR_VERSION
                or _facts_file(doc_id, entry) not in found):
            return None
        try:
            st = path.stat()
            same = (entry.get("size"), entry.get("mtime_ns")) == (st.st_size, st.st_mtime_ns)
            sha = entry["sha256"] if same else hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as e:
            raise LoadError(path, f"cannot read file ({e.strerror or e})") from e
        if sha != entry.get("sha256"):
            return None
        # the facts record their source path and content: their name says both (version 1
        # stores named them by document: read them)
        if entry.get("facts") is None:
            facts = self.load_facts(doc_id, entry)
            if (facts.meta.source_path, facts.meta.sha256) != (str(path), sha):
                return None
        elif entry["facts"] != _facts_name(doc_id, str(path), sha):
            return None
        return {**entry, "source_path": str(path), "size": st.st_size, "mtime_ns": st.st_mtime_ns}

    def _keep(self, doc_id: str, path: Path, facts: DocumentFacts) -> Extracted:
        """Store a document's facts; what the build keeps of them (made where it was extracted)."""
        return Extracted(self._save_facts(doc_id, path, facts), facts.meta.sha256,
                         facts.extractor_version, list(facts.warnings),
                         packs.encode_part(document_part(facts)),
                         dict(Counter(g.kind for g in facts.gaps)))

    def _stored_part(self, doc_id: str, entry: dict) -> packs.EncodedPart:
        """A stored document's part, made again from its stored facts."""
        return packs.encode_part(document_part(self.load_facts(doc_id, entry)))

    def _save_facts(self, doc_id: str, path: Path, facts: DocumentFacts) -> str:
        """Write the facts under their content-addressed name (once); return the name."""
        name = _facts_name(doc_id, str(path), facts.meta.sha256)
        if not (self.root / "facts" / name).exists():
            # orjson writes dataclasses field by field as to_dict does, without the copy
            self._write_bytes(self.root / "facts" / name, orjson.dumps(facts))
        return name

    @staticmethod
    def _write_bytes(path: Path, data: bytes) -> None:
        # not flushed one by one: the build syncs once before the manifest names them
        atomic_write_bytes(path, data, durable=False)

    def _facts_files(self) -> set[str]:
        """The names of the stored facts files (one listing, not a stat per document)."""
        folder = self.root / "facts"
        return set(os.listdir(folder)) if folder.is_dir() else set()

    def load_facts(self, doc_id: str, entry: dict) -> DocumentFacts:
        path = self.root / "facts" / _facts_file(doc_id, entry)
        try:
            return from_dict(DocumentFacts, orjson.loads(path.read_bytes()))
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise StoreError(f"{path}: stored facts unreadable ({e}); run 'cchc rebuild --store "
                             f"{self.root}'") from e

    def load_export(self) -> dict[str, Any]:
        """The stored graph in the JSON export schema."""
        if not self.manifest_path.exists():
            raise StoreError(f"{self.root}: no graph here yet; run 'cchc build PATH' first")
        for _ in range(3):  # a build may replace the manifest and remove the old files meanwhile
            manifest = self.manifest()
            g = manifest.get("graph", "graph.json")
            try:
                # frozen: the graph lives as long as its reader, and the first collection
                # after a load would otherwise walk every object just read (~0.7 s at 10k)
                with no_gc(freeze=True):
                    if isinstance(g, str):
                        return self._load_legacy(self.root / g)
                    files = packs.GraphFiles.from_manifest(g)
                    if files is not None:
                        return packs.load(self.root, files, sorted(manifest["documents"]))
            except FileNotFoundError:
                if self._read_manifest() != manifest:
                    continue  # replaced meanwhile: read the new one
            except packs.DAMAGED:
                pass
            # graph files of another Python, damaged or gone: the same graph from the facts
            with no_gc(freeze=True):
                return build_export([self.load_facts(d, e) for d, e in manifest["documents"].items()])
        raise StoreError(f"{self.root}: the store changed during three reads in a row; try again")

    def _load_legacy(self, path: Path) -> dict[str, Any]:
        """A store of version 1 or 2: one JSON graph, maybe with a marshal copy."""
        fast = path.with_name(path.stem + packs.FORMAT)
        if fast.exists():
            with contextlib.suppress(*packs.DAMAGED):  # else the JSON
                return marshal.loads(fast.read_bytes())
        try:
            return orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as e:
            raise StoreError(f"{path}: unreadable graph ({e}); run 'cchc rebuild --store "
                             f"{self.root}'") from e

    def _collect_garbage(self) -> None:
        """Remove what the manifest no longer names: older graphs and facts, left temporaries."""
        manifest = self._read_manifest()
        files = packs.GraphFiles.from_manifest(manifest["graph"])
        assert files is not None  # just written by this Python
        keep = {e["facts"] for e in manifest["documents"].values()}
        for name in os.listdir(self.root / "facts"):
            if name.endswith(".json") and name not in keep:
                (self.root / "facts" / name).unlink(missing_ok=True)
        keep = {self.root / n for n in files.names()}
        for f in [*(self.root / "graphs").glob("*"), self.root / "graph.json"]:
            # files derived from the graph (e.g. its RDF) are named by its version and go with it
            if f.is_file() and f not in keep and not f.name.startswith(files.version):
                f.unlink(missing_ok=True)
        for folder in (self.root, self.root / "facts", self.root / "graphs"):
            for f in folder.glob(".*.tmp"):
                f.unlink(missing_ok=True)


@dataclass(slots=True)
class Extracted:
    """What a build keeps of a newly extracted document (made in the worker, sent back)."""

    facts: str  # the stored facts' file name
    sha256: str
    extractor_version: int
    warnings: list[str]
    part: packs.EncodedPart  # marshalled here: the build moves its bytes, decodes only the keys
    gaps: dict[str, int] = field(default_factory=dict)  # kind → count


def _facts_file(doc_id: str, entry: dict) -> str:
    """The facts file a manifest entry names (version 1 stores: named by the document)."""
    return entry.get("facts") or f"{doc_id}.json"


def _facts_name(doc_id: str, source_path: str, sha256: str) -> str:
    """Facts depend on the content, the source path they record, and the extractor."""
    key = hashlib.sha256(f"{sha256}\0{source_path}".encode()).hexdigest()[:16]
    return f"{doc_id}-{key}-v{EXTRACTOR_VERSION}.json"
