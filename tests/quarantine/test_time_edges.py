"""Due, overdue and missed at the edges: a minute before, at and after each deadline, at
midnight, and with the server's clock in UTC (or the deployment in another zone). Times are
frozen by passing `now` to the selectors and by patching the services' clock."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from epigrid.quarantine.models import FollowUpSlot, SlotState
from epigrid.quarantine.selectors import followups as selectors
from epigrid.quarantine.services import cases as case_services
from epigrid.quarantine.services.followups import followup_record

from .conftest import DAY
from .world import frozen, local, make_case

pytestmark = pytest.mark.django_db
DAY1 = DAY + dt.timedelta(days=1)
UTC = dt.UTC


def work(qworld, now):
    items = selectors.worklist(actor=qworld.actor("worker_a"), now=now).items
    return [(s.day, s.number, s.urgency) for s in items]


def overdue(qworld, now, missed_days=0):
    qs = selectors.overdue_list(actor=qworld.actor("hq"), missed_days=missed_days, now=now)
    return [(s.day, s.number, s.state_at(now)) for s in qs.order_by("deadline")]


@pytest.mark.parametrize(
    ("hour", "minute", "worklist", "late"),
    [
        (9, 59, [(1, "due_soon"), (2, "upcoming")], []),
        # The deadline itself is in time, and the next slot opens at that minute.
        (10, 0, [(1, "due_soon"), (2, "due")], []),
        (10, 1, [(1, "overdue"), (2, "due")], [1]),
        (16, 59, [(1, "overdue"), (2, "due_soon")], [1]),
        (17, 0, [(1, "overdue"), (2, "due_soon")], [1]),
        (17, 1, [(1, "overdue"), (2, "overdue")], [1, 2]),
        (23, 59, [(1, "overdue"), (2, "overdue")], [1, 2]),
    ],
)
def test_the_day_of_a_case_minute_by_minute(qworld, open_case, hour, minute, worklist, late):
    open_case()
    now = local(DAY, hour, minute)
    assert work(qworld, now) == [(DAY, n, u) for n, u in worklist]
    assert overdue(qworld, now) == [(DAY, n, SlotState.OVERDUE) for n in late]


def test_at_midnight_yesterdays_slots_are_missed_and_todays_are_due(qworld, open_case):
    open_case()
    midnight = local(DAY1)
    assert work(qworld, midnight) == [(DAY1, 1, "due"), (DAY1, 2, "upcoming")]
    assert overdue(qworld, midnight) == []
    assert overdue(qworld, midnight, missed_days=1) == [
        (DAY, 1, SlotState.MISSED),
        (DAY, 2, SlotState.MISSED),
    ]
    a_minute_before = midnight - dt.timedelta(minutes=1)
    assert [s for *_, s in overdue(qworld, a_minute_before)] == [SlotState.OVERDUE] * 2


def test_a_follow_up_at_the_deadline_is_in_time_and_a_minute_later_is_late(qworld, open_case):
    case = open_case()
    other = open_case(name="观察丙")
    for target, at in ((case, local(DAY, 10)), (other, local(DAY, 10, 1))):
        with frozen(at):
            followup_record(
                actor=qworld.actor("worker_a"), case=target, method="phone", result="well"
            )
    first = FollowUpSlot.objects.get(case=case, day=DAY, number=1)
    late = FollowUpSlot.objects.get(case=other, day=DAY, number=1)
    later = local(DAY, 12)
    assert (first.state_at(later), late.state_at(later)) == (SlotState.DONE, SlotState.LATE)


def test_just_after_midnight_a_follow_up_answers_the_new_day(qworld, open_case):
    case = open_case()
    with frozen(local(DAY, 23, 59)):
        f = followup_record(
            actor=qworld.actor("worker_a"), case=case, method="phone", result="well"
        )
    assert (f.slot.day, f.slot.number) == (DAY, 1)
    with frozen(local(DAY1, 0, 0)):
        f = followup_record(
            actor=qworld.actor("worker_a"), case=case, method="phone", result="well"
        )
    assert (f.slot.day, f.slot.number) == (DAY1, 1)
    assert (
        FollowUpSlot.objects.get(case=case, day=DAY, number=2).state_at(local(DAY1, 0, 1))
        == SlotState.MISSED
    )


# --- a server clock in UTC ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "worklist", "late"),
    [
        # 01:59Z is 09:59 in Shanghai; 02:01Z is 10:01.
        (
            dt.datetime(2020, 2, 3, 1, 59, tzinfo=UTC),
            [(DAY, 1, "due_soon"), (DAY, 2, "upcoming")],
            [],
        ),
        (dt.datetime(2020, 2, 3, 2, 1, tzinfo=UTC), [(DAY, 1, "overdue"), (DAY, 2, "due")], [1]),
        # 16:00Z on the 3rd is midnight of the 4th in Shanghai: "today" is the 4th.
        (dt.datetime(2020, 2, 3, 16, 0, tzinfo=UTC), [(DAY1, 1, "due"), (DAY1, 2, "upcoming")], []),
        (
            dt.datetime(2020, 2, 3, 15, 59, tzinfo=UTC),
            [(DAY, 1, "overdue"), (DAY, 2, "overdue")],
            [1, 2],
        ),
    ],
)
def test_a_utc_clock_sees_the_deployments_day(qworld, open_case, utc, worklist, late):
    open_case()
    assert work(qworld, utc) == worklist
    assert [n for _d, n, _s in overdue(qworld, utc)] == late


def test_services_judge_today_in_the_deployments_zone_on_a_utc_clock(qworld, open_case):
    case = open_case()
    # 16:30Z on the 16th is 00:30 on the 17th in Shanghai: the period (ending the 17th) is over.
    with frozen(dt.datetime(2020, 2, 16, 16, 30, tzinfo=UTC)):
        case_services.case_close(
            actor=qworld.actor("hq"), case=case, end_reason="completed", version=case.version
        )
    assert case.end_reason == "completed"


def test_a_case_opened_at_a_utc_instant_owes_slots_from_the_local_moment(qworld, open_case):
    # 02:30Z is 10:30 in Shanghai: the first slot's deadline has passed.
    case = open_case(at=dt.datetime(2020, 2, 3, 2, 30, tzinfo=UTC))
    assert FollowUpSlot.objects.filter(case=case).count() == 27


@override_settings(TIME_ZONE="Europe/London")
def test_a_deployment_in_another_zone_keeps_its_own_deadlines(qworld):
    london = ZoneInfo("Europe/London")
    case = make_case(qworld, opened_at=dt.datetime(2020, 2, 3, 8, tzinfo=london))
    first = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
    assert first.deadline == dt.datetime(2020, 2, 3, 10, tzinfo=london)
    assert overdue(qworld, dt.datetime(2020, 2, 3, 10, 0, tzinfo=UTC)) == []
    assert [n for _d, n, _s in overdue(qworld, dt.datetime(2020, 2, 3, 10, 1, tzinfo=UTC))] == [1]
    # 23:30 in London is already the 4th in Shanghai, but the day is London's.
    assert {d for d, _n, _u in work(qworld, dt.datetime(2020, 2, 3, 23, 30, tzinfo=UTC))} == {DAY}
