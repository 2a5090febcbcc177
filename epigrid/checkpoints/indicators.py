"""Figures of the temperature checkpoints. The day's figures read the pre-aggregated hours
(CheckHour), never the checks: one grouped query per figure over a day's hour rows."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Sum
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from epigrid.geo.models import within_q
from epigrid.indicators.catalogue import Counter, Indicator, count_by_path, register

from .models import CheckHour, Checkpoint

GROUP = _("Temperature checkpoints")


def _day(as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(as_of, dt.time.min))
    return start, timezone.make_aware(
        dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    )


def sum_of_day(column: str) -> Counter:
    """A counter summing `column` of the hours of the as-of local day, grouped by path."""

    def counter(path: str, as_of: dt.date) -> Iterable[tuple[str, int]]:
        start, end = _day(as_of)
        rows = (
            CheckHour.objects.filter(within_q(path), hour__gte=start, hour__lt=end)
            .values("jpath")
            .annotate(n=Sum(column))
            .values_list("jpath", "n")
            .order_by()
        )
        return [(p, n or 0) for p, n in rows]

    return counter


def _figure(key: str, column: str, label: Promise, description: Promise, order: int) -> None:
    register(
        Indicator(
            key=key,
            label=label,
            description=description,
            counter=sum_of_day(column),
            order=order,
            group=GROUP,
        )
    )


register(
    Indicator(
        key="checkpoints",
        label=_("Temperature checkpoints"),
        description=_("Temperature checkpoints (测温点) set up and not ended on the date."),
        counter=count_by_path(Checkpoint.objects.all()),
        order=70,
        group=GROUP,
    )
)

FIGURES = [
    (
        "checks_today",
        "checks",
        _("Checks at checkpoints"),
        _("Checks made at the checkpoints on the date: each person on foot or vehicle once."),
    ),
    (
        "vehicles_nonlocal_today",
        "nonlocal_vehicles",
        _("Non-local vehicles checked"),
        _(
            "Vehicles checked on the date whose plate is not one of the local prefixes the "
            "policy names."
        ),
    ),
    (
        "fever_found_today",
        "fevers",
        _("Fevers found at checkpoints"),
        _(
            "Persons with a fever reading at a checkpoint on the date; each was registered and "
            "referred (five earlies)."
        ),
    ),
    (
        "turned_back_today",
        "turned_back",
        _("Persuaded to turn back"),
        _("Checks on the date that ended with the traveller persuaded to turn back."),
    ),
]
for i, (key, column, label, description) in enumerate(FIGURES, start=71):
    _figure(key, column, label, description, i)
