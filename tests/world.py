"""A tiny jurisdiction world for tests, built through the services like real use.

440785 恩平市 (city)
└── 440785.001 恩城街道
    ├── .01 锦岗村 ── .01.1 big grid ── .01.1.01 (grid A), .01.1.02 (grid A2)
    ├── .02 郁文村 ── .02.1 big grid ── .02.1.01 (grid B)
    └── .03 青云社区 ── .03.1 big grid ── .03.1.01, with the community's party committee

Each small grid has a cadre, a family doctor and a police officer in a three-person team;
each big grid a responsible leader and a first responsible person in a stationed work group.
Users: hq (city), secretary (锦岗村), worker_a (grid A), worker_b (grid B), analyst (city).
The register (persons, dwellings, an arrival from the source area, a duplicate pair) is in
tests/world_register.py, as `world.register`.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from epigrid.accounts.access import SYSTEM, Actor, actor_for
from epigrid.accounts.services import role_grant, token_create, user_create
from epigrid.geo.models import Jurisdiction, Kind
from epigrid.geo.services import jurisdiction_create
from epigrid.party.services import committee_create, unit_add
from epigrid.workforce.models import StaffCategory, TeamKind
from epigrid.workforce.services import (
    responsibility_assign,
    staff_create,
    team_create,
    team_member_add,
)

from .world_register import build_register

START = dt.date(2020, 1, 27)
PASSWORD = "correct-horse-battery-2020"
ROLES = {
    "hq": ("hq", "city"),
    "secretary": ("village_secretary", "village_a"),
    "worker_a": ("grid_worker", "grid_a"),
    "worker_b": ("grid_worker", "grid_b"),
    "analyst": ("analyst", "city"),
}


@dataclass
class World:
    nodes: dict[str, Jurisdiction] = field(default_factory=dict)
    staff: dict[str, Any] = field(default_factory=dict)
    teams: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    committee: Any = None
    register: dict[str, Any] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_for(self.users[name]) if name in self.users else Actor()


def build_world(with_tokens: bool = True) -> World:
    w = World()
    n = w.nodes

    def node(key, parent, kind, name, segment=None, code=None):
        n[key] = jurisdiction_create(
            actor=SYSTEM,
            parent=n.get(parent),
            kind=kind,
            name=name,
            segment=segment,
            code=code,
            active_from=START,
        )

    node("city", None, Kind.CITY, "恩平市", code="440785")
    node("sub", "city", Kind.SUBDISTRICT, "恩城街道", "001")
    for key, kind, name, seg in (
        ("village_a", Kind.VILLAGE, "锦岗村", "01"),
        ("village_b", Kind.VILLAGE, "郁文村", "02"),
        ("community_c", Kind.COMMUNITY, "青云社区", "03"),
    ):
        node(key, "sub", kind, name, seg)
        node(f"big_{key[-1]}", key, Kind.BIG_GRID, f"{name}大网格", "1")
    node("grid_a", "big_a", Kind.SMALL_GRID, "锦岗村第1网格", "01")
    node("grid_a2", "big_a", Kind.SMALL_GRID, "锦岗村第2网格", "02")
    node("grid_b", "big_b", Kind.SMALL_GRID, "郁文村第1网格", "01")
    node("grid_c", "big_c", Kind.SMALL_GRID, "青云社区第1网格", "01")

    phone = iter(range(13800000001, 13800009999))
    for grid in ("grid_a", "grid_a2", "grid_b", "grid_c"):
        crew = []
        for cat in (StaffCategory.CADRE, StaffCategory.FAMILY_DOCTOR, StaffCategory.POLICE):
            member = staff_create(
                actor=SYSTEM,
                jurisdiction=n[grid],
                name=f"{grid}-{cat}",
                category=cat,
                phone=str(next(phone)),
                active_from=START,
            )
            w.staff[f"{grid}.{cat}"] = member
            crew.append(member)
        team = team_create(
            actor=SYSTEM,
            jurisdiction=n[grid],
            kind=TeamKind.THREE_PERSON_TEAM,
            name=f"{grid} 三人小组",
            leader=crew[0],
            active_from=START,
        )
        for member in crew[1:]:
            team_member_add(actor=SYSTEM, team=team, member=member, on=START)
        w.teams[grid] = team
    for big in ("big_a", "big_b", "big_c"):
        leader = staff_create(
            actor=SYSTEM,
            jurisdiction=n[big],
            name=f"{big}-leader",
            category=StaffCategory.CADRE,
            title="街道领导",
            active_from=START,
        )
        secretary = staff_create(
            actor=SYSTEM,
            jurisdiction=n[big],
            name=f"{big}-secretary",
            category=StaffCategory.CADRE,
            title="村书记",
            active_from=START,
        )
        w.staff[f"{big}.leader"], w.staff[f"{big}.secretary"] = leader, secretary
        responsibility_assign(
            actor=SYSTEM, jurisdiction=n[big], kind="responsible_leader", member=leader, on=START
        )
        responsibility_assign(
            actor=SYSTEM, jurisdiction=n[big], kind="first_responsible", member=secretary, on=START
        )
        group = team_create(
            actor=SYSTEM,
            jurisdiction=n[big],
            kind=TeamKind.STATIONED_WORK_GROUP,
            name=f"{big} 驻点工作组",
            leader=leader,
            active_from=START,
        )
        team_member_add(actor=SYSTEM, team=group, member=secretary, on=START)
        w.teams[big] = group
    w.committee = committee_create(
        actor=SYSTEM,
        jurisdiction=n["community_c"],
        name="青云社区大党委",
        secretary="李书记",
        active_from=START,
    )
    unit_add(
        actor=SYSTEM,
        committee=w.committee,
        name="社区卫生服务站",
        kind="medical",
        contact_phone="13900000001",
        active_from=START,
    )

    w.register = build_register(n)

    for username, (role, key) in ROLES.items():
        user = user_create(
            actor=SYSTEM, username=username, password=PASSWORD, jpath=n[key].path, validate=False
        )
        role_grant(actor=SYSTEM, user=user, role=role, jurisdiction=n[key])
        w.users[username] = user
        if with_tokens:
            w.tokens[username] = token_create(actor=SYSTEM, user=user)
    return w
