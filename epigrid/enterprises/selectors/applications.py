"""Reads of applications and their materials, each within the actor's reach
(enterprises.access): staff by the jurisdiction scope of ENTERPRISES_VIEW, an enterprise user
its own enterprise only; anything else is a 404.

Also the application's clock against the answer rule (`application_clock`), which the
review part shows in its queue too.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.geo.models import Jurisdiction, within_q
from epigrid.policy.calendar import HORIZON_DAYS, is_workday, overrides, workdays_between
from epigrid.policy.selectors import policy_value

from ..access import get_reached, reach
from ..models import (
    PENDING,
    Action,
    Application,
    ApplicationEvent,
    Employee,
    Enterprise,
    Material,
    Status,
)

VIEW = Capability.ENTERPRISES_VIEW


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    within: str = ""  # a jurisdiction path (a grid or any node above)
    enterprise: int | None = None
    q: str = ""


def application_list(*, actor: Actor, filters: ApplicationFilters) -> QuerySet[Application]:
    """Applications the actor reaches, filtered; newest first by id (keyset-friendly)."""
    qs = reach(Application.objects.all(), actor, VIEW).select_related(
        "enterprise", "enterprise__jurisdiction"
    )
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.within:
        qs = qs.filter(within_q(filters.within, "jpath"))
    if filters.enterprise:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.q:
        qs = qs.filter(
            Q(enterprise__name__icontains=filters.q) | Q(enterprise__uscc__istartswith=filters.q)
        )
    return qs


def application_get(*, actor: Actor, pk: Any) -> Application:
    """One application the actor reaches, with its enterprise; 404 otherwise."""
    return get_reached(
        Application.objects.select_related("enterprise", "enterprise__jurisdiction"),
        actor,
        VIEW,
        pk=pk,
    )


def enterprise_for_application(*, actor: Actor, pk: Any = None) -> Enterprise:
    """The enterprise an application is made for: an enterprise user's own; for staff the
    enterprise `pk` within its ENTERPRISES_VIEW scope (the service checks the write)."""
    return get_reached(Enterprise.objects.all(), actor, VIEW, enterprise_field="", pk=pk)


def own_enterprise(*, actor: Actor) -> Enterprise | None:
    """An enterprise user's enterprise (None for anyone else)."""
    return (
        reach(Enterprise.objects.all(), actor, None, enterprise_field="")
        .select_related("jurisdiction")
        .first()
    )


def filter_nodes(*, actor: Actor) -> list[Jurisdiction]:
    """Villages and grids under the actor's view scope, for the list's grid filter."""
    paths = actor.paths(VIEW)
    if not paths:
        return []
    condition = Q()
    for path in paths:
        condition |= within_q(path, "path")
    return list(Jurisdiction.objects.filter(condition).exclude(kind="city").order_by("path")[:300])


def application_checklist(application: Application, on_day: dt.date) -> list[dict]:
    """The checklist the application is judged under: the one kept when it was submitted,
    or for a draft (not yet submitted) the policy in force on `on_day`."""
    if application.status == Status.DRAFT or not application.checklist:
        return list(policy_value("resumption_checklist", on_day))
    return list(application.checklist)


def current_materials(application: Application) -> list[Material]:
    """The application's current (not replaced, not removed) materials, oldest first."""
    return list(
        Material.objects.filter(application=application, removed_at__isnull=True).order_by(
            "uploaded_at", "id"
        )
    )


def application_materials(
    application: Application, *, include_removed: bool = False
) -> list[Material]:
    """The application's materials, oldest first: current ones, or with `include_removed`
    also those replaced or removed (the history)."""
    qs = Material.objects.filter(application=application)
    if not include_removed:
        qs = qs.filter(removed_at__isnull=True)
    return list(qs.order_by("uploaded_at", "id"))


def material_get(*, actor: Actor, pk: Any) -> Material:
    """One material whose application the actor reaches; 404 otherwise."""
    return get_reached(
        Material.objects.select_related("application"),
        actor,
        VIEW,
        enterprise_field="application__enterprise",
        pk=pk,
    )


def active_roster(enterprise_id: int, day: dt.date) -> QuerySet[Employee]:
    return Employee.objects.filter(Employee.active_on_q(day), enterprise_id=enterprise_id)


def roster_counts(enterprise_id: int, day: dt.date) -> tuple[int, int]:
    """(employees on the roster, of them from epidemic source areas) on `day`."""
    rows = active_roster(enterprise_id, day)
    return rows.count(), rows.filter(from_risk_area=True).count()


def application_events(application: Application) -> list[ApplicationEvent]:
    return list(
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("at", "id")
    )


def last_return_at(application: Application) -> dt.datetime | None:
    return (
        ApplicationEvent.objects.filter(application=application, action=Action.RETURN)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )


def missing_codes(application: Application) -> list[str]:
    """The codes of the latest return's missing items (stored as codes or {"code": ...})."""
    codes = []
    for item in application.missing_items or []:
        code = item.get("code") if isinstance(item, dict) else item
        if isinstance(code, str) and code:
            codes.append(code)
    return codes


def calendar_overrides(now: dt.datetime | None = None) -> dict[dt.date, bool]:
    """The local working-calendar changes a clock may need from today on: load them once
    for a list and pass them to `application_clock`, so a page of clocks costs one query."""
    today = timezone.localdate(now or timezone.now())
    return overrides(today, today + dt.timedelta(days=HORIZON_DAYS))


def _workdays_after(start: dt.date, end: dt.date, local: dict[dt.date, bool] | None) -> int:
    if local is None:
        return workdays_between(start, end)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_workday(day, local)
    return count


def application_clock(
    application: Application,
    now: dt.datetime | None = None,
    local: dict[dt.date, bool] | None = None,
) -> dict | None:
    """Where a pending application stands against the answer rule: due_at, overdue,
    workdays_left (working days after today up to the due day; 0 on the due day) and a
    short text; None when the desk owes no answer (draft, returned, decided, withdrawn).
    `local`: calendar_overrides() loaded once for a list (else one query per clock)."""
    if application.status not in PENDING or application.due_at is None:
        return None
    now = now or timezone.now()
    due_at = application.due_at
    if now >= due_at:
        hours = max(1, math.floor((now - due_at).total_seconds() / 3600))
        if hours < 48:
            text = ngettext("Overdue by %(n)d hour", "Overdue by %(n)d hours", hours) % {"n": hours}
        else:
            # Past two days, hours are noise: the desk reads days.
            days = hours // 24
            text = ngettext("Overdue by %(n)d day", "Overdue by %(n)d days", days) % {"n": days}
        return {"due_at": due_at, "overdue": True, "workdays_left": 0, "text": text}
    # due_at is the midnight that ends the last working day of the window.
    last_day = timezone.localtime(due_at - dt.timedelta(microseconds=1)).date()
    left = _workdays_after(timezone.localdate(now), last_day, local)
    if left == 0:
        text = _("Due today")
    else:
        text = ngettext("%(n)d working day left", "%(n)d working days left", left) % {"n": left}
    return {"due_at": due_at, "overdue": False, "workdays_left": left, "text": text}
