"""Reads of enterprises' staff rosters and daily health reports, scoped by
enterprises.access (staff by ENTERPRISES_VIEW scope, an enterprise user its own), with
identity numbers and phones masked for roles without IDS_VIEW / CONTACTS_VIEW. An
enterprise user sees its own employees' numbers in full: they are its own staff."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.masking import mask_phone
from epigrid.registry.masking import mask_doc_number

from ..access import get_reached, is_own, reach
from ..models import Employee, Enterprise, HealthReport
from .enterprises import SEARCH_MAX, valid_pk


def employee_list(
    *,
    actor: Actor,
    enterprise: Enterprise,
    q: str = "",
    include_ended: bool = False,
    risk_only: bool = False,
) -> QuerySet[Employee]:
    """The roster of `enterprise` (reached by the caller) in the actor's reach, current
    ones unless `include_ended`; `q` matches the name, or the start of the document number
    or phone."""
    qs = reach(
        Employee.objects.filter(enterprise=enterprise).select_related("person"),
        actor,
        Capability.ENTERPRISES_VIEW,
    )
    if not include_ended:
        qs = qs.filter(active_until__isnull=True)
    if risk_only:
        qs = qs.filter(from_risk_area=True)
    text = " ".join((q or "").split())[:SEARCH_MAX]
    if text:
        compact = text.replace(" ", "").upper()
        qs = qs.filter(
            Q(person__name__icontains=text)
            | Q(person__doc_number__startswith=compact)
            | Q(person__phone__startswith=compact)
        )
    return qs


def employee_get(*, actor: Actor, pk: Any) -> Employee:
    """One employee (any enterprise) the actor reaches, else 404."""
    return get_reached(
        Employee.objects.select_related("person", "enterprise", "enterprise__jurisdiction"),
        actor,
        Capability.ENTERPRISES_VIEW,
        pk=valid_pk(pk),
    )


@dataclass(frozen=True)
class Shown:
    """What a list may show of an employee's identifiers."""

    doc_number: str
    phone: str


def annotate_shown(actor: Actor, employees: Iterable[Employee]) -> list[Employee]:
    """Sets `.shown` on each employee (for templates and schemas); no query per row."""
    rows = list(employees)
    own: dict[int, bool] = {}
    for e in rows:
        if e.enterprise_id not in own:
            own[e.enterprise_id] = is_own(actor, e.enterprise_id)
        person = e.person
        ids = own[e.enterprise_id] or actor.can(Capability.IDS_VIEW, e.jpath)
        contacts = own[e.enterprise_id] or actor.can(Capability.CONTACTS_VIEW, e.jpath)
        e.shown = Shown(  # type: ignore[attr-defined]
            doc_number=person.doc_number if ids else mask_doc_number(person.doc_number),
            phone=person.phone if contacts else mask_phone(person.phone),
        )
    return rows


@dataclass(frozen=True)
class RosterSummary:
    employees: int
    from_risk_areas: int
    reported_today: int


def roster_summary(*, enterprise: Enterprise, day: dt.date | None = None) -> RosterSummary:
    """Counts of the current roster of `enterprise` (reached by the caller) and how many
    reported their temperature on `day` (default today). Two queries."""
    day = day or timezone.localdate()
    counts = Employee.objects.filter(enterprise=enterprise, active_until__isnull=True).aggregate(
        total=Count("id"), risk=Count("id", filter=Q(from_risk_area=True))
    )
    reported = HealthReport.objects.filter(
        enterprise=enterprise, day=day, employee__active_until__isnull=True
    ).count()
    return RosterSummary(
        employees=counts["total"] or 0,
        from_risk_areas=counts["risk"] or 0,
        reported_today=reported,
    )


@dataclass
class HealthRow:
    employee: Employee
    report: HealthReport | None


def health_day(*, actor: Actor, enterprise: Enterprise, day: dt.date) -> list[HealthRow]:
    """Every employee of `enterprise` on the roster on `day` with that day's report (None
    when still missing), missing ones first, by name. Two queries."""
    staff = list(
        reach(
            Employee.objects.filter(enterprise=enterprise)
            .filter(Employee.active_on_q(day))
            .select_related("person"),
            actor,
            Capability.ENTERPRISES_VIEW,
        )
    )
    reports = {
        r.employee_id: r
        for r in HealthReport.objects.filter(enterprise=enterprise, day=day, employee__in=staff)
    }
    rows = [HealthRow(employee=e, report=reports.get(e.pk)) for e in staff]
    rows.sort(key=lambda r: (r.report is not None, r.employee.person.name, r.employee.pk))
    return rows


def health_report_list(
    *, actor: Actor, enterprise: Enterprise, day: dt.date
) -> QuerySet[HealthReport]:
    """The reports of `enterprise` on `day` in the actor's reach, with their employee."""
    return reach(
        HealthReport.objects.filter(enterprise=enterprise, day=day).select_related(
            "employee", "employee__person"
        ),
        actor,
        Capability.ENTERPRISES_VIEW,
    ).order_by("employee__person__name", "id")
