"""The follow-up policy: headquarters puts new values in force from a date on the page and
over the API; everybody else reads them; cases opened from then on follow them."""

import datetime as dt
from decimal import Decimal

import pytest

from epigrid.policy.models import PolicySetting
from epigrid.policy.selectors import policy_snapshot
from epigrid.quarantine import rules
from epigrid.quarantine.models import FollowUpSlot

from .conftest import DAY
from .world import frozen, local

pytestmark = pytest.mark.django_db

SYMPTOMS = """fever | 发热 | Fever
cough | 干咳 | Dry cough
short_breath | 呼吸困难 | Shortness of breath | !
taste | 味觉丧失 | Loss of taste | 严重"""


def form(**changes):
    return {
        "active_from": DAY.isoformat(),
        "observation_days": "14",
        "followup_deadlines": "10:00, 17:00",
        "fever_threshold": "37.3",
        "fever_inclusive": "1",
        "symptoms": "fever | 发热 | Fever",
        "note": "",
        **changes,
    }


def test_the_policy_page_shows_what_is_in_force(qworld, web):
    for who in ("worker_a", "analyst", "hq"):
        page = web(who).get("/quarantine/policy/").content.decode()
        assert 'data-testid="policy-in-force"' in page
        assert "10:00, 17:00" in page and "37.3" in page
        assert ('data-testid="policy-form"' in page) == (who == "hq")


def test_headquarters_changes_the_policy_and_new_cases_follow_it(qworld, web, open_case):
    hq = web("hq")
    data = form(
        followup_deadlines="9:00，15:00 20:00",
        fever_threshold="37.5",
        fever_inclusive="0",
        observation_days="10",
        symptoms=SYMPTOMS,
        note="<i>第二版</i>",
    )
    response = hq.post("/quarantine/policy/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    in_force = policy_snapshot(rules.POLICY_KEYS, DAY)
    assert in_force["followup_deadlines"] == ["09:00", "15:00", "20:00"]
    assert (in_force["fever_threshold"], in_force["fever_inclusive"]) == (37.5, False)
    assert in_force["observation_days"] == 10
    assert [(s["code"], s["serious"]) for s in in_force["symptoms"]] == [
        ("fever", False),
        ("cough", False),
        ("short_breath", True),
        ("taste", True),
    ]
    case = open_case()
    assert FollowUpSlot.objects.filter(case=case).count() == 30
    assert not rules.is_fever(case.policy, Decimal("37.5"))
    assert rules.is_fever(case.policy, Decimal("37.6"))
    page = hq.get("/quarantine/policy/").content.decode()
    assert "&lt;i&gt;第二版&lt;/i&gt;" in page and "<i>第二版" not in page
    # The same values again change nothing.
    again = hq.post("/quarantine/policy/", data)
    assert again.status_code == 200 and "没有任何改动" in again.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"followup_deadlines": "25:00"}, "is not a time"),
        ({"followup_deadlines": "10:00, 10:00"}, "must differ"),
        ({"symptoms": "发热"}, "code and a name"),
        ({"symptoms": "fever | 发热\nfever | 高热"}, "must differ"),
        ({"fever_threshold": "41"}, "40"),
        ({"observation_days": "0"}, "1"),
    ],
)
def test_bad_policies_are_refused_whole(qworld, web, changes, message):
    response = web("hq").post(
        "/quarantine/policy/",
        form(**{"observation_days": "12", **changes}),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PolicySetting.objects.exists()  # not even a valid observation_days


def test_only_headquarters_may_change_the_policy(qworld, web):
    for who in ("secretary", "worker_a", "analyst"):
        assert web(who).post("/quarantine/policy/", form(observation_days="7")).status_code == 403
    assert web(None).post("/quarantine/policy/", form()).status_code == 302
    assert not PolicySetting.objects.exists()


def test_the_policy_over_the_api(qworld, eapi):
    hq = eapi("hq")
    listed = {p["key"]: p for p in eapi("analyst").get("/quarantine/policies").json()}
    assert set(listed) == set(rules.POLICY_KEYS)
    assert listed["fever_threshold"]["value"] == 37.3 and listed["fever_threshold"]["history"] == []
    made = hq.send(
        "POST",
        "/quarantine/policies",
        {
            "key": "followup_deadlines",
            "value": ["8:00", "12:00", "18:00"],
            "active_from": "2020-02-10",
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["value"] == ["08:00", "12:00", "18:00"]
    before = hq.get("/quarantine/policies", on="2020-02-09").json()
    after = hq.get("/quarantine/policies", on="2020-02-10").json()
    by_key = {p["key"]: p for p in before}
    assert by_key["followup_deadlines"]["value"] == ["10:00", "17:00"]
    assert {p["key"]: p for p in after}["followup_deadlines"]["value"] == [
        "08:00",
        "12:00",
        "18:00",
    ]
    assert len(by_key["followup_deadlines"]["history"]) == 1
    bad = hq.send(
        "POST",
        "/quarantine/policies",
        {"key": "fever_threshold", "value": 45, "active_from": "2020-02-10"},
    )
    assert bad.status_code == 422
    other = hq.send(
        "POST",
        "/quarantine/policies",
        {"key": "sweep_days", "value": 3, "active_from": "2020-02-10"},
    )
    assert other.status_code == 422
    denied = eapi("secretary").send(
        "POST",
        "/quarantine/policies",
        {"key": "observation_days", "value": 7, "active_from": "2020-02-10"},
    )
    assert denied.status_code == 403
    assert PolicySetting.objects.count() == 1


def test_a_case_keeps_its_policy_after_a_change(qworld, eapi, open_case):
    case = open_case()
    with frozen(local(DAY, 9)):
        eapi("hq").send(
            "POST",
            "/quarantine/policies",
            {"key": "fever_threshold", "value": 38.0, "active_from": DAY.isoformat()},
        )
    case.refresh_from_db()
    assert case.policy["fever_threshold"] == 37.3
    assert (
        open_case(name="新案", start=DAY + dt.timedelta(days=1)).policy["fever_threshold"] == 38.0
    )
