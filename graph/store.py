"""The embedded file store (``.cchc/`` by default): per-document facts and the built graph.

Layout::

    .cchc/manifest.json        schema version, extractor version, documents and their hashes
    .cchc/facts/<doc_id>.json  one document's extracted facts (a cache keyed by content hash)
    .cchc/graph.json           the resolved corpus in the JSON export schema

Every file is written to a temporary name and renamed into place, the manifest last, so an
interrupted build leaves the previous store readable. A lock file keeps two builds apart.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.model import EXTRACTOR_VERSION, SCHEMA_VERSION, DocumentFacts, from_dict, to_dict
from loaders.pipeline import doc_id_for, load_document
from loaders.read import SUPPORTED, LoadError

from .corpus import build_export

DEFAULT_STORE = ".cchc"
# files that describe a folder rather than belong to the corpus
_NOT_DOCUMENTS = {"README", "LICENSE", "CHANGELOG", "CONTRIBUTING", "NOTICE"}


class StoreError(Exception):
    """The store is missing, locked, or of another schema version."""


@dataclass(slots=True)
class BuildReport:
    loaded: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    warnings: list[str] = field(default_factory=list)
    documents: int = 0


def atomic_write(path: Path, data: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def iter_inputs(paths: list[str | Path]) -> Iterator[Path]:
    """Files named directly, and supported files found under folders (sorted)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if (f.is_file() and f.suffix.lower() in SUPPORTED and not f.name.startswith(".")
                        and f.stem.upper() not in _NOT_DOCUMENTS):
                    yield f
        else:
            yield p


class Store:
    def __init__(self, root: str | Path = DEFAULT_STORE) -> None:
        self.root = Path(root)

    @property
    def manifest_path(self) -> Path:
        return self.root / "manifest.json"

    @property
    def graph_path(self) -> Path:
        return self.root / "graph.json"

    def exists(self) -> bool:
        return self.manifest_path.exists() and self.graph_path.exists()

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as e:
                raise StoreError(f"{self.root}: another build is writing this store") from e
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)

    def manifest(self) -> dict[str, Any]:
        if not self.manifest_path.exists():
            return {"schema_version": SCHEMA_VERSION, "documents": {}}
        data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        if data.get("schema_version") != SCHEMA_VERSION:
            raise StoreError(
                f"{self.root}: store schema {data.get('schema_version')} differs from "
                f"{SCHEMA_VERSION}; rebuild it with 'cchc build … --store {self.root}'")
        return data

    def build(self, paths: list[str | Path], add: bool = False) -> BuildReport:
        """Load documents (reusing cached facts of unchanged files) and rebuild the graph."""
        report = BuildReport()
        with self.lock():
            old = self.manifest()["documents"]  # the cache; also the base with --add
            entries: dict[str, dict] = dict(old) if add else {}
            loaded: dict[str, DocumentFacts] = {}
            for path in iter_inputs(paths):
                doc_id = doc_id_for(path)
                try:
                    facts, cached = self._facts(path, doc_id, old.get(doc_id))
                except LoadError as e:
                    report.skipped.append((str(path), e.problem))
                    continue
                except Exception as e:  # one bad file never stops the others
                    report.skipped.append((str(path), f"extraction failed ({type(e).__name__}: {e})"))
                    continue
                (report.cached if cached else report.loaded).append(str(path))
                report.warnings.extend(facts.warnings)
                entries[doc_id] = {"source_path": str(path), "sha256": facts.meta.sha256,
                                   "extractor_version": facts.extractor_version}
                loaded[doc_id] = facts
            docs = [loaded.get(i) or self.load_facts(i) for i in sorted(entries)]
            export = build_export(docs)
            atomic_write(self.graph_path, json.dumps(export, ensure_ascii=False))
            atomic_write(self.manifest_path, json.dumps(
                {"schema_version": SCHEMA_VERSION, "extractor_version": EXTRACTOR_VERSION,
                 "documents": entries}, ensure_ascii=False, indent=1))
            report.documents = len(entries)
        return report

    def _facts(self, path: Path, doc_id: str, entry: dict | None) -> tuple[DocumentFacts, bool]:
        fpath = self.root / "facts" / f"{doc_id}.json"
        if entry and fpath.exists() and entry.get("extractor_version") == EXTRACTOR_VERSION:
            try:
                sha = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError as e:
                raise LoadError(path, f"cannot read file ({e.strerror or e})") from e
            if sha == entry.get("sha256"):
                facts = self.load_facts(doc_id)
                if facts.meta.source_path == str(path):
                    return facts, True
        facts = load_document(path, doc_id)
        atomic_write(fpath, json.dumps(to_dict(facts), ensure_ascii=False))
        return facts, False

    def load_facts(self, doc_id: str) -> DocumentFacts:
        data = json.loads((self.root / "facts" / f"{doc_id}.json").read_text(encoding="utf-8"))
        return from_dict(DocumentFacts, data)

    def load_export(self) -> dict[str, Any]:
        if not self.exists():
            raise StoreError(f"{self.root}: no graph here yet; run 'cchc build PATH' first")
        self.manifest()
        return json.loads(self.graph_path.read_text(encoding="utf-8"))
