"""Shifts over the API: who is on them, and the notes handed over from one to the next."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.workforce import selectors as workforce
from epigrid.workforce.models import StaffMember

from .. import selectors, services
from ..models import HandoverNote, Shift, ShiftMember
from ..services import MAX_MEMBERS, NOTE_MAX
from .common import DEFAULT_AHEAD, Id, Window, minute_now, window

router = CapabilityRouter(tags=["rosters"])

# --- shifts -------------------------------------------------------------------------------


class MemberOut(Schema):
    staff_id: int
    name: str
    category: str
    jurisdiction: str


def member_out(m: ShiftMember) -> MemberOut:
    return MemberOut(
        staff_id=m.staff_id,
        name=m.staff.name,
        category=m.staff.category,
        jurisdiction=m.staff.jpath.rstrip("."),
    )


class ShiftOut(Schema):
    id: int
    post_id: int
    post_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str
    cancelled: bool
    cancelled_at: dt.datetime | None
    cancel_reason: str
    counts_as_cover: bool = Field(description="Not cancelled and somebody is on it.")
    members: list[MemberOut]
    version: int


def shift_out(s: Shift) -> ShiftOut:
    return ShiftOut(
        id=s.pk,
        post_id=s.post_id,
        post_name=s.post.name,
        starts_at=s.starts_at,
        ends_at=s.ends_at,
        note=s.note,
        cancelled=s.is_cancelled,
        cancelled_at=s.cancelled_at,
        cancel_reason=s.cancel_reason,
        counts_as_cover=not s.is_cancelled and bool(s.duty),
        members=[member_out(m) for m in s.duty],
        version=s.version,
    )


class ShiftDetailOut(ShiftOut):
    previous_shift_id: int | None = Field(description="The shift that hands over to this one.")
    next_shift_id: int | None


class ShiftFilters(Window):
    include_cancelled: bool = True
    cursor: str | None = None
    limit: int = 50


class ShiftIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    members: list[Id] = Field(default_factory=list, max_length=MAX_MEMBERS)
    note: str = Field("", max_length=400)


class ShiftPatch(Schema):
    version: int
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    note: str | None = Field(None, max_length=400)


class CancelIn(Schema):
    version: int
    reason: str = Field("", max_length=400)


class MemberIn(Schema):
    staff_id: Id


def _staff(actor: Actor, pk: int, field: str) -> StaffMember:
    try:
        return workforce.staff_get(actor=actor, pk=pk)
    except Http404 as exc:
        raise ValidationError({field: _("No grid worker with this id in your area.")}) from exc


def _shift_detail(actor: Actor, pk: int) -> ShiftDetailOut:
    shift = selectors.shift_get(actor=actor, pk=pk)
    previous = selectors.previous_shift(shift=shift)
    following = selectors.next_shift(shift=shift)
    return ShiftDetailOut(
        **shift_out(shift).dict(),
        previous_shift_id=previous.pk if previous else None,
        next_shift_id=following.pk if following else None,
    )


@router.get("/posts/{post_id}/shifts", response=PageOut[ShiftOut])
@requires(Capability.ROSTERS_VIEW)
def shift_list(request: HttpRequest, post_id: int, filters: Query[ShiftFilters]):
    """The post's shifts overlapping [from, until) (default: from a day ago for two days),
    earliest first, keyset-paginated."""
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    start, end = window(filters, default_back=DEFAULT_AHEAD)
    qs = selectors.shift_list(
        actor=actor,
        post=post,
        start=start,
        end=end,
        include_cancelled=filters.include_cancelled,
    )
    page = selectors.shift_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [shift_out(s) for s in page.items], "next": page.next}


@router.post("/posts/{post_id}/shifts", response={201: ShiftDetailOut})
@requires(Capability.ROSTERS_MANAGE)
def shift_create(request: HttpRequest, post_id: int, payload: ShiftIn):
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=post_id)
    members = [_staff(actor, pk, f"members.{i}") for i, pk in enumerate(payload.members)]
    shift = services.shift_create(
        actor=actor,
        post=post,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        members=members,
        note=payload.note,
    )
    return Status(201, _shift_detail(actor, shift.pk))


@router.get("/shifts/{shift_id}", response=ShiftDetailOut)
@requires(Capability.ROSTERS_VIEW)
def shift_detail(request: HttpRequest, shift_id: int):
    return _shift_detail(request_actor(request), shift_id)


@router.patch("/shifts/{shift_id}", response=ShiftDetailOut)
@requires(Capability.ROSTERS_MANAGE)
def shift_update(request: HttpRequest, shift_id: int, payload: ShiftPatch):
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    services.shift_update(
        actor=actor,
        shift=shift,
        version=payload.version,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        note=payload.note,
    )
    return _shift_detail(actor, shift.pk)


@router.post("/shifts/{shift_id}/cancel", response=ShiftDetailOut)
@requires(Capability.ROSTERS_MANAGE)
def shift_cancel(request: HttpRequest, shift_id: int, payload: CancelIn):
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    services.shift_cancel(actor=actor, shift=shift, version=payload.version, reason=payload.reason)
    return _shift_detail(actor, shift.pk)


@router.get("/shifts/{shift_id}/members", response=list[MemberOut])
@requires(Capability.ROSTERS_VIEW)
def member_list(request: HttpRequest, shift_id: int):
    shift = selectors.shift_get(actor=request_actor(request), pk=shift_id)
    return [member_out(m) for m in shift.duty]


@router.post("/shifts/{shift_id}/members", response={201: list[MemberOut]})
@requires(Capability.ROSTERS_MANAGE)
def member_add(request: HttpRequest, shift_id: int, payload: MemberIn):
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    staff = _staff(actor, payload.staff_id, "staff_id")
    services.shift_member_add(actor=actor, shift=shift, staff=staff)
    return Status(201, [member_out(m) for m in selectors.shift_get(actor=actor, pk=shift.pk).duty])


@router.delete("/shifts/{shift_id}/members/{staff_id}", response={204: None})
@requires(Capability.ROSTERS_MANAGE)
def member_remove(request: HttpRequest, shift_id: int, staff_id: int):
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    member = next((m for m in shift.duty if m.staff_id == staff_id), None)
    if member is None:
        raise Http404
    services.shift_member_remove(actor=actor, shift=shift, staff=member.staff)
    return Status(204, None)


@router.get("/my-shifts", response=list[ShiftOut])
@requires(Capability.ROSTERS_VIEW)
def my_shifts(request: HttpRequest, span: Query[Window]):
    """The caller's own shifts (not cancelled) overlapping [from, until) (default: from a
    day ago to a week ahead)."""
    now = minute_now()
    start, end = window(
        Window.model_validate(
            {
                "from": span.start or now - dt.timedelta(days=1),
                "until": span.until or now + dt.timedelta(days=7),
            }
        )
    )
    actor = request_actor(request)
    return [shift_out(s) for s in selectors.my_shifts(actor=actor, start=start, end=end)]


# --- hand-over notes ----------------------------------------------------------------------


class HandoverOut(Schema):
    id: int
    shift_id: int
    text: str
    written_by: str
    written_by_staff_id: int | None
    written_at: dt.datetime


def handover_out(n: HandoverNote) -> HandoverOut:
    return HandoverOut(
        id=n.pk,
        shift_id=n.shift_id,
        text=n.text,
        written_by=n.written_by_name,
        written_by_staff_id=n.written_by_staff_id,
        written_at=n.written_at,
    )


class HandoverFilters(Schema):
    cursor: str | None = None
    limit: int = 50


class HandoverIn(Schema):
    text: str = Field(max_length=NOTE_MAX * 2)


@router.get("/shifts/{shift_id}/handovers", response=PageOut[HandoverOut])
@requires(Capability.ROSTERS_VIEW)
def handover_list(request: HttpRequest, shift_id: int, filters: Query[HandoverFilters]):
    """The notes written on the shift, oldest first. The next shift reads those of its
    `previous_shift_id`."""
    shift = selectors.shift_get(actor=request_actor(request), pk=shift_id)
    page = keyset_page(selectors.handovers(shift=shift), cursor=filters.cursor, limit=filters.limit)
    return {"items": [handover_out(n) for n in page.items], "next": page.next}


@router.post("/shifts/{shift_id}/handovers", response={201: HandoverOut})
@requires(Capability.ROSTERS_VIEW)
def handover_add(request: HttpRequest, shift_id: int, payload: HandoverIn):
    """Someone on the shift, or a roster manager of its post, writes a note once the shift
    has begun (403 for anyone else who can see the shift)."""
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=shift_id)
    note = services.handover_add(actor=actor, shift=shift, text=payload.text)
    return Status(201, handover_out(note))
