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
    Case("sweep campaigns", "GET", "/sweeps/campaigns", read(401)),
    Case("sweep visits", "GET", "/sweeps/visits", read(401)),
    Case("today's list", "GET", "/sweeps/today", statuses(200, anon=401, analyst=403)),
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
    Case(
        "start sweep in village A",
        "POST",
        "/sweeps/campaigns",
        statuses(201, anon=401, **NO_MANAGE),
        {"jurisdiction": "{village_a}", "name": "出租屋清查", "starts_on": "2020-02-03"},
    ),
    Case(
        "start sweep in village B",
        "POST",
        "/sweeps/campaigns",
        statuses(201, anon=401, secretary=404, **NO_MANAGE),
        {"jurisdiction": "{village_b}", "name": "出租屋清查", "starts_on": "2020-02-03"},
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
    Case("sweeps page", "GET", "/sweeps/", read(302), api=False),
    Case("sweep visits page", "GET", "/sweeps/visits/", read(302), api=False),
    Case(
        "today's list page",
        "GET",
        "/sweeps/today/",
        statuses(200, anon=302, analyst=403),
        api=False,
    ),
    Case(
        "new sweep form",
        "GET",
        "/sweeps/new/",
        statuses(200, anon=302, **NO_MANAGE),
        api=False,
    ),
    Case(
        "person lookup",
        "GET",
        "/sweeps/lookup/?doc_number=440785",
        statuses(200, anon=302, analyst=403),
        api=False,
    ),
    Case(
        "person row",
        "GET",
        "/sweeps/person-row/?persons-TOTAL_FORMS=1",
        statuses(200, anon=302, analyst=403),
        api=False,
    ),
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
    Case(
        "page: start sweep in B",
        "POST",
        "/sweeps/new/",
        statuses(302, anon=302, secretary=200, **NO_MANAGE),
        {"name": "出租屋清查", "jurisdiction": "{village_b}", "starts_on": "2020-02-03"},
        api=False,
    ),
]


# The register (tests/world_register.py): persons, housing, arrivals, policy lists, duplicates.
REG_MANAGE = {"analyst": 403}
IN_A = {"worker_b": 404, **REG_MANAGE}  # grid A's records: grid B's worker does not see them
IN_B = {"worker_a": 404, "secretary": 404, **REG_MANAGE}
HQ_ONLY = {"worker_a": 403, "worker_b": 403, "secretary": 403, "analyst": 403}
MERGERS = {"worker_a": 403, "worker_b": 403, "analyst": 403}  # secretaries and headquarters

REGISTER_API_READS = [
    Case("persons", "GET", "/persons", read(401)),
    Case("person A", "GET", "/persons/{person_a}", read(401, **GRID_A_ONLY)),
    Case("person B", "GET", "/persons/{person_b}", read(401, **GRID_B_ONLY)),
    Case("person A categories", "GET", "/persons/{person_a}/categories", read(401, **GRID_A_ONLY)),
    Case("persons export", "GET", "/persons/export", read(401)),
    Case("buildings", "GET", "/buildings", read(401)),
    Case("building A", "GET", "/buildings/{building_a}", read(401, **GRID_A_ONLY)),
    Case("building B", "GET", "/buildings/{building_b}", read(401, **GRID_B_ONLY)),
    Case("units", "GET", "/units", read(401)),
    Case("unit A", "GET", "/units/{unit_a}", read(401, **GRID_A_ONLY)),
    Case("unit B", "GET", "/units/{unit_b}", read(401, **GRID_B_ONLY)),
    Case("units export", "GET", "/units/export", read(401)),
    Case("residencies", "GET", "/residencies", read(401)),
    Case("residencies export", "GET", "/residencies/export?role=tenant", read(401)),
    Case("arrivals", "GET", "/arrivals?risk_only=true", read(401)),
    Case("arrivals export", "GET", "/arrivals/export", read(401)),
    Case("risk areas", "GET", "/risk-areas", read(401)),
    Case("categories", "GET", "/categories", read(401)),
    Case("duplicates", "GET", "/duplicates", statuses(200, anon=401, **MERGERS)),
]

