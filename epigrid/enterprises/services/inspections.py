"""Writes of inspections (检查) and their rectifications (整改).

An inspection answers every item of the inspection checklist in force on its day (policy
`inspection_checklist`, kept on the row): ok or not ok, and a not-ok item names a finding
and opens a Rectification with a deadline. The first inspection of an enterprise is kind
"first"; a later one is a re-inspection ("recheck"): it closes each open rectification
whose item is now ok and keeps open those still failing (a still-failing item does not open
a second rectification beside the open one). A rectification closes only this way.
INSPECTIONS_RECORD over the enterprise's grid; one transaction with its audit event."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text
from epigrid.policy.selectors import policy_value

from ..access import require_reach
from ..models import Enterprise, Inspection, InspectionKind, Rectification, TaskForce

FINDING_MAX = 500
NOTE_MAX = 2000
DEFAULT_DEADLINE_DAYS = 3


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        raise ValidationError({field: _("Enter a valid date (YYYY-MM-DD).")})
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError({field: _("Enter a valid date (YYYY-MM-DD).")}) from exc


def clean_results(
    checklist: list[dict[str, Any]], results: Any, inspected_on: dt.date
) -> dict[str, dict[str, Any]]:
    """Every checklist item answered ok/not ok; a not-ok one with a finding and a deadline
    (default three days on, not before the inspection). Keys of errors: "results.<code>"."""
    if not isinstance(results, dict):
        raise ValidationError({"results": _("Answer every item of the checklist.")})
    codes = [item["code"] for item in checklist]
    errors: dict[str, str] = {}
    unknown = sorted(str(k) for k in results if k not in codes)
    if unknown:
        errors["results"] = _("Not on the checklist: %(codes)s.") % {"codes": ", ".join(unknown)}
    clean: dict[str, dict[str, Any]] = {}
    for code in codes:
        field = f"results.{code}"
        answer = results.get(code)
        if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
            errors[field] = _("Answer this item: in order or not.")
            continue
        if answer["ok"]:
            clean[code] = {"ok": True, "note": ""}
            continue
        try:
            finding = clean_text(answer.get("finding"), field, FINDING_MAX)
            deadline = _date(answer.get("deadline"), field) or inspected_on + dt.timedelta(
                days=DEFAULT_DEADLINE_DAYS
            )
        except ValidationError as exc:
            message = " ".join(exc.messages)
            if message == _("This field is required."):
                message = _("Describe what is wrong (the finding).")
            errors[field] = message
            continue
        if deadline < inspected_on:
            errors[field] = _("The deadline cannot be before the inspection.")
            continue
        clean[code] = {"ok": False, "note": finding, "deadline": deadline.isoformat()}
    if errors:
        raise ValidationError(errors)
    return clean


def _task_force(task_force: TaskForce | None, enterprise: Enterprise, on: dt.date) -> None:
    if task_force is None:
        return
    if not enterprise.jpath.startswith(task_force.jpath):
        raise ValidationError(
            {"task_force": _("This enterprise lies outside the task force's area.")}
        )
    if not task_force.is_active_on(on):
        raise ValidationError({"task_force": _("This task force was not active on that day.")})


@transaction.atomic
def inspection_record(
    *,
    actor: Actor,
    enterprise: Enterprise,
    task_force: TaskForce | None = None,
    inspected_on: Any,
    results: Any,
    note: str = "",
) -> Inspection:
    """Records an inspection; opens rectifications for failing items and, on a
    re-inspection, closes the open ones now in order; sets Enterprise.last_inspected_on.
    Audited "inspection.record"."""
    require_reach(
        actor,
        Capability.INSPECTIONS_RECORD,
        enterprise_id=enterprise.pk,
        path=enterprise.jpath,
        self_ok=False,
    )
    day = _date(inspected_on, "inspected_on")
    if day is None:
        raise ValidationError({"inspected_on": _("This field is required.")})
    if day > timezone.localdate():
        raise ValidationError({"inspected_on": _("An inspection cannot be in the future.")})
    _task_force(task_force, enterprise, day)
    note = clean_text(note, "note", NOTE_MAX, required=False)
    checklist = list(policy_value("inspection_checklist", day))
    clean = clean_results(checklist, results, day)
    # Serialises inspections of one enterprise: two at once would both see it uninspected.
    locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    first = not Inspection.objects.filter(enterprise=locked).exists()
    inspection = Inspection.objects.create(
        enterprise=locked,
        task_force=task_force,
        jpath=locked.jpath,
        kind=InspectionKind.FIRST if first else InspectionKind.RECHECK,
        inspected_on=day,
        checklist=checklist,
        results={code: {"ok": r["ok"], "note": r["note"]} for code, r in clean.items()},
        passed=all(r["ok"] for r in clean.values()),
        note=note,
        inspector=actor.user,
    )
    open_rows = Rectification.objects.filter(enterprise=locked, closed_at__isnull=True)
    open_items = set(open_rows.values_list("item", flat=True))
    now_ok = [code for code, r in clean.items() if r["ok"]]
    closing = open_rows.filter(item__in=now_ok)
    closed = sorted(closing.values_list("item", flat=True))
    now = timezone.now()
    closing.update(closed_by=inspection, closed_at=now, updated_at=now, version=F("version") + 1)
    opened = [
        Rectification(
            enterprise=locked,
            inspection=inspection,
            jpath=locked.jpath,
            item=code,
            finding=r["note"],
            deadline=dt.date.fromisoformat(r["deadline"]),
        )
        for code, r in clean.items()
        if not r["ok"] and code not in open_items
    ]
    Rectification.objects.bulk_create(opened)
    if locked.last_inspected_on is None or locked.last_inspected_on < day:
        # A derived fact on the row, not an edit of the enterprise: no version bump, so an
        # editor of the register does not lose a save to an inspection.
        Enterprise.objects.filter(pk=locked.pk).update(last_inspected_on=day)
        enterprise.last_inspected_on = day
    after = snapshot(inspection)
    after.update(rectifications_opened=[r.item for r in opened], rectifications_closed=closed)
    audit_record(
        actor=actor, action="inspection.record", obj=inspection, jpath=inspection.jpath, after=after
    )
    return inspection
