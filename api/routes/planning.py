"""Responsibility matrix (JSON, CSV, Excel) and deadline calendar (JSON, iCalendar)."""

from __future__ import annotations

from cchc_graph.graph.questions import planning
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.library import Graph
from fastapi import APIRouter, HTTPException, Response

from ..deps import CorpusDep, OptText, PagingDep
from ..schemas import DeadlinesPublic, ErrorPublic, Matrix

router = APIRouter(tags=["kế hoạch / planning"], responses={404: {"model": ErrorPublic},
                                                           422: {"model": ErrorPublic}})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A matrix or a calendar file is whole, not paged: past these sizes it is refused. At 10,000
# documents a province's scope holds about 4,400 tasks (its matrix: 1,900 × 350 agencies,
# 7 s as .xlsx); the whole corpus 240,000 tasks (a matrix of 106,000 tasks × 10,400
# agencies, gigabytes as CSV) and 152,000 deadlines (a 120 MB calendar, 90 s).
MAX_SCOPE_TASKS = 10_000
MAX_CALENDAR_EVENTS = 10_000


def _bounded(n: int, most: int, what: str) -> None:
    if n > most:
        raise HTTPException(422, f"quá lớn / {n} {what} in this scope, more than {most}: narrow it "
                                 "with document=, jurisdiction= (or agency= for a calendar)")


def _matrix(c: Corpus, document: str | None, jurisdiction: str | None) -> planning.Matrix:
    _bounded(planning.scope_size(c, document, jurisdiction), MAX_SCOPE_TASKS, "tasks")
    return Graph(c).matrix(document, jurisdiction)


def _file(content: str | bytes, media: str, name: str) -> Response:
    return Response(content, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _binary(media: str) -> dict:
    return {200: {"content": {media: {"schema": {"type": "string"}}}}}


@router.get("/matrix", response_model=Matrix, summary="Ma trận trách nhiệm / agencies × tasks")
def matrix(c: CorpusDep, document: OptText = None, jurisdiction: OptText = None) -> Matrix:
    return _matrix(c, document, jurisdiction)


@router.get("/matrix.csv", response_class=Response, responses=_binary("text/csv"),
            summary="Ma trận trách nhiệm (CSV) / responsibility matrix as CSV")
def matrix_csv(c: CorpusDep, document: OptText = None, jurisdiction: OptText = None) -> Response:
    m = _matrix(c, document, jurisdiction)
    return _file(planning.matrix_csv(m), "text/csv; charset=utf-8", "ma-tran-trach-nhiem.csv")


@router.get("/matrix.xlsx", response_class=Response, responses=_binary(XLSX),
            summary="Ma trận trách nhiệm (Excel) / responsibility matrix as .xlsx")
def matrix_xlsx(c: CorpusDep, document: OptText = None, jurisdiction: OptText = None) -> Response:
    m = _matrix(c, document, jurisdiction)
    return _file(planning.matrix_xlsx(m), XLSX, "ma-tran-trach-nhiem.xlsx")


@router.get("/calendar", response_model=DeadlinesPublic,
            summary="Thời hạn / deadlines, one-off and recurring")
def calendar(c: CorpusDep, page: PagingDep, document: OptText = None, jurisdiction: OptText = None,
             agency: OptText = None) -> dict:
    return page(Graph(c).calendar(document, jurisdiction, agency))


@router.get("/calendar.ics", response_class=Response, responses=_binary("text/calendar"),
            summary="Lịch thời hạn (iCalendar) / deadlines as an .ics calendar")
def calendar_ics(c: CorpusDep, document: OptText = None, jurisdiction: OptText = None,
                 agency: OptText = None) -> Response:
    items = Graph(c).calendar(document, jurisdiction, agency)
    _bounded(len(items), MAX_CALENDAR_EVENTS, "deadlines")
    return _file(planning.to_ics(items), "text/calendar; charset=utf-8", "thoi-han-cchc.ics")
