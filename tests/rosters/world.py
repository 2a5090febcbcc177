"""The rosters part of a test world (tests/world.py), built through the services.

Posts (active from 2020-02-01):
  desk_a   锦岗村24小时监测值守台  village A, round the clock
  post_b   郁文村村口劝导岗        grid B, 07:00–22:00
Shifts on Monday 2020-02-10 (Asia/Shanghai):
  shift_a1 desk_a 08:00–16:00  grid A's cadre (worker_a's login) and grid A2's cadre
  shift_a2 desk_a 16:00–24:00  grid A's family doctor
  shift_b  post_b 07:00–15:00  grid B's cadre (worker_b's login)
A hand-over note on shift_a1 by worker_a.
"""

import datetime as dt
from typing import Any

from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.rosters import services
from epigrid.workforce.models import StaffMember

POSTS_FROM = dt.date(2020, 2, 1)
MONDAY = dt.date(2020, 2, 10)


def at(day: dt.date | int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """An aware datetime on the deployment's clock; an int day is a day of February 2020;
    hour 24 is the next midnight."""
    if isinstance(day, int):
        day = dt.date(2020, 2, day)
    base = dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=hour, minutes=minute)
    return timezone.make_aware(base)


def link_logins(world) -> None:
    for username, key in (("worker_a", "grid_a.cadre"), ("worker_b", "grid_b.cadre")):
        StaffMember.objects.filter(pk=world.staff[key].pk).update(user=world.users[username])
        world.staff[key].refresh_from_db()


def build_rosters(world) -> dict[str, Any]:
    n, s = world.nodes, world.staff
    link_logins(world)
    r: dict[str, Any] = {}
    r["desk_a"] = services.post_create(
        actor=SYSTEM,
        jurisdiction=n["village_a"],
        name="锦岗村24小时监测值守台",
        kind="monitoring_desk",
        active_from=POSTS_FROM,
    )
    r["post_b"] = services.post_create(
        actor=SYSTEM,
        jurisdiction=n["grid_b"],
        name="郁文村村口劝导岗",
        kind="checkpoint",
        covers_from="07:00",
        covers_until="22:00",
        active_from=POSTS_FROM,
    )
    r["shift_a1"] = services.shift_create(
        actor=SYSTEM,
        post=r["desk_a"],
        starts_at=at(MONDAY, 8),
        ends_at=at(MONDAY, 16),
        members=[s["grid_a.cadre"], s["grid_a2.cadre"]],
    )
    r["shift_a2"] = services.shift_create(
        actor=SYSTEM,
        post=r["desk_a"],
        starts_at=at(MONDAY, 16),
        ends_at=at(MONDAY, 24),
        members=[s["grid_a.family_doctor"]],
    )
    r["shift_b"] = services.shift_create(
        actor=SYSTEM,
        post=r["post_b"],
        starts_at=at(MONDAY, 7),
        ends_at=at(MONDAY, 15),
        members=[s["grid_b.cadre"]],
    )
    r["note_a1"] = services.handover_add(
        actor=world.actor("worker_a"), shift=r["shift_a1"], text="3号户体温正常，明早送菜。"
    )
    return r
