"""Follow-ups, the worklist and the overdue list over the API."""

import datetime as dt

import pytest

from epigrid.quarantine.models import Alert, FollowUp

from .conftest import DAY
from .world import frozen, local, quarantine_state

pytestmark = pytest.mark.django_db


def post(client, data, at):
    with frozen(at):
        return client.send("POST", "/quarantine/followups", data)


def test_a_team_member_records_follow_ups_from_the_worklist(qworld, eapi, open_case):
    case = open_case()
    worker = eapi("worker_a")
    with frozen(local(DAY, 9, 20)):
        work = worker.get("/quarantine/worklist").json()
    assert [t["id"] for t in work["teams"]] == [qworld.teams["grid_a"].pk]
    assert [(i["number"], i["urgency"]) for i in work["items"]] == [
        (1, "due_soon"),
        (2, "upcoming"),
    ]
    first = work["items"][0]
    response = post(
        worker,
        {
            "case": case.pk,
            "slot": first["slot_id"],
            "method": "video",
            "result": "unwell",
            "temperature": 37.3,
            "site": "axillary",
            "symptoms": ["cough", "short_breath"],
            "note": "<script>alert(1)</script>",
        },
        local(DAY, 9, 30),
    )
    assert response.status_code == 201, response.content
    f = response.json()
    assert (f["slot_id"], f["temperature"], f["staff_id"]) == (
        first["slot_id"],
        "37.3",
        qworld.staff["grid_a.cadre"].pk,
    )
    assert f["symptoms"] == ["cough", "short_breath"]
    assert f["note"] == "<script>alert(1)</script>"  # stored as typed; pages escape it
    # 37.3 with ">=" is a fever, and shortness of breath is serious: escalation raised both.
    assert {a.trigger for a in Alert.objects.filter(case=case)} == {"fever", "serious_symptom"}
    with frozen(local(DAY, 9, 31)):
        items = worker.get("/quarantine/worklist").json()["items"]
        listed = worker.all("/quarantine/followups", case=case.pk)
    assert [i["number"] for i in items] == [2]
    assert [x["id"] for x in listed] == [f["id"]]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"temperature": 43.5}, "temperature", "not a possible body temperature"),
        ({"temperature": "33.0"}, "temperature", "between 34.0 and 43.0"),
        ({"temperature": "warm"}, "temperature", "number"),
        ({"symptoms": ["zombie"]}, "symptoms", "Unknown symptom"),
        ({"result": "not_reached", "temperature": 36.5}, "result", "not reached"),
        ({"taken_at": "2020-02-03T12:00:00+08:00"}, "taken_at", "future"),
        ({"method": "pigeon"}, "method", "allowed values"),
    ],
)
def test_bad_follow_ups_are_field_errors(qworld, eapi, open_case, changes, field, message):
    case = open_case()
    before = quarantine_state()
    data = {"case": case.pk, "method": "phone", "result": "well", **changes}
    response = post(eapi("worker_a"), data, local(DAY, 9))
    assert response.status_code == 422, response.content
    assert message in " ".join(response.json()["errors"][field])
    assert quarantine_state() == before


def test_a_future_slot_and_a_closed_case_are_refused(qworld, eapi, open_case):
    case = open_case()
    worker = eapi("worker_a")
    with frozen(local(DAY, 9)):
        slots = worker.get(f"/quarantine/cases/{case.pk}/slots").json()["items"]
    future = post(
        worker,
        {"case": case.pk, "slot": slots[1]["id"], "method": "phone", "result": "well"},
        local(DAY, 9),
    )
    assert future.status_code == 422 and "not open yet" in future.json()["errors"]["slot"][0]
    closed = eapi("hq")
    with frozen(local(DAY, 9, 5)):
        closed.send(
            "POST", f"/quarantine/cases/{case.pk}/close", {"end_reason": "lost", "version": 1}
        )
    refused = post(
        worker, {"case": case.pk, "method": "phone", "result": "well"}, local(DAY, 9, 10)
    )
    assert refused.status_code == 422 and "closed" in refused.json()["errors"]["case"][0]
    assert not FollowUp.objects.exists()


def test_out_of_reach_cases_and_teams_are_not_found(qworld, eapi, open_case):
    case = open_case()
    worker_b = eapi("worker_b")
    assert (
        post(
            worker_b, {"case": case.pk, "method": "phone", "result": "well"}, local(DAY, 9)
        ).status_code
        == 404
    )
    assert (
        post(
            eapi("analyst"), {"case": case.pk, "method": "phone", "result": "well"}, local(DAY, 9)
        ).status_code
        == 403
    )
    with frozen(local(DAY, 9)):
        assert (
            worker_b.get("/quarantine/worklist", team=qworld.teams["grid_a"].pk).status_code == 404
        )
        assert worker_b.get("/quarantine/followups", case=case.pk).json()["items"] == []
        assert worker_b.get("/quarantine/worklist").json()["items"] == []
    assert not FollowUp.objects.exists()


def test_the_overdue_list_pages_by_deadline(qworld, eapi, open_case):
    for i in range(3):
        open_case(name=f"甲{i}")
    open_case(name="乙", grid="grid_b")
    hq = eapi("hq")
    at = local(DAY + dt.timedelta(days=1), 17, 30)
    with frozen(at):
        today = hq.all("/quarantine/overdue", limit=3)
        both = hq.all("/quarantine/overdue", limit=3, missed_days=1)
        mine = eapi("worker_b").all("/quarantine/overdue", missed_days=1)
        assert hq.get("/quarantine/overdue", missed_days=99).status_code == 422
        assert hq.get("/quarantine/overdue", cursor="!!").status_code == 422
    assert len(today) == 8 and {i["urgency"] for i in today} == {"overdue"}
    assert len(both) == 16 and sum(i["state"] == "missed" for i in both) == 8
    assert [i["deadline"] for i in both] == sorted(i["deadline"] for i in both)
    assert {i["person_name"] for i in mine} == {"乙"}
