"""The register part of the test world: a few buildings, dwellings and persons in grids A
and B, built through the services like real use.

grid A: 恩城大道1号 with 101 (rental, landlord 房东甲, tenant 张三 from Wuhan, a key person)
        and 102 (vacant); 李四 and 李四 again (same phone: a duplicate pair), 王五.
grid B: 新平路2号 with 201 (rental, tenant 赵六).
"""

import datetime as dt
from typing import Any

from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.registry import services as reg
from epigrid.registry.models import PersonCategory
from epigrid.registry.services import PersonInput

DAY = dt.date(2020, 2, 5)


def resident_id(region: str = "440785", birth: str = "19900101", seq: str = "123") -> str:
    """A valid resident identity number (check character computed)."""
    body = f"{region}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def build_register(nodes: dict[str, Any]) -> dict[str, Any]:
    r: dict[str, Any] = {}
    grid_a, grid_b = nodes["grid_a"], nodes["grid_b"]

    def person(key, grid, name, **kw):
        r[key] = reg.person_register(
            actor=SYSTEM, jurisdiction=grid, data=PersonInput(name=name, **kw), recorded_on=DAY
        )

    person("landlord_a", grid_a, "房东甲", doc_number=resident_id("440785", "19600303", "011"))
    person(
        "person_a",
        grid_a,
        "张三",
        doc_number=resident_id("420102", "19900101", "123"),
        phone="13912340001",
        hukou_place="湖北省武汉市江岸区",
    )
    person("dup_a1", grid_a, "李四", phone="13912340009")
    person("dup_a2", grid_a, "李四", phone="13912340009", hukou_place="广东省恩平市")
    person("other_a", grid_a, "王五", doc_number=resident_id("440785", "19851212", "246"))
    person(
        "person_b",
        grid_b,
        "赵六",
        doc_number=resident_id("440785", "19920202", "135"),
        phone="13912340002",
    )
    r["building_a"] = reg.building_create(actor=SYSTEM, jurisdiction=grid_a, address="恩城大道1号")
    r["building_b"] = reg.building_create(actor=SYSTEM, jurisdiction=grid_b, address="新平路2号")
    r["unit_a"] = reg.unit_create(
        actor=SYSTEM,
        building=r["building_a"],
        label="101",
        use="rental",
        rental_kind="single_household",
        landlord=r["landlord_a"],
    )
    r["unit_a2"] = reg.unit_create(
        actor=SYSTEM, building=r["building_a"], label="102", use="vacant"
    )
    r["unit_b"] = reg.unit_create(
        actor=SYSTEM,
        building=r["building_b"],
        label="201",
        use="rental",
        rental_kind="managed_suite",
    )
    r["residency_a"], _ = reg.residency_start(
        actor=SYSTEM,
        person=r["person_a"],
        unit=r["unit_a"],
        role="tenant",
        move_in=DAY,
        recorded_on=DAY,
    )
    r["residency_b"], _ = reg.residency_start(
        actor=SYSTEM,
        person=r["person_b"],
        unit=r["unit_b"],
        role="tenant",
        move_in=DAY,
        recorded_on=DAY,
    )
    r["risk_area"] = reg.risk_area_create(
        actor=SYSTEM, name="湖北省", region_code="42", active_from=dt.date(2020, 1, 23)
    )
    r["arrival_a"], _ = reg.arrival_record(
        actor=SYSTEM,
        person=r["person_a"],
        arrived_on=dt.date(2020, 2, 1),
        from_place="湖北省武汉市",
        from_code="420102",
        transport="train",
        trip_number="G1234",
        recorded_on=DAY,
    )
    r["arrival_b"], _ = reg.arrival_record(
        actor=SYSTEM,
        person=r["person_b"],
        arrived_on=dt.date(2020, 2, 2),
        from_place="广东省广州市",
        from_code="4401",
        recorded_on=DAY,
    )
    r["category_a"], _ = reg.category_assign(
        actor=SYSTEM,
        person=r["person_a"],
        category=PersonCategory.objects.get(code="source_area"),
        active_from=DAY,
    )
    for key in ("person_a", "person_b"):
        r[key].refresh_from_db()
    return r
