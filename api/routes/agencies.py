"""Agencies: search by name, profile, roles."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from cchc_graph.graph.questions import queries
from cchc_graph.graph.questions.index import ROLES, NotFound
from cchc_graph.graph.questions.tables import Answers
from cchc_graph.library import Graph
from fastapi import APIRouter, Query

from ..deps import MAX_PAGE, BackendDep, OptText, PagingDep, Text
from ..schemas import AgenciesPublic, AgencyProfile, AgencyRolesPublic, ErrorPublic

router = APIRouter(prefix="/agencies", tags=["cơ quan / agencies"], responses={404: {"model": ErrorPublic}})
RoleQuery = Annotated[list[str] | None, Query(description="Vai trò / roles: " + ", ".join(ROLES))]


@router.get("", response_model=AgenciesPublic,
            summary="Tìm cơ quan theo tên, không dấu / agencies by name or alias")
def list_agencies(b: BackendDep, page: PagingDep, q: OptText = None, jurisdiction: OptText = None) -> dict:
    c = b.dimensions()
    ids = c.find_agencies(q, jurisdiction) if q else c.ids_in("agencies", jurisdiction)
    return page(Answers(ids, c.agency_ref))


@router.get("/roles", response_model=AgencyRolesPublic,
            summary="Việc cơ quan chủ trì, phối hợp… / what agencies named q lead, cooperate on …")
def agency_roles(b: BackendDep, page: PagingDep, q: Text, jurisdiction: OptText = None,
                 role: RoleQuery = None, document: OptText = None) -> dict:
    bad = [r for r in role or [] if r not in ROLES]
    if bad:
        raise NotFound(f"vai trò không có / unknown role {bad[0]!r}; one of {', '.join(ROLES)}")
    c = b.for_agencies(b.dimensions().find_agencies(q, jurisdiction))
    return page(Graph(c).agency_roles(q, jurisdiction, tuple(role or ROLES), document))


RolesLimit = Annotated[int | None, Query(ge=0, le=MAX_PAGE, description=(
    "Số vai trò gửi / roles sent, by document and place (all when not given; role_counts gives "
    "each kind's total)"))]
RolesOffset = Annotated[int, Query(ge=0, le=10_000_000, description="Bỏ qua / roles skipped")]


@router.get("/{agency_id}", response_model=AgencyProfile,
            summary="Hồ sơ cơ quan / agency profile: roles, documents, reporting lines")
def agency_profile(agency_id: str, b: BackendDep, roles_limit: RolesLimit = None,
                   roles_offset: RolesOffset = 0) -> AgencyProfile:
    p = queries.agency_profile(b.for_agencies([agency_id]), agency_id)
    # (its roles by document and place, read as sent: a provincial centre holds tens of thousands)
    stop = None if roles_limit is None else roles_offset + roles_limit
    return replace(p, roles=p.roles[roles_offset:stop])
