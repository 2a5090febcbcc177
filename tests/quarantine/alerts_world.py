"""Helpers of the escalation tests: follow-ups written straight to the tables (as the
follow-up service would leave them) and alerts raised through the escalation service."""

import datetime as dt
from decimal import Decimal

from epigrid.accounts.access import SYSTEM
from epigrid.quarantine.models import Alert, FollowUp, FollowUpSlot, Method, ObservationCase
from epigrid.quarantine.services.escalation import evaluate_followup

from .world import local, make_case

DAY = dt.date(2020, 2, 3)


def slots(case: ObservationCase) -> list[FollowUpSlot]:
    return list(FollowUpSlot.objects.filter(case=case).order_by("deadline"))


def reading(
    case: ObservationCase,
    *,
    at: dt.datetime | None = None,
    temperature: str | None = None,
    symptoms: list[str] | None = None,
    result: str = "well",
    slot: FollowUpSlot | None = None,
    note: str = "",
) -> FollowUp:
    """A follow-up of `case`; a reached one fills `slot` (default: the first not done)."""
    if slot is None:
        slot = FollowUpSlot.objects.filter(case=case, done_at__isnull=True).order_by("deadline")[0]
    at = at or slot.deadline - dt.timedelta(minutes=30)
    followup = FollowUp.objects.create(
        case=case,
        jpath=case.jpath,
        slot=slot,
        method=Method.VIDEO,
        taken_at=at,
        temperature=Decimal(temperature) if temperature else None,
        symptoms=symptoms or [],
        result=result,
        note=note,
    )
    if result != "not_reached":
        FollowUpSlot.objects.filter(pk=slot.pk).update(done_at=at, followup=followup)
    return followup


def fever_alert(world, *, grid: str = "grid_a", name: str = "发热者", temperature: str = "38.5"):
    case = make_case(world, grid=grid, name=name, start=DAY)
    followup = reading(case, at=local(DAY, 9, 30), temperature=temperature)
    (alert,) = evaluate_followup(actor=SYSTEM, followup=followup)
    return Alert.objects.get(pk=alert.pk)
