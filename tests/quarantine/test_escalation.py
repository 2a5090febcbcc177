"""Escalation fires on each of its three triggers: a fever reading (at the threshold with >=,
only above it with >), a serious symptom, two consecutive missed slots (at the moment the
second deadline passes); never twice for one situation."""

import datetime as dt

import pytest
from django.core.management import call_command

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.policy.selectors import policy_snapshot
from epigrid.quarantine import rules
from epigrid.quarantine.models import Alert, AlertOutcome, FollowUpSlot, Trigger
from epigrid.quarantine.services.escalation import evaluate_followup, scan_missed
from epigrid.schedules import JOBS

from .alerts_world import DAY, reading, slots
from .world import local, make_case

pytestmark = pytest.mark.django_db
NEXT = DAY + dt.timedelta(days=1)


def _policy(**changes):
    return {**policy_snapshot(rules.POLICY_KEYS, DAY), **changes}


def _raise(case, **kw):
    return evaluate_followup(actor=SYSTEM, followup=reading(case, **kw))


# --- fever --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inclusive", "temperature", "fires"),
    [
        (True, "37.3", True),
        (False, "37.3", False),
        (False, "37.4", True),
        (True, "37.2", False),
        (False, "37.2", False),
        (True, "39.9", True),
    ],
)
def test_fever_at_the_threshold_depends_on_the_policy(world, inclusive, temperature, fires):
    case = make_case(world, policy=_policy(fever_threshold=37.3, fever_inclusive=inclusive))
    alerts = _raise(case, temperature=temperature)
    assert [a.trigger for a in alerts] == ([Trigger.FEVER] if fires else [])
    assert Alert.objects.filter(case=case).count() == (1 if fires else 0)
    if fires:
        alert = Alert.objects.get(case=case)
        assert alert.jpath == case.jpath
        assert alert.followup == alerts[0].followup
        assert alert.detail.startswith(f"{temperature} °C")
        assert alert.closed_at is None and alert.outcome == ""


def test_the_case_keeps_its_own_threshold(world):
    """A case opened under 38.0 does not alert at 37.5, whatever today's policy says."""
    case = make_case(world, policy=_policy(fever_threshold=38.0))
    assert _raise(case, temperature="37.5") == []
    assert [a.trigger for a in _raise(case, temperature="38.0")] == [Trigger.FEVER]


def test_a_reading_without_trigger_costs_no_query(world, django_assert_num_queries):
    case = make_case(world)
    followup = reading(case, temperature="36.6", symptoms=["cough"])
    with django_assert_num_queries(0):
        assert evaluate_followup(actor=SYSTEM, followup=followup) == []
    not_reached = reading(case, result="not_reached")
    with django_assert_num_queries(0):
        assert evaluate_followup(actor=SYSTEM, followup=not_reached) == []


# --- serious symptoms ---------------------------------------------------------------------


def test_a_serious_symptom_raises_an_alert_and_a_mild_one_does_not(world):
    case = make_case(world)
    assert _raise(case, temperature="36.8", symptoms=["cough", "fatigue"]) == []
    alerts = _raise(case, temperature="36.8", symptoms=["cough", "short_breath"])
    assert [a.trigger for a in alerts] == [Trigger.SERIOUS_SYMPTOM]
    assert Alert.objects.get(case=case).detail == "short_breath"


def test_fever_and_a_serious_symptom_raise_one_alert_each(world):
    case = make_case(world)
    alerts = _raise(case, temperature="38.6", symptoms=["chest_pain", "short_breath", "cough"])
    assert sorted(a.trigger for a in alerts) == [Trigger.FEVER, Trigger.SERIOUS_SYMPTOM]
    assert Alert.objects.filter(case=case).count() == 2
    serious = Alert.objects.get(case=case, trigger=Trigger.SERIOUS_SYMPTOM)
    assert serious.detail == "chest_pain, short_breath"
    raised = AuditEvent.objects.filter(action="alert.raise", entity_type="quarantine.alert")
    assert raised.count() == 2


# --- no duplicates ------------------------------------------------------------------------


def test_a_second_fever_reading_is_added_to_the_open_alert(world):
    case = make_case(world)
    (first,) = _raise(case, temperature="37.8", at=local(DAY, 9, 30))
    (again,) = _raise(case, temperature="38.4", at=local(DAY, 16, 30))
    assert again.pk == first.pk
    alert = Alert.objects.get(case=case)
    assert alert.followup == first.followup  # the reading that found it first
    assert alert.raised_at == local(DAY, 9, 30)
    assert alert.detail == "37.8 °C (2020-02-03 09:30), 38.4 °C (2020-02-03 16:30)"
    assert alert.version == 2  # a closer holding version 1 now gets a conflict
    assert AuditEvent.objects.filter(action="alert.repeat", entity_id=str(alert.pk)).count() == 1


