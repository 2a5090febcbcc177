"""The case pages: list with filters and search, the case page (masked per rights, slots by
state, history, other parts' sections), and the forms that open, change and close a case."""

import datetime as dt
import re

import pytest

from epigrid.quarantine.models import EndDateChange, ObservationCase

from .conftest import DAY
from .world import frozen, local, new_person, quarantine_state

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>'


def page(client, path, at=None, **params):
    with frozen(at or local(DAY, 9)):
        response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code, response.content[:300])
    return response.content.decode()


def post(client, path, data, at=None):
    with frozen(at or local(DAY, 9)):
        return client.post(path, data, headers={"Accept-Language": "en"})


def test_the_case_list_filters_searches_and_shows_only_ones_area(qworld, web, open_case):
    open_case(name="张一")
    open_case(name="张二", regime="home_observation")
    open_case(name="李三", grid="grid_a2")
    open_case(name="王五", grid="grid_b")
    worker = web("worker_a")
    listed = page(worker, "/quarantine/cases/")
    assert "张一" in listed and "张二" in listed
    assert "李三" not in listed and "王五" not in listed  # grid A2 and grid B are not theirs
    assert "张二" not in page(worker, "/quarantine/cases/", regime="home_quarantine")
    searched = page(web("secretary"), "/quarantine/cases/", q="张")
    assert "张一" in searched and "李三" not in searched
    hq = page(web("hq"), "/quarantine/cases/", within=qworld.nodes["village_b"].code)
    assert "王五" in hq and "张一" not in hq
    assert "王五" in page(web("hq"), "/quarantine/cases/", status="all", within="nowhere")
    with frozen(local(DAY, 9)):
        assert web("hq").get("/quarantine/cases/", {"cursor": "zzz"}).status_code == 302


