"""Reads of task forces, scoped to the actor (ENTERPRISES_VIEW by the task force's area):
the list with its counts in constant queries (a member's own task forces first), one task
force, its enterprises in the order members work through them, and the staff a form may
choose as leader or members."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import Actor
from epigrid.accounts.models import RoleAssignment, User
from epigrid.accounts.roles import Capability, Role
from epigrid.geo.models import Jurisdiction, within_q

from ..access import get_reached, reach
from ..models import Enterprise, Inspection, Rectification, TaskForce

VIEW = Capability.ENTERPRISES_VIEW
SEARCH_MAX = 50
BIGINT = 2**63


def valid_pk(pk: object) -> int:
    """A row id as the database can hold it; anything else is a 404, as for a miss."""
    if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < BIGINT:
        raise Http404
    return pk


def count_of(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` as an annotation (one query for the whole list)."""
    counted = (
        queryset.order_by()
        .annotate(_one=Value(1))
        .values("_one")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _in_area() -> Q:
    return Q(jpath__startswith=OuterRef("jpath"))


@dataclass(frozen=True)
class TaskForceFilters:
    q: str = ""
    include_ended: bool = False


def task_force_list(
    *, actor: Actor, filters: TaskForceFilters | None = None
) -> QuerySet[TaskForce]:
    """Task forces whose area the actor sees, the ones it leads or belongs to first, with
    counts: approved enterprises, uninspected ones, inspections done, open rectifications."""
    f = filters or TaskForceFilters()
    qs = reach(
        TaskForce.objects.select_related("jurisdiction", "leader"),
        actor,
        VIEW,
        enterprise_field="",
        self_ok=False,
    )
    q = " ".join(f.q.split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(name__icontains=q)
    if not f.include_ended:
        qs = qs.filter(Q(active_until__isnull=True) | Q(active_until__gt=timezone.localdate()))
    user_id = actor.user.pk if actor.user is not None else None
    member = TaskForce.members.through.objects.filter(taskforce_id=OuterRef("pk"), user_id=user_id)
    approved = Enterprise.objects.filter(_in_area(), approved_on__isnull=False)
    return qs.annotate(
        mine=Case(
            When(Q(leader_id=user_id) | Exists(member), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        enterprise_count=count_of(approved),
        uninspected_count=count_of(approved.filter(last_inspected_on__isnull=True)),
        inspection_count=count_of(Inspection.objects.filter(task_force_id=OuterRef("pk"))),
        open_rectification_count=count_of(
            Rectification.objects.filter(_in_area(), closed_at__isnull=True)
        ),
    ).order_by("mine", "jpath", "name", "id")


def task_force_get(*, actor: Actor, pk: int) -> TaskForce:
    """One task force whose area the actor sees, with its members, else 404."""
    return get_reached(
        TaskForce.objects.select_related("jurisdiction", "leader").prefetch_related("members"),
        actor,
        VIEW,
        enterprise_field="",
        self_ok=False,
        pk=valid_pk(pk),
    )


def task_force_enterprises(
    *, task_force: TaskForce, q: str = "", today: dt.date | None = None
) -> QuerySet[Enterprise]:
    """The approved enterprises in the task force's area, in working order: uninspected
    first, then those with open rectifications (overdue first, earliest deadline first),
    then the rest by name. Each carries `open_rectifications`, `next_deadline`, `overdue`
    and `group` (0, 1, 2). The caller got `task_force` through task_force_get."""
    today = today or timezone.localdate()
    open_rows = Rectification.objects.filter(enterprise_id=OuterRef("pk"), closed_at__isnull=True)
    first_deadline = (
        open_rows.order_by().values("enterprise_id").annotate(d=Min("deadline")).values("d")
    )
    qs = Enterprise.objects.filter(within_q(task_force.jpath), approved_on__isnull=False)
    text = " ".join(q.split())[:SEARCH_MAX]
    if text:
        qs = qs.filter(name__icontains=text)
    return (
        qs.annotate(
            open_rectifications=count_of(open_rows),
            next_deadline=Subquery(first_deadline),
        )
        .annotate(
            group=Case(
                When(last_inspected_on__isnull=True, then=Value(0)),
                When(open_rectifications__gt=0, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            overdue=Case(
                When(next_deadline__lt=today, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("group", "-overdue", "next_deadline", "name", "id")
    )


def staff_choices(*, actor: Actor, capability: Capability = VIEW) -> QuerySet[User]:
    """Staff users (a non-enterprise role) assigned inside the actor's area or above it:
    those a form may name as a task force's leader or member, a liaison or an owner."""
    paths = actor.paths(capability)
    if not paths:
        return User.objects.none()
    around = Q()
    for path in paths:
        parts = path.rstrip(".").split(".")
        ancestors = [".".join(parts[:i]) + "." for i in range(1, len(parts))]
        around |= within_q(path) | Q(jpath__in=ancestors)
    assigned = RoleAssignment.objects.filter(around, active=True).exclude(role=Role.ENTERPRISE)
    return User.objects.filter(is_active=True, pk__in=assigned.values("user_id")).order_by(
        "username"
    )


def area_choices(*, actor: Actor) -> QuerySet[Jurisdiction]:
    """The subdistricts, villages and communities where the actor may set up a task force."""
    from ..services.taskforces import AREA_KINDS

    paths = actor.paths(Capability.ENTERPRISES_MANAGE)
    if not paths:
        return Jurisdiction.objects.none()
    condition = Q()
    for path in paths:
        condition |= within_q(path, "path")
    return Jurisdiction.objects.filter(
        condition, kind__in=AREA_KINDS, active_until__isnull=True
    ).order_by("path")
