"""Alerts raised from outside home quarantine: a person with no observation case, found by
another part of the system (a fever at a temperature checkpoint), enters the same "five
earlies" (早发现、早报告、早隔离、早诊断、早治疗) as a case's alert, so the grid's team, the
village and headquarters carry it through the same referral pages and close it the same way.

Rules decided here (tested in tests/checkpoints/test_fever_*.py):
- The caller checks its own right to record what it found (quarantine knows nothing of
  checkpoints' capabilities) and passes its actor; raising needs ALERTS_MANAGE over the grid
  the alert is raised to, which every role that records checks holds there. A caller acting
  on a rule's behalf wherever the person lives passes an actor with that trust (see
  checkpoints.services.fever).
- The alert is raised in the grid `jurisdiction` (its `jpath`): the grid, its village and
  headquarters see it by path scope, wherever the person's own record lives.
- Raising opens the referral: its "reported" step is recorded at the time of the finding.
- `origin` names the record that raised it ("<url name>:<pk>", see Alert.origin) and makes
  raising idempotent: the same origin for the same person answers the alert already raised.
- While the person has an open alert of the same trigger, a new finding is added to that
  alert's detail instead of a second alert (as evaluate_followup does for a case), and its
  version is bumped, so somebody about to close it with an older page gets a conflict.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.geo.models import Jurisdiction
from epigrid.registry.models import Person

from ..models import Alert, ReferralEvent, ReferralStep, Trigger
from .escalation import CLOCK_SKEW, DETAIL_MAX, _append

# Triggers another part of the system may raise; the others come from quarantine's own rules.
EXTERNAL_TRIGGERS = frozenset({Trigger.CHECKPOINT_FEVER, Trigger.ENTERPRISE_FEVER})
ORIGIN_MAX = 80


@transaction.atomic
def alert_raise(
    *,
    actor: Actor,
    person: Person,
    jurisdiction: Jurisdiction,
    trigger: str,
    raised_at: dt.datetime,
    detail: str,
    origin: str = "",
) -> Alert:
    """Raises an alert for `person` (no case) in the grid `jurisdiction` with its referral
    opened ("reported" at `raised_at`), or answers the alert already raised for this
    `origin`, or adds `detail` to the person's open alert of the same trigger. Needs
    ALERTS_MANAGE over the grid. Audited "alert.raise" (with the referral step) or
    "alert.repeat"."""
    require_can(actor, Capability.ALERTS_MANAGE, jurisdiction.path)
    errors: dict[str, str] = {}
    origin = (origin or "").strip()
    if trigger not in EXTERNAL_TRIGGERS:
        errors["trigger"] = _("Choose one of the allowed values.")
    if not origin:
        errors["origin"] = _("Say what raised the alert.")
    elif len(origin) > ORIGIN_MAX:
        errors["origin"] = _("At most %(n)s characters.") % {"n": ORIGIN_MAX}
    if person.merged_into_id is not None:
        errors["person"] = _("This record was merged into another one.")
    if raised_at is None:
        errors["raised_at"] = _("Enter the time of this step.")
    else:
        if timezone.is_naive(raised_at):
            raised_at = timezone.make_aware(raised_at)
        now = timezone.now()
        if raised_at > now + CLOCK_SKEW:
            errors["raised_at"] = _("The time cannot be in the future.")
        # A device's clock a little ahead of the server's does not put it in the future.
        raised_at = min(raised_at, now)
    detail = " ".join((detail or "").split())[:DETAIL_MAX]
    if errors:
        raise ValidationError(errors)

    # Serialises two findings of one person stored at once: one alert, not two.
    list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
    known = Alert.objects.filter(origin=origin, person=person).first()
    if known is not None:
        return known
    existing = (
        Alert.objects.filter(
            person=person, case__isnull=True, trigger=trigger, closed_at__isnull=True
        )
        .order_by("id")
        .first()
    )
    if existing is not None:
        return _repeat(actor, existing, detail)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                person=person,
                jurisdiction=jurisdiction,
                jpath=jurisdiction.path,
                trigger=trigger,
                raised_at=raised_at,
                detail=detail,
                origin=origin,
            )
    except IntegrityError:  # the same origin raised a moment ago by a concurrent writer
        return Alert.objects.get(origin=origin, person=person)
    step = ReferralEvent.objects.create(
        alert=alert, step=ReferralStep.REPORTED, at=raised_at, recorded_by=actor.user
    )
    audit_record(
        actor=actor,
        action="alert.raise",
        obj=alert,
        jpath=alert.jpath,
        after={**snapshot(alert), "referral": snapshot(step)},
    )
    return alert


def _repeat(actor: Actor, alert: Alert, detail: str) -> Alert:
    before = snapshot(alert)
    alert.detail = _append(alert.detail, detail) if detail else alert.detail
    alert.version += 1
    alert.updated_at = timezone.now()
    alert.save(update_fields=["detail", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="alert.repeat",
        obj=alert,
        jpath=alert.jpath,
        before=before,
        after=snapshot(alert),
    )
    return alert


def move_alerts(survivor: Person, duplicate: Person) -> int:
    """Registered with the register's merge: the duplicate's alerts move to the survivor."""
    return Alert.objects.filter(person=duplicate).update(person=survivor)
