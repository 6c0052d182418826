"""Targets: the metrics in the corpus and one metric compared across jurisdictions."""

from __future__ import annotations

from cchc_graph.library import Graph
from fastapi import APIRouter

from ..deps import CorpusDep, PagingDep, Text
from ..schemas import ComparisonPublic, ErrorPublic, MetricsPublic

router = APIRouter(tags=["chỉ tiêu / targets"], responses={404: {"model": ErrorPublic}})


@router.get("/metrics", response_model=MetricsPublic, summary="Các chỉ tiêu / metrics with target counts")
def metrics(c: CorpusDep, page: PagingDep) -> dict:
    return page(Graph(c).metrics())


@router.get("/compare", response_model=ComparisonPublic,
            summary="So một chỉ tiêu giữa các địa bàn / one metric across jurisdictions")
def compare(c: CorpusDep, page: PagingDep, metric: Text) -> dict:
    return page(Graph(c).compare(metric))
