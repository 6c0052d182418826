"""What the store holds: counts, each document's coverage, and what extraction saw but did not
understand (the gaps each document records)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store import edges
from cchc_graph.graph.store.database import EXPORT_LISTS, TABLE_OF

GAP_KINDS = ("duty", "figure", "metadata")


def gaps_of(c: Corpus, document: str | None = None, kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every gap of the store (or of one document id), each with its document and file."""
    out = []
    for d in c.documents.where("id = ?", (document,)) if document else c.each("documents"):
        for g in d.get("gaps") or ():
            if not kinds or g["kind"] in kinds:
                out.append({"document": d["id"], "file": Path(d["source_path"]).name, **g})
    return out


def record_counts(c: Corpus) -> dict[str, int]:
    """How many records of each kind the store holds (documents, agencies, tasks …)."""
    return {k: c.rows(edges.COUNT if k == "edges" else f"SELECT count(*) FROM {TABLE_OF[k]}")[0][0]
            for k in EXPORT_LISTS}


def coverage(c: Corpus) -> list[dict[str, Any]]:
    """Per document: responsibilities and targets found, and the gaps left by kind."""
    return list(each_coverage(c))


def each_coverage(c: Corpus) -> Iterator[dict[str, Any]]:
    """:func:`coverage` a document at a time, as it is read (10,000 documents: half a second)."""
    resps = Counter(dict(c.rows("SELECT doc, count(*) FROM responsibilities GROUP BY doc")))
    targets = Counter(dict(c.rows("SELECT doc, count(*) FROM targets GROUP BY doc")))
    for d in c.each("documents"):
        kinds = Counter(g["kind"] for g in d.get("gaps") or ())
        yield {"document": d["id"], "responsibilities": resps[d["id"]],
               "targets": targets[d["id"]], **{k: kinds[k] for k in GAP_KINDS}}
