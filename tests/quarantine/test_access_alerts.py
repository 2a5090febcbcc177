"""The access matrix for alerts: every actor against every alert page and endpoint, the
expected answer, and nothing changed by a refused write (run like tests/test_access.py)."""

import pytest
from django.test import Client

from tests.access_cases import Case, fill, placeholders, read, statuses
from tests.conftest import Api
from tests.test_access import db_fingerprint, matrix

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
    values = {**placeholders(world), **{f"alert_{g}": a.pk for g, a in world.alerts.items()}}
    path, body = fill(case.path, values), fill(case.body, values)
    if case.api:
        client = Api(world.tokens.get(actor))
        if case.method == "GET":
            return client.client.get(f"/api/v1{path}", headers=client.headers)
        return client.send(case.method, path, body)
    web = Client()
    if actor != "anon":
        web.force_login(world.users[actor])
    return web.get(path) if case.method == "GET" else web.post(path, body)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(READS))
def test_alert_reads(alert_world, case, actor):
    response = run(case, actor, alert_world)
    assert response.status_code == case.expect[actor], response.content[:300]
    if case.expect[actor] == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(WRITES))
def test_alert_writes(alert_world, case, actor):
    from epigrid.audit.models import AuditEvent

    before = db_fingerprint()
    audit_before = AuditEvent.objects.count()
    response = run(case, actor, alert_world)
    expected = case.expect[actor]
    assert response.status_code == expected, response.content[:500]
    succeeded = expected in (200, 201) if case.api else (expected == 302 and actor != "anon")
    if succeeded:
        assert db_fingerprint() != before
        assert AuditEvent.objects.count() > audit_before, "a write left no audit event"
        assert AuditEvent.objects.order_by("-id").first().actor_username == actor
    else:
        assert db_fingerprint() == before, "a refused write changed something"
        assert AuditEvent.objects.count() == audit_before
