import datetime as dt

from epigrid.quarantine.models import FollowUpSlot, SlotState

from .world import local, make_case


def test_a_case_of_fourteen_days_owes_twenty_eight_slots(world):
    case = make_case(world, start=dt.date(2020, 2, 3))
    slots = list(FollowUpSlot.objects.filter(case=case).order_by("deadline"))
    assert len(slots) == 28
    first = slots[0]
    assert first.state_at(local(dt.date(2020, 2, 3), 9, 59)) == SlotState.DUE
    assert first.state_at(local(dt.date(2020, 2, 3), 10, 0)) == SlotState.DUE
    assert first.state_at(local(dt.date(2020, 2, 3), 10, 1)) == SlotState.OVERDUE
    assert first.state_at(local(dt.date(2020, 2, 4), 0, 0)) == SlotState.MISSED
    assert slots[1].state_at(local(dt.date(2020, 2, 3), 9, 0)) == SlotState.UPCOMING


def test_a_case_opened_in_the_afternoon_does_not_owe_that_morning(world):
    case = make_case(world, start=dt.date(2020, 2, 3), opened_at=local(dt.date(2020, 2, 3), 15))
    assert FollowUpSlot.objects.filter(case=case).count() == 27
