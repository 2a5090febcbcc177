"""Persons, their key-person categories, and the duplicates queue."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.geo import selectors as geo
from epigrid.geo.models import Kind

from .. import exports, queries, selectors, services
from ..disclosure import birth_for, doc_for, phone_for
from ..duplicates import duplicate_dismiss
from ..models import CategoryAssignment, DocType, Person, ResidencyRole, Sex
from ..services import PersonInput
from .common import (
    XLSX_RESPONSE,
    EndIn,
    active_person,
    code_of,
    person_in_scope,
    unit_in_scope,
)

router = CapabilityRouter(tags=["register"])


class PersonOut(Schema):
    id: int
    name: str
    doc_type: DocType
    doc_number: str
    doc_note: str
    birth_date: dt.date | None
    sex: Sex | None
    phone: str
    hukou_place: str
    jurisdiction: str
    current_unit_id: int | None
    registered_on: dt.date
    merged_into_id: int | None
    version: int


def person_out(actor: Actor, p: Person) -> PersonOut:
    return PersonOut(
        id=p.pk,
        name=p.name,
        doc_type=DocType(p.doc_type),
        doc_number=doc_for(actor, p.jpath, p.doc_number),
        doc_note=p.doc_note if actor.can(Capability.IDS_VIEW, p.jpath) else "",
        birth_date=birth_for(actor, p.jpath, p.birth_date),
        sex=Sex(p.sex) if p.sex else None,
        phone=phone_for(actor, p.jpath, p.phone),
        hukou_place=p.hukou_place,
        jurisdiction=code_of(p.jpath),
        current_unit_id=p.current_unit_id,
        registered_on=p.registered_on,
        merged_into_id=p.merged_into_id,
        version=p.version,
    )


class PersonFilters(Schema):
    q: str | None = None
    within: str | None = None
    category: str | None = None
    cursor: str | None = None
    limit: int = 50


class PersonIn(Schema):
    jurisdiction: str
    name: str
    doc_type: DocType = DocType.RESIDENT_ID
    doc_number: str = ""
    phone: str = ""
    hukou_place: str = ""
    birth_date: dt.date | None = None
    sex: Sex | None = None
    unit_id: int | None = None
    role: ResidencyRole = ResidencyRole.TENANT
    move_in: dt.date | None = None


class PersonPatch(Schema):
    version: int
    name: str | None = None
    doc_type: DocType | None = None
    doc_number: str | None = None
    phone: str | None = None
    hukou_place: str | None = None
    birth_date: dt.date | None = None
    sex: Sex | None = None


@router.get("/persons", response=PageOut[PersonOut])
@requires(Capability.REGISTRY_VIEW)
def person_list(request: HttpRequest, filters: Query[PersonFilters]):
    """Search by name prefix, phone prefix or document-number prefix (the last two only where
    the caller may read them)."""
    actor = request_actor(request)
    qs = queries.person_search(
        actor=actor, q=filters.q, within=filters.within, category=filters.category
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [person_out(actor, p) for p in page.items], "next": page.next}


@router.get("/persons/export", openapi_extra=XLSX_RESPONSE)
@requires(Capability.REGISTRY_VIEW)
def person_export(request: HttpRequest, filters: Query[PersonFilters]):
    actor = request_actor(request)
    return exports.export_response(
        actor=actor,
        key="persons",
        filters={"q": filters.q, "within": filters.within, "category": filters.category},
    )


@router.get("/persons/{person_id}", response=PersonOut)
@requires(Capability.REGISTRY_VIEW)
def person_detail(request: HttpRequest, person_id: int):
    """The full record; reading it with identity numbers shown is audited."""
    actor = request_actor(request)
    return person_out(actor, selectors.person_get(actor=actor, pk=person_id, audit_read=True))


def _grid(actor: Actor, code: str):
    node = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.REGISTRY_MANAGE)
    if node.kind != Kind.SMALL_GRID:
        raise ValidationError({"jurisdiction": _("A person is registered in a small grid.")})
    return node


@router.post("/persons", response={201: PersonOut})
@requires(Capability.REGISTRY_MANAGE)
def person_create(request: HttpRequest, payload: PersonIn):
    """Registers a person in a small grid, optionally living in a dwelling from `move_in`."""
    actor = request_actor(request)
    grid = _grid(actor, payload.jurisdiction)
    unit = (
        unit_in_scope(actor, payload.unit_id, Capability.REGISTRY_MANAGE)
        if payload.unit_id is not None
        else None
    )
    data = PersonInput(
        name=payload.name,
        doc_type=str(payload.doc_type),
        doc_number=payload.doc_number,
        phone=payload.phone,
        hukou_place=payload.hukou_place,
        birth_date=payload.birth_date,
        sex=str(payload.sex) if payload.sex else "",
    )
    with transaction.atomic():
        person = services.person_register(actor=actor, jurisdiction=grid, data=data)
        if unit is not None:
            services.residency_start(
                actor=actor,
                person=person,
                unit=unit,
                role=str(payload.role),
                move_in=payload.move_in,
            )
    return Status(201, person_out(actor, person_in_scope(actor, person.pk)))


@router.patch("/persons/{person_id}", response=PersonOut)
@requires(Capability.REGISTRY_MANAGE)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch):
    """Changes the given fields; `version` is the one read (409 if someone saved since)."""
    actor = request_actor(request)
    person = person_in_scope(actor, person_id, Capability.REGISTRY_MANAGE)
    given = payload.dict(exclude_unset=True)
    current: dict[str, Any] = {
        "name": person.name,
        "doc_type": person.doc_type,
        "doc_number": person.doc_number,
        "phone": person.phone,
        "hukou_place": person.hukou_place,
        "birth_date": person.birth_date,
        "sex": person.sex,
    }
    for key, value in given.items():
        if key != "version":
            current[key] = "" if value is None and key != "birth_date" else value
    current = {k: (str(v) if k in ("doc_type", "sex") and v else v) for k, v in current.items()}
    services.person_update(
        actor=actor, person=person, version=payload.version, data=PersonInput(**current)
    )
    return person_out(actor, person_in_scope(actor, person_id))


# ---


class CategoryOut(Schema):
    code: str
    name: str
    description: str


class AssignmentOut(Schema):
    id: int
    person_id: int
    category: str
    category_name: str
    active_from: dt.date
    active_until: dt.date | None
    reason: str
    jurisdiction: str


def assignment_out(a: CategoryAssignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        person_id=a.person_id,
        category=a.category.code,
        category_name=a.category.name,
        active_from=a.active_from,
        active_until=a.active_until,
        reason=a.reason,
        jurisdiction=code_of(a.jpath),
    )


class AssignIn(Schema):
    category: str
    active_from: dt.date | None = None
    reason: str = ""


@router.get("/categories", response=list[CategoryOut])
@requires(Capability.REGISTRY_VIEW)
def category_list(request: HttpRequest):
    """The key-person taxonomy in use."""
    return [
        CategoryOut(code=c.code, name=c.name, description=c.description)
        for c in selectors.categories()
    ]


@router.get("/persons/{person_id}/categories", response=list[AssignmentOut])
@requires(Capability.REGISTRY_VIEW)
def person_categories(request: HttpRequest, person_id: int):
    actor = request_actor(request)
    person = person_in_scope(actor, person_id)
    return [assignment_out(a) for a in selectors.category_assignments(actor=actor, person=person)]


@router.post("/persons/{person_id}/categories", response={200: AssignmentOut, 201: AssignmentOut})
@requires(Capability.REGISTRY_MANAGE)
def category_assign(request: HttpRequest, person_id: int, payload: AssignIn):
    """Puts the person in a category (201), or answers with the assignment in force (200)."""
    actor = request_actor(request)
    person = active_person(actor, person_id)
    category = queries.category_by_code(payload.category)
    if category is None:
        raise ValidationError({"category": _("Choose one of the allowed values.")})
    row, created = services.category_assign(
        actor=actor,
        person=person,
        category=category,
        active_from=payload.active_from,
        reason=payload.reason,
    )
    row = queries.assignment_get(actor=actor, pk=row.pk)
    return Status(201 if created else 200, assignment_out(row))


@router.post("/category-assignments/{assignment_id}/end", response=AssignmentOut)
@requires(Capability.REGISTRY_MANAGE)
def category_end(request: HttpRequest, assignment_id: int, payload: EndIn):
    actor = request_actor(request)
    row = queries.assignment_get(actor=actor, pk=assignment_id)
    services.category_end(actor=actor, assignment=row, on=payload.on)
    return assignment_out(queries.assignment_get(actor=actor, pk=assignment_id))


# ---


class CandidateOut(Schema):
    reasons: list[str]  # "phone", "name_address"
    mergeable: bool  # False: two different document numbers, so two people
    persons: list[PersonOut]


class DuplicateFilters(Schema):
    within: str | None = None


class MergeIn(Schema):
    survivor: int
    duplicate: int


class MergeOut(Schema):
    survivor: PersonOut
    moved: dict[str, int]


class DismissIn(Schema):
    first: int
    second: int


class DismissOut(Schema):
    first: int
    second: int
    dismissed: bool


@router.get("/duplicates", response=PageOut[CandidateOut])
@requires(Capability.DUPLICATES_MERGE)
def duplicate_list(request: HttpRequest, filters: Query[DuplicateFilters]):
    """Groups of records that look like one person (same phone, or same name at the same
    address), minus pairs marked as different people. One page of at most 50 groups."""
    actor = request_actor(request)
    groups = queries.review_queue(actor=actor, within=filters.within)
    return {
        "items": [
            CandidateOut(
                reasons=list(g.reasons),
                mergeable=g.mergeable,
                persons=[person_out(actor, p) for p in g.persons],
            )
            for g in groups
        ],
        "next": None,
    }


@router.post("/duplicates/merge", response=MergeOut)
@requires(Capability.DUPLICATES_MERGE)
def duplicate_merge(request: HttpRequest, payload: MergeIn):
    """Merges `duplicate` into `survivor`; answers with what moved, by kind."""
    actor = request_actor(request)
    survivor = person_in_scope(actor, payload.survivor, Capability.DUPLICATES_MERGE)
    duplicate = person_in_scope(actor, payload.duplicate, Capability.DUPLICATES_MERGE)
    moved = services.person_merge(actor=actor, survivor=survivor, duplicate=duplicate)
    return MergeOut(survivor=person_out(actor, person_in_scope(actor, survivor.pk)), moved=moved)


@router.post("/duplicates/dismiss", response=DismissOut)
@requires(Capability.DUPLICATES_MERGE)
def duplicate_dismiss_pair(request: HttpRequest, payload: DismissIn):
    """Marks two records as different people: the queue stops showing them together."""
    actor = request_actor(request)
    first = person_in_scope(actor, payload.first, Capability.DUPLICATES_MERGE)
    second = person_in_scope(actor, payload.second, Capability.DUPLICATES_MERGE)
    if first.pk == second.pk:
        raise ValidationError({"second": _("Two different records are needed.")})
    duplicate_dismiss(actor=actor, first=first, second=second)
    return DismissOut(first=first.pk, second=second.pk, dismissed=True)
