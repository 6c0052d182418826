"""Citations: resolved or not, inconsistencies, backward trace by number."""

from __future__ import annotations

from typing import Literal

from cchc_graph.library import Graph
from fastapi import APIRouter

from ..deps import BackendDep, CorpusDep, Depth, PagingDep, Text
from ..schemas import CitationHopsPublic, ErrorPublic, InconsistenciesPublic

router = APIRouter(tags=["trích dẫn / citations"], responses={404: {"model": ErrorPublic}})


@router.get("/citations", response_model=CitationHopsPublic,
            summary="Trích dẫn, đã/chưa tìm thấy trong kho / citations, resolved in the corpus or not")
def citations(c: CorpusDep, page: PagingDep,
              status: Literal["all", "resolved", "unresolved"] = "all") -> dict:
    return page(Graph(c).citations(None if status == "all" else status == "resolved"))


@router.get("/citations/inconsistencies", response_model=InconsistenciesPublic,
            summary="Cùng số hiệu, khác ngày/cơ quan/trích yếu / same number cited differently")
def inconsistencies(c: CorpusDep, page: PagingDep) -> dict:
    return page(Graph(c).inconsistencies())


@router.get("/cited-by", response_model=CitationHopsPublic,
            summary="Ai trích dẫn số hiệu này / who cites a document number, to a depth")
def cited_by(b: BackendDep, page: PagingDep, number: Text, depth: Depth = 1) -> dict:
    return page(Graph(b.for_citations(number, depth, inwards=True)).cited_by(number, depth))
