"""Observation cases through their services: opening under the policy in force, the slots
owed, extending, shortening, closing and editing; every refusal leaves the database as it
was."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.policy.services import policy_set
from epigrid.quarantine import rules
from epigrid.quarantine.models import EndDateChange, FollowUpSlot, ObservationCase, SlotState
from epigrid.quarantine.services import cases as services
from epigrid.registry.models import PersonCategory

from .conftest import DAY
from .world import frozen, local, new_person, quarantine_state

pytestmark = pytest.mark.django_db


def slots_of(case) -> list[FollowUpSlot]:
    return list(FollowUpSlot.objects.filter(case=case).order_by("deadline"))


def refused(exc_type, call, *, match: str | None = None):
    """Runs a write that must be refused, and checks it changed nothing."""
    before = quarantine_state()
    with pytest.raises(exc_type) as info:
        call()
    assert quarantine_state() == before, "a refused write changed something"
    if match is not None:
        assert match in str(info.value), info.value
    return info.value


# --- opening ------------------------------------------------------------------------------


def test_a_case_opened_in_the_morning_owes_two_slots_a_day_for_fourteen_days(qworld, open_case):
    case = open_case()
    assert case.end_date == DAY + dt.timedelta(days=14)
    assert case.team == qworld.teams["grid_a"]  # the grid's only three-person team
    assert set(case.policy) == set(rules.POLICY_KEYS)
    assert case.policy["followup_deadlines"] == ["10:00", "17:00"]
    slots = slots_of(case)
    assert len(slots) == 28
    assert {s.team_id for s in slots} == {qworld.teams["grid_a"].pk}
    assert all(s.case_open and s.jpath == case.jpath for s in slots)
    assert (slots[0].day, slots[0].number, slots[0].deadline) == (DAY, 1, local(DAY, 10))
    assert slots[0].opens_at == local(DAY) and slots[1].opens_at == local(DAY, 10)
    assert slots[-1].day == DAY + dt.timedelta(days=13)
    event = AuditEvent.objects.filter(action="case.open").get()
    assert (event.actor_username, event.after["slots"]) == ("hq", 28)


def test_a_case_opened_after_a_deadline_does_not_owe_that_slot(open_case):
    assert len(slots_of(open_case(at=local(DAY, 10, 1)))) == 27
    assert len(slots_of(open_case(name="观察丙", at=local(DAY, 17, 0)))) == 26


def test_the_policy_in_force_on_the_start_date_is_kept_on_the_case(qworld, open_case):
    policy_set(actor=SYSTEM, key="observation_days", value=10, active_from=DAY)
    policy_set(actor=SYSTEM, key="followup_deadlines", value="09:00, 13:00, 18:00", active_from=DAY)
    before = open_case(name="旧政策", start=DAY - dt.timedelta(days=1))
    case = open_case()
    assert before.end_date - before.start_date == dt.timedelta(days=14)
    assert case.end_date == DAY + dt.timedelta(days=10)
    assert case.policy["followup_deadlines"] == ["09:00", "13:00", "18:00"]
    assert len(slots_of(case)) == 30
    # A later change does not touch the open case.
    policy_set(actor=SYSTEM, key="observation_days", value=21, active_from=DAY)
    case.refresh_from_db()
    assert case.policy["observation_days"] == 10


def test_a_back_dated_case_owes_slots_only_from_the_moment_it_is_opened(open_case):
    start = DAY - dt.timedelta(days=3)
    case = open_case(start=start, at=local(DAY, 8))
    assert case.end_date == start + dt.timedelta(days=14)
    slots = slots_of(case)
    assert len(slots) == 11 * 2
    assert slots[0].day == DAY
    assert not [s for s in slots if s.state_at(local(DAY, 8)) == SlotState.MISSED]


def test_a_future_start_owes_every_slot_of_the_period(open_case):
    case = open_case(start=DAY + dt.timedelta(days=5))
    assert len(slots_of(case)) == 28


def test_a_team_of_the_big_grid_may_take_a_case(qworld, open_case):
    case = open_case(team=qworld.teams["big_a"])
    assert case.team == qworld.teams["big_a"]


def test_a_village_secretary_opens_cases_in_the_village(qworld, open_case):
    case = open_case(actor="secretary", grid="grid_a2")
    assert case.team == qworld.teams["grid_a2"]


def _open(qworld, *, actor="hq", grid="grid_a", person=None, start=DAY, **kwargs):
    person = person or new_person(qworld, grid=grid)
    kwargs.setdefault("regime", "home_quarantine")
    kwargs.setdefault("reason", PersonCategory.objects.get(code="source_area"))
    kwargs.setdefault("jurisdiction", qworld.nodes[grid])

    def call():
        with frozen(local(DAY, 8)):
            return services.case_open(
                actor=qworld.actor(actor), person=person, start_date=start, **kwargs
            )

    return call


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (DAY - dt.timedelta(days=8), "more than 7 days ago"),
        (DAY + dt.timedelta(days=31), "more than 30 days ahead"),
    ],
)
def test_implausible_start_dates_are_refused(qworld, start, message):
    refused(ValidationError, _open(qworld, start=start), match=message)


def test_a_start_whose_period_would_already_be_over_is_refused(qworld):
    policy_set(actor=SYSTEM, key="observation_days", value=3, active_from=DAY - dt.timedelta(9))
    refused(
        ValidationError,
        _open(qworld, start=DAY - dt.timedelta(days=5)),
        match="would already be over",
    )


def test_a_second_open_case_of_the_same_regime_is_refused(qworld, open_case):
    person = new_person(qworld)
    first = open_case(person=person)
    error = refused(ValidationError, _open(qworld, person=person), match=str(first.pk))
    assert "already has an open case" in str(error)
    # Another regime is another case; after closing, a new one may open.
    other = open_case(person=person, regime="home_observation")
    assert other.pk != first.pk
    with frozen(local(DAY, 9)):
        services.case_close(
            actor=qworld.actor("hq"), case=first, end_reason="cancelled", version=first.version
        )
    assert open_case(person=person, at=local(DAY, 9, 30)).pk not in (first.pk, other.pk)


def test_bad_openings_are_refused(qworld):
    person = new_person(qworld)
    merged = new_person(qworld, name="重复")
    type(merged).objects.filter(pk=merged.pk).update(merged_into=person)
    merged.refresh_from_db()
    refused(ValidationError, _open(qworld, person=merged), match="merged")
    refused(ValidationError, _open(qworld, regime="hotel"), match="allowed values")
    refused(
        ValidationError,
        _open(qworld, jurisdiction=qworld.nodes["village_a"]),
        match="small grid",
    )
    refused(ValidationError, _open(qworld, team=qworld.teams["grid_b"]), match="does not work")
    refused(ValidationError, _open(qworld, note="x" * 501), match="500")
    assert not ObservationCase.objects.exists()


@pytest.mark.parametrize(
    ("actor", "grid", "error"),
    [
        ("worker_a", "grid_a", PermissionDenied),  # grid workers follow up, not open cases
        ("analyst", "grid_a", PermissionDenied),
        ("worker_b", "grid_a", Http404),
        ("secretary", "grid_b", Http404),
    ],
)
def test_who_may_open_a_case(qworld, actor, grid, error):
    refused(error, _open(qworld, actor=actor, grid=grid))


def test_a_person_outside_the_actors_register_is_as_if_unknown(qworld):
    person_b = new_person(qworld, grid="grid_b")
    refused(Http404, _open(qworld, actor="secretary", person=person_b))


# --- changing the release date ------------------------------------------------------------


def _change(qworld, case, new_end, at, *, version=None, reason="复核后调整", actor="hq"):
    with frozen(at):
        return services.case_change_end(
            actor=qworld.actor(actor),
            case=case,
            new_end=new_end,
            reason=reason,
            version=case.version if version is None else version,
        )


def test_extending_adds_the_slots_of_the_added_days(qworld, open_case):
    case = open_case()
    end = case.end_date
    _change(qworld, case, end + dt.timedelta(days=3), local(DAY + dt.timedelta(days=2), 12))
    assert case.end_date == end + dt.timedelta(days=3)
    assert case.version == 2
    assert len(slots_of(case)) == 28 + 6
    change = EndDateChange.objects.get(case=case)
    assert (change.previous_end, change.new_end, change.reason) == (
        end,
        end + dt.timedelta(days=3),
        "复核后调整",
    )
    assert AuditEvent.objects.filter(action="case.change_end").count() == 1


def test_shortening_drops_the_slots_not_yet_due_and_keeps_missed_ones(qworld, open_case):
    case = open_case()
    day3 = DAY + dt.timedelta(days=3)
    # Day 3 at 12:00: its 10:00 slot was missed... by nobody yet: it is overdue, and stays.
    _change(qworld, case, day3, local(day3, 12))
    kept = [s for s in slots_of(case) if s.day >= day3]
    assert [(s.day, s.number) for s in kept] == [(day3, 1)]
    assert len(slots_of(case)) == 3 * 2 + 1


def test_extending_again_after_a_shortening_skips_slots_done_early(qworld, open_case):
    from epigrid.quarantine.services.followups import followup_record

    case = open_case()
    day2 = DAY + dt.timedelta(days=2)
    with frozen(local(day2, 11)):
        for _ in range(2):  # both of day 2's slots, the 17:00 one early
            followup_record(actor=qworld.actor("hq"), case=case, method="phone", result="well")
    _change(qworld, case, day2, local(day2, 12))
    _change(qworld, case, day2 + dt.timedelta(days=2), local(day2, 12, 5))
    days = [(s.day, s.number) for s in slots_of(case) if s.day >= day2]
    assert days == [(day2, 1), (day2, 2), (day2 + dt.timedelta(1), 1), (day2 + dt.timedelta(1), 2)]


def test_bad_changes_of_the_release_date_are_refused(qworld, open_case):
    case = open_case()
    at = local(DAY + dt.timedelta(days=2), 9)
    refused(ValidationError, lambda: _change(qworld, case, DAY, at), match="after the start")
    refused(
        ValidationError,
        lambda: _change(qworld, case, DAY + dt.timedelta(days=1), at),
        match="before today",
    )
    refused(ValidationError, lambda: _change(qworld, case, case.end_date, at), match="already")
    refused(
        ValidationError, lambda: _change(qworld, case, case.end_date, at, reason=" "), match="req"
    )
    refused(
        ConcurrentEditError,
        lambda: _change(qworld, case, case.end_date + dt.timedelta(days=1), at, version=7),
        match="Someone else changed this record",
    )
    refused(
        PermissionDenied,
        lambda: _change(qworld, case, case.end_date + dt.timedelta(1), at, actor="worker_a"),
    )
    refused(
        Http404,
        lambda: _change(qworld, case, case.end_date + dt.timedelta(1), at, actor="worker_b"),
    )


# --- closing and editing ------------------------------------------------------------------


def _close(qworld, case, at, *, reason="transferred", version=None, actor="hq", note=""):
    with frozen(at):
        return services.case_close(
            actor=qworld.actor(actor),
            case=case,
            end_reason=reason,
            note=note,
            version=case.version if version is None else version,
        )


def test_closing_takes_the_case_off_every_worklist_and_keeps_its_history(qworld, open_case):
    case = open_case()
    day1 = DAY + dt.timedelta(days=1)
    at = local(day1, 12)
    _close(qworld, case, at, note="转入集中隔离点")
    assert case.closed_at == at and case.end_reason == "transferred"
    assert case.close_note == "转入集中隔离点"
    slots = slots_of(case)
    # Day 0 and day 1's two slots had opened; the rest had not and are gone.
    assert [(s.day, s.number) for s in slots] == [(DAY, 1), (DAY, 2), (day1, 1), (day1, 2)]
    assert not any(s.case_open for s in slots)
    assert case.status_at(at) == "closed"
    refused(ValidationError, lambda: _close(qworld, case, at), match="already closed")
    refused(
        ValidationError,
        lambda: _change(qworld, case, case.end_date + dt.timedelta(1), at),
        match="closed",
    )


def test_completed_needs_the_period_to_be_over(qworld, open_case):
    case = open_case()
    refused(
        ValidationError,
        lambda: _close(qworld, case, local(DAY + dt.timedelta(days=13), 20), reason="completed"),
        match="runs until",
    )
    _close(qworld, case, local(case.end_date, 9), reason="completed")
    assert case.end_reason == "completed"


def test_bad_closings_are_refused(qworld, open_case):
    case = open_case()
    at = local(DAY, 12)
    refused(ValidationError, lambda: _close(qworld, case, at, reason="escaped"), match="allowed")
    refused(ConcurrentEditError, lambda: _close(qworld, case, at, version=case.version + 1))
    refused(PermissionDenied, lambda: _close(qworld, case, at, actor="analyst"))
    refused(Http404, lambda: _close(qworld, case, at, actor="worker_b"))


def test_a_new_team_takes_the_slots_not_yet_done(qworld, open_case):
    from epigrid.quarantine.services.followups import followup_record

    case = open_case()
    with frozen(local(DAY, 9)):
        followup_record(actor=qworld.actor("hq"), case=case, method="video", result="well")
    with frozen(local(DAY, 9, 30)):
        services.case_update(
            actor=qworld.actor("secretary"),
            case=case,
            version=case.version,
            team=qworld.teams["big_a"],
            note="家属可协助",
        )
    assert (case.team, case.note, case.version) == (qworld.teams["big_a"], "家属可协助", 2)
    teams = [s.team_id for s in slots_of(case)]
    assert teams[0] == qworld.teams["grid_a"].pk  # done before the change: stays
    assert set(teams[1:]) == {qworld.teams["big_a"].pk}
    refused(
        ConcurrentEditError,
        lambda: services.case_update(actor=qworld.actor("hq"), case=case, version=1, note="x"),
    )
    refused(
        ValidationError,
        lambda: services.case_update(
            actor=qworld.actor("hq"), case=case, version=2, team=qworld.teams["grid_b"]
        ),
        match="does not work",
    )
    # Leaving an argument out keeps it.
    services.case_update(actor=qworld.actor("hq"), case=case, version=2, note="")
    assert (case.team, case.note) == (qworld.teams["big_a"], "")


# --- merging duplicate persons ------------------------------------------------------------


def _duplicate(qworld, name="观察乙"):
    from epigrid.registry import services as reg
    from epigrid.registry.services import PersonInput

    return reg.person_register(
        actor=SYSTEM, jurisdiction=qworld.nodes["grid_a"], data=PersonInput(name=name)
    )


def test_a_merge_moves_the_duplicates_cases(qworld, open_case):
    from epigrid.registry.services import person_merge

    survivor, duplicate = new_person(qworld), _duplicate(qworld)
    kept = open_case(person=survivor)
    moved = open_case(person=duplicate, regime="home_observation")
    with frozen(local(DAY, 9)):
        result = person_merge(actor=qworld.actor("hq"), survivor=survivor, duplicate=duplicate)
    assert result["quarantine.cases"] == 1
    assert set(ObservationCase.objects.filter(person=survivor)) == {kept, moved}


def test_a_merge_of_two_open_cases_of_one_regime_is_refused(qworld, open_case):
    from epigrid.registry.services import person_merge

    survivor, duplicate = new_person(qworld), _duplicate(qworld)
    a, b = open_case(person=survivor), open_case(person=duplicate)
    error = refused(
        ValidationError,
        lambda: person_merge(actor=qworld.actor("hq"), survivor=survivor, duplicate=duplicate),
        match="close one of them",
    )
    assert str(a.pk) in str(error) and str(b.pk) in str(error)
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
    # Once one is closed, the merge goes through.
    with frozen(local(DAY, 9)):
        services.case_close(actor=qworld.actor("hq"), case=b, end_reason="cancelled", version=1)
        person_merge(actor=qworld.actor("hq"), survivor=survivor, duplicate=duplicate)
    assert ObservationCase.objects.filter(person=survivor).count() == 2
