"""The access matrix of the enterprise register, accounts, rosters, health reports and the
portal: every page and endpoint of this part, as each kind of actor (anonymous, the two
enterprise users, grid workers of two grids, the village secretary, the resumption desk, a
task-force member, the analyst and headquarters). A refused write changes nothing; an
allowed one changes something and is audited in the actor's name.

One test per actor runs all cases (the world is built once per actor); each write runs in
a savepoint rolled back afterwards, so every case starts from the same world."""

import pytest
from django.db import transaction
from django.test import Client

from epigrid.accounts.access import SYSTEM
from epigrid.enterprises.services import employees as employee_services
from tests.access_cases import Case
from tests.access_runner import assert_read, assert_write, send
from tests.world_register import resident_id

ACTORS = [
    "anon",
    "ent_a",
    "ent_b",
    "worker_a",
    "worker_b",
    "secretary",
    "desk",
    "inspector",
    "analyst",
    "hq",
]
STAFF_VIEW = ["worker_a", "worker_b", "secretary", "desk", "inspector", "analyst", "hq"]
NO_MANAGE = ["ent_a", "ent_b", "worker_a", "worker_b", "desk", "inspector", "analyst"]


def expect(default: int, anon: int, **overrides: int) -> dict[str, int]:
    values = {actor: default for actor in ACTORS}
    values["anon"] = anon
    values.update(overrides)
    return values


def reach(anon: int, ok: int, seen_by: list[str], others: int = 404, **more: int):
    """`ok` for `seen_by`, `others` for the rest (but anonymous)."""
    values = {a: (ok if a in seen_by else others) for a in ACTORS}
    values["anon"] = anon
    values.update(more)
    return values


SEES_A = ["ent_a", "worker_a", "secretary", "desk", "inspector", "analyst", "hq"]
SEES_B = ["ent_b", "worker_b", "desk", "analyst", "hq"]
SEES_A2 = ["secretary", "desk", "inspector", "analyst", "hq"]
MANAGERS = ["secretary", "hq"]


def staff_only(anon: int, ok: int = 200):
    return reach(anon, ok, STAFF_VIEW, others=403)


def managers_only(anon: int, ok: int = 200, **more: int):
    return reach(anon, ok, MANAGERS, others=403, **more)


def roster_writers(anon: int, ok: int, enterprise: str):
    """The enterprise's own user and managers over it write; staff without MANAGE get 403
    (they hold neither capability); an enterprise user or manager not reaching it, 404."""
    values = {a: 403 for a in ACTORS}
    values["anon"] = anon
    values["ent_a"] = ok if enterprise == "a" else 404
    values["ent_b"] = ok if enterprise == "b" else 404
    values["hq"] = ok
    values["secretary"] = ok if enterprise in ("a", "a2") else 404
    return values


API_READS = [
    Case("list", "GET", "/enterprises", staff_only(401)),
    Case(
        "list filtered",
        "GET",
        "/enterprises?q=锦岗&approved=false&industry=manufacturing",
        staff_only(401),
    ),
    Case("A", "GET", "/enterprises/{a}", reach(401, 200, SEES_A)),
    Case("B", "GET", "/enterprises/{b}", reach(401, 200, SEES_B)),
    Case("A2 (ent_a's neighbour)", "GET", "/enterprises/{a2}", reach(401, 200, SEES_A2)),
    Case("unknown", "GET", "/enterprises/99999999", reach(401, 404, [])),
    Case("roster A", "GET", "/enterprises/{a}/employees", reach(401, 200, SEES_A)),
    Case("roster B", "GET", "/enterprises/{b}/employees", reach(401, 200, SEES_B)),
    Case("employee A", "GET", "/employees/{emp_a}", reach(401, 200, SEES_A)),
    Case("employee B", "GET", "/employees/{emp_b}", reach(401, 200, SEES_B)),
    Case("health A", "GET", "/enterprises/{a}/health-reports", reach(401, 200, SEES_A)),
    Case(
        "health B", "GET", "/enterprises/{b}/health-reports?day=2020-02-10", reach(401, 200, SEES_B)
    ),
    Case("users A", "GET", "/enterprises/{a}/users", managers_only(401)),
    Case("users B", "GET", "/enterprises/{b}/users", managers_only(401, secretary=404)),
]

