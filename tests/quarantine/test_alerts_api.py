"""Alerts over the API: scoped lists (open first, keyset pages), one alert with its referral,
recording steps and closing with an outcome, with clear refusals."""

import pytest

from epigrid.accounts.access import SYSTEM
from epigrid.quarantine.models import Alert, AlertOutcome, ReferralEvent
from epigrid.quarantine.services.escalation import scan_missed

from .alerts_world import DAY, fever_alert, reading
from .world import local, make_case

pytestmark = pytest.mark.django_db
URL = "/quarantine/alerts"


@pytest.fixture
def alerts(world):
    a = fever_alert(world, grid="grid_a", name="甲一")
    closed = fever_alert(world, grid="grid_a", name="甲二")
    Alert.objects.filter(pk=closed.pk).update(
        closed_at=local(DAY, 12), outcome=AlertOutcome.RECHECK_NORMAL
    )
    a2 = fever_alert(world, grid="grid_a2", name="甲三")
    b = fever_alert(world, grid="grid_b", name="乙一")
    c = fever_alert(world, grid="grid_c", name="丙一")
    missed_case = make_case(world, grid="grid_a", name="甲四")
    scan_missed(now=local(DAY, 17, 1))
    missed = Alert.objects.get(case=missed_case)
    # The other cases had their morning follow-up: only 甲四 missed two in a row.
    return {"a": a, "closed": closed, "a2": a2, "b": b, "c": c, "missed": missed}


def _ids(items):
    return [i["id"] for i in items]


def test_each_actor_sees_the_alerts_of_their_area(world, api, alerts):
    seen = {who: set(_ids(api(who).all(URL))) for who in ("worker_a", "worker_b", "secretary")}
    assert seen["worker_a"] == {alerts[k].pk for k in ("a", "closed", "missed")}
    assert seen["worker_b"] == {alerts["b"].pk}
    assert seen["secretary"] == {alerts[k].pk for k in ("a", "closed", "missed", "a2")}
    everything = set(Alert.objects.values_list("pk", flat=True))
    assert set(_ids(api("hq").all(URL))) == everything
    assert set(_ids(api("analyst").all(URL))) == everything
    assert api(None).get(URL).status_code == 401


def test_open_first_then_newest_over_pages(world, api, alerts):
    items = api("hq").all(URL, limit=2)
    opened = [i for i in items if i["open"]]
    assert items[: len(opened)] == opened  # every open alert before any closed one
    assert _ids(opened) == sorted(_ids(opened), reverse=True)
    assert len(set(_ids(items))) == len(items) == Alert.objects.count()
    assert items[-1]["id"] == alerts["closed"].pk and items[-1]["outcome"] == "recheck_normal"


def test_an_item_names_the_case_and_person(world, api, alerts):
    (item,) = [i for i in api("worker_a").all(URL) if i["id"] == alerts["a"].pk]
    case = alerts["a"].case
    assert item["case_id"] == case.pk
    assert item["person_name"] == "甲一"
    assert item["jurisdiction"] == world.nodes["grid_a"].code
    assert item["trigger"] == "fever"
    assert item["detail"] == "38.5 °C (2020-02-03 09:30)"
    assert item["open"] is True and item["last_step"] is None and item["version"] == 1


def test_filters(world, api, alerts):
    hq = api("hq")
    open_ids = set(_ids(hq.all(URL, open_only="true")))
    assert alerts["closed"].pk not in open_ids and alerts["a"].pk in open_ids
    missed = _ids(hq.all(URL, trigger="missed_slots"))
    assert alerts["missed"].pk in missed and alerts["a"].pk not in missed
    within = set(_ids(hq.all(URL, within=world.nodes["village_b"].code)))
    assert within == {alerts["b"].pk}
    assert hq.all(URL, since="2020-02-04") == []
    assert len(hq.all(URL, since="2020-02-03")) == Alert.objects.count() == 6
    assert api("worker_a").get(URL, within=world.nodes["grid_b"].code).status_code == 404
    assert hq.get(URL, trigger="nonsense").status_code == 422
    assert hq.get(URL, cursor="not-a-cursor").status_code == 422
    assert hq.get(URL, since="yesterday").status_code == 422


