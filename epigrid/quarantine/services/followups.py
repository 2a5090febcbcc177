"""Follow-ups of a case: a phone or video call, a door visit or a self-report, filling the
slot it answers; each one is judged for escalation in the same transaction."""

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_event, snapshot
from epigrid.core.rows import (
    Statement,
    from_row,
    insert_one,
    insert_statement,
    reserve_id_sql,
    row_width,
    run,
    run_together,
    select_columns,
    select_one,
    update_statement,
)
from epigrid.core.writes import clean_text
from epigrid.workforce.models import StaffMember
from epigrid.workforce.selectors import is_team_member, on_duty_record

from .. import rules
from ..models import FollowUp, FollowUpSlot, MeasureSite, Method, ObservationCase, Result
from . import escalation

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=2)
TENTH = Decimal("0.1")
REACHED = (Result.WELL, Result.UNWELL)
METHODS = frozenset(Method.values)
RESULTS = frozenset(Result.values)
SITES = frozenset(MeasureSite.values)


def clean_temperature(value: object) -> Decimal | None:
    """A reading in °C rounded to one decimal, inside TEMPERATURE_MIN..MAX; None for none."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({"temperature": _("Enter a temperature such as 36.5.")})
    try:
        reading = Decimal(str(value).strip().replace("，", ".").replace(",", "."))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"temperature": _("Enter a temperature such as 36.5.")}) from exc
    if not reading.is_finite():
        raise ValidationError({"temperature": _("Enter a temperature such as 36.5.")})
    # Far outside the range first: a huge exponent cannot even be rounded.
    if rules.TEMPERATURE_MIN - 1 < reading < rules.TEMPERATURE_MAX + 1:
        reading = reading.quantize(TENTH, rounding=ROUND_HALF_UP)
    if not rules.TEMPERATURE_MIN <= reading <= rules.TEMPERATURE_MAX:
        raise ValidationError(
            {
                "temperature": _(
                    "%(t)s °C is not a possible body temperature: enter a reading between "
                    "%(lo)s and %(hi)s °C."
                )
                % {
                    "t": reading if abs(reading) < 1000 else "…",
                    "lo": rules.TEMPERATURE_MIN,
                    "hi": rules.TEMPERATURE_MAX,
                }
            }
        )
    return reading


def _check_staff(staff: StaffMember, case: ObservationCase) -> None:
    """Who followed up works for the case's grid (there or above it) or is in its team."""
    serves = case.jpath.startswith(staff.jpath) or (
        case.team_id is not None and is_team_member(staff, case.team_id)
    )
    if staff.active_until is not None or not serves:
        raise ValidationError(
            {"staff": _("%(name)s does not work for this case's grid.") % {"name": staff.name}}
        )


# What the write reads of the case under its lock: what can change while a form is open.
# The policy is not read again: a case keeps the one it was opened under, so the caller's
# copy is the same (and reading it costs more than the rest of the row).
CASE_FIELDS = ("jpath", "team", "person", "jurisdiction", "closed_at", "last_followup_at")
# Of the slot, what the checks and the slot's state read (the rest is deferred).
SLOT_FIELDS = ("case", "opens_at", "deadline", "ends_at", "done_at")
_LOCK_BOTH: dict[str, str] = {}


def _lock_both_sql() -> str:
    """Case and slot in one statement, the case's row locked first (PostgreSQL locks a
    join's rows in the order of its FROM list), and the follow-up's id reserved where the
    database can (core.rows.reserve_id_sql) so that its writes go together."""
    vendor = connection.vendor
    if vendor not in _LOCK_BOTH:
        q = connection.ops.quote_name
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        _LOCK_BOTH[vendor] = (
            f"SELECT {select_columns(ObservationCase, 'c', CASE_FIELDS)}, "  # noqa: S608 - names from the models, values bound
            f"{select_columns(FollowUpSlot, 's', SLOT_FIELDS)}, {reserve_id_sql(FollowUp)} "
            f"FROM {q(ObservationCase._meta.db_table)} c "
            f"INNER JOIN {q(FollowUpSlot._meta.db_table)} s ON s.{q('case_id')} = c.{q('id')} "
            f"WHERE c.{q('id')} = %s AND s.{q('id')} = %s{lock}"
        )
    return _LOCK_BOTH[vendor]


def _lock(
    case: ObservationCase, slot: FollowUpSlot | None
) -> tuple[ObservationCase, FollowUpSlot | None, int | None]:
    """The case, locked, and the slot given, locked after it as every service locks them
    (refused if it belongs to another case), and the new follow-up's id if one was
    reserved. Hand-written single-row SELECTs compiled once (core.rows): no queryset to
    build on the write path; the fields' converters apply."""
    locked: ObservationCase | None
    reserved = None
    if slot is not None:
        row = run(_lock_both_sql(), [int(case.pk), int(slot.pk)])
        if row is None:
            # Not this case's slot, or gone: the case is locked all the same.
            select_one(ObservationCase, case.pk, for_update=True, fields=CASE_FIELDS)
            raise ValidationError({"slot": _("This slot belongs to another case.")})
        locked = from_row(ObservationCase, row, fields=CASE_FIELDS)
        width = row_width(ObservationCase, CASE_FIELDS)
        found = from_row(FollowUpSlot, row, width, fields=SLOT_FIELDS)
        found.case = locked
        reserved = row[width + row_width(FollowUpSlot, SLOT_FIELDS)]
    else:
        locked = select_one(ObservationCase, case.pk, for_update=True, fields=CASE_FIELDS)
        if locked is None:
            raise ObservationCase.DoesNotExist
        found = None
    locked.policy = case.policy
    return locked, found, reserved


