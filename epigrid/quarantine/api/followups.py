"""Follow-ups over the API: list and record them, a team's worklist of the day, and the
overdue list across the caller's area."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.workforce import selectors as workforce

from ..models import FollowUp, FollowUpSlot, MeasureSite, Method, Result
from ..selectors import cases as case_selectors
from ..selectors import followups as selectors
from ..services import followups as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class FollowUpOut(Schema):
    id: int
    case_id: int
    slot_id: int | None
    person_name: str
    jurisdiction: str
    method: Method
    taken_at: dt.datetime
    staff_id: int | None
    staff: str
    temperature: Decimal | None
    site: str
    symptoms: list[str]
    result: Result
    note: str


def followup_out(f: FollowUp) -> FollowUpOut:
    return FollowUpOut(
        id=f.pk,
        case_id=f.case_id,
        slot_id=f.slot_id,
        person_name=f.case.person.name,
        jurisdiction=f.jpath.rstrip("."),
        method=Method(f.method),
        taken_at=f.taken_at,
        staff_id=f.staff_id,
        staff=f.staff.name if f.staff else "",
        temperature=f.temperature,
        site=f.site,
        symptoms=list(f.symptoms),
        result=Result(f.result),
        note=f.note,
    )


class FollowUpFilters(Schema):
    case: Id | None = None
    within: str | None = Field(None, max_length=64)
    result: Result | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    cursor: str | None = None
    limit: int = 50


class FollowUpIn(Schema):
    case: Id
    method: Method
    result: Result
    taken_at: dt.datetime | None = Field(None, description="Default: now.")
    slot: Id | None = Field(None, description="Default: the earliest open slot not done.")
    staff: Id | None = Field(None, description="Default: the caller's grid-worker record.")
    temperature: Decimal | None = Field(None, description="°C, one decimal; 34.0 to 43.0.")
    site: MeasureSite | None = None
    symptoms: list[Annotated[str, Field(max_length=30)]] = Field(
        default_factory=list, max_length=40
    )
    note: str = Field("", max_length=500)


@router.get("/followups", response=PageOut[FollowUpOut])
@requires(Capability.QUARANTINE_VIEW)
def followup_list(request: HttpRequest, filters: Query[FollowUpFilters]):
    actor = request_actor(request)
    qs = selectors.followup_list(
        actor=actor,
        case=filters.case,
        within=filters.within,
        result=str(filters.result) if filters.result else None,
        since=filters.since,
        until=filters.until,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="-id")
    return {"items": [followup_out(f) for f in page.items], "next": page.next}


@router.post("/followups", response={201: FollowUpOut})
@requires(Capability.FOLLOWUPS_RECORD)
def followup_create(request: HttpRequest, payload: FollowUpIn):
    """Records a follow-up of a case; a reached person fills the slot (see the services)."""
    actor = request_actor(request)
    # A case outside the caller's area answers 404, like any record out of reach.
    case = case_selectors.case_get(
        actor=actor, pk=payload.case, capability=Capability.FOLLOWUPS_RECORD
    )
    slot = None
    if payload.slot is not None:
        slot = selectors.slot_for_case(case_id=case.pk, pk=payload.slot)
        if slot is None:
            raise ValidationError({"slot": _("This slot belongs to another case.")})
    staff = None
    if payload.staff is not None:
        try:
            staff = workforce.staff_get(actor=actor, pk=payload.staff)
        except Http404 as exc:
            raise ValidationError(
                {"staff": _("No grid worker with this id in your area.")}
            ) from exc
    followup = services.followup_record(
        actor=actor,
        case=case,
        method=str(payload.method),
        result=str(payload.result),
        taken_at=payload.taken_at,
        slot=slot,
        staff=staff,
        temperature=payload.temperature,
        site=str(payload.site) if payload.site else "",
        symptoms=payload.symptoms,
        note=payload.note,
    )
    return Status(201, followup_out(selectors.followup_get(actor=actor, pk=followup.pk)))


class WorkItemOut(Schema):
    slot_id: int
    case_id: int
    person_name: str
    jurisdiction: str
    team_id: int | None
    day: dt.date
    number: int
    opens_at: dt.datetime
    deadline: dt.datetime
    state: str
    urgency: str = Field(description="overdue, due_soon, due or upcoming.")


def work_item(slot: FollowUpSlot, now: dt.datetime) -> WorkItemOut:
    return WorkItemOut(
        slot_id=slot.pk,
        case_id=slot.case_id,
        person_name=slot.case.person.name,
        jurisdiction=slot.jpath.rstrip("."),
        team_id=slot.team_id,
        day=slot.day,
        number=slot.number,
        opens_at=slot.opens_at,
        deadline=slot.deadline,
        state=slot.state_at(now),
        urgency=selectors.urgency(slot, now),
    )


class TeamRef(Schema):
    id: int
    name: str


class WorklistOut(Schema):
    now: dt.datetime
    teams: list[TeamRef]
    items: list[WorkItemOut]


class WorklistFilters(Schema):
    team: Id | None = Field(None, description="Default: the caller's own teams.")


@router.get("/worklist", response=WorklistOut)
@requires(Capability.QUARANTINE_VIEW)
def worklist(request: HttpRequest, filters: Query[WorklistFilters]):
    """Today's follow-ups not yet done of the caller's teams (or `team`): overdue first,
    then by deadline."""
    actor = request_actor(request)
    team = selectors.team_for_actor(actor=actor, pk=filters.team) if filters.team else None
    work = selectors.worklist(actor=actor, team=team, now=timezone.now())
    return WorklistOut(
        now=work.now,
        teams=[TeamRef(id=t.pk, name=t.name) for t in work.teams],
        items=[work_item(s, work.now) for s in work.items],
    )


class OverdueFilters(Schema):
    within: str | None = Field(None, max_length=64)
    missed_days: int = Field(0, ge=0, le=selectors.MAX_MISSED_DAYS)
    cursor: str | None = None
    limit: int = 50


@router.get("/overdue", response=PageOut[WorkItemOut])
@requires(Capability.QUARANTINE_VIEW)
def overdue(request: HttpRequest, filters: Query[OverdueFilters]):
    """Slots past their deadline and not done in the caller's area: today's, and those
    missed on the `missed_days` days before. Keyset pages by deadline."""
    actor = request_actor(request)
    now = timezone.now()
    qs = selectors.overdue_list(
        actor=actor, within=filters.within, missed_days=filters.missed_days, now=now
    )
    page = selectors.overdue_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [work_item(s, now) for s in page.items], "next": page.next}
