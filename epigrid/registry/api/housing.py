"""Buildings, dwellings and residencies."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.geo import selectors as geo

from .. import exports, queries, selectors, services
from ..models import (
    Building,
    BuildingKind,
    HousingUnit,
    Person,
    RentalKind,
    Residency,
    ResidencyRole,
    UnitUse,
)
from .common import XLSX_RESPONSE, code_of, person_in_scope, unit_in_scope

router = CapabilityRouter(tags=["register"])


class BuildingOut(Schema):
    id: int
    address: str
    kind: BuildingKind
    jurisdiction: str
    version: int


def building_out(b: Building) -> BuildingOut:
    return BuildingOut(
        id=b.pk,
        address=b.address,
        kind=BuildingKind(b.kind),
        jurisdiction=code_of(b.jpath),
        version=b.version,
    )


class BuildingFilters(Schema):
    within: str | None = None
    q: str | None = None
    cursor: str | None = None
    limit: int = 50


class BuildingIn(Schema):
    jurisdiction: str
    address: str
    kind: BuildingKind = BuildingKind.HOUSE


@router.get("/buildings", response=PageOut[BuildingOut])
@requires(Capability.REGISTRY_VIEW)
def building_list(request: HttpRequest, filters: Query[BuildingFilters]):
    actor = request_actor(request)
    qs = selectors.building_list(actor=actor, within=filters.within, q=filters.q)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [building_out(b) for b in page.items], "next": page.next}


@router.get("/buildings/{building_id}", response=BuildingOut)
@requires(Capability.REGISTRY_VIEW)
def building_detail(request: HttpRequest, building_id: int):
    return building_out(selectors.building_get(actor=request_actor(request), pk=building_id))


@router.post("/buildings", response={201: BuildingOut})
@requires(Capability.REGISTRY_MANAGE)
def building_create(request: HttpRequest, payload: BuildingIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=payload.jurisdiction, capability=Capability.REGISTRY_MANAGE
    )
    building = services.building_create(
        actor=actor, jurisdiction=node, address=payload.address, kind=str(payload.kind)
    )
    return Status(201, building_out(building))


class OccupantOut(Schema):
    residency_id: int
    person_id: int
    name: str
    role: ResidencyRole
    move_in: dt.date | None


class UnitOut(Schema):
    id: int
    building_id: int
    address: str
    label: str
    use: UnitUse
    rental_kind: RentalKind | None
    landlord_id: int | None
    landlord_name: str
    jurisdiction: str
    version: int


class UnitDetailOut(UnitOut):
    occupants: list[OccupantOut]


def unit_out(u: HousingUnit) -> dict[str, Any]:
    return {
        "id": u.pk,
        "building_id": u.building_id,
        "address": u.building.address,
        "label": u.label,
        "use": UnitUse(u.use),
        "rental_kind": RentalKind(u.rental_kind) if u.rental_kind else None,
        "landlord_id": u.landlord_id,
        "landlord_name": u.landlord.name if u.landlord else "",
        "jurisdiction": code_of(u.jpath),
        "version": u.version,
    }


class UnitFilters(Schema):
    within: str | None = None
    building: int | None = None
    use: UnitUse | None = None
    rental_kind: RentalKind | None = None
    cursor: str | None = None
    limit: int = 50


class UnitIn(Schema):
    building_id: int
    label: str
    use: UnitUse
    rental_kind: RentalKind | None = None
    landlord_id: int | None = None
    landlord_doc_number: str | None = None


class UnitPatch(Schema):
    version: int
    label: str
    use: UnitUse
    rental_kind: RentalKind | None = None
    landlord_id: int | None = None
    landlord_doc_number: str | None = None


def _unit_filters(f: UnitFilters | Any) -> dict[str, Any]:
    return {
        "within": f.within,
        "use": str(f.use) if f.use else None,
        "rental_kind": str(f.rental_kind) if f.rental_kind else None,
    }


@router.get("/units", response=PageOut[UnitOut])
@requires(Capability.REGISTRY_VIEW)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]):
    actor = request_actor(request)
    qs = selectors.unit_list(actor=actor, building=filters.building, **_unit_filters(filters))
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [unit_out(u) for u in page.items], "next": page.next}


@router.get("/units/export", openapi_extra=XLSX_RESPONSE)
@requires(Capability.REGISTRY_VIEW)
def unit_export(request: HttpRequest, filters: Query[UnitFilters]):
    actor = request_actor(request)
    return exports.export_response(actor=actor, key="units", filters=_unit_filters(filters))


@router.get("/units/{unit_id}", response=UnitDetailOut)
@requires(Capability.REGISTRY_VIEW)
def unit_detail(request: HttpRequest, unit_id: int, on: dt.date | None = None):
    """The dwelling with who lives there on `on` (default today)."""
    actor = request_actor(request)
    unit = unit_in_scope(actor, unit_id)
    occupants = selectors.occupants_on(actor=actor, unit=unit, on=on or timezone.localdate())
    return UnitDetailOut(
        **unit_out(unit),
        occupants=[
            OccupantOut(
                residency_id=r.pk,
                person_id=r.person_id,
                name=r.person.name,
                role=ResidencyRole(r.role),
                move_in=r.move_in,
            )
            for r in occupants
        ],
    )


def _landlord(actor: Actor, landlord_id: int | None, doc: str | None) -> Person | None:
    if landlord_id is not None:
        return person_in_scope(actor, landlord_id)
    if doc:
        found = queries.person_by_document(actor=actor, number=doc)
        if found is None:
            raise ValidationError(
                {
                    "landlord_doc_number": _(
                        "Nobody in your area has this document number: register the landlord first."
                    )
                }
            )
        return found
    return None


@router.post("/units", response={201: UnitOut})
@requires(Capability.REGISTRY_MANAGE)
def unit_create(request: HttpRequest, payload: UnitIn):
    actor = request_actor(request)
    building = selectors.building_get(
        actor=actor, pk=payload.building_id, capability=Capability.REGISTRY_MANAGE
    )
    unit = services.unit_create(
        actor=actor,
        building=building,
        label=payload.label,
        use=str(payload.use),
        rental_kind=str(payload.rental_kind) if payload.rental_kind else "",
        landlord=_landlord(actor, payload.landlord_id, payload.landlord_doc_number),
    )
    return Status(201, UnitOut(**unit_out(unit_in_scope(actor, unit.pk))))


@router.patch("/units/{unit_id}", response=UnitOut)
@requires(Capability.REGISTRY_MANAGE)
def unit_update(request: HttpRequest, unit_id: int, payload: UnitPatch):
    actor = request_actor(request)
    unit = unit_in_scope(actor, unit_id, Capability.REGISTRY_MANAGE)
    services.unit_update(
        actor=actor,
        unit=unit,
        version=payload.version,
        label=payload.label,
        use=str(payload.use),
        rental_kind=str(payload.rental_kind) if payload.rental_kind else "",
        landlord=_landlord(actor, payload.landlord_id, payload.landlord_doc_number),
    )
    return UnitOut(**unit_out(unit_in_scope(actor, unit_id)))


# ---


class ResidencyOut(Schema):
    id: int
    person_id: int
    name: str
    unit_id: int
    address: str
    label: str
    role: ResidencyRole
    move_in: dt.date | None
    move_out: dt.date | None
    recorded_on: dt.date
    jurisdiction: str


def residency_out(r: Residency) -> ResidencyOut:
    return ResidencyOut(
        id=r.pk,
        person_id=r.person_id,
        name=r.person.name,
        unit_id=r.unit_id,
        address=r.unit.building.address,
        label=r.unit.label,
        role=ResidencyRole(r.role),
        move_in=r.move_in,
        move_out=r.move_out,
        recorded_on=r.recorded_on,
        jurisdiction=code_of(r.jpath),
    )


class ResidencyFilters(Schema):
    person: int | None = None
    unit: int | None = None
    within: str | None = None
    role: ResidencyRole | None = None
    current: bool = False
    cursor: str | None = None
    limit: int = 50


class ResidencyIn(Schema):
    person_id: int
    unit_id: int
    role: ResidencyRole
    move_in: dt.date | None = None


class MoveOutIn(Schema):
    move_out: dt.date


@router.get("/residencies", response=PageOut[ResidencyOut])
@requires(Capability.REGISTRY_VIEW)
def residency_list(request: HttpRequest, filters: Query[ResidencyFilters]):
    actor = request_actor(request)
    qs = selectors.residency_list(
        actor=actor,
        person=filters.person,
        unit=filters.unit,
        within=filters.within,
        role=str(filters.role) if filters.role else None,
    )
    if filters.current:
        qs = qs.filter(move_out__isnull=True)
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [residency_out(r) for r in page.items], "next": page.next}


@router.get("/residencies/export", openapi_extra=XLSX_RESPONSE)
@requires(Capability.REGISTRY_VIEW)
def residency_export(request: HttpRequest, filters: Query[ResidencyFilters]):
    actor = request_actor(request)
    return exports.export_response(
        actor=actor,
        key="residencies",
        filters={
            "within": filters.within,
            "role": str(filters.role) if filters.role else None,
            "current": filters.current,
        },
    )


@router.post("/residencies", response={200: ResidencyOut, 201: ResidencyOut})
@requires(Capability.REGISTRY_MANAGE)
def residency_start(request: HttpRequest, payload: ResidencyIn):
    """The person lives in the dwelling from `move_in` (201); already recorded: 200."""
    actor = request_actor(request)
    person = person_in_scope(actor, payload.person_id)
    unit = unit_in_scope(actor, payload.unit_id, Capability.REGISTRY_MANAGE)
    row, created = services.residency_start(
        actor=actor, person=person, unit=unit, role=str(payload.role), move_in=payload.move_in
    )
    return Status(
        201 if created else 200, residency_out(queries.residency_get(actor=actor, pk=row.pk))
    )


@router.post("/residencies/{residency_id}/end", response=ResidencyOut)
@requires(Capability.REGISTRY_MANAGE)
def residency_end(request: HttpRequest, residency_id: int, payload: MoveOutIn):
    actor = request_actor(request)
    row = queries.residency_get(actor=actor, pk=residency_id)
    services.residency_end(actor=actor, residency=row, move_out=payload.move_out)
    return residency_out(queries.residency_get(actor=actor, pk=residency_id))
