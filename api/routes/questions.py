"""Questions across the corpus: who leads, search, dependencies, paths, audit."""

from __future__ import annotations

from typing import Annotated, Literal

from cchc_graph.graph.questions import audit as audit_mod
from cchc_graph.graph.questions import trace
from cchc_graph.graph.questions.index import NotFound
from cchc_graph.library import Graph
from fastapi import APIRouter, Query

from ..deps import BackendDep, CorpusDep, Depth, OptText, PagingDep, Text
from ..schemas import (
    DependenciesPublic,
    ErrorPublic,
    LinksPublic,
    SearchHitsPublic,
    TaskAnswersPublic,
    ViolationsPublic,
)

router = APIRouter(tags=["câu hỏi / questions"], responses={404: {"model": ErrorPublic}})
EntityType = Literal["agency", "document", "indicator", "task", "target", "citation"]
Severity = Literal["error", "warning", "info"]


@router.get("/who-leads", response_model=TaskAnswersPublic,
            summary="Ai chủ trì việc gì / tasks matching a phrase, with their agencies")
def who_leads(b: BackendDep, page: PagingDep, q: Text, jurisdiction: OptText = None,
              document: OptText = None) -> dict:
    return page(Graph(b.for_phrase(q)).who_leads(q, jurisdiction, document))


@router.get("/search", response_model=SearchHitsPublic,
            summary="Tìm kiếm không dấu / search names, titles, numbers and quotes")
def search(c: CorpusDep, page: PagingDep, q: Text,
           type: Annotated[list[EntityType] | None, Query()] = None) -> dict:
    return page(Graph(c).search(q, tuple(type or ())))


@router.get("/deps", response_model=DependenciesPublic,
            summary="Phụ thuộc / what an entity depends on and what depends on it")
def deps(c: CorpusDep, page: PagingDep, entity: Text, depth: Depth = 1) -> DependenciesPublic:
    """Both lists are paged with the same ``limit`` and ``offset``; the counts are of all."""
    d = Graph(c).deps(entity, depth)
    up, down = d.depends_on, d.depended_on_by
    return DependenciesPublic(entity=d.entity, depends_on=page.window(up), depended_on_by=page.window(down),
                              depends_on_count=len(up), depended_on_by_count=len(down))


@router.get("/path", response_model=LinksPublic,
            summary="Đường nối ngắn nhất / shortest chain of facts between two entities")
def path(c: CorpusDep, page: PagingDep, source: Text, target: Text, structural: bool = False) -> dict:
    a, b = c.resolve_entity(source), c.resolve_entity(target)
    links = trace.path(c, a, b, structural)
    if not links and a != b:
        raise NotFound(f"không có đường nối / no path between {source!r} and {target!r}")
    return page(links)


@router.get("/audit", response_model=ViolationsPublic,
            summary="Kiểm tra / violations of the one-task-one-lead rule and cross-document checks")
def audit(c: CorpusDep, page: PagingDep,
          rule: Annotated[list[Literal[audit_mod.RULE_NAMES]] | None, Query()] = None,  # type: ignore[valid-type]
          severity: Severity = "info", document: OptText = None) -> dict:
    # the page's findings built, not all (Graph.audit builds them all)
    return page(audit_mod.audit(c, tuple(rule or ()), severity, document))
