"""Writes of an enterprise's staff roster: add, edit and end an employee, and re-derive the
"from an epidemic source area" flag.

Rules decided here (tests/enterprises/test_reg_employees.py):
- Who acts. The enterprise user for its own enterprise, or staff with ENTERPRISES_MANAGE
  over it. Each employee is a person of the registry (one person, one record): found by
  exact document number wherever the record lives, else registered in the enterprise's
  grid. The enterprise user holds no registry capability, and the person's record may
  live in another grid, so the registry writes (register, arrival) run with the system's
  trust in the actor's name (`on_behalf`, as checkpoints' fever does): the audit trail
  says whose roster entry caused them, and nothing of a found record is shown back
  beyond what the actor typed.
- A document number is required and validated as the register validates it (resident ID
  check character, date and region; DOMAIN.md).
- A return from elsewhere (`returned_on` with where from, `origin` and optionally its region
  code `origin_code`) is recorded as a registry Arrival so the registry knows it.
- `from_risk_area` is derived from the person's arrivals: true when any arrival within
  the observation window (policy `observation_days`, counted back from today) touched an
  epidemic source area (Arrival.touches_risk_area). `employees_risk_refresh` re-derives
  it when risk areas change.
- The same person is on one enterprise's roster once at a time.
"""

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text
from epigrid.policy.selectors import policy_value
from epigrid.registry.models import Arrival, Person
from epigrid.registry.services import PersonInput, person_register
from epigrid.registry.services.arrivals import arrival_record
from epigrid.registry.services.persons import clean_person, find_by_document

from ..access import require_reach
from ..models import Employee, Enterprise, Health
from .members import on_behalf

CODE_RE = re.compile(r"^\d{2,12}$")
EDITABLE = ("job", "origin", "origin_code", "returned_on", "whereabouts", "health")


def require_roster(actor: Actor, enterprise: Enterprise) -> None:
    """The enterprise user of this enterprise, or staff managing it (else 404/403)."""
    require_reach(
        actor, Capability.ENTERPRISES_MANAGE, enterprise_id=enterprise.pk, path=enterprise.jpath
    )


def _collect(errors: dict[str, list[str]], exc: ValidationError) -> None:
    for key, messages in exc.message_dict.items():
        errors.setdefault(key, []).extend(messages)


def _date(value: Any, field: str, today: dt.date) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError({field: _("Enter a valid date (YYYY-MM-DD).")}) from exc
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({field: _("Enter a valid date (YYYY-MM-DD).")})
    if value > today:
        raise ValidationError({field: _("This date cannot be in the future.")})
    return value


