"""The phone pages of follow-up: the worklist (overdue first, red; due soon, amber; one tap to
record), the follow-up form, and headquarters' overdue list."""

import datetime as dt
import re

import pytest

from epigrid.quarantine.models import Alert, FollowUp

from .conftest import DAY
from .world import frozen, local, quarantine_state

pytestmark = pytest.mark.django_db
HOSTILE = '<img src=x onerror="alert(1)">'


def page(client, path, at, **params):
    with frozen(at):
        response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return response.content.decode()


def post(client, path, data, at):
    with frozen(at):
        return client.post(path, data, headers={"Accept-Language": "en"})


def followup(**changes):
    return {
        "method": "video",
        "result": "well",
        "temperature": "36.5",
        "site": "axillary",
        "taken_at": "2020-02-03T15:20",
        "note": "",
        **changes,
    }


def test_the_worklist_puts_overdue_first_and_records_in_one_tap(qworld, web, open_case):
    morning = open_case(name="早开")
    afternoon = open_case(name="午开", at=local(DAY, 11))
    worker = web("worker_a")
    at = local(DAY, 15, 30)
    html = page(worker, "/quarantine/worklist/", at)
    cards = re.findall(r'data-urgency="(\w+)" data-slot="(\d+)"', html)
    assert [u for u, _ in cards] == ["overdue", "due_soon", "due_soon"]
    assert html.index("早开") < html.index("午开")
    assert 'data-testid="count-overdue">1<' in html
    links = re.findall(r'href="(/quarantine/cases/\d+/followup/\?slot=\d+)"', html)
    assert links[0] == f"/quarantine/cases/{morning.pk}/followup/?slot={cards[0][1]}"
    form = page(worker, links[0], at)
    assert 'data-testid="followup-form"' in form and "02-03 10:00" in form
    assert 'inputmode="decimal"' in form and 'value="short_breath"' in form
    assert 'name="staff"' not in form  # the worker is the one following up
    response = post(worker, links[0], followup(note=HOSTILE), at)
    assert response.status_code == 302 and response["Location"] == "/quarantine/worklist/"
    f = FollowUp.objects.get()
    assert (f.case, f.slot.number, f.staff) == (morning, 1, qworld.staff["grid_a.cadre"])
    html = page(worker, "/quarantine/worklist/", at)
    assert [u for u, _ in re.findall(r'data-urgency="(\w+)" data-slot="(\d+)"', html)] == [
        "due_soon",
        "due_soon",
    ]
    detail = page(worker, f"/quarantine/cases/{morning.pk}/", at)
    assert HOSTILE not in detail and "&lt;img" in detail
    assert afternoon.pk


