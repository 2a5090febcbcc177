"""The sweep pages: campaign coverage, today's list, and the visit form at the door."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from epigrid.registry.models import Person
from epigrid.sweeps.models import Campaign, CampaignUnit, Visit, VisitPerson

from .world import resident_id


def visit_post(cu_id: int, persons: list[dict], **fields) -> dict:
    data = {
        "visited_at": "2020-02-10T10:30",
        "outcome": "registered",
        "note": "",
        "persons-TOTAL_FORMS": str(len(persons)),
        "persons-INITIAL_FORMS": "0",
        "persons-MIN_NUM_FORMS": "0",
        "persons-MAX_NUM_FORMS": "20",
        **fields,
    }
    for i, p in enumerate(persons):
        for key, value in {"doc_type": "resident_id", "role": "tenant", **p}.items():
            data[f"persons-{i}-{key}"] = value
    return data


def test_pages_render_for_a_grid_worker(world, sweeps, web):
    client = web("worker_a")
    campaign = sweeps["campaign"]
    cu = sweeps["cu"]("grid_a", 1)
    for path in (
        "/sweeps/",
        f"/sweeps/{campaign.pk}/",
        f"/sweeps/{campaign.pk}/units/?status=gap",
        "/sweeps/today/",
        f"/sweeps/units/{cu.pk}/",
        f"/sweeps/units/{cu.pk}/visit/",
        "/sweeps/visits/",
        f"/sweeps/visits/{sweeps['visit_a'].pk}/",
        f"/grids/{world.nodes['grid_a'].code}/",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
    grid_page = client.get(f"/grids/{world.nodes['grid_a'].code}/").content.decode()
    assert 'data-testid="panel-sweeps"' in grid_page
    # The grid worker's view of the subdistrict's campaign starts at their own grid.
    page = client.get(f"/sweeps/{campaign.pk}/").content.decode()
    assert "锦岗村第1网格" in page
    assert "郁文村" not in page


def test_campaign_page_drills_down_and_names_the_gap(world, sweeps, web):
    client = web("hq")
    campaign = sweeps["campaign"]
    page = client.get(f"/sweeps/{campaign.pk}/").content.decode()
    assert 'data-testid="drilldown"' in page
    for name in ("锦岗村", "郁文村", "青云社区"):
        assert name in page
    grid = world.nodes["grid_c"].code
    page = client.get(f"/sweeps/{campaign.pk}/?j={grid}").content.decode()
    assert "东华路5号 01房" in page  # the one unit not yet inspected, by address
    assert client.get(f"/sweeps/{campaign.pk}/?j=nonsense").status_code == 404
    # A node outside the campaign's jurisdiction is refused like an unknown one.
    other = Campaign.objects.create(
        name="x",
        jurisdiction=world.nodes["village_b"],
        jpath=world.nodes["village_b"].path,
        starts_on=campaign.starts_on,
    )
    assert client.get(f"/sweeps/{other.pk}/?j={world.nodes['grid_a'].code}").status_code == 404


def test_a_worker_records_two_tenants_through_the_form(world, sweeps, web):
    client = web("worker_a")
    cu = sweeps["cu"]("grid_a", 1)
    ids = [resident_id("450881", "19950303", "021"), resident_id("430524", "19970707", "042")]
    response = client.post(
        f"/sweeps/units/{cu.pk}/visit/",
        visit_post(
            cu.pk,
            [
                {"doc_number": ids[0], "name": "黄小明", "phone": "13800138000"},
                {"doc_number": ids[1], "name": "邓小红"},
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/sweeps/today/"
    visit = Visit.objects.filter(campaign_unit=cu).latest("id")
    assert visit.outcome == "registered"
    assert VisitPerson.objects.filter(visit=visit, created=True).count() == 2
    today = client.get("/sweeps/today/").content.decode()
    assert re.search(r'data-testid="inspected">2<', today)  # grid A: 1 → 2 of 5

    # Again, with the names left empty: recognised by number, nothing new.
    persons = Person.objects.count()
    response = client.post(
        f"/sweeps/units/{cu.pk}/visit/",
        visit_post(
            cu.pk,
            [{"doc_number": ids[0]}, {"doc_number": ids[1].lower()}],
            visited_at="2020-02-11T09:00",
        ),
    )
    assert response.status_code == 302
    assert Person.objects.count() == persons


def test_the_form_shows_row_errors_and_keeps_nothing(world, sweeps, web):
    client = web("worker_a")
    cu = sweeps["cu"]("grid_a", 1)
    visits = Visit.objects.count()
    response = client.post(
        f"/sweeps/units/{cu.pk}/visit/",
        visit_post(
            cu.pk,
            [
                {"doc_number": resident_id(seq="611"), "name": "好人"},
                {"doc_number": resident_id(seq="613")},  # unknown and nameless
            ],
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="field invalid"' in page
    assert Visit.objects.count() == visits
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/sweeps/units/{cu.pk}/visit/", visit_post(cu.pk, [], outcome="vacant", visited_at=future)
    )
    assert response.status_code == 200
    assert Visit.objects.count() == visits


def test_add_another_person_with_and_without_javascript(world, sweeps, web):
    client = web("worker_a")
    cu = sweeps["cu"]("grid_a", 1)
    response = client.get(
        "/sweeps/person-row/", {"persons-TOTAL_FORMS": "1"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert 'name="persons-1-doc_number"' in page
    assert 'id="id_persons-TOTAL_FORMS" hx-swap-oob="true"' in page
    assert 'value="2"' in page
    assert client.get("/sweeps/person-row/", {"persons-TOTAL_FORMS": "20"}).status_code == 204
    assert client.get("/sweeps/person-row/", {"persons-TOTAL_FORMS": "x"}).status_code == 200
    # Without JavaScript the button posts the form back with one more row, saving nothing.
    visits = Visit.objects.count()
    response = client.post(
        f"/sweeps/units/{cu.pk}/visit/",
        {**visit_post(cu.pk, [{"doc_number": "", "name": ""}]), "add_person": "1"},
    )
    assert response.status_code == 200
    assert 'name="persons-1-doc_number"' in response.content.decode()
    assert Visit.objects.count() == visits


def test_lookup_shows_a_known_name_only_inside_the_area(world, sweeps, web):
    person_a = VisitPerson.objects.get(visit=sweeps["visit_a"]).person
    person_b = VisitPerson.objects.get(visit=sweeps["visit_b"]).person

    def lookup(who, number, doc_type="resident_id"):
        params = {"persons-0-doc_type": doc_type, "persons-0-doc_number": number}
        response = web(who).get("/sweeps/lookup/", params, headers={"Accept-Language": "en"})
        assert response.status_code == 200
        return response.content.decode()

    assert person_a.name in lookup("worker_a", person_a.doc_number)
    assert person_a.name in lookup("worker_a", person_a.doc_number.lower())
    outside = lookup("worker_a", person_b.doc_number)
    nobody = lookup("worker_a", resident_id(seq="999"))
    assert person_b.name not in outside
    assert outside == nobody  # the same answer as for a number nobody holds
    mistyped = person_a.doc_number[:-1] + ("1" if person_a.doc_number[-1] != "1" else "2")
    assert "check character" in lookup("worker_a", mistyped)
    assert lookup("worker_a", "").strip() == ""
    assert person_a.name in lookup("hq", person_a.doc_number)  # HQ sees the whole city
    assert "lookup-new" in lookup("worker_a", "E12345678", doc_type="passport")


def test_managers_start_assign_and_close_from_the_pages(world, web):
    client = web("secretary")
    response = client.post(
        "/sweeps/new/",
        {
            "name": "锦岗村出租屋清查",
            "jurisdiction": world.nodes["village_a"].code,
            "starts_on": "2020-02-03",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    campaign = Campaign.objects.get()
    assert client.post(f"/sweeps/{campaign.pk}/assign/", {"strategy": "teams"}).status_code == 302
    assert (
        client.post(
            f"/sweeps/{campaign.pk}/close/", {"on": "2020-02-20", "version": campaign.version}
        ).status_code
        == 302
    )
    campaign.refresh_from_db()
    assert campaign.ends_on == dt.date(2020, 2, 20)
    # Outside their village: the code is refused like an unknown one.
    response = client.post(
        "/sweeps/new/",
        {"name": "x", "jurisdiction": world.nodes["village_b"].code, "starts_on": "2020-02-03"},
    )
    assert response.status_code == 200
    assert Campaign.objects.count() == 1


def test_odd_ids_in_pages_are_not_found(world, sweeps, web):
    client = web("hq")
    huge = 99999999999999999999
    for path in (
        f"/sweeps/{huge}/",
        f"/sweeps/units/{huge}/",
        f"/sweeps/units/{huge}/visit/",
        f"/sweeps/visits/{huge}/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/sweeps/visits/?campaign={huge}").status_code == 200
    assert client.get("/sweeps/visits/?campaign=x&outcome=lost").status_code == 200


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "WyJ4LXkiXQ"])
def test_bad_page_links_start_again(world, sweeps, web, cursor):
    client = web("worker_a")
    for path in (
        "/sweeps/",
        "/sweeps/today/",
        "/sweeps/visits/",
        f"/sweeps/{sweeps['campaign'].pk}/units/",
    ):
        response = client.get(path, {"cursor": cursor})
        assert response.status_code == 302, path


def test_unit_reassignment_from_the_unit_page(world, sweeps, web):
    cu = sweeps["cu"]("grid_b", 1)
    client = web("hq")
    page = client.get(f"/sweeps/units/{cu.pk}/").content.decode()
    assert f"t{world.teams['grid_b'].pk}" in page
    response = client.post(
        f"/sweeps/units/{cu.pk}/assign/", {"assignee": f"t{world.teams['grid_b'].pk}"}
    )
    assert response.status_code == 302
    cu.refresh_from_db()
    assert cu.assignee_team_id == world.teams["grid_b"].pk
    # A person of another grid is not among the choices.
    response = client.post(
        f"/sweeps/units/{cu.pk}/assign/", {"assignee": f"s{world.staff['grid_a.cadre'].pk}"}
    )
    cu.refresh_from_db()
    assert cu.assignee_team_id == world.teams["grid_b"].pk
    assert (
        CampaignUnit.objects.filter(
            assignee_staff=world.staff["grid_a.cadre"], jpath=cu.jpath
        ).count()
        == 0
    )
