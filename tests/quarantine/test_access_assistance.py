"""The access matrix of help with daily needs, care notes, the self-report link and the
notices: every kind of actor, the expected answer, and nothing changed by a refused write
(run like tests/test_access.py runs the shared cases)."""

import datetime as dt

import pytest
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.quarantine.services import assistance as assistance_services
from epigrid.quarantine.services import selfreport as selfreport_services
from tests.access_cases import Case, placeholders, read, statuses
from tests.access_runner import assert_read, assert_write, send

from .world import make_case

GRID_A = {"worker_b": 404}
GRID_B = {"worker_a": 404, "secretary": 404}
# Writes on a grid A case: the grid's worker, the village secretary and hq may; the worker
# of grid B does not learn that the case exists; the analyst may only read.
WRITE_A_PAGE = statuses(302, worker_b=404, analyst=403)
FORM_A_PAGE = statuses(200, anon=302, worker_b=404, analyst=403)


def write_a_api(ok: int) -> dict[str, int]:
    return statuses(ok, anon=401, worker_b=404, analyst=403)


PAGE_READS = [
    Case("assistance list", "GET", "/quarantine/assistance/", read(302), api=False),
    Case("request A", "GET", "/quarantine/assistance/{req_a}/", read(302, **GRID_A), api=False),
    Case("request B", "GET", "/quarantine/assistance/{req_b}/", read(302, **GRID_B), api=False),
    Case(
        "request form", "GET", "/quarantine/cases/{case_a}/assistance/new/", FORM_A_PAGE, api=False
    ),
    Case("care form", "GET", "/quarantine/cases/{case_a}/care/new/", FORM_A_PAGE, api=False),
    Case("link page", "GET", "/quarantine/cases/{case_a}/selfreport/", FORM_A_PAGE, api=False),
    Case("notice A", "GET", "/quarantine/cases/{case_a}/notice/", read(302, **GRID_A), api=False),
    Case("notice B", "GET", "/quarantine/cases/{case_b}/notice/", read(302, **GRID_B), api=False),
    Case(
        "release A",
        "GET",
        "/quarantine/cases/{case_a}/release/",
        read(302, **GRID_A) | {"worker_a": 409, "secretary": 409, "hq": 409, "analyst": 409},
        api=False,
    ),
    Case("self-report page", "GET", "/quarantine/r/{token_a}/", statuses(200), api=False),
    Case("wrong token", "GET", "/quarantine/r/{wrong}/", statuses(404), api=False),
]
API_READS = [
    Case("assistance list", "GET", "/quarantine/assistance", read(401)),
    Case("request A", "GET", "/quarantine/assistance/{req_a}", read(401, **GRID_A)),
    Case("request B", "GET", "/quarantine/assistance/{req_b}", read(401, **GRID_B)),
    Case("care notes A", "GET", "/quarantine/cases/{case_a}/care-notes", read(401, **GRID_A)),
]
PAGE_WRITES = [
    Case(
        "create request",
        "POST",
        "/quarantine/cases/{case_a}/assistance/new/",
        WRITE_A_PAGE,
        {"kind": "food", "detail": "米"},
        api=False,
    ),
    Case(
        "take",
        "POST",
        "/quarantine/assistance/{req_a}/take/",
        WRITE_A_PAGE,
        {"version": 1, "staff": "{staff_a}"},
        api=False,
    ),
    Case(
        "fulfil",
        "POST",
        "/quarantine/assistance/{req_a}/fulfil/",
        WRITE_A_PAGE,
        {"version": 1, "note": "送达"},
        api=False,
    ),
    Case(
        "cancel",
        "POST",
        "/quarantine/assistance/{req_a}/cancel/",
        WRITE_A_PAGE,
        {"version": 1, "note": "不需要了"},
        api=False,
    ),
    Case(
        "care note",
        "POST",
        "/quarantine/cases/{case_a}/care/new/",
        WRITE_A_PAGE,
        {"kind": "counselling", "text": "疏导"},
        api=False,
    ),
    Case(
        "revoke link",
        "POST",
        "/quarantine/cases/{case_a}/selfreport/",
        WRITE_A_PAGE,
        {"action": "revoke"},
        api=False,
    ),
]
API_WRITES = [
    Case(
        "create request",
        "POST",
        "/quarantine/cases/{case_a}/assistance",
        write_a_api(201),
        {"kind": "food", "detail": "米"},
    ),
    Case(
        "take",
        "POST",
        "/quarantine/assistance/{req_a}/take",
        write_a_api(200),
        {"version": 1, "staff_id": "{staff_a}"},
    ),
    Case(
        "fulfil", "POST", "/quarantine/assistance/{req_a}/fulfil", write_a_api(200), {"version": 1}
    ),
    Case(
        "cancel",
        "POST",
        "/quarantine/assistance/{req_a}/cancel",
        write_a_api(200),
        {"version": 1, "note": "x"},
    ),
    Case(
        "care note",
        "POST",
        "/quarantine/cases/{case_a}/care-notes",
        write_a_api(201),
        {"kind": "health_education", "text": "洗手"},
    ),
    Case("issue link", "POST", "/quarantine/cases/{case_a}/selfreport-link", write_a_api(201)),
    Case("revoke link", "DELETE", "/quarantine/cases/{case_a}/selfreport-link", write_a_api(204)),
    Case(
        "request on grid B",
        "POST",
        "/quarantine/cases/{case_b}/assistance",
        statuses(201, anon=401, worker_a=404, secretary=404, analyst=403),
        {"kind": "medicine", "detail": "药"},
    ),
]


@pytest.fixture
def targets(world):
    """An open case with an open request and a self-report link in grid A and in grid B."""
    today = timezone.localdate()
    case_a = make_case(world, name="甲", start=today - dt.timedelta(days=1))
    case_b = make_case(world, grid="grid_b", name="乙", start=today - dt.timedelta(days=1))
    values = placeholders(world)
    values.update(
        case_a=case_a.pk,
        case_b=case_b.pk,
        req_a=assistance_services.request_create(
            actor=SYSTEM, case=case_a, kind="food", detail="米"
        ).pk,
        req_b=assistance_services.request_create(
            actor=SYSTEM, case=case_b, kind="food", detail="面"
        ).pk,
        token_a=selfreport_services.selfreport_issue(actor=SYSTEM, case=case_a),
        wrong="A" * 32,
    )
    return values


def run(case: Case, actor: str, world, values):
    return send(case, actor, world, values)


def matrix(cases):
    return [
        pytest.param(c, a, id=f"{c.name}-{'api' if c.api else 'page'}-{a}")
        for c in cases
        for a in c.expect
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(PAGE_READS + API_READS))
def test_reads(world, targets, case, actor):
    assert_read(run(case, actor, world, targets), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(PAGE_WRITES + API_WRITES))
def test_writes(world, targets, case, actor):
    assert_write(case, actor, lambda: run(case, actor, world, targets))
