"""Rollups over the API (CHECKPOINTS_VIEW, scoped): a day's figures hour by hour and a
range's day by day, of one checkpoint or summed over the caller's checkpoints (inside a
jurisdiction), and headquarters' live board. All read the pre-aggregated hours."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.geo import selectors as geo

from ..selectors import rollups as selectors

router = CapabilityRouter()


class FiguresOut(Schema):
    checks: int = Field(description="Checks: a person on foot or a vehicle with its occupants.")
    persons: int = Field(description="Persons checked.")
    vehicles: int
    nonlocal_vehicles: int = Field(description="Vehicles with a plate not counted as local.")
    fevers: int = Field(description="Persons with a fever reading.")
    turned_back: int = Field(description="Checks persuaded to turn back.")


class HourOut(FiguresOut):
    hour: dt.datetime = Field(description="Start of the local hour.")


class DayOut(FiguresOut):
    day: dt.date


class HourlyOut(Schema):
    day: dt.date
    checkpoint: int | None
    within: str | None
    hours: list[HourOut]


class DailyOut(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    checkpoint: int | None
    within: str | None
    days: list[DayOut]


class BoardRowOut(Schema):
    checkpoint: int
    name: str
    kind: str
    jurisdiction: str
    opens_at: int
    closes_at: int
    today: FiguresOut
    last_check_at: dt.datetime | None
    open_now: bool
    silent: bool = Field(
        description="Open now and no check for longer than the policy's silence limit."
    )
    quiet_minutes: int | None = Field(
        description="Minutes since the later of this opening and the last check (open only)."
    )


class BoardOut(Schema):
    now: dt.datetime
    silence_minutes: int
    checkpoints: list[BoardRowOut]


class HourlyFilters(Schema):
    day: dt.date | None = Field(None, description="Local day; default today.")
    checkpoint: int | None = None
    within: str | None = Field(None, max_length=64)


class DailyFilters(Schema):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    checkpoint: int | None = None
    within: str | None = Field(None, max_length=64)


class BoardFilters(Schema):
    within: str | None = Field(None, max_length=64)


def _where(request: HttpRequest, checkpoint: int | None, within: str | None):
    actor = request_actor(request)
    point = selectors.checkpoint_get(actor=actor, pk=checkpoint) if checkpoint else None
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.CHECKPOINTS_VIEW)
    return actor, point


@router.get("/rollups/hourly", response=HourlyOut)
@requires(Capability.CHECKPOINTS_VIEW)
def rollup_hourly(request: HttpRequest, filters: Query[HourlyFilters]):
    """A local day's figures hour by hour: of one checkpoint, or summed over the caller's
    checkpoints (inside `within`)."""
    actor, point = _where(request, filters.checkpoint, filters.within)
    day = filters.day or timezone.localdate()
    rows = selectors.hourly(actor=actor, day=day, checkpoint=point, within=filters.within)
    return {
        "day": day,
        "checkpoint": filters.checkpoint,
        "within": filters.within,
        "hours": [{"hour": r.hour, **r.figures.as_dict()} for r in rows],
    }


@router.get("/rollups/daily", response=DailyOut, by_alias=True)
@requires(Capability.CHECKPOINTS_VIEW)
def rollup_daily(request: HttpRequest, filters: Query[DailyFilters]):
    """Figures day by day from `from` to `to` (inclusive, at most 62 days): of one
    checkpoint, or summed over the caller's checkpoints (inside `within`)."""
    actor, point = _where(request, filters.checkpoint, filters.within)
    rows = selectors.daily(
        actor=actor, start=filters.start, end=filters.end, checkpoint=point, within=filters.within
    )
    return {
        "from": filters.start,
        "to": filters.end,
        "checkpoint": filters.checkpoint,
        "within": filters.within,
        "days": [{"day": r.day, **r.figures.as_dict()} for r in rows],
    }


@router.get("/board", response=BoardOut)
@requires(Capability.CHECKPOINTS_VIEW)
def board(request: HttpRequest, filters: Query[BoardFilters]):
    """The live board: every checkpoint in scope active today with today's figures, its
    last check and whether it is silent (silent ones first)."""
    actor, _point = _where(request, None, filters.within)
    now = timezone.now()
    rows = selectors.board(actor=actor, now=now, within=filters.within)
    return {
        "now": now,
        "silence_minutes": selectors.silence_minutes(timezone.localdate(now)),
        "checkpoints": [
            {
                "checkpoint": r.checkpoint.pk,
                "name": r.checkpoint.name,
                "kind": r.checkpoint.kind,
                "jurisdiction": r.checkpoint.code,
                "opens_at": r.checkpoint.opens_at,
                "closes_at": r.checkpoint.closes_at,
                "today": r.today.as_dict(),
                "last_check_at": r.last_check_at,
                "open_now": r.open_now,
                "silent": r.silent,
                "quiet_minutes": r.quiet_minutes,
            }
            for r in rows
        ],
    }
