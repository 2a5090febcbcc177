from django.db.models import Prefetch, QuerySet

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.geo.models import path_of, within_q

from .models import MemberUnit, PartyCommittee


def committee_list(
    *,
    actor: Actor,
    within: str | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[PartyCommittee]:
    """Party committees in scope, with their current member units prefetched."""
    units = MemberUnit.objects.filter(active_until__isnull=True).order_by("id")
    qs = scope(
        PartyCommittee.objects.select_related("jurisdiction").prefetch_related(  # type: ignore[no-redef]
            Prefetch("units", queryset=units, to_attr="current_units")
        ),
        actor,
        Capability.PARTY_VIEW,
    )
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if q:
        qs = qs.filter(name__contains=q)
    if not include_inactive:
        qs = qs.filter(active_until__isnull=True)
    return qs


def committee_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.PARTY_VIEW
) -> PartyCommittee:
    return get_for_actor(
        committee_list(actor=actor, include_inactive=True), actor, capability, pk=pk
    )


def unit_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.PARTY_VIEW
) -> MemberUnit:
    return get_for_actor(MemberUnit.objects.select_related("committee"), actor, capability, pk=pk)