def test_serious_symptoms_of_later_readings_are_merged(world):
    case = make_case(world)
    _raise(case, symptoms=["short_breath"], at=local(DAY, 9, 30))
    _raise(case, symptoms=["chest_pain", "short_breath"], at=local(DAY, 16, 30))
    assert Alert.objects.get(case=case).detail == "short_breath, chest_pain"


def test_many_readings_keep_the_first_and_the_latest(world):
    case = make_case(world)
    temps = [f"{37.5 + i / 10:.1f}" for i in range(20)]
    for i, (slot, temp) in enumerate(zip(slots(case), temps, strict=False)):
        _raise(case, temperature=temp, slot=slot, at=slot.deadline - dt.timedelta(minutes=i))
    alert = Alert.objects.get(case=case)
    assert len(alert.detail) <= 200
    assert alert.detail.startswith("37.5 °C") and "…" in alert.detail
    assert "39.4 °C" in alert.detail.split(", ")[-1]


def test_after_the_alert_is_closed_a_new_fever_raises_a_new_one(world):
    case = make_case(world)
    (first,) = _raise(case, temperature="38.0", at=local(DAY, 9, 30))
    Alert.objects.filter(pk=first.pk).update(
        closed_at=local(DAY, 12), outcome=AlertOutcome.RECHECK_NORMAL
    )
    (second,) = _raise(case, temperature="38.1", at=local(DAY, 16, 30))
    assert second.pk != first.pk
    assert Alert.objects.filter(case=case, closed_at__isnull=True).count() == 1


def test_a_fever_on_another_case_is_its_own_alert(world):
    one, two = make_case(world, name="甲"), make_case(world, name="乙")
    _raise(one, temperature="38.0")
    _raise(two, temperature="38.0")
    assert Alert.objects.filter(trigger=Trigger.FEVER).count() == 2


def test_through_the_followup_service(world):
    """End to end: the follow-up service judges the reading in its own transaction."""
    from epigrid.quarantine.services.followups import followup_record

    case = make_case(world)
    followup_record(
        actor=world.actor("worker_a"),
        case=case,
        method="video",
        result="unwell",
        taken_at=local(DAY, 9, 40),
        temperature="37.3",
        site="axillary",
        symptoms=["short_breath"],
    )
    triggers = sorted(Alert.objects.filter(case=case).values_list("trigger", flat=True))
    assert triggers == [Trigger.FEVER, Trigger.SERIOUS_SYMPTOM]
    assert AuditEvent.objects.filter(action="alert.raise", actor_username="worker_a").count() == 2


# --- two consecutive missed slots -----------------------------------------------------------


def test_two_missed_slots_alert_the_moment_the_second_deadline_passes(world):
    case = make_case(world)
    first, second = slots(case)[:2]
    assert scan_missed(now=local(DAY, 10, 1)) == 0  # one missed slot is not an alert
    assert scan_missed(now=local(DAY, 16, 59)) == 0
    assert scan_missed(now=local(DAY, 17, 0)) == 0  # the deadline is inclusive
    assert scan_missed(now=local(DAY, 17, 1)) == 1
    alert = Alert.objects.get(case=case)
    assert alert.trigger == Trigger.MISSED_SLOTS
    assert alert.slot == second
    assert alert.raised_at == local(DAY, 17, 1)
    assert alert.detail == "2020-02-03 10:00, 2020-02-03 17:00"
    assert alert.jpath == case.jpath
    event = AuditEvent.objects.get(action="alert.raise", entity_id=str(alert.pk))
    assert event.actor_username == "system"
    assert first.deadline < second.deadline


def test_the_scan_is_idempotent(world):
    case = make_case(world)
    assert scan_missed(now=local(DAY, 17, 1)) == 1
    assert scan_missed(now=local(DAY, 17, 1)) == 0
    assert scan_missed(now=local(DAY, 17, 6)) == 0
    assert Alert.objects.filter(case=case).count() == 1
    assert AuditEvent.objects.filter(action="alert.raise").count() == 1


def test_a_late_followup_that_filled_one_slot_breaks_the_pair(world):
    case = make_case(world)
    first = slots(case)[0]
    reading(case, slot=first, at=local(DAY, 12, 15))  # late, but done
    assert scan_missed(now=local(DAY, 17, 1)) == 0
    assert not Alert.objects.exists()


