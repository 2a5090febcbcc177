"""The sweep part of a test world (tests/world.py), built through the services like real use.

A campaign over the subdistrict's serviced apartments and online rentals (kinds the shared
world's register does not use, so its own units stay out of these counts):

grid A  锦江大道8号 01房–05房 (5 units; landlord 房东乙)   3 grid workers: 2 + 2 + 1
grid A2 锦江大道9号 01房–02房 (2 units)                   3 grid workers: 1 + 1 + 0
grid B  西门路3号   01房–03房 (3 units)                   3 grid workers: 1 + 1 + 1
grid C  东华路5号   01房      (1 unit)

Visits: grid A 01房 registered (tenant 陈一), 02房 nobody home; grid B 01房 registered.
worker_a's login is grid A's cadre, worker_b's grid B's cadre.
"""

import datetime as dt
from typing import Any

from django.utils import timezone
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.registry import services as reg
from epigrid.registry.services import PersonInput
from epigrid.sweeps import services
from epigrid.sweeps.models import CampaignUnit
from epigrid.workforce.models import StaffMember

SWEEP_START = dt.date(2020, 2, 3)
KINDS = ["serviced_apartment", "online_rental"]
UNITS = {
    "grid_a": ("锦江大道8号", 5),
    "grid_a2": ("锦江大道9号", 2),
    "grid_b": ("西门路3号", 3),
    "grid_c": ("东华路5号", 1),
}


def resident_id(region: str = "440785", birth: str = "19900101", seq: str = "123") -> str:
    body = f"{region}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def when(day: int, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2020, 2, day, hour))


def link_logins(world) -> None:
    for username, key in (("worker_a", "grid_a.cadre"), ("worker_b", "grid_b.cadre")):
        StaffMember.objects.filter(pk=world.staff[key].pk).update(user=world.users[username])
        world.staff[key].refresh_from_db()


def build_sweeps(world, *, visits: bool = True) -> dict[str, Any]:
    n = world.nodes
    s: dict[str, Any] = {"units": {}}
    link_logins(world)
    landlord = reg.person_register(
        actor=SYSTEM,
        jurisdiction=n["grid_a"],
        data=PersonInput(name="房东乙", doc_number=resident_id("440785", "19620505", "017")),
    )
    for grid, (address, count) in UNITS.items():
        building = reg.building_create(actor=SYSTEM, jurisdiction=n[grid], address=address)
        s["units"][grid] = [
            reg.unit_create(
                actor=SYSTEM,
                building=building,
                label=f"{i + 1:02d}房",
                use="rental",
                rental_kind=KINDS[i % 2],
                landlord=landlord if grid == "grid_a" else None,
            )
            for i in range(count)
        ]
    campaign = services.campaign_start(
        actor=SYSTEM,
        jurisdiction=n["sub"],
        name="出租屋拉网式清查",
        rental_kinds=KINDS,
        starts_on=SWEEP_START,
    )
    services.campaign_assign(actor=SYSTEM, campaign=campaign)
    s["campaign"] = campaign

    def cu(grid: str, i: int) -> CampaignUnit:
        return CampaignUnit.objects.get(campaign=campaign, unit=s["units"][grid][i])

    s["cu"] = cu
    if visits:
        s["visit_a"] = services.visit_record(
            actor=SYSTEM,
            campaign_unit=cu("grid_a", 0),
            visited_at=when(4),
            outcome="registered",
            persons=[(PersonInput(name="陈一", doc_number=resident_id(seq="311")), "tenant")],
            visited_by=world.staff["grid_a.cadre"],
        )
        services.visit_record(
            actor=SYSTEM,
            campaign_unit=cu("grid_a", 1),
            visited_at=when(4, 11),
            outcome="nobody_home",
            visited_by=world.staff["grid_a.cadre"],
        )
        s["visit_b"] = services.visit_record(
            actor=SYSTEM,
            campaign_unit=cu("grid_b", 0),
            visited_at=when(5),
            outcome="registered",
            persons=[(PersonInput(name="何二", doc_number=resident_id(seq="313")), "tenant")],
            visited_by=world.staff["grid_b.cadre"],
        )
    return s
