"""Reads of liaisons, scoped by enterprises.access: staff with ENTERPRISES_VIEW by the
enterprise's grid; an enterprise user sees who its own liaisons are."""

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet
from django.utils import timezone

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability

from ..access import get_reached, reach
from ..models import Enterprise, Liaison, Need, NeedStatus
from .taskforces import SEARCH_MAX, count_of, valid_pk

VIEW = Capability.ENTERPRISES_VIEW


@dataclass(frozen=True)
class LiaisonFilters:
    leader: int | None = None
    enterprise: int | None = None
    q: str = ""
    include_ended: bool = False


def _current() -> Q:
    return Q(active_until__isnull=True) | Q(active_until__gt=timezone.localdate())


def liaison_list(*, actor: Actor, filters: LiaisonFilters | None = None) -> QuerySet[Liaison]:
    """Liaisons the actor reaches (current ones unless `include_ended`), by enterprise."""
    f = filters or LiaisonFilters()
    qs = reach(Liaison.objects.select_related("enterprise", "leader"), actor, VIEW)
    if not f.include_ended:
        qs = qs.filter(_current())
    if f.leader is not None:
        qs = qs.filter(leader_id=f.leader)
    if f.enterprise is not None:
        qs = qs.filter(enterprise_id=f.enterprise)
    q = " ".join(f.q.split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(leader__full_name__icontains=q))
    return qs


def liaison_get(*, actor: Actor, pk: int) -> Liaison:
    """One liaison the actor reaches, else 404."""
    return get_reached(
        Liaison.objects.select_related("enterprise", "leader"), actor, VIEW, pk=valid_pk(pk)
    )


def my_enterprises(*, actor: Actor) -> QuerySet[Enterprise]:
    """The enterprises the actor is currently liaison to (and still sees), with their open
    needs counted (`open_needs`); most open needs first."""
    if actor.user is None:
        return Enterprise.objects.none()
    ids = Liaison.objects.filter(_current(), leader_id=actor.user.pk).values("enterprise_id")
    qs = reach(
        Enterprise.objects.filter(pk__in=ids).select_related("jurisdiction"),
        actor,
        VIEW,
        enterprise_field="",
        self_ok=False,
    )
    open_needs = Need.objects.filter(enterprise_id=OuterRef("pk")).exclude(
        status=NeedStatus.RESOLVED
    )
    return qs.annotate(open_needs=count_of(open_needs)).order_by("-open_needs", "name", "id")