REGISTER_API_WRITES = [
    Case(
        "register person in A",
        "POST",
        "/persons",
        statuses(201, anon=401, **IN_A),
        {"jurisdiction": "{grid_a}", "name": "新登记"},
    ),
    Case(
        "register person in B",
        "POST",
        "/persons",
        statuses(201, anon=401, **IN_B),
        {"jurisdiction": "{grid_b}", "name": "新登记"},
    ),
    Case(
        "edit person A",
        "PATCH",
        "/persons/{person_a}",
        statuses(200, anon=401, **IN_A),
        {"version": 1, "name": "改名"},
    ),
    Case(
        "edit person B",
        "PATCH",
        "/persons/{person_b}",
        statuses(200, anon=401, **IN_B),
        {"version": 1, "hukou_place": "广东省恩平市"},
    ),
    Case(
        "category for person B",
        "POST",
        "/persons/{person_b}/categories",
        statuses(201, anon=401, **IN_B),
        {"category": "fever"},
    ),
    Case(
        "end category A",
        "POST",
        "/category-assignments/{category_a}/end",
        statuses(200, anon=401, **IN_A),
        {"on": "2020-02-20"},
    ),
    Case(
        "building in B",
        "POST",
        "/buildings",
        statuses(201, anon=401, **IN_B),
        {"jurisdiction": "{grid_b}", "address": "新平路9号"},
    ),
    Case(
        "dwelling in building A",
        "POST",
        "/units",
        statuses(201, anon=401, **IN_A),
        {"building_id": "{building_a}", "label": "103", "use": "vacant"},
    ),
    Case(
        "edit dwelling B",
        "PATCH",
        "/units/{unit_b}",
        statuses(200, anon=401, **IN_B),
        {"version": 1, "label": "201", "use": "vacant"},
    ),
    Case(
        "move in A",
        "POST",
        "/residencies",
        statuses(201, anon=401, **IN_A),
        {"person_id": "{other_a}", "unit_id": "{unit_a2}", "role": "owner"},
    ),
    Case(
        "move out B",
        "POST",
        "/residencies/{residency_b}/end",
        statuses(200, anon=401, **IN_B),
        {"move_out": "2020-02-20"},
    ),
    Case(
        "arrival of person B",
        "POST",
        "/arrivals",
        statuses(201, anon=401, **IN_B),
        {"person_id": "{person_b}", "arrived_on": "2020-02-09", "from_place": "湖北省武汉市"},
    ),
    Case(
        "list a source area",
        "POST",
        "/risk-areas",
        statuses(403, anon=401, hq=201),
        {"name": "浙江省温州市", "region_code": "3303", "active_from": "2020-02-01"},
    ),
    Case(
        "delist a source area",
        "POST",
        "/risk-areas/{risk_area}/end",
        statuses(403, anon=401, hq=200),
        {"on": "2020-03-01"},
    ),
    Case(
        "merge duplicates A",
        "POST",
        "/duplicates/merge",
        statuses(200, anon=401, **MERGERS),
        {"survivor": "{dup_a1}", "duplicate": "{dup_a2}"},
    ),
    Case(
        "dismiss duplicates A",
        "POST",
        "/duplicates/dismiss",
        statuses(200, anon=401, **MERGERS),
        {"first": "{dup_a1}", "second": "{dup_a2}"},
    ),
]

