"""The working calendar: which days are working days, and answer deadlines counted in them.

The national calendar (weekends, public holidays and the make-up working days the State
Council announces each year) comes from the `chinese_calendar` library. Local decisions it
does not know (a province's later return to work, an extended break) are WorkdayOverride
rows: dated policy data, edited by headquarters. Beyond the years the library covers, a
weekday is a working day unless an override says otherwise.
"""

import datetime as dt

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
