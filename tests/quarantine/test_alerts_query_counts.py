"""Alert lists and pages cost the same number of queries however many alerts, cases and
referral steps there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epigrid.quarantine.selectors.escalation import alerts_for_case
from epigrid.quarantine.services.escalation import evaluate_followup, referral_record

from .alerts_world import DAY, fever_alert, reading
from .world import local

pytestmark = pytest.mark.django_db


def _grow(world, n: int, grid: str = "grid_a") -> list:
    made = []
    for i in range(n):
        alert = fever_alert(world, grid=grid, name=f"病例{grid}{len(made)}-{i}")
        actor = world.actor("hq")
        referral_record(actor=actor, alert=alert, step="reported", at=local(DAY, 9, 40))
        referral_record(actor=actor, alert=alert, step="isolated", at=local(DAY, 10, 0))
        made.append(alert)
    return made


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def _pages(world, web, api, alert):
    hq, worker = web("hq"), web("worker_a")
    return {
        "list hq": lambda: hq.get("/quarantine/alerts/"),
        "list worker": lambda: worker.get("/quarantine/alerts/"),
        "list open": lambda: hq.get("/quarantine/alerts/?open=1&trigger=fever"),
        "detail": lambda: worker.get(f"/quarantine/alerts/{alert.pk}/"),
        "grid page": lambda: hq.get(f"/grids/{world.nodes['village_a'].code}/"),
        "api list": lambda: api("hq").get("/quarantine/alerts"),
        "api detail": lambda: api("worker_a").get(f"/quarantine/alerts/{alert.pk}"),
    }


def test_pages_and_endpoints_do_not_grow_with_the_data(world, web, api):
    (alert,) = _grow(world, 1)
    pages = _pages(world, web, api, alert)
    for fn in pages.values():  # warm up: a token's first use of the day is written once
        assert fn().status_code == 200
    before = {name: _count(fn) for name, fn in pages.items()}
    _grow(world, 8)
    _grow(world, 4, grid="grid_b")
    hq = world.actor("hq")
    referral_record(actor=hq, alert=alert, step="transported", at=local(DAY, 11))
    referral_record(
        actor=hq, alert=alert, step="diagnosed", at=local(DAY, 12), diagnosis="excluded"
    )
    after = {name: _count(fn) for name, fn in pages.items()}
    assert after == before


def test_a_page_of_alerts_is_at_most_two_queries_plus_the_steps(world):
    from epigrid.quarantine.selectors.escalation import alert_list, alert_page

    _grow(world, 5)
    actor = world.actor("hq")
    with CaptureQueriesContext(connection) as ctx:
        page = alert_page(alert_list(actor=actor), cursor=None, limit=3)
        shown = [
            (a.person.name, a.jurisdiction.name, a.detail_text, a.last_step_label)
            for a in page.items
        ]
    assert len(ctx) == 1 and len(shown) == 3  # three open alerts fill the first page
    with CaptureQueriesContext(connection) as ctx:
        page = alert_page(alert_list(actor=actor), cursor=page.next, limit=3)
        shown = [
            (a.person.name, a.jurisdiction.name, a.detail_text, a.last_step_label)
            for a in page.items
        ]
    assert len(ctx) == 2 and len(page.items) == 2 and page.next is None


def test_the_case_section_is_one_query(world):
    (alert,) = _grow(world, 1)
    evaluate_followup(
        actor=world.actor("hq"),
        followup=reading(alert.case, temperature="38.8", symptoms=["chest_pain"]),
    )
    actor = world.actor("worker_a")
    with CaptureQueriesContext(connection) as ctx:
        alerts = alerts_for_case(actor=actor, case=alert.case)
        shown = [(a.person.name, a.detail_text, a.last_step_label) for a in alerts]
    assert len(ctx) == 1 and len(shown) == 2
