"""The field part of the work-resumption test world: enterprises a, b, a2 approved to
reopen, a task force over village A (leader: the inspector) and one over the subdistrict,
and the clock stopped at 09:30 on 2020-02-16."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.enterprises.models import Enterprise
from epigrid.enterprises.services.taskforces import task_force_create

DAY = dt.date(2020, 2, 16)
NOW = timezone.make_aware(dt.datetime(2020, 2, 16, 9, 30))
CODES = ["supplies", "plans", "screening", "door_checks", "staggered", "isolation_room"]


def frozen(now: dt.datetime = NOW):
    """The services' clock stopped at `now`."""
    return mock.patch("django.utils.timezone.now", return_value=now)


def all_ok(**failing: str) -> dict:
    """Answers to every checklist item: ok, except `failing` (code -> finding)."""
    return {
        code: {"ok": False, "finding": failing[code]} if code in failing else {"ok": True}
        for code in CODES
    }


def add_field_world(world):
    Enterprise.objects.update(approved_on=dt.date(2020, 2, 10))
    for e in world.enterprises.values():
        e.refresh_from_db()
    n, u = world.nodes, world.users
    world.task_forces = {
        "a": task_force_create(
            actor=SYSTEM,
            name="锦岗村复工检查专班",
            jurisdiction=n["village_a"],
            leader=u["inspector"],
            members=[u["secretary"]],
            active_from=dt.date(2020, 2, 9),
        ),
        "sub": task_force_create(
            actor=SYSTEM,
            name="恩城街道第一专班",
            jurisdiction=n["sub"],
            leader=u["hq"],
            members=[u["desk"]],
            active_from=dt.date(2020, 2, 9),
        ),
    }
    return world


@pytest.fixture(name="fworld")
def fworld_fixture(eworld):
    """eworld plus the field part, with the clock stopped at NOW (import into a test module)."""
    with frozen():
        yield add_field_world(eworld)


def api(world, who):
    """An API client for `who` (None: no token) that reads answers in English."""
    from tests.conftest import Api

    client = Api(world.tokens.get(who) if who else None)
    client.headers["Accept-Language"] = "en"
    return client
