"""The access matrix of cases, follow-ups, worklists and the follow-up policy: every page and
endpoint, every kind of actor, the expected answer; a refused write changes nothing and a
successful one leaves an audit event by its actor. Time stands at 09:30 on the cases' first
day."""

import pytest

from tests.access_cases import Case, placeholders, statuses
from tests.access_runner import assert_read, assert_write, matrix, send

from .conftest import DAY
from .world import frozen, local, make_case, new_person

NOW = local(DAY, 9, 30)
MANAGERS = {"worker_a": 403, "worker_b": 403, "analyst": 403}  # hq and secretary may manage
IN_A = {"worker_b": 404}
IN_B = {"worker_a": 404, "secretary": 404}


def read(**overrides):
    return statuses(200, anon=401, **overrides)


def page(**overrides):
    return statuses(200, anon=302, **overrides)


API_READS = [
    Case("cases", "GET", "/quarantine/cases", read()),
    Case("case A", "GET", "/quarantine/cases/{case_a}", read(**IN_A)),
    Case("case B", "GET", "/quarantine/cases/{case_b}", read(**IN_B)),
    Case("slots A", "GET", "/quarantine/cases/{case_a}/slots", read(**IN_A)),
    Case("follow-ups", "GET", "/quarantine/followups", read()),
    Case("worklist", "GET", "/quarantine/worklist", read()),
    Case("worklist team B", "GET", "/quarantine/worklist?team={team_b}", read(**IN_B)),
    Case("overdue", "GET", "/quarantine/overdue", read()),
    Case("policies", "GET", "/quarantine/policies", read()),
]

END = {"new_end": "2020-02-20", "reason": "延长观察", "version": 1}
CLOSE = {"end_reason": "transferred", "note": "转出", "version": 1}
FOLLOWUP = {"method": "phone", "result": "well", "temperature": 36.6}

API_WRITES = [
    Case(
        "open case",
        "POST",
        "/quarantine/cases",
        statuses(403, anon=401, hq=201, secretary=201),
        {"person": "{person_new}", "jurisdiction": "{grid_a}", "start_date": "2020-02-03"},
    ),
    Case(
        "change end A",
        "POST",
        "/quarantine/cases/{case_a}/end",
        statuses(200, anon=401, **MANAGERS),
        END,
    ),
    Case(
        "close A",
        "POST",
        "/quarantine/cases/{case_a}/close",
        statuses(200, anon=401, **MANAGERS),
        CLOSE,
    ),
    Case(
        "close B",
        "POST",
        "/quarantine/cases/{case_b}/close",
        statuses(200, anon=401, secretary=404, **MANAGERS),
        CLOSE,
    ),
    Case(
        "edit A",
        "PATCH",
        "/quarantine/cases/{case_a}",
        statuses(200, anon=401, **MANAGERS),
        {"version": 1, "note": "<b>改</b>"},
    ),
    Case(
        "follow-up A",
        "POST",
        "/quarantine/followups",
        statuses(201, anon=401, worker_b=404, analyst=403),
        {"case": "{case_a}", **FOLLOWUP},
    ),
    Case(
        "follow-up B",
        "POST",
        "/quarantine/followups",
        statuses(201, anon=401, worker_a=404, secretary=404, analyst=403),
        {"case": "{case_b}", **FOLLOWUP},
    ),
    Case(
        "set policy",
        "POST",
        "/quarantine/policies",
        statuses(403, anon=401, hq=201),
        {"key": "observation_days", "value": 10, "active_from": "2020-02-04"},
    ),
]