def test_the_case_list_pages(qworld, web, open_case):
    for i in range(32):
        open_case(name=f"例{i:02d}")
    first = page(web("hq"), "/quarantine/cases/")
    nxt = re.search(r'href="\?([^"]*cursor=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = page(web("hq"), "/quarantine/cases/?" + nxt)
    assert "例31" in first and "例00" in second and "例31" not in second


def test_the_case_page_masks_identifiers_for_those_who_may_not_see_them(qworld, web, open_case):
    person = new_person(qworld, name=HOSTILE, phone="13912345678")
    case = open_case(person=person, note=HOSTILE)
    analyst = page(web("analyst"), f"/quarantine/cases/{case.pk}/", at=local(DAY, 10, 30))
    assert person.doc_number not in analyst and "139****5678" in analyst
    assert HOSTILE not in analyst and "&lt;script&gt;" in analyst
    assert 'data-testid="record-followup"' not in analyst  # read-only
    worker = page(web("worker_a"), f"/quarantine/cases/{case.pk}/", at=local(DAY, 10, 30))
    assert person.doc_number in worker and "13912345678" in worker
    assert 'data-testid="record-followup"' in worker
    assert f"quarantine/cases/{case.pk}/close/" not in worker  # grid workers do not close
    assert 'data-state="overdue"' in worker and 'data-state="due"' in worker
    assert worker.count('data-state="upcoming"') == 26
    for section in ("case-alerts", "case-assistance", "case-selfreport"):
        assert f'data-testid="{section}"' in worker
    secretary = page(web("secretary"), f"/quarantine/cases/{case.pk}/")
    assert f"quarantine/cases/{case.pk}/close/" in secretary
    with frozen(local(DAY, 9)):
        assert web("worker_b").get(f"/quarantine/cases/{case.pk}/").status_code == 404
        assert web(None).get(f"/quarantine/cases/{case.pk}/").status_code == 302


def test_opening_a_case_from_the_register(qworld, web):
    person = new_person(qworld, name="开案人")
    secretary = web("secretary")
    found = page(secretary, "/quarantine/cases/new/", q="开案")
    assert f"?person={person.pk}" in found
    form = page(secretary, "/quarantine/cases/new/", person=person.pk)
    assert 'data-testid="case-open-form"' in form and qworld.teams["grid_a"].name in form
    data = {
        "person": person.pk,
        "regime": "home_quarantine",
        "reason": "source_area",
        "start_date": DAY.isoformat(),
        "jurisdiction": qworld.nodes["grid_a"].code,
        "team": "",
        "note": HOSTILE,
    }
    with frozen(local(DAY, 8)):
        response = secretary.post(f"/quarantine/cases/new/?person={person.pk}", data)
    case = ObservationCase.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/")
    assert (case.team, case.note, case.end_date) == (
        qworld.teams["grid_a"],
        HOSTILE,
        DAY + dt.timedelta(days=14),
    )
    before = quarantine_state()
    again = post(secretary, f"/quarantine/cases/new/?person={person.pk}", data)
    assert again.status_code == 200 and "already has an open case" in again.content.decode()
    old = post(
        secretary,
        f"/quarantine/cases/new/?person={person.pk}",
        {**data, "regime": "home_observation", "start_date": "2020-01-01"},
    )
    assert old.status_code == 200 and "more than 7 days ago" in old.content.decode()
    wrong_team = post(
        secretary,
        f"/quarantine/cases/new/?person={person.pk}",
        {**data, "regime": "home_observation", "team": str(qworld.teams["grid_b"].pk)},
    )
    assert wrong_team.status_code == 200
    assert quarantine_state() == before


def test_who_may_open_a_case_on_the_page(qworld, web):
    person_b = new_person(qworld, grid="grid_b")
    with frozen(local(DAY, 9)):
        assert web("worker_a").get("/quarantine/cases/new/").status_code == 403
        assert web("analyst").get("/quarantine/cases/new/").status_code == 403
        assert (
            web("secretary").get(f"/quarantine/cases/new/?person={person_b.pk}").status_code == 404
        )
        assert web("secretary").get("/quarantine/cases/new/?person=abc").status_code == 200


def test_changing_the_release_date_editing_and_closing(qworld, web, open_case):
    case = open_case()
    secretary = web("secretary")
    assert 'data-testid="case-end-form"' in page(secretary, f"/quarantine/cases/{case.pk}/end/")
    at = local(DAY + dt.timedelta(days=2), 9)
    response = post(
        secretary,
        f"/quarantine/cases/{case.pk}/end/",
        {"new_end": "2020-02-20", "reason": HOSTILE, "version": "1"},
        at=at,
    )
    assert response.status_code == 302
    assert EndDateChange.objects.get(case=case).previous_end == dt.date(2020, 2, 17)
    detail = page(secretary, f"/quarantine/cases/{case.pk}/", at=at)
    assert 'data-testid="case-end-changes"' in detail and "2020-02-17" in detail
    assert "&lt;script&gt;" in detail and HOSTILE not in detail
    before = quarantine_state()
    stale = post(
        secretary,
        f"/quarantine/cases/{case.pk}/end/",
        {"new_end": "2020-02-22", "reason": "再延", "version": "1"},
        at=at,
    )
    assert stale.status_code == 200 and "Someone else changed this record" in stale.content.decode()
    assert quarantine_state() == before
    edit = post(
        secretary,
        f"/quarantine/cases/{case.pk}/edit/",
        {"team": str(qworld.teams["big_a"].pk), "note": "改由工作组", "version": "2"},
        at=at,
    )
    assert edit.status_code == 302
    closing = post(
        secretary,
        f"/quarantine/cases/{case.pk}/close/",
        {"end_reason": "referred", "note": "送诊", "version": "3"},
        at=at,
    )
    assert closing.status_code == 302
    case.refresh_from_db()
    assert (case.end_reason, case.team, case.version) == ("referred", qworld.teams["big_a"], 4)
    closed = page(secretary, f"/quarantine/cases/{case.pk}/", at=at)
    assert 'data-testid="record-followup"' not in closed
    for path in ("end", "close", "edit"):
        with frozen(at):
            assert web("worker_a").get(f"/quarantine/cases/{case.pk}/{path}/").status_code == 403
            assert web("worker_b").get(f"/quarantine/cases/{case.pk}/{path}/").status_code == 403
