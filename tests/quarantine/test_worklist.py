"""A team's worklist of the day and headquarters' overdue list: who sees what, in what order,
page by page, and at a cost that does not grow with the number of cases."""

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from epigrid.quarantine.models import FollowUpSlot
from epigrid.quarantine.selectors import followups as selectors

from .conftest import DAY
from .world import frozen, local, make_case

pytestmark = pytest.mark.django_db


def names(items) -> list[str]:
    return [s.case.person.name for s in items]


def test_overdue_first_then_by_deadline(qworld):
    early = make_case(qworld, name="早开", opened_at=local(DAY, 8))
    late = make_case(qworld, name="午开", opened_at=local(DAY, 11))  # owes only 17:00 today
    make_case(qworld, grid="grid_b", name="乙网格")
    make_case(qworld, grid="grid_a2", name="邻网格")
    now = local(DAY, 15, 30)
    work = selectors.worklist(actor=qworld.actor("worker_a"), now=now)
    assert [t.pk for t in work.teams] == [qworld.teams["grid_a"].pk]
    assert [(s.case_id, s.number, s.urgency) for s in work.items] == [
        (early.pk, 1, "overdue"),
        (early.pk, 2, "due_soon"),
        (late.pk, 2, "due_soon"),
    ]
    assert work.counts == {"overdue": 1, "due_soon": 2, "due": 0, "upcoming": 0}
    # Done and closed cases' slots leave it.
    FollowUpSlot.objects.filter(case=early, number=1).update(done_at=local(DAY, 15))
    FollowUpSlot.objects.filter(case=late).update(case_open=False)
    work = selectors.worklist(actor=qworld.actor("worker_a"), now=now)
    assert [(s.case_id, s.number) for s in work.items] == [(early.pk, 2)]


def test_headquarters_may_open_any_teams_worklist_a_worker_only_those_in_reach(qworld):
    make_case(qworld, grid="grid_b", name="乙网格")
    now = local(DAY, 9)
    hq = qworld.actor("hq")
    assert selectors.worklist(actor=hq, now=now).items == []  # no team of their own
    team_b = selectors.team_for_actor(actor=hq, pk=qworld.teams["grid_b"].pk)
    assert names(selectors.worklist(actor=hq, team=team_b, now=now).items) == ["乙网格"] * 2
    with pytest.raises(Http404):
        selectors.team_for_actor(actor=qworld.actor("worker_a"), pk=qworld.teams["grid_b"].pk)
    assert qworld.teams["grid_b"] not in selectors.team_choices(actor=qworld.actor("secretary"))


def test_the_overdue_list_covers_the_actors_area_page_by_page(qworld):
    for i in range(4):
        make_case(qworld, name=f"甲{i}")
    make_case(qworld, grid="grid_b", name="乙")
    now = local(DAY + dt.timedelta(days=1), 18)
    hq = qworld.actor("hq")
    today = selectors.overdue_list(actor=hq, now=now)
    assert today.count() == 5 * 2
    everything = selectors.overdue_list(actor=hq, missed_days=1, now=now)
    assert everything.count() == 5 * 4
    seen, cursor = [], None
    while True:
        page = selectors.overdue_page(everything, cursor=cursor, limit=3)
        seen += page.items
        cursor = page.next
        if not cursor:
            break
    assert len(seen) == 20 and len({s.pk for s in seen}) == 20
    keys = [(s.deadline, s.jpath, s.pk) for s in seen]
    assert keys == sorted(keys)  # ties on a deadline (every case's 10:00) page without loss
    worker_b = qworld.actor("worker_b")
    assert set(names(selectors.overdue_list(actor=worker_b, now=now))) == {"乙"}
    village_a = qworld.nodes["village_a"].code
    within = selectors.overdue_list(actor=hq, within=village_a, now=now)
    assert set(names(within)) == {f"甲{i}" for i in range(4)}


def test_a_tampered_cursor_is_a_field_error(qworld):
    from django.core.exceptions import ValidationError

    qs = selectors.overdue_list(actor=qworld.actor("hq"), now=local(DAY, 12))
    from epigrid.core.pagination import encode_cursor

    for cursor in (
        "bogus",
        encode_cursor("x|y"),
        encode_cursor("2020-02-03T02:00:00|440785.|1"),  # no zone
        encode_cursor("2020-02-03T02:00:00+00:00|440785.|99999999999999999999"),
        encode_cursor(12),
    ):
        with pytest.raises(ValidationError):
            selectors.overdue_page(qs, cursor=cursor, limit=5)


def test_the_worklist_costs_the_same_for_one_case_or_ten(qworld, django_assert_num_queries):
    now = local(DAY, 12)
    make_case(qworld, name="一")
    worker = qworld.actor("worker_a")
    with django_assert_num_queries(3):  # the worker's record, their teams, the slots
        one = selectors.worklist(actor=worker, now=now)
        names(one.items)
    for i in range(9):
        make_case(qworld, name=f"多{i}")
    with django_assert_num_queries(3):
        ten = selectors.worklist(actor=worker, now=now)
        names(ten.items)
    assert (len(one.items), len(ten.items)) == (2, 20)


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(ctx.captured_queries)


PAGES = {
    "worker_a": ["/quarantine/worklist/", "/quarantine/cases/", "/quarantine/cases/{case}/"],
    "hq": [
        "/quarantine/overdue/?missed=1",
        "/quarantine/cases/?status=all",
        "/quarantine/worklist/?team={team}",
    ],
}
ENDPOINTS = {
    "worker_a": ["/quarantine/worklist", "/quarantine/cases", "/quarantine/followups"],
    "hq": ["/quarantine/overdue?missed_days=1", "/quarantine/cases/{case}/slots"],
}


def test_pages_and_endpoints_cost_the_same_for_one_case_or_ten(qworld, web, api):
    from epigrid.quarantine.models import FollowUp

    def grow(n):
        made = []
        for i in range(n):
            case = make_case(qworld, name=f"例{len(made)}-{i}")
            slot = FollowUpSlot.objects.filter(case=case).order_by("deadline").first()
            f = FollowUp.objects.create(
                case=case,
                jpath=case.jpath,
                slot=slot,
                method="phone",
                taken_at=local(DAY, 9),
                result="well",
                staff=qworld.staff["grid_a.cadre"],
                symptoms=["cough"],
            )
            FollowUpSlot.objects.filter(pk=slot.pk).update(done_at=local(DAY, 9), followup=f)
            made.append(case)
        return made

    first = grow(1)[0]
    values = {"case": first.pk, "team": qworld.teams["grid_a"].pk}
    clients = {name: web(name) for name in PAGES}
    apis = {name: api(name) for name in ENDPOINTS}

    def measure():
        counts = {}
        with frozen(local(DAY + dt.timedelta(days=1), 18)):
            for name, paths in PAGES.items():
                for p in paths:
                    counts[p] = _count(clients[name], p.format(**values))
            for name, paths in ENDPOINTS.items():
                for p in paths:
                    counts["api" + p] = _api_count(apis[name], p.format(**values))
        return counts

    measure()  # warm up: a token's first use of the minute is recorded
    small = measure()
    grow(9)
    assert measure() == small


def _api_count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.client.get(f"/api/v1{path}", headers=client.headers)
    assert response.status_code == 200, (path, response.content[:300])
    return len(ctx.captured_queries)
