"""The export formats, declared once: the CLI's ``export`` and the Python API read this table.

A format is written either to a binary stream (a file or stdout) or, for ``neo4j-csv``, into a
folder; each writer takes the JSON export (``docs/json-export.md``) and the options. Every
writer only iterates the export's lists, so it is given them as they are read from the store
(``Store.streamed_export``): a large store's export is never held whole (GraphML and GEXF hold
networkx's graph of it). The writers import their modules when called: rdflib and networkx
load only for their formats.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO


@dataclass(frozen=True)
class Options:
    """What some formats need besides the graph: the RDF IRIs' base (None: rdf.DEFAULT_BASE),
    the store's version."""

    base: str | None = None
    version: str = ""


StreamWriter = Callable[[Mapping[str, Any], BinaryIO, Options], None]
FolderWriter = Callable[[Mapping[str, Any], Path, Options], str]  # returns what to do next


@dataclass(frozen=True)
class ExportFormat:
    """One ``--format``: exactly one of ``write`` (a stream) and ``write_folder`` is set."""

    name: str
    media_type: str
    suffix: str  # of a file of this format ("" for a folder)
    description: str  # Vietnamese / English
    write: StreamWriter | None = None
    write_folder: FolderWriter | None = None

    @property
    def folder(self) -> bool:
        return self.write_folder is not None


JSON_BATCH = 1000  # records encoded at once: the encoder's set-up paid once per batch


def _json(export: Mapping[str, Any], out: BinaryIO, opts: Options) -> None:
    """The export as ``json.dumps(export, ensure_ascii=False, indent=1)`` writes it, and a
    newline; each list written a batch of records at a time, as it is iterated."""
    enc = json.JSONEncoder(ensure_ascii=False, indent=1)
    sep = b"{\n "
    for key, value in export.items():
        out.write(sep + enc.encode(key).encode("utf-8") + b": ")
        sep = b",\n "
        if isinstance(value, str | dict) or not isinstance(value, Iterable):
            out.write(enc.encode(value).replace("\n", "\n ").encode("utf-8"))
            continue
        items, opening = iter(value), b"[\n "
        while batch := list(itertools.islice(items, JSON_BATCH)):
            # a list at the top: "[\n " + item + ",\n " + item + "\n]", one space short of
            # the list's place in the export
            text = enc.encode(batch)
            out.write(opening + text[2:-2].replace("\n", "\n ").encode("utf-8"))
            opening = b",\n "
        out.write(b"[]" if opening == b"[\n " else b"\n ]")
    out.write(b"{}\n" if sep == b"{\n " else b"\n}\n")


def _jsonld(export: Mapping[str, Any], out: BinaryIO, opts: Options) -> None:
    """Streamed: rdflib's JSON-LD builds the whole graph first (1,000 documents: 102 s)."""
    from .rdf import DEFAULT_BASE, write_jsonld

    write_jsonld(export, out, opts.base or DEFAULT_BASE)


def _turtle(export: Mapping[str, Any], out: BinaryIO, opts: Options) -> None:
    """Streamed: rdflib's Turtle sorts the whole graph (1,000 documents: 158 s)."""
    from .rdf import DEFAULT_BASE, write_turtle

    write_turtle(export, out, opts.base or DEFAULT_BASE)


def _ntriples(export: Mapping[str, Any], out: BinaryIO, opts: Options) -> None:
    """Streamed: rdflib's graph of 10,000 documents takes minutes and 13 GB."""
    from .rdf import DEFAULT_BASE, write_ntriples

    write_ntriples(export, out, opts.base or DEFAULT_BASE)


def _graphml(export: Mapping[str, Any], out: BinaryIO, opts: Options) -> None:
    from .graphml import write_graphml

    write_graphml(export, out)


def _gexf(export: Mapping[str, Any], out: BinaryIO, opts: Options) -> None:
    from .graphml import write_gexf

    write_gexf(export, out)


def _neo4j_csv(export: Mapping[str, Any], folder: Path, opts: Options) -> str:
    from .neo4j_csv import write_csv

    command = write_csv(export, folder, opts.version)
    return f"chạy trên máy chủ Neo4j / run on the Neo4j server:\n  {folder}/import.sh   # = {command}"


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("json", "application/json", ".json",
                 "hợp đồng JSON / the JSON contract, schema_version 1 (docs/json-export.md)", write=_json),
    ExportFormat("turtle", "text/turtle", ".ttl", "RDF Turtle: ELI, W3C ORG, SKOS, DCTERMS, PROV-O, "
                 "Web Annotation (docs/rdf.md)", write=_turtle),
    ExportFormat("jsonld", "application/ld+json", ".jsonld", "RDF JSON-LD, cùng ánh xạ / same mapping, "
                 "expanded form", write=_jsonld),
    ExportFormat("nt", "application/n-triples", ".nt", "RDF N-Triples, một bộ ba mỗi dòng / one "
                 "triple a line", write=_ntriples),
    ExportFormat("graphml", "application/graphml+xml", ".graphml", "đồ thị có kiểu, thuộc tính phẳng / "
                 "the typed graph with flat attributes, for Gephi, Cytoscape, networkx", write=_graphml),
    ExportFormat("gexf", "application/gexf+xml", ".gexf", "như graphml / the same, as GEXF", write=_gexf),
    ExportFormat("neo4j-csv", "text/csv", "", "thư mục CSV nút và quan hệ / a folder of node and "
                 "relationship CSVs with import.sh and schema.cypher, for neo4j-admin database import "
                 "(docs/neo4j.md)", write_folder=_neo4j_csv),
)}
