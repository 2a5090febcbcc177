"""Alerts and their referral over the API: the list (open first) and one alert with its
referral steps (QUARANTINE_VIEW); recording a step and closing with an outcome
(ALERTS_MANAGE over the alert's grid)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.geo import selectors as geo

from ..models import Alert, ReferralEvent, ReferralStep, Trigger
from ..selectors import escalation as selectors
from ..services import escalation as services

router = CapabilityRouter()


class ReferralOut(Schema):
    step: ReferralStep
    at: dt.datetime
    diagnosis: str
    note: str


class AlertOut(Schema):
    id: int
    case_id: int | None = Field(
        description="The observation case; none for an alert raised outside home quarantine."
    )
    person_id: int
    person_name: str
    jurisdiction: str
    jurisdiction_name: str
    trigger: Trigger
    raised_at: dt.datetime
    followup_id: int | None
    slot_id: int | None
    origin: str = Field(
        description='What raised an alert without a case, as "<page name>:<id>" (e.g. '
        '"checkpoints:check_detail:42"); empty for a case\'s alerts.'
    )
    detail: str = Field(description="As stored: readings, symptom codes or missed deadlines.")
    detail_text: str = Field(description="The detail for people, in the caller's language.")
    open: bool
    last_step: str | None
    last_step_at: dt.datetime | None
    closed_at: dt.datetime | None
    outcome: str
    close_note: str
    version: int


class AlertDetailOut(AlertOut):
    steps: list[ReferralOut]
    next_steps: list[ReferralStep] = Field(description="Steps that may be recorded now.")


def alert_out(a: Alert) -> dict:
    return {
        "id": a.pk,
        "case_id": a.case_id,
        "person_id": a.person_id,
        "person_name": a.person.name,
        "jurisdiction": a.jurisdiction.code,
        "jurisdiction_name": a.jurisdiction.name,
        "trigger": Trigger(a.trigger),
        "raised_at": a.raised_at,
        "followup_id": a.followup_id,
        "slot_id": a.slot_id,
        "origin": a.origin,
        "detail": a.detail,
        "detail_text": getattr(a, "detail_text", a.detail),
        "open": a.closed_at is None,
        "last_step": getattr(a, "last_step", None),
        "last_step_at": getattr(a, "last_step_at", None),
        "closed_at": a.closed_at,
        "outcome": a.outcome,
        "close_note": a.close_note,
        "version": a.version,
    }


def step_out(e: ReferralEvent) -> ReferralOut:
    return ReferralOut(step=ReferralStep(e.step), at=e.at, diagnosis=e.diagnosis, note=e.note)


def detail_out(d: selectors.AlertDetail) -> AlertDetailOut:
    last = d.steps[-1] if d.steps else None
    return AlertDetailOut(
        **{
            **alert_out(d.alert),
            "last_step": last.step if last else None,
            "last_step_at": last.at if last else None,
        },
        steps=[step_out(e) for e in d.steps],
        next_steps=[ReferralStep(s) for s in d.next_steps],
    )


class AlertFilters(Schema):
    open_only: bool = False
    trigger: Trigger | None = None
    within: str | None = Field(None, max_length=64)
    since: dt.date | None = None
    cursor: str | None = Field(None, max_length=200)
    limit: int = 50


class ReferralIn(Schema):
    step: ReferralStep
    at: dt.datetime
    diagnosis: str = Field("", max_length=20)
    note: str = Field("", max_length=200)


class CloseIn(Schema):
    # Checked by the service, so a missing outcome answers its own clear message.
    outcome: str = Field("", max_length=20)
    note: str = Field("", max_length=200)
    version: int = Field(ge=0, le=2**31 - 1)


@router.get("/alerts", response=PageOut[AlertOut])
@requires(Capability.QUARANTINE_VIEW)
def alert_list(request: HttpRequest, filters: Query[AlertFilters]):
    """Alerts the caller may see: open ones first, then closed, each newest first."""
    actor = request_actor(request)
    if filters.within:
        geo.jurisdiction_get(
            actor=actor, code=filters.within, capability=Capability.QUARANTINE_VIEW
        )
    qs = selectors.alert_list(
        actor=actor,
        open_only=filters.open_only,
        trigger=str(filters.trigger) if filters.trigger else None,
        within=filters.within,
        since=filters.since,
    )
    page = selectors.alert_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [alert_out(a) for a in page.items], "next": page.next}


@router.get("/alerts/{alert_id}", response=AlertDetailOut)
@requires(Capability.QUARANTINE_VIEW)
def alert_detail(request: HttpRequest, alert_id: int):
    return detail_out(selectors.alert_detail(actor=request_actor(request), pk=alert_id))


@router.post("/alerts/{alert_id}/referral", response={201: AlertDetailOut})
@requires(Capability.ALERTS_MANAGE)
def alert_referral(request: HttpRequest, alert_id: int, payload: ReferralIn):
    """Records one referral step with its time; answers the alert with all its steps."""
    actor = request_actor(request)
    alert = selectors.alert_get(actor=actor, pk=alert_id)
    services.referral_record(
        actor=actor,
        alert=alert,
        step=str(payload.step),
        at=payload.at,
        diagnosis=payload.diagnosis,
        note=payload.note,
    )
    return Status(201, detail_out(selectors.alert_detail(actor=actor, pk=alert_id)))


@router.post("/alerts/{alert_id}/close", response=AlertDetailOut)
@requires(Capability.ALERTS_MANAGE)
def alert_close(request: HttpRequest, alert_id: int, payload: CloseIn):
    """Closes the alert with an outcome; `version` from the alert as read (409 if stale)."""
    actor = request_actor(request)
    alert = selectors.alert_get(actor=actor, pk=alert_id)
    services.alert_close(
        actor=actor,
        alert=alert,
        outcome=payload.outcome,
        note=payload.note,
        version=payload.version,
    )
    return detail_out(selectors.alert_detail(actor=actor, pk=alert_id))
