"""The access matrix for alerts: every actor against every alert page and endpoint, the
expected answer, and nothing changed by a refused write (run like tests/test_access.py)."""

import pytest

from tests.access_cases import Case, placeholders, read, statuses
from tests.access_runner import assert_read, assert_write, matrix, send

from .alerts_world import fever_alert

A, B, C = "{alert_a}", "{alert_b}", "{alert_c}"
NOT_B = {"worker_a": 404, "secretary": 404}
HQ_ONLY = {"worker_a": 404, "worker_b": 404, "secretary": 404}
STEP = {"step": "reported", "at": "2020-02-03T09:50"}
CLOSE = {"outcome": "recheck_normal", "version": 1}

READS = [
    Case("alerts", "GET", "/quarantine/alerts", read(401)),
    Case("alert A", "GET", f"/quarantine/alerts/{A}", read(401, worker_b=404)),
    Case("alert B", "GET", f"/quarantine/alerts/{B}", read(401, **NOT_B)),
    Case("alert C", "GET", f"/quarantine/alerts/{C}", read(401, **HQ_ONLY)),
    Case("alert list page", "GET", "/quarantine/alerts/", read(302), api=False),
    Case("alert A page", "GET", f"/quarantine/alerts/{A}/", read(302, worker_b=404), api=False),
    Case("alert B page", "GET", f"/quarantine/alerts/{B}/", read(302, **NOT_B), api=False),
    Case("alert C page", "GET", f"/quarantine/alerts/{C}/", read(302, **HQ_ONLY), api=False),
]
WRITES = [
    Case(
        "referral A",
        "POST",
        f"/quarantine/alerts/{A}/referral",
        statuses(201, anon=401, worker_b=404, analyst=403),
        STEP,
    ),
    Case(
        "referral B",
        "POST",
        f"/quarantine/alerts/{B}/referral",
        statuses(201, anon=401, analyst=403, **NOT_B),
        STEP,
    ),
    Case(
        "close A",
        "POST",
        f"/quarantine/alerts/{A}/close",
        statuses(200, anon=401, worker_b=404, analyst=403),
        CLOSE,
    ),
    Case(
        "close C",
        "POST",
        f"/quarantine/alerts/{C}/close",
        statuses(404, anon=401, hq=200, analyst=403),
        CLOSE,
    ),
    Case(
        "close A without outcome",
        "POST",
        f"/quarantine/alerts/{A}/close",
        statuses(422, anon=401, worker_b=404, analyst=403),
        {"version": 1},
    ),
    Case(
        "referral A page",
        "POST",
        f"/quarantine/alerts/{A}/referral/",
        statuses(302, worker_b=404, analyst=403),
        STEP,
        api=False,
    ),
    Case(
        "close A page",
        "POST",
        f"/quarantine/alerts/{A}/close/",
        statuses(302, worker_b=404, analyst=403),
        CLOSE,
        api=False,
    ),
    Case(
        "close A page without outcome",
        "POST",
        f"/quarantine/alerts/{A}/close/",
        statuses(200, anon=302, worker_b=404, analyst=403),
        {"outcome": "", "version": 1},
        api=False,
    ),
]


@pytest.fixture
def alert_world(world):
    world.alerts = {g: fever_alert(world, grid=f"grid_{g}", name=f"预警{g}") for g in "abc"}
    return world


def run(case, actor, world):
    alerts = {f"alert_{g}": a.pk for g, a in world.alerts.items()}
    return send(case, actor, world, {**placeholders(world), **alerts})


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(READS))
def test_alert_reads(alert_world, case, actor):
    assert_read(run(case, actor, alert_world), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(WRITES))
def test_alert_writes(alert_world, case, actor):
    assert_write(case, actor, lambda: run(case, actor, alert_world), refusal_audits_nothing=True)
