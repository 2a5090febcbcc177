"""Escalation under the "five earlies" (早发现、早报告、早隔离、早诊断、早治疗): alerts raised by
follow-ups and by missed slots, the referral steps that carry an alert, and closing it with
an outcome.

Rules decided here (and tested in tests/quarantine/test_escalation*.py):
- One alert per trigger per follow-up, raised at the reading's time. While a case has an
  open alert of a trigger, a new reading of the same trigger is added to that alert's detail
  (the alert keeps the follow-up that first raised it, "find early") and bumps its version,
  so somebody about to close it as "re-checked: normal" with the page they loaded before the
  new reading gets a conflict.
- Missed slots: two consecutive slots of an open case (by deadline), both past their
  deadline and not done, raise one alert keyed on the later slot. While the case has an open
  missed-slots alert, a longer run adds nothing; after that alert is closed, only a pair
  whose later deadline passed after the closing raises a new one.
- Referral steps go in order reported -> isolated -> transported -> diagnosed; "reported"
  comes first, isolation and transport may be skipped (a person may be diagnosed at home, or
  already be isolated at home), a step is never recorded after a later one, and its time is
  neither in the future nor before the previous step's or the alert's trigger.
- An alert closes only with an outcome; when a diagnosis is recorded the outcome must be that
  diagnosis, and a diagnosis outcome needs the diagnosis step recorded first.
"""

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import SYSTEM, Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.models import AuditEvent
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import clean_text, versioned_update

from .. import rules
from ..models import (
    Alert,
    AlertOutcome,
    DiagnosisOutcome,
    FollowUp,
    FollowUpSlot,
    ObservationCase,
    ReferralEvent,
    ReferralStep,
    Trigger,
)

DETAIL_MAX = 200
SEP = ", "
GAP = "…"
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)
# The scan looks back this far: consecutive slots are at most a day apart, and the scan runs
# every few minutes, so a pair is always seen while its later slot is in the window.
SCAN_WINDOW = dt.timedelta(hours=48)
STEP_ORDER = [
    ReferralStep.REPORTED,
    ReferralStep.ISOLATED,
    ReferralStep.TRANSPORTED,
    ReferralStep.DIAGNOSED,
]
DIAGNOSIS_OUTCOMES = set(DiagnosisOutcome.values)


def _append(detail: str, item: str) -> str:
    """Adds `item` to a detail list; past the column's length the middle items give way to
    an ellipsis, so the first and the latest readings always show."""
    parts = [p for p in detail.split(SEP) if p] + [item]
    text = SEP.join(parts)
    while len(text) > DETAIL_MAX and len(parts) > 2:
        parts = [parts[0], GAP, *parts[3:]] if parts[1] == GAP else [parts[0], GAP, *parts[2:]]
        text = SEP.join(parts)
    return text[:DETAIL_MAX]


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _reading(followup: FollowUp) -> str:
    return f"{followup.temperature} °C ({_local(followup.taken_at)})"


# --- raising ------------------------------------------------------------------------------