def _clean_details(values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """The roster fields given, cleaned; all refusals at once."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        try:
            if field in ("job",):
                cleaned[field] = clean_text(value, field, 50, required=False)
            elif field == "origin":
                cleaned[field] = clean_text(value, field, 100, required=False)
            elif field == "whereabouts":
                cleaned[field] = clean_text(value, field, 200, required=False)
            elif field == "origin_code":
                code = "".join(str(value or "").split())
                if code and not CODE_RE.match(code):
                    raise ValidationError({field: _("A region code is 2 to 12 digits.")})
                cleaned[field] = code
            elif field == "returned_on":
                cleaned[field] = _date(value, field, today)
            elif field == "health":
                if value not in Health.values:
                    raise ValidationError({field: _("Choose one of the allowed values.")})
                cleaned[field] = str(value)
        except ValidationError as exc:
            _collect(errors, exc)
    if cleaned.get("returned_on") and not cleaned.get("origin"):
        errors.setdefault("origin", []).append(_("Say where the employee returned from."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def risky_person_ids(person_ids: list[int], today: dt.date) -> set[int]:
    """Of `person_ids`, those with an arrival within the observation window that touched an
    epidemic source area."""
    if not person_ids:
        return set()
    since = today - dt.timedelta(days=int(policy_value("observation_days", today)))
    return set(
        Arrival.objects.filter(
            person_id__in=person_ids,
            touches_risk_area=True,
            arrived_on__gte=since,
            arrived_on__lte=today,
        ).values_list("person_id", flat=True)
    )


def _record_return(trusted: Actor, person: Person, fields: dict[str, Any], today: dt.date):
    if fields.get("returned_on") and fields.get("origin"):
        arrival_record(
            actor=trusted,
            person=person,
            arrived_on=fields["returned_on"],
            from_place=fields["origin"],
            from_code=fields.get("origin_code", ""),
            recorded_on=today,
        )


def _find_or_register(trusted: Actor, enterprise: Enterprise, data: PersonInput) -> Person:
    fields = clean_person(data)
    found = find_by_document(fields["doc_type"], fields["doc_number"], lock=True)
    if found is not None:
        return found
    return person_register(actor=trusted, jurisdiction=enterprise.jurisdiction, data=data)


@transaction.atomic
def employee_add(
    *,
    actor: Actor,
    enterprise: Enterprise,
    name: str,
    doc_type: str,
    doc_number: str,
    phone: str = "",
    job: str = "",
    origin: str = "",
    origin_code: str = "",
    returned_on: Any = None,
    whereabouts: str = "",
    health: str = Health.HEALTHY,
) -> Employee:
    """Puts a person on the enterprise's roster (found by document number or registered in
    the enterprise's grid), records their return as a registry arrival and derives the
    source-area flag. Audited "employee.create"."""
    require_roster(actor, enterprise)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    data = PersonInput(name=name, doc_type=doc_type, doc_number=doc_number, phone=phone)
    if not (doc_number or "").strip():
        errors["doc_number"] = [_("This field is required.")]
    try:
        clean_person(data, today=today)
    except ValidationError as exc:
        _collect(errors, exc)
    details: dict[str, Any] = {}
    try:
        details = _clean_details(
            {
                "job": job,
                "origin": origin,
                "origin_code": origin_code,
                "returned_on": returned_on,
                "whereabouts": whereabouts,
                "health": health,
            },
            today,
        )
    except ValidationError as exc:
        _collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    trusted = on_behalf(actor)
    person = _find_or_register(trusted, enterprise, data)
    if Employee.objects.filter(
        enterprise=enterprise, person=person, active_until__isnull=True
    ).exists():
        raise ValidationError({"doc_number": _("This person is already on the roster.")})
    _record_return(trusted, person, details, today)
    try:
        with transaction.atomic():
            employee = Employee.objects.create(
                enterprise=enterprise,
                person=person,
                jpath=enterprise.jpath,
                active_from=today,
                from_risk_area=person.pk in risky_person_ids([person.pk], today),
                **details,
            )
    except IntegrityError as exc:  # added a moment ago by someone else
        raise ValidationError({"doc_number": _("This person is already on the roster.")}) from exc
    audit_record(
        actor=actor,
        action="employee.create",
        obj=employee,
        jpath=employee.jpath,
        after=snapshot(employee),
    )
    return employee


@transaction.atomic
def employee_update(*, actor: Actor, employee: Employee, **changes: Any) -> Employee:
    """Changes the roster details given (job, origin, return, whereabouts, health); a new
    return is recorded as an arrival and the flag derived again. Audited
    "employee.update"."""
    require_roster(actor, employee.enterprise)
    if employee.active_until is not None:
        raise ValidationError({"employee": _("This employee has left; the entry is history.")})
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError({unknown[0]: _("This field cannot be changed here.")})
    today = timezone.localdate()
    merged = {f: getattr(employee, f) for f in EDITABLE} | changes
    fields = _clean_details(merged, today)
    fields = {k: v for k, v in fields.items() if k in changes}
    before = snapshot(employee)
    if {"returned_on", "origin", "origin_code"} & set(changes):
        full = {f: getattr(employee, f) for f in ("returned_on", "origin", "origin_code")}
        _record_return(on_behalf(actor), employee.person, full | fields, today)
    for key, value in fields.items():
        setattr(employee, key, value)
    employee.from_risk_area = employee.person_id in risky_person_ids([employee.person_id], today)
    employee.save(update_fields=[*fields, "from_risk_area"])
    audit_record(
        actor=actor,
        action="employee.update",
        obj=employee,
        jpath=employee.jpath,
        before=before,
        after=snapshot(employee),
    )
    return employee


@transaction.atomic
def employee_end(*, actor: Actor, employee: Employee, on: dt.date | None = None) -> Employee:
    """Takes an employee off the roster from `on` (the first day no longer employed;
    default today, or tomorrow for one added today). History is kept. Audited
    "employee.end"."""
    require_roster(actor, employee.enterprise)
    if employee.active_until is not None:
        raise ValidationError({"on": _("This employee has already left.")})
    today = timezone.localdate()
    if on is None:
        on = max(today, employee.active_from + dt.timedelta(days=1))
    if on <= employee.active_from:
        raise ValidationError({"on": _("The end date must be after the start date.")})
    if on > today + dt.timedelta(days=1):
        raise ValidationError({"on": _("This date cannot be in the future.")})
    before = snapshot(employee)
    Employee.objects.filter(pk=employee.pk).update(active_until=on)
    employee.active_until = on
    audit_record(
        actor=actor,
        action="employee.end",
        obj=employee,
        jpath=employee.jpath,
        before=before,
        after=snapshot(employee),
    )
    return employee


def current_employees(enterprise: Enterprise | None = None) -> QuerySet[Employee]:
    qs = Employee.objects.filter(active_until__isnull=True)
    return qs if enterprise is None else qs.filter(enterprise=enterprise)


@transaction.atomic
def employees_risk_refresh(*, enterprise: Enterprise | None = None) -> int:
    """Re-derives `from_risk_area` of current employees (of one enterprise, or all) from
    their arrivals, for when risk areas or arrivals change. Two updates whatever the
    number of rows; idempotent. Returns the number of rows whose flag changed."""
    today = timezone.localdate()
    staff = current_employees(enterprise)
    person_ids = list(staff.values_list("person_id", flat=True).distinct())
    risky = risky_person_ids(person_ids, today)
    raised = staff.filter(person_id__in=risky, from_risk_area=False).update(from_risk_area=True)
    lowered = (
        staff.exclude(person_id__in=risky).filter(from_risk_area=True).update(from_risk_area=False)
    )
    return raised + lowered
