import datetime as dt

from django.http import HttpRequest
from ninja import Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page

from . import selectors, services
from .models import Jurisdiction, Kind

router = CapabilityRouter(tags=["jurisdictions"])


class JurisdictionOut(Schema):
    code: str
    jurisdiction: str
    parent: str | None
    kind: Kind
    name: str
    active_from: dt.date
    active_until: dt.date | None
    version: int

    @staticmethod
    def from_node(node: Jurisdiction, parent_code: str | None) -> "JurisdictionOut":
        return JurisdictionOut(
            code=node.code,
            jurisdiction=node.code,
            parent=parent_code,
            kind=Kind(node.kind),
            name=node.name,
            active_from=node.active_from,
            active_until=node.active_until,
            version=node.version,
        )


def _out(node: Jurisdiction) -> JurisdictionOut:
    parent = node.code.rsplit(".", 1)[0] if node.parent_id else None
    return JurisdictionOut.from_node(node, parent)


class JurisdictionFilters(Schema):
    within: str | None = None
    kind: list[Kind] | None = None
    parent: str | None = None
    q: str | None = None
    as_of: dt.date | None = None
    include_inactive: bool = False
    cursor: str | None = None
    limit: int = 50


class JurisdictionIn(Schema):
    parent: str
    kind: Kind
    name: str
    segment: str | None = None
    active_from: dt.date | None = None


class RenameIn(Schema):
    name: str
    version: int


class DeactivateIn(Schema):
    version: int
    on: dt.date | None = None


@router.get("/jurisdictions", response=PageOut[JurisdictionOut])
@requires(Capability.GRIDS_VIEW)
def jurisdiction_list(request: HttpRequest, filters: Query[JurisdictionFilters]):
    actor = request_actor(request)
    qs = selectors.jurisdiction_list(
        actor=actor,
        within=filters.within,
        kinds=[str(k) for k in filters.kind] if filters.kind else None,
        parent=filters.parent,
        q=filters.q,
        as_of=filters.as_of,
        include_inactive=filters.include_inactive,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="path")
    return {"items": [_out(n) for n in page.items], "next": page.next}


@router.get("/jurisdictions/{code}", response=JurisdictionOut)
@requires(Capability.GRIDS_VIEW)
def jurisdiction_detail(request: HttpRequest, code: str):
    return _out(selectors.jurisdiction_get(actor=request_actor(request), code=code))


@router.post("/jurisdictions", response={201: JurisdictionOut})
@requires(Capability.GRIDS_MANAGE)
def jurisdiction_create(request: HttpRequest, payload: JurisdictionIn):
    actor = request_actor(request)
    parent = selectors.jurisdiction_get(actor=actor, code=payload.parent)
    node = services.jurisdiction_create(
        actor=actor,
        parent=parent,
        kind=str(payload.kind),
        name=payload.name,
        segment=payload.segment,
        active_from=payload.active_from,
    )
    return Status(201, _out(node))


@router.patch("/jurisdictions/{code}", response=JurisdictionOut)
@requires(Capability.GRIDS_MANAGE)
def jurisdiction_rename(request: HttpRequest, code: str, payload: RenameIn):
    actor = request_actor(request)
    node = selectors.jurisdiction_get(actor=actor, code=code)
    return _out(
        services.jurisdiction_rename(
            actor=actor, node=node, version=payload.version, name=payload.name
        )
    )


@router.post("/jurisdictions/{code}/deactivate", response=JurisdictionOut)
@requires(Capability.GRIDS_MANAGE)
def jurisdiction_deactivate(request: HttpRequest, code: str, payload: DeactivateIn):
    actor = request_actor(request)
    node = selectors.jurisdiction_get(actor=actor, code=code)
    return _out(
        services.jurisdiction_deactivate(
            actor=actor, node=node, version=payload.version, on=payload.on
        )
    )
