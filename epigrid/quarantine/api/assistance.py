"""Help with daily needs and care notes over the API: the scoped list of requests (open
first), one request, create / take / fulfil / cancel, and a case's care notes."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut

from ..models import AssistanceRequest, CareKind, CareNote, NeedKind
from ..selectors import assistance as selectors
from ..selectors.cases import case_get
from ..services import assistance as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
StatusIn = Literal["open", "waiting", "fulfilled", "cancelled"]


class RequestOut(Schema):
    id: int
    case_id: int
    person_id: int
    person_name: str
    jurisdiction: str
    kind: NeedKind
    detail: str
    requested_at: dt.datetime
    taken_by_id: int | None
    taken_by: str
    taken_at: dt.datetime | None
    fulfilled_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    result_note: str
    status: Literal["waiting", "taken", "fulfilled", "cancelled"]
    version: int


def request_out(r: AssistanceRequest) -> RequestOut:
    if r.fulfilled_at is not None:
        status = "fulfilled"
    elif r.cancelled_at is not None:
        status = "cancelled"
    else:
        status = "taken" if r.taken_by_id else "waiting"
    return RequestOut(
        id=r.pk,
        case_id=r.case_id,
        person_id=r.case.person_id,
        person_name=r.case.person.name,
        jurisdiction=r.jpath.rstrip("."),
        kind=NeedKind(r.kind),
        detail=r.detail,
        requested_at=r.requested_at,
        taken_by_id=r.taken_by_id,
        taken_by=r.taken_by.name if r.taken_by else "",
        taken_at=r.taken_at,
        fulfilled_at=r.fulfilled_at,
        cancelled_at=r.cancelled_at,
        result_note=r.result_note,
        status=status,  # type: ignore[arg-type]
        version=r.version,
    )


class RequestFilters(Schema):
    open_only: bool = False
    status: StatusIn | None = None
    kind: NeedKind | None = None
    within: str | None = Field(None, max_length=64)
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=500)


class RequestIn(Schema):
    kind: NeedKind
    detail: str = Field(max_length=300)
    requested_at: dt.datetime | None = None


class TakeIn(Schema):
    version: int = Field(ge=1, le=2**31 - 1)
    staff_id: Id | None = Field(None, description="Default: the caller's own grid-worker record.")


class FulfilIn(Schema):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str = Field("", max_length=300)


class CancelIn(Schema):
    version: int = Field(ge=1, le=2**31 - 1)
    note: str = Field(max_length=300)


class CareNoteOut(Schema):
    id: int
    case_id: int
    kind: CareKind
    text: str
    given_at: dt.datetime
    staff_id: int | None
    staff: str


def care_out(n: CareNote) -> CareNoteOut:
    return CareNoteOut(
        id=n.pk,
        case_id=n.case_id,
        kind=CareKind(n.kind),
        text=n.text,
        given_at=n.given_at,
        staff_id=n.staff_id,
        staff=n.staff.name if n.staff else "",
    )


class CareNoteIn(Schema):
    kind: CareKind
    text: str = Field(max_length=1000)
    given_at: dt.datetime | None = None


@router.get("/assistance", response=PageOut[RequestOut])
@requires(Capability.QUARANTINE_VIEW)
def assistance_list(request: HttpRequest, filters: Query[RequestFilters]):
    status = "open" if filters.open_only and not filters.status else filters.status
    page = selectors.request_page(
        actor=request_actor(request),
        kind=filters.kind.value if filters.kind else None,
        status=status,
        within=filters.within,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [request_out(r) for r in page.items], "next": page.next}


@router.get("/assistance/{request_id}", response=RequestOut)
@requires(Capability.QUARANTINE_VIEW)
def assistance_detail(request: HttpRequest, request_id: Id):
    return request_out(selectors.request_get(actor=request_actor(request), pk=request_id))


@router.post("/cases/{case_id}/assistance", response={201: RequestOut})
@requires(Capability.FOLLOWUPS_RECORD)
def assistance_create(request: HttpRequest, case_id: Id, payload: RequestIn):
    actor = request_actor(request)
    case = case_get(actor=actor, pk=case_id, capability=Capability.FOLLOWUPS_RECORD)
    created = services.request_create(
        actor=actor,
        case=case,
        kind=payload.kind.value,
        detail=payload.detail,
        requested_at=payload.requested_at,
    )
    return Status(201, request_out(selectors.request_get(actor=actor, pk=created.pk)))


def _writable(request: HttpRequest, request_id: int) -> AssistanceRequest:
    return selectors.request_get(
        actor=request_actor(request), pk=request_id, capability=Capability.FOLLOWUPS_RECORD
    )


@router.post("/assistance/{request_id}/take", response=RequestOut)
@requires(Capability.FOLLOWUPS_RECORD)
def assistance_take(request: HttpRequest, request_id: Id, payload: TakeIn):
    actor = request_actor(request)
    req = _writable(request, request_id)
    staff = None
    if payload.staff_id is not None:
        eligible = selectors.staff_for_case(actor=actor, case=req.case)
        staff = next((s for s in eligible if s.pk == payload.staff_id), None)
        if staff is None:
            raise ValidationError({"staff_id": _("No such grid worker in this case's grid.")})
    services.request_take(actor=actor, request=req, staff=staff, version=payload.version)
    return request_out(selectors.request_get(actor=actor, pk=req.pk))


@router.post("/assistance/{request_id}/fulfil", response=RequestOut)
@requires(Capability.FOLLOWUPS_RECORD)
def assistance_fulfil(request: HttpRequest, request_id: Id, payload: FulfilIn):
    actor = request_actor(request)
    req = _writable(request, request_id)
    services.request_fulfil(actor=actor, request=req, note=payload.note, version=payload.version)
    return request_out(selectors.request_get(actor=actor, pk=req.pk))


@router.post("/assistance/{request_id}/cancel", response=RequestOut)
@requires(Capability.FOLLOWUPS_RECORD)
def assistance_cancel(request: HttpRequest, request_id: Id, payload: CancelIn):
    actor = request_actor(request)
    req = _writable(request, request_id)
    services.request_cancel(actor=actor, request=req, note=payload.note, version=payload.version)
    return request_out(selectors.request_get(actor=actor, pk=req.pk))


@router.get("/cases/{case_id}/care-notes", response=list[CareNoteOut])
@requires(Capability.QUARANTINE_VIEW)
def care_note_list(request: HttpRequest, case_id: Id):
    actor = request_actor(request)
    case = case_get(actor=actor, pk=case_id)
    return [care_out(n) for n in selectors.case_care_notes(actor=actor, case=case)]


@router.post("/cases/{case_id}/care-notes", response={201: CareNoteOut})
@requires(Capability.FOLLOWUPS_RECORD)
def care_note_add(request: HttpRequest, case_id: Id, payload: CareNoteIn):
    actor = request_actor(request)
    case = case_get(actor=actor, pk=case_id, capability=Capability.FOLLOWUPS_RECORD)
    note = services.care_note_add(
        actor=actor,
        case=case,
        kind=payload.kind.value,
        text=payload.text,
        given_at=payload.given_at,
    )
    return Status(201, care_out(note))
