"""Sweep campaigns over the API: campaigns, their units and coverage, the grid worker's list
of the day, and visits with the people found."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.geo import selectors as geo
from epigrid.geo.models import Jurisdiction
from epigrid.registry.models import DocType, RentalKind, ResidencyRole
from epigrid.registry.services import PersonInput
from epigrid.workforce import selectors as workforce

from . import selectors, services
from .models import Campaign, CampaignUnit, Outcome, Visit, VisitPerson
from .services import MAX_PERSONS

PREFIX = "/sweeps"
router = CapabilityRouter(tags=["sweeps"])

Status_ = Literal["never_visited", "nobody_home_only", "inspected", "gap"]
# Ids in filters are bounded: a number past the 64-bit range is a field error, not a crash.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class CoverageOut(Schema):
    units: int
    inspected: int
    nobody_home_only: int
    never_visited: int
    gap: int
    no_one_missed: bool


def coverage_out(c: selectors.Coverage) -> CoverageOut:
    return CoverageOut(
        units=c.units,
        inspected=c.inspected,
        nobody_home_only=c.nobody_home_only,
        never_visited=c.never_visited,
        gap=c.gap,
        no_one_missed=c.no_one_missed,
    )


class CampaignOut(Schema):
    id: int
    name: str
    jurisdiction: str
    rental_kinds: list[str]
    starts_on: dt.date
    ends_on: dt.date | None
    closed: bool
    version: int
    coverage: CoverageOut = Field(description="Coverage over the part the caller may see.")


def campaign_out(c: Campaign, coverage: selectors.Coverage) -> CampaignOut:
    return CampaignOut(
        id=c.pk,
        name=c.name,
        jurisdiction=c.jurisdiction.code,
        rental_kinds=list(c.rental_kinds),
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        closed=c.is_closed,
        version=c.version,
        coverage=coverage_out(coverage),
    )


def _campaign_with_coverage(actor: Actor, campaign: Campaign) -> CampaignOut:
    cov = selectors.coverage_by_campaign(actor=actor, campaign_ids=[campaign.pk])
    return campaign_out(campaign, cov.get(campaign.pk, selectors.Coverage()))


class CampaignFilters(Schema):
    within: str | None = Field(None, max_length=64)
    open_only: bool = False
    cursor: str | None = None
    limit: int = 50


class CampaignIn(Schema):
    jurisdiction: str = Field(max_length=64)
    name: str = Field(max_length=200)
    rental_kinds: list[RentalKind] = Field(default_factory=list, max_length=10)
    starts_on: dt.date
    ends_on: dt.date | None = None


class CloseIn(Schema):
    version: int
    on: dt.date | None = None


class AssignIn(Schema):
    strategy: Literal["balanced", "teams"] = "balanced"
    within: str | None = Field(None, max_length=64)


class AssignOut(Schema):
    units: int
    assigned: int
    unassigned: int
    assignees: int


@router.get("/campaigns", response=PageOut[CampaignOut])
@requires(Capability.SWEEPS_VIEW)
def campaign_list(request: HttpRequest, filters: Query[CampaignFilters]):
    actor = request_actor(request)
    qs = selectors.campaign_list(actor=actor, within=filters.within, open_only=filters.open_only)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    cov = selectors.coverage_by_campaign(actor=actor, campaign_ids=[c.pk for c in page.items])
    return {
        "items": [campaign_out(c, cov.get(c.pk, selectors.Coverage())) for c in page.items],
        "next": page.next,
    }


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
@requires(Capability.SWEEPS_VIEW)
def campaign_detail(request: HttpRequest, campaign_id: int):
    actor = request_actor(request)
    return _campaign_with_coverage(actor, selectors.campaign_get(actor=actor, pk=campaign_id))


@router.post("/campaigns", response={201: CampaignOut})
@requires(Capability.SWEEPS_MANAGE)
def campaign_start(request: HttpRequest, payload: CampaignIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=payload.jurisdiction, capability=Capability.SWEEPS_MANAGE
    )
    campaign = services.campaign_start(
        actor=actor,
        jurisdiction=node,
        name=payload.name,
        rental_kinds=[str(k) for k in payload.rental_kinds],
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, _campaign_with_coverage(actor, campaign))


@router.post("/campaigns/{campaign_id}/close", response=CampaignOut)
@requires(Capability.SWEEPS_MANAGE)
def campaign_close(request: HttpRequest, campaign_id: int, payload: CloseIn):
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    services.campaign_close(actor=actor, campaign=campaign, version=payload.version, on=payload.on)
    return _campaign_with_coverage(actor, campaign)


def _node(actor: Actor, code: str | None) -> Jurisdiction | None:
    if not code:
        return None
    return geo.jurisdiction_get(actor=actor, code=code, capability=Capability.SWEEPS_VIEW)


@router.post("/campaigns/{campaign_id}/assign", response=AssignOut)
@requires(Capability.SWEEPS_MANAGE)
def campaign_assign(request: HttpRequest, campaign_id: int, payload: AssignIn):
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    return services.campaign_assign(
        actor=actor,
        campaign=campaign,
        strategy=payload.strategy,
        within=_node(actor, payload.within),
    )


# --- campaign units -----------------------------------------------------------------------


class CampaignUnitOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    jurisdiction: str
    address: str
    label: str
    rental_kind: str
    landlord: str
    assignee_staff_id: int | None
    assignee_team_id: int | None
    visits_count: int
    last_visit_at: dt.datetime | None
    last_outcome: str
    first_inspected_at: dt.datetime | None


def unit_out(cu: CampaignUnit) -> CampaignUnitOut:
    unit = cu.unit
    return CampaignUnitOut(
        id=cu.pk,
        campaign_id=cu.campaign_id,
        unit_id=cu.unit_id,
        jurisdiction=cu.code,
        address=unit.building.address,
        label=unit.label,
        rental_kind=unit.rental_kind,
        landlord=unit.landlord.name if unit.landlord else "",
        assignee_staff_id=cu.assignee_staff_id,
        assignee_team_id=cu.assignee_team_id,
        visits_count=cu.visits_count,
        last_visit_at=cu.last_visit_at,
        last_outcome=cu.last_outcome,
        first_inspected_at=cu.first_inspected_at,
    )


class UnitFilters(Schema):
    within: str | None = Field(None, max_length=64)
    status: Status_ | None = None
    assignee_staff: Id | None = None
    assignee_team: Id | None = None
    unassigned: bool = False
    cursor: str | None = None
    limit: int = 50


class UnitAssignIn(Schema):
    staff_id: Id | None = None
    team_id: Id | None = None


@router.get("/campaigns/{campaign_id}/units", response=PageOut[CampaignUnitOut])
@requires(Capability.SWEEPS_VIEW)
def unit_list(request: HttpRequest, campaign_id: int, filters: Query[UnitFilters]):
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    qs = selectors.campaign_units(
        actor=actor,
        campaign=campaign,
        within=filters.within,
        status=filters.status,
        assignee_staff=filters.assignee_staff,
        assignee_team=filters.assignee_team,
        unassigned=filters.unassigned,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [unit_out(cu) for cu in page.items], "next": page.next}


@router.get("/units/{unit_id}", response=CampaignUnitOut)
@requires(Capability.SWEEPS_VIEW)
def unit_detail(request: HttpRequest, unit_id: int):
    return unit_out(selectors.campaign_unit_get(actor=request_actor(request), pk=unit_id))


@router.patch("/units/{unit_id}", response=CampaignUnitOut)
@requires(Capability.SWEEPS_MANAGE)
def unit_assign(request: HttpRequest, unit_id: int, payload: UnitAssignIn):
    actor = request_actor(request)
    cu = selectors.campaign_unit_get(actor=actor, pk=unit_id)
    try:
        staff = workforce.staff_get(actor=actor, pk=payload.staff_id) if payload.staff_id else None
    except Http404 as exc:
        raise ValidationError({"staff_id": _("No grid worker with this id in your area.")}) from exc
    try:
        team = workforce.team_get(actor=actor, pk=payload.team_id) if payload.team_id else None
    except Http404 as exc:
        raise ValidationError({"team_id": _("No team with this id in your area.")}) from exc
    services.campaign_unit_assign(actor=actor, campaign_unit=cu, staff=staff, team=team)
    return unit_out(selectors.campaign_unit_get(actor=actor, pk=unit_id))


class CoverageGridOut(CoverageOut):
    jurisdiction: str
    name: str


class CoveragePage(Schema):
    jurisdiction: str
    totals: CoverageOut
    items: list[CoverageGridOut]
    next: str | None


class CoverageFilters(Schema):
    within: str | None = Field(None, max_length=64)
    cursor: str | None = None
    limit: int = 50


@router.get("/campaigns/{campaign_id}/coverage", response=CoveragePage)
@requires(Capability.SWEEPS_VIEW)
def coverage(request: HttpRequest, campaign_id: int, filters: Query[CoverageFilters]):
    """Coverage inside `within` (default: the campaign's node, or the caller's area in it):
    totals, and one row per grid, keyset-paginated by grid."""
    actor = request_actor(request)
    campaign = selectors.campaign_get(actor=actor, pk=campaign_id)
    node = _node(actor, filters.within)
    if node is None:
        inside = [p for p in actor.paths(Capability.SWEEPS_VIEW) if p.startswith(campaign.jpath)]
        path = campaign.jpath if actor.can(Capability.SWEEPS_VIEW, campaign.jpath) else None
        path = path or (inside[0] if inside else None)
        if path is None:
            raise Http404
    elif not node.path.startswith(campaign.jpath):
        raise Http404
    else:
        path = node.path
    totals, rows, nxt = selectors.coverage_grids_page(
        actor=actor, campaign=campaign, path=path, cursor=filters.cursor, limit=filters.limit
    )
    names = dict(
        Jurisdiction.objects.filter(path__in=[p for p, _cov in rows]).values_list("path", "name")
    )
    return CoveragePage(
        jurisdiction=path.rstrip("."),
        totals=coverage_out(totals),
        items=[
            CoverageGridOut(jurisdiction=p.rstrip("."), name=names.get(p, ""), **_fields(c))
            for p, c in rows
        ],
        next=nxt,
    )


def _fields(c: selectors.Coverage) -> dict:
    return coverage_out(c).dict()


# --- the grid worker's day ----------------------------------------------------------------


class TodayFilters(Schema):
    cursor: str | None = None
    limit: int = 50


@router.get("/today", response=PageOut[CampaignUnitOut])
@requires(Capability.VISITS_RECORD)
def today(request: HttpRequest, filters: Query[TodayFilters]):
    """Units assigned to the caller (or their teams) not yet inspected: never-visited first,
    then those where nobody was home."""
    actor = request_actor(request)
    page = selectors.today_page(
        selectors.today_list(actor=actor), cursor=filters.cursor, limit=filters.limit
    )
    return {"items": [unit_out(cu) for cu in page.items], "next": page.next}


# --- visits -------------------------------------------------------------------------------


class VisitPersonOut(Schema):
    person_id: int
    name: str
    role: str
    created: bool


class VisitOut(Schema):
    id: int
    campaign_id: int
    campaign_unit_id: int
    unit_id: int
    jurisdiction: str
    visited_at: dt.datetime
    visited_by_id: int
    visited_by: str
    team_id: int | None
    outcome: Outcome
    note: str
    persons: list[VisitPersonOut]


def visit_out(v: Visit, found: list[VisitPerson]) -> VisitOut:
    return VisitOut(
        id=v.pk,
        campaign_id=v.campaign_id,
        campaign_unit_id=v.campaign_unit_id,
        unit_id=v.unit_id,
        jurisdiction=v.code,
        visited_at=v.visited_at,
        visited_by_id=v.visited_by_id,
        visited_by=v.visited_by.name,
        team_id=v.team_id,
        outcome=Outcome(v.outcome),
        note=v.note,
        persons=[
            VisitPersonOut(
                person_id=vp.person_id, name=vp.person.name, role=vp.role, created=vp.created
            )
            for vp in found
        ],
    )


class VisitFilters(Schema):
    campaign: Id | None = None
    campaign_unit: Id | None = None
    within: str | None = Field(None, max_length=64)
    outcome: Outcome | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    cursor: str | None = None
    limit: int = 50


class PersonFoundIn(Schema):
    name: str = Field("", max_length=100)
    doc_type: DocType = DocType.RESIDENT_ID
    doc_number: str = Field("", max_length=40)
    phone: str = Field("", max_length=40)
    role: ResidencyRole = ResidencyRole.TENANT


class VisitIn(Schema):
    campaign_unit: Id
    visited_at: dt.datetime
    outcome: Outcome
    note: str = Field("", max_length=400)
    visited_by: Id | None = None
    persons: list[PersonFoundIn] = Field(default_factory=list, max_length=MAX_PERSONS)


@router.get("/visits", response=PageOut[VisitOut])
@requires(Capability.SWEEPS_VIEW)
def visit_list(request: HttpRequest, filters: Query[VisitFilters]):
    actor = request_actor(request)
    qs = selectors.visit_list(
        actor=actor,
        campaign=filters.campaign,
        campaign_unit=filters.campaign_unit,
        within=filters.within,
        outcome=str(filters.outcome) if filters.outcome else None,
        since=filters.since,
        until=filters.until,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    found = selectors.visit_persons(visits=page.items)
    return {"items": [visit_out(v, found[v.pk]) for v in page.items], "next": page.next}


@router.get("/visits/{visit_id}", response=VisitOut)
@requires(Capability.SWEEPS_VIEW)
def visit_detail(request: HttpRequest, visit_id: int):
    actor = request_actor(request)
    visit = selectors.visit_get(actor=actor, pk=visit_id)
    return visit_out(visit, selectors.visit_persons(visits=[visit])[visit.pk])


@router.post("/visits", response={201: VisitOut})
@requires(Capability.VISITS_RECORD)
def visit_create(request: HttpRequest, payload: VisitIn):
    actor = request_actor(request)
    cu = selectors.campaign_unit_get(
        actor=actor, pk=payload.campaign_unit, capability=Capability.VISITS_RECORD
    )
    visited_by = None
    if payload.visited_by is not None:
        try:
            visited_by = workforce.staff_get(actor=actor, pk=payload.visited_by)
        except Http404 as exc:
            raise ValidationError(
                {"visited_by": _("No grid worker with this id in your area.")}
            ) from exc
    visit = services.visit_record(
        actor=actor,
        campaign_unit=cu,
        visited_at=payload.visited_at,
        outcome=str(payload.outcome),
        note=payload.note,
        persons=[
            (
                PersonInput(
                    name=p.name,
                    doc_type=str(p.doc_type),
                    doc_number=p.doc_number,
                    phone=p.phone,
                ),
                str(p.role),
            )
            for p in payload.persons
        ],
        visited_by=visited_by,
    )
    visit = selectors.visit_get(actor=actor, pk=visit.pk)
    return Status(201, visit_out(visit, selectors.visit_persons(visits=[visit])[visit.pk]))
