"""Writes of the enterprise's side of an application: make a draft, edit it, submit it,
supplement it after a return, withdraw it.

The enterprise user acts for its own enterprise; the desk (APPLICATIONS_REVIEW) may act for
an enterprise in its scope (someone applying in person). State steps go through
services.transitions (version-checked, with an ApplicationEvent and an audit event); every
refusal raises before anything is written.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import clean_text, versioned_update
from epigrid.policy.calendar import answer_due
from epigrid.policy.selectors import policy_value

from ..access import require_reach
from ..models import Action, Application, Enterprise, Material, Status
from ..selectors.applications import (
    application_checklist,
    last_return_at,
    missing_codes,
    roster_counts,
)
from .transitions import refuse_transition, transition

PLAN_AHEAD_DAYS = 90
# Sane upper bounds for the stock of prevention supplies (a typo, not a warehouse).
BOUNDS = {
    "masks": 10_000_000,
    "thermometers": 100_000,
    "disinfectant_litres": 1_000_000,
    "sanitizer_bottles": 1_000_000,
}
NOTE_MAX = 2000
ISOLATION_NOTE_MAX = 200
EDITABLE = (Status.DRAFT, Status.RETURNED)
# The statuses of models.Application's "one open application" constraint.
OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.RETURNED)


def _number(value: Any, field: str) -> int:
    if isinstance(value, bool) or value is None or value == "":
        raise ValidationError({field: _("Enter a whole number.")})
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Enter a whole number.")}) from exc
    if not 0 <= number <= BOUNDS[field]:
        raise ValidationError(
            {field: _("Enter a number from 0 to %(max)d.") % {"max": BOUNDS[field]}}
        )
    return number


def _planned_on(value: Any, today: dt.date) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError({"planned_on": _("Enter a valid date (YYYY-MM-DD).")})
    if value < today:
        raise ValidationError(
            {"planned_on": _("The planned reopening date cannot be in the past.")}
        )
    if value > today + dt.timedelta(days=PLAN_AHEAD_DAYS):
        raise ValidationError(
            {
                "planned_on": _("Plan the reopening at most %(n)d days ahead.")
                % {"n": PLAN_AHEAD_DAYS}
            }
        )
    return value


def clean_fields(data: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Validates the given fields of an application; all messages at once, by field."""
    cleaners = {
        "planned_on": lambda v: _planned_on(v, today),
        "masks": lambda v: _number(v, "masks"),
        "thermometers": lambda v: _number(v, "thermometers"),
        "disinfectant_litres": lambda v: _number(v, "disinfectant_litres"),
        "sanitizer_bottles": lambda v: _number(v, "sanitizer_bottles"),
        "isolation_room": lambda v: bool(v),
        "isolation_note": lambda v: clean_text(
            v, "isolation_note", ISOLATION_NOTE_MAX, required=False
        ),
        "note": lambda v: clean_note(v),
    }
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, value in data.items():
        try:
            values[field] = cleaners[field](value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values


def clean_note(value: Any) -> str:
    # A note keeps its line breaks (unlike clean_text), only trimmed and bounded.
    text = str(value or "").replace("\r\n", "\n").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": NOTE_MAX}})
    return text


def _require_writer(actor: Actor, enterprise: Enterprise) -> None:
    require_reach(
        actor, Capability.APPLICATIONS_REVIEW, enterprise_id=enterprise.pk, path=enterprise.jpath
    )


def _open_exists_error() -> ValidationError:
    return ValidationError(
        _(
            "This enterprise already has an open application. Continue that one, or withdraw "
            "it first."
        )
    )


def application_create(
    *,
    actor: Actor,
    enterprise: Enterprise,
    planned_on: Any,
    masks: Any = 0,
    thermometers: Any = 0,
    disinfectant_litres: Any = 0,
    sanitizer_bottles: Any = 0,
    isolation_room: Any = False,
    isolation_note: Any = "",
    note: Any = "",
) -> Application:
    """A draft application of `enterprise` (its own user, or the desk over its grid); one
    open application per enterprise. Audited "application.create"."""
    _require_writer(actor, enterprise)
    today = timezone.localdate()
    values = clean_fields(
        {
            "planned_on": planned_on,
            "masks": masks,
            "thermometers": thermometers,
            "disinfectant_litres": disinfectant_litres,
            "sanitizer_bottles": sanitizer_bottles,
            "isolation_room": isolation_room,
            "isolation_note": isolation_note,
            "note": note,
        },
        today,
    )
    if Application.objects.filter(enterprise=enterprise, status__in=OPEN_STATUSES).exists():
        raise _open_exists_error()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                enterprise=enterprise,
                jpath=enterprise.jpath,
                created_by=actor.user,
                **values,
            )
            audit_record(
                actor=actor,
                action="application.create",
                obj=application,
                jpath=application.jpath,
                after=snapshot(application),
            )
    except IntegrityError as exc:
        # Two drafts made at once: the constraint keeps one; the other gets the message.
        raise _open_exists_error() from exc
    return application


