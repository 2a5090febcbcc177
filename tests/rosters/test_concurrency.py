"""Two managers putting the same person on two overlapping shifts at the same moment: one
wins, the other is refused. Needs real concurrent transactions, so PostgreSQL only (SQLite
writes are serial anyway)."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from epigrid.accounts.access import SYSTEM
from epigrid.rosters import services
from epigrid.rosters.models import ShiftMember
from epigrid.rosters.services import shifts as shift_services
from tests.world import build_world

from .world import MONDAY, POSTS_FROM, at


@pytest.mark.django_db(transaction=True)
def test_one_person_cannot_be_put_on_two_overlapping_shifts_at_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    world = build_world(with_tokens=False)
    post = services.post_create(
        actor=SYSTEM, jurisdiction=world.nodes["village_a"], name="值守台", active_from=POSTS_FROM
    )
    first = services.shift_create(
        actor=SYSTEM, post=post, starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 16)
    )
    second = services.shift_create(
        actor=SYSTEM, post=post, starts_at=at(MONDAY, 12), ends_at=at(MONDAY, 20)
    )
    person = world.staff["grid_a.police"]

    # Widen the window between the check and the insert: without the row lock both checks
    # would pass before either insert is committed.
    check = shift_services._member_problem

    def slow_check(*args, **kwargs):
        problem = check(*args, **kwargs)
        time.sleep(0.5)
        return problem

    monkeypatch.setattr(shift_services, "_member_problem", slow_check)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def add(shift) -> None:
        try:
            start.wait()
            with translation.override("en"):  # a new thread starts in the default language
                services.shift_member_add(actor=SYSTEM, shift=shift, staff=person)
            outcomes.append("added")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(s,)) for s in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes)[0] == "added"
    assert "already on duty" in sorted(outcomes)[1], outcomes
    assert ShiftMember.objects.filter(staff=person).count() == 1
