"""CSV files for ``neo4j-admin database import full``: the same nodes, relationships and
properties as ``cchc neo4j push`` (:mod:`graph.neo4j_map`), for corpora too big to load
through transactions. One file per label and per relationship type, each with its header;
``import.sh`` holds the command line to run.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from cchc_graph.graph.exports.cypher import SCHEMA
from cchc_graph.graph.exports.neo4j_map import BASE_LABEL, META_LABEL, to_rows

ARRAY_DELIMITER = "\x1f"  # unit separator: never in document text, unlike ; or |
_TYPES = ((bool, "boolean"), (int, "long"), (float, "double"), (str, "string"))


def _column_type(values: list[Any]) -> str:
    kinds = set()
    for v in values:
        if isinstance(v, list):
            return "string[]"
        kinds.add(next(name for t, name in _TYPES if isinstance(v, t)))
    if kinds <= {"long", "double"} and kinds:
        return "double" if "double" in kinds else "long"
    return kinds.pop() if len(kinds) == 1 else "string"


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


def _write(path: Path, head: list[str], rows: list[list[Any]], props: list[dict[str, Any]]) -> None:
    keys = sorted({k for p in props for k in p})
    types = {k: _column_type([p[k] for p in props if k in p]) for k in keys}
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(",".join(head + [f"{k}:{types[k]}" for k in keys]) + "\n")
        for row, p in zip(rows, props, strict=True):
            f.write(",".join([*map(_cell, row), *(_cell(p.get(k)) for k in keys)]) + "\n")


def write_csv(export: dict[str, Any], out_dir: str | Path, version: str,
              database: str = "neo4j") -> list[str]:
    """Write the CSVs and ``import.sh`` into ``out_dir``; returns the command line."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = to_rows(export, version)
    args = ["neo4j-admin", "database", "import", "full", database]
    for label, rs in sorted(rows.nodes.items()):
        name = f"nodes-{label}.csv"
        _write(out / name, ["id:ID"], [[r["id"]] for r in rs], [
            {k: v for k, v in r["props"].items() if k != "id"} for r in rs])
        args.append(f"--nodes={BASE_LABEL}:{label}={name}")
    meta = {k: v for k, v in rows.meta.items() if k != "id"}
    _write(out / "nodes-meta.csv", ["id:ID"], [[rows.meta["id"]]], [meta])
    args.append(f"--nodes={META_LABEL}=nodes-meta.csv")
    for rtype, rs in sorted(rows.rels.items()):
        name = f"rels-{rtype}.csv"
        _write(out / name, [":START_ID", ":END_ID"], [[r["source"], r["target"]] for r in rs],
               [r["props"] for r in rs])
        args.append(f"--relationships={rtype}={name}")
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