def _pick_slot(
    case: ObservationCase, slot: FollowUpSlot | None, taken_at: dt.datetime, now: dt.datetime
) -> FollowUpSlot:
    """The slot a follow-up answers: the one given, checked; else the earliest not done of
    the follow-up's day that was already open when it was taken (a late follow-up fills an
    overdue slot before the current one)."""
    if slot is None:
        found = (
            FollowUpSlot.objects.select_for_update()
            .filter(
                case=case,
                done_at__isnull=True,
                opens_at__lte=taken_at,
                ends_at__gt=taken_at,
            )
            .order_by("deadline", "id")
            .first()
        )
        if found is None:
            raise ValidationError(
                {
                    "slot": _(
                        "No follow-up of this case is open at that time: the day's follow-ups "
                        "are done, or the next one has not opened yet."
                    )
                }
            )
        return found
    found = slot  # locked by _lock
    if found.opens_at > now or found.opens_at > taken_at:
        raise ValidationError(
            {
                "slot": _("This follow-up is not open yet: it opens at %(t)s.")
                % {"t": timezone.localtime(found.opens_at, rules.zone()).strftime("%m-%d %H:%M")}
            }
        )
    if taken_at >= found.ends_at:
        raise ValidationError({"taken_at": _("The time taken is after this follow-up's day.")})
    if found.done_at is not None:
        raise ValidationError({"slot": _("This follow-up is already done.")})
    return found


def _clean_symptoms(case: ObservationCase, symptoms: Sequence[str]) -> list[str]:
    if isinstance(symptoms, str):
        symptoms = [symptoms]
    codes = list(dict.fromkeys(str(s).strip() for s in symptoms if str(s).strip()))
    unknown = rules.unknown_symptoms(case.policy, codes)
    if unknown:
        raise ValidationError(
            {
                "symptoms": _("Unknown symptom: %(codes)s. Choose from the case's list.")
                % {"codes": ", ".join(unknown[:5])}
            }
        )
    return codes


@transaction.atomic
def followup_record(
    *,
    actor: Actor,
    case: ObservationCase,
    method: str,
    result: str,
    taken_at: dt.datetime | None = None,
    slot: FollowUpSlot | None = None,
    staff: StaffMember | None = None,
    temperature: Decimal | float | str | None = None,
    site: str = "",
    symptoms: Sequence[str] = (),
    note: str = "",
) -> FollowUp:
    """Records one follow-up of an open case at `taken_at` (default now) for `slot` (default:
    the earliest not-done slot open at that time). A reached person ("well"/"unwell") fills
    the slot; "not reached" is kept as an attempt and leaves it open. The case's latest
    follow-up and temperature follow; escalation judges the follow-up in this transaction.
    `staff` defaults to the actor's own grid-worker record (none for a self-report)."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, case.jpath)
    # The slot given (the worklist's "record" link) is locked with its case.
    locked, given, reserved = _lock(case, slot)
    now = timezone.now()
    if locked.closed_at is not None:
        raise ValidationError({"case": _("This case is closed: no more follow-ups.")})
    errors: dict[str, str] = {}
    if method not in METHODS:
        errors["method"] = _("Choose one of the allowed values.")
    if result not in RESULTS:
        errors["result"] = _("Choose one of the allowed values.")
    if site and site not in SITES:
        errors["site"] = _("Choose one of the allowed values.")
    if errors:
        raise ValidationError(errors)
    reading = clean_temperature(temperature)
    codes = _clean_symptoms(locked, symptoms)
    note = clean_text(note, "note", 500, required=False)
    if result == Result.NOT_REACHED and (reading is not None or codes):
        raise ValidationError(
            {
                "result": _(
                    "A person who was not reached has no temperature or symptoms: leave them "
                    "empty, or choose the result of the contact."
                )
            }
        )
    if reading is None:
        site = ""
    if taken_at is None:
        taken_at = now
    elif timezone.is_naive(taken_at):
        taken_at = timezone.make_aware(taken_at, rules.zone())
    if taken_at > now + CLOCK_SKEW:
        raise ValidationError({"taken_at": _("A follow-up cannot be in the future.")})
    chosen = _pick_slot(locked, given, taken_at, now)
    if staff is None:
        staff = on_duty_record(actor)
    if staff is not None:
        _check_staff(staff, locked)
    # The write path of a city's twice-daily follow-ups: single-row statements compiled once
    # (core.rows), about a third of what create()/update() cost per call; where the id was
    # reserved, sent to the database as one statement.
    followup = FollowUp(
        pk=reserved,
        case=locked,
        jpath=locked.jpath,
        slot=chosen,
        method=method,
        taken_at=taken_at,
        staff=staff,
        temperature=reading,
        site=site,
        symptoms=codes,
        result=result,
        note=note,
        recorded_by=actor.user,
    )
    writes: list[Statement] = []
    if followup.pk is None:
        insert_one(followup)
    else:
        writes.append(insert_statement(followup))
    if result in REACHED:
        writes.append(
            update_statement(
                FollowUpSlot,
                chosen.pk,
                {"done_at": taken_at, "followup": followup.pk},
                only_if_null="done_at",
            )
        )
        latest: dict[str, object] = {}
        if locked.last_followup_at is None or taken_at >= locked.last_followup_at:
            latest["last_followup_at"] = taken_at
            if reading is not None:
                latest["last_temperature"] = reading
        if latest:
            writes.append(update_statement(ObservationCase, locked.pk, latest))
    writes.append(
        insert_statement(
            audit_event(
                actor=actor,
                action="followup.record",
                obj=followup,
                jpath=followup.jpath,
                after={**snapshot(followup), "slot_state": chosen.state_at(now)},
            )
        )
    )
    run_together(writes)
    escalation.evaluate_followup(actor=actor, followup=followup)
    return followup
