"""Reads of the jurisdiction tree, always through the actor's scope."""

import datetime as dt

from django.db.models import QuerySet

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability

from .models import SEPARATOR, Jurisdiction, path_of, within_q


def jurisdiction_list(
    *,
    actor: Actor,
    within: str | None = None,
    kinds: list[str] | None = None,
    parent: str | None = None,
    q: str | None = None,
    as_of: dt.date | None = None,
    include_inactive: bool = False,
) -> QuerySet[Jurisdiction]:
    """Nodes the actor may see; active ones (on `as_of`, default today) unless asked otherwise."""
    qs = scope(Jurisdiction.objects.all(), actor, Capability.GRIDS_VIEW, field="path")
    if within:
        qs = qs.filter(within_q(path_of(within), "path"))
    if parent:
        qs = qs.filter(parent__code=parent)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(code__startswith=q)
    if as_of is not None:
        qs = qs.filter(Jurisdiction.active_on_q(as_of))
    elif not include_inactive:
        qs = qs.filter(active_until__isnull=True)
    return qs


def jurisdiction_get(*, actor: Actor, code: str, capability: Capability = Capability.GRIDS_VIEW):
    """The node, or 404 when it is unknown or outside the actor's scope."""
    return get_for_actor(Jurisdiction.objects.all(), actor, capability, field="path", code=code)


def jurisdiction_roots(*, actor: Actor, capability: Capability = Capability.GRIDS_VIEW):
    """The nodes at the top of the actor's scope (their assignments, outermost only)."""
    paths = actor.paths(capability)
    return list(Jurisdiction.objects.filter(path__in=paths).order_by("path"))


def jurisdiction_breadcrumb(*, actor: Actor, node: Jurisdiction) -> list[Jurisdiction]:
    """Ancestors of `node` the actor may see, top first, and the node itself."""
    parts = node.code.split(SEPARATOR)
    codes = [SEPARATOR.join(parts[: i + 1]) for i in range(len(parts))]
    visible = scope(
        Jurisdiction.objects.filter(code__in=codes), actor, Capability.GRIDS_VIEW, field="path"
    )
    return sorted(visible, key=lambda n: n.depth)
