"""Reads of the enterprise register, scoped by enterprises.access: the list with its search
and filters, one enterprise, its user accounts, and the grids forms offer."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.geo.models import Jurisdiction, Kind, path_of, within_q

from ..access import get_reached, own_enterprise_id, reach
from ..models import Application, Enterprise, EnterpriseMember, Industry, Size

SEARCH_MAX = 50
BIGINT = 2**63


def valid_pk(pk: object) -> int:
    """A row id as the database can hold it; anything else is a 404, as for a miss."""
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < BIGINT:
        raise Http404
    return pk


@dataclass(frozen=True)
class EnterpriseFilters:
    """`q`: part of the name, or the start of the credit code; `within`: a jurisdiction
    code (its subtree); `approved`: "yes" / "no" / "" (approved to reopen or not)."""

    q: str = ""
    within: str = ""
    industry: str = ""
    size: str = ""
    approved: str = ""

    @classmethod
    def of(cls, value: "EnterpriseFilters | Mapping[str, Any] | None") -> "EnterpriseFilters":
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        assert isinstance(value, Mapping)
        return cls(**{k: v for k, v in value.items() if k in cls.__dataclass_fields__})


def enterprise_list(
    *,
    actor: Actor,
    filters: EnterpriseFilters | Mapping[str, Any] | None = None,
    capability: Capability = Capability.ENTERPRISES_VIEW,
) -> QuerySet[Enterprise]:
    """Enterprises the actor reaches (staff by scope, an enterprise user its own) matching
    `filters`, with their grid."""
    f = EnterpriseFilters.of(filters)
    qs = reach(
        Enterprise.objects.select_related("jurisdiction"), actor, capability, enterprise_field=""
    )
    q = " ".join((f.q or "").split())[:SEARCH_MAX]
    if q:
        code = q.replace(" ", "").upper()
        if code.isalnum() and code.isascii() and len(code) >= 2:
            qs = qs.filter(Q(name__icontains=q) | Q(uscc__startswith=code))
        else:
            qs = qs.filter(name__icontains=q)
    if f.within:
        qs = qs.filter(within_q(path_of(f.within.strip()[:64])))
    if f.industry:
        qs = qs.filter(industry=f.industry) if f.industry in Industry.values else qs.none()
    if f.size:
        qs = qs.filter(size=f.size) if f.size in Size.values else qs.none()
    if f.approved == "yes":
        qs = qs.filter(approved_on__isnull=False)
    elif f.approved == "no":
        qs = qs.filter(approved_on__isnull=True)
    return qs


def enterprise_get(
    *, actor: Actor, pk: Any, capability: Capability = Capability.ENTERPRISES_VIEW
) -> Enterprise:
    """One enterprise the actor reaches, else 404 (unknown and hidden answer alike)."""
    return get_reached(
        Enterprise.objects.select_related("jurisdiction"),
        actor,
        capability,
        enterprise_field="",
        pk=valid_pk(pk),
    )


def own_enterprise(*, actor: Actor) -> Enterprise:
    """The enterprise an enterprise user acts for, else 404 (staff have none)."""
    pk = own_enterprise_id(actor)
    if pk is None:
        raise Http404
    return Enterprise.objects.select_related("jurisdiction").get(pk=pk)


def member_list(*, enterprise: Enterprise) -> list[EnterpriseMember]:
    """The enterprise's user accounts, newest first (the caller reached `enterprise`)."""
    return list(
        EnterpriseMember.objects.filter(enterprise=enterprise)
        .select_related("user")
        .order_by("-created_at", "-id")
    )


def member_get(*, actor: Actor, enterprise: Enterprise, pk: Any) -> EnterpriseMember:
    """One account of `enterprise` (reached by the caller), else 404."""
    return get_reached(
        EnterpriseMember.objects.select_related("user", "enterprise"),
        actor,
        Capability.ENTERPRISES_MANAGE,
        self_ok=False,
        pk=valid_pk(pk),
        enterprise=enterprise,
    )


def grid_choices(*, actor: Actor, limit: int = 500) -> list[Jurisdiction]:
    """Current small grids where the actor may register enterprises, in tree order."""
    qs = scope(
        Jurisdiction.objects.filter(kind=Kind.SMALL_GRID, active_until__isnull=True),
        actor,
        Capability.ENTERPRISES_MANAGE,
        field="path",
    )
    return list(qs.order_by("path")[:limit])


def grid_get(*, actor: Actor, code: str) -> Jurisdiction:
    """A current small grid where the actor may register enterprises, else 404."""
    return get_for_actor(
        Jurisdiction.objects.filter(kind=Kind.SMALL_GRID, active_until__isnull=True),
        actor,
        Capability.ENTERPRISES_MANAGE,
        field="path",
        code=(code or "").strip()[:64],
    )


def filter_nodes(*, actor: Actor, limit: int = 300) -> list[Jurisdiction]:
    """Nodes a list may be narrowed to: villages, big and small grids in the actor's scope."""
    kinds = [Kind.VILLAGE, Kind.COMMUNITY, Kind.BIG_GRID, Kind.SMALL_GRID]
    qs = scope(
        Jurisdiction.objects.filter(kind__in=kinds, active_until__isnull=True),
        actor,
        Capability.ENTERPRISES_VIEW,
        field="path",
    )
    return list(qs.order_by("path")[:limit])


def latest_application(*, enterprise: Enterprise) -> Application | None:
    """The enterprise's open application, else its latest one (the caller reached
    `enterprise`)."""
    return (
        Application.objects.filter(enterprise=enterprise)
        .only("id", "status", "planned_on", "submitted_at", "due_at", "decided_at", "enterprise")
        .order_by("-id")
        .first()
    )