def evaluate_followup(*, actor: Actor, followup: FollowUp) -> list[Alert]:
    """Raises the alerts a just-recorded follow-up calls for: a fever reading under the case's
    policy, a serious symptom. An open alert of the same trigger on the case gets the reading
    added instead of a second alert. Called by followup_record inside its transaction (the
    caller checked the actor's right to record); audited "alert.raise" / "alert.repeat".
    Returns the alerts raised or added to (a new one has `followup` == this follow-up)."""
    case = followup.case
    policy = case.policy
    found: dict[str, str] = {}
    if rules.is_fever(policy, followup.temperature):
        found[Trigger.FEVER] = _reading(followup)
    serious = rules.serious_symptoms(policy, list(followup.symptoms or []))
    if serious:
        found[Trigger.SERIOUS_SYMPTOM] = SEP.join(dict.fromkeys(serious))
    if not found:
        return []  # the common case costs no query: the follow-up write path stays fast
    with transaction.atomic():
        # Serialises two follow-ups of one case recorded at once: one alert, not two.
        list(ObservationCase.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
        open_alerts = {
            a.trigger: a
            for a in Alert.objects.filter(
                case=case, trigger__in=list(found), closed_at__isnull=True
            ).order_by("id")
        }
        alerts = []
        for trigger, text in found.items():
            existing = open_alerts.get(trigger)
            if existing is None:
                # Raised at the reading ("find early"), not when it was typed in; a phone's
                # clock a little ahead of the server's does not put it in the future.
                at = min(followup.taken_at, timezone.now())
                alerts.append(_raise(actor, case, trigger, text, followup=followup, now=at))
            elif existing.followup_id != followup.pk:
                alerts.append(_repeat(actor, existing, trigger, text))
            else:
                alerts.append(existing)
    return alerts


def _raise(
    actor: Actor,
    case: ObservationCase,
    trigger: str,
    detail: str,
    *,
    followup: FollowUp,
    now: dt.datetime,
) -> Alert:
    alert = Alert.objects.create(
        case=case,
        person_id=case.person_id,
        jurisdiction_id=case.jurisdiction_id,
        jpath=case.jpath,
        trigger=trigger,
        raised_at=now,
        followup=followup,
        detail=detail[:DETAIL_MAX],
    )
    audit_record(
        actor=actor, action="alert.raise", obj=alert, jpath=alert.jpath, after=snapshot(alert)
    )
    return alert


def _repeat(actor: Actor, alert: Alert, trigger: str, text: str) -> Alert:
    before = snapshot(alert)
    if trigger == Trigger.SERIOUS_SYMPTOM:
        codes = dict.fromkeys([*alert.detail.split(SEP), *text.split(SEP)])
        detail = SEP.join(c for c in codes if c)[:DETAIL_MAX]
    else:
        detail = _append(alert.detail, text)
    Alert.objects.filter(pk=alert.pk).update(
        detail=detail, version=F("version") + 1, updated_at=timezone.now()
    )
    alert.refresh_from_db()
    audit_record(
        actor=actor,
        action="alert.repeat",
        obj=alert,
        jpath=alert.jpath,
        before=before,
        after=snapshot(alert),
    )
    return alert


def _pairs(now: dt.datetime) -> list[dict[str, Any]]:
    """Consecutive slots of open cases, both past their deadline and not done, the later one
    in the scan window: the open slots past their deadline come from the partial index
    slot_todo_deadline (the same rows as headquarters' overdue list), and two of one case
    next to each other there are consecutive unless a done slot lies between them. A slot
    that opens at the other's deadline is the next one of the same day; for the others (a
    pair across midnight, or with a slot done between) the done slots of those few cases
    answer. The earlier slot of a pair may lie before the window: the scan that ran when
    the later deadline passed saw both."""
    since = now - SCAN_WINDOW
    rows = list(
        FollowUpSlot.objects.filter(
            done_at__isnull=True, case_open=True, deadline__lt=now, deadline__gte=since
        )
        .order_by("case_id", "deadline")
        .values("pk", "case_id", "jpath", "deadline", "opens_at")
    )
    pairs: list[dict[str, Any]] = []
    unsure: list[dict[str, Any]] = []
    for prev, row in itertools.pairwise(rows):
        if prev["case_id"] != row["case_id"]:
            continue
        pair = {**row, "prev_deadline": prev["deadline"]}
        (pairs if row["opens_at"] == prev["deadline"] else unsure).append(pair)
    if unsure:
        done: dict[int, list[dt.datetime]] = {}
        cases = sorted({p["case_id"] for p in unsure})
        for chunk in (cases[i : i + 500] for i in range(0, len(cases), 500)):
            for case_id, deadline in FollowUpSlot.objects.filter(
                case_id__in=chunk, done_at__isnull=False, deadline__gte=since, deadline__lt=now
            ).values_list("case_id", "deadline"):
                done.setdefault(case_id, []).append(deadline)
        pairs += [
            p
            for p in unsure
            if not any(p["prev_deadline"] < d < p["deadline"] for d in done.get(p["case_id"], []))
        ]
    return sorted(pairs, key=lambda p: (p["case_id"], p["deadline"]))


def scan_missed(*, now: dt.datetime | None = None) -> int:
    """Raises one MISSED_SLOTS alert for each open case whose last two slots (consecutive by
    deadline) both passed their deadline with nobody reached, keyed on the later slot.
    Idempotent (the key is unique); run every few minutes by `epigrid quarantine_scan`.
    Audited as the system. Returns the number of alerts raised."""
    now = now or timezone.now()
    pairs = _pairs(now)
    if not pairs:
        return 0
    # Missed-slots alerts that bear on these pairs, in one query over a small table: open
    # ones block a second on their case; one closed after a pair's later deadline means the
    # closer knew of that pair; one keyed on a slot in the window already covers it. Every
    # such alert was raised or closed inside the window.
    since = now - SCAN_WINDOW
    open_cases: set[int] = set()
    last_closed: dict[int, dt.datetime] = {}
    keyed: set[int] = set()
    for case_id, slot_id, closed_at in Alert.objects.filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=since) | Q(raised_at__gte=since),
        trigger=Trigger.MISSED_SLOTS,
    ).values_list("case_id", "slot_id", "closed_at"):
        keyed.add(slot_id)
        if closed_at is None:
            open_cases.add(case_id)
        elif case_id not in last_closed or closed_at > last_closed[case_id]:
            last_closed[case_id] = closed_at
    todo: dict[int, dict[str, Any]] = {}
    for p in pairs:  # ordered by case, deadline: the first pair of a run wins
        case_id = p["case_id"]
        if case_id in open_cases or case_id in todo or p["pk"] in keyed:
            continue
        if case_id in last_closed and p["deadline"] <= last_closed[case_id]:
            continue
        todo[case_id] = p
    if not todo:
        return 0
    return _raise_missed(list(todo.values()), now)


