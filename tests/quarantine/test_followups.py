"""Recording follow-ups: which slot a follow-up fills, what a case keeps of it, every refusal
(impossible temperatures, closed cases, future slots, unknown symptoms) leaving the database
as it was, and escalation judging it in the same transaction."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.quarantine.models import Alert, FollowUp, FollowUpSlot, SlotState, Trigger
from epigrid.quarantine.services import cases as case_services
from epigrid.quarantine.services.followups import followup_record

from .conftest import DAY
from .test_cases import refused
from .world import frozen, local

pytestmark = pytest.mark.django_db
DAY1 = DAY + dt.timedelta(days=1)


def slots_of(case) -> list[FollowUpSlot]:
    return list(FollowUpSlot.objects.filter(case=case).order_by("deadline"))


def record(qworld, case, at, *, actor="worker_a", **kwargs):
    kwargs.setdefault("method", "video")
    kwargs.setdefault("result", "well")
    with frozen(at):
        return followup_record(actor=qworld.actor(actor), case=case, **kwargs)


def test_a_follow_up_fills_the_slot_that_is_due(qworld, open_case):
    case = open_case()
    f = record(qworld, case, local(DAY, 9, 30), temperature="36.6", site="forehead")
    first, second = slots_of(case)[:2]
    assert (first.done_at, first.followup_id) == (local(DAY, 9, 30), f.pk)
    assert first.state_at(local(DAY, 12)) == SlotState.DONE
    assert second.done_at is None
    assert (f.slot_id, f.taken_at, f.temperature, f.site) == (
        first.pk,
        local(DAY, 9, 30),
        Decimal("36.6"),
        "forehead",
    )
    assert f.staff == qworld.staff["grid_a.cadre"]  # worker_a's own grid-worker record
    assert f.recorded_by == qworld.users["worker_a"] and f.jpath == case.jpath
    case.refresh_from_db()
    assert (case.last_followup_at, case.last_temperature) == (local(DAY, 9, 30), Decimal("36.6"))
    assert case.version == 1  # a follow-up never conflicts with an edit of the case
    event = AuditEvent.objects.get(action="followup.record")
    assert (event.actor_username, event.after["slot_state"]) == ("worker_a", "due")


def test_a_person_not_reached_leaves_the_slot_open(qworld, open_case):
    case = open_case()
    attempt = record(qworld, case, local(DAY, 9, 0), result="not_reached", method="phone")
    first = slots_of(case)[0]
    assert attempt.slot_id == first.pk and first.done_at is None
    case.refresh_from_db()
    assert case.last_followup_at is None
    reached = record(qworld, case, local(DAY, 9, 40))
    first.refresh_from_db()
    assert first.followup_id == reached.pk
    assert list(FollowUp.objects.filter(slot=first).order_by("id")) == [attempt, reached]


def test_a_late_follow_up_fills_the_overdue_slot_before_the_current_one(qworld, open_case):
    case = open_case()
    record(qworld, case, local(DAY, 16))
    first, second = slots_of(case)[:2]
    assert first.state_at(local(DAY, 16, 30)) == SlotState.LATE
    assert second.done_at is None
    record(qworld, case, local(DAY, 16, 30))
    second.refresh_from_db()
    assert second.state_at(local(DAY, 18)) == SlotState.DONE


def test_a_follow_up_typed_in_the_next_day_fills_its_own_days_slot(qworld, open_case):
    case = open_case()
    record(qworld, case, local(DAY1, 8), taken_at=local(DAY, 9, 45))
    assert slots_of(case)[0].done_at == local(DAY, 9, 45)


def test_a_given_slot_is_filled(qworld, open_case):
    case = open_case()
    second = slots_of(case)[1]
    record(qworld, case, local(DAY, 11), slot=second)
    second.refresh_from_db()
    assert second.done_at == local(DAY, 11)
    assert slots_of(case)[0].done_at is None


def test_a_self_report_is_recorded_by_the_system(qworld, open_case):
    case = open_case()
    with frozen(local(DAY, 8, 30)):
        f = followup_record(
            actor=SYSTEM,
            case=case,
            method="self_report",
            result="well",
            temperature=Decimal("36.4"),
            symptoms=["cough"],
        )
    assert (f.staff, f.recorded_by, f.symptoms) == (None, None, ["cough"])
    assert AuditEvent.objects.get(action="followup.record").actor_username == "system"


def test_temperatures_are_kept_to_one_decimal(qworld, open_case):
    case = open_case()
    assert record(qworld, case, local(DAY, 8), temperature="37.25").temperature == Decimal("37.3")
    assert record(qworld, case, local(DAY, 10, 30), temperature=34).temperature == Decimal("34.0")
    other = open_case(name="观察丙")
    assert record(qworld, other, local(DAY, 8), temperature="43,0").temperature == Decimal("43.0")


@pytest.mark.parametrize(
    "reading", ["33.9", "43.1", "43.05", 100, "-37", "abc", "NaN", "Infinity", "1e999999", True]
)
def test_impossible_temperatures_are_refused(qworld, open_case, reading):
    case = open_case()
    error = refused(
        ValidationError, lambda: record(qworld, case, local(DAY, 9), temperature=reading)
    )
    assert "temperature" in error.message_dict
    assert "34.0" in str(error) or "36.5" in str(error)


def test_a_follow_up_on_a_closed_case_is_refused(qworld, open_case):
    case = open_case()
    with frozen(local(DAY, 8, 30)):
        case_services.case_close(
            actor=qworld.actor("hq"), case=case, end_reason="transferred", version=1
        )
    refused(
        ValidationError, lambda: record(qworld, case, local(DAY, 9)), match="This case is closed"
    )


def test_bad_follow_ups_are_refused(qworld, open_case):
    case = open_case()
    other = open_case(name="另一人")
    first, second = slots_of(case)[:2]
    at = local(DAY, 9)
    refused(
        ValidationError,
        lambda: record(qworld, case, at, slot=second),
        match="not open yet: it opens at 02-03 10:00",
    )
    refused(
        ValidationError,
        lambda: record(qworld, case, at, taken_at=local(DAY, 9, 10)),
        match="cannot be in the future",
    )
    refused(
        ValidationError,
        lambda: record(qworld, case, at, symptoms=["cough", "zombie"]),
        match="Unknown symptom: zombie",
    )
    refused(
        ValidationError,
        lambda: record(qworld, case, at, result="not_reached", temperature="36.5"),
        match="not reached",
    )
    refused(
        ValidationError,
        lambda: record(qworld, case, at, result="not_reached", symptoms=["cough"]),
        match="not reached",
    )
    refused(ValidationError, lambda: record(qworld, case, at, method="telepathy"), match="allowed")
    refused(ValidationError, lambda: record(qworld, case, at, result="fine"), match="allowed")
    refused(ValidationError, lambda: record(qworld, case, at, site="mouth"), match="allowed")
    refused(
        ValidationError,
        lambda: record(qworld, case, at, slot=slots_of(other)[0]),
        match="another case",
    )
    refused(
        ValidationError,
        lambda: record(qworld, case, at, staff=qworld.staff["grid_b.cadre"]),
        match="does not work for this case",
    )
    refused(ValidationError, lambda: record(qworld, case, at, note="x" * 501), match="500")
    # Before the case starts, nothing is open.
    refused(
        ValidationError,
        lambda: record(qworld, case, local(DAY - dt.timedelta(days=1), 20)),
        match="No follow-up of this case is open",
    )
    record(qworld, case, at, slot=first)
    refused(ValidationError, lambda: record(qworld, case, at, slot=first), match="already done")


def test_when_the_days_follow_ups_are_done_another_is_refused(qworld, open_case):
    case = open_case()
    record(qworld, case, local(DAY, 9))
    record(qworld, case, local(DAY, 11))
    refused(
        ValidationError,
        lambda: record(qworld, case, local(DAY, 20)),
        match="No follow-up of this case is open",
    )


@pytest.mark.parametrize(("actor", "error"), [("worker_b", Http404), ("analyst", PermissionDenied)])
def test_who_may_record_a_follow_up(qworld, open_case, actor, error):
    case = open_case()
    refused(error, lambda: record(qworld, case, local(DAY, 9), actor=actor))


def test_escalation_judges_the_follow_up_inside_the_same_transaction(qworld, open_case):
    case = open_case()
    seen = []

    def judge(*, actor, followup):
        seen.append((actor.label, followup.pk, transaction.get_connection().in_atomic_block))
        assert FollowUp.objects.filter(pk=followup.pk).exists()
        raise RuntimeError("escalation failed")

    target = "epigrid.quarantine.services.escalation.evaluate_followup"
    with mock.patch(target, side_effect=judge):
        refused(RuntimeError, lambda: record(qworld, case, local(DAY, 9)))
    assert len(seen) == 1 and seen[0][0] == "worker_a" and seen[0][2] is True


def test_a_fever_reading_raises_an_alert(qworld, open_case):
    case = open_case()
    f = record(qworld, case, local(DAY, 9), temperature="38.2", result="unwell")
    alert = Alert.objects.get(case=case)
    assert (alert.trigger, alert.followup_id) == (Trigger.FEVER, f.pk)


def test_escalation_gets_the_case_as_it_is_under_the_lock(qworld, open_case):
    case = open_case()
    seen = []

    def judge(*, actor, followup):
        c = followup.case
        seen.append((c.pk, c.person_id, c.jurisdiction_id, c.team_id, c.jpath, c.policy))
        return []

    target = "epigrid.quarantine.services.escalation.evaluate_followup"
    first = slots_of(case)[0]
    with mock.patch(target, side_effect=judge):
        record(qworld, case, local(DAY, 9), slot=first)
        record(qworld, case, local(DAY, 11))  # no slot given: the case alone is locked
    mine = (case.pk, case.person_id, case.jurisdiction_id, case.team_id, case.jpath, case.policy)
    assert seen == [mine, mine]
