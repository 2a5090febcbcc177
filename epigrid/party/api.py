import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import keyset_page
from epigrid.geo import selectors as geo

from . import selectors, services
from .models import PartyCommittee, UnitKind

router = CapabilityRouter(tags=["party committees"])


class UnitOut(Schema):
    id: int
    name: str
    kind: UnitKind
    contact_name: str
    contact_phone: str
    active_from: dt.date
    version: int


class CommitteeOut(Schema):
    id: int
    name: str
    jurisdiction: str
    secretary: str
    units: list[UnitOut]
    active_from: dt.date
    active_until: dt.date | None
    version: int


def committee_out(actor: Actor, c: PartyCommittee) -> CommitteeOut:
    show = actor.can(Capability.CONTACTS_VIEW, c.jpath)
    return CommitteeOut(
        id=c.pk,
        name=c.name,
        jurisdiction=c.jurisdiction.code,
        secretary=c.secretary,
        units=[
            UnitOut(
                id=u.pk,
                name=u.name,
                kind=UnitKind(u.kind),
                contact_name=u.contact_name,
                contact_phone=u.contact_phone if show else mask_phone(u.contact_phone),
                active_from=u.active_from,
                version=u.version,
            )
            for u in c.current_units
        ],
        active_from=c.active_from,
        active_until=c.active_until,
        version=c.version,
    )


class CommitteeFilters(Schema):
    within: str | None = None
    q: str | None = None
    include_inactive: bool = False
    cursor: str | None = None
    limit: int = 50


class CommitteeIn(Schema):
    jurisdiction: str
    name: str
    secretary: str = ""
    active_from: dt.date | None = None


class CommitteePatch(Schema):
    version: int
    name: str
    secretary: str = ""


class UnitIn(Schema):
    name: str
    kind: UnitKind
    contact_name: str = ""
    contact_phone: str = ""
    active_from: dt.date | None = None


class EndIn(Schema):
    version: int
    on: dt.date | None = None


def _get(actor: Actor, committee_id: int) -> PartyCommittee:
    return selectors.committee_get(actor=actor, pk=committee_id)


@router.get("/party-committees", response=PageOut[CommitteeOut])
@requires(Capability.PARTY_VIEW)
def committee_list(request: HttpRequest, filters: Query[CommitteeFilters]):
    actor = request_actor(request)
    qs = selectors.committee_list(
        actor=actor, within=filters.within, q=filters.q, include_inactive=filters.include_inactive
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [committee_out(actor, c) for c in page.items], "next": page.next}


@router.get("/party-committees/{committee_id}", response=CommitteeOut)
@requires(Capability.PARTY_VIEW)
def committee_detail(request: HttpRequest, committee_id: int):
    actor = request_actor(request)
    return committee_out(actor, _get(actor, committee_id))


@router.post("/party-committees", response={201: CommitteeOut})
@requires(Capability.PARTY_MANAGE)
def committee_create(request: HttpRequest, payload: CommitteeIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=payload.jurisdiction, capability=Capability.PARTY_MANAGE
    )
    c = services.committee_create(
        actor=actor, jurisdiction=node, **payload.dict(exclude={"jurisdiction"})
    )
    return Status(201, committee_out(actor, _get(actor, c.pk)))


@router.patch("/party-committees/{committee_id}", response=CommitteeOut)
@requires(Capability.PARTY_MANAGE)
def committee_update(request: HttpRequest, committee_id: int, payload: CommitteePatch):
    actor = request_actor(request)
    services.committee_update(actor=actor, committee=_get(actor, committee_id), **payload.dict())
    return committee_out(actor, _get(actor, committee_id))


@router.post("/party-committees/{committee_id}/dissolve", response=CommitteeOut)
@requires(Capability.PARTY_MANAGE)
def committee_dissolve(request: HttpRequest, committee_id: int, payload: EndIn):
    actor = request_actor(request)
    services.committee_dissolve(actor=actor, committee=_get(actor, committee_id), **payload.dict())
    return committee_out(actor, _get(actor, committee_id))


@router.post("/party-committees/{committee_id}/units", response={201: CommitteeOut})
@requires(Capability.PARTY_MANAGE)
def unit_add(request: HttpRequest, committee_id: int, payload: UnitIn):
    actor = request_actor(request)
    data = payload.dict()
    data["kind"] = str(data["kind"])
    services.unit_add(actor=actor, committee=_get(actor, committee_id), **data)
    return Status(201, committee_out(actor, _get(actor, committee_id)))


@router.post("/party-committees/{committee_id}/units/{unit_id}/remove", response=CommitteeOut)
@requires(Capability.PARTY_MANAGE)
def unit_remove(request: HttpRequest, committee_id: int, unit_id: int, payload: EndIn):
    actor = request_actor(request)
    committee = _get(actor, committee_id)
    unit = selectors.unit_get(actor=actor, pk=unit_id)
    if unit.committee_id != committee.pk:
        raise Http404
    services.unit_remove(actor=actor, unit=unit, **payload.dict())
    return committee_out(actor, _get(actor, committee_id))
