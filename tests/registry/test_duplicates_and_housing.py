"""The duplicates queue and merge, buildings and dwellings, the jurisdiction page panel."""

import datetime as dt

import pytest

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.registry import services as reg
from epigrid.registry.models import (
    Arrival,
    CategoryAssignment,
    DuplicateDismissal,
    HousingUnit,
    Person,
    PersonCategory,
    Residency,
)

from ..world_register import resident_id

pytestmark = pytest.mark.django_db


def give_records(world):
    """The second 李四 record lives in two dwellings over time, arrived twice and is in a
    category; the first has one arrival of its own."""
    r = world.register
    first, second = r["dup_a1"], r["dup_a2"]
    reg.residency_start(actor=SYSTEM, person=second, unit=r["unit_a2"], role="owner")
    reg.residency_start(actor=SYSTEM, person=second, unit=r["unit_a"], role="tenant")
    for day, place in (("2020-02-01", "湖南省长沙市"), ("2020-02-04", "湖北省武汉市")):
        reg.arrival_record(
            actor=SYSTEM,
            person=second,
            arrived_on=dt.date.fromisoformat(day),
            from_place=place,
        )
    reg.arrival_record(
        actor=SYSTEM,
        person=first,
        arrived_on=dt.date(2020, 1, 30),
        from_place="广东省广州市",
    )
    reg.category_assign(
        actor=SYSTEM, person=second, category=PersonCategory.objects.get(code="fever")
    )
    return first, second


def test_the_queue_shows_the_pair_to_the_village_but_not_to_grid_workers(world, web, api):
    page = web("secretary").get("/register/duplicates/").content.decode()
    assert page.count('data-testid="duplicate-group"') == 1
    assert page.count("李四") >= 2
    groups = api("secretary").get("/duplicates").json()["items"]
    assert [(g["reasons"], sorted(p["name"] for p in g["persons"])) for g in groups] == [
        (["phone"], ["李四", "李四"])
    ]
    assert groups[0]["mergeable"] is True
    assert groups[0]["persons"][0]["jurisdiction"] == world.nodes["grid_a"].code
    assert web("worker_a").get("/register/duplicates/").status_code == 403
    assert api("worker_a").get("/duplicates").status_code == 403


