"""Reads of enterprise needs, scoped by enterprises.access: staff with ENTERPRISES_VIEW by
the enterprise's grid, an enterprise user its own enterprise's needs only."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability

from ..access import get_reached, reach
from ..models import Enterprise, Need, NeedKind, NeedStatus
from .taskforces import SEARCH_MAX, valid_pk

VIEW = Capability.ENTERPRISES_VIEW


@dataclass(frozen=True)
class NeedFilters:
    kind: str = ""
    status: str = ""  # a NeedStatus, "unresolved", or "" for all
    owner: int | None = None
    enterprise: int | None = None
    q: str = ""


def need_list(*, actor: Actor, filters: NeedFilters | None = None) -> QuerySet[Need]:
    """Needs the actor reaches: open first, then being solved, then resolved; newest first
    within each. Each carries `rank` (0, 1, 2)."""
    f = filters or NeedFilters()
    qs = reach(Need.objects.select_related("enterprise", "owner", "raised_by"), actor, VIEW)
    if f.kind:
        qs = qs.filter(kind=f.kind) if f.kind in NeedKind.values else qs.none()
    if f.status == "unresolved":
        qs = qs.exclude(status=NeedStatus.RESOLVED)
    elif f.status:
        qs = qs.filter(status=f.status) if f.status in NeedStatus.values else qs.none()
    if f.owner is not None:
        qs = qs.filter(owner_id=f.owner)
    if f.enterprise is not None:
        qs = qs.filter(enterprise_id=f.enterprise)
    q = " ".join(f.q.split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(description__icontains=q))
    return qs.annotate(
        rank=Case(
            When(status=NeedStatus.OPEN, then=Value(0)),
            When(status=NeedStatus.IN_PROGRESS, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "-raised_at", "-id")


def need_get(*, actor: Actor, pk: int) -> Need:
    """One need the actor reaches, else 404."""
    return get_reached(
        Need.objects.select_related("enterprise", "owner", "raised_by"),
        actor,
        VIEW,
        pk=valid_pk(pk),
    )


def enterprise_for_need(*, actor: Actor, pk: int) -> Enterprise:
    """An enterprise whose needs the actor reaches (staff by grid, a user its own)."""
    return get_reached(Enterprise.objects.all(), actor, VIEW, enterprise_field="", pk=valid_pk(pk))


def enterprise_choices(*, actor: Actor) -> QuerySet[Enterprise]:
    """Enterprises the actor reaches, by name (for a form's select)."""
    return reach(Enterprise.objects.all(), actor, VIEW, enterprise_field="").order_by("name", "id")
