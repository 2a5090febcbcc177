"""The register's API: shapes, jurisdiction codes, refusals as 422 with field errors."""

import pytest

from epigrid.registry.models import HousingUnit, Residency

pytestmark = pytest.mark.django_db


def test_every_object_carries_its_jurisdiction(world, api):
    grid_a, grid_b = world.nodes["grid_a"].code, world.nodes["grid_b"].code
    client = api("hq")
    for path in ("/persons", "/buildings", "/units", "/residencies", "/arrivals"):
        items = client.all(path)
        assert items, path
        assert {i["jurisdiction"] for i in items} == {grid_a, grid_b}, path
    assert {i["jurisdiction"] for i in client.all("/risk-areas")} == {world.nodes["city"].code}
    assert [c["code"] for c in client.get("/categories").json()][:2] == [
        "source_area",
        "close_contact",
    ]


def test_bad_input_is_a_422_with_field_errors(world, api):
    client = api("hq")
    grid_a = world.nodes["grid_a"].code
    cases = [
        ("POST", "/persons", {"jurisdiction": grid_a, "name": ""}, "name"),
        ("POST", "/persons", {"jurisdiction": grid_a, "name": "x", "phone": "123"}, "phone"),
        ("POST", "/persons", {"jurisdiction": grid_a, "name": "x", "sex": "x"}, "sex"),
        (
            "POST",
            "/persons",
            {
                "jurisdiction": grid_a,
                "name": "x",
                "doc_number": world.register["person_b"].doc_number,
            },
            "doc_number",
        ),
        (
            "POST",
            "/buildings",
            {"jurisdiction": world.nodes["big_a"].code, "address": "x"},
            "jurisdiction",
        ),
        (
            "POST",
            "/units",
            {"building_id": world.register["building_a"].pk, "label": "9", "use": "rental"},
            "rental_kind",
        ),
        (
            "POST",
            "/units",
            {
                "building_id": world.register["building_a"].pk,
                "label": "9",
                "use": "vacant",
                "landlord_doc_number": "110101199001011234",
            },
            "landlord_doc_number",
        ),
        (
            "POST",
            "/residencies",
            {
                "person_id": world.register["other_a"].pk,
                "unit_id": world.register["unit_a2"].pk,
                "role": "tenant",
            },
            "role",
        ),
        (
            "POST",
            "/arrivals",
            {
                "person_id": world.register["person_a"].pk,
                "arrived_on": "2999-01-01",
                "from_place": "x",
            },
            "arrived_on",
        ),
        ("POST", "/arrivals", {"person_id": world.register["person_a"].pk}, "arrived_on"),
        (
            "POST",
            "/risk-areas",
            {"name": "x", "region_code": "4a", "active_from": "2020-02-01"},
            "region_code",
        ),
        ("GET", "/persons?limit=x", None, "limit"),
    ]
    for method, path, body, field in cases:
        response = client.get(path) if method == "GET" else client.send(method, path, body)
        assert response.status_code == 422, (path, body, response.content)
        assert field in response.json()["errors"], (path, response.json())


def test_residencies_through_the_api(world, api):
    client = api("worker_a")
    other, unit = world.register["other_a"], world.register["unit_a2"]
    started = client.send(
        "POST",
        "/residencies",
        {"person_id": other.pk, "unit_id": unit.pk, "role": "owner", "move_in": "2020-02-01"},
    )
    assert started.status_code == 201
    body = started.json()
    assert (body["address"], body["label"], body["role"]) == ("恩城大道1号", "102", "owner")
    again = client.send(
        "POST", "/residencies", {"person_id": other.pk, "unit_id": unit.pk, "role": "owner"}
    )
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    ended = client.send("POST", f"/residencies/{body['id']}/end", {"move_out": "2020-02-09"})
    assert ended.status_code == 200 and ended.json()["move_out"] == "2020-02-09"
    assert Residency.objects.filter(person=other, move_out__isnull=True).count() == 0
    current = client.all("/residencies", role="tenant", current=True)
    assert [r["name"] for r in current] == ["张三"]
    assert [r["name"] for r in client.all("/residencies", person=other.pk)] == ["王五"]


def test_dwellings_name_their_landlord_by_document_number(world, api):
    client = api("worker_a")
    landlord = world.register["landlord_a"]
    created = client.send(
        "POST",
        "/units",
        {
            "building_id": world.register["building_a"].pk,
            "label": "103",
            "use": "rental",
            "rental_kind": "small_property",
            "landlord_doc_number": landlord.doc_number.lower(),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["landlord_id"], body["landlord_name"]) == (landlord.pk, "房东甲")
    patched = client.send(
        "PATCH",
        f"/units/{body['id']}",
        {"version": body["version"], "label": "103室", "use": "vacant"},
    )
    assert patched.status_code == 200
    assert HousingUnit.objects.get(pk=body["id"]).landlord is None
    stale = client.send(
        "PATCH",
        f"/units/{body['id']}",
        {"version": body["version"], "label": "103", "use": "vacant"},
    )
    assert stale.status_code == 409


def test_an_export_outside_ones_area_is_not_found(world, api, web):
    from epigrid.audit.models import AuditEvent

    before = AuditEvent.objects.filter(action="export.create").count()
    grid_b = world.nodes["grid_b"].code
    assert api("worker_a").get("/persons/export", within=grid_b).status_code == 404
    assert web("worker_a").get(f"/register/persons/export/?within={grid_b}").status_code == 404
    assert AuditEvent.objects.filter(action="export.create").count() == before


def test_the_schema_lists_the_register(world, client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/export",
        "/api/v1/buildings",
        "/api/v1/units/{unit_id}",
        "/api/v1/residencies/{residency_id}/end",
        "/api/v1/arrivals",
        "/api/v1/risk-areas/{area_id}/end",
        "/api/v1/categories",
        "/api/v1/duplicates/merge",
        "/api/v1/duplicates/dismiss",
    ):
        assert path in paths, path
    assert paths["/api/v1/persons"]["get"]["x-capability"] == "registry.view"
    assert paths["/api/v1/duplicates/merge"]["post"]["x-capability"] == "duplicates.merge"


def test_a_merged_record_takes_no_new_facts(world, api):
    first, second = world.register["dup_a1"], world.register["dup_a2"]
    client = api("hq")
    assert (
        client.send(
            "POST", "/duplicates/merge", {"survivor": first.pk, "duplicate": second.pk}
        ).status_code
        == 200
    )
    arrival = client.send(
        "POST", "/arrivals", {"person_id": second.pk, "arrived_on": "2020-02-02", "from_place": "x"}
    )
    assert arrival.status_code == 422 and "person" in arrival.json()["errors"]
    category = client.send("POST", f"/persons/{second.pk}/categories", {"category": "fever"})
    assert category.status_code == 422
    patch = client.send("PATCH", f"/persons/{second.pk}", {"version": 2, "name": "x"})
    assert patch.status_code == 422
    assert client.get(f"/persons/{second.pk}").json()["merged_into_id"] == first.pk
