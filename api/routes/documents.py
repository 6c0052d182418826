"""Documents: list, one document, its text, what it cites, who cites it, its target cascade."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.questions.tables import IN_LIST, json_list
from cchc_graph.library import Graph
from fastapi import APIRouter, HTTPException, Query

from ..deps import BackendDep, CorpusDep, Depth, OptText, PagingDep
from ..schemas import (
    CascadesPublic,
    CitationHopsPublic,
    DocumentPublic,
    DocumentsPublic,
    DocumentTextPublic,
    ErrorPublic,
)

Offset = Annotated[int | None, Query(ge=0, description="Vị trí ký tự / a character's place in the text")]

router = APIRouter(prefix="/documents", tags=["văn bản / documents"],
                   responses={404: {"model": ErrorPublic}})


def _public(c: Corpus, query: str) -> DocumentPublic:
    """A document by id, number or unique id prefix (as on the command line)."""
    return _listed(c, [c.find_document(query)])[0]


def _listed(c: Corpus, ids: list[str]) -> list[DocumentPublic]:
    """Documents (a cited one not in the corpus: its reference) with their counts of tasks,
    targets and citations: a page's records and counts read at once (four queries, not five a
    document)."""
    recs = {d["id"]: d for d in c.documents.where(f"id {IN_LIST}", (json_list(ids),))}
    counts = {t: dict(c.rows(f"SELECT doc, count(*) FROM {t} WHERE doc {IN_LIST} GROUP BY doc",
                             (json_list(ids),))) for t in ("tasks", "targets", "citations")}
    fields = DocumentPublic.model_fields
    return [DocumentPublic(**{k: v for k, v in (recs.get(d) or c.references[d]).items() if k in fields},
                           **{t: n.get(d, 0) for t, n in counts.items()}) for d in ids]


@router.get("", response_model=DocumentsPublic, summary="Danh sách văn bản / documents in the corpus")
def list_documents(b: BackendDep, page: PagingDep, jurisdiction: OptText = None) -> dict:
    ids = b.dimensions().ids_in("documents", jurisdiction)
    shown = page.window(ids)
    c = b.for_documents(shown)  # counts of tasks, targets, citations for this page only
    return {"data": _listed(c, shown), "count": len(ids)}


@router.get("/{doc_id:path}/citations", response_model=CitationHopsPublic,
            summary="Văn bản trích dẫn gì / what a document cites, to a depth")
def document_citations(doc_id: str, b: BackendDep, page: PagingDep, depth: Depth = 1) -> dict:
    did = b.dimensions().find_document(doc_id)
    return page(Graph(b.for_citations(did, depth, inwards=False)).cites(did, depth))


@router.get("/{doc_id:path}/cited-by", response_model=CitationHopsPublic,
            summary="Ai trích dẫn văn bản này / who cites this document, to a depth")
def document_cited_by(doc_id: str, b: BackendDep, page: PagingDep, depth: Depth = 1) -> dict:
    did = b.dimensions().find_document(doc_id)
    return page(Graph(b.for_citations(did, depth, inwards=True)).cited_by(did, depth))


@router.get("/{doc_id:path}/cascade", response_model=CascadesPublic,
            summary="Chỉ tiêu so với văn bản cấp trên / targets against the parent document")
def document_cascade(doc_id: str, c: CorpusDep, page: PagingDep, parent: OptText = None) -> dict:
    return page(Graph(c).cascade(_public(c, doc_id).id, parent))


@router.get("/{doc_id:path}/text", response_model=DocumentTextPublic,
            summary="Văn bản đã chuẩn hóa / a document's normalized text, or a part of it",
            responses={422: {"model": ErrorPublic}})
def document_text(doc_id: str, c: CorpusDep, start: Offset = None, end: Offset = None) -> DocumentTextPublic:
    """The text every provenance of the document's facts points into: ``start`` and ``end``
    of a provenance give its quote."""
    try:
        part = Graph(c).text(doc_id, start or 0, end)
    except ValueError as e:
        raise HTTPException(422, str(e)) from e
    return DocumentTextPublic(**asdict(part))


@router.get("/{doc_id:path}", response_model=DocumentPublic, summary="Một văn bản / one document")
def get_document(doc_id: str, b: BackendDep) -> DocumentPublic:
    return _public(b.for_documents([b.dimensions().find_document(doc_id)]), doc_id)
