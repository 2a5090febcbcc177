"""Reads: the checkpoints' figures by hour and by day, and headquarters' live board, scoped
to the actor (CHECKPOINTS_VIEW) by path.

Everything here reads the pre-aggregated hours (CheckHour, kept by the ingest service),
never the checks: a city's day is a few thousand hour rows however many checks it had.
Each read is one grouped query (the board two, plus the silence policy). Days are folded
from hours in Python: a local day is the hours from its midnight to the next, whatever the
zone, so no database needs time-zone arithmetic.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.models import DatedModel
from epigrid.geo.models import path_of, within_q
from epigrid.policy.selectors import policy_value

from ..models import CheckHour, Checkpoint

FIGURES = ("checks", "persons", "vehicles", "nonlocal_vehicles", "fevers", "turned_back")
MAX_DAYS = 62  # the longest range of the daily figures in one read
DAY_MINUTES = 24 * 60


@dataclass
class Figures:
    checks: int = 0
    persons: int = 0
    vehicles: int = 0
    nonlocal_vehicles: int = 0
    fevers: int = 0
    turned_back: int = 0

    def add(self, row: dict) -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + (row.get(name) or 0))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


@dataclass
class HourRow:
    hour: dt.datetime  # start of the local hour, aware
    figures: Figures = field(default_factory=Figures)


@dataclass
class DayRow:
    day: dt.date
    figures: Figures = field(default_factory=Figures)


@dataclass
class BoardRow:
    checkpoint: Checkpoint
    today: Figures
    last_check_at: dt.datetime | None
    open_now: bool
    silent: bool
    quiet_minutes: int | None  # minutes since the later of opening and the last check


def _sums() -> dict:
    return {name: Sum(name) for name in FIGURES}


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def hours_of(day: dt.date) -> list[dt.datetime]:
    """The starts of a local day's hours (23 or 25 on a day that changes the clocks)."""
    start, end = day_start(day), day_start(day + dt.timedelta(days=1))
    out, moment = [], start
    while moment < end:
        out.append(timezone.localtime(moment))
        moment += dt.timedelta(hours=1)
    return out


def checkpoint_get(*, actor: Actor, pk: int) -> Checkpoint:
    """A checkpoint in the actor's scope, else 404."""
    return get_for_actor(
        Checkpoint.objects.select_related("jurisdiction"), actor, Capability.CHECKPOINTS_VIEW, pk=pk
    )


def _hours(actor: Actor, checkpoint: Checkpoint | None, within: str | None) -> QuerySet[CheckHour]:
    qs = scope(CheckHour.objects.all(), actor, Capability.CHECKPOINTS_VIEW)
    if checkpoint is not None:
        qs = qs.filter(checkpoint_id=checkpoint.pk)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    return qs


def hourly(
    *,
    actor: Actor,
    day: dt.date,
    checkpoint: Checkpoint | None = None,
    within: str | None = None,
) -> list[HourRow]:
    """A local day's figures hour by hour (every hour, zeros included): of one checkpoint,
    or summed over the checkpoints in scope (inside `within`, a jurisdiction code). One
    query."""
    rows = {h: HourRow(h) for h in hours_of(day)}
    start, end = day_start(day), day_start(day + dt.timedelta(days=1))
    qs = _hours(actor, checkpoint, within).filter(hour__gte=start, hour__lt=end)
    for row in qs.order_by().values("hour").annotate(**_sums()):
        hour = timezone.localtime(row["hour"])
        rows.setdefault(hour, HourRow(hour)).figures.add(row)
    return sorted(rows.values(), key=lambda r: r.hour)


def check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError({"to": _("The end cannot be before the start.")})
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError({"to": _("At most %(n)s days at once.") % {"n": MAX_DAYS}})


def daily(
    *,
    actor: Actor,
    start: dt.date,
    end: dt.date,
    checkpoint: Checkpoint | None = None,
    within: str | None = None,
) -> list[DayRow]:
    """Figures day by day from `start` to `end` (inclusive, every day, at most MAX_DAYS): of
    one checkpoint, or summed over the checkpoints in scope (inside `within`). One query:
    the hours, grouped by hour, folded into local days here."""
    check_range(start, end)
    days = {
        start + dt.timedelta(days=i): DayRow(start + dt.timedelta(days=i))
        for i in range((end - start).days + 1)
    }
    qs = _hours(actor, checkpoint, within).filter(
        hour__gte=day_start(start), hour__lt=day_start(end + dt.timedelta(days=1))
    )
    for row in qs.order_by().values("hour").annotate(**_sums()):
        days[timezone.localtime(row["hour"]).date()].figures.add(row)
    return list(days.values())


