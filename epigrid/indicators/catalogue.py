"""The catalogue of figures: each defined once; dashboard, API and CLI all read it.

A figure is counted per jurisdiction path: its counter returns (materialized path, count)
pairs for the rows inside a subtree on an as-of date. Totals for a node and for each of its
children are then sums by path prefix, so any drill-down costs one grouped, indexed query per
figure however many children there are.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise

Counter = Callable[[str, dt.date], Iterable[tuple[str, int]]]


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    description: str | Promise
    counter: Counter
    order: int = 100
    group: str | Promise = ""


_CATALOGUE: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.key in _CATALOGUE:
        raise ValueError(f"figure {indicator.key!r} is defined twice")
    _CATALOGUE[indicator.key] = indicator
    return indicator


def catalogue() -> list[Indicator]:
    return sorted(_CATALOGUE.values(), key=lambda i: (i.order, i.key))


def get(key: str) -> Indicator:
    return _CATALOGUE[key]


def count_by_path(
    queryset: QuerySet,
    on_date: Callable[[dt.date], Q] | None = None,
    path_field: str = "jpath",
    distinct: str | None = None,
) -> Counter:
    """A counter of rows (or distinct values of `distinct`) inside a subtree, grouped by path.

    `on_date(as_of)` says which rows count on the date; by default the dated rows
    (active_from/active_until) in force then.
    """
    from epigrid.core.models import DatedModel
    from epigrid.geo.models import within_q

    when = on_date or DatedModel.active_on_q
    measure = Count(distinct, distinct=True) if distinct else Count("pk")

    def counter(path: str, as_of: dt.date) -> Iterable[tuple[str, int]]:
        rows = (
            queryset.filter(within_q(path, path_field))
            .filter(when(as_of))
            .values(path_field)
            .annotate(n=measure)
            .values_list(path_field, "n")
            .order_by()
        )
        return list(rows)

    return counter
