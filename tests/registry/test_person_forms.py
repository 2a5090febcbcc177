"""Registering, editing and moving persons through the pages and the API, with the identity
rules of DOMAIN.md."""

import datetime as dt

import pytest

from epigrid.audit.models import AuditEvent
from epigrid.registry.models import Arrival, CategoryAssignment, Person, Residency

from ..world_register import resident_id

pytestmark = pytest.mark.django_db


def _x_number() -> str:
    for seq in range(100, 999):
        number = resident_id("440785", "19880808", f"{seq:03d}")
        if number.endswith("X"):
            return number
    raise AssertionError


def register_page(web, world, user="worker_a", headers=None, **fields):
    data = {"grid": world.nodes["grid_a"].code, "name": "新租户", "doc_type": "resident_id"}
    data.update(fields)
    return web(user).post("/register/persons/new/", data, headers=headers or {})


def test_register_a_person_with_a_valid_id_on_the_page(world, web):
    number = resident_id("440783", "19851010", "222")
    response = register_page(
        web,
        world,
        doc_number=number,
        phone="139 1234 5678",
        unit=world.register["unit_a"].pk,
        role="tenant",
        move_in="2020-02-08",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(doc_number=number)
    assert (person.birth_date, person.sex, person.phone) == (
        dt.date(1985, 10, 10),
        "f",
        "13912345678",
    )
    assert person.jpath == world.nodes["grid_a"].path
    assert person.current_unit == world.register["unit_a"]
    assert Residency.objects.get(person=person).role == "tenant"
    assert response["Location"] == f"/register/persons/{person.pk}/"
    event = AuditEvent.objects.filter(action="person.create").latest("id")
    assert event.actor_username == "worker_a"


def test_register_through_the_api(world, api):
    number = resident_id("440783", "19851010", "224")
    response = api("worker_a").send(
        "POST",
        "/persons",
        {
            "jurisdiction": world.nodes["grid_a"].code,
            "name": "接口登记",
            "doc_number": number,
            "unit_id": world.register["unit_a"].pk,
            "role": "tenant",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["doc_number"] == number
    assert body["jurisdiction"] == world.nodes["grid_a"].code
    assert body["current_unit_id"] == world.register["unit_a"].pk
    # Not in someone else's grid, nor in a village (a person belongs to a small grid).
    assert (
        api("worker_a")
        .send("POST", "/persons", {"jurisdiction": world.nodes["grid_b"].code, "name": "x"})
        .status_code
        == 404
    )
    refused = api("hq").send(
        "POST", "/persons", {"jurisdiction": world.nodes["village_a"].code, "name": "x"}
    )
    assert refused.status_code == 422
    assert "jurisdiction" in refused.json()["errors"]


def test_a_region_code_newer_than_the_birth_year_is_accepted_with_a_note(world, web, api):
    number = resident_id("440785", "19900315", "333")
    response = register_page(web, world, doc_number=number)
    assert response.status_code == 302
    person = Person.objects.get(doc_number=number)
    assert "440785" in person.doc_note and "1990" in person.doc_note
    assert person.birth_date == dt.date(1990, 3, 15)
    page = web("worker_a").get(response["Location"]).content.decode()
    assert "440785" in page and "1990" in page
    assert api("worker_a").get(f"/persons/{person.pk}").json()["doc_note"] == person.doc_note


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("{bad}", "check character"),
        ("4.40785E+17", "Excel"),
        ("{zeros}", "000"),
    ],
)
def test_numbers_that_can_never_be_valid_are_refused_with_a_reason(world, web, api, typed, words):
    good = resident_id("440785", "19900101", "555")
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    # What Excel makes of 440785199001011234 kept as a number: 15 digits, then zeros.
    zeros = "440785199001011000"
    assert resident_id("440785", "19900101", "100") != zeros
    typed = typed.format(bad=bad, zeros=zeros)
    before = Person.objects.count()
    response = register_page(web, world, doc_number=typed, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Person.objects.count() == before
    client = api("worker_a")
    client.headers["Accept-Language"] = "en"
    refused = client.send(
        "POST",
        "/persons",
        {"jurisdiction": world.nodes["grid_a"].code, "name": "错号", "doc_number": typed},
    )
    assert refused.status_code == 422
    message = " ".join(refused.json()["errors"]["doc_number"])
    assert words in message, message
    assert Person.objects.count() == before


@pytest.mark.parametrize("form", ["fullwidth", "lower_x", "spaced"])
def test_typed_numbers_are_normalised(world, web, form):
    number = _x_number()
    typed = {
        "fullwidth": number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
        "lower_x": number.lower(),
        "spaced": f" {number[:6]} {number[6:14]} {number[14:]} ",
    }[form]
    response = register_page(web, world, doc_number=typed, name=f"规范{form}")
    assert response.status_code == 302, response.content.decode()[:1500]
    assert Person.objects.get(name=f"规范{form}").doc_number == number


def test_concurrent_edits_conflict_and_change_nothing(world, web, api):
    person = world.register["person_a"]
    stale = person.version
    ok = web("hq").post(
        f"/register/persons/{person.pk}/edit/",
        {
            "name": "张三丰",
            "doc_type": "resident_id",
            "doc_number": person.doc_number,
            "phone": "13912340001",
            "version": stale,
        },
    )
    assert ok.status_code == 302
    # The grid worker saved from the form they opened before: refused, nothing changes.
    late = web("worker_a").post(
        f"/register/persons/{person.pk}/edit/",
        {
            "name": "张叁",
            "doc_type": "resident_id",
            "doc_number": person.doc_number,
            "phone": "13900000000",
            "version": stale,
        },
        headers={"Accept-Language": "en"},
    )
    assert late.status_code == 200
    assert "Someone else changed this record after you opened it" in late.content.decode()
    person.refresh_from_db()
    assert (person.name, person.phone, person.version) == ("张三丰", "13912340001", stale + 1)
    conflict = api("worker_a").send(
        "PATCH", f"/persons/{person.pk}", {"version": stale, "name": "张叁"}
    )
    assert conflict.status_code == 409
    person.refresh_from_db()
    assert person.name == "张三丰"
    patched = api("worker_a").send(
        "PATCH", f"/persons/{person.pk}", {"version": person.version, "phone": "13912340003"}
    )
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["name"], body["phone"], body["doc_number"]) == (
        "张三丰",
        "13912340003",
        person.doc_number,
    )


def test_moving_in_and_out(world, web):
    person = world.register["other_a"]
    unit = world.register["unit_a2"]
    response = web("worker_a").post(
        f"/register/persons/{person.pk}/move-in/",
        {
            "grid": world.nodes["grid_a"].code,
            "unit": unit.pk,
            "role": "owner",
            "move_in": "2020-02-01",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.current_unit == unit
    building = web("worker_a").get(f"/register/buildings/{unit.building_id}/").content.decode()
    assert "王五" in building
    residency = Residency.objects.get(person=person, unit=unit)
    web("worker_a").post(f"/register/residencies/{residency.pk}/end/", {"move_out": "2020-02-10"})
    residency.refresh_from_db()
    assert residency.move_out == dt.date(2020, 2, 10)
    person.refresh_from_db()
    assert person.current_unit is None
    # A tenant in a vacant dwelling is refused on the form, with the reason.
    refused = web("worker_a").post(
        f"/register/persons/{person.pk}/move-in/",
        {"grid": world.nodes["grid_a"].code, "unit": unit.pk, "role": "tenant"},
    )
    assert refused.status_code == 200
    assert Residency.objects.filter(person=person).count() == 1


def test_the_dwelling_choices_follow_the_grid(world, web):
    client = web("hq")
    response = client.get(
        "/register/persons/new/",
        {"grid": world.nodes["grid_b"].code},
        headers={"HX-Request": "true"},
    )
    fragment = response.content.decode()
    assert 'id="unit-field"' in fragment and "新平路2号 201" in fragment
    assert "恩城大道1号" not in fragment and "<html" not in fragment


def test_record_an_arrival_and_list_the_risky_ones(world, web, api):
    person = world.register["other_a"]
    response = web("worker_a").post(
        f"/register/persons/{person.pk}/arrivals/new/",
        {
            "arrived_on": "2020-02-03",
            "from_place": "湖北省孝感市",
            "from_code": "4209",
            "via_codes": "4201, 4301",
            "transport": "bus",
            "trip_number": "K99",
        },
    )
    assert response.status_code == 302
    arrival = Arrival.objects.get(person=person)
    assert arrival.touches_risk_area and arrival.via_codes == ["4201", "4301"]
    risky = web("worker_a").get("/register/arrivals/?risk=1").content.decode()
    assert "王五" in risky and "张三" in risky
    everyone = web("hq").get("/register/arrivals/").content.decode()
    assert "赵六" in everyone
    assert "赵六" not in web("hq").get("/register/arrivals/?risk=1").content.decode()
    assert {a["name"] for a in api("hq").all("/arrivals", risk_only=True)} == {"张三", "王五"}
    again = api("worker_a").send(
        "POST",
        "/arrivals",
        {"person_id": person.pk, "arrived_on": "2020-02-03", "from_place": "湖北省孝感市"},
    )
    assert again.status_code == 200
    assert Arrival.objects.filter(person=person).count() == 1


def test_key_person_categories_are_assigned_and_ended(world, web, api):
    person = world.register["other_a"]
    client = web("worker_a")
    client.post(
        f"/register/persons/{person.pk}/categories/",
        {"category": "fever", "active_from": "2020-02-06", "reason": "37.8℃"},
    )
    row = CategoryAssignment.objects.get(person=person)
    assert (row.category.code, row.reason) == ("fever", "37.8℃")
    client.post(f"/register/category-assignments/{row.pk}/end/", {"on": "2020-02-10"})
    row.refresh_from_db()
    assert row.active_until == dt.date(2020, 2, 10)
    listed = api("worker_a").get(f"/persons/{person.pk}/categories").json()
    assert [(a["category"], a["active_until"]) for a in listed] == [("fever", "2020-02-10")]
    created = api("worker_a").send(
        "POST", f"/persons/{person.pk}/categories", {"category": "close_contact"}
    )
    assert (
        created.status_code == 201 and created.json()["jurisdiction"] == world.nodes["grid_a"].code
    )
    assert (
        api("worker_a")
        .send("POST", f"/persons/{person.pk}/categories", {"category": "nope"})
        .status_code
        == 422
    )
    counts = web("worker_a").get("/register/categories/").content.decode()
    assert "密切接触者" in counts


def test_epidemic_source_areas_are_headquarters_policy(world, web, api):
    assert (
        web("hq")
        .post(
            "/register/risk-areas/new/",
            {"name": "广东省广州市", "region_code": "4401", "active_from": "2020-01-30"},
        )
        .status_code
        == 302
    )
    arrival_b = world.register["arrival_b"]
    arrival_b.refresh_from_db()
    assert arrival_b.touches_risk_area  # judged again when the area was listed
    area = api("hq").all("/risk-areas")
    listed = {a["region_code"]: a for a in area}
    assert listed["4401"]["jurisdiction"] == world.nodes["city"].code
    assert web("secretary").get("/register/risk-areas/new/").status_code == 403
    ended = api("hq").send("POST", f"/risk-areas/{listed['4401']['id']}/end", {"on": "2020-02-01"})
    assert ended.status_code == 200 and ended.json()["active_until"] == "2020-02-01"
    page = web("worker_a").get("/register/risk-areas/").content.decode()
    assert "广东省广州市" in page and "/end/" not in page
