"""Carrying an alert to an outcome: referral steps in order with their times, closing only
with an outcome that agrees with a recorded diagnosis, version-checked, scoped, audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.quarantine.models import Alert, ReferralEvent
from epigrid.quarantine.services.escalation import (
    alert_close,
    evaluate_followup,
    referral_record,
)

from .alerts_world import DAY, fever_alert, reading
from .world import local

pytestmark = pytest.mark.django_db


def _state(alert):
    row = Alert.objects.values().get(pk=alert.pk)
    steps = list(ReferralEvent.objects.filter(alert=alert).values_list("step", "at", "diagnosis"))
    return row, steps, AuditEvent.objects.count()


def _step(world, alert, step, hour, minute=0, who="worker_a", **kw):
    return referral_record(
        actor=world.actor(who), alert=alert, step=step, at=local(DAY, hour, minute), **kw
    )


def _refused(fn, field=None, contains=""):
    with pytest.raises(ValidationError) as exc:
        fn()
    err = exc.value
    messages = err.message_dict.get(field, []) if field else err.messages
    assert any(contains in m for m in messages), err.messages
    return err


def test_full_carry_to_a_diagnosis_outcome(world):
    alert = fever_alert(world)
    _step(world, alert, "reported", 9, 45, note="报告街道防控办")
    _step(world, alert, "isolated", 10, 5)
    _step(world, alert, "transported", 10, 40, note="120 送发热门诊")
    _step(world, alert, "diagnosed", 15, 0, diagnosis="excluded", who="secretary")
    alert.refresh_from_db()
    assert alert.version == 5  # raised, then one bump per step
    closed = alert_close(
        actor=world.actor("worker_a"),
        alert=alert,
        outcome="excluded",
        note="核酸阴性，继续居家观察",
        version=alert.version,
    )
    closed.refresh_from_db()
    assert closed.closed_at is not None and closed.outcome == "excluded"
    assert closed.closed_by == world.users["worker_a"]
    assert closed.close_note == "核酸阴性，继续居家观察"
    steps = list(ReferralEvent.objects.filter(alert=alert).order_by("at"))
    assert [(s.step, timezone.localtime(s.at).strftime("%H:%M")) for s in steps] == [
        ("reported", "09:45"),
        ("isolated", "10:05"),
        ("transported", "10:40"),
        ("diagnosed", "15:00"),
    ]
    assert steps[-1].diagnosis == "excluded"
    assert steps[-1].recorded_by == world.users["secretary"]
    actions = list(
        AuditEvent.objects.filter(entity_type="quarantine.alert", entity_id=str(alert.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["alert.raise", *["alert.referral"] * 4, "alert.close"]


def test_reported_comes_first(world):
    alert = fever_alert(world)
    before = _state(alert)
    _refused(lambda: _step(world, alert, "isolated", 10), "step", "first")
    assert _state(alert) == before


def test_isolation_and_transport_may_be_skipped(world):
    alert = fever_alert(world)
    _step(world, alert, "reported", 9, 45)
    _step(world, alert, "diagnosed", 11, diagnosis="suspected")
    assert ReferralEvent.objects.filter(alert=alert).count() == 2


def test_steps_are_never_recorded_twice_or_out_of_order(world):
    alert = fever_alert(world)
    _step(world, alert, "reported", 9, 45)
    _refused(lambda: _step(world, alert, "reported", 9, 50), "step", "already")
    _step(world, alert, "transported", 10, 30)
    before = _state(alert)
    _refused(lambda: _step(world, alert, "isolated", 10, 45), "step", "order")
    assert _state(alert) == before


def test_the_diagnosis_step_needs_an_outcome_and_only_it_takes_one(world):
    alert = fever_alert(world)
    _refused(lambda: _step(world, alert, "reported", 10, diagnosis="excluded"), "diagnosis")
    _step(world, alert, "reported", 10)
    _refused(lambda: _step(world, alert, "diagnosed", 11), "diagnosis", "excluded")
    _refused(lambda: _step(world, alert, "diagnosed", 11, diagnosis="healthy"), "diagnosis")
    assert ReferralEvent.objects.filter(alert=alert).count() == 1


def test_step_times_are_checked(world):
    alert = fever_alert(world)  # the reading was taken at 09:30
    _refused(lambda: _step(world, alert, "reported", 9, 0), "at", "raised the alert")
    future = timezone.now() + dt.timedelta(hours=1)
    _refused(
        lambda: referral_record(
            actor=world.actor("worker_a"), alert=alert, step="reported", at=future
        ),
        "at",
        "future",
    )
    _step(world, alert, "reported", 9, 30)  # at the reading itself is fine
    _step(world, alert, "isolated", 11)
    _refused(lambda: _step(world, alert, "transported", 10, 59), "at", "previous step")
    _refused(
        lambda: referral_record(
            actor=world.actor("worker_a"), alert=alert, step="transported", at=None
        ),
        "at",
    )


def test_a_time_without_zone_is_local(world):
    alert = fever_alert(world)
    event = referral_record(
        actor=world.actor("worker_a"),
        alert=alert,
        step="reported",
        at=dt.datetime(2020, 2, 3, 9, 45),
    )
    assert event.at == local(DAY, 9, 45)


def test_a_closed_alert_takes_no_more_steps(world):
    alert = fever_alert(world)
    alert_close(actor=SYSTEM, alert=alert, outcome="recheck_normal", version=alert.version)
    before = _state(alert)
    _refused(lambda: _step(world, alert, "reported", 10), contains="closed")
    assert _state(alert) == before


# --- closing ------------------------------------------------------------------------------


@pytest.mark.parametrize("outcome", ["", "   ", None])
def test_closing_without_an_outcome_is_refused_and_changes_nothing(world, outcome):
    alert = fever_alert(world)
    before = _state(alert)
    err = _refused(
        lambda: alert_close(
            actor=world.actor("worker_a"), alert=alert, outcome=outcome, version=alert.version
        ),
        "outcome",
        "without an outcome",
    )
    assert err.message_dict["outcome"] == ["An alert cannot be closed without an outcome."]
    assert _state(alert) == before


def test_closing_with_an_unknown_outcome_is_refused(world):
    alert = fever_alert(world)
    before = _state(alert)
    _refused(
        lambda: alert_close(actor=SYSTEM, alert=alert, outcome="healed", version=alert.version),
        "outcome",
    )
    assert _state(alert) == before


def test_a_recheck_closes_an_alert_without_referral(world):
    alert = fever_alert(world)
    alert_close(
        actor=world.actor("worker_a"),
        alert=alert,
        outcome="recheck_normal",
        note="  复测 36.8  ",
        version=1,
    )
    alert.refresh_from_db()
    assert alert.outcome == "recheck_normal" and alert.close_note == "复测 36.8"


@pytest.mark.parametrize("outcome", ["excluded", "suspected", "confirmed"])
def test_a_diagnosis_outcome_needs_the_diagnosis_step(world, outcome):
    alert = fever_alert(world)
    _step(world, alert, "reported", 10)
    alert.refresh_from_db()
    before = _state(alert)
    _refused(
        lambda: alert_close(actor=SYSTEM, alert=alert, outcome=outcome, version=alert.version),
        "outcome",
        "diagnosis step",
    )
    assert _state(alert) == before


@pytest.mark.parametrize("outcome", ["excluded", "suspected", "recheck_normal"])
def test_the_outcome_must_agree_with_the_recorded_diagnosis(world, outcome):
    alert = fever_alert(world)
    _step(world, alert, "reported", 10)
    _step(world, alert, "diagnosed", 16, diagnosis="confirmed")
    alert.refresh_from_db()
    before = _state(alert)
    _refused(
        lambda: alert_close(actor=SYSTEM, alert=alert, outcome=outcome, version=alert.version),
        "outcome",
        "Confirmed case",
    )
    assert _state(alert) == before
    alert_close(actor=SYSTEM, alert=alert, outcome="confirmed", version=alert.version)
    alert.refresh_from_db()
    assert alert.outcome == "confirmed"


def test_a_stale_version_is_a_clear_conflict(world):
    alert = fever_alert(world)
    loaded = alert.version
    _step(world, alert, "reported", 10)  # somebody else adds a step meanwhile
    stale = Alert.objects.get(pk=alert.pk)
    before = _state(alert)
    with pytest.raises(ConcurrentEditError) as exc:
        alert_close(actor=SYSTEM, alert=stale, outcome="recheck_normal", version=loaded)
    assert "Someone else changed this record" in str(exc.value)
    assert _state(alert) == before


def test_a_new_reading_makes_a_pending_close_conflict(world):
    """A closer who loaded the alert before a new fever reading came in cannot close it as
    "re-checked: normal" without seeing that reading."""
    alert = fever_alert(world)
    loaded = alert.version
    evaluate_followup(
        actor=SYSTEM,
        followup=reading(alert.case, temperature="39.1", at=local(DAY, 16, 0)),
    )
    with pytest.raises(ConcurrentEditError):
        alert_close(actor=SYSTEM, alert=alert, outcome="recheck_normal", version=loaded)


def test_an_alert_closes_once(world):
    alert = fever_alert(world)
    alert_close(actor=SYSTEM, alert=alert, outcome="recheck_normal", version=1)
    alert.refresh_from_db()
    before = _state(alert)
    _refused(
        lambda: alert_close(
            actor=SYSTEM, alert=alert, outcome="recheck_normal", version=alert.version
        ),
        contains="already closed",
    )
    assert _state(alert) == before


def test_a_note_is_cleaned_and_bounded(world):
    alert = fever_alert(world)
    _refused(lambda: _step(world, alert, "reported", 10, note="x" * 201), "note", "200")
    _refused(
        lambda: alert_close(
            actor=SYSTEM, alert=alert, outcome="recheck_normal", note="y" * 201, version=1
        ),
        "note",
    )
    assert not ReferralEvent.objects.exists()


# --- who may carry an alert -------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "refusal"),
    [("worker_b", Http404), ("analyst", PermissionDenied)],
)
def test_only_those_who_manage_alerts_there_may_write(world, who, refusal):
    alert = fever_alert(world)
    before = _state(alert)
    with pytest.raises(refusal):
        _step(world, alert, "reported", 10, who=who)
    with pytest.raises(refusal):
        alert_close(actor=world.actor(who), alert=alert, outcome="recheck_normal", version=1)
    assert _state(alert) == before


@pytest.mark.parametrize("who", ["worker_a", "secretary", "hq"])
def test_the_team_the_village_and_headquarters_may_carry_it(world, who):
    alert = fever_alert(world)
    _step(world, alert, "reported", 10, who=who)
    alert.refresh_from_db()
    alert_close(
        actor=world.actor(who), alert=alert, outcome="recheck_normal", version=alert.version
    )
    assert AuditEvent.objects.filter(action="alert.close", actor_username=who).count() == 1