@transaction.atomic
def _raise_missed(pairs: list[dict[str, Any]], now: dt.datetime) -> int:
    """Inserts the alerts and their audit events in batches: after an outage the first scan
    may raise thousands. A concurrent scan's duplicates are dropped by the unique key."""
    last_id = Alert.objects.order_by("-id").values_list("id", flat=True).first() or 0
    # Every alert names its person and grid (the case's): one query per 500 cases.
    case_ids = sorted({p["case_id"] for p in pairs})
    of_case: dict[int, tuple[int, int]] = {}
    for chunk in (case_ids[i : i + 500] for i in range(0, len(case_ids), 500)):
        for pk, person_id, jurisdiction_id in ObservationCase.objects.filter(
            pk__in=chunk
        ).values_list("pk", "person_id", "jurisdiction_id"):
            of_case[pk] = (person_id, jurisdiction_id)
    Alert.objects.bulk_create(
        [
            Alert(
                case_id=p["case_id"],
                person_id=of_case[p["case_id"]][0],
                jurisdiction_id=of_case[p["case_id"]][1],
                jpath=p["jpath"],
                trigger=Trigger.MISSED_SLOTS,
                raised_at=now,
                slot_id=p["pk"],
                detail=SEP.join((_local(p["prev_deadline"]), _local(p["deadline"]))),
            )
            for p in pairs
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    created = list(
        Alert.objects.filter(pk__gt=last_id, trigger=Trigger.MISSED_SLOTS, raised_at=now)
    )
    # What audit_record writes, for many rows at once.
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=None,
                actor_username=SYSTEM.label,
                action="alert.raise",
                entity_type=Alert._meta.label_lower,
                entity_id=str(alert.pk),
                entity_label=str(alert)[:200],
                jpath=alert.jpath,
                jurisdiction_code=alert.jpath.rstrip("."),
                after=snapshot(alert),
            )
            for alert in created
        ],
        batch_size=500,
    )
    return len(created)


# --- referral and closing -----------------------------------------------------------------


def _locked(alert: Alert) -> Alert:
    """The alert's row, locked for the rest of the transaction, refreshed into `alert`."""
    fresh = Alert.objects.select_for_update().get(pk=alert.pk)
    for f in Alert._meta.concrete_fields:
        setattr(alert, f.attname, getattr(fresh, f.attname))
    return alert


def trigger_time(alert: Alert) -> dt.datetime:
    """When the alert's cause happened: the reading's time, the later missed deadline."""
    if alert.followup_id is not None:
        return alert.followup.taken_at  # type: ignore[union-attr]
    if alert.slot_id is not None:
        return alert.slot.deadline  # type: ignore[union-attr]
    return alert.raised_at


def next_steps(steps: Iterable[ReferralEvent]) -> list[str]:
    """The steps that may be recorded next: "reported" first, then any later step."""
    done = [STEP_ORDER.index(ReferralStep(s.step)) for s in steps]
    if not done:
        return [ReferralStep.REPORTED]
    return [str(s) for s in STEP_ORDER[max(done) + 1 :]]


