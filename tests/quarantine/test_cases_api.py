"""Observation cases over the API: open, read (masked per rights), filter and page, change the
release date, edit and close; refusals as field errors, lost updates as 409."""

import datetime as dt

import pytest

from epigrid.quarantine.models import ObservationCase

from .conftest import DAY
from .world import frozen, local, new_person, quarantine_state

pytestmark = pytest.mark.django_db
NOW = local(DAY, 8)


def body(qworld, person, **changes):
    return {
        "person": person.pk,
        "jurisdiction": qworld.nodes["grid_a"].code,
        "start_date": DAY.isoformat(),
        **changes,
    }


def send(client, method, path, data=None, at=NOW):
    with frozen(at):
        return client.send(method, path, data)


def get(client, path, at=NOW, **params):
    with frozen(at):
        return client.get(path, **params)


def test_open_read_change_and_close_a_case(qworld, eapi):
    secretary = eapi("secretary")
    person = new_person(qworld, phone="13912345678")
    response = send(secretary, "POST", "/quarantine/cases", body(qworld, person, note="独居"))
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["status"], case["regime"], case["reason"]) == (
        "active",
        "home_quarantine",
        "source_area",
    )
    assert (case["start_date"], case["end_date"]) == ("2020-02-03", "2020-02-17")
    assert case["team_id"] == qworld.teams["grid_a"].pk
    assert case["jurisdiction"] == qworld.nodes["grid_a"].code
    assert case["person_doc_number"] == person.doc_number  # a secretary sees ID numbers
    assert case["policy"]["followup_deadlines"] == ["10:00", "17:00"]
    analyst = get(eapi("analyst"), f"/quarantine/cases/{case['id']}").json()
    assert analyst["person_doc_number"] != person.doc_number
    assert "*" in analyst["person_doc_number"] and analyst["person_phone"] == "139****5678"

    slots = get(secretary, f"/quarantine/cases/{case['id']}/slots", at=local(DAY, 10, 1)).json()
    assert len(slots["items"]) == 28 and slots["next"] is None
    assert [s["state"] for s in slots["items"][:3]] == ["overdue", "due", "upcoming"]

    path = f"/quarantine/cases/{case['id']}"
    longer = send(
        secretary,
        "POST",
        f"{path}/end",
        {"new_end": "2020-02-20", "reason": "密接延长", "version": 1},
    )
    assert longer.status_code == 200, longer.content
    assert (longer.json()["end_date"], longer.json()["version"]) == ("2020-02-20", 2)
    stale = send(
        secretary, "POST", f"{path}/end", {"new_end": "2020-02-21", "reason": "再延", "version": 1}
    )
    assert stale.status_code == 409
    assert "Someone else changed this record" in stale.json()["detail"]

    edited = send(secretary, "PATCH", path, {"version": 2, "note": "<b>独居</b>"})
    assert edited.status_code == 200, edited.content
    assert (edited.json()["note"], edited.json()["team_id"]) == (
        "<b>独居</b>",
        qworld.teams["grid_a"].pk,
    )
    cleared = send(secretary, "PATCH", path, {"version": 3, "team": None})
    assert cleared.json()["team_id"] is None and cleared.json()["note"] == "<b>独居</b>"
    wrong = send(secretary, "PATCH", path, {"version": 4, "team": qworld.teams["grid_b"].pk})
    assert wrong.status_code == 422 and "team" in wrong.json()["errors"]

    closed = send(
        secretary,
        "POST",
        f"{path}/close",
        {"end_reason": "referred", "note": "送发热门诊", "version": 4},
        at=local(DAY, 12),
    )
    assert closed.status_code == 200, closed.content
    assert (closed.json()["status"], closed.json()["end_reason"]) == ("closed", "referred")
    again = send(
        secretary, "POST", f"{path}/close", {"end_reason": "lost", "version": 5}, at=local(DAY, 13)
    )
    assert again.status_code == 422 and "already closed" in str(again.json())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start_date": "2020-01-20"}, "start_date", "more than 7 days ago"),
        ({"reason": "ghost"}, "reason", "Unknown key-person category"),
        ({"jurisdiction": "440785.001.02.1.01"}, "jurisdiction", "No small grid"),
        ({"jurisdiction": "440785.001.01"}, "jurisdiction", "No small grid"),
        ({"team": 999999}, "team", "No team"),
        ({"regime": "hotel"}, "regime", "allowed values"),
        ({"start_date": "2020-02-30"}, "start_date", "valid date"),
        ({"note": "x" * 501}, "note", "500"),
    ],
)
def test_bad_openings_are_field_errors(qworld, eapi, changes, field, message):
    person = new_person(qworld)
    before = quarantine_state()
    response = send(eapi("secretary"), "POST", "/quarantine/cases", body(qworld, person, **changes))
    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert quarantine_state() == before


