import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.writes import clean_text
from epigrid.geo.models import Jurisdiction

from .models import PolicySetting, WorkdayOverride
from .registry import KEYS


@transaction.atomic
def policy_set(
    *, actor: Actor, key: str, value: Any, active_from: dt.date, note: str = ""
) -> PolicySetting:
    """Puts a new value of `key` in force from `active_from` (history kept). Policy holds for
    the whole deployment, so only headquarters over the top of the tree may set it."""
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
    jpath = root.path if root else ""
    require_can(actor, Capability.POLICY_MANAGE, jpath)
    spec = KEYS.get(key)
    if spec is None:
        raise ValidationError({"key": _("Unknown setting.")})
    if spec.clean is not None:
        try:
            value = spec.clean(value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from exc
    elif isinstance(spec.default, int | float) and not isinstance(spec.default, bool):
        if isinstance(value, bool):
            raise ValidationError({"value": _("Enter a number.")})
        try:
            value = type(spec.default)(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"value": _("Enter a number.")}) from exc
        if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
            raise ValidationError({"value": _("Enter a number.")})
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise ValidationError(
                {
                    "value": _("Between %(lo)s and %(hi)s.")
                    % {"lo": spec.minimum, "hi": spec.maximum}
                }
            )
    row, _created = PolicySetting.objects.update_or_create(
        key=key,
        active_from=active_from,
        defaults={"value": value, "note": note[:200], "created_by": actor.user},
    )
    audit_record(
        actor=actor,
        action="policy.set",
        obj=row,
        jpath=jpath,
        after={"key": key, "value": value, "active_from": active_from.isoformat()},
    )
    return row


def _calendar_root(actor: Actor) -> str:
    """The working calendar holds for the whole deployment, like policy: headquarters over
    the top of the tree edit it."""
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
    jpath = root.path if root else ""
    require_can(actor, Capability.POLICY_MANAGE, jpath)
    return jpath


@transaction.atomic
def workday_override_set(
    *, actor: Actor, day: dt.date, workday: bool, note: str
) -> WorkdayOverride:
    """Makes `day` a working day or a holiday by a local decision (replacing an earlier
    change of that day); audited. Refuses a change that would change nothing in the years
    the national calendar knows."""
    from .calendar import library_years, national_workday

    jpath = _calendar_root(actor)
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationError({"day": _("Enter a valid date.")})
    note = clean_text(note, "note", 200)
    first, last = library_years()
    existing = WorkdayOverride.objects.select_for_update().filter(day=day).first()
    if existing is None and first <= day.year <= last and national_workday(day) == workday:
        raise ValidationError(
            {
                "workday": _("The national calendar already makes this day a working day.")
                if workday
                else _("The national calendar already makes this day a holiday.")
            }
        )
    before = {"workday": existing.workday, "note": existing.note} if existing is not None else None
    if existing is None:
        row = WorkdayOverride.objects.create(
            day=day, workday=bool(workday), note=note, created_by=actor.user
        )
    else:
        existing.workday, existing.note, existing.created_by = bool(workday), note, actor.user
        existing.save(update_fields=["workday", "note", "created_by"])
        row = existing
    audit_record(
        actor=actor,
        action="calendar.override_set",
        obj=row,
        jpath=jpath,
        before=before,
        after={"day": day.isoformat(), "workday": bool(workday), "note": note},
    )
    return row


@transaction.atomic
def workday_override_remove(*, actor: Actor, day: dt.date) -> None:
    """Removes the local change of `day` (the national calendar applies again); audited."""
    jpath = _calendar_root(actor)
    row = WorkdayOverride.objects.select_for_update().filter(day=day).first()
    if row is None:
        raise ValidationError({"day": _("There is no local change on this day.")})
    before = {"day": day.isoformat(), "workday": row.workday, "note": row.note}
    audit_record(
        actor=actor,
        action="calendar.override_remove",
        obj=row,
        jpath=jpath,
        before=before,
    )
    row.delete()
