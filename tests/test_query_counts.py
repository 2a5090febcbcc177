"""List pages and endpoints cost the same number of queries however much data there is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epigrid.geo.models import Kind
from epigrid.geo.services import jurisdiction_create
from epigrid.workforce.models import TeamKind
from epigrid.workforce.services import staff_create, team_create, team_member_add

PAGES = [
    "/",
    "/?j={sub}",
    "/grids/",
    "/grids/?within={sub}&kind=small_grid",
    "/grids/{big_a}/",
    "/grids/{sub}/",
    "/workforce/staff/",
    "/workforce/teams/",
    "/party/",
    "/audit/",
    "/workforce/teams/{team_a}/",
]
ENDPOINTS = [
    "/jurisdictions",
    "/staff",
    "/teams",
    "/party-committees",
    "/audit-events",
    "/indicators",
    "/jurisdictions/{big_a}/responsibilities",
]


def grow(world, n_grids: int) -> None:
    """More small grids in village A, each with staff and a team."""
    hq = world.actor("hq")
    for i in range(n_grids):
        grid = jurisdiction_create(
            actor=hq, parent=world.nodes["big_a"], kind=Kind.SMALL_GRID, name=f"新网格{i}"
        )
        crew = [
            staff_create(
                actor=hq,
                jurisdiction=grid,
                name=f"新人{i}-{k}",
                category=cat,
                phone=f"1380001{i:02d}{k:02d}",
            )
            for k, cat in enumerate(["cadre", "family_doctor", "police"])
        ]
        team = team_create(
            actor=hq,
            jurisdiction=grid,
            kind=TeamKind.THREE_PERSON_TEAM,
            name=f"新小组{i}",
            leader=crew[0],
        )
        for member in crew[1:]:
            team_member_add(actor=hq, team=team, member=member)
    team_a = world.teams["grid_a"]
    for k in range(5):  # a bigger team too
        member = staff_create(
            actor=hq, jurisdiction=world.nodes["big_a"], name=f"队员{k}", category="party_volunteer"
        )
        team = world.teams["big_a"]
        team_member_add(actor=hq, team=team, member=member)
    assert team_a


def count(client_call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client_call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_data(world, web, api):
    from .access_cases import fill, placeholders

    values = placeholders(world)
    page_client = web("hq")
    api_client = api("hq")
    api_client.get("/staff")  # the token's first use records last_used_at once
    pages = [fill(p, values) for p in PAGES]
    endpoints = [fill(p, values) for p in ENDPOINTS]
    small = {p: count(lambda p=p: page_client.get(p)) for p in pages}
    small.update({p: count(lambda p=p: api_client.get(p)) for p in endpoints})
    grow(world, 12)
    large = {p: count(lambda p=p: page_client.get(p)) for p in pages}
    large.update({p: count(lambda p=p: api_client.get(p)) for p in endpoints})
    assert large == small
    # The dashboard and the figures endpoint count each figure of the catalogue with one
    # grouped query; every other page and endpoint stays under a fixed budget.
    from epigrid.indicators.catalogue import catalogue

    dashboard = {p: n for p, n in small.items() if p == "/" or p.startswith(("/?", "/indicators"))}
    assert all(n <= len(catalogue()) + 8 for n in dashboard.values()), dashboard
    assert max(n for p, n in small.items() if p not in dashboard) <= 20, small