REGISTER_PAGE_READS = [
    Case("register", "GET", "/register/", read(302), api=False),
    Case("person list", "GET", "/register/persons/?q=李", read(302), api=False),
    Case(
        "person A page", "GET", "/register/persons/{person_a}/", read(302, **GRID_A_ONLY), api=False
    ),
    Case(
        "person B page", "GET", "/register/persons/{person_b}/", read(302, **GRID_B_ONLY), api=False
    ),
    Case(
        "person A edit form",
        "GET",
        "/register/persons/{person_a}/edit/",
        statuses(200, anon=302, **IN_A),
        api=False,
    ),
    Case(
        "register form",
        "GET",
        "/register/persons/new/",
        statuses(200, anon=302, **REG_MANAGE),
        api=False,
    ),
    Case(
        "move-in form B",
        "GET",
        "/register/persons/{person_b}/move-in/",
        statuses(200, anon=302, **IN_B),
        api=False,
    ),
    Case(
        "arrival form A",
        "GET",
        "/register/persons/{person_a}/arrivals/new/",
        statuses(200, anon=302, **IN_A),
        api=False,
    ),
    Case("building list", "GET", "/register/buildings/", read(302), api=False),
    Case(
        "building A page",
        "GET",
        "/register/buildings/{building_a}/",
        read(302, **GRID_A_ONLY),
        api=False,
    ),
    Case(
        "building B page",
        "GET",
        "/register/buildings/{building_b}/",
        read(302, **GRID_B_ONLY),
        api=False,
    ),
    Case(
        "building form",
        "GET",
        "/register/buildings/new/",
        statuses(200, anon=302, **REG_MANAGE),
        api=False,
    ),
    Case(
        "dwelling form B",
        "GET",
        "/register/buildings/{building_b}/units/new/",
        statuses(200, anon=302, **IN_B),
        api=False,
    ),
    Case(
        "dwelling A edit form",
        "GET",
        "/register/units/{unit_a}/edit/",
        statuses(200, anon=302, **IN_A),
        api=False,
    ),
    Case("dwelling list", "GET", "/register/units/?use=rental", read(302), api=False),
    Case("tenant list", "GET", "/register/residencies/?role=tenant", read(302), api=False),
    Case("arrival list", "GET", "/register/arrivals/?risk=1", read(302), api=False),
    Case("source areas", "GET", "/register/risk-areas/", read(302), api=False),
    Case(
        "source area form",
        "GET",
        "/register/risk-areas/new/",
        statuses(200, anon=302, **HQ_ONLY),
        api=False,
    ),
    Case("key persons", "GET", "/register/categories/", read(302), api=False),
    Case(
        "duplicates queue",
        "GET",
        "/register/duplicates/",
        statuses(200, anon=302, **MERGERS),
        api=False,
    ),
    Case("person export", "GET", "/register/persons/export/", read(302), api=False),
    Case("dwelling export", "GET", "/register/units/export/", read(302), api=False),
    Case("tenant export", "GET", "/register/residencies/export/", read(302), api=False),
    Case("arrival export", "GET", "/register/arrivals/export/?risk=1", read(302), api=False),
]

PERSON_FORM = {"doc_type": "resident_id", "version": 1}
REGISTER_PAGE_WRITES = [
    Case(
        "page: register person in B",
        "POST",
        "/register/persons/new/",
        # A grid outside one's area is not among the choices: the form comes back refused.
        statuses(302, anon=302, worker_a=200, secretary=200, **REG_MANAGE),
        {"grid": "{grid_b}", "name": "新登记", "doc_type": "resident_id"},
        api=False,
    ),
    Case(
        "page: edit person B",
        "POST",
        "/register/persons/{person_b}/edit/",
        statuses(302, anon=302, **IN_B),
        {**PERSON_FORM, "name": "改名", "doc_number": "{person_b_doc}", "phone": "13912340002"},
        api=False,
    ),
    Case(
        "page: move in A",
        "POST",
        "/register/persons/{other_a}/move-in/",
        statuses(302, anon=302, **IN_A),
        {"grid": "{grid_a}", "unit": "{unit_a2}", "role": "owner"},
        api=False,
    ),
    Case(
        "page: move out B",
        "POST",
        "/register/residencies/{residency_b}/end/",
        statuses(302, anon=302, **IN_B),
        {"move_out": "2020-02-20"},
        api=False,
    ),
    Case(
        "page: arrival of B",
        "POST",
        "/register/persons/{person_b}/arrivals/new/",
        statuses(302, anon=302, **IN_B),
        {"arrived_on": "2020-02-09", "from_place": "湖北省武汉市", "from_code": "4201"},
        api=False,
    ),
    Case(
        "page: category for B",
        "POST",
        "/register/persons/{person_b}/categories/",
        statuses(302, anon=302, **IN_B),
        {"category": "fever", "active_from": "2020-02-09"},
        api=False,
    ),
    Case(
        "page: end category A",
        "POST",
        "/register/category-assignments/{category_a}/end/",
        statuses(302, anon=302, **IN_A),
        {"on": "2020-02-20"},
        api=False,
    ),
    Case(
        "page: building in B",
        "POST",
        "/register/buildings/new/",
        statuses(302, anon=302, worker_a=200, secretary=200, **REG_MANAGE),
        {"grid": "{grid_b}", "address": "新平路9号", "kind": "house"},
        api=False,
    ),
    Case(
        "page: dwelling in building B",
        "POST",
        "/register/buildings/{building_b}/units/new/",
        statuses(302, anon=302, **IN_B),
        {"label": "202", "use": "vacant"},
        api=False,
    ),
    Case(
        "page: edit dwelling A",
        "POST",
        "/register/units/{unit_a}/edit/",
        statuses(302, anon=302, **IN_A),
        {"label": "101", "use": "vacant", "version": 1},
        api=False,
    ),
    Case(
        "page: list a source area",
        "POST",
        "/register/risk-areas/new/",
        statuses(403, anon=302, hq=302),
        {"name": "浙江省温州市", "region_code": "3303", "active_from": "2020-02-01"},
        api=False,
    ),
    Case(
        "page: delist a source area",
        "POST",
        "/register/risk-areas/{risk_area}/end/",
        statuses(403, anon=302, hq=302),
        {"on": "2020-03-01"},
        api=False,
    ),
    Case(
        "page: merge duplicates A",
        "POST",
        "/register/duplicates/merge/",
        statuses(302, anon=302, **MERGERS),
        {"survivor": "{dup_a1}", "person": "{dup_a2}"},
        api=False,
    ),
    Case(
        "page: dismiss duplicates A",
        "POST",
        "/register/duplicates/dismiss/",
        statuses(302, anon=302, **MERGERS),
        {"group": ["{dup_a1}", "{dup_a2}"]},
        api=False,
    ),
]

