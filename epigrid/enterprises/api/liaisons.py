"""API: liaisons (挂钩联系) and enterprise needs. Reads are scoped by enterprises.access (an
enterprise user reaches its own enterprise's needs and liaisons only, 404 for others);
an enterprise user raises needs of its own enterprise but never sets status or owner."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page

from ..access import own_enterprise_id
from ..models import Liaison, Need, NeedKind, NeedStatus
from ..selectors import liaisons as lsel
from ..selectors import needs as nsel
from ..selectors.taskforces import staff_choices
from ..services import liaisons as lservices
from ..services import needs as nservices
from .taskforces import UserOut, user_out

router = CapabilityRouter()
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
VIEW = Capability.ENTERPRISES_VIEW
SELF = Capability.ENTERPRISE_SELF


class LiaisonOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    leader: UserOut
    note: str
    active_from: dt.date
    active_until: dt.date | None


def liaison_out(item: Liaison) -> LiaisonOut:
    return LiaisonOut(
        id=item.pk,
        enterprise=item.enterprise_id,
        enterprise_name=item.enterprise.name,
        leader=user_out(item.leader),  # type: ignore[arg-type]
        note=item.note,
        active_from=item.active_from,
        active_until=item.active_until,
    )


class LiaisonFilters(Schema):
    leader: Id | None = None
    enterprise: Id | None = None
    q: str | None = Field(None, max_length=50)
    include_ended: bool = False
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


class LiaisonIn(Schema):
    enterprise: Id
    leader: Id = Field(description="User id of a staff user who sees the enterprise.")
    note: str = Field("", max_length=200)
    active_from: dt.date | None = Field(None, description="Default: today.")


def _user(actor: Actor, pk: int, field: str):
    user = staff_choices(actor=actor).filter(pk=pk).first()
    if user is None:
        raise ValidationError(
            {field: _("No staff user with id %(ids)s in your area.") % {"ids": pk}}
        )
    return user


@router.get("/liaisons", response=PageOut[LiaisonOut])
@requires_any(VIEW, SELF)
def liaison_list(request: HttpRequest, filters: Query[LiaisonFilters]):
    qs = lsel.liaison_list(
        actor=request_actor(request),
        filters=lsel.LiaisonFilters(
            leader=filters.leader,
            enterprise=filters.enterprise,
            q=filters.q or "",
            include_ended=filters.include_ended,
        ),
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="id")
    return {"items": [liaison_out(x) for x in page.items], "next": page.next}


@router.post("/liaisons", response={201: LiaisonOut})
@requires(Capability.ENTERPRISES_MANAGE)
def liaison_assign(request: HttpRequest, payload: LiaisonIn):
    actor = request_actor(request)
    enterprise = nsel.enterprise_for_need(actor=actor, pk=payload.enterprise)
    liaison = lservices.liaison_assign(
        actor=actor,
        enterprise=enterprise,
        leader=_user(actor, payload.leader, "leader"),
        note=payload.note,
        active_from=payload.active_from,
    )
    return Status(201, liaison_out(lsel.liaison_get(actor=actor, pk=liaison.pk)))


@router.delete("/liaisons/{int:liaison_id}", response={204: None})
@requires(Capability.ENTERPRISES_MANAGE)
def liaison_end(request: HttpRequest, liaison_id: int):
    """Ends the assignment from today; the row stays for the history."""
    actor = request_actor(request)
    lservices.liaison_end(actor=actor, liaison=lsel.liaison_get(actor=actor, pk=liaison_id))
    return Status(204, None)


# --- needs --------------------------------------------------------------------------------


class NeedOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    kind: NeedKind
    description: str
    status: NeedStatus
    owner: UserOut | None
    resolution: str
    raised_at: dt.datetime
    resolved_at: dt.datetime | None
    version: int


def need_out(n: Need) -> NeedOut:
    return NeedOut(
        id=n.pk,
        enterprise=n.enterprise_id,
        enterprise_name=n.enterprise.name,
        kind=NeedKind(n.kind),
        description=n.description,
        status=NeedStatus(n.status),
        owner=user_out(n.owner),
        resolution=n.resolution,
        raised_at=n.raised_at,
        resolved_at=n.resolved_at,
        version=n.version,
    )


class NeedFilters(Schema):
    kind: NeedKind | None = None
    status: NeedStatus | Literal["unresolved"] | None = None
    owner: Id | None = None
    enterprise: Id | None = None
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=500)


class NeedPage(Schema):
    items: list[NeedOut]
    page: int
    has_next: bool


class NeedIn(Schema):
    enterprise: Id | None = Field(None, description="Default for an enterprise user: its own.")
    kind: NeedKind
    description: str = Field(max_length=500)


class NeedPatch(Schema):
    version: int
    status: NeedStatus | None = None
    owner: Id | None = Field(None, description="User id; null clears the owner.")
    resolution: str | None = Field(None, max_length=500)


@router.get("/needs", response=NeedPage)
@requires_any(VIEW, SELF)
def need_list(request: HttpRequest, filters: Query[NeedFilters]):
    """Open first, then being solved, then resolved; newest first within each."""
    qs = nsel.need_list(
        actor=request_actor(request),
        filters=nsel.NeedFilters(
            kind=str(filters.kind) if filters.kind else "",
            status=str(filters.status) if filters.status else "",
            owner=filters.owner,
            enterprise=filters.enterprise,
            q=filters.q or "",
        ),
    )
    start = (filters.page - 1) * filters.limit
    rows = list(qs[start : start + filters.limit + 1])
    return {
        "items": [need_out(n) for n in rows[: filters.limit]],
        "page": filters.page,
        "has_next": len(rows) > filters.limit,
    }


@router.post("/needs", response={201: NeedOut})
@requires_any(VIEW, SELF)
def need_raise(request: HttpRequest, payload: NeedIn):
    actor = request_actor(request)
    pk = payload.enterprise or own_enterprise_id(actor)
    if pk is None:
        raise ValidationError({"enterprise": _("This field is required.")})
    enterprise = nsel.enterprise_for_need(actor=actor, pk=pk)
    need = nservices.need_raise(
        actor=actor, enterprise=enterprise, kind=str(payload.kind), description=payload.description
    )
    return Status(201, need_out(nsel.need_get(actor=actor, pk=need.pk)))


@router.get("/needs/{int:need_id}", response=NeedOut)
@requires_any(VIEW, SELF)
def need_detail(request: HttpRequest, need_id: int):
    return need_out(nsel.need_get(actor=request_actor(request), pk=need_id))


@router.patch("/needs/{int:need_id}", response=NeedOut)
@requires(Capability.NEEDS_MANAGE)
def need_update(request: HttpRequest, need_id: int, payload: NeedPatch):
    """Sets status, owner, resolution (those given); `version` is the one read (409 when
    someone saved since); "resolved" needs a resolution."""
    actor = request_actor(request)
    need = nsel.need_get(actor=actor, pk=need_id)
    changes: dict = {}
    if "owner" in payload.model_fields_set:
        changes["owner"] = _user(actor, payload.owner, "owner") if payload.owner else None
    nservices.need_update(
        actor=actor,
        need=need,
        version=payload.version,
        status=str(payload.status) if payload.status else None,
        resolution=payload.resolution,
        **changes,
    )
    return need_out(nsel.need_get(actor=actor, pk=need_id))