def test_a_merge_on_the_page_moves_everything_and_says_what(world, web):
    first, second = give_records(world)
    response = web("secretary").post(
        "/register/duplicates/merge/",
        {"survivor": first.pk, "person": [first.pk, second.pk]},
        headers={"Accept-Language": "en"},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/register/persons/{first.pk}/"
    assert "residencies 2" in page and "arrivals 2" in page and "key-person categories 1" in page
    assert Residency.objects.filter(person=first).count() == 2
    assert Residency.objects.filter(person=second).count() == 0
    assert Arrival.objects.filter(person=first).count() == 3
    assert CategoryAssignment.objects.filter(person=first).count() == 1
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.merged_into_id == first.pk
    assert first.hukou_place == "广东省恩平市"  # an empty field filled from the duplicate
    assert first.current_unit == world.register["unit_a"]
    event = AuditEvent.objects.get(action="person.merge")
    assert event.actor_username == "secretary"
    assert event.after["moved"]["residencies"] == 2
    assert (
        web("secretary")
        .get("/register/duplicates/")
        .content.decode()
        .count('data-testid="duplicate-group"')
        == 0
    )
    # The merged record says where it went.
    merged = web("secretary").get(f"/register/persons/{second.pk}/").content.decode()
    assert f"/register/persons/{first.pk}/" in merged


def test_a_merge_through_the_api(world, api):
    first, second = give_records(world)
    response = api("hq").send(
        "POST", "/duplicates/merge", {"survivor": second.pk, "duplicate": first.pk}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["moved"]["residencies"] == 0
    assert body["moved"]["arrivals"] == 1
    assert body["moved"]["categories"] == 0
    assert body["survivor"]["id"] == second.pk
    assert Arrival.objects.filter(person=second).count() == 3
    again = api("hq").send(
        "POST", "/duplicates/merge", {"survivor": second.pk, "duplicate": first.pk}
    )
    assert again.status_code == 422
    # Two people with different numbers are never merged.
    a = reg.person_register(
        actor=SYSTEM,
        jurisdiction=world.nodes["grid_a"],
        data=reg.PersonInput(name="甲", doc_number=resident_id(seq="771")),
    )
    b = reg.person_register(
        actor=SYSTEM,
        jurisdiction=world.nodes["grid_a"],
        data=reg.PersonInput(name="甲", doc_number=resident_id(seq="773")),
    )
    refused = api("hq").send("POST", "/duplicates/merge", {"survivor": a.pk, "duplicate": b.pk})
    assert refused.status_code == 422
    assert Person.objects.get(pk=b.pk).merged_into_id is None


def test_different_people_leave_the_queue(world, web, api):
    first, second = world.register["dup_a1"], world.register["dup_a2"]
    response = web("secretary").post(
        "/register/duplicates/dismiss/", {"group": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert DuplicateDismissal.objects.count() == 1
    assert api("secretary").get("/duplicates").json()["items"] == []
    assert (
        api("hq")
        .send("POST", "/duplicates/dismiss", {"first": first.pk, "second": second.pk})
        .status_code
        == 200
    )
    assert DuplicateDismissal.objects.count() == 1


def test_buildings_dwellings_and_landlords(world, web, api):
    r = world.register
    client = web("worker_a")
    created = client.post(
        "/register/buildings/new/",
        {"grid": world.nodes["grid_a"].code, "address": "锦岗新村8号", "kind": "house"},
    )
    assert created.status_code == 302
    building_id = int(created["Location"].rstrip("/").split("/")[-1])
    landlord = r["landlord_a"]
    typed = " ".join([landlord.doc_number[:6], landlord.doc_number[6:]]).lower()
    response = client.post(
        f"/register/buildings/{building_id}/units/new/",
        {"label": "整栋", "use": "rental", "rental_kind": "online_rental", "landlord_doc": typed},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = HousingUnit.objects.get(building_id=building_id)
    assert (unit.use, unit.rental_kind, unit.landlord) == ("rental", "online_rental", landlord)
    # A landlord from another grid cannot be named by a grid worker: not found, nothing saved.
    refused = client.post(
        f"/register/buildings/{building_id}/units/new/",
        {
            "label": "2楼",
            "use": "rental",
            "rental_kind": "online_rental",
            "landlord_doc": r["person_b"].doc_number,
        },
    )
    assert refused.status_code == 200
    assert HousingUnit.objects.filter(building_id=building_id).count() == 1
    edited = client.post(
        f"/register/units/{unit.pk}/edit/",
        {
            "label": "整栋",
            "use": "vacant",
            "rental_kind": "",
            "landlord_doc": "",
            "version": unit.version,
        },
    )
    assert edited.status_code == 302
    unit.refresh_from_db()
    assert (unit.use, unit.rental_kind, unit.landlord) == ("vacant", "", None)
    page = client.get(f"/register/buildings/{r['building_a'].pk}/").content.decode()
    assert "101" in page and "张三" in page and "房东甲" in page
    listed = api("worker_a").all("/units", use="rental")
    assert {u["label"] for u in listed} == {"101"}
    assert listed[0]["jurisdiction"] == world.nodes["grid_a"].code
    detail = api("worker_a").get(f"/units/{r['unit_a'].pk}").json()
    assert [o["name"] for o in detail["occupants"]] == ["张三"]
    assert api("worker_a").get(f"/units/{r['unit_b'].pk}").status_code == 404
    assert {b["address"] for b in api("worker_a").all("/buildings")} == {
        "恩城大道1号",
        "锦岗新村8号",
    }


def test_the_grid_page_counts_the_register(world, web):
    page = web("secretary").get(f"/grids/{world.nodes['village_a'].code}/").content.decode()
    assert 'data-testid="panel-register"' in page
    assert f"/register/persons/?within={world.nodes['village_a'].code}" in page


def test_one_entry_per_pair_and_no_merge_for_two_numbers(world, web, api):
    r = world.register
    for key in ("dup_a1", "dup_a2"):
        reg.residency_start(actor=SYSTEM, person=r[key], unit=r["unit_a2"], role="owner")
    for seq in ("881", "883"):
        reg.person_register(
            actor=SYSTEM,
            jurisdiction=world.nodes["grid_a"],
            data=reg.PersonInput(name="周七", doc_number=resident_id(seq=seq), phone="13912340077"),
        )
    groups = api("secretary").get("/duplicates").json()["items"]
    by_name = {g["persons"][0]["name"]: g for g in groups}
    assert len(groups) == 2
    assert sorted(by_name["李四"]["reasons"]) == ["name_address", "phone"]
    assert by_name["李四"]["mergeable"] is True
    assert by_name["周七"]["mergeable"] is False
    page = web("secretary").get("/register/duplicates/", headers={"Accept-Language": "en"})
    text = page.content.decode()
    assert text.count('data-testid="duplicate-group"') == 2
    assert text.count('name="survivor"') == 2  # only the 李四 pair offers a merge
    assert "cannot be merged" in text