def test_detail_with_referral_steps(world, api, alerts):
    alert = alerts["a"]
    worker = api("worker_a")
    body = worker.get(f"{URL}/{alert.pk}").json()
    assert body["steps"] == [] and body["next_steps"] == ["reported"]
    response = worker.send(
        "POST",
        f"{URL}/{alert.pk}/referral",
        {"step": "reported", "at": "2020-02-03T09:50:00+08:00", "note": "已报告"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [(s["step"], s["note"]) for s in body["steps"]] == [("reported", "已报告")]
    assert body["next_steps"] == ["isolated", "transported", "diagnosed"]
    assert body["last_step"] == "reported" and body["version"] == 2
    assert api("worker_b").get(f"{URL}/{alert.pk}").status_code == 404
    assert api("hq").get(f"{URL}/999999").status_code == 404


def test_refusals_are_clear(world, api, alerts):
    alert = alerts["a"]
    worker = api("worker_a")
    response = worker.send(
        "POST", f"{URL}/{alert.pk}/referral", {"step": "isolated", "at": "2020-02-03T10:00"}
    )
    assert response.status_code == 422
    assert "step" in response.json()["errors"]
    response = worker.send("POST", f"{URL}/{alert.pk}/close", {"version": 1})
    assert response.status_code == 422
    assert response.json()["errors"]["outcome"] == [
        "An alert cannot be closed without an outcome."
    ] or response.json()["errors"]["outcome"] == ["预警必须有结果才能关闭。"]
    response = worker.send(
        "POST", f"{URL}/{alert.pk}/referral", {"step": "teleported", "at": "2020-02-03T10:00"}
    )
    assert response.status_code == 422
    response = worker.send("POST", f"{URL}/{alert.pk}/close", {"outcome": "excluded"})
    assert response.status_code == 422  # the version is required
    assert ReferralEvent.objects.count() == 0
    assert Alert.objects.get(pk=alert.pk).closed_at is None


def test_full_carry_over_the_api(world, api, alerts):
    alert = alerts["missed"]
    hq = api("hq")
    for step, at, extra in (
        ("reported", "2020-02-03T17:10", {}),
        ("isolated", "2020-02-03T17:40", {}),
        ("transported", "2020-02-03T18:30", {}),
        ("diagnosed", "2020-02-03T22:00", {"diagnosis": "excluded"}),
    ):
        response = hq.send("POST", f"{URL}/{alert.pk}/referral", {"step": step, "at": at, **extra})
        assert response.status_code == 201, response.content
    version = response.json()["version"]
    conflict = hq.send("POST", f"{URL}/{alert.pk}/close", {"outcome": "excluded", "version": 1})
    assert conflict.status_code == 409
    disagree = hq.send(
        "POST", f"{URL}/{alert.pk}/close", {"outcome": "confirmed", "version": version}
    )
    assert disagree.status_code == 422
    response = hq.send(
        "POST", f"{URL}/{alert.pk}/close", {"outcome": "excluded", "version": version}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["open"] is False and body["outcome"] == "excluded"
    assert [s["step"] for s in body["steps"]] == [
        "reported",
        "isolated",
        "transported",
        "diagnosed",
    ]
    assert body["steps"][-1]["diagnosis"] == "excluded"
    assert body["next_steps"] == []


def test_writes_need_alerts_manage_over_the_alert(world, api, alerts):
    alert = alerts["a"]
    step = {"step": "reported", "at": "2020-02-03T10:00"}
    assert api("analyst").send("POST", f"{URL}/{alert.pk}/referral", step).status_code == 403
    assert api("worker_b").send("POST", f"{URL}/{alert.pk}/referral", step).status_code == 404
    assert api(None).send("POST", f"{URL}/{alert.pk}/referral", step).status_code == 401
    close = {"outcome": "recheck_normal", "version": 1}
    assert api("analyst").send("POST", f"{URL}/{alert.pk}/close", close).status_code == 403
    assert api("worker_b").send("POST", f"{URL}/{alert.pk}/close", close).status_code == 404
    assert ReferralEvent.objects.count() == 0
    assert Alert.objects.get(pk=alert.pk).closed_at is None
    assert api("secretary").send("POST", f"{URL}/{alert.pk}/close", close).status_code == 200


def test_symptom_codes_read_as_names(world, api):
    from epigrid.quarantine.services.escalation import evaluate_followup

    case = make_case(world, name="气促者")
    evaluate_followup(actor=SYSTEM, followup=reading(case, symptoms=["short_breath"]))
    (item,) = [i for i in api("hq").all(URL) if i["case_id"] == case.pk]
    assert item["detail"] == "short_breath"
    assert item["detail_text"] in ("呼吸困难", "Shortness of breath")
