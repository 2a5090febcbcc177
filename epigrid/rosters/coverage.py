"""Interval arithmetic for coverage: which of a post's required hours no staffed shift holds.

Pure functions over aware datetimes, so the rule can be tested without a database. Days are
walked in the deployment's time zone (settings.TIME_ZONE) on the wall clock: a window that
runs past midnight belongs to the day it starts, and a day with a DST change (none in
Asia/Shanghai, but deployments elsewhere may have one) is as long as the clock says.
"""

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple, Protocol

DAY = dt.timedelta(days=1)


class Gap(NamedTuple):
    """Hours from `starts_at` until `ends_at` that the post must be held and nobody holds."""

    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def minutes(self) -> int:
        # In UTC: Python subtracts two datetimes of one zone on the wall clock, which is an
        # hour off across a DST change.
        return int((_utc(self.ends_at) - _utc(self.starts_at)).total_seconds() // 60)


Interval = tuple[dt.datetime, dt.datetime]


def _utc(value: dt.datetime) -> dt.datetime:
    """Arithmetic and comparisons are done in UTC: between two datetimes of the same zone
    Python uses the wall clock, which is wrong across a DST change."""
    return value.astimezone(dt.UTC)


class HasWindow(Protocol):
    active_from: dt.date
    active_until: dt.date | None

    def window_on(self, day: dt.date, tz: dt.tzinfo) -> Interval: ...


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """In UTC, sorted, with overlapping or touching intervals joined (16–24 and 00–08
    become 16–08)."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted((_utc(s), _utc(e)) for s, e in intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def subtract(required: list[Interval], covered: list[Interval]) -> list[Interval]:
    """Parts of `required` that no interval of `covered` holds; both merged and sorted."""
    gaps: list[Interval] = []
    i = 0
    for start, end in required:
        cursor = start
        while i < len(covered) and covered[i][1] <= cursor:
            i += 1
        j = i
        while j < len(covered) and covered[j][0] < end:
            c_start, c_end = covered[j]
            if c_start > cursor:
                gaps.append((cursor, c_start))
            cursor = max(cursor, c_end)
            if cursor >= end:
                break
            j += 1
        if cursor < end:
            gaps.append((cursor, end))
    return gaps


def _local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).replace(tzinfo=tz)


def required(
    post: HasWindow, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo
) -> list[Interval]:
    """The hours inside [start, end) during which `post` must be held, merged."""
    first = start.astimezone(tz).date() - DAY  # yesterday's overnight window reaches today
    last = end.astimezone(tz).date()
    lo = max(_utc(start), _utc(_local_midnight(post.active_from, tz)))
    hi = _utc(end)
    if post.active_until:
        hi = min(hi, _utc(_local_midnight(post.active_until, tz)))
    windows = []
    day = first
    while day <= last:
        w_start, w_end = post.window_on(day, tz)
        windows.append((max(_utc(w_start), lo), min(_utc(w_end), hi)))
        day += DAY
    return merge(windows)


def gaps(
    post: HasWindow,
    start: dt.datetime,
    end: dt.datetime,
    shifts: Iterable[Interval],
    tz: dt.tzinfo,
) -> list[Gap]:
    """The uncovered hours of `post` in [start, end), given the (staffed, not cancelled)
    shifts that hold it."""
    uncovered = subtract(required(post, start, end, tz), merge(shifts))
    return [Gap(s.astimezone(tz), e.astimezone(tz)) for s, e in uncovered]


def split_by_day(gap_list: Iterable[Gap], tz: dt.tzinfo) -> dict[dt.date, list[Gap]]:
    """Gaps cut at local midnight, by local day: the rows of a week's roster."""
    days: dict[dt.date, list[Gap]] = {}
    for gap in gap_list:
        cursor, end = _utc(gap.starts_at), _utc(gap.ends_at)
        while cursor < end:
            day = cursor.astimezone(tz).date()
            cut = min(end, _utc(_local_midnight(day + DAY, tz)))
            days.setdefault(day, []).append(Gap(cursor.astimezone(tz), cut.astimezone(tz)))
            cursor = cut
    return days