@transaction.atomic
def application_update(
    *, actor: Actor, application: Application, version: int, **changes: Any
) -> Application:
    """Edits a draft or returned application from the version the editor saw; a stale
    version is a conflict. Audited "application.update"."""
    _require_writer(actor, application.enterprise)
    unknown = set(changes) - {
        "planned_on",
        "masks",
        "thermometers",
        "disinfectant_litres",
        "sanitizer_bottles",
        "isolation_room",
        "isolation_note",
        "note",
    }
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    if application.status not in EDITABLE:
        raise ValidationError(
            _("Only a draft or a returned application can be edited (this one is “%(s)s”).")
            % {"s": application.get_status_display()}
        )
    values = clean_fields(changes, timezone.localdate())
    if application.version != version:
        raise ConcurrentEditError
    before = snapshot(application)
    versioned_update(application, version, **values)
    audit_record(
        actor=actor,
        action="application.update",
        obj=application,
        jpath=application.jpath,
        before=before,
        after=snapshot(application),
    )
    return application


def _items_label(checklist: list[dict], codes: list[str]) -> str:
    """The items' names in the checklist's own words, in the reader's language."""
    chinese = (get_language() or "zh-hans").startswith("zh")
    first, second = ("zh", "en") if chinese else ("en", "zh")
    names = {i["code"]: i.get(first) or i.get(second) or i["code"] for i in checklist}
    return ("、" if chinese else ", ").join(names.get(c, c) for c in codes)


def _current_items(application: Application, since: dt.datetime | None = None) -> set[str]:
    qs = Material.objects.filter(application=application, removed_at__isnull=True)
    if since is not None:
        qs = qs.filter(uploaded_at__gt=since)
    return set(qs.values_list("item", flat=True))


def _due(now: dt.datetime) -> dt.datetime:
    days = int(policy_value("resumption_answer_days", timezone.localdate(now)))
    return answer_due(now, days)


@transaction.atomic
def application_submit(*, actor: Actor, application: Application, version: int) -> Application:
    """Draft → submitted: every file item of the checklist in force today has a current
    material and the roster has an active employee; keeps the checklist and the roster's
    counts, starts the answer clock. Event and audit "application.submit"."""
    _require_writer(actor, application.enterprise)
    if application.status != Status.DRAFT:
        refuse_transition(application, Action.SUBMIT)
    now = timezone.now()
    today = timezone.localdate(now)
    checklist = application_checklist(application, today)
    present = _current_items(application)
    missing = [i["code"] for i in checklist if i.get("file") and i["code"] not in present]
    errors: dict[str, str] = {}
    if missing:
        errors["materials"] = _("Upload the materials still missing: %(items)s.") % {
            "items": _items_label(checklist, missing)
        }
    staff, from_risk = roster_counts(application.enterprise_id, today)
    if staff == 0:
        errors["roster"] = _(
            "The staff roster has no employee yet: add the employees before submitting."
        )
    if errors:
        raise ValidationError(errors)
    return transition(
        actor=actor,
        application=application,
        version=version,
        action=Action.SUBMIT,
        at=now,
        checklist=checklist,
        staff_count=staff,
        staff_from_risk_areas=from_risk,
        submitted_at=now,
        first_submitted_at=application.first_submitted_at or now,
        due_at=_due(now),
    )


@transaction.atomic
def application_supplement(*, actor: Actor, application: Application, version: int) -> Application:
    """Returned → submitted: every missing item of the return has a material uploaded
    after it; a new answer clock; missing_items cleared (the event keeps them)."""
    _require_writer(actor, application.enterprise)
    if application.status != Status.RETURNED:
        refuse_transition(application, Action.SUPPLEMENT)
    now = timezone.now()
    codes = missing_codes(application)
    fresh = _current_items(application, since=last_return_at(application))
    still = [c for c in codes if c not in fresh]
    if still:
        raise ValidationError(
            {
                "materials": _("Still missing after the return: %(items)s.")
                % {"items": _items_label(application_checklist(application, now.date()), still)}
            }
        )
    staff, from_risk = roster_counts(application.enterprise_id, timezone.localdate(now))
    return transition(
        actor=actor,
        application=application,
        version=version,
        action=Action.SUPPLEMENT,
        at=now,
        items=codes,
        missing_items=[],
        staff_count=staff,
        staff_from_risk_areas=from_risk,
        submitted_at=now,
        due_at=_due(now),
    )


@transaction.atomic
def application_withdraw(
    *, actor: Actor, application: Application, version: int, note: str = ""
) -> Application:
    """Draft, submitted or returned → withdrawn; the answer clock stops."""
    _require_writer(actor, application.enterprise)
    reason = clean_text(note, "note", 500, required=False)
    return transition(
        actor=actor,
        application=application,
        version=version,
        action=Action.WITHDRAW,
        note=reason,
        due_at=None,
    )