PAGE_READS = [
    Case("list page", "GET", "/enterprises/", staff_only(302), api=False),
    Case("list export", "GET", "/enterprises/?format=xlsx&q=锦岗", staff_only(302), api=False),
    Case("page A", "GET", "/enterprises/{a}/", reach(302, 200, SEES_A), api=False),
    Case("page A2", "GET", "/enterprises/{a2}/", reach(302, 200, SEES_A2), api=False),
    Case("page B", "GET", "/enterprises/{b}/", reach(302, 200, SEES_B), api=False),
    Case("create form", "GET", "/enterprises/new/", managers_only(302), api=False),
    Case("edit form A", "GET", "/enterprises/{a}/edit/", managers_only(302), api=False),
    Case(
        "edit form B", "GET", "/enterprises/{b}/edit/", managers_only(302, secretary=404), api=False
    ),
    Case("users page A", "GET", "/enterprises/{a}/users/", managers_only(302), api=False),
    Case(
        "roster page A",
        "GET",
        "/enterprises/{a}/employees/?q=周",
        reach(302, 200, SEES_A),
        api=False,
    ),
    Case("roster page B", "GET", "/enterprises/{b}/employees/", reach(302, 200, SEES_B), api=False),
    Case(
        "add form A",
        "GET",
        "/enterprises/{a}/employees/new/",
        roster_writers(302, 200, "a"),
        api=False,
    ),
    Case(
        "add form A2",
        "GET",
        "/enterprises/{a2}/employees/new/",
        roster_writers(302, 200, "a2"),
        api=False,
    ),
    Case(
        "edit employee A",
        "GET",
        "/enterprises/employees/{emp_a}/edit/",
        roster_writers(302, 200, "a"),
        api=False,
    ),
    Case(
        "end employee B",
        "GET",
        "/enterprises/employees/{emp_b}/end/",
        roster_writers(302, 200, "b"),
        api=False,
    ),
    Case("health page A", "GET", "/enterprises/{a}/health/", reach(302, 200, SEES_A), api=False),
    Case(
        "health page B",
        "GET",
        "/enterprises/{b}/health/?day=2020-02-10",
        reach(302, 200, SEES_B),
        api=False,
    ),
    Case(
        "portal",
        "GET",
        "/enterprises/portal/",
        reach(302, 200, ["ent_a", "ent_b"], others=404),
        api=False,
    ),
]

NEW = {
    "name": "锦岗纸品厂",
    "uscc": "91440785MA4UJ8XT0D",
    "address": "锦岗村工业路9号",
    "jurisdiction": "{grid_a}",
    "industry": "retail",
    "size": "micro",
    "legal_rep": "陈一",
    "contact_name": "陈二",
    "contact_phone": "13712345679",
    "employees": 3,
}
PERSON = {
    "name": "周工人",
    "doc_type": "resident_id",
    "doc_number": resident_id("440785", "19880808", "246"),
}
ACCOUNT = {
    "username": "new_ent",
    "full_name": "新账号",
    "phone": "",
    "password": "correct-horse-battery-2020",
}

