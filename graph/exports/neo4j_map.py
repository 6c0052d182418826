"""The JSON export as Neo4j nodes and relationships, and back (pure Python, no driver).

Every node gets the label ``Cchc`` (one uniqueness constraint on ``id``) plus its type label;
every edge becomes a relationship typed ``LEAD``, ``CITES``, ``HAS_TASK`` … A relationship
carries ``key`` (the edge's key in the networkx multigraph), so ``MERGE`` on it is
idempotent. Role relationships also carry the responsibility (``r_document``,
``r_deadline``); citation relationships the citation record (``c_number``, ``c_date`` …).

Neo4j properties hold scalars and homogeneous lists only, so a record is flattened: provenance
to ``prov_document``, ``prov_section``, ``prov_start``, ``prov_end``, ``prov_quote`` and the
source place (``prov_line``, ``prov_column`` …); lists of strings stay lists; other nested
values (outline sections, per-field provenance, citation mentions) become JSON strings under
``<key>_json``; nulls are left out and restored from the field list kept on the ``CchcMeta``
node. ``seq`` keeps each record's position in its export list. ``text_fold`` and
``c_number_key`` are lookup keys (accent-free text, normalized document number) the reads
filter on. :func:`from_rows` inverts :func:`to_rows`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cchc_graph.keys import fold, number_key
from cchc_graph.loaders.schema import CITATION_RELATIONS

MAPPING_VERSION = 1
BASE_LABEL = "Cchc"
META_LABEL = "CchcMeta"
META_ID = "graph"
LABELS = {
    "documents": "Document", "references": "Reference", "jurisdictions": "Jurisdiction",
    "agencies": "Agency", "tasks": "Task", "targets": "Target", "indicators": "Indicator",
    "areas": "Area",
}
LISTS = {label: key for key, label in LABELS.items()}
ROLE_TYPES = ("lead", "cooperate", "standing", "report_to", "advise", "supervise")
CITATION_TYPES = CITATION_RELATIONS
FOLDED = {"Task": "text", "Target": "text"}  # accent-free copies for CONTAINS lookups
_PROV = ("document", "section", "start", "end", "quote", "line", "column", "end_line", "page",
         "paragraph")
_TYPE_RX = re.compile(r"[a-z][a-z_]*\Z")


def rel_type(edge_type: str) -> str:
    """``report_to`` → ``REPORT_TO``; refuses anything that is not a plain word (it is spliced
    into Cypher, where relationship types cannot be parameters)."""
    if not _TYPE_RX.match(edge_type):
        raise ValueError(f"edge type {edge_type!r} cannot be a Neo4j relationship type")
    return edge_type.upper()


def flatten(rec: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A record as Neo4j properties (see the module docstring)."""
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if value is None:
            continue
        if key == "provenance" and isinstance(value, dict) and "quote" in value:
            for k in _PROV:
                if value.get(k) is not None:
                    out[f"{prefix}prov_{k}"] = value[k]
        elif isinstance(value, str | int | float | bool):
            out[prefix + key] = value
        elif (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            out[prefix + key] = list(value)
        else:
            out[f"{prefix}{key}_json"] = json.dumps(value, ensure_ascii=False)
    return out


def unflatten(props: dict[str, Any], fields: Iterable[str], prefix: str = "") -> dict[str, Any]:
    """Invert :func:`flatten` for the record's ``fields`` (missing ones come back as null)."""
    rec: dict[str, Any] = {}
    for key in fields:
        if prefix + key in props:
            value = props[prefix + key]
            rec[key] = list(value) if isinstance(value, list | tuple) else value
        elif f"{prefix}{key}_json" in props:
            rec[key] = json.loads(props[f"{prefix}{key}_json"])
        elif key == "provenance" and f"{prefix}prov_quote" in props:
            rec[key] = {k: props.get(f"{prefix}prov_{k}") for k in _PROV}
        else:
            rec[key] = None
    return rec


@dataclass
class Rows:
    """What a push writes: node rows per label, relationship rows per type, the meta node."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rels: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    meta: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # edges with an end not a node

    def counts(self) -> tuple[int, int]:
        return sum(map(len, self.nodes.values())), sum(map(len, self.rels.values()))


Seen = dict[str, dict[str, None]]  # each list's record keys, in the order first met


def _is_list(value: Any) -> bool:
    """A list of the export: a list, or a stored export's list read as it is iterated."""
    return isinstance(value, Iterable) and not isinstance(value, str | bytes | dict)


def _fields(export: Mapping[str, Any], seen: Seen) -> dict[str, list[str]]:
    """Every key used by each list's records (kept so nulls can be restored), from the keys the
    passes over the lists met (``seen``); a list no pass reads is read here."""
    for key, value in export.items():
        if key not in seen and key not in _PASSED and _is_list(value):
            for rec in value:
                _met(seen, key, rec)
    return {key: list(seen.get(key, ())) for key, value in export.items() if _is_list(value)}


@dataclass(frozen=True)
class EdgeContext:
    """What an edge's relationship takes from elsewhere in the export: the node ids (an edge
    with an end that is none is skipped), each role's responsibility (its place in its list,
    document and deadline, the last of equal ones) and each citation with its place."""

    ids: set[str]
    resp: dict[tuple[str, str, str], tuple[int, Any, Any]]
    cits: dict[str, tuple[int, dict[str, Any]]]


def _met(seen: Seen | None, key: str, rec: dict[str, Any]) -> None:
    if seen is not None:
        seen.setdefault(key, {}).update(dict.fromkeys(rec))


def node_rows(export: Mapping[str, Any], version: str, seen: Seen | None = None
              ) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, row) of each node: the node lists in ``LABELS``' order, each in its order."""
    for key, label in LABELS.items():
        for seq, rec in enumerate(export.get(key) or ()):
            _met(seen, key, rec)
            props = flatten(rec)
            if label in FOLDED and rec.get(FOLDED[label]):
                props[FOLDED[label] + "_fold"] = fold(rec[FOLDED[label]])
            props.update(seq=seq, v=version)
            yield label, {"id": rec["id"], "props": props}


