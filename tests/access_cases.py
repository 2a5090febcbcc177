"""The access matrix: every page and endpoint, every kind of actor, the expected answer.

Actors: anon, worker_a (grid A), worker_b (grid B), secretary (village A), hq (city),
analyst (city, read-only). Targets come from tests/world.py.
"""

from dataclasses import dataclass, field
from typing import Any

ACTORS = ["anon", "worker_a", "worker_b", "secretary", "hq", "analyst"]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # may hold {placeholders} filled from the world
    expect: dict[str, int]
    body: dict[str, Any] = field(default_factory=dict)
    api: bool = True


def statuses(default: int, **overrides: int) -> dict[str, int]:
    return {actor: overrides.get(actor, default) for actor in ACTORS}


def read(anon: int, **overrides: int) -> dict[str, int]:
    return statuses(200, anon=anon, **overrides)


GRID_A_ONLY = {"worker_b": 404}
GRID_B_ONLY = {"worker_a": 404, "secretary": 404}
HQ_LEVEL = {"worker_a": 404, "worker_b": 404, "secretary": 404}

API_READS = [
    Case("jurisdictions", "GET", "/jurisdictions", read(401)),
    Case("jurisdiction A", "GET", "/jurisdictions/{grid_a}", read(401, **GRID_A_ONLY)),
    Case("jurisdiction B", "GET", "/jurisdictions/{grid_b}", read(401, **GRID_B_ONLY)),
    Case("jurisdiction city", "GET", "/jurisdictions/{city}", read(401, **HQ_LEVEL)),
    Case("staff", "GET", "/staff", read(401)),
    Case("staff A", "GET", "/staff/{staff_a}", read(401, **GRID_A_ONLY)),
    Case("staff B", "GET", "/staff/{staff_b}", read(401, **GRID_B_ONLY)),
    Case("teams", "GET", "/teams", read(401)),
    Case("team A", "GET", "/teams/{team_a}", read(401, **GRID_A_ONLY)),
    Case("team B", "GET", "/teams/{team_b}", read(401, **GRID_B_ONLY)),
    Case(
        "responsibilities big A",
        "GET",
        "/jurisdictions/{big_a}/responsibilities",
        read(401, worker_a=404, worker_b=404),
    ),
    Case("party committees", "GET", "/party-committees", read(401)),
    Case("party committee C", "GET", "/party-committees/{committee}", read(401, **HQ_LEVEL)),
    Case("audit events", "GET", "/audit-events", statuses(403, anon=401, hq=200, secretary=200)),
    Case("indicators", "GET", "/indicators", read(401)),
    Case("indicators city", "GET", "/indicators?jurisdiction={city}", read(401, **HQ_LEVEL)),
    Case("indicator catalogue", "GET", "/indicators/catalogue", read(401)),
    Case("me", "GET", "/me", read(401)),
]

# Writes: 403 for a role that may not do this anywhere, 404 for a record outside one's area.
NO_MANAGE = {"worker_a": 403, "worker_b": 403, "analyst": 403}

