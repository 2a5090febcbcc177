"""Who reaches which enterprise's rows.

Staff (desk, task forces, secretaries, headquarters) reach rows by the jurisdiction scope of
the capability, like everywhere else. An enterprise user holds ENTERPRISE_SELF and reaches
the rows of its own enterprise (EnterpriseMember) and nothing else: not by grid, not by
guessing ids. Anything outside the actor's reach is a 404, so no URL tells an enterprise
that another one's application or file exists.

Every selector and service of this app goes through `reach` / `get_reached` /
`require_reach`; rows name their enterprise through `enterprise_field` ("enterprise" for
most, "" for Enterprise itself).
"""

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability, Role
from epigrid.geo.models import within_q

M = TypeVar("M", bound=Model)


def own_enterprise_id(actor: Actor) -> int | None:
    """The enterprise an enterprise user acts for (None for anyone else)."""
    if actor.user is None or actor.system or not actor.has(Capability.ENTERPRISE_SELF):
        return None
    from .models import EnterpriseMember

    return (
        EnterpriseMember.objects.filter(user_id=actor.user.pk)
        .values_list("enterprise_id", flat=True)
        .first()
    )


def _condition(
    actor: Actor, capability: Capability | None, enterprise_field: str, self_ok: bool
) -> Q | None:
    """The filter for the rows the actor reaches, or None when it reaches none."""
    condition = Q()
    reached = False
    if capability is not None:
        prefix = f"{enterprise_field}__" if enterprise_field else ""
        for path in actor.paths(capability):
            condition |= within_q(path, f"{prefix}jpath" if enterprise_field else "jpath")
            reached = True
    if self_ok:
        own = own_enterprise_id(actor)
        if own is not None:
            condition |= Q(**{f"{enterprise_field}_id" if enterprise_field else "pk": own})
            reached = True
    return condition if reached else None


def reach(
    queryset: QuerySet[M],
    actor: Actor,
    capability: Capability | None,
    *,
    enterprise_field: str = "enterprise",
    self_ok: bool = True,
) -> QuerySet[M]:
    """Rows in the subtrees where the actor holds `capability` (pass None for "enterprise
    users only"), plus, when `self_ok`, its own enterprise's rows for an enterprise user."""
    if actor.system:
        return queryset
    condition = _condition(actor, capability, enterprise_field, self_ok)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def get_reached(
    queryset: QuerySet[M],
    actor: Actor,
    capability: Capability | None,
    *,
    enterprise_field: str = "enterprise",
    self_ok: bool = True,
    **lookup,
) -> M:
    """The row, or 404 when it does not exist or lies outside the actor's reach."""
    try:
        return reach(
            queryset, actor, capability, enterprise_field=enterprise_field, self_ok=self_ok
        ).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def is_own(actor: Actor, enterprise_id: int) -> bool:
    return enterprise_id is not None and own_enterprise_id(actor) == enterprise_id


def require_reach(
    actor: Actor,
    capability: Capability | None,
    *,
    enterprise_id: int,
    path: str,
    self_ok: bool = True,
) -> None:
    """For writes on an enterprise's rows: allowed when the actor holds `capability` over
    `path`, or (when `self_ok`) it is the actor's own enterprise. Otherwise 404 when the
    actor does not see the row at all, 403 when staff see it but may not do this. An
    enterprise user never gets a 403 for another enterprise: for it, that one does not
    exist."""
    if actor.system:
        return
    if capability is not None and actor.can(capability, path):
        return
    if self_ok and is_own(actor, enterprise_id):
        return
    if is_own(actor, enterprise_id):
        raise PermissionDenied
    staff_sees = any(path.startswith(g.path) for g in actor.grants if g.role != Role.ENTERPRISE)
    if staff_sees:
        raise PermissionDenied
    raise Http404
