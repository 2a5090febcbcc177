"""Roster pages and endpoints cost the same number of queries however many posts, shifts,
people on them and notes there are."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.rosters import services

from .world import POSTS_FROM, at

PAGES = {
    "hq": [
        "/rosters/",
        "/rosters/?hours=24",
        "/rosters/?hours=48",
        "/rosters/{desk_a}/?week=2020-02-10",
        "/rosters/shifts/{shift_a2}/",
        "/rosters/{desk_a}/shifts/new/",
        "/grids/{village_a}/",
    ],
    "worker_a": ["/rosters/mine/", "/rosters/shifts/{shift_a1}/"],
}
ENDPOINTS = {
    "hq": [
        "/rosters/posts",
        "/rosters/gaps?hours=48",
        "/rosters/posts/{desk_a}",
        "/rosters/posts/{desk_a}/shifts?from=2020-02-09T00:00:00%2B08:00&until=2020-02-12T00:00:00%2B08:00",
        "/rosters/posts/{desk_a}/gaps?from=2020-02-10T00:00:00%2B08:00&until=2020-02-17T00:00:00%2B08:00",
        "/rosters/shifts/{shift_a2}",
        "/rosters/shifts/{shift_a1}/members",
        "/rosters/shifts/{shift_a1}/handovers",
    ],
    "worker_a": ["/rosters/my-shifts", "/rosters/shifts/{shift_a1}"],
}


def grow(world, rosters, n: int) -> None:
    """More posts with shifts in the next day, more shifts and people at desk A in the week
    shown, more notes, more of worker A's own shifts."""
    hq = world.actor("hq")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    people = [
        world.staff[key]
        for key in (
            "grid_a.family_doctor",
            "grid_a.police",
            "grid_a2.family_doctor",
            "grid_a2.police",
            "big_a.leader",
            "big_a.secretary",
        )
    ]
    for i in range(n):
        post = services.post_create(
            actor=hq, jurisdiction=world.nodes["village_a"], name=f"岗{i}", active_from=POSTS_FROM
        )
        services.shift_create(
            actor=hq,
            post=post,
            starts_at=now + dt.timedelta(hours=2),
            ends_at=now + dt.timedelta(hours=10),
            members=[people[i % len(people)]],
        )
    desk = rosters["desk_a"]
    for day in range(11, 11 + n):  # Tuesday onwards, one shift a day with two people
        services.shift_create(
            actor=hq,
            post=desk,
            starts_at=at(day, 8),
            ends_at=at(day, 16),
            members=people[:2],
        )
    for staff in people[4:]:
        services.shift_member_add(actor=hq, shift=rosters["shift_a1"], staff=staff)
    for k in range(n):
        services.handover_add(actor=hq, shift=rosters["shift_a1"], text=f"交接{k}")
    for k in range(n):  # worker A's own shifts, this week
        services.shift_create(
            actor=SYSTEM,
            post=desk,
            starts_at=now + dt.timedelta(hours=12 * k + 24),
            ends_at=now + dt.timedelta(hours=12 * k + 30),
            members=[world.staff["grid_a.cadre"]],
        )


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def measure(web, api, values) -> dict[str, int]:
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


@pytest.mark.django_db
def test_roster_query_counts_do_not_grow_with_data(world, rosters, web, api):
    values = {k: v.code for k, v in world.nodes.items()}
    values.update({k: rosters[k].pk for k in ("desk_a", "shift_a1", "shift_a2")})
    for who in ENDPOINTS:
        api(who).get("/rosters/posts")  # a token's first use records last_used_at once
    now = timezone.now()
    services.shift_create(  # one of worker A's own shifts, so their lists are not empty
        actor=SYSTEM,
        post=rosters["desk_a"],
        starts_at=now - dt.timedelta(hours=6),
        ends_at=now - dt.timedelta(hours=1),
        members=[world.staff["grid_a.cadre"]],
    )
    small = measure(web, api, values)
    grow(world, rosters, 6)
    large = measure(web, api, values)
    assert large == small
    assert max(small.values()) <= 20, small
    # The grown data reached the lists measured.
    assert len(api("hq").all("/rosters/posts")) == 8
    assert len(api("worker_a").get("/rosters/my-shifts").json()) == 1 + 6
    week = api("hq").get(
        f"/rosters/posts/{rosters['desk_a'].pk}/shifts",
        **{"from": "2020-02-10T00:00:00+08:00", "until": "2020-02-17T00:00:00+08:00"},
    )
    assert len(week.json()["items"]) == 2 + 6
    assert len(api("hq").get(f"/rosters/shifts/{rosters['shift_a1'].pk}/members").json()) == 4