def edge_context(export: Mapping[str, Any], ids: set[str], seen: Seen | None = None) -> EdgeContext:
    """The responsibilities and citations read once, for ``rel_rows``."""
    resp: dict[tuple[str, str, str], tuple[int, Any, Any]] = {}
    for i, r in enumerate(export.get("responsibilities") or ()):
        _met(seen, "responsibilities", r)
        resp[(r["agency"], r["task"], r["role"])] = (i, r.get("document"), r.get("deadline"))
    cits: dict[str, tuple[int, dict[str, Any]]] = {}
    for i, c in enumerate(export.get("citations") or ()):
        _met(seen, "citations", c)
        cits[c["id"]] = (i, c)
    return EdgeContext(ids, resp, cits)


def rel_rows(export: Mapping[str, Any], version: str, ctx: EdgeContext, seen: Seen | None = None
             ) -> Iterator[tuple[str | None, dict[str, Any]]]:
    """(relationship type, row) of each edge in the export's order; (None, the edge) for one
    with an end that is no node."""
    for seq, e in enumerate(export.get("edges") or ()):
        _met(seen, "edges", e)
        if e["source"] not in ctx.ids or e["target"] not in ctx.ids:
            yield None, e
            continue
        key = e.get("citation") or e["type"]
        props = flatten({k: v for k, v in e.items() if k not in ("source", "target", "type")})
        if e["type"] in ROLE_TYPES and (e["source"], e["target"], e["type"]) in ctx.resp:
            i, document, deadline = ctx.resp[(e["source"], e["target"], e["type"])]
            props.update(flatten({"document": document, "deadline": deadline}, "r_"), r_seq=i)
        if e.get("citation") in ctx.cits:
            i, c = ctx.cits[e["citation"]]
            props.update(flatten(c, "c_"), c_seq=i)
            if c.get("number"):
                props["c_number_key"] = number_key(c["number"])
        props.update(key=key, seq=seq, v=version)
        yield rel_type(e["type"]), {"source": e["source"], "target": e["target"], "key": key, "props": props}


# the lists the passes above read (``_fields`` reads any other)
_PASSED = frozenset({*LABELS, "responsibilities", "citations", "edges"})


def meta_of(export: Mapping[str, Any], version: str, seen: Seen) -> dict[str, Any]:
    """The ``CchcMeta`` node, after the passes over the lists (``seen``: the keys they met)."""
    return {"id": META_ID, "v": version, "mapping_version": MAPPING_VERSION,
            "schema_version": export.get("schema_version"),
            "fields_json": json.dumps(_fields(export, seen), ensure_ascii=False)}


def to_rows(export: Mapping[str, Any], version: str) -> Rows:
    """The export as rows for ``UNWIND … MERGE``; ``version`` marks them for stale clean-up."""
    rows, seen = Rows(), {}
    for label, row in node_rows(export, version, seen):
        rows.nodes[label].append(row)
    ctx = edge_context(export, {r["id"] for rs in rows.nodes.values() for r in rs}, seen)
    for rtype, row in rel_rows(export, version, ctx, seen):
        if rtype is None:
            rows.skipped.append(row)
        else:
            rows.rels[rtype].append(row)
    rows.meta = meta_of(export, version, seen)
    return rows


def from_rows(nodes: Iterable[tuple[list[str], dict[str, Any]]],
              rels: Iterable[tuple[str, str, str, dict[str, Any]]],
              meta: dict[str, Any]) -> dict[str, Any]:
    """An export (whole or partial) from ``(labels, properties)`` node records and
    ``(type, source id, target id, properties)`` relationship records, as Cypher returns them."""
    fields = json.loads(meta["fields_json"])
    lists: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    for labels, props in nodes:
        key = next((LISTS[lb] for lb in labels if lb in LISTS), None)
        if key is not None:
            lists[key].append((props["seq"], unflatten(props, fields.get(key, ()))))
    edge_fields = fields.get("edges", ())
    for rtype, source, target, props in rels:
        edge = {"source": source, "target": target, "type": rtype.lower()}
        edge.update({k: v for k, v in unflatten(props, edge_fields).items()
                     if k not in ("source", "target", "type") and (v is not None or k == "provenance")})
        lists["edges"].append((props["seq"], edge))
        if "r_seq" in props:
            r = {"agency": source, "role": edge["type"], "task": target,
                 **unflatten(props, ("document", "deadline"), "r_"), "provenance": edge["provenance"]}
            lists["responsibilities"].append((props["r_seq"], r))
        if "c_seq" in props:
            lists["citations"].append((props["c_seq"], unflatten(props, fields.get("citations", ()), "c_")))
    export: dict[str, Any] = {"schema_version": meta.get("schema_version")}
    for key in fields:
        seen: dict[int, dict] = {}
        for seq, rec in lists.get(key, ()):
            seen.setdefault(seq, rec)  # a relationship met twice on two paths
        export[key] = [seen[s] for s in sorted(seen)]
    return export
