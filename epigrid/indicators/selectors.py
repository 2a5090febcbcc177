"""Figures for a jurisdiction and for each of its children, scoped to the actor."""

import datetime as dt
from dataclasses import dataclass

from epigrid.accounts.access import Actor
from epigrid.geo.models import Jurisdiction

from .catalogue import Indicator, catalogue


@dataclass(frozen=True)
class Figures:
    node: Jurisdiction
    as_of: dt.date
    totals: dict[str, int]
    children: list[tuple[Jurisdiction, dict[str, int]]]


def figures_for(
    *,
    actor: Actor,
    node: Jurisdiction,
    as_of: dt.date,
    keys: list[str] | None = None,
    with_children: bool = False,
) -> Figures:
    """Every figure (or those in `keys`) for `node` on `as_of`; the caller has checked access
    to `node`, and the actor sees every row inside it for dashboard purposes."""
    indicators: list[Indicator] = [i for i in catalogue() if keys is None or i.key in keys]
    direct_children = (
        list(
            Jurisdiction.objects.filter(parent=node)
            .filter(Jurisdiction.active_on_q(as_of))
            .order_by("code")
        )
        if with_children
        else []
    )
    # A row lies under the child whose path is the row's path cut after the segment that
    # follows `node`'s own.
    by_path = {c.path: c.id for c in direct_children}
    start = len(node.path)

    def child_of(path: str) -> int | None:
        end = path.find(".", start)
        return by_path.get(path[: end + 1]) if end >= 0 else None

    totals: dict[str, int] = {}
    per_child: dict[int, dict[str, int]] = {c.id: {} for c in direct_children}
    for indicator in indicators:
        total = 0
        sums: dict[int, int] = {}
        for path, n in indicator.counter(node.path, as_of):
            total += n
            child = child_of(path) if by_path else None
            if child is not None:
                sums[child] = sums.get(child, 0) + n
        totals[indicator.key] = total
        for cid in per_child:
            per_child[cid][indicator.key] = sums.get(cid, 0)
    return Figures(
        node=node,
        as_of=as_of,
        totals=totals,
        children=[(c, per_child[c.id]) for c in direct_children],
    )
