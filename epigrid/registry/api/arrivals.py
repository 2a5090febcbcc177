"""Arrivals and the epidemic source areas."""

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page

from .. import exports, queries, selectors, services
from ..models import Arrival, RiskArea, Transport
from .common import XLSX_RESPONSE, EndIn, active_person, code_of

router = CapabilityRouter(tags=["register"])


class ArrivalOut(Schema):
    id: int
    person_id: int
    name: str
    arrived_on: dt.date
    from_place: str
    from_code: str
    via_codes: list[str]
    transport: Transport | None
    trip_number: str
    touches_risk_area: bool
    recorded_on: dt.date
    jurisdiction: str


def arrival_out(a: Arrival) -> ArrivalOut:
    return ArrivalOut(
        id=a.pk,
        person_id=a.person_id,
        name=a.person.name,
        arrived_on=a.arrived_on,
        from_place=a.from_place,
        from_code=a.from_code,
        via_codes=list(a.via_codes or []),
        transport=Transport(a.transport) if a.transport else None,
        trip_number=a.trip_number,
        touches_risk_area=a.touches_risk_area,
        recorded_on=a.recorded_on,
        jurisdiction=code_of(a.jpath),
    )


class ArrivalFilters(Schema):
    person: int | None = None
    within: str | None = None
    risk_only: bool = False
    since: dt.date | None = None
    cursor: str | None = None
    limit: int = 50


class ArrivalIn(Schema):
    person_id: int
    arrived_on: dt.date
    from_place: str
    from_code: str = ""
    via_codes: list[str] = []
    transport: Transport | None = None
    trip_number: str = ""


@router.get("/arrivals", response=PageOut[ArrivalOut])
@requires(Capability.REGISTRY_VIEW)
def arrival_list(request: HttpRequest, filters: Query[ArrivalFilters]):
    actor = request_actor(request)
    qs = selectors.arrival_list(
        actor=actor,
        person=filters.person,
        within=filters.within,
        risk_only=filters.risk_only,
        since=filters.since,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [arrival_out(a) for a in page.items], "next": page.next}


@router.get("/arrivals/export", openapi_extra=XLSX_RESPONSE)
@requires(Capability.REGISTRY_VIEW)
def arrival_export(request: HttpRequest, filters: Query[ArrivalFilters]):
    actor = request_actor(request)
    return exports.export_response(
        actor=actor,
        key="arrivals",
        filters={
            "within": filters.within,
            "risk_only": filters.risk_only,
            "since": filters.since.isoformat() if filters.since else None,
        },
    )


@router.post("/arrivals", response={200: ArrivalOut, 201: ArrivalOut})
@requires(Capability.REGISTRY_MANAGE)
def arrival_create(request: HttpRequest, payload: ArrivalIn):
    """Records an arrival (201); the same person, day and origin again: 200, unchanged."""
    actor = request_actor(request)
    person = active_person(actor, payload.person_id)
    arrival, created = services.arrival_record(
        actor=actor,
        person=person,
        arrived_on=payload.arrived_on,
        from_place=payload.from_place,
        from_code=payload.from_code,
        via_codes=payload.via_codes,
        transport=str(payload.transport) if payload.transport else "",
        trip_number=payload.trip_number,
    )
    return Status(201 if created else 200, arrival_out(arrival))


class RiskAreaOut(Schema):
    id: int
    name: str
    region_code: str
    active_from: dt.date
    active_until: dt.date | None
    jurisdiction: str


def risk_area_out(a: RiskArea, root: str) -> RiskAreaOut:
    return RiskAreaOut(
        id=a.pk,
        name=a.name,
        region_code=a.region_code,
        active_from=a.active_from,
        active_until=a.active_until,
        jurisdiction=root,
    )


class RiskAreaFilters(Schema):
    on: dt.date | None = None
    cursor: str | None = None
    limit: int = 50


class RiskAreaIn(Schema):
    name: str
    region_code: str
    active_from: dt.date


def _root_code() -> str:
    root = queries.tree_root()
    return root.code if root else ""


@router.get("/risk-areas", response=PageOut[RiskAreaOut])
@requires(Capability.REGISTRY_VIEW)
def risk_area_list(request: HttpRequest, filters: Query[RiskAreaFilters]):
    """The epidemic source areas (policy for the whole tree), or those in force on `on`."""
    page = keyset_page(
        selectors.risk_area_list(on=filters.on), cursor=filters.cursor, limit=filters.limit
    )
    root = _root_code()
    return {"items": [risk_area_out(a, root) for a in page.items], "next": page.next}


@router.post("/risk-areas", response={201: RiskAreaOut})
@requires(Capability.POLICY_MANAGE)
def risk_area_create(request: HttpRequest, payload: RiskAreaIn):
    """Lists an area (headquarters over the whole tree); arrivals since then are judged again."""
    area = services.risk_area_create(actor=request_actor(request), **payload.dict())
    return Status(201, risk_area_out(area, _root_code()))


@router.post("/risk-areas/{area_id}/end", response=RiskAreaOut)
@requires(Capability.POLICY_MANAGE)
def risk_area_end(request: HttpRequest, area_id: int, payload: EndIn):
    area = queries.risk_area_get(pk=area_id)
    if area is None:
        raise Http404
    area = services.risk_area_end(actor=request_actor(request), area=area, on=payload.on)
    return risk_area_out(area, _root_code())