@transaction.atomic
def referral_record(
    *,
    actor: Actor,
    alert: Alert,
    step: str,
    at: dt.datetime | None,
    diagnosis: str = "",
    note: str = "",
) -> ReferralEvent:
    """Records one step of the alert's referral with its time (reported, isolated,
    transported to the fever clinic, diagnosed with an outcome); see the module's rules.
    Bumps the alert's version. Audited "alert.referral"."""
    require_can(actor, Capability.ALERTS_MANAGE, alert.jpath)
    _locked(alert)
    if alert.closed_at is not None:
        raise ValidationError(_("This alert is closed."))
    note = clean_text(note, "note", 200, required=False)
    diagnosis = (diagnosis or "").strip()
    if step not in ReferralStep.values:
        raise ValidationError({"step": _("Choose one of the allowed values.")})
    if at is None:
        raise ValidationError({"at": _("Enter the time of this step.")})
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    steps = list(ReferralEvent.objects.filter(alert=alert))
    errors: dict[str, str] = {}
    if any(s.step == step for s in steps):
        errors["step"] = _("This step is already recorded.")
    elif step not in next_steps(steps):
        errors["step"] = (
            _("Record “reported” first.")
            if not steps
            else _("A later step is already recorded; steps go in order.")
        )
    if step == ReferralStep.DIAGNOSED:
        if diagnosis not in DIAGNOSIS_OUTCOMES:
            errors["diagnosis"] = _(
                "Choose the diagnosis outcome: excluded, suspected or confirmed."
            )
    elif diagnosis:
        errors["diagnosis"] = _("Only the diagnosis step takes a diagnosis outcome.")
    if at > timezone.now() + CLOCK_SKEW:
        errors["at"] = _("The time cannot be in the future.")
    elif steps and at < max(s.at for s in steps):
        errors["at"] = _("The time cannot be before the previous step (%(t)s).") % {
            "t": _local(max(s.at for s in steps))
        }
    elif at < trigger_time(alert):
        errors["at"] = _("The time cannot be before what raised the alert (%(t)s).") % {
            "t": _local(trigger_time(alert))
        }
    if errors:
        raise ValidationError(errors)
    event = ReferralEvent.objects.create(
        alert=alert, step=step, at=at, diagnosis=diagnosis, note=note, recorded_by=actor.user
    )
    # A step changes what the alert may be closed with: an editor who loaded it before gets
    # a conflict instead of closing against a diagnosis they have not seen.
    Alert.objects.filter(pk=alert.pk).update(version=F("version") + 1, updated_at=timezone.now())
    alert.refresh_from_db()
    audit_record(
        actor=actor,
        action="alert.referral",
        obj=alert,
        jpath=alert.jpath,
        after={"alert": alert.pk, **snapshot(event)},
    )
    return event


@transaction.atomic
def alert_close(*, actor: Actor, alert: Alert, outcome: str, note: str = "", version: int) -> Alert:
    """Closes the alert with an outcome (never without one). With a diagnosis recorded the
    outcome must be that diagnosis; a diagnosis outcome needs the diagnosis step. Version
    checked. Audited "alert.close"."""
    require_can(actor, Capability.ALERTS_MANAGE, alert.jpath)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("An alert cannot be closed without an outcome.")})
    if outcome not in AlertOutcome.values:
        raise ValidationError({"outcome": _("Choose one of the allowed values.")})
    note = clean_text(note, "note", 200, required=False)
    _locked(alert)
    if alert.closed_at is not None:
        raise ValidationError(_("This alert is already closed."))
    if alert.version != version:
        raise ConcurrentEditError
    diagnosed = (
        ReferralEvent.objects.filter(alert=alert, step=ReferralStep.DIAGNOSED)
        .values_list("diagnosis", flat=True)
        .first()
    )
    if diagnosed and outcome != diagnosed:
        raise ValidationError(
            {
                "outcome": _(
                    "The recorded diagnosis is “%(d)s”: close the alert with that outcome."
                )
                % {"d": DiagnosisOutcome(diagnosed).label}
            }
        )
    if not diagnosed and outcome in DIAGNOSIS_OUTCOMES:
        raise ValidationError(
            {"outcome": _("Record the diagnosis step, with its time, before closing with it.")}
        )
    before = snapshot(alert)
    versioned_update(
        alert,
        version,
        closed_at=timezone.now(),
        closed_by=actor.user,
        outcome=outcome,
        close_note=note,
    )
    audit_record(
        actor=actor,
        action="alert.close",
        obj=alert,
        jpath=alert.jpath,
        before=before,
        after=snapshot(alert),
    )
    return alert
