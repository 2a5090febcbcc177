"""The register's lists cost the same number of queries however much data there is."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epigrid.accounts.access import SYSTEM
from epigrid.registry import services as reg
from epigrid.registry.models import PersonCategory

from ..world_register import resident_id

PAGES = [
    "/register/persons/",
    "/register/persons/?q=1391&category=source_area",
    "/register/buildings/",
    "/register/units/",
    "/register/residencies/?role=tenant",
    "/register/arrivals/",
    "/register/categories/",
    "/register/duplicates/",
    "/register/buildings/{building_a}/",
    "/register/persons/{person_a}/",
    "/grids/{grid_a}/",
]
ENDPOINTS = [
    "/persons",
    "/persons?q=1391",
    "/buildings",
    "/units",
    "/residencies",
    "/arrivals",
    "/risk-areas",
    "/duplicates",
    "/units/{unit_a}",
]


def grow(world, n: int) -> None:
    """More persons in grid A, each a tenant in a new dwelling of building A, with an
    arrival and a category; more duplicate pairs too."""
    grid = world.nodes["grid_a"]
    building = world.register["building_a"]
    category = PersonCategory.objects.get(code="source_area")
    for i in range(n):
        person = reg.person_register(
            actor=SYSTEM,
            jurisdiction=grid,
            data=reg.PersonInput(
                name=f"新人{i}",
                doc_number=resident_id("440783", "19800101", f"{300 + i:03d}"),
                phone=f"13912{i:06d}",
            ),
        )
        reg.person_register(
            actor=SYSTEM,
            jurisdiction=grid,
            data=reg.PersonInput(name=f"重复{i}", phone=f"13912{i:06d}"),
        )
        unit = reg.unit_create(
            actor=SYSTEM,
            building=building,
            label=f"新{i}",
            use="rental",
            rental_kind="managed_suite",
            landlord=world.register["landlord_a"],
        )
        reg.residency_start(actor=SYSTEM, person=person, unit=unit, role="tenant")
        reg.arrival_record(
            actor=SYSTEM,
            person=person,
            arrived_on=dt.date(2020, 2, 1),
            from_place="湖北省武汉市",
            from_code="420102",
        )
        reg.category_assign(actor=SYSTEM, person=person, category=category)
        reg.building_create(actor=SYSTEM, jurisdiction=grid, address=f"新楼{i}号")


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("user", ["hq", "worker_a"])
def test_register_lists_cost_the_same_with_more_data(world, web, api, user):
    r = world.register
    values = {
        "building_a": r["building_a"].pk,
        "person_a": r["person_a"].pk,
        "unit_a": r["unit_a"].pk,
        "grid_a": world.nodes["grid_a"].code,
    }
    pages = [p.format(**values) for p in PAGES]
    endpoints = [p.format(**values) for p in ENDPOINTS]
    page_client, api_client = web(user), api(user)
    api_client.get("/persons")  # the token's first use records last_used_at once
    if user == "worker_a":
        pages = [p for p in pages if "duplicates" not in p]
        endpoints = [p for p in endpoints if "duplicates" not in p]

    def measure() -> dict[str, int]:
        found = {p: count(lambda p=p: page_client.get(p)) for p in pages}
        found.update({f"api {p}": count(lambda p=p: api_client.get(p)) for p in endpoints})
        return found

    small = measure()
    grow(world, 12)
    large = measure()
    assert large == small
    assert max(small.values()) <= 20, small
