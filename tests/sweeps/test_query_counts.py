"""Sweep pages and endpoints cost the same number of queries however much data there is: the
grid worker's list of the day and coverage above all."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.geo.models import Kind
from epigrid.geo.services import jurisdiction_create
from epigrid.registry import services as reg
from epigrid.registry.services import PersonInput
from epigrid.sweeps import services
from epigrid.sweeps.models import CampaignUnit
from epigrid.workforce.services import staff_create

from .world import KINDS, resident_id

PAGES = {
    "hq": [
        "/sweeps/",
        "/sweeps/{campaign}/",
        "/sweeps/{campaign}/?j={village_a}",
        "/sweeps/{campaign}/?j={grid_a}",
        "/sweeps/{campaign}/units/",
        "/sweeps/{campaign}/units/?status=gap",
        "/sweeps/visits/",
        "/sweeps/units/{cu_a}/",
        "/sweeps/units/{cu_a}/visit/",
        "/sweeps/visits/{visit_a}/",
        "/grids/{grid_a}/",
    ],
    "worker_a": ["/sweeps/today/", "/sweeps/{campaign}/", "/sweeps/units/{cu_a}/visit/"],
}
ENDPOINTS = {
    "hq": [
        "/sweeps/campaigns",
        "/sweeps/campaigns/{campaign}",
        "/sweeps/campaigns/{campaign}/units",
        "/sweeps/campaigns/{campaign}/coverage",
        "/sweeps/visits",
        "/sweeps/units/{cu_a}",
        "/sweeps/visits/{visit_a}",
    ],
    "worker_a": ["/sweeps/today", "/sweeps/campaigns/{campaign}/coverage"],
}
_seq = iter(range(100, 999))


def grow(world, sweeps, n_grids: int) -> None:
    """More grids with people and rentals in the campaign, more units and visits for worker A."""
    campaign = sweeps["campaign"]
    hq = world.actor("hq")
    worker = world.actor("worker_a")
    new_units = []
    for i in range(n_grids):
        grid = jurisdiction_create(
            actor=hq, parent=world.nodes["big_a"], kind=Kind.SMALL_GRID, name=f"扩展网格{i}"
        )
        for k, cat in enumerate(["cadre", "family_doctor", "police"]):
            staff_create(actor=hq, jurisdiction=grid, name=f"网格员{i}-{k}", category=cat)
        building = reg.building_create(actor=hq, jurisdiction=grid, address=f"扩展路{i}号")
        new_units += [
            reg.unit_create(
                actor=hq, building=building, label=f"{j}", use="rental", rental_kind=KINDS[0]
            )
            for j in range(4)
        ]
    building = reg.building_create(
        actor=hq, jurisdiction=world.nodes["grid_a"], address="锦江大道18号"
    )
    more_a = [
        reg.unit_create(
            actor=hq, building=building, label=f"{j}", use="rental", rental_kind=KINDS[1]
        )
        for j in range(8)
    ]
    # Units registered after the campaign started join it (test set-up, not a service).
    CampaignUnit.objects.bulk_create(
        [CampaignUnit(campaign=campaign, unit=u, jpath=u.jpath) for u in new_units + more_a]
    )
    services.campaign_assign(actor=hq, campaign=campaign)
    mine = CampaignUnit.objects.filter(campaign=campaign, unit__in=more_a)
    for cu in mine:
        services.campaign_unit_assign(actor=hq, campaign_unit=cu, staff=world.staff["grid_a.cadre"])
    day = timezone.make_aware(dt.datetime(2020, 2, 14, 9))
    for k, cu in enumerate(mine):
        if k % 2:
            services.visit_record(
                actor=worker, campaign_unit=cu, visited_at=day, outcome="nobody_home"
            )
    cu_a = sweeps["cu"]("grid_a", 1)
    for k in range(4):  # the page's unit gets more visits and people found
        services.visit_record(
            actor=worker,
            campaign_unit=cu_a,
            visited_at=day + dt.timedelta(hours=k),
            outcome="registered",
            persons=[
                (
                    PersonInput(name=f"租户{k}", doc_number=resident_id(seq=f"{next(_seq):03d}")),
                    "tenant",
                ),
                (PersonInput(name=f"家属{k}"), "family"),
            ],
        )
    for cu in CampaignUnit.objects.filter(campaign=campaign, unit__in=new_units)[:20]:
        services.visit_record(
            actor=SYSTEM,
            campaign_unit=cu,
            visited_at=day,
            outcome="vacant",
            visited_by=cu.assignee_staff,
        )


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def measure(world, web, api, values) -> dict[str, int]:
    result = {}
    for who, paths in PAGES.items():
        client = web(who)
        for p in paths:
            path = p.format(**values)
            result[f"{who} {path}"] = count(lambda path=path, client=client: client.get(path))
    for who, paths in ENDPOINTS.items():
        client = api(who)
        for p in paths:
            path = p.format(**values)
            result[f"{who} api{path}"] = count(lambda path=path, client=client: client.get(path))
    return result


def test_sweep_query_counts_do_not_grow_with_data(world, sweeps, web, api):
    values = {k: v.code for k, v in world.nodes.items()}
    values.update(
        campaign=sweeps["campaign"].pk,
        cu_a=sweeps["cu"]("grid_a", 1).pk,
        visit_a=sweeps["visit_a"].pk,
    )
    for who in ENDPOINTS:
        api(who).get("/sweeps/campaigns")  # a token's first use records last_used_at once
    small = measure(world, web, api, values)
    grow(world, sweeps, 6)
    large = measure(world, web, api, values)
    assert large == small
    assert max(small.values()) <= 20, small
    # The grown data did reach the lists being measured.
    todo = CampaignUnit.objects.filter(
        assignee_staff=world.staff["grid_a.cadre"], first_inspected_at__isnull=True
    ).count()
    assert todo >= 8
    assert len(api("worker_a").all("/sweeps/today")) == todo
