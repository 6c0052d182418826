"""Response schemas at the HTTP edge: pydantic wrappers around the graph's dataclasses."""

from __future__ import annotations

from typing import Generic, TypeVar

from cchc_graph.graph.questions.audit import Violation
from cchc_graph.graph.questions.cascade import Cascade, ComparisonRow, MetricInfo
from cchc_graph.graph.questions.index import AgencyRef
from cchc_graph.graph.questions.planning import Deadline, Matrix
from cchc_graph.graph.questions.queries import AgencyProfile, AgencyRole, SearchHit, TaskAnswer
from cchc_graph.graph.questions.trace import CitationHop, Inconsistency, Link
from pydantic import BaseModel, Field

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: ``data`` and the total ``count`` before paging."""

    data: list[T]
    count: int = Field(description="Tổng số kết quả / total results before paging")


class ErrorPublic(BaseModel):
    detail: str


class HealthPublic(BaseModel):
    status: str
    documents: int
    schema_version: int
    upload_enabled: bool
    backend: str = "embedded"


class DocumentPublic(BaseModel):
    id: str
    type: str | None = None
    number: str | None = None
    number_inferred: str | None = None
    title: str | None = None
    issuer: str | None = None
    date: str | None = None
    jurisdiction: str | None = None
    period_start: int | None = None
    period_end: int | None = None
    tasks: int = 0
    targets: int = 0
    citations: int = 0


class DocumentTextPublic(BaseModel):
    """A document's normalized text, or its part ``start:end``: a fact's provenance (start,
    end) cuts its quote out of it."""

    document: str
    start: int
    end: int
    length: int = Field(description="Độ dài cả văn bản / the whole text's length")
    text: str


class DependenciesPublic(BaseModel):
    entity: str
    depends_on: list[Link]
    depended_on_by: list[Link]
    depends_on_count: int
    depended_on_by_count: int


class UploadPublic(BaseModel):
    loaded: list[str]
    cached: list[str]
    skipped: list[tuple[str, str]]
    documents: int


class DocumentsPublic(Page[DocumentPublic]): ...
class AgenciesPublic(Page[AgencyRef]): ...
class TaskAnswersPublic(Page[TaskAnswer]): ...
class AgencyRolesPublic(Page[AgencyRole]): ...
class CitationHopsPublic(Page[CitationHop]): ...
class InconsistenciesPublic(Page[Inconsistency]): ...
class LinksPublic(Page[Link]): ...
class CascadesPublic(Page[Cascade]): ...
class ComparisonPublic(Page[ComparisonRow]): ...
class MetricsPublic(Page[MetricInfo]): ...
class ViolationsPublic(Page[Violation]): ...
class SearchHitsPublic(Page[SearchHit]): ...
class DeadlinesPublic(Page[Deadline]): ...


__all__ = ["AgencyProfile", "Matrix"]  # served as they are