API_READS += REGISTER_API_READS
API_WRITES += REGISTER_API_WRITES
PAGE_READS += REGISTER_PAGE_READS
PAGE_WRITES += REGISTER_PAGE_WRITES


# Sweep campaigns: these need the sweep part of the world (tests/sweeps/world.py, which puts a
# campaign, its units and visits in it); tests/sweeps/test_access.py runs them like the above.
VISIT = {"visited_at": "2020-02-10T10:00:00+08:00", "outcome": "vacant"}
RECORD = {"worker_a": 404, "worker_b": 404, "secretary": 404, "analyst": 403}
SWEEP_API_READS = [
    Case("sweep campaign", "GET", "/sweeps/campaigns/{campaign}", read(401)),
    Case("sweep units", "GET", "/sweeps/campaigns/{campaign}/units", read(401)),
    Case("sweep coverage", "GET", "/sweeps/campaigns/{campaign}/coverage", read(401)),
    Case(
        "sweep coverage B",
        "GET",
        "/sweeps/campaigns/{campaign}/coverage?within={grid_b}",
        read(401, **GRID_B_ONLY),
    ),
    Case("sweep unit A", "GET", "/sweeps/units/{cu_a}", read(401, **GRID_A_ONLY)),
    Case("sweep unit B", "GET", "/sweeps/units/{cu_b}", read(401, **GRID_B_ONLY)),
    Case("visit A", "GET", "/sweeps/visits/{visit_a}", read(401, **GRID_A_ONLY)),
    Case("visit B", "GET", "/sweeps/visits/{visit_b}", read(401, **GRID_B_ONLY)),
]
SWEEP_API_WRITES = [
    Case(
        "record visit A",
        "POST",
        "/sweeps/visits",
        statuses(201, anon=401, worker_b=404, analyst=403),
        {"campaign_unit": "{cu_a}", "visited_by": "{staff_a}", **VISIT},
    ),
    Case(
        "record visit B",
        "POST",
        "/sweeps/visits",
        statuses(201, anon=401, worker_a=404, secretary=404, analyst=403),
        {"campaign_unit": "{cu_b}", "visited_by": "{staff_b}", **VISIT},
    ),
    Case(
        "assign whole sweep",
        "POST",
        "/sweeps/campaigns/{campaign}/assign",
        statuses(403, anon=401, hq=200),
        {"strategy": "teams"},
    ),
    Case(
        "assign sweep in village A",
        "POST",
        "/sweeps/campaigns/{campaign}/assign",
        statuses(200, anon=401, **NO_MANAGE),
        {"strategy": "teams", "within": "{village_a}"},
    ),
    Case(
        "reassign sweep unit B",
        "PATCH",
        "/sweeps/units/{cu_b}",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"team_id": "{team_b}"},
    ),
    Case(
        "close sweep",
        "POST",
        "/sweeps/campaigns/{campaign}/close",
        statuses(403, anon=401, hq=200),
        {"version": 1, "on": "2020-03-01"},
    ),
]
SWEEP_PAGE_READS = [
    Case("sweep page", "GET", "/sweeps/{campaign}/", read(302), api=False),
    Case("sweep units page", "GET", "/sweeps/{campaign}/units/", read(302), api=False),
    Case(
        "sweep page B", "GET", "/sweeps/{campaign}/?j={grid_b}", read(302, **GRID_B_ONLY), api=False
    ),
    Case("sweep unit A page", "GET", "/sweeps/units/{cu_a}/", read(302, **GRID_A_ONLY), api=False),
    Case("sweep unit B page", "GET", "/sweeps/units/{cu_b}/", read(302, **GRID_B_ONLY), api=False),
    Case(
        "visit form A",
        "GET",
        "/sweeps/units/{cu_a}/visit/",
        statuses(200, anon=302, worker_b=404, analyst=403),
        api=False,
    ),
    Case(
        "visit form B",
        "GET",
        "/sweeps/units/{cu_b}/visit/",
        statuses(200, anon=302, worker_a=404, secretary=404, analyst=403),
        api=False,
    ),
    Case("visit A page", "GET", "/sweeps/visits/{visit_a}/", read(302, **GRID_A_ONLY), api=False),
    Case("visit B page", "GET", "/sweeps/visits/{visit_b}/", read(302, **GRID_B_ONLY), api=False),
]
VISIT_FORM = {
    "visited_at": "2020-02-10T10:00",
    "outcome": "vacant",
    "persons-TOTAL_FORMS": "0",
    "persons-INITIAL_FORMS": "0",
}
SWEEP_PAGE_WRITES = [
    Case(
        "page: visit B",
        "POST",
        "/sweeps/units/{cu_b}/visit/",
        statuses(302, anon=302, worker_a=404, secretary=404, analyst=403),
        {**VISIT_FORM, "visited_by": "{staff_b}"},
        api=False,
    ),
    Case(
        "page: assign sweep in B",
        "POST",
        "/sweeps/{campaign}/assign/",
        statuses(403, anon=302, hq=302, secretary=404),
        {"strategy": "teams", "within": "{village_b}"},
        api=False,
    ),
    Case(
        "page: close sweep",
        "POST",
        "/sweeps/{campaign}/close/",
        statuses(403, anon=302, hq=302),
        {"on": "2020-03-01", "version": 1},
        api=False,
    ),
    Case(
        "page: reassign sweep unit B",
        "POST",
        "/sweeps/units/{cu_b}/assign/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"assignee": "t{team_b}"},
        api=False,
    ),
]


REGISTER_KEYS = (
    "person_a",
    "person_b",
    "other_a",
    "dup_a1",
    "dup_a2",
    "building_a",
    "building_b",
    "unit_a",
    "unit_a2",
    "unit_b",
    "residency_b",
    "category_a",
    "risk_area",
)


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
    r = world.register
    values.update(
        {key: r[key].pk for key in REGISTER_KEYS},
        person_b_doc=r["person_b"].doc_number,
    )
    sweeps = getattr(world, "sweeps", None)  # set by tests/sweeps/test_access.py
    if sweeps is not None:
        values.update(
            campaign=sweeps["campaign"].pk,
            cu_a=sweeps["cu"]("grid_a", 1).pk,
            cu_b=sweeps["cu"]("grid_b", 1).pk,
            visit_a=sweeps["visit_a"].pk,
            visit_b=sweeps["visit_b"].pk,
        )
    return values


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # keeps ints as ints in JSON bodies
        return value.format(**values)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value
