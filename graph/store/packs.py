"""The store's graph files (store version 3): the export kept in pieces, so that a change to
one document rewrites a small part of it.

    graphs/pack-<bb>-<hash>.<fmt>   the bodies (``corpus.document_part``) of the documents whose
                                    id falls in bucket bb (one of ``PACKS``), each marshalled
                                    apart (``encode_part``, done where the document was
                                    extracted): a build moves bytes, a rebuild decodes none
    graphs/keys-<hash>.<fmt>        every document's keys and agencies: what linking reads
                                    (rebuilds only), each marshalled apart (``encode_part``):
                                    a rebuild decodes what it reads, encodes what changed
    graphs/links-<hash>.<fmt>       the links: citations resolved, merged tables

Files are written in Python's marshal format (read 2× faster than JSON) under a name that
says which Python wrote them and the layout (``FORMAT``); another Python or layout rebuilds
them from the stored facts.
Every name carries a hash of its content: a file is never rewritten, only replaced by a new
name in the manifest.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc_graph.graph.store.linking import Links, Part, assemble

PACKS = 64
LAYOUT = 2  # 2: bodies marshalled one by one inside a pack
# marshal's format belongs to one Python version: the name says which (and the layout)
FORMAT = f".py{sys.version_info[0]}{sys.version_info[1]}-m{marshal.version}-l{LAYOUT}.marshal"
# what reading a damaged or foreign marshal file raises
DAMAGED = (ValueError, EOFError, TypeError, KeyError)
WriteBytes = Callable[[Path, bytes], None]  # how the store writes a file (atomically)


def bucket(doc_id: str) -> str:
    return f"{int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=4).digest(), 'big') % PACKS:02d}"


@dataclass(frozen=True, slots=True)
class GraphFiles:
    """The graph files one manifest names."""

    links: str
    keys: str
    packs: dict[str, str]  # bucket → file

    @property
    def version(self) -> str:
        """An identifier of this graph (names derived files: RDF, Neo4j versions)."""
        names = "\0".join([self.links, *sorted(self.packs.values())])
        return hashlib.blake2b(names.encode(), digest_size=8).hexdigest()

    def names(self) -> list[str]:
        return [self.links, self.keys, *self.packs.values()]

    def to_manifest(self) -> dict[str, Any]:
        return {"version": self.version, "format": FORMAT, "links": self.links, "keys": self.keys,
                "packs": self.packs}

    @classmethod
    def from_manifest(cls, g: dict[str, Any]) -> GraphFiles | None:
        """None when written by another Python (its files are rebuilt from the facts)."""
        if g.get("format") != FORMAT:
            return None
        return cls(g["links"], g["keys"], dict(g["packs"]))


@dataclass(frozen=True, slots=True)
class EncodedPart:
    """A document's part (``corpus.document_part``) marshalled: what a worker sends back."""

    body: bytes
    keys: bytes
    agencies: bytes


def encode_part(part: Part) -> EncodedPart:
    return EncodedPart(marshal.dumps(part["body"]), marshal.dumps(part["keys"]),
                       marshal.dumps(part["agencies"]))


def write(root: Path, prefix: str, obj: Any, write_bytes: WriteBytes) -> str:
    data = marshal.dumps(obj)
    name = f"graphs/{prefix}-{hashlib.blake2b(data, digest_size=8).hexdigest()}{FORMAT}"
    if not (root / name).exists():
        write_bytes(root / name, data)
    return name


def read(root: Path, name: str) -> Any:
    """A graph file's content; FileNotFoundError when gone, one of ``DAMAGED`` when damaged."""
    return marshal.loads((root / name).read_bytes())


def save(root: Path, old: GraphFiles | None, bodies: dict[str, bytes], gone: set[str],
         keys: dict[str, tuple[bytes, bytes]], write_bytes: WriteBytes) -> Callable[[Links], GraphFiles]:
    """Write the packs ``bodies`` (new or replaced documents, marshalled) and ``gone`` (replaced
    or removed ones) touch, and the keys; packs nothing touches keep their files. Returns what
    writes the links and names the files: the links can be made while this runs."""
    packs = dict(old.packs) if old else {}
    touched: dict[str, list[str]] = {}
    for doc in bodies.keys() | gone:  # a replaced document is in both
        touched.setdefault(bucket(doc), []).append(doc)
    for b in sorted(touched):
        content: dict[str, bytes] = read(root, packs[b]) if b in packs else {}
        for doc in touched[b]:
            content.pop(doc, None)
            if doc in bodies:
                content[doc] = bodies[doc]
        if content:
            packs[b] = write(root, f"pack-{b}", dict(sorted(content.items())), write_bytes)
        else:
            packs.pop(b, None)
    keys_file = write(root, "keys", keys, write_bytes)
    return lambda links: GraphFiles(write(root, "links", links, write_bytes), keys_file,
                                    dict(sorted(packs.items())))


def bodies(root: Path, files: GraphFiles) -> Iterator[tuple[str, dict]]:
    for name in files.packs.values():
        for doc, body in read(root, name).items():
            yield doc, marshal.loads(body)


def load(root: Path, files: GraphFiles, documents: list[str]) -> dict[str, Any]:
    """The export of the documents (corpus order) from the graph files."""
    found = dict(bodies(root, files))
    if sorted(found) != documents:
        raise ValueError(f"the graph files hold {len(found)} documents, the manifest names {len(documents)}")
    return assemble((found[d] for d in documents), read(root, files.links))
