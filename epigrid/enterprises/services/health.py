"""Writes: employees' daily health reports after reopening.

Rules decided here (tests/enterprises/test_reg_health.py):
- The enterprise user (its own enterprise) or staff with ENTERPRISES_MANAGE report; each
  row names a current employee of that enterprise (another's employee is refused as
  unknown, so no id of another enterprise is confirmed).
- One report per employee per day: a second one for the same day replaces it in place
  (audited with before and after). Temperature 34.0–43.0 °C, the day not in the future.
- A fever is decided as the quarantine app decides it (quarantine.rules.is_fever under
  the `fever_threshold` / `fever_inclusive` policy in force that day). A fever sets the
  employee's health to "fever" and raises a quarantine alert (trigger enterprise_fever)
  in the enterprise's grid with the report as its origin, so a corrected report of the
  same day finds the same alert instead of raising a second. The alert is raised with
  the system's trust in the actor's name (enterprise users hold no ALERTS_MANAGE; the
  fever is a fact, what follows from it follows by rule, as at checkpoints).
- A report replaced by a normal temperature puts back to "healthy" an employee whom the
  replaced fever report had marked.
- All rows or none: any bad row refuses the whole save, by row.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text
from epigrid.policy.selectors import policy_snapshot
from epigrid.quarantine import rules as quarantine_rules
from epigrid.quarantine.models import Trigger
from epigrid.quarantine.services.external import alert_raise

from ..models import Employee, Enterprise, Health, HealthReport
from .employees import require_roster
from .members import on_behalf

LOW, HIGH = Decimal("34.0"), Decimal("43.0")
MAX_ROWS = 2000


def _temperature(value: Any) -> Decimal:
    if isinstance(value, bool) or value in (None, ""):
        raise ValidationError(_("Enter a temperature."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Enter a temperature.")) from exc
    if not number.is_finite() or not LOW <= number <= HIGH:
        raise ValidationError(_("Enter a temperature from 34.0 to 43.0 °C."))
    return number.quantize(Decimal("0.1"))


def _employee_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@transaction.atomic
def health_reports_record(
    *, actor: Actor, enterprise: Enterprise, day: dt.date, rows: list[dict[str, Any]]
) -> list[HealthReport]:
    """Records (or replaces) the day's temperature of each employee in `rows`
    ([{employee, temperature, symptoms}]); fevers mark the employee and raise one alert per
    report. Audited "health_report.create" / "health_report.update". Returns the reports."""
    require_roster(actor, enterprise)
    today = timezone.localdate()
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError({"day": _("Enter a valid date (YYYY-MM-DD).")})
    if day > today:
        raise ValidationError({"day": _("This date cannot be in the future.")})
    if not rows:
        raise ValidationError({"rows": _("Enter at least one temperature.")})
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": _("At most %(n)s rows at once.") % {"n": MAX_ROWS}})
    ids = [_employee_id(r.get("employee")) if isinstance(r, dict) else None for r in rows]
    staff = {
        e.pk: e
        for e in Employee.objects.filter(
            enterprise=enterprise, pk__in=[i for i in ids if i is not None]
        ).select_related("person")
    }
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[Employee, Decimal, str]] = []
    seen: set[int] = set()
    for n, (row, pk) in enumerate(zip(rows, ids, strict=True)):
        key = f"rows.{n}"
        employee = staff.get(pk) if pk is not None else None
        if employee is None or not employee.is_active_on(day):
            errors.setdefault(f"{key}.employee", []).append(
                _("No current employee of this enterprise with this id.")
            )
            continue
        if pk in seen:
            errors.setdefault(f"{key}.employee", []).append(
                _("This employee appears twice in one save.")
            )
            continue
        seen.add(employee.pk)
        try:
            temperature = _temperature(row.get("temperature"))
        except ValidationError as exc:
            errors.setdefault(f"{key}.temperature", []).extend(exc.messages)
            continue
        try:
            symptoms = clean_text(row.get("symptoms") or "", "symptoms", 200, required=False)
        except ValidationError as exc:
            errors.setdefault(f"{key}.symptoms", []).extend(exc.messages)
            continue
        cleaned.append((employee, temperature, symptoms))
    if errors:
        raise ValidationError(errors)

    policy = policy_snapshot(["fever_threshold", "fever_inclusive"], day)
    existing = {
        r.employee_id: r
        for r in HealthReport.objects.select_for_update().filter(
            employee_id__in=[e.pk for e, _t, _s in cleaned], day=day
        )
    }
    now = timezone.now()
    trusted = on_behalf(actor)
    reports = []
    for employee, temperature, symptoms in cleaned:
        fever = quarantine_rules.is_fever(policy, temperature)
        report = existing.get(employee.pk)
        values = {
            "temperature": temperature,
            "fever": fever,
            "symptoms": symptoms,
            "reported_at": now,
            "reported_by": actor.user,
        }
        if report is None:
            report = HealthReport.objects.create(
                employee=employee, enterprise=enterprise, jpath=enterprise.jpath, day=day, **values
            )
            audit_record(
                actor=actor,
                action="health_report.create",
                obj=report,
                jpath=report.jpath,
                after=snapshot(report),
            )
            was_fever = False
        else:
            before = snapshot(report)
            was_fever = report.fever
            for key, value in values.items():
                setattr(report, key, value)
            report.save(update_fields=list(values))
            audit_record(
                actor=actor,
                action="health_report.update",
                obj=report,
                jpath=report.jpath,
                before=before,
                after=snapshot(report),
            )
        if fever:
            if employee.health != Health.FEVER:
                Employee.objects.filter(pk=employee.pk).update(health=Health.FEVER)
                employee.health = Health.FEVER
            _raise_alert(trusted, enterprise, employee, report)
        elif was_fever and employee.health == Health.FEVER:
            Employee.objects.filter(pk=employee.pk).update(health=Health.HEALTHY)
            employee.health = Health.HEALTHY
        reports.append(report)
    return reports


def _raise_alert(
    trusted: Actor, enterprise: Enterprise, employee: Employee, report: HealthReport
) -> None:
    local = timezone.localtime(report.reported_at)
    raised_at = report.reported_at
    if report.day < local.date():  # a late report of an earlier day: the alert dates the day
        raised_at = timezone.make_aware(dt.datetime.combine(report.day, dt.time(12)))
    alert_raise(
        actor=trusted,
        person=employee.person,
        jurisdiction=enterprise.jurisdiction,
        trigger=Trigger.ENTERPRISE_FEVER,
        raised_at=raised_at,
        detail=f"{enterprise.name} {report.temperature}°C {report.day:%m-%d}",
        origin=f"enterprises:health:{report.pk}",
    )
