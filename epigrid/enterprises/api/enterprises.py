"""The enterprise register over the API: list (search, filters, pages), register, read,
edit (version-checked) and its user accounts. An enterprise user reads its own
enterprise only; any other id is a 404."""

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import keyset_page

from ..access import is_own
from ..models import Enterprise, EnterpriseMember, Industry, Size
from ..selectors import enterprises as selectors
from ..selectors.enterprises import EnterpriseFilters
from ..services import enterprises as services
from ..services import members as member_services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str = Field(description="Unified social credit code (GB 32100).")
    address: str
    jurisdiction: str = Field(description="Code of the enterprise's small grid.")
    jurisdiction_name: str
    industry: Industry
    size: Size
    legal_rep: str
    contact_name: str
    contact_phone: str = Field(description="Masked without CONTACTS_VIEW.")
    employees: int
    approved_on: dt.date | None
    last_inspected_on: dt.date | None
    version: int


def enterprise_out(actor: Actor, e: Enterprise) -> EnterpriseOut:
    full = actor.can(Capability.CONTACTS_VIEW, e.jpath) or is_own(actor, e.pk)
    return EnterpriseOut(
        id=e.pk,
        name=e.name,
        uscc=e.uscc,
        address=e.address,
        jurisdiction=e.jurisdiction.code,
        jurisdiction_name=e.jurisdiction.name,
        industry=Industry(e.industry),
        size=Size(e.size),
        legal_rep=e.legal_rep,
        contact_name=e.contact_name,
        contact_phone=e.contact_phone if full else mask_phone(e.contact_phone),
        employees=e.employees,
        approved_on=e.approved_on,
        last_inspected_on=e.last_inspected_on,
        version=e.version,
    )


class ListFilters(Schema):
    q: str | None = Field(None, max_length=50, description="Part of the name or code prefix.")
    within: str | None = Field(None, max_length=64, description="A jurisdiction code.")
    industry: Industry | None = None
    size: Size | None = None
    approved: bool | None = Field(None, description="Approved to reopen (true) or not.")
    cursor: str | None = None
    limit: int = 50


class EnterpriseIn(Schema):
    name: str = Field(max_length=100)
    uscc: str = Field(max_length=40)
    address: str = Field(max_length=200)
    jurisdiction: str = Field(max_length=64, description="Code of a small grid.")
    industry: Industry
    size: Size
    legal_rep: str = Field(max_length=50)
    contact_name: str = Field(max_length=50)
    contact_phone: str = Field(max_length=40)
    employees: int = Field(0, ge=0, le=services.MAX_EMPLOYEES)


class EnterprisePatch(Schema):
    version: int
    name: str | None = Field(None, max_length=100)
    uscc: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=200)
    jurisdiction: str | None = Field(None, max_length=64)
    industry: Industry | None = None
    size: Size | None = None
    legal_rep: str | None = Field(None, max_length=50)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=40)
    employees: int | None = Field(None, ge=0, le=services.MAX_EMPLOYEES)


class MemberOut(Schema):
    id: int
    username: str
    full_name: str
    active: bool
    created_at: dt.datetime


def member_out(m: EnterpriseMember) -> MemberOut:
    return MemberOut(
        id=m.pk,
        username=m.user.username,
        full_name=m.user.full_name,
        active=m.user.is_active,
        created_at=m.created_at,
    )


class MemberIn(Schema):
    username: str = Field(max_length=150)
    full_name: str = Field(max_length=100)
    phone: str = Field("", max_length=40)
    password: str = Field(max_length=128)


def _grid(actor: Actor, code: str):
    try:
        return selectors.grid_get(actor=actor, code=code)
    except Http404 as exc:
        raise ValidationError(
            {"jurisdiction": _("No small grid with this code in your area.")}
        ) from exc


@router.get("/enterprises", response=PageOut[EnterpriseOut])
@requires(Capability.ENTERPRISES_VIEW)
def enterprise_list(request: HttpRequest, filters: Query[ListFilters]):
    actor = request_actor(request)
    approved = "" if filters.approved is None else ("yes" if filters.approved else "no")
    qs = selectors.enterprise_list(
        actor=actor,
        filters=EnterpriseFilters(
            q=filters.q or "",
            within=filters.within or "",
            industry=str(filters.industry) if filters.industry else "",
            size=str(filters.size) if filters.size else "",
            approved=approved,
        ),
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="id")
    return {"items": [enterprise_out(actor, e) for e in page.items], "next": page.next}


@router.post("/enterprises", response={201: EnterpriseOut})
@requires(Capability.ENTERPRISES_MANAGE)
def enterprise_create(request: HttpRequest, payload: EnterpriseIn):
    actor = request_actor(request)
    data = payload.model_dump()
    data["jurisdiction"] = _grid(actor, payload.jurisdiction)
    data["industry"], data["size"] = str(payload.industry), str(payload.size)
    enterprise = services.enterprise_create(actor=actor, **data)
    return Status(
        201, enterprise_out(actor, selectors.enterprise_get(actor=actor, pk=enterprise.pk))
    )


@router.get("/enterprises/{int:enterprise_id}", response=EnterpriseOut)
@requires_any(Capability.ENTERPRISES_VIEW, Capability.ENTERPRISE_SELF)
def enterprise_detail(request: HttpRequest, enterprise_id: int):
    actor = request_actor(request)
    return enterprise_out(actor, selectors.enterprise_get(actor=actor, pk=enterprise_id))


@router.patch("/enterprises/{int:enterprise_id}", response=EnterpriseOut)
@requires(Capability.ENTERPRISES_MANAGE)
def enterprise_update(request: HttpRequest, enterprise_id: int, payload: EnterprisePatch):
    """Changes the fields given; `version` is the one read (409 when someone saved since)."""
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(actor=actor, pk=enterprise_id)
    changes: dict = {}
    for name in sorted(payload.model_fields_set - {"version"}):
        value = getattr(payload, name)
        if value is None:
            raise ValidationError({name: _("This field is required.")})
        if name == "jurisdiction":
            value = _grid(actor, value)
        elif name in ("industry", "size"):
            value = str(value)
        changes[name] = value
    services.enterprise_update(
        actor=actor, enterprise=enterprise, version=payload.version, **changes
    )
    return enterprise_out(actor, selectors.enterprise_get(actor=actor, pk=enterprise.pk))


@router.get("/enterprises/{int:enterprise_id}/users", response=list[MemberOut])
@requires(Capability.ENTERPRISES_MANAGE)
def enterprise_users(request: HttpRequest, enterprise_id: int):
    """The enterprise's logins (newest first)."""
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(
        actor=actor, pk=enterprise_id, capability=Capability.ENTERPRISES_MANAGE
    )
    return [member_out(m) for m in selectors.member_list(enterprise=enterprise)]


@router.post("/enterprises/{int:enterprise_id}/users", response={201: MemberOut})
@requires(Capability.ENTERPRISES_MANAGE)
def enterprise_user_create(request: HttpRequest, enterprise_id: int, payload: MemberIn):
    """Opens a login that acts for this enterprise only."""
    actor = request_actor(request)
    enterprise = selectors.enterprise_get(
        actor=actor, pk=enterprise_id, capability=Capability.ENTERPRISES_MANAGE
    )
    member = member_services.enterprise_user_create(
        actor=actor, enterprise=enterprise, **payload.model_dump()
    )
    return Status(201, member_out(member))