def day_by_checkpoint(
    *, actor: Actor, day: dt.date, within: str | None = None
) -> dict[int, Figures]:
    """A local day's figures of each checkpoint in scope that had checks. One query."""
    qs = _hours(actor, None, within).filter(
        hour__gte=day_start(day), hour__lt=day_start(day + dt.timedelta(days=1))
    )
    out: dict[int, Figures] = {}
    for row in qs.order_by().values("checkpoint_id").annotate(**_sums()):
        out.setdefault(row["checkpoint_id"], Figures()).add(row)
    return out


def open_since(checkpoint: Checkpoint, now: dt.datetime) -> dt.datetime | None:
    """When the checkpoint's current opening began, or None when it is closed at `now`.
    Round the clock, that is today's midnight; a window past midnight (20:00–06:00) that
    opened yesterday evening began then."""
    local = timezone.localtime(now)
    minutes = local.hour * 60 + local.minute
    today = local.date()
    opens, closes = checkpoint.opens_at, checkpoint.closes_at
    if opens == 0 and closes >= DAY_MINUTES:
        return day_start(today)
    if opens < closes:
        return day_start(today) + dt.timedelta(minutes=opens) if opens <= minutes < closes else None
    if minutes >= opens:
        return day_start(today) + dt.timedelta(minutes=opens)
    if minutes < closes:
        return day_start(today - dt.timedelta(days=1)) + dt.timedelta(minutes=opens)
    return None


def silence_minutes(day: dt.date) -> int:
    """The policy's limit: an open checkpoint without a check for longer is silent."""
    return int(policy_value("checkpoint_silence_minutes", on=day))


def board(*, actor: Actor, now: dt.datetime, within: str | None = None) -> list[BoardRow]:
    """Every checkpoint in scope active today, with today's figures, its last check and
    whether it is silent: open now and without a check for longer than the policy's
    `checkpoint_silence_minutes`, counted from the later of this opening and the last
    check. Silent ones first, then by grid and name. Three queries."""
    today = timezone.localtime(now).date()
    checkpoints = scope(
        Checkpoint.objects.filter(DatedModel.active_on_q(today)).select_related("jurisdiction"),
        actor,
        Capability.CHECKPOINTS_VIEW,
    )
    if within:
        checkpoints = checkpoints.filter(within_q(path_of(within)))
    points = list(checkpoints.order_by("jpath", "name", "id"))
    if not points:
        return []
    # Yesterday's hours too: a last check before today's midnight still dates the silence
    # of a checkpoint that opened yesterday evening.
    midnight = day_start(today)
    qs = _hours(actor, None, within).filter(
        hour__gte=day_start(today - dt.timedelta(days=1)), hour__lt=now
    )
    figures: dict[int, tuple[Figures, dt.datetime | None]] = {}
    today_only = Q(hour__gte=midnight)
    for row in (
        qs.order_by()
        .values("checkpoint_id")
        .annotate(
            last=Max("last_check_at"),
            **{name: Sum(name, filter=today_only) for name in FIGURES},
        )
    ):
        f = Figures()
        f.add(row)
        figures[row["checkpoint_id"]] = (f, row["last"])
    limit = silence_minutes(today)
    rows = []
    for point in points:
        today_figures, last = figures.get(point.pk, (Figures(), None))
        since = open_since(point, now)
        quiet = None
        if since is not None:
            since = max(since, day_start(point.active_from))
            reference = max(since, last) if last is not None else since
            quiet = max(0, int((now - reference).total_seconds() // 60))
        rows.append(
            BoardRow(
                checkpoint=point,
                today=today_figures,
                last_check_at=last,
                open_now=since is not None,
                silent=quiet is not None and quiet > limit,
                quiet_minutes=quiet,
            )
        )
    rows.sort(key=lambda r: not r.silent)  # stable: grid and name order within each part
    return rows
