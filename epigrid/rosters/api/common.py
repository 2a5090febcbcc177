"""What the roster endpoints share: bounded ids, time windows, gaps."""

import datetime as dt
from typing import Annotated

from django.utils import timezone
from ninja import Field, Schema

from .. import selectors
from ..coverage import Gap

# Ids are bounded: a number past the 64-bit range is a field error, not a crash.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
HHMM = Annotated[str, Field(max_length=5, examples=["08:00", "24:00"])]
DEFAULT_AHEAD = dt.timedelta(hours=24)
HORIZONS = (24, 48)


def minute_now() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


class GapOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    minutes: int


def gap_out(g: Gap) -> GapOut:
    return GapOut(starts_at=g.starts_at, ends_at=g.ends_at, minutes=g.minutes)


class Window(Schema):
    start: dt.datetime | None = Field(None, alias="from")
    until: dt.datetime | None = None


def window(w: Window, default_back: dt.timedelta = dt.timedelta(0)) -> tuple:
    """[from, until) on the deployment's clock when given without an offset; by default
    from `default_back` ago for a day beyond now; at most 62 days."""
    zone = selectors.tz()
    start = w.start or (minute_now() - default_back)
    if timezone.is_naive(start):
        start = timezone.make_aware(start, zone)
    end = w.until or (start + DEFAULT_AHEAD + default_back)
    if timezone.is_naive(end):
        end = timezone.make_aware(end, zone)
    selectors.check_span(start, end)
    return start, end
