"""CSV files for ``neo4j-admin database import full``: the same nodes, relationships and
properties as ``cchc neo4j push`` (:mod:`graph.neo4j_map`), for corpora too big to load
through transactions. One file per label and per relationship type, each with its header;
``import.sh`` holds the command line to run.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO

from cchc_graph.graph.exports.cypher import SCHEMA
from cchc_graph.graph.exports.neo4j_map import (
    BASE_LABEL,
    META_LABEL,
    Seen,
    edge_context,
    meta_of,
    node_rows,
    rel_rows,
)

ARRAY_DELIMITER = "\x1f"  # unit separator: never in document text, unlike ; or |
_TYPES = ((list, "list"), (bool, "boolean"), (int, "long"), (float, "double"), (str, "string"))
_KINDS = {t: name for t, name in _TYPES}


class Columns:
    """The property columns of one CSV file: each key and the kinds of its values, gathered
    row by row (the header needs them all before the first row is written)."""

    def __init__(self, head: list[str]) -> None:
        self.head = head  # the columns before the properties (ids)
        self.kinds: dict[str, set[str]] = {}

    def add(self, props: dict[str, Any]) -> None:
        for k, v in props.items():
            # (by the value's own type first: 6 million values at 10,000 documents)
            kind = _KINDS.get(type(v)) or next(name for t, name in _TYPES if isinstance(v, t))
            if (kinds := self.kinds.get(k)) is None:
                self.kinds[k] = {kind}
            else:
                kinds.add(kind)

    def names(self) -> list[str]:
        """The property names, in the order of the columns."""
        return sorted(self.kinds)

    def header(self) -> str:
        return ",".join([*self.head, *(f"{k}:{_column_type(self.kinds[k])}" for k in self.names())]) + "\n"


def _column_type(kinds: set[str]) -> str:
    if "list" in kinds:
        return "string[]"
    if kinds <= {"long", "double"} and kinds:
        return "double" if "double" in kinds else "long"
    return next(iter(kinds)) if len(kinds) == 1 else "string"


def _cell(value: Any) -> str:
    """A CSV field: absent → empty (no property), strings always quoted (``""`` is a value)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = ARRAY_DELIMITER.join(value) if isinstance(value, list) else str(value)
    return '"' + text.replace('"', '""') + '"'


def _line(values: Iterable[Any]) -> str:
    return ",".join(map(_cell, values)) + "\n"


def _node_props(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row["props"].items() if k != "id"}


class _Files:
    """One CSV file per label or type, opened (its header written) at its first row."""

    def __init__(self, out: Path, columns: dict[str, Columns], name: str) -> None:
        self._out, self._columns, self._name = out, columns, name
        self._keys = {key: c.names() for key, c in columns.items()}
        self._open: dict[str, TextIO] = {}

    def write(self, key: str, ends: list[Any], props: dict[str, Any]) -> None:
        f = self._open.get(key)
        if f is None:
            f = self._open[key] = (self._out / self._name.format(key)).open("w", encoding="utf-8", newline="")
            f.write(self._columns[key].header())
        f.write(_line([*ends, *(props.get(k) for k in self._keys[key])]))

    def close(self) -> None:
        for f in self._open.values():
            f.close()


def write_csv(export: Mapping[str, Any], out_dir: str | Path, version: str,
              database: str = "neo4j") -> str:
    """Write the CSVs and ``import.sh`` into ``out_dir``; returns the command line.

    The export's lists are read twice and never held (a stored export's are read as they are
    iterated): once for each file's columns, then for its rows. Only the node ids, the
    responsibilities' keys and the citations are kept between (``neo4j_map.EdgeContext``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    seen: Seen = {}
    nodes: dict[str, Columns] = {}
    ids: set[str] = set()
    for label, row in node_rows(export, version, seen):
        ids.add(row["id"])
        nodes.setdefault(label, Columns(["id:ID"])).add(_node_props(row))
    ctx = edge_context(export, ids, seen)
    rels: dict[str, Columns] = {}
    for rtype, row in rel_rows(export, version, ctx, seen):
        if rtype is not None:
            rels.setdefault(rtype, Columns([":START_ID", ":END_ID"])).add(row["props"])
    meta = meta_of(export, version, seen)
    node_files, rel_files = _Files(out, nodes, "nodes-{}.csv"), _Files(out, rels, "rels-{}.csv")
    try:
        for label, row in node_rows(export, version):
            node_files.write(label, [row["id"]], _node_props(row))
        for rtype, row in rel_rows(export, version, ctx):
            if rtype is not None:
                rel_files.write(rtype, [row["source"], row["target"]], row["props"])
    finally:
        node_files.close()
        rel_files.close()
    head = Columns(["id:ID"])
    head.add(props := {k: v for k, v in meta.items() if k != "id"})
    row = _line([meta["id"], *(props[k] for k in head.names())])
    (out / "nodes-meta.csv").write_text(head.header() + row, encoding="utf-8", newline="")
    args = ["neo4j-admin", "database", "import", "full", database]
    args += [f"--nodes={BASE_LABEL}:{label}=nodes-{label}.csv" for label in sorted(nodes)]
    args.append(f"--nodes={META_LABEL}=nodes-meta.csv")
    args += [f"--relationships={rtype}=rels-{rtype}.csv" for rtype in sorted(rels)]
    args += ["--array-delimiter=U+001F", "--multiline-fields=true", "--overwrite-destination=false"]
    command = " ".join(map(shlex.quote, args))
    (out / "schema.cypher").write_text("".join(s + ";\n" for s in SCHEMA), encoding="utf-8")
    (out / "import.sh").write_text(
        "#!/bin/sh\n# Loads an empty (offline) database; run from this folder on the Neo4j server.\n"
        "# Then start it (CREATE DATABASE if it is not the default one) and add the constraints\n"
        "# and indexes: cypher-shell -d DATABASE -f schema.cypher\n"
        f"cd \"$(dirname \"$0\")\" && {command}\n", encoding="utf-8")
    (out / "import.sh").chmod(0o755)
    return command