def test_a_person_out_of_reach_and_a_duplicate_case_are_refused(qworld, eapi):
    secretary = eapi("secretary")
    person_b = new_person(qworld, grid="grid_b")
    out = send(secretary, "POST", "/quarantine/cases", body(qworld, person_b))
    assert out.status_code == 422 and "No person" in str(out.json()["errors"]["person"])
    person = new_person(qworld)
    assert send(secretary, "POST", "/quarantine/cases", body(qworld, person)).status_code == 201
    twice = send(secretary, "POST", "/quarantine/cases", body(qworld, person))
    assert twice.status_code == 422
    assert "already has an open case" in twice.json()["errors"]["regime"][0]
    assert ObservationCase.objects.count() == 1


def test_lists_filter_search_and_page(qworld, eapi, open_case):
    for name in ("张一", "张二", "李三"):
        open_case(name=name)
    open_case(name="张四", regime="home_observation")
    open_case(name="王五", grid="grid_b")
    later = open_case(name="赵六", start=DAY + dt.timedelta(days=3))
    hq = eapi("hq")
    with frozen(local(DAY, 12)):
        assert len(hq.all("/quarantine/cases", limit=2)) == 6
        assert {c["person_name"] for c in hq.all("/quarantine/cases", q="张")} == {
            "张一",
            "张二",
            "张四",
        }
        assert len(hq.all("/quarantine/cases", regime="home_observation")) == 1
        assert [c["id"] for c in hq.all("/quarantine/cases", status="upcoming")] == [later.pk]
        assert len(hq.all("/quarantine/cases", status="active")) == 5
        assert len(hq.all("/quarantine/cases", within=qworld.nodes["village_a"].code)) == 5
        assert len(hq.all("/quarantine/cases", team=qworld.teams["grid_b"].pk)) == 1
        assert {c["person_name"] for c in eapi("worker_b").all("/quarantine/cases")} == {"王五"}
    bad = get(hq, "/quarantine/cases", cursor="not-a-cursor")
    assert bad.status_code == 422
    assert get(hq, "/quarantine/cases", status="sleeping").status_code == 422


def test_a_case_out_of_reach_is_not_found(qworld, eapi, open_case):
    case = open_case()
    worker_b = eapi("worker_b")
    assert get(worker_b, f"/quarantine/cases/{case.pk}").status_code == 404
    assert get(worker_b, f"/quarantine/cases/{case.pk}/slots").status_code == 404
    before = quarantine_state()
    path = f"/quarantine/cases/{case.pk}"
    assert (
        send(
            eapi("secretary"), "PATCH", path.replace(str(case.pk), "999999"), {"version": 1}
        ).status_code
        == 404
    )
    assert send(eapi("worker_a"), "PATCH", path, {"version": 1, "note": "x"}).status_code == 403
    assert quarantine_state() == before


HOSTILE_GETS = [
    "/quarantine/cases/99999999999999999999999",
    "/quarantine/cases/0/slots",
    "/quarantine/cases?limit=-5",
    "/quarantine/cases?limit=abc",
    "/quarantine/cases?team=99999999999999999999999",
    "/quarantine/cases?within=%00%27;--",
    "/quarantine/cases?q=%25_%5C",
    "/quarantine/followups?since=2020-13-01",
    "/quarantine/followups?case=-1",
    "/quarantine/worklist?team=0",
    "/quarantine/overdue?missed_days=-1",
    "/quarantine/overdue?cursor=WyIxLTIiXQ",
    "/quarantine/overdue?within=' OR 1=1",
    "/quarantine/policies?on=0000-00-00",
]


@pytest.mark.parametrize("path", HOSTILE_GETS)
def test_hostile_queries_answer_without_a_500(qworld, eapi, open_case, path):
    open_case()
    with frozen(local(DAY, 12)):
        response = eapi("hq").client.get(f"/api/v1{path}", headers=eapi("hq").headers)
    assert response.status_code in (200, 400, 404, 422), (path, response.content[:300])


def test_a_lost_update_is_told_in_chinese_by_default(qworld, api, open_case):
    case = open_case()
    path = f"/quarantine/cases/{case.pk}"
    assert send(api("hq"), "PATCH", path, {"version": 1, "note": "一"}).status_code == 200
    stale = send(api("secretary"), "PATCH", path, {"version": 1, "note": "二"})
    assert stale.status_code == 409
    assert "他人修改" in stale.json()["detail"]
    case.refresh_from_db()
    assert case.note == "一"