def test_a_fever_reading_warns_and_alerts(qworld, web, open_case):
    case = open_case()
    worker = web("worker_a")
    at = local(DAY, 9, 30)
    response = post(
        worker,
        f"/quarantine/cases/{case.pk}/followup/",
        followup(
            temperature="38.1", result="unwell", symptoms=["cough"], taken_at="2020-02-03T09:25"
        ),
        at,
    )
    assert response.status_code == 302
    with frozen(at):
        shown = worker.get("/quarantine/worklist/").content.decode()
    assert "headquarters are alerted" in shown or "指挥部" in shown
    assert Alert.objects.filter(case=case, trigger="fever").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"temperature": "45"}, "not a possible body temperature"),
        ({"temperature": "3x"}, "such as 36.5"),
        ({"result": "not_reached"}, "not reached"),
        ({"taken_at": "2020-02-03T18:00"}, "cannot be in the future"),
        ({"symptoms": ["zombie"]}, "zombie"),
        ({"method": ""}, "required"),
    ],
)
def test_a_bad_follow_up_shows_the_reason_and_saves_nothing(
    qworld, web, open_case, changes, message
):
    case = open_case()
    before = quarantine_state()
    response = post(
        web("worker_a"),
        f"/quarantine/cases/{case.pk}/followup/",
        followup(**changes),
        local(DAY, 15, 30),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert quarantine_state() == before


def test_someone_without_a_grid_worker_record_names_who_followed_up(qworld, web, open_case):
    case = open_case()
    secretary = web("secretary")
    path = f"/quarantine/cases/{case.pk}/followup/"
    form = page(secretary, path, local(DAY, 9))
    assert 'name="staff"' in form and qworld.staff["grid_a.family_doctor"].name in form
    data = followup(staff=str(qworld.staff["grid_a.family_doctor"].pk), taken_at="2020-02-03T08:50")
    response = post(secretary, path, data, local(DAY, 9))
    assert response.status_code == 302 and response["Location"] == f"/quarantine/cases/{case.pk}/"
    assert FollowUp.objects.get().staff == qworld.staff["grid_a.family_doctor"]


def test_who_may_open_the_follow_up_form(qworld, web, open_case):
    case = open_case()
    path = f"/quarantine/cases/{case.pk}/followup/"
    with frozen(local(DAY, 9)):
        assert web("worker_b").get(path).status_code == 404
        assert web("analyst").get(path).status_code == 403
        assert web(None).get(path).status_code == 302
        assert web("worker_b").post(path, followup()).status_code == 404
    assert not FollowUp.objects.exists()


def test_headquarters_picks_a_team_and_sees_all_overdue(qworld, web, open_case):
    open_case(name="甲")
    open_case(name="乙", grid="grid_b")
    hq = web("hq")
    at = local(DAY + dt.timedelta(days=1), 10, 30)
    picker = page(hq, "/quarantine/worklist/", at)
    assert f'value="{qworld.teams["grid_b"].pk}"' in picker
    team_b = page(hq, "/quarantine/worklist/", at, team=qworld.teams["grid_b"].pk)
    assert "乙" in team_b and 'data-urgency="overdue"' in team_b
    overdue = page(hq, "/quarantine/overdue/", at)
    assert "甲" in overdue and "乙" in overdue
    assert overdue.count('data-state="overdue"') == 2
    missed = page(hq, "/quarantine/overdue/", at, missed="1")
    assert missed.count('data-state="missed"') == 4
    village_b = page(hq, "/quarantine/overdue/", at, within=qworld.nodes["village_b"].code)
    assert "乙" in village_b and "甲" not in village_b
    mine = page(web("worker_b"), "/quarantine/overdue/", at)
    assert "乙" in mine and "甲" not in mine
    with frozen(at):
        assert (
            web("worker_b")
            .get("/quarantine/worklist/", {"team": qworld.teams["grid_a"].pk})
            .status_code
            == 404
        )


def test_the_worklist_offers_a_call_only_to_those_who_may_see_the_number(qworld, web, open_case):
    from .world import new_person

    open_case(person=new_person(qworld, name="有电话", phone="13912345678"))
    at = local(DAY, 9)
    team = qworld.teams["grid_a"].pk
    worker = page(web("worker_a"), "/quarantine/worklist/", at)
    assert 'href="tel:13912345678"' in worker
    analyst = page(web("analyst"), "/quarantine/worklist/", at, team=team)
    assert "有电话" in analyst and "13912345678" not in analyst and "tel:" not in analyst


def test_follow_ups_due_later_are_short_rows_and_those_not_open_yet_are_folded(
    qworld, web, open_case
):
    case = open_case(name="早开", at=local(DAY, 7))
    worker = web("worker_a")
    html = page(worker, "/quarantine/worklist/", local(DAY, 7, 30))  # 10:00 is 2.5 h away
    assert 'class="card urgency' not in html  # nothing overdue or due soon: no card
    rows = re.findall(r'<li class="row urgency-due" data-urgency="due" data-slot="(\d+)"', html)
    first, second = (s.pk for s in case.slots.order_by("deadline")[:2])
    assert rows == [str(first)]
    record = f'href="/quarantine/cases/{case.pk}/followup/?slot={first}"'
    assert record in html and "10:00" in html
    assert 'data-testid="count-due">1<' in html and 'data-testid="count-upcoming">1<' in html
    folded = html[html.index('data-testid="worklist-not-open"') :]
    assert f'data-urgency="upcoming" data-slot="{second}"' in folded and "10:00" in folded
    assert f"?slot={second}" not in html  # not open yet: nothing to record
    # At 08:30 the same follow-up is due within two hours: a card.
    html = page(worker, "/quarantine/worklist/", local(DAY, 8, 30))
    assert re.findall(r'class="card urgency-(\w+)" data-urgency="\w+" data-slot="(\d+)"', html) == [
        ("due_soon", str(first))
    ]


def test_headquarters_finds_a_team_by_name_when_the_area_has_many(qworld, web, open_case):
    from unittest import mock

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from epigrid.quarantine.selectors import followups as selectors

    open_case(name="乙", grid="grid_b")
    hq = web("hq")
    at = local(DAY, 15)
    team_b = qworld.teams["grid_b"]
    with mock.patch.object(selectors, "PICK_LIST", 2):  # more teams than a list shows
        picker = page(hq, "/quarantine/worklist/", at)
        assert 'name="find"' in picker and "<select" not in picker
        assert f'value="{team_b.pk}"' not in picker and f"?team={team_b.pk}" not in picker
        found = page(hq, "/quarantine/worklist/", at, find="grid_b")
        assert f'href="?team={team_b.pk}"' in found
        assert f'?team={qworld.teams["grid_a"].pk}"' not in found
        nothing = page(hq, "/quarantine/worklist/", at, find="zzz")
        assert 'data-testid="team-matches"' in nothing and "?team=" not in nothing
        assert "乙" in page(hq, "/quarantine/worklist/", at, team=team_b.pk)
        counts = []
        for params in ({}, {"find": "grid"}, {"team": team_b.pk}):
            with frozen(at), CaptureQueriesContext(connection) as ctx:
                assert hq.get("/quarantine/worklist/", params).status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1] and counts[2] == counts[0] + 1  # + the team itself
    # The village secretary of A does not find grid B's team: the search is scoped.
    secretary = web("secretary")
    with mock.patch.object(selectors, "PICK_LIST", 0):
        html = page(secretary, "/quarantine/worklist/", at, find="grid_b")
    assert f"?team={team_b.pk}" not in html