API_WRITES = [
    Case("register", "POST", "/enterprises", managers_only(401, 201), NEW),
    Case(
        "edit A", "PATCH", "/enterprises/{a}", managers_only(401), {"version": 1, "employees": 30}
    ),
    Case(
        "edit B",
        "PATCH",
        "/enterprises/{b}",
        managers_only(401, secretary=404),
        {"version": 1, "name": "<b>郁文</b>"},
    ),
    Case("account A", "POST", "/enterprises/{a}/users", managers_only(401, 201), ACCOUNT),
    Case("add to A", "POST", "/enterprises/{a}/employees", roster_writers(401, 201, "a"), PERSON),
    Case(
        "add to A2", "POST", "/enterprises/{a2}/employees", roster_writers(401, 201, "a2"), PERSON
    ),
    Case("add to B", "POST", "/enterprises/{b}/employees", roster_writers(401, 201, "b"), PERSON),
    Case(
        "edit emp A", "PATCH", "/employees/{emp_a}", roster_writers(401, 200, "a"), {"job": "质检"}
    ),
    Case("end emp B", "DELETE", "/employees/{emp_b}", roster_writers(401, 200, "b")),
    Case(
        "health A",
        "POST",
        "/enterprises/{a}/health-reports",
        roster_writers(401, 201, "a"),
        {"rows": [{"employee": "{emp_a}", "temperature": "36.5"}]},
    ),
    Case(
        "health B with A's employee",
        "POST",
        "/enterprises/{b}/health-reports",
        {**roster_writers(401, 422, "b")},
        {"rows": [{"employee": "{emp_a}", "temperature": "36.5"}]},
    ),
]

PAGE_WRITES = [
    Case("register page", "POST", "/enterprises/new/", managers_only(302, 302), NEW, api=False),
    Case(
        "account page",
        "POST",
        "/enterprises/{a}/users/",
        managers_only(302, 302),
        ACCOUNT,
        api=False,
    ),
    Case(
        "add page A",
        "POST",
        "/enterprises/{a}/employees/new/",
        roster_writers(302, 302, "a"),
        {**PERSON, "health": "healthy"},
        api=False,
    ),
    Case(
        "health page A",
        "POST",
        "/enterprises/{a}/health/",
        # Staff seeing A without managing it reach the page but may not report (403).
        {**roster_writers(302, 302, "a"), "worker_b": 404},
        {"employee": "{emp_a}", "temperature": "36.6"},
        api=False,
    ),
    Case(
        "end page B",
        "POST",
        "/enterprises/employees/{emp_b}/end/",
        roster_writers(302, 302, "b"),
        {},
        api=False,
    ),
]


@pytest.fixture
def values(eworld):
    emp_a = employee_services.employee_add(
        actor=SYSTEM,
        enterprise=eworld.enterprises["a"],
        name="甲员工",
        doc_type="resident_id",
        doc_number=resident_id("440785", "19900101", "111"),
    )
    emp_b = employee_services.employee_add(
        actor=SYSTEM,
        enterprise=eworld.enterprises["b"],
        name="乙员工",
        doc_type="resident_id",
        doc_number=resident_id("440785", "19900101", "133"),
    )
    return {
        **{k: n.code for k, n in eworld.nodes.items()},
        **{k: e.pk for k, e in eworld.enterprises.items()},
        "emp_a": emp_a.pk,
        "emp_b": emp_b.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_matrix(eworld, values, actor):
    for case in API_READS + PAGE_READS:
        response = send(case, actor, eworld, values)
        try:
            assert_read(response, case, actor)
        except AssertionError as exc:
            raise AssertionError(f"{case.name} as {actor}: {exc}") from exc
    for case in API_WRITES + PAGE_WRITES:
        with transaction.atomic():
            try:
                assert_write(case, actor, lambda c=case: send(c, actor, eworld, values))
            except AssertionError as exc:
                raise AssertionError(f"{case.name} as {actor}: {exc}") from exc
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_home_sends_an_enterprise_user_to_its_portal(eworld, values):
    web = Client()
    web.force_login(eworld.users["ent_a"])
    response = web.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/enterprises/portal/"
    page = web.get("/enterprises/portal/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "锦岗五金厂" in text and "锦岗食品厂" not in text and "郁文制衣厂" not in text
    staff = Client()
    staff.force_login(eworld.users["desk"])
    assert staff.get("/").status_code == 200
