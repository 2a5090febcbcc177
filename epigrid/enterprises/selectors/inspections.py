"""Reads of inspections and rectifications, scoped by enterprises.access: staff with
ENTERPRISES_VIEW by the enterprise's grid, an enterprise user its own enterprise's rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability

from ..access import get_reached, reach
from ..models import Enterprise, Inspection, Rectification
from .taskforces import SEARCH_MAX, valid_pk

VIEW = Capability.ENTERPRISES_VIEW
RECTIFICATION_STATES = ("open", "overdue", "closed")


def enterprise_for_inspection(*, actor: Actor, pk: int) -> Enterprise:
    """An enterprise the actor may inspect (INSPECTIONS_RECORD over its grid), else 404."""
    return get_reached(
        Enterprise.objects.select_related("jurisdiction"),
        actor,
        Capability.INSPECTIONS_RECORD,
        enterprise_field="",
        self_ok=False,
        pk=valid_pk(pk),
    )


@dataclass(frozen=True)
class InspectionFilters:
    enterprise: int | None = None
    task_force: int | None = None
    passed: bool | None = None
    q: str = ""


def inspection_list(
    *, actor: Actor, filters: InspectionFilters | None = None
) -> QuerySet[Inspection]:
    """Inspections the actor reaches, newest first (order by -id for keyset pages)."""
    f = filters or InspectionFilters()
    qs = reach(
        Inspection.objects.select_related("enterprise", "task_force", "inspector"), actor, VIEW
    )
    if f.enterprise is not None:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.task_force is not None:
        qs = qs.filter(task_force_id=f.task_force)
    if f.passed is not None:
        qs = qs.filter(passed=f.passed)
    q = " ".join(f.q.split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(enterprise__name__icontains=q)
    return qs


def inspection_get(*, actor: Actor, pk: int) -> Inspection:
    """One inspection the actor reaches, with its rectifications, else 404."""
    return get_reached(
        Inspection.objects.select_related("enterprise", "task_force", "inspector"),
        actor,
        VIEW,
        pk=valid_pk(pk),
    )


def inspection_rectifications(*, inspection: Inspection) -> tuple[list, list]:
    """What the inspection opened and what it closed (two queries)."""
    opened = list(inspection.rectifications.select_related("closed_by").order_by("id"))
    closed = list(Rectification.objects.filter(closed_by=inspection).order_by("id"))
    return opened, closed


@dataclass(frozen=True)
class RectificationFilters:
    state: str = ""  # "open", "overdue", "closed" or "" (all)
    enterprise: int | None = None
    item: str = ""
    q: str = ""


def rectification_list(
    *, actor: Actor, filters: RectificationFilters | None = None, today: dt.date | None = None
) -> QuerySet[Rectification]:
    """Rectifications the actor reaches: open first (earliest deadline first), then closed
    ones (latest closed first). Each carries `is_open` and `overdue` (0 or 1)."""
    f = filters or RectificationFilters()
    today = today or timezone.localdate()
    qs = reach(
        Rectification.objects.select_related("enterprise", "inspection", "closed_by"), actor, VIEW
    )
    if f.state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif f.state == "overdue":
        qs = qs.filter(closed_at__isnull=True, deadline__lt=today)
    elif f.state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    if f.enterprise is not None:
        qs = qs.filter(enterprise_id=f.enterprise)
    if f.item:
        qs = qs.filter(item=f.item[:40])
    q = " ".join(f.q.split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(enterprise__name__icontains=q)
    return qs.annotate(
        is_open=Case(When(closed_at__isnull=True, then=Value(1)), default=Value(0)),
        overdue=Case(
            When(closed_at__isnull=True, deadline__lt=today, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("-is_open", "deadline", "-closed_at", "id")