PAGE_READS = [
    Case("case list", "GET", "/quarantine/cases/", page(), api=False),
    Case("case page A", "GET", "/quarantine/cases/{case_a}/", page(**IN_A), api=False),
    Case("case page B", "GET", "/quarantine/cases/{case_b}/", page(**IN_B), api=False),
    Case("open form", "GET", "/quarantine/cases/new/", page(**MANAGERS), api=False),
    Case(
        "open form B",
        "GET",
        "/quarantine/cases/new/?person={person_b}",
        page(secretary=404, **MANAGERS),
        api=False,
    ),
    Case("end form A", "GET", "/quarantine/cases/{case_a}/end/", page(**MANAGERS), api=False),
    Case("close form A", "GET", "/quarantine/cases/{case_a}/close/", page(**MANAGERS), api=False),
    Case("edit form A", "GET", "/quarantine/cases/{case_a}/edit/", page(**MANAGERS), api=False),
    Case(
        "end form B",
        "GET",
        "/quarantine/cases/{case_b}/end/",
        page(secretary=404, **MANAGERS),
        api=False,
    ),
    Case(
        "follow-up form A",
        "GET",
        "/quarantine/cases/{case_a}/followup/",
        page(worker_b=404, analyst=403),
        api=False,
    ),
    Case("worklist page", "GET", "/quarantine/worklist/", page(), api=False),
    Case(
        "worklist page B",
        "GET",
        "/quarantine/worklist/?team={team_b}",
        page(**IN_B),
        api=False,
    ),
    Case("overdue page", "GET", "/quarantine/overdue/", page(), api=False),
    Case("policy page", "GET", "/quarantine/policy/", page(), api=False),
]

PAGE_FOLLOWUP = {
    "method": "video",
    "result": "well",
    "temperature": "36.5",
    "taken_at": "2020-02-03T09:20",
}
PAGE_WRITES = [
    Case(
        "open case page",
        "POST",
        "/quarantine/cases/new/?person={person_new}",
        statuses(403, anon=302, hq=302, secretary=302),
        {
            "regime": "home_quarantine",
            "reason": "source_area",
            "start_date": "2020-02-03",
            "jurisdiction": "{grid_a}",
        },
        api=False,
    ),
    Case(
        "close page A",
        "POST",
        "/quarantine/cases/{case_a}/close/",
        statuses(302, **MANAGERS),
        CLOSE,
        api=False,
    ),
    Case(
        "end page B",
        "POST",
        "/quarantine/cases/{case_b}/end/",
        statuses(302, secretary=404, **MANAGERS),
        END,
        api=False,
    ),
    Case(
        "follow-up page A",
        "POST",
        "/quarantine/cases/{case_a}/followup/",
        statuses(302, worker_b=404, analyst=403),
        PAGE_FOLLOWUP,
        api=False,
    ),
    Case(
        "policy page",
        "POST",
        "/quarantine/policy/",
        statuses(403, anon=302, hq=302),
        {
            "active_from": "2020-02-04",
            "observation_days": "10",
            "followup_deadlines": "10:00, 17:00",
            "fever_threshold": "37.3",
            "fever_inclusive": "1",
            "symptoms": "fever | 发热 | Fever",
        },
        api=False,
    ),
]


@pytest.fixture
def case_world(qworld):
    a = make_case(qworld, name="甲案", opened_at=local(DAY, 8))
    b = make_case(qworld, grid="grid_b", name="乙案", opened_at=local(DAY, 8))
    qworld.quarantine = {
        "case_a": a.pk,
        "case_b": b.pk,
        "person_b": b.person_id,
        "person_new": new_person(qworld, name="新开案").pk,
    }
    return qworld


def run(case, actor, world):
    with frozen(NOW):
        return send(case, actor, world, {**placeholders(world), **world.quarantine})


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_READS + PAGE_READS))
def test_reads(case_world, case, actor):
    assert_read(run(case, actor, case_world), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_WRITES + PAGE_WRITES))
def test_writes(case_world, case, actor):
    assert_write(case, actor, lambda: run(case, actor, case_world))


@pytest.mark.django_db
def test_a_worker_never_learns_of_another_grids_cases(case_world, api):
    worker_a = api("worker_a")
    with frozen(NOW):
        cases = worker_a.all("/quarantine/cases")
        overdue = worker_a.all("/quarantine/overdue", missed_days=3)
        followups = worker_a.all("/quarantine/followups")
        worklist = worker_a.get("/quarantine/worklist").json()
    text = str([cases, overdue, followups, worklist])
    assert "乙案" not in text and {c["person_name"] for c in cases} == {"甲案"}