def test_a_person_not_reached_leaves_the_slot_missed(world):
    case = make_case(world)
    first = slots(case)[0]
    reading(case, slot=first, at=local(DAY, 9, 50), result="not_reached")
    assert scan_missed(now=local(DAY, 17, 1)) == 1


def test_missed_slots_pair_across_midnight(world):
    case = make_case(world)
    first, _second, third = slots(case)[:3]
    reading(case, slot=first, at=local(DAY, 9, 0))
    assert scan_missed(now=local(DAY, 17, 1)) == 0
    assert scan_missed(now=local(NEXT, 0, 0)) == 0
    assert scan_missed(now=local(NEXT, 10, 0)) == 0
    assert scan_missed(now=local(NEXT, 10, 1)) == 1
    assert Alert.objects.get(case=case).slot == third


def test_a_done_slot_between_two_missed_ones_breaks_the_pair(world):
    case = make_case(world)
    _first, second, _third, fourth = slots(case)[:4]
    reading(case, slot=second, at=local(DAY, 16, 0))
    assert scan_missed(now=local(NEXT, 10, 1)) == 0  # 10:00 missed, 17:00 done, 10:00 missed
    assert scan_missed(now=local(NEXT, 17, 1)) == 1
    assert Alert.objects.get(case=case).slot == fourth


def test_a_run_of_missed_slots_raises_one_alert_while_it_is_open(world):
    case = make_case(world)
    assert scan_missed(now=local(DAY, 17, 1)) == 1
    assert scan_missed(now=local(NEXT, 10, 1)) == 0
    assert scan_missed(now=local(NEXT, 17, 1)) == 0
    assert Alert.objects.filter(case=case).count() == 1


def test_after_closing_only_a_new_miss_raises_again(world):
    case = make_case(world)
    assert scan_missed(now=local(DAY, 17, 1)) == 1
    Alert.objects.update(closed_at=local(DAY, 18), outcome=AlertOutcome.RECHECK_NORMAL)
    assert scan_missed(now=local(DAY, 23, 0)) == 0  # nothing new since it was closed
    assert scan_missed(now=local(NEXT, 10, 1)) == 1  # missed again after the closing
    newest = Alert.objects.filter(case=case, closed_at__isnull=True).get()
    assert newest.slot == slots(case)[2]


def test_one_alert_per_case_with_two_cases_missed(world):
    one, two, fine = (make_case(world, name=n) for n in ("甲", "乙", "丙"))
    for slot in slots(fine)[:2]:
        reading(fine, slot=slot)
    assert scan_missed(now=local(DAY, 17, 1)) == 2
    assert set(Alert.objects.values_list("case_id", flat=True)) == {one.pk, two.pk}


def test_closed_cases_and_old_misses_are_left_alone(world):
    closed = make_case(world, name="已结案")
    FollowUpSlot.objects.filter(case=closed).update(case_open=False)
    assert scan_missed(now=local(DAY, 17, 1)) == 0
    old = make_case(world, name="旧", start=DAY - dt.timedelta(days=20), days=14)
    assert scan_missed(now=local(DAY, 17, 1)) == 0  # its slots ended more than 48 h ago
    assert not Alert.objects.filter(case__in=[closed, old]).exists()


def test_the_scan_reads_in_constant_queries(world):
    """However many cases are open and missed, a scan with nothing new to raise costs the
    same two queries (the candidate slots with their predecessors, the existing alerts)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(2):
        make_case(world, name=f"病例{i}")
    assert scan_missed(now=local(DAY, 17, 1)) == 2
    with CaptureQueriesContext(connection) as few:
        assert scan_missed(now=local(DAY, 17, 2)) == 0
    for i in range(12):
        make_case(world, name=f"更多{i}")
    assert scan_missed(now=local(DAY, 17, 3)) == 12
    with CaptureQueriesContext(connection) as many:
        assert scan_missed(now=local(DAY, 17, 4)) == 0
    assert len(many) == len(few) == 2


def test_the_command_is_scheduled_and_idempotent(world):
    case = make_case(world)
    job = next(j for j in JOBS if j.command[0] == "quarantine_scan")
    assert len(job.cron.split()) == 5
    call_command("quarantine_scan", "--now", "2020-02-03T17:01")
    call_command("quarantine_scan", "--now", "2020-02-03T17:01")
    assert Alert.objects.filter(case=case, trigger=Trigger.MISSED_SLOTS).count() == 1