API_WRITES = [
    Case(
        "create jurisdiction",
        "POST",
        "/jurisdictions",
        statuses(403, anon=401, hq=201),
        {"parent": "{village_b}", "kind": "big_grid", "name": "新大网格"},
    ),
    Case(
        "rename jurisdiction",
        "PATCH",
        "/jurisdictions/{grid_a}",
        statuses(403, anon=401, hq=200),
        {"name": "改名", "version": 1},
    ),
    Case(
        "deactivate jurisdiction",
        "POST",
        "/jurisdictions/{grid_a2}/deactivate",
        statuses(403, anon=401, hq=200),
        {"version": 1, "on": "2020-03-01"},
    ),
    Case(
        "create staff in A",
        "POST",
        "/staff",
        statuses(201, anon=401, **NO_MANAGE),
        {"jurisdiction": "{grid_a}", "name": "新网格员", "category": "cadre"},
    ),
    Case(
        "create staff in B",
        "POST",
        "/staff",
        statuses(201, anon=401, secretary=404, **NO_MANAGE),
        {"jurisdiction": "{grid_b}", "name": "新网格员", "category": "cadre"},
    ),
    Case(
        "update staff A",
        "PATCH",
        "/staff/{staff_a}",
        statuses(200, anon=401, **NO_MANAGE),
        {"version": 1, "name": "改名", "category": "cadre"},
    ),
    Case(
        "update staff B",
        "PATCH",
        "/staff/{staff_b}",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"version": 1, "name": "改名", "category": "cadre"},
    ),
    Case(
        "deactivate staff A",
        "POST",
        "/staff/{staff_a_doctor}/deactivate",
        statuses(200, anon=401, **NO_MANAGE),
        {"version": 1, "on": "2020-03-01"},
    ),
    Case(
        "create team in A",
        "POST",
        "/teams",
        statuses(201, anon=401, **NO_MANAGE),
        {"jurisdiction": "{grid_a}", "kind": "volunteer_squad", "name": "义工队"},
    ),
    Case(
        "update team B",
        "PATCH",
        "/teams/{team_b}",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"version": 3, "name": "改名", "leader_id": "{staff_b}"},
    ),
    Case(
        "remove member A",
        "DELETE",
        "/teams/{team_a}/members/{staff_a_doctor}",
        statuses(200, anon=401, **NO_MANAGE),
    ),
    Case(
        "dissolve team A",
        "POST",
        "/teams/{team_a}/dissolve",
        statuses(200, anon=401, **NO_MANAGE),
        {"version": 3, "on": "2020-03-01"},
    ),
    Case(
        "assign responsibility big B",
        "POST",
        "/jurisdictions/{big_b}/responsibilities",
        statuses(201, anon=401, secretary=404, **NO_MANAGE),
        {"kind": "responsible_leader", "staff_id": "{big_b_secretary}"},
    ),
    Case(
        "update committee C",
        "PATCH",
        "/party-committees/{committee}",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"version": 1, "name": "改名大党委"},
    ),
    Case(
        "add unit to C",
        "POST",
        "/party-committees/{committee}/units",
        statuses(201, anon=401, secretary=404, **NO_MANAGE),
        {"name": "新单位", "kind": "agency"},
    ),
]

PAGE_READS = [
    Case("dashboard", "GET", "/", read(302), api=False),
    Case("dashboard city", "GET", "/?j={city}", read(302, **HQ_LEVEL), api=False),
    Case("grid list", "GET", "/grids/", read(302), api=False),
    Case("grid A page", "GET", "/grids/{grid_a}/", read(302, **GRID_A_ONLY), api=False),
    Case("grid B page", "GET", "/grids/{grid_b}/", read(302, **GRID_B_ONLY), api=False),
    Case(
        "add unit form",
        "GET",
        "/grids/{village_b}/add/",
        statuses(403, anon=302, hq=200),
        api=False,
    ),
    Case("staff list", "GET", "/workforce/staff/", read(302), api=False),
    Case("staff A page", "GET", "/workforce/staff/{staff_a}/", read(302, **GRID_A_ONLY), api=False),
    Case("staff B page", "GET", "/workforce/staff/{staff_b}/", read(302, **GRID_B_ONLY), api=False),
    Case(
        "new staff form",
        "GET",
        "/workforce/staff/new/",
        statuses(200, anon=302, **NO_MANAGE),
        api=False,
    ),
    Case(
        "edit staff B form",
        "GET",
        "/workforce/staff/{staff_b}/edit/",
        statuses(200, anon=302, secretary=404, **NO_MANAGE),
        api=False,
    ),
    Case("team list", "GET", "/workforce/teams/", read(302), api=False),
    Case("team A page", "GET", "/workforce/teams/{team_a}/", read(302, **GRID_A_ONLY), api=False),
    Case("team B page", "GET", "/workforce/teams/{team_b}/", read(302, **GRID_B_ONLY), api=False),
    Case(
        "responsibility form B",
        "GET",
        "/workforce/responsibility/{big_b}/",
        statuses(200, anon=302, secretary=404, **NO_MANAGE),
        api=False,
    ),
    Case("party list", "GET", "/party/", read(302), api=False),
    Case("party C page", "GET", "/party/{committee}/", read(302, **HQ_LEVEL), api=False),
    Case("new party form", "GET", "/party/new/", statuses(200, anon=302, **NO_MANAGE), api=False),
    Case(
        "login form A",
        "GET",
        "/workforce/staff/{staff_a}/login/",
        statuses(403, anon=302, hq=200),
        api=False,
    ),
    Case("audit page", "GET", "/audit/", statuses(403, anon=302, hq=200, secretary=200), api=False),
]

