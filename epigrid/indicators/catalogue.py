"""The catalogue of figures: each defined once; dashboard, API and CLI all read it.

A figure is counted per jurisdiction node: its counter returns (node id, count) pairs for
the rows that belong directly to each node inside a subtree, on an as-of date. Totals for a
node and for each of its children are then sums over the tree, so any drill-down costs one
grouped, indexed query per figure however many children there are.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.functional import Promise

Counter = Callable[[str, dt.date], Iterable[tuple[int, int]]]


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


def count_by_jurisdiction(
    queryset: QuerySet, field: str = "jurisdiction_id", path_field: str = "jpath"
) -> Counter:
    """A counter over dated rows (active_from/active_until) that belong to a jurisdiction."""
    from epigrid.geo.models import Jurisdiction, within_q

    def counter(path: str, as_of: dt.date) -> Iterable[tuple[int, int]]:
        rows = (
            queryset.filter(within_q(path, path_field))
            .filter(Jurisdiction.active_on_q(as_of))
            .values(field)
            .annotate(n=Count("pk"))
            .values_list(field, "n")
            .order_by()
        )
        return list(rows)

    return counter
