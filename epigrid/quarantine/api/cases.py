"""Observation cases over the API: list and read, open, extend or shorten, close, edit, and
the follow-up slots of a case. Identity numbers and phones are masked per the caller's
rights over the person, as on the pages."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page
from epigrid.registry import selectors as registry
from epigrid.registry.disclosure import doc_for, phone_for
from epigrid.workforce.models import Team

from ..models import EndReason, FollowUpSlot, ObservationCase, Regime
from ..selectors import cases as selectors
from ..services import cases as services

router = CapabilityRouter()

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
CaseStatusIn = Literal["open", "upcoming", "active", "ended", "closed"]


class CaseOut(Schema):
    id: int
    person_id: int
    person_name: str
    person_doc_number: str = Field(description="Masked unless the caller may see ID numbers.")
    person_phone: str = Field(description="Masked unless the caller may see phone numbers.")
    reason: str
    regime: Regime
    jurisdiction: str
    team_id: int | None
    team: str
    start_date: dt.date
    end_date: dt.date
    status: str
    opened_at: dt.datetime
    closed_at: dt.datetime | None
    end_reason: str
    close_note: str
    note: str
    last_followup_at: dt.datetime | None
    last_temperature: Decimal | None
    policy: dict
    version: int


def case_out(actor: Actor, case: ObservationCase, now: dt.datetime) -> CaseOut:
    person = case.person
    return CaseOut(
        id=case.pk,
        person_id=person.pk,
        person_name=person.name,
        person_doc_number=doc_for(actor, person.jpath, person.doc_number),
        person_phone=phone_for(actor, person.jpath, person.phone),
        reason=case.reason.code,
        regime=Regime(case.regime),
        jurisdiction=case.code,
        team_id=case.team_id,
        team=case.team.name if case.team else "",
        start_date=case.start_date,
        end_date=case.end_date,
        status=case.status_at(now),
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        end_reason=case.end_reason,
        close_note=case.close_note,
        note=case.note,
        last_followup_at=case.last_followup_at,
        last_temperature=case.last_temperature,
        policy=case.policy,
        version=case.version,
    )


class CaseFilters(Schema):
    status: CaseStatusIn | None = None
    regime: Regime | None = None
    team: Id | None = None
    within: str | None = Field(None, max_length=64)
    q: str | None = Field(None, max_length=32, description="Prefix of the person's name.")
    cursor: str | None = None
    limit: int = 50


class CaseIn(Schema):
    person: Id
    reason: str = Field("source_area", max_length=40, description="Key-person category code.")
    regime: Regime = Regime.HOME_QUARANTINE
    jurisdiction: str = Field(max_length=64, description="Code of the case's small grid.")
    team: Id | None = Field(None, description="Default: the grid's three-person team.")
    start_date: dt.date
    note: str = Field("", max_length=500)


class EndIn(Schema):
    new_end: dt.date
    reason: str = Field(max_length=200)
    version: int


class CloseIn(Schema):
    end_reason: EndReason
    note: str = Field("", max_length=200)
    version: int


class CasePatch(Schema):
    version: int
    team: Id | None = Field(None, description="null clears the team; leave out to keep it.")
    note: str | None = Field(None, max_length=500)


class SlotOut(Schema):
    id: int
    case_id: int
    day: dt.date
    number: int
    opens_at: dt.datetime
    deadline: dt.datetime
    ends_at: dt.datetime
    state: str
    done_at: dt.datetime | None
    followup_id: int | None
    team_id: int | None


def slot_out(slot: FollowUpSlot, now: dt.datetime) -> SlotOut:
    return SlotOut(
        id=slot.pk,
        case_id=slot.case_id,
        day=slot.day,
        number=slot.number,
        opens_at=slot.opens_at,
        deadline=slot.deadline,
        ends_at=slot.ends_at,
        state=slot.state_at(now),
        done_at=slot.done_at,
        followup_id=slot.followup_id,
        team_id=slot.team_id,
    )


class SlotFilters(Schema):
    cursor: str | None = None
    limit: int = 100


def _team(actor: Actor, pk: int | None, grid_path: str) -> Team | None:
    if pk is None:
        return None
    team = next(
        (t for t in selectors.teams_for_grid(actor=actor, grid_path=grid_path) if t.pk == pk),
        None,
    )
    if team is None:
        raise ValidationError({"team": _("No team with this id works in this case's grid.")})
    return team


def _detail(actor: Actor, pk: int) -> CaseOut:
    return case_out(actor, selectors.case_get(actor=actor, pk=pk), timezone.now())


@router.get("/cases", response=PageOut[CaseOut])
@requires(Capability.QUARANTINE_VIEW)
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    actor = request_actor(request)
    now = timezone.now()
    qs = selectors.case_list(
        actor=actor,
        status=filters.status,
        regime=str(filters.regime) if filters.regime else None,
        team=filters.team,
        within=filters.within,
        q=filters.q,
        now=now,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="-id")
    return {"items": [case_out(actor, c, now) for c in page.items], "next": page.next}


@router.get("/cases/{case_id}", response=CaseOut)
@requires(Capability.QUARANTINE_VIEW)
def case_detail(request: HttpRequest, case_id: int):
    return _detail(request_actor(request), case_id)


@router.post("/cases", response={201: CaseOut})
@requires(Capability.QUARANTINE_MANAGE)
def case_open(request: HttpRequest, payload: CaseIn):
    actor = request_actor(request)
    try:
        person = registry.person_get(actor=actor, pk=payload.person)
    except Http404 as exc:
        raise ValidationError({"person": _("No person with this id in your area.")}) from exc
    try:
        grid = selectors.grid_get(actor=actor, code=payload.jurisdiction)
    except Http404 as exc:
        raise ValidationError(
            {"jurisdiction": _("No small grid with this code in your area.")}
        ) from exc
    reason = next((c for c in registry.categories() if c.code == payload.reason), None)
    if reason is None:
        raise ValidationError({"reason": _("Unknown key-person category.")})
    case = services.case_open(
        actor=actor,
        person=person,
        reason=reason,
        regime=str(payload.regime),
        jurisdiction=grid,
        team=_team(actor, payload.team, grid.path),
        start_date=payload.start_date,
        note=payload.note,
    )
    return Status(201, _detail(actor, case.pk))


@router.post("/cases/{case_id}/end", response=CaseOut)
@requires(Capability.QUARANTINE_MANAGE)
def case_end(request: HttpRequest, case_id: int, payload: EndIn):
    """Extends or shortens the observation; the previous release date is kept."""
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=case_id)
    services.case_change_end(
        actor=actor,
        case=case,
        new_end=payload.new_end,
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(actor, case.pk)


@router.post("/cases/{case_id}/close", response=CaseOut)
@requires(Capability.QUARANTINE_MANAGE)
def case_close(request: HttpRequest, case_id: int, payload: CloseIn):
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=case_id)
    services.case_close(
        actor=actor,
        case=case,
        end_reason=str(payload.end_reason),
        note=payload.note,
        version=payload.version,
    )
    return _detail(actor, case.pk)


@router.patch("/cases/{case_id}", response=CaseOut)
@requires(Capability.QUARANTINE_MANAGE)
def case_update(request: HttpRequest, case_id: int, payload: CasePatch):
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=case_id)
    given = payload.model_fields_set
    changes: dict = {}
    if "team" in given:
        changes["team"] = _team(actor, payload.team, case.jpath)
    if "note" in given:
        changes["note"] = payload.note or ""
    services.case_update(actor=actor, case=case, version=payload.version, **changes)
    return _detail(actor, case.pk)


@router.get("/cases/{case_id}/slots", response=PageOut[SlotOut])
@requires(Capability.QUARANTINE_VIEW)
def case_slots(request: HttpRequest, case_id: int, filters: Query[SlotFilters]):
    """The follow-up slots of a case in deadline order, each with its state now."""
    actor = request_actor(request)
    case = selectors.case_get(actor=actor, pk=case_id)
    now = timezone.now()
    page = keyset_page(
        selectors.case_slots(case=case), cursor=filters.cursor, limit=filters.limit, key="id"
    )
    items = sorted(page.items, key=lambda s: (s.deadline, s.pk))
    return {"items": [slot_out(s, now) for s in items], "next": page.next}