PAGE_WRITES = [
    Case(
        "page: add unit",
        "POST",
        "/grids/{village_b}/add/",
        statuses(403, anon=302, hq=302),
        {"kind": "big_grid", "name": "新大网格"},
        api=False,
    ),
    Case(
        "page: rename grid A",
        "POST",
        "/grids/{grid_a}/rename/",
        statuses(403, anon=302, hq=302),
        {"name": "改名", "version": 1},
        api=False,
    ),
    Case(
        "page: deactivate grid A2",
        "POST",
        "/grids/{grid_a2}/deactivate/",
        statuses(403, anon=302, hq=302),
        {"on": "2020-03-01", "version": 1},
        api=False,
    ),
    Case(
        "page: create staff in B",
        "POST",
        "/workforce/staff/new/",
        statuses(302, anon=302, secretary=200, **NO_MANAGE),
        {"jurisdiction": "{grid_b}", "name": "新人", "category": "cadre"},
        api=False,
    ),
    Case(
        "page: edit staff B",
        "POST",
        "/workforce/staff/{staff_b}/edit/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"name": "改名", "category": "cadre", "version": 1},
        api=False,
    ),
    Case(
        "page: deactivate staff B",
        "POST",
        "/workforce/staff/{staff_b_doctor}/deactivate/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"on": "2020-03-01", "version": 1},
        api=False,
    ),
    Case(
        "page: create team in B",
        "POST",
        "/workforce/teams/new/",
        statuses(302, anon=302, secretary=200, **NO_MANAGE),
        {"jurisdiction": "{grid_b}", "kind": "volunteer_squad", "name": "义工队"},
        api=False,
    ),
    Case(
        "page: remove member B",
        "POST",
        "/workforce/teams/{team_b}/members/{staff_b_doctor}/remove/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        api=False,
    ),
    Case(
        "page: dissolve team B",
        "POST",
        "/workforce/teams/{team_b}/dissolve/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"on": "2020-03-01", "version": 3},
        api=False,
    ),
    Case(
        "page: add party unit",
        "POST",
        "/party/{committee}/units/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"name": "新单位", "kind": "agency"},
        api=False,
    ),
    Case(
        "page: assign responsibility B",
        "POST",
        "/workforce/responsibility/{big_b}/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"kind": "responsible_leader", "staff": "{big_b_secretary}"},
        api=False,
    ),
]


def placeholders(world) -> dict[str, Any]:
    n, s, t = world.nodes, world.staff, world.teams
    values: dict[str, Any] = {key: node.code for key, node in n.items()}
    values.update(
        staff_a=s["grid_a.cadre"].pk,
        staff_a_doctor=s["grid_a.family_doctor"].pk,
        staff_b=s["grid_b.cadre"].pk,
        staff_b_doctor=s["grid_b.family_doctor"].pk,
        big_b_secretary=s["big_b.secretary"].pk,
        team_a=t["grid_a"].pk,
        team_b=t["grid_b"].pk,
        committee=world.committee.pk,
    )
    return values


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # keeps ints as ints in JSON bodies
        return value.format(**values)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    return value
