"""The working calendar: which days are working days, and answer deadlines counted in them.

The national calendar (weekends, public holidays and the make-up working days the State
Council announces each year) comes from the `chinese_calendar` library. Local decisions it
does not know (a province's later return to work, an extended break) are WorkdayOverride
rows: dated policy data, edited by headquarters. Beyond the years the library covers, a
weekday is a working day unless an override says otherwise.
"""

import calendar as pycalendar
import datetime as dt
import functools
from dataclasses import dataclass

import chinese_calendar
from django.utils import timezone

from .models import WorkdayOverride


def overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Local changes between `start` and `end` (both included): day -> working day."""
    return dict(
        WorkdayOverride.objects.filter(day__gte=start, day__lte=end).values_list("day", "workday")
    )


def national_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        # The library covers the years it was released for; after that, weekdays.
        return day.weekday() < 5


def is_workday(day: dt.date, local: dict[dt.date, bool] | None = None) -> bool:
    """Whether `day` is a working day: a local change first, else the national calendar."""
    if local is None:
        local = overrides(day, day)
    if day in local:
        return local[day]
    return national_workday(day)


# A deadline never lies further than this many calendar days past its start (the longest
# Chinese break, with local extensions, is far shorter); the loop cannot run away.
HORIZON_DAYS = 120


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (not counting `start` itself)."""
    local = overrides(start, start + dt.timedelta(days=HORIZON_DAYS))
    day, counted = start, 0
    for _ in range(HORIZON_DAYS):
        day += dt.timedelta(days=1)
        if is_workday(day, local):
            counted += 1
            if counted >= days:
                return day
    return day


def answer_due(submitted_at: dt.datetime, days: int) -> dt.datetime:
    """When an answer to something submitted at `submitted_at` is due under the rule "within
    `days` working days": the end (local midnight) of the `days`-th working day after the
    local day of submission. Submitted on a holiday, the count starts with the next working
    day just the same."""
    local_day = timezone.localtime(submitted_at).date()
    last = add_workdays(local_day, days)
    return timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    local = overrides(start, end)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day, local):
            count += 1
    return count


@functools.cache
def library_years() -> tuple[int, int]:
    """The first and last year the national calendar library knows."""
    days = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return min(days).year, max(days).year


@dataclass(frozen=True)
class CalendarDay:
    """One day as the month view shows it: whether it is worked and why."""

    day: dt.date
    workday: bool
    # weekday, weekend, holiday (national), makeup (a national make-up working day),
    # local_holiday, local_workday (a WorkdayOverride), beyond (a weekday past the library).
    kind: str
    holiday: str = ""  # the national holiday's name in the active language
    note: str = ""  # the local decision


def holiday_name(english: str) -> str:
    """The national holiday's name in the active language (the library names it in both)."""
    from django.utils.translation import get_language

    if not english or not (get_language() or "zh").startswith("zh"):
        return english
    try:
        return str(chinese_calendar.Holiday(english).chinese)
    except ValueError:
        return english


def month_days(year: int, month: int) -> list[CalendarDay]:
    """Every day of the month with its kind (one query for the local changes)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, pycalendar.monthrange(year, month)[1])
    local = {o.day: o for o in WorkdayOverride.objects.filter(day__gte=first, day__lte=last)}
    out = []
    day = first
    while day <= last:
        try:
            national = bool(chinese_calendar.is_workday(day))
            _holiday, english = chinese_calendar.get_holiday_detail(day)
            name = holiday_name(english or "")
            known = True
        except NotImplementedError:
            national, name, known = day.weekday() < 5, None, False
        weekend = day.weekday() >= 5
        if day in local:
            change = local[day]
            kind = "local_workday" if change.workday else "local_holiday"
            out.append(CalendarDay(day, change.workday, kind, name or "", change.note))
        elif not known:
            out.append(CalendarDay(day, national, "weekend" if weekend else "beyond"))
        elif national:
            out.append(CalendarDay(day, True, "makeup" if weekend else "weekday", name or ""))
        elif name:
            out.append(CalendarDay(day, False, "holiday", name))
        else:
            out.append(CalendarDay(day, False, "weekend"))
        day += dt.timedelta(days=1)
    return out


def editable_by(actor) -> bool:
    """Whether the actor may change the working calendar: it holds for the whole deployment,
    like policy, so headquarters over the top of the tree (policy.services)."""
    from epigrid.accounts.roles import Capability
    from epigrid.geo.models import Jurisdiction

    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
    return actor.can(Capability.POLICY_MANAGE, root.path if root else "")
