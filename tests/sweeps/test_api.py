"""The sweep API: visits with people, lists and coverage, and field errors instead of 500s."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epigrid.registry.models import Person
from epigrid.sweeps.models import Visit, VisitPerson

from .world import resident_id


def test_a_visit_with_two_tenants_over_the_api(world, sweeps, api):
    client = api("worker_a")
    cu = sweeps["cu"]("grid_a", 2)
    ids = [resident_id("511622", "19880808", "071"), resident_id("522121", "19890909", "082")]
    body = {
        "campaign_unit": cu.pk,
        "visited_at": "2020-02-12T16:20:00+08:00",
        "outcome": "registered",
        "persons": [
            {"name": "甄大", "doc_number": ids[0], "phone": "13600000001"},
            {"name": "甄二", "doc_number": ids[1], "role": "family"},
        ],
    }
    response = client.send("POST", "/sweeps/visits", body)
    assert response.status_code == 201, response.content
    visit = response.json()
    assert visit["jurisdiction"] == world.nodes["grid_a"].code
    assert visit["visited_by_id"] == world.staff["grid_a.cadre"].pk
    assert sorted((p["name"], p["role"], p["created"]) for p in visit["persons"]) == [
        ("甄二", "family", True),
        ("甄大", "tenant", True),
    ]
    # The same people again, by number only: nothing new.
    persons = Person.objects.count()
    body["persons"] = [{"doc_number": ids[0]}, {"doc_number": ids[1], "role": "family"}]
    body["visited_at"] = "2020-02-13T09:00:00+08:00"
    again = client.send("POST", "/sweeps/visits", body)
    assert again.status_code == 201, again.content
    assert [p["created"] for p in again.json()["persons"]] == [False, False]
    assert Person.objects.count() == persons

    unit = client.get(f"/sweeps/units/{cu.pk}").json()
    assert (unit["visits_count"], unit["last_outcome"]) == (2, "registered")
    assert unit["first_inspected_at"].startswith("2020-02-12")


def test_lists_carry_jurisdiction_codes_and_page_without_loss(world, sweeps, api):
    client = api("hq")
    campaign = sweeps["campaign"]
    [listed] = client.all("/sweeps/campaigns")
    assert listed["jurisdiction"] == world.nodes["sub"].code
    assert listed["coverage"] == {
        "units": 11,
        "inspected": 2,
        "nobody_home_only": 1,
        "never_visited": 8,
        "gap": 9,
        "no_one_missed": False,
    }
    units = client.all(f"/sweeps/campaigns/{campaign.pk}/units", limit=2)
    assert len(units) == 11 and len({u["id"] for u in units}) == 11
    gaps = client.all(f"/sweeps/campaigns/{campaign.pk}/units", status="gap")
    assert len(gaps) == 9
    visits = client.all("/sweeps/visits", limit=1)
    assert len(visits) == Visit.objects.count() == 3
    assert all(v["jurisdiction"] for v in visits)
    assert len(client.all("/sweeps/visits", outcome="nobody_home")) == 1


def test_coverage_per_grid_pages_through_the_grids(world, sweeps, api):
    client = api("hq")
    campaign = sweeps["campaign"]
    first = client.get(f"/sweeps/campaigns/{campaign.pk}/coverage", limit=3).json()
    assert first["jurisdiction"] == world.nodes["sub"].code
    assert first["totals"]["units"] == 11
    second = client.get(
        f"/sweeps/campaigns/{campaign.pk}/coverage", limit=3, cursor=first["next"]
    ).json()
    grids = first["items"] + second["items"]
    assert second["next"] is None
    assert [(g["jurisdiction"], g["units"], g["inspected"]) for g in grids] == [
        (world.nodes["grid_a"].code, 5, 1),
        (world.nodes["grid_a2"].code, 2, 0),
        (world.nodes["grid_b"].code, 3, 1),
        (world.nodes["grid_c"].code, 1, 0),
    ]
    assert grids[0]["name"] == "锦岗村第1网格"
    # A grid worker's default is their own grid.
    mine = api("worker_b").get(f"/sweeps/campaigns/{campaign.pk}/coverage").json()
    assert mine["jurisdiction"] == world.nodes["grid_b"].code
    assert [g["jurisdiction"] for g in mine["items"]] == [world.nodes["grid_b"].code]


def test_todays_list_over_the_api(world, sweeps, api):
    items = api("worker_a").all("/sweeps/today", limit=1)
    assert [i["label"] for i in items] == ["02房"]
    assert items[0]["landlord"] == "房东乙"
    assert api("hq").all("/sweeps/today") == []


BAD_VISITS = [
    ({"outcome": "burgled"}, "outcome"),
    ({"visited_at": "yesterday"}, "visited_at"),
    ({"visited_at": "2999-01-01T00:00:00+08:00"}, "visited_at"),
    ({"campaign_unit": "x"}, "campaign_unit"),
    ({"persons": [{"name": "甲", "doc_type": "library_card"}]}, "persons.0.doc_type"),
    ({"persons": [{"name": "甲", "role": "lodger"}]}, "persons.0.role"),
    ({"persons": [{"name": "甲"}] * 21}, "persons"),
    (
        {"outcome": "registered", "persons": [{"name": "甲", "doc_number": "123"}]},
        "persons.0.doc_number",
    ),
    ({"outcome": "registered", "persons": [{"name": "x" * 200}]}, "persons.0.name"),
    ({"note": "n" * 401}, "note"),
    ({"visited_by": 999999}, "visited_by"),
    ({"visited_by": 99999999999999999999}, "visited_by"),
    ({"campaign_unit": 99999999999999999999}, "campaign_unit"),
]


@pytest.mark.parametrize(("change", "field"), BAD_VISITS)
def test_bad_visits_are_field_errors(world, sweeps, api, change, field):
    cu = sweeps["cu"]("grid_a", 1)
    body = {"campaign_unit": cu.pk, "visited_at": "2020-02-10T10:00:00+08:00", "outcome": "vacant"}
    visits = Visit.objects.count()
    response = api("worker_a").send("POST", "/sweeps/visits", {**body, **change})
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert Visit.objects.count() == visits


@pytest.mark.parametrize(
    "path",
    [
        "/sweeps/campaigns/0",
        "/sweeps/campaigns/99999999999999999999",
        "/sweeps/units/-1",
        "/sweeps/visits/abc",
        "/sweeps/campaigns/1/coverage?within=nowhere",
        "/sweeps/campaigns?cursor=%%%",
        "/sweeps/today?cursor=WyJ4LXkiXQ",
        "/sweeps/today?limit=-5",
        "/sweeps/visits?since=2020-13-01",
        "/sweeps/campaigns/1/units?status=lost",
        "/sweeps/units/99999999999999999999",
        "/sweeps/campaigns/1/units?assignee_staff=99999999999999999999",
        "/sweeps/visits?campaign=99999999999999999999",
        "/sweeps/visits?campaign_unit=-3",
    ],
)
def test_odd_requests_never_crash(world, sweeps, api, path):
    response = api("hq").client.get(f"/api/v1{path}", headers=api("hq").headers)
    assert response.status_code in (200, 404, 422), (path, response.content[:300])


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    persons=st.lists(
        st.fixed_dictionaries(
            {
                "name": st.text(max_size=60),
                "doc_type": st.sampled_from(["resident_id", "passport", "other", "x"]),
                "doc_number": st.one_of(
                    st.text(max_size=30),
                    st.builds(lambda s: resident_id(seq=f"{s:03d}"), st.integers(0, 999)),
                ),
                "phone": st.text(alphabet="0123456789+ -", max_size=20),
                "role": st.sampled_from(["tenant", "owner", "family", "visitor", "boss"]),
            }
        ),
        max_size=4,
    ),
    outcome=st.sampled_from(["registered", "nobody_home", "refused", "nope"]),
)
def test_any_visit_body_is_an_answer_not_a_crash(world, sweeps, api, persons, outcome):
    cu = sweeps["cu"]("grid_a", 3)
    body = {
        "campaign_unit": cu.pk,
        "visited_at": "2020-02-10T10:00:00+08:00",
        "outcome": outcome,
        "persons": persons,
    }
    before = (Visit.objects.count(), VisitPerson.objects.count())
    response = api("worker_a").send("POST", "/sweeps/visits", body)
    # 400: a NUL character, refused before it reaches any view.
    assert response.status_code in (201, 400, 422), response.content[:500]
    if response.status_code != 201:
        assert (Visit.objects.count(), VisitPerson.objects.count()) == before
