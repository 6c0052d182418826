"""What the store holds: counts, each document's coverage, and what extraction saw but did not
understand (the gaps each document records)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

GAP_KINDS = ("duty", "figure", "metadata")


def gaps_of(export: dict[str, Any], document: str | None = None,
            kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every gap of the store (or of one document id), each with its document and file."""
    out = []
    for d in export["documents"]:
        if document and d["id"] != document:
            continue
        for g in d.get("gaps") or ():
            if not kinds or g["kind"] in kinds:
                out.append({"document": d["id"], "file": Path(d["source_path"]).name, **g})
    return out


def record_counts(export: dict[str, Any]) -> dict[str, int]:
    """How many records of each kind the export holds (documents, agencies, tasks …)."""
    return {k: len(v) for k, v in export.items() if isinstance(v, list)}


def coverage(export: dict[str, Any]) -> list[dict[str, Any]]:
    """Per document: responsibilities and targets found, and the gaps left by kind."""
    resps = Counter(r["document"] for r in export["responsibilities"])
    targets = Counter(t["document"] for t in export["targets"])
    rows = []
    for d in export["documents"]:
        kinds = Counter(g["kind"] for g in d.get("gaps") or ())
        rows.append({"document": d["id"], "responsibilities": resps[d["id"]],
                     "targets": targets[d["id"]], **{k: kinds[k] for k in GAP_KINDS}})
    return rows
