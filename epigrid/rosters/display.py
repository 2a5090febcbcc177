"""How gaps and shifts read on a page: "02-10 22:00–24:00", hours for a badge."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .coverage import Gap, split_by_day
from .models import Shift


@dataclass(frozen=True)
class Span:
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str
    minutes: int


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, selectors.tz())


def span_label(start: dt.datetime, end: dt.datetime, *, with_date: bool = True) -> str:
    """ "02-10 02:00–08:00"; an end at the next midnight is "24:00"; a later day is dated."""
    s, e = local(start), local(end)
    head = f"{s:%m-%d %H:%M}" if with_date else f"{s:%H:%M}"
    if e.date() == s.date():
        return f"{head}–{e:%H:%M}"
    next_day = e.date() == s.date() + dt.timedelta(days=1)
    if next_day and (e.hour, e.minute) == (0, 0):
        return f"{head}–24:00"
    if next_day and not with_date:
        return f"{head}–" + _("next day %(time)s") % {"time": f"{e:%H:%M}"}
    return f"{head}–{e:%m-%d %H:%M}"


def spans(gaps: list[Gap], *, with_date: bool = True) -> list[Span]:
    return [
        Span(
            g.starts_at,
            g.ends_at,
            span_label(g.starts_at, g.ends_at, with_date=with_date),
            g.minutes,
        )
        for g in gaps
    ]


def hours_text(minutes: int) -> str:
    """Minutes as hours for a badge: 390 -> "6.5"."""
    return f"{minutes / 60:.1f}".removesuffix(".0")


@dataclass
class DayRow:
    """One day of a week's roster: the shifts starting that day and its uncovered hours."""

    day: dt.date
    shifts: list[tuple[Shift, str]]
    gaps: list[Span]
    is_today: bool


def week(monday: dt.date, shifts: list[Shift], gaps: list[Gap], *, today: dt.date) -> list[DayRow]:
    """Seven rows from `monday`; a shift begun the week before shows, dated, on Monday."""
    zone = selectors.tz()
    start = dt.datetime.combine(monday, dt.time()).replace(tzinfo=zone)
    by_day = split_by_day(gaps, zone)
    rows = []
    for i in range(7):
        day = monday + dt.timedelta(days=i)
        rows.append(
            DayRow(
                day=day,
                shifts=[
                    (s, span_label(s.starts_at, s.ends_at, with_date=s.starts_at < start))
                    for s in shifts
                    if max(s.starts_at.astimezone(zone).date(), monday) == day
                ],
                gaps=spans(by_day.get(day, []), with_date=False),
                is_today=day == today,
            )
        )
    return rows
